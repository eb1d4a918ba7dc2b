"""The whole-request check, run once per call after coercion and before any network call.

What passes it encodes, on every route, to JSON that the vendor accepts the shape of: no string holds a lone
surrogate (it could not be sent as UTF-8), every JSON value (tool schemas, tool-call arguments) is plain JSON
(finite numbers, text keys, no dates or bytes, nested at most `MAX_JSON_DEPTH` deep), no text part is empty,
images carry valid base64 of the type they claim or an http(s) URL, tool names are unique and well formed,
``tool_choice`` names a defined tool, and every tool result answers a tool call of the assistant turn right
before it. Each problem is one `RequestError` line that starts with the path of the field, as the caller wrote
it (``messages[2].content[0].source.data: ...``), and says what to do.

The check is on every call's hot path, so it is a handful of type tests per part: strings are scanned only when
they are not ASCII (a flag CPython keeps), and a JSON value is walked once, without building any path; a path is
only worked out once something is wrong.
"""

from __future__ import annotations

import binascii
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from ._types import (
    DocumentPart,
    ImagePart,
    Message,
    Request,
    TextPart,
    ThinkingPart,
    Tool,
    ToolCallPart,
    ToolChoice,
    ToolResultPart,
)
from .exceptions import RequestError

__all__ = [
    "IMAGE_TYPES",
    "MAX_CACHE_BREAKPOINTS",
    "MAX_JSON_DEPTH",
    "MAX_JSON_VALUES",
    "MAX_TOKENS",
    "PartPath",
    "check_request",
    "fail",
    "has_surrogate",
    "key_path",
    "shown",
]

#: The image types every route accepts (Anthropic's list; OpenAI's is the same four).
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
#: No model writes more than this many tokens in one answer; a larger ``max_tokens`` is a mistake.
MAX_TOKENS = 1_000_000
#: How deeply a tool schema or tool-call arguments may nest (objects and lists), and how many values they may hold
#: (a dict shared by reference counts each time it appears, as it would be written).
MAX_JSON_DEPTH = 64
MAX_JSON_VALUES = 1_000_000
#: Claude takes at most this many cache breakpoints in one request (system, tools and messages together).
MAX_CACHE_BREAKPOINTS = 4
_CACHE_TTLS = (None, "5m", "1h")
_DETAILS = (None, "auto", "low", "high", "original")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_MAX_INT = 2**63  # larger integers are not portable JSON (and past 4,300 digits Python will not print them)

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)

# Where a part came from: the path of the part as the caller wrote it, and how the caller named our fields there
# (``{"data": "source.data"}`` for an Anthropic image block); None when the names are ours.
PartPath = tuple[str, Mapping[str, str] | None]
# (message index, part index) -> that part's `PartPath`; part index -1 is the message itself.
PathOf = Callable[[int, int], PartPath]


def fail(where: str, problem: str, fix: str = "") -> RequestError:
    """A `RequestError` in the one-line form ``<field path>: <problem>. <fix>.``"""
    tail = f" {fix.rstrip('.')}." if fix else ""
    return RequestError(f"{where}: {problem.rstrip('.')}.{tail}")


_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


def key_path(at: str, key: str) -> str:
    """``at.key``, or ``at['odd key']`` for a key that is not a plain name (so a path is always one line)."""
    if _PLAIN_KEY.match(key):
        return f"{at}.{key}"
    shown = repr(key) if len(key) <= 40 else repr(key[:37] + "...")
    return f"{at}[{shown}]"


def has_surrogate(s: str) -> bool:
    """Whether ``s`` holds a lone surrogate (``"\\ud800"``), which cannot be encoded as UTF-8."""
    return not s.isascii() and _SURROGATE.search(s) is not None


def check_text(value: Any, where: str, *, blank_ok: bool = False) -> str:
    if type(value) is not str:
        raise fail(where, f"must be text, not {_kind(value)}")
    if has_surrogate(value):
        raise fail(where, "holds a lone surrogate (an unpaired \\ud800-\\udfff), which is not valid Unicode",
                   "Decode the text with errors='replace', or remove the stray character")  # fmt: skip
    if not blank_ok and not value.strip():
        raise fail(where, "is empty" if not value else "is only whitespace", "Send some text, or leave the part out")
    return value


def _default_path(i: int, j: int) -> PartPath:
    return (f"messages[{i}]" if j < 0 else f"messages[{i}].content[{j}]"), None


def _at(where: PartPath, field: str) -> str:
    base, names = where
    name = names.get(field, field) if names else field
    return f"{base}.{name}" if name else base


def check_request(request: Request, path_of: PathOf = _default_path) -> Request:
    """Check ``request`` as a whole; return it (with ``tool_choice`` auto/none dropped when there are no tools,
    and tool schemas without a ``type`` given ``"type": "object"``). Raises `RequestError` naming the field."""
    tools = _check_tools(request.tools)
    names = {t.name for t in tools}
    choice = _check_tool_choice(request.tool_choice, names)
    breakpoints = _check_system(request.system) + sum(t.cache is not None for t in tools)
    breakpoints += _check_messages(request.messages, path_of)
    if breakpoints > MAX_CACHE_BREAKPOINTS:
        raise fail("cache", f"the request sets {breakpoints} cache breakpoints; Claude takes at most "
                   f"{MAX_CACHE_BREAKPOINTS}", "Keep the last breakpoint of each stable prefix")  # fmt: skip
    if tools is not request.tools or choice is not request.tool_choice:
        return request.model_copy(update={"tools": tools, "tool_choice": choice})
    return request


# --- messages --------------------------------------------------------------------------------------------------


def _check_system(system: Any) -> int:
    """The system prompt's cache breakpoints (blocks are checked as text parts)."""
    if system is None or type(system) is str:
        return 0
    count = 0
    for j, b in enumerate(system):
        if type(b) is not TextPart:
            raise fail(f"system[{j}]", f"must be a text block, not {_kind(b)}")
        check_text(b.text, f"system[{j}].text")
        count += _check_cache(b.cache, f"system[{j}]")
    return count


def _check_cache(cache: Any, where: str) -> int:
    if cache is None:
        return 0
    if cache not in _CACHE_TTLS:
        raise fail(where + ".cache", f"must be '5m' or '1h', not {shown(cache)}")
    return 1


def _check_messages(messages: Sequence[Message], path_of: PathOf) -> int:
    """Check every turn; return how many cache breakpoints they set."""
    calls: list[str] = []  # the tool calls of the assistant turn before this one
    breakpoints = 0
    for i, m in enumerate(messages):
        turn = path_of(i, -1)[0]
        if type(m) is not Message:
            raise fail(turn, f"must be a message, not {_kind(m)}")
        if m.role not in ("user", "assistant"):
            raise fail(turn + ".role", f"must be user or assistant, not {shown(m.role)}")
        if not isinstance(m.content, list) or not m.content:
            raise fail(turn, "has no content", "Give it text or content parts")
        if m.name is not None and (type(m.name) is not str or not _NAME.match(m.name)):
            raise fail(turn + ".name", f"{shown(m.name)} is not a name", "Use 1-64 letters, digits, '_' or '-'")
        answered: set[str] = set()
        mine: list[str] = []
        for j, p in enumerate(m.content):
            where = path_of(i, j)
            _check_part(p, where, m.role, calls=calls, mine=mine, answered=answered)
            cache = p.__dict__.get("cache")  # not getattr: a missing field costs pydantic microseconds
            if cache is not None:
                breakpoints += _check_cache(cache, where[0])
        if calls:
            missing = [c for c in calls if c not in answered]
            if missing:
                raise fail(
                    turn,
                    f"the assistant turn before this one called tools {', '.join(map(repr, calls))}, but this turn "
                    f"has no result for {', '.join(map(repr, missing))}",
                    "Send a tool result for every tool call, right after the call",
                )
        calls = mine if m.role == "assistant" else []
    return breakpoints


def _check_part(p: Any, where: PartPath, role: str, *, calls: list[str], mine: list[str], answered: set[str]) -> None:
    if type(p) is TextPart:
        check_text(p.text, _at(where, "text"))
    elif type(p) is ImagePart:
        if role != "user":
            raise fail(where[0], "an assistant turn cannot hold an image", "Move the image to a user turn")
        _check_image(p, where)
    elif type(p) is DocumentPart:
        if role != "user":
            raise fail(where[0], "an assistant turn cannot hold a document", "Move the document to a user turn")
        _check_document(p, where)
    elif type(p) is ThinkingPart:
        if role != "assistant":
            raise fail(where[0], "reasoning belongs in an assistant turn", "Leave it out, or move it")
        _check_thinking(p, where)
    elif type(p) is ToolCallPart:
        if role != "assistant":
            raise fail(where[0], "a tool call belongs in an assistant turn", "Put it in the assistant's turn")
        _check_tool_call(p, where, mine)
        mine.append(p.id)
    elif type(p) is ToolResultPart:
        if role != "user":
            raise fail(where[0], "a tool result belongs in a user turn (or an OpenAI 'tool' message)")
        _check_tool_result(p, where, calls, answered)
        answered.add(p.tool_call_id)
    else:
        raise fail(
            where[0], f"must be a text, image, document, tool call, tool result or thinking part, not {_kind(p)}"
        )


def _check_tool_call(p: ToolCallPart, where: PartPath, earlier: list[str]) -> None:
    at = _at(where, "id")
    check_text(p.id, at)
    if _CONTROL.search(p.id):
        raise fail(at, "may not hold spaces or control characters")
    if p.id in earlier:
        raise fail(at, f"the id {p.id!r} is used twice in this turn", "Give each tool call its own id")
    check_tool_name(p.name, _at(where, "name"))
    if type(p.arguments) is not dict:
        raise fail(_at(where, "arguments"), f"must be a JSON object (a dict), not {_kind(p.arguments)}")
    check_json(p.arguments, _at(where, "arguments"))


def _check_tool_result(p: ToolResultPart, where: PartPath, calls: list[str], answered: set[str]) -> None:
    at = _at(where, "tool_call_id")
    check_text(p.tool_call_id, at)
    if p.tool_call_id not in calls:
        known = f"its tool calls: {', '.join(map(repr, calls))}" if calls else "it called no tools"
        raise fail(
            at,
            f"{p.tool_call_id!r} answers no tool call of the assistant turn right before ({known})",
            "Use the id of the tool call this result answers",
        )
    if p.tool_call_id in answered:
        raise fail(at, f"a second result for tool call {p.tool_call_id!r}", "Send one result per tool call")
    if type(p.is_error) is not bool:
        raise fail(_at(where, "is_error"), f"must be true or false, not {_kind(p.is_error)}")
    content = p.content
    inner = _at(where, "content")
    if type(content) is str:
        check_text(content, inner, blank_ok=True)
        return
    if not isinstance(content, list):
        raise fail(inner, f"must be text or a list of text and image parts, not {_kind(content)}")
    for k, c in enumerate(content):
        part: PartPath = (f"{inner}[{k}]", None)
        if type(c) is TextPart:
            check_text(c.text, _at(part, "text"))
        elif type(c) is ImagePart:
            _check_image(c, part)
        else:
            raise fail(part[0], f"a tool result may hold only text and image parts, not {_kind(c)}")


def _check_thinking(p: ThinkingPart, where: PartPath) -> None:
    if type(p.text) is not str:
        raise fail(_at(where, "text"), f"must be text, not {_kind(p.text)}")
    check_text(p.text, _at(where, "text"), blank_ok=True)
    for field in ("signature", "redacted"):
        value = getattr(p, field)
        if value is not None:
            check_text(value, _at(where, field))
    if p.redacted is not None and p.text:
        raise fail(where[0], "a redacted thinking block has no text", "Keep its data only, as Claude sent it")
    if p.redacted is None and not p.text and p.signature is None:
        raise fail(_at(where, "text"), "is empty", "Leave the empty thinking block out")


def _check_document(p: DocumentPart, where: PartPath) -> None:
    if (p.url is None) == (p.data is None):
        what = "both a url and data" if p.url is not None else "neither a url nor data"
        raise fail(where[0], f"the document has {what}", "Give either a url 'https://...' or base64 PDF data")
    if p.media_type != "application/pdf":
        raise fail(_at(where, "media_type"), f"{shown(p.media_type)} is not a document type every family takes",
                   "Send PDFs as documents, and plain text as text parts")  # fmt: skip
    for field in ("title", "context", "filename"):
        value = getattr(p, field)
        if value is not None:
            check_text(value, _at(where, field))
    if p.url is not None:
        check_image_url(p.url, _at(where, "url"))
        return
    data = p.data
    at = _at(where, "data")
    if type(data) is not str or not data:
        raise fail(at, "the document has no data" if not data else f"must be base64 text, not {_kind(data)}")
    try:
        raw = binascii.a2b_base64(data, strict_mode=True)
    except (binascii.Error, ValueError):
        raise fail(at, "is not valid base64", "Encode the PDF bytes with base64.b64encode (no data: prefix)") from None
    if not raw.startswith(b"%PDF-"):
        raise fail(at, "is not a PDF (it does not start with %PDF-)", "Send the PDF file's bytes")


def _check_image(p: ImagePart, where: PartPath) -> None:
    if p.detail not in _DETAILS:
        raise fail(_at(where, "detail"), f"must be auto, low, high or original, not {shown(p.detail)}")
    if (p.url is None) == (p.data is None):
        what = "both a url and data" if p.url is not None else "neither a url nor data"
        raise fail(
            where[0], f"the image has {what}", "Give either a url 'https://...' or base64 data with its media_type"
        )
    if p.url is not None:
        check_image_url(p.url, _at(where, "url"))
    else:
        check_image_data(p.data, p.media_type, _at(where, "data"), _at(where, "media_type"))


def check_image_url(url: Any, where: str) -> None:
    if type(url) is not str:
        raise fail(where, f"must be text, not {_kind(url)}")
    if url.startswith("data:"):
        raise fail(where, "is a data: URL", "Pass the base64 as data=... with media_type=..., or as image_url")
    if _CONTROL.search(url) or has_surrogate(url):
        raise fail(where, "may not hold spaces or control characters", "Percent-encode them")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port that is not a number in range
    except ValueError as e:
        raise fail(where, f"{url[:80]!r} is not a valid URL ({e})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise fail(where, f"{url[:80]!r} is not an http(s) URL", "Give an https://... URL, or the image's base64")


def check_image_data(data: Any, media_type: Any, where: str, media_where: str) -> None:
    if type(data) is not str or not data:
        raise fail(where, "the image has no data" if not data else f"must be base64 text, not {_kind(data)}")
    if media_type not in IMAGE_TYPES:
        raise fail(media_where, f"{shown(media_type)} is not an image type every route accepts",
                   f"Use one of: {', '.join(IMAGE_TYPES)}")  # fmt: skip
    try:
        raw = binascii.a2b_base64(data, strict_mode=True)
    except (binascii.Error, ValueError):
        fix = "Encode the image bytes with base64.b64encode (no line breaks, no data: prefix)"
        raise fail(where, "is not valid base64", fix) from None
    found = _sniff(raw)
    if found is None:
        raise fail(where, "is not a JPEG, PNG, GIF or WebP image", "Send the image file's bytes")
    if found != media_type:
        raise fail(media_where, f"says {media_type} but the data is {found}", f"Set media_type='{found}'")


def _sniff(raw: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if raw.startswith(magic):
            return kind
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "image/webp"
    return None


# --- tools -----------------------------------------------------------------------------------------------------


def check_tool_name(name: Any, where: str) -> None:
    if type(name) is not str or not _TOOL_NAME.match(name):
        shown = repr(name[:80]) if isinstance(name, str) else _kind(name)
        raise fail(where, f"{shown} is not a valid tool name", "Use 1-64 letters, digits, '_' or '-'")


def _check_tools(tools: list[Tool]) -> list[Tool]:
    if not tools:
        return tools
    out: list[Tool] | None = None
    seen: dict[str, int] = {}
    for i, t in enumerate(tools):
        where = f"tools[{i}]"
        if type(t) is not Tool:
            raise fail(where, f"must be a tool, not {_kind(t)}")
        check_tool_name(t.name, where + ".name")
        if t.name in seen:
            raise fail(where + ".name", f"the name {t.name!r} is already used by tools[{seen[t.name]}]",
                       "Give every tool its own name")  # fmt: skip
        seen[t.name] = i
        check_text(t.description, where + ".description", blank_ok=True)
        if t.strict is not None and type(t.strict) is not bool:
            raise fail(where + ".strict", f"must be True or False, not {_kind(t.strict)}")
        _check_cache(t.cache, where)
        schema = t.parameters
        if type(schema) is not dict:
            raise fail(where + ".parameters", f"must be a JSON Schema object (a dict), not {_kind(schema)}")
        check_json(schema, where + ".parameters")
        kind = schema.get("type")
        if kind is None:  # arguments are always an object, so this says the same and every route accepts it
            fixed = t.model_copy(update={"parameters": {"type": "object", **schema}})
            out = out if out is not None else list(tools)
            out[i] = fixed
        elif kind != "object":
            raise fail(where + ".parameters.type", f"must be 'object', not {shown(kind)}",
                       "Tool arguments are a JSON object: describe them with type 'object' and properties")  # fmt: skip
    return out if out is not None else tools


def _check_tool_choice(choice: ToolChoice | None, names: set[str]) -> ToolChoice | None:
    if choice is None:
        return None
    if type(choice) is not ToolChoice:
        raise fail("tool_choice", f"must be a ToolChoice, not {_kind(choice)}")
    mode = choice.mode
    if mode not in ("auto", "none", "required", "tool"):
        raise fail("tool_choice", f"{shown(mode)} is not understood", "Use auto, none, required, or a tool's name")
    if mode != "tool" and choice.name is not None:
        raise fail("tool_choice.name", f"names a tool but the mode is {shown(mode)}", "Use mode='tool' with a name")
    if not names:
        if mode in ("auto", "none"):
            return None  # the same request without tools; some routes refuse a tool_choice with no tools
        raise fail("tool_choice", f"{shown(mode)} needs tools, but the request defines none", "Pass tools=[...]")
    if mode == "tool" and choice.name not in names:
        raise fail("tool_choice", f"names the tool {choice.name!r}, which the request does not define",
                   f"Use one of: {', '.join(sorted(names))}")  # fmt: skip
    return choice


# --- JSON values -----------------------------------------------------------------------------------------------


def check_json(value: Any, where: str) -> None:
    """Raise unless ``value`` is plain JSON: dicts with text keys, lists, text, finite numbers, true/false/null."""
    if not _plain_json(value):
        raise _json_problem(value, where)


def _plain_json(value: Any) -> bool:  # noqa: PLR0912 - one flat type dispatch per node: a call per node would cost
    """The fast walk, one nesting level at a time: no paths, one type test per node."""
    level = [value]
    budget = MAX_JSON_VALUES
    for _ in range(MAX_JSON_DEPTH + 1):
        budget -= len(level)
        if budget < 0:
            return False
        deeper: list[Any] = []
        for v in level:
            t = type(v)
            if t is str:
                if not v.isascii() and _SURROGATE.search(v):
                    return False
            elif t is dict:
                for k in v:
                    if type(k) is not str or (not k.isascii() and _SURROGATE.search(k)):
                        return False
                deeper.extend(v.values())
            elif t is list or t is tuple:
                deeper.extend(v)
            elif t is int:
                if not -_MAX_INT < v < _MAX_INT:
                    return False
            elif t is float:
                if not math.isfinite(v):
                    return False
            elif v is not None and t is not bool:
                return False
        if not deeper:
            return True
        level = deeper
    return False  # nested deeper than MAX_JSON_DEPTH


def _json_problem(value: Any, where: str) -> RequestError:  # noqa: PLR0912 - the same dispatch as `_plain_json`
    """The slow walk, once the fast one found a problem: the path of the first bad node and what is wrong."""
    stack: list[tuple[Any, str, int]] = [(value, where, 0)]
    budget = MAX_JSON_VALUES
    while stack:
        v, at, depth = stack.pop()
        budget -= 1
        if budget < 0:
            return fail(where, f"holds more than {MAX_JSON_VALUES:,} values", "Send less")
        t = type(v)
        if t is str:
            if has_surrogate(v):
                return fail(at, "holds a lone surrogate (an unpaired \\ud800-\\udfff), which is not valid Unicode")
        elif t is dict or t is list or t is tuple:
            if depth >= MAX_JSON_DEPTH and v:
                return fail(at, f"nests deeper than {MAX_JSON_DEPTH} levels", "Flatten the structure")
            items = list(v.items()) if t is dict else list(enumerate(v))
            for k, x in reversed(items):
                if t is dict and type(k) is not str:
                    return fail(at, f"has a key {shown(k)} of type {_kind(k)}; JSON keys are text", "Use text keys")
                if t is dict and has_surrogate(k):
                    return fail(at, "has a key with a lone surrogate, which is not valid Unicode")
                stack.append((x, key_path(at, k) if t is dict else f"{at}[{k}]", depth + 1))
        elif t is int:
            if not -_MAX_INT < v < _MAX_INT:
                return fail(at, "is an integer too large for JSON", "Keep integers within 64 bits")
        elif t is float:
            if not math.isfinite(v):
                return fail(at, f"is {v!r}, which JSON cannot represent", "Use a finite number or null")
        elif v is not None and t is not bool:
            return fail(at, f"is a {_kind(v)}, which is not a JSON value",
                        "Use text, numbers, true/false, null, lists and dicts (a date as an ISO string)")  # fmt: skip
    return fail(where, "is not plain JSON")  # pragma: no cover - the fast walk and this one agree


def shown(v: Any) -> str:
    """A caller's value for an error message: short, on one line, never a secret-sized blob."""
    text = repr(v) if isinstance(v, str | int | float | bool | None) else type(v).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def _kind(v: Any) -> str:
    return "None" if v is None else type(v).__name__
