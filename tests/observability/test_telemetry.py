"""OpenTelemetry through the mock cloud: a failover call is one call span with one child span per attempt, with
the GenAI conventions' attributes and modelroute's, and the metrics are recorded; sync and async, plain and
streamed, failed, abandoned; content only on the switch; the names pinned to the conventions' own package."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as ga
from opentelemetry.semconv._incubating.metrics import gen_ai_metrics as gm
from opentelemetry.trace import SpanKind, StatusCode

from modelroute.exceptions import AllTargetsFailed, MissingDependencyError
from modelroute.observability import Telemetry
from modelroute.testing import FakeClock, Fault, MockCloud

from .conftest import CONFIG, Otel, make_router, telemetry

HI = [{"role": "user", "content": "Hi"}]


def _script_failover(cloud: MockCloud) -> None:
    cloud.script("azure", Fault.unavailable())
    cloud.script("bedrock", Fault.rate_limited(retry_after=30))
    cloud.script("openai", Fault.ok(text="served by the third"))


def _tree(otel: Otel) -> tuple[ReadableSpan, list[ReadableSpan]]:
    spans = otel.finished()
    calls = [s for s in spans if s.parent is None]
    assert len(calls) == 1, [s.name for s in spans]
    call = calls[0]
    children = [s for s in spans if s.parent is not None]
    children.sort(key=lambda s: s.attributes["modelroute.attempt.number"])
    assert all(s.parent.span_id == call.context.span_id for s in children)
    assert all(s.context.trace_id == call.context.trace_id for s in children)
    return call, children


def _check_failover(otel: Otel, *, streamed: bool) -> None:
    call, attempts = _tree(otel)
    assert call.name == "chat chat" and call.kind is SpanKind.INTERNAL
    a = call.attributes
    assert a["gen_ai.operation.name"] == "chat" and a["gen_ai.request.model"] == "chat"
    assert a["gen_ai.provider.name"] == "openai" and a["modelroute.served.provider"] == "openai"
    assert a["gen_ai.response.model"] == "gpt-5"
    assert a["gen_ai.usage.input_tokens"] > 0 and a["gen_ai.usage.output_tokens"] > 0
    assert a["modelroute.attempts"] == 3 and a["modelroute.failovers"] == 2
    assert a["modelroute.cost.amount"] > 0 and a["modelroute.cost.currency"] == "USD"  # the call's priced cost
    assert "genai-prices" in a["modelroute.cost.source"]
    assert a.get("gen_ai.request.stream", False) is streamed
    assert call.status.status_code is not StatusCode.ERROR

    assert [s.name for s in attempts] == ["chat gpt-prod", "chat openai.gpt-oss-120b-1:0", "chat gpt-5"]
    assert all(s.kind is SpanKind.CLIENT for s in attempts)
    azure, bedrock, openai = (s.attributes for s in attempts)
    assert azure["gen_ai.provider.name"] == "azure.ai.openai" and azure["cloud.provider"] == "azure"
    assert bedrock["gen_ai.provider.name"] == "aws.bedrock" and bedrock["cloud.region"] == "eu-central-1"
    assert openai["gen_ai.provider.name"] == "openai" and "cloud.provider" not in openai
    assert [x["modelroute.provider"] for x in (azure, bedrock, openai)] == ["azure", "bedrock", "openai"]
    assert azure["error.type"] == "overloaded" and azure["http.response.status_code"] == 503
    assert azure["modelroute.attempt.action"] == "failover" and azure["modelroute.attempt.reason"]
    assert bedrock["error.type"] == "rate_limited" and bedrock["http.response.status_code"] == 429
    assert "cool" in bedrock["modelroute.attempt.reason"] or "30" in bedrock["modelroute.attempt.reason"]
    assert attempts[0].status.status_code is StatusCode.ERROR and attempts[1].status.status_code is StatusCode.ERROR
    assert "error.type" not in openai and attempts[2].status.status_code is not StatusCode.ERROR
    assert openai["modelroute.attempt.action"] == "served"
    assert openai["gen_ai.response.model"] == "gpt-5" and openai["gen_ai.usage.output_tokens"] > 0
    assert openai["modelroute.cost.amount"] == a["modelroute.cost.amount"]  # the failed attempts were not billed
    assert "modelroute.cost.amount" not in azure and "modelroute.cost.amount" not in bedrock
    assert all(x["server.address"] == "127.0.0.1" and isinstance(x["server.port"], int) for x in (azure, openai))
    assert all(s.start_time >= call.start_time and s.end_time <= call.end_time for s in attempts)
    if streamed:
        assert openai["gen_ai.request.stream"] is True
        assert openai["gen_ai.response.time_to_first_chunk"] >= 0


def _check_metrics(otel: Otel, *, streamed: bool) -> None:
    duration = otel.metric("gen_ai.client.operation.duration")
    assert duration.unit == "s"
    points = duration.data.data_points
    assert sorted(p.attributes["gen_ai.provider.name"] for p in points) == ["aws.bedrock", "azure.ai.openai", "openai"]
    conventions = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)
    assert all(p.explicit_bounds == conventions for p in points)
    errors = {p.attributes["gen_ai.provider.name"]: p.attributes.get("error.type") for p in points}
    assert errors == {"azure.ai.openai": "overloaded", "aws.bedrock": "rate_limited", "openai": None}
    tokens = otel.metric("gen_ai.client.token.usage")
    assert tokens.unit == "{token}"
    assert {p.attributes["gen_ai.token.type"] for p in tokens.data.data_points} == {"input", "output"}
    assert all(p.attributes["gen_ai.request.model"] == "gpt-5" and p.sum > 0 for p in tokens.data.data_points)
    assert tokens.data.data_points[0].explicit_bounds[:3] == (1, 4, 16)
    assert sum(p.value for p in otel.points("modelroute.attempts")) == 3
    failovers = otel.points("modelroute.failovers")
    assert sum(p.value for p in failovers) == 2
    assert {p.attributes["modelroute.provider"] for p in failovers} == {"azure", "bedrock"}
    (cost,) = otel.points("modelroute.cost")
    assert cost.value > 0 and cost.attributes["modelroute.cost.currency"] == "USD"
    assert cost.attributes["modelroute.provider"] == "openai"
    calls = otel.points("modelroute.call.duration")
    assert [p.count for p in calls] == [1] and calls[0].attributes == {"modelroute.alias": "chat"}
    first_chunk = otel.points("gen_ai.client.operation.time_to_first_chunk")
    assert [p.attributes["gen_ai.provider.name"] for p in first_chunk] == (["openai"] if streamed else [])


@pytest.mark.parametrize("mode", ["complete", "stream", "acomplete", "astream"])
def test_a_failover_call_is_one_call_span_with_a_child_span_per_attempt_and_metrics(
    mode: str, cloud: MockCloud, clock: FakeClock, otel: Otel
) -> None:
    router = make_router(cloud, clock, telemetry=telemetry(otel))
    _script_failover(cloud)
    if mode == "complete":
        answer = router.complete("chat", HI)
    elif mode == "stream":
        with router.stream("chat", HI) as s:
            assert "".join(s.text()) == "served by the third"
        answer = s.response
    else:

        async def run() -> Any:
            if mode == "acomplete":
                return await router.acomplete("chat", HI)
            async with router.astream("chat", HI) as s:
                assert "".join([t async for t in s.text()]) == "served by the third"
            return s.response

        answer = asyncio.run(run())
    router.close()
    assert answer.text == "served by the third" and answer.served_by.provider == "openai"
    _check_failover(otel, streamed=mode.endswith("stream"))
    _check_metrics(otel, streamed=mode.endswith("stream"))


def test_a_failed_call_ends_its_span_as_an_error_with_every_attempt(
    cloud: MockCloud, clock: FakeClock, otel: Otel
) -> None:
    router = make_router(cloud, clock, telemetry=telemetry(otel))
    for name in ("azure", "bedrock", "openai"):
        cloud.script(name, Fault.overloaded())
    with pytest.raises(AllTargetsFailed):
        router.complete("chat", HI)
    router.close()
    call, attempts = _tree(otel)
    assert call.status.status_code is StatusCode.ERROR and call.attributes["error.type"] == "AllTargetsFailed"
    assert "every target for 'chat' failed" in call.status.description
    assert [s.attributes["error.type"] for s in attempts] == ["overloaded"] * 3
    assert [p.attributes["error.type"] for p in otel.points("modelroute.call.duration")] == ["AllTargetsFailed"]


def test_a_stream_span_lasts_until_the_stream_ends_or_is_abandoned(
    cloud: MockCloud, clock: FakeClock, otel: Otel
) -> None:
    router = make_router(cloud, clock, telemetry=telemetry(otel))
    cloud.script("azure", Fault.ok(text="one two three four five six"))
    stream = router.stream("chat", HI)
    events = iter(stream)
    next(events)
    clock.advance(2.5)
    assert [s.name for s in otel.finished()] == []  # in flight: neither span has ended
    stream.close()  # abandoned before its end
    call, (attempt,) = _tree(otel)
    assert call.attributes["error.type"] == "abandoned" and attempt.attributes["error.type"] == "abandoned"
    assert (call.end_time - call.start_time) / 1e9 == pytest.approx(2.5, abs=0.01)

    async def dropped() -> None:
        cloud.script("azure", Fault.ok(text="one two three four five six"))
        s = router.astream("chat", HI)
        async for _ in s:
            break  # an `async for` left early: the stream is closed when the loop collects it
        await s.aclose()

    otel.spans.clear()
    asyncio.run(dropped())
    call, _ = _tree(otel)
    assert call.attributes["error.type"] == "abandoned" and call.attributes["gen_ai.request.stream"] is True
    router.close()


def test_a_cancelled_async_call_ends_its_spans(cloud: MockCloud, clock: FakeClock, otel: Otel) -> None:
    router = make_router(cloud, clock, telemetry=telemetry(otel))
    cloud.script("azure", Fault.hang())

    async def run() -> None:
        task = asyncio.ensure_future(router.acomplete("chat", HI))
        while not cloud.requests("azure"):
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    router.close()
    call, (attempt,) = _tree(otel)
    assert call.attributes["error.type"] == attempt.attributes["error.type"] == "CancelledError"


def test_content_is_recorded_only_when_switched_on(cloud: MockCloud, clock: FakeClock, otel: Otel) -> None:
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    router = make_router(cloud, clock, telemetry=telemetry(otel))
    cloud.script("azure", Fault.ok(text="Paris."))
    router.complete("chat", messages, system="Answer briefly.")
    router.close()
    call, _attempts = _tree(otel)
    dumped = json.dumps([dict(s.attributes) for s in otel.finished()])
    assert "France" not in dumped and "Paris" not in dumped and "briefly" not in dumped
    assert not any(k.startswith(("gen_ai.input", "gen_ai.output", "gen_ai.system")) for k in call.attributes)

    otel.spans.clear()
    router = make_router(cloud, clock, telemetry=telemetry(otel, capture_content=True))
    cloud.script("azure", Fault.ok(text="Paris."))
    router.complete("chat", messages, system="Answer briefly.", max_tokens=50, temperature=0.2)
    router.close()
    call, _ = _tree(otel)
    a = call.attributes
    assert json.loads(a["gen_ai.input.messages"]) == [
        {"role": "user", "parts": [{"type": "text", "content": "What is the capital of France?"}]}
    ]
    assert json.loads(a["gen_ai.system_instructions"]) == [{"type": "text", "content": "Answer briefly."}]
    out = json.loads(a["gen_ai.output.messages"])
    assert out == [{"role": "assistant", "parts": [{"type": "text", "content": "Paris."}], "finish_reason": "end"}]
    assert a["gen_ai.request.max_tokens"] == 50 and a["gen_ai.request.temperature"] == 0.2


def test_breaker_transitions_are_counted(cloud: MockCloud, clock: FakeClock, otel: Otel) -> None:
    config = {**CONFIG, "defaults": {"deadline_s": 30, "breaker": {"failures": 2, "open_s": 5}}}
    router = make_router(cloud, clock, config, telemetry=telemetry(otel))
    cloud.script("azure", Fault.server_error(), Fault.server_error())  # a retry, then a failover: 2 failures
    assert router.complete("chat", HI).served_by.provider == "bedrock"
    assert router.complete("chat", HI).served_by.provider == "bedrock"  # azure is kept out
    clock.advance(6)
    router.complete("chat", HI)  # the probe answers: the breaker closes
    router.close()
    moves = {(p.attributes["modelroute.breaker.from"], p.attributes["modelroute.breaker.to"]): p.value
             for p in otel.points("modelroute.breaker.transitions")}  # fmt: skip
    assert moves == {("closed", "open"): 1, ("open", "half_open"): 1, ("half_open", "closed"): 1}
    assert {p.attributes["modelroute.provider"] for p in otel.points("modelroute.breaker.transitions")} == {"azure"}


def test_a_hedge_race_loser_is_a_cancelled_attempt_span(cloud: MockCloud, clock: FakeClock, otel: Otel) -> None:
    config = {**CONFIG, "models": {"chat": {**CONFIG["models"]["chat"], "hedge": {"after_s": 0.05}}}}
    router = make_router(cloud, clock, config, telemetry=telemetry(otel), async_sleep=asyncio.sleep)
    cloud.script("azure", Fault.ok(text="slow", ttfb_s=3))
    cloud.script("bedrock", Fault.ok(text="fast"))
    answer = asyncio.run(router.acomplete("chat", HI))
    router.close()
    assert answer.text == "fast"
    _call, attempts = _tree(otel)
    outcome = {s.attributes["modelroute.provider"]: s.attributes["modelroute.attempt.outcome"] for s in attempts}
    assert outcome == {"azure": "cancelled", "bedrock": "ok"}
    assert attempts[1].attributes["modelroute.attempt.hedge_of"] == "azure:gpt-prod"


def test_the_names_are_the_conventions_own() -> None:
    assert ga.GEN_AI_OPERATION_NAME == "gen_ai.operation.name" and ga.GEN_AI_PROVIDER_NAME == "gen_ai.provider.name"
    assert ga.GEN_AI_REQUEST_MODEL == "gen_ai.request.model" and ga.GEN_AI_RESPONSE_MODEL == "gen_ai.response.model"
    assert ga.GEN_AI_USAGE_INPUT_TOKENS == "gen_ai.usage.input_tokens"
    assert ga.GEN_AI_USAGE_OUTPUT_TOKENS == "gen_ai.usage.output_tokens"
    assert ga.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS == "gen_ai.usage.cache_read.input_tokens"
    assert ga.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS == "gen_ai.usage.cache_creation.input_tokens"
    assert ga.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS == "gen_ai.usage.reasoning.output_tokens"
    assert ga.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK == "gen_ai.response.time_to_first_chunk"
    assert ga.GEN_AI_INPUT_MESSAGES == "gen_ai.input.messages" and ga.GEN_AI_OUTPUT_MESSAGES == "gen_ai.output.messages"
    assert gm.GEN_AI_CLIENT_OPERATION_DURATION == "gen_ai.client.operation.duration"
    assert gm.GEN_AI_CLIENT_TOKEN_USAGE == "gen_ai.client.token.usage"
    assert gm.GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK == "gen_ai.client.operation.time_to_first_chunk"
    from modelroute.observability._otel import GEN_AI_PROVIDERS

    known = {v.value for v in ga.GenAiProviderNameValues}
    assert set(GEN_AI_PROVIDERS.values()) <= known


def test_without_telemetry_or_hooks_a_call_has_no_observer(cloud: MockCloud, clock: FakeClock) -> None:
    router = make_router(cloud, clock)
    call, _ = router._start("chat", HI, {})
    router.close()
    assert call.watch is None and router._gate(call, streamed=False) is router._pools


def test_telemetry_without_the_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'modelroute\[otel\]'"):
        Telemetry()
