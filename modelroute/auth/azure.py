"""Entra ID (Azure AD) bearer tokens from azure-identity, cached and refreshed shortly before they expire.

azure-identity is imported on first use, never with ``import modelroute`` (extra ``modelroute[azure]``). A
config that asks for Entra ID without the extra fails at load; this module's own check covers direct use.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, MutableMapping
from typing import Any

from ..exceptions import AuthError, ErrorKind, MissingDependencyError

__all__ = ["REFRESH_MARGIN_S", "EntraIDAuth", "default_azure_credential"]

#: A cached token is replaced when it has less than this long to live (azure-identity's own margin is 5 min).
REFRESH_MARGIN_S = 300.0


def default_azure_credential() -> Any:
    """azure-identity's ``DefaultAzureCredential`` (env vars, workload identity, managed identity, az login...)."""
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError as e:
        raise MissingDependencyError("entra_id", "Entra ID authentication (azure-identity)", "azure") from e
    return DefaultAzureCredential()


class EntraIDAuth:
    """``Authorization: Bearer <token>`` for ``scope``. ``credential`` is anything with azure-core's
    ``get_token(scope) -> AccessToken(token, expires_on)``; made by ``credential_factory`` on first use."""

    __slots__ = ("_clock", "_credential", "_expires_on", "_factory", "_lock", "_margin", "_token", "scope")

    def __init__(
        self,
        scope: str,
        *,
        credential: Any = None,
        credential_factory: Callable[[], Any] = default_azure_credential,
        clock: Callable[[], float] = time.time,
        refresh_margin_s: float = REFRESH_MARGIN_S,
    ) -> None:
        self.scope = scope
        self._credential = credential
        self._factory = credential_factory
        self._clock = clock
        self._margin = refresh_margin_s
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_on = 0.0

    def token(self) -> str:
        """A token valid for at least the refresh margin (fetched only when the cached one is near expiry)."""
        with self._lock:
            if self._token is None or self._expires_on - self._margin <= self._clock():
                if self._credential is None:
                    self._credential = self._factory()
                try:
                    got = self._credential.get_token(self.scope)
                except Exception as e:  # azure-identity raises many types; their messages may name the tenant
                    raise AuthError(
                        f"could not get an Entra ID token for {self.scope} ({type(e).__name__}); check the "
                        "environment's Azure credentials (az login, managed identity, AZURE_CLIENT_ID...)",
                        kind=ErrorKind.AUTH,
                    ) from None
                self._token, self._expires_on = str(got.token), float(got.expires_on)
            return self._token

    def apply(self, method: str, url: str, headers: MutableMapping[str, str], body: bytes) -> None:
        headers["authorization"] = f"Bearer {self.token()}"

    def __repr__(self) -> str:  # never the token
        return f"EntraIDAuth({self.scope!r})"
