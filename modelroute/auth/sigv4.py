"""AWS Signature Version 4, by botocore's own signer (the ``bedrock`` extra). Imported only by the AWS routes.

Credentials come from explicit keys (``${ENV}`` references resolved by the route), or from botocore's default
chain (environment, shared config and credentials files with an optional named profile, SSO, container and
instance roles). The chain is resolved, and temporary credentials renewed, by a `CredentialCache`: in a worker
thread (the chain may ask a metadata endpoint), ahead of expiry, once for every caller. Signing uses the snapshot
it keeps, so botocore's own per-use refresh near expiry never runs on a request's path. botocore's DEBUG records
made while signing or renewing (they print the session token and the signature) are dropped.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Callable, MutableMapping
from datetime import datetime
from typing import Any

from .._redact import credential_work, install_log_filters, register
from ..exceptions import AuthError, CredentialError, ErrorKind
from ._refresh import REFRESH_MARGIN_S, CredentialCache, RenewingSigner

__all__ = ["SigV4Signer", "botocore_installed"]

# What SigV4 adds to a request; copied back onto our headers after signing.
_SIGNED_OUTPUT = ("authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256")


def botocore_installed() -> bool:
    """Whether botocore can be imported, without importing it."""
    if "botocore" in sys.modules:
        return sys.modules["botocore"] is not None
    return importlib.util.find_spec("botocore") is not None


class SigV4Signer(RenewingSigner[Any]):
    """Signs each request with SigV4 for ``service`` in ``region``. Holds botocore credentials, never prints them.

    ``credentials`` (anything with botocore's ``get_frozen_credentials()``; a ``RefreshableCredentials`` is
    renewed before its ``_expiry_time``) replaces both the explicit keys and the default chain."""

    __slots__ = ("_cache", "_content_sha256", "_credentials", "_profile", "region", "service")

    def __init__(
        self,
        *,
        service: str,
        region: str,
        access_key: str | None = None,
        secret_key: str | None = None,
        session_token: str | None = None,
        profile: str | None = None,
        content_sha256: bool = False,
        credentials: Any = None,
        clock: Callable[[], float] = time.time,
        refresh_margin_s: float = REFRESH_MARGIN_S,
    ) -> None:
        self.service = service
        self.region = region
        self._content_sha256 = content_sha256
        self._profile = profile
        install_log_filters()
        self._credentials: Any = credentials  # None: the default chain, resolved on first use
        self._cache: CredentialCache[Any] = CredentialCache(
            self._fetch, what="AWS credentials", clock=clock, margin_s=refresh_margin_s
        )
        if credentials is None and access_key and secret_key:
            from botocore.credentials import Credentials

            register(access_key, secret_key, session_token)
            self._credentials = Credentials(access_key, secret_key, session_token)
            self._cache.put(self._credentials.get_frozen_credentials(), None)  # fixed keys: nothing to renew

    def apply(self, method: str, url: str, headers: MutableMapping[str, str], body: bytes) -> None:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        frozen = self._cache.get()
        for name in _SIGNED_OUTPUT:  # a re-sent request is signed afresh
            headers.pop(name, None)
        if self._content_sha256:
            import hashlib

            headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
        request = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
        with credential_work():
            SigV4Auth(frozen, self.service, self.region).add_auth(request)
        for name, value in request.headers.items():
            if name.lower() in _SIGNED_OUTPUT:
                headers[name.lower()] = value

    def _fetch(self) -> tuple[Any, float | None]:
        """The credentials as of now, and when they expire. A chain with no credentials, or a renewal that fails
        (an expired SSO session, an unreachable role endpoint), fails the attempt with kind ``auth``, so the
        router moves on instead of crashing."""
        with credential_work():
            try:
                if self._credentials is None:
                    self._credentials = _default_chain(self._profile)
                frozen = self._credentials.get_frozen_credentials()
            except CredentialError as e:
                raise AuthError(str(e), kind=ErrorKind.AUTH) from None
            except Exception as e:  # botocore's errors, or a role provider's own: their messages may quote responses
                raise AuthError(
                    f"AWS credentials could not be refreshed ({type(e).__name__}); sign in again or check the role",
                    kind=ErrorKind.AUTH,
                ) from None
        register(frozen.access_key, frozen.secret_key, frozen.token)
        expiry = getattr(self._credentials, "_expiry_time", None)
        return frozen, expiry.timestamp() if isinstance(expiry, datetime) else None

    def __repr__(self) -> str:  # credentials are secrets
        return f"SigV4Signer(service={self.service!r}, region={self.region!r})"


def _default_chain(profile: str | None) -> Any:
    import botocore.session
    from botocore.exceptions import BotoCoreError

    install_log_filters()  # botocore's loggers exist now
    try:
        credentials = botocore.session.Session(profile=profile).get_credentials()
    except BotoCoreError as e:  # an unknown profile, a broken config file
        raise CredentialError(f"AWS credentials could not be loaded: {type(e).__name__}") from None
    if credentials is None:
        where = f"profile '{profile}'" if profile else "the default chain (environment, ~/.aws, SSO, instance role)"
        raise CredentialError(f"no AWS credentials found in {where}; set them there, or give the provider an api_key")
    return credentials
