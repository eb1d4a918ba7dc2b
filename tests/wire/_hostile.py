"""What the hostile-input tests share: every route (and dialect) built for a fake key, valid fixture bodies and
stream events of both dialects, their framings, and the check that a decoded answer is well typed."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from typing import Any

from modelroute._types import (
    IncompleteToolCall,
    MessageStart,
    ReasoningDelta,
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
    Usage,
    UsageEvent,
)
from modelroute.config import load_config
from modelroute.routes import ROUTES, Route
from modelroute.testing._routes.bedrock import es_frame

ENV = {"K": "sk-test-123", "T": "ya29.test-token"}

# (id, kind, spec): every route, each dialect of the routes that speak two.
ROUTE_SPECS: list[tuple[str, str, dict[str, Any]]] = [
    ("openai", "openai", {"api_key": "${K}"}),
    ("azure_openai", "azure_openai", {"resource": "res", "api_key": "${K}"}),
    ("azure_openai-v1", "azure_openai", {"resource": "res", "api_key": "${K}", "api_version": "v1"}),
    ("bedrock-openai", "bedrock", {"region": "us-east-1", "api_key": "${K}", "dialect": "openai"}),
    ("mantle-openai", "bedrock_mantle", {"region": "us-east-1", "api_key": "${K}", "dialect": "openai"}),
    ("anthropic", "anthropic", {"api_key": "${K}"}),
    ("azure_foundry", "azure_foundry", {"resource": "res", "api_key": "${K}"}),
    ("vertex", "vertex", {"project": "proj", "region": "us-east5", "access_token": "${T}"}),
    ("anthropic_aws", "anthropic_aws", {"region": "us-east-1", "api_key": "${K}", "workspace_id": "wrkspc_1"}),
    ("bedrock", "bedrock", {"region": "us-east-1", "api_key": "${K}"}),
    ("mantle", "bedrock_mantle", {"region": "us-east-1", "api_key": "${K}"}),
]
ROUTE_IDS = [r[0] for r in ROUTE_SPECS]


def build(kind: str, **spec: Any) -> Route:
    cfg = load_config({"providers": {"p": {"kind": kind, **spec}}, "models": {"m": {"targets": ["p:x"]}}}, env=ENV)
    return ROUTES[kind]("p", cfg.spec.providers["p"], ENV)


def route_for(route_id: str) -> Route:
    _, kind, spec = next(r for r in ROUTE_SPECS if r[0] == route_id)
    return build(kind, **spec)


def dialect_of(route: Route) -> str:
    return "openai" if route.dialect.name == "openai_chat" else "anthropic"


def event_stream(route: Route) -> bool:
    """The route streams AWS event-stream frames (Bedrock InvokeModel), not SSE."""
    return route.kind == "bedrock" and dialect_of(route) == "anthropic"


# --- valid fixtures of both dialects -------------------------------------------------------------------------


def openai_body() -> dict[str, Any]:
    calls = [{"id": "c1", "type": "function", "function": {"name": "weather", "arguments": '{"city": "Paris"}'}}]
    return {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-5.5",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "logprobs": None,
                     "message": {"role": "assistant", "content": "Hi", "refusal": None, "tool_calls": calls}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 4, "total_tokens": 14,
                  "prompt_tokens_details": {"cached_tokens": 2, "cache_write_tokens": 1},
                  "completion_tokens_details": {"reasoning_tokens": 1}},
    }  # fmt: skip


def anthropic_body() -> dict[str, Any]:
    return {
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
        "content": [{"type": "text", "text": "Hi"},
                    {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "Paris"}}],
        "stop_reason": "tool_use", "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 3,
                  "output_tokens_details": {"thinking_tokens": 2}},
    }  # fmt: skip


def openai_chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"id": "chatcmpl-s", "object": "chat.completion.chunk", "created": 1, "model": "gpt-5.5",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **extra}  # fmt: skip


OPENAI_USAGE_CHUNK = {
    "id": "chatcmpl-s", "object": "chat.completion.chunk", "created": 1, "model": "gpt-5.5", "choices": [],
    "usage": {"prompt_tokens": 9, "completion_tokens": 6, "total_tokens": 15},
}  # fmt: skip


def openai_events() -> list[Any]:
    """A streamed answer with text and a tool call; the last item is the ``[DONE]`` sentinel."""
    return [
        openai_chunk({"role": "assistant", "content": ""}),
        openai_chunk({"content": "Hel"}),
        openai_chunk({"content": "lo"}),
        openai_chunk(
            {
                "tool_calls": [
                    {"index": 0, "id": "c1", "type": "function", "function": {"name": "weather", "arguments": ""}}
                ]
            }
        ),
        openai_chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city": "Paris"}'}}]}),
        openai_chunk({}, "tool_calls"),
        dict(OPENAI_USAGE_CHUNK),
        "[DONE]",
    ]


def anthropic_events() -> list[Any]:
    return [
        {
            "type": "message_start",
            "message": {
                "id": "msg_s",
                "type": "message",
                "role": "assistant",
                "content": [],
                "model": "claude-sonnet-4-5",
                "stop_reason": None,
                "usage": {"input_tokens": 12, "output_tokens": 1},
            },
        },
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "ping"},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hel"}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "lo"}},
        {"type": "content_block_stop", "index": 0},
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {}},
        },
        {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": '{"city"'}},
        {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": ': "P"}'}},
        {"type": "content_block_stop", "index": 1},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "tool_use", "stop_sequence": None},
            "usage": {"output_tokens": 9},
        },
        {"type": "message_stop"},
    ]


def valid_body(route: Route) -> dict[str, Any]:
    return openai_body() if dialect_of(route) == "openai" else anthropic_body()


def valid_events(route: Route) -> list[Any]:
    return openai_events() if dialect_of(route) == "openai" else anthropic_events()


def error_bodies(route: Route) -> list[Any]:
    """Error bodies each route's classifier reads (its vendor's, and the clouds' in front of it)."""
    return [
        {"error": {"message": "slow down", "type": "rate_limit_error", "code": "rate_limit_exceeded", "param": None}},
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded",
                                    "details": {"error_code": "enforced_spend_limit_reached"}}, "request_id": "r"},
        {"error": {"code": "content_filter", "message": "filtered", "innererror": {
            "code": "ResponsibleAIPolicyViolation", "content_filter_result": {"hate": {"filtered": True}}}}},
        {"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}},
        [{"error": {"code": 400, "message": "bad", "status": "INVALID_ARGUMENT"}}],
        {"message": "Too many requests", "__type": "com.amazon.coral.service#ThrottlingException"},
    ]  # fmt: skip


# --- framing -------------------------------------------------------------------------------------------------


def sse(items: Iterable[Any], *, named: bool, render: Callable[[Any], str] = json.dumps) -> bytes:
    """SSE events, one per item: a dict is rendered as JSON (named by its ``type`` when ``named``), a string is
    sent as it is."""
    out = []
    for item in items:
        text = item if isinstance(item, str) else render(item)
        name = item.get("type") if named and isinstance(item, dict) and isinstance(item.get("type"), str) else None
        head = f"event: {name}\n" if name else ""
        out.append(f"{head}data: {text}\n\n".encode())
    return b"".join(out)


def es_chunk_text(text: str) -> bytes:
    """A Bedrock ``chunk`` frame whose base64 ``bytes`` carry ``text`` as it is (valid JSON or not)."""
    payload = json.dumps({"bytes": base64.b64encode(text.encode()).decode()}).encode()
    return es_frame({":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}, payload)


def frame(route: Route, items: Iterable[Any], render: Callable[[Any], str] = json.dumps) -> bytes:
    """Stream items framed the way ``route`` receives them (strings sent as they are, the rest as JSON)."""
    if event_stream(route):
        return b"".join(es_chunk_text(i if isinstance(i, str) else render(i)) for i in items)
    return sse(items, named=dialect_of(route) == "anthropic", render=render)


# --- what a decoded answer must be ---------------------------------------------------------------------------


def _usage_ok(u: Usage) -> None:
    for name in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens"):
        value = getattr(u, name)
        assert type(value) is int and value >= 0, (name, value)


def _json_safe(value: Any) -> None:
    """Arguments a caller can send back: plain JSON, no NaN, re-encodable."""
    json.dumps(value, allow_nan=False)


def assert_well_typed(r: Response) -> None:
    assert type(r.id) is str
    assert r.model is None or type(r.model) is str
    assert isinstance(r.stop_reason, StopReason)
    assert r.raw_stop_reason is None or type(r.raw_stop_reason) is str
    for p in r.content:
        if isinstance(p, TextPart):
            assert type(p.text) is str
        elif isinstance(p, ThinkingPart):
            assert type(p.text) is str and (p.signature is None or type(p.signature) is str)
            assert p.redacted is None or type(p.redacted) is str
        else:
            assert isinstance(p, ToolCallPart), p
            assert type(p.id) is str and type(p.name) is str and type(p.arguments) is dict
            _json_safe(p.arguments)
    for c in r.incomplete_tool_calls:
        assert isinstance(c, IncompleteToolCall)
        assert r.stop_reason is StopReason.MAX_TOKENS
        assert type(c.arguments_text) is str and (c.id is None or type(c.id) is str)
    if r.usage is not None:
        _usage_ok(r.usage)


def assert_events_well_typed(events: list[StreamEvent], response: Response) -> None:
    texts = []
    for e in events:
        if isinstance(e, TextDelta):
            assert type(e.text) is str
            texts.append(e.text)
        elif isinstance(e, ToolCallDelta):
            assert type(e.index) is int and e.index >= 0 and type(e.arguments_delta) is str
        elif isinstance(e, ToolCallStart | ToolCallEnd):
            assert type(e.index) is int and e.index >= 0 and type(e.id) is str and type(e.name) is str
            if isinstance(e, ToolCallEnd):
                assert type(e.arguments) is dict
                _json_safe(e.arguments)
        elif isinstance(e, MessageStart):
            assert type(e.id) is str and (e.model is None or type(e.model) is str)
        elif isinstance(e, ReasoningDelta):
            assert type(e.text) is str and (e.signature is None or type(e.signature) is str)
        elif isinstance(e, UsageEvent):
            _usage_ok(e.usage)
        else:
            assert isinstance(e, StopEvent) and isinstance(e.stop_reason, StopReason)
    assert sum(isinstance(e, StopEvent) for e in events) == 1, "a complete stream stops exactly once"
    assert response.text.startswith("".join(texts)), "the answer holds the text the stream delivered, in order"
    assert_well_typed(response)
