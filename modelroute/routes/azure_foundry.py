"""Claude on Microsoft Foundry: Anthropic Messages at ``https://{resource}.services.ai.azure.com/anthropic``.

Auth as ``anthropic.AnthropicFoundry`` sends it: a key in both ``x-api-key`` and ``api-key`` (never
``Authorization``), or an Entra ID / environment token as ``Authorization: Bearer``. The ``anthropic-version``
header, body, stream and Anthropic-shaped errors are the direct API's; Azure's gateway errors
(``{"error": {"code": "401" | "DeploymentNotFound" | "429"...}}``) are read with the Azure table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._types import Request
from ..auth import Signer
from ..exceptions import ProviderError
from ..wire import AnthropicMessages
from ..wire.errors import load_json_object
from ._base import Route
from .anthropic import sampling_unsupported
from .azure_errors import azure_error
from .azure_openai import azure_signer

__all__ = ["AzureFoundryRoute"]


class AzureFoundryRoute(Route):
    kind = "azure_foundry"
    cloud = "azure"
    default_base_url = ""  # built from the spec's resource
    dialect = AnthropicMessages()

    def __init__(self, name: str, spec: Any, env: Mapping[str, str]) -> None:
        super().__init__(name, spec, env)
        if not spec.base_url:
            self.base_url = f"https://{spec.resource}.services.ai.azure.com/anthropic"
        self._url = self.base_url + "/v1/messages"

    @classmethod
    def unsupported(cls, spec: Any, request: Request) -> str | None:
        return sampling_unsupported(spec.anthropic_version, request)

    def make_signer(self) -> Signer:
        return azure_signer(self, key_headers=("x-api-key", "api-key"))

    def static_headers(self) -> dict[str, str]:
        return {"anthropic-version": self.spec.anthropic_version}

    def url(self, model: str, *, stream: bool) -> str:
        return self._url

    def body(self, request: Request, model: str, *, stream: bool) -> dict[str, Any]:
        body = self.dialect.encode_body(request, model, stream=stream)
        if request.temperature is not None:  # only reached with an older anthropic-version (see unsupported)
            body["temperature"] = request.temperature
        return body

    def classify(self, status: int, headers: Mapping[str, str], body: bytes) -> ProviderError:
        data = load_json_object(body)
        err = data.get("error") if data else None
        if isinstance(err, dict) and data is not None and data.get("type") != "error" and not err.get("type"):
            found = azure_error(status, headers, err)  # not Anthropic's shape: Azure's gateway answered
            if found is not None:
                return found
        return self.dialect.classify(status, headers, body)
