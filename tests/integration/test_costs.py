"""Costs through the mock cloud: a call on each route costs what genai-prices says for that cloud and region (the
usage the mock reported, priced through genai-prices' own API), overrides apply, failed attempts a vendor bills
(a stream cut after tokens, a cancelled hedge, a refused answer) are in the trace with their cost and marked, the
call's cost is their sum, errors that end a call carry it, and an unknown model's cost is None with a reason."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from genai_prices import Usage as GenaiUsage
from genai_prices import calc_price

from modelroute import AllTargetsFailed, ContentFilteredError, Router, StreamInterrupted
from modelroute._types import Response, Usage
from modelroute.observability import trace_table
from modelroute.testing import FakeClock, Fault, MockCloud, router_on_mock_cloud

AWS = {"api_key": "${AWS_BEARER_TOKEN_BEDROCK}"}
S45 = "anthropic.claude-sonnet-4-5-20250929-v1:0"
CONFIG: dict[str, Any] = {
    "providers": {
        "openai": {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
        "anthropic": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "anthropic-2": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "claude-aws": {"kind": "anthropic_aws", "region": "us-east-1", "workspace_id": "wrkspc_1", **AWS},
        "azure-gpt": {"kind": "azure_openai", "resource": "contoso", "api_key": "${AZURE_KEY}", "region": "eastus2"},
        "foundry": {"kind": "azure_foundry", "resource": "contoso", "api_key": "${AZURE_KEY}"},
        "vertex-global": {"kind": "vertex", "project": "p", "region": "global", "access_token": "${GTOKEN}"},
        "vertex-us": {"kind": "vertex", "project": "p", "region": "us-east5", "access_token": "${GTOKEN}"},
        "bedrock-us": {"kind": "bedrock", "region": "us-east-1", **AWS},
        "bedrock-gpt": {"kind": "bedrock", "region": "us-west-2", "dialect": "openai", **AWS},
        "mantle": {"kind": "bedrock_mantle", "region": "us-east-1", **AWS},
    },
    "models": {
        "gpt": {"family": "gpt-5", "providers": ["azure-gpt"], "deployments": {"azure-gpt": "gpt5-prod"}},
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
#: (entry, model id, genai-prices provider, the id its row is found by, premium over that row)
ROUTES = [
    ("openai", "gpt-5", "openai", "gpt-5", 1),
    ("anthropic", "claude-sonnet-4-5-20250929", "anthropic", "claude-sonnet-4-5-20250929", 1),
    ("claude-aws", "claude-opus-4-7", "anthropic", "claude-opus-4-7", 1),
    ("foundry", "claude-sonnet-4-5", "azure", "claude-sonnet-4-5", 1),
    ("vertex-global", "claude-sonnet-4-5@20250929", "google", "claude-sonnet-4-5@20250929", 1),
    ("vertex-us", "claude-sonnet-4-5@20250929", "google", "claude-sonnet-4-5@20250929", Decimal("1.1")),
    ("bedrock-us", S45, "aws", S45, 1),
    ("bedrock-us", f"us.{S45}", "aws", f"us.{S45}", 1),
    ("bedrock-us", f"global.{S45}", "aws", f"global.{S45}", 1),
    ("bedrock-gpt", "openai.gpt-oss-120b-1:0", "aws", "openai.gpt-oss-120b-1:0", 1),
    ("mantle", "anthropic.claude-haiku-4-5", "aws", "anthropic.claude-haiku-4-5-20251001-v1:0", 1),
]
for i, (entry, model, *_) in enumerate(ROUTES):
    CONFIG["models"][f"route-{i}"] = {"targets": [{"provider": entry, "model": model}]}
HI = [{"role": "user", "content": "Hello there, how much does this cost?"}]
ROUTER_OPTIONS: dict[str, Any] = {}


def genai_cost(usage: Usage | None, ref: str, provider_id: str) -> Decimal:
    assert usage is not None
    u = GenaiUsage(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cache_read_tokens,
        cache_write_tokens=usage.cache_write_tokens,
        output_reasoning_tokens=usage.reasoning_tokens,
    )
    return Decimal(calc_price(u, ref, provider_id=provider_id).total_price)


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
