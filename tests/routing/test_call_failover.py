"""The failover engine's decisions, pure: breakers, waits for a reopening target, the time rules, stream resume."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import pytest

from modelroute import AllTargetsFailed, StreamInterrupted
from modelroute._coerce import build_request
from modelroute._types import Response, TextPart
from modelroute.config import load_config
from modelroute.exceptions import ErrorKind, ModelRouteError, ProviderError, error_for_kind
from modelroute.routing import Call, CallSettings, Fail, Try, Wait, breaker_policy, expand, merge_table
from modelroute.state import BreakerPolicy, MemoryState
from modelroute.testing import FakeClock

CONFIG = {
    "providers": {
        "a": {"kind": "anthropic", "api_key": "${K}"},
        "b": {"kind": "anthropic", "api_key": "${K}"},
        "c": {"kind": "openai", "api_key": "${K}"},
    },
    "models": {
        "claude": {"targets": ["a:claude-sonnet-5-5", "b:claude-sonnet-5-5"], "fallbacks": ["gpt"]},
        "gpt": {"targets": ["c:gpt-5.5"]},
        "solo": {"targets": ["a:claude-sonnet-5-5"]},
    },
}
BREAKER = BreakerPolicy(failures=3, open_s=30.0)


def make(alias: str = "claude", **over: Any) -> CallSettings:
    spec = load_config(CONFIG).spec
    s = CallSettings(
        alias=alias,
        entries=expand(spec, alias),
        table=merge_table(),
        deadline_s=60.0,
        attempt_timeout_s=10.0,
        max_retry_wait_s=2.0,
        backoff_base_s=0.25,
        backoff_max_s=4.0,
        breaker=BREAKER,
    )
    return replace(s, **over)


def err(kind: ErrorKind, retry_after: float | None = None) -> ProviderError:
    return error_for_kind(kind, kind.value, status=None, retry_after_s=retry_after)


def ok(text: str = "hi") -> Response:
    return Response.model_construct(content=[TextPart(text=text)])


class World:
    def __init__(self) -> None:
        self.clock = FakeClock()
        self.state = MemoryState()
        self.sent: list[str] = []
        self.waits: list[float] = []

    def call(self, s: CallSettings) -> Call:
        req = build_request(model=s.alias, messages=[{"role": "user", "content": "hi"}])
        return Call(s, req, clock=self.clock, state=self.state, unsupported=lambda p, r: None, rng=random.Random(1))

    def run(self, s: CallSettings, behave: dict[str, Any]) -> Response:
        """``behave``: provider -> a ProviderError to raise every time, or "ok"."""
        call = self.call(s)
        while True:
            step = call.next_step()
            if isinstance(step, Wait):
                self.waits.append(step.seconds)
                self.clock.sleep(step.seconds)
                continue
            if isinstance(step, Fail):
                raise step.error
            assert isinstance(step, Try)
            self.sent.append(step.entry.provider)
            self.clock.advance(0.1)
            what = behave[step.entry.provider]
            if isinstance(what, ProviderError):
                call.record_error(step, err(what.kind, what.retry_after_s))
                continue
            done = call.record_ok(step, ok())
            assert done is not None
            return done


def test_breaker_opens_after_consecutive_failures_and_the_trace_shows_the_skip() -> None:
    w = World()
    for _ in range(3):
        w.run(make(), {"a": err(ErrorKind.CONNECTION), "b": "ok"})
    assert w.sent == ["a", "b"] * 3
    w.sent.clear()
    r = w.run(make(), {"a": err(ErrorKind.CONNECTION), "b": "ok"})
    assert w.sent == ["b"]
    assert r.trace[0].outcome == "skipped" and r.trace[0].reason.startswith("circuit open (3 consecutive failures)")


def test_half_open_sends_one_probe_and_its_success_closes_the_breaker() -> None:
    w = World()
    for _ in range(3):
        w.run(make(), {"a": err(ErrorKind.TIMEOUT), "b": "ok"})
    w.clock.advance(30)
    probe_call = w.call(make())
    probe = probe_call.next_step()
    assert isinstance(probe, Try) and probe.entry.provider == "a" and probe.probe
    # While the probe is out, another call skips 'a'.
    other = w.call(make()).next_step()
    assert isinstance(other, Try) and other.entry.provider == "b"
    probe_call.record_ok(probe, ok())
    assert w.state.breaker("a/claude-sonnet-5-5").status == "closed"
    nxt = w.call(make()).next_step()
    assert isinstance(nxt, Try) and nxt.entry.provider == "a" and not nxt.probe


def test_a_failed_probe_reopens_for_open_s() -> None:
    w = World()
    for _ in range(3):
        w.run(make(), {"a": err(ErrorKind.OVERLOADED), "b": "ok"})
    w.clock.advance(30)
    w.sent.clear()
    w.run(make(), {"a": err(ErrorKind.OVERLOADED), "b": "ok"})
    assert w.sent == ["a", "b"]
    br = w.state.breaker("a/claude-sonnet-5-5")
    assert br.status == "open" and br.reopen_at == pytest.approx(w.clock() - 0.1 + 30)


@pytest.mark.parametrize(
    "kind", [ErrorKind.INVALID_REQUEST, ErrorKind.CONTEXT_WINDOW, ErrorKind.CONTENT_FILTERED, ErrorKind.RATE_LIMITED]
)
def test_errors_that_say_nothing_about_the_target_do_not_count(kind: ErrorKind) -> None:
    w = World()
    for _ in range(5):
        with pytest.raises(ModelRouteError):
            w.run(make("solo"), {"a": err(kind)})
        w.state._cooldowns.clear()
    assert w.state.breaker("a/claude-sonnet-5-5").status == "closed"


def test_breaker_counts_are_configurable_per_alias() -> None:
    from modelroute.config import BreakerSpec

    policy = breaker_policy(BreakerSpec(failures=9), BreakerSpec(count=[ErrorKind.RATE_LIMITED], open_s=3))
    assert policy.failures == 9 and policy.open_s == 3 and policy.counts == frozenset({ErrorKind.RATE_LIMITED})


def test_every_target_open_fails_at_once_with_retry_after() -> None:
    w = World()
    for key in ("a/claude-sonnet-5-5", "b/claude-sonnet-5-5", "c/gpt-5.5"):
        w.state.breaker_record(key, BREAKER, w.clock(), "failure", probe=False)
        w.state.breaker_record(key, BREAKER, w.clock(), "failure", probe=False)
        w.state.breaker_record(key, BREAKER, w.clock(), "failure", probe=False)
    with pytest.raises(AllTargetsFailed) as info:
        w.run(make(), {})
    assert w.sent == [] and w.waits == []
    assert info.value.retry_after_s == pytest.approx(30)
    assert all("circuit open" in a.reason for a in info.value.trace)


def test_every_target_kept_out_briefly_waits_for_the_first_to_reopen() -> None:
    w = World()
    w.state.cool("a/claude-sonnet-5-5", w.clock() + 4, "rate_limited 429")
    w.state.cool("b/claude-sonnet-5-5", w.clock() + 3, "rate_limited 429")
    w.state.cool("c/gpt-5.5", w.clock() + 50, "quota_exhausted 429")
    r = w.run(make(), {"b": "ok"})
    assert w.waits == [pytest.approx(3)] and w.sent == ["b"]
    assert r.trace[-1].action == "served"
    waited = [a for a in r.trace if a.action == "wait"]
    assert len(waited) == 1 and waited[0].provider == "b" and waited[0].wait_s == pytest.approx(3)
    assert "waiting 3.00s for this one to reopen" in waited[0].describe()


def test_reopen_wait_must_fit_the_deadline() -> None:
    w = World()
    w.state.cool("a/claude-sonnet-5-5", w.clock() + 4, "x")
    with pytest.raises(AllTargetsFailed) as info:
        w.run(make("solo", deadline_s=4.1), {"a": "ok"})  # 4 s wait + 0.25 s min_attempt_s > 4.1 s
    assert w.waits == [] and info.value.retry_after_s == pytest.approx(4)


def test_no_attempt_starts_with_less_than_min_attempt_s_left() -> None:
    w = World()
    call = w.call(make(deadline_s=1.0, min_attempt_s=0.5))
    step = call.next_step()
    assert isinstance(step, Try)
    w.clock.advance(0.6)
    call.record_error(step, err(ErrorKind.CONNECTION))
    final = call.next_step()
    assert isinstance(final, Fail) and "less than min_attempt_s" in str(final.error)


def test_retry_backoff_that_would_leave_no_attempt_budget_fails_over_instead() -> None:
    w = World()
    call = w.call(make(deadline_s=1.0, min_attempt_s=1.0, backoff_base_s=0.5))
    step = call.next_step()
    assert isinstance(step, Try)
    call.record_error(step, err(ErrorKind.SERVER_ERROR))
    assert call.trace[0].action == "failover"


def test_max_attempts_caps_every_call() -> None:
    w = World()
    with pytest.raises(AllTargetsFailed) as info:
        w.run(make(max_attempts=2), {"a": err(ErrorKind.SERVER_ERROR), "b": "ok"})
    assert w.sent == ["a", "a"] and "max_attempts=2" in str(info.value)


def test_backoff_is_exponential_full_jitter_and_seeded() -> None:
    from modelroute.routing.policy import backoff_s

    rng = random.Random(3)
    waits = [backoff_s(n, base_s=0.25, max_s=4.0, jitter=rng.random()) for n in range(1, 8)]
    envelopes = [min(0.25 * 2 ** (n - 1), 4.0) for n in range(1, 8)]
    assert all(0 <= w <= e for w, e in zip(waits, envelopes, strict=True))
    rng2 = random.Random(3)
    assert waits == [backoff_s(n, base_s=0.25, max_s=4.0, jitter=rng2.random()) for n in range(1, 8)]


# --- streams -------------------------------------------------------------------------------------------------


def test_continue_resumes_on_the_next_target_with_the_partial_text() -> None:
    w = World()
    call = w.call(make(stream_resume="continue"))
    step = call.next_step()
    assert isinstance(step, Try)
    call.record_stream_error(step, err(ErrorKind.CONNECTION), "Hello wor", committed=True)
    nxt = call.next_step()
    assert isinstance(nxt, Try) and nxt.entry.provider == "b"
    assert nxt.resume is not None and nxt.resume.text == "Hello wor" and nxt.resume.from_provider == "a"
    assert call.trace[0].action == "failover" and "continuing" in call.trace[0].reason


def test_continue_that_finds_no_target_still_raises_stream_interrupted() -> None:
    w = World()
    call = w.call(make("solo", stream_resume="continue"))
    step = call.next_step()
    assert isinstance(step, Try)
    call.record_stream_error(step, err(ErrorKind.CONNECTION), "Hello wor", committed=True)
    final = call.next_step()
    assert isinstance(final, Fail) and isinstance(final.error, StreamInterrupted)
    assert final.error.partial_text == "Hello wor" and final.error.error is not None


def test_a_tool_call_in_flight_is_never_spliced() -> None:
    w = World()
    call = w.call(make(stream_resume="continue"))
    step = call.next_step()
    assert isinstance(step, Try)
    call.record_stream_error(step, err(ErrorKind.CONNECTION), "", committed=True, tool_call=True)
    final = call.next_step()
    assert isinstance(final, Fail) and isinstance(final.error, StreamInterrupted)
    assert "tool call was in flight" in final.error.trace[0].reason


def test_auto_resumes_a_text_only_caller_only_where_the_text_can_be_continued() -> None:
    """A text-only caller on ``claude`` (a, b prefill; then gpt's c, restart only): b may resume; once b fails
    too, c is skipped with the reason, and the call ends in StreamInterrupted naming the break."""
    w = World()
    call = w.call(make(prefill=frozenset({"a", "b"})))
    assert call.settings.stream_resume == "auto"
    step = call.next_step()
    assert isinstance(step, Try)
    call.record_stream_error(step, err(ErrorKind.CONNECTION), "Hello wor", committed=True, text_only=True)
    nxt = call.next_step()
    assert isinstance(nxt, Try) and nxt.entry.provider == "b" and nxt.resume is not None
    assert nxt.resume.prefill_only and nxt.resume.error is not None
    assert nxt.resume.error.kind is ErrorKind.CONNECTION
    call.record_stream_error(nxt, err(ErrorKind.OVERLOADED), "", committed=False, text_only=True)
    final = call.next_step()
    assert isinstance(final, Fail) and isinstance(final.error, StreamInterrupted)
    assert [(a.provider, a.action) for a in call.trace] == [("a", "failover"), ("b", "failover"), ("c", "skip")]
    assert "no prefill" in call.trace[2].reason
    assert final.error.error is not None and final.error.error.kind is ErrorKind.CONNECTION  # the break
    assert "iterate the stream's events" in str(final.error)


def test_auto_resumes_an_events_caller_anywhere() -> None:
    w = World()
    call = w.call(make("gpt", prefill=frozenset()))
    step = call.next_step()
    assert isinstance(step, Try)
    call.record_stream_error(step, err(ErrorKind.SERVER_ERROR), "Hello wor", committed=True, text_only=False)
    nxt = call.next_step()
    if isinstance(nxt, Wait):  # server_error: one retry after a backoff, on the same target
        nxt = call.next_step()
    assert isinstance(nxt, Try) and nxt.entry.provider == "c" and nxt.resume is not None
    assert not nxt.resume.prefill_only


def test_auto_never_retries_a_text_only_caller_on_a_restart_only_target() -> None:
    """A server_error is retried once on the same target; for a text-only caller on a route without prefill,
    that retry would be a restart: it is skipped instead."""
    w = World()
    call = w.call(make("gpt", prefill=frozenset()))
    step = call.next_step()
    assert isinstance(step, Try)
    call.record_stream_error(step, err(ErrorKind.SERVER_ERROR), "Hello wor", committed=True, text_only=True)
    steps = [call.next_step(), call.next_step()]
    final = steps[-1]
    assert isinstance(steps[0], Wait) and isinstance(final, Fail) and isinstance(final.error, StreamInterrupted)
    assert [a.action for a in call.trace] == ["retry", "skip"]


def test_error_policy_ignores_the_caller() -> None:
    w = World()
    call = w.call(make(stream_resume="error", prefill=frozenset({"a", "b"})))
    step = call.next_step()
    assert isinstance(step, Try)
    call.record_stream_error(step, err(ErrorKind.CONNECTION), "Hello", committed=True, text_only=False)
    final = call.next_step()
    assert isinstance(final, Fail) and isinstance(final.error, StreamInterrupted)
    assert [a.action for a in call.trace] == ["stop"]


def test_a_probe_cancelled_in_a_hedge_race_lets_the_next_call_probe() -> None:
    """The hedge (target b, open and due: admitted as the probe) loses the race and is cancelled: b's breaker
    must not stay half-open for the probe's whole lease."""
    w = World()
    s = make(breaker=BreakerPolicy(failures=1, open_s=5.0))
    w.state.breaker_record("b/claude-sonnet-5-5", s.breaker, w.clock(), "failure", probe=False)
    w.clock.advance(5.0)
    call = w.call(s)
    first = call.next_step()
    assert isinstance(first, Try) and first.entry.provider == "a"
    hedge = call.hedge_step(first)
    assert hedge is not None and hedge.entry.provider == "b" and hedge.probe
    assert w.state.breaker_admit("b/claude-sonnet-5-5", s.breaker, w.clock()) == "reject"  # the probe holds it
    assert call.record_ok(first, ok(), raced=True) is not None
    call.record_cancelled(hedge, first.entry)
    assert w.state.breaker_admit("b/claude-sonnet-5-5", s.breaker, w.clock()) == "probe"
