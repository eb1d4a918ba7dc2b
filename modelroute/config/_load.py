"""Loading a config: YAML or dict in, a checked `Config` out, or one `ConfigError` line naming the field and fix.

Secrets stay ``${ENV}`` references until a target is first used (`resolve_env`), so a config whose unused
targets have no keys set still loads; a variable that is set but could never be sent (a non-ASCII key, a control
character) is refused at load.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .._redact import forget_locals
from ..catalog import Catalog, CatalogLookupError
from ..exceptions import ConfigError, CredentialError, MissingDependencyError, ModelRouteError
from ._checks import check_references, check_times, known
from ._errors import config_error
from ._prices import check_prices
from ._spec import ENV_REF, AliasSpec, ConfigSpec, DefaultsSpec, TargetSpec
from ._timing import AliasTimings, LintWarning, alias_timings, lint
from ._yaml import read_yaml, shown_path

__all__ = ["Config", "load_config", "resolve_env"]


@dataclass(frozen=True, init=False)
class Config:
    """A validated config. ``spec`` is the parsed file; ``env`` is where ``${NAME}`` references are read.

    ``env`` (``os.environ`` unless `load_config` was given one) holds every secret, so it is no field: not in
    the repr, not in `dataclasses.asdict`, and never pickled. An unpickled config reads ``os.environ`` if the
    original did; one loaded with its own ``env=`` comes back without it (its secrets fail as unset, with a
    message saying so) until it is loaded again with ``load_config(config, env=...)``.
    """

    spec: ConfigSpec
    source: str = "<dict>"

    def __init__(self, spec: ConfigSpec, source: str = "<dict>", env: Mapping[str, str] | None = None) -> None:
        object.__setattr__(self, "spec", spec)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "_env", os.environ if env is None else env)

    @property
    def env(self) -> Mapping[str, str]:
        return self._env  # type: ignore[no-any-return, attr-defined]

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unpickled_config, (self.spec, self.source, self.env is os.environ))

    def __copy__(self) -> Config:
        return Config(self.spec, self.source, self.env)

    def __deepcopy__(self, memo: dict[int, Any]) -> Config:
        return Config(self.spec.model_copy(deep=True), self.source, self.env)

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


class EnvNotPickled(Mapping[str, str]):
    """The ``env`` of an unpickled config that was loaded with its own: empty, because an env is never pickled."""

    def __getitem__(self, name: str) -> str:
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "EnvNotPickled()"


def _unpickled_config(spec: ConfigSpec, source: str, from_environ: bool) -> Config:
    return Config(spec, source, None if from_environ else EnvNotPickled())


def load_config(
    source: str | os.PathLike[str] | Mapping[str, Any] | Config, *, env: Mapping[str, str] | None = None
) -> Config:
    """Load and check a config from a YAML file path, or a dict. Raises `ConfigError` on the first problem."""
    try:
        return _load(source, env)
    except ModelRouteError as e:
        # Error reporters capture the local variables of the frames an error passed through; an env holds every
        # secret, so none of the frames of this error keeps one.
        forget_locals(e)
        env = None
        raise


def _load(source: str | os.PathLike[str] | Mapping[str, Any] | Config, env: Mapping[str, str] | None) -> Config:
    if isinstance(source, Config):
        if env is None:
            return source
        _check_env_values(source.spec, env)
        return Config(source.spec, source.source, env)
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
    check_prices(spec)
    for pname, provider in spec.providers.items():
        _check_extra(pname, provider.extra_needed())
    env = os.environ if env is None else env
    _check_env_values(spec, env)
    return Config(spec, origin, env)


def resolve_env(value: str, env: Mapping[str, str], where: str, *, url: bool = False) -> str:
    """Expand a ``${NAME}`` reference (the whole value) or references inside a string (a base URL).

    Values read from the environment lose surrounding whitespace (a Kubernetes secret file's trailing newline).
    What is left must be sendable: printable ASCII for a credential (it goes into an HTTP header), no
    whitespace or control character for a part of a URL (``url=True``); anything else is a `ConfigError`
    naming the variable, never its value. An unset or empty variable is a `CredentialError`.
    """
    m = ENV_REF.match(value)
    if m:
        name = m.group(1)
        try:
            resolved = env[name]
        except KeyError:
            if isinstance(env, EnvNotPickled):
                raise CredentialError(
                    f"{where} names the environment variable {name}, but this config was unpickled without the "
                    "env it was loaded with (an env is never pickled: it holds secrets). "
                    "Load it again with load_config(config, env=...)."
                ) from None
            raise CredentialError(
                f"{where} names the environment variable {name}, which is not set. "
                f"Set it, or take the targets that use this provider out of the plan."
            ) from None
        resolved = resolved.strip()
        if not resolved:
            raise CredentialError(f"{where}: the environment variable {name} is set but empty")
        problem = _unsendable(resolved, name, where, url=url)
        if problem is not None:
            del resolved  # this frame keeps no secret for an error reporter to capture
            raise problem
        return resolved
    if "${" not in value:
        return value
    out, rest = [], value
    while "${" in rest:
        head, _, tail = rest.partition("${")
        name, close, rest = tail.partition("}")
        if not close:
            raise ConfigError(where, f"unclosed '${{' in {value!r}")
        out.extend([head, resolve_env("${" + name + "}", env, where, url=url)])
    out.append(rest)
    return "".join(out)


def env_references(value: str) -> list[str]:
    """The variable names a value's ``${NAME}`` references read (in order; none for a literal)."""
    return _ENV_NAME.findall(value)


_ENV_NAME = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _unsendable(value: str, name: str, where: str, *, url: bool) -> ConfigError | None:
    """Why ``value`` (of variable ``name``) could never be sent, as the `ConfigError` to raise, or None."""
    for i, ch in enumerate(value):
        code = ord(ch)
        if code < 0x20 or code == 0x7F:
            what = "a control character (a line break, a tab, a NUL)"
        elif url:
            if not ch.isspace():
                continue
            what = "a space"
        elif code > 0x7E:
            what = "a non-ASCII character"
        else:
            continue
        use = "a part of a URL" if url else "a credential, which is sent in an HTTP header"
        return ConfigError(
            where,
            f"the environment variable {name} holds {what} at position {i + 1}, which cannot be used in {use}",
            f"Check {name}'s value: a key or token is printable ASCII (was it copied with extra characters?)",
        )
    return None


def _check_env_values(spec: ConfigSpec, env: Mapping[str, str]) -> None:
    """Refuse at load a set variable that could never be sent; unset ones are found when a target is used."""
    for pname, provider in spec.providers.items():
        for field_name in (*_SECRET_FIELDS, "base_url"):
            value = getattr(provider, field_name, None)
            if not isinstance(value, str) or "${" not in value:
                continue
            where, url = f"providers.{pname}.{field_name}", field_name == "base_url"
            for name in env_references(value):
                with contextlib.suppress(CredentialError):  # unset or empty: found when a target is used
                    resolve_env("${" + name + "}", env, where, url=url)


_SECRET_FIELDS = ("api_key", "access_token", "aws_access_key_id", "aws_secret_access_key", "aws_session_token")


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
