"""Claude on Microsoft Foundry: Anthropic Messages at ``https://{resource}.services.ai.azure.com/anthropic``.

Auth as ``anthropic.AnthropicFoundry`` sends it: a key in both ``x-api-key`` and ``api-key`` (never
``Authorization``), or an Entra ID / environment token as ``Authorization: Bearer``. The ``anthropic-version``
header, body, stream and Anthropic-shaped errors are the direct API's; Azure's gateway errors
(``{"error": {"code": "401" | "DeploymentNotFound" | "429"...}}``) are read with the Azure table.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..auth import Signer
from ..exceptions import ProviderError
from ..wire.errors import load_json_object
from .anthropic import AnthropicRoute
from .azure_errors import azure_error
from .azure_openai import azure_signer

__all__ = ["AzureFoundryRoute"]


class AzureFoundryRoute(AnthropicRoute):
    kind = "azure_foundry"
    cloud = "azure"
    default_base_url = ""  # built from the spec's resource

    def endpoint(self) -> str:
        return f"https://{self.spec.resource}.services.ai.azure.com/anthropic"

    def make_signer(self) -> Signer:
        return azure_signer(self, key_headers=("x-api-key", "api-key"))

    def _classify(self, status: int, headers: Mapping[str, str], body: bytes) -> ProviderError:
        data = load_json_object(body)
        err = data.get("error") if data else None
        if isinstance(err, dict) and data is not None and data.get("type") != "error" and not err.get("type"):
            found = azure_error(status, headers, err)  # not Anthropic's shape: Azure's gateway answered
            if found is not None:
                return found
        return self.dialect.classify(status, headers, body)
