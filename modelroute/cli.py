"""The ``modelroute`` command: demo, check, explain, complete, mock-server, schema."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import TextIO

__all__ = ["main"]


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of the ``modelroute`` command; returns the exit code."""
    out = out or sys.stdout
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(out)
        return 2
    from .exceptions import ModelRouteError

    try:
        code: int = args.run(args, out)
    except ModelRouteError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `modelroute demo | head`: the reader has gone; say nothing more
        if out is sys.stdout:  # and keep the interpreter's final flush of stdout from failing again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="modelroute", description="Route chat requests to Claude and GPT, anywhere.")
    sub = p.add_subparsers(dest="command")

    demo = sub.add_parser("demo", help="run the offline demo on the built-in mock cloud")
    demo.set_defaults(run=_demo)

    check = sub.add_parser(
        "check", help="validate a config: missing secrets, each alias's time limits, and warnings (lint)"
    )
    check.add_argument("config")
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    check.set_defaults(run=_check)

    explain = sub.add_parser("explain", help="print the plan for an alias, with reasons (no network)")
    explain.add_argument("config")
    explain.add_argument("model")
    explain.add_argument("--temperature", type=float)
    explain.set_defaults(run=_explain)

    complete = sub.add_parser("complete", help="send one prompt through a config (real providers)")
    complete.add_argument("config")
    complete.add_argument("model")
    complete.add_argument("prompt")
    complete.add_argument("--stream", action="store_true")
    complete.add_argument("--max-tokens", type=int)
    complete.set_defaults(run=_complete)

    mock = sub.add_parser("mock-server", help="serve a config's providers on the mock cloud until Ctrl-C")
    mock.add_argument("config", nargs="?", help="default: the demo config")
    mock.set_defaults(run=_mock_server)

    schema = sub.add_parser("schema", help="print the config file's JSON Schema (for editors)")
    schema.set_defaults(run=_schema)
    return p


def _demo(args: argparse.Namespace, out: TextIO) -> int:
    from ._demo import run_demo

    return run_demo(out)


def _check(args: argparse.Namespace, out: TextIO) -> int:
    from .config import load_config, resolve_env
    from .config._spec import ENV_REF
    from .exceptions import CredentialError

    cfg = load_config(args.config)
    missing = 0
    print(f"{args.config}: valid ({len(cfg.spec.providers)} providers, {len(cfg.spec.models)} aliases)", file=out)
    for name, p in cfg.spec.providers.items():
        secrets = [(f, v) for f, v in p.model_dump().items() if isinstance(v, str) and ENV_REF.match(v)]
        for f, ref in secrets:
            try:
                resolve_env(ref, cfg.env, f"providers.{name}.{f}")
                print(f"  ok       providers.{name}.{f} ({ref} is set)", file=out)
            except CredentialError:
                missing += 1
                print(f"  missing  providers.{name}.{f}: set {ref[2:-1]} to use this provider", file=out)
    print("time limits per alias:", file=out)
    width = max(len(a) for a in cfg.spec.models)
    for alias in cfg.spec.models:
        print(f"  {alias:{width}}  {cfg.timings(alias).describe()}", file=out)
    warnings = cfg.lint()
    for w in warnings:
        print(f"warning: {w}", file=out)
    return 1 if missing or (warnings and args.strict) else 0


def _explain(args: argparse.Namespace, out: TextIO) -> int:
    from .router import Router

    router = Router.from_config(args.config)
    options = {"temperature": args.temperature} if args.temperature is not None else {}
    print(router.explain(args.model, **options), file=out)
    return 0


def _complete(args: argparse.Namespace, out: TextIO) -> int:
    from .observability import trace_table
    from .router import Router

    with Router.from_config(args.config) as router:
        messages = [{"role": "user", "content": args.prompt}]
        if args.stream:
            with router.stream(args.model, messages, max_tokens=args.max_tokens) as stream:
                for text in stream.text():
                    out.write(text)
                    out.flush()
                response = stream.response
            print(file=out)
        else:
            response = router.complete(args.model, messages, max_tokens=args.max_tokens)
            print(response.text, file=out)
    print(f"\n-- served by {response.served_by} in {response.latency_s:.2f}s", file=out)
    print(trace_table(response.trace, indent="   "), file=out)
    return 0


def _mock_server(args: argparse.Namespace, out: TextIO) -> int:
    import threading

    from ._demo import DEMO_CONFIG
    from .config import load_config
    from .testing import MockCloud
    from .testing._router import MockSecrets

    cfg = load_config(args.config or DEMO_CONFIG, env=MockSecrets())
    with MockCloud() as cloud:
        for name, p in cfg.spec.providers.items():
            cloud.add(name, route=p.kind, region=p.region)
            print(f"{name:24} {p.kind:12} base_url: {cloud.url(name)}", file=out)
        print("serving; Ctrl-C to stop", file=out)
        out.flush()
        threading.Event().wait()
    return 0


def _schema(args: argparse.Namespace, out: TextIO) -> int:
    from .config import json_schema

    print(json.dumps(json_schema(), indent=2, sort_keys=True), file=out)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
