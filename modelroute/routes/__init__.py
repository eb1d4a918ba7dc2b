"""One module per route; looked up by provider ``kind`` in `ROUTES`."""

from ._base import Route
from .anthropic import AnthropicRoute
from .bedrock import BedrockRoute
from .bedrock_mantle import BedrockMantleRoute
from .openai import OpenAIRoute

__all__ = ["ROUTES", "AnthropicRoute", "BedrockMantleRoute", "BedrockRoute", "OpenAIRoute", "Route"]

ROUTES: dict[str, type[Route]] = {
    "openai": OpenAIRoute,
    "anthropic": AnthropicRoute,
    "bedrock": BedrockRoute,
    "bedrock_mantle": BedrockMantleRoute,
}
