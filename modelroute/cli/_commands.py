"""The commands other than ``check`` and ``mock-server``: version, demo, explain, complete, status, schema,
cli-schema.

Each takes the parsed arguments and a `Context`, prints text (or one JSON document with ``--json``) and returns
the exit code.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import platform
from dataclasses import dataclass, field
from typing import Any, TextIO

from .. import __version__
from .._types import Response
from ..exceptions import ModelRouteError
from ._docs import error_doc, plan_doc, response_doc
from ._exit import Exit
from ._schemas import COMMANDS, cli_schema, schema_id
from ._term import StatusLine, Term

__all__ = ["Context"]


@dataclass
class Context:
    """Where a command writes: ``out`` (text or the JSON document) and ``err`` (errors, the status line)."""

    out: TextIO
    err: TextIO
    json: bool = False
    term: Term = field(default_factory=Term)

    def emit(self, command: str, body: dict[str, Any]) -> None:
        """Print ``command``'s JSON document, ``{"schema": "modelroute.cli/<command>/v1", ...}``, on one line."""
        print(json.dumps({"schema": schema_id(command), **body}, ensure_ascii=False), file=self.out)
        self.out.flush()

    def say(self, line: str = "") -> None:
        print(line, file=self.out)


def version(args: argparse.Namespace, ctx: Context) -> int:
    if ctx.json:
        ctx.emit("version", {"version": __version__, "python": platform.python_version()})
    else:
        ctx.say(f"modelroute {__version__}")
    return Exit.OK


# --- demo ----------------------------------------------------------------------------------------------------


class _DemoWatch:
    """The demo's observer: the status line while each call runs, and each scene's outcome for ``--json``."""

    def __init__(self, status: StatusLine) -> None:
        self.status = status
        self.scenes: list[dict[str, Any]] = []

    def scene_started(self, index: int, total: int, scene: Any) -> None:
        self.status.update(f"demo {index}/{total}: {scene.title}")

    def scene_ended(self, index: int, scene: Any, outcome: Response | ModelRouteError) -> None:
        self.status.clear()
        ok = isinstance(outcome, Response)
        self.scenes.append(
            {
                "index": index,
                "title": scene.title,
                "prompt": scene.prompt,
                "stream": scene.stream,
                "options": dict(scene.options),
                "ok": ok,
                "response": response_doc(outcome) if isinstance(outcome, Response) else None,
                "error": None if isinstance(outcome, Response) else error_doc(outcome),
            }
        )


def demo(args: argparse.Namespace, ctx: Context) -> int:
    from .._demo import DEMO_CONFIG, run_demo

    log = logging.getLogger("modelroute")
    level = log.level
    log.setLevel(logging.ERROR)  # the demo's failures are staged: its scenes show them, the log need not
    try:
        with StatusLine(ctx.err) as status:
            watch = _DemoWatch(status)
            code = run_demo(io.StringIO() if ctx.json else ctx.out, observer=watch)
    finally:
        log.setLevel(level)
    if ctx.json:
        from ..config import load_config
        from ..router import Router
        from ..testing import MockSecrets

        cfg = load_config(DEMO_CONFIG, env=MockSecrets())
        plan = plan_doc(Router(cfg).explain("claude-sonnet"), cfg)
        failed = sum(1 for s in watch.scenes if not s["ok"])
        ctx.emit(
            "demo", {"config": DEMO_CONFIG, "plan": plan, "scenes": watch.scenes, "failed": failed, "exit_code": code}
        )
    return code


# --- explain and complete ------------------------------------------------------------------------------------


def explain(args: argparse.Namespace, ctx: Context) -> int:
    from ..router import Router

    router = Router.from_config(args.config)
    options: dict[str, Any] = {"temperature": args.temperature} if args.temperature is not None else {}
    plan = router.explain(args.model, **options)
    if ctx.json:
        entries = plan_doc(plan, router.config)
        ctx.emit("explain", {"config": args.config, "alias": args.model, "options": options, "entries": entries})
        return Exit.OK
    ctx.say(f"plan for '{plan.alias}':")
    rows = [
        [f"{i}" if e.eligible else f"x {i}", f"{e.provider}:{e.model}", e.origin, e.reason]
        for i, e in enumerate(plan.entries, 1)
    ]
    ctx.say(
        ctx.term.table(
            ["#", "target", "origin", "status"],
            rows,
            styles=lambda r, c, cell: ("ok" if cell == "eligible" else "warn") if c == 3 else None,
        )
    )
    return Exit.OK


def complete(args: argparse.Namespace, ctx: Context) -> int:
    from ..router import Router

    messages = [{"role": "user", "content": args.prompt}]
    with Router.from_config(args.config) as router:
        if args.stream:
            with router.stream(args.model, messages, max_tokens=args.max_tokens) as stream:
                for text in stream.text():
                    if not ctx.json:
                        ctx.out.write(text)
                        ctx.out.flush()
                response = stream.response
            if not ctx.json:
                ctx.say()
        else:
            response = router.complete(args.model, messages, max_tokens=args.max_tokens)
            if not ctx.json:
                ctx.say(response.text)
    if ctx.json:
        body = {"config": args.config, "alias": args.model, "stream": args.stream, "response": response_doc(response)}
        ctx.emit("complete", body)
        return Exit.OK
    cost = f", {response.cost.brief()}" if response.cost is not None else ""
    ctx.say(f"\n-- served by {response.served_by} in {response.latency_s:.2f}s{cost}")
    ctx.say(trace(ctx.term, response))
    return Exit.OK


def status(args: argparse.Namespace, ctx: Context) -> int:
    """`Router.health` of a router on the config: the state its store holds (this process's, in memory; a
    shared store's, for every process using it). Sends nothing."""
    from ..router import Router

    with Router.from_config(args.config) as router:
        health = router.health()
    if ctx.json:
        ctx.emit("status", {"config": args.config, **health.to_dict()})
        return Exit.OK
    degraded = f"; degraded: {health.degraded}" if health.degraded else ""
    ctx.say(f"health of {args.config} ({health.store}{degraded}):")

    def style(row: int, col: int, cell: str) -> str | None:
        return ("ok" if cell == "ok" else "warn") if col == 1 else None

    ctx.say(ctx.term.table(["target", "state", "last minute", "aliases"], health.rows(), styles=style))
    return Exit.OK


def trace(term: Term, response: Response) -> str:
    """The answer's trace as a table that fits the terminal."""
    from ..observability._format import cost_cell, trace_rows

    def style(row: int, col: int, cell: str) -> str | None:
        if col == 4:
            return "ok" if cell == "served" else "warn"
        return None

    rows = [
        [n, t, o, cost_cell(a), then]
        for (n, t, o, then), a in zip(trace_rows(response.trace), response.trace, strict=True)
    ]
    return term.table(["#", "target", "outcome", "cost", "then"], rows, indent="   ", styles=style)


# --- the schemas ---------------------------------------------------------------------------------------------


def schema(args: argparse.Namespace, ctx: Context) -> int:
    from ..config import json_schema

    if ctx.json:
        ctx.emit("schema", {"config_schema": json_schema()})
    else:
        ctx.say(json.dumps(json_schema(), indent=2, sort_keys=True))
    return Exit.OK


def cli_schemas(args: argparse.Namespace, ctx: Context) -> int:
    if ctx.json:
        names = [args.name] if args.name else list(COMMANDS)
        ctx.emit("cli-schema", {"schemas": {n: cli_schema(n) for n in names}})
    elif args.name:
        ctx.say(json.dumps(cli_schema(args.name), indent=2, sort_keys=True))
    else:
        ctx.say("the --json document of each command (modelroute cli-schema COMMAND prints its JSON Schema):")
        ctx.say(ctx.term.table(["command", "schema"], [[n, schema_id(n)] for n in COMMANDS]))
    return Exit.OK
