"""The routes the mock cloud speaks, by provider ``kind``. Adding a route: one module, one entry here."""

from ._base import MockRoute, RecordedRequest, Reply
from .anthropic import AnthropicMock
from .anthropic_aws import AnthropicAWSMock
from .azure_foundry import AzureFoundryMock
from .azure_openai import AzureOpenAIMock
from .bedrock import BedrockMock
from .bedrock_mantle import BedrockMantleMock
from .openai import OpenAIMock
from .vertex import VertexMock

__all__ = ["ROUTES", "MockRoute", "RecordedRequest", "Reply"]

ROUTES: dict[str, type[MockRoute]] = {
    "openai": OpenAIMock,
    "anthropic": AnthropicMock,
    "azure_openai": AzureOpenAIMock,
    "azure_foundry": AzureFoundryMock,
    "vertex": VertexMock,
    "bedrock": BedrockMock,
    "bedrock_mantle": BedrockMantleMock,
    "anthropic_aws": AnthropicAWSMock,
}
