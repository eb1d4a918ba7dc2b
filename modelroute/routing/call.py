"""One call's walk through its plan, as a state machine with no I/O.

The sync and async drivers run the same loop: ask `Call.next_step` what to do (try a target, wait, or fail),
do it, and report back with `record_ok` / `record_error` / `record_stream_error`. Every decision, and the
trace line that explains it, is made here.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from .._cost import Cost, CostView
from .._redact import scrub_error
from .._types import Attempt, Request, Response, StopReason, Usage
from ..exceptions import (
    AllTargetsFailed,
    ContentFilteredError,
    ErrorKind,
    ModelRouteError,
    ProviderError,
    StreamInterrupted,
)
from ..state import BreakerPolicy, StateStore
from ..state.breaker import Outcome
from .hedge import HedgePolicy
from .plan import PlanEntry, SkipCheck, assess, available_at
from .policy import ErrorPolicy, backoff_s, decide
from .watch import CallObserver, Observing, TargetMonitor
from .window import ModelIdentity, identity_of, too_long_for

__all__ = ["Call", "CallSettings", "Fail", "Resume", "Try", "Wait"]

DEFAULT_BREAKER = BreakerPolicy()
_NO_RESTART = (
    "the caller reads text only (stream.text()) and already holds part of the answer; this route cannot continue "
    "it (no prefill), and a restarted answer would be spliced onto it"
)


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
    stream_resume: Literal["auto", "error", "continue"] = "auto"
    min_attempt_s: float = 0.25
    max_attempts: int = 8
    wait_for_reopen_s: float = 5.0
    first_token_timeout_s: float | None = None
    breaker: BreakerPolicy = DEFAULT_BREAKER
    hedge: HedgePolicy | None = None
    #: each entry's model identity (family, context window) by `PlanEntry.key`; see `routing.window`. An entry
    #: missing here is known by its exact id only.
    models: Mapping[str, ModelIdentity] = field(default_factory=dict)
    #: the providers whose routes continue a partial answer (prefill); a broken stream resumes on the others by
    #: restart only, which a `Stream.text` consumer cannot take
    prefill: frozenset[str] = frozenset()
    #: the router's logs and health figures, told every attempt's trace line (`routing.watch`)
    monitor: TargetMonitor | None = None
    #: OpenTelemetry and hooks, when the router has either: each call gets its own observer (`routing.watch`)
    observe: Observing | None = None
    #: prices, for each attempt's cost (`modelroute.observability.cost.Pricer`); None: costs are not recorded
    costs: CostView | None = None


@dataclass(frozen=True, slots=True)
class Resume:
    """A stream broke after ``text`` reached the caller and the policy is to continue on another target.
    ``error`` is the break; ``prefill_only``: the caller reads text only (`Stream.text`), so only a target that
    continues the text (prefill) may resume it, never a restart it could not tell from a continuation."""

    text: str
    from_provider: str
    error: ProviderError | None = None
    prefill_only: bool = False


@dataclass(frozen=True, slots=True)
class Try:
    """Send the request to ``entry``; the attempt may take at most ``total_s``. ``probe``: this attempt is the
    target's half-open breaker probe. ``resume``: continue a stream that broke on another target."""

    entry: PlanEntry
    tries: int
    total_s: float
    started: float
    probe: bool = False
    resume: Resume | None = None
    hedge_of: PlanEntry | None = None


@dataclass(frozen=True, slots=True)
class Wait:
    seconds: float
    reason: str = ""


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
        self._refused: list[ModelIdentity] = []  # models that found the prompt too long, in order
        self.attempts = 0
        self.resume: Resume | None = None
        self.last_error: ProviderError | None = None
        self._answered: Try | None = None  # a streamed probe that already closed its breaker
        self.watch: CallObserver | None = settings.observe.call(self) if settings.observe is not None else None

    # --- what next ----------------------------------------------------------------------------------------------

    def next_step(self) -> Step:
        if self._fail is not None:
            return Fail(self._end(self._fail))
        if self._wait > 0:
            wait, self._wait = self._wait, 0.0
            return Wait(wait)
        s = self.settings
        now = self._clock()
        remaining = self.deadline - now
        if remaining <= 0:
            return self._give_up(f"the call's {self.deadline_s:g}s deadline passed")
        if remaining < s.min_attempt_s:
            return self._give_up(
                f"only {remaining:.2f}s of the {self.deadline_s:g}s deadline left, less than min_attempt_s"
            )
        if self.attempts >= s.max_attempts:
            return self._give_up(f"max_attempts={s.max_attempts} reached")
        total = min(s.attempt_timeout_s, remaining)
        if self._retry is not None:
            entry, tries = self._retry
            self._retry = None
            why = self._cannot_resume(entry)
            if why is None:
                verdict = self._state.breaker_admit(entry.key, s.breaker, now, lease_s=total)
                if verdict != "reject":
                    return self._try(entry, tries, total, now, probe=verdict == "probe")
                why = "its circuit opened meanwhile"
            self._add(self._line(entry, "skipped", "skip", why, now=now))
            self._i += 1
        entries = s.entries
        while self._i < len(entries):
            entry = entries[self._i]
            why = self._why_skip(entry, now)
            if why is None:
                verdict = self._state.breaker_admit(entry.key, s.breaker, now, lease_s=total)
                if verdict != "reject":
                    return self._try(entry, 1, total, now, probe=verdict == "probe")
                why = "circuit half-open: another call holds the probe"
            self._add(self._line(entry, "skipped", "skip", why, now=now))
            self._i += 1
        return self._reopen_wait(now, remaining)

    def _try(self, entry: PlanEntry, tries: int, total: float, now: float, *, probe: bool) -> Try:
        self.attempts += 1
        step = Try(entry, tries, total, now, probe=probe, resume=self.resume)
        if self.watch is not None:
            self.watch.attempt_started(step)
        return step

    def _reopen_wait(self, now: float, remaining: float) -> Step:
        """Every target failed or is kept out. Wait for the first one to reopen if that is soon enough and fits
        the deadline; otherwise fail now, saying when to retry."""
        soonest = self._soonest(now)
        if soonest is not None:
            index, at = soonest
            wait = at - now
            if 0 < wait <= self.settings.wait_for_reopen_s and wait + self.settings.min_attempt_s <= remaining:
                self._i = index
                entry = self.settings.entries[index]
                why = f"every target is kept out: waiting {wait:.2f}s for this one to reopen"
                self._add(self._line(entry, "skipped", "wait", why, now=now, wait=wait))
                return Wait(wait, why)
        return Fail(self._end(self._all_failed()))

    def _soonest(self, now: float) -> tuple[int, float] | None:
        """The entry that reopens first and when, if every usable entry is only cooling down or open."""
        best: tuple[int, float] | None = None
        for i, e in enumerate(self.settings.entries):
            if self._too_long(e) or self._unsupported(e.provider, self.request) or self._cannot_resume(e):
                continue
            at = available_at(e, now=now, state=self._state)
            if at is None:
                return None  # this one could be tried now: the call simply ran out of targets
            if best is None or at < best[1]:
                best = (i, at)
        return best

    def _give_up(self, reason: str) -> Fail:
        return Fail(self._end(self._all_failed(reason)))

    def _end(self, error: ModelRouteError) -> ModelRouteError:
        """What the caller gets: once resumed stream text has reached them, always `StreamInterrupted`."""
        error = self._final(error)
        if self.watch is not None:
            self.watch.failed(error)
        return error

    def _final(self, error: ModelRouteError) -> ModelRouteError:
        resume = self.resume
        if resume is None or isinstance(error, StreamInterrupted):
            return error
        restart_only = resume.prefill_only and any(a.reason == _NO_RESTART for a in self.trace)
        hint = (
            " Targets that can only restart the answer were skipped: stream.text() cannot show the Seam that marks "
            "a restart; iterate the stream's events to accept one."
            if restart_only
            else ""
        )
        return StreamInterrupted(
            f"the stream broke after {len(resume.text)} characters and no target could continue it ({error}). "
            f"The partial text is on .partial_text; resend to get a complete answer.{hint}",
            partial_text=resume.text,
            trace=self.trace,
            error=resume.error or (error if isinstance(error, ProviderError) else self.last_error),
        )

    def _cannot_resume(self, entry: PlanEntry) -> str | None:
        """Why ``entry`` cannot resume this call's broken stream for its caller, or None."""
        resume = self.resume
        if resume is None or not resume.prefill_only or entry.provider in self.settings.prefill:
            return None
        return _NO_RESTART

    def _why_skip(self, entry: PlanEntry, now: float) -> str | None:
        blocked = self._cannot_resume(entry)
        if blocked is not None:
            return blocked
        return assess(
            entry,
            request=self.request,
            now=now,
            state=self._state,
            unsupported=self._unsupported,
            too_long=self._too_long if self._refused else None,
        )

    def _too_long(self, entry: PlanEntry) -> str | None:
        """Why this call's prompt cannot fit ``entry``'s model, given the models that refused it so far."""
        if not self._refused:
            return None
        return too_long_for(identity_of(self.settings.models, entry), self._refused)

    def _refused_by(self, entry: PlanEntry, error: ProviderError) -> None:
        if error.kind is ErrorKind.CONTEXT_WINDOW:
            self._refused.append(identity_of(self.settings.models, entry))

    @property
    def failed(self) -> bool:
        """The call has decided to end with an error."""
        return self._fail is not None

    # --- hedging ----------------------------------------------------------------------------------------------

    def hedge_step(self, primary: Try) -> Try | None:
        """A second attempt to race ``primary``: the next target that may be tried now, or None. The walk then
        continues after it, whatever the race's outcome."""
        s = self.settings
        now = self._clock()
        remaining = self.deadline - now
        if remaining < s.min_attempt_s or self.attempts >= s.max_attempts:
            return None
        total = min(s.attempt_timeout_s, remaining)
        for j in range(self._i + 1, len(s.entries)):
            entry = s.entries[j]
            if entry.key == primary.entry.key or self._why_skip(entry, now) is not None:
                continue
            verdict = self._state.breaker_admit(entry.key, s.breaker, now, lease_s=total)
            if verdict == "reject":
                continue
            self._i = j + 1
            self._retry = None
            self.attempts += 1
            step = Try(entry, 1, total, now, probe=verdict == "probe", hedge_of=primary.entry)
            if self.watch is not None:
                self.watch.attempt_started(step)
            return step
        return None

    def record_race_error(self, step: Try, error: ProviderError) -> None:
        """An attempt in a hedge race failed: its trace line, cooldown and breaker count as usual, but no retry
        (the race already moved on). A ``stop`` ends the call."""
        scrub_error(error)  # from here on the error is kept, shown and logged: no secret, no foreign chain
        now = self._clock()
        entry = step.entry
        error.provider = error.provider or entry.provider
        self.last_error = error
        self._breaker(step, error, now)
        self._refused_by(entry, error)
        policy = self.settings.table[error.kind]
        d = decide(
            error,
            policy,
            tries=policy.retries + 1,
            remaining_s=self.deadline - now,
            max_retry_wait_s=self.settings.max_retry_wait_s,
            other_target_free=True,
            backoff=0.0,
        )
        if d.cooldown_s:
            self._state.cool(entry.key, now + d.cooldown_s, _cool_reason(error))
        line = self._line(entry, "error", d.action, d.reason, now=step.started, latency=now - step.started, error=error)
        self._add(replace(line, hedged=True, cost=self._refused_cost(step, error)))
        if d.action == "stop" and self._fail is None:
            error.trace = self.trace
            self._fail = error

    def record_cancelled(self, step: Try, winner: PlanEntry | None) -> None:
        """The race's other attempt was cancelled once ``winner`` answered (None: the call stopped). A cancelled
        half-open probe says nothing about its target: the next caller may probe it at once."""
        now = self._clock()
        if self._probing(step):
            self._state.breaker_release(step.entry.key, now)
        if winner is None:
            why = "the call stopped; cancelled and its connection closed"
        else:
            why = f"lost the hedge race to {winner.provider}:{winner.model}; cancelled and its connection closed"
        line = self._line(step.entry, "cancelled", "cancelled", why, now=step.started, latency=now - step.started)
        cost = self._partial_cost(step, None, "", "cancelled in a hedge race after it was sent")
        self._add(replace(line, hedged=True, cost=cost))

    # --- outcomes -----------------------------------------------------------------------------------------------

    def record_ok(self, step: Try, response: Response, *, raced: bool = False) -> Response | None:
        """A complete answer. Returns it (with trace and latency) unless the policy treats it as an error."""
        refused = _refusal(response)
        if refused is not None:
            refused.body = response
            if raced:
                self.record_race_error(step, refused)
            else:
                self.record_error(step, refused)
            return None
        now = self._clock()
        self._state.breaker_record(step.entry.key, self.settings.breaker, now, "ok", probe=self._probing(step))
        response.output_format = self.request.response_format  # what `Response.parsed` checks the answer against
        adapted = "; ".join(response.adaptations)  # what the served target's wire could not carry as it was
        line = self._line(step.entry, "ok", "served", adapted, now=step.started, latency=now - step.started)
        line = replace(line, usage=response.usage, cost=self._served_cost(step, response))
        if step.hedge_of is not None:
            line = replace(line, reason=f"hedge of {step.hedge_of.provider}:{step.hedge_of.model} won", hedged=True)
        elif raced:
            line = replace(line, reason="answered first in a hedge race", hedged=True)
        self._add(line)
        response.trace = self.trace
        response.latency_s = now - self.start
        if self.watch is not None:
            self.watch.answered(response)
        return response

    def record_error(self, step: Try, error: ProviderError, *, note: str = "", cost: Cost | None = None) -> None:
        """An attempt failed; decide between retry, failover and stop, and write the trace line (with ``cost``,
        what the provider bills for it anyway)."""
        scrub_error(error)  # from here on the error is kept, shown and logged: no secret, no foreign chain
        now = self._clock()
        entry = step.entry
        error.provider = error.provider or entry.provider
        self.last_error = error
        self._breaker(step, error, now)
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
            remaining_s=self.deadline - now - self.settings.min_attempt_s,
            max_retry_wait_s=self.settings.max_retry_wait_s,
            other_target_free=retry_possible and self._other_target_free(entry, now),
            backoff=backoff,
        )
        if d.cooldown_s:
            self._state.cool(entry.key, now + d.cooldown_s, _cool_reason(error))
        self._refused_by(entry, error)
        self._add(
            self._line(
                entry,
                "error",
                d.action,
                note + d.reason,
                now=step.started,
                latency=now - step.started,
                error=error,
                wait=d.wait_s,
                cost=cost or self._refused_cost(step, error),
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

    def record_stream_error(
        self,
        step: Try,
        error: ProviderError,
        emitted_text: str,
        *,
        committed: bool,
        tool_call: bool = False,
        text_only: bool = False,
        usage: Usage | None = None,
        delivered: str = "",
    ) -> None:
        """A stream broke. Before any content of this attempt reached the caller it is a plain error (a resumed
        stream keeps its resume point); after, the alias's ``stream_resume`` decides, and a tool call whose
        arguments were in flight is never spliced. ``text_only``: the caller reads text only (`Stream.text`),
        so under ``auto`` only a target that continues the text may resume it. ``usage`` (the counts the stream
        reported before it broke) and ``delivered`` (this attempt's text and tool arguments) price what the
        provider bills for it."""
        scrub_error(error)
        cost = None
        if committed or usage is not None:
            why = f"the stream broke after {len(delivered)} characters"
            cost = self._partial_cost(step, usage, delivered, why)
        if not committed:
            self.record_error(step, error, cost=cost)
            return
        policy = self.settings.stream_resume
        if tool_call or policy == "error":
            now = self._clock()
            error.provider = error.provider or step.entry.provider
            self._breaker(step, error, now)
            why = "a tool call was in flight" if tool_call else "policy stream_resume: error"
            reason = f"the stream broke after content was delivered; {why}"
            self._add(
                self._line(
                    step.entry,
                    "error",
                    "stop",
                    reason,
                    now=step.started,
                    latency=now - step.started,
                    error=error,
                    cost=cost,
                )
            )
            self._fail = StreamInterrupted(
                f"the stream from {step.entry.provider} broke after {len(emitted_text)} characters: {error}. "
                "The partial text is on .partial_text; resend to get a complete answer.",
                partial_text=emitted_text,
                trace=self.trace,
                error=error,
            )
            self.resume = None
            return
        prefill_only = policy == "auto" and text_only
        self.resume = Resume(emitted_text, step.entry.provider, error, prefill_only=prefill_only)
        note = f"stream broke after {len(emitted_text)} characters; continuing: "
        self.record_error(step, error, note=note, cost=cost)

    def record_answering(self, step: Try) -> None:
        """A streamed attempt delivered its first content. A half-open probe's target has answered, so its
        breaker closes now, not when the stream ends: a long answer does not keep a recovered target out."""
        if self.watch is not None:
            self.watch.first_content(step)
        if step.probe and self._answered is not step:
            self._answered = step
            self._state.breaker_record(step.entry.key, self.settings.breaker, self._clock(), "ok", probe=True)

    def _probing(self, step: Try) -> bool:
        """``step`` is a half-open probe that has not reported yet."""
        return step.probe and self._answered is not step

    def _breaker(self, step: Try, error: ProviderError, now: float) -> None:
        policy = self.settings.breaker
        outcome: Outcome = "failure" if error.kind in policy.counts else "neutral"
        self._state.breaker_record(step.entry.key, policy, now, outcome, probe=self._probing(step))

    # --- costs ------------------------------------------------------------------------------------------------

    def _served_cost(self, step: Try, response: Response) -> Cost | None:
        costs = self.settings.costs
        if costs is None:
            return None
        e = step.entry
        usage = response.usage  # the answer's text is only read to estimate what was not reported
        text = response.text if usage is None else ""
        return costs.served(e.provider, e.model, self.request, usage=usage, reported_model=response.model, text=text)

    def _refused_cost(self, step: Try, error: ProviderError) -> Cost | None:
        """A refused answer (content filter, refusal) is a billed answer: priced from its usage."""
        body = error.body
        return self._served_cost(step, body) if isinstance(body, Response) else None

    def _partial_cost(self, step: Try, usage: Usage | None, delivered: str, why: str) -> Cost | None:
        costs = self.settings.costs
        if costs is None:
            return None
        e = step.entry
        return costs.partial(e.provider, e.model, self.request, usage=usage, delivered=delivered, why=why)

    # --- helpers ------------------------------------------------------------------------------------------------

    def _add(self, line: Attempt) -> None:
        """Write a trace line; the router's monitor hears of each attempt, the call's observer of every line."""
        self.trace.append(line)
        monitor = self.settings.monitor
        if monitor is not None and line.outcome != "skipped":
            monitor.attempt(line)
        if self.watch is not None:
            self.watch.line(line)

    def _other_target_free(self, entry: PlanEntry, now: float) -> bool:
        for other in self.settings.entries[self._i + 1 :]:
            if other.alias == entry.alias and other.key != entry.key and self._why_skip(other, now) is None:
                return True
        return False

    def _all_failed(self, reason: str = "") -> AllTargetsFailed:
        now = self._clock()
        soonest = self._soonest(now)
        retry_in = max(0.0, soonest[1] - now) if soonest is not None else None
        return AllTargetsFailed(self.settings.alias, self.trace, reason=reason, retry_in_s=retry_in)

    def _line(
        self,
        entry: PlanEntry,
        outcome: Literal["ok", "error", "skipped", "cancelled"],
        action: Literal["served", "retry", "failover", "stop", "skip", "wait", "cancelled"],
        reason: str,
        *,
        now: float,
        latency: float = 0.0,
        error: ProviderError | None = None,
        wait: float = 0.0,
        cost: Cost | None = None,
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
            cost=cost,
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
