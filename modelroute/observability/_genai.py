"""genai-prices as modelroute's price list: which of its providers and rows prices a target, per cloud and region.

genai-prices is imported here only, and only when a price is first looked up (it takes about 0.2 s). Its bundled
data is read from the installed package; nothing here ever fetches price updates (updating is the user's explicit
act: a newer package, or a snapshot they fetched themselves, passed to `Pricer`).

How our provider kinds map to its providers, and the rules applied where its data does not say it all:

- ``openai`` -> ``openai``; ``anthropic`` -> ``anthropic``; ``anthropic_aws`` (Claude Platform on AWS) ->
  ``anthropic``: Anthropic's list prices, which that platform bills through AWS (there is no separate row).
- ``azure_openai``, ``azure_foundry`` -> ``azure`` (which falls back to the ``openai`` and ``anthropic`` rows).
  Its rows are Global deployment prices; Data Zone and Regional deployments can cost more, which it does not list:
  the cost says so in its notes (set ``prices:`` for such an entry).
- ``bedrock``, ``bedrock_mantle`` -> ``aws``. The model id picks the row: a ``global.`` inference profile gets the
  global row, an in-region id or a geographic profile (``us.``, ``eu.``, ``apac.``...) the regional row, which
  carries AWS's 10% premium where AWS charges one. Mantle's short ids (``anthropic.claude-haiku-4-5``) are
  priced through the catalog family's Bedrock id (Mantle serves in-region). The regional rows follow AWS's
  us-east-1 price list; an entry in another region gets a note.
- ``vertex`` -> ``google``. Its rows are the ``global`` endpoint's prices. A regional or multi-region location
  (``us-east5``, ``europe-west1``, ``us``, ``eu``) adds Google's 10% premium, which applies to Claude Sonnet 4.5
  and every later model; Claude 3.x, Sonnet 4 and Opus 4 / 4.1 (rows ``claude-3*``, ``claude-4-*``) keep one price.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cost import PriceCard, Rate

__all__ = ["PROVIDER_IDS", "Found", "GenaiPrices", "NotInstalled"]

#: our provider kind -> genai-prices' provider id
PROVIDER_IDS = {
    "openai": "openai",
    "anthropic": "anthropic",
    "anthropic_aws": "anthropic",
    "azure_openai": "azure",
    "azure_foundry": "azure",
    "vertex": "google",
    "bedrock": "aws",
    "bedrock_mantle": "aws",
}
VERTEX_REGIONAL_PREMIUM = Decimal("1.1")
_VERTEX_ONE_PRICE = ("claude-3", "claude-4-")  # google rows of models from before the regional premium


class NotInstalled(LookupError):
    """genai-prices is not installed."""


class Found:
    """A genai-prices row for a target: the prices in force at one time, and where they came from."""

    __slots__ = ("model_id", "notes", "prices", "provider_id", "ref", "until")

    def __init__(
        self, provider_id: str, model_id: str, ref: str, prices: Any, *, notes: tuple[str, ...], until: float
    ) -> None:
        self.provider_id = provider_id
        self.model_id = model_id
        self.ref = ref
        self.prices = prices
        self.notes = notes
        self.until = until  # epoch seconds after which the prices may change (a dated price in its data)


class GenaiPrices:
    """genai-prices' data (the bundled snapshot unless one is given), looked up by our provider kinds."""

    def __init__(self, snapshot: Any = None) -> None:
        self._snapshot = snapshot
        self._providers: dict[str, Any] | None = None
        self.version = ""

    def _load(self) -> dict[str, Any]:
        if self._providers is None:
            try:
                import genai_prices
                from genai_prices import data_snapshot
            except ImportError:
                raise NotInstalled("genai-prices is not installed: pip install 'modelroute[cost]'") from None
            snapshot = self._snapshot
            if snapshot is None:
                from genai_prices.data import providers

                snapshot = data_snapshot.DataSnapshot(providers=providers, from_auto_update=False)
                self.version = f"genai-prices {genai_prices.__version__}"
            else:
                self.version = f"genai-prices {genai_prices.__version__} (a snapshot passed in)"
            self._snapshot = snapshot
            self._providers = {p.id: p for p in snapshot.providers}
        return self._providers

    def find(self, kind: str, region: str | None, refs: Sequence[str], now: float) -> Found | str:
        """The row that prices ``refs`` (model ids, best first) on a provider of ``kind``, or why there is none."""
        providers = self._load()
        pid = PROVIDER_IDS.get(kind)
        provider = providers.get(pid) if pid else None
        if provider is None:
            return f"{self.version} has no provider for kind '{kind}'"
        every = list(providers.values())
        for ref in dict.fromkeys(r for r in refs if r):
            model = provider.find_model(ref, all_providers=every)
            if model is not None:
                when = datetime.fromtimestamp(now, tz=UTC)
                prices = model.get_prices(when)
                notes = _notes(kind, region, model.id)
                return Found(pid or "", model.id, ref, prices, notes=notes, until=_valid_until(model, when))
        tried = ", ".join(repr(r[:80]) for r in dict.fromkeys(r for r in refs if r))  # a reported id is the vendor's
        return f"{self.version} has no {pid} price for {tried}"

    def card(self, found: Found, kind: str, region: str | None) -> PriceCard | str:
        """``found``'s prices as a `PriceCard` (region premiums applied), or why they cannot price tokens."""
        from .cost import PriceCard

        p = found.prices
        factor = Decimal(1)
        if kind == "vertex" and _vertex_regional(region, found.model_id):
            factor = VERTEX_REGIONAL_PREMIUM
        rates = {name: _rate(getattr(p, key, None), factor) for name, key in _KEYS.items()}
        source = f"{self.version}: {found.provider_id}/{found.model_id}"
        inp, out = rates["input"], rates["output"]
        if inp is None or out is None:
            return f"{source} lists no token prices for this model"
        per_request = getattr(p, "requests_kcount", None)
        return PriceCard(
            inp,
            out,
            rates["cache_read"],
            rates["cache_write"],
            rates["reasoning"],
            request=None if per_request is None else Decimal(per_request) * factor / 1000,
            currency="USD",
            source=source,
            notes=found.notes,
        )


_KEYS = {
    "input": "input_mtok",
    "output": "output_mtok",
    "cache_read": "cache_read_mtok",
    "cache_write": "cache_write_mtok",
    "reasoning": "output_reasoning_mtok",
}


def _rate(value: Any, factor: Decimal) -> Rate:
    from .cost import Tiered

    if value is None:
        return None
    if isinstance(value, Decimal):
        return value * factor
    tiers = tuple((int(t.start), Decimal(t.price) * factor) for t in value.tiers)
    return Tiered(Decimal(value.base) * factor, tiers)


def _vertex_regional(region: str | None, model_id: str) -> bool:
    return bool(region) and region != "global" and not model_id.startswith(_VERTEX_ONE_PRICE)


def _notes(kind: str, region: str | None, model_id: str) -> tuple[str, ...]:
    if kind in ("azure_openai", "azure_foundry"):
        return ("Azure: genai-prices lists Global deployment prices; Data Zone and Regional deployments may cost "
                "more (set prices: for this entry)",)  # fmt: skip
    if kind == "vertex":
        if _vertex_regional(region, model_id):
            return (f"Vertex {region}: Google's 10% regional premium added to the global price",)
        return ()
    if kind == "anthropic_aws":
        return ("Claude Platform on AWS: Anthropic's list prices",)
    aws = kind in ("bedrock", "bedrock_mantle")
    if aws and region and not region.startswith("us-") and not model_id.startswith("global."):
        return (f"genai-prices' regional Bedrock rows follow AWS's us-east-1 list; {region} may differ",)
    return ()


def _valid_until(model: Any, when: datetime) -> float:
    """When ``model``'s price in force at ``when`` may next change: its next dated price, or the end of the UTC
    day when prices depend on the time of day (they are then looked up again)."""
    from genai_prices.types import ModelPrice, StartDateConstraint

    horizon = when + timedelta(days=1)
    end_of_day = datetime(when.year, when.month, when.day, tzinfo=UTC) + timedelta(days=1)
    if isinstance(model.prices, ModelPrice):
        return float("inf")
    until = float("inf")
    today = when.date()
    for conditional in model.prices:
        c = conditional.constraint
        if c is None:
            continue
        if not isinstance(c, StartDateConstraint):
            return calendar.timegm(min(horizon, end_of_day).timetuple())
        if c.start_date > today:
            until = min(until, calendar.timegm(_midnight(c.start_date).timetuple()))
    return until


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
