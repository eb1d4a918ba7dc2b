"""Google OAuth access tokens from Application Default Credentials (google-auth), renewed ahead of expiry off
the event loop.

google-auth is imported on first use, never with ``import modelroute`` (extra ``modelroute[vertex]``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

from .._redact import credential_work, install_log_filters, register
from ..exceptions import AuthError, ErrorKind, MissingDependencyError
from ._refresh import REFRESH_MARGIN_S, CredentialCache, RenewingSigner

__all__ = ["CLOUD_PLATFORM_SCOPE", "GoogleAuth", "application_default_credentials"]

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"


def application_default_credentials() -> Any:
    """``google.auth.default(scopes=[cloud-platform])``'s credentials (env var file, gcloud, metadata server)."""
    try:
        import google.auth
    except ImportError as e:
        raise MissingDependencyError("access_token", "Google Application Default Credentials", "vertex") from e
    install_log_filters()  # google-auth's loggers exist now
    credentials, _project = google.auth.default(scopes=[CLOUD_PLATFORM_SCOPE])
    return credentials


def _refresh_request() -> Any:
    try:
        from google.auth.transport.requests import Request
    except ImportError as e:  # google-auth's requests transport needs the requests package
        raise MissingDependencyError("access_token", "Google Application Default Credentials", "vertex") from e
    install_log_filters()  # urllib3's loggers exist now
    return Request()


class GoogleAuth(RenewingSigner[str]):
    """``Authorization: Bearer <access token>`` from google-auth credentials (ADC unless given).

    ``credentials`` is anything with google-auth's ``valid``, ``token``, ``expiry`` (naive UTC, or None) and
    ``refresh(request)``. A token is renewed `REFRESH_MARGIN_S` before its expiry, or when google-auth says it
    is no longer valid (see `CredentialCache`)."""

    __slots__ = ("_cache", "_clock", "_credentials", "_factory", "_margin", "_request_factory")

    def __init__(
        self,
        *,
        credentials: Any = None,
        credentials_factory: Callable[[], Any] = application_default_credentials,
        request_factory: Callable[[], Any] = _refresh_request,
        clock: Callable[[], float] = time.time,
        refresh_margin_s: float = REFRESH_MARGIN_S,
    ) -> None:
        self._credentials = credentials
        self._factory = credentials_factory
        self._request_factory = request_factory
        self._margin = refresh_margin_s
        self._clock = clock
        self._cache: CredentialCache[str] = CredentialCache(
            self._fetch, what="Google access token", clock=clock, margin_s=refresh_margin_s
        )

    def token(self) -> str:
        return self._cache.get()

    def _fetch(self) -> tuple[str, float | None]:
        try:
            with credential_work():
                if self._credentials is None:
                    self._credentials = self._factory()
                creds = self._credentials
                expires_at = _expiry(creds)
                fresh = expires_at is None or expires_at - self._margin > self._clock()
                if not creds.valid or not creds.token or not fresh:
                    creds.refresh(self._request_factory())
                    expires_at = _expiry(creds)
        except MissingDependencyError:
            raise
        except Exception as e:  # google-auth errors may quote key files or responses: keep only the type
            raise AuthError(
                f"could not get a Google access token ({type(e).__name__}); run "
                "'gcloud auth application-default login' or set GOOGLE_APPLICATION_CREDENTIALS",
                kind=ErrorKind.AUTH,
            ) from None
        token = str(creds.token)
        register(token)
        return token, expires_at

    def apply(self, method: str, url: str, headers: MutableMapping[str, str], body: bytes) -> None:
        headers["authorization"] = f"Bearer {self.token()}"

    def __repr__(self) -> str:
        return "GoogleAuth(application default credentials)" if self._credentials is None else "GoogleAuth()"


def _expiry(credentials: Any) -> float | None:
    """google-auth's ``expiry`` (a naive UTC datetime, None for a token without one) as epoch seconds."""
    expiry = getattr(credentials, "expiry", None)
    if not isinstance(expiry, datetime):
        return None
    return (expiry if expiry.tzinfo else expiry.replace(tzinfo=UTC)).timestamp()
