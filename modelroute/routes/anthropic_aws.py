"""Claude Platform on AWS (``anthropic.AnthropicAWS``): Anthropic's own Messages API, operated by Anthropic and
billed through AWS, at ``https://aws-external-anthropic.{region}.api.aws/v1/messages``.

The wire is the first-party one (model in the body, ``anthropic-version`` header, SSE) plus the required
``anthropic-workspace-id`` header; auth is an API key as Bearer, or SigV4 for service ``aws-external-anthropic``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._types import Request
from ..auth import Signer
from ..exceptions import ProviderError
from ..wire import AnthropicMessages
from ..wire.aws_errors import classify_aws
from ._base import Route
from .anthropic import sampling_unsupported
from .bedrock import aws_signer

__all__ = ["AnthropicAWSRoute"]


class AnthropicAWSRoute(Route):
    kind = "anthropic_aws"
    cloud = "aws"
    default_base_url = "https://aws-external-anthropic.us-east-1.api.aws"
    dialect = AnthropicMessages()

    def __init__(self, name: str, spec: Any, env: Mapping[str, str]) -> None:
        super().__init__(name, spec, env)
        self._url = self.base_url + "/v1/messages"

    @classmethod
    def unsupported(cls, spec: Any, request: Request) -> str | None:
        return sampling_unsupported(spec.anthropic_version, request)

    def endpoint(self) -> str:
        return f"https://aws-external-anthropic.{self.spec.region}.api.aws"

    def make_signer(self) -> Signer:
        return aws_signer(self, "aws-external-anthropic")

    def static_headers(self) -> dict[str, str]:
        return {"anthropic-version": self.spec.anthropic_version, "anthropic-workspace-id": self.spec.workspace_id}

    def url(self, model: str, *, stream: bool) -> str:
        return self._url

    def body(self, request: Request, model: str, *, stream: bool) -> dict[str, Any]:
        body = self.dialect.encode_body(request, model, stream=stream)
        if request.temperature is not None:  # only reached with an older anthropic-version (see unsupported)
            body["temperature"] = request.temperature
        return body

    def classify(self, status: int, headers: Mapping[str, str], body: bytes) -> ProviderError:
        return classify_aws(status, headers, body, self.dialect.classify)
