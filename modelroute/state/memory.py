"""In-process routing state. Times are on the router's clock (monotonic seconds), never wall time."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Cooldown", "MemoryState", "StateStore"]


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


class MemoryState:
    """Thread-safe in-memory state for one process (sync and async callers share it)."""

    def __init__(self) -> None:
        self._cooldowns: dict[str, Cooldown] = {}
        self._lock = threading.Lock()

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
