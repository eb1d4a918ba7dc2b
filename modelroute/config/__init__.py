"""The config: a pydantic spec (`ConfigSpec`), loaded from YAML or a dict and checked at load time."""

from __future__ import annotations

import json
from typing import Any

from ._load import Config, load_config, resolve_env
from ._spec import (
    PROVIDER_KINDS,
    AliasSpec,
    AnthropicAWSProviderSpec,
    AnthropicProviderSpec,
    BedrockMantleProviderSpec,
    BedrockProviderSpec,
    BreakerSpec,
    ConfigSpec,
    DefaultsSpec,
    ErrorPolicySpec,
    HedgeSpec,
    OpenAIProviderSpec,
    ProviderSpec,
    TargetSpec,
)
from ._timing import AliasTimings, LintWarning

__all__ = [
    "PROVIDER_KINDS",
    "AliasSpec",
    "AliasTimings",
    "AnthropicAWSProviderSpec",
    "AnthropicProviderSpec",
    "BedrockMantleProviderSpec",
    "BedrockProviderSpec",
    "BreakerSpec",
    "Config",
    "ConfigSpec",
    "DefaultsSpec",
    "ErrorPolicySpec",
    "HedgeSpec",
    "LintWarning",
    "OpenAIProviderSpec",
    "ProviderSpec",
    "TargetSpec",
    "json_schema",
    "load_config",
    "resolve_env",
]


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the config file, for editors (``modelroute schema`` writes it)."""
    schema = ConfigSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "modelroute config"
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
