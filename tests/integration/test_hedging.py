"""Hedged requests through the mock cloud: the first good answer wins, the loser is cancelled and its
connection closed, both are in the trace, the hedged share is capped, and sync calls never hedge."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from modelroute import InvalidRequestError, Router
from modelroute.routing.hedge import HedgePolicy, hedge_delay, p95, share_allows
from modelroute.testing import FakeClock, Fault, MockCloud, router_on_mock_cloud

CONFIG: dict[str, Any] = {
    "providers": {
        "anth-1": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "anth-2": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
    },
    "models": {
        "claude": {
            "targets": ["anth-1:claude-sonnet-5-5", "anth-2:claude-sonnet-5-5"],
            "hedge": {"after_s": 0.05, "max_share": 0.02},
        },
    },
    "defaults": {"deadline_s": 20, "first_byte_timeout_s": 1.0, "breaker": {"enabled": False}},
}
HI = [{"role": "user", "content": "Hello there"}]


async def _drained(cloud: MockCloud, name: str) -> int:
    for _ in range(100):  # the server notices the client's close within a loop turn or two
        if cloud.open_connections(name) == 0:
            break
        await asyncio.sleep(0.02)
    return cloud.open_connections(name)


@pytest.mark.anyio
async def test_hedge_beats_a_primary_that_never_answers(router: Router, cloud: MockCloud, clock: FakeClock) -> None:
    cloud.set_default("anth-1", Fault.hang())
    try:
        r = await router.acomplete("claude", HI)
    finally:
        await router.aclose()
    assert r.served_by is not None and r.served_by.provider == "anth-2"
    assert clock.sleeps == [0.05]
    lines = [(a.provider, a.outcome, a.action, a.hedged) for a in r.trace]
    assert lines == [("anth-2", "ok", "served", True), ("anth-1", "cancelled", "cancelled", True)]
    assert "lost the hedge race to anth-2" in r.trace[1].describe()
    assert r.trace[0].usage == r.usage and r.trace[1].usage is None  # the cost: tokens of the served attempt
    assert len(cloud.requests("anth-1")) == 1 and len(cloud.requests("anth-2")) == 1
    assert await _drained(cloud, "anth-1") == 0  # the loser's connection was closed, not left hanging
    from modelroute.observability import trace_table

    table = trace_table(r.trace)
    assert "ok, " in table.splitlines()[1] and "cancelled, " in table.splitlines()[2]


@pytest.mark.anyio
async def test_hedged_share_is_capped(router: Router, cloud: MockCloud) -> None:
    cloud.set_default("anth-1", Fault.hang())
    try:
        results = [await router.acomplete("claude", HI) for _ in range(7)]
    finally:
        await router.aclose()
    hedged = [r for r in results if any(a.hedged for a in r.trace)]
    assert len(hedged) == 4  # max_share 0.02 of the last 200 calls
    for r in results:
        if r not in hedged:  # the unhedged ones paid the primary's first-byte timeout, then failed over
            assert [(a.provider, a.kind.value if a.kind else None) for a in r.trace] == [
                ("anth-1", "timeout"),
                ("anth-2", None),
            ]
    assert all(r.served_by is not None and r.served_by.provider == "anth-2" for r in results)


def test_sync_calls_and_streams_never_hedge(router: Router, cloud: MockCloud) -> None:
    cloud.set_default("anth-1", Fault.hang())
    r = router.complete("claude", HI)
    assert not any(a.hedged for a in r.trace) and r.trace[0].kind is not None
    with router.stream("claude", HI) as s:
        list(s)
    assert not any(a.hedged for a in s.response.trace)


@pytest.mark.anyio
async def test_a_fast_primary_is_not_hedged_with_a_real_delay(cloud: MockCloud) -> None:
    cloud.reset()
    config = {**CONFIG, "models": {"claude": {**CONFIG["models"]["claude"], "hedge": {"after_s": 5}}}}
    router = router_on_mock_cloud(cloud, config)
    try:
        r = await router.acomplete("claude", HI)
    finally:
        await router.aclose()
    assert [(a.provider, a.hedged) for a in r.trace] == [("anth-1", False)]
    assert len(cloud.requests("anth-2")) == 0


def test_delay_and_share_rules() -> None:
    samples = [0.1 * i for i in range(1, 21)]
    assert p95(samples) == pytest.approx(1.9)
    p = HedgePolicy(after_s=None, initial_after_s=0.7, min_samples=20)
    assert hedge_delay(p, samples[:19]) == 0.7 and hedge_delay(p, samples) == pytest.approx(1.9)
    assert hedge_delay(HedgePolicy(after_s=0.2), samples) == 0.2
    assert share_allows(HedgePolicy(None, max_share=0.1), 19) and not share_allows(HedgePolicy(None, max_share=0.1), 20)


@pytest.mark.anyio
async def test_a_hedge_that_must_stop_the_call_cancels_the_other(router: Router, cloud: MockCloud) -> None:
    cloud.set_default("anth-1", Fault.hang())
    cloud.script("anth-2", Fault.status(400, {"type": "error", "error": {"type": "invalid_request_error",
                                                                           "message": "bad"}}))  # fmt: skip
    try:
        with pytest.raises(InvalidRequestError) as info:
            await router.acomplete("claude", HI)
    finally:
        await router.aclose()
    assert [(a.provider, a.outcome, a.action, a.hedged) for a in info.value.trace] == [
        ("anth-2", "error", "stop", True),
        ("anth-1", "cancelled", "cancelled", True),
    ]
    assert await _drained(cloud, "anth-1") == 0
