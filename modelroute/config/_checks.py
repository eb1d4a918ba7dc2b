"""The checks a config needs beyond its fields' types: names that refer to each other, the fallback graph, and
times that only make sense together. Each is linear in the size of the config (the fallback graph is walked once,
iteratively, so 2,000 aliases or a chain of 10,000 load at once)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from ..exceptions import ConfigError
from ._spec import ConfigSpec

__all__ = ["check_references", "check_times", "known"]


def known(label: str, names: Mapping[str, Any] | list[str], wrong: str) -> str:
    """``Did you mean 'x'? <label>: a, b, c`` (at most 20 names listed)."""
    keys = sorted(names)
    close = difflib.get_close_matches(wrong, keys, n=1)
    hint = f"Did you mean '{close[0]}'? " if close else ""
    listed = ", ".join(keys[:20]) + (f" and {len(keys) - 20} more" if len(keys) > 20 else "")
    return f"{hint}{label}: {listed or '(none)'}"


def check_references(spec: ConfigSpec) -> None:
    """Every target names a provider entry, every fallback an alias, and the fallbacks form no loop."""
    if not spec.models:
        raise ConfigError("models", "no aliases are defined", "Add at least one alias with targets")
    for alias, a in spec.models.items():
        if not a.targets and not a.fallbacks:
            raise ConfigError(f"models.{alias}", "has no targets and no fallbacks",
                              "Add targets: [{provider: ..., model: ...}]")  # fmt: skip
        for i, t in enumerate(a.targets):
            if t.provider not in spec.providers:
                raise ConfigError(f"models.{alias}.targets[{i}].provider", f"unknown provider '{t.provider}'",
                                  known("Known providers", spec.providers, t.provider))  # fmt: skip
        for i, fb in enumerate(a.fallbacks):
            if fb not in spec.models:
                raise ConfigError(f"models.{alias}.fallbacks[{i}]", f"unknown alias '{fb}'",
                                  known("Known aliases", spec.models, fb))  # fmt: skip
            if fb == alias:
                raise ConfigError(f"models.{alias}.fallbacks[{i}]", "an alias cannot fall back to itself", "Remove it")
    _check_cycles(spec)


def _check_cycles(spec: ConfigSpec) -> None:
    """A depth-first walk over the whole fallback graph, each alias and edge once, with an explicit stack."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done (no loop through it)
    for root in spec.models:
        if root in state:
            continue
        path: list[str] = [root]
        edges = [iter(spec.models[root].fallbacks)]
        state[root] = 1
        while edges:
            nxt = next(edges[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                edges.pop()
                continue
            seen = state.get(nxt)
            if seen == 1:
                loop = [*path[path.index(nxt) :], nxt]
                shown = " -> ".join(loop) if len(loop) <= 12 else " -> ".join([*loop[:5], "...", *loop[-5:]])
                raise ConfigError(f"models.{path[-1]}.fallbacks", f"fallbacks form a loop ({shown})",
                                  "Remove one link of the loop")  # fmt: skip
            if seen is None:
                state[nxt] = 1
                path.append(nxt)
                edges.append(iter(spec.models[nxt].fallbacks))


def check_times(spec: ConfigSpec) -> None:
    """Times that only make sense together: no attempt could start if ``min_attempt_s`` were not shorter than a
    deadline; a backoff that starts above its cap is a typo."""
    d = spec.defaults
    deadlines = [("defaults.deadline_s", d.deadline_s)]
    deadlines += [(f"models.{n}.deadline_s", a.deadline_s) for n, a in spec.models.items() if a.deadline_s is not None]
    for where, deadline in deadlines:
        if d.min_attempt_s >= deadline:
            raise ConfigError(
                "defaults.min_attempt_s",
                f"{d.min_attempt_s:g}s is not shorter than {where} ({deadline:g}s), so no attempt could ever start",
                "Lower min_attempt_s, or raise the deadline",
            )
    if d.backoff_base_s > d.backoff_max_s:
        raise ConfigError("defaults.backoff_base_s", f"{d.backoff_base_s:g}s is above backoff_max_s "
                          f"({d.backoff_max_s:g}s)", "Make backoff_base_s the smaller one")  # fmt: skip
