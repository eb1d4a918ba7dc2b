"""Hooks: the user's own functions, told of every attempt, answer, failed call and breaker change.

They never run on the call's path, so a slow or failing hook cannot delay a call, break its deadline or its
answer:

- a **sync** hook runs on the hooks' worker thread (one per `Hooks`, started when the first event comes, gone
  after 5 s with nothing to do), in the order the events happened, inside a copy of the context the event was
  made in (context variables, such as the current OpenTelemetry span, read as the call saw them);
- an **async** hook (``async def``) is scheduled as a task on the event loop of the call that made the event and
  never awaited by it; an event made outside a running loop (a sync call) runs it on the worker thread's loop.

An exception in a hook is logged (ERROR once per hook and exception type, then DEBUG) and goes no further.
Events wait in a bounded queue (``max_pending``); when hooks fall that far behind, new events are dropped and
counted (``dropped``), with one warning. `flush` waits until every event so far has been handled.
"""

from __future__ import annotations

import contextvars
import inspect
import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from .._redact import redact
from ._events import AttemptInfo, BreakerChange, ErrorInfo, ResponseInfo

__all__ = ["Hooks"]

log = logging.getLogger("modelroute")
_IDLE_S = 5.0


class Hooks:
    """Your functions for your own metrics, each sync or ``async def``; pass as ``Router(..., hooks=Hooks(...))``.

    - ``on_attempt(AttemptInfo)``: an attempt was sent and its outcome is known (served, failed, cancelled);
    - ``on_response(ResponseInfo)``: a call answered (a stream: when it ended);
    - ``on_error(ErrorInfo)``: a call failed, or a stream was closed before its end;
    - ``on_breaker_change(BreakerChange)``: a target's circuit breaker changed state.

    See the module docstring for where they run. One `Hooks` may serve several routers.
    """

    def __init__(
        self,
        *,
        on_attempt: Callable[[AttemptInfo], Any] | None = None,
        on_response: Callable[[ResponseInfo], Any] | None = None,
        on_error: Callable[[ErrorInfo], Any] | None = None,
        on_breaker_change: Callable[[BreakerChange], Any] | None = None,
        max_pending: int = 10_000,
    ) -> None:
        self.on_attempt = on_attempt
        self.on_response = on_response
        self.on_error = on_error
        self.on_breaker_change = on_breaker_change
        self.max_pending = max_pending
        self.dropped = 0
        self._queue: deque[tuple[contextvars.Context, Callable[[Any], Any], Any]] = deque()
        self._busy = 0  # events taken by the worker and not finished yet
        self._cond = threading.Condition()
        self._worker: threading.Thread | None = None
        self._tasks: set[Any] = set()
        self._failed: set[tuple[str, type[BaseException]]] = set()

    def __repr__(self) -> str:
        names = [n for n in ("on_attempt", "on_response", "on_error", "on_breaker_change") if getattr(self, n)]
        return f"Hooks({', '.join(names)})"

    # --- delivery ---------------------------------------------------------------------------------------------

    def emit(self, hook: Callable[[Any], Any] | None, payload: Any) -> None:
        """Deliver ``payload`` to ``hook`` off the caller's path (None: nothing to do)."""
        if hook is None:
            return
        if inspect.iscoroutinefunction(hook) and self._schedule(hook, payload):
            return
        ctx = contextvars.copy_context()
        with self._cond:
            if len(self._queue) >= self.max_pending:
                self.dropped += 1
                if self.dropped == 1:
                    log.warning(
                        "modelroute: hooks are %d events behind; new events are dropped (Hooks.dropped counts them)",
                        self.max_pending,
                        extra={"modelroute_event": "hooks_behind"},
                    )
                return
            self._queue.append((ctx, hook, payload))
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="modelroute-hooks", daemon=True)
                self._worker.start()
            else:
                self._cond.notify()

    def flush(self, timeout_s: float = 5.0) -> bool:
        """Wait until every event emitted so far has been handled by the sync hooks (async hooks scheduled on a
        loop are that loop's tasks). False if ``timeout_s`` passed first."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and not self._busy, timeout_s)

    def _schedule(self, hook: Callable[[Any], Any], payload: Any) -> bool:
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False  # no loop here: the worker thread runs it
        task = loop.create_task(self._guarded(hook, payload))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def _guarded(self, hook: Callable[[Any], Any], payload: Any) -> None:
        try:
            await hook(payload)
        except Exception as e:
            self._report(hook, e)

    def _work(self) -> None:
        loop = None
        try:
            while True:
                with self._cond:
                    if not self._queue and not self._cond.wait_for(lambda: bool(self._queue), _IDLE_S):
                        self._worker = None
                        return
                    ctx, hook, payload = self._queue.popleft()
                    self._busy += 1
                try:
                    result = ctx.run(hook, payload)
                    if inspect.isawaitable(result):
                        if loop is None:
                            import asyncio

                            loop = asyncio.new_event_loop()
                        ctx.run(loop.run_until_complete, result)
                except Exception as e:
                    self._report(hook, e)
                finally:
                    with self._cond:
                        self._busy -= 1
                        self._cond.notify_all()
        finally:
            if loop is not None:
                loop.close()

    def _report(self, hook: Callable[[Any], Any], error: Exception) -> None:
        name = getattr(hook, "__qualname__", None) or repr(hook)
        first = (name, type(error)) not in self._failed
        self._failed.add((name, type(error)))
        log.log(
            logging.ERROR if first else logging.DEBUG,
            "modelroute: hook %s raised %s: %s (the call was not affected)",
            name,
            type(error).__name__,
            redact(str(error)),
            exc_info=error if first else None,
            extra={"modelroute_event": "hook_failed", "modelroute_hook": name},
        )
