"""Azure's error bodies, table-driven: ``{"error": {"code", "message", "innererror"?}}`` from Azure OpenAI and
the Foundry gateway. Codes are Azure's own (``DeploymentNotFound``, ``content_filter``, ``"429"``...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..exceptions import ErrorKind, ProviderError
from ..wire.errors import build_error

__all__ = ["AZURE_CODE_KIND", "AZURE_MESSAGE_KIND", "azure_error", "content_filter_detail"]

# ``error.code`` (or ``error.innererror.code``) -> kind. Numeric codes are strings on Azure ("429").
AZURE_CODE_KIND: dict[str, ErrorKind] = {
    "content_filter": ErrorKind.CONTENT_FILTERED,
    "ResponsibleAIPolicyViolation": ErrorKind.CONTENT_FILTERED,
    "context_length_exceeded": ErrorKind.CONTEXT_WINDOW,
    "DeploymentNotFound": ErrorKind.NOT_FOUND,
    "OperationNotSupported": ErrorKind.NOT_FOUND,  # the deployment's model cannot do chat completions
    "401": ErrorKind.AUTH,
    "AuthenticationTypeDisabled": ErrorKind.AUTH,
    "PermissionDenied": ErrorKind.PERMISSION,
    "403": ErrorKind.PERMISSION,
    "404": ErrorKind.NOT_FOUND,
    "429": ErrorKind.RATE_LIMITED,
    "TooManyRequests": ErrorKind.RATE_LIMITED,
    "insufficient_quota": ErrorKind.QUOTA_EXHAUSTED,
    "InternalServerError": ErrorKind.SERVER_ERROR,
    "ServiceUnavailable": ErrorKind.OVERLOADED,
    "Timeout": ErrorKind.TIMEOUT,
}

# Wording that overrides the code (checked lower-cased, in order).
AZURE_MESSAGE_KIND: tuple[tuple[str, ErrorKind], ...] = (
    ("out of call volume quota", ErrorKind.QUOTA_EXHAUSTED),
    ("maximum context length", ErrorKind.CONTEXT_WINDOW),
    ("prompt is too long", ErrorKind.CONTEXT_WINDOW),
)


def content_filter_detail(result: Any) -> str:
    """``hate (high), violence (medium)`` from a ``content_filter_result(s)`` object: what was filtered."""
    if not isinstance(result, Mapping):
        return ""
    hits = []
    for category, verdict in result.items():
        if isinstance(verdict, Mapping) and verdict.get("filtered"):
            severity = verdict.get("severity")
            hits.append(f"{category} ({severity})" if severity else str(category))
    return ", ".join(hits)


def azure_error(status: int, headers: Mapping[str, str], err: Mapping[str, Any]) -> ProviderError | None:
    """The classified error for an Azure-shaped error object, or None when nothing in it is Azure's."""
    code = err.get("code")
    code_s = str(code) if code is not None else ""
    inner = err.get("innererror")
    inner_code = str(inner.get("code") or "") if isinstance(inner, Mapping) else ""
    message = str(err.get("message") or "")
    low = message.lower()
    kind = next((k for words, k in AZURE_MESSAGE_KIND if words in low), None)
    kind = kind or AZURE_CODE_KIND.get(inner_code) or AZURE_CODE_KIND.get(code_s)
    if kind is None:
        return None
    if kind is ErrorKind.CONTENT_FILTERED and isinstance(inner, Mapping):
        detail = content_filter_detail(inner.get("content_filter_result"))
        if detail:
            message = f"{message} (filtered: {detail})"
    return build_error(kind, message, status=status, headers=headers, code=code_s or inner_code or None, body=dict(err))
