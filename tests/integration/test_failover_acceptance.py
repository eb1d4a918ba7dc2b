"""The failover engine's acceptance points, through the mock cloud: a hung primary, a dead primary behind an open
breaker (proven by the cloud's connection counters), streams cut after text (error or continue with a seam),
tool calls never spliced, the first-token timeout."""

from __future__ import annotations

from typing import Any

import pytest

from modelroute import AllTargetsFailed, Router, Seam, StreamInterrupted, TextDelta
from modelroute.testing import FakeClock, Fault, MockCloud, router_on_mock_cloud

CONFIG: dict[str, Any] = {
    "providers": {
        "anth-1": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "anth-2": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "oai": {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
    },
    "models": {
        "claude": {"targets": ["anth-1:claude-sonnet-5-5", "anth-2:claude-sonnet-5-5"]},
        "claude-cont": {
            "targets": ["anth-1:claude-sonnet-5-5", "anth-2:claude-sonnet-5-5"],
            "stream_resume": "continue",
        },
        "mixed-cont": {"targets": ["anth-1:claude-sonnet-5-5", "oai:gpt-5.5"], "stream_resume": "continue"},
        "claude-stop": {"targets": ["anth-1:claude-sonnet-5-5", "anth-2:claude-sonnet-5-5"], "stream_resume": "error"},
    },
    "defaults": {
        "deadline_s": 20,
        "attempt_timeout_s": 5,
        "first_byte_timeout_s": 1.0,
        "stall_timeout_s": 0.5,
        "breaker": {"failures": 3, "open_s": 30},
    },
}
HI = [{"role": "user", "content": "Hello there"}]


def test_a_primary_that_never_answers_costs_one_attempt_timeout(router: Router, cloud: MockCloud) -> None:
    cloud.set_default("anth-1", Fault.hang())
    r = router.complete("claude", HI)
    assert r.served_by is not None and r.served_by.provider == "anth-2"
    assert [(a.provider, a.kind.value if a.kind else None, a.action) for a in r.trace] == [
        ("anth-1", "timeout", "failover"),
        ("anth-2", None, "served"),
    ]
    assert len(cloud.requests("anth-1")) == 1 and cloud.connections("anth-1") == 1


def test_dead_primary_breaker_opens_then_no_connection_until_the_probe(
    router: Router, cloud: MockCloud, clock: FakeClock
) -> None:
    cloud.set_default("anth-1", Fault.reset())  # accepts, then drops: every attempt shows in the counters
    for _ in range(3):
        r = router.complete("claude", HI)
        assert [a.action for a in r.trace] == ["failover", "served"]
    assert cloud.connections("anth-1") == 3
    for _ in range(10):
        r = router.complete("claude", HI)
        assert r.served_by is not None and r.served_by.provider == "anth-2"
        assert r.trace[0].outcome == "skipped" and r.trace[0].reason.startswith("circuit open (3 consecutive")
    assert cloud.connections("anth-1") == 3 and len(cloud.requests("anth-1")) == 3
    plan = router.explain("claude")
    assert not plan.entries[0].eligible and plan.entries[0].reason.startswith("circuit open (3 consecutive")
    # After open_s, exactly one probe goes through; the target has recovered, so the breaker closes.
    cloud.set_default("anth-1", Fault.ok())
    clock.advance(30)
    r = router.complete("claude", HI)
    assert r.served_by is not None and r.served_by.provider == "anth-1"
    assert cloud.connections("anth-1") == 4
    router.complete("claude", HI)
    assert len(cloud.requests("anth-1")) == 5


def test_refused_primary_breaker_skips_it_without_connecting(
    router: Router, cloud: MockCloud, clock: FakeClock
) -> None:
    cloud.down("anth-1")
    for _ in range(3):
        router.complete("claude", HI)
    cloud.up("anth-1")  # listening again: any connection attempt would now be counted
    for _ in range(5):
        r = router.complete("claude", HI)
        assert "circuit open" in r.trace[0].reason
    assert cloud.connections("anth-1") == 0
    clock.advance(30)
    r = router.complete("claude", HI)
    assert r.served_by is not None and r.served_by.provider == "anth-1" and cloud.connections("anth-1") == 1


def test_every_target_open_fails_at_once_saying_when(router: Router, cloud: MockCloud, clock: FakeClock) -> None:
    cloud.set_default("anth-1", Fault.overloaded())
    cloud.set_default("anth-2", Fault.overloaded())
    for _ in range(3):
        with pytest.raises(AllTargetsFailed):
            router.complete("claude", HI)
    sent = len(cloud.requests("anth-1")) + len(cloud.requests("anth-2"))
    clock.advance(10)
    with pytest.raises(AllTargetsFailed) as info:
        router.complete("claude", HI)
    assert info.value.retry_after_s == pytest.approx(20)
    assert clock.sleeps == [] and len(cloud.requests("anth-1")) + len(cloud.requests("anth-2")) == sent


# --- streams: commit points -------------------------------------------------------------------------------------


def test_cut_after_text_with_policy_error_raises_with_the_partial_text(router: Router, cloud: MockCloud) -> None:
    cloud.script("anth-1", Fault.stream_cut(after_events=5))
    got: list[str] = []
    with pytest.raises(StreamInterrupted) as info, router.stream("claude-stop", HI) as s:
        got.extend(s.text())
    assert info.value.partial_text == "".join(got) == "Hello from "
    assert [a.action for a in info.value.trace] == ["stop"]


@pytest.mark.parametrize("fault", [Fault.stream_cut(after_events=5), Fault.stall(after_events=5)], ids=["cut", "stall"])
def test_cut_after_text_with_continue_prefills_the_next_anthropic_target(
    router: Router, cloud: MockCloud, fault: Fault
) -> None:
    cloud.script("anth-1", fault)
    with router.stream("claude-cont", HI) as s:
        events = list(s)
    seams = [e for e in events if isinstance(e, Seam)]
    assert len(seams) == 1 and seams[0].resumed == "prefill"
    assert (seams[0].from_provider, seams[0].to_provider) == ("anth-1", "anth-2")
    i = events.index(seams[0])
    before = "".join(e.text for e in events[:i] if isinstance(e, TextDelta))
    after = "".join(e.text for e in events[i:] if isinstance(e, TextDelta))
    assert before == "Hello from "
    # anth-2 received the partial answer as a trailing assistant turn (trailing whitespace trimmed).
    sent = cloud.requests("anth-2")[-1].json["messages"]
    assert sent[-1] == {"role": "assistant", "content": "Hello from"}
    assert s.response.text == before + after
    assert s.seams == seams
    assert [a.action for a in s.response.trace] == ["failover", "served"]


@pytest.mark.anyio
async def test_async_cut_after_text_with_continue_restarts_on_a_route_without_prefill(
    router: Router, cloud: MockCloud
) -> None:
    cloud.script("anth-1", Fault.stream_cut(after_events=5))
    try:
        s = router.astream("mixed-cont", HI)
        events = [e async for e in s]
    finally:
        await router.aclose()
    seam = next(e for e in events if isinstance(e, Seam))
    assert seam.resumed == "restart" and "discard the text before it" in seam.reason
    after = "".join(e.text for e in events[events.index(seam) :] if isinstance(e, TextDelta))
    assert after == "Hello from oai." == s.response.text
    assert s.seams == [seam]
    assert cloud.requests("oai")[-1].json["messages"] == [{"role": "user", "content": "Hello there"}]


def test_a_tool_call_in_flight_is_never_spliced(router: Router, cloud: MockCloud) -> None:
    cut = Fault("stream_cut", tool_call={"name": "weather", "arguments": {"city": "Paris"}}, after_events=4)
    cloud.script("anth-1", cut)
    with pytest.raises(StreamInterrupted) as info, router.stream("claude-cont", HI, tools=[{"name": "weather"}]) as s:
        list(s)
    assert "tool call was in flight" in info.value.trace[0].reason
    assert len(cloud.requests("anth-2")) == 0


def test_continue_with_no_target_left_is_never_a_clean_end(router: Router, cloud: MockCloud) -> None:
    cloud.script("anth-1", Fault.stream_cut(after_events=5))
    cloud.set_default("anth-2", Fault.overloaded())
    with pytest.raises(StreamInterrupted) as info, router.stream("claude-cont", HI) as s:
        list(s)
    assert info.value.partial_text == "Hello from "
    assert [a.provider for a in info.value.trace] == ["anth-1", "anth-2"]


def test_first_token_timeout(cloud: MockCloud) -> None:
    cloud.reset()
    config = {**CONFIG, "defaults": {**CONFIG["defaults"], "first_token_timeout_s": 0.2, "stall_timeout_s": 2}}
    cloud.script("anth-1", Fault.ok(chunk_delay_s=0.15))  # the first text delta comes ~0.45 s in
    with router_on_mock_cloud(cloud, config) as router, router.stream("claude", HI) as s:
        text = "".join(s.text())
    assert text == "Hello from anth-2."
    first = s.response.trace[0]
    assert first.kind is not None and first.kind.value == "timeout" and "first-token" in first.describe()
