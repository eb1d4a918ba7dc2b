"""What both asyncio transports share: a response body read chunk by chunk under the attempt's time limits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from ..exceptions import ProviderTimeoutError
from ._base import Timeouts

__all__ = ["timed_chunks", "total_exceeded"]


def total_exceeded(t: Timeouts) -> ProviderTimeoutError:
    return ProviderTimeoutError(f"the attempt ran past its {t.total_s:g}s limit")


async def timed_chunks(read: Callable[[], Awaitable[bytes]], t: Timeouts, deadline: float) -> AsyncIterator[bytes]:
    """The chunks ``read`` returns (``b""`` at the end), the first within ``t.first_byte_s``, each next within
    ``t.stall_s``, all before ``deadline`` (the loop's clock). ``read`` maps its library's own errors to ours."""
    loop = asyncio.get_running_loop()
    gap, first = t.first_byte_s, True
    while True:
        remaining = deadline - loop.time()
        limit = min(gap, remaining)
        if limit <= 0:
            raise total_exceeded(t)
        try:
            async with asyncio.timeout(limit):
                chunk = await read()
        except TimeoutError:
            if remaining <= gap:
                raise total_exceeded(t) from None
            what = "no first chunk within" if first else "the stream stalled: no bytes for"
            raise ProviderTimeoutError(f"{what} {gap:g}s") from None
        if not chunk:
            return
        if first:
            gap, first = t.stall_s, False
        yield chunk
