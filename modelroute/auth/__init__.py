"""Request signers: static credential headers here; SigV4 in `sigv4` (botocore, the ``bedrock`` extra, imported
only by the AWS routes); Google and Azure AD tokens behind extras later.

A signer adds what the provider needs to the headers of a request that is otherwise ready to send.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Protocol

__all__ = ["HeaderAuth", "Signer"]


class Signer(Protocol):
    def apply(self, method: str, url: str, headers: MutableMapping[str, str], body: bytes) -> None: ...


class HeaderAuth:
    """Fixed credential headers: ``Authorization: Bearer <key>``, ``x-api-key``, ``api-key``."""

    __slots__ = ("_headers",)

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._headers = dict(headers)

    @classmethod
    def bearer(cls, token: str) -> HeaderAuth:
        return cls({"authorization": f"Bearer {token}"})

    def apply(self, method: str, url: str, headers: MutableMapping[str, str], body: bytes) -> None:
        headers.update(self._headers)

    def __repr__(self) -> str:  # the values are secrets
        return f"HeaderAuth({', '.join(sorted(self._headers))})"
