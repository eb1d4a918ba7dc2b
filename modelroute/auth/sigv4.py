"""AWS Signature Version 4, by botocore's own signer (the ``bedrock`` extra). Imported only by the AWS routes.

Credentials come from explicit keys (``${ENV}`` references resolved by the route), or from botocore's default
chain (environment, shared config and credentials files with an optional named profile, SSO, container and
instance roles). Refreshable credentials are frozen per request, so a rotated role is picked up as it rotates.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import MutableMapping
from typing import Any

from ..exceptions import AuthError, CredentialError, ErrorKind

__all__ = ["SigV4Signer", "botocore_installed"]

# What SigV4 adds to a request; copied back onto our headers after signing.
_SIGNED_OUTPUT = ("authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256")


def botocore_installed() -> bool:
    """Whether botocore can be imported, without importing it."""
    if "botocore" in sys.modules:
        return sys.modules["botocore"] is not None
    return importlib.util.find_spec("botocore") is not None


class SigV4Signer:
    """Signs each request with SigV4 for ``service`` in ``region``. Holds botocore credentials, never prints them."""

    __slots__ = ("_content_sha256", "_credentials", "region", "service")

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
    ) -> None:
        self.service = service
        self.region = region
        self._content_sha256 = content_sha256
        if access_key and secret_key:
            from botocore.credentials import Credentials

            self._credentials: Any = Credentials(access_key, secret_key, session_token)
        else:
            self._credentials = _default_chain(profile)

    def apply(self, method: str, url: str, headers: MutableMapping[str, str], body: bytes) -> None:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        for name in _SIGNED_OUTPUT:  # a re-sent request is signed afresh
            headers.pop(name, None)
        if self._content_sha256:
            import hashlib

            headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
        request = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
        SigV4Auth(self._frozen(), self.service, self.region).add_auth(request)
        for name, value in request.headers.items():
            if name.lower() in _SIGNED_OUTPUT:
                headers[name.lower()] = value

    def _frozen(self) -> Any:
        """The credentials as of now; a refresh that fails (an expired SSO session, an unreachable role
        endpoint) fails this attempt with kind ``auth``, so the router moves on instead of crashing."""
        from botocore.exceptions import BotoCoreError

        try:
            return self._credentials.get_frozen_credentials()
        except BotoCoreError as e:
            raise AuthError(
                f"AWS credentials could not be refreshed ({type(e).__name__}); sign in again or check the role",
                kind=ErrorKind.AUTH,
            ) from None

    def __repr__(self) -> str:  # credentials are secrets
        return f"SigV4Signer(service={self.service!r}, region={self.region!r})"


def _default_chain(profile: str | None) -> Any:
    import botocore.session
    from botocore.exceptions import BotoCoreError

    try:
        credentials = botocore.session.Session(profile=profile).get_credentials()
    except BotoCoreError as e:  # an unknown profile, a broken config file
        raise CredentialError(f"AWS credentials could not be loaded: {type(e).__name__}") from None
    if credentials is None:
        where = f"profile '{profile}'" if profile else "the default chain (environment, ~/.aws, SSO, instance role)"
        raise CredentialError(f"no AWS credentials found in {where}; set them there, or give the provider an api_key")
    return credentials
