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
    DocumentPart,
    ImagePart,
    IncompleteToolCall,
    Message,
    MessageStart,
    ReasoningDelta,
    Request,
    Response,
    StopEvent,
    StopReason,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingPart,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallPart,
    ToolCallStart,
    ToolResultPart,
    Usage,
    UsageEvent,
)
from ..exceptions import ErrorKind, ProviderError
from ._carry import ANTHROPIC, _foreign_tool_turn
from ._read import as_dict, bad, count, loads, opt_dict, opt_index, opt_list, opt_str, req_str, tool_arguments
from .errors import build_error, kind_for_status, load_json_object, mentions_context_window

__all__ = ["DEFAULT_MAX_TOKENS", "THINKING_BUDGETS", "AnthropicMessages", "AnthropicStream"]

# Anthropic requires max_tokens; when the caller gives none we ask for this many (plus the thinking budget).
DEFAULT_MAX_TOKENS = 4096

#: The reasoning effort as a Claude thinking budget in tokens (``budget_tokens``; at most ``max_tokens - 1``).
THINKING_BUDGETS = {"minimal": 1024, "low": 4096, "medium": 8192, "high": 16384, "xhigh": 24576, "max": 32768}
#: The effort as Claude's ``output_config.effort`` (adaptive thinking), which has no ``minimal``.
_CLAUDE_EFFORT = {"minimal": "low", "low": "low", "medium": "medium", "high": "high", "xhigh": "xhigh", "max": "max"}
_CACHE = {"5m": {"type": "ephemeral"}, "1h": {"type": "ephemeral", "ttl": "1h"}}

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

    carriage = ANTHROPIC

    def encode_body(self, request: Request, model: str, *, stream: bool) -> dict[str, Any]:
        """The body ``anthropic``'s ``messages.create`` sends for the same request (see `THINKING_BUDGETS` for
        reasoning; what this dialect adapts is declared in `carriage`)."""
        body: dict[str, Any] = {"model": model, "max_tokens": request.max_tokens or DEFAULT_MAX_TOKENS}
        body["messages"] = [m for m in (_encode_message(m) for m in request.messages) if m is not None]
        system = request.system
        if system:
            body["system"] = system if isinstance(system, str) else [_text_block(b) for b in system]
        if request.stop:
            body["stop_sequences"] = list(request.stop)
        for name in ("temperature", "top_p", "top_k"):  # API versions that refuse them are skipped by the planner
            value = getattr(request, name)
            if value is not None:
                body[name] = value
        if request.tools:
            body["tools"] = [_encode_tool(t) for t in request.tools]
            choice = _tool_choice(request)
            if choice is not None:
                body["tool_choice"] = choice
        _reasoning(request, body)
        fmt = request.response_format
        if fmt is not None:
            body.setdefault("output_config", {})["format"] = {"type": "json_schema", "schema": fmt.anthropic_schema}
        if request.user is not None:
            body["metadata"] = {"user_id": request.user}
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
        stop = _STOP.get(raw_stop or "", StopReason.OTHER)
        return Response.decoded(
            id=opt_str(data, "id", "the message") or "",
            content=parts,
            stop_reason=stop,
            raw_stop_reason=raw_stop,
            usage=None if usage is None else usage_from(usage_counts(usage, "usage")),
            model=opt_str(data, "model", "the message"),
            stop_sequence=opt_str(data, "stop_sequence", "the message"),
            refusal=_refusal(stop, parts),
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


def _refusal(stop: StopReason, parts: list[Any]) -> str | None:
    """Claude's answer when it stopped to refuse (its text, possibly cut short), else None."""
    if stop is not StopReason.REFUSAL:
        return None
    return "".join(p.text for p in parts if isinstance(p, TextPart))


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
    if kind == "thinking":
        text = req_str(b, "thinking", "a thinking block")
        return ThinkingPart(text=text, signature=opt_str(b, "signature", "a thinking block"))
    if kind == "redacted_thinking":
        return ThinkingPart(redacted=req_str(b, "data", "a redacted_thinking block"))
    return None  # the server's own tools' blocks are not part of the unified answer


# --- encoding ---------------------------------------------------------------------------------------------------


def _cached(out: dict[str, Any], cache: str | None) -> dict[str, Any]:
    if cache is not None:
        out["cache_control"] = dict(_CACHE[cache])
    return out


def _text_block(p: TextPart) -> dict[str, Any]:
    return _cached({"type": "text", "text": p.text}, p.cache)


def _encode_tool(t: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": t.name}
    if t.description:
        out["description"] = t.description
    out["input_schema"] = t.parameters
    if t.strict is not None:
        out["strict"] = t.strict
    return _cached(out, t.cache)


def _tool_choice(request: Request) -> dict[str, Any] | None:
    tc, parallel = request.tool_choice, request.parallel_tool_calls
    if tc is None:
        return {"type": "auto", "disable_parallel_tool_use": True} if parallel is False else None
    mode = {"required": "any"}.get(tc.mode, tc.mode)
    out: dict[str, Any] = {"type": mode, "name": tc.name} if tc.mode == "tool" else {"type": mode}
    if parallel is False and mode != "none":
        out["disable_parallel_tool_use"] = True
    return out


def _reasoning(request: Request, body: dict[str, Any]) -> None:
    """``thinking`` (and ``output_config.effort``) for the request's reasoning effort."""
    effort, settings = request.reasoning, request.anthropic
    if settings is not None and settings.effort is not None:
        body["output_config"] = {"effort": settings.effort}
    if effort is None:
        return
    if effort == "none":
        body["thinking"] = {"type": "disabled"}
        return
    last = next((m for m in reversed(request.messages) if m.role == "assistant"), None)
    if last is not None and _foreign_tool_turn(last.content):
        return  # Claude would refuse to continue that turn with thinking on: declared in `ANTHROPIC` (adapts)
    if settings is not None and settings.thinking == "adaptive":
        body["thinking"] = {"type": "adaptive"}
        body.setdefault("output_config", {}).setdefault("effort", _CLAUDE_EFFORT[effort])
        return
    budget = (settings.thinking_budget if settings is not None else None) or THINKING_BUDGETS[effort]
    if request.max_tokens is not None:
        budget = min(budget, request.max_tokens - 1)
    else:
        body["max_tokens"] = DEFAULT_MAX_TOKENS + budget
    body["thinking"] = {"type": "enabled", "budget_tokens": budget}


def _encode_message(m: Message) -> dict[str, Any] | None:
    content = m.content
    if len(content) == 1 and type(content[0]) is TextPart and content[0].cache is None:
        return {"role": m.role, "content": content[0].text}
    blocks = [b for b in (_encode_part(p) for p in content) if b is not None]
    if not blocks:
        return None  # a turn of reasoning Claude cannot take back: nothing of it is sent
    return {"role": m.role, "content": blocks}


def _encode_part(p: Any) -> dict[str, Any] | None:
    t = type(p)
    if t is TextPart:
        return _text_block(p)
    if t is ToolCallPart:
        return {"type": "tool_use", "id": p.id, "name": p.name, "input": p.arguments}
    if t is ImagePart:
        return _cached({"type": "image", "source": _image_source(p)}, p.cache)
    if t is ToolResultPart:
        out: dict[str, Any] = {"type": "tool_result", "tool_use_id": p.tool_call_id}
        out["content"] = p.content if isinstance(p.content, str) else [_encode_part(c) for c in p.content]
        if p.is_error:
            out["is_error"] = True
        return _cached(out, p.cache)
    if t is ThinkingPart:
        if p.redacted is not None:
            return {"type": "redacted_thinking", "data": p.redacted}
        if p.signature is None:
            return None  # not Claude's own: declared in `ANTHROPIC` (adapts)
        return {"type": "thinking", "thinking": p.text, "signature": p.signature}
    assert t is DocumentPart
    source = (
        {"type": "url", "url": p.url}
        if p.url is not None
        else {"type": "base64", "media_type": p.media_type, "data": p.data}
    )
    out = {"type": "document", "source": source}
    if p.title is not None:
        out["title"] = p.title
    if p.context is not None:
        out["context"] = p.context
    return _cached(out, p.cache)


def _image_source(p: ImagePart) -> dict[str, Any]:
    if p.url:
        return {"type": "url", "url": p.url}
    return {"type": "base64", "media_type": p.media_type, "data": p.data}


# Blocks whose input streams as input_json_delta: the caller's tools, and the server's own (kept out of the answer).
_TRACKS_INPUT = frozenset({"tool_use", "server_tool_use", "mcp_tool_use"})


class AnthropicStream:
    """Messages stream events: message_start, content blocks, message_delta, message_stop (or error).

    Unified events: `MessageStart` at message_start; `TextDelta` for text; `ReasoningDelta` for thinking text and
    a thinking block's signature; per tool_use block `ToolCallStart`, `ToolCallDelta` s (one holding the whole
    input when ``content_block_start`` gives it) and, at its content_block_stop, `ToolCallEnd` (a block whose
    JSON does not parse then waits for the stop reason: cut by max_tokens, it is an incomplete call; otherwise
    the stream is malformed); `UsageEvent` at message_delta; `StopEvent` at message_stop."""

    def __init__(self, dialect: AnthropicMessages) -> None:
        self._dialect = dialect
        self._id = ""
        self._model: str | None = None
        self._started = False
        self._counts: dict[str, int] | None = None  # None until a usage object arrives
        self._blocks: dict[int, dict[str, Any]] = {}
        self._tool_index: dict[int, int] = {}
        self._raw_stop: str | None = None
        self._stop_sequence: str | None = None
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
        if kind == "content_block_stop":
            return self._block_stop(ev)
        if kind == "message_delta":
            self._need_start(kind)
            delta = opt_dict(ev, "delta", "a message_delta event") or {}
            self._raw_stop = opt_str(delta, "stop_reason", "a message_delta event's delta") or self._raw_stop
            seq = opt_str(delta, "stop_sequence", "a message_delta event's delta")
            self._stop_sequence = seq if seq is not None else self._stop_sequence
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
            start = MessageStart(self._id, self._model)
            if usage is not None:  # the input tokens, known from the start (what a stream cut later is billed)
                return [start, UsageEvent(self._merge(usage, "a message_start event's usage"))]
            return [start]
        if kind == "message_stop":
            self._need_start(kind)
            out = self._end_calls()
            self._done = True
            stop = _STOP.get(self._raw_stop or "", StopReason.OTHER)
            out.append(StopEvent(stop, self._raw_stop, self._stop_sequence))
            return out
        if kind == "error":
            err = ev.get("error")
            raise self._dialect.classify_error_object(200, {}, err if isinstance(err, dict) else {})
        return []  # ping, and event types added later

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
        state: dict[str, Any] = {"type": btype, "parts": [], "block": block, "input": None, "ended": False}
        self._blocks[index] = state
        if btype == "text":
            text = opt_str(block, "text", "a text block") or ""
            if text:
                state["parts"].append(text)
                return [TextDelta(text)]
            return []
        if btype == "thinking":
            text = opt_str(block, "thinking", "a thinking block") or ""
            state["signature"] = opt_str(block, "signature", "a thinking block")
            if text:
                state["parts"].append(text)
                return [ReasoningDelta(text)]
            return []
        if btype == "redacted_thinking":
            state["data"] = req_str(block, "data", "a redacted_thinking block")
            return []
        if btype in _TRACKS_INPUT:
            state["input"] = opt_dict(block, "input", f"a {btype} block")  # the whole input, if no deltas follow
        if btype == "tool_use":
            call_id, name = req_str(block, "id", "a tool_use block"), req_str(block, "name", "a tool_use block")
            ordinal = self._tool_index.setdefault(index, len(self._tool_index))
            out: list[StreamEvent] = [ToolCallStart(ordinal, call_id, name)]
            if state["input"]:
                out.append(
                    ToolCallDelta(ordinal, json.dumps(state["input"], separators=(",", ":"), ensure_ascii=False))
                )
            return out
        return []

    def _delta(self, ev: Mapping[str, Any]) -> list[StreamEvent]:
        self._need_start("content_block_delta")
        index = self._index(ev, "a content_block_delta event")
        delta = as_dict(ev.get("delta"), "a content_block_delta event's delta")
        block = self._blocks.get(index)
        if block is None:
            raise bad(f"a delta for content block {index}, which never started")
        dtype = delta.get("type")
        btype = block["type"]
        if dtype == "text_delta":
            text = req_str(delta, "text", "a text_delta")
            if btype != "text":
                return []
            block["parts"].append(text)
            return [TextDelta(text)]
        if dtype == "input_json_delta":
            frag = opt_str(delta, "partial_json", "an input_json_delta") or ""
            if btype not in _TRACKS_INPUT:
                return []
            block["parts"].append(frag)
            if btype == "tool_use" and frag:
                return [ToolCallDelta(self._tool_index[index], frag)]
            return []
        if dtype == "thinking_delta":
            text = req_str(delta, "thinking", "a thinking_delta")
            if btype != "thinking":
                return []
            block["parts"].append(text)
            return [ReasoningDelta(text)]
        if dtype == "signature_delta":
            signature = req_str(delta, "signature", "a signature_delta")
            if btype != "thinking":
                return []
            block["signature"] = signature  # the whole signature, as the SDK reads it (one delta, at the end)
            return [ReasoningDelta("", signature)]
        return []  # citation deltas and delta types added later

    def _block_stop(self, ev: Mapping[str, Any]) -> list[StreamEvent]:
        self._need_start("content_block_stop")
        index = self._index(ev, "a content_block_stop event")
        block = self._blocks.get(index)
        if block is None or block["type"] != "tool_use" or block["ended"]:
            return []
        end = self._tool_end(index, block, cut=True)
        return [end] if end is not None else []

    def _tool_end(self, index: int, block: dict[str, Any], *, cut: bool) -> ToolCallEnd | None:
        """The end of a tool call whose arguments parse; None when they do not yet (``cut``: they may have been
        cut by max_tokens, which only the stop reason tells)."""
        raw = "".join(block["parts"])
        args = block["input"] if not raw and block["input"] else None
        if args is None:
            args = tool_arguments(raw, f"the input of tool call {block['block']['name']!r}", cut=cut)
        if args is None:
            return None
        block["ended"] = True
        block["args"] = args
        return ToolCallEnd(self._tool_index[index], block["block"]["id"], block["block"]["name"], args)

    def _end_calls(self) -> list[StreamEvent]:
        """At message_stop: end the tool calls still open. One whose arguments do not parse is the cut call of a
        max_tokens answer (the last block), or a malformed stream."""
        cut_stop = self._raw_stop == "max_tokens"
        order = sorted(self._blocks)
        out: list[StreamEvent] = []
        for index in order:
            b = self._blocks[index]
            if b["type"] == "tool_use" and not b["ended"]:
                end = self._tool_end(index, b, cut=cut_stop and index == order[-1])
                if end is not None:
                    out.append(end)
        return out

    def end(self) -> list[StreamEvent]:
        """The body ended cleanly: an Anthropic stream is complete only at message_stop, which says so itself."""
        return []

    def finish(self) -> Response:
        if not self._done:
            raise bad("the stream ended before message_stop")
        stop = _STOP.get(self._raw_stop or "", StopReason.OTHER)
        parts: list[Any] = []
        incomplete: list[IncompleteToolCall] = []
        for index in sorted(self._blocks):
            b = self._blocks[index]
            btype = b["type"]
            if btype == "text":
                parts.append(TextPart(text="".join(b["parts"])))
            elif btype == "thinking":
                parts.append(ThinkingPart(text="".join(b["parts"]), signature=b.get("signature")))
            elif btype == "redacted_thinking":
                parts.append(ThinkingPart(redacted=b["data"]))
            elif btype == "tool_use":
                call_id, name = b["block"]["id"], b["block"]["name"]
                if b["ended"]:
                    parts.append(ToolCallPart(id=call_id, name=name, arguments=b["args"]))
                else:
                    raw = "".join(b["parts"])
                    incomplete.append(IncompleteToolCall.model_construct(id=call_id, name=name, arguments_text=raw))
        return Response.decoded(
            id=self._id,
            content=parts,
            stop_reason=stop,
            raw_stop_reason=self._raw_stop,
            usage=None if self._counts is None else usage_from(self._counts),
            model=self._model,
            incomplete_tool_calls=incomplete,
            stop_sequence=self._stop_sequence,
            refusal=_refusal(stop, parts),
        )
