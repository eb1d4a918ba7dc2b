"""The default stream rescue (``stream_resume: auto``) and breaker recovery, through the mock cloud on a fake clock.

A stream broken after text resumes by prefill for every caller, by restart (behind a `Seam`) only for callers
iterating events, and never hands a `Stream.text` caller a restarted answer spliced onto the partial one. The seam
names the break. A streamed half-open probe closes its breaker at its first content; a probe waiting on a hung
target keeps the other calls out (real threads)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from modelroute import Router, Seam, StreamInterrupted, TextDelta
from modelroute.testing import FakeClock, Fault, MockCloud

CONFIG: dict[str, Any] = {
    "providers": {
        "anth-1": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "anth-2": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "anth-3": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "oai-1": {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
        "oai-2": {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
    },
    "models": {
        "claude": {"targets": ["anth-1:claude-sonnet-5-5", "anth-2:claude-sonnet-5-5", "anth-3:claude-sonnet-5-5"]},
        "gpt": {"targets": ["oai-1:gpt-5.5", "oai-2:gpt-5.5"]},
        "gpt-then-claude": {"targets": ["oai-1:gpt-5.5", "oai-2:gpt-5.5", "anth-2:claude-sonnet-5-5"]},
        "claude-continue": {
            "targets": ["anth-1:claude-sonnet-5-5", "anth-2:claude-sonnet-5-5", "anth-3:claude-sonnet-5-5"],
            "stream_resume": "continue",
        },
        "gpt-continue": {"targets": ["oai-1:gpt-5.5", "oai-2:gpt-5.5"], "stream_resume": "continue"},
    },
    "defaults": {"connect_timeout_s": 1, "first_byte_timeout_s": 2, "stall_timeout_s": 0.3},
}
HI = [{"role": "user", "content": "Hello there"}]
CUT_GPT = Fault.stream_cut(after_events=3)  # role chunk, "Hello ", "from ", then the connection drops
CUT_CLAUDE = Fault.stream_cut(after_events=5)  # message_start, block start, ping, "Hello ", "from "


def split(events: list[Any]) -> tuple[str, str, list[Seam]]:
    seams = [e for e in events if isinstance(e, Seam)]
    at = events.index(seams[0]) if seams else len(events)
    before = "".join(e.text for e in events[:at] if isinstance(e, TextDelta))
    after = "".join(e.text for e in events[at:] if isinstance(e, TextDelta))
    return before, after, seams


# --- the default for each kind of caller ------------------------------------------------------------------------


def test_events_caller_gets_a_restart_behind_a_seam_by_default(router: Router, cloud: MockCloud) -> None:
    cloud.script("oai-1", CUT_GPT)
    with router.stream("gpt", HI) as s:
        events = list(s)
    before, after, seams = split(events)
    assert before == "Hello from " and after == "Hello from oai-2." == s.response.text
    assert [x.resumed for x in seams] == ["restart"] and "discard the text before it" in seams[0].reason


def test_text_caller_is_never_handed_a_restarted_answer(router: Router, cloud: MockCloud) -> None:
    cloud.script("oai-1", CUT_GPT)
    got: list[str] = []
    with pytest.raises(StreamInterrupted) as info, router.stream("gpt", HI) as s:
        got.extend(s.text())
    assert "".join(got) == info.value.partial_text == "Hello from "
    assert not cloud.requests("oai-2"), "no request to a target that could only restart"
    skipped = info.value.trace[1]
    assert skipped.provider == "oai-2" and skipped.action == "skip" and "no prefill" in skipped.reason
    assert "iterate the stream's events" in str(info.value)
    assert info.value.error is not None and info.value.error.kind.value == "connection"


@pytest.mark.anyio
async def test_async_text_caller_skips_to_a_target_that_continues_the_text(router: Router, cloud: MockCloud) -> None:
    cloud.script("oai-1", CUT_GPT)
    try:
        s = router.astream("gpt-then-claude", HI)
        text = "".join([t async for t in s.text()])
    finally:
        await router.aclose()
    assert text == "Hello from anth-2." == s.response.text  # one coherent answer, no double space at the seam
    assert [(a.provider, a.action) for a in s.response.trace] == [
        ("oai-1", "failover"),
        ("oai-2", "skip"),
        ("anth-2", "served"),
    ]
    assert cloud.requests("anth-2")[-1].json["messages"][-1] == {"role": "assistant", "content": "Hello from"}
    assert not cloud.requests("oai-2")


def test_text_caller_gets_a_prefill_continuation(router: Router, cloud: MockCloud) -> None:
    cloud.script("anth-1", Fault.stall(after_events=5))
    with router.stream("claude", HI) as s:
        text = "".join(s.text())
    assert text == "Hello from anth-2." == s.response.text
    assert [x.resumed for x in s.seams] == ["prefill"] and "(timeout)" in s.seams[0].reason


def test_caller_reading_only_the_response_takes_a_restart(router: Router, cloud: MockCloud) -> None:
    cloud.script("oai-1", CUT_GPT)
    with router.stream("gpt", HI) as s:
        answer = s.response  # never iterated: the final answer is all this caller sees
    assert answer.text == "Hello from oai-2." and [x.resumed for x in s.seams] == ["restart"]


def test_continue_still_restarts_for_a_text_caller_who_checks_seams(router: Router, cloud: MockCloud) -> None:
    cloud.script("oai-1", CUT_GPT)
    with router.stream("gpt-continue", HI) as s:
        text = "".join(s.text())
    assert text == "Hello from Hello from oai-2." and [x.resumed for x in s.seams] == ["restart"]
    assert s.response.text == "Hello from oai-2."


# --- the seam names the break -----------------------------------------------------------------------------------


@pytest.mark.parametrize("alias", ["claude", "claude-continue"])
def test_seam_names_the_break_not_the_error_on_the_way(router: Router, cloud: MockCloud, alias: str) -> None:
    cloud.script("anth-1", CUT_CLAUDE)  # the break: connection
    cloud.script("anth-2", Fault.overloaded())  # then the next target fails before any content
    with router.stream(alias, HI) as s:
        events = list(s)
    before, after, seams = split(events)
    assert len(seams) == 1 and (seams[0].from_provider, seams[0].to_provider) == ("anth-1", "anth-3")
    assert "broke (connection)" in seams[0].reason and "overloaded" not in seams[0].reason
    assert before + after == "Hello from anth-3." == s.response.text


@pytest.mark.anyio
async def test_async_seam_names_the_break(router: Router, cloud: MockCloud) -> None:
    cloud.script("anth-1", Fault.malformed(after_events=5))
    cloud.script("anth-2", Fault.overloaded())
    try:
        s = router.astream("claude", HI)
        events = [e async for e in s]
    finally:
        await router.aclose()
    _, _, seams = split(events)
    assert "(malformed_response)" in seams[0].reason and "overloaded" not in seams[0].reason


# --- breakers: a streamed probe, and a probe on a hung target ---------------------------------------------------


def _open_breaker(router: Router, cloud: MockCloud) -> None:
    cloud.down("anth-1")
    for _ in range(5):  # breaker.failures: 5
        router.complete("claude", HI)
    cloud.up("anth-1")


def test_a_streamed_probe_closes_the_breaker_at_its_first_content(
    router: Router, cloud: MockCloud, clock: FakeClock
) -> None:
    _open_breaker(router, cloud)
    clock.advance(5)  # open_s: the next call is the probe
    cloud.script("anth-1", Fault.ok(text="one two three four five six seven eight", chunk_delay_s=0.05))
    with router.stream("claude", HI) as s:
        first = next(e for e in s if isinstance(e, TextDelta))
        # the probe's stream is still going; another call is already let through to the recovered target
        other = router.complete("claude", HI)
        rest = "".join(e.text for e in s if isinstance(e, TextDelta))
    assert first.text + rest == "one two three four five six seven eight"
    assert other.served_by is not None and other.served_by.provider == "anth-1"
    assert [a.action for a in other.trace] == ["served"]


def test_a_probe_waiting_on_a_hung_target_keeps_other_calls_out(
    router: Router, cloud: MockCloud, clock: FakeClock
) -> None:
    _open_breaker(router, cloud)
    cloud.set_default("anth-1", Fault.hang())
    clock.advance(5)
    probe_answer: list[Any] = []
    probe = threading.Thread(target=lambda: probe_answer.append(router.complete("claude", HI)))
    probe.start()
    give_up = time.monotonic() + 10
    while not cloud.requests("anth-1") and time.monotonic() < give_up:  # the probe has reached the hung target
        time.sleep(0.01)
    clock.advance(10)  # past open_s, still inside the probe attempt's own 30 s limit
    others = [router.complete("claude", HI) for _ in range(3)]
    probe.join(timeout=30)
    assert len(cloud.requests("anth-1")) == 1, "one probe in flight, never two"
    assert all(o.trace[0].reason.startswith("circuit half-open: a probe is in flight") for o in others)
    assert probe_answer and probe_answer[0].trace[0].kind.value == "timeout"  # 2 s first-byte limit (real time)
