"""CI keeps the pricing benchmark working (its figures are in BENCHMARKS.md; nothing here asserts a time)."""

from __future__ import annotations

from benchmarks.cost import measure


def test_the_pricing_benchmark_measures_every_figure() -> None:
    out = measure(repeats=1)
    assert set(out) == {
        "call_us",
        "call_priced_us",
        "served_us",
        "served_discounted_us",
        "estimate_us",
        "first_card_ms",
    }
    for name, figure in out.items():
        assert 0 < figure["min"] <= figure["median"] <= figure["max"], name
