"""The HTTP clients of one `Router` and their lifecycle: which pool a call uses, and when pools close.

- **Sync**: one transport (connection pool) per provider entry, made at its first use, shared by every thread.
- **Async**: one transport per (provider entry, event loop). A pool's connections belong to the loop they were
  opened on, so each loop gets its own, made at its first use there and reused by every later call on that
  loop. It closes when its loop shuts down: `asyncio.run` and `asyncio.Runner` (and any loop whose owner runs
  ``loop.shutdown_asyncgens()`` before ``loop.close()``, as asyncio asks) close the loop's async generators,
  and one of them (`_keeper`, started by the loop's first call) closes that loop's pools. The pools of a loop
  closed without that are dropped when the next loop makes its first call.
- **Closing**: after `close` / `aclose` no call may start (`RouterClosedError`). Calls already running finish
  normally, failovers included; the pools of a place (the sync side, or one loop) close as soon as no call
  runs there, the sync ones from `close`, a loop's on that loop.
- A sync call made from inside a running event loop blocks that loop: the first such call of a router warns.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import warnings
from collections.abc import AsyncGenerator, Callable
from typing import TYPE_CHECKING, Any

from .exceptions import RouterClosedError
from .transport import AsyncTransport, SyncTransport, make_async_transport, make_sync_transport

if TYPE_CHECKING:
    import asyncio  # imported when first used: `import modelroute` stays light

__all__ = ["Pools"]


class _Place:
    """The pools of one place calls run in (the sync side, or one event loop) and the calls running there."""

    __slots__ = ("calls", "keeper", "transports")

    def __init__(self) -> None:
        self.calls = 0
        self.transports: dict[str, Any] = {}
        self.keeper: AsyncGenerator[None, None] | None = None

    def take(self) -> list[Any]:
        out = list(self.transports.values())
        self.transports.clear()
        return out


class Pools:
    """Every connection pool of one router. ``options(provider)`` gives a provider entry's transport options."""

    def __init__(self, backend: str, options: Callable[[str], dict[str, Any]]) -> None:
        self._backend = backend
        self._options = options
        self._lock = threading.Lock()
        self._closed = False
        self._warned = False
        self._sync = _Place()
        self._loops: dict[asyncio.AbstractEventLoop, _Place] = {}
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def closed(self) -> bool:
        return self._closed

    # --- sync ---------------------------------------------------------------------------------------------------

    def warn_if_in_loop(self, what: str) -> None:
        """Warn (once per router) when the sync ``what`` is called from inside a running event loop."""
        if self._warned or "asyncio" not in sys.modules:
            return
        import asyncio

        if asyncio._get_running_loop() is None:
            return
        self._warned = True
        twin = "acomplete" if what == "complete" else "astream"
        warnings.warn(
            f"Router.{what}() was called from inside a running event loop: it blocks the loop, and every other "
            f"task on it, until the call ends. In async code use `await router.{twin}(...)`"
            + (" (`async for event in router.astream(...)`)" if twin == "astream" else "")
            + ". (Warned once per Router.)",
            RuntimeWarning,
            stacklevel=3,
        )

    def enter(self) -> None:
        """A sync call starts (`RouterClosedError` after `close`)."""
        with self._lock:
            if self._closed:
                raise _closed_error()
            self._sync.calls += 1

    def leave(self) -> None:
        """A sync call ended; after `close`, the last one closes the sync pools."""
        with self._lock:
            self._sync.calls -= 1
            doomed = self._sync.take() if self._closed and not self._sync.calls else []
        for t in doomed:
            t.close()

    def sync(self, provider: str) -> SyncTransport:
        t: SyncTransport | None = self._sync.transports.get(provider)
        if t is None:
            with self._lock:
                t = self._sync.transports.get(provider)
                if t is None:
                    t = self._sync.transports[provider] = make_sync_transport(self._backend, **self._options(provider))
        return t

    # --- async --------------------------------------------------------------------------------------------------

    def aenter(self) -> None:
        """An async call starts on the running loop (`RouterClosedError` after `close`)."""
        import asyncio

        loop = asyncio.get_running_loop()
        with self._lock:
            if self._closed:
                raise _closed_error()
            place = self._loops.get(loop)
            if place is None:
                place = self._loops[loop] = self._new_place(loop)
            place.calls += 1

    async def aleave(self) -> None:
        """An async call ended; after `close`, the last one on this loop closes this loop's pools."""
        import asyncio

        loop = asyncio.get_running_loop()
        with self._lock:
            place = self._loops.get(loop)
            if place is None:  # the loop is shutting down: its keeper has closed the pools
                return
            place.calls -= 1
            doomed = place.take() if self._closed and not place.calls else []
        await _aclose_all(doomed)

    def async_(self, provider: str) -> AsyncTransport:
        """The running loop's pool for ``provider`` (inside a call, between `aenter` and `aleave`)."""
        import asyncio

        place = self._loops[asyncio.get_running_loop()]
        t: AsyncTransport | None = place.transports.get(provider)
        if t is None:
            with self._lock:
                t = place.transports.get(provider)
                if t is None:
                    t = place.transports[provider] = make_async_transport(self._backend, **self._options(provider))
        return t

    def _new_place(self, loop: asyncio.AbstractEventLoop) -> _Place:
        """A loop's first call (under the lock): drop the places of loops closed without shutting down, and
        start this loop's keeper, which closes its pools when the loop shuts its async generators down."""
        for old in [lp for lp in self._loops if lp.is_closed()]:
            del self._loops[old]
        place = _Place()
        keeper = self._keeper(loop)
        with contextlib.suppress(StopIteration):  # run to its first `yield`: the loop now knows it, and closes it
            keeper.asend(None).__await__().send(None)
        place.keeper = keeper
        return place

    async def _keeper(self, loop: asyncio.AbstractEventLoop) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            with self._lock:
                place = self._loops.pop(loop, None)
            if place is not None:
                await _aclose_all(place.take())

    # --- closing ------------------------------------------------------------------------------------------------

    def close(self) -> None:
        """No new calls; close every pool no call is using, now (sync) or on its own loop (async)."""
        self._close_others(None)

    async def aclose(self) -> None:
        """`close`, awaiting the running loop's pools."""
        import asyncio

        loop = asyncio.get_running_loop()
        await _aclose_all(self._close_others(loop))

    def _close_others(self, here: asyncio.AbstractEventLoop | None) -> list[AsyncTransport]:
        """Close what can be closed from this thread; returns the pools of loop ``here``, for the caller."""
        with self._lock:
            self._closed = True
            doomed = self._sync.take() if not self._sync.calls else []
            idle = []
            for loop, place in list(self._loops.items()):
                if loop.is_closed():
                    del self._loops[loop]
                elif not place.calls and (loop is here or loop.is_running()):
                    idle.append((loop, place.take()))  # an idle loop keeps its pools for its keeper
        for t in doomed:
            t.close()
        mine: list[AsyncTransport] = []
        for loop, transports in idle:
            if loop is here:
                mine = transports
            else:
                with contextlib.suppress(RuntimeError):  # it closed meanwhile: its pools go with it
                    loop.call_soon_threadsafe(self._schedule_aclose, loop, transports)
        return mine

    def _schedule_aclose(self, loop: asyncio.AbstractEventLoop, transports: list[AsyncTransport]) -> None:
        task = loop.create_task(_aclose_all(transports))
        self._closing.add(task)  # the loop holds tasks weakly
        task.add_done_callback(self._closing.discard)


async def _aclose_all(transports: list[AsyncTransport]) -> None:
    for t in transports:
        await t.aclose()


def _closed_error() -> RouterClosedError:
    return RouterClosedError(
        "this Router was closed (close() / aclose()): calls running then were let finish, but no new call "
        "may start; make a new Router to send more"
    )
