"""Plan expansion and explanation: the order, and a reason for every target in or out."""

from __future__ import annotations

from modelroute import Router
from modelroute.config import load_config
from modelroute.routing import expand
from modelroute.testing._clock import FakeClock

CONFIG = {
    "providers": {
        "az": {"kind": "anthropic", "api_key": "${K}"},
        "direct": {"kind": "anthropic", "api_key": "${K}", "anthropic_version": "2023-06-01"},
        "oa": {"kind": "openai", "api_key": "${K}"},
    },
    "models": {
        "claude": {"targets": ["az:claude-sonnet-5-5", "direct:claude-sonnet-5-5"], "fallbacks": ["gpt", "any"]},
        "gpt": {"targets": ["oa:gpt-5.5"], "fallbacks": ["mini"]},
        "mini": {"targets": ["oa:gpt-5.4-mini"]},
        "any": {"targets": ["oa:gpt-5.5", "az:claude-haiku-5-5"]},
    },
}


def test_expand_is_depth_first_and_each_pair_appears_once() -> None:
    entries = expand(load_config(CONFIG).spec, "claude")
    assert [e.key for e in entries] == [
        "az/claude-sonnet-5-5",
        "direct/claude-sonnet-5-5",
        "oa/gpt-5.5",
        "oa/gpt-5.4-mini",
        "az/claude-haiku-5-5",
    ]
    assert entries[3].origin == "fallback claude -> gpt -> mini, target 1"


def test_explain_gives_a_reason_for_each_target_without_network() -> None:
    clock = FakeClock()
    router = Router.from_config(CONFIG, env={}, clock=clock)  # no secrets set: explain never needs them
    plan = router.explain("claude", temperature=0.3)
    reasons = {e.key: (e.eligible, e.reason) for e in plan.entries}
    assert reasons["az/claude-sonnet-5-5"][0] is False
    assert "temperature" in reasons["az/claude-sonnet-5-5"][1]
    assert reasons["direct/claude-sonnet-5-5"] == (True, "eligible")  # an older anthropic-version accepts it
    assert reasons["oa/gpt-5.5"] == (True, "eligible")
    text = str(plan)
    assert "plan for 'claude'" in text and "x " in text and "temperature" in text


def test_explain_shows_cooldowns_counting_down() -> None:
    clock = FakeClock()
    router = Router.from_config(CONFIG, env={}, clock=clock)
    router._state.cool("oa/gpt-5.5", clock() + 30, "rate_limited 429")
    clock.advance(10)
    entry = next(e for e in router.explain("gpt").entries if e.key == "oa/gpt-5.5")
    assert not entry.eligible and entry.reason == "cooling down for 20.0s more (rate_limited 429)"
    clock.advance(21)
    assert all(e.eligible for e in router.explain("gpt").entries)
