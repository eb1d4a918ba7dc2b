"""The transport seam: send bytes, get a status, headers and a byte stream back, within four time limits.

Implementations map every network failure to `ProviderTimeoutError` or `ProviderConnectionError`, so the router
sees one vocabulary whichever HTTP library is underneath.
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
    gap allowed between two body chunks. ``total_s``: the whole attempt, headers and body.
    """

    connect_s: float
    first_byte_s: float
    stall_s: float
    total_s: float


class SyncResponse(Protocol):
    status: int
    headers: Mapping[str, str]

    def iter_bytes(self) -> Iterator[bytes]: ...

    def read(self) -> bytes: ...

    def close(self) -> None: ...


class AsyncResponse(Protocol):
    status: int
    headers: Mapping[str, str]

    def aiter_bytes(self) -> AsyncIterator[bytes]: ...

    async def aread(self) -> bytes: ...

    async def aclose(self) -> None: ...


class SyncTransport(Protocol):
    """Blocking transport; one per provider entry, so each entry has its own connection pool."""

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
