"""Turn what callers pass (our types, OpenAI-style dicts, Anthropic-style dicts) into one `Request`.

Runs before any network call, so a malformed message fails here with a `RequestError` naming the message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from ._types import ImagePart, Message, Request, TextPart, Tool, ToolCallPart, ToolChoice, ToolResultPart
from .exceptions import RequestError

__all__ = ["build_request", "coerce_messages", "coerce_tool_choice", "coerce_tools"]

MessageInput = Message | Mapping[str, Any]


def build_request(
    *,
    model: str,
    messages: Sequence[MessageInput],
    system: str | None = None,
    tools: Sequence[Tool | Mapping[str, Any]] | None = None,
    tool_choice: ToolChoice | str | Mapping[str, Any] | None = None,
    max_tokens: int | None = None,
    stop: str | Sequence[str] | None = None,
    temperature: float | None = None,
    tags: Mapping[str, str] | None = None,
    deadline_s: float | None = None,
) -> Request:
    """Validate and normalise one call's arguments. Raises `RequestError` before any network call."""
    hoisted, turns = coerce_messages(messages)
    if hoisted and system:
        system = system + "\n\n" + hoisted
    elif hoisted:
        system = hoisted
    try:
        return Request(
            model=model,
            messages=turns,
            system=system,
            tools=coerce_tools(tools or ()),
            tool_choice=coerce_tool_choice(tool_choice),
            max_tokens=max_tokens,
            stop=[stop] if isinstance(stop, str) else list(stop or ()),
            temperature=temperature,
            tags=dict(tags or {}),
            deadline_s=deadline_s,
        )
    except ValidationError as e:
        raise RequestError(_first_problem(e)) from None


def _first_problem(e: ValidationError) -> str:
    err = e.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    return f"request field '{loc}': {err['msg']}"


def coerce_messages(messages: Sequence[MessageInput]) -> tuple[str | None, list[Message]]:
    """Return (system text hoisted from leading system/developer turns, the other turns as `Message`)."""
    if isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence):
        raise RequestError("messages must be a list of messages, e.g. [{'role': 'user', 'content': 'Hi'}]")
    system: list[str] = []
    out: list[Message] = []
    for i, m in enumerate(messages):
        if isinstance(m, Message):
            out.append(m)
            continue
        if not isinstance(m, Mapping):
            raise RequestError(f"messages[{i}] must be a dict or a Message, not {type(m).__name__}")
        role = m.get("role")
        if role in ("system", "developer"):
            if out:
                raise RequestError(
                    f"messages[{i}] is a {role} message after the conversation started; "
                    "put instructions first or pass them as system=..."
                )
            system.append(_plain_text(m.get("content"), f"messages[{i}].content"))
            continue
        if role == "tool":
            out.append(_merge_tool_result(out, m, i))
            continue
        if role not in ("user", "assistant"):
            raise RequestError(f"messages[{i}].role must be user, assistant, system or tool, not {role!r}")
        parts = _parts(m.get("content"), f"messages[{i}].content")
        parts.extend(_openai_tool_calls(m.get("tool_calls"), i))
        if not parts:
            raise RequestError(f"messages[{i}] has no content")
        out.append(Message.model_construct(role=role, content=parts))
    if not out:
        raise RequestError("messages must hold at least one user or assistant message")
    return ("\n\n".join(system) if system else None), out


def _merge_tool_result(out: list[Message], m: Mapping[str, Any], i: int) -> Message:
    """An OpenAI ``tool`` message becomes a tool result in a user turn (merged with the one before if any)."""
    call_id = m.get("tool_call_id")
    if not isinstance(call_id, str):
        raise RequestError(f"messages[{i}] is a tool message without a tool_call_id")
    content = m.get("content")
    text = content if isinstance(content, str) else _plain_text(content, f"messages[{i}].content")
    part = ToolResultPart(tool_call_id=call_id, content=text)
    if out and out[-1].role == "user" and all(isinstance(p, ToolResultPart) for p in out[-1].content):
        return Message.model_construct(role="user", content=[*out.pop().content, part])
    return Message.model_construct(role="user", content=[part])


def _plain_text(content: Any, where: str) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        texts = [_parts([c], where) for c in content]
        return "".join(p.text for group in texts for p in group if isinstance(p, TextPart))
    raise RequestError(f"{where} must be text")


def _parts(content: Any, where: str) -> list[Any]:
    if content is None:
        return []
    if isinstance(content, str):
        return [TextPart(text=content)]
    if not isinstance(content, Sequence):
        raise RequestError(f"{where} must be a string or a list of content parts")
    parts: list[Any] = []
    for j, c in enumerate(content):
        if isinstance(c, TextPart | ImagePart | ToolCallPart | ToolResultPart):
            parts.append(c)
        elif isinstance(c, Mapping):
            parts.append(_part(c, f"{where}[{j}]"))
        elif isinstance(c, str):
            parts.append(TextPart(text=c))
        else:
            raise RequestError(f"{where}[{j}] must be a dict, not {type(c).__name__}")
    return parts


def _part(c: Mapping[str, Any], where: str) -> Any:
    kind = c.get("type")
    try:
        match kind:
            case "text" | "input_text":
                return TextPart(text=c["text"])
            case "image_url":  # OpenAI: {"image_url": {"url": "https://..." | "data:image/png;base64,..."}}
                url = c["image_url"]["url"] if isinstance(c["image_url"], Mapping) else c["image_url"]
                return _image_from_url(url)
            case "image":  # Anthropic: {"source": {"type": "base64"|"url", ...}}, or ours
                src = c.get("source")
                if isinstance(src, Mapping):
                    if src.get("type") == "url":
                        return ImagePart(url=src["url"])
                    return ImagePart(data=src["data"], media_type=src["media_type"])
                return ImagePart(url=c.get("url"), data=c.get("data"), media_type=c.get("media_type"))
            case "tool_use" | "tool_call":  # Anthropic tool_use, or ours
                args = c.get("input", c.get("arguments", {}))
                return ToolCallPart(id=c["id"], name=c["name"], arguments=args)
            case "tool_result":
                return ToolResultPart(
                    tool_call_id=c.get("tool_use_id") or c["tool_call_id"],
                    content=_tool_result_content(c.get("content", ""), where),
                    is_error=bool(c.get("is_error", False)),
                )
    except (KeyError, TypeError, ValidationError) as e:
        raise RequestError(f"{where} is not a valid {kind} part: {e}") from None
    raise RequestError(f"{where} has unsupported part type {kind!r} (use text, image, tool_use or tool_result)")


def _tool_result_content(content: Any, where: str) -> str | list[TextPart | ImagePart]:
    if isinstance(content, str):
        return content
    parts = _parts(content, where + ".content")
    if not all(isinstance(p, TextPart | ImagePart) for p in parts):
        raise RequestError(f"{where}.content may hold only text and images")
    return parts


def _image_from_url(url: str) -> ImagePart:
    if url.startswith("data:"):
        head, _, data = url.partition(",")
        media_type = head[5:].split(";")[0]
        return ImagePart(data=data, media_type=media_type)
    return ImagePart(url=url)


def _openai_tool_calls(calls: Any, i: int) -> list[ToolCallPart]:
    if not calls:
        return []
    out = []
    for j, call in enumerate(calls):
        try:
            fn = call["function"]
            raw = fn.get("arguments") or "{}"
            args = json.loads(raw) if isinstance(raw, str) else raw
            out.append(ToolCallPart(id=call["id"], name=fn["name"], arguments=args))
        except (KeyError, TypeError, ValueError, ValidationError) as e:
            raise RequestError(f"messages[{i}].tool_calls[{j}] is not a valid tool call: {e}") from None
    return out


def coerce_tools(tools: Sequence[Tool | Mapping[str, Any]]) -> list[Tool]:
    """Accept our `Tool`, OpenAI's ``{"type": "function", "function": {...}}`` and Anthropic's ``input_schema``."""
    out = []
    for i, t in enumerate(tools):
        if isinstance(t, Tool):
            out.append(t)
            continue
        try:
            if t.get("type") == "function" and "function" in t:
                fn = t["function"]
                out.append(Tool(name=fn["name"], description=fn.get("description", ""), **_params(fn)))
            else:
                schema = t.get("input_schema", t.get("parameters"))
                extra = {"parameters": schema} if schema is not None else {}
                out.append(Tool(name=t["name"], description=t.get("description", ""), **extra))
        except (KeyError, TypeError, AttributeError, ValidationError) as e:
            raise RequestError(f"tools[{i}] is not a valid tool definition: {e}") from None
    return out


def _params(fn: Mapping[str, Any]) -> dict[str, Any]:
    return {"parameters": fn["parameters"]} if "parameters" in fn else {}


def coerce_tool_choice(choice: ToolChoice | str | Mapping[str, Any] | None) -> ToolChoice | None:
    """``"auto" | "none" | "required" | "any"``, ``{"type": "tool", "name": ...}`` or OpenAI's function form."""
    if choice is None or isinstance(choice, ToolChoice):
        return choice
    if isinstance(choice, str):
        mode = {"any": "required"}.get(choice, choice)
        if mode not in ("auto", "none", "required"):
            raise RequestError(f"tool_choice {choice!r} must be auto, none, required, or a dict naming a tool")
        return ToolChoice(mode=mode)
    kind = choice.get("type")
    if kind in ("tool", "function"):
        name = choice.get("name") or (choice.get("function") or {}).get("name")
        if not name:
            raise RequestError("tool_choice names no tool")
        return ToolChoice(mode="tool", name=name)
    if kind in ("auto", "none", "any", "required"):
        return coerce_tool_choice(str(kind))
    raise RequestError(f"tool_choice {dict(choice)!r} is not understood")
