"""The chaos soak, small: 300 calls at concurrency 32 with a seeded 30% mix of every fault. Asserts the
invariants, never the times (the full-size run is benchmarks/chaos_soak.py)."""

from __future__ import annotations

import logging

import pytest

from modelroute.testing import arun_chaos, run_chaos


@pytest.mark.anyio
async def test_chaos_soak_keeps_every_invariant(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="modelroute")
    # The deadline check keeps a wide margin here (the benchmark uses 0.5 s): a loaded CI machine may pause a
    # call for a second, and this test must not depend on the machine's speed.
    report = await arun_chaos(calls=300, concurrency=32, seed=11, margin_s=3.0)
    d = report.as_dict()
    assert d["lost"] == 0 and d["duplicated"] == 0, d
    assert d["unexplained"] == [], d
    assert d["attempts"]["calls_over_limit"] == 0 and d["attempts"]["max_in_one_call"] <= d["attempts"]["limit"]
    assert d["deadline"]["calls_over_margin"] == 0, d
    assert d["leaked_tasks"] == 0 and d["leaked_connections"] == 0, d
    assert sum(d["outcomes"].values()) == 300
    # The mix really was chaotic: most fault kinds were served, and failover saved most calls.
    assert len([k for k in d["faults_served"] if k != "ok"]) >= 12
    assert d["outcomes"]["ok"] >= 200
    # Every request the cloud received is an attempt some trace explains.
    assert d["requests_received_by_cloud"] <= d["attempts"]["total"]
    assert report.ok


def test_run_chaos_is_blocking_and_public(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="modelroute")
    report = run_chaos(calls=40, concurrency=8, seed=3, margin_s=3.0)
    assert report.ok and sum(report.outcomes.values()) == 40


@pytest.mark.anyio
async def test_run_chaos_inside_a_running_loop_says_to_await_arun_chaos() -> None:
    with pytest.raises(RuntimeError, match=r"await arun_chaos"):
        run_chaos(calls=1)
