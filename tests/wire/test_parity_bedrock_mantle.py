"""Bedrock Mantle: our route against ``anthropic.AnthropicBedrockMantle`` (Anthropic dialect) and
``openai.BedrockOpenAI`` (OpenAI dialect) as oracles — path, SigV4 scope (service ``bedrock-mantle``), headers and
body on the wire, and the same decoded answer from the same response."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import anthropic
import httpx2
import openai
import pytest

from modelroute._coerce import build_request

from . import test_parity_anthropic, test_parity_openai
from ._aws import AKID, BEARER, SECRET, SIGV4, TOKEN, route, scope

pytestmark = pytest.mark.parity
REGION = "us-east-2"
CLAUDE = "anthropic.claude-sonnet-4-5-20250929-v1:0"
GPT = "openai.gpt-oss-120b-1:0"


class RawCapture:
    def __init__(self, body: bytes = b"{}", content_type: str = "application/json") -> None:
        self.sent: list[httpx2.Request] = []
        self.body, self.content_type = body, content_type

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        self.sent.append(request)
        return httpx2.Response(200, content=self.body, headers={"content-type": self.content_type})

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self))

    def claude(self, **auth: Any) -> anthropic.AnthropicBedrockMantle:
        return anthropic.AnthropicBedrockMantle(
            aws_region=REGION, base_url="http://mock/anthropic", http_client=self.client(), max_retries=0,
            default_headers={"anthropic-version": "2023-06-01"},
            **(auth or {"aws_access_key": AKID, "aws_secret_key": SECRET}),
        )  # fmt: skip

    def gpt(self, **auth: Any) -> openai.BedrockOpenAI:
        return openai.BedrockOpenAI(
            aws_region=REGION, base_url="http://mock/openai/v1", http_client=self.client(), max_retries=0,
            **(auth or {"aws_access_key_id": AKID, "aws_secret_access_key": SECRET}),
        )  # fmt: skip


def mine(dialect: str, ask: dict[str, Any], model: str, *, stream: bool, **auth: Any) -> Any:
    r = route("bedrock_mantle", region=REGION, dialect=dialect, base_url="http://mock", **(auth or SIGV4))
    return r.build(build_request(model="a", **ask), model, stream=stream)


ANTHROPIC = list(test_parity_anthropic.REQUESTS)
OPENAI = list(test_parity_openai.REQUESTS)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(("ask", "native"), [r[1:] for r in ANTHROPIC], ids=[r[0] for r in ANTHROPIC])
def test_anthropic_dialect_matches_anthropic_bedrock_mantle(ask: Any, native: Any, stream: bool) -> None:
    cap = RawCapture()
    cap.claude().messages.create(model=CLAUDE, **native, **({"stream": True} if stream else {}))
    sdk, wire = cap.sent[0], mine("anthropic", ask, CLAUDE, stream=stream)
    assert (wire.method, httpx2.URL(wire.url).raw_path) == (sdk.method, sdk.url.raw_path)
    assert sdk.url.raw_path == b"/anthropic/v1/messages"
    assert scope(wire.headers) == scope(sdk.headers) == ("AWS4-HMAC-SHA256", AKID, REGION, "bedrock-mantle")
    assert wire.headers["anthropic-version"] == sdk.headers["anthropic-version"] == "2023-06-01"
    assert json.loads(wire.body) == json.loads(sdk.content)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(("ask", "native"), [r[1:] for r in OPENAI], ids=[r[0] for r in OPENAI])
def test_openai_dialect_matches_bedrock_openai(ask: Any, native: Any, stream: bool) -> None:
    cap = RawCapture()
    extra: dict[str, Any] = {"stream": True, "stream_options": {"include_usage": True}} if stream else {}
    cap.gpt().chat.completions.create(model=GPT, **native, **extra)
    sdk, wire = cap.sent[0], mine("openai", ask, GPT, stream=stream)
    assert (wire.method, httpx2.URL(wire.url).raw_path) == (sdk.method, sdk.url.raw_path)
    assert sdk.url.raw_path == b"/openai/v1/chat/completions"
    assert scope(wire.headers) == scope(sdk.headers) == ("AWS4-HMAC-SHA256", AKID, REGION, "bedrock-mantle")
    # both sign a hash of their own body bytes (the JSON key order may differ; the JSON does not)
    assert wire.headers["x-amz-content-sha256"] == hashlib.sha256(wire.body).hexdigest()
    assert sdk.headers["x-amz-content-sha256"] == hashlib.sha256(sdk.content).hexdigest()
    assert "anthropic-version" not in wire.headers
    assert json.loads(wire.body) == json.loads(sdk.content)


def test_api_keys_are_bearer_tokens_like_both_sdks() -> None:
    ask = {"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 5}
    cap = RawCapture()
    cap.claude(api_key=TOKEN).messages.create(model=CLAUDE, max_tokens=5, messages=[{"role": "user", "content": "Hi"}])
    cap.gpt(api_key=TOKEN).chat.completions.create(model=GPT, messages=[{"role": "user", "content": "Hi"}])
    for sdk, dialect in zip(cap.sent, ["anthropic", "openai"], strict=True):
        wire = mine(dialect, ask, CLAUDE, stream=False, **BEARER)
        assert wire.headers["authorization"] == sdk.headers["authorization"] == f"Bearer {TOKEN}"
        assert "x-amz-date" not in wire.headers


def test_default_endpoints_are_the_sdks_defaults() -> None:
    claude = anthropic.AnthropicBedrockMantle(api_key="k", aws_region="eu-west-3")
    gpt = openai.BedrockOpenAI(api_key="k", aws_region="eu-west-3")
    for dialect, sdk_base, path in [
        ("anthropic", str(claude.base_url), "/v1/messages"),
        ("openai", str(gpt.base_url), "/chat/completions"),
    ]:
        r = route("bedrock_mantle", region="eu-west-3", dialect=dialect, **BEARER)
        assert r.build(
            build_request(model="a", messages=[{"role": "user", "content": "Hi"}]), "m", stream=False
        ).url == (sdk_base.rstrip("/") + path)
    claude.close()
    gpt.close()


# --- responses: the same bytes decode alike --------------------------------------------------------------------


def test_anthropic_dialect_decodes_like_the_sdk() -> None:
    body = json.dumps(test_parity_anthropic.message([{"type": "text", "text": "Hello!"}])).encode()
    theirs = (
        RawCapture(body)
        .claude()
        .messages.create(model=CLAUDE, max_tokens=5, messages=[{"role": "user", "content": "Hi"}])
    )
    ours = route("bedrock_mantle", region=REGION, **BEARER).decode(body)
    assert ours.text == theirs.content[0].text == "Hello!"  # type: ignore[union-attr]
    assert (ours.usage.input_tokens, ours.usage.output_tokens) == (
        theirs.usage.input_tokens,
        theirs.usage.output_tokens,
    )


def test_openai_dialect_streams_like_the_sdk() -> None:
    chunks = [
        {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": GPT,
         "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
        for piece in ("Hel", "lo ", "there")
    ] + [
        {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": GPT,
         "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": GPT, "choices": [],
         "usage": {"prompt_tokens": 4, "completion_tokens": 3, "total_tokens": 7}},
    ]  # fmt: skip
    raw = b"".join(f"data: {json.dumps(c)}\n\n".encode() for c in chunks) + b"data: [DONE]\n\n"
    cap = RawCapture(raw, "text/event-stream")
    theirs = list(
        cap.gpt().chat.completions.create(model=GPT, messages=[{"role": "user", "content": "Hi"}], stream=True)
    )
    decoder = route("bedrock_mantle", region=REGION, dialect="openai", **BEARER).stream_decoder()
    decoder.feed(raw)
    _, ours = decoder.finish()
    assert ours.text == "".join(c.choices[0].delta.content or "" for c in theirs if c.choices) == "Hello there"
    assert ours.usage.output_tokens == theirs[-1].usage.completion_tokens == 3  # type: ignore[union-attr]
