"""What a router always keeps an eye on, telemetry or not: its log records and each target's recent figures.

Logging (logger ``modelroute``, standard `logging`; every record carries structured ``extra`` fields, all named
``modelroute_*``, with ``modelroute_event`` saying what happened):

- an attempt that failed and was retried or failed over: a WARNING the first time a target fails with a cause
  (error kind), DEBUG while the same cause repeats, until the target answers again (then a new outage warns
  again). A misconfigured target (``auth``, ``permission``, ``not_found``) is an ERROR, once, the same way.
  An attempt that stopped its call (``invalid_request``, a content filter) is the caller's error: DEBUG.
- circuit breakers: opened, WARNING; probing and a failed probe, DEBUG; closed again, INFO.

The recent figures, for `Router.health`: per target, over the last minute (ten 6-second buckets on the router's
clock), attempts and failures, and the mean latency of the attempts that answered; the last error's kind.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._redact import redact
from .._types import Attempt
from ..exceptions import ErrorKind
from ._events import BreakerChange

if TYPE_CHECKING:
    from ..state.breaker import BreakerState

__all__ = ["Monitor", "Recent"]

log = logging.getLogger("modelroute")

_MISCONFIGURED = frozenset({ErrorKind.AUTH, ErrorKind.PERMISSION, ErrorKind.NOT_FOUND})
WINDOW_S = 60.0
_BUCKETS = 10


@dataclass(frozen=True, slots=True)
class Recent:
    """A target's last minute: ``attempts`` sent (answered or failed; cancelled hedges aside), ``failures``,
    ``error_rate`` (None with no attempt), ``latency_s`` the mean of the answered ones (None with none),
    ``last_error`` the kind of the latest failure and ``last_error_ago_s`` how long ago (either window)."""

    window_s: float
    attempts: int
    failures: int
    error_rate: float | None
    latency_s: float | None
    last_error: str | None
    last_error_ago_s: float | None


class _Figures:
    __slots__ = ("buckets", "last_error", "last_error_at")

    def __init__(self) -> None:
        # (bucket start, attempts, failures, answered, latency sum of the answered)
        self.buckets: list[list[float]] = []
        self.last_error: str | None = None
        self.last_error_at = 0.0

    def add(self, now: float, latency: float, failed: bool) -> None:
        width = WINDOW_S / _BUCKETS
        start = now - now % width
        b = self.buckets
        if b and b[-1][0] == start:
            last = b[-1]
        else:
            last = [start, 0.0, 0.0, 0.0, 0.0]
            b.append(last)
            del b[: max(0, len(b) - _BUCKETS)]
        last[1] += 1
        if failed:
            last[2] += 1
        else:
            last[3] += 1
            last[4] += latency

    def recent(self, now: float) -> Recent:
        kept = [b for b in self.buckets if b[0] > now - WINDOW_S]
        n, bad, ok, total = (sum(b[i] for b in kept) for i in (1, 2, 3, 4))
        ago = now - self.last_error_at if self.last_error is not None else None
        return Recent(
            WINDOW_S,
            int(n),
            int(bad),
            bad / n if n else None,
            total / ok if ok else None,
            self.last_error,
            ago,
        )


class Monitor:
    """One router's logs and recent figures (`routing.watch.TargetMonitor`), and where its breaker changes go:
    logged, then handed to ``forward`` (the router's hooks and metrics, when it has them)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._figures: dict[tuple[str, str], _Figures] = {}
        self._warned: dict[tuple[str, str], set[ErrorKind]] = {}  # causes already warned about, per target
        self.forward: Callable[[BreakerChange], None] | None = None

    def attempt(self, line: Attempt) -> None:
        if line.outcome == "cancelled":
            return  # a hedge race's loser says nothing about its target
        target = (line.provider, line.model)
        now = self._clock()
        error = line.error
        with self._lock:
            figures = self._figures.get(target)
            if figures is None:
                figures = self._figures[target] = _Figures()
            figures.add(now, line.latency_s, error is not None)
            if error is None:
                if self._warned:
                    self._warned.pop(target, None)  # it answered: the next outage warns again
                return
            figures.last_error, figures.last_error_at = error.kind.value, now
            causes = self._warned.setdefault(target, set())
            first = error.kind not in causes and line.action != "stop"
            causes.add(error.kind)
        _log_failure(line, error.kind, first=first)

    def recent(self, provider: str, model: str) -> Recent | None:
        with self._lock:
            figures = self._figures.get((provider, model))
            return figures.recent(self._clock()) if figures is not None else None

    def breaker_changed(self, key: str, old: BreakerState, new: BreakerState, now: float) -> None:
        """The state store's listener: a breaker moved from ``old`` to ``new`` at ``now`` (the store's time)."""
        change = BreakerChange.of(key, old, new, now)
        _log_breaker(change)
        forward = self.forward
        if forward is not None:
            forward(change)


def _log_failure(line: Attempt, kind: ErrorKind, *, first: bool) -> None:
    err = line.error
    assert err is not None
    misconfigured = kind in _MISCONFIGURED
    if not first:
        level = logging.DEBUG
    elif misconfigured:
        level = logging.ERROR
    else:
        level = logging.WARNING
    if not log.isEnabledFor(level):
        return
    status = f" {line.status}" if line.status is not None else ""
    extra: dict[str, Any] = {
        "modelroute_event": "target_misconfigured" if misconfigured else "attempt_failed",
        "modelroute_alias": line.alias,
        "modelroute_provider": line.provider,
        "modelroute_model": line.model,
        "modelroute_error_kind": kind.value,
        "modelroute_status": line.status,
        "modelroute_action": line.action,
        "modelroute_reason": redact(line.reason),
        "modelroute_latency_s": line.latency_s,
        "modelroute_repeat": not first,
    }
    if misconfigured:
        log.log(
            level,
            "modelroute: provider '%s' refused model %s with %s%s (%s); check providers.%s in the config",
            line.provider,
            line.model,
            kind.value,
            status,
            redact(err.message),
            line.provider,
            extra=extra,
        )
        return
    log.log(
        level,
        "modelroute: %s:%s failed with %s%s (%s) -> %s: %s",
        line.provider,
        line.model,
        kind.value,
        status,
        redact(err.message)[:200],
        line.action,
        redact(line.reason),
        extra=extra,
    )


def _log_breaker(change: BreakerChange) -> None:
    if change.new == "open" and change.old == "closed":
        level, what = logging.WARNING, f"opened ({change.reason}); kept out for {change.reopen_in_s:.1f}s"
    elif change.new == "open":
        level, what = logging.DEBUG, f"probe failed; open again for {change.reopen_in_s:.1f}s"
    elif change.new == "half_open":
        level, what = logging.DEBUG, "half-open: one probe lets a call through"
    else:
        level, what = logging.INFO, "closed: the target answered again"
    log.log(
        level,
        "modelroute: circuit for %s %s",
        change.target,
        what,
        extra={
            "modelroute_event": f"breaker_{change.new}",
            "modelroute_provider": change.provider,
            "modelroute_model": change.model,
            "modelroute_breaker_from": change.old,
            "modelroute_breaker_to": change.new,
            "modelroute_reason": change.reason,
            "modelroute_reopen_in_s": change.reopen_in_s,
        },
    )
