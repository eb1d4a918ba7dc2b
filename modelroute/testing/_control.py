"""The mock cloud driven from outside: faults as JSON, a ready-to-use config, and a small HTTP control endpoint.

``modelroute mock-server`` runs a `MockCloud` for a config's provider entries and this control endpoint on a
port of its own, so a test in any language can script faults with plain HTTP:

```
GET  /config                  the ready-to-use document (ports, URLs, the config pointing at the mock cloud)
GET  /entries                 every entry: route, URL, port, up or down, requests and connections so far
GET  /entries/NAME            one entry, with the requests it received (method, path, query, JSON body)
POST /faults                  a faults document: {NAME: {"default": FAULT, "script": [FAULT, ...]}, ...}
POST /entries/NAME/script     a list of faults, appended to the entry's script
PUT  /entries/NAME/default    one fault: what the entry does once its script is used up
POST /entries/NAME/down|up    close the entry's port (connections refused) / listen again on it
POST /reset                   clear every script, default and record; bring every entry up
POST /shutdown                stop the mock cloud and the process
```

A FAULT is a `Fault` constructor's name (``"overloaded"``) or an object naming it with its arguments
(``{"kind": "rate_limited", "retry_after": 30}``); arguments are checked like the Python call's.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pydantic import ValidationError, validate_call

from ._faults import Fault
from ._server import MockCloud

__all__ = [
    "MOCK_KEY_ENV",
    "ControlServer",
    "FaultSpecError",
    "apply_faults",
    "fault_from_json",
    "mock_config",
]

#: The one environment variable every secret of a mock-server config names; the mock cloud takes any value.
MOCK_KEY_ENV = "MODELROUTE_MOCK_KEY"
_MOCK_REF = "${" + MOCK_KEY_ENV + "}"
_SECRET_FIELDS = ("api_key", "access_token", "aws_access_key_id", "aws_secret_access_key", "aws_session_token")
_FACTORIES: dict[str, Callable[..., Fault]] = {
    name: validate_call(getattr(Fault, name)) for name, v in vars(Fault).items() if isinstance(v, classmethod)
}
_SECONDS = ("ttfb_s", "chunk_delay_s", "retry_after", "retry_after_ms")


class FaultSpecError(ValueError):
    """A fault or faults document that cannot be used; the message says which part and why."""


# --- faults as JSON ------------------------------------------------------------------------------------------


def fault_from_json(value: Any, where: str = "fault") -> Fault:
    """A `Fault` from its JSON form: ``"overloaded"`` or ``{"kind": "rate_limited", "retry_after": 30}``."""
    if isinstance(value, str):
        kind, args = value, {}
    elif isinstance(value, Mapping) and isinstance(value.get("kind"), str):
        kind, args = value["kind"], {k: v for k, v in value.items() if k != "kind"}
    else:
        raise FaultSpecError(f'{where}: write a fault as a kind name or {{"kind": ..., arguments}} (got {value!r})')
    factory = _FACTORIES.get(kind)
    if factory is None:
        raise FaultSpecError(f"{where}: unknown fault kind {kind!r}; known kinds: {', '.join(_FACTORIES)}")
    try:
        fault = factory(**args)
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        arg = ".".join(str(p) for p in err["loc"])
        raise FaultSpecError(f"{where}: {kind} argument {arg!r}: {err['msg']}") from None
    for name in _SECONDS:
        seconds = getattr(fault, name)
        if seconds is not None and not (math.isfinite(seconds) and seconds >= 0):
            raise FaultSpecError(f"{where}: {kind} argument {name!r} must be a finite number >= 0")
    return fault


def _fault_list(value: Any, where: str) -> list[Fault]:
    if not isinstance(value, list):
        raise FaultSpecError(f"{where}: a script is a list of faults (got {type(value).__name__})")
    return [fault_from_json(f, f"{where}[{i}]") for i, f in enumerate(value)]


def apply_faults(cloud: MockCloud, document: Any) -> None:
    """Apply a faults document, ``{NAME: {"default": FAULT, "script": [FAULT, ...]}}``: each entry's default is
    set, then its script appended. The whole document is checked before anything changes."""
    if not isinstance(document, Mapping):
        raise FaultSpecError('a faults document maps entry names to {"default": ..., "script": [...]}')
    plan: list[tuple[str, Fault | None, list[Fault]]] = []
    for name, spec in document.items():
        if name not in cloud.entries:
            raise FaultSpecError(f"{name}: no such entry; entries: {', '.join(cloud.entries)}")
        if not isinstance(spec, Mapping) or not set(spec) <= {"default", "script"}:
            raise FaultSpecError(f'{name}: give {{"default": FAULT, "script": [FAULT, ...]}} (either or both)')
        default = fault_from_json(spec["default"], f"{name}.default") if "default" in spec else None
        plan.append((name, default, _fault_list(spec.get("script", []), f"{name}.script")))
    for name, default, script in plan:
        if default is not None:
            cloud.set_default(name, default)
        if script:
            cloud.script(name, *script)


# --- the ready-to-use config ---------------------------------------------------------------------------------


def mock_config(config: Any, urls: Mapping[str, str]) -> dict[str, Any]:
    """``config`` (a loaded `Config`) as plain data whose provider entries point at ``urls`` and whose every
    secret is ``${MODELROUTE_MOCK_KEY}``: entries that would ask the machine for credentials (AWS's default
    chain or a profile, Entra ID, Google ADC) get key or token fields instead, so nothing real is ever read."""
    from ._router import _fake_credentials

    data: dict[str, Any] = config.spec.model_dump(mode="json", exclude_defaults=True)
    for name, p in config.spec.providers.items():
        entry = data["providers"][name]
        for field, value in (_fake_credentials(p) or {}).items():
            if value is None or value is False:
                entry.pop(field, None)
            else:
                entry[field] = value
        for field in _SECRET_FIELDS:
            if field in entry:
                entry[field] = _MOCK_REF
        entry.pop("resource", None)  # Azure entries take a resource name or a base URL, not both
        entry["base_url"] = urls[name]
    return data


# --- the control endpoint ------------------------------------------------------------------------------------


class ControlServer:
    """The HTTP control endpoint for ``cloud`` on 127.0.0.1:``port`` (0: any free port), in a thread.
    ``document`` is what ``GET /config`` answers; ``POST /shutdown`` sets `stopped`."""

    def __init__(self, cloud: MockCloud, document: Mapping[str, Any], *, port: int = 0) -> None:
        self.cloud = cloud
        self.document = document
        self.stopped = threading.Event()
        self._stop_after_reply = False
        self._http = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._http.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._http.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ControlServer:
        self._thread = threading.Thread(target=self._http.serve_forever, name="modelroute-mock-control", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self._http.shutdown()
            self._thread.join(timeout=10)
        self._http.server_close()

    # --- what each request gets ---------------------------------------------------------------------------

    def entry_state(self, name: str, *, with_requests: bool = False) -> dict[str, Any]:
        c = self.cloud
        state: dict[str, Any] = {
            "url": c.url(name),
            "port": c.port(name),
            "up": c.is_up(name),
            "requests": len(c.requests(name)),
            "connections": c.connections(name),
        }
        if with_requests:
            state["received"] = [
                {"method": r.method, "path": r.path, "query": r.query, "json": r.json} for r in c.requests(name)
            ]
        return state

    def handle(self, method: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
        """(status, JSON answer) for one control request."""
        parts = [p for p in path.split("?", maxsplit=1)[0].split("/") if p]
        if parts == ["config"] and method == "GET":
            return 200, dict(self.document)
        if parts == ["entries"] and method == "GET":
            return 200, {"entries": {n: self.entry_state(n) for n in self.cloud.entries}}
        if parts == ["faults"] and method == "POST":
            apply_faults(self.cloud, body)
            return 200, {"ok": True}
        if parts == ["reset"] and method == "POST":
            self.cloud.reset()
            return 200, {"ok": True}
        if parts == ["shutdown"] and method == "POST":
            self._stop_after_reply = True  # set `stopped` once this answer is out, or the process may exit first
            return 200, {"ok": True}
        if len(parts) in (2, 3) and parts[0] == "entries":
            return self._entry(method, parts[1], parts[2] if len(parts) == 3 else "", body)
        return 404, {"error": f"no control endpoint {method} {path}; see GET /entries, POST /faults"}

    def _entry(self, method: str, name: str, action: str, body: Any) -> tuple[int, dict[str, Any]]:
        c = self.cloud
        if name not in c.entries:
            return 404, {"error": f"no entry {name!r}; entries: {', '.join(c.entries)}"}
        if action == "" and method == "GET":
            return 200, self.entry_state(name, with_requests=True)
        if action == "script" and method == "POST":
            c.script(name, *_fault_list(body, f"{name}.script"))
        elif action == "default" and method in ("PUT", "POST"):
            c.set_default(name, fault_from_json(body, f"{name}.default"))
        elif action == "down" and method == "POST":
            c.down(name)
        elif action == "up" and method == "POST":
            c.up(name)
        else:
            return 404, {"error": f"no control endpoint {method} /entries/{name}/{action}"}
        return 200, {"ok": True, "entry": self.entry_state(name)}


def _handler(control: ControlServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "modelroute-mock-control"

        def _answer(self) -> None:
            try:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw.strip() else None
                status, answer = control.handle(self.command, self.path, body)
            except ValueError as e:  # FaultSpecError, a body that is not JSON, a bad content-length
                status, answer = 400, {"error": str(e)}
            data = json.dumps(answer).encode() + b"\n"  # a line of its own in a shell
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
            if control._stop_after_reply:
                control.stopped.set()

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, format: str, *args: Any) -> None:  # quiet: stdout is the config, stderr is ours
            return

    return Handler
