"""The fault matrix: every fault the mock cloud scripts x sync/async x streamed/not, through real HTTP on
127.0.0.1, asserting the outcome, the attempts each target received, the waits (on an injected clock) and the
trace. Timeouts are real but short (0.3 s); no test asserts how long anything took."""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass
from typing import Any

import pytest

from modelroute import (
    ContentFilteredError,
    InvalidRequestError,
    ModelRouteError,
    ProviderTimeoutError,
    Response,
    Router,
)
from modelroute.testing import FakeClock, Fault, MockCloud, router_on_mock_cloud

CONFIG: dict[str, Any] = {
    "providers": {
        "anth-1": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "anth-2": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "oai": {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
    },
    "models": {
        "claude": {"targets": ["anth-1:claude-sonnet-5-5", "anth-2:claude-sonnet-5-5"], "fallbacks": ["gpt"]},
        "gpt": {"targets": ["oai:gpt-5.5"]},
    },
    "defaults": {
        "deadline_s": 20,
        "attempt_timeout_s": 5,
        "first_byte_timeout_s": 1.0,
        "stall_timeout_s": 0.5,
    },
}
HI = [{"role": "user", "content": "Hello there"}]


@dataclass(frozen=True)
class Row:
    """Faults scripted on anth-1; what anth-1's trace lines say; how many requests reach it; how many waits;
    who serves (None: the call raises ``raises``)."""

    name: str
    faults: tuple[Fault, ...]
    kind: str | dict[bool, str]
    actions: tuple[str, ...]
    requests: int = 1
    sleeps: int = 0
    served_by: str | None = "anth-2"
    raises: type[ModelRouteError] | None = None

    def kind_for(self, stream: bool) -> str:
        return self.kind if isinstance(self.kind, str) else self.kind[stream]


ROWS = [
    Row("rate-limited-long-retry-after", (Fault.rate_limited(retry_after=30),), "rate_limited", ("failover",)),
    Row("rate-limited-short-other-free", (Fault.rate_limited(retry_after_ms=100),), "rate_limited", ("failover",)),
    Row("overloaded-529", (Fault.overloaded(),), "overloaded", ("failover",)),
    Row("unavailable-503", (Fault.unavailable(),), "overloaded", ("failover",)),
    Row("server-error-twice", (Fault.server_error(), Fault.server_error()), "server_error",
        ("retry", "failover"), requests=2, sleeps=1),
    Row("server-error-once", (Fault.server_error(),), "server_error", ("retry", "served"), requests=2, sleeps=1,
        served_by="anth-1"),
    Row("accept-and-never-answer", (Fault.hang(),), "timeout", ("failover",)),
    Row("ttfb-delay", (Fault.latency(2.0),), "timeout", ("failover",)),
    Row("connection-reset", (Fault.reset(),), "connection", ("failover",)),
    Row("connection-refused", (Fault.refused(),), "connection", ("failover",), requests=0),
    Row("unauthorized", (Fault.unauthorized(),), "auth", ("failover",)),
    Row("not-found", (Fault.not_found(),), "not_found", ("failover",)),
    Row("quota-exhausted", (Fault.quota_exhausted(),), "quota_exhausted", ("failover",)),
    Row("context-window", (Fault.context_length(),), "context_window", ("failover",), served_by="oai"),
    Row("invalid-request", (Fault.status(400, {"type": "error", "error": {"type": "invalid_request_error",
        "message": "bad"}}),), "invalid_request", ("stop",), served_by=None, raises=InvalidRequestError),
    Row("cut-before-text", (Fault.stream_cut(after_events=1),), {False: "connection", True: "connection"},
        ("failover",)),
    Row("stall-before-text", (Fault.stall(after_events=1),), "timeout", ("failover",)),
    Row("inband-error-after-200", (Fault.stream_error(after_events=1),), "overloaded", ("failover",)),
    Row("malformed-chunk", (Fault.malformed(after_events=1),), "malformed_response", ("failover",)),
]  # fmt: skip


def check(row: Row, stream: bool, cloud: MockCloud, clock: FakeClock, r: Response | None, e: Exception | None) -> None:
    if row.raises is not None:
        assert isinstance(e, row.raises), e
        trace = e.trace
    else:
        assert e is None, e
        assert r is not None and r.served_by is not None
        assert r.served_by.provider == row.served_by
        trace = r.trace
    mine = [a for a in trace if a.provider == "anth-1"]
    assert tuple(a.action for a in mine) == row.actions
    first = mine[0]
    assert first.kind is not None and first.kind.value == row.kind_for(stream)
    assert len(cloud.requests("anth-1")) == row.requests
    assert len(clock.sleeps) == row.sleeps
    assert all(0 <= s <= 0.25 for s in clock.sleeps)  # the one retry's backoff: full jitter under 0.25 s
    # Every attempt is in the trace, in order, and the sum of requests sent equals the attempts traced.
    sent = sum(len(cloud.requests(p)) for p in CONFIG["providers"])
    assert sent == sum(1 for a in trace if a.outcome != "skipped") - (1 if row.requests == 0 else 0)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_matrix_sync(router: Router, cloud: MockCloud, clock: FakeClock, row: Row, stream: bool) -> None:
    cloud.script("anth-1", *row.faults)
    r, err = None, None
    try:
        if stream:
            with router.stream("claude", HI) as s:
                text = "".join(s.text())
            r = s.response
            assert text == r.text  # nothing before the commit point leaked into the answer
        else:
            r = router.complete("claude", HI)
    except ModelRouteError as e:
        err = e
    check(row, stream, cloud, clock, r, err)


@pytest.mark.anyio
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
async def test_matrix_async(router: Router, cloud: MockCloud, clock: FakeClock, row: Row, stream: bool) -> None:
    cloud.script("anth-1", *row.faults)
    r, err = None, None
    try:
        if stream:
            s = router.astream("claude", HI)
            text = "".join([t async for t in s.text()])
            r = s.response
            assert text == r.text
        else:
            r = await router.acomplete("claude", HI)
    except ModelRouteError as e:
        err = e
    finally:
        await router.aclose()
    check(row, stream, cloud, clock, r, err)


# --- content_filtered / refusal: an answer that is an error -----------------------------------------------------


def _refusal(stream: bool) -> Fault:
    """An Anthropic answer that ends with ``stop_reason: refusal`` (HTTP 200), as JSON or as a stream."""
    message = {"id": "msg_r", "type": "message", "role": "assistant", "model": "claude-sonnet-5-5",
               "stop_sequence": None, "usage": {"input_tokens": 3, "output_tokens": 0}}  # fmt: skip
    if not stream:
        return Fault.status(200, {**message, "content": [], "stop_reason": "refusal"})
    events = [
        ("message_start", {"type": "message_start", "message": {**message, "content": [], "stop_reason": None}}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "refusal", "stop_sequence": None},
                           "usage": {"output_tokens": 0}}),
        ("message_stop", {"type": "message_stop"}),
    ]  # fmt: skip
    body = b"".join(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events)
    return Fault.status(200, body, headers={"content-type": "text/event-stream"})


@pytest.mark.anyio
@pytest.mark.parametrize("driver", ["sync", "async"])
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("policy", ["stop", "failover"])
async def test_refusal_stops_or_fails_over_as_configured(
    cloud: MockCloud, clock: FakeClock, driver: str, stream: bool, policy: str
) -> None:
    cloud.reset()
    config = {**CONFIG, "defaults": {**CONFIG["defaults"], "on_error": {"refusal": {"action": policy}}}}
    router = router_on_mock_cloud(cloud, config, clock=clock, sleep=clock.sleep, async_sleep=clock.async_sleep)
    cloud.script("anth-1", _refusal(stream))
    r, err = None, None
    try:
        if driver == "sync" and stream:  # sync calls run off the event loop, as they should

            def streamed() -> Response:
                with router.stream("claude", HI) as s:
                    list(s)
                return s.response

            r = await asyncio.to_thread(streamed)
        elif driver == "sync":
            r = await asyncio.to_thread(router.complete, "claude", HI)
        elif stream:
            s2 = router.astream("claude", HI)
            _ = [e async for e in s2]
            r = s2.response
        else:
            r = await router.acomplete("claude", HI)
    except ModelRouteError as e:
        err = e
    finally:
        await router.aclose()
    if policy == "stop":
        assert isinstance(err, ContentFilteredError) and err.kind.value == "refusal"
        assert [(a.provider, a.action) for a in err.trace] == [("anth-1", "stop")]
        assert len(cloud.requests("anth-2")) == 0
    else:
        assert r is not None and r.served_by is not None and r.served_by.provider == "anth-2"
        assert [(a.provider, a.kind.value if a.kind else None, a.action) for a in r.trace] == [
            ("anth-1", "refusal", "failover"),
            ("anth-2", None, "served"),
        ]
    assert clock.sleeps == []
    # A refusal says nothing about the target's health: its breaker did not count it.
    assert router._state.breaker("anth-1/claude-sonnet-5-5").consecutive == 0


def test_a_long_retry_after_cools_the_target_for_exactly_that_long(
    router: Router, cloud: MockCloud, clock: FakeClock
) -> None:
    cloud.script("anth-1", Fault.rate_limited(retry_after=30))
    router.complete("claude", HI)
    plan = router.explain("claude")
    assert plan.entries[0].reason == "cooling down for 30.0s more (rate_limited 429)"
    clock.advance(29.9)
    assert not router.explain("claude").entries[0].eligible
    clock.advance(0.1)
    assert router.explain("claude").entries[0].eligible


def test_rate_limit_reset_headers_cool_an_openai_target(cloud: MockCloud, clock: FakeClock) -> None:
    cloud.reset()
    config = {**CONFIG, "models": {"gpt2": {"targets": ["oai:gpt-5.5", "anth-2:claude-sonnet-5-5"]}}}
    router = router_on_mock_cloud(cloud, config, clock=clock, sleep=clock.sleep)
    body = {"error": {"message": "Rate limit reached", "type": "tokens", "param": None, "code": "rate_limit_exceeded"}}
    headers = {"x-ratelimit-reset-tokens": "1m30s", "x-ratelimit-remaining-tokens": "0"}
    cloud.script("oai", Fault.status(429, body, headers=headers))
    r = router.complete("gpt2", HI)
    router.close()
    assert r.trace[0].error is not None and r.trace[0].error.retry_after_s == 90
    assert "Retry-After 90s is longer than max_retry_wait_s" in r.trace[0].reason
    assert router.explain("gpt2").entries[0].reason.startswith("cooling down for 90.0s")


# --- the table, reconfigured: per kind, per alias -----------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_overrides_retry_stop_and_cool_down_as_configured(cloud: MockCloud, clock: FakeClock, stream: bool) -> None:
    cloud.reset()
    config = {
        **CONFIG,
        "models": {
            **CONFIG["models"],
            "claude": {
                **CONFIG["models"]["claude"],
                "on_error": {
                    "overloaded": {"retries": 2},
                    "timeout": {"action": "stop"},
                    "server_error": {"retries": 0, "cooldown_s": 60},
                },
            },
        },
    }
    router = router_on_mock_cloud(cloud, config, clock=clock, sleep=clock.sleep, rng=random.Random(5))

    def run() -> Response:
        if stream:
            with router.stream("claude", HI) as s:
                list(s)
            return s.response
        return router.complete("claude", HI)

    # overloaded: retried twice on the same target (two jittered backoffs), then served there.
    cloud.script("anth-1", Fault.overloaded(), Fault.overloaded())
    r = run()
    assert [a.action for a in r.trace] == ["retry", "retry", "served"]
    assert len(clock.sleeps) == 2 and 0 <= clock.sleeps[0] <= 0.25 and 0 <= clock.sleeps[1] <= 0.5
    # timeout: stop at once, with the provider's error and the trace.
    cloud.script("anth-1", Fault.hang())
    with pytest.raises(ProviderTimeoutError) as info:
        run()
    assert [a.action for a in info.value.trace] == ["stop"] and len(cloud.requests("anth-2")) == 0
    # server_error: no retry, a 60 s cooldown the next call respects.
    cloud.script("anth-1", Fault.server_error())
    assert [a.action for a in run().trace] == ["failover", "served"]
    r = run()
    assert r.trace[0].outcome == "skipped" and "cooling down for 60.0s" in r.trace[0].reason
    router.close()
