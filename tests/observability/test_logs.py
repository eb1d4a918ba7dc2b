"""Logging through the mock cloud: a failover is a WARNING once per target and cause, not per request (DEBUG
while it repeats, a WARNING again after the target has answered); a misconfigured target an ERROR once; breakers
opening WARNING and closing INFO; every record with structured ``modelroute_*`` extra fields."""

from __future__ import annotations

import logging

import pytest

from modelroute.testing import FakeClock, Fault, MockCloud

from .conftest import CONFIG, make_router

HI = [{"role": "user", "content": "Hi"}]


def _ours(caplog: pytest.LogCaptureFixture, event: str | None = None) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "modelroute" and (event is None or getattr(r, "modelroute_event", None) == event)
    ]


def test_a_failover_warns_once_per_target_and_cause(
    cloud: MockCloud, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="modelroute")
    router = make_router(cloud, clock)
    for _ in range(3):  # (five in a row would open its breaker)
        cloud.script("azure", Fault.overloaded())
        assert router.complete("chat", HI).served_by.provider == "bedrock"
    cloud.script("azure", Fault.rate_limited(retry_after=1))  # another cause: warned about too
    router.complete("chat", HI)
    clock.advance(5)
    assert router.complete("chat", HI).served_by.provider == "azure"  # it answers: the outage is over
    cloud.script("azure", Fault.overloaded())
    router.complete("chat", HI)  # a new outage warns again
    router.close()
    failed = _ours(caplog, "attempt_failed")
    levels = [(r.modelroute_error_kind, r.levelname) for r in failed]
    assert levels == [
        ("overloaded", "WARNING"),
        *[("overloaded", "DEBUG")] * 2,
        ("rate_limited", "WARNING"),
        ("overloaded", "WARNING"),
    ]
    r = failed[0]
    assert (r.modelroute_provider, r.modelroute_model, r.modelroute_alias) == ("azure", "gpt-prod", "chat")
    assert (r.modelroute_status, r.modelroute_action, r.modelroute_repeat) == (503, "failover", False)
    assert r.modelroute_reason and isinstance(r.modelroute_latency_s, float)
    assert "azure:gpt-prod failed with overloaded 503" in r.getMessage()
    assert failed[1].modelroute_repeat is True


def test_a_misconfigured_target_is_an_error_once(
    cloud: MockCloud, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="modelroute")
    router = make_router(cloud, clock)
    for _ in range(3):
        cloud.script("azure", Fault.unauthorized())
        router.complete("chat", HI)
        clock.advance(10_000)  # past the auth cooldown: every call tries azure again
    router.close()
    records = _ours(caplog, "target_misconfigured")
    assert [r.levelname for r in records] == ["ERROR", "DEBUG", "DEBUG"]
    assert "check providers.azure in the config" in records[0].getMessage()
    assert records[0].modelroute_error_kind == "auth"
    assert not [r for r in _ours(caplog) if r.levelno >= logging.WARNING and r not in records[:1]]


def test_a_stopped_call_is_the_callers_error_not_a_warning(
    cloud: MockCloud, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="modelroute")
    router = make_router(cloud, clock)
    cloud.script("azure", Fault.status(400, {"error": {"message": "bad request", "type": "invalid_request_error"}}))
    with pytest.raises(Exception, match="bad request"):
        router.complete("chat", HI)
    router.close()
    (record,) = _ours(caplog, "attempt_failed")
    assert record.levelname == "DEBUG" and record.modelroute_action == "stop"


def test_breakers_log_opening_as_a_warning_and_closing_as_info(
    cloud: MockCloud, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="modelroute")
    config = {**CONFIG, "defaults": {"deadline_s": 30, "breaker": {"failures": 2, "open_s": 5}}}
    router = make_router(cloud, clock, config)
    cloud.script("azure", Fault.server_error(), Fault.server_error())
    router.complete("chat", HI)
    clock.advance(6)
    cloud.script("azure", Fault.server_error())
    router.complete("chat", HI)  # the probe fails: open again
    clock.advance(6)
    router.complete("chat", HI)  # the probe answers
    router.close()
    moves = [(r.modelroute_event, r.levelname) for r in _ours(caplog) if r.modelroute_event.startswith("breaker")]
    assert moves == [
        ("breaker_open", "WARNING"),
        ("breaker_half_open", "DEBUG"),
        ("breaker_open", "DEBUG"),
        ("breaker_half_open", "DEBUG"),
        ("breaker_closed", "INFO"),
    ]
    opened = next(r for r in _ours(caplog) if r.modelroute_event == "breaker_open")
    assert opened.modelroute_provider == "azure" and opened.modelroute_reopen_in_s == pytest.approx(5)
    assert "2 consecutive failures" in opened.getMessage()
