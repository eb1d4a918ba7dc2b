"""What an attempt or a call cost: the `Cost` value, how costs add up, and the `CostView` the router reads prices
through. A leaf: no imports from the rest of the package at run time, so `_types`, `routing` and `exceptions` may
all use it. The prices themselves (genai-prices, the config's overrides) live in `modelroute.observability.cost`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ._types import Attempt, Request, Usage

__all__ = ["COMPONENTS", "Cost", "CostView", "format_amount", "total_cost", "trace_cost"]

#: the parts a cost is broken into, in display order: uncached input, cache reads, cache writes, output that is
#: not reasoning, reasoning (priced as output unless the model has its own reasoning price), per-request fees
COMPONENTS = ("input", "cache_read", "cache_write", "output", "reasoning", "requests")


@dataclass(frozen=True, slots=True)
class Cost:
    """What one attempt (or a whole call) cost.

    ``amount`` is None when it is unknown, and then ``reason`` says why (a model without a price, a currency
    that does not add up); it is never a silent zero. ``components`` breaks the amount down (keys from
    `COMPONENTS`, only those with tokens). ``source`` names where the prices came from (``genai-prices 0.2.3:
    aws/regional.anthropic.claude-...``, or the config's ``prices[1]``). ``estimated``: the token counts were
    estimated, not reported by the provider (a cut stream, a cancelled hedge, an answer without usage, a cost
    estimate before sending); ``reason`` then says how. ``notes`` are what the price source does not cover.
    """

    amount: Decimal | None
    currency: str = "USD"
    components: Mapping[str, Decimal] = field(default_factory=dict)
    source: str = ""
    reason: str = ""
    estimated: bool = False
    notes: tuple[str, ...] = ()
    #: the token counts that were priced (reported, or estimated when ``estimated``)
    usage: Usage | None = None

    @property
    def known(self) -> bool:
        return self.amount is not None

    def __str__(self) -> str:
        if self.amount is None:
            return f"cost unknown ({self.reason})" if self.reason else "cost unknown"
        shown = format_amount(self.amount, self.currency)
        return f"{shown} (estimated)" if self.estimated else shown

    def brief(self) -> str:
        """For trace lines: ``$0.00123``, ``$0.00123 estimated`` or ``cost unknown``."""
        if self.amount is None:
            return "cost unknown"
        shown = format_amount(self.amount, self.currency)
        return f"{shown} estimated" if self.estimated else shown

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready view (amounts as strings, so no precision is lost)."""
        return {
            "amount": None if self.amount is None else str(self.amount),
            "currency": self.currency,
            "components": {k: str(v) for k, v in self.components.items()},
            "source": self.source,
            "reason": self.reason,
            "estimated": self.estimated,
            "notes": list(self.notes),
        }


def format_amount(amount: Decimal, currency: str = "USD") -> str:
    """``$0.0000425`` (USD) or ``14.5 EUR``: four significant digits (two decimals at most for a dollar or more),
    trailing zeros cut."""
    if amount == 0:
        text = "0"
    else:
        places = max(2, 3 - amount.adjusted()) if amount.adjusted() < 0 else 4 if amount.adjusted() == 0 else 2
        text = f"{amount:.{places}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return f"${text}" if currency == "USD" else f"{text} {currency}"


def total_cost(costs: Iterable[Cost | None]) -> Cost | None:
    """The sum of ``costs`` (None entries are attempts nothing was billed for); None when there is nothing.

    The total is unknown (``amount`` None, with the reason) when any part is unknown or the parts are in
    different currencies: a partial sum would understate what was spent. Components add up key by key.
    """
    parts = [c for c in costs if c is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    currencies = sorted({c.currency for c in parts})
    estimated = any(c.estimated for c in parts)
    notes = tuple(dict.fromkeys(n for c in parts for n in c.notes))
    sources = "; ".join(dict.fromkeys(c.source for c in parts if c.source))
    unknown = [c.reason or "unknown" for c in parts if c.amount is None]
    if unknown:
        why = f"{len(unknown)} of {len(parts)} billed attempts have no known cost: {unknown[0]}"
        return Cost(None, currencies[0], source=sources, reason=why, estimated=estimated, notes=notes)
    if len(currencies) > 1:
        why = f"attempts were billed in {' and '.join(currencies)}; see each attempt's cost"
        return Cost(None, currencies[0], source=sources, reason=why, estimated=estimated, notes=notes)
    components: dict[str, Decimal] = {}
    for c in parts:
        for k, v in c.components.items():
            components[k] = components.get(k, Decimal(0)) + v
    amount = sum((c.amount for c in parts if c.amount is not None), Decimal(0))
    how = "; ".join(dict.fromkeys(c.reason for c in parts if c.estimated and c.reason))
    return Cost(amount, currencies[0], components, sources, how, estimated, notes)


def trace_cost(trace: Iterable[Attempt]) -> Cost | None:
    """What every attempt of a call's trace cost, together (see `total_cost`)."""
    return total_cost(a.cost for a in trace)


class CostView(Protocol):
    """What the router's `Call` reads prices through (`modelroute.observability.cost.Pricer` is one). Each
    returns the cost of one attempt at the target ``provider``/``model``."""

    def served(
        self, provider: str, model: str, request: Request, *, usage: Usage | None, reported_model: str | None, text: str
    ) -> Cost:
        """An answer arrived: priced from its usage (estimated from ``request`` and the answer's ``text`` when the
        provider reported none), at the price of the model it reports where that is known."""
        ...

    def partial(
        self, provider: str, model: str, request: Request, *, usage: Usage | None, delivered: str, why: str
    ) -> Cost:
        """An attempt ended after it was sent but without an answer: a stream cut after ``delivered`` (usage
        reported so far, or estimated), or a cancelled hedge (``delivered`` empty: the input tokens). ``why``
        leads the cost's reason."""
        ...
