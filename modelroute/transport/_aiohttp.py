"""The aiohttp transport (asyncio only; the ``aiohttp`` extra): the same four time limits, the same errors.

Chosen with ``Router(transport="aiohttp")``. Under concurrency it costs a fraction of httpx2's CPU per request
(see BENCHMARKS.md), because its connection pool and HTTP parser are compiled. aiohttp has no blocking client,
so the sync side of this backend is the httpx2 one.

Time limits: ``sock_connect`` is the connect timeout; aiohttp's socket read timeout bounds the wait for the
response headers (``first_byte_s``) and is widened once they are in, as a backstop; the body is read under exact
asyncio timeouts (the first chunk within ``first_byte_s``, later ones within ``stall_s``), all within the
attempt's ``total_s``. A body that is already complete when the headers arrive (the usual JSON answer) is taken
without any timer.
"""

from __future__ import annotations

import asyncio
import urllib.request
from collections.abc import AsyncIterator, Mapping
from typing import Any, NoReturn

try:
    import aiohttp
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "the aiohttp transport needs aiohttp: pip install 'modelroute[aiohttp]'",
        name=e.name,
    ) from e

from ..exceptions import MalformedResponseError, ProviderConnectionError, ProviderError, ProviderTimeoutError
from ._base import Timeouts
from ._timed import timed_chunks, total_exceeded

__all__ = ["AiohttpAsyncTransport"]


def _raise_mapped(e: BaseException, t: Timeouts, phase: str) -> NoReturn:
    """Turn an aiohttp failure into our vocabulary. ``phase`` is ``headers`` or ``body``."""
    err: ProviderError
    if isinstance(e, aiohttp.ConnectionTimeoutError):
        err = ProviderTimeoutError(f"could not connect within {t.connect_s:g}s")
    elif isinstance(e, aiohttp.ServerTimeoutError):
        what = f"no response headers within {t.first_byte_s:g}s" if phase == "headers" else "the stream stalled"
        err = ProviderTimeoutError(what)
    elif isinstance(e, aiohttp.ClientConnectorError):
        refused = isinstance(e.os_error, ConnectionRefusedError) or "refused" in str(e).lower()
        err = ProviderConnectionError("connection refused" if refused else f"could not connect: {e}")
    elif isinstance(e, aiohttp.ClientPayloadError) and "encod" in str(e).lower():
        err = MalformedResponseError(f"the response body could not be decoded: {e}")
    elif isinstance(e, aiohttp.ClientError | OSError):
        where = "before answering" if phase == "headers" else "in the middle of the answer"
        err = ProviderConnectionError(f"the connection broke {where}: {e or type(e).__name__}")
    else:  # pragma: no cover - aiohttp raises only the above
        err = ProviderConnectionError(f"{type(e).__name__}: {e}")
    raise err from None  # an aiohttp error may hold the request, and its headers hold the credentials


class _AsyncResponse:
    __slots__ = ("_deadline", "_resp", "_t", "headers", "status")

    def __init__(self, resp: aiohttp.ClientResponse, t: Timeouts, deadline: float) -> None:
        self._resp = resp
        self._t = t
        self._deadline = deadline
        self.status = resp.status
        self.headers: Mapping[str, str] = resp.headers

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        return timed_chunks(self._read_chunk, self._t, self._deadline)

    async def _read_chunk(self) -> bytes:
        try:
            return await self._resp.content.readany()
        except (aiohttp.ClientError, OSError) as e:  # aiohttp's own timeouts are ClientErrors too
            _raise_mapped(e, self._t, "body")

    async def aread(self) -> bytes:
        if self._resp.content.is_eof():  # already all here: no timer needed
            try:
                return await self._resp.read()
            except (aiohttp.ClientError, OSError) as e:
                _raise_mapped(e, self._t, "body")
        return b"".join([c async for c in self.aiter_bytes()])

    async def aclose(self) -> None:
        self._resp.release()


class AiohttpAsyncTransport:
    """Asyncio transport over one ``aiohttp.ClientSession`` (made on first use, in the running loop).

    ``max_keepalive`` is accepted for the same signature as the httpx2 transport; aiohttp keeps every idle
    connection of its pool for ``keepalive_expiry_s``. ``trust_env`` honours the ``*_PROXY`` variables set when
    the session opens.
    """

    def __init__(
        self,
        *,
        max_connections: int = 256,
        max_keepalive: int | None = None,
        keepalive_expiry_s: float = 30.0,
        verify: bool = True,
        trust_env: bool = True,
    ) -> None:
        self._max_connections = max_connections
        self._keepalive_expiry_s = keepalive_expiry_s
        self._verify = verify
        self._trust_env = trust_env
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._max_connections,
            limit_per_host=0,
            keepalive_timeout=self._keepalive_expiry_s,
            ssl=self._verify,  # aiohttp's own default context (built once per process) or no verification
        )
        # With trust_env, aiohttp looks the proxy up for every request, in a worker thread (two thread hops a
        # request). Where the environment names no proxy there is nothing to look up, so it is not asked to.
        trust_env = self._trust_env and bool(urllib.request.getproxies())
        self._session = aiohttp.ClientSession(
            connector=connector,
            trust_env=trust_env,
            timeout=aiohttp.ClientTimeout(total=None),
            auto_decompress=True,
        )
        return self._session

    async def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes, timeouts: Timeouts
    ) -> _AsyncResponse:
        session = self._session or self._open()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeouts.total_s
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=min(timeouts.connect_s, timeouts.total_s),
            sock_read=min(timeouts.first_byte_s, timeouts.total_s),
        )
        kw: dict[str, Any] = {"headers": headers, "data": body, "timeout": timeout, "allow_redirects": False}
        try:
            async with asyncio.timeout_at(deadline):
                resp = await session.request(method, url, **kw)
        except aiohttp.ClientError as e:  # first: aiohttp's own timeouts are also TimeoutErrors
            _raise_mapped(e, timeouts, "headers")
        except TimeoutError:  # before OSError, whose subclass it is
            raise total_exceeded(timeouts) from None
        except OSError as e:
            _raise_mapped(e, timeouts, "headers")
        # The asyncio timeouts in aiter_bytes are exact; aiohttp's read timeout stays only as a backstop, strictly
        # later than them. Its setter does not move the timer already armed for the headers' first_byte_s, so
        # re-arm it: otherwise, on a loaded machine, that timer fires before ours and names the wrong limit.
        conn = resp.connection
        if conn is not None and conn.protocol is not None:
            conn.protocol.read_timeout = max(timeouts.first_byte_s, timeouts.stall_s) * 2 + 1.0
            conn.protocol.start_timeout()
        return _AsyncResponse(resp, timeouts, deadline)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
