"""The sync attempt deadline, held at the socket: every connect, TLS handshake, read and write httpcore2 does is
given at most what is left of the attempt that is running it.

httpcore2 sets a socket timeout per operation (its connect / read / write timeouts), so a server that sends one
byte just before each timeout — a trickled status line, an endless header or chunk-size extension, a gzip header
that never ends — would keep a blocking call alive forever; a check between body chunks never runs while nothing
decodes. The running attempt's `Budget` is published in a context variable around each call into httpx2 (in the
calling thread: a blocking request runs where it is called), and `_DeadlineStream` caps each operation's timeout
at ``budget.until() - now``, raising httpcore2's own timeout once nothing is left. The connection pools take the
backend through httpcore2's ``network_backend`` seam (`install`).
"""

from __future__ import annotations

import contextvars
import ssl
import time
from collections.abc import Iterable
from typing import Any

import httpcore2
import httpx2

from ._timed import Budget

__all__ = ["ATTEMPT", "install"]

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


def install(client: httpx2.Client) -> None:
    """Put `_DeadlineBackend` under every connection pool of ``client`` (its own and the proxies' it mounted
    from the environment), before any connection exists. httpx2 builds its pools itself and exposes no
    ``network_backend`` option, so this reaches them through the attributes httpx2 and httpcore2 keep them
    under; if those change, it fails here, loudly, rather than leaving calls without their deadline."""
    transports = [client._transport, *(t for t in client._mounts.values() if t is not None)]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if not isinstance(backend, httpcore2.NetworkBackend):
            raise RuntimeError(
                f"httpx2 {httpx2.__version__}: cannot find the connection pool's network backend of "
                f"{type(transport).__name__}; modelroute needs it to hold sync deadlines (pin the httpx2 version "
                "in requirements.lock)"
            )
        if not isinstance(backend, _DeadlineBackend):
            pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]
