"""Entra ID (Azure AD) bearer tokens from azure-identity, renewed ahead of expiry off the event loop.

azure-identity is imported on first use, never with ``import modelroute`` (extra ``modelroute[azure]``). A
config that asks for Entra ID without the extra fails at load; this module's own check covers direct use.
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from typing import Any

from .._redact import credential_work, install_log_filters, register
from ..exceptions import AuthError, ErrorKind, MissingDependencyError
from ._refresh import REFRESH_MARGIN_S, CredentialCache, RenewingSigner

__all__ = ["REFRESH_MARGIN_S", "EntraIDAuth", "default_azure_credential"]


def default_azure_credential() -> Any:
    """azure-identity's ``DefaultAzureCredential`` (env vars, workload identity, managed identity, az login...)."""
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError as e:
        raise MissingDependencyError("entra_id", "Entra ID authentication (azure-identity)", "azure") from e
    install_log_filters()  # azure-identity's and msal's loggers exist now
    return DefaultAzureCredential()


class EntraIDAuth(RenewingSigner[str]):
    """``Authorization: Bearer <token>`` for ``scope``. ``credential`` is anything with azure-core's
    ``get_token(scope) -> AccessToken(token, expires_on)``; made by ``credential_factory`` on first use. Tokens
    are renewed `REFRESH_MARGIN_S` before they expire (see `CredentialCache`)."""

    __slots__ = ("_cache", "_credential", "_factory", "scope")

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
        self._cache: CredentialCache[str] = CredentialCache(
            self._fetch, what="Entra ID token", clock=clock, margin_s=refresh_margin_s
        )

    def token(self) -> str:
        """A token valid for at least the refresh margin (fetched only when the cached one is near expiry)."""
        return self._cache.get()

    def _fetch(self) -> tuple[str, float | None]:
        with credential_work():
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
        token = str(got.token)
        register(token)
        return token, float(got.expires_on)

    def apply(self, method: str, url: str, headers: MutableMapping[str, str], body: bytes) -> None:
        headers["authorization"] = f"Bearer {self.token()}"

    def __repr__(self) -> str:  # never the token
        return f"EntraIDAuth({self.scope!r})"
