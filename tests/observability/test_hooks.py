"""Hooks through the mock cloud: typed payloads for every attempt, answer, failure and breaker change, from sync
and async calls, to sync and async hooks; none of them on the call's path (a blocked hook, sync or async, does not
hold a call up), run in the caller's context, their failures logged and harmless, their backlog bounded."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from typing import Any

import pytest

from modelroute.exceptions import AllTargetsFailed
from modelroute.observability import AttemptInfo, BreakerChange, ErrorInfo, Hooks, ResponseInfo
from modelroute.testing import FakeClock, Fault, MockCloud

from .conftest import CONFIG, make_router

HI = [{"role": "user", "content": "Hi"}]
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class Seen:
    def __init__(self) -> None:
        self.items: list[Any] = []
        self.threads: set[str] = set()

    def hooks(self, **options: Any) -> Hooks:
        def keep(x: Any) -> None:
            self.items.append(x)
            self.threads.add(threading.current_thread().name)

        return Hooks(on_attempt=keep, on_response=keep, on_error=keep, on_breaker_change=keep, **options)

    def of(self, kind: type) -> list[Any]:
        return [x for x in self.items if isinstance(x, kind)]


@pytest.mark.parametrize("mode", ["complete", "stream", "acomplete", "astream"])
def test_every_attempt_and_the_answer_reach_the_hooks_typed(mode: str, cloud: MockCloud, clock: FakeClock) -> None:
    seen = Seen()
    hooks = seen.hooks()
    router = make_router(cloud, clock, hooks=hooks)
    cloud.script("azure", Fault.unavailable())
    cloud.script("bedrock", Fault.ok(text="hello"))
    tags = {"team": "search"}
    if mode == "complete":
        router.complete("chat", HI, tags=tags)
    elif mode == "stream":
        with router.stream("chat", HI, tags=tags) as s:
            list(s)
    else:

        async def run() -> None:
            if mode == "acomplete":
                await router.acomplete("chat", HI, tags=tags)
            else:
                async with router.astream("chat", HI, tags=tags) as s:
                    [e async for e in s]

        asyncio.run(run())
    router.close()
    assert hooks.flush()
    first, second = seen.of(AttemptInfo)
    assert (first.provider, first.outcome, first.action, first.error_kind, first.status) == (
        "azure",
        "error",
        "failover",
        "overloaded",
        503,
    )
    assert first.number == 1 and first.kind == "azure_openai" and first.cloud == "azure" and first.tags == tags
    assert (second.provider, second.outcome, second.action, second.number) == ("bedrock", "ok", "served", 2)
    assert second.usage is not None and second.region == "eu-central-1"
    assert first.cost is None and second.cost is not None and second.cost.amount > 0  # where the router prices
    assert first.streamed is second.streamed is mode.endswith("stream")
    (answer,) = seen.of(ResponseInfo)
    assert (answer.alias, answer.provider, answer.attempts, answer.failovers) == ("chat", "bedrock", 2, 1)
    assert answer.streamed is mode.endswith("stream") and answer.tags == tags and answer.usage is not None
    assert answer.cost is not None and answer.cost.amount == second.cost.amount
    assert seen.of(ErrorInfo) == []
    assert seen.threads == {"modelroute-hooks"}  # never the caller's thread


def test_a_failed_call_and_an_abandoned_stream_reach_on_error(cloud: MockCloud, clock: FakeClock) -> None:
    seen = Seen()
    hooks = seen.hooks()
    router = make_router(cloud, clock, hooks=hooks)
    for name in ("azure", "bedrock", "openai"):
        cloud.script(name, Fault.quota_exhausted())
    with pytest.raises(AllTargetsFailed):
        router.complete("chat", HI)
    clock.advance(10_000)  # the cooldowns are over
    cloud.script("azure", Fault.ok(text="a long answer that nobody reads to the end"))
    stream = router.stream("chat", [{"role": "user", "content": "again"}])
    next(iter(stream))
    stream.close()
    router.close()
    assert hooks.flush()
    failed, abandoned = seen.of(ErrorInfo)
    assert failed.error_type == "AllTargetsFailed" and failed.attempts == 3 and "every target" in failed.message
    assert abandoned.error_type == "abandoned" and abandoned.streamed and abandoned.attempts == 1
    assert [a.error_kind for a in seen.of(AttemptInfo)[:3]] == ["quota_exhausted"] * 3


def test_breaker_changes_reach_on_breaker_change(cloud: MockCloud, clock: FakeClock) -> None:
    seen = Seen()
    hooks = seen.hooks()
    config = {**CONFIG, "defaults": {"deadline_s": 30, "breaker": {"failures": 2, "open_s": 5}}}
    router = make_router(cloud, clock, config, hooks=hooks)
    cloud.script("azure", Fault.server_error(), Fault.server_error())
    router.complete("chat", HI)
    clock.advance(6)
    router.complete("chat", HI)
    router.close()
    assert hooks.flush()
    moves = [(c.target, c.old, c.new) for c in seen.of(BreakerChange)]
    assert moves == [
        ("azure/gpt-prod", "closed", "open"),
        ("azure/gpt-prod", "open", "half_open"),
        ("azure/gpt-prod", "half_open", "closed"),
    ]
    opened = seen.of(BreakerChange)[0]
    assert opened.reopen_in_s == pytest.approx(5) and "consecutive failures" in opened.reason


def test_async_hooks_run_as_tasks_of_the_calls_loop_or_on_the_worker(cloud: MockCloud, clock: FakeClock) -> None:
    loops: list[Any] = []

    async def on_response(info: ResponseInfo) -> None:
        loops.append(asyncio.get_running_loop())

    hooks = Hooks(on_response=on_response)
    router = make_router(cloud, clock, hooks=hooks)

    async def run() -> Any:
        await router.acomplete("chat", HI)
        await asyncio.sleep(0)  # the hook's task runs on the next turn of the loop
        return asyncio.get_running_loop()

    call_loop = asyncio.run(run())
    router.complete("chat", HI)  # a sync call: no loop here, so the worker thread's loop runs it
    assert hooks.flush()
    router.close()
    assert loops[0] is call_loop and loops[1] is not call_loop and len(loops) == 2


def test_a_blocked_sync_hook_does_not_hold_up_the_call(cloud: MockCloud, clock: FakeClock) -> None:
    release = threading.Event()
    entered = threading.Event()

    def on_attempt(info: AttemptInfo) -> None:
        entered.set()
        release.wait(30)

    hooks = Hooks(on_attempt=on_attempt)
    router = make_router(cloud, clock, hooks=hooks)
    try:
        for _ in range(3):
            assert router.complete("chat", HI).text  # the hook of the first attempt is still blocked
        assert entered.wait(10)
        assert not hooks.flush(timeout_s=0.05)  # the events wait behind the blocked hook
    finally:
        release.set()
    assert hooks.flush()
    router.close()


def test_a_blocked_async_hook_does_not_hold_up_the_call_or_its_deadline(cloud: MockCloud, clock: FakeClock) -> None:
    async def on_response(info: ResponseInfo) -> None:
        await asyncio.Event().wait()  # never set

    router = make_router(cloud, clock, hooks=Hooks(on_response=on_response), async_sleep=asyncio.sleep)

    async def run() -> list[str]:
        answers = []
        for _ in range(3):
            answer = await asyncio.wait_for(router.acomplete("chat", HI), timeout=20)
            answers.append(answer.text)
        return answers

    assert all(asyncio.run(run()))  # asyncio.run cancels the hooks' pending tasks at its end
    router.close()


def test_hooks_see_the_callers_context(cloud: MockCloud, clock: FakeClock) -> None:
    ids: list[str] = []
    hooks = Hooks(on_response=lambda info: ids.append(request_id.get()))
    router = make_router(cloud, clock, hooks=hooks)
    for rid in ("r-1", "r-2"):
        token = request_id.set(rid)
        router.complete("chat", HI)
        request_id.reset(token)
    assert hooks.flush()
    router.close()
    assert ids == ["r-1", "r-2"]


def test_a_failing_hook_is_logged_once_and_the_call_goes_on(
    cloud: MockCloud, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="modelroute")

    def broken(info: AttemptInfo) -> None:
        raise ValueError("my metrics backend is down")

    async def broken_async(info: ResponseInfo) -> None:
        raise KeyError("no such series")

    hooks = Hooks(on_attempt=broken, on_response=broken_async)
    router = make_router(cloud, clock, hooks=hooks)
    for _ in range(3):
        assert router.complete("chat", HI).text
    asyncio.run(router.acomplete("chat", HI))
    assert hooks.flush()
    router.close()
    failures = [r for r in caplog.records if getattr(r, "modelroute_event", None) == "hook_failed"]
    levels = sorted(r.levelno for r in failures)  # each hook's first failure of a type: ERROR; then DEBUG
    assert levels == [logging.DEBUG] * 6 + [logging.ERROR] * 2
    first = next(r for r in failures if "ValueError" in r.getMessage())
    assert "ValueError: my metrics backend is down" in first.getMessage() and first.levelno == logging.ERROR
    assert first.exc_info is not None and "the call was not affected" in first.getMessage()


def test_a_backlog_past_max_pending_drops_events_with_one_warning(
    cloud: MockCloud, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    release = threading.Event()
    hooks = Hooks(on_attempt=lambda info: release.wait(30), max_pending=2)
    router = make_router(cloud, clock, hooks=hooks)
    try:
        for _ in range(6):
            router.complete("chat", HI)
    finally:
        release.set()
    assert hooks.flush()
    router.close()
    assert 3 <= hooks.dropped <= 4  # 6 events: one taken by the blocked worker (maybe not yet), 2 waiting
    warnings = [r for r in caplog.records if getattr(r, "modelroute_event", None) == "hooks_behind"]
    assert len(warnings) == 1
