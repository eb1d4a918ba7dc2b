"""A stream is over at its end marker (``data: [DONE]``, ``message_stop``), whatever the server does next.

The server sends a complete answer and then keeps the body open — silent, or with bytes that are not an event —
without ever ending it. The call returns the complete answer at once (not a `StreamInterrupted` when the stall
or the deadline fires) and closes that connection, on every driver and transport.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from modelroute import Response, Router

from ._scripted import Conn, Request, ScriptedServer, head, sse_events

HI = [{"role": "user", "content": "Hi"}]


def _anthropic_events() -> list[bytes]:
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role":
            "assistant", "model": "claude-x", "content": [], "usage": {"input_tokens": 3, "output_tokens": 1}}}),
        ("content_block_start", {"type": "content_block_start", "index": 0,
                                 "content_block": {"type": "text", "text": ""}}),
        ("ping", {"type": "ping"}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                 "delta": {"type": "text_delta", "text": "Hello there"}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                           "usage": {"output_tokens": 2}}),
        ("message_stop", {"type": "message_stop"}),
    ]  # fmt: skip
    return [f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events]


def _holder(after: bytes) -> Callable[[Conn, Request], None]:
    def script(c: Conn, r: Request) -> None:
        events = _anthropic_events() if r.path.endswith("/messages") else list(sse_events(["Hello", " there"]))
        c.send(head(transfer_encoding="chunked", content_type="text/event-stream"))
        for event in events:
            c.send(b"%x\r\n%s\r\n" % (len(event), event))
        if after:
            c.send(b"%x\r\n%s\r\n" % (len(after), after))
        c.hang()  # the body is never ended

    return script


def _config(url: str, kind: str) -> dict[str, Any]:
    base = f"{url}/v1" if kind == "openai" else url
    return {
        "providers": {"local": {"kind": kind, "base_url": base, "api_key": "${KEY}"}},
        "models": {"m": {"targets": [f"local:{'gpt-x' if kind == 'openai' else 'claude-x'}"]}},
        "defaults": {"deadline_s": 10, "stall_timeout_s": 30},
    }


@pytest.mark.parametrize("after", [b"", b"data: {not an event", b": keep-alive\n\n"], ids=["silent", "junk", "ping"])
@pytest.mark.parametrize("kind", ["openai", "anthropic"])
def test_the_end_marker_ends_the_stream(kind: str, after: bytes) -> None:
    with ScriptedServer(_holder(after)) as server:
        config = _config(server.url, kind)

        def check(r: Response, text: str, elapsed: float) -> None:
            assert text == "Hello there" and r.text == "Hello there"
            assert [a.action for a in r.trace] == ["served"]
            assert elapsed < 3.0  # not the 10 s deadline, nor the 30 s stall limit

        with Router.from_config(config, env={"KEY": "k"}) as router:
            start = time.monotonic()
            with router.stream("m", HI) as s:
                text = "".join(s.text())
            check(s.response, text, time.monotonic() - start)

        async def main(transport: str) -> None:
            async with Router.from_config(config, env={"KEY": "k"}, transport=transport) as router:
                start = time.monotonic()
                async with router.astream("m", HI) as s:
                    text = "".join([t async for t in s.text()])
                check(await s.get_final_response(), text, time.monotonic() - start)

        asyncio.run(main("httpx"))
        asyncio.run(main("aiohttp"))
        assert server.accepted == 3
        assert server.wait_open(0) == 0  # the unfinished bodies' connections were closed, not pooled
