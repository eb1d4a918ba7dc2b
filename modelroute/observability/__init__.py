"""Making decisions visible: trace tables for people (cost, OpenTelemetry spans and hooks come later)."""

from ._format import trace_table

__all__ = ["trace_table"]
