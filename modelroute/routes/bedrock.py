"""Amazon Bedrock Runtime. ``dialect: anthropic`` (the default): Claude through InvokeModel, ``POST
/model/{modelId}/invoke`` and ``/invoke-with-response-stream``; ``dialect: openai``: OpenAI models through
``POST /openai/v1/chat/completions`` (what ``openai``'s Bedrock provider calls ``endpoint="runtime"``).

InvokeModel's body is Anthropic Messages without ``model`` (it is in the path) and ``stream`` (the path says
it), with ``anthropic_version`` in the body instead of a header. Its streams are AWS event-stream frames whose
``chunk`` events carry the Anthropic stream events (`EventStreamFramer`). Auth is SigV4 for service ``bedrock``
(botocore's signer; explicit keys or the default chain) or a Bedrock API key as a Bearer token. Errors are read
from ``x-amzn-ErrorType`` first (`classify_aws`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from .._types import Request
from ..auth import HeaderAuth, Signer
from ..exceptions import ProviderError
from ..wire import AnthropicMessages, OpenAIChat, StreamDecoder
from ..wire._carry import Carriage
from ..wire.aws_errors import classify_aws
from ..wire.eventstream import EventStreamFramer
from ._base import Route
from .anthropic import base64_only, sampling_unsupported

__all__ = ["BedrockRoute", "aws_signer", "model_path_segment"]


def model_path_segment(model: str) -> str:
    """The model id as a path segment, encoded the way the anthropic SDK does: ``/`` (in ARNs) becomes ``%2F``,
    ``:`` stays as it is (AWS decodes the segment either way; boto3 sends ``%3A``)."""
    return quote(model, safe=":")


def aws_signer(route: Route, service: str, *, content_sha256: bool = False) -> Signer:
    """A Bearer signer for a Bedrock API key, else SigV4 for ``service`` in the route's region."""
    spec = route.spec
    if spec.api_key is not None:
        return HeaderAuth.bearer(route.secret("api_key"))
    from ..auth.sigv4 import SigV4Signer

    explicit = spec.aws_access_key_id is not None
    return SigV4Signer(
        service=service,
        region=spec.region,
        access_key=route.secret("aws_access_key_id") if explicit else None,
        secret_key=route.secret("aws_secret_access_key") if explicit else None,
        session_token=route.secret("aws_session_token") if spec.aws_session_token is not None else None,
        profile=spec.profile,
        content_sha256=content_sha256,
    )


class BedrockRoute(Route):
    kind = "bedrock"
    cloud = "aws"
    default_base_url = "https://bedrock-runtime.us-east-1.amazonaws.com"
    stream_accept = "application/json"  # what the anthropic and openai SDKs and boto3 send, for streams too

    def __init__(self, name: str, spec: Any, env: Mapping[str, str]) -> None:
        self._invoke = spec.dialect == "anthropic"
        if self._invoke:
            self.dialect = AnthropicMessages()
        else:
            self.dialect = OpenAIChat(max_tokens_field=spec.max_tokens_field, stream_usage=spec.stream_usage)
        super().__init__(name, spec, env)
        self._version = spec.anthropic_version
        self._openai_url = self.base_url + "/openai/v1/chat/completions"

    @classmethod
    def carriage(cls, spec: Any) -> Carriage:
        base = super().carriage(spec)
        return base | base64_only("Bedrock InvokeModel") if spec.dialect == "anthropic" else base

    @classmethod
    def unsupported(cls, spec: Any, request: Request) -> str | None:
        sampling = sampling_unsupported(spec.anthropic_version, request) if spec.dialect == "anthropic" else None
        return sampling or super().unsupported(spec, request)

    def endpoint(self) -> str:
        return f"https://bedrock-runtime.{self.spec.region}.amazonaws.com"

    def make_signer(self) -> Signer:
        return aws_signer(self, "bedrock")

    def url(self, model: str, *, stream: bool) -> str:
        if not self._invoke:
            return self._openai_url
        action = "invoke-with-response-stream" if stream else "invoke"
        return f"{self.base_url}/model/{model_path_segment(model)}/{action}"

    def body(self, request: Request, model: str, *, stream: bool) -> dict[str, Any]:
        if not self._invoke:
            return self.dialect.encode_body(request, model, stream=stream)
        body = self.dialect.encode_body(request, model, stream=False)
        del body["model"]
        body["anthropic_version"] = self._version
        return body

    def stream_decoder(self) -> StreamDecoder:
        if not self._invoke:
            return super().stream_decoder()
        return StreamDecoder(EventStreamFramer(), self.dialect.stream_handler())

    def _classify(self, status: int, headers: Mapping[str, str], body: bytes) -> ProviderError:
        return classify_aws(status, headers, body, self.dialect.classify)
