"""The error-action table and `decide`, as pure functions."""

from __future__ import annotations

import pytest

from modelroute.config import ErrorPolicySpec
from modelroute.exceptions import ErrorKind, ProviderError, error_for_kind
from modelroute.routing import DEFAULT_TABLE, decide, merge_table
from modelroute.routing.policy import backoff_s

K = ErrorKind


def err(kind: ErrorKind, retry_after: float | None = None) -> ProviderError:
    return error_for_kind(kind, "boom", status=500, retry_after_s=retry_after)


def go(e: ProviderError, *, tries: int = 1, remaining: float = 60.0, other: bool = False, backoff: float = 0.1):  # type: ignore[no-untyped-def]
    return decide(
        e,
        DEFAULT_TABLE[e.kind],
        tries=tries,
        remaining_s=remaining,
        max_retry_wait_s=2.0,
        other_target_free=other,
        backoff=backoff,
    )


@pytest.mark.parametrize(
    ("kind", "action"),
    [
        (K.OVERLOADED, "failover"),
        (K.TIMEOUT, "failover"),
        (K.CONNECTION, "failover"),
        (K.AUTH, "failover"),
        (K.PERMISSION, "failover"),
        (K.NOT_FOUND, "failover"),
        (K.QUOTA_EXHAUSTED, "failover"),
        (K.CONTEXT_WINDOW, "failover"),
        (K.MALFORMED_RESPONSE, "failover"),
        (K.CONTENT_FILTERED, "stop"),
        (K.REFUSAL, "stop"),
        (K.INVALID_REQUEST, "stop"),
    ],
)
def test_default_action_per_kind(kind: ErrorKind, action: str) -> None:
    assert go(err(kind)).action == action


def test_every_kind_has_a_default() -> None:
    assert set(DEFAULT_TABLE) == set(ErrorKind)


def test_server_error_retries_once_with_backoff_then_fails_over() -> None:
    first = go(err(K.SERVER_ERROR), tries=1, backoff=0.3)
    assert (first.action, first.wait_s) == ("retry", 0.3)
    assert go(err(K.SERVER_ERROR), tries=2).action == "failover"


def test_retry_that_does_not_fit_the_deadline_fails_over() -> None:
    assert go(err(K.SERVER_ERROR), tries=1, backoff=5.0, remaining=1.0).action == "failover"


def test_long_retry_after_cools_down_and_moves_on_at_once() -> None:
    d = go(err(K.RATE_LIMITED, retry_after=3600), other=False)
    assert (d.action, d.wait_s, d.cooldown_s) == ("failover", 0.0, 3600)
    assert "3600" in d.reason and "max_retry_wait_s" in d.reason


def test_short_retry_after_is_waited_out_when_no_other_target_is_free() -> None:
    d = go(err(K.RATE_LIMITED, retry_after=0.5), other=False)
    assert (d.action, d.wait_s) == ("retry", 0.5)


def test_short_retry_after_moves_on_when_another_target_is_free() -> None:
    d = go(err(K.RATE_LIMITED, retry_after=0.5), other=True)
    assert (d.action, d.cooldown_s) == ("failover", 0.5)


def test_short_retry_after_not_waited_twice() -> None:
    assert go(err(K.RATE_LIMITED, retry_after=0.5), tries=2).action == "failover"


def test_short_retry_after_past_the_deadline_is_not_waited() -> None:
    assert go(err(K.RATE_LIMITED, retry_after=1.5), remaining=1.0).action == "failover"


def test_rate_limit_without_header_gets_default_cooldown() -> None:
    d = go(err(K.RATE_LIMITED), other=True)
    assert (d.action, d.cooldown_s) == ("failover", 10.0)


def test_auth_errors_cool_the_target_down() -> None:
    assert go(err(K.AUTH)).cooldown_s == 300.0


def test_overrides_apply_field_by_field() -> None:
    table = merge_table(
        {K.SERVER_ERROR: ErrorPolicySpec(retries=3)},
        {K.CONTENT_FILTERED: ErrorPolicySpec(action="failover"), K.SERVER_ERROR: ErrorPolicySpec(cooldown_s=5)},
    )
    assert (table[K.SERVER_ERROR].retries, table[K.SERVER_ERROR].cooldown_s) == (3, 5)
    assert table[K.SERVER_ERROR].action == "failover"
    assert table[K.CONTENT_FILTERED].action == "failover"
    assert table[K.INVALID_REQUEST] == DEFAULT_TABLE[K.INVALID_REQUEST]


def test_backoff_is_exponential_with_full_jitter() -> None:
    assert backoff_s(1, base_s=0.25, max_s=4, jitter=1.0) == pytest.approx(0.25)
    assert backoff_s(3, base_s=0.25, max_s=4, jitter=1.0) == pytest.approx(1.0)
    assert backoff_s(10, base_s=0.25, max_s=4, jitter=1.0) == pytest.approx(4.0)
    assert backoff_s(3, base_s=0.25, max_s=4, jitter=0.5) == pytest.approx(0.5)
    assert backoff_s(3, base_s=0.25, max_s=4, jitter=0.0) == 0.0


def test_retry_after_above_the_cap_is_not_waited_even_with_nothing_else_free() -> None:
    d = go(err(K.RATE_LIMITED, retry_after=30), other=False, remaining=600)
    assert (d.action, d.wait_s, d.cooldown_s) == ("failover", 0.0, 30)
