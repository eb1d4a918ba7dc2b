"""The model catalog: families (``claude-sonnet-4-5``, ``gpt-5``), what they can do, how large their context
window is, and the id each cloud knows them by. Data lives in ``models.json``; configs extend or override it.

Pure data and lookups, no I/O beyond reading the packaged file once.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = [
    "BEDROCK_PROFILES",
    "ID_SCHEMES",
    "BedrockProfile",
    "Capability",
    "Catalog",
    "CatalogLookupError",
    "FamilyOverride",
    "IdScheme",
    "InferenceProfile",
    "ModelFamily",
    "bedrock_geo",
    "bedrock_geos",
    "default_catalog",
    "load_catalog",
]

Capability = Literal["tools", "vision", "structured_output", "streaming"]
#: The id schemes a family's ``ids`` may name (``models.json``'s ``kinds`` map each provider kind to one).
IdScheme = Literal["anthropic", "openai", "azure", "vertex", "bedrock", "mantle"]
ID_SCHEMES: tuple[IdScheme, ...] = ("anthropic", "openai", "azure", "vertex", "bedrock", "mantle")
#: Bedrock cross-region inference-profile prefixes (``us.anthropic.claude-...``)
BedrockProfile = Literal["us", "eu", "apac", "jp", "au", "global"]
BEDROCK_PROFILES: tuple[BedrockProfile, ...] = ("us", "eu", "apac", "jp", "au", "global")
InferenceProfile = Literal["auto", "none", "us", "eu", "apac", "jp", "au", "global"]

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+-]*")
_VERTEX_ID = re.compile(r"[a-z0-9][a-z0-9.-]*(@[a-z0-9-]+)?")
_ARN = "arn:"


class CatalogLookupError(LookupError):
    """A family cannot be served where it was asked for, or a catalog change is malformed; the message says why
    and `fix` what to do. `family` names the family the error is about (None: not one family)."""

    def __init__(self, message: str, *, family: str | None = None, fix: str | None = None) -> None:
        super().__init__(message)
        self.family = family
        self.fix = fix

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_lookup_error, (str(self), self.family, self.fix))


def _rebuild_lookup_error(message: str, family: str | None, fix: str | None) -> CatalogLookupError:
    return CatalogLookupError(message, family=family, fix=fix)


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_ids(ids: Mapping[IdScheme, str]) -> None:
    """Each id has the shape its cloud uses; the errors say which shape (bad input fails at load, not at call)."""
    for scheme, model_id in ids.items():
        if not _ID.fullmatch(model_id):
            raise ValueError(f"ids.{scheme} {model_id!r} is not a model id (no spaces, quotes or control characters)")
        prefix = model_id.split(".", 1)[0]
        if scheme in ("bedrock", "mantle") and prefix in BEDROCK_PROFILES:
            raise ValueError(
                f"ids.{scheme} {model_id!r} carries the inference-profile prefix '{prefix}.': give the base id "
                f"({model_id.split('.', 1)[1]!r}) and list '{prefix}' under bedrock_profiles"
                if scheme == "bedrock"
                else f"ids.mantle {model_id!r} carries an inference-profile prefix: Mantle ids have none "
                f"({model_id.split('.', 1)[1]!r})"
            )
        if scheme == "mantle" and model_id.startswith(_ARN):
            raise ValueError(f"ids.mantle {model_id!r} is an ARN: Mantle takes ids like 'anthropic.claude-opus-4-6'")
        if scheme == "vertex" and not _VERTEX_ID.fullmatch(model_id):
            raise ValueError(
                f"ids.vertex {model_id!r} is not a Vertex model id: write the model part of the URL only, like "
                "'claude-sonnet-4-5@20250929' or 'claude-opus-4-6' (no publisher path, no 'anthropic.' prefix)"
            )


class ModelFamily(_Data):
    """One model family. ``ids`` maps an id scheme (``anthropic``, ``openai``, ``azure``, ``vertex``,
    ``bedrock``, ``mantle``) to the model id there; a scheme left out means that cloud's id is not known, or that
    the cloud does not serve the family. ``bedrock`` is the base id; ``bedrock_profiles`` are the cross-region
    inference profiles that prefix it, and ``bedrock_in_region`` says whether the base id itself can be invoked
    (False: only through a profile)."""

    vendor: str = Field(min_length=1, description="Who makes the model: anthropic, openai.")
    context_window: int | None = Field(None, gt=0, description="Input + output tokens; None when not known.")
    max_output_tokens: int | None = Field(None, gt=0)
    capabilities: frozenset[Capability] = frozenset()
    ids: dict[IdScheme, str] = Field(min_length=1, description="Id scheme -> the model id there.")
    bedrock_profiles: tuple[BedrockProfile, ...] = Field(
        (), description="Cross-region inference profiles Bedrock offers for this family."
    )
    bedrock_in_region: bool = Field(
        True, description="Whether Bedrock serves the base id in a region on demand (False: only via a profile)."
    )

    @field_validator("ids")
    @classmethod
    def _shapes(cls, ids: dict[IdScheme, str]) -> dict[IdScheme, str]:
        _check_ids(ids)
        return ids

    @model_validator(mode="after")
    def _profiles_need_a_bedrock_id(self) -> ModelFamily:
        bedrock = self.ids.get("bedrock")
        if self.bedrock_profiles and bedrock is None:
            raise ValueError("bedrock_profiles are prefixes of ids.bedrock: add ids.bedrock (the base id) too")
        if self.bedrock_profiles and bedrock is not None and bedrock.startswith(_ARN):
            raise ValueError("ids.bedrock is an ARN, which takes no profile prefix: remove bedrock_profiles")
        if not self.bedrock_in_region and not self.bedrock_profiles:
            raise ValueError("bedrock_in_region: false needs the profiles that serve it under bedrock_profiles")
        return self

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities


class FamilyOverride(_Data):
    """A config's change to a family (every field optional; ``ids`` are merged key by key), or a new family
    (``vendor`` and ``ids`` required). Ids are checked for their cloud's shape here, at load."""

    vendor: str | None = Field(None, min_length=1)
    context_window: int | None = Field(None, gt=0)
    max_output_tokens: int | None = Field(None, gt=0)
    capabilities: frozenset[Capability] | None = None
    ids: dict[IdScheme, str] = Field(default_factory=dict)
    bedrock_profiles: tuple[BedrockProfile, ...] | None = None
    bedrock_in_region: bool | None = None

    @field_validator("ids")
    @classmethod
    def _shapes(cls, ids: dict[IdScheme, str]) -> dict[IdScheme, str]:
        _check_ids(ids)
        return ids


def bedrock_geo(region: str | None) -> str | None:
    """The inference-profile geography of an AWS region (``eu-west-1`` -> ``eu``), or None if unknown."""
    geos = bedrock_geos(region)
    return geos[-1] if geos else None


def bedrock_geos(region: str | None) -> tuple[BedrockProfile, ...]:
    """The geographic profiles that contain an AWS region, narrowest first (``ap-northeast-1`` -> ``jp``,
    ``apac``); empty for GovCloud and unknown regions."""
    if not region or region.startswith("us-gov-"):
        return ()
    if region in ("ap-northeast-1", "ap-northeast-3"):
        return ("jp", "apac")
    if region in ("ap-southeast-2", "ap-southeast-4"):
        return ("au", "apac")
    for prefix, geo in (("us-", "us"), ("eu-", "eu"), ("ap-", "apac")):
        if region.startswith(prefix):
            return (cast(BedrockProfile, geo),)
    return ()


class Catalog:
    """Families by name, which id scheme each provider kind uses, and a reverse index from any id to its family."""

    def __init__(self, families: Mapping[str, ModelFamily], kinds: Mapping[str, str]) -> None:
        self.families = dict(families)
        self.kinds = dict(kinds)
        self._by_id: dict[str, str] = {}
        for name, fam in self.families.items():
            for model_id in fam.ids.values():
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

        Bedrock ids get the cross-region prefix: ``auto`` picks the narrowest geography containing the region
        that the family has a profile in (``jp`` before ``apac`` in Tokyo), else the in-region id, else the
        ``global`` profile when the family is served only through profiles; ``none`` never prefixes; a geography
        forces it. Azure ids are the default deployment names; ``deployment`` replaces them."""
        fam = self.families[name]
        scheme = self.kinds.get(kind)
        if scheme is None:
            raise CatalogLookupError(f"the catalog has no id scheme for provider kind '{kind}'", family=name)
        if scheme == "azure" and deployment:
            return deployment
        base = cast(Mapping[str, str], fam.ids).get(scheme)
        if base is None:
            known = ", ".join(sorted(fam.ids))
            raise CatalogLookupError(f"the catalog has no {scheme} id for {name} (it knows: {known})", family=name)
        if scheme != "bedrock" or base.startswith(_ARN):
            return base
        geo = _bedrock_profile(name, fam, region, profile)
        return f"{geo}.{base}" if geo else base

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
        """A catalog with ``overrides`` applied: a known family's fields are replaced and its ``ids`` merged key
        by key; a new family must bring its ``vendor`` and ``ids``. Raises `CatalogLookupError` naming the
        family when the result is not a valid family."""
        families = dict(self.families)
        for name, o in overrides.items():
            base = families.get(name)
            if base is None:
                missing = [f for f in ("vendor", "ids") if not getattr(o, f)]
                if missing:
                    raise CatalogLookupError(
                        f"new family '{name}' needs a vendor and ids (missing: {', '.join(missing)})",
                        family=name,
                        fix=_did_you_mean(name, self.families) + "Give a new family both vendor and ids",
                    )
                data: dict[str, Any] = o.model_dump(exclude_none=True)
            else:
                data = {**base.model_dump(), **o.model_dump(exclude_none=True, exclude={"ids"})}
                data["ids"] = {**base.ids, **o.ids}
            try:
                families[name] = ModelFamily.model_validate(data)
            except ValidationError as e:
                msg = str(e.errors(include_url=False)[0]["msg"]).removeprefix("Value error, ")
                raise CatalogLookupError(msg, family=name, fix=_SEE_README) from None
        return Catalog(families, {**self.kinds, **(kinds or {})})

    def __contains__(self, name: object) -> bool:
        return name in self.families

    def __repr__(self) -> str:
        return f"Catalog({len(self.families)} families)"


def _bedrock_profile(name: str, fam: ModelFamily, region: str | None, profile: InferenceProfile) -> str | None:
    """The inference-profile prefix a family's Bedrock id gets (None: the in-region base id)."""
    offered = ", ".join(fam.bedrock_profiles)
    if profile == "none":
        if fam.bedrock_in_region:
            return None
        raise CatalogLookupError(
            f"Bedrock serves {name} only through inference profiles ({offered})",
            family=name,
            fix=f"Set inference_profile to auto or one of: {offered}",
        )
    if profile != "auto":
        if profile in fam.bedrock_profiles:
            return profile
        raise CatalogLookupError(
            f"Bedrock offers no '{profile}' inference profile for {name} (it offers: {offered or 'none'})",
            family=name,
            fix=f"Set inference_profile to auto or one of: {offered}"
            if offered
            else f"Add '{profile}' under catalog.families.{name}.bedrock_profiles if AWS lists that profile",
        )
    for geo in bedrock_geos(region):
        if geo in fam.bedrock_profiles:
            return geo
    if fam.bedrock_in_region:
        return None
    if "global" in fam.bedrock_profiles:
        return "global"
    raise CatalogLookupError(
        f"Bedrock serves {name} only through the {offered} inference profiles, and region "
        f"{region or '(none)'} is in none of them",
        family=name,
        fix=f"Set inference_profile to one of: {offered}, or use a provider in a region they contain",
    )


_SEE_README = 'See the README\'s "Hand-written catalog entries"'


def _did_you_mean(name: str, known: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"Did you mean '{close[0]}'? Otherwise: " if close else ""


@cache
def default_catalog() -> Catalog:
    """The catalog shipped in the package (read once). Keys starting with ``_`` (``_sources``, ``_comment``) are
    notes for people and are skipped."""
    raw = json.loads(resources.files(__package__).joinpath("models.json").read_text(encoding="utf-8"))
    return load_catalog(raw)


def load_catalog(raw: Mapping[str, Any]) -> Catalog:
    """A catalog from data shaped like ``models.json`` (``kinds`` and ``families``; ``_``-keys are notes)."""
    kinds: dict[str, str] = dict(raw["kinds"])
    stray = sorted(set(kinds.values()) - set(ID_SCHEMES))
    if stray:
        raise CatalogLookupError(f"kinds name unknown id schemes: {', '.join(stray)}")
    families = {
        name: ModelFamily.model_validate({k: v for k, v in f.items() if not k.startswith("_")})
        for name, f in raw["families"].items()
        if not name.startswith("_")
    }
    return Catalog(families, kinds)
