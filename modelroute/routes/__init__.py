"""One module per route; looked up by provider ``kind`` in `ROUTES`."""

from ._base import Route
from .anthropic import AnthropicRoute
from .anthropic_aws import AnthropicAWSRoute
from .bedrock import BedrockRoute
from .bedrock_mantle import BedrockMantleRoute
from .openai import OpenAIRoute

__all__ = [
    "ROUTES",
    "AnthropicAWSRoute",
    "AnthropicRoute",
    "BedrockMantleRoute",
    "BedrockRoute",
    "OpenAIRoute",
    "Route",
]

ROUTES: dict[str, type[Route]] = {
    "openai": OpenAIRoute,
    "anthropic": AnthropicRoute,
    "bedrock": BedrockRoute,
    "bedrock_mantle": BedrockMantleRoute,
    "anthropic_aws": AnthropicAWSRoute,
}
