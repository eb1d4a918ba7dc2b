"""What to do after an error, pure: the default action table, config overrides, and `decide`.

The table is DESIGN.md's: each error kind has an action (fail over, or stop) taken once its same-target
retries are spent, and optionally a cooldown that keeps the target out of later plans.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from ..config import BreakerSpec, ErrorPolicySpec
from ..exceptions import ErrorKind, ProviderError
from ..state import BreakerPolicy

__all__ = ["DEFAULT_TABLE", "Decision", "ErrorPolicy", "backoff_s", "breaker_policy", "decide", "merge_table"]

K = ErrorKind


@dataclass(frozen=True, slots=True)
class ErrorPolicy:
    """``retries`` on the same target, then ``action``; ``cooldown_s`` keeps the target out of plans after."""

    action: Literal["failover", "stop"]
    retries: int = 0
    cooldown_s: float | None = None


DEFAULT_TABLE: Mapping[ErrorKind, ErrorPolicy] = {
    # Retry-After decides: a short one may be waited out on the same target; a long one cools it down.
    K.RATE_LIMITED: ErrorPolicy("failover", retries=1, cooldown_s=10.0),
    K.OVERLOADED: ErrorPolicy("failover"),
    K.SERVER_ERROR: ErrorPolicy("failover", retries=1),
    K.TIMEOUT: ErrorPolicy("failover"),
    K.CONNECTION: ErrorPolicy("failover"),
    K.AUTH: ErrorPolicy("failover", cooldown_s=300.0),
    K.PERMISSION: ErrorPolicy("failover", cooldown_s=300.0),
    K.NOT_FOUND: ErrorPolicy("failover", cooldown_s=300.0),
    K.QUOTA_EXHAUSTED: ErrorPolicy("failover", cooldown_s=600.0),
    K.CONTEXT_WINDOW: ErrorPolicy("failover"),
    K.CONTENT_FILTERED: ErrorPolicy("stop"),
    K.REFUSAL: ErrorPolicy("stop"),
    K.INVALID_REQUEST: ErrorPolicy("stop"),
    K.MALFORMED_RESPONSE: ErrorPolicy("failover"),
}


def merge_table(*overrides: Mapping[ErrorKind, ErrorPolicySpec]) -> dict[ErrorKind, ErrorPolicy]:
    """The default table with each override layer (defaults, then alias) applied field by field."""
    table = dict(DEFAULT_TABLE)
    for layer in overrides:
        for kind, spec in layer.items():
            changes = spec.model_dump(exclude_none=True)
            table[kind] = replace(table[kind], **changes)
    return table


def breaker_policy(defaults: BreakerSpec, alias: BreakerSpec | None = None) -> BreakerPolicy:
    """The breaker thresholds for an alias's calls: the defaults, with the fields the alias set replacing them."""
    spec = defaults
    if alias is not None:
        spec = defaults.model_copy(update=alias.model_dump(exclude_unset=True))
    return BreakerPolicy(
        failures=spec.failures,
        failure_rate=spec.failure_rate,
        min_calls=spec.min_calls,
        window_s=spec.window_s,
        open_s=spec.open_s,
        counts=frozenset(spec.count),
        enabled=spec.enabled,
    )


@dataclass(frozen=True, slots=True)
class Decision:
    """``retry`` the same target after ``wait_s``, ``failover`` to the next, or ``stop`` the call."""

    action: Literal["retry", "failover", "stop"]
    reason: str
    wait_s: float = 0.0
    cooldown_s: float | None = None


class _AttemptNumber:
    """The one field tenacity's wait strategies read from their retry state."""

    __slots__ = ("attempt_number",)

    def __init__(self, n: int) -> None:
        self.attempt_number = n


def backoff_s(retry: int, *, base_s: float, max_s: float, jitter: float) -> float:
    """Exponential backoff with full jitter: tenacity's exponential envelope, scaled by ``jitter`` in [0, 1)."""
    from tenacity import wait_exponential

    envelope = wait_exponential(multiplier=base_s, max=max_s)(_AttemptNumber(retry))  # type: ignore[arg-type]
    return float(envelope) * jitter


def decide(
    error: ProviderError,
    policy: ErrorPolicy,
    *,
    tries: int,
    remaining_s: float,
    max_retry_wait_s: float,
    other_target_free: bool,
    backoff: float,
) -> Decision:
    """The router's next move after ``error`` on a target tried ``tries`` times so far.

    ``other_target_free``: another target of the same alias could be tried now. ``backoff``: the wait a plain
    retry would take. ``remaining_s``: what is left of the call's deadline.
    """
    kind = error.kind
    can_retry = tries <= policy.retries
    if kind is ErrorKind.RATE_LIMITED:
        return _rate_limited(
            error,
            policy,
            can_retry=can_retry,
            remaining_s=remaining_s,
            max_retry_wait_s=max_retry_wait_s,
            other_target_free=other_target_free,
            backoff=backoff,
        )
    if can_retry and backoff < remaining_s:
        return Decision("retry", f"{kind.value}: retry {tries} of {policy.retries} after {backoff:.2f}s", backoff)
    return _final(kind, policy, policy.cooldown_s)


def _final(kind: ErrorKind, policy: ErrorPolicy, cooldown_s: float | None) -> Decision:
    cool = f", cooling this target down for {cooldown_s:g}s" if cooldown_s else ""
    if policy.action == "stop":
        return Decision("stop", f"the policy for {kind.value} is to stop{cool}", 0.0, cooldown_s)
    if kind is ErrorKind.CONTEXT_WINDOW:
        return Decision("failover", "the prompt does not fit this model: trying a different model", 0.0, cooldown_s)
    return Decision("failover", f"failing over{cool}", 0.0, cooldown_s)


def _rate_limited(
    error: ProviderError,
    policy: ErrorPolicy,
    *,
    can_retry: bool,
    remaining_s: float,
    max_retry_wait_s: float,
    other_target_free: bool,
    backoff: float,
) -> Decision:
    ra = error.retry_after_s
    if ra is None:
        if can_retry and not other_target_free and backoff < remaining_s:
            return Decision(
                "retry",
                f"rate limited, no Retry-After and no other target free: retry after {backoff:.2f}s",
                backoff,
            )
        return _final(ErrorKind.RATE_LIMITED, policy, policy.cooldown_s)
    if ra <= max_retry_wait_s and can_retry and not other_target_free and ra < remaining_s:
        return Decision("retry", f"rate limited; Retry-After {ra:g}s is short and no other target is free: waiting", ra)
    if ra > max_retry_wait_s:
        why = f"Retry-After {ra:g}s is longer than max_retry_wait_s={max_retry_wait_s:g}s"
    elif other_target_free:
        why = f"Retry-After {ra:g}s, and another target is free now"
    else:
        why = f"Retry-After {ra:g}s does not fit the deadline or the retries are spent"
    cooldown = ra if ra > 0 else (policy.cooldown_s or 0.0)
    cool = f": cooling it down for {cooldown:g}s" if cooldown else ""
    if policy.action == "stop":
        return Decision("stop", f"rate limited; {why}{cool}", 0.0, cooldown or None)
    return Decision("failover", f"rate limited; {why}{cool}, moving on now", 0.0, cooldown or None)
