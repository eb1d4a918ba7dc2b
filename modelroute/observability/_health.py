"""`Router.health()`: every target of the config and how it stands now, read from the state store (breaker,
cooldown) and the router's recent figures (attempts, error rate, latency over the last minute). No network.

A target's ``status`` sums it up: ``open`` (its breaker keeps it out until ``breaker.reopen_in_s``),
``half_open`` (one probe may go), ``cooling_down`` (a cooldown keeps it out, for ``cooldown.remaining_s``,
because of ``cooldown.reason``), else ``ok``. Rate-limit and budget headroom are None until the config sets
limits or budgets for the target.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from ..config import Config
from ..routing.plan import expand
from ..state import StateStore
from ._monitor import Monitor, Recent

__all__ = ["BreakerHealth", "CooldownHealth", "Health", "TargetHealth", "health"]

Status = Literal["ok", "cooling_down", "open", "half_open"]


@dataclass(frozen=True, slots=True)
class BreakerHealth:
    """``status`` closed / open / half_open; ``reason`` why it opened; ``reopen_in_s``: an open breaker lets its
    next probe through in this many seconds (a half-open one: its probe's lease ends then); ``consecutive_failures``
    counted so far while closed."""

    status: str
    reason: str
    reopen_in_s: float | None
    consecutive_failures: int


@dataclass(frozen=True, slots=True)
class CooldownHealth:
    remaining_s: float
    reason: str


@dataclass(frozen=True, slots=True)
class TargetHealth:
    """One target (``provider/model``) of the config: where it is, which aliases use it, and how it stands."""

    target: str
    provider: str
    model: str
    kind: str
    cloud: str
    region: str | None
    aliases: tuple[str, ...]
    status: Status
    breaker: BreakerHealth
    cooldown: CooldownHealth | None
    recent: Recent | None
    rate_headroom: float | None = None
    budget_headroom: float | None = None

    def summary(self) -> str:
        """The state in a few words: ``open, reopens in 3.2s (5 consecutive failures)``..."""
        b = self.breaker
        if self.status == "open":
            return f"open, reopens in {b.reopen_in_s or 0:.1f}s ({b.reason})"
        if self.status == "half_open":
            return f"half-open, probing (up to {b.reopen_in_s or 0:.1f}s)"
        if self.cooldown is not None:
            return f"cooling down {self.cooldown.remaining_s:.1f}s ({self.cooldown.reason})"
        return "ok"


@dataclass(frozen=True, slots=True)
class Health:
    """What `Router.health` returns. ``store`` names the state store read (``MemoryState``: this process only);
    ``degraded`` says why the view is partial (None when it is whole). ``str(health)`` is a table."""

    store: str
    degraded: str | None
    targets: tuple[TargetHealth, ...]

    def target(self, key: str) -> TargetHealth:
        """The target ``provider/model``."""
        for t in self.targets:
            if t.target == key:
                return t
        raise KeyError(f"no target {key!r} in this config; its targets: {', '.join(t.target for t in self.targets)}")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (what ``modelroute status --json`` prints)."""
        return {"store": self.store, "degraded": self.degraded, "targets": [asdict(t) for t in self.targets]}

    def rows(self) -> list[list[str]]:
        rows = []
        for t in self.targets:
            r = t.recent
            if r is None or not r.attempts:
                last = "no attempts"
            else:
                rate = f"{(r.error_rate or 0) * 100:.0f}% errors"
                latency = f", {r.latency_s * 1000:.0f} ms" if r.latency_s is not None else ""
                last = f"{r.attempts} attempts, {rate}{latency}"
            rows.append([t.target, t.summary(), last, ", ".join(t.aliases)])
        return rows

    def __str__(self) -> str:
        rows = [["target", "state", "last minute", "aliases"], *self.rows()]
        widths = [max(len(r[c]) for r in rows) for c in range(3)]
        head = f"health ({self.store}{'; degraded: ' + self.degraded if self.degraded else ''}):"
        lines = ["  ".join(cell.ljust(widths[c]) if c < 3 else cell for c, cell in enumerate(r)).rstrip() for r in rows]
        return "\n".join([head, *lines])


def health(config: Config, state: StateStore, monitor: Monitor, now: float) -> Health:
    spec = config.spec
    users: dict[tuple[str, str], list[str]] = {}
    for alias in spec.models:
        for e in expand(spec, alias):
            users.setdefault((e.provider, e.model), []).append(alias)
    targets = []
    for (provider, model), aliases in users.items():
        p = spec.providers[provider]
        key = f"{provider}/{model}"
        b = state.breaker(key)
        reopen: float | None = None
        if b.status == "open":
            reopen = max(0.0, b.reopen_at - now)
        elif b.status == "half_open" and b.probe_until is not None:
            reopen = max(0.0, b.probe_until - now)
        c = state.cooldown(key, now)
        cooldown = CooldownHealth(c.until - now, c.reason) if c is not None else None
        status: Status = "ok"
        if b.status == "open" and reopen:
            status = "open"
        elif b.status in ("open", "half_open"):  # an open one whose time is up: the next call probes it
            status = "half_open"
        elif cooldown is not None:
            status = "cooling_down"
        targets.append(
            TargetHealth(
                target=key,
                provider=provider,
                model=model,
                kind=p.kind,
                cloud=p.cloud,
                region=p.region,
                aliases=tuple(aliases),
                status=status,
                breaker=BreakerHealth(b.status, b.reason, reopen, b.consecutive),
                cooldown=cooldown,
                recent=monitor.recent(provider, model),
            )
        )
    return Health(store=type(state).__name__, degraded=None, targets=tuple(targets))
