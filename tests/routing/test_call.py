"""The per-call state machine, driven by scripted outcomes and a fake clock: no I/O anywhere."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import pytest

from modelroute import AllTargetsFailed, ContentFilteredError, InvalidRequestError, Response, StreamInterrupted
from modelroute._coerce import build_request
from modelroute._types import StopReason, TextPart
from modelroute.config import load_config
from modelroute.exceptions import ErrorKind, ModelRouteError, ProviderError, error_for_kind
from modelroute.routing import Call, CallSettings, Fail, Try, Wait, expand, merge_table
from modelroute.state import MemoryState
from modelroute.testing._clock import FakeClock

CONFIG = {
    "providers": {
        "a": {"kind": "anthropic", "api_key": "${K}"},
        "b": {"kind": "anthropic", "api_key": "${K}"},
        "c": {"kind": "openai", "api_key": "${K}"},
    },
    "models": {
        "claude": {"targets": ["a:claude-sonnet-5-5", "b:claude-sonnet-5-5"], "fallbacks": ["gpt"]},
        "gpt": {"targets": ["c:gpt-5.5"]},
        "mixed": {"targets": ["a:claude-sonnet-5-5", "b:claude-opus-5-5", "c:gpt-5.5"]},
    },
}


def settings(alias: str = "claude", deadline_s: float = 60.0, **table: Any) -> CallSettings:
    spec = load_config(CONFIG).spec
    return CallSettings(
        alias=alias,
        entries=expand(spec, alias),
        table=merge_table(table),
        deadline_s=deadline_s,
        attempt_timeout_s=30.0,
        max_retry_wait_s=2.0,
        backoff_base_s=0.25,
        backoff_max_s=4.0,
    )


def ok(text: str = "hi", stop: StopReason = StopReason.END) -> Response:
    return Response.model_construct(content=[TextPart(text=text)], stop_reason=stop)


def fail(kind: ErrorKind, status: int = 500, retry_after: float | None = None) -> ProviderError:
    return error_for_kind(kind, f"{kind.value} happened", status=status, retry_after_s=retry_after)


class Driver:
    """Runs a `Call` to the end against scripted outcomes per provider; records every step."""

    def __init__(self, state: MemoryState | None = None) -> None:
        self.clock = FakeClock()
        self.state = state or MemoryState()
        self.tried: list[str] = []

    def call(self, s: CallSettings, **request: Any) -> Call:
        req = build_request(model=s.alias, messages=[{"role": "user", "content": "hi"}], **request)
        return Call(s, req, clock=self.clock, state=self.state, unsupported=lambda p, r: None, rng=random.Random(7))

    def run(self, s: CallSettings, script: dict[str, Iterable[Response | ProviderError]], **request: Any) -> Response:
        call = self.call(s, **request)
        queues = {p: list(v) for p, v in script.items()}
        while True:
            step = call.next_step()
            if isinstance(step, Wait):
                self.clock.sleep(step.seconds)
                continue
            if isinstance(step, Fail):
                raise step.error
            assert isinstance(step, Try)
            self.tried.append(step.entry.provider)
            self.clock.advance(0.01)
            outcome = queues[step.entry.provider].pop(0)
            if isinstance(outcome, ProviderError):
                call.record_error(step, outcome)
                continue
            done = call.record_ok(step, outcome)
            if done is not None:
                return done


def test_first_target_serves() -> None:
    d = Driver()
    r = d.run(settings(), {"a": [ok("yes")]})
    assert r.text == "yes"
    assert [(t.provider, t.outcome, t.action) for t in r.trace] == [("a", "ok", "served")]
    assert r.latency_s == pytest.approx(0.01)


def test_connection_error_fails_over_and_trace_shows_both() -> None:
    d = Driver()
    r = d.run(settings(), {"a": [fail(ErrorKind.CONNECTION, 0)], "b": [ok()]})
    assert [(t.provider, t.kind, t.action) for t in r.trace] == [
        ("a", ErrorKind.CONNECTION, "failover"),
        ("b", None, "served"),
    ]


def test_every_target_failing_raises_all_targets_failed_with_every_attempt() -> None:
    d = Driver()
    with pytest.raises(AllTargetsFailed) as info:
        d.run(
            settings(),
            {"a": [fail(ErrorKind.OVERLOADED, 529)], "b": [fail(ErrorKind.TIMEOUT)], "c": [fail(ErrorKind.CONNECTION)]},
        )
    e = info.value
    assert [a.provider for a in e.trace] == ["a", "b", "c"]
    assert [x.kind for x in e.errors] == [ErrorKind.OVERLOADED, ErrorKind.TIMEOUT, ErrorKind.CONNECTION]
    assert "claude" in str(e) and "a:claude-sonnet-5-5 overloaded 529" in str(e)


def test_long_retry_after_moves_on_at_once_and_cools_the_target() -> None:
    d = Driver()
    r = d.run(settings(), {"a": [fail(ErrorKind.RATE_LIMITED, 429, retry_after=3600)], "b": [ok()]})
    assert d.clock.sleeps == []
    assert "3600" in r.trace[0].reason
    # The next call skips 'a' without trying it, and says why.
    d.tried.clear()
    r2 = d.run(settings(), {"b": [ok()]})
    assert d.tried == ["b"]
    assert r2.trace[0].outcome == "skipped" and "cooling down" in r2.trace[0].reason
    # After the hour, 'a' is back.
    d.clock.advance(3600)
    d.tried.clear()
    d.run(settings(), {"a": [ok()]})
    assert d.tried == ["a"]


def test_short_retry_after_waits_on_the_same_target_when_nothing_else_is_free() -> None:
    d = Driver()
    d.state.cool("b/claude-sonnet-5-5", d.clock() + 100, "test")
    r = d.run(settings(), {"a": [fail(ErrorKind.RATE_LIMITED, 429, retry_after=0.2), ok()]})
    assert d.clock.sleeps == [0.2]
    assert d.tried == ["a", "a"]
    assert [t.action for t in r.trace] == ["retry", "served"]


def test_server_error_retried_once_with_jittered_backoff_then_failover() -> None:
    d = Driver()
    r = d.run(settings(), {"a": [fail(ErrorKind.SERVER_ERROR), fail(ErrorKind.SERVER_ERROR)], "b": [ok()]})
    assert d.tried == ["a", "a", "b"]
    assert len(d.clock.sleeps) == 1 and 0 <= d.clock.sleeps[0] <= 0.25
    assert [t.action for t in r.trace] == ["retry", "failover", "served"]


def test_invalid_request_stops_with_the_provider_error_and_trace() -> None:
    d = Driver()
    with pytest.raises(InvalidRequestError) as info:
        d.run(settings(), {"a": [fail(ErrorKind.INVALID_REQUEST, 400)]})
    assert d.tried == ["a"]
    assert [t.action for t in info.value.trace] == ["stop"]


def test_content_filtered_answer_stops_by_default() -> None:
    d = Driver()
    with pytest.raises(ContentFilteredError) as info:
        d.run(settings(), {"a": [ok(stop=StopReason.CONTENT_FILTER)]})
    assert info.value.kind is ErrorKind.CONTENT_FILTERED
    assert isinstance(info.value.body, Response)


def test_content_filter_may_fail_over_where_the_policy_allows() -> None:
    from modelroute.config import ErrorPolicySpec

    d = Driver()
    s = settings(**{ErrorKind.REFUSAL: ErrorPolicySpec(action="failover")})  # type: ignore[arg-type]
    r = d.run(s, {"a": [ok(stop=StopReason.REFUSAL)], "b": [ok("fine")]})
    assert r.text == "fine" and r.trace[0].kind is ErrorKind.REFUSAL


def test_context_window_skips_every_target_with_the_same_model() -> None:
    d = Driver()
    r = d.run(settings(), {"a": [fail(ErrorKind.CONTEXT_WINDOW, 400)], "c": [ok()]})
    assert d.tried == ["a", "c"]
    assert r.trace[1].outcome == "skipped" and "context window" in r.trace[1].reason


def test_deadline_ends_the_call_and_says_so() -> None:
    d = Driver()
    s = settings(deadline_s=1.0)
    call = d.call(s)
    step = call.next_step()
    assert isinstance(step, Try) and step.total_s == 1.0
    d.clock.advance(1.5)
    call.record_error(step, fail(ErrorKind.TIMEOUT))
    final = call.next_step()
    assert isinstance(final, Fail) and isinstance(final.error, AllTargetsFailed)
    assert "deadline" in str(final.error)


def test_request_deadline_shortens_the_alias_deadline_and_caps_attempts() -> None:
    d = Driver()
    call = d.call(settings(), deadline_s=5.0)
    step = call.next_step()
    assert isinstance(step, Try) and step.total_s == 5.0


def test_all_cooling_reports_when_to_retry() -> None:
    d = Driver()
    for key, secs in (("a/claude-sonnet-5-5", 30), ("b/claude-sonnet-5-5", 12), ("c/gpt-5.5", 50)):
        d.state.cool(key, d.clock() + secs, "rate_limited 429")
    with pytest.raises(AllTargetsFailed) as info:
        d.run(settings(), {})
    assert info.value.retry_in_s == pytest.approx(12)
    assert "retry in 12.0s" in str(info.value)


def test_stream_error_before_content_fails_over_silently() -> None:
    d = Driver()
    call = d.call(settings())
    step = call.next_step()
    assert isinstance(step, Try)
    call.record_stream_error(step, fail(ErrorKind.OVERLOADED, 200), "", committed=False)
    nxt = call.next_step()
    assert isinstance(nxt, Try) and nxt.entry.provider == "b"


def test_stream_error_after_content_raises_stream_interrupted_with_partial_text() -> None:
    d = Driver()
    call = d.call(replace(settings(), stream_resume="error"))
    step = call.next_step()
    assert isinstance(step, Try)
    call.record_stream_error(step, fail(ErrorKind.CONNECTION, 200), "Hello wor", committed=True)
    final = call.next_step()
    assert isinstance(final, Fail) and isinstance(final.error, StreamInterrupted)
    assert final.error.partial_text == "Hello wor"
    assert final.error.trace[0].action == "stop"


def test_fallback_order_and_origin() -> None:
    entries = settings().entries
    assert [(e.provider, e.alias) for e in entries] == [("a", "claude"), ("b", "claude"), ("c", "gpt")]
    assert entries[2].origin == "fallback claude -> gpt, target 1"


def test_errors_are_model_route_errors() -> None:
    assert issubclass(AllTargetsFailed, ModelRouteError)
    assert issubclass(StreamInterrupted, ModelRouteError)
