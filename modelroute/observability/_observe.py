"""The router's observer when OpenTelemetry or hooks are on: one `CallWatch` per call, which the `Call` tells of its
attempts and end (`routing.watch.CallObserver`) and which the driver enters and leaves around the call (it wraps
the router's pools as the call's gate), so a call that ends any other way (an exception, a cancelled task, a
stream closed or dropped before its end) still ends its spans and tells the hooks.

Span times are the call's wall-clock start plus the router's clock: durations on spans are the durations the
trace and the metrics show (and a `FakeClock` test sees exact ones).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._redact import redact
from .._types import Attempt, Response
from ..exceptions import ModelRouteError
from ._events import BreakerChange, attempt_info, cost_of, error_info, error_type, response_info
from ._hooks import Hooks
from ._otel import Telemetry, cost_attributes, response_attributes, target_attributes, usage_attributes

if TYPE_CHECKING:
    from opentelemetry.trace import Span

    from .._stream import CallGate
    from ..config import Config
    from ..routing.call import Call, Try

__all__ = ["CallWatch", "Observe"]


class _Target:
    """What is known of a provider entry once: its kind, cloud, region and span attributes."""

    __slots__ = ("attributes", "cloud", "kind", "region")

    def __init__(self, kind: str, cloud: str, region: str | None) -> None:
        self.kind, self.cloud, self.region = kind, cloud, region
        self.attributes = target_attributes(kind, cloud, region)


class Observe:
    """OpenTelemetry (``telemetry``) and hooks (``hooks``) for one router; either may be None.
    ``address(provider)`` gives an entry's base URL once its route exists (None before)."""

    def __init__(
        self,
        config: Config,
        clock: Callable[[], float],
        *,
        telemetry: Telemetry | None,
        hooks: Hooks | None,
        address: Callable[[str], str | None],
    ) -> None:
        self.telemetry = telemetry
        self.hooks = hooks
        self.clock = clock
        self._route_url = address
        self._addresses: dict[str, tuple[str, int]] = {}
        self._labels: dict[tuple[str, str], dict[str, Any]] = {}
        self.targets = {name: _Target(p.kind, p.cloud, p.region) for name, p in config.spec.providers.items()}

    def call(self, call: Call) -> CallWatch:
        return CallWatch(self, call)

    def address(self, provider: str) -> tuple[str, int] | None:
        """An entry's server (host, port), once its route exists; never a host read from a secret."""
        found = self._addresses.get(provider)
        if found is None:
            url = self._route_url(provider)
            found = server_address(url) if url else None
            if found is None or redact(found[0]) != found[0]:
                return None
            self._addresses[provider] = found
        return found

    def labels(self, provider: str, model: str) -> dict[str, Any]:
        """A target's metric labels of the conventions (operation, provider name, model, its server once known)."""
        found = self._labels.get((provider, model))
        if found is None:
            found = {
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": self.targets[provider].attributes["gen_ai.provider.name"],
                "gen_ai.request.model": model,
            }
            address = self.address(provider)
            if address is None:
                return found  # not kept: the server is known once the route exists
            found["server.address"], found["server.port"] = address
            self._labels[provider, model] = found
        return found

    def breaker_changed(self, change: BreakerChange) -> None:
        if self.telemetry is not None:
            self.telemetry.breaker_metrics(change)
        if self.hooks is not None:
            self.hooks.emit(self.hooks.on_breaker_change, change)


class _Open:
    """An attempt in flight: its span and what its trace line will not say."""

    __slots__ = ("latency", "number", "probe", "span", "started")

    def __init__(self, number: int, probe: bool, started: float, span: Span | None) -> None:
        self.number, self.probe, self.started, self.span = number, probe, started, span
        self.latency = 0.0


class CallWatch:
    """One call's spans and hook events (see the module docstring)."""

    __slots__ = (
        "_c0",
        "_call",
        "_done",
        "_failovers",
        "_number",
        "_o",
        "_open",
        "_pools",
        "_served",
        "_span",
        "_streamed",
        "_t0",
    )

    def __init__(self, observe: Observe, call: Call) -> None:
        self._o = observe
        self._call = call
        self._span: Span | None = None
        self._open: dict[str, _Open] = {}  # by target key: at most one attempt per target is in flight
        self._served: _Open | None = None
        self._number = 0
        self._failovers = 0
        self._done = False
        self._streamed = False
        self._pools: CallGate | None = None
        self._t0 = 0
        self._c0 = 0.0

    # --- the gate: around the whole call ----------------------------------------------------------------------

    def gate(self, pools: CallGate, *, streamed: bool) -> CallWatch:
        self._pools = pools
        self._streamed = streamed
        return self

    def enter(self) -> None:
        self._begin()
        assert self._pools is not None
        try:
            self._pools.enter()
        except BaseException as e:
            self._abandon(e)
            raise

    def leave(self) -> None:
        assert self._pools is not None
        try:
            self._pools.leave()
        finally:
            self._close()

    def aenter(self) -> None:
        self._begin()
        assert self._pools is not None
        try:
            self._pools.aenter()
        except BaseException as e:
            self._abandon(e)
            raise

    async def aleave(self) -> None:
        assert self._pools is not None
        try:
            await self._pools.aleave()
        finally:
            self._close()

    def _begin(self) -> None:
        self._t0 = time.time_ns()
        self._c0 = self._o.clock()
        t = self._o.telemetry
        if t is not None:
            self._span = t.start_call(self._call.request, streamed=self._streamed, start_ns=self._t0)

    def _ns(self, at: float) -> int:
        return self._t0 + int((at - self._c0) * 1e9)

    def _close(self) -> None:
        """The call left its gate: if it has not ended, it ended abnormally (the exception being raised)."""
        if not self._done:
            self._abandon(sys.exc_info()[1] or GeneratorExit())

    def _abandon(self, error: BaseException) -> None:
        if self._done:
            return
        now = self._o.clock()
        t = self._o.telemetry
        for key in list(self._open):
            att = self._open.pop(key)
            if att.span is not None and t is not None:
                t.fail(att.span, _abandoned(error), "the call ended while this attempt was in flight")
                att.span.end(self._ns(now))
        self._end_error(error, now)

    # --- what the Call tells ----------------------------------------------------------------------------------

    def attempt_started(self, step: Try) -> None:
        self._number += 1
        entry = step.entry
        span = None
        t = self._o.telemetry
        if t is not None and self._span is not None:
            attributes = {
                "gen_ai.operation.name": "chat",
                "gen_ai.request.model": entry.model,
                **self._o.targets[entry.provider].attributes,
                "modelroute.alias": entry.alias,
                "modelroute.provider": entry.provider,
                "modelroute.attempt.number": self._number,
                "modelroute.attempt.try": step.tries,
            }
            if step.probe:
                attributes["modelroute.attempt.probe"] = True
            if step.hedge_of is not None:
                attributes["modelroute.attempt.hedge_of"] = f"{step.hedge_of.provider}:{step.hedge_of.model}"
            if step.resume is not None:
                attributes["modelroute.attempt.resumes"] = step.resume.from_provider
            if self._streamed:
                attributes["gen_ai.request.stream"] = True
            span = t.start_attempt(self._span, attributes, start_ns=self._ns(step.started))
        self._open[entry.key] = _Open(self._number, step.probe, step.started, span)

    def first_content(self, step: Try) -> None:
        att = self._open.get(step.entry.key)
        if att is None:
            return
        ttfc = self._o.clock() - att.started
        t = self._o.telemetry
        if t is None:
            return
        if att.span is not None:
            att.span.set_attribute("gen_ai.response.time_to_first_chunk", ttfc)
        if t.metrics:
            t.first_chunk.record(ttfc, self._o.labels(step.entry.provider, step.entry.model))

    def line(self, line: Attempt) -> None:
        if line.outcome == "skipped":
            if self._span is not None:
                what = "modelroute.wait" if line.action == "wait" else "modelroute.skip"
                event = {
                    "modelroute.provider": line.provider,
                    "gen_ai.request.model": line.model,
                    "modelroute.reason": line.reason,
                }
                self._span.add_event(what, event, timestamp=self._ns(self._c0 + line.at_s))
            return
        att = self._open.pop(f"{line.provider}/{line.model}", None)
        if att is None:
            return
        if line.action == "failover":
            self._failovers += 1
        if line.outcome == "ok":
            self._served = att  # its span ends with the response's attributes, in `answered`
            att.latency = line.latency_s
        self._attempt_done(line, att)

    def answered(self, response: Response) -> None:
        if self._done:
            return
        self._done = True
        now = self._o.clock()
        t = self._o.telemetry
        if t is not None and self._span is not None:
            attributes = response_attributes(response)
            att = self._served
            if att is not None and att.span is not None:
                att.span.set_attributes(attributes)
                att.span.end(self._ns(att.started + att.latency))
            served = response.served_by
            if served is not None:
                attributes.update(self._o.targets[served.provider].attributes)
                attributes["modelroute.served.provider"] = served.provider
                attributes["modelroute.served.model"] = served.model
            attributes.update(self._counts())
            attributes.update(cost_attributes(response))
            t.output(self._span, response)
            self._span.set_attributes(attributes)
            self._span.end(self._ns(now))
        if t is not None and t.metrics:
            t.call_duration.record(now - self._call.start, {"modelroute.alias": self._call.settings.alias})
        hooks = self._o.hooks
        if hooks is not None and hooks.on_response is not None:
            c = self._call
            hooks.emit(
                hooks.on_response,
                response_info(
                    response,
                    alias=c.settings.alias,
                    attempts=self._number,
                    failovers=self._failovers,
                    streamed=self._streamed,
                    tags=c.request.tags,
                ),
            )

    def failed(self, error: ModelRouteError) -> None:
        if not self._done:
            self._end_error(error, self._o.clock())

    # --- helpers ----------------------------------------------------------------------------------------------

    def _attempt_done(self, line: Attempt, att: _Open) -> None:
        entry = self._o.targets[line.provider]
        t = self._o.telemetry
        if t is not None:
            attrs: dict[str, Any] = {
                "modelroute.attempt.outcome": line.outcome,
                "modelroute.attempt.action": line.action,
            }
            if line.reason:
                attrs["modelroute.attempt.reason"] = line.reason
            if line.hedged:
                attrs["modelroute.attempt.hedged"] = True
            if line.status is not None:
                attrs["http.response.status_code"] = line.status
            if line.error is not None:
                attrs["error.type"] = line.error.kind.value
            address = self._o.address(line.provider)
            if address is not None:
                attrs["server.address"], attrs["server.port"] = address
            attrs.update(usage_attributes(line.usage))
            attrs.update(cost_attributes(line))
            if att.span is not None:
                att.span.set_attributes(attrs)
                if line.error is not None:
                    t.fail(att.span, line.error.kind.value, line.error.message)
                if line.outcome != "ok":
                    att.span.end(self._ns(att.started + line.latency_s))
            if t.metrics:
                more = {
                    "modelroute.alias": line.alias,
                    "modelroute.provider": line.provider,
                    "modelroute.attempt.outcome": line.outcome,
                    "modelroute.attempt.action": line.action,
                }
                t.attempt_metrics(
                    self._o.labels(line.provider, line.model),
                    error_type=line.error.kind.value if line.error is not None else None,
                    more=more,
                    latency_s=line.latency_s,
                    usage=line.usage,
                    failover=line.action == "failover",
                    cost=cost_of(line),
                )
        hooks = self._o.hooks
        if hooks is not None and hooks.on_attempt is not None:
            c = self._call
            hooks.emit(
                hooks.on_attempt,
                attempt_info(
                    line,
                    alias=c.settings.alias,
                    number=att.number,
                    cloud=entry.cloud,
                    region=entry.region,
                    kind=entry.kind,
                    probe=att.probe,
                    streamed=self._streamed,
                    tags=c.request.tags,
                ),
            )

    def _counts(self) -> dict[str, Any]:
        return {"modelroute.attempts": self._number, "modelroute.failovers": self._failovers}

    def _end_error(self, error: BaseException, now: float) -> None:
        self._done = True
        kind = _abandoned(error) if not isinstance(error, ModelRouteError) else error_type(error)
        t = self._o.telemetry
        if t is not None and self._span is not None:
            self._span.set_attributes(self._counts())
            self._span.set_attributes(cost_attributes(error) if isinstance(error, ModelRouteError) else {})
            t.fail(self._span, kind, str(error) if isinstance(error, ModelRouteError) else kind)
            self._span.end(self._ns(now))
        if t is not None and t.metrics:
            t.call_duration.record(
                now - self._call.start, {"modelroute.alias": self._call.settings.alias, "error.type": kind}
            )
        hooks = self._o.hooks
        if hooks is not None and hooks.on_error is not None:
            c = self._call
            hooks.emit(
                hooks.on_error,
                error_info(
                    error,
                    alias=c.settings.alias,
                    latency_s=now - c.start,
                    attempts=self._number,
                    failovers=self._failovers,
                    streamed=self._streamed,
                    tags=c.request.tags,
                ),
            )


def _abandoned(error: BaseException) -> str:
    return "abandoned" if isinstance(error, GeneratorExit) else type(error).__name__


def server_address(base_url: str) -> tuple[str, int] | None:
    """(host, port) of a base URL (None if it has no host)."""
    parts = urlsplit(base_url)
    if not parts.hostname:
        return None
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    return parts.hostname, port
