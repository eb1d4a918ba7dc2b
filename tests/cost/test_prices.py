"""Prices, pure: every route's cost is genai-prices' own answer for that cloud and region (computed through its API
here, so a data update does not break the tests), a few figures checked by hand against the version in the lock,
the config's overrides, unknown prices, usage that does not add up, dated prices, and no network ever."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import genai_prices
import pytest
from genai_prices import Usage as GenaiUsage
from genai_prices import calc_price
from hypothesis import given, settings
from hypothesis import strategies as st

from modelroute import Request
from modelroute._cost import Cost, format_amount, total_cost
from modelroute._types import Message, TextPart, Usage
from modelroute.config import load_config
from modelroute.observability.cost import DEFAULT_OUTPUT_BOUND, NoPrice, PriceCard, Pricer, estimate_input_tokens

from ._routes import GPT_ON_AZURE, PROVIDERS, ROUTES, S45, genai_usage

ROOT = Path(__file__).resolve().parents[2]
MODELS = {"gpt": GPT_ON_AZURE, "any": {"targets": ["openai:gpt-5"]}}
ROUTES = [*ROUTES, ("azure-gpt", "gpt5-prod", "azure", "gpt-5", Decimal(1))]


def pricer(prices: list[dict[str, Any]] | None = None, **options: Any) -> Pricer:
    raw = {"providers": PROVIDERS, "models": MODELS, "prices": prices or []}
    return Pricer(load_config(raw, env={}), **options)


@st.composite
def usages(draw: st.DrawFn) -> Usage:
    prompt = draw(st.sampled_from([0, 1, 999, 100_000, 200_000, 200_001, 272_001, 1_000_000]) | st.integers(0, 2**20))
    cache_read = draw(st.integers(0, prompt))
    cache_write = draw(st.integers(0, prompt - cache_read))
    output = draw(st.integers(0, 200_000))
    return Usage(
        input_tokens=prompt,
        output_tokens=output,
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
        reasoning_tokens=draw(st.integers(0, output)),
    )


PRICER = pricer()


@pytest.mark.parametrize(("entry", "model", "provider_id", "ref", "premium"), ROUTES)
@settings(max_examples=40, deadline=None)
@given(usage=usages())
def test_each_route_costs_what_genai_prices_says(
    entry: str, model: str, provider_id: str, ref: str, premium: Decimal, usage: Usage
) -> None:
    cost = PRICER.card(entry, model).cost(usage)
    theirs = calc_price(genai_usage(usage), ref, provider_id=provider_id)
    assert cost.amount == theirs.total_price * premium
    assert sum(cost.components.values()) == cost.amount
    assert cost.currency == "USD" and cost.source == f"genai-prices {genai_prices.__version__}: {provider_id}/" + (
        theirs.model.id
    )
    inputs = ("input", "cache_read", "cache_write")
    assert sum(v for k, v in cost.components.items() if k in inputs) == theirs.input_price * premium


def test_region_rules_are_noted() -> None:
    notes = {(e, m): PRICER.card(e, m).notes for e, m, *_ in ROUTES}
    assert "Google's 10% regional premium" in notes["vertex-us", "claude-sonnet-4-5@20250929"][0]
    assert notes["vertex-global", "claude-sonnet-4-5@20250929"] == ()
    assert notes["vertex-us", "claude-3-5-haiku@20241022"] == ()
    assert "Data Zone and Regional deployments" in notes["foundry", "claude-sonnet-4-5"][0]
    assert "Anthropic's list prices" in notes["claude-aws", "claude-opus-4-7"][0]
    assert "eu-west-1 may differ" in notes["bedrock-eu", f"eu.{S45}"][0]
    assert notes["bedrock-us", f"global.{S45}"] == ()


def test_hand_checked_figures_of_the_locked_data_version() -> None:
    """Figures read off genai-prices' bundled data by hand, for the version requirements.lock pins: a new data
    version fails here first (.ci/latest), and the figures are rechecked before the lock moves."""
    locked = next(
        line.split("==")[1].strip()
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if line.startswith("genai-prices==")
    )
    assert genai_prices.__version__ == locked
    u = Usage(input_tokens=10_000, output_tokens=2_000, cache_read_tokens=4_000)
    # Bedrock us. profile, Claude Sonnet 4.5: the regional row, $3.30 / $16.50 / $0.33 cache read per million
    assert PRICER.card("bedrock-us", f"us.{S45}").cost(u).amount == Decimal("0.0198") + Decimal("0.033") + Decimal(
        "0.00132"
    )
    # the global profile: $3 / $15 / $0.30
    assert PRICER.card("bedrock-us", f"global.{S45}").cost(u).amount == Decimal("0.018") + Decimal("0.03") + Decimal(
        "0.0012"
    )
    # Vertex us-east5: the global $3 / $15 / $0.30 plus 10%, so the same as Bedrock's regional row
    assert PRICER.card("vertex-us", "claude-sonnet-4-5@20250929").cost(u).amount == Decimal("0.05412")
    # past 200k prompt tokens Sonnet 4.5 bills every token at the long-context $6 / $22.50 (Anthropic's API)
    big = Usage(input_tokens=200_001, output_tokens=1_000)
    assert PRICER.card("anthropic", "claude-sonnet-4-5-20250929").cost(big).amount == Decimal("1.200006") + Decimal(
        "0.0225"
    )


def test_the_reported_model_prices_an_azure_deployment_the_catalog_does_not_know() -> None:
    p = pricer()
    assert isinstance(p.card("azure-gpt", "my-deployment"), NoPrice)
    card = p.card("azure-gpt", "my-deployment", "gpt-4o-2024-08-06")
    assert isinstance(card, PriceCard) and card.source.endswith("azure/gpt-4o")


def test_reported_model_ids_are_cached_per_target_within_a_bound() -> None:
    p = pricer()
    for i in range(100):  # a hostile server naming a new model on every answer
        p.card("openai", "gpt-5", f"gpt-4o-{i}")
    assert len(p._cards) <= 10
    assert p.card("openai", "gpt-5", "gpt-4o-999").source.endswith("openai/gpt-5")  # past the bound: the config's


def test_an_unknown_model_has_no_cost_and_says_why() -> None:
    cost = PRICER.card("openai", "my-finetune-v3").cost(Usage(input_tokens=10, output_tokens=5))
    assert cost.amount is None and cost.components == {}
    assert "has no openai price for 'my-finetune-v3'" in cost.reason
    assert "set prices: for provider 'openai' model 'my-finetune-v3'" in cost.reason
    assert cost.brief() == "cost unknown" and "cost unknown (" in str(cost)


def test_usage_that_does_not_add_up_has_no_cost() -> None:
    card = PRICER.card("openai", "gpt-5")
    bad = card.cost(Usage(input_tokens=10, output_tokens=5, cache_read_tokens=11))
    assert bad.amount is None and "cache reads and writes exceed the prompt" in bad.reason
    bad = card.cost(Usage(input_tokens=10, output_tokens=5, reasoning_tokens=6))
    assert bad.amount is None and "reasoning exceeds the output" in bad.reason


# --- the config's prices -------------------------------------------------------------------------------------

U = Usage(input_tokens=1_000_000, output_tokens=1_000_000, cache_read_tokens=100_000)


def list_price(ref: str, provider_id: str, usage: Usage = U) -> Decimal:
    return Decimal(calc_price(genai_usage(usage), ref, provider_id=provider_id).total_price)


def test_a_discount_takes_a_share_off_the_list_price() -> None:
    p = pricer([{"cloud": "aws", "discount_percent": 12.5}])
    cost = p.card("bedrock-us", f"us.{S45}").cost(U)
    assert cost.amount == list_price(f"us.{S45}", "aws") * Decimal("0.875")
    assert cost.source.startswith("config prices[0]: 12.5% off genai-prices ")
    assert p.card("openai", "gpt-5").source.startswith("genai-prices ")  # another cloud: the list price


def test_absolute_prices_replace_the_list_and_the_most_specific_rule_wins() -> None:
    p = pricer(
        [
            {"cloud": "aws", "discount_percent": 10},
            {"provider": "bedrock-us", "model": "claude-sonnet-4-5", "input_mtok": 2, "output_mtok": 10},
            {"provider": "bedrock-us", "discount_percent": 50},
            {"model": "anthropic.claude-*", "input_mtok": 99, "output_mtok": 99},
        ]
    )
    # the family name matches the Bedrock id; cache reads are not in the rule: the list's, less no discount
    cost = p.card("bedrock-us", f"us.{S45}").cost(U)
    list_cache = calc_price(GenaiUsage(input_tokens=100_000, cache_read_tokens=100_000), f"us.{S45}", provider_id="aws")
    assert cost.amount == Decimal(2) * Decimal("0.9") + Decimal(10) + list_cache.total_price
    assert cost.source.startswith("config prices[1] over genai-prices")
    assert p.card("bedrock-us", "openai.gpt-oss-120b-1:0").source.startswith("config prices[2]: 50% off")
    # a glob over the model id (provider 2, model 4: the model rule outranks the cloud-wide one)
    assert (
        p.card("bedrock-eu", "anthropic.claude-haiku-4-5-20251001-v1:0").source
        == "config prices[3] over "
        + (p.card("bedrock-eu", "anthropic.claude-haiku-4-5-20251001-v1:0").source.split(" over ", 1)[1])
    )
    assert p.card("bedrock-eu", f"eu.{S45}").source.startswith("config prices[0]: 10% off")  # no glob match


def test_prices_in_another_currency_stand_alone() -> None:
    p = pricer([{"provider": "foundry", "currency": "EUR", "input_mtok": 2.5, "output_mtok": 12}])
    cost = p.card("foundry", "claude-sonnet-4-5").cost(U)
    # no cache price given: cache reads bill at the input price, as the vendors do without one
    assert cost.currency == "EUR" and cost.amount == Decimal("2.5") + Decimal(12)
    assert cost.source == "config prices[0]" and cost.notes == ()
    assert str(cost) == "14.5 EUR"


def test_a_model_without_a_list_price_is_priced_by_a_rule_that_gives_input_and_output() -> None:
    p = pricer([{"provider": "openai", "model": "my-finetune", "input_mtok": 1, "output_mtok": 4}])
    assert p.card("openai", "my-finetune").cost(U).amount == Decimal(5)
    half = pricer([{"provider": "openai", "model": "my-finetune", "input_mtok": 1}]).card("openai", "my-finetune")
    assert isinstance(half, NoPrice) and "gives no output_mtok" in half.reason


def test_without_genai_prices_only_the_configs_prices_are_known(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "genai_prices", None)  # as if not installed
    p = pricer([{"provider": "openai", "model": "gpt-5", "input_mtok": 1, "output_mtok": 4}])
    assert p.card("openai", "gpt-5").cost(U).amount == Decimal(5)
    unknown = p.card("anthropic", "claude-sonnet-4-5-20250929").cost(U)
    assert unknown.amount is None and "pip install 'modelroute[cost]'" in unknown.reason


# --- time, sums, estimates, isolation ---------------------------------------------------------------------------


def test_dated_prices_change_on_their_date_and_the_cache_follows() -> None:
    """genai-prices dates price changes (GPT-5.6 Sol on Bedrock dropped on 2026-08-21); a cached card is
    looked up again once its price's date passes."""
    now = [datetime(2026, 8, 20, 23, 0, tzinfo=UTC).timestamp()]
    p = pricer(clock=lambda: now[0])
    u = Usage(input_tokens=1_000, output_tokens=1_000)
    before = p.card("bedrock-us", "global.openai.gpt-5.6-sol").cost(u).amount
    now[0] = datetime(2026, 8, 21, 0, 30, tzinfo=UTC).timestamp()
    after = p.card("bedrock-us", "global.openai.gpt-5.6-sol").cost(u).amount
    when = datetime(2026, 8, 20, 23, 0, tzinfo=UTC)
    ref, pid = "global.openai.gpt-5.6-sol", "aws"
    assert before == calc_price(genai_usage(u), ref, provider_id=pid, genai_request_timestamp=when).total_price
    assert (
        after
        == calc_price(genai_usage(u), ref, provider_id=pid, genai_request_timestamp=when.replace(day=21)).total_price
    )
    assert before != after


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("0.0000425", "USD", "$0.0000425"),
        ("0.000042567", "USD", "$0.00004257"),
        ("0.01234567", "USD", "$0.01235"),
        ("0.5", "USD", "$0.5"),
        ("1.23456", "USD", "$1.2346"),
        ("1234.567", "EUR", "1234.57 EUR"),
        ("0", "USD", "$0"),
    ],
)
def test_amounts_keep_four_significant_digits(amount: str, currency: str, shown: str) -> None:
    assert format_amount(Decimal(amount), currency) == shown


def test_costs_add_up_and_an_unknown_or_mixed_total_is_unknown() -> None:
    a = Cost(Decimal("0.01"), components={"input": Decimal("0.004"), "output": Decimal("0.006")}, source="x")
    b = Cost(Decimal("0.02"), components={"input": Decimal("0.02")}, source="y", estimated=True, reason="cut")
    total = total_cost([a, None, b])
    assert total is not None and total.amount == Decimal("0.03") and total.estimated
    assert total.components == {"input": Decimal("0.024"), "output": Decimal("0.006")} and total.source == "x; y"
    assert total_cost([None, None]) is None
    unknown = total_cost([a, Cost(None, reason="no price for z")])
    assert unknown is not None and unknown.amount is None and "no price for z" in unknown.reason
    mixed = total_cost([a, Cost(Decimal(1), currency="EUR")])
    assert mixed is not None and mixed.amount is None and "EUR and USD" in mixed.reason


def test_an_estimate_before_sending_uses_the_requests_size_and_its_output_bound() -> None:
    text = "word " * 400  # 2,000 characters: about 500 tokens
    request = Request(model="any", messages=[Message(role="user", content=[TextPart(text=text)])], max_tokens=300)
    prompt = estimate_input_tokens(request)
    assert 500 <= prompt <= 520
    cost = PRICER.estimate(request, "openai", "gpt-5")
    assert cost.estimated and cost.usage == Usage(input_tokens=prompt, output_tokens=300)
    assert cost.amount == PRICER.card("openai", "gpt-5").cost(Usage(input_tokens=prompt, output_tokens=300)).amount
    unbounded = PRICER.estimate(request.model_copy(update={"max_tokens": None}), "openai", "gpt-5")
    assert unbounded.usage is not None and unbounded.usage.output_tokens == DEFAULT_OUTPUT_BOUND
    assert "no max_tokens" in unbounded.reason


def test_costs_never_fetch_prices(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx2
    from genai_prices import update_prices

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("genai-prices tried to fetch prices")

    monkeypatch.setattr(httpx2, "get", no_network)
    p = pricer()
    for entry, model, *_ in ROUTES:
        assert p.card(entry, model).cost(U).amount is not None
    assert update_prices._shared_updater.thread is None


def test_importing_modelroute_does_not_import_genai_prices() -> None:
    code = "import sys, modelroute, modelroute.observability.cost; print('genai_prices' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_an_answer_without_usage_is_estimated_from_the_request_and_the_answer() -> None:
    request = Request(model="any", messages=[Message(role="user", content=[TextPart(text="x" * 400)])])
    cost = PRICER.served("openai", "gpt-5", request, usage=None, reported_model=None, text="y" * 80)
    assert cost.estimated and "reported no token counts" in cost.reason
    assert cost.usage == Usage(input_tokens=estimate_input_tokens(request), output_tokens=20)
    reported = PRICER.served("openai", "gpt-5", request, usage=Usage(input_tokens=7, output_tokens=3),
                             reported_model="gpt-5-2025-08-07", text="")  # fmt: skip
    assert not reported.estimated and reported.usage == Usage(input_tokens=7, output_tokens=3)


def test_a_partial_attempt_takes_the_reported_input_and_the_larger_output() -> None:
    request = Request(model="any", messages=[Message(role="user", content=[TextPart(text="x" * 400)])])
    seen = Usage(input_tokens=900, output_tokens=1)  # message_start's counts
    cut = PRICER.partial("anthropic", "claude-sonnet-4-5-20250929", request, usage=seen, delivered="z" * 40, why="w")
    assert cut.usage == Usage(input_tokens=900, output_tokens=10)
    assert cut.reason == "w: input tokens as reported, output estimated from the delivered text"
    lost = PRICER.partial("anthropic", "claude-sonnet-4-5-20250929", request, usage=None, delivered="", why="gone")
    assert lost.usage == Usage(input_tokens=estimate_input_tokens(request), output_tokens=0)
    assert lost.reason == "gone: input tokens estimated from the request" and lost.estimated


def test_a_hostile_reported_model_id_is_priced_by_the_configured_one_or_cut_short() -> None:
    huge = "gpt-" + "x" * 100_000
    assert PRICER.card("openai", "gpt-5", huge).source.endswith("openai/gpt-5")  # the configured id prices it
    unknown = PRICER.card("openai", "my-finetune-v3", huge)
    assert isinstance(unknown, NoPrice) and len(unknown.reason) < 400 and "my-finetune-v3" in unknown.reason
