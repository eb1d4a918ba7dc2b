"""A call's trace as a compact, aligned text table."""

from __future__ import annotations

from collections.abc import Sequence

from .._cost import trace_cost
from .._types import Attempt

__all__ = ["cost_cell", "trace_rows", "trace_table"]


def _outcome(a: Attempt) -> str:
    if a.outcome == "skipped":
        return "skipped"
    ms = f"{a.latency_s * 1000:.0f} ms"
    if a.outcome in ("ok", "cancelled"):
        return f"{a.outcome}, {ms}"
    err = a.error
    kind = err.kind.value if err is not None else "error"
    status = f" {a.status}" if a.status else ""
    detail = f" ({_short(err.message)})" if err is not None and err.message else ""
    return f"{kind}{status}{detail}, {ms}"


def _short(text: str, limit: int = 36) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _next(a: Attempt) -> str:
    if a.action == "served":
        return "served"
    if a.action == "retry":
        return f"retry in {a.wait_s:.2f}s: {a.reason}"
    return f"{a.action}: {a.reason}"


def cost_cell(a: Attempt) -> str:
    """The attempt's cost; a failed or cancelled attempt with one is one the provider bills anyway."""
    if a.cost is None:
        return "-"
    return a.cost.brief() if a.outcome == "ok" else f"billed {a.cost.brief()}"


def trace_rows(trace: Sequence[Attempt]) -> list[tuple[str, str, str, str]]:
    """The cells of `trace_table` without its header and cost column: number, target, outcome, what the router
    did next."""
    return [(str(i), f"{a.provider}:{a.model}", _outcome(a), _next(a)) for i, a in enumerate(trace, 1)]


def trace_table(trace: Sequence[Attempt], *, indent: str = "") -> str:
    """One row per attempt or skip: number, target, outcome, cost, what the router did next and why; a last line
    with the call's total when anything was billed."""
    rows = [("#", "target", "outcome", "cost", "then")]
    cells = zip(trace_rows(trace), trace, strict=True)
    rows += [(n, target, outcome, cost_cell(a), then) for (n, target, outcome, then), a in cells]
    widths = [max(len(r[c]) for r in rows) for c in range(4)]
    lines = [
        indent + "  ".join(cell.ljust(widths[c]) if c < 4 else cell for c, cell in enumerate(r)).rstrip() for r in rows
    ]
    total = trace_cost(trace)
    if total is not None:
        lines.append(f"{indent}total {total.brief()}" + (f" ({total.reason})" if total.amount is None else ""))
    return "\n".join(lines)
