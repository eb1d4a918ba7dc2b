"""The pieces of the ``--json`` documents (see `_schemas` for their shapes): answers, attempts, plans, errors."""

from __future__ import annotations

from typing import Any

from .._types import Attempt, Response
from ..config import Config
from ..exceptions import ModelRouteError, ProviderError
from ..routing.plan import Plan

__all__ = ["attempt_doc", "error_doc", "plan_doc", "provider_error_doc", "response_doc"]


def provider_error_doc(e: ProviderError) -> dict[str, Any]:
    return {"kind": e.kind.value, "status": e.status, "message": e.message}


def attempt_doc(a: Attempt) -> dict[str, Any]:
    return {
        "provider": a.provider,
        "model": a.model,
        "alias": a.alias,
        "outcome": a.outcome,
        "action": a.action,
        "reason": a.reason,
        "error": provider_error_doc(a.error) if a.error is not None else None,
        "latency_s": a.latency_s,
        "wait_s": a.wait_s,
        "at_s": a.at_s,
        "streamed": a.streamed,
        "hedged": a.hedged,
        "cost": a.cost.to_dict() if a.cost is not None else None,
    }


def response_doc(r: Response) -> dict[str, Any]:
    return {
        "text": r.text,
        "tool_calls": [{"id": t.id, "name": t.name, "arguments": t.arguments} for t in r.tool_calls],
        "stop_reason": r.stop_reason.value,
        "served_by": r.served_by.model_dump(mode="json") if r.served_by is not None else None,
        "latency_s": r.latency_s,
        "model": r.model,
        "usage": r.usage.model_dump(mode="json") if r.usage is not None else None,
        "cost": cost.to_dict() if (cost := r.cost) is not None else None,
        "trace": [attempt_doc(a) for a in r.trace],
    }


def plan_doc(plan: Plan, config: Config) -> list[dict[str, Any]]:
    providers = config.spec.providers
    return [
        {
            "position": i,
            "provider": e.provider,
            "model": e.model,
            "kind": e.kind,
            "cloud": providers[e.provider].cloud,
            "region": providers[e.provider].region,
            "origin": e.origin,
            "eligible": e.eligible,
            "reason": e.reason,
        }
        for i, e in enumerate(plan.entries, 1)
    ]


def error_doc(e: BaseException) -> dict[str, Any]:
    """What went wrong, for a document: the error's type and message, its kind and the call's trace if any."""
    trace = getattr(e, "trace", None) if isinstance(e, ModelRouteError) else None
    return {
        "type": type(e).__name__,
        "message": str(e),
        "kind": e.kind.value if isinstance(e, ProviderError) else None,
        "trace": [attempt_doc(a) for a in trace or []],
    }
