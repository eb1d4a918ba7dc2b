"""Routing decisions, all pure: the plan, the error-action table, and one call's state machine."""

from .call import Call, CallSettings, Fail, Resume, Try, Wait
from .hedge import HedgeBook, HedgePolicy
from .plan import Plan, PlanEntry, assess, expand, explain
from .policy import DEFAULT_TABLE, Decision, ErrorPolicy, breaker_policy, decide, merge_table
from .resume import StreamProgress, with_prefill
from .window import CatalogView, ModelIdentity, identify_models, too_long_for

__all__ = [
    "DEFAULT_TABLE",
    "Call",
    "CallSettings",
    "CatalogView",
    "Decision",
    "ErrorPolicy",
    "Fail",
    "HedgeBook",
    "HedgePolicy",
    "ModelIdentity",
    "Plan",
    "PlanEntry",
    "Resume",
    "StreamProgress",
    "Try",
    "Wait",
    "assess",
    "breaker_policy",
    "decide",
    "expand",
    "explain",
    "identify_models",
    "merge_table",
    "too_long_for",
    "with_prefill",
]
