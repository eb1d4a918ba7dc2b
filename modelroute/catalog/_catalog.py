"""The model catalog: families (``claude-sonnet-4-5``, ``gpt-5``), what they can do, how large their context
window is, and the id each cloud knows them by. Data lives in ``models.json``; configs extend or override it.

Pure data and lookups, no I/O beyond reading the packaged file once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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

Capability = Literal["tools", "vision", "structured_output", "streaming"]
#: Bedrock cross-region inference-profile prefixes (``us.anthropic.claude-...``)
BEDROCK_PROFILES = ("us", "eu", "apac", "global")
InferenceProfile = Literal["auto", "none", "us", "eu", "apac", "global"]


class CatalogLookupError(LookupError):
    """A family cannot be served where it was asked for; the message says why and what to add."""


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelFamily(_Data):
    """One model family. ``ids`` maps an id scheme (``anthropic``, ``openai``, ``azure``, ``vertex``,
    ``bedrock``) to the model id there; a scheme left out means that cloud's id is not known."""

    vendor: str = Field(min_length=1, description="Who makes the model: anthropic, openai.")
    context_window: int | None = Field(None, gt=0, description="Input + output tokens; None when not known.")
    max_output_tokens: int | None = Field(None, gt=0)
    capabilities: frozenset[Capability] = frozenset()
    ids: dict[str, str] = Field(min_length=1, description="Id scheme -> the model id there.")
    bedrock_profiles: tuple[Literal["us", "eu", "apac", "global"], ...] = Field(
        (), description="Cross-region inference profiles Bedrock offers for this family."
    )

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities


class FamilyOverride(_Data):
    """A config's change to a family (every field optional; ``ids`` are merged key by key), or a new family."""

    vendor: str | None = None
    context_window: int | None = Field(None, gt=0)
    max_output_tokens: int | None = Field(None, gt=0)
    capabilities: frozenset[Capability] | None = None
    ids: dict[str, str] = Field(default_factory=dict)
    bedrock_profiles: tuple[Literal["us", "eu", "apac", "global"], ...] | None = None


def bedrock_geo(region: str | None) -> str | None:
    """The inference-profile geography of an AWS region (``eu-west-1`` -> ``eu``), or None if unknown."""
    if not region:
        return None
    for prefix, geo in (("us-gov-", None), ("us-", "us"), ("eu-", "eu"), ("ap-", "apac")):
        if region.startswith(prefix):
            return geo
    return None


def _scheme_ids(name: str, fam: ModelFamily) -> dict[str, str]:
    """The family's ids by scheme, with the ones that follow from others: Bedrock Mantle names every model Bedrock
    serves ``{vendor}.{family}`` (``anthropic.claude-haiku-4-5``, ``openai.gpt-oss-120b``), with no cross-region
    prefix and no version suffix, unless the data file gives a ``mantle`` id."""
    if "mantle" in fam.ids or "bedrock" not in fam.ids:
        return fam.ids
    return {**fam.ids, "mantle": f"{fam.vendor}.{name}"}


class Catalog:
    """Families by name, which id scheme each provider kind uses, and a reverse index from any id to its family."""

    def __init__(self, families: Mapping[str, ModelFamily], kinds: Mapping[str, str]) -> None:
        self.families = dict(families)
        self.kinds = dict(kinds)
        self._by_id: dict[str, str] = {}
        for name, fam in self.families.items():
            for model_id in _scheme_ids(name, fam).values():
                self._by_id.setdefault(model_id, name)
            if "bedrock" in fam.ids:
                for geo in fam.bedrock_profiles:
                    self._by_id.setdefault(f"{geo}.{fam.ids['bedrock']}", name)

    @property
    def names(self) -> list[str]:
        return sorted(self.families)

    def family(self, name: str) -> ModelFamily:
        return self.families[name]

    def scheme(self, kind: str) -> str | None:
        """The id scheme a provider kind uses, or None if the catalog does not know the kind."""
        return self.kinds.get(kind)

    def model_id(
        self,
        name: str,
        *,
        kind: str,
        region: str | None = None,
        profile: InferenceProfile = "auto",
        deployment: str | None = None,
    ) -> str:
        """The id a provider of ``kind`` (in ``region``) knows family ``name`` by; raises `CatalogLookupError`.

        Bedrock ids get the cross-region prefix: ``auto`` picks the region's geography when the family has a
        profile there (else the in-region id), ``none`` never prefixes, a geography forces it. Azure ids are the
        default deployment names; ``deployment`` replaces them."""
        fam = self.families[name]
        scheme = self.kinds.get(kind)
        if scheme is None:
            raise CatalogLookupError(f"the catalog has no id scheme for provider kind '{kind}'")
        if scheme == "azure" and deployment:
            return deployment
        base = _scheme_ids(name, fam).get(scheme)
        if base is None:
            known = ", ".join(sorted(_scheme_ids(name, fam)))
            raise CatalogLookupError(f"the catalog has no {scheme} id for {name} (it knows: {known})")
        if scheme != "bedrock" or profile == "none":
            return base
        geo = bedrock_geo(region) if profile == "auto" else profile
        if geo is None or geo not in fam.bedrock_profiles:
            if profile != "auto":
                raise CatalogLookupError(f"Bedrock offers no '{profile}' inference profile for {name}")
            return base
        return f"{geo}.{base}"

    def lookup(self, model_id: str) -> tuple[str, ModelFamily] | None:
        """The family a model id (any cloud's, prefixed Bedrock profiles included) belongs to."""
        name = self._by_id.get(model_id)
        return (name, self.families[name]) if name is not None else None

    def context_window(self, model_id: str) -> int | None:
        found = self.lookup(model_id)
        return found[1].context_window if found else None

    def same_model(self, a: str, b: str) -> bool:
        """Whether two ids (on any clouds) name the same model: what a prompt too long for one is too long for."""
        return a == b or self._by_id.get(a, a) == self._by_id.get(b, b)

    def merged(self, overrides: Mapping[str, FamilyOverride], kinds: Mapping[str, str] | None = None) -> Catalog:
        """A catalog with ``overrides`` applied; a new family must bring its ``vendor`` and ``ids``."""
        families = dict(self.families)
        for name, o in overrides.items():
            base = families.get(name)
            if base is None:
                if not o.vendor or not o.ids:
                    raise CatalogLookupError(f"new family '{name}' needs a vendor and ids")
                families[name] = ModelFamily.model_validate(o.model_dump(exclude_none=True, exclude_defaults=False))
                continue
            update = o.model_dump(exclude_none=True, exclude={"ids"})
            update["ids"] = {**base.ids, **o.ids}
            families[name] = base.model_copy(update=update)
        return Catalog(families, {**self.kinds, **(kinds or {})})

    def __contains__(self, name: object) -> bool:
        return name in self.families

    def __repr__(self) -> str:
        return f"Catalog({len(self.families)} families)"


@cache
def default_catalog() -> Catalog:
    """The catalog shipped in the package (read once)."""
    raw = json.loads(resources.files(__package__).joinpath("models.json").read_text(encoding="utf-8"))
    families = {name: ModelFamily.model_validate(f) for name, f in raw["families"].items()}
    return Catalog(families, raw["kinds"])
