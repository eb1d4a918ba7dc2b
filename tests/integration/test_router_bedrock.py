"""The router through the mock cloud's AWS routes: Bedrock Runtime (SigV4 and API key) and Mantle (both
dialects) — answers, streams, where they were served, every fault kind, and failover out of Bedrock."""

from __future__ import annotations

from typing import Any

import pytest

from modelroute import AllTargetsFailed, Response, Router, StreamInterrupted, TextDelta
from modelroute.testing import FakeClock, Fault, MockCloud, router_on_mock_cloud

PROFILE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
EU_PROFILE = "eu.anthropic.claude-sonnet-4-5-20250929-v1:0"
SIGV4 = {"aws_access_key_id": "${AWS_ACCESS_KEY_ID}", "aws_secret_access_key": "${AWS_SECRET_ACCESS_KEY}"}
CONFIG: dict[str, Any] = {
    "providers": {
        "bedrock-us": {"kind": "bedrock", "region": "us-west-2", **SIGV4, "first_byte_timeout_s": 0.5},
        "bedrock-eu": {"kind": "bedrock", "region": "eu-central-1", "api_key": "${AWS_BEARER_TOKEN_BEDROCK}"},
        "mantle": {"kind": "bedrock_mantle", "region": "us-east-1", **SIGV4},
        "mantle-gpt": {"kind": "bedrock_mantle", "region": "us-east-1", "dialect": "openai",
                       "api_key": "${AWS_BEARER_TOKEN_BEDROCK}"},
        "runtime-gpt": {"kind": "bedrock", "region": "us-west-2", "dialect": "openai", **SIGV4},
    },
    "models": {
        "claude": {"targets": [f"bedrock-us:{PROFILE}", f"bedrock-eu:{EU_PROFILE}"], "fallbacks": ["gpt"]},
        "claude-stop": {"targets": [f"bedrock-us:{PROFILE}", f"bedrock-eu:{EU_PROFILE}"], "stream_resume": "error"},
        "claude-mantle": {"targets": ["mantle:anthropic.claude-sonnet-4-5"]},
        "gpt": {"targets": ["mantle-gpt:openai.gpt-oss-120b-1:0"]},
        "gpt-runtime": {"targets": ["runtime-gpt:openai.gpt-oss-20b-1:0", "mantle-gpt:openai.gpt-oss-20b-1:0"]},
    },
    "defaults": {"deadline_s": 20, "attempt_timeout_s": 5, "stall_timeout_s": 0.5, "first_byte_timeout_s": 2},
}  # fmt: skip
HI = [{"role": "user", "content": "Hello there"}]


def trace(r: Response | AllTargetsFailed | StreamInterrupted) -> list[tuple[str, str | None]]:
    return [(a.provider, a.kind.value if a.kind else None) for a in r.trace]


# --- answers ---------------------------------------------------------------------------------------------------

SERVED = [
    ("claude", "bedrock-us", "us-west-2", PROFILE, "Hello from bedrock-us."),
    ("claude-mantle", "mantle", "us-east-1", "anthropic.claude-sonnet-4-5", "Hello from mantle."),
    ("gpt", "mantle-gpt", "us-east-1", "openai.gpt-oss-120b-1:0", "Hello from mantle-gpt."),
    ("gpt-runtime", "runtime-gpt", "us-west-2", "openai.gpt-oss-20b-1:0", "Hello from runtime-gpt."),
]


@pytest.mark.parametrize(("alias", "provider", "region", "model", "text"), SERVED, ids=[s[1] for s in SERVED])
def test_complete_and_stream_report_text_usage_and_where(
    router: Router, alias: str, provider: str, region: str, model: str, text: str
) -> None:
    r = router.complete(alias, HI, max_tokens=50)
    assert r.text == text and r.usage.output_tokens == 3 and r.usage.input_tokens > 0
    assert r.served_by is not None
    assert (r.served_by.provider, r.served_by.cloud, r.served_by.region, r.served_by.model) == (
        provider, "aws", region, model,
    )  # fmt: skip
    with router.stream(alias, HI, max_tokens=50) as s:
        events = list(s)
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert "".join(deltas) == text and len(deltas) > 1
    assert [e.type for e in events][-1] == "stop"
    assert s.response.text == text and s.response.usage.output_tokens == 3
    assert s.response.served_by is not None and s.response.served_by.cloud == "aws"


def test_bedrock_wire_is_invoke_model(router: Router, cloud: MockCloud) -> None:
    router.complete("claude", HI, max_tokens=50, temperature=0.2)
    with router.stream("claude", HI) as s:
        list(s)
    sent, streamed = cloud.requests("bedrock-us")
    assert sent.path == f"/model/{PROFILE}/invoke" and streamed.path == f"/model/{PROFILE}/invoke-with-response-stream"
    assert sent.json == {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 50,
        "messages": [{"role": "user", "content": "Hello there"}],
        "temperature": 0.2,
    }
    cred = sent.headers["authorization"].split("Credential=")[1].split(",")[0].split("/")
    assert (cred[0], cred[2], cred[3]) == ("mock-aws_access_key_id", "us-west-2", "bedrock")
    assert "anthropic-version" not in sent.headers


def test_tool_calls_through_bedrock(router: Router, cloud: MockCloud) -> None:
    call = {"name": "weather", "arguments": {"city": "Paris"}}
    cloud.script("bedrock-us", Fault.ok(tool_call=call), Fault.ok(tool_call=call))
    r = router.complete("claude", HI, tools=[{"name": "weather", "input_schema": {"type": "object"}}])
    assert [(c.name, c.arguments) for c in r.tool_calls] == [("weather", {"city": "Paris"})]
    with router.stream("claude", HI, tools=[{"name": "weather"}]) as s:
        list(s)
    assert s.response.tool_calls[0].arguments == {"city": "Paris"}


@pytest.mark.anyio
async def test_async_complete_and_stream(router: Router) -> None:
    r = await router.acomplete("claude", HI)
    assert r.text == "Hello from bedrock-us."
    texts = [e.text async for e in router.astream("claude", HI) if isinstance(e, TextDelta)]
    assert "".join(texts) == "Hello from bedrock-us."
    await router.aclose()


# --- every fault kind, in a plain call and in a stream ----------------------------------------------------------

FAULTS = [
    (Fault.rate_limited(), ["rate_limited"]),
    (Fault.overloaded(), ["overloaded"]),
    (Fault.unavailable(), ["overloaded"]),
    (Fault.server_error(), ["server_error", "server_error"]),
    (Fault.status(424, {"message": "Received server error (500) from model."},
                  {"x-amzn-ErrorType": "ModelErrorException:http://internal.amazon.com/coral/com.amazon.bedrock/"}),
     ["server_error", "server_error"]),
    (Fault.status(429, {"message": "Model is not ready to serve inference requests."},
                  {"x-amzn-ErrorType": "ModelNotReadyException:http://internal.amazon.com/coral/com.amazon.bedrock/"}),
     ["overloaded"]),
    (Fault.status(408, {"message": "Model has timed out in processing the request."},
                  {"x-amzn-ErrorType": "ModelTimeoutException:http://internal.amazon.com/coral/com.amazon.bedrock/"}),
     ["timeout"]),
    (Fault.unauthorized(), ["auth"]),
    (Fault.quota_exhausted(), ["quota_exhausted"]),
    (Fault.not_found(), ["not_found"]),
    (Fault.reset(), ["connection"]),
    (Fault.refused(), ["connection"]),
    (Fault.ok(ttfb_s=1.5), ["timeout"]),  # past bedrock-us's first_byte_timeout_s of 0.5
    (Fault.stream_error(after_events=1), ["overloaded"]),
    (Fault.stream_error(after_events=1, error_type="throttlingException"), ["rate_limited"]),
    # the mock's modelStreamErrorException quotes the model's 529: overloaded, not a bare server error
    (Fault.stream_error(after_events=1, error_type="modelStreamErrorException"), ["overloaded"]),
    (Fault.stream_error(after_events=1, error_type="rate_limit_error"), ["rate_limited"]),  # Anthropic's name
    (Fault.stream_cut(after_events=1), ["connection"]),
    (Fault.stall(after_events=1), ["timeout"]),
    (Fault.malformed(after_events=1), ["malformed_response"]),
]  # fmt: skip
IDS = [f"{f.kind}-{'-'.join(k)}" + (f"-{f.error_type}" if f.error_type else "") for f, k in FAULTS]


@pytest.mark.parametrize("stream", [False, True], ids=["complete", "stream"])
@pytest.mark.parametrize(("fault", "kinds"), FAULTS, ids=IDS)
def test_each_fault_maps_to_its_kind_and_fails_over(
    router: Router, cloud: MockCloud, fault: Fault, kinds: list[str], stream: bool
) -> None:
    cloud.set_default("bedrock-us", fault)
    if not stream and fault.kind == "stream_error":
        kinds = ["overloaded"]  # a plain call gets the route's overloaded error instead of an in-band one
    if stream:
        with router.stream("claude", HI) as s:
            list(s)
        r = s.response
    else:
        r = router.complete("claude", HI)
    assert trace(r) == [("bedrock-us", k) for k in kinds] + [("bedrock-eu", None)]
    assert r.text == "Hello from bedrock-eu." and r.served_by is not None and r.served_by.region == "eu-central-1"
    cloud.up("bedrock-us")


@pytest.mark.parametrize("stream", [False, True], ids=["complete", "stream"])
def test_a_too_long_prompt_is_not_resent_to_the_same_model_in_another_geography(
    router: Router, cloud: MockCloud, stream: bool
) -> None:
    """The EU profile is the same Sonnet 4.5; gpt-oss-120b's window (131,072) is smaller than its 200,000."""
    cloud.set_default("bedrock-us", Fault.context_length())
    with pytest.raises(AllTargetsFailed) as info:
        list(router.stream("claude", HI)) if stream else router.complete("claude", HI)
    assert [(a.provider, a.outcome) for a in info.value.trace] == [
        ("bedrock-us", "error"),
        ("bedrock-eu", "skipped"),
        ("mantle-gpt", "skipped"),
    ]
    assert info.value.trace[0].kind is not None and info.value.trace[0].kind.value == "context_window"
    assert "model family claude-sonnet-4-5" in info.value.trace[1].reason
    assert "131,072 tokens" in info.value.trace[2].reason
    assert cloud.requests("bedrock-eu") == [] and cloud.requests("mantle-gpt") == []
    cloud.up("bedrock-us")


def test_latency_is_not_a_fault(router: Router, cloud: MockCloud) -> None:
    cloud.script("bedrock-us", Fault.latency(0.05))
    assert trace(router.complete("claude", HI)) == [("bedrock-us", None)]


@pytest.mark.parametrize(
    ("fault", "kind"),
    [(Fault.stream_cut(), "connection"), (Fault.stall(), "timeout"), (Fault.malformed(), "malformed_response"),
     (Fault.stream_error(error_type="throttlingException"), "rate_limited")],
    ids=["cut", "stall", "malformed", "exception-frame"],
)  # fmt: skip
def test_a_stream_broken_after_text_is_never_complete(
    router: Router, cloud: MockCloud, fault: Fault, kind: str
) -> None:
    cloud.script("bedrock-us", fault)
    text: list[str] = []
    with pytest.raises(StreamInterrupted) as info, router.stream("claude-stop", HI) as s:
        text.extend(e.text for e in s if isinstance(e, TextDelta))
    assert info.value.partial_text == "".join(text) != ""
    assert trace(info.value) == [("bedrock-us", kind)]


def test_every_aws_target_failing_ends_with_the_whole_trace(router: Router, cloud: MockCloud) -> None:
    cloud.set_default("bedrock-us", Fault.rate_limited())
    cloud.down("bedrock-eu")
    cloud.set_default("mantle-gpt", Fault.overloaded())
    with pytest.raises(AllTargetsFailed) as info:
        router.complete("claude", HI)
    assert trace(info.value) == [
        ("bedrock-us", "rate_limited"),
        ("bedrock-eu", "connection"),
        ("mantle-gpt", "overloaded"),
    ]
    cloud.up("bedrock-eu")


def test_a_target_signed_for_the_wrong_region_is_refused_and_failed_over(cloud: MockCloud) -> None:
    cloud.reset()
    wrong = {**CONFIG, "providers": {**CONFIG["providers"], "bedrock-us": {**CONFIG["providers"]["bedrock-us"],
                                                                         "region": "us-east-2"}}}  # fmt: skip
    with router_on_mock_cloud(cloud, wrong) as r:
        answer = r.complete("claude", HI)
    assert trace(answer) == [("bedrock-us", "auth"), ("bedrock-eu", None)]
    assert "scoped to a valid region" in str(answer.trace[0].error)


def test_openai_models_on_bedrock_runtime_fail_over_to_mantle(router: Router, cloud: MockCloud) -> None:
    cloud.script("runtime-gpt", Fault.rate_limited())
    r = router.complete("gpt-runtime", HI)
    assert trace(r) == [("runtime-gpt", "rate_limited"), ("mantle-gpt", None)]
    sent = cloud.requests("runtime-gpt")[0]
    assert sent.path == "/openai/v1/chat/completions" and sent.json["model"] == "openai.gpt-oss-20b-1:0"


# --- the minimal entries handed to the conformance suite: each works with router_on_mock_cloud as written ------

MINIMAL: dict[str, tuple[dict[str, Any], str]] = {
    "bedrock-sigv4": ({"kind": "bedrock", "region": "us-east-1", **SIGV4}, PROFILE),
    "bedrock-key": ({"kind": "bedrock", "region": "us-east-1", "api_key": "${AWS_BEARER_TOKEN_BEDROCK}"}, PROFILE),
    "bedrock-openai": ({"kind": "bedrock", "region": "us-east-1", "dialect": "openai", **SIGV4},
                       "openai.gpt-oss-120b-1:0"),
    "mantle-anthropic": ({"kind": "bedrock_mantle", "region": "us-east-1", **SIGV4}, "anthropic.claude-sonnet-4-5"),
    "mantle-openai": ({"kind": "bedrock_mantle", "region": "us-east-1", "dialect": "openai",
                       "api_key": "${AWS_BEARER_TOKEN_BEDROCK}"}, "openai.gpt-oss-120b-1:0"),
    "anthropic-aws": ({"kind": "anthropic_aws", "region": "us-east-1", "workspace_id": "wrkspc_01", **SIGV4},
                      "claude-sonnet-4-5"),
    "default-chain": ({"kind": "bedrock", "region": "us-east-1"}, PROFILE),  # fake keys replace the chain
}  # fmt: skip


@pytest.mark.parametrize("name", list(MINIMAL))
def test_minimal_entries_work_on_the_mock_cloud(name: str) -> None:
    provider, model = MINIMAL[name]
    config = {"providers": {name: provider}, "models": {"m": {"targets": [f"{name}:{model}"]}}}
    clock = FakeClock()
    with MockCloud() as cloud, router_on_mock_cloud(cloud, config, sleep=clock.sleep) as router:
        assert router.complete("m", HI).text == f"Hello from {name}."
        with router.stream("m", HI) as s:
            list(s)
        assert s.response.text == f"Hello from {name}." and s.response.usage.output_tokens == 3
        cloud.set_default(name, Fault.rate_limited())
        with pytest.raises(AllTargetsFailed) as info:
            router.complete("m", HI)
        assert {k for _, k in trace(info.value)} == {"rate_limited"}
    clock = FakeClock()
    with MockCloud() as cloud, router_on_mock_cloud(cloud, config, sleep=clock.sleep) as router:
        cloud.set_default(name, Fault.stream_error(after_events=1))  # each route's default in-band error
        with pytest.raises(AllTargetsFailed) as info, router.stream("m", HI) as s:
            list(s)
        in_band = "server_error" if provider.get("dialect") == "openai" else "overloaded"
        assert {k for _, k in trace(info.value)} == {in_band}


@pytest.mark.anyio
async def test_async_stream_faults_fail_over(router: Router, cloud: MockCloud) -> None:
    cloud.script("bedrock-us", Fault.stream_error(after_events=1, error_type="throttlingException"))
    cloud.script("bedrock-eu", Fault.refused())
    stream = router.astream("claude", HI)
    texts = [e.text async for e in stream if isinstance(e, TextDelta)]
    assert "".join(texts) == "Hello from mantle-gpt."
    assert trace(stream.response) == [
        ("bedrock-us", "rate_limited"),
        ("bedrock-eu", "connection"),
        ("mantle-gpt", None),
    ]
    cloud.up("bedrock-eu")
    await router.aclose()


def _frames(cut_before_stop: bool = False, bad_crc: bool = False) -> bytes:
    from modelroute.testing._routes.bedrock import es_chunk

    msg = {"id": "msg_1", "type": "message", "role": "assistant", "content": [], "usage": {"input_tokens": 3}}
    events: list[dict[str, Any]] = [
        {"type": "message_start", "message": msg},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 1}},
        {"type": "message_stop"},
    ]
    frames = [es_chunk(e) for e in (events[:-1] if cut_before_stop else events)]
    if bad_crc:
        frames[-1] = frames[-1][:-1] + bytes([frames[-1][-1] ^ 0xFF])
    return b"".join(frames)


@pytest.mark.parametrize(
    ("body", "why"),
    [(_frames(cut_before_stop=True), "before message_stop"), (_frames(bad_crc=True), "broken AWS event-stream frame"),
     (_frames()[:-7], "ended inside a frame")],
    ids=["clean end without message_stop", "bad checksum", "half a frame"],
)  # fmt: skip
def test_a_stream_that_ends_wrong_is_malformed_and_fails_over(
    router: Router, cloud: MockCloud, body: bytes, why: str
) -> None:
    cloud.script("bedrock-us", Fault.status(200, body, {"content-type": "application/vnd.amazon.eventstream"}))
    with router.stream("claude", HI) as s:
        list(s)
    assert trace(s.response) == [("bedrock-us", "malformed_response"), ("bedrock-eu", None)]
    assert why in str(s.response.trace[0].error)
