"""The network backends we put under httpx2's connection pools (through httpcore2's ``network_backend`` seam).

**Sync: the attempt deadline, held at the socket.** Every connect, TLS handshake, read and write httpcore2 does
is given at most what is left of the attempt that is running it.

httpcore2 sets a socket timeout per operation (its connect / read / write timeouts), so a server that sends one
byte just before each timeout — a trickled status line, an endless header or chunk-size extension, a gzip header
that never ends — would keep a blocking call alive forever; a check between body chunks never runs while nothing
decodes. The running attempt's `Budget` is published in a context variable around each call into httpx2 (in the
calling thread: a blocking request runs where it is called), and `_DeadlineStream` caps each operation's timeout
at ``budget.until() - now``, raising httpcore2's own timeout once nothing is left.

**Async: a TLS handshake that is cancelled closes its socket.** httpcore2 closes the TCP stream when a handshake
fails with an exception, but not when the task is cancelled (a deadline, a hedge race lost), which left the
socket to the garbage collector and its ResourceWarning. `_SafeTLSStream` closes it; its reads and writes are the
inner stream's own bound methods, so nothing is added to the data path.
"""

from __future__ import annotations

import contextvars
import ssl
import time
from collections.abc import Iterable
from typing import Any, TypeVar

import httpcore2
import httpx2

from ._timed import Budget

__all__ = ["ATTEMPT", "install"]

_B = TypeVar("_B", httpcore2.NetworkBackend, httpcore2.AsyncNetworkBackend)

#: the budget of the attempt running in this context (set by the sync transport around each call into httpx2)
ATTEMPT: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("modelroute_attempt", default=None)


def _capped(timeout: float | None, expired: type[Exception]) -> float | None:
    budget = ATTEMPT.get()
    if budget is None:
        return timeout
    left = budget.until() - time.monotonic()
    if left <= 0:
        raise expired("the attempt's deadline passed")
    return left if timeout is None or left < timeout else timeout


class _DeadlineStream(httpcore2.NetworkStream):
    __slots__ = ("_inner",)

    def __init__(self, inner: httpcore2.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _capped(timeout, httpcore2.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _capped(timeout, httpcore2.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore2.NetworkStream:
        tls = self._inner.start_tls(ssl_context, server_hostname, _capped(timeout, httpcore2.ConnectTimeout))
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore2.NetworkBackend):
    def __init__(self, inner: httpcore2.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.NetworkStream:
        limit = _capped(timeout, httpcore2.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_tcp(host, port, limit, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore2.NetworkStream:
        limit = _capped(timeout, httpcore2.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, limit, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _SafeTLSStream(httpcore2.AsyncNetworkStream):
    def __init__(self, inner: httpcore2.AsyncNetworkStream) -> None:
        self._inner = inner
        self.read = inner.read  # type: ignore[method-assign]  # the inner stream's own: no extra call per read
        self.write = inner.write  # type: ignore[method-assign]
        self.aclose = inner.aclose  # type: ignore[method-assign]
        self.get_extra_info = inner.get_extra_info  # type: ignore[method-assign]

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore2.AsyncNetworkStream:
        try:
            return await self._inner.start_tls(ssl_context, server_hostname, timeout)
        except BaseException:  # cancelled mid-handshake: httpcore2 closes the socket only on an Exception
            await self._inner.aclose()
            raise


class _SafeTLSBackend(httpcore2.AsyncNetworkBackend):
    def __init__(self, inner: httpcore2.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        return _SafeTLSStream(await self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore2.AsyncNetworkStream:
        return _SafeTLSStream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def install(client: httpx2.Client | httpx2.AsyncClient) -> None:
    """Put our backend under every connection pool of ``client`` (its own and the proxies' it mounted from the
    environment), before any connection exists: `_DeadlineBackend` for a sync client, `_SafeTLSBackend` for an
    async one. httpx2 builds its pools itself and exposes no ``network_backend`` option, so this reaches them
    through the attributes httpx2 and httpcore2 keep them under; if those change, it fails here, loudly, rather
    than leaving calls without their deadline."""
    if isinstance(client, httpx2.Client):
        _wrap_pools(client, httpcore2.NetworkBackend, _DeadlineBackend)
    else:
        _wrap_pools(client, httpcore2.AsyncNetworkBackend, _SafeTLSBackend)


def _wrap_pools(client: httpx2.Client | httpx2.AsyncClient, kind: type[_B], wrapper: type[_B]) -> None:
    transports = [client._transport, *(t for t in client._mounts.values() if t is not None)]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if not isinstance(backend, kind):
            raise RuntimeError(
                f"httpx2 {httpx2.__version__}: cannot find the connection pool's network backend of "
                f"{type(transport).__name__}; modelroute needs it to hold deadlines (pin the httpx2 version "
                "in requirements.lock)"
            )
        if not isinstance(backend, wrapper):
            pool._network_backend = wrapper(backend)  # type: ignore[call-arg,union-attr]
