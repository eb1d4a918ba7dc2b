"""``first_token_timeout_s`` is a timer: it fires when no content came in time, whether bytes arrive or not
(silence before the headers, silence after them, a stream of pings or empty deltas), on every driver and
transport, set in ``defaults`` or per alias. The call then fails over to the next target."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import pytest

from modelroute import Router

from ._scripted import Conn, Request, ScriptedServer, good, head, sse_events

LIMIT_S = 0.3
HI = [{"role": "user", "content": "Hi"}]


def _silent(c: Conn, r: Request) -> None:
    c.hang()


def _headers_then_nothing(c: Conn, r: Request) -> None:
    c.send(head(transfer_encoding="chunked", content_type="text/event-stream"))
    c.hang()


def _pings(c: Conn, r: Request) -> None:
    c.send(head(transfer_encoding="chunked", content_type="text/event-stream"))
    role = next(sse_events([]))  # the role chunk: an empty delta, not content
    c.send(b"%x\r\n%s\r\n" % (len(role), role))
    c.trickle(itertools.repeat(b"8\r\n: ping\n\n\r\n"), 0.05)


def _config(slow: str, fast: str, where: str) -> dict[str, Any]:
    alias: dict[str, Any] = {"targets": ["slow:gpt-x", "fast:gpt-x"]}
    defaults: dict[str, Any] = {"deadline_s": 20}  # first-byte and stall limits at their 30 s defaults
    (alias if where == "alias" else defaults)["first_token_timeout_s"] = LIMIT_S
    return {
        "providers": {
            "slow": {"kind": "openai", "base_url": f"{slow}/v1", "api_key": "${KEY}"},
            "fast": {"kind": "openai", "base_url": f"{fast}/v1", "api_key": "${KEY}"},
        },
        "models": {"m": alias},
        "defaults": defaults,
    }


def _check(text: str, trace: list[Any], elapsed: float) -> None:
    assert text == "Hello there"
    assert [a.provider for a in trace] == ["slow", "fast"]
    assert trace[0].kind.value == "timeout" and "first-token timeout of 0.3s" in trace[0].describe()
    assert elapsed < 5.0  # the timer fires at 0.3 s; without it the 20 s deadline or a 30 s limit would


@pytest.mark.parametrize("where", ["defaults", "alias"])
@pytest.mark.parametrize("script", [_silent, _headers_then_nothing, _pings], ids=["silent", "headers", "pings"])
def test_first_token_timer_fires_without_bytes_and_fails_over(script: Any, where: str) -> None:
    with ScriptedServer(script) as slow, ScriptedServer(good) as fast:
        config = _config(slow.url, fast.url, where)
        with Router.from_config(config, env={"KEY": "k"}) as router:
            start = time.monotonic()
            with router.stream("m", HI) as s:
                text = "".join(s.text())
            _check(text, s.response.trace, time.monotonic() - start)

        async def main(transport: str) -> None:
            async with Router.from_config(config, env={"KEY": "k"}, transport=transport) as router:
                start = time.monotonic()
                async with router.astream("m", HI) as s:
                    text = "".join([t async for t in s.text()])
                _check(text, (await s.get_final_response()).trace, time.monotonic() - start)

        asyncio.run(main("httpx"))
        asyncio.run(main("aiohttp"))


def test_the_timer_stops_at_the_first_content() -> None:
    """Text that started in time may take longer than the first-token limit to finish (stall rules apply)."""

    def slow_words(c: Conn, r: Request) -> None:
        c.send(head(transfer_encoding="chunked", content_type="text/event-stream"))
        for event in sse_events(["Hello", " there"]):
            c.send(b"%x\r\n%s\r\n" % (len(event), event))
            c.wait(0.15)  # five more events after the first text: ~0.75 s in all, past the 0.3 s limit
        c.send(b"0\r\n\r\n")

    with ScriptedServer(slow_words) as slow, ScriptedServer(good) as fast:
        with Router.from_config(_config(slow.url, fast.url, "alias"), env={"KEY": "k"}) as router:
            with router.stream("m", HI) as s:
                assert "".join(s.text()) == "Hello there"
            assert s.response.served_by is not None and s.response.served_by.provider == "slow"
