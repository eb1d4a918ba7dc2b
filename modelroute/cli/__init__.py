"""The ``modelroute`` command: ``--version``, demo, check, explain, complete, status, mock-server, schema,
cli-schema.

Every command takes ``--json`` (before or after its name) and then prints one JSON document on one line,
``{"schema": "modelroute.cli/<command>/v1", ...}``; ``modelroute cli-schema COMMAND`` prints its JSON Schema.
A command that fails with ``--json`` prints an ``error`` document instead. Exit codes: see `Exit`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from ._exit import Exit
from ._schemas import COMMANDS

__all__ = ["Exit", "main"]


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Entry point of the ``modelroute`` command; returns the exit code."""
    from ..exceptions import ConfigError, ModelRouteError, RequestError
    from ._commands import Context
    from ._term import Term

    out = out or sys.stdout
    err = err or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help (0) or a usage error (2)
        return int(e.code or 0)
    ctx = Context(out=out, err=err, json=bool(args.json), term=Term.of(out))
    if args.version:
        from ._commands import version

        return version(args, ctx)
    if not getattr(args, "command", None):
        parser.print_help(out)
        return Exit.USAGE
    try:
        code: int = args.run(args, ctx)
    except ModelRouteError as e:
        code = Exit.CONFIG if isinstance(e, ConfigError) else Exit.USAGE if isinstance(e, RequestError) else Exit.FAILED
        print(f"error: {e}", file=err)
        if ctx.json:
            from ._docs import error_doc

            ctx.emit("error", {"command": args.command, "exit_code": int(code), "error": error_doc(e)})
    except KeyboardInterrupt:
        return Exit.INTERRUPTED
    except BrokenPipeError:  # `modelroute demo | head`: the reader has gone; say nothing more
        if out is sys.stdout:  # and keep the interpreter's final flush of stdout from failing again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return Exit.FAILED
    return code


def _parser() -> argparse.ArgumentParser:
    from . import _commands as c
    from ._check import check_command
    from ._mock import mock_server

    p = argparse.ArgumentParser(
        prog="modelroute",
        description="Route chat requests to Claude and GPT, anywhere.",
        epilog="exit codes: 0 ok, 1 failed, 2 usage, 3 invalid config, 4 missing credentials, 5 probe failed, "
        "6 lint warnings (check --strict)",
    )
    p.add_argument("--version", action="store_true", help="print the version and exit")
    p.add_argument("--json", action="store_true", help="print one JSON document (see `modelroute cli-schema`)")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document")
    sub = p.add_subparsers(dest="command")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, parents=[common])

    demo = command("demo", "run the offline demo on the built-in mock cloud")
    demo.set_defaults(run=c.demo)

    check = command("check", "validate a config; say where each provider entry gets its credentials")
    check.add_argument("config")
    check.add_argument("--probe", action="store_true", help="send one cheap completion (max_tokens=1) per entry")
    check.add_argument("--strict", action="store_true", help="exit 6 when the config raises lint warnings")
    check.set_defaults(run=check_command)

    explain = command("explain", "print the plan for an alias, with reasons (no network)")
    explain.add_argument("config")
    explain.add_argument("model")
    explain.add_argument("--temperature", type=float)
    explain.set_defaults(run=c.explain)

    complete = command("complete", "send one prompt through a config")
    complete.add_argument("config")
    complete.add_argument("model")
    complete.add_argument("prompt")
    complete.add_argument("--stream", action="store_true", help="print the answer as it arrives")
    complete.add_argument("--max-tokens", type=int)
    complete.set_defaults(run=c.complete)

    status = command("status", "print every target's breaker, cooldown and last minute (no network)")
    status.add_argument("config")
    status.set_defaults(run=c.status)

    mock = command("mock-server", "serve a config's providers on the mock cloud, driven over HTTP")
    mock.add_argument("config", nargs="?", help="default: the demo config")
    mock.add_argument("--port", type=_port, default=0, help="control on N, the entries on N+1, N+2, ...")
    mock.add_argument("--faults", metavar="FILE", help="a faults document (YAML or JSON) to start with")
    mock.set_defaults(run=mock_server)

    schema = command("schema", "print the config file's JSON Schema (for editors)")
    schema.set_defaults(run=c.schema)

    cli_schema = command("cli-schema", "print the JSON Schema of a command's --json output")
    cli_schema.add_argument("name", nargs="?", choices=COMMANDS, metavar="COMMAND")
    cli_schema.set_defaults(run=c.cli_schemas)
    return p


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (0-65535; 0: any free port)")
    return port
