"""Turn what callers pass (our types, OpenAI-style dicts, Anthropic-style dicts) into one checked `Request`.

Runs before any network call. Whatever the input, the only error that comes out is a `RequestError` whose
message starts with the field's path as the caller wrote it (``messages[1].content[0].source.data: ...``) and
says what to do. Coercion only reshapes (with the type tests that keep reshaping from crashing); `_validate`
then checks the request as a whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from ._options import (
    cache_ttl,
    coerce_effort,
    coerce_flag,
    coerce_max_tokens,
    coerce_metadata,
    coerce_number,
    coerce_response_format,
    coerce_settings,
    coerce_stop,
    coerce_system,
    coerce_tags,
    coerce_text,
    coerce_whole,
    join_system,
    unknown_option,
)
from ._types import (
    AnthropicSettings,
    DocumentPart,
    ImagePart,
    Message,
    OpenAISettings,
    Request,
    TextPart,
    ThinkingPart,
    Tool,
    ToolCallPart,
    ToolChoice,
    ToolResultPart,
)
from ._validate import PartPath, check_request, check_text, fail, shown

__all__ = ["OPTIONS", "build_request", "coerce_messages", "coerce_tool_choice", "coerce_tools"]

MessageInput = Message | Mapping[str, Any]

#: The keyword arguments every call takes besides ``model`` and ``messages``.
OPTIONS = (
    "system",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "max_tokens",
    "stop",
    "temperature",
    "top_p",
    "top_k",
    "seed",
    "response_format",
    "reasoning",
    "prompt_cache_key",
    "user",
    "metadata",
    "openai",
    "anthropic",
    "tags",
    "deadline_s",
)
_OPTIONS = frozenset(OPTIONS)
_PART_TYPES = (TextPart, ImagePart, DocumentPart, ToolCallPart, ToolResultPart, ThinkingPart)
_PLAIN = (Mapping, str, *_PART_TYPES, Message, Tool)  # what `_plain` returns as it is
_PLAIN_TYPES = frozenset({dict, str, *_PART_TYPES, Message, Tool})
_set = object.__setattr__
M = TypeVar("M", bound=BaseModel)


def _make(cls: type[M], **fields: Any) -> M:
    """``cls.model_construct(**fields)`` with every field given (in order), without its per-field bookkeeping
    (a fifth of the cost; the request is checked as a whole afterwards). Tested equal to ``model_construct``."""
    m = cls.__new__(cls)
    _set(m, "__dict__", fields)
    _set(m, "__pydantic_fields_set__", set(fields))
    _set(m, "__pydantic_extra__", None)
    _set(m, "__pydantic_private__", None)
    return m


_TOGETHER = frozenset({"system", "openai", "tool_choice", "parallel_tool_calls"})


def build_request(*, model: Any, messages: Any, **options: Any) -> Request:
    """Validate and normalise one call's arguments (``options``: the names in `OPTIONS`). ``messages`` may be a
    plain string: one user message. Raises `RequestError` naming the field before any network call."""
    if not _OPTIONS.issuperset(options):
        raise unknown_option(options, OPTIONS)
    if type(model) is not str or not model:
        raise fail("model", f"must be the name of an alias in the config, not {shown(model)}")
    hoisted, turns, paths, developer = coerce_messages(messages)
    # Every field in `Request`'s order, the mutable defaults fresh; then only the options the caller gave.
    fields: dict[str, Any] = {
        "model": model, "messages": turns, "system": None, "tools": [], "tool_choice": None,
        "parallel_tool_calls": None, "max_tokens": None, "stop": [], "temperature": None, "top_p": None,
        "top_k": None, "seed": None, "response_format": None, "reasoning": None, "prompt_cache_key": None,
        "user": None, "metadata": {}, "openai": None, "anthropic": None, "tags": {}, "deadline_s": None,
    }  # fmt: skip
    for name, value in options.items():
        if value is not None and name not in _TOGETHER:
            fields[name] = _SIMPLE[name](value)
    get = options.get
    system = coerce_system(get("system"))
    fields["system"] = _join(system, hoisted) if hoisted else system
    openai = coerce_settings(get("openai"), OpenAISettings, "openai")
    if developer and (openai is None or openai.system_role is None):
        update = {"system_role": "developer"}
        openai = openai.model_copy(update=update) if openai is not None else _developer()
    fields["openai"] = openai
    if "tool_choice" in options or "parallel_tool_calls" in options:
        tool_choice, parallel = coerce_tool_choice(get("tool_choice"))
        asked = coerce_flag(get("parallel_tool_calls"), "parallel_tool_calls")
        if asked is not None and parallel is not None and asked != parallel:
            raise fail("parallel_tool_calls", f"is {asked} but tool_choice.disable_parallel_tool_use says "
                       f"{not asked}", "Set one of them")  # fmt: skip
        fields["tool_choice"] = tool_choice
        fields["parallel_tool_calls"] = asked if asked is not None else parallel
    return check_request(_make(Request, **fields), paths.path_of)


_DEVELOPER: OpenAISettings | None = None


def _developer() -> OpenAISettings:
    global _DEVELOPER  # noqa: PLW0603 - one shared, frozen value
    if _DEVELOPER is None:
        _DEVELOPER = OpenAISettings(system_role="developer")
    return _DEVELOPER


def _join(system: str | list[TextPart] | None, hoisted: list[TextPart]) -> str | list[TextPart] | None:
    """The ``system=`` argument, then the system turns the conversation started with."""
    if system is None:
        return join_system(hoisted)
    first = [_make(TextPart, type="text", text=system, cache=None)] if isinstance(system, str) else system
    return join_system([*first, *hoisted])


def _field(c: Mapping[str, Any], key: str) -> Any:
    """``c[key]`` or None: the caller's value, whatever its type (`check_request` checks it)."""
    return c.get(key)


def _plain(x: Any) -> Any:
    """A vendor SDK's pydantic object (``completion.choices[0].message``, ``message.content[0]``) as the dict it
    stands for; anything else unchanged. The SDKs are never imported: any object with ``model_dump`` will do."""
    if type(x) in _PLAIN_TYPES or isinstance(x, _PLAIN):  # a dict, a str or ours: at once, without the ABC test
        return x
    dump = getattr(x, "model_dump", None)
    if callable(dump):
        try:
            out = dump(exclude_none=True)
        except Exception:  # an object that only looks like a pydantic model: reported as itself
            return x
        if isinstance(out, dict):
            return out
    return x


# --- messages --------------------------------------------------------------------------------------------------


class _Paths:
    """Where each output message and part came from in the caller's ``messages``."""

    __slots__ = ("_turns",)

    def __init__(self) -> None:
        # per output message: (the message's path, its parts' paths, or None for messages[k].content[j])
        self._turns: list[tuple[str, list[PartPath] | None]] = []

    def add(self, where: str, parts: list[PartPath] | None) -> None:
        self._turns.append((where, parts))

    def extend_last(self, part: PartPath) -> None:
        parts = self._turns[-1][1]
        assert parts is not None
        parts.append(part)

    def path_of(self, i: int, j: int) -> PartPath:
        where, parts = self._turns[i]
        if j < 0:
            return where, None
        return parts[j] if parts is not None else (f"{where}.content[{j}]", None)


def coerce_messages(messages: Any) -> tuple[list[TextPart], list[Message], _Paths, bool]:
    """Return (the system blocks hoisted from leading system/developer turns, the other turns as `Message`, where
    each came from, whether a developer turn was among them). A plain string is one user message."""
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    elif isinstance(messages, bytes) or not isinstance(messages, Sequence):
        raise fail("messages", f"must be a list of messages (or one string), not {shown(messages)}",
                   "Write e.g. [{'role': 'user', 'content': 'Hi'}], or just 'Hi'")  # fmt: skip
    system: list[TextPart] = []
    developer = False
    out: list[Message] = []
    paths = _Paths()
    for i, raw in enumerate(messages):
        where = f"messages[{i}]"
        if isinstance(raw, Message):
            out.append(raw)
            paths.add(where, None)
            continue
        m = _plain(raw)
        if not isinstance(m, Mapping):
            raise fail(where, f"must be a dict or a Message, not {shown(m)}")
        role = m.get("role")
        if role in ("system", "developer"):
            if out:
                raise fail(where, f"a {role} message after the conversation started",
                           "Put instructions first, or pass them as system=...")  # fmt: skip
            developer = developer or role == "developer"
            blocks = coerce_system(m.get("content"), f"{where}.content")
            system.extend(
                [_make(TextPart, type="text", text=blocks, cache=None)] if isinstance(blocks, str) else blocks or []
            )
            continue
        if role == "tool":
            _merge_tool_result(out, paths, m, where)
            continue
        if role not in ("user", "assistant"):
            raise fail(f"{where}.role", f"must be user, assistant, system, developer or tool, not {shown(role)}")
        out.append(_turn(m, role, where, paths))
    if not out:
        raise fail("messages", "holds no user or assistant message", "Add at least one")
    return system, out, paths, developer


def _turn(m: Mapping[str, Any], role: str, where: str, paths: _Paths) -> Message:
    """A user or assistant turn (OpenAI's tool calls and refusal included), its parts' paths recorded."""
    parts, part_paths = _parts(m.get("content"), f"{where}.content")
    refusal = m.get("refusal")
    if refusal and role == "assistant" and not parts:  # an OpenAI answer that refused: its text is the refusal
        parts.append(_make(TextPart, type="text", text=refusal, cache=None))
        part_paths.append((f"{where}.refusal", _BARE))
    calls = m.get("tool_calls")
    if calls is not None:
        _openai_tool_calls(calls, f"{where}.tool_calls", parts, part_paths)
    if not parts:
        content = m.get("content")
        what = "is empty" if not content or not isinstance(content, str) else "is only whitespace"
        raise fail(f"{where}.content", what, "Give the message some text or content parts")
    paths.add(where, part_paths)
    return _make(Message, role=role, content=parts, name=m.get("name"))


def _merge_tool_result(out: list[Message], paths: _Paths, m: Mapping[str, Any], where: str) -> None:
    """An OpenAI ``tool`` message becomes a tool result in a user turn (merged with the one before if any)."""
    content = m.get("content")
    text = content if isinstance(content, str) else _plain_text(content, f"{where}.content")
    part = _make(
        ToolResultPart,
        type="tool_result",
        tool_call_id=_field(m, "tool_call_id"),
        content=text,
        is_error=False,
        cache=None,
    )
    path: PartPath = (where, {"tool_call_id": "tool_call_id", "content": "content"})
    last = out[-1] if out else None
    if last is not None and last.role == "user" and all(type(p) is ToolResultPart for p in last.content):
        merged = _make(Message, role="user", content=[*last.content, part], name=None)
        out[-1] = merged
        if paths.path_of(len(out) - 1, 0)[1] is None:  # a Message the caller built: give its parts explicit paths
            head, _ = paths.path_of(len(out) - 1, -1)
            paths._turns[-1] = (head, [(f"{head}.content[{j}]", None) for j in range(len(last.content))])
        paths.extend_last(path)
        return
    out.append(_make(Message, role="user", content=[part], name=None))
    paths.add(where, [path])


def _plain_text(content: Any, where: str) -> str:
    if isinstance(content, str):
        return check_text(content, where, blank_ok=True)
    if isinstance(content, list | tuple):
        texts = []
        for j, raw in enumerate(content):
            at = f"{where}[{j}]"
            c = _plain(raw)
            if isinstance(c, str):
                texts.append(check_text(c, at, blank_ok=True))
            elif isinstance(c, TextPart):
                texts.append(check_text(c.text, at + ".text", blank_ok=True))
            elif isinstance(c, Mapping) and c.get("type") in ("text", "input_text"):
                texts.append(check_text(c.get("text"), at + ".text", blank_ok=True))
            else:
                raise fail(at, "must be a text part", "Instructions and tool results here are text only")
        return "".join(texts)
    raise fail(where, f"must be text, not {shown(content)}")


_BARE: dict[str, str] = {"text": ""}  # a bare string in a content list: its path is the item itself


def _parts(content: Any, where: str) -> tuple[list[Any], list[PartPath]]:
    if content is None:
        return [], []
    if isinstance(content, str):
        if not content.strip():
            return [], []  # checked by the caller: fine beside tool calls, an error alone
        return [_make(TextPart, type="text", text=content, cache=None)], [(where, _BARE)]
    if not isinstance(content, list | tuple):
        raise fail(where, f"must be a string or a list of content parts, not {shown(content)}")
    parts: list[Any] = []
    paths: list[PartPath] = []
    for j, raw in enumerate(content):
        at = f"{where}[{j}]"
        c = _plain(raw)
        if isinstance(c, _PART_TYPES):
            parts.append(c)
            paths.append((at, None))
        elif isinstance(c, Mapping):
            if c.get("type") == "text" and not c.get("text") and c.get("cache_control") is None and len(content) > 1:
                continue  # an empty text block beside others ("content": [{"type": "text", "text": ""}, tool_use])
            part, path = _part(c, at)
            parts.append(part)
            paths.append(path)
        elif isinstance(c, str):
            parts.append(_make(TextPart, type="text", text=c, cache=None))
            paths.append((at, _BARE))
        else:
            raise fail(at, f"must be a dict (a content part), not {shown(c)}")
    return parts, paths


_PART_FIX = "Use text, image, image_url, document, file, tool_use, tool_result, thinking or redacted_thinking"


def _part(c: Mapping[str, Any], where: str) -> tuple[Any, PartPath]:
    kind = c.get("type")
    if kind in ("text", "input_text"):
        return _make(TextPart, type="text", text=_field(c, "text"), cache=cache_ttl(c, where)), (where, None)
    if kind == "refusal":  # an OpenAI assistant content part
        return _make(TextPart, type="text", text=_field(c, "refusal"), cache=None), (where, {"text": "refusal"})
    if kind == "image_url":  # OpenAI: {"image_url": {"url": "https://..." | "data:image/png;base64,...", "detail"}}
        inner = c.get("image_url")
        if isinstance(inner, Mapping):
            return _image_from_url(inner.get("url"), f"{where}.image_url", "url", inner.get("detail"))
        return _image_from_url(inner, where, "image_url", None)
    if kind == "image":  # Anthropic: {"source": {"type": "base64"|"url", ...}}, or ours
        return _image(c, where)
    if kind in ("document", "file"):
        return _document(c, where)
    if kind in ("tool_use", "tool_call"):  # Anthropic tool_use, or ours
        named = "input" in c
        args = _field(c, "input") if named else c.get("arguments", {})
        call = _make(ToolCallPart, type="tool_call", id=_field(c, "id"), name=_field(c, "name"), arguments=args)
        return call, (where, {"arguments": "input"} if named else None)
    if kind == "tool_result":
        anthropic = "tool_use_id" in c
        call_id = _field(c, "tool_use_id" if anthropic else "tool_call_id")
        raw = c.get("content")
        content = "" if raw is None else raw if isinstance(raw, str) else _result_parts(raw, f"{where}.content")
        is_error = c.get("is_error")
        part = _make(
            ToolResultPart,
            type="tool_result",
            tool_call_id=call_id,
            content=content,
            is_error=False if is_error is None else is_error,
            cache=cache_ttl(c, where),
        )
        return part, (where, {"tool_call_id": "tool_use_id"} if anthropic else None)
    if kind == "thinking":  # Anthropic's {"thinking", "signature"}, or ours {"text", "signature", "redacted"}
        anthropic = "thinking" in c
        text = _field(c, "thinking" if anthropic else "text")
        thought = _make(
            ThinkingPart,
            type="thinking",
            text="" if text is None else text,
            signature=c.get("signature") or None,  # "" (another model's reasoning in Claude's shape): unsigned
            redacted=None if anthropic else c.get("redacted"),
        )
        return thought, (where, {"text": "thinking"} if anthropic else None)
    if kind == "redacted_thinking":
        thought = _make(ThinkingPart, type="thinking", text="", signature=None, redacted=_field(c, "data"))
        return thought, (where, {"redacted": "data"})
    if kind in ("input_audio", "audio"):
        raise fail(f"{where}.type", "audio is not a content part modelroute sends", "Send text, images or PDFs")
    raise fail(f"{where}.type", f"{shown(kind)} is not a content part type modelroute sends", _PART_FIX)


def _image(c: Mapping[str, Any], where: str) -> tuple[ImagePart, PartPath]:
    src = c.get("source")
    cache = cache_ttl(c, where)
    if src is None:
        part = _make(
            ImagePart,
            type="image",
            url=c.get("url"),
            data=c.get("data"),
            media_type=c.get("media_type"),
            detail=c.get("detail"),
            cache=cache,
        )
        return part, (where, None)
    at, kind = _source(src, where)
    if kind == "url":
        detail = c.get("detail")
        part = _make(
            ImagePart, type="image", url=src.get("url"), data=None, media_type=None, detail=detail, cache=cache
        )
        return part, (where, {"url": "source.url"})
    if kind == "base64":
        part = _make(
            ImagePart,
            type="image",
            url=None,
            data=src.get("data"),
            media_type=src.get("media_type"),
            detail=c.get("detail"),
            cache=cache,
        )
        return part, (where, {"data": "source.data", "media_type": "source.media_type"})
    if kind == "file":
        raise fail(f"{at}.type", "an uploaded file's id works only with the vendor that stored it",
                   "Send the image's bytes as base64, or its URL")  # fmt: skip
    raise fail(f"{at}.type", f"{shown(kind)} is not an image source modelroute sends", "Use base64 or url")


def _source(src: Any, where: str) -> tuple[str, Any]:
    """A block's ``source``: its path and its ``type`` (it must be a dict)."""
    at = f"{where}.source"
    if not isinstance(src, Mapping):
        raise fail(at, f"must be a dict, not {shown(src)}")
    return at, src.get("type")


def _image_from_url(url: Any, where: str, field: str, detail: Any) -> tuple[ImagePart, PartPath]:
    if isinstance(url, str) and url.startswith("data:"):
        media_type, data = _data_url(url, f"{where}.{field}", "image/png")
        names = {"data": field, "media_type": field, "detail": "detail"}
        part = _make(ImagePart, type="image", url=None, data=data, media_type=media_type, detail=detail, cache=None)
        return part, (where, names)
    part = _make(ImagePart, type="image", url=url, data=None, media_type=None, detail=detail, cache=None)
    return part, (where, {"url": field, "detail": "detail"})


def _data_url(url: str, where: str, example: str) -> tuple[str, str]:
    head, sep, data = url.partition(",")
    media_type, _, encoding = head[5:].partition(";")
    if not sep or encoding != "base64":
        raise fail(where, "is a data: URL that is not base64", f"Write it as data:{example};base64,<base64>")
    return media_type, data


def _document(c: Mapping[str, Any], where: str) -> tuple[DocumentPart, PartPath]:
    """Claude's document block (a base64 or URL source), OpenAI's ``file`` part (``file_data``), or ours."""
    cache = cache_ttl(c, where)
    title, context = c.get("title"), c.get("context")
    if (
        c.get("type") == "file"
    ):  # OpenAI: {"type": "file", "file": {"file_data": "data:application/pdf;base64,...", ...}}
        f = c.get("file")
        at = f"{where}.file"
        if not isinstance(f, Mapping):
            raise fail(at, f"must be a dict, not {shown(f)}")
        if f.get("file_id") is not None:
            raise fail(f"{at}.file_id", "an uploaded file's id works only with the vendor that stored it",
                       "Send the file's bytes as file_data")  # fmt: skip
        raw = f.get("file_data")
        media_type: Any = "application/pdf"
        data: Any = raw
        if isinstance(raw, str) and raw.startswith("data:"):
            media_type, data = _data_url(raw, f"{at}.file_data", "application/pdf")
        part = _doc(url=None, data=data, media_type=media_type, title=None, context=None,
                    filename=f.get("filename"), cache=cache)  # fmt: skip
        return part, (at, {"data": "file_data", "media_type": "file_data", "filename": "filename"})
    src = c.get("source")
    if src is None:  # ours
        part = _doc(
            url=c.get("url"),
            data=c.get("data"),
            media_type=c.get("media_type", "application/pdf"),
            title=title,
            context=context,
            filename=c.get("filename"),
            cache=cache,
        )
        return part, (where, None)
    at, kind = _source(src, where)
    names = {"title": "title", "context": "context", "cache": "cache_control"}
    if kind == "base64":
        part = _doc(url=None, data=src.get("data"), media_type=src.get("media_type"), title=title, context=context,
                    filename=None, cache=cache)  # fmt: skip
        return part, (at, {**names, "data": "data", "media_type": "media_type"})
    if kind == "url":
        part = _doc(url=src.get("url"), data=None, media_type="application/pdf", title=title, context=context,
                    filename=None, cache=cache)  # fmt: skip
        return part, (at, names)
    if kind in ("text", "content"):
        raise fail(f"{at}.type", "a text document is plain text", "Send it as a text part")
    raise fail(f"{at}.type", f"{shown(kind)} is not a document source modelroute sends", "Use base64 or url")


def _doc(**fields: Any) -> DocumentPart:
    return _make(DocumentPart, type="document", **fields)


def _result_parts(content: Any, where: str) -> list[Any]:
    """A tool result's content list: text and images only (checked here, so nothing nests)."""
    if not isinstance(content, list | tuple):
        raise fail(where, f"must be text or a list of text and image parts, not {shown(content)}")
    out: list[Any] = []
    for j, raw in enumerate(content):
        at = f"{where}[{j}]"
        c = _plain(raw)
        if isinstance(c, TextPart | ImagePart):
            out.append(c)
        elif isinstance(c, str):
            out.append(_make(TextPart, type="text", text=c, cache=None))
        elif isinstance(c, Mapping) and c.get("type") in ("text", "input_text", "image", "image_url"):
            out.append(_part(c, at)[0])
        else:
            raise fail(at, "a tool result may hold only text and image parts")
    return out


def _openai_tool_calls(calls: Any, where: str, parts: list[Any], paths: list[PartPath]) -> None:
    if not isinstance(calls, list | tuple):
        raise fail(where, f"must be a list of tool calls, not {shown(calls)}")
    for j, raw in enumerate(calls):
        at = f"{where}[{j}]"
        call = _plain(raw)
        fn = call.get("function") if isinstance(call, Mapping) else None
        if not isinstance(fn, Mapping):
            raise fail(at, "is not a tool call", "Write {'id': ..., 'type': 'function', 'function': {'name': ..., "
                       "'arguments': '<JSON>'}}")  # fmt: skip
        raw_args = fn.get("arguments")
        args: Any = {} if raw_args is None or raw_args == "" else raw_args
        if isinstance(raw_args, str) and raw_args:
            try:
                args = json.loads(raw_args)
            except (ValueError, RecursionError):
                raise fail(
                    f"{at}.function.arguments", "is not valid JSON", "Send the arguments as a JSON object"
                ) from None
        parts.append(
            _make(ToolCallPart, type="tool_call", id=_field(call, "id"), name=_field(fn, "name"), arguments=args)
        )
        paths.append((at, {"name": "function.name", "arguments": "function.arguments"}))


# --- tools -----------------------------------------------------------------------------------------------------

_NO_PARAMETERS: dict[str, Any] = {"type": "object", "properties": {}}


def coerce_tools(tools: Any) -> list[Tool]:
    """Accept our `Tool`, OpenAI's ``{"type": "function", "function": {...}}`` and Anthropic's ``input_schema``
    (with ``strict`` and ``cache_control``)."""
    if tools is None:
        return []
    if not isinstance(tools, list | tuple):
        raise fail("tools", f"must be a list of tools, not {shown(tools)}")
    out = []
    for i, raw in enumerate(tools):
        t = _plain(raw)
        if isinstance(t, Tool):
            out.append(t)
            continue
        where = f"tools[{i}]"
        if not isinstance(t, Mapping):
            raise fail(where, f"must be a dict or a Tool, not {shown(t)}")
        kind = t.get("type")
        if kind not in (None, "function", "custom") or (kind == "custom" and "input_schema" not in t):
            raise fail(f"{where}.type", f"{shown(kind)} is a vendor's own tool, which only that vendor runs",
                       "Define a function tool (name, description, parameters)")  # fmt: skip
        fn = t.get("function") if kind == "function" else t
        if not isinstance(fn, Mapping):
            raise fail(f"{where}.function", f"must be a dict, not {shown(fn)}")
        schema = fn.get("input_schema", fn.get("parameters"))
        description = fn.get("description")
        strict = fn.get("strict", t.get("strict"))
        if strict is not None and type(strict) is not bool:
            raise fail(f"{where}.strict", f"must be True or False, not {shown(strict)}")
        out.append(
            _make(
                Tool,
                name=_field(fn, "name"),
                description="" if description is None else description,
                parameters=dict(_NO_PARAMETERS) if schema is None else schema,
                strict=strict,
                cache=cache_ttl(t, where),
            )
        )
    return out


_CHOICE_FIX = "Use auto, none, required, or {'type': 'tool', 'name': ...}"


def coerce_tool_choice(choice: Any) -> tuple[ToolChoice | None, bool | None]:
    """``"auto" | "none" | "required" | "any"``, ``{"type": "tool", "name": ...}`` or OpenAI's function form;
    returns it with Claude's ``disable_parallel_tool_use`` as the parallel-calls setting (None: not said)."""
    if choice is None or isinstance(choice, ToolChoice):
        return choice, None
    if isinstance(choice, str):
        if choice not in ("auto", "none", "required", "any"):
            raise fail("tool_choice", f"{shown(choice)} is not understood", _CHOICE_FIX)
        mode: Any = "required" if choice == "any" else choice
        return _make(ToolChoice, mode=mode, name=None), None
    if not isinstance(choice, Mapping):
        raise fail("tool_choice", f"must be a string or a dict, not {shown(choice)}", _CHOICE_FIX)
    kind = choice.get("type")
    off = choice.get("disable_parallel_tool_use")
    if off is not None and type(off) is not bool:
        raise fail("tool_choice.disable_parallel_tool_use", f"must be True or False, not {shown(off)}")
    parallel = None if off is None else not off
    if kind in ("tool", "function"):
        fn = choice.get("function")
        name = choice.get("name") if "name" in choice else fn.get("name") if isinstance(fn, Mapping) else None
        if type(name) is not str or not name:
            raise fail("tool_choice.name", "names no tool", "Give the name of one of the request's tools")
        return _make(ToolChoice, mode="tool", name=name), parallel
    if kind in ("auto", "none", "any", "required"):
        return coerce_tool_choice(kind)[0], parallel
    raise fail("tool_choice.type", f"{shown(kind)} is not understood", "Use auto, none, any, tool or function")


#: The options coerced one by one (the others go together: system, openai, tool_choice, parallel_tool_calls).
_SIMPLE: dict[str, Callable[[Any], Any]] = {
    "tools": coerce_tools,
    "max_tokens": coerce_max_tokens,
    "stop": coerce_stop,
    "temperature": lambda v: coerce_number(v, "temperature", 0.0, 2.0, "a number from 0 to 2"),
    "top_p": lambda v: coerce_number(v, "top_p", 0.0, 1.0, "a number from 0 to 1"),
    "top_k": lambda v: coerce_whole(v, "top_k", 1, "a whole number of 1 or more"),
    "seed": lambda v: coerce_whole(v, "seed", -(2**63), "a whole number (64-bit)"),
    "response_format": coerce_response_format,
    "reasoning": coerce_effort,
    "prompt_cache_key": lambda v: coerce_text(v, "prompt_cache_key"),
    "user": lambda v: coerce_text(v, "user"),
    "metadata": coerce_metadata,
    "anthropic": lambda v: coerce_settings(v, AnthropicSettings, "anthropic"),
    "tags": coerce_tags,
    "deadline_s": lambda v: coerce_number(v, "deadline_s", 0.0, float("inf"), "a number of seconds above 0"),
}
