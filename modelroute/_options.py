"""A call's keyword arguments other than ``messages`` and ``tools``: checked one by one, each error one
`RequestError` line that starts with the argument's name (``top_p: must be a number from 0 to 1, not 1.5``).

Numbers are numbers (never a bool or a string); the provider-specific settings (``openai=``, ``anthropic=``)
take their own typed objects or dicts with their field names, and an unknown name lists the valid ones.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from ._schema import output_format_of
from ._types import AnthropicSettings, Effort, OpenAISettings, OutputFormat, TextPart
from ._validate import MAX_TOKENS, check_json, check_text, fail, key_path, shown
from .exceptions import RequestError

__all__ = [
    "EFFORTS",
    "cache_ttl",
    "coerce_max_tokens",
    "coerce_metadata",
    "coerce_number",
    "coerce_response_format",
    "coerce_settings",
    "coerce_stop",
    "coerce_system",
    "coerce_tags",
    "coerce_whole",
]

EFFORTS: tuple[str, ...] = get_args(Effort)
_MAX_INT = 2**63
#: OpenAI's limits on ``metadata``: 16 pairs, keys of at most 64 characters, values of at most 512.
METADATA_PAIRS, METADATA_KEY, METADATA_VALUE = 16, 64, 512


def coerce_max_tokens(v: Any) -> int | None:
    if v is None:
        return None
    if type(v) is not int or not 0 < v <= MAX_TOKENS:
        raise fail("max_tokens", f"must be a whole number from 1 to {MAX_TOKENS:,}, not {shown(v)}")
    return v


def coerce_number(v: Any, name: str, low: float, high: float, what: str) -> float | None:
    """A number (never a bool, a string or NaN) with ``low < v <= high`` (``low <= v`` when ``low`` is 0 and
    ``high`` is finite: a temperature of 0 is fine, a deadline of 0 is not)."""
    if v is None:
        return None
    t = type(v)
    if (t is not int and t is not float) or not math.isfinite(v):
        raise fail(name, f"must be {what}, not {shown(v)}")
    if not (low <= v <= high if math.isfinite(high) else low < v):
        raise fail(name, f"must be {what}, not {shown(v)}")
    return float(v)


def coerce_whole(v: Any, name: str, low: int, what: str) -> int | None:
    """A whole number (never a bool) from ``low`` to 2**63 - 1."""
    if v is None:
        return None
    if type(v) is not int or not low <= v < _MAX_INT:
        raise fail(name, f"must be {what}, not {shown(v)}")
    return v


def coerce_flag(v: Any, name: str) -> bool | None:
    if v is None or type(v) is bool:
        return v
    raise fail(name, f"must be True or False, not {shown(v)}")


def coerce_stop(v: Any) -> list[str]:
    if v is None:
        return []
    if type(v) is str:
        return [check_text(v, "stop")]
    if not isinstance(v, list | tuple):
        raise fail("stop", f"must be a string or a list of strings, not {shown(v)}")
    return [check_text(s, f"stop[{i}]") for i, s in enumerate(v)]


def _text_map(v: Any, name: str) -> dict[str, str]:
    if v is None:
        return {}
    if not isinstance(v, Mapping):
        raise fail(name, f"must be a dict of text to text, not {shown(v)}")
    out = {}
    for k, val in v.items():
        if type(k) is not str or not k:
            raise fail(name, f"the key {shown(k)} is not a name", "Use non-empty text keys")
        out[check_text(k, name)] = check_text(val, key_path(name, k), blank_ok=True)
    return out


def coerce_tags(v: Any) -> dict[str, str]:
    return _text_map(v, "tags")


def coerce_metadata(v: Any) -> dict[str, str]:
    """Metadata for the vendor (OpenAI's ``metadata``), within OpenAI's limits."""
    out = _text_map(v, "metadata")
    if len(out) > METADATA_PAIRS:
        raise fail("metadata", f"has {len(out)} pairs; OpenAI takes at most {METADATA_PAIRS}", "Send fewer")
    for k, val in out.items():
        if len(k) > METADATA_KEY:
            raise fail(key_path("metadata", k), f"the key is longer than {METADATA_KEY} characters")
        if len(val) > METADATA_VALUE:
            raise fail(key_path("metadata", k), f"is longer than {METADATA_VALUE} characters")
    return out


def coerce_text(v: Any, name: str) -> str | None:
    return None if v is None else check_text(v, name)


def coerce_effort(v: Any) -> Any:
    if v is None or (type(v) is str and v in EFFORTS):
        return v
    fix = "Use one effort for both families; Claude's budget in tokens is anthropic={'thinking_budget': N}"
    raise fail("reasoning", f"must be one of {', '.join(EFFORTS)}, not {shown(v)}", fix)


# --- cache breakpoints -----------------------------------------------------------------------------------------

_TTLS = ("5m", "1h")


def cache_ttl(c: Mapping[str, Any], where: str) -> Any:
    """A part's prompt-cache breakpoint: ours (``cache: "5m" | "1h"``) or Anthropic's ``cache_control``."""
    ours = c.get("cache")
    if ours is not None:
        if ours not in _TTLS:
            raise fail(f"{where}.cache", f"must be '5m' or '1h', not {shown(ours)}")
        return ours
    cc = c.get("cache_control")
    if cc is None:
        return None
    if not isinstance(cc, Mapping) or cc.get("type") != "ephemeral":
        raise fail(f"{where}.cache_control", f"must be {{'type': 'ephemeral'}}, not {shown(cc)}",
                   "Write {'type': 'ephemeral'} or {'type': 'ephemeral', 'ttl': '1h'}")  # fmt: skip
    ttl = cc.get("ttl", "5m")
    if ttl not in _TTLS:
        raise fail(f"{where}.cache_control.ttl", f"must be '5m' or '1h', not {shown(ttl)}")
    return ttl


# --- system ----------------------------------------------------------------------------------------------------


def coerce_system(v: Any, where: str = "system") -> str | list[TextPart] | None:
    """Text, or text blocks (ours or Anthropic's, with ``cache_control``): a list only when a block has a cache
    breakpoint, so a plain system prompt stays one string."""
    if v is None:
        return None
    if type(v) is str:
        return check_text(v, where, blank_ok=True)
    if not isinstance(v, list | tuple):
        raise fail(where, f"must be text or a list of text blocks, not {shown(v)}")
    blocks: list[TextPart] = []
    for j, b in enumerate(v):
        at = f"{where}[{j}]"
        if isinstance(b, TextPart):
            check_text(b.text, at + ".text")
            blocks.append(b)
        elif isinstance(b, str):
            blocks.append(TextPart.model_construct(type="text", text=check_text(b, at), cache=None))
        elif isinstance(b, Mapping) and b.get("type", "text") in ("text", "input_text"):
            text = check_text(b.get("text"), at + ".text")
            blocks.append(TextPart.model_construct(type="text", text=text, cache=cache_ttl(b, at)))
        else:
            raise fail(at, "must be a text block", "Write {'type': 'text', 'text': ...}")
    return join_system(blocks)


def join_system(blocks: list[TextPart]) -> str | list[TextPart] | None:
    """Blocks as one string when none has a cache breakpoint (joined by blank lines); else the blocks."""
    if not blocks:
        return None
    if all(b.cache is None for b in blocks):
        text = "\n\n".join(b.text for b in blocks if b.text)
        return text if text.strip() else None
    return [b for b in blocks if b.text]


# --- structured output -----------------------------------------------------------------------------------------

_FORMAT_FIX = "Give a pydantic model class, a JSON Schema dict, or {'type': 'json_schema', 'json_schema': {...}}"


def coerce_response_format(v: Any) -> OutputFormat | None:
    """A pydantic model class, a JSON Schema, OpenAI's ``{"type": "json_schema", "json_schema": {...}}``,
    Claude's ``{"type": "json_schema", "schema": {...}}``, or an `OutputFormat`."""
    if v is None:
        return None
    if isinstance(v, OutputFormat):
        return _completed(v)
    if isinstance(v, type) and issubclass(v, BaseModel):
        try:
            return output_format_of(v)
        except (TypeError, ValueError) as e:
            fix = "Use fields of JSON types (str, int, float, bool, lists, nested models, Literal, Optional)"
            problem = f"{v.__name__}'s JSON Schema cannot be sent as structured output ({e})"
            raise fail("response_format", problem, fix) from None
    if not isinstance(v, Mapping):
        raise fail("response_format", f"must be a pydantic model class or a JSON Schema, not {shown(v)}", _FORMAT_FIX)
    kind = v.get("type")
    if kind == "text":
        return None
    if kind == "json_object":
        raise fail("response_format", "JSON mode without a schema is OpenAI's only",
                   "Give the JSON Schema the answer must follow, so every family can serve it")  # fmt: skip
    name: Any = "response"
    strict: Any = None
    schema: Any = v
    where = "response_format"
    if kind == "json_schema" and isinstance(v.get("json_schema"), Mapping):  # OpenAI's shape
        spec = v["json_schema"]
        name = spec.get("name", "response")
        strict = spec.get("strict")
        schema, where = spec.get("schema"), "response_format.json_schema.schema"
        if type(name) is not str or not _plain_name(name):
            raise fail("response_format.json_schema.name", f"{shown(name)} is not a name",
                       "Use 1-64 letters, digits, '_' or '-'")  # fmt: skip
        if strict is not None and type(strict) is not bool:
            raise fail("response_format.json_schema.strict", f"must be True or False, not {shown(strict)}")
    elif kind == "json_schema" and "schema" in v:  # Claude's output_config.format
        schema, where = v.get("schema"), "response_format.schema"
    if not isinstance(schema, Mapping) or not schema:
        raise fail(where, f"must be a JSON Schema (a dict), not {shown(schema)}", _FORMAT_FIX)
    schema = dict(schema)
    check_json(schema, where)
    return OutputFormat.model_construct(
        name=name, json_schema=schema, strict=strict, model=None, openai_schema=schema, anthropic_schema=schema
    )


def _completed(fmt: OutputFormat) -> OutputFormat:
    """An `OutputFormat` built by hand: checked, with each family's schema filled in when it was left out."""
    if fmt.model is not None and not (fmt.openai_schema and fmt.anthropic_schema):
        made = coerce_response_format(fmt.model)
        assert made is not None
        name = fmt.name if "name" in fmt.model_fields_set else made.name
        return made.model_copy(update={"name": name, "strict": fmt.strict if fmt.strict is not None else True})
    if not _plain_name(fmt.name):
        raise fail("response_format.name", f"{shown(fmt.name)} is not a name", "Use 1-64 letters, digits, '_' or '-'")
    check_json(fmt.json_schema, "response_format.json_schema")
    if fmt.openai_schema and fmt.anthropic_schema:
        return fmt
    schema = fmt.json_schema
    return fmt.model_copy(
        update={"openai_schema": fmt.openai_schema or schema, "anthropic_schema": fmt.anthropic_schema or schema}
    )


def _plain_name(name: str) -> bool:
    return 0 < len(name) <= 64 and all(c.isascii() and (c.isalnum() or c in "_-") for c in name)


# --- provider settings -----------------------------------------------------------------------------------------


def coerce_settings(v: Any, cls: type[OpenAISettings] | type[AnthropicSettings], name: str) -> Any:
    """``openai=`` / ``anthropic=``: the settings object, or a dict of its fields."""
    if v is None or isinstance(v, cls):
        return v
    if not isinstance(v, Mapping):
        raise fail(name, f"must be a {cls.__name__} or a dict of its fields, not {shown(v)}")
    fields = tuple(cls.model_fields)
    for k in v:
        if k not in fields:
            close = difflib.get_close_matches(str(k), fields, n=1)
            hint = f"Did you mean '{close[0]}'? " if close else ""
            raise fail(
                key_path(name, str(k)), f"is not a {cls.__name__} field", f"{hint}The fields are: {', '.join(fields)}"
            )
    try:
        return cls.model_validate(dict(v))
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join([name, *(str(p) for p in first["loc"])])
        raise fail(where, f"{first['msg']}, not {shown(first.get('input'))}") from None


def unknown_option(options: Mapping[str, Any], valid: tuple[str, ...]) -> RequestError:
    name = sorted(str(k) for k in options if k not in valid)[0]
    close = difflib.get_close_matches(name, valid, n=1)
    hint = f"Did you mean '{close[0]}'? " if close else ""
    return fail(
        name, "is not an argument of this call", f"{hint}The arguments are: model, messages, {', '.join(valid)}"
    )
