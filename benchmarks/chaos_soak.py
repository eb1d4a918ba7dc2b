"""Chaos soak: thousands of concurrent calls through the mock cloud with a seeded 30% mix of every fault.

    python benchmarks/chaos_soak.py                 # 5,000 calls at concurrency 64 (about a minute or two)
    python benchmarks/chaos_soak.py --calls 300     # the size CI runs as a test

Prints the report and writes benchmarks/results/chaos_soak.json. Exits 1 if any invariant broke: a call lost,
text delivered twice, a trace that does not explain the outcome, attempts over max_attempts, a deadline overrun
past the margin, a task or connection left open.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from modelroute.testing import run_chaos
from modelroute.testing._chaos import CHAOS_CONFIG

RESULTS = Path(__file__).parent / "results" / "chaos_soak.json"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=5000)
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--fault-rate", type=float, default=0.3)
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args()
    logging.getLogger("modelroute").setLevel(logging.ERROR)  # the soak injects auth faults on purpose

    def progress(i: int) -> None:
        if i and i % 1000 == 0:
            print(f"  ... call {i}", file=sys.stderr)

    report = run_chaos(
        calls=args.calls,
        concurrency=args.concurrency,
        seed=args.seed,
        fault_rate=args.fault_rate,
        progress=progress,
    )
    data = {"config": CHAOS_CONFIG, **report.as_dict()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2) + "\n")
    print(json.dumps(report.as_dict(), indent=2))
    print(f"{'PASS' if report.ok else 'FAIL'}: written to {args.out}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
