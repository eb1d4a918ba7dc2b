"""Circuit breakers, pure: one target's breaker state and the transitions between its three states.

```
closed --(N consecutive failures, or failure rate >= R over the window with >= M outcomes)--> open
open --(open_s passed; the next caller is admitted as the single probe)--> half_open
half_open --(the probe succeeds)--> closed        half_open --(the probe fails)--> open (for open_s again)
half_open --(the probe never reports within its lease)--> the next caller becomes the probe
half_open --(the probe is cancelled: it lost a hedge race)--> the next caller becomes the probe (`release`)
```

``open_s`` is short by default (5 s): a dead target gets at most one probe per ``open_s`` across every call (the
half-open admission is atomic in the store), and a recovered one is back in service within about ``open_s`` of
its recovery, however long it was down (a failed probe reopens for ``open_s`` again, never longer).

Every function here takes the time as an argument and returns a new state: no clock, no lock, no I/O. A store
(`MemoryState` now, a shared store later) keeps one `BreakerState` per target key and applies these functions
atomically. The failure-rate window is a ring of ten fixed buckets, so a state's size never grows with traffic.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from ..exceptions import ErrorKind

__all__ = [
    "BREAKER_COUNTS",
    "BreakerPolicy",
    "BreakerState",
    "Verdict",
    "admit",
    "blocked_until",
    "record",
    "release",
]

#: The error kinds that say "this target is unhealthy" by default. A refused prompt (invalid_request,
#: context_window, content_filtered) says nothing about the target; rate limits and auth have cooldowns instead.
BREAKER_COUNTS: frozenset[ErrorKind] = frozenset(
    {
        ErrorKind.TIMEOUT,
        ErrorKind.CONNECTION,
        ErrorKind.OVERLOADED,
        ErrorKind.SERVER_ERROR,
        ErrorKind.MALFORMED_RESPONSE,
    }
)

_BUCKETS = 10

Status = Literal["closed", "open", "half_open"]
Verdict = Literal["allow", "probe", "reject"]
Outcome = Literal["ok", "failure", "neutral"]


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    """When a target's breaker opens and for how long. ``counts``: the error kinds that count as failures."""

    failures: int = 5
    failure_rate: float = 0.5
    min_calls: int = 20
    window_s: float = 60.0
    open_s: float = 5.0
    counts: frozenset[ErrorKind] = BREAKER_COUNTS
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class BreakerState:
    """One target's breaker. ``buckets`` holds ``(bucket start, outcomes, failures)`` for the rate window."""

    status: Status = "closed"
    consecutive: int = 0
    buckets: tuple[tuple[float, int, int], ...] = ()
    reopen_at: float = 0.0
    probe_until: float | None = None
    reason: str = ""


CLOSED = BreakerState()


def blocked_until(state: BreakerState, now: float) -> float | None:
    """When a target blocked by its breaker may next be tried, or None if a call may try it now (read-only)."""
    if state.status == "open" and now < state.reopen_at:
        return state.reopen_at
    if state.status == "half_open" and state.probe_until is not None and now < state.probe_until:
        return state.probe_until
    return None


def admit(
    state: BreakerState, policy: BreakerPolicy, now: float, *, lease_s: float = 0.0
) -> tuple[Verdict, BreakerState]:
    """May a call try the target now? ``probe``: yes, as the single half-open probe (the state records it).

    The probe holds the half-open state for ``lease_s`` (the probe attempt's own time limit), at least
    ``open_s``: a probe still waiting on a hung target keeps every other call out, and only a probe that never
    reports (its call was abandoned) is replaced."""
    if not policy.enabled or state.status == "closed":
        return "allow", state
    if blocked_until(state, now) is not None:
        return "reject", state
    # Open and due, or half-open with a probe that never reported: this caller is the probe.
    return "probe", replace(state, status="half_open", probe_until=now + max(policy.open_s, lease_s))


def record(state: BreakerState, policy: BreakerPolicy, now: float, outcome: Outcome, *, probe: bool) -> BreakerState:
    """The state after one attempt's ``outcome`` (``neutral``: the target answered, but with an error that says
    nothing about its health). ``probe`` says whether this attempt was admitted as the half-open probe."""
    if not policy.enabled:
        return state
    if state.status != "closed":
        if not probe or state.status != "half_open":
            return state  # a straggler admitted before the breaker opened: the probe decides, not it
        if outcome == "failure":
            return _open(state, policy, now, "the half-open probe failed")
        return CLOSED
    if outcome == "neutral":
        return state
    failed = outcome == "failure"
    buckets = _count(state.buckets, policy, now, failed)
    consecutive = state.consecutive + 1 if failed else 0
    if failed and consecutive >= policy.failures:
        return _open(state, policy, now, f"{consecutive} consecutive failures")
    total = sum(b[1] for b in buckets)
    bad = sum(b[2] for b in buckets)
    if failed and total >= policy.min_calls and bad / total >= policy.failure_rate:
        return _open(state, policy, now, f"{bad} of {total} attempts failed in {policy.window_s:g}s")
    return replace(state, consecutive=consecutive, buckets=buckets)


def release(state: BreakerState, now: float) -> BreakerState:
    """A half-open probe ended without an answer either way (it was cancelled): the next caller is the probe."""
    if state.status != "half_open":
        return state
    return replace(state, probe_until=now)


def _open(state: BreakerState, policy: BreakerPolicy, now: float, reason: str) -> BreakerState:
    return BreakerState(status="open", reopen_at=now + policy.open_s, reason=reason)


def _count(
    buckets: tuple[tuple[float, int, int], ...], policy: BreakerPolicy, now: float, failed: bool
) -> tuple[tuple[float, int, int], ...]:
    width = policy.window_s / _BUCKETS
    start = now - now % width if width > 0 else now
    kept = [b for b in buckets if b[0] > now - policy.window_s]
    if kept and kept[-1][0] == start:
        s, n, f = kept[-1]
        kept[-1] = (s, n + 1, f + int(failed))
    else:
        kept.append((start, 1, int(failed)))
    return tuple(kept[-_BUCKETS:])
