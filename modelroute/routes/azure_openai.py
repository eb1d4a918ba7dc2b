"""GPT deployments on Azure OpenAI / Microsoft Foundry: Chat Completions with Azure's URL, auth and errors.

Two URL forms, chosen by ``api_version``:

- dated (default ``2024-10-21``): ``{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=V``,
  the key in an ``api-key`` header — what ``openai.AzureOpenAI`` sends;
- ``v1``: ``{endpoint}/openai/v1/chat/completions``, no api-version, the key as ``Authorization: Bearer`` — what
  ``openai.OpenAI(base_url=".../openai/v1/")`` sends, as Microsoft documents for the v1 API.

A target's ``model`` is the deployment name (it also stays in the body, as the SDK sends it). Entra ID tokens
and tokens from the environment are Bearer tokens on both forms. A ``finish_reason: content_filter`` answer is
raised as ``content_filtered``, like the 400 Azure gives a filtered prompt.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from .._types import Response, StopReason
from ..auth import HeaderAuth, Signer
from ..exceptions import ErrorKind, ProviderError
from ..wire import OpenAIChat, SSEFramer, StreamDecoder
from ..wire.errors import build_error, load_json_object
from ..wire.openai_chat import OpenAIChatStream
from ._base import Route
from .azure_errors import azure_error, content_filter_detail

__all__ = ["AzureOpenAIRoute", "azure_signer"]

V1 = "v1"


def azure_signer(route: Route, *, key_headers: tuple[str, ...]) -> Signer:
    """The signer an Azure entry asks for: its key in ``key_headers``, a token from the environment, or Entra ID."""
    spec = route.spec
    if spec.entra_id:
        from ..auth.azure import EntraIDAuth

        return EntraIDAuth(spec.entra_scope)
    if spec.access_token is not None:
        return HeaderAuth.bearer(route.secret("access_token"))
    key = route.secret("api_key")
    return HeaderAuth({h: (f"Bearer {key}" if h == "authorization" else key) for h in key_headers})


def _filtered(message: str, status: int, body: Any) -> ProviderError:
    return build_error(ErrorKind.CONTENT_FILTERED, message, status=status, headers={}, code="content_filter", body=body)


class AzureChatStream(OpenAIChatStream):
    """Chat Completions SSE as Azure streams it (a first chunk with ``choices: []`` and ``prompt_filter_results``
    is tolerated); a ``finish_reason: content_filter`` raises ``content_filtered`` where it arrives."""

    def on_message(self, event: str | None, data: str) -> list[Any]:
        out = super().on_message(event, data)
        if self._raw_stop == "content_filter":
            raise _filtered(
                "Azure's content filter stopped the streamed answer", 200, {"finish_reason": "content_filter"}
            )
        return out


class AzureOpenAIRoute(Route):
    kind = "azure_openai"
    cloud = "azure"
    default_base_url = ""  # built from the spec's resource
    wire = "openai"

    def __init__(self, name: str, spec: Any, env: Mapping[str, str]) -> None:
        self.chat = self.dialect = OpenAIChat(max_tokens_field=spec.max_tokens_field, stream_usage=spec.stream_usage)
        super().__init__(name, spec, env)
        if not spec.base_url:
            self.base_url = f"https://{spec.resource}.openai.azure.com"
        self.v1 = spec.api_version == V1
        self._query = "" if self.v1 else f"?api-version={quote(spec.api_version, safe='')}"

    def make_signer(self) -> Signer:
        return azure_signer(self, key_headers=("authorization",) if self.spec.api_version == V1 else ("api-key",))

    def url(self, model: str, *, stream: bool) -> str:
        if self.v1:
            return f"{self.base_url}/openai/v1/chat/completions"
        return f"{self.base_url}/openai/deployments/{quote(model, safe='')}/chat/completions{self._query}"

    def _decode(self, body: bytes) -> Response:
        response = self.dialect.decode(body)
        if response.stop_reason is StopReason.CONTENT_FILTER:
            data = load_json_object(body) or {}
            choice = (data.get("choices") or [{}])[0]
            detail = content_filter_detail(choice.get("content_filter_results"))
            where = f" (filtered: {detail})" if detail else ""
            raise _filtered(f"Azure's content filter stopped the answer{where}", 200, choice)
        return response

    def stream_decoder(self) -> StreamDecoder:
        return StreamDecoder(SSEFramer(), AzureChatStream(self.chat))

    def _classify(self, status: int, headers: Mapping[str, str], body: bytes) -> ProviderError:
        data = load_json_object(body)
        err = data.get("error") if data else None
        if isinstance(err, dict):
            found = azure_error(status, headers, err)
            if found is not None:
                return found
        return self.dialect.classify(status, headers, body)
