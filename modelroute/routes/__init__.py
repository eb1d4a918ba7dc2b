"""One module per route; looked up by provider ``kind`` in `ROUTES`."""

from ._base import Route
from .anthropic import AnthropicRoute
from .anthropic_aws import AnthropicAWSRoute
from .azure_foundry import AzureFoundryRoute
from .azure_openai import AzureOpenAIRoute
from .bedrock import BedrockRoute
from .bedrock_mantle import BedrockMantleRoute
from .openai import OpenAIRoute
from .vertex import VertexRoute

__all__ = [
    "ROUTES",
    "AnthropicAWSRoute",
    "AnthropicRoute",
    "AzureFoundryRoute",
    "AzureOpenAIRoute",
    "BedrockMantleRoute",
    "BedrockRoute",
    "OpenAIRoute",
    "Route",
    "VertexRoute",
]

ROUTES: dict[str, type[Route]] = {
    "openai": OpenAIRoute,
    "anthropic": AnthropicRoute,
    "azure_openai": AzureOpenAIRoute,
    "azure_foundry": AzureFoundryRoute,
    "vertex": VertexRoute,
    "bedrock": BedrockRoute,
    "bedrock_mantle": BedrockMantleRoute,
    "anthropic_aws": AnthropicAWSRoute,
}
