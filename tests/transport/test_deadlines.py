"""Every call ends within its deadline (+0.5 s), whatever the server does at whatever point of the exchange.

A scripted socket server misbehaves in one way per case — silent before the status line, a trickled status line
or header, an endless header, an endless chunk-size line or chunk extension, a gzip header that never ends
(trickled or flooded), a trickled body, a flood, a hang after the headers, a hang mid-chunk, a hang after the
first streamed text — and each case runs the six ways to call: sync and async (httpx2 and aiohttp transports),
complete and stream, at once, each with ``deadline_s=1`` and every other limit at its 30 s default, so only the
deadline can end them. A call that outlives its deadline by more than 0.5 s fails the case.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest

from modelroute import ModelRouteError, Router

from ._scripted import Conn, Request, ScriptedServer, head, sse_events

DEADLINE_S = 1.0
LATE_S = 0.5
HI = [{"role": "user", "content": "Hi"}]


def _forever(prefix: bytes, filler: bytes = b"a") -> Iterator[bytes]:
    return itertools.chain((bytes([b]) for b in prefix), itertools.repeat(filler))


def silent(c: Conn, r: Request) -> None:
    c.hang()


def trickled_status_line(c: Conn, r: Request) -> None:
    c.trickle(_forever(b"HTTP/1.1 200 OK\r\nx-pad: "), 0.05)


def trickled_header(c: Conn, r: Request) -> None:
    c.send(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n")
    c.trickle(_forever(b"x-slow: "), 0.05)


def flooded_header(c: Conn, r: Request) -> None:
    c.send(b"HTTP/1.1 200 OK\r\nx-big: ")
    while True:
        c.send(b"a" * 65536)
        c.wait(0.005)


def endless_chunk_extension(c: Conn, r: Request) -> None:
    c.send(head(transfer_encoding="chunked", content_type="text/event-stream") + b"5;")
    c.trickle(_forever(b"ext="), 0.05)


def endless_chunk_size(c: Conn, r: Request) -> None:
    c.send(head(transfer_encoding="chunked", content_type="text/event-stream"))
    c.trickle(itertools.repeat(b"0"), 0.05)


_GZIP_NAME_NEVER_ENDS = bytes([0x1F, 0x8B, 8, 0x08, 0, 0, 0, 0, 0, 255])  # FNAME set: a file name follows, to NUL


def gzip_header_trickled(c: Conn, r: Request) -> None:
    c.send(head(content_encoding="gzip", content_length="100000000", content_type="application/json"))
    c.send(_GZIP_NAME_NEVER_ENDS)
    c.trickle(itertools.repeat(b"n" * 100), 0.05)


def gzip_header_flooded(c: Conn, r: Request) -> None:
    c.send(head(content_encoding="gzip", transfer_encoding="chunked", content_type="text/event-stream"))
    c.send(b"%x\r\n%s\r\n" % (len(_GZIP_NAME_NEVER_ENDS), _GZIP_NAME_NEVER_ENDS))
    piece = b"n" * 65536
    while True:
        c.send(b"%x\r\n%s\r\n" % (len(piece), piece))
        c.wait(0.005)


def trickled_body(c: Conn, r: Request) -> None:
    c.send(head(content_length="100000", content_type="application/json"))
    c.trickle(_forever(b'{"id": "x", "choices": ['), 0.05)


def flood(c: Conn, r: Request) -> None:
    c.send(head(content_length=str(10**11), content_type="application/json"))
    piece = b" " * 65536  # whitespace: never a complete JSON value, never an SSE event
    while True:
        c.send(piece)
        c.wait(0.002)


def hang_after_headers(c: Conn, r: Request) -> None:
    c.send(head(content_length="1000", content_type="application/json"))
    c.hang()


def hang_mid_chunk(c: Conn, r: Request) -> None:
    c.send(head(transfer_encoding="chunked", content_type="text/event-stream") + b"400\r\n" + b"data: {" * 10)
    c.hang()


def hang_after_text(c: Conn, r: Request) -> None:
    events = b"".join(itertools.islice(sse_events(["Hello", " there"]), 3))  # role, "Hello", " there": no end
    if not r.stream:
        c.send(head(content_length="100000", content_type="application/json") + b'{"id": "x", ')
    else:
        c.send(head(transfer_encoding="chunked", content_type="text/event-stream"))
        c.send(b"%x\r\n%s\r\n" % (len(events), events))
    c.hang()


CASES = [
    silent,
    trickled_status_line,
    trickled_header,
    flooded_header,
    endless_chunk_extension,
    endless_chunk_size,
    gzip_header_trickled,
    gzip_header_flooded,
    trickled_body,
    flood,
    hang_after_headers,
    hang_mid_chunk,
    hang_after_text,
]


def _config(url: str) -> dict[str, Any]:
    return {
        "providers": {"local": {"kind": "openai", "base_url": f"{url}/v1", "api_key": "${KEY}"}},
        "models": {"m": {"targets": ["local:gpt-x"]}},
        "defaults": {"deadline_s": 60},  # every per-attempt limit at its default (30 s); the call sets 1 s
    }


def _sync_complete(router: Router) -> None:
    router.complete("m", HI, deadline_s=DEADLINE_S)


def _sync_stream(router: Router) -> None:
    with router.stream("m", HI, deadline_s=DEADLINE_S) as s:
        list(s)


async def _async_complete(router: Router) -> None:
    await router.acomplete("m", HI, deadline_s=DEADLINE_S)


async def _async_stream(router: Router) -> None:
    async with router.astream("m", HI, deadline_s=DEADLINE_S) as s:
        _ = [e async for e in s]


def _timed(outcomes: dict[str, Any], name: str, fn: Callable[[], None]) -> None:
    start = time.monotonic()
    try:
        fn()
        outcomes[name] = ("answered", time.monotonic() - start)
    except ModelRouteError as e:
        outcomes[name] = (type(e).__name__, time.monotonic() - start)
    except BaseException as e:  # pragma: no cover - reported by the assertion below
        outcomes[name] = (f"crashed: {e!r}", time.monotonic() - start)


def _async_calls(outcomes: dict[str, Any], transport: str, url: str) -> None:
    async def one(name: str, router: Router, call: Callable[[Router], Any]) -> None:
        start = time.monotonic()
        try:
            await call(router)
            outcomes[name] = ("answered", time.monotonic() - start)
        except ModelRouteError as e:
            outcomes[name] = (type(e).__name__, time.monotonic() - start)

    async def main() -> None:
        async with Router.from_config(_config(url), env={"KEY": "k"}, transport=transport) as router:
            await asyncio.gather(
                one(f"async {transport} complete", router, _async_complete),
                one(f"async {transport} stream", router, _async_stream),
            )

    asyncio.run(main())


@pytest.mark.parametrize("script", CASES, ids=[c.__name__ for c in CASES])
def test_every_call_ends_within_its_deadline(script: Callable[[Conn, Request], None]) -> None:
    _all_six_within_the_deadline(script, "http")


def test_a_tls_handshake_that_never_completes() -> None:
    """``https://`` to a server that never answers the ClientHello: the deadline holds during the handshake."""
    _all_six_within_the_deadline(silent, "https")


def _all_six_within_the_deadline(script: Callable[[Conn, Request], None], scheme: str) -> None:
    outcomes: dict[str, Any] = {}
    with ScriptedServer(script) as server:
        url = server.url.replace("http:", f"{scheme}:")
        router = Router.from_config(_config(url), env={"KEY": "k"})
        threads = [
            threading.Thread(target=_timed, args=(outcomes, "sync complete", lambda: _sync_complete(router))),
            threading.Thread(target=_timed, args=(outcomes, "sync stream", lambda: _sync_stream(router))),
            threading.Thread(target=_async_calls, args=(outcomes, "httpx", url)),
            threading.Thread(target=_async_calls, args=(outcomes, "aiohttp", url)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(DEADLINE_S + LATE_S + 5)  # a call still running then is reported below; closing the server ends it
        late = {name: f"{what} after {s:.2f}s" for name, (what, s) in outcomes.items() if s > DEADLINE_S + LATE_S}
        missing = {"sync complete", "sync stream", *(f"async {t} {k}" for t in ("httpx", "aiohttp") for k in
                   ("complete", "stream"))} - set(outcomes)  # fmt: skip
    router.close()
    for t in threads:
        t.join(10)
    assert not missing, f"still running {DEADLINE_S + LATE_S + 5:g}s after a {DEADLINE_S:g}s deadline: {missing}"
    assert not late, f"ran past the {DEADLINE_S:g}s deadline by more than {LATE_S:g}s: {late}"
    assert all(what in {"AllTargetsFailed", "StreamInterrupted"} for what, _ in outcomes.values()), outcomes


def test_the_sync_deadline_holds_through_a_proxy_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """``HTTP_PROXY`` mounts a pool of its own: the deadline holds on that pool's sockets too."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    with ScriptedServer(trickled_status_line) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        config = _config("http://upstream.invalid")  # never resolved here: the proxy is asked for it
        with Router.from_config(config, env={"KEY": "k"}) as router:
            for call in (_sync_complete, _sync_stream):
                outcomes: dict[str, Any] = {}
                t = threading.Thread(target=_timed, args=(outcomes, "call", partial(call, router)), daemon=True)
                t.start()
                t.join(DEADLINE_S + LATE_S + 5)
                assert "call" in outcomes, "still running 5 s after its deadline"
                what, took = outcomes["call"]
                assert what == "AllTargetsFailed" and took < DEADLINE_S + LATE_S, outcomes
        assert proxy.requests == 2 and proxy.accepted == 2
