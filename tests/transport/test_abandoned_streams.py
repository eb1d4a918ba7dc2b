"""A stream dropped the ways users drop them gives its connection back at once, without a garbage collection.

The server sends some text and then keeps each stream open, so only the client can end it. With a pool of four
connections and the garbage collector off, six streams are abandoned — a ``break``, a reference let go
mid-stream, an exception in the loop body, a ``break`` out of ``text()`` — and the next calls must still get a
connection at once. Nothing may be printed on stderr or logged.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from modelroute import Router

from ._scripted import Conn, Request, ScriptedServer, good, head, openai_json, sse_events

HI = [{"role": "user", "content": "Hi"}]


def _never_ending_stream(c: Conn, r: Request) -> bool:
    if not r.stream:
        c.send(openai_json())
        return True
    c.send(head(transfer_encoding="chunked", content_type="text/event-stream"))
    for event in list(sse_events(["Hello", " there"]))[:3]:  # text, but no end: the stream stays open
        c.send(b"%x\r\n%s\r\n" % (len(event), event))
    c.hang()
    return False


def _config(url: str) -> dict[str, Any]:
    return {
        "providers": {"local": {"kind": "openai", "base_url": f"{url}/v1", "api_key": "${KEY}", "max_connections": 4}},
        "models": {"m": {"targets": ["local:gpt-x"]}},
        "defaults": {"deadline_s": 2, "stall_timeout_s": 30},
    }


@pytest.fixture
def no_gc() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _Boom(Exception):
    pass


def _break(router: Router) -> None:
    for _ in router.stream("m", HI):
        break


def _drop_mid_stream(router: Router) -> None:
    s = router.stream("m", HI)
    it = iter(s)
    next(it)
    next(it)
    del s, it


def _raise_in_body(router: Router) -> None:
    try:
        for _ in router.stream("m", HI):
            raise _Boom
    except _Boom:
        pass


def _break_out_of_text(router: Router) -> None:
    for _ in router.stream("m", HI).text():
        break


SYNC: list[Callable[[Router], None]] = [_break, _drop_mid_stream, _raise_in_body, _break_out_of_text]


def test_sync_streams_dropped_give_their_connections_back(
    no_gc: None, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    with (
        ScriptedServer(_never_ending_stream) as server,
        Router.from_config(_config(server.url), env={"KEY": "k"}) as router,
    ):
        for abandon in SYNC + SYNC[:2]:  # six streams through a pool of four
            abandon(router)
        assert server.wait_open(0) == 0  # each one's connection was closed when it was dropped
        for _ in range(3):
            assert router.complete("m", HI).text == "Hello"  # within the 2 s deadline: the pool has room
    assert capfd.readouterr().err == ""
    assert not caplog.records, [r.getMessage() for r in caplog.records]


async def _abreak(router: Router) -> None:
    async for _ in router.astream("m", HI):
        break


async def _adrop_mid_stream(router: Router) -> None:
    s = router.astream("m", HI)
    it = aiter(s)
    await anext(it)
    await anext(it)
    del s, it


async def _araise_in_body(router: Router) -> None:
    try:
        async for _ in router.astream("m", HI):
            raise _Boom
    except _Boom:
        pass


async def _abreak_out_of_text(router: Router) -> None:
    async for _ in router.astream("m", HI).text():
        break


ASYNC = [_abreak, _adrop_mid_stream, _araise_in_body, _abreak_out_of_text]


@pytest.mark.parametrize("transport", ["httpx", "aiohttp"])
def test_async_streams_dropped_give_their_connections_back(
    transport: str, no_gc: None, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)

    async def main(server: ScriptedServer) -> None:
        async with Router.from_config(_config(server.url), env={"KEY": "k"}, transport=transport) as router:
            for abandon in ASYNC + ASYNC[:2]:
                await abandon(router)
            for _ in range(3):
                assert (await router.acomplete("m", HI)).text == "Hello"

    with ScriptedServer(_never_ending_stream) as server:
        asyncio.run(main(server))
        assert server.wait_open(0) == 0
    assert capfd.readouterr().err == ""
    assert not caplog.records, [r.getMessage() for r in caplog.records]


def test_a_stream_read_to_its_end_keeps_its_connection() -> None:
    """The other side of it: a stream that ended cleanly hands its connection back to the pool for reuse."""
    with ScriptedServer(good) as server, Router.from_config(_config(server.url), env={"KEY": "k"}) as router:
        for _ in range(5):
            with router.stream("m", HI) as s:
                assert "".join(s.text()) == "Hello there"
            assert router.complete("m", HI).text == "Hello"
        assert server.accepted == 1
