"""Native SDK objects from a `Response` (the ``interop`` extra): ``to_openai()`` and ``to_anthropic()``.

The vendor SDKs are imported here only, when one of these is called; never on the request path.
"""

from __future__ import annotations

import json
from typing import Any

from ._types import Response, StopReason, TextPart, ToolCallPart, Usage
from .exceptions import MissingDependencyError

__all__ = ["to_anthropic", "to_openai"]

_OPENAI_FINISH = {
    StopReason.END: "stop",
    StopReason.STOP_SEQUENCE: "stop",
    StopReason.MAX_TOKENS: "length",
    StopReason.TOOL_USE: "tool_calls",
    StopReason.CONTENT_FILTER: "content_filter",
    StopReason.REFUSAL: "content_filter",
}
_ANTHROPIC_STOP = {
    StopReason.END: "end_turn",
    StopReason.STOP_SEQUENCE: "stop_sequence",
    StopReason.MAX_TOKENS: "max_tokens",
    StopReason.TOOL_USE: "tool_use",
    StopReason.REFUSAL: "refusal",
    StopReason.PAUSE: "pause_turn",
    StopReason.CONTEXT_WINDOW: "model_context_window_exceeded",
}


def _need(module: str) -> Any:
    try:
        return __import__(module, fromlist=["types"])
    except ImportError:
        raise MissingDependencyError("", f"Response.to_{module}()", "interop") from None


def to_openai(r: Response) -> Any:
    _need("openai")
    from openai.types.chat import ChatCompletion

    calls = [
        {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": json.dumps(c.arguments)}}
        for c in r.tool_calls
    ]
    message: dict[str, Any] = {"role": "assistant", "content": r.text or None}
    if calls:
        message["tool_calls"] = calls
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
        if isinstance(p, TextPart):
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
            "stop_sequence": None,
            "usage": {
                "input_tokens": u.input_tokens - u.cache_read_tokens - u.cache_write_tokens,
                "output_tokens": u.output_tokens,
                "cache_read_input_tokens": u.cache_read_tokens,
                "cache_creation_input_tokens": u.cache_write_tokens,
                "output_tokens_details": {"thinking_tokens": u.reasoning_tokens},
            },
        }
    )
