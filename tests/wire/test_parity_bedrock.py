"""Claude on Bedrock Runtime (InvokeModel): our route against ``anthropic.AnthropicBedrock`` and boto3
``bedrock-runtime`` as oracles.

Requests: same method, path (model id in it, encoded as the SDK does), SigV4 scope, body. Responses, event
streams and errors: what the SDKs accept decodes to the same text, usage and kind.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import anthropic
import boto3
import botocore.exceptions
import httpx2
import pytest
from botocore.eventstream import EventStreamBuffer
from hypothesis import given, settings
from hypothesis import strategies as st

from modelroute._coerce import build_request
from modelroute.exceptions import ErrorKind, MalformedResponseError, ProviderError
from modelroute.testing import Fault, MockCloud
from modelroute.testing._routes.bedrock import es_chunk, es_exception, es_frame

from . import test_parity_openai
from ._aws import AKID, ARN_ID, BASE_ID, BEARER, PROFILE_ID, SECRET, SIGV4, TOKEN, route, scope, signature_valid
from .test_parity_anthropic import REQUESTS

pytestmark = pytest.mark.parity
REGION = "us-west-2"
VERSION = "bedrock-2023-05-31"


class RawCapture:
    """An httpx2 transport that records the raw request line (``%2F`` kept) and answers with a canned body."""

    def __init__(self, status: int = 200, body: bytes = b"{}", headers: dict[str, str] | None = None) -> None:
        self.sent: list[httpx2.Request] = []
        self.status, self.body = status, body
        self.headers = {"content-type": "application/json", **(headers or {})}

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        self.sent.append(request)
        return httpx2.Response(self.status, content=self.body, headers=self.headers)

    def bedrock(self, **auth: Any) -> anthropic.AnthropicBedrock:
        client = httpx2.Client(transport=httpx2.MockTransport(self))
        creds = auth or {"aws_access_key": AKID, "aws_secret_key": SECRET}
        return anthropic.AnthropicBedrock(
            aws_region=REGION, base_url="http://mock", http_client=client, max_retries=0, **creds
        )


def sdk_request(native: dict[str, Any], model: str, *, stream: bool, **auth: Any) -> httpx2.Request:
    cap = RawCapture()
    cap.bedrock(**auth).messages.create(model=model, stream=stream, extra_body={"anthropic_version": VERSION}, **native)
    return cap.sent[0]


# --- requests --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
@pytest.mark.parametrize(("ask", "native"), [r[1:] for r in REQUESTS], ids=[r[0] for r in REQUESTS])
def test_request_matches_anthropic_bedrock(ask: dict[str, Any], native: dict[str, Any], stream: bool) -> None:
    sdk = sdk_request(native, PROFILE_ID, stream=stream)
    wire = route("bedrock", region=REGION, **SIGV4).build(build_request(model="a", **ask), PROFILE_ID, stream=stream)
    mine = httpx2.URL(wire.url)
    action = "invoke-with-response-stream" if stream else "invoke"
    assert (wire.method, mine.raw_path) == (sdk.method, sdk.url.raw_path)
    assert mine.raw_path == f"/model/{PROFILE_ID}/{action}".encode()
    assert scope(wire.headers) == scope(sdk.headers) == ("AWS4-HMAC-SHA256", AKID, REGION, "bedrock")
    assert "anthropic-version" not in wire.headers and "anthropic-version" not in sdk.headers
    assert wire.headers["accept"] == sdk.headers["accept"] == "application/json"
    assert wire.headers["content-type"] == sdk.headers["content-type"] == "application/json"
    assert json.loads(wire.body) == json.loads(sdk.content)
    assert json.loads(wire.body)["anthropic_version"] == VERSION
    assert "model" not in json.loads(wire.body) and "stream" not in json.loads(wire.body)


@pytest.mark.parametrize("model", [PROFILE_ID, BASE_ID, ARN_ID, "global.anthropic.claude-opus-4-5-20251101-v1:0"])
def test_model_ids_are_encoded_in_the_path_like_the_sdk(model: str) -> None:
    native = {"max_tokens": 5, "messages": [{"role": "user", "content": "Hi"}]}
    sdk = sdk_request(native, model, stream=False)
    wire = route("bedrock", region=REGION, **SIGV4).build(build_request(model="a", **native), model, stream=False)
    assert httpx2.URL(wire.url).raw_path == sdk.url.raw_path
    assert unquote(sdk.url.raw_path.decode().split("/")[2]) == model


def test_bedrock_api_key_is_a_bearer_token_like_the_sdk() -> None:
    native = {"max_tokens": 5, "messages": [{"role": "user", "content": "Hi"}]}
    sdk = sdk_request(native, BASE_ID, stream=False, api_key=TOKEN)
    wire = route("bedrock", region=REGION, **BEARER).build(build_request(model="a", **native), BASE_ID, stream=False)
    assert wire.headers["authorization"] == sdk.headers["authorization"] == f"Bearer {TOKEN}"
    assert "x-amz-date" not in wire.headers


def test_default_endpoint_is_regional() -> None:
    r = route("bedrock", region="eu-central-1", **BEARER)
    req = build_request(model="a", messages=[{"role": "user", "content": "Hi"}])
    assert r.build(req, BASE_ID, stream=False).url == (
        f"https://bedrock-runtime.eu-central-1.amazonaws.com/model/{BASE_ID}/invoke"
    )


def test_temperature_goes_in_the_body_with_the_bedrock_version() -> None:
    r = route("bedrock", region=REGION, **BEARER)
    req = build_request(model="a", messages=[{"role": "user", "content": "Hi"}], temperature=0.3)
    assert r.unsupported(r.spec, req) is None
    assert json.loads(r.build(req, BASE_ID, stream=False).body)["temperature"] == 0.3
    dated = route("bedrock", region=REGION, anthropic_version="2026-10-21", **BEARER)
    assert dated.unsupported(dated.spec, req) is not None


# --- the same request on the wire, through boto3 and through us, at the mock cloud ------------------------------


@pytest.fixture(scope="module")
def cloud() -> Iterator[MockCloud]:
    with MockCloud() as c:
        c.add("br", route="bedrock", region=REGION)
        yield c


@pytest.fixture
def boto(cloud: MockCloud) -> Iterator[Any]:
    cloud.reset()
    client = boto3.client(
        "bedrock-runtime",
        region_name=REGION,
        endpoint_url=cloud.url("br"),
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        config=botocore.config.Config(retries={"total_max_attempts": 1}),
    )
    yield client
    client.close()


def send_ours(cloud: MockCloud, model: str, *, stream: bool) -> tuple[Any, Any]:
    from modelroute.transport import Timeouts, make_sync_transport

    r = route("bedrock", region=REGION, base_url=cloud.url("br"), **SIGV4)
    wire = r.build(
        build_request(model="a", messages=[{"role": "user", "content": "Hello there"}]), model, stream=stream
    )
    t = make_sync_transport("httpx", max_connections=1)
    try:
        resp = t.send(wire.method, wire.url, wire.headers, wire.body, Timeouts(5, 5, 5, 5))
        body = resp.read()
        resp.close()
    finally:
        t.close()
    if stream:
        decoder = r.stream_decoder()
        decoder.feed(body)
        return wire, decoder.finish()[1]
    return wire, r.decode(body)


@pytest.mark.parametrize("stream", [False, True], ids=["invoke_model", "invoke_model_with_response_stream"])
def test_same_request_and_answer_as_boto3(cloud: MockCloud, boto: Any, stream: bool) -> None:
    wire, answer = send_ours(cloud, ARN_ID, stream=stream)
    call = boto.invoke_model_with_response_stream if stream else boto.invoke_model
    out = call(modelId=ARN_ID, body=wire.body, contentType="application/json", accept="application/json")
    mine, theirs = cloud.requests("br")
    assert (mine.method, unquote(mine.path)) == (theirs.method, unquote(theirs.path))
    assert unquote(mine.path.split("/")[2]) == ARN_ID
    assert scope(mine.headers) == scope(theirs.headers) == ("AWS4-HMAC-SHA256", AKID, REGION, "bedrock")
    assert signature_valid(mine) and signature_valid(theirs)
    assert not signature_valid(mine, secret="another secret")
    assert mine.json == theirs.json
    if stream:
        events = [json.loads(e["chunk"]["bytes"]) for e in out["body"]]
        text = "".join(e["delta"]["text"] for e in events if e["type"] == "content_block_delta")
        usage = next(e for e in events if e["type"] == "message_delta")["usage"]["output_tokens"]
        assert events[-1]["type"] == "message_stop"
    else:
        message = json.loads(out["body"].read())
        text, usage = message["content"][0]["text"], message["usage"]["output_tokens"]
    assert answer.text == text == "Hello from br."
    assert answer.usage.output_tokens == usage


# --- streams ---------------------------------------------------------------------------------------------------


def anthropic_events(text: str = "Hi there, friend") -> list[dict[str, Any]]:
    msg = {"id": "msg_1", "type": "message", "role": "assistant", "model": BASE_ID, "content": [],
           "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 7, "output_tokens": 1}}  # fmt: skip
    words = text.split(" ")
    return [
        {"type": "message_start", "message": msg},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        *[{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": w + " "}} for w in words],
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
         "usage": {"output_tokens": len(words)}},
        {"type": "message_stop", "amazon-bedrock-invocationMetrics": {"inputTokenCount": 7, "outputTokenCount": 3}},
    ]  # fmt: skip


def eventstream(*frames: bytes) -> RawCapture:
    return RawCapture(200, b"".join(frames), {"content-type": "application/vnd.amazon.eventstream"})


def sdk_stream(cap: RawCapture) -> list[Any]:
    with cap.bedrock().messages.create(
        model=BASE_ID, max_tokens=5, messages=[{"role": "user", "content": "Hi"}], stream=True
    ) as s:
        return list(s)


def decode_ours(raw: bytes, piece: int = 0) -> Any:
    decoder = route("bedrock", region=REGION, **BEARER).stream_decoder()
    events = []
    pieces = [raw[i : i + piece] for i in range(0, len(raw), piece)] if piece else [raw]
    for p in pieces:
        events += decoder.feed(p)
    tail, response = decoder.finish()
    return events + tail, response


@pytest.mark.parametrize("piece", [0, 1, 7, 100], ids=["whole", "byte-by-byte", "7-bytes", "100-bytes"])
def test_stream_decodes_like_the_sdk(piece: int) -> None:
    frames = [es_chunk(e) for e in anthropic_events()]
    theirs = sdk_stream(eventstream(*frames))
    text = "".join(e.delta.text for e in theirs if e.type == "content_block_delta")
    events, response = decode_ours(b"".join(frames), piece)
    assert "".join(e.text for e in events if e.type == "text") == text == response.text == "Hi there, friend "
    sdk_usage = next(e for e in theirs if e.type == "message_delta").usage
    assert response.usage.output_tokens == sdk_usage.output_tokens == 3
    assert response.usage.input_tokens == 7 and response.raw_stop_reason == "end_turn"


def test_mock_frames_are_what_botocore_decodes() -> None:
    buf = EventStreamBuffer()
    buf.add_data(es_chunk({"type": "ping"}) + es_exception("throttlingException", "slow down"))
    first, second = list(buf)
    assert first.headers[":event-type"] == "chunk" and first.headers[":message-type"] == "event"
    assert json.loads(base64.b64decode(json.loads(first.payload)["bytes"])) == {"type": "ping"}
    assert second.headers[":exception-type"] == "throttlingException"
    assert second.to_response_dict()["status_code"] == 400


EXCEPTIONS = [
    ("throttlingException", "Too many requests, please wait before trying again.", ErrorKind.RATE_LIMITED),
    ("serviceUnavailableException", "Bedrock is unable to process your request.", ErrorKind.OVERLOADED),
    ("internalServerException", "The system encountered an unexpected error.", ErrorKind.SERVER_ERROR),
    ("modelStreamErrorException", "The model returned an error.", ErrorKind.SERVER_ERROR),
    ("modelTimeoutException", "Model has timed out in processing the request.", ErrorKind.TIMEOUT),
    ("validationException", "Malformed input request, please reformat your input.", ErrorKind.INVALID_REQUEST),
    ("validationException", "Input is too long for requested model.", ErrorKind.CONTEXT_WINDOW),
]


@pytest.mark.parametrize(("name", "message", "kind"), EXCEPTIONS, ids=[f"{e[0]}-{e[2].value}" for e in EXCEPTIONS])
def test_exception_frames_are_classified_by_name(name: str, message: str, kind: ErrorKind) -> None:
    frames = [es_chunk(e) for e in anthropic_events()[:3]] + [es_exception(name, message)]
    with pytest.raises(anthropic.APIStatusError) as sdk:
        sdk_stream(eventstream(*frames))
    assert sdk.value.status_code == 200 and sdk.value.type == name
    with pytest.raises(ProviderError) as mine:
        decode_ours(b"".join(frames))
    assert (mine.value.kind, mine.value.code, mine.value.status) == (kind, name, 200)
    assert message in mine.value.message


def test_model_stream_error_quoting_a_long_prompt_is_a_context_window_error() -> None:
    frame = es_exception("modelStreamErrorException", "The model returned an error.", originalStatusCode=400,
                         originalMessage="prompt is too long: 210000 tokens > 200000 maximum")  # fmt: skip
    with pytest.raises(ProviderError) as e:
        decode_ours(frame)
    assert e.value.kind is ErrorKind.CONTEXT_WINDOW


@pytest.mark.parametrize(
    ("status", "kind"),
    [(429, ErrorKind.RATE_LIMITED), (529, ErrorKind.OVERLOADED), (503, ErrorKind.OVERLOADED),
     (500, ErrorKind.SERVER_ERROR), ("n/a", ErrorKind.SERVER_ERROR)],
)  # fmt: skip
def test_model_stream_errors_say_what_the_model_answered(status: Any, kind: ErrorKind) -> None:
    frame = es_exception("modelStreamErrorException", "The model returned an error.", originalStatusCode=status,
                         originalMessage="whatever the model said")  # fmt: skip
    with pytest.raises(ProviderError) as e:
        decode_ours(frame)
    assert e.value.kind is kind and "whatever the model said" in e.value.message


def test_error_message_frames_are_errors() -> None:
    frame = es_frame({":message-type": "error", ":error-code": "InternalFailure", ":error-message": "boom"}, b"")
    with pytest.raises(ProviderError) as e:
        decode_ours(frame)
    assert (e.value.kind, e.value.message) == (ErrorKind.SERVER_ERROR, "boom")


def _flip(frame: bytes, at: int) -> bytes:
    return frame[:at] + bytes([frame[at] ^ 0x01]) + frame[at + 1 :]


@pytest.mark.parametrize("at", [-1, 20, 5], ids=["message-crc", "payload", "prelude"])
def test_a_bad_checksum_is_malformed_never_complete(at: int) -> None:
    frames = [es_chunk(e) for e in anthropic_events()]
    frames[-1] = _flip(frames[-1], at % len(frames[-1]))
    with pytest.raises(MalformedResponseError):
        decode_ours(b"".join(frames))


def test_a_stream_cut_inside_a_frame_is_malformed() -> None:
    raw = b"".join(es_chunk(e) for e in anthropic_events())
    with pytest.raises(MalformedResponseError, match="inside a frame"):
        decode_ours(raw[:-10])


def test_a_stream_without_message_stop_is_malformed_even_after_whole_frames() -> None:
    raw = b"".join(es_chunk(e) for e in anthropic_events()[:-1])
    with pytest.raises(MalformedResponseError, match="message_stop"):
        decode_ours(raw)


def test_a_chunk_that_is_not_base64_json_is_malformed() -> None:
    bad = es_frame({":event-type": "chunk", ":message-type": "event"}, b'{"bytes": "%%% not base64"}')
    with pytest.raises(MalformedResponseError):
        decode_ours(bad)


def test_unknown_events_and_chunks_without_a_type_are_skipped() -> None:
    other = es_frame({":event-type": "initial-response", ":message-type": "event"}, b"{}")
    untyped = es_chunk({"completion": "legacy"})
    _, response = decode_ours(other + untyped + b"".join(es_chunk(e) for e in anthropic_events()))
    assert response.text == "Hi there, friend "


# --- HTTP errors, through the mock cloud: boto3 names them as we classify them --------------------------------


def test_boto3_names_each_mock_fault_as_we_classify_it(cloud: MockCloud, boto: Any) -> None:
    faults = {
        "rate_limited": ("ThrottlingException", ErrorKind.RATE_LIMITED),
        "overloaded": ("ServiceUnavailableException", ErrorKind.OVERLOADED),
        "server_error": ("InternalServerException", ErrorKind.SERVER_ERROR),
        "context_length": ("ValidationException", ErrorKind.CONTEXT_WINDOW),
        "unauthorized": ("UnrecognizedClientException", ErrorKind.AUTH),
        "quota_exhausted": ("ServiceQuotaExceededException", ErrorKind.QUOTA_EXHAUSTED),
        "not_found": ("ResourceNotFoundException", ErrorKind.NOT_FOUND),
    }
    r = route("bedrock", region=REGION, **SIGV4)
    for fault, (name, kind) in faults.items():
        cloud.reset()
        cloud.script("br", Fault(fault), Fault(fault))
        with pytest.raises(botocore.exceptions.ClientError) as e:
            boto.invoke_model(modelId=BASE_ID, body=b'{"anthropic_version":"x","max_tokens":1,"messages":[]}')
        assert e.value.response["Error"]["Code"] == name, fault
        from modelroute.transport import Timeouts, make_sync_transport

        t = make_sync_transport("httpx", max_connections=1)
        resp = t.send("POST", cloud.url("br") + f"/model/{BASE_ID}/invoke", {"authorization": "Bearer k"},
                      b'{"anthropic_version":"x","max_tokens":1,"messages":[]}', Timeouts(5, 5, 5, 5))  # fmt: skip
        err = r.classify(resp.status, resp.headers, resp.read())
        t.close()
        assert (err.kind, err.code, err.status) == (kind, name, e.value.response["ResponseMetadata"]["HTTPStatusCode"])
        assert err.request_id and err.request_id.startswith("req_mock")  # read from x-amzn-RequestId, as boto3 does
        assert e.value.response["ResponseMetadata"]["RequestId"].startswith("req_mock")


def test_boto3_streams_raise_the_exception_frame_we_classify(cloud: MockCloud, boto: Any) -> None:
    cloud.script("br", Fault.stream_error(error_type="throttlingException"))
    out = boto.invoke_model_with_response_stream(
        modelId=BASE_ID, body=b'{"anthropic_version":"x","max_tokens":1,"messages":[]}'
    )
    with pytest.raises(botocore.exceptions.EventStreamError) as e:
        list(out["body"])
    out["body"].close()
    assert e.value.response["Error"]["Code"] == "throttlingException"


# --- OpenAI models on Bedrock Runtime (/openai/v1): openai's Bedrock provider with endpoint="runtime" -----------


def runtime_gpt(base_url: str, http_client: Any = None, **auth: Any) -> Any:
    import openai
    from openai.providers.bedrock import bedrock as bedrock_provider

    creds = auth or {"access_key_id": AKID, "secret_access_key": SECRET}
    provider = bedrock_provider(endpoint="runtime", region=REGION, base_url=base_url, **creds)
    return openai.OpenAI(provider=provider, http_client=http_client, max_retries=0)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(
    ("ask", "native"), [r[1:] for r in test_parity_openai.REQUESTS], ids=[r[0] for r in test_parity_openai.REQUESTS]
)
def test_openai_dialect_matches_openais_runtime_provider(ask: Any, native: Any, stream: bool) -> None:
    cap = RawCapture()
    extra: dict[str, Any] = {"stream": True, "stream_options": {"include_usage": True}} if stream else {}
    gpt = runtime_gpt("http://mock/openai/v1", httpx2.Client(transport=httpx2.MockTransport(cap)))
    gpt.chat.completions.create(model="openai.gpt-oss-120b-1:0", **native, **extra)
    sdk = cap.sent[0]
    r = route("bedrock", region=REGION, dialect="openai", base_url="http://mock", **SIGV4)
    wire = r.build(build_request(model="a", **ask), "openai.gpt-oss-120b-1:0", stream=stream)
    assert (wire.method, httpx2.URL(wire.url).raw_path) == (sdk.method, sdk.url.raw_path)
    assert sdk.url.raw_path == b"/openai/v1/chat/completions"
    assert scope(wire.headers) == scope(sdk.headers) == ("AWS4-HMAC-SHA256", AKID, REGION, "bedrock")
    assert wire.headers["accept"] == sdk.headers["accept"] == "application/json"
    assert json.loads(wire.body) == json.loads(sdk.content)
    ask_hi = build_request(model="a", messages=[{"role": "user", "content": "Hi"}])
    default = route("bedrock", region="ap-south-1", dialect="openai", **BEARER).build(ask_hi, "m", stream=False).url
    assert default == "https://bedrock-runtime.ap-south-1.amazonaws.com/openai/v1/chat/completions"


def test_openai_models_on_the_mock_bedrock_runtime(cloud: MockCloud) -> None:
    cloud.reset()
    gpt = runtime_gpt(cloud.url("br") + "/openai/v1")
    c = gpt.chat.completions.create(model="openai.gpt-oss-120b-1:0", messages=[{"role": "user", "content": "Hi"}])
    assert c.choices[0].message.content == "Hello from br."
    chunks = list(gpt.chat.completions.create(model="m", messages=[{"role": "user", "content": "Hi"}], stream=True))
    assert "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices) == "Hello from br."
    gpt.close()
    reqs = cloud.requests("br")
    assert all(scope(r.headers)[2:] == (REGION, "bedrock") and signature_valid(r) for r in reqs)


@given(st.lists(st.integers(min_value=0, max_value=2000), max_size=12), st.text(min_size=1, max_size=40))
@settings(max_examples=60, deadline=None)
def test_any_chunking_of_the_event_stream_decodes_the_same(cuts: list[int], text: str) -> None:
    frames = [es_chunk(e) for e in anthropic_events(text)]
    raw = b"".join(frames)
    points = sorted({min(c, len(raw)) for c in cuts})
    pieces = [raw[a:b] for a, b in zip([0, *points], [*points, len(raw)], strict=True)]
    decoder = route("bedrock", region=REGION, **BEARER).stream_decoder()
    events = [e for p in pieces for e in decoder.feed(p)]
    tail, response = decoder.finish()
    expected = "".join(w + " " for w in text.split(" "))
    assert "".join(e.text for e in events + tail if e.type == "text") == response.text == expected
