"""Each alias's effective time limits, and the lint that flags an alias whose first target cannot fail over in time.

The defaults scale with the deadline: an alias that sets only ``deadline_s`` gets an attempt timeout of half of it
(`ATTEMPT_SHARE`), and the first-byte timeout is the attempt timeout unless one is set. So a first target that
hangs costs at most half the deadline, and the other half is left for the next target. Values set explicitly win:
an alias's own ``attempt_timeout_s`` always; ``defaults.attempt_timeout_s`` for the aliases that keep the default
deadline, and as a ceiling on the derived value of those that set their own. Whatever the source, every limit is
also capped by what is left of the call's deadline when the attempt starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ._spec import ConfigSpec

__all__ = ["ATTEMPT_SHARE", "AliasTimings", "LintWarning", "alias_timings", "first_byte_limit", "lint"]

#: The share of an alias's deadline its attempt timeout defaults to.
ATTEMPT_SHARE = 0.5

Source = Literal["alias", "defaults", "derived"]


@dataclass(frozen=True, slots=True)
class AliasTimings:
    """The time limits a call to ``alias`` runs with, and where each came from (``alias``, ``defaults`` or
    ``derived`` from the deadline). ``first_byte_timeout_s`` is the first target's (its provider entry's, or
    the defaults'), capped by the attempt timeout; ``targets`` counts the plan's entries (2 means "two or more")."""

    alias: str
    deadline_s: float
    deadline_from: Source
    attempt_timeout_s: float
    attempt_from: Source
    first_byte_timeout_s: float
    first_byte_from: Source | Literal["provider"]
    min_attempt_s: float
    targets: int

    @property
    def hung_first_target_s(self) -> float:
        """What a first target that accepts the request and never answers costs the call."""
        return min(self.first_byte_timeout_s, self.attempt_timeout_s, self.deadline_s)

    @property
    def room_to_fail_over_s(self) -> float:
        """What is left of the deadline for the next target after a hung first one."""
        return self.deadline_s - self.hung_first_target_s

    def describe(self) -> str:
        """One line for ``modelroute check``."""
        first_byte = (
            f"first byte {self.first_byte_timeout_s:g}s ({self.first_byte_from})"
            if self.first_byte_timeout_s < self.attempt_timeout_s
            else "first byte within the attempt"
        )
        return (
            f"deadline {self.deadline_s:g}s ({self.deadline_from}), attempt {self.attempt_timeout_s:g}s "
            f"({self.attempt_from}), {first_byte}; a hung first target leaves {self.room_to_fail_over_s:g}s"
        )


@dataclass(frozen=True, slots=True)
class LintWarning:
    """Something that loads but will not work as intended: ``path`` names the field, ``message`` says why and what
    to change."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def alias_timings(spec: ConfigSpec, alias: str) -> AliasTimings:
    """The effective deadline, attempt and first-byte timeouts of ``alias`` (see the module docstring)."""
    d, a = spec.defaults, spec.models[alias]
    deadline_from: Source = "alias" if a.deadline_s is not None else "defaults"
    deadline = a.deadline_s if a.deadline_s is not None else d.deadline_s
    attempt: float
    attempt_from: Source
    if a.attempt_timeout_s is not None:
        attempt, attempt_from = a.attempt_timeout_s, "alias"
    elif d.attempt_timeout_s is not None and (a.deadline_s is None or d.attempt_timeout_s <= deadline * ATTEMPT_SHARE):
        attempt, attempt_from = d.attempt_timeout_s, "defaults"
    else:
        attempt, attempt_from = deadline * ATTEMPT_SHARE, "derived"
    first = _first_provider(spec, alias)
    provider_fb = spec.providers[first].first_byte_timeout_s if first is not None else None
    first_byte: float
    fb_from: Source | Literal["provider"]
    if provider_fb is not None:
        first_byte, fb_from = provider_fb, "provider"
    elif d.first_byte_timeout_s is not None:
        first_byte, fb_from = d.first_byte_timeout_s, "defaults"
    else:
        first_byte, fb_from = attempt, "derived"
    return AliasTimings(
        alias=alias,
        deadline_s=deadline,
        deadline_from=deadline_from,
        attempt_timeout_s=attempt,
        attempt_from=attempt_from,
        first_byte_timeout_s=min(first_byte, attempt),
        first_byte_from=fb_from,
        min_attempt_s=d.min_attempt_s,
        targets=_count_targets(spec, alias, stop_at=2),
    )


def first_byte_limit(spec: ConfigSpec, provider: str) -> float:
    """A provider entry's first-byte timeout before the per-attempt cap: its own, the defaults', or unlimited (the
    attempt timeout and the deadline then bound it)."""
    own = spec.providers[provider].first_byte_timeout_s
    if own is not None:
        return own
    return spec.defaults.first_byte_timeout_s if spec.defaults.first_byte_timeout_s is not None else math.inf


def lint(spec: ConfigSpec) -> list[LintWarning]:
    """Warnings for aliases whose timeouts defeat their own failover: an attempt timeout (and so the first-byte
    timeout, which it caps) not shorter than the deadline, or a first target that, hung, leaves less than
    ``min_attempt_s`` (the least the router starts an attempt with) for the next one."""
    out: list[LintWarning] = []
    for alias in spec.models:
        t = alias_timings(spec, alias)
        where = f"models.{alias}" if t.attempt_from == "alias" else "defaults"
        if t.attempt_timeout_s >= t.deadline_s:
            out.append(
                LintWarning(
                    f"{where}.attempt_timeout_s",
                    f"alias '{alias}': the attempt timeout ({t.attempt_timeout_s:g}s, which also caps the first-byte "
                    f"timeout) is not shorter than its deadline ({t.deadline_s:g}s), so one hung attempt uses the "
                    f"whole call. Set attempt_timeout_s below the deadline, or leave it unset (half the deadline)",
                )
            )
        elif t.targets > 1 and t.room_to_fail_over_s < max(t.min_attempt_s, 1e-9):
            derived = t.attempt_from == "derived" and t.first_byte_from == "derived"
            fix = "Lower min_attempt_s, or raise the deadline" if derived else "Lower the attempt timeout"
            out.append(
                LintWarning(
                    "defaults.min_attempt_s" if derived else f"{where}.attempt_timeout_s",
                    f"alias '{alias}': a first target that hangs takes {t.hung_first_target_s:g}s of the "
                    f"{t.deadline_s:g}s deadline, leaving {t.room_to_fail_over_s:g}s, less than min_attempt_s "
                    f"({t.min_attempt_s:g}s): the next target is never tried. {fix}",
                )
            )
    return out


def _first_provider(spec: ConfigSpec, alias: str) -> str | None:
    """The provider of the first entry of ``alias``'s plan (its first target, else its first fallback's...)."""
    seen: set[str] = set()
    stack = [alias]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        a = spec.models[name]
        if a.targets:
            return a.targets[0].provider
        stack.extend(reversed(a.fallbacks))
    return None


def _count_targets(spec: ConfigSpec, alias: str, *, stop_at: int) -> int:
    """How many distinct provider/model pairs ``alias``'s plan holds, counting no further than ``stop_at``."""
    pairs: set[tuple[str, str]] = set()
    seen: set[str] = set()
    stack = [alias]
    while stack and len(pairs) < stop_at:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        a = spec.models[name]
        pairs.update((t.provider, t.model) for t in a.targets)
        stack.extend(reversed(a.fallbacks))
    return min(len(pairs), stop_at)
