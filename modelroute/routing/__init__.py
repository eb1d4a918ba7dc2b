"""Routing decisions, all pure: the plan, the error-action table, and one call's state machine."""

from .call import Call, CallSettings, Fail, Try, Wait
from .plan import Plan, PlanEntry, assess, expand, explain
from .policy import DEFAULT_TABLE, Decision, ErrorPolicy, decide, merge_table

__all__ = [
    "DEFAULT_TABLE",
    "Call",
    "CallSettings",
    "Decision",
    "ErrorPolicy",
    "Fail",
    "Plan",
    "PlanEntry",
    "Try",
    "Wait",
    "assess",
    "decide",
    "expand",
    "explain",
    "merge_table",
]
