"""Anthropic Messages, sans-IO: request bodies, responses, stream events and error bodies.

Spoken by the Anthropic API, Claude on Foundry, Bedrock (InvokeModel and Mantle) and Vertex; each route changes
only the URL, auth and a few body keys. The stream handler takes already-framed events, so SSE (direct) and
AWS event-stream (Bedrock) share it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .._types import (
    ImagePart,
    Message,
    Request,
    Response,
    StopEvent,
    StopReason,
    StreamEvent,
    TextDelta,
    TextPart,
    ToolCallDelta,
    ToolCallPart,
    ToolResultPart,
    Usage,
    UsageEvent,
)
from ..exceptions import ErrorKind, MalformedResponseError, ProviderError
from .errors import build_error, kind_for_status, load_json_object, mentions_context_window

__all__ = ["DEFAULT_MAX_TOKENS", "AnthropicMessages", "AnthropicStream"]

# Anthropic requires max_tokens; when the caller gives none we ask for this many.
DEFAULT_MAX_TOKENS = 4096

_STOP = {
    "end_turn": StopReason.END,
    "max_tokens": StopReason.MAX_TOKENS,
    "stop_sequence": StopReason.STOP_SEQUENCE,
    "tool_use": StopReason.TOOL_USE,
    "pause_turn": StopReason.PAUSE,
    "refusal": StopReason.REFUSAL,
    "model_context_window_exceeded": StopReason.CONTEXT_WINDOW,
}

# Error ``type`` values: Anthropic's own, and the lower-camel exception names Bedrock puts in stream frames.
_TYPE_KIND = {
    "invalid_request_error": ErrorKind.INVALID_REQUEST,
    "authentication_error": ErrorKind.AUTH,
    "billing_error": ErrorKind.QUOTA_EXHAUSTED,
    "permission_error": ErrorKind.PERMISSION,
    "not_found_error": ErrorKind.NOT_FOUND,
    "rate_limit_error": ErrorKind.RATE_LIMITED,
    "timeout_error": ErrorKind.TIMEOUT,
    "api_error": ErrorKind.SERVER_ERROR,
    "overloaded_error": ErrorKind.OVERLOADED,
    "throttlingException": ErrorKind.RATE_LIMITED,
    "serviceUnavailableException": ErrorKind.OVERLOADED,
    "modelNotReadyException": ErrorKind.OVERLOADED,
    "internalServerException": ErrorKind.SERVER_ERROR,
    "modelStreamErrorException": ErrorKind.SERVER_ERROR,
    "modelTimeoutException": ErrorKind.TIMEOUT,
    "validationException": ErrorKind.INVALID_REQUEST,
}

# ``error.details.error_code`` values that change the kind a status implies.
_CODE_KIND = {
    "enforced_spend_limit_reached": ErrorKind.QUOTA_EXHAUSTED,
    "contract_spend_limit_reached": ErrorKind.QUOTA_EXHAUSTED,
    "linked_organization_spend_limit_reached": ErrorKind.QUOTA_EXHAUSTED,
}


class AnthropicMessages:
    """The Messages dialect."""

    name = "anthropic_messages"
    supports_prefill = True

    # --- encode -------------------------------------------------------------------------------------------------

    def encode_body(self, request: Request, model: str, *, stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": model,
            "max_tokens": request.max_tokens or DEFAULT_MAX_TOKENS,
            "messages": [_encode_message(m) for m in request.messages],
        }
        if request.system:
            body["system"] = request.system
        if request.stop:
            body["stop_sequences"] = list(request.stop)
        if request.temperature is not None:  # API versions that refuse it are skipped by the planner
            body["temperature"] = request.temperature
        if request.tools:
            body["tools"] = [
                {
                    "name": t.name,
                    **({"description": t.description} if t.description else {}),
                    "input_schema": t.parameters,
                }
                for t in request.tools
            ]
        if request.tool_choice is not None:
            tc = request.tool_choice
            mode = {"required": "any"}.get(tc.mode, tc.mode)
            body["tool_choice"] = {"type": mode, "name": tc.name} if tc.mode == "tool" else {"type": mode}
        if stream:
            body["stream"] = True
        return body

    # --- decode -------------------------------------------------------------------------------------------------

    def decode(self, body: bytes) -> Response:
        data = load_json_object(body)
        if data is None or not isinstance(data.get("content"), list):
            raise MalformedResponseError("a message without content", body=body[:500])
        try:
            parts = [p for p in (_decode_block(b) for b in data["content"]) if p is not None]
            raw_stop = data.get("stop_reason")
            return Response.decoded(
                id=data.get("id", ""),
                content=parts,
                stop_reason=_STOP.get(raw_stop or "", StopReason.OTHER),
                raw_stop_reason=raw_stop,
                usage=usage_from(data.get("usage") or {}),
            )
        except (KeyError, TypeError, AttributeError) as e:
            raise MalformedResponseError(f"a message we cannot read: {e!r}", body=body[:500]) from None

    def stream_handler(self) -> AnthropicStream:
        return AnthropicStream(self)

    # --- errors -------------------------------------------------------------------------------------------------

    def classify(self, status: int, headers: Mapping[str, str], body: bytes) -> ProviderError:
        data = load_json_object(body)
        err = data.get("error") if data else None
        if not isinstance(err, dict):
            # Bedrock-style bodies: {"message": "..."}; anything else: the start of the raw text.
            message = data.get("message") if data else None
            err = {"message": message if isinstance(message, str) else body[:300].decode("utf-8", "replace")}
        return self.classify_error_object(status, headers, err)

    def classify_error_object(self, status: int, headers: Mapping[str, str], err: Mapping[str, Any]) -> ProviderError:
        message = str(err.get("message") or "")
        etype = str(err.get("type") or "")
        details = err.get("details")
        code = details.get("error_code") if isinstance(details, dict) else None
        kind = _CODE_KIND.get(code or "")
        if kind is None:
            if status == 200:  # an error event inside a stream: only its type tells what it was
                kind = _TYPE_KIND.get(etype, ErrorKind.SERVER_ERROR)
            else:
                kind = kind_for_status(status)
                if etype == "billing_error":
                    kind = ErrorKind.QUOTA_EXHAUSTED
        if kind in (ErrorKind.INVALID_REQUEST, ErrorKind.SERVER_ERROR) and mentions_context_window(message):
            kind = ErrorKind.CONTEXT_WINDOW
        elif kind is ErrorKind.INVALID_REQUEST and "credit balance" in message.lower():
            kind = ErrorKind.QUOTA_EXHAUSTED  # the API reports an empty prepaid balance as a plain 400
        return build_error(kind, message, status=status, headers=headers, code=code or etype or None, body=dict(err))


def usage_from(u: Mapping[str, Any]) -> Usage:
    """Anthropic counts cache reads and writes apart from ``input_tokens``; ours includes them (see `Usage`)."""
    cache_read = u.get("cache_read_input_tokens") or 0
    cache_write = u.get("cache_creation_input_tokens") or 0
    return Usage.model_construct(
        input_tokens=(u.get("input_tokens") or 0) + cache_read + cache_write,
        output_tokens=u.get("output_tokens") or 0,
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
        reasoning_tokens=0,
    )


def _decode_block(b: Mapping[str, Any]) -> Any:
    kind = b.get("type")
    if kind == "text":
        return TextPart(text=b["text"])
    if kind == "tool_use":
        return ToolCallPart(id=b["id"], name=b["name"], arguments=b.get("input") or {})
    return None  # thinking and server-tool blocks are not part of the unified answer yet


def _encode_message(m: Message) -> dict[str, Any]:
    if len(m.content) == 1 and isinstance(m.content[0], TextPart):
        return {"role": m.role, "content": m.content[0].text}
    return {"role": m.role, "content": [_encode_part(p) for p in m.content]}


def _encode_part(p: Any) -> dict[str, Any]:
    if isinstance(p, TextPart):
        return {"type": "text", "text": p.text}
    if isinstance(p, ImagePart):
        return {"type": "image", "source": _image_source(p)}
    if isinstance(p, ToolCallPart):
        return {"type": "tool_use", "id": p.id, "name": p.name, "input": p.arguments}
    assert isinstance(p, ToolResultPart)
    out: dict[str, Any] = {"type": "tool_result", "tool_use_id": p.tool_call_id}
    out["content"] = p.content if isinstance(p.content, str) else [_encode_part(c) for c in p.content]
    if p.is_error:
        out["is_error"] = True
    return out


def _image_source(p: ImagePart) -> dict[str, Any]:
    if p.url:
        return {"type": "url", "url": p.url}
    return {"type": "base64", "media_type": p.media_type, "data": p.data}


class AnthropicStream:
    """Messages stream events: message_start, content blocks, message_delta, message_stop (or error)."""

    def __init__(self, dialect: AnthropicMessages) -> None:
        self._dialect = dialect
        self._id = ""
        self._usage: dict[str, Any] = {}
        self._blocks: dict[int, dict[str, Any]] = {}
        self._tool_index: dict[int, int] = {}
        self._raw_stop: str | None = None
        self._done = False

    @property
    def done(self) -> bool:
        return self._done

    def on_message(self, event: str | None, data: str) -> list[StreamEvent]:
        try:
            ev = json.loads(data)
        except ValueError:
            raise MalformedResponseError(f"a stream event is not JSON: {data[:200]!r}", status=200) from None
        if not isinstance(ev, dict):
            raise MalformedResponseError("a stream event is not a JSON object", status=200)
        return self.on_event(ev)

    def on_event(self, ev: Mapping[str, Any]) -> list[StreamEvent]:
        """One decoded event (Bedrock's framing calls this directly)."""
        kind = ev.get("type")
        try:
            if kind == "content_block_delta":
                return self._delta(ev["index"], ev["delta"])
            if kind == "content_block_start":
                return self._block_start(ev["index"], ev["content_block"])
            if kind == "message_delta":
                self._raw_stop = (ev.get("delta") or {}).get("stop_reason") or self._raw_stop
                self._usage.update(ev.get("usage") or {})
                return [UsageEvent(usage_from(self._usage))]
            if kind == "message_start":
                msg = ev["message"]
                self._id = msg.get("id", "")
                self._usage.update(msg.get("usage") or {})
                return []
            if kind == "message_stop":
                self._done = True
                return [StopEvent(_STOP.get(self._raw_stop or "", StopReason.OTHER), self._raw_stop)]
            if kind == "error":
                err = ev.get("error")
                raise self._dialect.classify_error_object(200, {}, err if isinstance(err, dict) else {})
        except (KeyError, TypeError, AttributeError) as e:
            raise MalformedResponseError(f"a {kind} event we cannot read: {e!r}", status=200) from None
        return []  # ping, content_block_stop, and event types added later

    def _block_start(self, index: int, block: Mapping[str, Any]) -> list[StreamEvent]:
        btype = block.get("type")
        self._blocks[index] = {"type": btype, "text": [], "block": block}
        if btype == "text" and block.get("text"):
            self._blocks[index]["text"].append(block["text"])
            return [TextDelta(block["text"])]
        if btype == "tool_use":
            ordinal = self._tool_index.setdefault(index, len(self._tool_index))
            return [ToolCallDelta(index=ordinal, id=block["id"], name=block["name"])]
        return []

    def _delta(self, index: int, delta: Mapping[str, Any]) -> list[StreamEvent]:
        dtype = delta.get("type")
        block = self._blocks.get(index)
        if block is None:
            raise MalformedResponseError(f"a delta for block {index}, which never started", status=200)
        if dtype == "text_delta":
            block["text"].append(delta["text"])
            return [TextDelta(delta["text"])]
        if dtype == "input_json_delta":
            frag = delta.get("partial_json", "")
            block["text"].append(frag)
            return [ToolCallDelta(index=self._tool_index[index], arguments_delta=frag)]
        return []  # thinking, signature and citation deltas are not part of the unified answer yet

    def finish(self) -> Response:
        if not self._done:
            raise MalformedResponseError("the stream ended before message_stop", status=200)
        parts: list[Any] = []
        for index in sorted(self._blocks):
            b = self._blocks[index]
            if b["type"] == "text":
                parts.append(TextPart(text="".join(b["text"])))
            elif b["type"] == "tool_use":
                raw = "".join(b["text"])
                try:
                    args = json.loads(raw) if raw else {}
                except ValueError:
                    raise MalformedResponseError(f"tool input is not JSON: {raw[:200]!r}", status=200) from None
                parts.append(ToolCallPart(id=b["block"]["id"], name=b["block"]["name"], arguments=args))
        return Response.decoded(
            id=self._id,
            content=parts,
            stop_reason=_STOP.get(self._raw_stop or "", StopReason.OTHER),
            raw_stop_reason=self._raw_stop,
            usage=usage_from(self._usage),
        )
