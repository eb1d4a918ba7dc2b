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
    "warm",
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


def warm(name: str = "httpx") -> None:
    """Import the named backend and build what all its pools share (the TLS context), so that a router's first
    request does not pay for it. Raises `ValueError` for an unknown name, `ImportError` for a missing extra."""
    for which in (0, 1):
        _load(name, which)
    importlib.import_module(_HTTPX).warm()


def make_sync_transport(name: str = "httpx", **options: Any) -> SyncTransport:
    """A new blocking transport (own connection pool) of the named backend. ``options``: ``max_connections``,
    ``max_body_bytes`` (a whole body, decoded), ``max_stream_bytes`` (a stream in all, decoded), ``verify``,
    ``trust_env``, ``max_keepalive``, ``keepalive_expiry_s``."""
    transport: SyncTransport = _load(name, 0)(**options)
    return transport


def make_async_transport(name: str = "httpx", **options: Any) -> AsyncTransport:
    """A new asyncio transport (own connection pool) of the named backend; the options of `make_sync_transport`.
    Its connections belong to the event loop that first uses it."""
    transport: AsyncTransport = _load(name, 1)(**options)
    return transport
