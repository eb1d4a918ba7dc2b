"""Prices and costs: what an attempt at a target costs, from its token counts.

A target's prices are a `PriceCard` (per million tokens, tiered by prompt size where the vendor tiers them, in
one currency), found once per target and cached: from genai-prices' data for the target's cloud and region
(`modelroute.observability._genai` says how each kind and region maps to its rows), with the config's
``prices:`` rules on top (negotiated prices, discounts, another currency). A target without a price has a
`NoPrice` with the reason instead, and its costs are ``None`` with that reason, never a silent zero.

The pure pieces other code builds on:

- ``card.cost(usage)`` -> `Cost`: the amount, broken down by `COMPONENTS`.
- `estimate_input_tokens` (a request's prompt, from its size) and `estimate_text_tokens` (delivered text): rough
  counts (about four characters a token, a fixed allowance per image), for what no provider reported.
- `Pricer.estimate(request, provider, model)`: the cost of a request before it is sent, with ``max_tokens`` (or
  `DEFAULT_OUTPUT_BOUND`) as the output: what budgets and the price ordering read.
"""

from __future__ import annotations

import fnmatch
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .._cost import COMPONENTS, Cost
from .._types import ImagePart, Request, TextPart, ToolCallPart, ToolResultPart, Usage
from ._genai import Found, GenaiPrices, NotInstalled

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..config import Config, ConfigSpec
    from ..config._prices import PriceRuleSpec

__all__ = [
    "COMPONENTS",
    "DEFAULT_OUTPUT_BOUND",
    "IMAGE_TOKENS",
    "Cost",
    "NoPrice",
    "PriceCard",
    "Pricer",
    "Tiered",
    "estimate_input_tokens",
    "estimate_text_tokens",
]

MILLION = Decimal(1_000_000)
#: the output bound of an estimate for a request without ``max_tokens`` (what the Anthropic routes ask for then)
DEFAULT_OUTPUT_BOUND = 4096
#: the prompt tokens an estimate counts per image (about Claude's count for a 1.15-megapixel image, above OpenAI's
#: high-detail count for a 1024x1024 one): an estimate errs high
IMAGE_TOKENS = 1600
_CHARS_PER_TOKEN = 4
_PER_MESSAGE = 4  # role markers and separators the vendors add per turn
_REPORTED_PER_TARGET = 8  # distinct reported model ids cached per target (a hostile server cannot grow the cache)


@dataclass(frozen=True, slots=True)
class Tiered:
    """A price that depends on the prompt's size: ``base`` until a tier's ``start`` (prompt tokens) is exceeded,
    then that tier's price for every token of the kind (the vendors' "cliff" tiers)."""

    base: Decimal
    tiers: tuple[tuple[int, Decimal], ...]

    def at(self, prompt_tokens: int) -> Decimal:
        for start, price in reversed(self.tiers):
            if prompt_tokens > start:
                return price
        return self.base

    def scaled(self, factor: Decimal) -> Tiered:
        return Tiered(self.base * factor, tuple((s, p * factor) for s, p in self.tiers))


Rate = Decimal | Tiered | None


def _at(rate: Decimal | Tiered, prompt_tokens: int) -> Decimal:
    return rate.at(prompt_tokens) if isinstance(rate, Tiered) else rate


def _scaled(rate: Rate, factor: Decimal) -> Rate:
    if rate is None or factor == 1:
        return rate
    return rate.scaled(factor) if isinstance(rate, Tiered) else rate * factor


@dataclass(frozen=True, slots=True)
class PriceCard:
    """A target's prices per million tokens (``request``: per request). A cache price left None bills those
    tokens at the input price, a reasoning price left None bills reasoning at the output price, as the vendors
    (and genai-prices) do."""

    input: Decimal | Tiered
    output: Decimal | Tiered
    cache_read: Rate = None
    cache_write: Rate = None
    reasoning: Rate = None
    request: Decimal | None = None
    currency: str = "USD"
    source: str = ""
    notes: tuple[str, ...] = ()

    def rate(self, component: str) -> Rate:
        return {"input": self.input, "output": self.output, "cache_read": self.cache_read,
                "cache_write": self.cache_write, "reasoning": self.reasoning}.get(component)  # fmt: skip

    def cost(self, usage: Usage, *, estimated: bool = False, reason: str = "") -> Cost:
        """What ``usage`` costs at these prices. Usage that does not add up (more cache tokens than prompt
        tokens, more reasoning than output) has no cost: its ``reason`` says which count is off."""
        prompt, out = usage.input_tokens, usage.output_tokens
        cr, cw, rs = usage.cache_read_tokens, usage.cache_write_tokens, usage.reasoning_tokens
        if cr + cw > prompt or rs > out:
            what = "cache reads and writes exceed the prompt" if rs <= out else "reasoning exceeds the output"
            return Cost(None, self.currency, source=self.source, reason=f"the usage does not add up ({what})",
                        estimated=estimated, notes=self.notes, usage=usage)  # fmt: skip
        inp = _at(self.input, prompt)
        outp = _at(self.output, prompt)
        parts: dict[str, Decimal] = {"input": (prompt - cr - cw) * inp / MILLION}
        if cr:
            parts["cache_read"] = cr * (inp if self.cache_read is None else _at(self.cache_read, prompt)) / MILLION
        if cw:
            parts["cache_write"] = cw * (inp if self.cache_write is None else _at(self.cache_write, prompt)) / MILLION
        parts["output"] = (out - rs) * outp / MILLION
        if rs:
            parts["reasoning"] = rs * (outp if self.reasoning is None else _at(self.reasoning, prompt)) / MILLION
        if self.request is not None:
            parts["requests"] = self.request
        amount = sum(parts.values(), Decimal(0))
        return Cost(amount, self.currency, parts, self.source, reason, estimated, self.notes, usage)


@dataclass(frozen=True, slots=True)
class NoPrice:
    """A target without a known price: every cost there is unknown, for ``reason``."""

    reason: str
    currency: str = "USD"
    source: str = ""
    notes: tuple[str, ...] = ()

    def cost(self, usage: Usage, *, estimated: bool = False, reason: str = "") -> Cost:
        why = f"{self.reason}; {reason}" if reason else self.reason
        return Cost(None, self.currency, source=self.source, reason=why, estimated=estimated, notes=self.notes,
                    usage=usage)  # fmt: skip


# --- token estimates -------------------------------------------------------------------------------------------


def estimate_text_tokens(text: str) -> int:
    """About four characters a token, rounded up."""
    return -(-len(text) // _CHARS_PER_TOKEN)


def estimate_input_tokens(request: Request) -> int:
    """The prompt tokens of ``request``, estimated from its size: its text (system, messages, tool calls and
    results, tool definitions) at about four characters a token, `IMAGE_TOKENS` per image, and a few tokens per
    turn. Rough by design (the vendors' tokenizers differ): budgets reserve on it and usage corrects it."""
    chars = len(request.system or "")
    images = 0
    for message in request.messages:
        for part in message.content:
            if isinstance(part, TextPart):
                chars += len(part.text)
            elif isinstance(part, ImagePart):
                images += 1
            elif isinstance(part, ToolCallPart):
                chars += len(part.name) + len(json.dumps(part.arguments))
            elif isinstance(part, ToolResultPart):
                if isinstance(part.content, str):
                    chars += len(part.content)
                else:
                    for item in part.content:
                        if isinstance(item, TextPart):
                            chars += len(item.text)
                        else:
                            images += 1
    for tool in request.tools:
        chars += len(tool.name) + len(tool.description) + len(json.dumps(tool.parameters))
    return -(-chars // _CHARS_PER_TOKEN) + _PER_MESSAGE * (len(request.messages) + 1) + IMAGE_TOKENS * images


# --- the pricer ------------------------------------------------------------------------------------------------


class Pricer:
    """Every target's `PriceCard` (or `NoPrice`), found on first use and cached, and the costs the router
    records per attempt (it is the router's `CostView`).

    ``snapshot`` is a genai-prices ``DataSnapshot`` to use instead of the bundled data (for instance one you
    fetched yourself with ``genai_prices.UpdatePrices().fetch()``); ``clock`` is wall-clock time (epoch seconds),
    which picks the prices in force (genai-prices dates its price changes)."""

    def __init__(self, config: Config, *, snapshot: Any = None, clock: Callable[[], float] = time.time) -> None:
        self._spec: ConfigSpec = config.spec
        self._catalog: Catalog = config.catalog
        self._rules: tuple[PriceRuleSpec, ...] = tuple(getattr(self._spec, "prices", ()))
        self._genai = GenaiPrices(snapshot)
        self._clock = clock
        self._cards: dict[tuple[str, str, str | None], tuple[PriceCard | NoPrice, float]] = {}
        self._reported: dict[tuple[str, str], int] = {}
        self._deployed: dict[tuple[str, str], str] = {
            (p, d): a.family for a in self._spec.models.values() if a.family for p, d in a.deployments.items()
        }
        self._lock = threading.Lock()

    # --- what the router records (CostView) ---------------------------------------------------------------

    def served(
        self, provider: str, model: str, request: Request, *, usage: Usage | None, reported_model: str | None, text: str
    ) -> Cost:
        card = self.card(provider, model, reported_model)
        if usage is not None:
            return card.cost(usage)
        guess = Usage(input_tokens=estimate_input_tokens(request), output_tokens=estimate_text_tokens(text))
        why = "the provider reported no token counts: estimated from the request and the answer's length"
        return card.cost(guess, estimated=True, reason=why)

    def partial(
        self, provider: str, model: str, request: Request, *, usage: Usage | None, delivered: str, why: str = ""
    ) -> Cost:
        card = self.card(provider, model)
        out = estimate_text_tokens(delivered)
        if usage is not None and usage.input_tokens:
            guess = usage.model_copy(update={"output_tokens": max(usage.output_tokens, out)})
            how = "input tokens as reported" + (", output estimated from the delivered text" if delivered else "")
        else:
            guess = Usage(input_tokens=estimate_input_tokens(request), output_tokens=out)
            how = "input tokens estimated from the request" + (", output from the delivered text" if delivered else "")
        return card.cost(guess, estimated=True, reason=f"{why}: {how}" if why else how)

    # --- the public API ---------------------------------------------------------------------------------------

    def estimate(self, request: Request, provider: str, model: str, *, input_tokens: int | None = None) -> Cost:
        """What ``request`` would cost at the target ``provider``/``model``, before sending it: the prompt
        estimated from its size (or ``input_tokens``, to estimate once for many targets), ``max_tokens`` (else
        `DEFAULT_OUTPUT_BOUND`) as the output. Pure apart from the price look-up, which is cached."""
        prompt = estimate_input_tokens(request) if input_tokens is None else input_tokens
        bound = request.max_tokens or DEFAULT_OUTPUT_BOUND
        how = "max_tokens" if request.max_tokens else f"no max_tokens: {DEFAULT_OUTPUT_BOUND}"
        why = f"estimate before sending: the prompt from the request's size, the output bound ({how})"
        return self.card(provider, model).cost(Usage(input_tokens=prompt, output_tokens=bound), estimated=True,
                                               reason=why)  # fmt: skip

    def card(self, provider: str, model: str, reported_model: str | None = None) -> PriceCard | NoPrice:
        """The prices of ``provider``/``model`` (as priced for an answer naming ``reported_model``), cached until
        the price list dates a change."""
        key = (provider, model, reported_model)
        held = self._cards.get(key)
        now = self._clock()
        if held is not None and now < held[1]:
            return held[0]
        if (
            reported_model is not None
            and held is None
            and self._reported.get((provider, model), 0) >= _REPORTED_PER_TARGET
        ):
            return self.card(provider, model)
        with self._lock:
            card, until = self._resolve(provider, model, reported_model, now)
            if held is None and reported_model is not None:
                self._reported[(provider, model)] = self._reported.get((provider, model), 0) + 1
            self._cards[key] = (card, until)
        return card

    # --- resolution -------------------------------------------------------------------------------------------

    def _resolve(
        self, provider: str, model: str, reported: str | None, now: float
    ) -> tuple[PriceCard | NoPrice, float]:
        spec = self._spec.providers[provider]
        kind, cloud, region = spec.kind, type(spec).cloud, spec.region
        family = self._family(provider, model)
        ruled = self._rule(provider, cloud, model, family)
        base: PriceCard | str
        until = float("inf")
        if ruled is not None and ruled[1].currency != "USD":
            base = "not looked up (the rule's prices are in another currency)"
        else:
            try:
                found = self._genai.find(kind, region, self._refs(kind, model, reported, family), now)
            except NotInstalled as e:
                found = str(e)
            if isinstance(found, Found):
                until = found.until
                base = self._genai.card(found, kind, region)
            else:
                base = found
        if kind == "openai" and spec.base_url and isinstance(base, PriceCard):
            note = "base_url is not OpenAI's API: priced at OpenAI's list price"
            base = _with(base, notes=(*base.notes, note))
        if ruled is None:
            if isinstance(base, PriceCard):
                return base, until
            return NoPrice(f"{base}; set prices: for provider '{provider}' model '{model}' in the config"), until
        return _apply(ruled[0], ruled[1], base), until

    def _family(self, provider: str, model: str) -> str | None:
        found = self._catalog.lookup(model)
        return found[0] if found is not None else self._deployed.get((provider, model))

    def _refs(self, kind: str, model: str, reported: str | None, family: str | None) -> list[str]:
        """The model ids to look prices up by, best first: the id the cloud bills by."""
        ids = self._catalog.family(family).ids if family is not None and family in self._catalog else {}
        vendor = [ids[s] for s in ("anthropic", "openai") if s in ids] + ([family] if family else [])
        if kind in ("bedrock", "bedrock_mantle"):  # the configured id names the inference profile
            return [model, *([ids["bedrock"]] if "bedrock" in ids else []), *([reported] if reported else [])]
        if kind == "vertex":
            return [model, *([reported] if reported else []), *vendor]
        return [*([reported] if reported else []), model, *vendor]  # Azure deployments are the user's names

    def _rule(self, provider: str, cloud: str, model: str, family: str | None) -> tuple[int, PriceRuleSpec] | None:
        best: tuple[int, PriceRuleSpec] | None = None
        for i, r in enumerate(self._rules):
            if r.provider is not None and r.provider != provider:
                continue
            if r.cloud is not None and r.cloud != cloud:
                continue
            if r.model is not None and not _model_matches(r.model, model, family):
                continue
            if best is None or r.specificity > best[1].specificity:
                best = (i, r)
        return best


def _model_matches(pattern: str, model: str, family: str | None) -> bool:
    names = (model, family) if family else (model,)
    if any(ch in pattern for ch in "*?["):
        return any(fnmatch.fnmatchcase(n, pattern) for n in names)
    return pattern in names


def _with(card: PriceCard, **changes: Any) -> PriceCard:
    fields = {f: getattr(card, f) for f in PriceCard.__slots__}
    fields.update(changes)
    return PriceCard(**fields)


def _apply(index: int, rule: PriceRuleSpec, base: PriceCard | str) -> PriceCard | NoPrice:
    """A price rule on top of genai-prices' card (``base``; a string: why there is none)."""
    where = f"config prices[{index}]"
    given = {c: Decimal(repr(v)) for c, v in rule.given().items()}
    if isinstance(base, PriceCard):
        factor = (Decimal(100) - Decimal(repr(rule.discount_percent))) / 100
        rates = {c: given.get(c, _scaled(base.rate(c), factor)) for c in _RATE_COMPONENTS}
        taken = [c for c in _RATE_COMPONENTS if c not in given and base.rate(c) is not None]
        if not taken:
            source = where
        elif rule.discount_percent:
            source = f"{where}: {rule.discount_percent:g}% off {base.source}"
        else:
            source = f"{where} over {base.source}"
        request = None if base.request is None else base.request * factor
        return _card(rates, request, rule.currency, source, base.notes if taken else ())
    if "input" in given and "output" in given:
        return _card({c: given.get(c) for c in _RATE_COMPONENTS}, None, rule.currency, where, ())
    missing = " and ".join(f"{c}_mtok" for c in ("input", "output") if c not in given)
    return NoPrice(f"{where} gives no {missing} and there is no list price to take it from ({base})",
                   currency=rule.currency, source=where)  # fmt: skip


def _card(
    rates: dict[str, Rate], request: Decimal | None, currency: str, source: str, notes: tuple[str, ...]
) -> PriceCard:
    inp, out = rates["input"], rates["output"]
    assert inp is not None  # checked by the callers
    assert out is not None
    return PriceCard(inp, out, rates["cache_read"], rates["cache_write"], rates["reasoning"], request, currency,
                     source, notes)  # fmt: skip


_RATE_COMPONENTS = ("input", "output", "cache_read", "cache_write", "reasoning")
