"""Costs through the mock cloud: a call on each route costs what genai-prices says for that cloud and region (the
usage the mock reported, priced through genai-prices' own API), overrides apply, failed attempts a vendor bills
(a stream cut after tokens, a cancelled hedge, a refused answer) are in the trace with their cost and marked, the
call's cost is their sum, errors that end a call carry it, and an unknown model's cost is None with a reason."""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from modelroute import AllTargetsFailed, ContentFilteredError, Router, StreamInterrupted
from modelroute._types import Response
from modelroute.observability import trace_table
from modelroute.testing import FakeClock, Fault, MockCloud, router_on_mock_cloud

from ._routes import GPT_ON_AZURE, PROVIDERS, ROUTES, genai_cost

CONFIG: dict[str, Any] = {
    "providers": PROVIDERS,
    "models": {
        "gpt": GPT_ON_AZURE,
        "claude": {
            "targets": ["anthropic:claude-sonnet-4-5-20250929", "anthropic-2:claude-sonnet-4-5-20250929"],
            "stream_resume": "continue",
        },
        "claude-hedged": {
            "targets": ["anthropic:claude-sonnet-4-5-20250929", "anthropic-2:claude-haiku-4-5-20251001"],
            "hedge": {"after_s": 0.05, "max_share": 1.0},
        },
        "claude-stop": {"targets": ["anthropic:claude-sonnet-4-5-20250929"], "stream_resume": "error"},
        "filtered": {"targets": ["foundry:claude-sonnet-4-5"]},
        "mystery": {"targets": ["openai:my-finetune-v3"]},
    },
    "defaults": {"deadline_s": 20, "first_byte_timeout_s": 2.0, "breaker": {"enabled": False}},
}
for i, (entry, model, *_) in enumerate(ROUTES):
    CONFIG["models"][f"route-{i}"] = {"targets": [{"provider": entry, "model": model}]}
HI = [{"role": "user", "content": "Hello there, how much does this cost?"}]


@pytest.fixture(scope="module")
def cloud() -> Iterator[MockCloud]:
    with MockCloud() as mock:
        yield mock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def router(cloud: MockCloud, clock: FakeClock) -> Iterator[Router]:
    """A router on the mock cloud with the fake clock: no real wait, deterministic jitter."""
    cloud.reset()
    with router_on_mock_cloud(
        cloud, CONFIG, clock=clock, sleep=clock.sleep, async_sleep=clock.async_sleep, rng=random.Random(0)
    ) as r:
        yield r


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(("entry", "model", "provider_id", "ref", "premium"), ROUTES)
def test_a_call_on_each_route_costs_what_genai_prices_says(
    router: Router, stream: bool, entry: str, model: str, provider_id: str, ref: str, premium: Decimal
) -> None:
    alias = f"route-{[r[:2] for r in ROUTES].index((entry, model))}"
    if stream:
        with router.stream(alias, HI) as s:
            assert "".join(s.text())
            r = s.response
    else:
        r = router.complete(alias, HI)
    assert r.usage is not None and r.usage.input_tokens > 0 and r.usage.output_tokens > 0
    cost = r.cost
    assert cost is not None and cost.amount == genai_cost(r.usage, ref, provider_id) * premium
    assert not cost.estimated and cost.currency == "USD" and cost.source.startswith("genai-prices ")
    assert r.trace[-1].cost == cost and r.trace[-1].describe().endswith(f" ok in 0 ms, {cost.brief()}")
    assert cost.brief().startswith("$0.0")


def test_an_azure_deployment_is_priced_by_its_family(router: Router) -> None:
    r = router.complete("gpt", HI)
    assert r.cost is not None and r.cost.amount == genai_cost(r.usage, "gpt-5", "azure")
    assert "Data Zone and Regional deployments may cost more" in r.cost.notes[0]


def test_overrides_apply_through_the_router(cloud: MockCloud, clock: FakeClock) -> None:
    prices = [{"provider": "anthropic", "discount_percent": 20}, {"cloud": "aws", "input_mtok": 1, "output_mtok": 2}]
    cloud.reset()
    router = router_on_mock_cloud(cloud, {**CONFIG, "prices": prices}, clock=clock, sleep=clock.sleep)
    with router:
        a = router.complete("claude", HI)
        b = router.complete(f"route-{[r[0] for r in ROUTES].index('bedrock-us')}", HI)
    assert a.cost is not None and a.usage is not None
    assert a.cost.amount == genai_cost(a.usage, "claude-sonnet-4-5-20250929", "anthropic") * Decimal("0.8")
    assert a.cost.source.startswith("config prices[0]: 20% off genai-prices")
    assert b.cost is not None and b.usage is not None
    assert b.cost.amount == (Decimal(b.usage.input_tokens) + 2 * b.usage.output_tokens) / 1_000_000
    assert b.cost.source.startswith("config prices[1] over genai-prices")  # cache prices still the list's


def test_an_unknown_models_cost_is_none_with_a_reason(router: Router) -> None:
    r = router.complete("mystery", HI)
    assert r.cost is not None and r.cost.amount is None
    assert "no openai price for 'my-finetune-v3'" in r.cost.reason
    assert "cost unknown" in r.trace[-1].describe() and "total cost unknown" in trace_table(r.trace)


def test_a_failover_bills_only_what_was_billed(router: Router, cloud: MockCloud) -> None:
    cloud.set_default("anthropic", Fault.overloaded())
    r = router.complete("claude", HI)
    first, served = r.trace
    assert first.cost is None and "billed" not in first.describe()  # a 529 bills nothing
    assert served.cost is not None and r.cost == served.cost


def test_a_stream_cut_after_text_is_billed_marked_and_summed(router: Router, cloud: MockCloud) -> None:
    cloud.set_default("anthropic", Fault.stream_cut(after_events=4))  # message_start (usage), text, then cut
    with router.stream("claude", HI) as s:
        text = "".join(s.text())
        r = s.response
    assert isinstance(r, Response) and text
    cut, served = r.trace
    assert cut.outcome == "error" and cut.cost is not None and cut.cost.estimated and cut.cost.amount
    assert cut.cost.usage is not None and cut.cost.usage.input_tokens > 0  # as message_start reported it
    assert "the stream broke after" in cut.cost.reason and "input tokens as reported" in cut.cost.reason
    assert "[billed $" in cut.describe() and "estimated]" in cut.describe()
    assert served.cost is not None and served.cost.amount is not None
    assert r.cost is not None and r.cost.amount == cut.cost.amount + served.cost.amount and r.cost.estimated
    assert "billed $" in trace_table(r.trace).splitlines()[1]


def test_a_broken_stream_that_ends_the_call_carries_its_cost(router: Router, cloud: MockCloud) -> None:
    cloud.set_default("anthropic", Fault.stream_cut(after_events=4))
    with pytest.raises(StreamInterrupted) as info, router.stream("claude-stop", HI) as s:
        "".join(s.text())
    cost = info.value.cost
    assert cost is not None and cost.amount and cost.estimated
    assert info.value.trace[-1].cost == cost


def test_every_target_failing_after_usage_arrived_leaves_the_spend_on_the_error(
    router: Router, cloud: MockCloud
) -> None:
    for name in ("anthropic", "anthropic-2"):  # message_start (with the input tokens), then the connection drops
        cloud.set_default(name, Fault.stream_cut(after_events=1))
    with pytest.raises(AllTargetsFailed) as info, router.stream("claude", HI) as s:
        "".join(s.text())
    err = info.value
    assert [a.cost is not None for a in err.trace] == [True, True]
    assert err.cost is not None and err.cost.amount == sum(a.cost.amount for a in err.trace if a.cost and a.cost.amount)
    assert f"spent {err.cost.brief()} on the attempts above" in str(err)


def test_a_refused_answer_is_billed(router: Router, cloud: MockCloud) -> None:
    cloud.set_default("foundry", Fault.content_filter(on="completion"))  # Claude's stop_reason: refusal, with usage
    with pytest.raises(ContentFilteredError) as info:
        router.complete("filtered", HI)
    line = info.value.trace[-1]
    assert line.cost is not None and line.cost.amount and not line.cost.estimated
    assert info.value.cost == line.cost and "[billed $" in line.describe()


@pytest.mark.anyio
async def test_a_cancelled_hedge_loser_is_billed_for_its_input(router: Router, cloud: MockCloud) -> None:
    cloud.set_default("anthropic", Fault.hang())
    try:
        r = await router.acomplete("claude-hedged", HI)
    finally:
        await router.aclose()
    winner, loser = r.trace
    assert (winner.provider, loser.provider, loser.outcome) == ("anthropic-2", "anthropic", "cancelled")
    assert loser.cost is not None and loser.cost.estimated and loser.cost.amount
    assert loser.cost.usage is not None and loser.cost.usage.output_tokens == 0
    assert "cancelled in a hedge race" in loser.cost.reason and "input tokens estimated" in loser.cost.reason
    assert winner.cost is not None and winner.cost.amount is not None
    assert r.cost is not None and r.cost.amount == winner.cost.amount + loser.cost.amount
    assert "[billed $" in loser.describe()


def test_the_readme_cost_example_runs(capsys: pytest.CaptureFixture[str], no_machine_credentials: None) -> None:
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## What a call costs")[1].split("\n## ")[0]
    (block,) = re.findall(r"```python\n(.*?)```", section, re.S)
    exec(compile(block, "README.md: What a call costs", "exec"), {})
    out = capsys.readouterr().out
    assert "USD {'input':" in out and "config prices[0]: 15% off genai-prices" in out
    assert "[billed $" in out and "estimated]" in out
