"""OpenAI Chat Completions: our codec against the official ``openai`` SDK, the oracle."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import openai
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelroute._coerce import build_request
from modelroute._types import StopReason
from modelroute.exceptions import ErrorKind, MalformedResponseError, ProviderError

from ._oracle import KEY, Capture, decode_stream, ours, route, sse_stream
from ._surface_cases import OPENAI as SURFACE

pytestmark = pytest.mark.parity
MODEL = "gpt-5.5"
SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
PNG = "iVBORw0KGgo="

REQUESTS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("plain", {"messages": [{"role": "user", "content": "Hi"}]}, {"messages": [{"role": "user", "content": "Hi"}]}),
    (
        "system, max_tokens, temperature, stop",
        {
            "messages": [{"role": "user", "content": "Hi"}],
            "system": "Be brief.",
            "max_tokens": 100,
            "temperature": 0.3,
            "stop": "END",
        },
        {
            "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
            "max_completion_tokens": 100,
            "temperature": 0.3,
            "stop": ["END"],
        },
    ),
    (
        "multi-turn",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"},
                {"role": "user", "content": "More"},
            ]
        },
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"},
                {"role": "user", "content": "More"},
            ]
        },
    ),
    *[
        (
            f"tools, tool_choice {choice!r}",
            {
                "messages": [{"role": "user", "content": "Weather?"}],
                "tools": [{"name": "weather", "description": "Get weather", "input_schema": SCHEMA}],
                "tool_choice": choice,
            },
            {
                "messages": [{"role": "user", "content": "Weather?"}],
                "tools": [
                    {
                        "type": "function",
                        "function": {"name": "weather", "description": "Get weather", "parameters": SCHEMA},
                    }
                ],
                "tool_choice": native,
            },
        )
        for choice, native in [
            ("auto", "auto"),
            ("none", "none"),
            ("any", "required"),
            ({"type": "tool", "name": "weather"}, {"type": "function", "function": {"name": "weather"}}),
        ]
    ],
    (
        "tool round trip from Anthropic-style blocks",
        {
            "messages": [
                {"role": "user", "content": "Weather in Paris and Rome?"},
                {
                    "role": "assistant",
                    "content": [
                        {"type": "tool_use", "id": "c1", "name": "weather", "input": {"city": "Paris"}},
                        {"type": "tool_use", "id": "c2", "name": "weather", "input": {"city": "Rome"}},
                    ],
                },
                {
                    "role": "user",
                    "content": [
                        {"type": "tool_result", "tool_use_id": "c1", "content": "sunny"},
                        {"type": "tool_result", "tool_use_id": "c2", "content": [{"type": "text", "text": "rain"}]},
                        {"type": "text", "text": "And tomorrow?"},
                    ],
                },
            ]
        },
        {
            "messages": [
                {"role": "user", "content": "Weather in Paris and Rome?"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "c1",
                            "type": "function",
                            "function": {"name": "weather", "arguments": '{"city":"Paris"}'},
                        },
                        {
                            "id": "c2",
                            "type": "function",
                            "function": {"name": "weather", "arguments": '{"city":"Rome"}'},
                        },
                    ],
                },
                {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
                {"role": "tool", "tool_call_id": "c2", "content": "rain"},
                {"role": "user", "content": "And tomorrow?"},
            ]
        },
    ),
    (
        "images from Anthropic-style sources",
        {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Compare"},
                        {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
                        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
                    ],
                }
            ]
        },
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
            ]
        },
    ),
    *SURFACE,  # every feature of the request surface (issue 10)
]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(("ask", "native"), [r[1:] for r in REQUESTS], ids=[r[0] for r in REQUESTS])
def test_request_matches_the_sdk(ask: dict[str, Any], native: dict[str, Any], stream: bool) -> None:
    cap = Capture()
    extra: dict[str, Any] = {"stream": True, "stream_options": {"include_usage": True}} if stream else {}
    cap.openai().chat.completions.create(model=MODEL, **native, **extra)
    sdk = cap.sent[0]
    mine = ours("openai", build_request(model="alias", **ask), MODEL, stream=stream)
    assert (mine.method, mine.path) == (sdk.method, sdk.path) == ("POST", "/v1/chat/completions")
    assert mine.headers["authorization"] == sdk.headers["authorization"] == f"Bearer {KEY}"
    assert mine.json == sdk.json


def test_organization_and_project_headers_match() -> None:
    cap = Capture()
    client = openai.OpenAI(
        api_key=KEY,
        organization="org-1",
        project="proj_1",
        base_url="http://mock/v1",
        http_client=httpx2.Client(transport=httpx2.MockTransport(cap)),
    )
    client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "x"}])
    req = build_request(model="a", messages=[{"role": "user", "content": "x"}])
    mine = ours("openai", req, MODEL, organization="org-1", project="proj_1")
    for h in ("openai-organization", "openai-project"):
        assert mine.headers[h] == cap.sent[0].headers[h]


def test_max_tokens_field_for_older_compatible_servers() -> None:
    req = build_request(model="a", messages=[{"role": "user", "content": "x"}], max_tokens=7)
    assert ours("openai", req, "llama", max_tokens_field="max_tokens").json["max_tokens"] == 7


# --- responses -------------------------------------------------------------------------------------------------

STOPS = {
    "stop": StopReason.END,
    "length": StopReason.MAX_TOKENS,
    "tool_calls": StopReason.TOOL_USE,
    "content_filter": StopReason.CONTENT_FILTER,
}


def completion(message: dict[str, Any], finish: str = "stop", usage: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "refusal": None, **message}, "finish_reason": finish,
                     "logprobs": None}],
        "usage": usage or {"prompt_tokens": 10, "completion_tokens": 4, "total_tokens": 14},
    }  # fmt: skip


CALLS = [
    {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": '{"city": "Paris"}'}},
    {"id": "c2", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Rome"}'}},
]
RESPONSES = [
    ("text", completion({"content": "Hello!"})),
    ("tool calls", completion({"content": None, "tool_calls": CALLS}, "tool_calls")),
    ("length", completion({"content": "cut"}, "length")),
    ("content filter", completion({"content": None}, "content_filter")),
    (
        "cached and reasoning tokens",
        completion(
            {"content": "ok"},
            usage={
                "prompt_tokens": 1200,
                "completion_tokens": 300,
                "total_tokens": 1500,
                "prompt_tokens_details": {"cached_tokens": 1024},
                "completion_tokens_details": {"reasoning_tokens": 256},
            },
        ),
    ),
]


@pytest.mark.parametrize("body", [r[1] for r in RESPONSES], ids=[r[0] for r in RESPONSES])
def test_response_decodes_like_the_sdk(body: dict[str, Any]) -> None:
    raw = json.dumps(body).encode()
    sdk = Capture(200, raw).openai().chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "x"}])
    mine = route("openai").decode(raw)
    msg = sdk.choices[0].message
    assert mine.text == (msg.content or "")
    assert [(c.id, c.name, c.arguments) for c in mine.tool_calls] == [
        (c.id, c.function.name, json.loads(c.function.arguments)) for c in msg.tool_calls or [] if c.type == "function"
    ]
    assert mine.stop_reason is STOPS[sdk.choices[0].finish_reason]
    u = sdk.usage
    assert u is not None
    assert (mine.usage.input_tokens, mine.usage.output_tokens) == (u.prompt_tokens, u.completion_tokens)
    cached = u.prompt_tokens_details.cached_tokens if u.prompt_tokens_details else 0
    reasoning = u.completion_tokens_details.reasoning_tokens if u.completion_tokens_details else 0
    assert (mine.usage.cache_read_tokens, mine.usage.reasoning_tokens) == (cached or 0, reasoning or 0)


def test_refusal_field_becomes_a_refusal() -> None:
    raw = json.dumps(completion({"content": None, "refusal": "I can't help with that."})).encode()
    sdk = Capture(200, raw).openai().chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "x"}])
    mine = route("openai").decode(raw)
    assert sdk.choices[0].message.refusal == mine.text == "I can't help with that."
    assert mine.stop_reason is StopReason.REFUSAL


# --- streams ---------------------------------------------------------------------------------------------------


def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"id": "chatcmpl-s", "object": "chat.completion.chunk", "created": 1, "model": MODEL,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}  # fmt: skip


def sse(*items: dict[str, Any] | str) -> bytes:
    return b"".join(f"data: {i if isinstance(i, str) else json.dumps(i)}\n\n".encode() for i in items)


USAGE = {"id": "chatcmpl-s", "object": "chat.completion.chunk", "created": 1, "model": MODEL, "choices": [],
         "usage": {"prompt_tokens": 9, "completion_tokens": 6, "total_tokens": 15,
                   "prompt_tokens_details": {"cached_tokens": 0}, "completion_tokens_details": {"reasoning_tokens": 2}}}  # fmt: skip
TEXT_STREAM = sse(
    chunk({"role": "assistant", "content": ""}),
    chunk({"content": "Hel"}),
    chunk({"content": "lo, wörld"}),
    chunk({}, "stop"),
    USAGE,
    "[DONE]",
)
TOOL_STREAM = sse(
    chunk({"role": "assistant", "content": None}),
    chunk(
        {"tool_calls": [{"index": 0, "id": "c1", "type": "function", "function": {"name": "weather", "arguments": ""}}]}
    ),
    chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city": '}}]}),
    chunk(
        {"tool_calls": [{"index": 1, "id": "c2", "type": "function", "function": {"name": "time", "arguments": ""}}]}
    ),
    chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]}),
    chunk({"tool_calls": [{"index": 1, "function": {"arguments": '{"tz": "CET"}'}}]}),
    chunk({}, "tool_calls"),
    USAGE,
    "[DONE]",
)


def decode_split(body: bytes, cuts: list[int]) -> Any:
    return decode_stream(route("openai"), body, cuts)


def sdk_final(body: bytes) -> Any:
    client = sse_stream(body).openai()
    with client.chat.completions.stream(model=MODEL, messages=[{"role": "user", "content": "x"}]) as s:
        return s.get_final_completion()


@pytest.mark.parametrize("body", [TEXT_STREAM, TOOL_STREAM], ids=["text", "parallel-tools"])
def test_stream_decodes_like_the_sdk_at_every_split(body: bytes) -> None:
    sdk = sdk_final(body)
    msg = sdk.choices[0].message
    expected_calls = [(c.id, c.function.name, json.loads(c.function.arguments)) for c in msg.tool_calls or []]
    for cut in range(len(body) + 1):
        _, mine = decode_split(body, [cut])
        assert mine.text == (msg.content or "")
        assert [(c.id, c.name, c.arguments) for c in mine.tool_calls] == expected_calls
        assert mine.stop_reason is STOPS[sdk.choices[0].finish_reason]
        assert sdk.usage is not None
        assert (mine.usage.input_tokens, mine.usage.output_tokens, mine.usage.reasoning_tokens) == (9, 6, 2)
        assert mine.usage.output_tokens == sdk.usage.completion_tokens


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(TOOL_STREAM)), max_size=40))
def test_any_split_gives_the_same_events(cuts: list[int]) -> None:
    assert decode_split(TOOL_STREAM, cuts) == decode_split(TOOL_STREAM, [])


def test_a_stream_cut_before_its_finish_reason_is_never_complete() -> None:
    decoder = route("openai").stream_decoder()
    decoder.feed(TEXT_STREAM[: TEXT_STREAM.index(b'data: {"id": "chatcmpl-s", "object": "chat.completion.chunk", '
                                                 b'"created": 1, "model": "gpt-5.5", "choices": [{"index": 0, '
                                                 b'"delta": {}, "finish_reason": "stop"')])  # fmt: skip
    with pytest.raises(MalformedResponseError, match="before its finish reason"):
        decoder.finish()


@pytest.mark.parametrize(
    ("etype", "kind"), [("server_error", ErrorKind.SERVER_ERROR), ("rate_limit_exceeded", ErrorKind.RATE_LIMITED)]
)
def test_inband_error_chunk(etype: str, kind: ErrorKind) -> None:
    body = sse(chunk({"content": "Hi"}), {"error": {"message": "oops", "type": etype, "param": None, "code": None}})
    with pytest.raises(openai.APIError) as sdk_error:
        list(
            sse_stream(body)
            .openai()
            .chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "x"}], stream=True)
        )
    assert not isinstance(sdk_error.value, openai.APIStatusError)
    with pytest.raises(ProviderError) as mine:
        route("openai").stream_decoder().feed(body)
    assert mine.value.kind is kind and mine.value.status == 200


def test_malformed_chunk_is_malformed() -> None:
    with pytest.raises(MalformedResponseError):
        route("openai").stream_decoder().feed(b"data: {nope\n\n")


# --- errors ----------------------------------------------------------------------------------------------------


def err_body(
    message: str = "m", etype: str = "invalid_request_error", code: str | None = None, param: str | None = None
) -> bytes:
    return json.dumps({"error": {"message": message, "type": etype, "param": param, "code": code}}).encode()


ERRORS: list[tuple[str, int, bytes, dict[str, str], type[Exception], ErrorKind]] = [
    ("invalid", 400, err_body("Invalid value"), {}, openai.BadRequestError, ErrorKind.INVALID_REQUEST),
    ("context", 400, err_body("maximum context length is 128000 tokens", code="context_length_exceeded", param="messages"),
     {}, openai.BadRequestError, ErrorKind.CONTEXT_WINDOW),
    ("azure content filter", 400, err_body("The response was filtered", code="content_filter", param="prompt"), {},
     openai.BadRequestError, ErrorKind.CONTENT_FILTERED),
    ("auth", 401, err_body("Incorrect API key", code="invalid_api_key"), {}, openai.AuthenticationError, ErrorKind.AUTH),
    ("permission", 403, err_body("Forbidden"), {}, openai.PermissionDeniedError, ErrorKind.PERMISSION),
    ("not found", 404, err_body("no model", code="model_not_found"), {}, openai.NotFoundError, ErrorKind.NOT_FOUND),
    ("timeout", 408, err_body("timeout"), {}, openai.APIStatusError, ErrorKind.TIMEOUT),
    ("conflict", 409, err_body("conflict"), {}, openai.ConflictError, ErrorKind.SERVER_ERROR),
    ("too large", 413, err_body("too large"), {}, openai.APIStatusError, ErrorKind.INVALID_REQUEST),
    ("unprocessable", 422, err_body("bad"), {}, openai.UnprocessableEntityError, ErrorKind.INVALID_REQUEST),
    ("rate limit", 429, err_body("slow down", "requests", "rate_limit_exceeded"), {"retry-after": "20"},
     openai.RateLimitError, ErrorKind.RATE_LIMITED),
    ("rate limit ms", 429, err_body("slow down", "requests", "rate_limit_exceeded"), {"retry-after-ms": "250"},
     openai.RateLimitError, ErrorKind.RATE_LIMITED),
    ("quota", 429, err_body("You exceeded your current quota", "insufficient_quota", "insufficient_quota"), {},
     openai.RateLimitError, ErrorKind.QUOTA_EXHAUSTED),
    ("server", 500, err_body("server", "server_error"), {}, openai.InternalServerError, ErrorKind.SERVER_ERROR),
    ("bad gateway html", 502, b"<html>502 Bad Gateway</html>", {"content-type": "text/html"},
     openai.InternalServerError, ErrorKind.SERVER_ERROR),
    ("overloaded", 503, err_body("overloaded", "server_error"), {}, openai.InternalServerError, ErrorKind.OVERLOADED),
    ("gateway timeout", 504, err_body("timeout", "server_error"), {}, openai.InternalServerError, ErrorKind.TIMEOUT),
]  # fmt: skip


@pytest.mark.parametrize(
    ("status", "body", "headers", "sdk_class", "kind"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_error_classification_matches_the_sdk(
    status: int, body: bytes, headers: dict[str, str], sdk_class: type[Exception], kind: ErrorKind
) -> None:
    hdrs = {"x-request-id": "req_abc", **headers}
    client = Capture(status, body, hdrs).openai()
    with pytest.raises(openai.APIStatusError) as sdk_error:
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "x"}])
    assert type(sdk_error.value) is sdk_class
    mine = route("openai").classify(status, httpx2.Headers(hdrs), body)
    assert mine.kind is kind
    assert mine.request_id == sdk_error.value.request_id == "req_abc"
    assert mine.code == sdk_error.value.code
    assert mine.retry_after_s == client._parse_retry_after_header(httpx2.Headers(hdrs))
