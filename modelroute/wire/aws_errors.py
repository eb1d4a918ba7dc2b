"""AWS error signals, classified from the wire: the ``x-amzn-ErrorType`` header, the body's ``__type``/``code``,
and the exception names Bedrock puts in event-stream frames (the same names, lower camel case).

Bedrock's HTTP status alone cannot tell a throttled account (429 ``ThrottlingException``) from a model that is
still loading (429 ``ModelNotReadyException``), nor a validation error from a prompt that does not fit the model's
window (both 400 ``ValidationException``), so the name decides and the status is only the fallback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..exceptions import ErrorKind, ProviderError
from .errors import build_error, load_json_object, mentions_context_window

__all__ = ["AWS_ERROR_KINDS", "aws_error_name", "classify_aws", "kind_for_aws_error"]

# Keyed by the exception name with its first letter lower-cased, so the HTTP form (``ThrottlingException``)
# and the event-stream form (``throttlingException``) share one row.
AWS_ERROR_KINDS: dict[str, ErrorKind] = {
    "throttlingException": ErrorKind.RATE_LIMITED,
    "modelNotReadyException": ErrorKind.OVERLOADED,
    "serviceUnavailableException": ErrorKind.OVERLOADED,
    "internalServerException": ErrorKind.SERVER_ERROR,
    "internalFailure": ErrorKind.SERVER_ERROR,
    "modelErrorException": ErrorKind.SERVER_ERROR,
    "modelStreamErrorException": ErrorKind.SERVER_ERROR,
    "modelTimeoutException": ErrorKind.TIMEOUT,
    "validationException": ErrorKind.INVALID_REQUEST,
    "serializationException": ErrorKind.INVALID_REQUEST,
    "serviceQuotaExceededException": ErrorKind.QUOTA_EXHAUSTED,
    "accessDeniedException": ErrorKind.PERMISSION,
    "resourceNotFoundException": ErrorKind.NOT_FOUND,
    "unrecognizedClientException": ErrorKind.AUTH,
    "invalidSignatureException": ErrorKind.AUTH,
    "incompleteSignatureException": ErrorKind.AUTH,
    "missingAuthenticationTokenException": ErrorKind.AUTH,
    "expiredTokenException": ErrorKind.AUTH,
}

# Kinds a message's wording may turn into ``context_window`` (Bedrock reports an over-long prompt as a
# ValidationException, and a model-side failure mid-stream as a modelStreamErrorException quoting Claude).
_MAY_BE_CONTEXT = (ErrorKind.INVALID_REQUEST, ErrorKind.SERVER_ERROR)
# Claude's own wording when input plus max_tokens overflow the window, as Bedrock relays it.
_MORE_CONTEXT_WORDS = ("exceed context limit", "exceeds context limit")


def _context_window(message: str) -> bool:
    low = message.lower()
    return mentions_context_window(message) or any(w in low for w in _MORE_CONTEXT_WORDS)


def _key(name: str) -> str:
    return name[:1].lower() + name[1:]


def aws_error_name(headers: Mapping[str, str], data: Mapping[str, Any] | None) -> str | None:
    """The AWS exception name from ``x-amzn-ErrorType`` (``Name:http://...``) or the body's ``__type``/``code``
    (``com.amazon.coral.service#Name``); None when the response carries neither."""
    raw = headers.get("x-amzn-errortype") or headers.get("x-amzn-ErrorType")
    if not raw and data:
        for field in ("__type", "code", "Code"):
            value = data.get(field)
            if isinstance(value, str) and value:
                raw = value
                break
    if not raw:
        return None
    name = raw.split(":", 1)[0].rsplit("#", 1)[-1].strip()
    return name or None


def kind_for_aws_error(name: str, message: str = "") -> ErrorKind | None:
    """The kind an AWS exception name (either case of its first letter) means, refined by the message's wording."""
    kind = AWS_ERROR_KINDS.get(_key(name))
    if kind in _MAY_BE_CONTEXT and _context_window(message):
        return ErrorKind.CONTEXT_WINDOW
    return kind


def classify_aws(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    fallback: Callable[[int, Mapping[str, str], bytes], ProviderError],
) -> ProviderError:
    """Classify an AWS error response by its exception name; without one (or an unknown one), by ``fallback``
    (the dialect's own classifier, which reads Anthropic- or OpenAI-shaped bodies and the status)."""
    data = load_json_object(body)
    name = aws_error_name(headers, data)
    if name is None:
        return fallback(status, headers, body)
    message = ""
    if data:
        value = data.get("message", data.get("Message"))
        message = value if isinstance(value, str) else ""
    kind = kind_for_aws_error(name, message)
    if kind is None:
        return fallback(status, headers, body)
    return build_error(kind, message, status=status, headers=headers, code=name, body=data)
