"""A compression bomb is refused once its decoded bytes pass the cap, with bounded memory, and fails over.

The server answers with a small gzip body that expands a thousandfold: a JSON body of spaces for a plain call,
an SSE stream of pings (no content) for a stream. Each is a `MalformedResponseError` (``malformed_response``)
naming the cap, the call is served by the next target, and the memory the call allocated stays near the cap,
not near the expanded size.
"""

from __future__ import annotations

import asyncio
import tracemalloc
import zlib
from collections.abc import Callable
from functools import cache, partial
from typing import Any

from modelroute import Response, Router

from ._scripted import Conn, Request, ScriptedServer, good, head

HI = [{"role": "user", "content": "Hi"}]
MIB = 2**20


@cache
def _bomb(piece: bytes, mib: int) -> bytes:
    """``mib`` MiB of ``piece`` repeated, gzipped (about a thousandth of that on the wire)."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = piece * (MIB // len(piece))
    return b"".join([z.compress(block) for _ in range(mib)] + [z.flush()])


def _bomber(mib: int) -> Callable[[Conn, Request], bool]:
    def script(c: Conn, r: Request) -> bool:
        body = _bomb(b": ping\n\n", mib) if r.stream else _bomb(b" ", mib)
        kind = "text/event-stream" if r.stream else "application/json"
        c.send(head(content_encoding="gzip", content_length=str(len(body)), content_type=kind) + body)
        return True

    return script


def _config(bomb: str, fine: str, caps: dict[str, int]) -> dict[str, Any]:
    return {
        "providers": {
            "bomb": {"kind": "openai", "base_url": f"{bomb}/v1", "api_key": "${KEY}"},
            "fine": {"kind": "openai", "base_url": f"{fine}/v1", "api_key": "${KEY}"},
        },
        "models": {"m": {"targets": ["bomb:gpt-x", "fine:gpt-x"]}},
        "defaults": {"deadline_s": 30, **caps},
    }


def _check(r: Response, cap: int, what: str = "") -> None:
    assert r.served_by is not None and r.served_by.provider == "fine"
    first = r.trace[0]
    assert first.kind is not None and first.kind.value == "malformed_response"
    assert f"{what} exceeded {cap:,} bytes once decoded" in first.describe()


def _measured(fn: Callable[[], Response]) -> tuple[Response, int]:
    tracemalloc.start()
    try:
        r = fn()
        return r, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _run_all(config: dict[str, Any], cap: int, bound: int) -> None:
    def sync(stream: bool) -> Response:
        with Router.from_config(config, env={"KEY": "k"}) as router:
            if not stream:
                return router.complete("m", HI)
            with router.stream("m", HI) as s:
                list(s)
            return s.response

    def aio(stream: bool, transport: str) -> Response:
        async def main() -> Response:
            async with Router.from_config(config, env={"KEY": "k"}, transport=transport) as router:
                if not stream:
                    return await router.acomplete("m", HI)
                async with router.astream("m", HI) as s:
                    _ = [e async for e in s]
                return await s.get_final_response()

        return asyncio.run(main())

    for stream in (False, True):
        runs = [partial(sync, stream), partial(aio, stream, "httpx"), partial(aio, stream, "aiohttp")]
        for run in runs:
            r, peak = _measured(run)
            _check(r, cap, "stream" if stream else "body")
            assert peak < bound, f"{peak / MIB:.1f} MiB allocated at the peak"


def test_a_gzip_bomb_is_refused_at_the_configured_cap() -> None:
    with ScriptedServer(_bomber(64)) as bomb, ScriptedServer(good) as fine:
        config = _config(bomb.url, fine.url, {"max_body_bytes": MIB, "max_stream_bytes": MIB})
        _run_all(config, MIB, 20 * MIB)  # 64 MiB decoded if read whole


def test_the_default_body_cap_holds_too() -> None:
    """Without settings, a body is refused past 32 MiB decoded (a stream's default, 256 MiB, in all)."""
    with ScriptedServer(_bomber(64)) as bomb, ScriptedServer(good) as fine:
        with Router.from_config(_config(bomb.url, fine.url, {}), env={"KEY": "k"}) as router:
            r, peak = _measured(lambda: router.complete("m", HI))
    _check(r, 32 * MIB, "body")
    assert peak < 48 * MIB
