"""One module per route; looked up by provider ``kind`` in `ROUTES`."""

from ._base import Route
from .anthropic import AnthropicRoute
from .azure_foundry import AzureFoundryRoute
from .azure_openai import AzureOpenAIRoute
from .openai import OpenAIRoute
from .vertex import VertexRoute

__all__ = ["ROUTES", "AnthropicRoute", "AzureFoundryRoute", "AzureOpenAIRoute", "OpenAIRoute", "Route", "VertexRoute"]

ROUTES: dict[str, type[Route]] = {
    "openai": OpenAIRoute,
    "anthropic": AnthropicRoute,
    "azure_openai": AzureOpenAIRoute,
    "azure_foundry": AzureFoundryRoute,
    "vertex": VertexRoute,
}
