"""Planning, pure: which targets an alias may use, in which order, and why each is in or out.

The order is static, so it is expanded once per alias (targets, then each fallback alias's plan, depth first,
each provider/model pair once). What changes per call (cooldowns, features the request needs) is assessed
entry by entry as a call walks the plan, so a call that succeeds on its first target never looks at the
thousandth. `explain` assesses every entry at once, without any network.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .._types import Request
from ..config import ConfigSpec
from ..state import StateStore
from ..state.breaker import blocked_until

__all__ = ["Plan", "PlanEntry", "SkipCheck", "assess", "available_at", "expand", "explain"]

# (provider name, request) -> the reason this provider cannot serve the request, or None.
SkipCheck = Callable[[str, Request], str | None]


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """One target in an alias's order. ``origin`` says how it got there; ``reason`` why it is in or out."""

    alias: str
    provider: str
    model: str
    kind: str
    origin: str
    key: str = field(init=False)
    eligible: bool = True
    reason: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", f"{self.provider}/{self.model}")


@dataclass(frozen=True, slots=True)
class Plan:
    """The ordered plan for one request, every entry assessed. ``str(plan)`` prints it as a table."""

    alias: str
    entries: tuple[PlanEntry, ...]

    @property
    def eligible(self) -> list[PlanEntry]:
        return [e for e in self.entries if e.eligible]

    def __str__(self) -> str:
        lines = [f"plan for '{self.alias}':"]
        for i, e in enumerate(self.entries, 1):
            mark = "  " if e.eligible else "x "
            lines.append(f" {mark}{i:>2}. {e.provider}:{e.model}  [{e.origin}]  {e.reason}".rstrip())
        return "\n".join(lines)


def expand(spec: ConfigSpec, alias: str) -> tuple[PlanEntry, ...]:
    """The static order for ``alias``: its targets, then its fallbacks' plans, each provider/model pair once.

    Depth first, each alias once (a second visit could add nothing: its whole plan is already in), with an
    explicit stack: linear in the aliases and fallbacks reachable, however long the chain or wide the graph."""
    out: list[PlanEntry] = []
    seen: set[tuple[str, str]] = set()
    visited: set[str] = set()
    stack: list[tuple[str, tuple[str, ...]]] = [(alias, ())]
    while stack:
        name, via = stack.pop()
        if name in visited:
            continue
        visited.add(name)
        a = spec.models[name]
        for i, t in enumerate(a.targets):
            if (t.provider, t.model) in seen:
                continue
            seen.add((t.provider, t.model))
            origin = f"{name} target {i + 1}" if not via else f"fallback {' -> '.join([*via, name])}, target {i + 1}"
            out.append(PlanEntry(name, t.provider, t.model, spec.providers[t.provider].kind, origin))
        if a.fallbacks:
            path = (*via, name) if len(via) < _CHAIN_SHOWN else (*via[:2], "...", *via[-2:], name)
            stack.extend((fb, path) for fb in reversed(a.fallbacks))
    return tuple(out)


_CHAIN_SHOWN = 6  # an origin names at most this many aliases of a long fallback chain


def assess(
    entry: PlanEntry,
    *,
    request: Request,
    now: float,
    state: StateStore,
    unsupported: SkipCheck,
    too_long: Callable[[PlanEntry], str | None] | None = None,
) -> str | None:
    """Why ``entry`` must be skipped for this request right now, or None if it may be tried. ``too_long``: why
    this call's prompt cannot fit the entry's model (after a ``context_window`` error; see `routing.window`)."""
    why = unsupported(entry.provider, request)
    if why:
        return why
    if too_long is not None:
        why = too_long(entry)
        if why:
            return why
    cd = state.cooldown(entry.key, now)
    if cd is not None:
        return f"cooling down for {cd.until - now:.1f}s more ({cd.reason})"
    br = state.breaker(entry.key)
    until = blocked_until(br, now)
    if until is not None:
        if br.status == "open":
            return f"circuit open ({br.reason}); half-open probe in {until - now:.1f}s"
        return f"circuit half-open: a probe is in flight (for up to {until - now:.1f}s more)"
    return None


def available_at(entry: PlanEntry, *, now: float, state: StateStore) -> float | None:
    """When a target kept out only by its cooldown or its breaker may be tried again (None: it is not)."""
    cd = state.cooldown(entry.key, now)
    br = blocked_until(state.breaker(entry.key), now)
    times = [t for t in (cd.until if cd is not None else None, br) if t is not None]
    return max(times) if times else None


def explain(
    entries: Iterable[PlanEntry],
    *,
    alias: str,
    request: Request,
    now: float,
    state: StateStore,
    unsupported: SkipCheck,
) -> Plan:
    """Assess every entry: the plan a call would walk now, with a reason for each target in or out."""
    assessed = []
    for e in entries:
        why = assess(e, request=request, now=now, state=state, unsupported=unsupported)
        reason = why or "eligible"
        assessed.append(PlanEntry(e.alias, e.provider, e.model, e.kind, e.origin, eligible=why is None, reason=reason))
    return Plan(alias, tuple(assessed))
