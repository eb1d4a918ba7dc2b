"""From pydantic's validation errors to one `ConfigError` line: the field's path, what is wrong, and the fix, in
the config's own words (no regex, no class name, no pydantic wording)."""

from __future__ import annotations

import datetime
import difflib
import math
from typing import Any

from pydantic import BaseModel, ValidationError

from ..catalog import FamilyOverride
from ..exceptions import ConfigError
from ._spec import (
    PROVIDER_KINDS,
    AliasSpec,
    BreakerSpec,
    CatalogSpec,
    ConfigSpec,
    DefaultsSpec,
    ErrorPolicySpec,
    HedgeSpec,
    TargetSpec,
    pattern_words,
)

__all__ = ["config_error", "shown"]

_SECRET_FIELDS = {"api_key", "access_token", "aws_access_key_id", "aws_secret_access_key", "aws_session_token"}
_SHAPES = {  # what a mapping at a path must look like, by the path's shape
    "providers.*": 'a provider entry, e.g. {kind: openai, api_key: "${OPENAI_API_KEY}"}',
    "models.*": "an alias, e.g. {targets: ['openai:gpt-5']}",
    "models.*.targets.*": "a target: 'provider:model' or {provider: <name>, model: <id>}",
    "providers": "a mapping of provider names to entries",
    "models": "a mapping of alias names to aliases",
    "defaults": "a mapping of settings (deadline_s: 60, ...)",
}


def shown(value: Any) -> str:
    """A value for a message: short, one line, and only when it is a scalar."""
    text = repr(value) if isinstance(value, str | int | float | bool | None) else type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def _fields_at(loc: tuple[int | str, ...]) -> set[str]:
    """The field names allowed where an unknown one was found, for a "did you mean" hint."""
    parent = [p for p in loc[:-1] if p != "[key]" and not isinstance(p, int)]
    models: list[type[BaseModel]]
    if not parent:
        models = [ConfigSpec]
    elif "on_error" in parent:
        models = [ErrorPolicySpec]
    elif "breaker" in parent:
        models = [BreakerSpec]
    elif "hedge" in parent:
        models = [HedgeSpec]
    elif parent[0] == "providers":
        models = list(PROVIDER_KINDS.values())
    elif parent[0] == "catalog":
        models = [CatalogSpec, FamilyOverride]
    elif parent[0] == "models":
        models = [TargetSpec] if "targets" in parent else [AliasSpec]
    else:
        models = [DefaultsSpec]
    return {name for m in models for name in m.model_fields}


def _path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    items = list(loc)
    # A discriminated union adds the tag to the location: providers.<name>.<kind>.<field>; drop it.
    if len(items) >= 3 and items[0] == "providers" and items[2] in PROVIDER_KINDS:
        del items[2]
    for item in items:
        text = str(item)
        if item == "[key]" or text.startswith("function-") or text in ("str", "float", "int", "literal['p95']"):
            continue
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + text)
    return "".join(parts)


def _shape(loc: tuple[int | str, ...]) -> str | None:
    generic = ".".join("*" if i > 0 and (loc[0] in ("providers", "models") and i in (1, 3)) else str(p)
                       for i, p in enumerate(loc))  # fmt: skip
    return _SHAPES.get(generic)


def config_error(e: ValidationError) -> ConfigError:
    """The first problem pydantic found, as one line naming the field path and the fix."""
    err = e.errors(include_url=False)[0]
    loc = tuple(err["loc"])
    path = _path(loc)
    etype = str(err["type"])
    names = [str(p) for p in loc if not isinstance(p, int) and p != "[key]"]
    last = names[-1] if names else ""
    value = err.get("input")
    ctx = err.get("ctx") or {}
    key = "[key]" in loc
    if etype == "extra_forbidden":
        parent, _, name = path.rpartition(".")
        close = difflib.get_close_matches(name, _fields_at(loc) - {name}, n=1)
        hint = f"Did you mean '{close[0]}'?" if close else "Remove it, or check the README's config reference"
        return ConfigError(parent or name, f"unknown field '{name}'", hint)
    if etype == "missing":
        return ConfigError(path, "is required", f"Add '{last}'")
    if etype in ("union_tag_invalid", "union_tag_not_found"):
        return _kind_error(path, etype, ctx, value)
    if etype in ("enum", "literal_error"):
        expected = str(ctx.get("expected", ""))
        options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",") if o.strip()]
        close = difflib.get_close_matches(str(value), options, n=1)
        hint = f"Did you mean '{close[0]}'? " if close else ""
        what = "key" if key else "value"
        return ConfigError(path, f"unknown {what} {shown(value)}", f"{hint}Use one of: {', '.join(options)}")
    if etype == "string_pattern_mismatch":
        return _pattern_error(path, last, key, value, str(ctx.get("pattern", "")))
    if etype in _TYPE_WORDS:
        return _type_error(path, etype, last, key, value)
    if etype in _BOUND_WORDS:
        bound = ctx.get("gt", ctx.get("ge", ctx.get("lt", ctx.get("le"))))
        if isinstance(value, float) and math.isnan(value):  # YAML's .nan
            return ConfigError(path, "is not a number (NaN)", "Write a number")
        bound = f"{bound:g}" if isinstance(bound, float) else bound
        fix = "Times are in seconds, not milliseconds" if last.endswith("_s") and etype.startswith("less") else ""
        return ConfigError(path, f"must be {_BOUND_WORDS[etype]} {bound} (got {shown(value)})", fix)
    if etype in ("string_too_short", "too_short"):
        return ConfigError(path, "must not be empty", f"Give '{last}' a value, or leave it out")
    if etype == "too_long":
        return ConfigError(path, f"has more than {ctx.get('max_length')} items", "Shorten it")
    if etype == "finite_number":
        return ConfigError(path, f"must be a finite number (got {shown(value)})")
    msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if etype.startswith(("value_error", "assertion_error")):
        return ConfigError(path, msg)
    return ConfigError(path, f"{msg} (got {shown(value)})")  # pragma: no cover - every pydantic type we use is above


def _kind_error(path: str, etype: str, ctx: dict[str, Any], value: Any) -> ConfigError:
    kinds = ", ".join(sorted(PROVIDER_KINDS))
    if etype == "union_tag_not_found":
        return ConfigError(f"{path}.kind", "is required", f"Add 'kind' (one of: {kinds})")
    tag = str(ctx.get("tag", value))
    close = difflib.get_close_matches(tag, list(PROVIDER_KINDS), n=1)
    hint = f"Did you mean '{close[0]}'? " if close else ""
    return ConfigError(f"{path}.kind", f"unknown provider kind '{tag}'", f"{hint}Known kinds: {kinds}")


def _pattern_error(path: str, last: str, key: bool, value: Any, pattern: str) -> ConfigError:
    if last in _SECRET_FIELDS and not key:
        text = value if isinstance(value, str) else ""
        if text.startswith("${") and not text.endswith("}"):
            return ConfigError(path, "the ${...} reference is not closed", "Write it as ${MY_API_KEY}")
        if text.startswith("${"):
            return ConfigError(
                path,
                f"{text[2:-1]!r} is not an environment variable name"[:120],
                "Use letters, digits and '_', not starting with a digit: ${MY_API_KEY}",
            )
        return ConfigError(
            path,
            "must be an environment variable reference, not a literal secret",
            "Write it as ${MY_API_KEY} and set MY_API_KEY in the environment",
        )
    if key:
        return ConfigError(path, f"{shown(value)} is not a valid name", "Use letters, digits, '.', '_' and '-', "
                           "starting with a letter or digit")  # fmt: skip
    what, example = pattern_words(pattern)
    return ConfigError(path, f"{shown(value)} is not {what}", f"Write it like {example}")


_TYPE_WORDS = {
    "string_type": "text",
    "float_type": "a number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "int_parsing": "a whole number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
}
_BOUND_WORDS = {
    "greater_than": "greater than",
    "greater_than_equal": "at least",
    "less_than": "less than",
    "less_than_equal": "at most",
}


def _type_error(path: str, etype: str, last: str, key: bool, value: Any) -> ConfigError:
    want = _TYPE_WORDS[etype]
    if key:
        return ConfigError(path, f"the name {shown(value)} is not text", "Quote it in the YAML")
    if want == "a mapping":
        shape = _shape(tuple(p for p in path.replace("[", ".").replace("]", "").split(".")))
        return ConfigError(path, f"must be {shape or want}, not {_a(value)}")
    if want == "a list":
        return ConfigError(
            path, f"must be a list, not {_a(value)}", f"Write it as [...] or as '- ' lines under '{last}:'"
        )
    if want == "text":
        if isinstance(value, datetime.date):
            return ConfigError(path, f"YAML reads {value} as a date, not text", f'Quote it: {last}: "{value}"')
        if isinstance(value, bool | int | float):
            return ConfigError(path, f"YAML reads {str(value).lower()} as {_a(value)}, not text",
                               f'Quote it: {last}: "{value}"')  # fmt: skip
        return ConfigError(path, f"must be text, not {_a(value)}")
    unit = " of seconds" if last.endswith("_s") and want == "a number" else ""
    if isinstance(value, bool):
        return ConfigError(path, f"must be {want}{unit}, not {str(value).lower()}", "true and false are not numbers")
    if isinstance(value, str):
        return ConfigError(path, f"must be {want}{unit}, not the text {shown(value)}", "Write the number unquoted")
    if etype == "int_from_float":
        return ConfigError(path, f"must be a whole number, not {shown(value)}")
    return ConfigError(path, f"must be {want}{unit}, not {_a(value)}")


def _a(value: Any) -> str:
    names = {bool: "true/false", int: "number", float: "number", str: "text", list: "list", dict: "mapping"}
    name = names.get(type(value), "date" if isinstance(value, datetime.date) else type(value).__name__)
    return "nothing (null)" if value is None else name if name in ("text", "true/false") else f"a {name}"
