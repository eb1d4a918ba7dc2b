"""Claude Platform on AWS (``anthropic.AnthropicAWS``): Anthropic's own Messages API, operated by Anthropic and
billed through AWS, at ``https://aws-external-anthropic.{region}.api.aws/v1/messages``.

The wire is the first-party one (model in the body, ``anthropic-version`` header, SSE) plus the required
``anthropic-workspace-id`` header; auth is an API key as Bearer, or SigV4 for service ``aws-external-anthropic``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..auth import Signer
from ..exceptions import ProviderError
from ..wire.aws_errors import classify_aws
from .anthropic import AnthropicRoute
from .bedrock import aws_signer

__all__ = ["AnthropicAWSRoute"]


class AnthropicAWSRoute(AnthropicRoute):
    kind = "anthropic_aws"
    cloud = "aws"
    default_base_url = "https://aws-external-anthropic.us-east-1.api.aws"

    def endpoint(self) -> str:
        return f"https://aws-external-anthropic.{self.spec.region}.api.aws"

    def make_signer(self) -> Signer:
        return aws_signer(self, "aws-external-anthropic")

    def static_headers(self) -> dict[str, str]:
        return {**super().static_headers(), "anthropic-workspace-id": self.spec.workspace_id}

    def _classify(self, status: int, headers: Mapping[str, str], body: bytes) -> ProviderError:
        return classify_aws(status, headers, body, self.dialect.classify)
