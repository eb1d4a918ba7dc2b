"""What the request surface costs per call, without the network: coercion and the whole-request check
(`build_request`), the feature walk the planner and the served answer read (`request_features`), and encoding
with signing (`Route.build`), for a one-line prompt and a five-turn conversation with three tools.

    python -m benchmarks.request_surface            # CPU microseconds per call, best of 9 runs of 2,000

CPU time (``time.process_time``), not wall time: the figure is what this process spent, not what a busy machine
made it wait. Compare two checkouts by running this in each, alternately, and keeping the best of each.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from modelroute._coerce import build_request
from modelroute.config import load_config
from modelroute.routes import ROUTES, Route

SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
          "required": ["city"]}  # fmt: skip
TOOLS = [{"type": "function", "function": {"name": f"t{i}", "description": "Get weather", "parameters": SCHEMA}}
         for i in range(3)]  # fmt: skip
ONE = [{"role": "user", "content": "Hello there, how are you?"}]
FIVE: list[dict[str, Any]] = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Weather in Paris and Rome?"},
    {"role": "assistant", "content": "", "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "t0", "arguments": '{"city": "Paris"}'}},
        {"id": "c2", "type": "function", "function": {"name": "t0", "arguments": '{"city": "Rome"}'}}]},
    {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
    {"role": "tool", "tool_call_id": "c2", "content": "rain"},
    {"role": "assistant", "content": "Paris is sunny, Rome rainy."},
    {"role": "user", "content": "And tomorrow?"},
]  # fmt: skip


def _route(kind: str) -> Route:
    cfg = load_config({"providers": {"p": {"kind": kind, "api_key": "${K}"}}, "models": {"m": {"targets": ["p:x"]}}},
                      env={"K": "k"})  # fmt: skip
    return ROUTES[kind]("p", cfg.spec.providers["p"], {"K": "k"})


def cpu_us(fn: Callable[[], object], n: int = 2000, runs: int = 9) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        for _ in range(n):
            fn()
        best = min(best, time.process_time() - start)
    return best / n * 1e6


def main() -> None:
    from modelroute.wire import _carry

    r1, r5 = build_request(model="m", messages=ONE), build_request(model="m", messages=FIVE, tools=TOOLS)
    rows = {
        "build_request, one line": lambda: build_request(model="m", messages=ONE),
        "build_request, five turns and three tools": lambda: build_request(model="m", messages=FIVE, tools=TOOLS),
        "request_features, one line": lambda: _carry._walk(r1),
        "request_features, five turns": lambda: _carry._walk(r5),
    }
    for kind in ("anthropic", "openai"):
        route = _route(kind)
        rows[f"{kind} Route.build, one line"] = lambda route=route: route.build(r1, "x", stream=False)
        rows[f"{kind} Route.build, five turns"] = lambda route=route: route.build(r5, "x", stream=False)
    for name, fn in rows.items():
        print(f"{name:45} {cpu_us(fn):7.1f} µs")


if __name__ == "__main__":
    main()
