"""A clock and sleeps you control, for deterministic tests of timing decisions."""

from __future__ import annotations

__all__ = ["FakeClock"]


class FakeClock:
    """Monotonic seconds that only move when something sleeps (or you call `advance`).

    ``Router(config, clock=fc, sleep=fc.sleep, async_sleep=fc.async_sleep)``; ``fc.sleeps`` lists every wait.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)
