"""Loading a config: YAML or dict in, a checked `Config` out, or one `ConfigError` line naming the field and fix.

Secrets stay ``${ENV}`` references until a target is first used (`resolve_env`), so a config whose unused
targets have no keys set still loads.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..catalog import Catalog, CatalogLookupError
from ..exceptions import ConfigError, CredentialError, MissingDependencyError
from ._checks import check_references, check_times, known
from ._errors import config_error
from ._spec import ENV_REF, AliasSpec, ConfigSpec, DefaultsSpec, TargetSpec
from ._timing import AliasTimings, LintWarning, alias_timings, lint
from ._yaml import read_yaml, shown_path

__all__ = ["Config", "load_config", "resolve_env"]


@dataclass(frozen=True)
class Config:
    """A validated config. ``spec`` is the parsed file; ``env`` is where ``${NAME}`` references are read."""

    spec: ConfigSpec
    source: str = "<dict>"
    env: Mapping[str, str] = field(default_factory=lambda: os.environ, repr=False)

    @property
    def catalog(self) -> Catalog:
        """The model catalog this config sees (the shipped one, with its ``catalog:`` changes)."""
        return catalog_of(self.spec)

    @property
    def defaults(self) -> DefaultsSpec:
        return self.spec.defaults

    def alias(self, name: str) -> AliasSpec:
        try:
            return self.spec.models[name]
        except KeyError:
            raise ConfigError(
                "models", f"unknown model alias '{name}'", known("Known aliases", self.spec.models, name)
            ) from None

    def timings(self, alias: str) -> AliasTimings:
        """The deadline, attempt and first-byte timeouts a call to ``alias`` runs with, and where each came from
        (the alias, the defaults, or derived from the deadline)."""
        self.alias(alias)
        return alias_timings(self.spec, alias)

    def lint(self) -> list[LintWarning]:
        """Warnings about settings that load but defeat themselves: an alias whose attempt or first-byte timeout
        is not shorter than its deadline, or whose hung first target leaves no time to fail over. Empty when all
        is well; ``modelroute check`` prints them."""
        return lint(self.spec)

    def with_base_urls(self, urls: Mapping[str, str]) -> Config:
        """A copy with some providers' ``base_url`` replaced (used to point a config at the mock cloud)."""
        providers = {
            name: (p.model_copy(update={"base_url": urls[name]}) if name in urls else p)
            for name, p in self.spec.providers.items()
        }
        return Config(self.spec.model_copy(update={"providers": providers}), self.source, self.env)


def load_config(
    source: str | os.PathLike[str] | Mapping[str, Any] | Config, *, env: Mapping[str, str] | None = None
) -> Config:
    """Load and check a config from a YAML file path, or a dict. Raises `ConfigError` on the first problem."""
    if isinstance(source, Config):
        return source if env is None else Config(source.spec, source.source, env)
    if isinstance(source, Mapping):
        data, origin = dict(source), "<dict>"
    elif isinstance(source, str | os.PathLike):
        data, origin = read_yaml(Path(source)), shown_path(Path(source))
    else:
        raise ConfigError("", f"a config is a YAML file's path or a dict, not {type(source).__name__}")
    if data is None:
        raise ConfigError(origin, "is empty (nothing but comments)", "Write the config: providers: ... and models: ...")
    if not isinstance(data, dict):
        raise ConfigError("", f"{origin} must hold a mapping with 'providers' and 'models'",
                          "Start the file with providers: and models:")  # fmt: skip
    try:
        spec = ConfigSpec.model_validate(data)
    except ValidationError as e:
        raise config_error(e) from None
    except RecursionError:  # a dict source nested past the interpreter's limit (a file is bounded when read)
        raise ConfigError("", f"{origin} nests too deeply", "A config nests a few levels") from None
    spec = _expand_families(spec)
    check_references(spec)
    check_times(spec)
    for pname, provider in spec.providers.items():
        _check_extra(pname, provider.extra_needed())
    return Config(spec, origin, os.environ if env is None else env)


def resolve_env(value: str, env: Mapping[str, str], where: str) -> str:
    """Expand a ``${NAME}`` reference (the whole value) or references inside a string (a base URL)."""
    m = ENV_REF.match(value)
    if m:
        name = m.group(1)
        try:
            resolved = env[name]
        except KeyError:
            raise CredentialError(
                f"{where} names the environment variable {name}, which is not set. "
                f"Set it, or take the targets that use this provider out of the plan."
            ) from None
        if not resolved:
            raise CredentialError(f"{where}: the environment variable {name} is set but empty")
        return resolved
    if "${" not in value:
        return value
    out, rest = [], value
    while "${" in rest:
        head, _, tail = rest.partition("${")
        name, close, rest = tail.partition("}")
        if not close:
            raise ConfigError(where, f"unclosed '${{' in {value!r}")
        out.extend([head, resolve_env("${" + name + "}", env, where)])
    out.append(rest)
    return "".join(out)


# --- after the fields: families, extras -------------------------------------------------------------------


def catalog_of(spec: ConfigSpec) -> Catalog:
    """The shipped catalog with the config's ``catalog:`` changes applied."""
    from ..catalog import default_catalog

    if not spec.catalog.families:
        return default_catalog()
    try:
        return default_catalog().merged(spec.catalog.families)
    except CatalogLookupError as e:
        raise ConfigError("catalog.families", str(e), "Give a new family both vendor and ids") from None


def _expand_families(spec: ConfigSpec) -> ConfigSpec:
    """Aliases that name a ``family`` and ``providers`` get one target per provider, with that cloud's id."""
    if not any(a.family for a in spec.models.values()):
        catalog_of(spec)  # a broken catalog section fails at load even when no alias uses it yet
        return spec
    catalog = catalog_of(spec)
    models = dict(spec.models)
    for alias, a in spec.models.items():
        if a.family is None:
            continue
        if a.family not in catalog:
            raise ConfigError(
                f"models.{alias}.family",
                f"unknown family '{a.family}'",
                known("Catalog families", catalog.names, a.family),
            )
        targets = list(a.targets)
        for i, pname in enumerate(a.providers):
            where = f"models.{alias}.providers[{i}]"
            provider = spec.providers.get(pname)
            if provider is None:
                raise ConfigError(where, f"unknown provider '{pname}'", known("Known providers", spec.providers, pname))
            try:
                model = catalog.model_id(
                    a.family, kind=provider.kind, region=provider.region, profile=a.inference_profile,
                    deployment=a.deployments.get(pname),
                )  # fmt: skip
            except CatalogLookupError as e:
                raise ConfigError(
                    where,
                    f"provider '{pname}' ({provider.kind}) cannot serve {a.family}: {e}",
                    f"Add catalog.families.{a.family}.ids, take '{pname}' out, or list it under targets",
                ) from None
            target = TargetSpec(provider=pname, model=model)
            if target not in targets:
                targets.append(target)
        models[alias] = a.model_copy(update={"targets": targets})
    return spec.model_copy(update={"models": models})


def _installed(module: str) -> bool:
    """Whether ``module`` can be imported, found without importing it (so loading a config stays cheap)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a missing parent package, or a module set to None in sys.modules
        return False


def _check_extra(pname: str, needed: tuple[str, str, str, tuple[str, ...]] | None) -> None:
    if needed is None:
        return
    field_name, what, extra, modules = needed
    if not all(_installed(m) for m in modules):
        path = f"providers.{pname}.{field_name}" if field_name else f"providers.{pname}"
        raise MissingDependencyError(path, what, extra)
