"""Hedged requests: when to start a second attempt, and whether the alias may hedge one more call.

The decisions are pure functions of recent observations (`hedge_delay`, `share_allows`); `HedgeBook` keeps those
observations for one alias (latencies per target, and which recent calls were hedged), behind a lock so sync
and async callers may share it. The race itself is the async driver's (`Router.acomplete`).
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from ..config import HedgeSpec

__all__ = ["HedgeBook", "HedgePolicy", "hedge_delay", "p95", "share_allows"]

_WINDOW = 200


@dataclass(frozen=True, slots=True)
class HedgePolicy:
    """``after_s`` None means "the target's recent p95 latency" (``initial_after_s`` until it is known)."""

    after_s: float | None
    initial_after_s: float = 1.0
    min_samples: int = 20
    max_share: float = 0.1

    @classmethod
    def from_spec(cls, spec: HedgeSpec) -> HedgePolicy:
        after = None if spec.after_s == "p95" else float(spec.after_s)
        return cls(after, spec.initial_after_s, spec.min_samples, spec.max_share)


def p95(samples: Sequence[float]) -> float:
    """The nearest-rank 95th percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def hedge_delay(policy: HedgePolicy, samples: Sequence[float]) -> float:
    """How long the first attempt may run alone before the hedge starts."""
    if policy.after_s is not None:
        return policy.after_s
    if len(samples) < policy.min_samples:
        return policy.initial_after_s
    return p95(samples)


def share_allows(policy: HedgePolicy, hedged: int) -> bool:
    """One more hedge keeps the hedged calls among the last 200 within ``max_share`` of 200 (a budget that
    refills as calls go by, so a cold router may hedge its first calls too)."""
    return hedged + 1 <= policy.max_share * _WINDOW


class HedgeBook:
    """One alias's recent latencies per target and which of its recent calls were hedged."""

    def __init__(self, policy: HedgePolicy) -> None:
        self.policy = policy
        self._latencies: dict[str, deque[float]] = {}
        self._calls: deque[bool] = deque(maxlen=_WINDOW)
        self._lock = threading.Lock()

    def delay(self, key: str) -> float:
        with self._lock:
            return hedge_delay(self.policy, tuple(self._latencies.get(key, ())))

    def claim(self) -> bool:
        """May this call hedge? If so, it is counted as hedged now (so concurrent calls respect the cap)."""
        with self._lock:
            if not share_allows(self.policy, sum(self._calls)):
                return False
            self._calls.append(True)
            return True

    def release(self) -> None:
        """Undo the last `claim` (no target was free to hedge on)."""
        with self._lock:
            if self._calls and self._calls[-1]:
                self._calls.pop()

    def unhedged(self) -> None:
        with self._lock:
            self._calls.append(False)

    def latency(self, key: str, seconds: float) -> None:
        with self._lock:
            self._latencies.setdefault(key, deque(maxlen=_WINDOW)).append(seconds)

    @property
    def hedged_share(self) -> float:
        with self._lock:
            return sum(self._calls) / len(self._calls) if self._calls else 0.0
