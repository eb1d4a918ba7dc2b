"""The routes the cost tests price: one provider entry per kind and region that prices differently, and for each
target the genai-prices row that must price it (found through genai-prices' own API, so a data update moves the
expected figures with it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from genai_prices import Usage as GenaiUsage
from genai_prices import calc_price

from modelroute._types import Usage

AWS = {"api_key": "${AWS_BEARER_TOKEN_BEDROCK}"}
S45 = "anthropic.claude-sonnet-4-5-20250929-v1:0"
PROVIDERS: dict[str, Any] = {
    "openai": {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
    "anthropic": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
    "anthropic-2": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
    "claude-aws": {"kind": "anthropic_aws", "region": "us-east-1", "workspace_id": "wrkspc_1", **AWS},
    "azure-gpt": {"kind": "azure_openai", "resource": "contoso", "api_key": "${AZURE_KEY}", "region": "eastus2"},
    "foundry": {"kind": "azure_foundry", "resource": "contoso", "api_key": "${AZURE_KEY}"},
    "vertex-global": {"kind": "vertex", "project": "p", "region": "global", "access_token": "${GTOKEN}"},
    "vertex-us": {"kind": "vertex", "project": "p", "region": "us-east5", "access_token": "${GTOKEN}"},
    "vertex-eu": {"kind": "vertex", "project": "p", "region": "eu", "access_token": "${GTOKEN}"},
    "bedrock-us": {"kind": "bedrock", "region": "us-east-1", **AWS},
    "bedrock-eu": {"kind": "bedrock", "region": "eu-west-1", **AWS},
    "bedrock-gpt": {"kind": "bedrock", "region": "us-west-2", "dialect": "openai", **AWS},
    "mantle": {"kind": "bedrock_mantle", "region": "us-east-1", **AWS},
}
#: (entry, model id, genai-prices provider, the id its row is found by, the premium over that row)
ROUTES: list[tuple[str, str, str, str, Decimal]] = [
    ("openai", "gpt-5", "openai", "gpt-5", Decimal(1)),
    ("anthropic", "claude-sonnet-4-5-20250929", "anthropic", "claude-sonnet-4-5-20250929", Decimal(1)),
    ("claude-aws", "claude-opus-4-7", "anthropic", "claude-opus-4-7", Decimal(1)),
    ("foundry", "claude-sonnet-4-5", "azure", "claude-sonnet-4-5", Decimal(1)),
    ("vertex-global", "claude-sonnet-4-5@20250929", "google", "claude-sonnet-4-5@20250929", Decimal(1)),
    ("vertex-us", "claude-sonnet-4-5@20250929", "google", "claude-sonnet-4-5@20250929", Decimal("1.1")),
    ("vertex-eu", "claude-haiku-4-5@20251001", "google", "claude-haiku-4-5@20251001", Decimal("1.1")),
    ("vertex-us", "claude-3-5-haiku@20241022", "google", "claude-3-5-haiku@20241022", Decimal(1)),  # no premium
    ("bedrock-us", S45, "aws", S45, Decimal(1)),  # in-region: the regional row
    ("bedrock-us", f"us.{S45}", "aws", f"us.{S45}", Decimal(1)),  # a geographic profile: the regional row
    ("bedrock-eu", f"eu.{S45}", "aws", f"eu.{S45}", Decimal(1)),
    ("bedrock-us", f"global.{S45}", "aws", f"global.{S45}", Decimal(1)),  # the global profile: the global row
    ("bedrock-gpt", "openai.gpt-oss-120b-1:0", "aws", "openai.gpt-oss-120b-1:0", Decimal(1)),
    ("mantle", "anthropic.claude-haiku-4-5", "aws", "anthropic.claude-haiku-4-5-20251001-v1:0", Decimal(1)),
]
#: an Azure deployment name, priced through its alias's family (deployments:)
GPT_ON_AZURE = {"family": "gpt-5", "providers": ["azure-gpt"], "deployments": {"azure-gpt": "gpt5-prod"}}


def genai_usage(u: Usage) -> GenaiUsage:
    return GenaiUsage(
        input_tokens=u.input_tokens,
        output_tokens=u.output_tokens,
        cache_read_tokens=u.cache_read_tokens,
        cache_write_tokens=u.cache_write_tokens,
        output_reasoning_tokens=u.reasoning_tokens,
    )


def genai_cost(usage: Usage | None, ref: str, provider_id: str) -> Decimal:
    """What genai-prices charges for ``usage`` on its row for ``ref`` at ``provider_id``."""
    assert usage is not None
    return Decimal(calc_price(genai_usage(usage), ref, provider_id=provider_id).total_price)
