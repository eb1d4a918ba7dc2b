"""After a ``context_window`` error, pure: which later targets could not take the prompt either.

A prompt too long for a model is too long for that model on every cloud, and for every model whose context
window is not larger. So each target gets a `ModelIdentity` once per alias (its catalog family, the same on
Azure, Vertex and Bedrock, and its context window when the catalog knows it), and a call that was refused
skips, with a reason:

- every later target serving the same model (same family; the exact id when the catalog does not know it);
- when the refusing model's window is known, every target whose known window is not larger.

A target whose window is unknown stays eligible: nothing says it cannot take the prompt. The user's order is
never changed; only targets that cannot help are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..config import ConfigSpec
from .plan import PlanEntry

__all__ = ["CatalogView", "ModelIdentity", "identify_models", "identity_of", "too_long_for"]


class _Family(Protocol):
    @property
    def context_window(self) -> int | None: ...


class CatalogView(Protocol):
    """What routing reads from the model catalog (`modelroute.catalog.Catalog` is one)."""

    def lookup(self, model_id: str) -> tuple[str, _Family] | None: ...

    def __contains__(self, name: object) -> bool: ...

    def family(self, name: str) -> _Family: ...


@dataclass(frozen=True, slots=True)
class ModelIdentity:
    """Which model a target serves: its id there, its catalog family (None: unknown) and context window."""

    model: str
    family: str | None = None
    context_window: int | None = None

    @property
    def name(self) -> str:
        """The family, or the id when the catalog does not know it."""
        return self.family or self.model

    def same_model(self, other: ModelIdentity) -> bool:
        """Same family on any cloud; without a family on both sides, the exact same id."""
        if self.model == other.model:
            return True
        return self.family is not None and self.family == other.family


def identify_models(entries: Iterable[PlanEntry], spec: ConfigSpec, catalog: CatalogView) -> dict[str, ModelIdentity]:
    """Each entry's identity, keyed by `PlanEntry.key`. An id the catalog knows (any cloud's, Bedrock profile
    prefixes included) gives its family; so does an Azure deployment name an alias's ``family:`` +
    ``deployments:`` put there. Anything else is known by its exact id only."""
    out: dict[str, ModelIdentity] = {}
    for e in entries:
        found = catalog.lookup(e.model)
        if found is None:
            found = _deployed_family(e, spec, catalog)
        if found is None:
            out[e.key] = ModelIdentity(e.model)
        else:
            out[e.key] = ModelIdentity(e.model, found[0], found[1].context_window)
    return out


def _deployed_family(entry: PlanEntry, spec: ConfigSpec, catalog: CatalogView) -> tuple[str, _Family] | None:
    alias = spec.models.get(entry.alias)
    if alias is None or alias.family is None or alias.family not in catalog:
        return None
    if entry.provider in alias.providers and alias.deployments.get(entry.provider) == entry.model:
        return alias.family, catalog.family(alias.family)
    return None


def too_long_for(target: ModelIdentity, refused: Sequence[ModelIdentity]) -> str | None:
    """Why ``target`` cannot take a prompt the ``refused`` models found too long for their context window, or
    None if it may (a larger known window, or an unknown one)."""
    for r in refused:
        if r.same_model(target):
            if r.family is None:
                return f"model {r.model} already refused this prompt as too long for its context window"
            named = "" if r.model in (target.model, r.family) else f" (as {r.model})"
            return f"model family {r.family}{named} already refused this prompt as too long for its context window"
    if target.context_window is None:
        return None
    known = [(r.context_window, r.name) for r in refused if r.context_window is not None]
    if not known:
        return None
    window, name = max(known)
    if target.context_window > window:
        return None
    return (
        f"{target.name}'s context window ({target.context_window:,} tokens) is not larger than "
        f"{name}'s ({window:,}), which refused this prompt as too long"
    )


def identity_of(models: Mapping[str, ModelIdentity], entry: PlanEntry) -> ModelIdentity:
    """The identity ``models`` gives ``entry``, or its exact id alone."""
    return models.get(entry.key) or ModelIdentity(entry.model)
