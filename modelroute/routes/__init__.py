"""One module per route; looked up by provider ``kind`` in `ROUTES`."""

from ._base import Route
from .anthropic import AnthropicRoute
from .openai import OpenAIRoute

__all__ = ["ROUTES", "AnthropicRoute", "OpenAIRoute", "Route"]

ROUTES: dict[str, type[Route]] = {
    "openai": OpenAIRoute,
    "anthropic": AnthropicRoute,
}
