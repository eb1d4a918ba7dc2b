"""Credentials that expire (AWS chain, Entra ID, Google ADC): renewed ahead of expiry, once for every caller,
off the event loop.

A `CredentialCache` holds one credential and when to renew it. A renewal (``fetch``) always runs in a worker
thread, so an async caller awaits it without blocking its event loop, and a sync caller can stop waiting when its
attempt's time is up. One renewal at a time serves every caller that needs it, sync threads and async tasks of
any event loop alike. It is due `REFRESH_MARGIN_S` before expiry. A source that hands back a credential already
inside the margin (a metadata endpoint serving the same near-expiry keys) is asked again only after
`RETRY_S`, never on every signing; a failed renewal keeps the current credential while it is still valid and is
retried after `RETRY_S`. A failure with no valid credential left raises the fetch's error (kind ``auth`` for the
signers), so the router fails over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Generic, TypeVar

from .._redact import install_log_filters
from ..exceptions import ErrorKind, ProviderError, ProviderTimeoutError, error_for_kind

__all__ = ["MIN_GAP_S", "REFRESH_MARGIN_S", "RETRY_S", "CredentialCache", "RenewingSigner"]

T = TypeVar("T")
log = logging.getLogger("modelroute")

#: A credential is renewed when it has less than this long to live (azure-identity's own margin is 5 min).
REFRESH_MARGIN_S = 300.0
#: How soon a source that answered with a near-expiry credential, or failed while ours was still valid, is
#: asked again.
RETRY_S = 30.0
#: Never renew twice within this, whatever the source says (a credential about to expire is still renewed).
MIN_GAP_S = 1.0
#: A credential this close to its expiry is no longer used after a failed renewal.
_EXPIRY_SKEW_S = 10.0


class CredentialCache(Generic[T]):
    """One credential and its schedule. ``fetch`` returns ``(credential, expires_at)``: seconds on ``clock``
    (wall-clock epoch seconds by default), or None for a credential that never expires."""

    __slots__ = ("_clock", "_due_at", "_expires_at", "_fetch", "_flight", "_lock", "_margin", "_value", "what")

    def __init__(
        self,
        fetch: Callable[[], tuple[T, float | None]],
        *,
        what: str,
        clock: Callable[[], float] = time.time,
        margin_s: float = REFRESH_MARGIN_S,
    ) -> None:
        self.what = what
        self._fetch = fetch
        self._clock = clock
        self._margin = margin_s
        self._lock = threading.Lock()
        self._flight: Future[None] | None = None
        self._value: T | None = None
        self._expires_at: float | None = None
        self._due_at = -math.inf

    def due(self) -> bool:
        """Whether a renewal must run before the credential is used (cheap: no I/O, no lock)."""
        return self._clock() >= self._due_at

    def put(self, value: T, expires_at: float | None) -> None:
        """Hold ``value`` as if a renewal had just fetched it (a credential known without any I/O)."""
        with self._lock:
            self._value, self._expires_at = value, expires_at
            self._due_at = _next_renewal(self._clock(), expires_at, self._margin)

    def get(self, timeout_s: float | None = None) -> T:
        """The credential, renewed first if due (waiting at most ``timeout_s``)."""
        if self.due():
            flight, leader = self._join()
            try:
                flight.result(timeout_s)
            except FutureTimeout:
                raise self._timed_out(timeout_s) from None
            except ProviderError as e:
                raise (e if leader else _copy(e)) from None
        return self._current()

    async def aget(self, timeout_s: float | None = None) -> T:
        """`get` for the event loop: the renewal runs in a worker thread while the loop keeps serving."""
        if self.due():
            flight, leader = self._join()
            if not flight.done():
                loop = asyncio.get_running_loop()
                woken: asyncio.Future[None] = loop.create_future()
                flight.add_done_callback(lambda _: _wake(loop, woken))
                try:
                    async with asyncio.timeout(timeout_s):
                        await woken
                except TimeoutError:
                    raise self._timed_out(timeout_s) from None
            error = flight.exception()
            if isinstance(error, ProviderError):
                raise (error if leader else _copy(error)) from None
            if error is not None:
                raise error
        return self._current()

    # --- internals ----------------------------------------------------------------------------------------------

    def _current(self) -> T:
        value = self._value
        if value is None:  # a renewal failed by the time this caller looked: say so as the fetch would
            raise error_for_kind(ErrorKind.AUTH, f"no {self.what} is available; the last renewal failed")
        return value

    def _join(self) -> tuple[Future[None], bool]:
        """The renewal in flight, or a new one started in a worker thread; and whether this caller started it."""
        with self._lock:
            if self._flight is not None:
                return self._flight, False
            if not self.due():  # another caller renewed it meanwhile
                done: Future[None] = Future()
                done.set_result(None)
                return done, False
            flight: Future[None] = Future()
            flight.set_running_or_notify_cancel()  # nobody can cancel it: every caller shares it
            self._flight = flight
        worker = threading.Thread(target=self._renew, args=(flight,), name="modelroute-credentials", daemon=True)
        worker.start()
        return flight, True

    def _renew(self, flight: Future[None]) -> None:
        try:
            value, expires_at = self._fetch()
        except BaseException as e:
            failure: BaseException | None = e
            with self._lock:
                now = self._clock()
                if self._value is not None and (self._expires_at is None or now < self._expires_at - _EXPIRY_SKEW_S):
                    self._due_at, failure = now + RETRY_S, None  # keep the current one; try again soon
                self._flight = None
            if failure is None:
                log.warning("modelroute: renewing the %s failed (%s); using the current one for now", self.what, e)
                flight.set_result(None)
            else:
                flight.set_exception(failure)
            return
        finally:
            install_log_filters()  # the fetch may have imported a library with loggers of its own
        with self._lock:
            now = self._clock()
            self._value, self._expires_at = value, expires_at
            self._due_at = _next_renewal(now, expires_at, self._margin)
            self._flight = None
        flight.set_result(None)

    def _timed_out(self, timeout_s: float | None) -> ProviderTimeoutError:
        return ProviderTimeoutError(
            f"the {self.what} were not renewed within {timeout_s:g}s (the attempt's time); the renewal goes on "
            "and the next call will use it"
        )


class RenewingSigner(Generic[T]):
    """What a signer whose credential expires offers the router: whether a renewal is due, and the renewal
    itself, bounded by the attempt's time (``_cache`` is the signer's `CredentialCache`)."""

    __slots__ = ()
    _cache: CredentialCache[T]

    def credentials_due(self) -> bool:
        return self._cache.due()

    def refresh(self, timeout_s: float | None = None) -> None:
        self._cache.get(timeout_s)

    async def arefresh(self, timeout_s: float | None = None) -> None:
        await self._cache.aget(timeout_s)


def _next_renewal(now: float, expires_at: float | None, margin_s: float) -> float:
    if expires_at is None:
        return math.inf
    ahead = expires_at - margin_s
    if ahead > now:
        return ahead
    # Handed a credential already inside the margin: ask again soon, before it expires, but not on every use.
    return max(now + MIN_GAP_S, min(now + RETRY_S, expires_at - _EXPIRY_SKEW_S))


def _wake(loop: asyncio.AbstractEventLoop, woken: asyncio.Future[None]) -> None:
    def settle() -> None:
        if not woken.done():
            woken.set_result(None)

    with contextlib.suppress(RuntimeError):  # that caller's loop closed while the renewal ran
        loop.call_soon_threadsafe(settle)


def _copy(error: ProviderError) -> ProviderError:
    """A waiter's own copy of the renewal's error (one exception object is not raised in two places at once)."""
    return error_for_kind(error.kind, error.message, provider=error.provider, code=error.code)
