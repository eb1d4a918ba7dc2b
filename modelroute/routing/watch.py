"""What a `Call` tells the outside while it runs: the two seams `modelroute.observability` plugs into.

- `TargetMonitor` (always there when a `Router` builds the call): each trace line of an attempt, for the logs (a
  failing target warned about once per cause) and the health view's recent latency and error rate.
- `CallObserver` (only when OpenTelemetry or hooks are on): a call's attempts as they start and end, its first
  streamed content, its end. With both off a call makes one ``is None`` check per point and nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from .._types import Attempt, Response
from ..exceptions import ModelRouteError

if TYPE_CHECKING:
    from .._stream import CallGate
    from .call import Call, Try

__all__ = ["CallObserver", "Observing", "TargetMonitor"]


class TargetMonitor(Protocol):
    def attempt(self, line: Attempt) -> None:
        """An attempt's trace line (ok, error or cancelled), as it is written."""
        ...


class CallObserver(Protocol):
    def gate(self, pools: CallGate, *, streamed: bool) -> CallGate:
        """What the driver enters and leaves around the call instead of ``pools`` (it wraps them)."""
        ...

    def attempt_started(self, step: Try) -> None: ...

    def first_content(self, step: Try) -> None: ...

    def line(self, line: Attempt) -> None:
        """Every trace line, skips and waits included, as it is written."""
        ...

    def answered(self, response: Response) -> None: ...

    def failed(self, error: ModelRouteError) -> None: ...


class Observing(Protocol):
    def call(self, call: Call) -> CallObserver:
        """The observer of one call, made when the call is."""
        ...
