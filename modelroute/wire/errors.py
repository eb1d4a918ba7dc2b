"""Shared pieces of error classification: Retry-After, request ids, and the status-code fallback table.

Each dialect classifies its own error bodies first (error ``type``/``code`` fields, wording); what it cannot
tell from the body it leaves to `kind_for_status`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from ..exceptions import ErrorKind, MalformedResponseError, ProviderError, error_for_kind
from ._read import loads

__all__ = [
    "CONTEXT_WINDOW_WORDS",
    "build_error",
    "kind_for_status",
    "load_json_object",
    "parse_ratelimit_reset",
    "parse_retry_after",
    "request_id",
]

_STATUS_KIND: dict[int, ErrorKind] = {
    400: ErrorKind.INVALID_REQUEST,
    401: ErrorKind.AUTH,
    402: ErrorKind.QUOTA_EXHAUSTED,
    403: ErrorKind.PERMISSION,
    404: ErrorKind.NOT_FOUND,
    408: ErrorKind.TIMEOUT,
    409: ErrorKind.SERVER_ERROR,
    413: ErrorKind.INVALID_REQUEST,
    422: ErrorKind.INVALID_REQUEST,
    424: ErrorKind.SERVER_ERROR,
    429: ErrorKind.RATE_LIMITED,
    500: ErrorKind.SERVER_ERROR,
    502: ErrorKind.SERVER_ERROR,
    503: ErrorKind.OVERLOADED,
    504: ErrorKind.TIMEOUT,
    529: ErrorKind.OVERLOADED,
}

# Wording vendors use for "the prompt does not fit the model's window" (checked lower-cased).
CONTEXT_WINDOW_WORDS = (
    "prompt is too long",
    "context length",
    "context_length_exceeded",
    "context window",
    "maximum context",
    "input is too long",
    "too many input tokens",
    "exceeds the maximum number of tokens",
)

_REQUEST_ID_HEADERS = ("request-id", "x-request-id", "x-amzn-requestid", "apim-request-id", "x-ms-request-id")
_RETRY_AFTER_IN_TEXT = re.compile(r"retry after (\d+(?:\.\d+)?) seconds?", re.IGNORECASE)


def kind_for_status(status: int) -> ErrorKind:
    """The error kind a bare status implies when the body says nothing more specific."""
    kind = _STATUS_KIND.get(status)
    if kind is not None:
        return kind
    return ErrorKind.SERVER_ERROR if status >= 500 else ErrorKind.INVALID_REQUEST


def parse_retry_after(headers: Mapping[str, str], message: str = "", now: float | None = None) -> float | None:
    """Seconds to wait, from ``retry-after-ms``, ``retry-after`` (seconds or an HTTP date), or the
    "Please retry after N seconds" wording Azure puts in its 429 bodies. None when absent or unreadable."""
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            value = float(ms) / 1000.0
            if value >= 0:
                return value
        except ValueError:
            pass
    ra = headers.get("retry-after")
    if ra is not None:
        try:
            return max(0.0, float(ra))
        except ValueError:
            try:
                when = parsedate_to_datetime(ra).timestamp()
            except (TypeError, ValueError, IndexError):
                when = None
            if when is not None:
                return max(0.0, when - (time.time() if now is None else now))
    found = _RETRY_AFTER_IN_TEXT.search(message) if message else None
    return float(found.group(1)) if found else None


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT_S = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
# (reset header, remaining header) per cloud: OpenAI (and Azure) send durations ("1s", "6m0s", "20ms"),
# Anthropic sends RFC 3339 times.
_RESET_HEADERS = (
    ("x-ratelimit-reset-requests", "x-ratelimit-remaining-requests"),
    ("x-ratelimit-reset-tokens", "x-ratelimit-remaining-tokens"),
    ("anthropic-ratelimit-requests-reset", "anthropic-ratelimit-requests-remaining"),
    ("anthropic-ratelimit-tokens-reset", "anthropic-ratelimit-tokens-remaining"),
    ("anthropic-ratelimit-input-tokens-reset", "anthropic-ratelimit-input-tokens-remaining"),
    ("anthropic-ratelimit-output-tokens-reset", "anthropic-ratelimit-output-tokens-remaining"),
)


def _reset_seconds(value: str, now: float) -> float | None:
    value = value.strip()
    parts = _DURATION_PART.findall(value)
    if parts and "".join(n + u for n, u in parts) == value:
        return sum(float(n) * _UNIT_S[u] for n, u in parts)
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


def parse_ratelimit_reset(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds until an exhausted rate limit resets, from the clouds' ``x-ratelimit-reset-*`` /
    ``anthropic-ratelimit-*-reset`` headers: the latest reset among the limits whose remaining count is 0, or,
    when none says so, the earliest reset given. None when no such header is readable."""
    wall = time.time() if now is None else now
    exhausted: list[float] = []
    other: list[float] = []
    for reset_name, remaining_name in _RESET_HEADERS:
        raw = headers.get(reset_name)
        if raw is None:
            continue
        secs = _reset_seconds(raw, wall)
        if secs is None:
            continue
        (exhausted if headers.get(remaining_name, "").strip() == "0" else other).append(secs)
    if exhausted:
        return max(exhausted)
    return min(other) if other else None


def request_id(headers: Mapping[str, str]) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def load_json_object(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None if it is not one (an HTML page from a proxy, say, or JSON nested
    deeper than `MAX_DEPTH`)."""
    try:
        data = loads(body, "the body")
    except MalformedResponseError:
        return None
    return data if isinstance(data, dict) else None


def build_error(
    kind: ErrorKind,
    message: str,
    *,
    status: int,
    headers: Mapping[str, str],
    code: str | None = None,
    body: Any = None,
) -> ProviderError:
    """A classified `ProviderError` with the Retry-After and request id read from the headers."""
    retry_after = parse_retry_after(headers, message)
    if retry_after is None and kind is ErrorKind.RATE_LIMITED:
        retry_after = parse_ratelimit_reset(headers)
    return error_for_kind(
        kind,
        message or f"HTTP {status}",
        status=status,
        code=code,
        retry_after_s=retry_after,
        request_id=request_id(headers),
        body=body,
    )


def mentions_context_window(message: str) -> bool:
    low = message.lower()
    return any(w in low for w in CONTEXT_WINDOW_WORDS)
