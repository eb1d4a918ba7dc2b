"""The config's ``prices:`` section: negotiated prices and discounts that replace genai-prices' list prices.

```yaml
prices:
  - cloud: azure                  # every Azure entry: 12% off the list price
    discount_percent: 12
  - provider: bedrock-eu          # this entry, this model: our contract's prices per million tokens
    model: claude-sonnet-4-5      # a model id, a catalog family, or a glob (anthropic.claude-*)
    input_mtok: 2.70
    output_mtok: 13.50
  - provider: azure-eu
    currency: EUR                 # prices in another currency: input_mtok and output_mtok are required
    input_mtok: 2.30
    output_mtok: 9.20
```

For each target the most specific rule applies (a ``provider`` counts most, then ``model``, then ``cloud``; a
tie goes to the rule written first); rules never stack. Prices a rule gives replace the list's; in USD, the
components it leaves out come from genai-prices, less its ``discount_percent``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..exceptions import ConfigError

if TYPE_CHECKING:
    from ._spec import ConfigSpec

__all__ = ["PRICE_FIELDS", "PriceRuleSpec", "check_prices"]

PerMillion = Annotated[float, Field(strict=True, ge=0, le=100_000, allow_inf_nan=False)]

#: rule field -> the cost component it prices
PRICE_FIELDS = {
    "input_mtok": "input",
    "output_mtok": "output",
    "cache_read_mtok": "cache_read",
    "cache_write_mtok": "cache_write",
    "reasoning_mtok": "reasoning",
}


class PriceRuleSpec(BaseModel):
    """Prices for the targets a rule matches (every match field it sets must match; none set: every target).

    Prices are per million tokens. ``cache_read_mtok`` / ``cache_write_mtok`` left out (and not in the list
    either) bill those tokens at the input price; ``reasoning_mtok`` left out bills reasoning at the output price.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: str | None = Field(None, min_length=1, description="A provider entry's name.")
    cloud: Literal["openai", "anthropic", "azure", "aws", "gcp"] | None = Field(
        None, description="Every entry on this cloud (the kinds' clouds: azure, aws, gcp, openai, anthropic)."
    )
    model: str | None = Field(
        None,
        min_length=1,
        description="A model id as the target names it, a catalog family (`claude-sonnet-4-5`: its id on every "
        "cloud), or a glob over either (`anthropic.claude-*`).",
    )
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$", description="An ISO 4217 code; costs are in it.")
    discount_percent: float = Field(
        0.0,
        ge=0,
        lt=100,
        strict=True,
        allow_inf_nan=False,
        description="Taken off genai-prices' list price (USD only; prices the rule gives are used as written).",
    )
    input_mtok: PerMillion | None = Field(None, description="Uncached input, per million tokens.")
    output_mtok: PerMillion | None = Field(None, description="Output, per million tokens.")
    cache_read_mtok: PerMillion | None = Field(None, description="Prompt-cache reads, per million tokens.")
    cache_write_mtok: PerMillion | None = Field(None, description="Prompt-cache writes, per million tokens.")
    reasoning_mtok: PerMillion | None = Field(None, description="Reasoning output, per million tokens.")

    @model_validator(mode="after")
    def _complete(self) -> PriceRuleSpec:
        if self.currency != "USD":
            if self.input_mtok is None or self.output_mtok is None:
                raise ValueError(
                    f"prices in {self.currency} need input_mtok and output_mtok (genai-prices' list is in USD, "
                    "so nothing can be filled in from it)"
                )
            if self.discount_percent:
                raise ValueError("discount_percent applies to genai-prices' USD list; in another currency give "
                                 "the prices themselves")  # fmt: skip
        if not self.discount_percent and not any(getattr(self, f) is not None for f in PRICE_FIELDS):
            raise ValueError("a price rule needs a discount_percent or at least one price (input_mtok, output_mtok, "
                             "cache_read_mtok, cache_write_mtok, reasoning_mtok)")  # fmt: skip
        return self

    @property
    def specificity(self) -> int:
        return 4 * (self.provider is not None) + 2 * (self.model is not None) + (self.cloud is not None)

    def given(self) -> dict[str, float]:
        """The prices this rule sets, by cost component."""
        return {comp: v for f, comp in PRICE_FIELDS.items() if (v := getattr(self, f)) is not None}


def check_prices(spec: ConfigSpec) -> None:
    """Every rule's ``provider`` names a provider entry, on the rule's ``cloud`` when it sets both."""
    from ._checks import known

    for i, rule in enumerate(spec.prices):
        if rule.provider is None:
            continue
        entry = spec.providers.get(rule.provider)
        if entry is None:
            raise ConfigError(f"prices[{i}].provider", f"unknown provider '{rule.provider}'",
                              known("Known providers", spec.providers, rule.provider))  # fmt: skip
        if rule.cloud is not None and type(entry).cloud != rule.cloud:
            raise ConfigError(f"prices[{i}].cloud", f"provider '{rule.provider}' is on {type(entry).cloud}, not "
                              f"{rule.cloud}, so this rule matches nothing", "Remove cloud, or fix it")  # fmt: skip
