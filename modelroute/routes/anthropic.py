"""The Anthropic API: Messages at ``{base_url}/v1/messages``, Bearer key, ``anthropic-version`` header.

`AnthropicRoute` is also the base of the routes that serve the same wire from another cloud (Claude on Azure
Foundry, Claude Platform on AWS): they change the endpoint, the signer, extra headers and the error table only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .._types import Request
from ..auth import HeaderAuth, Signer
from ..wire import AnthropicMessages
from ..wire._carry import Carriage
from ._base import Route

__all__ = ["NO_SAMPLING_FROM", "AnthropicRoute", "base64_only", "sampling_unsupported"]

# From this API version on, Anthropic rejects temperature / top_p / top_k with a 400.
NO_SAMPLING_FROM = "2026-10-21"
_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def sampling_unsupported(version: str, request: Request) -> str | None:
    """The planner's reason to skip an Anthropic-dialect target for a request that sets temperature, top_p or
    top_k.

    Only dated versions (``2026-10-21``) are compared; the clouds' own names (``bedrock-2023-05-31``,
    ``vertex-2023-10-16``) accept sampling parameters.
    """
    if not _DATED.match(version) or version < NO_SAMPLING_FROM:
        return None
    for name in ("temperature", "top_p", "top_k"):
        if getattr(request, name) is not None:
            return f"anthropic-version {version} does not accept {name} (remove it, or pin an older version)"
    return None


def base64_only(where: str) -> Carriage:
    """What a route that takes base64 sources only refuses (Bedrock InvokeModel and Mantle, Vertex)."""
    why = f"{where} takes base64 {{}} only (send the bytes)"
    return Carriage(refuses={"image_url": why.format("images"), "document_url": why.format("documents")})


class AnthropicRoute(Route):
    kind = "anthropic"
    cloud = "anthropic"
    default_base_url = "https://api.anthropic.com"
    dialect = AnthropicMessages()

    def __init__(self, name: str, spec: Any, env: Mapping[str, str]) -> None:
        super().__init__(name, spec, env)
        self._url = self.base_url + "/v1/messages"

    @classmethod
    def unsupported(cls, spec: Any, request: Request) -> str | None:
        return sampling_unsupported(spec.anthropic_version, request) or super().unsupported(spec, request)

    def make_signer(self) -> Signer:
        return HeaderAuth.bearer(self.secret("api_key"))

    def static_headers(self) -> dict[str, str]:
        return {"anthropic-version": self.spec.anthropic_version}

    def url(self, model: str, *, stream: bool) -> str:
        return self._url
