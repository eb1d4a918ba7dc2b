"""The JSON Schemas of every command's ``--json`` output (draft 2020-12), one versioned shape per command.

Each document carries ``"schema": "modelroute.cli/<command>/v1"``. Within a version, fields are only ever
added; a field that changes meaning or goes away makes a ``v2``. ``modelroute cli-schema COMMAND`` prints a
schema; the same files are under ``docs/cli/``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["COMMANDS", "cli_schema", "schema_id"]

COMMANDS = (
    "version",
    "demo",
    "check",
    "explain",
    "complete",
    "status",
    "mock-server",
    "schema",
    "cli-schema",
    "error",
)

_STR = {"type": "string"}
_INT = {"type": "integer"}
_NUM = {"type": "number"}
_BOOL = {"type": "boolean"}
_OPT_STR = {"type": ["string", "null"]}
_OBJ = {"type": "object"}


def schema_id(command: str) -> str:
    """The ``schema`` field of ``command``'s JSON document."""
    return f"modelroute.cli/{command}/v1"


def _obj(properties: dict[str, Any], *, extra: bool = False) -> dict[str, Any]:
    """An object with exactly these properties, all required (optional values are nullable, never absent)."""
    return {
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": extra,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


def _nullable(name: str) -> dict[str, Any]:
    return {"oneOf": [{"type": "null"}, _ref(name)]}


_DEFS: dict[str, Any] = {
    "served_by": _obj(
        {
            "provider": _STR,
            "kind": _STR,
            "cloud": _STR,
            "region": _OPT_STR,
            "model": _STR,
            "reported_model": _OPT_STR,
            "alias": _STR,
        }
    ),
    "usage": _obj(
        {
            "input_tokens": _INT,
            "output_tokens": _INT,
            "cache_read_tokens": _INT,
            "cache_write_tokens": _INT,
            "reasoning_tokens": _INT,
        }
    ),
    "cost": _obj(
        {
            "amount": {"type": ["string", "null"], "description": "A decimal number as text; null when unknown"},
            "currency": _STR,
            "components": {"type": "object", "additionalProperties": _STR},
            "source": _STR,
            "reason": _STR,
            "estimated": _BOOL,
            "notes": {"type": "array", "items": _STR},
        }
    ),
    "attempt_error": _obj({"kind": _STR, "status": {"type": ["integer", "null"]}, "message": _STR}),
    "attempt": _obj(
        {
            "provider": _STR,
            "model": _STR,
            "alias": _STR,
            "outcome": {"enum": ["ok", "error", "skipped", "cancelled"]},
            "action": {"enum": ["served", "retry", "failover", "stop", "skip", "wait", "cancelled"]},
            "reason": _STR,
            "error": _nullable("attempt_error"),
            "latency_s": _NUM,
            "wait_s": _NUM,
            "at_s": _NUM,
            "streamed": _BOOL,
            "hedged": _BOOL,
            "cost": _nullable("cost"),
        }
    ),
    "tool_call": _obj({"id": _STR, "name": _STR, "arguments": _OBJ}),
    "response": _obj(
        {
            "text": _STR,
            "tool_calls": {"type": "array", "items": _ref("tool_call")},
            "stop_reason": _STR,
            "served_by": _nullable("served_by"),
            "latency_s": _NUM,
            "model": _OPT_STR,
            "usage": _nullable("usage"),
            "cost": _nullable("cost"),
            "trace": {"type": "array", "items": _ref("attempt")},
        }
    ),
    "plan_entry": _obj(
        {
            "position": _INT,
            "provider": _STR,
            "model": _STR,
            "kind": _STR,
            "cloud": _STR,
            "region": _OPT_STR,
            "origin": _STR,
            "eligible": _BOOL,
            "reason": _STR,
        }
    ),
    "error": _obj(
        {
            "type": _STR,
            "message": _STR,
            "kind": _OPT_STR,
            "trace": {"type": "array", "items": _ref("attempt")},
        }
    ),
}

_PLAN = {"type": "array", "items": _ref("plan_entry")}
_OPT_NUM = {"type": ["number", "null"]}

_TARGET_HEALTH = _obj(
    {
        "target": _STR,
        "provider": _STR,
        "model": _STR,
        "kind": _STR,
        "cloud": _STR,
        "region": _OPT_STR,
        "aliases": {"type": "array", "items": _STR},
        "status": {"enum": ["ok", "cooling_down", "open", "half_open"]},
        "breaker": _obj(
            {
                "status": {"enum": ["closed", "open", "half_open"]},
                "reason": _STR,
                "reopen_in_s": _OPT_NUM,
                "consecutive_failures": _INT,
            }
        ),
        "cooldown": {"oneOf": [{"type": "null"}, _obj({"remaining_s": _NUM, "reason": _STR})]},
        "recent": {
            "oneOf": [
                {"type": "null"},
                _obj(
                    {
                        "window_s": _NUM,
                        "attempts": _INT,
                        "failures": _INT,
                        "error_rate": _OPT_NUM,
                        "latency_s": _OPT_NUM,
                        "last_error": _OPT_STR,
                        "last_error_ago_s": _OPT_NUM,
                    }
                ),
            ]
        },
        "rate_headroom": _OPT_NUM,
        "budget_headroom": _OPT_NUM,
    }
)

_CHECK_PROVIDER = _obj(
    {
        "name": _STR,
        "kind": _STR,
        "cloud": _STR,
        "region": _OPT_STR,
        "credentials": _obj(
            {
                "source": {
                    "enum": [
                        "api_key",
                        "access_token",
                        "aws_keys",
                        "aws_default_chain",
                        "entra_id",
                        "google_adc",
                        "none",
                    ]
                },
                "description": _STR,
                "status": {"enum": ["ok", "missing", "platform"]},
            }
        ),
        "env": {
            "type": "array",
            "items": _obj({"field": _STR, "variable": _STR, "set": _BOOL}),
        },
        "probe": {
            "oneOf": [
                {"type": "null"},
                _obj(
                    {
                        "status": {"enum": ["ok", "failed", "skipped"]},
                        "model": _OPT_STR,
                        "latency_s": {"type": ["number", "null"]},
                        "reason": _STR,
                        "error": _nullable("attempt_error"),
                    }
                ),
            ]
        },
    }
)

_BODIES: dict[str, tuple[str, dict[str, Any]]] = {
    "version": ("modelroute --version --json", {"version": _STR, "python": _STR}),
    "demo": (
        "modelroute demo --json: the demo's plan and each scene's answer or error",
        {
            "config": _STR,
            "plan": _PLAN,
            "scenes": {
                "type": "array",
                "items": _obj(
                    {
                        "index": _INT,
                        "title": _STR,
                        "prompt": _STR,
                        "stream": _BOOL,
                        "options": _OBJ,
                        "ok": _BOOL,
                        "response": _nullable("response"),
                        "error": _nullable("error"),
                    }
                ),
            },
            "failed": _INT,
            "exit_code": _INT,
        },
    ),
    "check": (
        "modelroute check CONFIG [--probe] --json: validity, each entry's credential source, lint warnings",
        {
            "config": _STR,
            "valid": _BOOL,
            "error": _nullable("error"),
            "aliases": {"type": "array", "items": _STR},
            "providers": {"type": "array", "items": _CHECK_PROVIDER},
            "timings": {
                "type": "array",
                "items": _obj(
                    {
                        "alias": _STR,
                        "deadline_s": _NUM,
                        "deadline_from": _STR,
                        "attempt_timeout_s": _NUM,
                        "attempt_from": _STR,
                        "first_byte_timeout_s": _NUM,
                        "first_byte_from": _STR,
                        "room_to_fail_over_s": _NUM,
                    }
                ),
            },
            "warnings": {"type": "array", "items": _obj({"path": _STR, "message": _STR})},
            "probed": _BOOL,
            "strict": _BOOL,
            "exit_code": {"enum": [0, 3, 4, 5, 6]},
        },
    ),
    "explain": (
        "modelroute explain CONFIG ALIAS --json: the plan a call would walk now",
        {"config": _STR, "alias": _STR, "options": _OBJ, "entries": _PLAN},
    ),
    "complete": (
        "modelroute complete CONFIG ALIAS PROMPT [--stream] --json: the answer, where it came from, its trace",
        {"config": _STR, "alias": _STR, "stream": _BOOL, "response": _ref("response")},
    ),
    "status": (
        "modelroute status CONFIG --json: every target's breaker, cooldown and last minute (Router.health)",
        {"config": _STR, "store": _STR, "degraded": _OPT_STR, "targets": {"type": "array", "items": _TARGET_HEALTH}},
    ),
    "mock-server": (
        "modelroute mock-server [CONFIG] --json: the first line the server prints",
        {
            "source": _STR,
            "control_url": _STR,
            "env": {"type": "object", "additionalProperties": _STR},
            "entries": {
                "type": "object",
                "additionalProperties": _obj({"kind": _STR, "url": _STR, "port": _INT}),
            },
            "config": _OBJ,
        },
    ),
    "schema": ("modelroute schema --json: the config file's JSON Schema", {"config_schema": _OBJ}),
    "cli-schema": (
        "modelroute cli-schema [COMMAND] --json: these schemas",
        {"schemas": {"type": "object", "additionalProperties": _OBJ}},
    ),
    "error": (
        "any command --json that fails: what went wrong, and the exit code",
        {"command": _STR, "exit_code": _INT, "error": _ref("error")},
    ),
}


def cli_schema(command: str) -> dict[str, Any]:
    """The JSON Schema of ``command``'s ``--json`` document."""
    title, body = _BODIES[command]
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        **_obj({"schema": {"const": schema_id(command)}, **body}),
    }
    used = _refs(schema)
    if used:
        schema["$defs"] = {name: _DEFS[name] for name in sorted(used)}
    return schema


def _refs(node: Any, found: set[str] | None = None) -> set[str]:
    """The ``$defs`` a schema refers to, directly or through other definitions."""
    found = set() if found is None else found
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/") and ref[8:] not in found:
            found.add(ref[8:])
            _refs(_DEFS[ref[8:]], found)
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)
    return found
