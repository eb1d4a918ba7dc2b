"""The aiohttp transport (asyncio only; the ``aiohttp`` extra): the same four time limits, the same errors.

Chosen with ``Router(transport="aiohttp")``. Under concurrency it costs a fraction of httpx2's CPU per request
(see BENCHMARKS.md), because its connection pool and HTTP parser are compiled. aiohttp has no blocking client,
so the sync side of this backend is the httpx2 one.

Time limits: ``sock_connect`` is the connect timeout; aiohttp's socket read timeout bounds the wait for the
response headers (``first_byte_s``) and is widened once they are in, as a backstop; the body is read under exact
asyncio timeouts (the first chunk within ``first_byte_s``, later ones within ``stall_s``), all within the
attempt's ``total_s`` (and ``first_token_s`` until the first content). A body that is already complete when the
headers arrive (the usual JSON answer) is taken without any timer. aiohttp decompresses in bounded pieces as the
body is read, and the decoded bytes are counted against ``max_body_bytes`` / ``max_stream_bytes`` as they come.
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
from ._timed import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_STREAM_BYTES, Budget, drain, timed_chunks

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
    __slots__ = ("_budget", "_caps", "_iter", "_resp", "headers", "status")

    def __init__(self, resp: aiohttp.ClientResponse, budget: Budget, caps: tuple[int, int]) -> None:
        self._resp = resp
        self._budget = budget
        self._caps = caps
        self._iter: AsyncIterator[bytes] | None = None
        self.status = resp.status
        self.headers: Mapping[str, str] = resp.headers

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        self._iter = timed_chunks(self._read_chunk, self._budget, self._caps[1], asyncio.get_running_loop())
        return self._iter

    async def _read_chunk(self) -> bytes:
        try:
            return await self._resp.content.readany()
        except (aiohttp.ClientError, OSError) as e:  # aiohttp's own timeouts are ClientErrors too
            _raise_mapped(e, self._budget.t, "body")

    async def aread(self) -> bytes:
        cap = self._caps[0]
        if self._resp.content.is_eof():  # already all here: no timer needed
            try:
                body = await self._resp.read()
            except (aiohttp.ClientError, OSError) as e:
                _raise_mapped(e, self._budget.t, "body")
            self._budget.count(len(body), cap, "body")
            return body
        chunks = timed_chunks(self._read_chunk, self._budget, cap, asyncio.get_running_loop(), "body")
        return b"".join([c async for c in chunks])

    def content_started(self) -> None:
        self._budget.content_started()

    async def adrain(self) -> None:
        await drain(self._iter, self._budget, asyncio.get_running_loop())

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
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_stream_bytes: int = DEFAULT_MAX_STREAM_BYTES,
    ) -> None:
        self._caps = (max_body_bytes, max_stream_bytes)
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
        budget = Budget(timeouts, loop.time())
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=min(timeouts.connect_s, timeouts.total_s),
            sock_read=min(timeouts.first_byte_s, timeouts.total_s),
        )
        kw: dict[str, Any] = {"headers": headers, "data": body, "timeout": timeout, "allow_redirects": False}
        try:
            async with asyncio.timeout_at(budget.until()):
                resp = await session.request(method, url, **kw)
        except aiohttp.ClientError as e:  # first: aiohttp's own timeouts are also TimeoutErrors
            _raise_mapped(e, timeouts, "headers")
        except TimeoutError:  # before OSError, whose subclass it is
            raise budget.expired() from None
        except OSError as e:
            _raise_mapped(e, timeouts, "headers")
        # The asyncio timeouts in aiter_bytes are exact; aiohttp's read timeout stays only as a backstop, strictly
        # later than them. Its setter does not move the timer already armed for the headers' first_byte_s, so
        # re-arm it: otherwise, on a loaded machine, that timer fires before ours and names the wrong limit.
        conn = resp.connection
        if conn is not None and conn.protocol is not None:
            conn.protocol.read_timeout = max(timeouts.first_byte_s, timeouts.stall_s) * 2 + 1.0
            conn.protocol.start_timeout()
        return _AsyncResponse(resp, budget, self._caps)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
