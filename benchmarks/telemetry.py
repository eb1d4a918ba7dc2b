"""What telemetry and hooks cost per call, with no network (prints one JSON line).

Each variant runs a served call's whole machinery as the sync driver does (the `Call` to its first `Try`, the
gate entered, the answer recorded, the gate left) on a router built with:

- ``bare``: no monitor and no observer (what the call cost before this issue);
- ``off``: the default router: telemetry and hooks off (its logs and health figures are always on);
- ``hooks``: `Hooks` with a no-op function for each of the four events (their worker thread's CPU included:
  the figures are process CPU time);
- ``otel_noop``: `Telemetry` on OpenTelemetry's no-op providers (the API installed, no SDK configured);
- ``otel_sdk``: `Telemetry` on the SDK with a simple span processor into an in-memory exporter and an in-memory
  metric reader (every span and measurement really recorded);
- ``otel_hooks``: both.

Variants run in turns (so a load change on the machine falls on all alike); each figure is the median of the
turns, in CPU microseconds per call, with (min, max).

    python -m benchmarks.telemetry [repeats]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

CONFIG: dict[str, Any] = {
    "providers": {"openai": {"kind": "openai", "api_key": "${BENCH_KEY}", "base_url": "http://127.0.0.1:9/v1"}},
    "models": {"bench": {"targets": ["openai:gpt-5"]}},
}
MESSAGES = [{"role": "user", "content": "Say hello in one short sentence."}]


def _variants() -> dict[str, Callable[[], dict[str, Any]]]:
    from opentelemetry import metrics, trace
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from modelroute.observability import Hooks, Telemetry

    def noop(info: object) -> None:
        return None

    def hooks() -> Hooks:
        return Hooks(on_attempt=noop, on_response=noop, on_error=noop, on_breaker_change=noop, max_pending=10**7)

    def sdk() -> Telemetry:
        tp = TracerProvider()
        exporter = InMemorySpanExporter()
        tp.add_span_processor(SimpleSpanProcessor(exporter))
        _EXPORTERS.append(exporter)
        return Telemetry(tracer_provider=tp, meter_provider=MeterProvider(metric_readers=[InMemoryMetricReader()]))

    noop_otel = {"tracer_provider": trace.NoOpTracerProvider(), "meter_provider": metrics.NoOpMeterProvider()}
    return {
        "bare": dict,
        "off": dict,
        "hooks": lambda: {"hooks": hooks()},
        "otel_noop": lambda: {"telemetry": Telemetry(**noop_otel)},
        "otel_sdk": lambda: {"telemetry": sdk()},
        "otel_hooks": lambda: {"telemetry": sdk(), "hooks": hooks()},
    }


_EXPORTERS: list[Any] = []


def _call(options: dict[str, Any], *, bare: bool) -> tuple[Callable[[], object], Any]:
    from dataclasses import replace

    from modelroute import Router
    from modelroute._types import Response, ServedBy, StopReason, TextPart, Usage

    router = Router.from_config(CONFIG, env={"BENCH_KEY": "k"}, **options)
    settings = router._settings_for("bench")
    if bare:
        router._settings["bench"] = replace(settings, monitor=None, observe=None)
    usage = Usage(input_tokens=812, output_tokens=164)
    served = ServedBy.model_construct(provider="openai", kind="openai", cloud="openai", region=None, model="gpt-5",
                                      alias="bench", reported_model="gpt-5-2025-08-07")  # fmt: skip

    def run() -> object:
        call, _ = router._start("bench", MESSAGES, {})
        gate = router._gate(call, streamed=False)
        gate.enter()
        try:
            step = call.next_step()
            answer = Response.decoded(id="r", content=[TextPart(text="Hello!")], stop_reason=StopReason.END,
                                      raw_stop_reason="stop", usage=usage, model="gpt-5-2025-08-07")  # fmt: skip
            answer.served_by = served
            return call.record_ok(step, answer)  # type: ignore[arg-type]
        finally:
            gate.leave()

    return run, router


def measure(repeats: int = 5, number: int = 2000) -> dict[str, Any]:
    runs: dict[str, list[float]] = {}
    calls = {}
    for name, make in _variants().items():
        calls[name] = _call(make(), bare=name == "bare")
        runs[name] = []
    for run, _router in calls.values():
        for _ in range(200):  # warm: settings built, first spans and instruments made
            run()
    for _ in range(repeats):
        for name, (run, router) in calls.items():
            start = time.process_time()
            for _ in range(number):
                run()
            hooks = router._observe.hooks if router._observe is not None else None
            if hooks is not None:
                hooks.flush(60)  # the worker's CPU for these calls falls in this turn
            runs[name].append((time.process_time() - start) / number * 1e6)
        for exporter in _EXPORTERS:
            exporter.clear()
    out: dict[str, Any] = {
        name: {"median": statistics.median(r), "min": min(r), "max": max(r)} for name, r in runs.items()
    }
    base = out["off"]["median"]
    out["added_us"] = {name: out[name]["median"] - base for name in runs if name != "off"}
    return out


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    print(json.dumps(measure(repeats)))


if __name__ == "__main__":
    main()
