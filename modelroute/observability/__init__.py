"""Making decisions visible: trace tables for people, OpenTelemetry spans and metrics, hooks, logs, health.

- `Telemetry`: OpenTelemetry spans (one per call, one per attempt under it) and metrics after the GenAI
  semantic conventions; ``Router(..., telemetry=Telemetry())``, with the ``otel`` extra.
- `Hooks`: your own functions (sync or async) for each attempt, answer, failed call and breaker change, run off
  the call's path; ``Router(..., hooks=Hooks(on_attempt=...))``.
- `Router.health` returns a `Health`: every target's breaker, cooldown and last minute.
- Logs: the ``modelroute`` logger, with structured ``modelroute_*`` extra fields (see `_monitor`).
"""

from typing import TYPE_CHECKING, Any

from ._events import AttemptInfo, BreakerChange, ErrorInfo, ResponseInfo
from ._format import trace_table
from ._health import BreakerHealth, CooldownHealth, Health, TargetHealth
from ._hooks import Hooks
from ._monitor import Recent

if TYPE_CHECKING:
    from ._otel import Telemetry

__all__ = [
    "AttemptInfo",
    "BreakerChange",
    "BreakerHealth",
    "CooldownHealth",
    "ErrorInfo",
    "Health",
    "Hooks",
    "Recent",
    "ResponseInfo",
    "TargetHealth",
    "Telemetry",
    "trace_table",
]


def __getattr__(name: str) -> Any:
    if name == "Telemetry":  # its module is light, but keep the OpenTelemetry code out until it is asked for
        from ._otel import Telemetry

        return Telemetry
    raise AttributeError(name)
