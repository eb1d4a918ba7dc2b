"""``modelroute mock-server [CONFIG] [--port N] [--faults FILE]``: the mock cloud as a process for tests in any
language.

It serves every provider entry of the config (default: the demo's) on 127.0.0.1, one port per entry, and a
control endpoint on a port of its own (`modelroute.testing._control`). The first thing on stdout is a
ready-to-use config pointing at itself: YAML ended by a ``...`` line, or with ``--json`` one line of JSON with
the ports, URLs and the config. Then it serves until ``POST /shutdown``, Ctrl-C or SIGTERM.

``--port N`` fixes the ports: the control endpoint on N, the entries on N+1, N+2, ... in the config's order.
"""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..exceptions import ConfigError
from ._commands import Context
from ._exit import Exit

__all__ = ["mock_server"]

MOCK_KEY_VALUE = "mock-key"


def _read_faults(path: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))  # JSON is YAML too
    except FileNotFoundError:
        raise ConfigError("--faults", f"no faults file at {path}") from None
    except yaml.YAMLError as e:
        raise ConfigError(path, f"not valid YAML or JSON ({e})") from None


def _yaml(document: dict[str, Any], source: str) -> str:
    import yaml

    from ..testing._control import MOCK_KEY_ENV

    head = (
        f"# modelroute mock-server: the provider entries of {source}, served on 127.0.0.1 by the mock cloud.\n"
        f"# control: {document['control_url']} (GET /entries, POST /faults, POST /shutdown; see the README)\n"
        f"# every secret below is ${{{MOCK_KEY_ENV}}}: set it to any value (export {MOCK_KEY_ENV}={MOCK_KEY_VALUE})\n"
    )
    return head + yaml.safe_dump(document["config"], sort_keys=False, default_flow_style=False) + "...\n"


@contextmanager
def _stop_on_sigterm(stopped: threading.Event) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: stopped.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def mock_server(args: argparse.Namespace, ctx: Context) -> int:
    from .._demo import DEMO_CONFIG
    from ..config import load_config
    from ..testing import MockCloud, MockSecrets
    from ..testing._control import MOCK_KEY_ENV, ControlServer, FaultSpecError, apply_faults, mock_config

    source = args.config or DEMO_CONFIG
    cfg = load_config(source, env=MockSecrets())
    faults = _read_faults(args.faults) if args.faults else None
    base = args.port
    if base and base + len(cfg.spec.providers) > 65535:
        raise ConfigError("--port", f"{base} leaves no room for {len(cfg.spec.providers)} entries after it")
    with MockCloud() as cloud:
        try:
            for i, (name, p) in enumerate(cfg.spec.providers.items(), 1):
                cloud.add(name, route=p.kind, region=p.region, port=base + i if base else 0)
            if faults is not None:
                apply_faults(cloud, faults)
            control = ControlServer(cloud, {}, port=base)
        except OSError as e:
            print(f"error: cannot listen on 127.0.0.1 ({e.strerror}); pick another --port", file=ctx.err)
            return Exit.FAILED
        except FaultSpecError as e:
            raise ConfigError(args.faults, str(e)) from None
        urls = {name: cloud.url(name) for name in cfg.spec.providers}
        document = {
            "source": source,
            "control_url": control.url,
            "env": {MOCK_KEY_ENV: MOCK_KEY_VALUE},
            "entries": {
                name: {"kind": p.kind, "url": urls[name], "port": cloud.port(name)}
                for name, p in cfg.spec.providers.items()
            },
            "config": mock_config(cfg, urls),
        }
        control.document = {"schema": "modelroute.cli/mock-server/v1", **document}
        control.start()
        try:
            if ctx.json:
                ctx.emit("mock-server", document)
            else:
                ctx.out.write(_yaml(document, source))
                ctx.out.flush()
            n = len(urls)
            print(
                f"mock-server: serving {n} entr{'y' if n == 1 else 'ies'}, control on {control.url}; "
                "Ctrl-C or POST /shutdown stops it",
                file=ctx.err,
                flush=True,
            )
            with _stop_on_sigterm(control.stopped):
                while not control.stopped.wait(1.0):
                    pass
        finally:
            control.close()
    return Exit.OK
