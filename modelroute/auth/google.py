"""Google OAuth access tokens from Application Default Credentials (google-auth), refreshed when expired.

google-auth is imported on first use, never with ``import modelroute`` (extra ``modelroute[vertex]``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, MutableMapping
from typing import Any

from ..exceptions import AuthError, ErrorKind, MissingDependencyError

__all__ = ["CLOUD_PLATFORM_SCOPE", "GoogleAuth", "application_default_credentials"]

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"


def application_default_credentials() -> Any:
    """``google.auth.default(scopes=[cloud-platform])``'s credentials (env var file, gcloud, metadata server)."""
    try:
        import google.auth
    except ImportError as e:
        raise MissingDependencyError("access_token", "Google Application Default Credentials", "vertex") from e
    credentials, _project = google.auth.default(scopes=[CLOUD_PLATFORM_SCOPE])
    return credentials


def _refresh_request() -> Any:
    try:
        from google.auth.transport.requests import Request
    except ImportError as e:  # google-auth's requests transport needs the requests package
        raise MissingDependencyError("access_token", "Google Application Default Credentials", "vertex") from e
    return Request()


class GoogleAuth:
    """``Authorization: Bearer <access token>`` from google-auth credentials (ADC unless given).

    ``credentials`` is anything with google-auth's ``valid``, ``token`` and ``refresh(request)``; google-auth's
    ``valid`` is false shortly before expiry, so a token is refreshed before it can expire in flight."""

    __slots__ = ("_credentials", "_factory", "_lock", "_request_factory")

    def __init__(
        self,
        *,
        credentials: Any = None,
        credentials_factory: Callable[[], Any] = application_default_credentials,
        request_factory: Callable[[], Any] = _refresh_request,
    ) -> None:
        self._credentials = credentials
        self._factory = credentials_factory
        self._request_factory = request_factory
        self._lock = threading.Lock()

    def token(self) -> str:
        with self._lock:
            try:
                if self._credentials is None:
                    self._credentials = self._factory()
                if not self._credentials.valid or not self._credentials.token:
                    self._credentials.refresh(self._request_factory())
            except MissingDependencyError:
                raise
            except Exception as e:  # google-auth errors may quote key files or responses: keep only the type
                raise AuthError(
                    f"could not get a Google access token ({type(e).__name__}); run "
                    "'gcloud auth application-default login' or set GOOGLE_APPLICATION_CREDENTIALS",
                    kind=ErrorKind.AUTH,
                ) from None
            return str(self._credentials.token)

    def apply(self, method: str, url: str, headers: MutableMapping[str, str], body: bytes) -> None:
        headers["authorization"] = f"Bearer {self.token()}"

    def __repr__(self) -> str:
        return "GoogleAuth(application default credentials)" if self._credentials is None else "GoogleAuth()"
