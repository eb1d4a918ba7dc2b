"""Anthropic Messages, sans-IO: request bodies, responses, stream events and error bodies.

Spoken by the Anthropic API, Claude on Foundry, Bedrock (InvokeModel and Mantle) and Vertex; each route changes
only the URL, auth and a few body keys. The stream handler takes already-framed events, so SSE (direct) and
AWS event-stream (Bedrock) share it.

Stream rules, as the ``anthropic`` SDK reads them unless said otherwise: ``message_delta`` usage counts are
cumulative and a ``null`` (or absent) count leaves the one before unchanged; ``input_json_delta`` also comes for
``server_tool_use`` / ``mcp_tool_use`` blocks (kept out of the unified answer, which holds only the caller's
tools); a ``tool_use`` block with no deltas takes its input whole from ``content_block_start``; a ``text_delta``
for a block that is not text is ignored. Unlike the SDK, nothing after ``message_stop`` is read, and content
before ``message_start`` is malformed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .._types import (
    ImagePart,
    IncompleteToolCall,
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
from ..exceptions import ErrorKind, ProviderError
from ._read import as_dict, bad, count, loads, opt_dict, opt_index, opt_list, opt_str, req_str, tool_arguments
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
        data = as_dict(loads(body, "the message"), "the message")
        blocks = opt_list(data, "content", "the message")
        if blocks is None:
            raise bad("a message without content")
        raw_stop = opt_str(data, "stop_reason", "the message")
        parts = [p for p in (_decode_block(as_dict(b, "a content block")) for b in blocks) if p is not None]
        usage = opt_dict(data, "usage", "the message")
        return Response.decoded(
            id=opt_str(data, "id", "the message") or "",
            content=parts,
            stop_reason=_STOP.get(raw_stop or "", StopReason.OTHER),
            raw_stop_reason=raw_stop,
            usage=None if usage is None else usage_from(usage_counts(usage, "usage")),
            model=opt_str(data, "model", "the message"),
        )

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
        raw_code = details.get("error_code") if isinstance(details, dict) else None
        code = str(raw_code) if raw_code is not None else None
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


_COUNTS = ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")


def usage_counts(u: Mapping[str, Any], what: str) -> dict[str, int]:
    """The counts a ``usage`` object reports, by Anthropic's names (absent and null counts left out)."""
    found = {key: count(u, key, what) for key in _COUNTS}
    details = opt_dict(u, "output_tokens_details", what)
    if details is not None:
        found["thinking_tokens"] = count(details, "thinking_tokens", f"{what}.output_tokens_details")
    return {k: v for k, v in found.items() if v is not None}


def usage_from(c: Mapping[str, int]) -> Usage:
    """Anthropic counts cache reads and writes apart from ``input_tokens``; ours includes them (see `Usage`)."""
    cache_read = c.get("cache_read_input_tokens", 0)
    cache_write = c.get("cache_creation_input_tokens", 0)
    return Usage.model_construct(
        input_tokens=c.get("input_tokens", 0) + cache_read + cache_write,
        output_tokens=c.get("output_tokens", 0),
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
        reasoning_tokens=c.get("thinking_tokens", 0),
    )


def _decode_block(b: Mapping[str, Any]) -> Any:
    kind = b.get("type")
    if kind == "text":
        return TextPart(text=req_str(b, "text", "a text block"))
    if kind == "tool_use":
        return ToolCallPart(
            id=req_str(b, "id", "a tool_use block"),
            name=req_str(b, "name", "a tool_use block"),
            arguments=opt_dict(b, "input", "a tool_use block") or {},
        )
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


# Blocks whose input streams as input_json_delta: the caller's tools, and the server's own (kept out of the answer).
_TRACKS_INPUT = frozenset({"tool_use", "server_tool_use", "mcp_tool_use"})


class AnthropicStream:
    """Messages stream events: message_start, content blocks, message_delta, message_stop (or error)."""

    def __init__(self, dialect: AnthropicMessages) -> None:
        self._dialect = dialect
        self._id = ""
        self._model: str | None = None
        self._started = False
        self._counts: dict[str, int] | None = None  # None until a usage object arrives
        self._blocks: dict[int, dict[str, Any]] = {}
        self._tool_index: dict[int, int] = {}
        self._raw_stop: str | None = None
        self._done = False

    @property
    def done(self) -> bool:
        return self._done

    def on_message(self, event: str | None, data: str) -> list[StreamEvent]:
        if self._done:
            return []  # nothing after message_stop is part of the answer
        return self.on_event(as_dict(loads(data, "a stream event"), "a stream event"))

    def on_event(self, ev: Mapping[str, Any]) -> list[StreamEvent]:
        """One decoded event (Bedrock's framing calls this directly)."""
        if self._done:
            return []
        kind = ev.get("type")
        if kind == "content_block_delta":
            return self._delta(ev)
        if kind == "content_block_start":
            return self._block_start(ev)
        if kind == "message_delta":
            self._need_start(kind)
            delta = opt_dict(ev, "delta", "a message_delta event") or {}
            self._raw_stop = opt_str(delta, "stop_reason", "a message_delta event's delta") or self._raw_stop
            usage = opt_dict(ev, "usage", "a message_delta event")
            if usage is None:
                return []
            return [UsageEvent(self._merge(usage, "a message_delta event's usage"))]
        if kind == "message_start":
            if self._started:
                raise bad("a second message_start in one stream")
            self._started = True
            msg = as_dict(ev.get("message"), "a message_start event's message")
            self._id = opt_str(msg, "id", "a message_start event's message") or ""
            self._model = opt_str(msg, "model", "a message_start event's message")
            usage = opt_dict(msg, "usage", "a message_start event's message")
            if usage is not None:  # the input tokens, known from the start (what a stream cut later is billed)
                return [UsageEvent(self._merge(usage, "a message_start event's usage"))]
            return []
        if kind == "message_stop":
            self._need_start(kind)
            self._done = True
            return [StopEvent(_STOP.get(self._raw_stop or "", StopReason.OTHER), self._raw_stop)]
        if kind == "error":
            err = ev.get("error")
            raise self._dialect.classify_error_object(200, {}, err if isinstance(err, dict) else {})
        return []  # ping, content_block_stop, and event types added later

    def _need_start(self, kind: str) -> None:
        if not self._started:
            raise bad(f"a {kind} event before message_start")

    def _merge(self, usage: Mapping[str, Any], what: str) -> Usage:
        self._counts = {**(self._counts or {}), **usage_counts(usage, what)}
        return usage_from(self._counts)

    def _index(self, ev: Mapping[str, Any], what: str) -> int:
        index = opt_index(ev, "index", what)
        if index is None:
            raise bad(f"{what} without an index")
        return index

    def _block_start(self, ev: Mapping[str, Any]) -> list[StreamEvent]:
        self._need_start("content_block_start")
        index = self._index(ev, "a content_block_start event")
        block = as_dict(ev.get("content_block"), "a content_block_start event's content_block")
        if index in self._blocks:
            raise bad(f"content block {index} started twice")
        btype = opt_str(block, "type", "a content_block_start event's content_block")
        state: dict[str, Any] = {"type": btype, "parts": [], "block": block, "input": None}
        self._blocks[index] = state
        if btype == "text":
            text = opt_str(block, "text", "a text block") or ""
            if text:
                state["parts"].append(text)
                return [TextDelta(text)]
            return []
        if btype in _TRACKS_INPUT:
            state["input"] = opt_dict(block, "input", f"a {btype} block")  # the whole input, if no deltas follow
        if btype == "tool_use":
            call_id, name = req_str(block, "id", "a tool_use block"), req_str(block, "name", "a tool_use block")
            ordinal = self._tool_index.setdefault(index, len(self._tool_index))
            given = json.dumps(state["input"], separators=(",", ":"), ensure_ascii=False) if state["input"] else ""
            return [ToolCallDelta(index=ordinal, id=call_id, name=name, arguments_delta=given)]
        return []

    def _delta(self, ev: Mapping[str, Any]) -> list[StreamEvent]:
        self._need_start("content_block_delta")
        index = self._index(ev, "a content_block_delta event")
        delta = as_dict(ev.get("delta"), "a content_block_delta event's delta")
        block = self._blocks.get(index)
        if block is None:
            raise bad(f"a delta for content block {index}, which never started")
        dtype = delta.get("type")
        if dtype == "text_delta":
            text = req_str(delta, "text", "a text_delta")
            if block["type"] != "text":
                return []
            block["parts"].append(text)
            return [TextDelta(text)]
        if dtype == "input_json_delta":
            frag = opt_str(delta, "partial_json", "an input_json_delta") or ""
            if block["type"] not in _TRACKS_INPUT:
                return []
            block["parts"].append(frag)
            if block["type"] == "tool_use":
                return [ToolCallDelta(index=self._tool_index[index], arguments_delta=frag)]
        return []  # thinking, signature and citation deltas are not part of the unified answer yet

    def end(self) -> list[StreamEvent]:
        """The body ended cleanly: an Anthropic stream is complete only at message_stop, which says so itself."""
        return []

    def finish(self) -> Response:
        if not self._done:
            raise bad("the stream ended before message_stop")
        stop = _STOP.get(self._raw_stop or "", StopReason.OTHER)
        parts: list[Any] = []
        incomplete: list[IncompleteToolCall] = []
        order = sorted(self._blocks)
        for index in order:
            b = self._blocks[index]
            if b["type"] == "text":
                parts.append(TextPart(text="".join(b["parts"])))
            elif b["type"] == "tool_use":
                call_id, name = b["block"]["id"], b["block"]["name"]
                raw = "".join(b["parts"])
                # max_tokens can only have cut the last block: the model finished every earlier one
                cut = stop is StopReason.MAX_TOKENS and index == order[-1]
                if raw or not b["input"]:
                    args = tool_arguments(raw, f"the input of tool call {name!r}", cut=cut)
                else:
                    args = b["input"]
                if args is None:
                    incomplete.append(IncompleteToolCall.model_construct(id=call_id, name=name, arguments_text=raw))
                else:
                    parts.append(ToolCallPart(id=call_id, name=name, arguments=args))
        return Response.decoded(
            id=self._id,
            content=parts,
            stop_reason=stop,
            raw_stop_reason=self._raw_stop,
            usage=None if self._counts is None else usage_from(self._counts),
            model=self._model,
            incomplete_tool_calls=incomplete,
        )
