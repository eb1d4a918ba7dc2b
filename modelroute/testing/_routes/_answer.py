"""What a normal mock answer says, for every route: text, tool calls (several, each with its own id), Claude's
thinking, token counts a test sets, and, for a request that asks for structured output, JSON of its schema."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Answer", "example_of"]

#: The unified names a test sets usage by (``Fault.ok(usage={...})``); a route writes them in its vendor's names.
USAGE_FIELDS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens")


@dataclass(frozen=True)
class Answer:
    """One normal answer. ``rid`` makes its tool-call ids distinct across answers (``call_<rid>_<n>``)."""

    text: str
    rid: str
    tool_calls: tuple[Mapping[str, Any], ...] = ()
    thinking: str | None = None
    usage: Mapping[str, int] = field(default_factory=dict)

    def call_id(self, prefix: str, n: int) -> str:
        return f"{prefix}_{self.rid[4:]}_{n}"

    @property
    def said(self) -> str:
        """What the answer's output-token count counts: the text, or the calls' argument JSON."""
        if self.tool_calls:
            return " ".join(json.dumps(c.get("arguments", {})) for c in self.tool_calls)
        return self.text

    def count(self, name: str, default: int) -> int:
        """A count the test set, else the route's own."""
        value = self.usage.get(name)
        return default if value is None else int(value)


def example_of(schema: Any, root: Mapping[str, Any] | None = None, depth: int = 0) -> Any:
    """A small value that follows ``schema`` (every property given, so strict schemas are met too)."""
    root = root if root is not None else schema
    if not isinstance(schema, Mapping) or depth > 32:
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        node: Any = root
        for key in ref[2:].split("/"):
            node = node.get(key, {}) if isinstance(node, Mapping) else {}
        return example_of(node, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            chosen = next((o for o in options if isinstance(o, Mapping) and o.get("type") != "null"), options[0])
            return example_of(chosen, root, depth + 1)
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), "null") if isinstance(kind, list) else kind
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        return {k: example_of(v, root, depth + 1) for k, v in props.items()}
    if kind == "array":
        n = max(int(schema.get("minItems", 1) or 0), 1)
        return [example_of(schema.get("items", {}), root, depth + 1) for _ in range(n)]
    if kind == "string":
        return "x" * max(int(schema.get("minLength", 1) or 1), 1)
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        value = low + 1 if "exclusiveMinimum" in schema else low
        return int(value) if kind == "integer" else float(value)
    if kind == "boolean":
        return True
    return None
