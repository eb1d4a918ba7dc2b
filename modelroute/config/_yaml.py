"""Reading a YAML config file: any file in, plain data or one `ConfigError` line naming the line and the fix.

The file is read as YAML, with no rewriting: a ``${NAME}`` inside a flow mapping (``{api_key: ${KEY}}``) is not
valid YAML, and the error says to quote it. libyaml's parser is used when PyYAML has it. Before anything is built,
one pass over the parser's events bounds the nesting depth and the size the file expands to through anchors
and aliases, so neither a 5,000-deep file nor a "billion laughs" can exhaust the stack or the memory.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from pathlib import Path
from typing import Any

from ..exceptions import ConfigError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "read_yaml"]

MAX_BYTES = 16 * 1024 * 1024  # a config is kilobytes; 16 MiB is a wrong file
MAX_DEPTH = 64  # a config nests five or six levels
MAX_NODES = 1_000_000  # values after expanding aliases
# Characters YAML refuses (C0 controls but tab, LF, CR; DEL; C1 controls but NEL; surrogates; U+FFFE/U+FFFF).
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def read_yaml(path: Path) -> Any:
    """The data in the YAML file at ``path``."""
    text = _read_text(path)
    import yaml

    loader_base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    _check_shape(yaml, loader_base, text, path)
    return _load(yaml, loader_base, text, path)


def shown_path(path: Path) -> str:
    """A path for a one-line message: as it is, or quoted when it holds a line break or another control character."""
    text = str(path)
    return text if text.isprintable() else repr(text)


def _read_text(path: Path) -> str:
    name = shown_path(path)
    try:
        if path.is_dir():
            raise ConfigError(name, "is a directory, not a config file", "Give the path of the YAML file in it")
        if path.stat().st_size > MAX_BYTES:
            raise ConfigError(name, f"is larger than {MAX_BYTES // 2**20} MiB", "Is this the config file?")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("", f"no config file at {name}", "Check the path") from None
    except PermissionError:
        raise ConfigError(name, "cannot be read (permission denied)", "Check the file's permissions") from None
    except OSError as e:
        raise ConfigError(name, f"cannot be read ({e.strerror or e})", "Check the path") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line, col = _position(data[: e.start].decode("utf-8", "replace"), e.start)
        raise ConfigError(f"{name}:{line}:{col}", "is not UTF-8 text", "Save the file as UTF-8") from None
    bad = _BAD_CHAR.search(text)
    if bad is not None:
        line, col = _position(text, bad.start())
        what = "a NUL byte" if bad.group() == "\x00" else f"the control character U+{ord(bad.group()):04X}"
        raise ConfigError(f"{name}:{line}:{col}", f"holds {what}", "Remove it; a config is plain text")
    if not text.strip():
        raise ConfigError(name, "is empty", "Write the config: providers: ... and models: ...")
    return text


def _position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _check_shape(yaml: Any, loader_base: Any, text: str, path: Path) -> None:
    """One pass over the events: bound the depth, and the node count with every alias expanded."""
    depth = 0
    nodes = 0
    sizes: dict[str, int] = {}  # anchor -> the nodes its value holds
    open_: list[tuple[str | None, int]] = []  # per open collection: its anchor, the node count at its start
    collections = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    try:
        for event in yaml.parse(text, Loader=loader_base):
            if isinstance(event, collections):
                depth += 1
                nodes += 1
                if depth > MAX_DEPTH:
                    where = _mark(path, event.start_mark)
                    raise ConfigError(where, f"nests deeper than {MAX_DEPTH} levels", "A config nests a few levels")
                open_.append((event.anchor, nodes))
            elif isinstance(event, ends):
                depth -= 1
                anchor, start = open_.pop()
                if anchor:
                    sizes[anchor] = nodes - start + 1
            elif isinstance(event, yaml.ScalarEvent):
                nodes += 1
                if event.anchor:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.AliasEvent):
                nodes += sizes.get(event.anchor, 1)
            if nodes > MAX_NODES:
                where = _mark(path, event.start_mark)
                raise ConfigError(where, f"expands to more than {MAX_NODES:,} values", "Use fewer anchors and aliases")
    except yaml.YAMLError as e:
        raise _yaml_error(e, text, path) from None


def _load(yaml: Any, loader_base: Any, text: str, path: Path) -> Any:
    class _StrictLoader(loader_base):  # type: ignore[misc]
        """A safe loader that refuses duplicate and unhashable keys (PyYAML keeps the last of two silently)."""

    def _mapping(loader: Any, node: Any) -> dict[Any, Any]:
        merge_tag = "tag:yaml.org,2002:merge"
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == merge_tag:
                continue
            key = loader.construct_object(key_node)
            where = _mark(path, key_node.start_mark)
            if not isinstance(key, Hashable) or isinstance(key, list | dict):
                raise ConfigError(where, "a key is a list or a mapping", "Keys are names: write `name: value`")
            if key in seen:
                raise ConfigError(where, f"the key '{key}' appears twice", "Keep one of them")
            seen.add(key)
        loader.flatten_mapping(node)  # `<<: *anchor` merges, explicit keys winning
        return {loader.construct_object(k): loader.construct_object(v, deep=True) for k, v in node.value}

    _StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as e:
        raise _yaml_error(e, text, path) from None
    except TypeError:  # an unhashable key inside a merge, or a set of lists
        fix = "Keys are names: write `name: value`"
        raise ConfigError(shown_path(path), "a key is a list or a mapping", fix) from None


def _mark(path: Path, mark: Any) -> str:
    return f"{shown_path(path)}:{mark.line + 1}:{mark.column + 1}" if mark is not None else shown_path(path)


# --- what the parser said, in words a user can act on -----------------------------------------------------------

_FLOW_REF = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")
_PROBLEMS: list[tuple[tuple[str, ...], str, str]] = [
    # (words of PyYAML's or libyaml's message, the problem, the fix)
    (("found character '\\t'", "found a tab character", "tab character"), "a tab character",
     "Indent with spaces, not tabs"),
    (("mapping values are not allowed",), "a ':' where YAML does not expect one",
     "Quote a value that holds ': ', or check this line's indentation"),
    (("could not find expected ':'",), "a line without ':' in a mapping",
     "Write `name: value`, or indent it as a list item (- ...)"),
    (("found undefined alias",), "an alias (*name) refers to no anchor (&name)", "Define the anchor first"),
    (("expected <block end>", "did not find expected key", "expected <block mapping end>"),
     "the indentation does not line up", "Align this line with the other keys at its level"),
    (("did not find expected '-' indicator", "expected <block sequence end>"),
     "a list item is out of line", "Start every item of the list with '- ' at the same indentation"),
    (("found unexpected end of stream", "found unknown escape character", "while scanning a quoted scalar"),
     "a quoted value is not closed, or holds a bad escape", "Close the quote; use single quotes for backslashes"),
    (("expected ',' or '}'", "did not find expected ',' or '}'"), "a {...} mapping is not closed or misses a comma",
     "Close it with '}' and separate its entries with ', '"),
    (("expected ',' or ']'", "did not find expected ',' or ']'"), "a [...] list is not closed or misses a comma",
     "Close it with ']' and separate its items with ', '"),
    (("found character '@'", "found character '`'"), "a value starts with a character YAML reserves ('@' or '`')",
     "Quote the value"),
    (("found duplicate anchor", "found undefined tag handle", "could not determine a constructor"),
     "a YAML tag or anchor modelroute does not read", "Write plain values; tags like !!python are not allowed"),
]  # fmt: skip


def _yaml_error(e: Any, text: str, path: Path) -> ConfigError:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    where = _mark(path, mark)
    problem = str(getattr(e, "problem", "") or e)
    context = str(getattr(e, "context", "") or "")
    if mark is not None and "flow" in context:
        lines = text.splitlines()
        line = lines[mark.line] if mark.line < len(lines) else ""
        start = line.rfind("${", 0, mark.column + 2)  # PyYAML marks the '{', libyaml the '$'
        ref = _FLOW_REF.match(line, start) if start >= 0 and start >= mark.column - 2 else None
        if ref is not None:
            return ConfigError(
                f"{shown_path(path)}:{mark.line + 1}:{start + 1}",
                f"{ref.group()} inside {{...}} or [...] is not valid YAML",
                f'Quote it: "{ref.group()}" (or write the mapping as indented lines)',
            )
    said = f"{problem} {context}".lower()
    if "exceeded maximum nesting depth" in said:  # libyaml's own limit, met while scanning ahead
        return ConfigError(where, f"nests deeper than {MAX_DEPTH} levels", "A config nests a few levels")
    if "cannot start any token" in said and mark is not None:
        lines = text.splitlines()
        if mark.line < len(lines) and "\t" in lines[mark.line]:
            return ConfigError(where, "not valid YAML: a tab character", "Indent with spaces, not tabs")
        return ConfigError(where, "not valid YAML: a value starts with a character YAML reserves", "Quote the value")
    for words, what, fix in _PROBLEMS:
        if any(w.lower() in said for w in words):
            return ConfigError(where, f"not valid YAML: {what}", fix)
    return ConfigError(where, "not valid YAML here", "Check the quoting and the indentation of this line")
