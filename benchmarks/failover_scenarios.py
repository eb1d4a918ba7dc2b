"""The failover scenario suite (`modelroute.testing._scenarios`), printed as a table with its score.

    python -m benchmarks.failover_scenarios                          # the defaults
    python -m benchmarks.failover_scenarios --set stream_resume=error --set breaker.open_s=30

Every scenario runs on the mock cloud with a fake clock, so the figures (verdicts, recovery seconds) are the same
on every machine. Writes benchmarks/results/failover_scenarios.json; exits 1 if any scenario is not ``pass``.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from modelroute.testing._scenarios import run_scenarios

RESULTS = Path(__file__).parent / "results" / "failover_scenarios.json"


def _overrides(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        *parents, leaf = key.split(".")
        node = out
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = yaml.safe_load(value)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="a defaults field to change")
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args()
    logging.getLogger("modelroute").setLevel(logging.ERROR)
    results = run_scenarios(overrides=_overrides(args.set))
    width = max(len(r.name) for r in results)
    for r in results:
        print(f"{r.verdict:8} {r.name:{width}}  {r.detail}")
    score = Counter(r.verdict for r in results)
    recovery = [r.metrics["recovery_s"] for r in results if "recovery_s" in r.metrics]
    line = ", ".join(f"{score[v]} {v}" for v in ("pass", "partial", "safe", "fail"))
    print(f"\n{len(results)} scenarios: {line}; worst recovery after an outage: {max(recovery):g}s (fake time)")
    data = {
        "overrides": args.set,
        "score": {v: score[v] for v in ("pass", "partial", "safe", "fail")},
        "worst_recovery_s": max(recovery),
        "scenarios": [{"name": r.name, "verdict": r.verdict, "detail": r.detail, **r.metrics} for r in results],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2) + "\n")
    return 0 if score["pass"] == len(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
