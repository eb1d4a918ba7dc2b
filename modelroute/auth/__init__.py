"""Request signers: fixed credential headers here; Entra ID tokens in `azure`, Google tokens in `google`, SigV4 in
`sigv4` (each imports its library only when first used); renewal of expiring credentials in `_refresh`.

A signer adds what the provider needs to the headers of a request that is otherwise ready to send. A signer
whose credential expires renews it ahead of expiry; the router asks it first (`Signer.credentials_due`) and
renews with `refresh` / `arefresh`, so that `apply`, which signs, never waits for the network on an event loop.
Every credential a signer holds is registered for redaction (`modelroute._redact`) and never shown in a repr.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Protocol

from .._redact import register

__all__ = ["HeaderAuth", "Signer"]


class Signer(Protocol):
    def apply(self, method: str, url: str, headers: MutableMapping[str, str], body: bytes) -> None:
        """Add the credential headers (renewing the credential first, in this thread, if it is due)."""

    def credentials_due(self) -> bool:
        """Whether the credential must be renewed before `apply` (cheap: no I/O)."""

    def refresh(self, timeout_s: float | None = None) -> None:
        """Renew the credential now if due, waiting at most ``timeout_s`` (one renewal serves every caller)."""

    async def arefresh(self, timeout_s: float | None = None) -> None:
        """`refresh` without blocking the event loop: the renewal runs in a worker thread."""


class HeaderAuth:
    """Fixed credential headers: ``Authorization: Bearer <key>``, ``x-api-key``, ``api-key``."""

    __slots__ = ("_headers",)

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._headers = dict(headers)
        register(*self._headers.values())

    @classmethod
    def bearer(cls, token: str) -> HeaderAuth:
        register(token)
        return cls({"authorization": f"Bearer {token}"})

    def apply(self, method: str, url: str, headers: MutableMapping[str, str], body: bytes) -> None:
        headers.update(self._headers)

    def credentials_due(self) -> bool:
        return False

    def refresh(self, timeout_s: float | None = None) -> None:
        return None

    async def arefresh(self, timeout_s: float | None = None) -> None:
        return None

    def __repr__(self) -> str:  # the values are secrets
        return f"HeaderAuth({', '.join(sorted(self._headers))})"
