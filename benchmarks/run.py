"""Run the benchmarks: one command, everything side by side in the same run.

    python -m benchmarks.run                   # floors, official SDKs, modelroute (about 4 minutes)
    python -m benchmarks.run --setup-peers     # once: make benchmarks/.peers with LiteLLM, pydantic-ai, aiohttp
    python -m benchmarks.run --peers           # ... and the peers, measured in the same run
    python -m benchmarks.run --smoke           # floor + modelroute, a few hundred requests (CI)

The mock server (`benchmarks.mock_server`) runs in its own process pinned to the last CPU; every contender runs
in a fresh worker process (`benchmarks.worker`) pinned to CPU 0, one after another, the order rotated on each
repeat. Results: ``benchmarks/results/summary.json`` (medians and spreads, ratios to the floor and the peers)
and ``raw.json`` (every figure of every repeat; not committed); the tables are printed as Markdown.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
import venv
from pathlib import Path
from typing import Any

from . import report

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PEERS_VENV = HERE / ".peers"
PEERS_REQUIREMENTS = HERE / "requirements-peers.txt"
RESULTS = HERE / "results"

BASE = ["httpx2", "openai-sdk", "anthropic-sdk", "modelroute-openai", "modelroute-anthropic"]
AIOHTTP = ["modelroute-openai-aiohttp"]  # needs aiohttp in this venv: pip install -e '.[aiohttp]'
PEERS = ["aiohttp", "litellm", "pydantic-ai"]
FAILOVER = ["modelroute-openai", "modelroute-anthropic", "modelroute-openai-aiohttp", "litellm", "pydantic-ai"]

# modelroute's ways of skipping a dead target in steady state, as patches to the config's `defaults`: the defaults
# (the circuit breaker opens after 5 consecutive failures), no breaker at all (every call tries the dead target
# first), and a cooldown per error kind. More from the command line: --failover-variant NAME='{...}'.
FAILOVER_VARIANTS: dict[str, Any] = {
    "default": None,
    "no-breaker": {"breaker": {"enabled": False}},
    "cooldown": {"on_error": {"connection": {"cooldown_s": 60}, "overloaded": {"cooldown_s": 60}}},
}


def _cpus() -> tuple[int | None, int | None]:
    """(client CPU, server CPU), or (None, None) on a machine with one CPU or no affinity control."""
    if not hasattr(os, "sched_getaffinity"):
        return None, None
    cpus = sorted(os.sched_getaffinity(0))
    return (cpus[0], cpus[-1]) if len(cpus) >= 2 else (None, None)


def peers_python() -> Path | None:
    exe = PEERS_VENV / "bin" / "python"
    return exe if exe.exists() else None


def setup_peers() -> None:
    """Create the peers' own venv (never modelroute's) and install ``requirements-peers.txt`` into it."""
    if not peers_python():
        print(f"creating {PEERS_VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(PEERS_VENV)
    exe = str(peers_python())
    subprocess.run([exe, "-m", "pip", "install", "-q", "-r", str(PEERS_REQUIREMENTS)], check=True)


def _versions(python: str, names: list[str]) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json, sys\n"
        "out = {}\n"
        "for n in sys.argv[1:]:\n"
        "    try: out[n] = m.version(n)\n"
        "    except m.PackageNotFoundError: pass\n"
        "print(json.dumps(out))"
    )
    r = subprocess.run([python, "-c", code, *names], capture_output=True, text=True, check=True)
    return dict(json.loads(r.stdout))


class Server:
    """The mock server process; its stdin held open for as long as it should serve."""

    def __init__(self, cpu: int | None) -> None:
        args = [sys.executable, "-m", "benchmarks.mock_server", "ok:0", "ok:50", "503", "refused"]
        if cpu is not None:
            args += ["--cpu", str(cpu)]
        self.proc = subprocess.Popen(args, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("the mock server did not start")
        p = json.loads(line)["ports"]
        self.ports = {"ok0": p[0], "ok50": p[1], "503": p[2], "refused": p[3]}

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def run_worker(python: str, task: dict[str, Any], timeout: float = 300) -> dict[str, Any]:
    r = subprocess.run(
        [python, "-m", "benchmarks.worker", json.dumps(task)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
    if r.returncode != 0 or not lines:
        tail = (r.stderr or r.stdout).strip().splitlines()[-5:]
        return {"contender": task["contender"], "error": " | ".join(tail)[-800:]}
    return dict(json.loads(lines[-1]))


def _timed_import(python: str, module: str, n: int, cpu: int | None) -> dict[str, Any]:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    prefix = ["taskset", "-c", str(cpu)] if cpu is not None and _has("taskset") else []
    times = []
    for _ in range(n):
        r = subprocess.run([*prefix, python, "-c", code], capture_output=True, text=True, cwd="/", check=False)
        if r.returncode != 0:
            return {"error": r.stderr.strip().splitlines()[-1][-300:] if r.stderr.strip() else "failed"}
        times.append(float(r.stdout.strip()) * 1000)
    return {"runs_ms": times}


def _importable(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _has(tool: str) -> bool:
    return any((Path(d) / tool).exists() for d in os.environ.get("PATH", "").split(os.pathsep))


def _load() -> dict[str, float]:
    one, five, fifteen = os.getloadavg()
    return {"1m": one, "5m": five, "15m": fifteen}


def _machine(peers: bool) -> dict[str, Any]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    names = ["modelroute", "httpx2", "httpcore2", "httpcore", "h11", "pydantic", "pydantic-core"]
    names += ["openai", "anthropic", "aiohttp", "uvloop"]
    info: dict[str, Any] = {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": _versions(sys.executable, names),
    }
    if peers and peers_python():
        peer_names = ["litellm", "pydantic-ai-slim", "openai", "anthropic", "aiohttp", "httpx", "httpx2"]
        info["peer_versions"] = _versions(str(peers_python()), peer_names)
    return info


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--peers", action="store_true", help="also measure the peers (needs --setup-peers once)")
    p.add_argument("--setup-peers", action="store_true", help="create benchmarks/.peers and install the peers")
    p.add_argument("--smoke", action="store_true", help="floor and modelroute only, a few hundred requests")
    p.add_argument("--repeats", type=int, default=None, help="runs of each contender (default 3; smoke 1)")
    p.add_argument("--contenders", nargs="*", help="only these (names from benchmarks.contenders.CONTENDERS)")
    p.add_argument(
        "--skip", nargs="*", default=[], help="scenarios to skip: seq conc stream failover soak imports plan"
    )
    p.add_argument("--soak-requests", type=int, default=None, help="requests in the memory soak (default 100000)")
    p.add_argument(
        "--failover-variant",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="another patch of modelroute's config defaults to measure with a dead first target",
    )
    p.add_argument("--out", type=Path, default=RESULTS, help="where summary.json and raw.json go")
    a = p.parse_args(argv)

    if a.setup_peers:
        setup_peers()
        if not a.peers:
            return 0
    smoke = a.smoke
    repeats = a.repeats or (1 if smoke else 3)
    skip = set(a.skip)
    client_cpu, server_cpu = _cpus()

    contenders = list(BASE)
    if _importable("aiohttp"):
        contenders += AIOHTTP
    else:
        print("modelroute on aiohttp skipped: aiohttp is not installed here (pip install -e '.[aiohttp]')")
    if smoke:
        contenders = ["httpx2", "modelroute-openai"]
    peers_exe = peers_python()
    if a.peers and not smoke:
        if peers_exe is None:
            print(
                f"peers skipped: their venv {PEERS_VENV} is absent; create it with "
                "`python -m benchmarks.run --setup-peers`",
                flush=True,
            )
        else:
            contenders += PEERS
    if a.contenders:
        contenders = list(a.contenders)
    variants = dict(FAILOVER_VARIANTS)
    for spec in a.failover_variant:
        name, _, value = spec.partition("=")
        variants[name] = json.loads(value)

    def python_for(name: str) -> str | None:
        if name == "aiohttp" and _importable("aiohttp"):
            return sys.executable
        if name in PEERS:
            return str(peers_exe) if peers_exe else None
        return sys.executable

    scale = 0.1 if smoke else 1.0

    def n(x: int) -> int:
        return max(20, int(x * scale))

    scen: dict[str, Any] = {}
    if "seq" not in skip:
        scen["seq"] = {"n": n(2000), "warmup": n(100), "max_s": 2.0}
    if "stream" not in skip:
        scen["stream"] = {"n": n(1000), "warmup": n(50), "max_s": 2.0}
    if "conc" not in skip:
        scen["conc"] = {"levels": [64] if smoke else [64, 256], "per_task": 2 if smoke else 8, "max_s": 4.0}

    load_before = _load()
    started = time.time()
    server = Server(server_cpu)
    raw: dict[str, Any] = {"runs": [], "failover": [], "imports": {}, "soak": [], "plan": None}
    try:
        for rep in range(repeats):
            order = contenders[rep % len(contenders) :] + contenders[: rep % len(contenders)]
            for name in order:
                py = python_for(name)
                if py is None:
                    continue
                task: dict[str, Any] = {"contender": name, "ports": server.ports, "cpu": client_cpu, "scenarios": scen}
                if "failover" not in skip and name in FAILOVER:
                    task["scenarios"] = {**scen, "failover": {"n": n(500), "max_s": 1.0, "variants": variants}}
                print(f"[{rep + 1}/{repeats}] {name} ...", end=" ", flush=True)
                res = run_worker(py, task)
                res["repeat"] = rep
                raw["runs"].append(res)
                print(res.get("error") or f"{res.get('wall_s', 0):.1f}s", flush=True)
        if "soak" not in skip:
            total = a.soak_requests or (500 if smoke else 100_000)
            task = {
                "contender": "modelroute-openai",
                "ports": server.ports,
                "cpu": client_cpu,
                "scenarios": {"soak": {"n": total, "concurrency": 8}},
            }
            print(f"memory soak: {total} requests ...", end=" ", flush=True)
            res = run_worker(sys.executable, task, timeout=900)
            raw["soak"].append(res)
            print(res.get("error") or f"{res.get('wall_s', 0):.1f}s", flush=True)
    finally:
        server.stop()
    if "imports" not in skip:
        print("import times ...", flush=True)
        count = 3 if smoke else 11
        for module in ["modelroute", "httpx2", "openai", "anthropic"] + ([] if smoke else ["aiohttp"]):
            raw["imports"][module] = _timed_import(sys.executable, module, count, client_cpu)
        if a.peers and peers_exe and not smoke:
            for module in ["litellm", "pydantic_ai"]:
                raw["imports"][module] = _timed_import(str(peers_exe), module, 5, client_cpu)
    if "plan" not in skip:
        print("planning ...", flush=True)
        sizes = ["10", "100"] if smoke else ["10", "100", "1000"]
        prefix = ["taskset", "-c", str(client_cpu)] if client_cpu is not None and _has("taskset") else []
        r = subprocess.run(
            [*prefix, sys.executable, "-m", "benchmarks.planning", *sizes],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        raw["plan"] = json.loads(r.stdout) if r.returncode == 0 else {"error": r.stderr[-800:]}

    raw["machine"] = _machine(a.peers)
    raw["load_before"] = load_before
    raw["load_after"] = _load()
    raw["started_utc"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(started))
    raw["duration_s"] = time.time() - started
    raw["command"] = "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])
    raw["repeats"] = repeats
    raw["smoke"] = smoke

    chaos = HERE / "results" / "chaos_soak.json"
    if chaos.exists():  # written by benchmarks/chaos_soak.py; carried into the summary as it is
        try:
            raw["chaos_soak"] = json.loads(chaos.read_text())
        except ValueError as e:
            raw["chaos_soak"] = {"error": f"unreadable: {e}"}

    summary = report.summarise(raw)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "raw.json").write_text(json.dumps(raw, indent=1))
    (a.out / "summary.json").write_text(json.dumps(summary, indent=1))
    print()
    print(report.markdown(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
