"""A non-streamed body read (``aread``) keeps the first-chunk, stall and total limits on both async transports."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from modelroute.exceptions import ProviderTimeoutError
from modelroute.transport import Timeouts, make_async_transport

BACKENDS = ["httpx", "aiohttp"]


class _Server:
    """Answers any request with headers at once, then each body part after its delay (seconds)."""

    def __init__(self, body_parts: list[tuple[float, bytes]]) -> None:
        self.parts = body_parts
        self.done = asyncio.Event()
        self.handlers: list[asyncio.Task[None]] = []

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.handlers.append(asyncio.current_task())  # type: ignore[arg-type]
        total = sum(len(p) for _, p in self.parts) + 10
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % total)
            for delay, part in self.parts:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.done.wait(), delay)
                if self.done.is_set():
                    return
                writer.write(part)
            await self.done.wait()
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def stop(self) -> None:
        self.done.set()
        await asyncio.gather(*self.handlers, return_exceptions=True)
        self.server.close()
        await self.server.wait_closed()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _read(backend: str, parts: list[tuple[float, bytes]], t: Timeouts) -> str:
    """The message of the `ProviderTimeoutError` that reading the body raised."""
    server = _Server(parts)
    port = await server.start()
    transport = make_async_transport(backend)
    message = "no timeout"
    try:
        resp = await transport.send("POST", f"http://127.0.0.1:{port}/x", {}, b"{}", t)
        try:
            await resp.aread()
        except ProviderTimeoutError as e:
            message = str(e)
        finally:
            await resp.aclose()
    finally:
        await transport.aclose()
        await server.stop()
    return message


@pytest.mark.anyio
@pytest.mark.parametrize("backend", BACKENDS)
async def test_no_first_chunk(backend: str) -> None:
    assert "no first chunk within 0.2s" in await _read(backend, [(1.0, b"{}")], Timeouts(2, 0.2, 5, 5))


@pytest.mark.anyio
@pytest.mark.parametrize("backend", BACKENDS)
async def test_stall_between_chunks(backend: str) -> None:
    message = await _read(backend, [(0, b'{"a":'), (1.0, b"1}")], Timeouts(2, 5, 0.2, 5))
    assert "stalled: no bytes for 0.2s" in message


@pytest.mark.anyio
@pytest.mark.parametrize("backend", BACKENDS)
async def test_total_limit_while_reading(backend: str) -> None:
    parts = [(0, b"{"), (0.15, b'"a"'), (0.15, b":1"), (0.15, b"}")]
    assert "ran past its 0.35s limit" in await _read(backend, parts, Timeouts(2, 5, 0.3, 0.35))
