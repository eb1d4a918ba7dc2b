"""The default transport, on httpx2: one pooled client per provider entry, sync and async.

Time limits: httpx2's own connect timeout; its read timeout bounds the wait for the response headers
(``first_byte_s``) and, once they are in, each body read (``stall_s``; we switch it in the request's timeout
extension, which httpcore reads when the body starts). The attempt's ``total_s`` is checked between chunks,
and the async side also puts the first body chunk under ``first_byte_s`` (time to first token) and every
later chunk under an exact asyncio timeout.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import NoReturn

import httpx2

from ..exceptions import MalformedResponseError, ProviderConnectionError, ProviderError, ProviderTimeoutError
from ._base import Timeouts
from ._timed import timed_chunks, total_exceeded

__all__ = ["HttpxAsyncTransport", "HttpxSyncTransport"]


def _limits(max_connections: int, max_keepalive: int | None, keepalive_expiry_s: float) -> httpx2.Limits:
    return httpx2.Limits(
        max_connections=max_connections,
        max_keepalive_connections=min(max_connections, 64) if max_keepalive is None else max_keepalive,
        keepalive_expiry=keepalive_expiry_s,
    )


@functools.cache
def _ssl_context(verify: bool, trust_env: bool) -> ssl.SSLContext:
    """One TLS context per process and setting, shared by every pool: building one (loading the CA bundle)
    costs tens of milliseconds, which each provider entry's first request would otherwise pay."""
    return httpx2.create_ssl_context(verify=verify, trust_env=trust_env)


@functools.lru_cache(maxsize=512)
def _url(url: str) -> httpx2.URL:
    """Parsed once: a provider entry sends to one or two URLs, and httpx2's parser costs tens of µs a call."""
    return httpx2.URL(url)


@functools.lru_cache(maxsize=512)
def _httpx_timeout(t: Timeouts) -> httpx2.Timeout:
    return httpx2.Timeout(
        connect=min(t.connect_s, t.total_s),
        read=min(t.first_byte_s, t.total_s),
        write=t.total_s,
        pool=t.total_s,
    )


def _raise_mapped(e: Exception, t: Timeouts, phase: str) -> NoReturn:
    """Turn an httpx2 failure into our vocabulary. ``phase`` is ``headers`` or ``body``."""
    err: ProviderError
    if isinstance(e, httpx2.ConnectTimeout):
        err = ProviderTimeoutError(f"could not connect within {t.connect_s:g}s")
    elif isinstance(e, httpx2.PoolTimeout):
        err = ProviderTimeoutError(f"no free connection in the pool within {t.total_s:g}s")
    elif isinstance(e, httpx2.ReadTimeout):
        what = (
            f"no response headers within {t.first_byte_s:g}s"
            if phase == "headers"
            else (f"the stream stalled: no bytes for {t.stall_s:g}s")
        )
        err = ProviderTimeoutError(what)
    elif isinstance(e, httpx2.TimeoutException):
        err = ProviderTimeoutError(f"timed out ({type(e).__name__})")
    elif isinstance(e, httpx2.ConnectError):
        refused = "refused" in str(e).lower()
        err = ProviderConnectionError("connection refused" if refused else f"could not connect: {e}")
    elif isinstance(e, httpx2.DecodingError):
        err = MalformedResponseError(f"the response body could not be decoded: {e}")
    elif isinstance(e, httpx2.RemoteProtocolError | httpx2.ReadError | httpx2.WriteError | httpx2.CloseError):
        where = "before answering" if phase == "headers" else "in the middle of the answer"
        err = ProviderConnectionError(f"the connection broke {where}: {e or type(e).__name__}")
    else:
        err = ProviderConnectionError(f"{type(e).__name__}: {e}")
    raise err from None  # an httpx2 error holds the request, and its headers hold the credentials


class _SyncResponse:
    __slots__ = ("_deadline", "_resp", "_t", "headers", "status")

    def __init__(self, resp: httpx2.Response, t: Timeouts, deadline: float) -> None:
        self._resp = resp
        self._t = t
        self._deadline = deadline
        self.status = resp.status_code
        self.headers: Mapping[str, str] = resp.headers

    def iter_bytes(self) -> Iterator[bytes]:
        try:
            for chunk in self._resp.iter_bytes():
                yield chunk
                if time.monotonic() > self._deadline:
                    raise total_exceeded(self._t)
        except httpx2.HTTPError as e:
            _raise_mapped(e, self._t, "body")

    def read(self) -> bytes:
        return b"".join(self.iter_bytes())

    def close(self) -> None:
        self._resp.close()


class HttpxSyncTransport:
    """Blocking transport over ``httpx2.Client``."""

    def __init__(
        self,
        *,
        max_connections: int = 256,
        max_keepalive: int | None = None,
        keepalive_expiry_s: float = 30.0,
        verify: bool = True,
        trust_env: bool = True,
    ) -> None:
        self._client = httpx2.Client(
            limits=_limits(max_connections, max_keepalive, keepalive_expiry_s),
            verify=_ssl_context(verify, trust_env),
            trust_env=trust_env,
            follow_redirects=False,
        )

    def send(self, method: str, url: str, headers: Mapping[str, str], body: bytes, timeouts: Timeouts) -> _SyncResponse:
        start = time.monotonic()
        req = self._client.build_request(
            method, _url(url), headers=headers, content=body, timeout=_httpx_timeout(timeouts)
        )
        try:
            resp = self._client.send(req, stream=True)
        except httpx2.HTTPError as e:
            _raise_mapped(e, timeouts, "headers")
        remaining = timeouts.total_s - (time.monotonic() - start)
        if remaining <= 0:
            resp.close()
            raise total_exceeded(timeouts)
        req.extensions["timeout"]["read"] = min(timeouts.stall_s, remaining)
        return _SyncResponse(resp, timeouts, start + timeouts.total_s)

    def close(self) -> None:
        self._client.close()


class _AsyncResponse:
    __slots__ = ("_deadline", "_resp", "_t", "headers", "status")

    def __init__(self, resp: httpx2.Response, t: Timeouts, deadline: float) -> None:
        self._resp = resp
        self._t = t
        self._deadline = deadline
        self.status = resp.status_code
        self.headers: Mapping[str, str] = resp.headers

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        chunks = self._resp.aiter_bytes().__aiter__()

        async def read() -> bytes:
            try:
                return await chunks.__anext__()
            except StopAsyncIteration:
                return b""
            except httpx2.HTTPError as e:
                _raise_mapped(e, self._t, "body")

        return timed_chunks(read, self._t, self._deadline)

    async def aread(self) -> bytes:
        """The whole body, within the same limits as `aiter_bytes`, under one timer moved along chunk by chunk."""
        loop = asyncio.get_running_loop()
        t, deadline = self._t, self._deadline
        gap, first = t.first_byte_s, True
        chunks: list[bytes] = []
        at = loop.time() + gap
        try:
            async with asyncio.timeout_at(min(at, deadline)) as timer:
                async for chunk in self._resp.aiter_bytes():
                    chunks.append(chunk)
                    if first:
                        gap, first = t.stall_s, False
                    at = loop.time() + gap
                    timer.reschedule(min(at, deadline))
        except TimeoutError:
            if at >= deadline:
                raise total_exceeded(t) from None
            what = "no first chunk within" if first else "the stream stalled: no bytes for"
            raise ProviderTimeoutError(f"{what} {gap:g}s") from None
        except httpx2.HTTPError as e:
            _raise_mapped(e, t, "body")
        return b"".join(chunks)

    async def aclose(self) -> None:
        await self._resp.aclose()


class HttpxAsyncTransport:
    """Asyncio transport over ``httpx2.AsyncClient``."""

    def __init__(
        self,
        *,
        max_connections: int = 256,
        max_keepalive: int | None = None,
        keepalive_expiry_s: float = 30.0,
        verify: bool = True,
        trust_env: bool = True,
    ) -> None:
        self._client = httpx2.AsyncClient(
            limits=_limits(max_connections, max_keepalive, keepalive_expiry_s),
            verify=_ssl_context(verify, trust_env),
            trust_env=trust_env,
            follow_redirects=False,
        )

    async def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes, timeouts: Timeouts
    ) -> _AsyncResponse:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeouts.total_s
        req = self._client.build_request(
            method, _url(url), headers=headers, content=body, timeout=_httpx_timeout(timeouts)
        )
        try:
            async with asyncio.timeout_at(deadline):
                resp = await self._client.send(req, stream=True)
        except TimeoutError:
            raise total_exceeded(timeouts) from None
        except httpx2.HTTPError as e:
            _raise_mapped(e, timeouts, "headers")
        # The asyncio timeouts in aiter_bytes are exact; httpx2's read timeout stays only as a backstop.
        req.extensions["timeout"]["read"] = max(timeouts.first_byte_s, timeouts.stall_s)
        return _AsyncResponse(resp, timeouts, deadline)

    async def aclose(self) -> None:
        await self._client.aclose()
