"""CI keeps the benchmark working: the one command, in its smoke size (floor and modelroute, no peers).

Nothing here asserts a time: only that every scenario ran, answered correctly, and was summarised.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_smoke_runs_every_scenario(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--smoke", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    summary = json.loads((tmp_path / "summary.json").read_text())
    contenders = summary["contenders"]
    assert set(contenders) == {"httpx2", "modelroute-openai"}
    for name, c in contenders.items():
        assert "errors" not in c, (name, c.get("errors"))
        assert c["seq"]["median_us"]["n"] == 1
        assert c["stream"]["ttft_us"]["median"] > 0
        assert c["conc"]["64"]["errors"]["median"] == 0
    failover = contenders["modelroute-openai"]["failover"]
    variants = ("default", "no-breaker", "cooldown")
    assert set(failover) == {f"{dead}/{v}" for dead in ("refused", "503") for v in variants}
    assert all("median_us" in f for f in failover.values())
    assert summary["soak"]["n"] == 500
    assert summary["imports"]["modelroute"]["n"] == 3
    assert [p["targets"] for p in summary["plan"]] == [10, 100]
    assert summary["goals"]
    assert "### Sequential" in r.stdout
    assert (tmp_path / "raw.json").exists()
