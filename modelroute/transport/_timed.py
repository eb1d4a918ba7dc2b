"""What every transport shares: the limits one response is read under (`Budget`), and, for both asyncio
transports, a body read chunk by chunk under them (`timed_chunks`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from ..exceptions import MalformedResponseError, ProviderError, ProviderTimeoutError
from ._base import Timeouts

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_STREAM_BYTES",
    "DRAIN_BYTES",
    "DRAIN_S",
    "Budget",
    "drain",
    "timed_chunks",
    "total_exceeded",
]

DEFAULT_MAX_BODY_BYTES = 32 * 2**20
DEFAULT_MAX_STREAM_BYTES = 256 * 2**20

# Once the answer is complete, the rest of the body (the end of the chunked encoding, as a rule) is read only if
# it comes at once: within this long and this many bytes, so that the connection can be kept. A server that holds
# the body open costs this much, then its connection is closed.
DRAIN_S = 0.1
DRAIN_BYTES = 64 * 1024

# A socket timeout set to exactly what is left may wake a hair early; within this it counts as the deadline.
_SLACK_S = 0.005


def total_exceeded(t: Timeouts) -> ProviderTimeoutError:
    return ProviderTimeoutError(f"the attempt ran past its {t.total_s:g}s limit")


def first_token_exceeded(t: Timeouts) -> ProviderTimeoutError:
    return ProviderTimeoutError(f"no content within the first-token timeout of {t.first_token_s:g}s")


class Budget:
    """One attempt's limits on the transport's own clock (``time.monotonic``, which is also asyncio's):
    the attempt's end, the first-token deadline until the caller's first content, and the decoded bytes read.

    ``until()`` is the earliest deadline still in force; ``expired()`` the error naming it.
    """

    __slots__ = ("_drain_by", "_first_token_at", "deadline", "read", "t")

    def __init__(self, t: Timeouts, start: float) -> None:
        self.t = t
        self.deadline = start + t.total_s
        self._first_token_at = None if t.first_token_s is None else start + t.first_token_s
        self._drain_by: float | None = None
        self.read = 0

    def content_started(self) -> None:
        self._first_token_at = None

    def drain_by(self, at: float) -> None:
        """The caller has its answer: what is left must come by ``at``."""
        self._drain_by = at

    def until(self) -> float:
        end = self.deadline
        ft, drain = self._first_token_at, self._drain_by
        if ft is not None and ft < end:
            end = ft
        return drain if drain is not None and drain < end else end

    def passed(self, now: float) -> bool:
        return now >= self.until() - _SLACK_S

    def expired(self) -> ProviderTimeoutError:
        end = self.until()
        if end == self._drain_by:
            return ProviderTimeoutError("the rest of the body did not come at once")
        return first_token_exceeded(self.t) if end == self._first_token_at else total_exceeded(self.t)

    def count(self, n: int, cap: int, what: str) -> None:
        """``n`` more decoded bytes of a ``body`` or ``stream``; past ``cap`` it is refused, before more of it is
        read (a compression bomb costs the cap, not its expanded size)."""
        self.read += n
        if self.read > cap:
            raise MalformedResponseError(
                f"the response {what} exceeded {cap:,} bytes once decoded (defaults.max_{what}_bytes): refused "
                "before reading the rest; raise the setting if such answers are expected"
            )


async def timed_chunks(
    read: Callable[[], Awaitable[bytes]],
    budget: Budget,
    cap: int,
    loop: asyncio.AbstractEventLoop,
    what: str = "stream",
) -> AsyncIterator[bytes]:
    """The chunks ``read`` returns (``b""`` at the end), the first within ``first_byte_s``, each next within
    ``stall_s``, all within the budget's deadlines and at most ``cap`` bytes in all. ``read`` maps its library's
    own errors to ours."""
    t = budget.t
    gap, first = t.first_byte_s, True
    while True:
        remaining = budget.until() - loop.time()
        if remaining <= 0:
            raise budget.expired()
        try:
            async with asyncio.timeout(min(gap, remaining)):
                chunk = await read()
        except TimeoutError:
            if remaining <= gap:
                raise budget.expired() from None
            what = "no first chunk within" if first else "the stream stalled: no bytes for"
            raise ProviderTimeoutError(f"{what} {gap:g}s") from None
        if not chunk:
            return
        budget.count(len(chunk), cap, what)
        if first:
            gap, first = t.stall_s, False
        yield chunk


async def drain(chunks: AsyncIterator[bytes] | None, budget: Budget, loop: asyncio.AbstractEventLoop) -> None:
    """Read the rest of a body whose answer is complete, if it comes within `DRAIN_S` and `DRAIN_BYTES`."""
    if chunks is None:
        return
    budget.drain_by(loop.time() + DRAIN_S)
    taken = 0
    with contextlib.suppress(ProviderError):  # it did not come at once, or is broken: closing will close it
        async for chunk in chunks:
            taken += len(chunk)
            if taken > DRAIN_BYTES:
                return
