"""Time limits that scale with the deadline, shown per alias, and the lint for aliases that cannot fail over."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from modelroute import load_config
from modelroute.config import AliasTimings

ROOT = Path(__file__).parents[2]
BASE: dict[str, Any] = {
    "providers": {
        "a": {"kind": "anthropic", "api_key": "${K}"},
        "b": {"kind": "openai", "api_key": "${K}"},
    },
    "models": {"m": {"targets": ["a:x", "b:y"]}},
}


def cfg(alias: dict[str, Any] | None = None, defaults: dict[str, Any] | None = None, **providers: Any) -> Any:
    c = copy.deepcopy(BASE)
    c["models"]["m"].update(alias or {})
    c["defaults"] = defaults or {}
    for name, extra in providers.items():
        c["providers"][name].update(extra)
    return load_config(c, env={})


# (alias settings, defaults, provider a's extras) -> (deadline, attempt, first byte, attempt's source)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], tuple[float, float, float, str]]] = [
    ("nothing set", {}, {}, {}, (60, 30, 30, "derived")),
    ("only a deadline in defaults", {}, {"deadline_s": 20}, {}, (20, 10, 10, "derived")),
    ("only an alias deadline", {"deadline_s": 10}, {}, {}, (10, 5, 5, "derived")),
    ("the shipped claude-haiku shape", {"deadline_s": 10},
     {"deadline_s": 60, "attempt_timeout_s": 30, "first_byte_timeout_s": 20}, {}, (10, 5, 5, "derived")),
    ("defaults' attempt caps a longer alias deadline", {"deadline_s": 120}, {"attempt_timeout_s": 30}, {},
     (120, 30, 30, "defaults")),
    ("defaults' attempt kept with the default deadline", {}, {"attempt_timeout_s": 45}, {}, (60, 45, 45, "defaults")),
    ("an alias attempt wins", {"deadline_s": 10, "attempt_timeout_s": 8}, {"attempt_timeout_s": 2}, {},
     (10, 8, 8, "alias")),
    ("a provider's first byte", {"deadline_s": 10}, {"first_byte_timeout_s": 9}, {"a": {"first_byte_timeout_s": 2}},
     (10, 5, 2, "derived")),
    ("defaults' first byte, capped by the attempt", {"deadline_s": 10}, {"first_byte_timeout_s": 3}, {},
     (10, 5, 3, "derived")),
]  # fmt: skip


@pytest.mark.parametrize(("alias", "defaults", "providers", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_effective_time_limits(
    alias: Any, defaults: Any, providers: Any, want: tuple[float, float, float, str]
) -> None:
    t = cfg(alias, defaults, **providers).timings("m")
    assert isinstance(t, AliasTimings)
    assert (t.deadline_s, t.attempt_timeout_s, t.first_byte_timeout_s, t.attempt_from) == want


# (alias settings, defaults) -> the lint's paths, and words of the message
LINT: list[tuple[str, dict[str, Any], dict[str, Any], list[str], str]] = [
    ("alias attempt above its deadline", {"deadline_s": 10, "attempt_timeout_s": 30}, {},
     ["models.m.attempt_timeout_s"], "not shorter than its deadline (10s)"),
    ("alias attempt equal to its deadline", {"deadline_s": 10, "attempt_timeout_s": 10}, {},
     ["models.m.attempt_timeout_s"], "not shorter"),
    ("defaults attempt above the default deadline", {}, {"deadline_s": 20, "attempt_timeout_s": 25},
     ["defaults.attempt_timeout_s"], "not shorter"),
    ("a hung first target leaves less than min_attempt_s", {"deadline_s": 10, "attempt_timeout_s": 9.9}, {},
     ["models.m.attempt_timeout_s"], "never tried"),
    ("the same through a tight provider first byte is fine", {"deadline_s": 10, "attempt_timeout_s": 9.9},
     {"first_byte_timeout_s": 2}, [], ""),
    ("min_attempt_s raised", {"deadline_s": 10, "attempt_timeout_s": 8}, {"min_attempt_s": 3},
     ["models.m.attempt_timeout_s"], "less than min_attempt_s (3s)"),
    ("derived values leave room", {"deadline_s": 10}, {"attempt_timeout_s": 30, "first_byte_timeout_s": 20}, [], ""),
    ("a deadline too short for min_attempt_s twice", {"deadline_s": 0.4}, {}, ["defaults.min_attempt_s"],
     "raise the deadline"),
]  # fmt: skip


@pytest.mark.parametrize(("alias", "defaults", "paths", "words"), [c[1:] for c in LINT], ids=[c[0] for c in LINT])
def test_lint(alias: Any, defaults: Any, paths: list[str], words: str) -> None:
    warnings = cfg(alias, defaults).lint()
    assert [w.path for w in warnings] == paths
    for w in warnings:
        assert words in w.message and "\n" not in str(w) and "alias 'm'" in w.message


def test_a_single_target_alias_has_no_failover_to_lose() -> None:
    c = copy.deepcopy(BASE)
    c["models"]["m"] = {"targets": ["a:x"], "deadline_s": 10, "attempt_timeout_s": 9.9}
    assert load_config(c, env={}).lint() == []


def test_shipped_configs_lint_clean() -> None:
    for path in sorted((ROOT / "configs").glob("*.yaml")):
        assert load_config(path, env={}).lint() == [], path


def test_check_prints_the_time_limits_and_warnings(tmp_path: Path) -> None:
    import io

    from modelroute.cli import main

    p = tmp_path / "c.yaml"
    p.write_text(
        "providers:\n  a: {kind: openai, api_key: null}\n  b: {kind: openai, api_key: null}\n"
        "models:\n  fast: {targets: ['a:x', 'b:y'], deadline_s: 10, attempt_timeout_s: 30}\n"
        "  slow: {targets: ['a:x'], deadline_s: 100}\n"
    )
    out = io.StringIO()
    assert main(["check", str(p)], out) == 0
    text = out.getvalue()
    assert "  slow   deadline 100s (alias), attempt 50s (derived), first byte within the attempt" in text
    assert "  models.fast.attempt_timeout_s: alias 'fast': the attempt timeout (30s" in text
    assert main(["check", "--strict", str(p)], io.StringIO()) == 6


def test_the_readme_shows_what_check_prints() -> None:
    import io

    from modelroute.cli import main

    readme = (ROOT / "README.md").read_text()
    shown = readme.split("$ modelroute check configs/multi-cloud.yaml\n")[1].split("```")[0]
    out = io.StringIO()
    main(["check", str(ROOT / "configs" / "multi-cloud.yaml")], out)
    printed = out.getvalue().splitlines()
    for line in shown.splitlines():
        if line != "...":
            assert line in printed, line
