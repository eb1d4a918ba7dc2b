"""The model catalog: families, capabilities, context windows and per-cloud model ids (``models.json``).

    >>> from modelroute.catalog import default_catalog
    >>> cat = default_catalog()
    >>> cat.model_id("claude-sonnet-4-5", kind="bedrock", region="eu-west-1")
    'eu.anthropic.claude-sonnet-4-5-20250929-v1:0'
    >>> cat.context_window("claude-sonnet-4-5@20250929")
    200000

A config extends it under ``catalog: {families: {...}}``; an alias may name a ``family`` and a list of
``providers`` instead of spelling every target (see the README).
"""

from ._catalog import (
    BEDROCK_PROFILES,
    Capability,
    Catalog,
    CatalogLookupError,
    FamilyOverride,
    InferenceProfile,
    ModelFamily,
    bedrock_geo,
    default_catalog,
)

__all__ = [
    "BEDROCK_PROFILES",
    "Capability",
    "Catalog",
    "CatalogLookupError",
    "FamilyOverride",
    "InferenceProfile",
    "ModelFamily",
    "bedrock_geo",
    "default_catalog",
]
