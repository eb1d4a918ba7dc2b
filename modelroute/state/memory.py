"""In-process routing state. Times are on the router's clock (monotonic seconds), never wall time.

`StateStore` is the seam a shared store (Redis, for a fleet) will implement: each method is one atomic
read-modify-write on one key, so it maps onto one script or transaction there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from .breaker import CLOSED, BreakerPolicy, BreakerState, Outcome, Verdict, admit, record, release

__all__ = ["BreakerListener", "Cooldown", "MemoryState", "StateStore"]

#: Told of each breaker state change this store applies: (key, old state, new state, the time it used).
BreakerListener = Callable[[str, BreakerState, BreakerState, float], None]


@dataclass(frozen=True, slots=True)
class Cooldown:
    """A target is kept out of plans until ``until`` (router clock), because of ``reason``."""

    until: float
    reason: str


class StateStore(Protocol):
    """What routing decisions read and write. Keys are ``provider/model``."""

    def cooldown(self, key: str, now: float) -> Cooldown | None: ...

    def cool(self, key: str, until: float, reason: str) -> None: ...

    def snapshot(self, now: float) -> dict[str, Cooldown]: ...

    def breaker(self, key: str) -> BreakerState:
        """The target's breaker as it stands (read-only)."""
        ...

    def breaker_admit(self, key: str, policy: BreakerPolicy, now: float, *, lease_s: float = 0.0) -> Verdict:
        """`breaker.admit`, applied atomically: at most one caller gets ``probe`` per half-open period (held
        for ``lease_s``, at least ``policy.open_s``)."""
        ...

    def breaker_record(
        self, key: str, policy: BreakerPolicy, now: float, outcome: Outcome, *, probe: bool
    ) -> BreakerState:
        """`breaker.record`, applied atomically; returns the new state."""
        ...

    def breaker_release(self, key: str, now: float) -> None:
        """`breaker.release`, applied atomically: a cancelled probe frees the half-open state at once."""
        ...


class MemoryState:
    """Thread-safe in-memory state for one process (sync and async callers share it)."""

    def __init__(self) -> None:
        self._cooldowns: dict[str, Cooldown] = {}
        self._breakers: dict[str, BreakerState] = {}
        self._lock = threading.Lock()
        self._listeners: list[BreakerListener] = []

    def listen(self, listener: BreakerListener) -> None:
        """Call ``listener`` after every breaker state change (outside the store's lock; a listener must not
        raise)."""
        self._listeners.append(listener)

    def _changed(self, key: str, old: BreakerState, new: BreakerState, now: float) -> None:
        if old.status != new.status:
            for listener in self._listeners:
                listener(key, old, new, now)

    def cooldown(self, key: str, now: float) -> Cooldown | None:
        c = self._cooldowns.get(key)
        if c is None:
            return None
        if c.until <= now:
            with self._lock:
                if self._cooldowns.get(key) is c:
                    del self._cooldowns[key]
            return None
        return c

    def cool(self, key: str, until: float, reason: str) -> None:
        with self._lock:
            current = self._cooldowns.get(key)
            if current is None or current.until < until:
                self._cooldowns[key] = Cooldown(until, reason)

    def snapshot(self, now: float) -> dict[str, Cooldown]:
        with self._lock:
            return {k: c for k, c in self._cooldowns.items() if c.until > now}

    def breaker(self, key: str) -> BreakerState:
        return self._breakers.get(key, CLOSED)

    def breaker_admit(self, key: str, policy: BreakerPolicy, now: float, *, lease_s: float = 0.0) -> Verdict:
        with self._lock:
            old = self._breakers.get(key, CLOSED)
            verdict, new = admit(old, policy, now, lease_s=lease_s)
            if new is not CLOSED:
                self._breakers[key] = new
        if self._listeners:
            self._changed(key, old, new, now)
        return verdict

    def breaker_record(
        self, key: str, policy: BreakerPolicy, now: float, outcome: Outcome, *, probe: bool
    ) -> BreakerState:
        with self._lock:
            old = self._breakers.get(key, CLOSED)
            new = record(old, policy, now, outcome, probe=probe)
            if new is CLOSED:
                self._breakers.pop(key, None)
            else:
                self._breakers[key] = new
        if self._listeners:
            self._changed(key, old, new, now)
        return new

    def breaker_release(self, key: str, now: float) -> None:
        with self._lock:
            state = self._breakers.get(key)
            if state is not None:
                self._breakers[key] = release(state, now)
