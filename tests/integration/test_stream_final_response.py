"""The final answer of a stream, sync and async alike: ``response`` after the end; before the end, the sync
stream consumes the rest and the async one says to ``await get_final_response()``; after a failed stream, the
same error again (never an AssertionError); after an early close, a clear error."""

from __future__ import annotations

from typing import Any

import pytest

from modelroute import Router, StreamInterrupted, TextDelta
from modelroute.testing import Fault, MockCloud

CONFIG: dict[str, Any] = {
    "providers": {"anth": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"}},
    "models": {"claude": {"targets": ["anth:claude-sonnet-5-5"]}},
    "defaults": {"stall_timeout_s": 0.3},
}
HI = [{"role": "user", "content": "Hello there"}]


def test_sync_response_after_a_failed_stream_raises_the_same_error(router: Router, cloud: MockCloud) -> None:
    cloud.script("anth", Fault.stream_cut(after_events=5))
    s = router.stream("claude", HI)
    with pytest.raises(StreamInterrupted) as first:
        "".join(s.text())
    for read in (lambda: s.response, s.get_final_response):
        with pytest.raises(StreamInterrupted) as again:
            read()
        assert again.value is first.value and again.value.partial_text == "Hello from "
    s.close()


def test_sync_response_before_the_end_reads_the_rest(router: Router, cloud: MockCloud) -> None:
    with router.stream("claude", HI) as s:
        first = next(e for e in s if isinstance(e, TextDelta))
        assert s.response.text == "Hello from anth." and first.text == "Hello "
        assert s.get_final_response() is s.response


def test_sync_response_read_first_raises_the_streams_error(router: Router, cloud: MockCloud) -> None:
    cloud.script("anth", Fault.malformed(after_events=5))
    with router.stream("claude", HI) as s, pytest.raises(StreamInterrupted):
        s.response  # noqa: B018 - reading it runs the stream


def test_sync_response_after_an_early_close_says_so(router: Router, cloud: MockCloud) -> None:
    s = router.stream("claude", HI)
    next(iter(s))
    s.close()
    with pytest.raises(RuntimeError, match="closed before it ended"):
        s.response  # noqa: B018


@pytest.mark.anyio
async def test_async_final_response_and_response_after_the_end(router: Router, cloud: MockCloud) -> None:
    try:
        async with router.astream("claude", HI) as s:
            with pytest.raises(RuntimeError, match=r"await stream\.get_final_response\(\)"):
                s.response  # noqa: B018 - not ended yet
            answer = await s.get_final_response()  # consumes the whole stream
        assert answer.text == "Hello from anth." and s.response is answer
        async with router.astream("claude", HI) as s2:
            text = "".join([t async for t in s2.text()])
        assert s2.response.text == text == "Hello from anth."
    finally:
        await router.aclose()


@pytest.mark.anyio
async def test_async_response_after_a_failed_stream_raises_the_same_error(router: Router, cloud: MockCloud) -> None:
    cloud.script("anth", Fault.stall(after_events=5))
    try:
        s = router.astream("claude", HI)
        with pytest.raises(StreamInterrupted) as first:
            async for _ in s:
                pass
        with pytest.raises(StreamInterrupted) as again:
            s.response  # noqa: B018
        assert again.value is first.value
        with pytest.raises(StreamInterrupted) as third:
            await s.get_final_response()
        assert third.value is first.value
        await s.aclose()
    finally:
        await router.aclose()


@pytest.mark.anyio
async def test_async_response_after_an_early_close_says_so(router: Router, cloud: MockCloud) -> None:
    try:
        s = router.astream("claude", HI)
        await s.__aiter__().__anext__()
        await s.aclose()
        with pytest.raises(RuntimeError, match="closed before it ended"):
            s.response  # noqa: B018
        with pytest.raises(RuntimeError, match="closed before it ended"):
            await s.get_final_response()
    finally:
        await router.aclose()
