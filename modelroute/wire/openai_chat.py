"""OpenAI Chat Completions, sans-IO: request bodies, responses, SSE streams and error bodies.

Spoken by OpenAI, Azure OpenAI, Bedrock's OpenAI-compatible endpoint and OpenAI-compatible servers (vLLM...).
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

__all__ = ["OpenAIChat", "OpenAIChatStream"]

_STOP = {
    "stop": StopReason.END,
    "length": StopReason.MAX_TOKENS,
    "tool_calls": StopReason.TOOL_USE,
    "function_call": StopReason.TOOL_USE,
    "content_filter": StopReason.CONTENT_FILTER,
}

_CODE_KIND = {
    "context_length_exceeded": ErrorKind.CONTEXT_WINDOW,
    "model_context_window_exceeded": ErrorKind.CONTEXT_WINDOW,
    "content_filter": ErrorKind.CONTENT_FILTERED,
    "insufficient_quota": ErrorKind.QUOTA_EXHAUSTED,
    "billing_hard_limit_reached": ErrorKind.QUOTA_EXHAUSTED,
    "invalid_api_key": ErrorKind.AUTH,
    "model_not_found": ErrorKind.NOT_FOUND,
    "DeploymentNotFound": ErrorKind.NOT_FOUND,
    "rate_limit_exceeded": ErrorKind.RATE_LIMITED,
}


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class OpenAIChat:
    """The Chat Completions dialect. ``max_tokens_field`` is ``max_completion_tokens`` (current OpenAI models)."""

    name = "openai_chat"
    supports_prefill = False  # Chat Completions answers a trailing assistant message afresh

    def __init__(self, *, max_tokens_field: str = "max_completion_tokens") -> None:
        self.max_tokens_field = max_tokens_field

    # --- encode -------------------------------------------------------------------------------------------------

    def encode_body(self, request: Request, model: str, *, stream: bool) -> dict[str, Any]:
        messages: list[dict[str, Any]] = []
        if request.system:
            messages.append({"role": "system", "content": request.system})
        for m in request.messages:
            messages.extend(_encode_message(m))
        body: dict[str, Any] = {"model": model, "messages": messages}
        if request.max_tokens is not None:
            body[self.max_tokens_field] = request.max_tokens
        if request.stop:
            body["stop"] = list(request.stop)
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.tools:
            body["tools"] = [_encode_tool(t.name, t.description, t.parameters) for t in request.tools]
        if request.tool_choice is not None:
            tc = request.tool_choice
            body["tool_choice"] = {"type": "function", "function": {"name": tc.name}} if tc.mode == "tool" else tc.mode
        if stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        return body

    # --- decode -------------------------------------------------------------------------------------------------

    def decode(self, body: bytes) -> Response:
        data = load_json_object(body)
        if data is None or not isinstance(data.get("choices"), list) or not data["choices"]:
            raise MalformedResponseError("a chat completion without choices", body=body[:500])
        try:
            choice = data["choices"][0]
            msg = choice.get("message") or {}
            parts: list[Any] = []
            if msg.get("content"):
                parts.append(TextPart(text=msg["content"]))
            for call in msg.get("tool_calls") or ():
                fn = call["function"]
                parts.append(ToolCallPart(id=call["id"], name=fn["name"], arguments=_args(fn.get("arguments"))))
            raw_stop = choice.get("finish_reason")
            stop = _STOP.get(raw_stop or "", StopReason.OTHER)
            if msg.get("refusal"):
                parts.append(TextPart(text=msg["refusal"]))
                stop = StopReason.REFUSAL
            return Response.decoded(
                id=data.get("id", ""),
                content=parts,
                stop_reason=stop,
                raw_stop_reason=raw_stop,
                usage=_usage(data.get("usage")),
            )
        except (KeyError, TypeError, AttributeError) as e:
            raise MalformedResponseError(f"a chat completion we cannot read: {e!r}", body=body[:500]) from None

    def stream_handler(self) -> OpenAIChatStream:
        return OpenAIChatStream(self)

    # --- errors -------------------------------------------------------------------------------------------------

    def classify(self, status: int, headers: Mapping[str, str], body: bytes) -> ProviderError:
        data = load_json_object(body)
        err = data.get("error") if data else None
        if not isinstance(err, dict):
            err = {"message": body[:300].decode("utf-8", "replace")} if body else {}
        return self.classify_error_object(status, headers, err)

    def classify_error_object(self, status: int, headers: Mapping[str, str], err: Mapping[str, Any]) -> ProviderError:
        message = str(err.get("message") or "")
        code = err.get("code")
        code_s = str(code) if code is not None else None
        kind = _CODE_KIND.get(code_s or "")
        if kind is None and status == 200:  # an error inside a stream: only its type tells what it was
            kind = _CODE_KIND.get(str(err.get("type") or ""), ErrorKind.SERVER_ERROR)
        if kind is None:
            kind = kind_for_status(status)
            if kind is ErrorKind.INVALID_REQUEST and mentions_context_window(message):
                kind = ErrorKind.CONTEXT_WINDOW
        return build_error(kind, message, status=status, headers=headers, code=code_s, body=dict(err))


def _encode_tool(name: str, description: str, parameters: dict[str, Any]) -> dict[str, Any]:
    fn: dict[str, Any] = {"name": name}
    if description:
        fn["description"] = description
    fn["parameters"] = parameters
    return {"type": "function", "function": fn}


def _encode_message(m: Message) -> list[dict[str, Any]]:
    if m.role == "assistant":
        out: dict[str, Any] = {"role": "assistant"}
        texts = [p.text for p in m.content if isinstance(p, TextPart)]
        calls = [p for p in m.content if isinstance(p, ToolCallPart)]
        out["content"] = "".join(texts) if texts else None
        if calls:
            out["tool_calls"] = [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": _dumps(c.arguments)},
                }
                for c in calls
            ]
        return [out]
    results = [p for p in m.content if isinstance(p, ToolResultPart)]
    rest = [p for p in m.content if not isinstance(p, ToolResultPart)]
    msgs: list[dict[str, Any]] = [
        {"role": "tool", "tool_call_id": r.tool_call_id, "content": _tool_result_text(r)} for r in results
    ]
    if rest:
        if len(rest) == 1 and isinstance(rest[0], TextPart):
            msgs.append({"role": "user", "content": rest[0].text})
        else:
            msgs.append({"role": "user", "content": [_encode_part(p) for p in rest]})
    return msgs


def _tool_result_text(r: ToolResultPart) -> str:
    if isinstance(r.content, str):
        return r.content
    return "".join(p.text for p in r.content if isinstance(p, TextPart))


def _encode_part(p: Any) -> dict[str, Any]:
    if isinstance(p, TextPart):
        return {"type": "text", "text": p.text}
    if isinstance(p, ImagePart):
        url = p.url or f"data:{p.media_type};base64,{p.data}"
        return {"type": "image_url", "image_url": {"url": url}}
    raise MalformedResponseError(f"cannot send a {p.type} part in a user turn")  # pragma: no cover - planner guards


def _args(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise MalformedResponseError(f"tool call arguments are not JSON: {raw[:200]!r}") from None
    if not isinstance(value, dict):
        raise MalformedResponseError("tool call arguments are not a JSON object")
    return value


def _usage(u: Any) -> Usage:
    if not isinstance(u, dict):
        return Usage()
    prompt = u.get("prompt_tokens") or 0
    details = u.get("prompt_tokens_details") or {}
    out_details = u.get("completion_tokens_details") or {}
    return Usage.model_construct(
        input_tokens=prompt,
        output_tokens=u.get("completion_tokens") or 0,
        cache_read_tokens=details.get("cached_tokens") or 0,
        cache_write_tokens=0,
        reasoning_tokens=out_details.get("reasoning_tokens") or 0,
    )


class OpenAIChatStream:
    """Chat Completions SSE: ``data:`` chunks, a usage chunk with ``choices: []``, then ``data: [DONE]``."""

    def __init__(self, dialect: OpenAIChat) -> None:
        self._dialect = dialect
        self._id = ""
        self._text: list[str] = []
        self._refusal: list[str] = []
        self._calls: dict[int, dict[str, Any]] = {}
        self._raw_stop: str | None = None
        self._usage = Usage()
        self._done = False

    @property
    def done(self) -> bool:
        return self._done

    def on_message(self, event: str | None, data: str) -> list[StreamEvent]:
        if self._done:
            return []
        if data.startswith("[DONE]"):
            self._done = True
            return [StopEvent(self._stop_reason(), self._raw_stop)]
        try:
            chunk = json.loads(data)
        except ValueError:
            raise MalformedResponseError(f"a stream chunk is not JSON: {data[:200]!r}", status=200) from None
        if not isinstance(chunk, dict):
            raise MalformedResponseError("a stream chunk is not a JSON object", status=200)
        if chunk.get("error"):
            err = chunk["error"] if isinstance(chunk["error"], dict) else {"message": str(chunk["error"])}
            raise self._dialect.classify_error_object(200, {}, err)
        out: list[StreamEvent] = []
        self._id = self._id or chunk.get("id", "")
        for choice in chunk.get("choices") or ():
            if choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            if delta.get("content"):
                self._text.append(delta["content"])
                out.append(TextDelta(delta["content"]))
            if delta.get("refusal"):
                self._refusal.append(delta["refusal"])
            for tc in delta.get("tool_calls") or ():
                out.append(self._tool_delta(tc))
            if choice.get("finish_reason"):
                self._raw_stop = choice["finish_reason"]
        if chunk.get("usage"):
            self._usage = _usage(chunk["usage"])
            out.append(UsageEvent(self._usage))
        return out

    def _tool_delta(self, tc: dict[str, Any]) -> ToolCallDelta:
        index = tc.get("index", 0)
        fn = tc.get("function") or {}
        call = self._calls.setdefault(index, {"id": None, "name": None, "args": []})
        if tc.get("id"):
            call["id"] = tc["id"]
        if fn.get("name"):
            call["name"] = fn["name"]
        frag = fn.get("arguments") or ""
        call["args"].append(frag)
        return ToolCallDelta(index=index, id=tc.get("id"), name=fn.get("name"), arguments_delta=frag)

    def _stop_reason(self) -> StopReason:
        if self._refusal:
            return StopReason.REFUSAL
        return _STOP.get(self._raw_stop or "", StopReason.OTHER)

    def finish(self) -> Response:
        if not self._done:
            raise MalformedResponseError("the stream ended before data: [DONE]", status=200)
        parts: list[Any] = []
        if self._text:
            parts.append(TextPart(text="".join(self._text)))
        if self._refusal:
            parts.append(TextPart(text="".join(self._refusal)))
        for index in sorted(self._calls):
            c = self._calls[index]
            if not c["id"] or not c["name"]:
                raise MalformedResponseError("a streamed tool call arrived without its id or name", status=200)
            parts.append(ToolCallPart(id=c["id"], name=c["name"], arguments=_args("".join(c["args"]))))
        return Response.decoded(
            id=self._id,
            content=parts,
            stop_reason=self._stop_reason(),
            raw_stop_reason=self._raw_stop,
            usage=self._usage,
        )
