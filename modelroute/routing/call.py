"""One call's walk through its plan, as a state machine with no I/O.

The sync and async drivers run the same loop: ask `Call.next_step` what to do (try a target, wait, or fail),
do it, and report back with `record_ok` / `record_error` / `record_stream_error`. Every decision, and the
trace line that explains it, is made here.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .._types import Attempt, Request, Response, StopReason
from ..exceptions import (
    AllTargetsFailed,
    ContentFilteredError,
    ErrorKind,
    ModelRouteError,
    ProviderError,
    StreamInterrupted,
)
from ..state import StateStore
from .plan import PlanEntry, SkipCheck, assess
from .policy import ErrorPolicy, backoff_s, decide

__all__ = ["Call", "CallSettings", "Fail", "Try", "Wait"]

log = logging.getLogger("modelroute")

_LOUD = (ErrorKind.AUTH, ErrorKind.PERMISSION, ErrorKind.NOT_FOUND)


@dataclass(frozen=True, slots=True)
class CallSettings:
    """Everything about an alias that does not change between calls; built once per alias."""

    alias: str
    entries: tuple[PlanEntry, ...]
    table: dict[ErrorKind, ErrorPolicy]
    deadline_s: float
    attempt_timeout_s: float
    max_retry_wait_s: float
    backoff_base_s: float
    backoff_max_s: float
    on_stream_interrupt: Literal["error", "continue"] = "error"


@dataclass(frozen=True, slots=True)
class Try:
    """Send the request to ``entry``; the attempt may take at most ``total_s``."""

    entry: PlanEntry
    tries: int
    total_s: float
    started: float


@dataclass(frozen=True, slots=True)
class Wait:
    seconds: float


@dataclass(frozen=True, slots=True)
class Fail:
    error: ModelRouteError


Step = Try | Wait | Fail


class Call:
    """The state of one call. Not thread-safe: one driver owns it."""

    def __init__(
        self,
        settings: CallSettings,
        request: Request,
        *,
        clock: Callable[[], float],
        state: StateStore,
        unsupported: SkipCheck,
        rng: random.Random,
    ) -> None:
        self.settings = settings
        self.request = request
        self._clock = clock
        self._state = state
        self._unsupported = unsupported
        self._rng = rng
        self.start = clock()
        asked = request.deadline_s
        deadline_s = min(settings.deadline_s, asked) if asked else settings.deadline_s
        self.deadline_s = deadline_s
        self.deadline = self.start + deadline_s
        self.trace: list[Attempt] = []
        self._i = 0
        self._retry: tuple[PlanEntry, int] | None = None
        self._wait = 0.0
        self._fail: ModelRouteError | None = None
        self._excluded_models: set[str] = set()

    # --- what next ----------------------------------------------------------------------------------------------

    def next_step(self) -> Step:
        if self._fail is not None:
            return Fail(self._fail)
        if self._wait > 0:
            wait, self._wait = self._wait, 0.0
            return Wait(wait)
        now = self._clock()
        remaining = self.deadline - now
        if remaining <= 0:
            return Fail(self._all_failed(f"the call's {self.deadline_s:g}s deadline passed"))
        total = min(self.settings.attempt_timeout_s, remaining)
        if self._retry is not None:
            entry, tries = self._retry
            self._retry = None
            return Try(entry, tries, total, now)
        entries = self.settings.entries
        while self._i < len(entries):
            entry = entries[self._i]
            why = self._why_skip(entry, now)
            if why is None:
                return Try(entry, 1, total, now)
            self.trace.append(self._line(entry, "skipped", "skip", why, now=now))
            self._i += 1
        return Fail(self._all_failed())

    def _why_skip(self, entry: PlanEntry, now: float) -> str | None:
        return assess(
            entry,
            request=self.request,
            now=now,
            state=self._state,
            unsupported=self._unsupported,
            excluded_models=self._excluded_models,
        )

    # --- outcomes -----------------------------------------------------------------------------------------------

    def record_ok(self, step: Try, response: Response) -> Response | None:
        """A complete answer. Returns it (with trace and latency) unless the policy treats it as an error."""
        refused = _refusal(response)
        if refused is not None:
            refused.body = response
            self.record_error(step, refused)
            return None
        now = self._clock()
        self.trace.append(self._line(step.entry, "ok", "served", "", now=step.started, latency=now - step.started))
        response.trace = self.trace
        response.latency_s = now - self.start
        return response

    def record_error(self, step: Try, error: ProviderError) -> None:
        """An attempt failed; decide between retry, failover and stop, and write the trace line."""
        now = self._clock()
        entry = step.entry
        error.provider = error.provider or entry.provider
        policy = self.settings.table[error.kind]
        retry_possible = step.tries <= policy.retries
        backoff = 0.0
        if retry_possible:
            s = self.settings
            backoff = backoff_s(step.tries, base_s=s.backoff_base_s, max_s=s.backoff_max_s, jitter=self._rng.random())
        d = decide(
            error,
            policy,
            tries=step.tries,
            remaining_s=self.deadline - now,
            max_retry_wait_s=self.settings.max_retry_wait_s,
            other_target_free=retry_possible and self._other_target_free(entry, now),
            backoff=backoff,
        )
        if d.cooldown_s:
            self._state.cool(entry.key, now + d.cooldown_s, _cool_reason(error))
        if error.kind is ErrorKind.CONTEXT_WINDOW:
            self._excluded_models.add(entry.model)
        if error.kind in _LOUD:
            log.warning(
                "modelroute: provider '%s' refused model %s with %s (%s); check providers.%s in the config",
                entry.provider,
                entry.model,
                error.kind.value,
                error.message,
                entry.provider,
            )
        self.trace.append(
            self._line(
                entry,
                "error",
                d.action,
                d.reason,
                now=step.started,
                latency=now - step.started,
                error=error,
                wait=d.wait_s,
            )
        )
        if d.action == "retry":
            self._retry = (entry, step.tries + 1)
            self._wait = d.wait_s
        elif d.action == "failover":
            self._i += 1
        else:
            error.trace = self.trace
            self._fail = error

    def record_stream_error(self, step: Try, error: ProviderError, emitted_text: str, *, committed: bool) -> None:
        """A stream broke. Before any content reached the caller this is a plain error; after, the alias decides."""
        if not committed:
            self.record_error(step, error)
            return
        now = self._clock()
        error.provider = error.provider or step.entry.provider
        reason = "the stream broke after content was delivered; policy on_stream_interrupt: error"
        self.trace.append(
            self._line(step.entry, "error", "stop", reason, now=step.started, latency=now - step.started, error=error)
        )
        self._fail = StreamInterrupted(
            f"the stream from {step.entry.provider} broke after {len(emitted_text)} characters: {error}. "
            "The partial text is on .partial_text; resend to get a complete answer.",
            partial_text=emitted_text,
            trace=self.trace,
            error=error,
        )

    # --- helpers ------------------------------------------------------------------------------------------------

    def _other_target_free(self, entry: PlanEntry, now: float) -> bool:
        for other in self.settings.entries[self._i + 1 :]:
            if other.alias == entry.alias and other.key != entry.key and self._why_skip(other, now) is None:
                return True
        return False

    def _all_failed(self, reason: str = "") -> AllTargetsFailed:
        tried = any(a.outcome != "skipped" for a in self.trace)
        retry_in = None
        if not tried and self.trace:
            soonest = [
                c.until for e in self.settings.entries if (c := self._state.cooldown(e.key, self._clock())) is not None
            ]
            retry_in = max(0.0, min(soonest) - self._clock()) if soonest else None
        return AllTargetsFailed(self.settings.alias, self.trace, reason=reason, retry_in_s=retry_in)

    def _line(
        self,
        entry: PlanEntry,
        outcome: Literal["ok", "error", "skipped"],
        action: Literal["served", "retry", "failover", "stop", "skip"],
        reason: str,
        *,
        now: float,
        latency: float = 0.0,
        error: ProviderError | None = None,
        wait: float = 0.0,
    ) -> Attempt:
        return Attempt(
            provider=entry.provider,
            model=entry.model,
            alias=entry.alias,
            outcome=outcome,
            action=action,
            reason=reason,
            error=error,
            status=error.status if error is not None else None,
            latency_s=latency,
            wait_s=wait,
            at_s=now - self.start,
        )


def _cool_reason(error: ProviderError) -> str:
    status = f" {error.status}" if error.status is not None else ""
    return f"{error.kind.value}{status}"


def _refusal(response: Response) -> ProviderError | None:
    if response.stop_reason is StopReason.CONTENT_FILTER:
        return ContentFilteredError("the provider's content filter stopped the answer", kind=ErrorKind.CONTENT_FILTERED)
    if response.stop_reason is StopReason.REFUSAL:
        return ContentFilteredError("the model refused to answer", kind=ErrorKind.REFUSAL)
    return None
