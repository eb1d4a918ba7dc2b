"""Native SDK objects from a `Response` (the ``interop`` extra): ``to_openai()`` and ``to_anthropic()``.

Each keeps everything the other shape can carry. ``to_openai()``: text, tool calls, the refusal (``refusal``,
with finish reason ``stop``, as OpenAI answers one), the reasoning text (in ``reasoning_content``, the field
OpenAI-compatible servers use; the SDK keeps it as an extra field), every usage count (cache reads and writes,
reasoning tokens). ``to_anthropic()``: thinking blocks with their signatures (redacted ones as
``redacted_thinking``), text, tool_use blocks, the stop reason and stop sequence, every usage count (Claude's
``input_tokens`` excludes the cached part). What neither shape has a field for: the trace, ``served_by``,
incomplete tool calls.

The vendor SDKs are imported here only, when one of these is called; never on the request path.
"""

from __future__ import annotations

import json
from typing import Any

from ._types import Response, StopReason, TextPart, ThinkingPart, ToolCallPart, Usage
from .exceptions import MissingDependencyError

__all__ = ["to_anthropic", "to_openai"]

_OPENAI_FINISH = {
    StopReason.END: "stop",
    StopReason.STOP_SEQUENCE: "stop",
    StopReason.MAX_TOKENS: "length",
    StopReason.TOOL_USE: "tool_calls",
    StopReason.CONTENT_FILTER: "content_filter",
    StopReason.REFUSAL: "stop",  # OpenAI answers a refusal with ``refusal`` set and finish reason ``stop``
    StopReason.CONTEXT_WINDOW: "length",
}
_ANTHROPIC_STOP = {
    StopReason.END: "end_turn",
    StopReason.STOP_SEQUENCE: "stop_sequence",
    StopReason.MAX_TOKENS: "max_tokens",
    StopReason.TOOL_USE: "tool_use",
    StopReason.REFUSAL: "refusal",
    StopReason.CONTENT_FILTER: "refusal",
    StopReason.PAUSE: "pause_turn",
    StopReason.CONTEXT_WINDOW: "model_context_window_exceeded",
}


def _dumps(arguments: Any) -> str:
    """Tool-call arguments as JSON text, compact, as OpenAI writes them (and as the encoder sends them back)."""
    return json.dumps(arguments, separators=(",", ":"), ensure_ascii=False)


def _need(module: str) -> Any:
    try:
        return __import__(module, fromlist=["types"])
    except ImportError:
        raise MissingDependencyError("", f"Response.to_{module}()", "interop") from None


def to_openai(r: Response) -> Any:
    _need("openai")
    from openai.types.chat import ChatCompletion

    calls = [
        {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": _dumps(c.arguments)}}
        for c in r.tool_calls
    ]
    text, refusal = r.text, r.refusal
    if refusal and text.endswith(refusal):  # the refusal is the answer's last text part (or all of it)
        text = text[: -len(refusal)]
    message: dict[str, Any] = {"role": "assistant", "content": text or None, "refusal": refusal}
    if calls:
        message["tool_calls"] = calls
    if r.reasoning:
        message["reasoning_content"] = r.reasoning
    u = r.usage
    usage = None
    if u is not None:  # a ChatCompletion may have no usage, like the answer
        usage = {
            "prompt_tokens": u.input_tokens,
            "completion_tokens": u.output_tokens,
            "total_tokens": u.total_tokens,
            "prompt_tokens_details": {"cached_tokens": u.cache_read_tokens, "cache_write_tokens": u.cache_write_tokens},
            "completion_tokens_details": {"reasoning_tokens": u.reasoning_tokens},
        }
    return ChatCompletion.model_validate(
        {
            "id": r.id,
            "object": "chat.completion",
            "created": 0,
            "model": _model(r),
            "choices": [{"index": 0, "message": message, "finish_reason": _OPENAI_FINISH.get(r.stop_reason, "stop")}],
            "usage": usage,
        }
    )


def _model(r: Response) -> str:
    """The model id the provider reported, else the one the config asked for."""
    return r.model or (r.served_by.model if r.served_by else "")


def to_anthropic(r: Response) -> Any:
    _need("anthropic")
    from anthropic.types import Message

    blocks: list[dict[str, Any]] = []
    for p in r.content:
        if isinstance(p, ThinkingPart):
            if p.redacted is not None:
                blocks.append({"type": "redacted_thinking", "data": p.redacted})
            else:  # reasoning from another model has no signature: Claude's shape asks for one, so it is ""
                blocks.append({"type": "thinking", "thinking": p.text, "signature": p.signature or ""})
        elif isinstance(p, TextPart):
            blocks.append({"type": "text", "text": p.text})
        elif isinstance(p, ToolCallPart):
            blocks.append({"type": "tool_use", "id": p.id, "name": p.name, "input": p.arguments})
    u = r.usage or Usage()  # a Message must carry usage: zeros when the provider reported none
    return Message.model_validate(
        {
            "id": r.id,
            "type": "message",
            "role": "assistant",
            "model": _model(r),
            "content": blocks,
            "stop_reason": _ANTHROPIC_STOP.get(r.stop_reason),
            "stop_sequence": r.stop_sequence,
            "usage": {
                "input_tokens": u.input_tokens - u.cache_read_tokens - u.cache_write_tokens,
                "output_tokens": u.output_tokens,
                "cache_read_input_tokens": u.cache_read_tokens,
                "cache_creation_input_tokens": u.cache_write_tokens,
                "output_tokens_details": {"thinking_tokens": u.reasoning_tokens},
            },
        }
    )
