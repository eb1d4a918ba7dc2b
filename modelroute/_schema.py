"""Structured output: a pydantic model or a JSON Schema, sent the way each family's SDK sends it, and the answer
checked against it.

- `openai_schema` is the schema ``openai``'s ``chat.completions.parse`` sends for a pydantic model (its strict
  form: every object closed with ``additionalProperties: false`` and every property required, ``null`` defaults
  dropped, a ``$ref`` with siblings inlined, a one-element ``allOf`` merged into its parent).
- `anthropic_schema` is the one ``anthropic``'s ``messages.parse`` sends (objects closed; ``oneOf`` becomes
  ``anyOf``; only the keywords Claude's structured outputs take are kept, and the rest are written into the
  description, so the model may still follow them).
- `check_json_value` validates a value against the subset of JSON Schema structured outputs use (types, objects
  and their properties, arrays, ``enum`` / ``const``, ``anyOf`` / ``oneOf`` / ``allOf``, ``$ref`` into the
  schema, string lengths and patterns, number bounds); `parse_output` is what `Response.parsed` returns.

Both transforms work on copies and are computed once per model class (`output_format_of`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .exceptions import StructuredOutputError

if TYPE_CHECKING:
    from ._types import OutputFormat, Response

__all__ = ["anthropic_schema", "check_json_value", "openai_schema", "output_format_of", "parse_output"]


# --- OpenAI's strict form --------------------------------------------------------------------------------------


def openai_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` in the strict form ``openai`` sends for a pydantic model (a new dict; ``schema`` is unchanged)."""
    root = json.loads(json.dumps(schema))
    return _openai_strict(root, root)


def _openai_strict(node: Any, root: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(node, dict):
        raise TypeError(f"a JSON Schema node must be an object, not {type(node).__name__}")
    for key in ("$defs", "definitions"):
        defs = node.get(key)
        if isinstance(defs, dict):
            for name in defs:
                defs[name] = _openai_strict(defs[name], root)
    _openai_members(node, root)
    if "default" in node and node["default"] is None:
        del node["default"]
    ref = node.get("$ref")
    if isinstance(ref, str) and len(node) > 1:  # a $ref beside other keywords: inline the definition
        target = _resolve(root, ref)
        merged = {**target, **node}
        del merged["$ref"]
        return _openai_strict(merged, root)
    return node


def _openai_members(node: dict[str, Any], root: dict[str, Any]) -> None:
    """Close the node if it is an object, and make its members strict."""
    if node.get("type") == "object" and "additionalProperties" not in node:
        node["additionalProperties"] = False
    props = node.get("properties")
    if isinstance(props, dict):
        node["required"] = list(props)
        node["properties"] = {k: _openai_strict(v, root) for k, v in props.items()}
    items = node.get("items")
    if isinstance(items, dict):
        node["items"] = _openai_strict(items, root)
    if isinstance(node.get("anyOf"), list):
        node["anyOf"] = [_openai_strict(v, root) for v in node["anyOf"]]
    all_of = node.get("allOf")
    if isinstance(all_of, list):
        if len(all_of) == 1:
            node.update(_openai_strict(all_of[0], root))
            del node["allOf"]
        else:
            node["allOf"] = [_openai_strict(v, root) for v in all_of]


def _resolve(root: Mapping[str, Any], ref: str) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"$ref {ref!r} does not point into the schema (#/...)")
    node: Any = root
    for key in ref[2:].split("/"):
        node = node.get(key) if isinstance(node, Mapping) else None
        if not isinstance(node, dict):
            raise ValueError(f"$ref {ref!r} points at nothing in the schema")
    found: dict[str, Any] = node
    return found


# --- Anthropic's form ------------------------------------------------------------------------------------------

_TYPES = frozenset({"object", "array", "string", "integer", "number", "boolean", "null"})
_STRING_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"}
)


def anthropic_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` in the form ``anthropic`` sends for a pydantic model (a new dict)."""
    return _anthropic(dict(schema))


def _primitive(v: Any) -> bool:
    return v is None or isinstance(v, str | int | float | bool)


def _anthropic(src: dict[str, Any]) -> dict[str, Any]:
    rest = dict(src)
    out: dict[str, Any] = {}
    defs = rest.pop("$defs", None)
    if defs is not None:
        out["$defs"] = {name: _anthropic(dict(d)) for name, d in defs.items()}
    ref = rest.pop("$ref", None)
    if ref is not None:
        out["$ref"] = ref
        return out
    kind = rest.pop("type", None)
    any_of, one_of, all_of = rest.pop("anyOf", None), rest.pop("oneOf", None), rest.pop("allOf", None)
    literal = _anthropic_literals(rest, out)
    if literal:
        kind = None
    if isinstance(any_of, list):
        out["anyOf"] = [_anthropic(dict(v)) for v in any_of]
    elif isinstance(one_of, list):
        out["anyOf"] = [_anthropic(dict(v)) for v in one_of]
    elif isinstance(all_of, list):
        out["allOf"] = [_anthropic(dict(v)) for v in all_of]
    elif not literal:
        if kind is None:
            raise ValueError("a schema node needs a 'type', 'anyOf', 'oneOf' or 'allOf', or a 'const' or 'enum'")
        out["type"] = kind
    for key in ("description", "title"):
        value = rest.pop(key, None)
        if value is not None:
            out[key] = value
    _anthropic_kind(kind, rest, out)
    if rest:  # what Claude's structured outputs do not check, said in words
        said = "{" + ", ".join(f"{k}: {v}" for k, v in rest.items()) + "}"
        desc = out.get("description")
        out["description"] = f"{desc}\n\n{said}" if desc is not None else said
    return out


def _anthropic_literals(rest: dict[str, Any], out: dict[str, Any]) -> bool:
    """Move a primitive ``enum`` / ``const`` to ``out``; whether there was one (the node's type is then dropped)."""
    enum = rest.get("enum")
    if isinstance(enum, list) and enum and all(_primitive(v) for v in enum):
        out["enum"] = list(rest.pop("enum"))
    if "const" in rest and _primitive(rest["const"]):
        out["const"] = rest.pop("const")
    return "enum" in out or "const" in out


def _anthropic_kind(kind: Any, rest: dict[str, Any], out: dict[str, Any]) -> None:
    """The keywords of one JSON type that Claude checks, moved from ``rest`` to ``out``."""
    if kind == "object":
        out["properties"] = {k: _anthropic(dict(v)) for k, v in rest.pop("properties", {}).items()}
        rest.pop("additionalProperties", None)
        out["additionalProperties"] = False
        required = rest.pop("required", None)
        if required is not None:
            out["required"] = list(required) if isinstance(required, list) else required
    elif kind == "string":
        fmt = rest.pop("format", None)
        if fmt in _STRING_FORMATS:
            out["format"] = fmt
        elif fmt:
            rest["format"] = fmt  # not a format Claude checks: described instead
    elif kind == "array":
        items = rest.pop("items", None)
        if items is not None:
            out["items"] = _anthropic(dict(items))
        min_items = rest.pop("minItems", None)
        if min_items in (0, 1) and type(min_items) is int:
            out["minItems"] = min_items
        elif min_items is not None:
            rest["minItems"] = min_items
    elif kind is not None and kind not in _TYPES:
        raise ValueError(f"{kind!r} is not a JSON Schema type")


# --- from a pydantic model -------------------------------------------------------------------------------------

_BY_MODEL: dict[type, OutputFormat] = {}


def output_format_of(model: type) -> OutputFormat:
    """The `OutputFormat` of a pydantic model class (computed once per class)."""
    found = _BY_MODEL.get(model)
    if found is not None:
        return found
    from ._types import OutputFormat

    schema = model.model_json_schema()  # type: ignore[attr-defined]
    made = OutputFormat.model_construct(
        name=model.__name__,
        json_schema=schema,
        strict=True,
        model=model,
        openai_schema=openai_schema(schema),
        anthropic_schema=anthropic_schema(schema),
    )
    if len(_BY_MODEL) < 1024:  # classes made in a loop must not grow this without bound
        _BY_MODEL[model] = made
    return made


# --- checking an answer ----------------------------------------------------------------------------------------


def check_json_value(value: Any, schema: Mapping[str, Any]) -> str | None:
    """Why ``value`` does not follow ``schema`` (``at $.items[2].name: ...``), or None when it does."""
    return _check(value, schema, schema, "$", 0)


def _check(value: Any, schema: Any, root: Mapping[str, Any], at: str, depth: int) -> str | None:  # noqa: PLR0912
    if depth > 64:
        return f"at {at}: the schema nests deeper than 64 levels (a $ref loop?)"
    if schema is True or schema == {}:
        return None
    if schema is False:
        return f"at {at}: no value is allowed here"
    if not isinstance(schema, Mapping):
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str):
        try:
            target = _resolve(root, ref)
        except ValueError as e:
            return f"at {at}: {e}"
        why = _check(value, target, root, at, depth + 1)
        if why:
            return why
    if "const" in schema and not _same(value, schema["const"]):
        return f"at {at}: must be {schema['const']!r}, not {_short(value)}"
    enum = schema.get("enum")
    if isinstance(enum, list) and not any(_same(value, e) for e in enum):
        return f"at {at}: must be one of {enum!r}, not {_short(value)}"
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            problems = [_check(value, o, root, at, depth + 1) for o in options]
            if all(problems):
                near = [p for p in problems if p and ": must be " not in p]  # options of the value's own type
                return near[0] if len(near) == 1 else f"at {at}: {_short(value)} matches none of the {key} options"
    all_of = schema.get("allOf")
    if isinstance(all_of, list):
        for o in all_of:
            why = _check(value, o, root, at, depth + 1)
            if why:
                return why
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(_is(value, k) for k in kinds):
            return f"at {at}: must be {' or '.join(map(str, kinds))}, not {_short(value)}"
    if isinstance(value, dict):
        return _check_object(value, schema, root, at, depth)
    if isinstance(value, list):
        return _check_array(value, schema, root, at, depth)
    if isinstance(value, str):
        return _check_string(value, schema, at)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _check_number(value, schema, at)
    return None


def _check_object(
    value: dict[str, Any], schema: Mapping[str, Any], root: Mapping[str, Any], at: str, depth: int
) -> str | None:
    props = schema.get("properties")
    props = props if isinstance(props, Mapping) else {}
    for name in schema.get("required") or ():
        if name not in value:
            return f"at {at}: the required property {name!r} is missing"
    extra = schema.get("additionalProperties", True)
    for k, v in value.items():
        where = f"{at}.{k}"
        if k in props:
            why = _check(v, props[k], root, where, depth + 1)
        elif extra is False:
            why = f"at {at}: the property {k!r} is not in the schema"
        else:
            why = _check(v, extra, root, where, depth + 1) if isinstance(extra, Mapping) else None
        if why:
            return why
    return None


def _check_array(
    value: list[Any], schema: Mapping[str, Any], root: Mapping[str, Any], at: str, depth: int
) -> str | None:
    low, high = schema.get("minItems"), schema.get("maxItems")
    if isinstance(low, int) and len(value) < low:
        return f"at {at}: needs at least {low} items, has {len(value)}"
    if isinstance(high, int) and len(value) > high:
        return f"at {at}: takes at most {high} items, has {len(value)}"
    items = schema.get("items")
    if isinstance(items, Mapping):
        for i, v in enumerate(value):
            why = _check(v, items, root, f"{at}[{i}]", depth + 1)
            if why:
                return why
    return None


def _check_string(value: str, schema: Mapping[str, Any], at: str) -> str | None:
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(low, int) and len(value) < low:
        return f"at {at}: needs at least {low} characters"
    if isinstance(high, int) and len(value) > high:
        return f"at {at}: takes at most {high} characters"
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        try:
            if re.search(pattern, value) is None:
                return f"at {at}: {_short(value)} does not match the pattern {pattern!r}"
        except re.error:
            return None  # a pattern Python cannot read is the schema's problem, not the answer's
    return None


def _check_number(value: float, schema: Mapping[str, Any], at: str) -> str | None:
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        limit = schema.get(key)
        if not isinstance(limit, int | float) or isinstance(limit, bool):
            continue
        outside = {
            "minimum": value < limit,
            "maximum": value > limit,
            "exclusiveMinimum": value <= limit,
            "exclusiveMaximum": value >= limit,
        }[key]
        if outside:
            return f"at {at}: {value!r} is outside {key} {limit!r}"
    return None


def _is(value: Any, kind: Any) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return True  # a type name JSON Schema does not have: nothing to check


def _same(a: Any, b: Any) -> bool:
    return (type(a) is type(b) and a == b) or (_is(a, "number") and _is(b, "number") and a == b)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if value is not None else "null"
    return text if len(text) <= 60 else text[:57] + "..."


def parse_output(response: Response, fmt: OutputFormat) -> Any:
    """What `Response.parsed` returns for ``fmt``: the model instance or the checked JSON value."""
    from ._types import StopReason

    text = response.text
    cut = response.stop_reason is StopReason.MAX_TOKENS
    if response.stop_reason is StopReason.REFUSAL or (response.refusal and not text):
        raise StructuredOutputError(
            f"the model refused instead of answering in the {fmt.name!r} format: {response.refusal or text!r}",
            text=text,
        )
    try:
        value = json.loads(text)
    except ValueError as e:
        why = "the answer was cut by max_tokens before its JSON ended: raise max_tokens" if cut else f"({e})"
        raise StructuredOutputError(f"the answer is not JSON {why}: {text[:120]!r}", text=text) from None
    if fmt.model is not None:
        from pydantic import ValidationError

        try:
            return fmt.model.model_validate(value)
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "the answer"
            raise StructuredOutputError(
                f"the answer does not fit {fmt.name}: {where}: {first['msg']}", text=text
            ) from None
    problem = check_json_value(value, fmt.json_schema)
    if problem:
        raise StructuredOutputError(f"the answer does not follow the {fmt.name!r} schema {problem}", text=text)
    return value
