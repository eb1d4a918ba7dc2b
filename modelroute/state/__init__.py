"""Shared routing state (cooldowns now; breakers and budgets later): in memory by default."""

from .memory import Cooldown, MemoryState, StateStore

__all__ = ["Cooldown", "MemoryState", "StateStore"]
