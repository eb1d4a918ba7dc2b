"""Keeping secrets out of everything observable: the secrets we know, and where they are scrubbed.

Every secret modelroute reads or obtains is registered here when it gets it: the values of ``${ENV}``
references (credential fields, and the parts of a ``base_url`` read from the environment), the tokens Entra ID
and Google hand out, the AWS keys of the credential chain. Then:

- `scrub_error` cleans an attempt's error when the router takes it into a call's trace: registered secrets
  are replaced in its message, code, request id, body and args (a provider may quote the key back); foreign
  exceptions chained to it are detached (an httpx2 error holds the request with its headers, a JSON error the
  whole body); and the local variables of the finished frames it passed through are cleared (they held headers
  and bodies), so an error reporter that captures locals finds nothing either.
- `RedactingFilter`, put on our logger and on those of the libraries we drive (httpx2, httpcore2, aiohttp,
  botocore, urllib3, azure, msal, google), replaces registered secrets in every record. botocore's DEBUG records
  made while modelroute signs a request or fetches credentials (canonical requests with the session token,
  strings to sign, signatures, credential responses) are dropped: `credential_work` marks that code.

Values shorter than `MIN_SECRET_LEN` are not registered (redacting them would blank ordinary words), and only
the most recent `MAX_KNOWN` are kept (rotated tokens expire).
"""

from __future__ import annotations

import contextvars
import logging
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar
from urllib.parse import quote

from .exceptions import ModelRouteError, ProviderError

__all__ = [
    "MAX_KNOWN",
    "MIN_SECRET_LEN",
    "REDACTED",
    "RedactingFilter",
    "credential_work",
    "forget_locals",
    "install_log_filters",
    "redact",
    "redact_value",
    "register",
    "scrub_error",
]

REDACTED = "[redacted]"
MIN_SECRET_LEN = 8
MAX_KNOWN = 256

_lock = threading.Lock()


class _Known:
    """The registered secrets, oldest first, and the same longest first (the order `redact` replaces them in)."""

    values: ClassVar[dict[str, None]] = {}
    longest_first: ClassVar[tuple[str, ...]] = ()


def register(*values: str | None) -> None:
    """Remember secrets (and their percent-encoded forms, as URLs show them) so they can be redacted."""
    with _lock:
        changed = False
        for value in values:
            if not value or len(value) < MIN_SECRET_LEN:
                continue
            for form in {value, quote(value, safe="")}:
                _Known.values.pop(form, None)
                _Known.values[form] = None
                changed = True
        if not changed:
            return
        while len(_Known.values) > MAX_KNOWN:
            del _Known.values[next(iter(_Known.values))]
        _Known.longest_first = tuple(sorted(_Known.values, key=len, reverse=True))


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``[redacted]``."""
    for secret in _Known.longest_first:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def redact_value(value: Any, _depth: int = 0) -> Any:
    """A parsed body (dicts, lists, strings) with every registered secret redacted; other objects as they are."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bytes) and _Known.longest_first:  # an undecodable body, kept raw
        for secret in _Known.longest_first:
            value = value.replace(secret.encode(), REDACTED.encode())
        return value
    if not _Known.longest_first or not isinstance(value, dict | list | tuple):
        return value
    if _depth > 64:  # no honest error body nests this deep; do not walk a hostile one
        return REDACTED
    if isinstance(value, dict):
        return {redact_value(k, _depth + 1): redact_value(v, _depth + 1) for k, v in value.items()}
    items = [redact_value(v, _depth + 1) for v in value]
    return items if isinstance(value, list) else tuple(items)


def forget_locals(error: BaseException) -> None:
    """Clear the local variables of the finished frames ``error`` passed through (a stream driver's frame holds
    the last response bytes, a route's the env it read). Frames still running are left as they are."""
    if error.__traceback__ is not None:
        traceback.clear_frames(error.__traceback__)


def scrub_error(error: BaseException) -> None:
    """Make an attempt's error safe to keep, show and report (see the module docstring). Idempotent."""
    _scrub(error, set())


def _scrub(error: BaseException, seen: set[int]) -> None:
    seen.add(id(error))
    if isinstance(error, ProviderError):
        error.message = redact(error.message)
        error.code = redact(error.code) if error.code else error.code
        error.request_id = redact(error.request_id) if error.request_id else error.request_id
        error.body = redact_value(error.body)
    error.args = tuple(redact_value(a) for a in error.args)
    forget_locals(error)
    for linked in (error.__cause__, error.__context__):
        if isinstance(linked, ModelRouteError) and id(linked) not in seen:
            _scrub(linked, seen)
    if error.__cause__ is not None and not isinstance(error.__cause__, ModelRouteError):
        error.__cause__ = None
        error.__suppress_context__ = True
    if error.__context__ is not None and not isinstance(error.__context__, ModelRouteError):
        error.__context__ = None


# --- logging ---------------------------------------------------------------------------------------------------

_working: contextvars.ContextVar[bool] = contextvars.ContextVar("modelroute_credential_work", default=False)


@contextmanager
def credential_work() -> Iterator[None]:
    """Mark code that signs a request or fetches credentials: botocore's DEBUG records made inside are dropped."""
    token = _working.set(True)
    try:
        yield
    finally:
        _working.reset(token)


class RedactingFilter(logging.Filter):
    """Replaces registered secrets in a record's message and traceback; drops botocore's DEBUG records made
    during `credential_work` (they print session tokens and signatures)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno <= logging.DEBUG and record.name.startswith("botocore") and _working.get():
            return False
        if not _Known.longest_first:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler to report
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            clean = redact(text)
            if clean != text:
                record.exc_info, record.exc_text = None, clean
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()
#: Loggers of the libraries modelroute drives, and their children (found when `install_log_filters` runs).
LOGGER_PREFIXES = (
    "modelroute",
    "httpx2",
    "httpcore2",
    "hpack",
    "h2",
    "aiohttp",
    "botocore",
    "urllib3",
    "azure",
    "msal",
    "google",
)
# Made now if they do not exist yet, so that their first records, made right after import, are filtered too.
_KNOWN_LOGGERS = (
    "modelroute",
    "httpx2",
    "httpcore2.connection",
    "httpcore2.http11",
    "httpcore2.http2",
    "httpcore2.proxy",
    "httpcore2.socks",
    "botocore.auth",
    "botocore.credentials",
    "botocore.endpoint",
    "botocore.hooks",
    "botocore.httpsession",
    "botocore.parsers",
    "botocore.utils",
    "urllib3.connectionpool",
    "azure.identity",
    "azure.core.pipeline.policies.http_logging_policy",
    "google.auth",
    "google.auth.transport.requests",
)
_installed: set[str] = set()


def install_log_filters() -> None:
    """Put `RedactingFilter` on the known loggers and on every existing logger under `LOGGER_PREFIXES`
    (again after a library was imported: its loggers exist only then). Cheap when nothing is new."""
    names = set(_KNOWN_LOGGERS)
    names.update(n for n in logging.Logger.manager.loggerDict if n.split(".", 1)[0] in LOGGER_PREFIXES)
    new = names - _installed
    if not new:
        return
    with _lock:
        for name in sorted(new - _installed):
            logger = logging.getLogger(name)
            if _FILTER not in logger.filters:
                logger.addFilter(_FILTER)
            _installed.add(name)
