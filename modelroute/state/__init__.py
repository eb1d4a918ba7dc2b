"""Shared routing state (cooldowns and circuit breakers): in memory by default."""

from .breaker import BREAKER_COUNTS, BreakerPolicy, BreakerState
from .memory import Cooldown, MemoryState, StateStore

__all__ = ["BREAKER_COUNTS", "BreakerPolicy", "BreakerState", "Cooldown", "MemoryState", "StateStore"]
