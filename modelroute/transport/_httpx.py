"""The default transport, on httpx2: one pooled client per provider entry, sync and async.

Time limits: httpx2's own connect timeout; its read timeout bounds the wait for the response headers
(``first_byte_s``) and, once they are in, each body read (``stall_s``; we switch it in the request's timeout
extension, which httpcore reads when the body starts). The attempt's ``total_s`` (and, until the first content,
``first_token_s``) holds at the socket: on the sync side every socket connect, read and write is capped at what
is left of it (`_backends`, under httpcore2's pools), so a server that trickles its headers or sends bytes that
never decode into anything cannot hold a call past its deadline. The async side puts the headers under one
asyncio timer, the first body chunk under ``first_byte_s`` and every later chunk under an exact asyncio timeout
(and its pools close a socket whose TLS handshake that timer cancelled). Decoded bytes are counted as they
arrive (`Budget.count`), so a compression bomb is refused after ``max_body_bytes`` / ``max_stream_bytes``, not
after it filled the memory.
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
from . import _backends
from ._base import Timeouts
from ._timed import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_STREAM_BYTES,
    DRAIN_BYTES,
    DRAIN_S,
    Budget,
    drain,
    timed_chunks,
)

__all__ = ["HttpxAsyncTransport", "HttpxSyncTransport", "warm"]


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


def warm(verify: bool = True, trust_env: bool = True) -> None:
    """Pay now, not in a first request, what every pool shares: the TLS context (the module is imported)."""
    _ssl_context(verify, trust_env)


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


def _raise_mapped(e: Exception, b: Budget, phase: str, now: float) -> NoReturn:
    """Turn an httpx2 failure into our vocabulary. ``phase`` is ``headers`` or ``body``; ``now`` is on the
    budget's clock, to tell the attempt's own deadlines from httpx2's per-read timeouts."""
    err: ProviderError
    t = b.t
    if isinstance(e, httpx2.TimeoutException) and b.passed(now):
        err = b.expired()
    elif isinstance(e, httpx2.ConnectTimeout):
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
    __slots__ = ("_budget", "_caps", "_iter", "_resp", "headers", "status")

    def __init__(self, resp: httpx2.Response, budget: Budget, caps: tuple[int, int]) -> None:
        self._resp = resp
        self._budget = budget
        self._caps = caps
        self._iter: Iterator[bytes] | None = None
        self.status = resp.status_code
        self.headers: Mapping[str, str] = resp.headers

    def _chunks(self, cap: int, what: str) -> Iterator[bytes]:
        """Decoded chunks, each read with the attempt's budget published to the sockets (`_backends`)."""
        budget, chunks, attempt = self._budget, self._resp.iter_bytes(), _backends.ATTEMPT
        while True:
            token = attempt.set(budget)
            try:
                chunk = next(chunks, None)
            except httpx2.HTTPError as e:
                _raise_mapped(e, budget, "body", time.monotonic())
            finally:
                attempt.reset(token)
            if chunk is None:
                return
            budget.count(len(chunk), cap, what)
            if budget.passed(time.monotonic()):  # chunks decoded from bytes already in hand need no socket read
                raise budget.expired()
            yield chunk

    def iter_bytes(self) -> Iterator[bytes]:
        self._iter = self._chunks(self._caps[1], "stream")
        return self._iter

    def read(self) -> bytes:
        return b"".join(self._chunks(self._caps[0], "body"))

    def content_started(self) -> None:
        self._budget.content_started()

    def drain(self) -> None:
        if self._iter is None:
            return
        self._budget.drain_by(time.monotonic() + DRAIN_S)
        taken = 0
        try:
            for chunk in self._iter:
                taken += len(chunk)
                if taken > DRAIN_BYTES:
                    return
        except ProviderError:  # it did not come at once, or is broken: close() closes the connection
            return

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
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_stream_bytes: int = DEFAULT_MAX_STREAM_BYTES,
    ) -> None:
        self._client = httpx2.Client(
            limits=_limits(max_connections, max_keepalive, keepalive_expiry_s),
            verify=_ssl_context(verify, trust_env),
            trust_env=trust_env,
            follow_redirects=False,
        )
        _backends.install(self._client)
        self._caps = (max_body_bytes, max_stream_bytes)

    def send(self, method: str, url: str, headers: Mapping[str, str], body: bytes, timeouts: Timeouts) -> _SyncResponse:
        start = time.monotonic()
        budget = Budget(timeouts, start)
        req = self._client.build_request(
            method, _url(url), headers=headers, content=body, timeout=_httpx_timeout(timeouts)
        )
        token = _backends.ATTEMPT.set(budget)
        try:
            resp = self._client.send(req, stream=True)
        except httpx2.HTTPError as e:
            _raise_mapped(e, budget, "headers", time.monotonic())
        finally:
            _backends.ATTEMPT.reset(token)
        if budget.passed(time.monotonic()):
            resp.close()
            raise budget.expired()
        req.extensions["timeout"]["read"] = timeouts.stall_s  # the sockets cap it at what is left
        return _SyncResponse(resp, budget, self._caps)

    def close(self) -> None:
        self._client.close()


class _AsyncResponse:
    __slots__ = ("_budget", "_caps", "_iter", "_resp", "headers", "status")

    def __init__(self, resp: httpx2.Response, budget: Budget, caps: tuple[int, int]) -> None:
        self._resp = resp
        self._budget = budget
        self._caps = caps
        self._iter: AsyncIterator[bytes] | None = None
        self.status = resp.status_code
        self.headers: Mapping[str, str] = resp.headers

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        chunks = self._resp.aiter_bytes().__aiter__()
        loop = asyncio.get_running_loop()

        async def read() -> bytes:
            try:
                return await chunks.__anext__()
            except StopAsyncIteration:
                return b""
            except httpx2.HTTPError as e:
                _raise_mapped(e, self._budget, "body", loop.time())

        self._iter = timed_chunks(read, self._budget, self._caps[1], loop)
        return self._iter

    async def aread(self) -> bytes:
        """The whole body, within the same limits as `aiter_bytes`, under one timer moved along chunk by chunk."""
        loop = asyncio.get_running_loop()
        budget, cap = self._budget, self._caps[0]
        t, deadline = budget.t, budget.deadline
        gap, first = t.first_byte_s, True
        chunks: list[bytes] = []
        at = loop.time() + gap
        try:
            async with asyncio.timeout_at(min(at, deadline)) as timer:
                async for chunk in self._resp.aiter_bytes():
                    budget.count(len(chunk), cap, "body")
                    chunks.append(chunk)
                    if first:
                        gap, first = t.stall_s, False
                    at = loop.time() + gap
                    timer.reschedule(min(at, deadline))
        except TimeoutError:
            if at >= deadline:
                raise budget.expired() from None
            what = "no first chunk within" if first else "the stream stalled: no bytes for"
            raise ProviderTimeoutError(f"{what} {gap:g}s") from None
        except httpx2.HTTPError as e:
            _raise_mapped(e, budget, "body", loop.time())
        return b"".join(chunks)

    def content_started(self) -> None:
        self._budget.content_started()

    async def adrain(self) -> None:
        await drain(self._iter, self._budget, asyncio.get_running_loop())

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
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_stream_bytes: int = DEFAULT_MAX_STREAM_BYTES,
    ) -> None:
        self._client = httpx2.AsyncClient(
            limits=_limits(max_connections, max_keepalive, keepalive_expiry_s),
            verify=_ssl_context(verify, trust_env),
            trust_env=trust_env,
            follow_redirects=False,
        )
        _backends.install(self._client)
        self._caps = (max_body_bytes, max_stream_bytes)

    async def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes, timeouts: Timeouts
    ) -> _AsyncResponse:
        loop = asyncio.get_running_loop()
        budget = Budget(timeouts, loop.time())
        req = self._client.build_request(
            method, _url(url), headers=headers, content=body, timeout=_httpx_timeout(timeouts)
        )
        try:
            async with asyncio.timeout_at(budget.until()):
                resp = await self._client.send(req, stream=True)
        except TimeoutError:
            raise budget.expired() from None
        except httpx2.HTTPError as e:
            _raise_mapped(e, budget, "headers", loop.time())
        # The asyncio timeouts in aiter_bytes are exact; httpx2's read timeout stays only as a backstop.
        req.extensions["timeout"]["read"] = max(timeouts.first_byte_s, timeouts.stall_s)
        return _AsyncResponse(resp, budget, self._caps)

    async def aclose(self) -> None:
        await self._client.aclose()
