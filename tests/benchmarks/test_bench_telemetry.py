"""The telemetry benchmark in its smoke size: every variant runs and reports a figure (no figure is asserted)."""

from __future__ import annotations

from benchmarks.telemetry import measure


def test_the_telemetry_benchmark_runs_every_variant() -> None:
    out = measure(repeats=1, number=20)
    variants = {"bare", "off", "hooks", "otel_noop", "otel_sdk", "otel_hooks"}
    assert variants <= set(out) and set(out["added_us"]) == variants - {"off"}
    assert all(out[v]["median"] > 0 for v in variants)
