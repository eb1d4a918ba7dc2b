"""Hedging, measured: 5% of the primary's answers are delayed by 2 s; hedged vs unhedged latency and the spend.

    python benchmarks/hedging.py            # 1,000 calls per run at concurrency 8 (about half a minute)

Both runs see the same seeded script (which answers are slow, every answer's time to first byte). The hedged run
uses ``hedge: {after_s: p95, max_share: 0.15}``. Writes benchmarks/results/hedging.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

from modelroute.testing import Fault, MockCloud, router_on_mock_cloud

RESULTS = Path(__file__).parent / "results" / "hedging.json"
HI = [{"role": "user", "content": "Hello there"}]


def config(hedge: dict[str, Any] | None) -> dict[str, Any]:
    alias: dict[str, Any] = {"targets": ["primary:claude-sonnet-5-5", "secondary:claude-sonnet-5-5"]}
    if hedge is not None:
        alias["hedge"] = hedge
    return {
        "providers": {
            "primary": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
            "secondary": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        },
        "models": {"claude": alias},
        "defaults": {"deadline_s": 30, "first_byte_timeout_s": 10},
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


async def run(
    calls: int, concurrency: int, seed: int, slow_share: float, hedge: dict[str, Any] | None
) -> dict[str, Any]:
    rng = random.Random(seed)
    with MockCloud() as cloud:
        cloud.add("primary", route="anthropic")
        cloud.add("secondary", route="anthropic")
        primary = [
            Fault.latency(2.0) if rng.random() < slow_share else Fault.ok(ttfb_s=rng.uniform(0.01, 0.04))
            for _ in range(calls)
        ]
        cloud.script("primary", *primary)
        cloud.script("secondary", *(Fault.ok(ttfb_s=rng.uniform(0.01, 0.04)) for _ in range(calls)))
        router = router_on_mock_cloud(cloud, config(hedge))
        latencies: list[float] = []
        hedged = 0
        queue = iter(range(calls))

        async def worker() -> None:
            nonlocal hedged
            for _ in queue:
                start = time.monotonic()
                r = await router.acomplete("claude", HI)
                latencies.append(time.monotonic() - start)
                hedged += any(a.hedged for a in r.trace)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        await router.aclose()
        sent = len(cloud.requests("primary")) + len(cloud.requests("secondary"))
    return {
        "calls": calls,
        "p50_ms": round(pct(latencies, 0.50) * 1000, 1),
        "p99_ms": round(pct(latencies, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
        "hedged_share": round(hedged / calls, 4),
        "requests_per_call": round(sent / calls, 4),
        "slow_primary_answers": sum(1 for f in primary if f.ttfb_s >= 2.0),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=1000)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--seed", type=int, default=3)
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args()
    hedge = {"after_s": "p95", "initial_after_s": 0.1, "min_samples": 20, "max_share": 0.15}
    unhedged = asyncio.run(run(args.calls, args.concurrency, args.seed, 0.05, None))
    hedged = asyncio.run(run(args.calls, args.concurrency, args.seed, 0.05, hedge))
    data = {
        "setup": {"slow_share": 0.05, "slow_delay_s": 2.0, "hedge": hedge, "concurrency": args.concurrency},
        "unhedged": unhedged,
        "hedged": hedged,
        "extra_spend": {
            "hedged_share": hedged["hedged_share"],
            "extra_requests_per_call": round(hedged["requests_per_call"] - unhedged["requests_per_call"], 4),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2) + "\n")
    print(json.dumps(data, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
