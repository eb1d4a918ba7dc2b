"""HTTP transports: a tiny sync/async interface and its implementations, loaded lazily by name.

``httpx`` (httpx2) is the default. Importing this package does not import any HTTP library.
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

# name -> (module, sync class, async class)
_BACKENDS: dict[str, tuple[str, str, str]] = {
    "httpx": ("modelroute.transport._httpx", "HttpxSyncTransport", "HttpxAsyncTransport"),
}


def _load(name: str, which: int) -> Any:
    try:
        module, *classes = _BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown transport {name!r}; known: {', '.join(sorted(_BACKENDS))}") from None
    return getattr(importlib.import_module(module), classes[which])


def make_sync_transport(name: str = "httpx", **options: Any) -> SyncTransport:
    """A new blocking transport (own connection pool) of the named backend."""
    transport: SyncTransport = _load(name, 0)(**options)
    return transport


def make_async_transport(name: str = "httpx", **options: Any) -> AsyncTransport:
    """A new asyncio transport (own connection pool) of the named backend."""
    transport: AsyncTransport = _load(name, 1)(**options)
    return transport
