"""Anthropic Messages: our codec against the official ``anthropic`` SDK, the oracle.

Requests: the unified request we build from natural inputs must be what a careful SDK user sends for the same
intent. Responses, streams and errors: whatever the SDK accepts must decode to the same content, usage and kind.
"""

from __future__ import annotations

import json
import time
from email.utils import formatdate
from typing import Any

import anthropic
import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelroute._coerce import build_request
from modelroute._types import StopReason
from modelroute.exceptions import ErrorKind, MalformedResponseError, ProviderError

from ._oracle import KEY, Capture, decode_stream, ours, route, sse_stream
from ._surface_cases import ANTHROPIC as SURFACE

pytestmark = pytest.mark.parity
MODEL = "claude-sonnet-5-5"
SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
PNG = "iVBORw0KGgo="

# --- requests --------------------------------------------------------------------------------------------------

# (name, our call's arguments, the SDK kwargs a user writes for the same intent)
REQUESTS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "plain",
        {"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 100},
        {"max_tokens": 100, "messages": [{"role": "user", "content": "Hi"}]},
    ),
    (
        "system and default max_tokens",
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]},
        {"max_tokens": 4096, "system": "Be brief.", "messages": [{"role": "user", "content": "Hi"}]},
    ),
    (
        "multi-turn",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello!"},
                {"role": "user", "content": "How are you?"},
            ],
            "max_tokens": 50,
        },
        {
            "max_tokens": 50,
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello!"},
                {"role": "user", "content": "How are you?"},
            ],
        },
    ),
    *[
        (
            f"tools, tool_choice {choice!r}",
            {
                "messages": [{"role": "user", "content": "Weather in Paris?"}],
                "max_tokens": 200,
                "tools": [
                    {
                        "type": "function",
                        "function": {"name": "weather", "description": "Get weather", "parameters": SCHEMA},
                    }
                ],
                "tool_choice": choice,
            },
            {
                "max_tokens": 200,
                "messages": [{"role": "user", "content": "Weather in Paris?"}],
                "tools": [{"name": "weather", "description": "Get weather", "input_schema": SCHEMA}],
                "tool_choice": native,
            },
        )
        for choice, native in [
            ("auto", {"type": "auto"}),
            ("none", {"type": "none"}),
            ("required", {"type": "any"}),
            ({"type": "function", "function": {"name": "weather"}}, {"type": "tool", "name": "weather"}),
        ]
    ],
    (
        "tool call round trip from OpenAI-style messages",
        {
            "messages": [
                {"role": "user", "content": "Weather in Paris and Rome?"},
                {
                    "role": "assistant",
                    "content": "Checking.",
                    "tool_calls": [
                        {
                            "id": "t1",
                            "type": "function",
                            "function": {"name": "weather", "arguments": '{"city": "Paris"}'},
                        },
                        {
                            "id": "t2",
                            "type": "function",
                            "function": {"name": "weather", "arguments": '{"city": "Rome"}'},
                        },
                    ],
                },
                {"role": "tool", "tool_call_id": "t1", "content": "sunny"},
                {"role": "tool", "tool_call_id": "t2", "content": "rain"},
            ],
            "max_tokens": 100,
        },
        {
            "max_tokens": 100,
            "messages": [
                {"role": "user", "content": "Weather in Paris and Rome?"},
                {
                    "role": "assistant",
                    "content": [
                        {"type": "text", "text": "Checking."},
                        {"type": "tool_use", "id": "t1", "name": "weather", "input": {"city": "Paris"}},
                        {"type": "tool_use", "id": "t2", "name": "weather", "input": {"city": "Rome"}},
                    ],
                },
                {
                    "role": "user",
                    "content": [
                        {"type": "tool_result", "tool_use_id": "t1", "content": "sunny"},
                        {"type": "tool_result", "tool_use_id": "t2", "content": "rain"},
                    ],
                },
            ],
        },
    ),
    (
        "tool error result in Anthropic blocks",
        {
            "messages": [
                {"role": "user", "content": "Go"},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "boom", "is_error": True}],
                },
            ],
            "max_tokens": 10,
        },
        {
            "max_tokens": 10,
            "messages": [
                {"role": "user", "content": "Go"},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "boom", "is_error": True}],
                },
            ],
        },
    ),
    (
        "images by URL and base64 (given OpenAI-style)",
        {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Compare"},
                        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
                    ],
                }
            ],
            "max_tokens": 64,
        },
        {
            "max_tokens": 64,
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Compare"},
                        {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
                        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
                    ],
                }
            ],
        },
    ),
    (
        "stop sequences",
        {"messages": [{"role": "user", "content": "Count"}], "max_tokens": 20, "stop": ["5", "END"]},
        {"max_tokens": 20, "messages": [{"role": "user", "content": "Count"}], "stop_sequences": ["5", "END"]},
    ),
    *SURFACE,  # every feature of the request surface (issue 10)
]


def _sdk_sent(native: dict[str, Any], *, stream: bool = False) -> Any:
    cap = Capture()
    client = cap.anthropic()
    if stream:
        client.messages.create(model=MODEL, stream=True, **native)
    else:
        client.messages.create(model=MODEL, **native)
    return cap.sent[0]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(("ask", "native"), [r[1:] for r in REQUESTS], ids=[r[0] for r in REQUESTS])
def test_request_matches_the_sdk(ask: dict[str, Any], native: dict[str, Any], stream: bool) -> None:
    sdk = _sdk_sent(native, stream=stream)
    mine = ours("anthropic", build_request(model="alias", **ask), MODEL, stream=stream)
    assert (mine.method, mine.path) == (sdk.method, sdk.path) == ("POST", "/v1/messages")
    assert mine.headers["authorization"] == sdk.headers["authorization"] == f"Bearer {KEY}"
    assert mine.headers["anthropic-version"] == sdk.headers["anthropic-version"]
    assert mine.headers["content-type"] == sdk.headers["content-type"]
    assert mine.json == sdk.json


def test_older_anthropic_version_may_carry_temperature() -> None:
    req = build_request(model="a", messages=[{"role": "user", "content": "Hi"}], temperature=0.2, max_tokens=5)
    mine = ours("anthropic", req, MODEL, anthropic_version="2023-06-01")
    assert mine.headers["anthropic-version"] == "2023-06-01" and mine.json["temperature"] == 0.2
    assert route("anthropic").unsupported(route("anthropic").spec, req) is not None


# --- responses -------------------------------------------------------------------------------------------------


def message(content: list[dict[str, Any]], stop: str | None = "end_turn", **usage: int) -> dict[str, Any]:
    return {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": "END" if stop == "stop_sequence" else None,
        "usage": {"input_tokens": 10, "output_tokens": 5, **usage},
    }


STOPS = {
    "end_turn": StopReason.END,
    "max_tokens": StopReason.MAX_TOKENS,
    "stop_sequence": StopReason.STOP_SEQUENCE,
    "tool_use": StopReason.TOOL_USE,
    "refusal": StopReason.REFUSAL,
    "pause_turn": StopReason.PAUSE,
    "model_context_window_exceeded": StopReason.CONTEXT_WINDOW,
}

RESPONSES = [
    ("text", message([{"type": "text", "text": "Hello!"}])),
    ("two text blocks", message([{"type": "text", "text": "A"}, {"type": "text", "text": "B"}])),
    (
        "tool use",
        message(
            [
                {"type": "text", "text": "Let me check."},
                {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "Paris"}},
                {"type": "tool_use", "id": "toolu_2", "name": "weather", "input": {"city": "Rome"}},
            ],
            "tool_use",
        ),
    ),
    *[(f"stop {s}", message([{"type": "text", "text": "x"}], s)) for s in STOPS if s not in ("end_turn", "tool_use")],
    (
        "cache usage",
        message([{"type": "text", "text": "c"}], cache_read_input_tokens=1000, cache_creation_input_tokens=200),
    ),
]


@pytest.mark.parametrize("body", [r[1] for r in RESPONSES], ids=[r[0] for r in RESPONSES])
def test_response_decodes_like_the_sdk(body: dict[str, Any]) -> None:
    raw = json.dumps(body).encode()
    sdk = (
        Capture(200, raw)
        .anthropic()
        .messages.create(model=MODEL, max_tokens=5, messages=[{"role": "user", "content": "x"}])
    )
    mine = route("anthropic").decode(raw)
    assert mine.text == "".join(b.text for b in sdk.content if b.type == "text")
    assert [(c.id, c.name, c.arguments) for c in mine.tool_calls] == [
        (b.id, b.name, b.input) for b in sdk.content if b.type == "tool_use"
    ]
    assert sdk.stop_reason is not None and mine.stop_reason is STOPS[sdk.stop_reason]
    assert mine.raw_stop_reason == sdk.stop_reason
    u = sdk.usage
    cache_read, cache_write = u.cache_read_input_tokens or 0, u.cache_creation_input_tokens or 0
    assert mine.usage.input_tokens == u.input_tokens + cache_read + cache_write
    assert (mine.usage.output_tokens, mine.usage.cache_read_tokens, mine.usage.cache_write_tokens) == (
        u.output_tokens, cache_read, cache_write,
    )  # fmt: skip
    assert mine.id == sdk.id


# --- streams ---------------------------------------------------------------------------------------------------


def ev(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def stream_body(
    blocks: list[tuple[dict[str, Any], list[dict[str, Any]]]], stop: str = "end_turn", stop_sequence: str | None = None
) -> bytes:
    start = {"id": "msg_s", "type": "message", "role": "assistant", "model": MODEL, "content": [], "stop_reason": None,
             "stop_sequence": None, "usage": {"input_tokens": 12, "output_tokens": 1, "cache_read_input_tokens": 4}}  # fmt: skip
    out = [ev("message_start", {"type": "message_start", "message": start}), ev("ping", {"type": "ping"})]
    for i, (block, deltas) in enumerate(blocks):
        out.append(ev("content_block_start", {"type": "content_block_start", "index": i, "content_block": block}))
        out += [ev("content_block_delta", {"type": "content_block_delta", "index": i, "delta": d}) for d in deltas]
        out.append(ev("content_block_stop", {"type": "content_block_stop", "index": i}))
    out.append(ev("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": stop_sequence},
                                    "usage": {"output_tokens": 9}}))  # fmt: skip
    out.append(ev("message_stop", {"type": "message_stop"}))
    return b"".join(out)


TEXT_STREAM = stream_body(
    [({"type": "text", "text": ""}, [{"type": "text_delta", "text": t} for t in ("Hel", "lo, ", "wörld")])]
)
TOOL_STREAM = stream_body(
    [
        ({"type": "text", "text": ""}, [{"type": "text_delta", "text": "Checking"}]),
        (
            {"type": "tool_use", "id": "toolu_9", "name": "weather", "input": {}},
            [{"type": "input_json_delta", "partial_json": p} for p in ('{"ci', 'ty": "Pa', 'ris"}')],
        ),
    ],
    "tool_use",
)


def decode_split(body: bytes, cuts: list[int]) -> Any:
    return decode_stream(route("anthropic"), body, cuts)


def sdk_final(body: bytes) -> Any:
    client = sse_stream(body).anthropic()
    with client.messages.stream(model=MODEL, max_tokens=5, messages=[{"role": "user", "content": "x"}]) as s:
        return s.get_final_message()


@pytest.mark.parametrize("body", [TEXT_STREAM, TOOL_STREAM], ids=["text", "tool"])
def test_stream_decodes_like_the_sdk_at_every_split(body: bytes) -> None:
    sdk = sdk_final(body)
    for cut in range(len(body) + 1):
        _, mine = decode_split(body, [cut])
        assert mine.text == "".join(b.text for b in sdk.content if b.type == "text")
        assert [(c.id, c.name, c.arguments) for c in mine.tool_calls] == [
            (b.id, b.name, b.input) for b in sdk.content if b.type == "tool_use"
        ]
        assert mine.usage.output_tokens == sdk.usage.output_tokens == 9
        assert mine.usage.input_tokens == sdk.usage.input_tokens + (sdk.usage.cache_read_input_tokens or 0)
        assert mine.stop_reason is STOPS[sdk.stop_reason or ""]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(TOOL_STREAM)), max_size=40))
def test_any_split_gives_the_same_events(cuts: list[int]) -> None:
    events, response = decode_split(TOOL_STREAM, cuts)
    whole, whole_response = decode_split(TOOL_STREAM, [])
    assert events == whole and response == whole_response


@pytest.mark.parametrize("cut_at", [b"event: content_block_delta", b"event: message_delta", b"event: message_stop"])
def test_a_stream_cut_before_message_stop_is_never_complete(cut_at: bytes) -> None:
    body = TEXT_STREAM[: TEXT_STREAM.index(cut_at)]
    decoder = route("anthropic").stream_decoder()
    decoder.feed(body)
    with pytest.raises(MalformedResponseError, match="message_stop"):
        decoder.finish()


@pytest.mark.parametrize(
    ("etype", "kind"),
    [
        ("overloaded_error", ErrorKind.OVERLOADED),
        ("rate_limit_error", ErrorKind.RATE_LIMITED),
        ("api_error", ErrorKind.SERVER_ERROR),
    ],
)
def test_inband_error_event(etype: str, kind: ErrorKind) -> None:
    body = TEXT_STREAM[: TEXT_STREAM.index(b"event: content_block_stop")] + ev(
        "error", {"type": "error", "error": {"type": etype, "message": "busy"}}
    )
    with pytest.raises(anthropic.APIStatusError) as sdk_error:
        sdk_final(body)
    assert sdk_error.value.status_code == 200 and sdk_error.value.type == etype  # type: ignore[attr-defined]
    decoder = route("anthropic").stream_decoder()
    with pytest.raises(ProviderError) as mine:
        decoder.feed(body)
    assert mine.value.kind is kind and mine.value.status == 200


# --- errors ----------------------------------------------------------------------------------------------------


def err_body(etype: str, message: str = "m", code: str | None = None) -> bytes:
    error: dict[str, Any] = {"type": etype, "message": message}
    if code:
        error["details"] = {"error_code": code}
    return json.dumps({"type": "error", "error": error, "request_id": "req_x"}).encode()


ERRORS: list[tuple[str, int, bytes, dict[str, str], type[Exception], ErrorKind]] = [
    ("invalid", 400, err_body("invalid_request_error", "messages: field required"), {}, anthropic.BadRequestError, ErrorKind.INVALID_REQUEST),
    ("context", 400, err_body("invalid_request_error", "prompt is too long: 250000 tokens > 200000 maximum"), {},
     anthropic.BadRequestError, ErrorKind.CONTEXT_WINDOW),
    ("credit balance", 400, err_body("invalid_request_error", "Your credit balance is too low to access the Anthropic API."), {},
     anthropic.BadRequestError, ErrorKind.QUOTA_EXHAUSTED),
    ("auth", 401, err_body("authentication_error"), {}, anthropic.AuthenticationError, ErrorKind.AUTH),
    ("billing", 402, err_body("billing_error"), {}, anthropic.PaymentRequiredError, ErrorKind.QUOTA_EXHAUSTED),
    ("permission", 403, err_body("permission_error"), {}, anthropic.PermissionDeniedError, ErrorKind.PERMISSION),
    ("not found", 404, err_body("not_found_error"), {}, anthropic.NotFoundError, ErrorKind.NOT_FOUND),
    ("timeout", 408, err_body("timeout_error"), {}, anthropic.RequestTimeoutError, ErrorKind.TIMEOUT),
    ("too large", 413, err_body("request_too_large"), {}, anthropic.ContentTooLargeError, ErrorKind.INVALID_REQUEST),
    ("rate limit s", 429, err_body("rate_limit_error"), {"retry-after": "12"}, anthropic.RateLimitError, ErrorKind.RATE_LIMITED),
    ("rate limit ms", 429, err_body("rate_limit_error"), {"retry-after-ms": "1500", "retry-after": "9"},
     anthropic.RateLimitError, ErrorKind.RATE_LIMITED),
    ("spend limit", 429, err_body("rate_limit_error", code="enforced_spend_limit_reached"), {},
     anthropic.EnforcedSpendLimitReachedError, ErrorKind.QUOTA_EXHAUSTED),
    ("server", 500, err_body("api_error"), {}, anthropic.InternalServerError, ErrorKind.SERVER_ERROR),
    ("bad gateway html", 502, b"<html><body>502 Bad Gateway</body></html>", {"content-type": "text/html"},
     anthropic.InternalServerError, ErrorKind.SERVER_ERROR),
    ("unavailable", 503, err_body("api_error"), {}, anthropic.ServiceUnavailableError, ErrorKind.OVERLOADED),
    ("gateway timeout", 504, err_body("timeout_error"), {}, anthropic.GatewayTimeoutError, ErrorKind.TIMEOUT),
    ("overloaded", 529, err_body("overloaded_error", "Overloaded"), {}, anthropic.OverloadedError, ErrorKind.OVERLOADED),
]  # fmt: skip


@pytest.mark.parametrize(
    ("status", "body", "headers", "sdk_class", "kind"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_error_classification_matches_the_sdk(
    status: int, body: bytes, headers: dict[str, str], sdk_class: type[Exception], kind: ErrorKind
) -> None:
    hdrs = {"request-id": "req_abc", **headers}
    cap = Capture(status, body, hdrs)
    client = cap.anthropic()
    with pytest.raises(anthropic.APIStatusError) as sdk_error:
        client.messages.create(model=MODEL, max_tokens=5, messages=[{"role": "user", "content": "x"}])
    assert type(sdk_error.value) is sdk_class
    mine = route("anthropic").classify(status, httpx2.Headers(hdrs), body)
    assert mine.kind is kind
    assert mine.status == sdk_error.value.status_code
    assert mine.request_id == sdk_error.value.request_id == "req_abc"
    assert mine.retry_after_s == client._parse_retry_after_header(httpx2.Headers(hdrs))


def test_retry_after_http_date_agrees_with_the_sdk() -> None:
    when = formatdate(time.time() + 120, usegmt=True)
    headers = httpx2.Headers({"retry-after": when})
    client = Capture().anthropic()
    sdk = client._parse_retry_after_header(headers)
    mine = route("anthropic").classify(429, headers, err_body("rate_limit_error")).retry_after_s
    assert sdk is not None and mine is not None and abs(sdk - mine) < 2 and 100 < mine <= 120
