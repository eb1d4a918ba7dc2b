"""The failover scenario suite (`modelroute.testing._scenarios`) on the defaults: every scenario passes.

On the defaults a stream broken after text is rescued wherever its caller can take the rescue (prefill for every
caller, restart only for callers that iterate events and see the seam), never spliced for a `Stream.text`
caller; a primary back from an outage of 60 s or more serves again within 10 s of fake time, with at most one
probe per open_s reaching it while it was out (counted on the mock cloud)."""

from __future__ import annotations

import pytest

from modelroute.testing._scenarios import RECOVERY_GOAL_S, ScenarioResult, run_scenarios, scenario_names


@pytest.fixture(scope="module")
def results() -> dict[str, ScenarioResult]:
    return {r.name: r for r in run_scenarios()}


@pytest.mark.parametrize("name", scenario_names())
def test_scenario_passes_on_the_defaults(results: dict[str, ScenarioResult], name: str) -> None:
    r = results[name]
    assert r.verdict == "pass", f"{r.verdict}: {r.detail}"


def test_the_suite_covers_what_the_benchmark_covers() -> None:
    names = scenario_names()
    for family in ("claude", "gpt"):
        for fault in ("cut", "stall", "malformed", "no-end-marker"):
            for where in ("before", "after"):
                for consumer in ("events", "text", "async-events", "async-text"):
                    assert f"{family} {fault} {where} text [{consumer}]" in names
    assert sum("then back" in n for n in names) >= 5 and any("throttled" in n for n in names)


def test_a_primary_back_from_a_long_outage_serves_within_seconds(results: dict[str, ScenarioResult]) -> None:
    outages = [r for r in results.values() if "then back" in r.name]
    worst = max(r.metrics["recovery_s"] for r in outages)
    assert worst <= RECOVERY_GOAL_S
    for r in outages:  # 5 failures open the breaker, then one probe per 5 s at most (60 s: 12)
        assert r.metrics["attempts_while_out"] <= 5 + int(float(r.name.split()[3][:-1]) / 5) + 1, r.detail


def test_the_old_defaults_score_worse() -> None:
    """The suite tells the difference: with `stream_resume: error` and `open_s: 30` (the old defaults), streams
    broken after text end in a clean error and a recovered primary is kept out for up to 30 s."""
    old = run_scenarios(
        overrides={"stream_resume": "error", "breaker": {"open_s": 30}},
        names=lambda n: n.startswith(("claude cut after", "gpt cut after text [events]", "primary out for 63s")),
    )
    verdicts = {r.name: r.verdict for r in old}
    assert verdicts["claude cut after text [text]"] == "safe"
    assert verdicts["gpt cut after text [events]"] == "safe"
    assert verdicts["primary out for 63s (refused), then back"] == "fail"
