"""Reading what a server sent: JSON parsed under a depth bound, and fields read by type.

Every decoder reads through these, so a hostile body gives one kind of failure: a `MalformedResponseError` that
names the field (``choices is an object, not a list``), never a ``TypeError``, ``AttributeError`` or
``RecursionError`` from inside a codec. The rules:

- JSON is RFC 8259 JSON in UTF-8: a leading byte order mark is skipped; ``NaN`` / ``Infinity`` are refused (they
  are not JSON, and would be sent back as invalid JSON in the next turn's tool arguments).
- Arrays and objects may nest `MAX_DEPTH` levels, so nothing that later walks the value (pydantic, ``json.dumps``
  of tool arguments) can recurse without bound. Text with at most `MAX_DEPTH` brackets cannot nest deeper: two
  ``str.count`` calls clear almost every body and stream event. Text with more is parsed under the interpreter's
  recursion guard (the C parser gives up on 100,000 levels with a ``RecursionError``, caught here) and its
  containers are then counted level by level, without recursion.
- A field that is absent or ``null`` reads as None; a field of another type than the one the protocol gives it is
  malformed. A token count is an integer >= 0 (an integral float such as ``12.0`` is accepted: some servers
  serialise counts that way); a string, a bool, a fraction, NaN or a negative number is malformed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from ..exceptions import MalformedResponseError

__all__ = [
    "MAX_DEPTH",
    "as_dict",
    "bad",
    "count",
    "describe",
    "loads",
    "nesting",
    "opt_dict",
    "opt_index",
    "opt_list",
    "opt_str",
    "req_str",
    "tool_arguments",
    "wrong",
]

#: how deep arrays and objects may nest in anything a server sends (a chat response needs about 10 levels)
MAX_DEPTH = 128


def bad(problem: str) -> MalformedResponseError:
    """The error for a response we cannot read (its status is the 200 the response came with)."""
    return MalformedResponseError(problem, status=200)


def describe(value: Any) -> str:
    """A JSON value's type, with a short sample: ``a string ('two')``, ``null``, ``an object``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"a string ({value[:40]!r})"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__  # pragma: no cover - json.loads makes nothing else


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


_DECODER = json.JSONDecoder(parse_constant=_no_constant)
# The decoder's C scanner (set in JSONDecoder.__init__; typeshed does not declare the attribute).
_SCAN: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]


def nesting(value: Any) -> int:
    """How deep the arrays and objects of a parsed JSON value nest (a scalar: 0), counted without recursion."""
    depth = 0
    level = [value] if isinstance(value, dict | list) else []
    while level:
        depth += 1
        below: list[Any] = []
        for node in level:
            items = node.values() if isinstance(node, dict) else node
            below.extend(v for v in items if isinstance(v, dict | list))
        level = below
    return depth


def loads(data: bytes | str, what: str) -> Any:
    """``data`` parsed as JSON; a `MalformedResponseError` naming ``what`` when it is not JSON, not UTF-8, or
    nested deeper than `MAX_DEPTH`."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise bad(f"{what} is not UTF-8") from None
    else:
        text = data
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        try:
            value, end = _SCAN(text, 0)  # the C scanner, for text with no whitespace around the value
        except StopIteration:
            end = -1
        if end != len(text):
            value = _DECODER.decode(text)  # whitespace around the value, or extra data: the full rules
    except RecursionError:
        raise bad(f"{what} nests arrays or objects deeper than {MAX_DEPTH} levels") from None
    except ValueError as e:
        raise bad(f"{what} is not JSON ({e}): {text[:120]!r}") from None
    if text.count("{") + text.count("[") > MAX_DEPTH and nesting(value) > MAX_DEPTH:
        raise bad(f"{what} nests arrays or objects deeper than {MAX_DEPTH} levels")
    return value


def wrong(what: str, value: Any, expected: str) -> MalformedResponseError:
    """``what is a string ('x'), not an object``."""
    return bad(f"{what} is {describe(value)}, not {expected}")


def as_dict(value: Any, what: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    raise bad(f"{what} is {describe(value)}, not an object")


def opt_dict(d: Mapping[str, Any], key: str, what: str) -> dict[str, Any] | None:
    value = d.get(key)
    if value is None or isinstance(value, dict):
        return value
    raise bad(f"{what}.{key} is {describe(value)}, not an object")


def opt_list(d: Mapping[str, Any], key: str, what: str) -> list[Any] | None:
    value = d.get(key)
    if value is None or isinstance(value, list):
        return value
    raise bad(f"{what}.{key} is {describe(value)}, not a list")


def opt_str(d: Mapping[str, Any], key: str, what: str) -> str | None:
    value = d.get(key)
    if value is None or isinstance(value, str):
        return value
    raise bad(f"{what}.{key} is {describe(value)}, not a string")


def req_str(d: Mapping[str, Any], key: str, what: str) -> str:
    value = d.get(key)
    if isinstance(value, str):
        return value
    raise bad(f"{what}.{key} is {describe(value)}, not a string")


def opt_index(d: Mapping[str, Any], key: str, what: str) -> int | None:
    """A position (a content block's or a tool call's index): an integer >= 0, or None when absent."""
    value = d.get(key)
    if value is None or (type(value) is int and value >= 0):
        return value
    raise bad(f"{what}.{key} is {describe(value)}, not an index")


def count(d: Mapping[str, Any], key: str, what: str) -> int | None:
    """A token count: an integer >= 0, or None when absent or ``null`` (which, in a stream, means unchanged)."""
    value = d.get(key)
    if value is None:
        return None
    if type(value) is int:
        if value >= 0:
            return value
    elif type(value) is float and value.is_integer() and value >= 0:
        return int(value)
    raise bad(f"{what}.{key} is {describe(value)}, not a count of tokens")


def tool_arguments(raw: Any, what: str, *, cut: bool) -> dict[str, Any] | None:
    """Tool-call arguments (the JSON text of an object, or the object itself) parsed; None when the answer was
    ``cut`` by max_tokens before they were complete. Not an object, or not JSON in an answer that was not cut:
    malformed."""
    if isinstance(raw, dict):
        return raw
    if raw is None or raw == "":
        return None if cut else {}
    if not isinstance(raw, str):
        raise bad(f"{what} are {describe(raw)}, not JSON text")
    try:
        value = loads(raw, what)
    except MalformedResponseError:
        if cut:
            return None
        raise
    if not isinstance(value, dict):
        raise bad(f"{what} are {describe(value)}, not a JSON object")
    return value
