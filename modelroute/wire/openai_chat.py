"""OpenAI Chat Completions, sans-IO: request bodies, responses, SSE streams and error bodies.

Spoken by OpenAI, Azure OpenAI, Bedrock's OpenAI-compatible endpoint and OpenAI-compatible servers (vLLM...).

Shapes read beyond OpenAI's own (as the ``openai`` SDK, which does not validate them, passes them through):
``content`` as a list of parts (``[{"type": "text", "text": ...}]``, from OpenAI-compatible servers) is the
concatenation of its text parts; tool-call ``arguments`` given as an object rather than JSON text are taken as
they are. Any other type for a field is a ``malformed_response`` (see `modelroute.wire._read`).

A stream is complete at ``data: [DONE]``, or when the body ends cleanly after a chunk with a ``finish_reason``
and, when ``stream_options.include_usage`` was sent, the usage chunk: the SDK accepts such streams, and
OpenAI-compatible servers send them. The usage chunk comes last, so once it follows the finish reason the answer
is complete and anything after it is ignored. A stream that ends before its finish reason is malformed.
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
from ..exceptions import ErrorKind, MalformedResponseError, ProviderError
from ._carry import OPENAI
from ._read import (
    as_dict,
    bad,
    count,
    describe,
    loads,
    opt_dict,
    opt_index,
    opt_list,
    opt_str,
    req_str,
    tool_arguments,
    wrong,
)
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
    # OpenAI's safety system refused the prompt ("Your request was rejected as a result of our safety system")
    "content_policy_violation": ErrorKind.CONTENT_FILTERED,
    "moderation_blocked": ErrorKind.CONTENT_FILTERED,
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
    """The Chat Completions dialect. ``max_tokens_field`` is ``max_completion_tokens`` (current OpenAI models);
    ``stream_usage`` sends ``stream_options: {"include_usage": true}`` on streamed requests, so the stream ends
    with a usage chunk (turn it off for OpenAI-compatible servers that reject the field)."""

    name = "openai_chat"
    supports_prefill = False  # Chat Completions answers a trailing assistant message afresh

    def __init__(self, *, max_tokens_field: str = "max_completion_tokens", stream_usage: bool = True) -> None:
        self.max_tokens_field = max_tokens_field
        self.stream_usage = stream_usage

    # --- encode -------------------------------------------------------------------------------------------------

    carriage = OPENAI

    def encode_body(self, request: Request, model: str, *, stream: bool) -> dict[str, Any]:
        """The body ``openai``'s ``chat.completions.create`` sends for the same request (what this dialect
        adapts is declared in `carriage`)."""
        messages = _system(request)
        for m in request.messages:
            messages.extend(_encode_message(m))
        body: dict[str, Any] = {"model": model, "messages": messages}
        if request.max_tokens is not None:
            body[self.max_tokens_field] = request.max_tokens
        if request.stop:
            body["stop"] = list(request.stop)
        for name in ("temperature", "top_p", "seed"):
            value = getattr(request, name)
            if value is not None:
                body[name] = value
        if request.tools:
            _tools(request, body)
        if request.response_format is not None:
            body["response_format"] = _response_format(request.response_format)
        for name, key in (
            ("reasoning", "reasoning_effort"),
            ("prompt_cache_key", "prompt_cache_key"),
            ("user", "user"),
        ):
            value = getattr(request, name)
            if value is not None:
                body[key] = value
        if request.openai is not None:
            _settings(request, request.openai, body)
        if stream:
            body["stream"] = True
            if self.stream_usage:
                body["stream_options"] = {"include_usage": True}
        return body

    # --- decode -------------------------------------------------------------------------------------------------

    def decode(self, body: bytes) -> Response:
        data = as_dict(loads(body, "the chat completion"), "the chat completion")
        choices = opt_list(data, "choices", "the chat completion")
        if not choices:
            raise bad("a chat completion without choices")
        choice = as_dict(choices[0], "choices[0]")
        msg = opt_dict(choice, "message", "choices[0]") or {}
        raw_stop = opt_str(choice, "finish_reason", "choices[0]")
        stop = _STOP.get(raw_stop or "", StopReason.OTHER)
        parts: list[Any] = []
        reasoning = _reasoning_text(msg, "choices[0].message")
        if reasoning:
            parts.append(ThinkingPart(text=reasoning))
        text = content_text(msg.get("content"), "choices[0].message.content")
        if text:
            parts.append(TextPart(text=text))
        incomplete: list[IncompleteToolCall] = []
        calls = opt_list(msg, "tool_calls", "choices[0].message") or []
        for n, item in enumerate(calls):
            cut = stop is StopReason.MAX_TOKENS and n == len(calls) - 1  # only the last call can have been cut
            call = as_dict(item, "a tool call")
            fn = as_dict(call.get("function"), "a tool call's function")
            call_id, name = req_str(call, "id", "a tool call"), req_str(fn, "name", "a tool call's function")
            raw = fn.get("arguments")
            args = tool_arguments(raw, f"the arguments of tool call {name!r}", cut=cut)
            if args is None:
                incomplete.append(IncompleteToolCall.model_construct(id=call_id, name=name, arguments_text=raw or ""))
            else:
                parts.append(ToolCallPart(id=call_id, name=name, arguments=args))
        refusal = opt_str(msg, "refusal", "choices[0].message")
        if refusal:
            parts.append(TextPart(text=refusal))
            stop = StopReason.REFUSAL
        usage = opt_dict(data, "usage", "the chat completion")
        return Response.decoded(
            id=opt_str(data, "id", "the chat completion") or "",
            content=parts,
            stop_reason=stop,
            raw_stop_reason=raw_stop,
            usage=None if usage is None else _usage(usage_counts(usage, "usage")),
            model=opt_str(data, "model", "the chat completion"),
            incomplete_tool_calls=incomplete,
            refusal=refusal or None,
        )

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


def _system(request: Request) -> list[dict[str, Any]]:
    """The system prompt as the first message (role ``developer`` when the settings say so)."""
    system = request.system
    if not system:
        return []
    settings = request.openai
    role = (settings.system_role if settings is not None else None) or "system"
    if isinstance(system, str):
        return [{"role": role, "content": system}]
    if len(system) == 1:
        return [{"role": role, "content": system[0].text}]
    return [{"role": role, "content": [{"type": "text", "text": b.text} for b in system]}]


def _response_format(fmt: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": fmt.name, "schema": fmt.openai_schema}
    if fmt.strict is not None:
        spec["strict"] = fmt.strict
    return {"type": "json_schema", "json_schema": spec}


def _tools(request: Request, body: dict[str, Any]) -> None:
    body["tools"] = [_encode_tool(t.name, t.description, t.parameters, t.strict) for t in request.tools]
    tc = request.tool_choice
    if tc is not None:
        body["tool_choice"] = {"type": "function", "function": {"name": tc.name}} if tc.mode == "tool" else tc.mode
    if request.parallel_tool_calls is not None:
        body["parallel_tool_calls"] = request.parallel_tool_calls


_SETTINGS = (
    "service_tier",
    "store",
    "safety_identifier",
    "verbosity",
    "frequency_penalty",
    "presence_penalty",
    "prompt_cache_retention",
)


def _settings(request: Request, settings: Any, body: dict[str, Any]) -> None:
    """The OpenAI settings' fields; a stored completion also carries the call's tags and metadata."""
    for name in _SETTINGS:
        value = getattr(settings, name)
        if value is not None:
            body[name] = value
    if settings.store and (request.tags or request.metadata):
        body["metadata"] = {**request.tags, **request.metadata}


def _encode_tool(name: str, description: str, parameters: dict[str, Any], strict: bool | None) -> dict[str, Any]:
    fn: dict[str, Any] = {"name": name}
    if description:
        fn["description"] = description
    fn["parameters"] = parameters
    if strict is not None:
        fn["strict"] = strict
    return {"type": "function", "function": fn}


def _encode_message(m: Message) -> list[dict[str, Any]]:
    if m.role == "assistant":
        out: dict[str, Any] = {"role": "assistant"}
        texts = [p.text for p in m.content if type(p) is TextPart]
        calls = [p for p in m.content if type(p) is ToolCallPart]
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
        if m.name is not None:
            out["name"] = m.name
        return [out]  # reasoning blocks have no place here: declared in `OPENAI` (adapts)
    results = [p for p in m.content if type(p) is ToolResultPart]
    rest = [p for p in m.content if type(p) is not ToolResultPart]
    msgs: list[dict[str, Any]] = [
        {"role": "tool", "tool_call_id": r.tool_call_id, "content": _tool_result_text(r)} for r in results
    ]
    for r in results:  # the images a tool returned follow its messages: declared in `OPENAI` (adapts)
        images = [c for c in r.content if type(c) is ImagePart] if not isinstance(r.content, str) else []
        if images:
            label = {"type": "text", "text": f"The images returned by tool call {r.tool_call_id}:"}
            msgs.append({"role": "user", "content": [label, *(_encode_part(i) for i in images)]})
    if rest:
        user: dict[str, Any]
        if len(rest) == 1 and type(rest[0]) is TextPart:
            user = {"role": "user", "content": rest[0].text}
        else:
            user = {"role": "user", "content": [_encode_part(p) for p in rest]}
        if m.name is not None:
            user["name"] = m.name
        msgs.append(user)
    return msgs


def _tool_result_text(r: ToolResultPart) -> str:
    text = r.content if isinstance(r.content, str) else "".join(p.text for p in r.content if type(p) is TextPart)
    return f"Error: {text}" if r.is_error else text


def _encode_part(p: Any) -> dict[str, Any]:
    t = type(p)
    if t is TextPart:
        return {"type": "text", "text": p.text}
    if t is ImagePart:
        image: dict[str, Any] = {"url": p.url or f"data:{p.media_type};base64,{p.data}"}
        if p.detail is not None:
            image["detail"] = p.detail
        return {"type": "image_url", "image_url": image}
    if t is DocumentPart:  # by URL: refused, declared in `OPENAI`
        name = p.filename or (f"{p.title}.pdf" if p.title else "document.pdf")
        return {"type": "file", "file": {"file_data": f"data:{p.media_type};base64,{p.data}", "filename": name}}
    raise MalformedResponseError(f"cannot send a {p.type} part in a user turn")  # pragma: no cover - validated


def _reasoning_text(msg: Mapping[str, Any], what: str) -> str:
    """The reasoning OpenAI-compatible servers return beside the answer (``reasoning_content``, vLLM's and
    DeepSeek's name, or ``reasoning``); OpenAI's own API returns none."""
    for key in ("reasoning_content", "reasoning"):
        value = msg.get(key)
        if isinstance(value, str):
            return value
        if value is not None and not isinstance(value, dict):  # an object (a summary): not reasoning text
            raise bad(f"{what}.{key} is {describe(value)}, not text")
    return ""


def content_text(value: Any, what: str) -> str:
    """A message's (or delta's) ``content``: text, null, or a list of parts whose ``text`` parts are joined."""
    if value is None or isinstance(value, str):
        return value or ""
    if not isinstance(value, list):
        raise bad(f"{what} is {describe(value)}, not text")
    texts = []
    for item in value:
        part = as_dict(item, f"a part of {what}")
        if part.get("type", "text") in ("text", "output_text"):
            texts.append(opt_str(part, "text", f"a part of {what}") or "")
    return "".join(texts)


def usage_counts(u: dict[str, Any], what: str) -> dict[str, int]:
    """The counts a ``usage`` object reports, by `Usage` field name (absent and null counts left out)."""
    details = opt_dict(u, "prompt_tokens_details", what) or {}
    out_details = opt_dict(u, "completion_tokens_details", what) or {}
    found = {
        "input_tokens": count(u, "prompt_tokens", what),
        "output_tokens": count(u, "completion_tokens", what),
        "cache_read_tokens": count(details, "cached_tokens", f"{what}.prompt_tokens_details"),
        "cache_write_tokens": count(details, "cache_write_tokens", f"{what}.prompt_tokens_details"),
        "reasoning_tokens": count(out_details, "reasoning_tokens", f"{what}.completion_tokens_details"),
    }
    return {k: v for k, v in found.items() if v is not None}


def _usage(counts: dict[str, int]) -> Usage:
    return Usage.model_construct(
        input_tokens=counts.get("input_tokens", 0),
        output_tokens=counts.get("output_tokens", 0),
        cache_read_tokens=counts.get("cache_read_tokens", 0),
        cache_write_tokens=counts.get("cache_write_tokens", 0),
        reasoning_tokens=counts.get("reasoning_tokens", 0),
    )


class OpenAIChatStream:
    """Chat Completions SSE: ``data:`` chunks, a usage chunk with ``choices: []``, then ``data: [DONE]``.

    Unified events: `MessageStart` with the first chunk; `TextDelta` for content; `ReasoningDelta` for the
    reasoning OpenAI-compatible servers stream (``reasoning_content`` / ``reasoning``); per tool call
    `ToolCallStart` once its id and name are known, `ToolCallDelta` s, and `ToolCallEnd` when the finish reason
    arrives (a call cut by ``length`` never ends: it is an incomplete call); `UsageEvent`; `StopEvent`."""

    def __init__(self, dialect: OpenAIChat) -> None:
        self._dialect = dialect
        self._id = ""
        self._model: str | None = None
        self._started = False
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._refusal: list[str] = []
        self._calls: dict[int, dict[str, Any]] = {}
        self._raw_stop: str | None = None
        self._counts: dict[str, int] | None = None  # None until a usage chunk arrives
        self._done = False

    @property
    def done(self) -> bool:
        return self._done

    def on_message(self, event: str | None, data: str) -> list[StreamEvent]:
        if self._done:
            return []
        if data.startswith("[DONE]"):
            return self._stop()
        chunk = loads(data, "a stream chunk")
        if type(chunk) is not dict:
            raise wrong("a stream chunk", chunk, "an object")
        err = chunk.get("error")
        if err:
            raise self._dialect.classify_error_object(200, {}, err if isinstance(err, dict) else {"message": str(err)})
        out: list[StreamEvent] = []
        if not self._started:
            self._started = True
            self._id = opt_str(chunk, "id", "a stream chunk") or ""
            self._model = opt_str(chunk, "model", "a stream chunk")
            out.append(MessageStart(self._id, self._model))
        choices = chunk.get("choices")
        if choices is not None:
            if type(choices) is not list:
                raise wrong("a stream chunk's choices", choices, "a list")
            for choice in choices:
                self._choice(choice, out)
        usage = chunk.get("usage")
        if usage is not None:
            if type(usage) is not dict:
                raise wrong("a stream chunk's usage", usage, "an object")
            self._counts = {**(self._counts or {}), **usage_counts(usage, "a stream chunk's usage")}
            out.append(UsageEvent(_usage(self._counts)))
            if self._raw_stop is not None:
                out.extend(self._stop())  # the usage chunk is the last one: complete, with or without [DONE]
        return out

    # The hot path of every streamed answer: types are checked inline (`_read`'s helpers, which name the field the
    # same way, cost a call each).

    def _choice(self, choice: Any, out: list[StreamEvent]) -> None:
        if type(choice) is not dict:
            raise wrong("a stream chunk's choice", choice, "an object")
        index = choice.get("index")
        if index:
            if type(index) is not int or index < 0:
                raise wrong("a stream chunk's choice.index", index, "an index")
            return  # only the first choice is ours (we never ask for n > 1)
        delta = choice.get("delta")
        if delta is not None:
            if type(delta) is not dict:
                raise wrong("a stream chunk's choice.delta", delta, "an object")
            if delta:
                self._delta(delta, out)
        finish = choice.get("finish_reason")
        if finish is not None:
            if type(finish) is not str:
                raise wrong("a stream chunk's choice.finish_reason", finish, "a string")
            if finish and self._raw_stop is None:
                self._raw_stop = finish
                out.extend(self._end_calls())

    def _delta(self, delta: dict[str, Any], out: list[StreamEvent]) -> None:
        content = delta.get("content")
        if content is not None:
            text = content if type(content) is str else content_text(content, "a delta's content")
            if text:
                self._text.append(text)
                out.append(TextDelta(text))
        if "reasoning_content" in delta or "reasoning" in delta:
            reasoning = _reasoning_text(delta, "a delta")
            if reasoning:
                self._reasoning.append(reasoning)
                out.append(ReasoningDelta(reasoning))
        if delta.get("refusal") is not None:
            refusal = opt_str(delta, "refusal", "a delta")
            if refusal:
                self._refusal.append(refusal)
        if delta.get("tool_calls") is not None:
            for tc in opt_list(delta, "tool_calls", "a delta") or ():
                self._tool_delta(as_dict(tc, "a streamed tool call"), out)

    def _tool_delta(self, tc: dict[str, Any], out: list[StreamEvent]) -> None:
        index = opt_index(tc, "index", "a streamed tool call") or 0
        fn = opt_dict(tc, "function", "a streamed tool call") or {}
        call_id = opt_str(tc, "id", "a streamed tool call")
        name = opt_str(fn, "name", "a streamed tool call's function")
        raw = fn.get("arguments")
        frag = _dumps(raw) if isinstance(raw, dict) else opt_str(fn, "arguments", "a streamed tool call's function")
        call = self._calls.setdefault(index, {"id": None, "name": None, "args": [], "started": False})
        if call_id:
            call["id"] = call_id
        if name:
            call["name"] = name
        if frag:
            call["args"].append(frag)
        if not call["started"]:
            if call["id"] and call["name"]:  # a call is announced once its id and name are known
                call["started"] = True
                out.append(ToolCallStart(index, call["id"], call["name"]))
                if call["args"]:
                    out.append(ToolCallDelta(index, "".join(call["args"])))
        elif frag:
            out.append(ToolCallDelta(index, frag))

    def _end_calls(self) -> list[StreamEvent]:
        """At the finish reason: every tool call is complete, except the last of a ``length`` answer, which may
        have been cut (then it stays out of the answer, as an incomplete call)."""
        out: list[StreamEvent] = []
        order = sorted(self._calls)
        for index in order:
            c = self._calls[index]
            cut = self._raw_stop == "length" and index == order[-1]
            raw = "".join(c["args"])
            args = tool_arguments(raw, f"the arguments of tool call {c['name']!r}", cut=cut)
            if not c["id"] or not c["name"] or args is None:
                if not cut:
                    raise bad("a streamed tool call arrived without its id or name")
                continue
            c["parsed"] = args
            out.append(ToolCallEnd(index, c["id"], c["name"], args))
        return out

    def _stop(self) -> list[StreamEvent]:
        self._done = True
        return [StopEvent(self._stop_reason(), self._raw_stop)]

    def _stop_reason(self) -> StopReason:
        if self._refusal:
            return StopReason.REFUSAL
        return _STOP.get(self._raw_stop or "", StopReason.OTHER)

    def end(self) -> list[StreamEvent]:
        """The body ended cleanly: complete if the finish reason (and the usage chunk, when asked for) came."""
        if self._done or self._raw_stop is None or (self._dialect.stream_usage and self._counts is None):
            return []
        return self._stop()

    def finish(self) -> Response:
        if not self._done:
            if self._raw_stop is None:
                raise bad("the stream ended before its finish reason (and without data: [DONE])")
            raise bad("the stream ended after its finish reason but before the usage chunk (and data: [DONE])")
        stop = self._stop_reason()
        parts: list[Any] = []
        if self._reasoning:
            parts.append(ThinkingPart(text="".join(self._reasoning)))
        if self._text:
            parts.append(TextPart(text="".join(self._text)))
        refusal = "".join(self._refusal)
        if refusal:
            parts.append(TextPart(text=refusal))
        incomplete: list[IncompleteToolCall] = []
        for index in sorted(self._calls):
            c = self._calls[index]
            if "parsed" in c:
                parts.append(ToolCallPart(id=c["id"], name=c["name"], arguments=c["parsed"]))
            else:
                text = "".join(c["args"])
                incomplete.append(IncompleteToolCall.model_construct(id=c["id"], name=c["name"], arguments_text=text))
        return Response.decoded(
            id=self._id,
            content=parts,
            stop_reason=stop,
            raw_stop_reason=self._raw_stop,
            usage=None if self._counts is None else _usage(self._counts),
            model=self._model,
            incomplete_tool_calls=incomplete,
            refusal=refusal or None,
        )
