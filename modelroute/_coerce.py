"""Turn what callers pass (our types, OpenAI-style dicts, Anthropic-style dicts) into one checked `Request`.

Runs before any network call. Whatever the input, the only error that comes out is a `RequestError` whose
message starts with the field's path as the caller wrote it (``messages[1].content[0].source.data: ...``) and
says what to do. Coercion only reshapes (with the type tests that keep reshaping from crashing); `_validate`
then checks the request as a whole.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from ._types import ImagePart, Message, Request, TextPart, Tool, ToolCallPart, ToolChoice, ToolResultPart
from ._validate import MAX_TOKENS, PartPath, check_request, check_text, fail, key_path, shown
from .exceptions import RequestError

__all__ = ["OPTIONS", "build_request", "coerce_messages", "coerce_tool_choice", "coerce_tools"]

MessageInput = Message | Mapping[str, Any]

#: The keyword arguments every call takes besides ``model`` and ``messages``.
OPTIONS = ("system", "tools", "tool_choice", "max_tokens", "stop", "temperature", "tags", "deadline_s")
_OPTIONS = frozenset(OPTIONS)
_PART_TYPES = (TextPart, ImagePart, ToolCallPart, ToolResultPart)
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


def build_request(*, model: Any, messages: Any, **options: Any) -> Request:
    """Validate and normalise one call's arguments (``options``: the names in `OPTIONS`). Raises `RequestError`
    naming the field before any network call."""
    if not _OPTIONS.issuperset(options):
        raise _unknown_option(options)
    if type(model) is not str or not model:
        raise fail("model", f"must be the name of an alias in the config, not {shown(model)}")
    hoisted, turns, paths = coerce_messages(messages)
    system = options.get("system")
    if system is not None:
        system = check_text(system, "system", blank_ok=True)
    if hoisted:
        system = system + "\n\n" + hoisted if system else hoisted
    request = _make(
        Request,
        model=model,
        messages=turns,
        system=system if system and not system.isspace() else None,
        tools=coerce_tools(options.get("tools")),
        tool_choice=coerce_tool_choice(options.get("tool_choice")),
        max_tokens=_max_tokens(options.get("max_tokens")),
        stop=_stop(options.get("stop")),
        temperature=_number(options.get("temperature"), "temperature", 0.0, 2.0, "a number from 0 to 2"),
        tags=_tags(options.get("tags")),
        deadline_s=_number(options.get("deadline_s"), "deadline_s", 0.0, math.inf, "a number of seconds above 0"),
    )
    return check_request(request, paths.path_of)


def _unknown_option(options: Mapping[str, Any]) -> RequestError:
    name = sorted(str(k) for k in options if k not in _OPTIONS)[0]
    close = difflib.get_close_matches(name, OPTIONS, n=1)
    hint = f"Did you mean '{close[0]}'? " if close else ""
    return fail(
        name, "is not an argument of this call", f"{hint}The arguments are: model, messages, {', '.join(OPTIONS)}"
    )


def _field(c: Mapping[str, Any], key: str) -> Any:
    """``c[key]`` or None: the caller's value, whatever its type (`check_request` checks it)."""
    return c.get(key)


# --- scalars ---------------------------------------------------------------------------------------------------


def _max_tokens(v: Any) -> int | None:
    if v is None:
        return None
    if type(v) is not int or not 0 < v <= MAX_TOKENS:
        raise fail("max_tokens", f"must be a whole number from 1 to {MAX_TOKENS:,}, not {shown(v)}")
    return v


def _number(v: Any, name: str, low: float, high: float, what: str) -> float | None:
    """A number (never a bool, a string or NaN) with ``low < v <= high`` (``low <= v`` when ``low`` is 0 and
    ``high`` is finite: a temperature of 0 is fine, a deadline of 0 is not)."""
    if v is None:
        return None
    t = type(v)
    if (t is not int and t is not float) or not math.isfinite(v):
        raise fail(name, f"must be {what}, not {shown(v)}")
    if not (low <= v <= high if math.isfinite(high) else low < v):
        raise fail(name, f"must be {what}, not {shown(v)}")
    return float(v)


def _stop(v: Any) -> list[str]:
    if v is None:
        return []
    if type(v) is str:
        return [check_text(v, "stop")]
    if not isinstance(v, list | tuple):
        raise fail("stop", f"must be a string or a list of strings, not {shown(v)}")
    return [check_text(s, f"stop[{i}]") for i, s in enumerate(v)]


def _tags(v: Any) -> dict[str, str]:
    if v is None:
        return {}
    if not isinstance(v, Mapping):
        raise fail("tags", f"must be a dict of text to text, not {shown(v)}")
    out = {}
    for k, val in v.items():
        if type(k) is not str or not k:
            raise fail("tags", f"the key {shown(k)} is not a name", "Use non-empty text keys")
        out[check_text(k, "tags")] = check_text(val, key_path("tags", k), blank_ok=True)
    return out


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


def coerce_messages(messages: Any) -> tuple[str | None, list[Message], _Paths]:
    """Return (system text hoisted from leading system/developer turns, the other turns as `Message`, where each
    came from)."""
    if isinstance(messages, str | bytes) or not isinstance(messages, Sequence):
        raise fail("messages", f"must be a list of messages, not {shown(messages)}",
                   "Write e.g. [{'role': 'user', 'content': 'Hi'}]")  # fmt: skip
    system: list[str] = []
    out: list[Message] = []
    paths = _Paths()
    for i, m in enumerate(messages):
        where = f"messages[{i}]"
        if isinstance(m, Message):
            out.append(m)
            paths.add(where, None)
            continue
        if not isinstance(m, Mapping):
            raise fail(where, f"must be a dict or a Message, not {shown(m)}")
        role = m.get("role")
        if role in ("system", "developer"):
            if out:
                raise fail(where, f"a {role} message after the conversation started",
                           "Put instructions first, or pass them as system=...")  # fmt: skip
            system.append(_plain_text(m.get("content"), f"{where}.content"))
            continue
        if role == "tool":
            _merge_tool_result(out, paths, m, where)
            continue
        if role not in ("user", "assistant"):
            raise fail(f"{where}.role", f"must be user, assistant, system, developer or tool, not {shown(role)}")
        parts, part_paths = _parts(m.get("content"), f"{where}.content")
        calls = m.get("tool_calls")
        if calls is not None:
            _openai_tool_calls(calls, f"{where}.tool_calls", parts, part_paths)
        if not parts:
            content = m.get("content")
            what = "is empty" if not content or not isinstance(content, str) else "is only whitespace"
            raise fail(f"{where}.content", what, "Give the message some text or content parts")
        out.append(_make(Message, role=role, content=parts))
        paths.add(where, part_paths)
    if not out:
        raise fail("messages", "holds no user or assistant message", "Add at least one")
    return ("\n\n".join(system) if system else None), out, paths


def _merge_tool_result(out: list[Message], paths: _Paths, m: Mapping[str, Any], where: str) -> None:
    """An OpenAI ``tool`` message becomes a tool result in a user turn (merged with the one before if any)."""
    content = m.get("content")
    text = content if isinstance(content, str) else _plain_text(content, f"{where}.content")
    part = _make(
        ToolResultPart, type="tool_result", tool_call_id=_field(m, "tool_call_id"), content=text, is_error=False
    )
    path: PartPath = (where, {"tool_call_id": "tool_call_id", "content": "content"})
    last = out[-1] if out else None
    if last is not None and last.role == "user" and all(type(p) is ToolResultPart for p in last.content):
        merged = _make(Message, role="user", content=[*last.content, part])
        out[-1] = merged
        if paths.path_of(len(out) - 1, 0)[1] is None:  # a Message the caller built: give its parts explicit paths
            head, _ = paths.path_of(len(out) - 1, -1)
            paths._turns[-1] = (head, [(f"{head}.content[{j}]", None) for j in range(len(last.content))])
        paths.extend_last(path)
        return
    out.append(_make(Message, role="user", content=[part]))
    paths.add(where, [path])


def _plain_text(content: Any, where: str) -> str:
    if isinstance(content, str):
        return check_text(content, where, blank_ok=True)
    if isinstance(content, list | tuple):
        texts = []
        for j, c in enumerate(content):
            at = f"{where}[{j}]"
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
        return [_make(TextPart, type="text", text=content)], [(where, _BARE)]
    if not isinstance(content, list | tuple):
        raise fail(where, f"must be a string or a list of content parts, not {shown(content)}")
    parts: list[Any] = []
    paths: list[PartPath] = []
    for j, c in enumerate(content):
        at = f"{where}[{j}]"
        if isinstance(c, _PART_TYPES):
            parts.append(c)
            paths.append((at, None))
        elif isinstance(c, Mapping):
            part, path = _part(c, at)
            parts.append(part)
            paths.append(path)
        elif isinstance(c, str):
            parts.append(_make(TextPart, type="text", text=c))
            paths.append((at, _BARE))
        else:
            raise fail(at, f"must be a dict (a content part), not {shown(c)}")
    return parts, paths


def _part(c: Mapping[str, Any], where: str) -> tuple[Any, PartPath]:
    kind = c.get("type")
    if kind in ("text", "input_text"):
        return _make(TextPart, type="text", text=_field(c, "text")), (where, None)
    if kind == "image_url":  # OpenAI: {"image_url": {"url": "https://..." | "data:image/png;base64,..."}}
        inner = c.get("image_url")
        if isinstance(inner, Mapping):
            return _image_from_url(inner.get("url"), f"{where}.image_url", "url")
        return _image_from_url(inner, where, "image_url")
    if kind == "image":  # Anthropic: {"source": {"type": "base64"|"url", ...}}, or ours
        return _image(c, where)
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
        )
        return part, (where, {"tool_call_id": "tool_use_id"} if anthropic else None)
    raise fail(f"{where}.type", f"{shown(kind)} is not a content part type modelroute sends",
               "Use text, image, image_url, tool_use or tool_result")  # fmt: skip


def _image(c: Mapping[str, Any], where: str) -> tuple[ImagePart, PartPath]:
    src = c.get("source")
    if src is None:
        part = _make(ImagePart, type="image", url=c.get("url"), data=c.get("data"), media_type=c.get("media_type"))
        return part, (where, None)
    at = f"{where}.source"
    if not isinstance(src, Mapping):
        raise fail(at, f"must be a dict, not {shown(src)}")
    kind = src.get("type")
    if kind == "url":
        return _make(ImagePart, type="image", url=src.get("url"), data=None, media_type=None), (at, None)
    if kind == "base64":
        part = _make(ImagePart, type="image", url=None, data=src.get("data"), media_type=src.get("media_type"))
        return part, (at, None)
    raise fail(f"{at}.type", f"{shown(kind)} is not an image source modelroute sends", "Use base64 or url")


def _image_from_url(url: Any, where: str, field: str) -> tuple[ImagePart, PartPath]:
    if isinstance(url, str) and url.startswith("data:"):
        head, sep, data = url.partition(",")
        media_type, _, encoding = head[5:].partition(";")
        if not sep or encoding != "base64":
            raise fail(f"{where}.{field}", "is a data: URL that is not base64",
                       "Write it as data:image/png;base64,<base64>")  # fmt: skip
        names = {"data": field, "media_type": field}
        return _make(ImagePart, type="image", url=None, data=data, media_type=media_type), (where, names)
    part = _make(ImagePart, type="image", url=url, data=None, media_type=None)
    return part, (where, {"url": field})


def _result_parts(content: Any, where: str) -> list[Any]:
    """A tool result's content list: text and images only (checked here, so nothing nests)."""
    if not isinstance(content, list | tuple):
        raise fail(where, f"must be text or a list of text and image parts, not {shown(content)}")
    out: list[Any] = []
    for j, c in enumerate(content):
        at = f"{where}[{j}]"
        if isinstance(c, TextPart | ImagePart):
            out.append(c)
        elif isinstance(c, str):
            out.append(_make(TextPart, type="text", text=c))
        elif isinstance(c, Mapping) and c.get("type") in ("text", "input_text", "image", "image_url"):
            out.append(_part(c, at)[0])
        else:
            raise fail(at, "a tool result may hold only text and image parts")
    return out


def _openai_tool_calls(calls: Any, where: str, parts: list[Any], paths: list[PartPath]) -> None:
    if not isinstance(calls, list | tuple):
        raise fail(where, f"must be a list of tool calls, not {shown(calls)}")
    for j, call in enumerate(calls):
        at = f"{where}[{j}]"
        fn = call.get("function") if isinstance(call, Mapping) else None
        if not isinstance(fn, Mapping):
            raise fail(at, "is not a tool call", "Write {'id': ..., 'type': 'function', 'function': {'name': ..., "
                       "'arguments': '<JSON>'}}")  # fmt: skip
        raw = fn.get("arguments")
        args: Any = {} if raw is None or raw == "" else raw
        if isinstance(raw, str) and raw:
            try:
                args = json.loads(raw)
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
    """Accept our `Tool`, OpenAI's ``{"type": "function", "function": {...}}`` and Anthropic's ``input_schema``."""
    if tools is None:
        return []
    if not isinstance(tools, list | tuple):
        raise fail("tools", f"must be a list of tools, not {shown(tools)}")
    out = []
    for i, t in enumerate(tools):
        if isinstance(t, Tool):
            out.append(t)
            continue
        if not isinstance(t, Mapping):
            raise fail(f"tools[{i}]", f"must be a dict or a Tool, not {shown(t)}")
        fn = t.get("function") if t.get("type") == "function" else t
        if not isinstance(fn, Mapping):
            raise fail(f"tools[{i}].function", f"must be a dict, not {shown(fn)}")
        schema = fn.get("input_schema", fn.get("parameters"))
        description = fn.get("description")
        out.append(
            _make(
                Tool,
                name=_field(fn, "name"),
                description="" if description is None else description,
                parameters=dict(_NO_PARAMETERS) if schema is None else schema,
            )
        )
    return out


def coerce_tool_choice(choice: Any) -> ToolChoice | None:
    """``"auto" | "none" | "required" | "any"``, ``{"type": "tool", "name": ...}`` or OpenAI's function form."""
    if choice is None or isinstance(choice, ToolChoice):
        return choice
    if isinstance(choice, str):
        if choice not in ("auto", "none", "required", "any"):
            raise fail("tool_choice", f"{shown(choice)} is not understood",
                       "Use auto, none, required, or {'type': 'tool', 'name': ...}")  # fmt: skip
        mode: Any = "required" if choice == "any" else choice
        return _make(ToolChoice, mode=mode, name=None)
    if not isinstance(choice, Mapping):
        raise fail("tool_choice", f"must be a string or a dict, not {shown(choice)}",
                   "Use auto, none, required, or {'type': 'tool', 'name': ...}")  # fmt: skip
    kind = choice.get("type")
    if kind in ("tool", "function"):
        fn = choice.get("function")
        name = choice.get("name") if "name" in choice else fn.get("name") if isinstance(fn, Mapping) else None
        if type(name) is not str or not name:
            raise fail("tool_choice.name", "names no tool", "Give the name of one of the request's tools")
        return _make(ToolChoice, mode="tool", name=name)
    if kind in ("auto", "none", "any", "required"):
        return coerce_tool_choice(kind)
    raise fail("tool_choice.type", f"{shown(kind)} is not understood", "Use auto, none, any, tool or function")
