"""Every error modelroute raises, under one root.

```
ModelRouteError                      catch this to catch everything modelroute raises
├── ConfigError                      the config is malformed; names the field path and the fix
│   └── MissingDependencyError       a route needs an extra that is not installed; names the pip command
├── CredentialError                  a target's secret (an ${ENV} reference) could not be resolved at first use
├── RequestError                     the request itself is malformed; raised before any network call
│   └── UnsupportedFeature           no target of the alias can honour a requested feature
├── ProviderError                    one attempt failed; ``kind`` says how (see ErrorKind)
│   ├── RateLimitedError                 rate_limited
│   ├── OverloadedError                  overloaded
│   ├── ServerError                      server_error
│   ├── ProviderTimeoutError             timeout
│   ├── ProviderConnectionError          connection
│   ├── AuthError                        auth, permission, not_found
│   ├── QuotaExhaustedError              quota_exhausted
│   ├── ContextWindowExceededError       context_window
│   ├── ContentFilteredError             content_filtered, refusal
│   ├── InvalidRequestError              invalid_request
│   └── MalformedResponseError           malformed_response (a body or stream we cannot decode, or one cut short)
├── AllTargetsFailed                 every planned target failed or was skipped; carries the whole trace
├── StreamInterrupted                a stream failed after text reached the caller; carries the partial text
├── RouterClosedError                a call was started on a router after its close() / aclose()
└── StructuredOutputError            ``response.parsed``: the answer is not JSON, or not of the asked-for schema
```

A request that the router stops on (``invalid_request``, ``content_filtered`` by default) raises the
`ProviderError` of the attempt that stopped it, with ``.trace`` set, so the caller sees the provider's own
message. Every error that ends a call has a ``trace``: the list of attempts, each with its error kind.

Messages are written for the person reading the traceback: what happened, and what to do. No message, repr or
trace ever holds a secret.

Every error pickles with all its fields (``kind``, ``trace``, ``partial_text``, ``path``...), so it crosses a
process boundary (a `concurrent.futures.ProcessPoolExecutor` worker re-raises it in the parent): it is rebuilt
from its message and attributes, without running ``__init__`` again.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._cost import Cost
    from ._types import Attempt

__all__ = [
    "AllTargetsFailed",
    "AuthError",
    "ConfigError",
    "ContentFilteredError",
    "ContextWindowExceededError",
    "CredentialError",
    "ErrorKind",
    "InvalidRequestError",
    "MalformedResponseError",
    "MissingDependencyError",
    "ModelRouteError",
    "OverloadedError",
    "ProviderConnectionError",
    "ProviderError",
    "ProviderTimeoutError",
    "QuotaExhaustedError",
    "RateLimitedError",
    "RequestError",
    "RouterClosedError",
    "ServerError",
    "StreamInterrupted",
    "StructuredOutputError",
    "UnsupportedFeature",
    "error_for_kind",
]


class ErrorKind(StrEnum):
    """How one attempt failed. The router's default action for each is in DESIGN.md's error table."""

    RATE_LIMITED = "rate_limited"
    OVERLOADED = "overloaded"
    SERVER_ERROR = "server_error"
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    AUTH = "auth"
    PERMISSION = "permission"
    NOT_FOUND = "not_found"
    QUOTA_EXHAUSTED = "quota_exhausted"
    CONTEXT_WINDOW = "context_window"
    CONTENT_FILTERED = "content_filtered"
    REFUSAL = "refusal"
    INVALID_REQUEST = "invalid_request"
    MALFORMED_RESPONSE = "malformed_response"


class ModelRouteError(Exception):
    """The root of every error modelroute raises."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's own reduce calls ``cls(*args)``, which fails for every subclass whose __init__ takes more
        # than the message (ConfigError, AllTargetsFailed, StreamInterrupted...): rebuild from args + fields.
        return (_rebuild, (type(self), self.args), self.__dict__)


def _rebuild(cls: type[ModelRouteError], args: tuple[Any, ...]) -> ModelRouteError:
    """An error of ``cls`` with ``args``, its fields to be restored by unpickling (no ``__init__`` call)."""
    return cls.__new__(cls, *args)


class ConfigError(ModelRouteError, ValueError):
    """The config is malformed. ``path`` is the dotted field path (``models.claude.targets[0].provider``)."""

    def __init__(self, path: str, problem: str, fix: str = "") -> None:
        self.path = path
        self.problem = problem
        self.fix = fix
        where = f"{path}: " if path else ""
        tail = f" {fix.rstrip('.')}." if fix else ""
        super().__init__(f"{where}{problem.rstrip('.')}.{tail}")


class MissingDependencyError(ConfigError):
    """A provider kind needs an optional dependency that is not installed."""

    def __init__(self, path: str, what: str, extra: str) -> None:
        self.extra = extra
        super().__init__(path, f"{what} needs the '{extra}' extra", f"Install it: pip install 'modelroute[{extra}]'")


class CredentialError(ModelRouteError):
    """A secret named in the config (``${ENV}``) is not set. Raised when the target is first used."""


class RequestError(ModelRouteError, ValueError):
    """The request is malformed; raised before any network call."""


class UnsupportedFeature(RequestError):
    """No target of the alias can honour a feature the request asks for (each target's reason is listed)."""


class ProviderError(ModelRouteError):
    """One attempt against one target failed.

    ``kind`` classifies the failure (see `ErrorKind`); ``status`` is the HTTP status when there was one
    (200 for an error that arrived inside a stream); ``retry_after_s`` is the provider's Retry-After, in
    seconds, when it sent one; ``request_id`` is the provider's request id for support tickets.
    """

    default_kind: ErrorKind = ErrorKind.SERVER_ERROR

    def __init__(
        self,
        message: str,
        *,
        kind: ErrorKind | None = None,
        status: int | None = None,
        provider: str | None = None,
        code: str | None = None,
        retry_after_s: float | None = None,
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        self.kind = kind or self.default_kind
        self.status = status
        self.provider = provider
        self.code = code
        self.retry_after_s = retry_after_s
        self.request_id = request_id
        self.body = body
        self.message = message
        self.trace: list[Attempt] = []
        super().__init__(message)

    @property
    def cost(self) -> Cost | None:
        """When this error ended a call: what its attempts cost (see `Response.cost`)."""
        return _trace_cost(self.trace)

    def __str__(self) -> str:
        parts = [self.kind.value]
        if self.status is not None:
            parts.append(str(self.status))
        if self.provider:
            parts.append(f"from {self.provider}")
        head = " ".join(parts)
        rid = f" (request id {self.request_id})" if self.request_id else ""
        return f"{head}: {self.message}{rid}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(kind={self.kind.value!r}, status={self.status!r}, "
            f"provider={self.provider!r}, message={self.message!r})"
        )


class RateLimitedError(ProviderError):
    default_kind = ErrorKind.RATE_LIMITED


class OverloadedError(ProviderError):
    default_kind = ErrorKind.OVERLOADED


class ServerError(ProviderError):
    default_kind = ErrorKind.SERVER_ERROR


class ProviderTimeoutError(ProviderError):
    default_kind = ErrorKind.TIMEOUT


class ProviderConnectionError(ProviderError):
    default_kind = ErrorKind.CONNECTION


class AuthError(ProviderError):
    default_kind = ErrorKind.AUTH


class QuotaExhaustedError(ProviderError):
    default_kind = ErrorKind.QUOTA_EXHAUSTED


class ContextWindowExceededError(ProviderError):
    default_kind = ErrorKind.CONTEXT_WINDOW


class ContentFilteredError(ProviderError):
    default_kind = ErrorKind.CONTENT_FILTERED


class InvalidRequestError(ProviderError):
    default_kind = ErrorKind.INVALID_REQUEST


class MalformedResponseError(ProviderError):
    default_kind = ErrorKind.MALFORMED_RESPONSE


_CLASS_FOR_KIND: dict[ErrorKind, type[ProviderError]] = {
    ErrorKind.RATE_LIMITED: RateLimitedError,
    ErrorKind.OVERLOADED: OverloadedError,
    ErrorKind.SERVER_ERROR: ServerError,
    ErrorKind.TIMEOUT: ProviderTimeoutError,
    ErrorKind.CONNECTION: ProviderConnectionError,
    ErrorKind.AUTH: AuthError,
    ErrorKind.PERMISSION: AuthError,
    ErrorKind.NOT_FOUND: AuthError,
    ErrorKind.QUOTA_EXHAUSTED: QuotaExhaustedError,
    ErrorKind.CONTEXT_WINDOW: ContextWindowExceededError,
    ErrorKind.CONTENT_FILTERED: ContentFilteredError,
    ErrorKind.REFUSAL: ContentFilteredError,
    ErrorKind.INVALID_REQUEST: InvalidRequestError,
    ErrorKind.MALFORMED_RESPONSE: MalformedResponseError,
}


def error_for_kind(kind: ErrorKind, message: str, **fields: Any) -> ProviderError:
    """Build the `ProviderError` subclass that matches ``kind``."""
    return _CLASS_FOR_KIND[kind](message, kind=kind, **fields)


class AllTargetsFailed(ModelRouteError):
    """Every target in the plan failed or was skipped. ``trace`` holds every attempt and skip, in order.

    ``retry_in_s`` (also ``retry_after_s``) is set when every target was only cooling down or had its circuit
    open: the seconds until the first one may be tried again.
    """

    def __init__(self, alias: str, trace: Sequence[Attempt], *, reason: str = "", retry_in_s: float | None = None):
        self.alias = alias
        self.trace = list(trace)
        self.retry_in_s = retry_in_s
        self.reason = reason
        super().__init__(self._message())

    @property
    def retry_after_s(self) -> float | None:
        """When every target was cooling down or had its circuit open: seconds until the first reopens."""
        return self.retry_in_s

    @property
    def cost(self) -> Cost | None:
        """What the call spent before it failed: the attempts the providers bill although they failed (cut
        streams, cancelled hedges, refused answers), added up; None when nothing was billed."""
        return _trace_cost(self.trace)

    @property
    def errors(self) -> list[ProviderError]:
        """The error of each failed attempt, in order."""
        return [a.error for a in self.trace if a.error is not None]

    def _message(self) -> str:
        lines = [f"every target for '{self.alias}' failed" + (f" ({self.reason})" if self.reason else "")]
        lines.extend(f"  {a.describe()}" for a in self.trace)
        if self.retry_in_s is not None:
            lines.append(f"  retry in {self.retry_in_s:.1f}s, when the first target reopens (cooldown or breaker)")
        elif not self.trace:
            lines.append("  no target was eligible: run router.explain(...) to see why each was left out")
        cost = _trace_cost(self.trace)
        if cost is not None:
            lines.append(f"  spent {cost.brief()} on the attempts above")
        return "\n".join(lines)


class StreamInterrupted(ModelRouteError):
    """A stream failed after text had reached the caller, and the alias's policy is to stop there.

    ``partial_text`` is what was delivered before the failure; ``trace`` lists every attempt.
    """

    def __init__(self, message: str, *, partial_text: str, trace: Sequence[Attempt], error: ProviderError | None):
        self.partial_text = partial_text
        self.trace = list(trace)
        self.error = error
        super().__init__(message)

    @property
    def cost(self) -> Cost | None:
        """What the call's attempts cost, the broken stream's included (see `Response.cost`)."""
        return _trace_cost(self.trace)


def _trace_cost(trace: Sequence[Attempt]) -> Cost | None:
    from ._cost import trace_cost

    return trace_cost(trace)


class RouterClosedError(ModelRouteError, RuntimeError):
    """A call was started on a `Router` after its ``close()`` or ``aclose()``. Calls already running when it
    was closed finish normally; make a new `Router` (or do not close this one) to send more."""


class StructuredOutputError(ModelRouteError, ValueError):
    """`Response.parsed`: the answer is not JSON, or does not follow the request's ``response_format`` (it was cut
    by ``max_tokens``, or the model refused). ``text`` is the answer's text as it came."""

    def __init__(self, message: str, *, text: str) -> None:
        self.text = text
        super().__init__(message)
