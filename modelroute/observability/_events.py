"""What the hooks receive: one small frozen record per attempt, per answered call, per failed call and per breaker
change. Plain values only (names, ids, kinds, numbers, the trace's own sentences), never a header, a body or a
credential: every text that could quote a provider is the already-scrubbed trace text, redacted once more."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .._redact import redact
from .._types import Attempt, Response, Usage
from ..exceptions import ModelRouteError, ProviderError

if TYPE_CHECKING:
    from ..state.breaker import BreakerState

__all__ = ["AttemptInfo", "BreakerChange", "ErrorInfo", "ResponseInfo", "cost_of", "error_type"]


@dataclass(frozen=True, slots=True)
class AttemptInfo:
    """One attempt that was sent, once its outcome is known (`Hooks.on_attempt`).

    ``outcome`` is ``ok``, ``error`` or ``cancelled`` (a hedge race's loser); ``action`` what the router did next
    (``served``, ``retry``, ``failover``, ``stop``, ``cancelled``) and ``reason`` why, as the trace says it.
    ``kind`` is the error kind (None for an answer), ``number`` the attempt's place in its call (1, 2, ...),
    ``latency_s`` its time on the router's clock. ``cost`` is the attempt's `Cost` where the router prices
    attempts (None otherwise). ``tags`` are the call's tags, so a hook can label its metrics."""

    alias: str
    target_alias: str
    provider: str
    model: str
    kind: str
    cloud: str
    region: str | None
    outcome: Literal["ok", "error", "cancelled"]
    action: str
    reason: str
    error_kind: str | None
    status: int | None
    latency_s: float
    number: int
    streamed: bool
    hedged: bool
    probe: bool
    usage: Usage | None = None
    cost: Any = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ResponseInfo:
    """A call answered (`Hooks.on_response`): where (``provider``, ``model``, ``reported_model``), in how long, with
    how many attempts and failovers, what it used and cost (``cost``: the call's `Cost` where attempts are
    priced)."""

    alias: str
    provider: str
    model: str
    reported_model: str | None
    cloud: str
    region: str | None
    latency_s: float
    attempts: int
    failovers: int
    streamed: bool
    stop_reason: str
    usage: Usage | None = None
    cost: Any = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """A call failed (`Hooks.on_error`), or a stream ended without an answer (``error_type`` ``abandoned``: it was
    closed or dropped before its end). ``error_type`` is the error kind for a `ProviderError` (``rate_limited``...),
    else the exception's class name (``AllTargetsFailed``, ``StreamInterrupted``...); ``message`` the error's
    message (redacted); ``retry_in_s`` when every target was only kept out for a while."""

    alias: str
    error_type: str
    message: str
    latency_s: float
    attempts: int
    failovers: int
    streamed: bool
    retry_in_s: float | None = None
    cost: Any = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BreakerChange:
    """A target's circuit breaker moved (`Hooks.on_breaker_change`): ``old`` -> ``new`` (``closed``, ``open``,
    ``half_open``), ``reason`` why it opened, ``reopen_in_s`` how long it stays open (0 when not open)."""

    target: str
    provider: str
    model: str
    old: str
    new: str
    reason: str
    reopen_in_s: float

    @classmethod
    def of(cls, key: str, old: BreakerState, new: BreakerState, now: float) -> BreakerChange:
        provider, _, model = key.partition("/")
        reopen = max(0.0, new.reopen_at - now) if new.status == "open" else 0.0
        return cls(key, provider, model, old.status, new.status, redact(new.reason), reopen)


def error_type(error: BaseException) -> str:
    """The low-cardinality name of an error: a provider error's kind, else the exception's class name."""
    if isinstance(error, ProviderError):
        return error.kind.value
    return type(error).__name__


def cost_of(obj: Any) -> Any:
    """``obj.cost`` where the router prices attempts (the cost issue adds it), else None."""
    try:
        return getattr(obj, "cost", None)
    except Exception:  # a cost that cannot be computed is no reason to lose the event
        return None


def attempt_info(
    line: Attempt,
    *,
    alias: str,
    number: int,
    cloud: str,
    region: str | None,
    kind: str,
    probe: bool,
    streamed: bool,
    tags: Any,
) -> AttemptInfo:
    outcome: Literal["ok", "error", "cancelled"] = "cancelled" if line.outcome == "cancelled" else line.outcome  # type: ignore[assignment]
    err = line.error
    return AttemptInfo(
        alias=alias,
        target_alias=line.alias,
        provider=line.provider,
        model=line.model,
        kind=kind,
        cloud=cloud,
        region=region,
        outcome=outcome,
        action=line.action,
        reason=redact(line.reason),
        error_kind=err.kind.value if err is not None else None,
        status=line.status,
        latency_s=line.latency_s,
        number=number,
        streamed=streamed,
        hedged=line.hedged,
        probe=probe,
        usage=line.usage,
        cost=cost_of(line),
        tags=dict(tags),
    )


def response_info(
    response: Response, *, alias: str, attempts: int, failovers: int, streamed: bool, tags: Any
) -> ResponseInfo:
    s = response.served_by
    return ResponseInfo(
        alias=alias,
        provider=s.provider if s is not None else "",
        model=s.model if s is not None else "",
        reported_model=response.model,
        cloud=s.cloud if s is not None else "",
        region=s.region if s is not None else None,
        latency_s=response.latency_s,
        attempts=attempts,
        failovers=failovers,
        streamed=streamed,
        stop_reason=response.stop_reason.value,
        usage=response.usage,
        cost=cost_of(response),
        tags=dict(tags),
    )


def error_info(
    error: BaseException, *, alias: str, latency_s: float, attempts: int, failovers: int, streamed: bool, tags: Any
) -> ErrorInfo:
    abandoned = isinstance(error, GeneratorExit)
    return ErrorInfo(
        alias=alias,
        error_type="abandoned" if abandoned else error_type(error),
        message="the stream was closed before its end" if abandoned else redact(str(error)),
        latency_s=latency_s,
        attempts=attempts,
        failovers=failovers,
        streamed=streamed,
        retry_in_s=getattr(error, "retry_in_s", None) if isinstance(error, ModelRouteError) else None,
        cost=cost_of(error) if isinstance(error, ModelRouteError) else None,
        tags=dict(tags),
    )
