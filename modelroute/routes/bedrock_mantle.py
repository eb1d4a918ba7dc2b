"""Bedrock Mantle: Bedrock's Anthropic-compatible and OpenAI-compatible endpoints at
``https://bedrock-mantle.{region}.api.aws``.

``dialect: anthropic`` speaks Anthropic Messages at ``/anthropic/v1/messages`` (model in the body, the
``anthropic-version`` header, SSE), as ``anthropic.AnthropicBedrockMantle`` does; ``dialect: openai`` speaks Chat
Completions at ``/openai/v1/chat/completions``, as ``openai.BedrockOpenAI`` does. ``base_url`` is the endpoint
root; the route adds the dialect's prefix. Auth: a Bedrock API key as Bearer, or SigV4 for service
``bedrock-mantle`` (with ``x-amz-content-sha256``, as the openai SDK signs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._types import Request
from ..auth import Signer
from ..exceptions import ProviderError
from ..wire import AnthropicMessages, OpenAIChat
from ..wire._carry import Carriage
from ..wire.aws_errors import classify_aws
from ._base import Route
from .anthropic import base64_only, sampling_unsupported
from .bedrock import aws_signer

__all__ = ["BedrockMantleRoute"]

_PATHS = {"anthropic": "/anthropic/v1/messages", "openai": "/openai/v1/chat/completions"}


class BedrockMantleRoute(Route):
    kind = "bedrock_mantle"
    cloud = "aws"
    default_base_url = "https://bedrock-mantle.us-east-1.api.aws"

    def __init__(self, name: str, spec: Any, env: Mapping[str, str]) -> None:
        if spec.dialect == "openai":
            self.dialect = OpenAIChat(max_tokens_field=spec.max_tokens_field, stream_usage=spec.stream_usage)
        else:
            self.dialect = AnthropicMessages()
        super().__init__(name, spec, env)
        self._url = self.base_url + _PATHS[spec.dialect]

    @classmethod
    def carriage(cls, spec: Any) -> Carriage:
        base = super().carriage(spec)
        return base | base64_only("Bedrock Mantle") if spec.dialect == "anthropic" else base

    @classmethod
    def unsupported(cls, spec: Any, request: Request) -> str | None:
        sampling = sampling_unsupported(spec.anthropic_version, request) if spec.dialect == "anthropic" else None
        return sampling or super().unsupported(spec, request)

    def endpoint(self) -> str:
        return f"https://bedrock-mantle.{self.spec.region}.api.aws"

    def make_signer(self) -> Signer:
        return aws_signer(self, "bedrock-mantle", content_sha256=True)

    def static_headers(self) -> dict[str, str]:
        return {"anthropic-version": self.spec.anthropic_version} if self.spec.dialect == "anthropic" else {}

    def url(self, model: str, *, stream: bool) -> str:
        return self._url

    def _classify(self, status: int, headers: Mapping[str, str], body: bytes) -> ProviderError:
        return classify_aws(status, headers, body, self.dialect.classify)
