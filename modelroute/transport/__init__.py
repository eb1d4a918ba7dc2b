"""HTTP transports: a tiny sync/async interface and its implementations, loaded lazily by name.

``httpx`` (httpx2) is the default. ``aiohttp`` (the ``aiohttp`` extra) is the faster asyncio transport under
concurrency; aiohttp has no blocking client, so its sync side is httpx2's. Importing this package does not
import any HTTP library.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._base import AsyncResponse, AsyncTransport, SyncResponse, SyncTransport, Timeouts

__all__ = [
    "AsyncResponse",
    "AsyncTransport",
    "SyncResponse",
    "SyncTransport",
    "Timeouts",
    "make_async_transport",
    "make_sync_transport",
]

_HTTPX = "modelroute.transport._httpx"

# name -> ((module, sync class), (module, async class))
_BACKENDS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "httpx": ((_HTTPX, "HttpxSyncTransport"), (_HTTPX, "HttpxAsyncTransport")),
    "aiohttp": ((_HTTPX, "HttpxSyncTransport"), ("modelroute.transport._aiohttp", "AiohttpAsyncTransport")),
}


def _load(name: str, which: int) -> Any:
    try:
        module, cls = _BACKENDS[name][which]
    except KeyError:
        raise ValueError(f"unknown transport {name!r}; known: {', '.join(sorted(_BACKENDS))}") from None
    return getattr(importlib.import_module(module), cls)


def make_sync_transport(name: str = "httpx", **options: Any) -> SyncTransport:
    """A new blocking transport (own connection pool) of the named backend."""
    transport: SyncTransport = _load(name, 0)(**options)
    return transport


def make_async_transport(name: str = "httpx", **options: Any) -> AsyncTransport:
    """A new asyncio transport (own connection pool) of the named backend."""
    transport: AsyncTransport = _load(name, 1)(**options)
    return transport
