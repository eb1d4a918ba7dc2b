"""The transport seam: send bytes, get a status, headers and a byte stream back, within the attempt's limits.

Implementations map every network failure to `ProviderTimeoutError` or `ProviderConnectionError` (and a body
larger than its cap to `MalformedResponseError`), so the router sees one vocabulary whichever HTTP library is
underneath.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

__all__ = ["AsyncResponse", "AsyncTransport", "SyncResponse", "SyncTransport", "Timeouts"]


@dataclass(frozen=True, slots=True)
class Timeouts:
    """The time limits of one attempt, in seconds.

    ``connect_s``: to open the TCP/TLS connection. ``first_byte_s``: from sending the request to the response
    headers (and, for streams, to the first body bytes where the transport can tell). ``stall_s``: the longest
    gap allowed between two body chunks. ``total_s``: the whole attempt, headers and body: it holds on every
    socket read and write, however the server trickles. ``first_token_s`` (streams): from sending the request
    until the caller says the first content arrived (`SyncResponse.content_started`), whether or not bytes
    arrive meanwhile.
    """

    connect_s: float
    first_byte_s: float
    stall_s: float
    total_s: float
    first_token_s: float | None = None


class SyncResponse(Protocol):
    """``iter_bytes`` (a stream; at most ``max_stream_bytes`` decoded in all) or ``read`` (a whole body; at most
    ``max_body_bytes``); then ``close``, which closes the connection if the body was not read to its end."""

    status: int
    headers: Mapping[str, str]

    def iter_bytes(self) -> Iterator[bytes]: ...

    def read(self) -> bytes: ...

    def content_started(self) -> None:
        """The caller got its first content: the ``first_token_s`` limit no longer applies."""

    def drain(self) -> None:
        """The caller has its whole answer (from `iter_bytes`): read the rest of the body only if it comes at once,
        so that the connection can be reused; if it does not, `close` closes the connection."""

    def close(self) -> None: ...


class AsyncResponse(Protocol):
    """The async twin of `SyncResponse`."""

    status: int
    headers: Mapping[str, str]

    def aiter_bytes(self) -> AsyncIterator[bytes]: ...

    async def aread(self) -> bytes: ...

    def content_started(self) -> None: ...

    async def adrain(self) -> None: ...

    async def aclose(self) -> None: ...


class SyncTransport(Protocol):
    """Blocking transport; one per provider entry, so each entry has its own connection pool. Built with
    ``max_connections``, ``max_body_bytes`` and ``max_stream_bytes`` (see `make_sync_transport`)."""

    def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes, timeouts: Timeouts
    ) -> SyncResponse: ...

    def close(self) -> None: ...


class AsyncTransport(Protocol):
    """Asyncio transport; one per provider entry."""

    async def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes, timeouts: Timeouts
    ) -> AsyncResponse: ...

    async def aclose(self) -> None: ...
