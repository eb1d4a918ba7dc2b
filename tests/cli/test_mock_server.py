"""``modelroute mock-server`` as a process, driven the way a test in another language would drive it: the config
it prints, then nothing but HTTP (stdlib urllib) to its control endpoint and to the provider URLs it serves."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelroute import Router, load_config
from modelroute.testing import MockCloud
from modelroute.testing._control import ControlServer, FaultSpecError, apply_faults, fault_from_json

from .conftest import CONFIGS, validated

CHAT = {"model": "gpt-5", "messages": [{"role": "user", "content": "hi"}]}


def http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as e:
        with e:
            return e.code, json.loads(e.read() or b"null")


def chat(url: str) -> int:
    return http("POST", url + "/chat/completions", CHAT, {"authorization": "Bearer anything"})[0]


def free_block(size: int) -> int:
    """A base port with ``size`` free ports from it (checked by binding them all)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + size > 65000:
            continue
        held = []
        try:
            for port in range(base, base + size):
                s = socket.socket()
                held.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
    raise RuntimeError("no block of free ports")


@contextmanager
def mock_server(*argv: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Start ``modelroute mock-server ARGV``; yield the process and what it printed before serving."""
    cmd = [sys.executable, "-m", "modelroute.cli", "mock-server", *argv]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        try:
            if "--json" in argv:
                printed = proc.stdout.readline()
            else:
                lines = []
                for line in proc.stdout:
                    if line == "...\n":  # the end of the YAML document: the server is ready
                        break
                    lines.append(line)
                printed = "".join(lines)
            assert printed, proc.stderr.read() if proc.stderr else ""
            yield proc, printed
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)


def test_a_test_in_any_language_drives_it_over_http(tmp_path: Path) -> None:
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps({"openai": {"script": ["overloaded"]}, "foundry": {"default": "refused"}}))
    base = free_block(6)
    with mock_server("--port", str(base), "--faults", str(faults)) as (proc, printed):
        control = f"http://127.0.0.1:{base}"
        assert f"# control: {control} " in printed
        config = yaml.safe_load(printed)
        urls = {name: p["base_url"] for name, p in config["providers"].items()}
        assert list(urls) == ["foundry", "bedrock", "vertex", "azure-openai", "openai"]
        assert [int(u.split(":")[2].split("/")[0]) for u in urls.values()] == [base + i for i in range(1, 6)]
        assert all(
            p.get("api_key", p.get("access_token")) == "${MODELROUTE_MOCK_KEY}" for p in config["providers"].values()
        )

        status, entries = http("GET", f"{control}/entries")
        assert status == 200 and set(entries["entries"]) == set(urls)
        assert entries["entries"]["openai"] == {
            "url": urls["openai"], "port": base + 5, "up": True, "requests": 0, "connections": 0,
        }  # fmt: skip
        assert not entries["entries"]["foundry"]["up"]  # the faults file's refused default took it down
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(urls["foundry"], timeout=10)

        openai = urls["openai"]
        assert chat(openai) == 503  # the faults file's script
        status, answer = http("POST", openai + "/chat/completions", CHAT, {"authorization": "Bearer x"})
        assert status == 200 and answer["choices"][0]["message"]["content"] == "Hello from openai."

        assert (
            http("POST", f"{control}/entries/openai/script", ["rate_limited", {"kind": "status", "code": 418}])[0]
            == 200
        )
        assert [chat(openai), chat(openai), chat(openai)] == [429, 418, 200]
        assert http("PUT", f"{control}/entries/openai/default", {"kind": "server_error"})[0] == 200
        assert [chat(openai), chat(openai)] == [500, 500]
        assert http("POST", f"{control}/faults", {"openai": {"default": "ok", "script": ["unauthorized"]}})[0] == 200
        assert [chat(openai), chat(openai)] == [401, 200]

        assert http("POST", f"{control}/entries/openai/down")[1]["entry"]["up"] is False
        with pytest.raises(urllib.error.URLError):
            chat(openai)
        assert http("POST", f"{control}/entries/openai/up")[1]["entry"]["up"] is True
        assert chat(openai) == 200

        status, one = http("GET", f"{control}/entries/openai")
        assert status == 200 and one["requests"] == 10 and len(one["received"]) == 10
        assert one["received"][0] == {"method": "POST", "path": "/v1/chat/completions", "query": {}, "json": CHAT}
        assert "authorization" not in json.dumps(one).lower()  # what was received, never the credentials

        assert http("POST", f"{control}/reset")[0] == 200
        after = http("GET", f"{control}/entries")[1]["entries"]
        assert after["openai"]["requests"] == 0 and after["foundry"]["up"]

        bad = http("POST", f"{control}/entries/openai/script", [{"kind": "rate_limited", "retry_after": "soon"}])
        assert bad[0] == 400 and "retry_after" in bad[1]["error"]
        assert http("POST", f"{control}/faults", {"nope": {"default": "ok"}})[0] == 400
        assert http("POST", f"{control}/entries/nope/down")[0] == 404
        assert http("GET", f"{control}/nothing")[0] == 404
        assert http("GET", f"{control}/config")[1]["config"] == config

        assert http("POST", f"{control}/shutdown") == (200, {"ok": True})
        assert proc.wait(timeout=60) == 0
    for port in (base, base + 1, base + 5):
        with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=5):
            pass


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_the_json_document_is_a_config_ready_to_use(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ["--json"] if name == "demo" else [CONFIGS[name], "--json"]
    with mock_server(*argv) as (proc, printed):
        doc = validated(printed)
        assert doc["source"] == CONFIGS[name]
        control = doc["control_url"]
        cfg = load_config(doc["config"], env=doc["env"])  # nothing but the document and its env
        assert list(cfg.spec.providers) == list(doc["entries"])
        for entry, p in doc["entries"].items():
            assert cfg.spec.providers[entry].base_url == p["url"] and f":{p['port']}" in p["url"]
        first = "foundry" if name == "demo" else "foundry-us"
        with Router(cfg) as router:
            answer = router.complete("claude-sonnet", [{"role": "user", "content": "hi"}])
            assert answer.served_by is not None and answer.served_by.provider == first
            assert http("POST", f"{control}/entries/{first}/down")[0] == 200
            answer = router.complete("claude-sonnet", [{"role": "user", "content": "hi"}])
            assert answer.served_by is not None and answer.served_by.provider != first
        assert http("GET", f"{control}/entries")[1]["entries"][first]["requests"] == 1
        proc.terminate()  # SIGTERM stops it cleanly too
        assert proc.wait(timeout=60) == 0


def test_a_port_in_use_or_a_bad_faults_file_fails_clearly(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "modelroute.cli", "mock-server", "--port", str(port)],
            check=False, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 1 and "pick another --port" in done.stderr and done.stdout == ""
    faults = tmp_path / "f.yaml"
    faults.write_text("bedrock:\n  script: [overloded]\n")
    done = subprocess.run(
        [sys.executable, "-m", "modelroute.cli", "mock-server", "--faults", str(faults)],
        check=False, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 3 and "unknown fault kind 'overloded'" in done.stderr and done.stdout == ""


def test_faults_as_json() -> None:
    assert fault_from_json("overloaded").kind == "overloaded"
    assert fault_from_json({"kind": "rate_limited", "retry_after": "30"}).retry_after == 30.0
    assert fault_from_json({"kind": "content_filter", "on": "completion"}).on == "completion"
    assert fault_from_json({"kind": "ok", "text": "hi", "ttfb_s": 0.5}).ttfb_s == 0.5
    for bad, said in [
        ("overloded", "unknown fault kind 'overloded'"),
        ({"kind": "overloaded", "retry_after": 3}, "'retry_after': Unexpected keyword argument"),
        ({"kind": "content_filter", "on": "answer"}, "'on': Input should be 'prompt' or 'completion'"),
        ({"kind": "latency", "seconds": float("nan")}, "'ttfb_s' must be a finite number >= 0"),
        ({"kind": "ok", "ttfb_s": -1}, "'ttfb_s' must be a finite number >= 0"),
        ({"retry_after": 3}, "write a fault as a kind name"),
        (3, "write a fault as a kind name"),
    ]:
        with pytest.raises(FaultSpecError, match=said.replace("(", r"\(").replace(")", r"\)")):
            fault_from_json(bad)


def test_a_faults_document_is_checked_whole_before_anything_changes() -> None:
    with MockCloud() as cloud:
        cloud.add("a", route="openai")
        cloud.add("b", route="openai")
        with pytest.raises(FaultSpecError, match=r"b.script\[1\]: unknown fault kind"):
            apply_faults(cloud, {"a": {"default": "refused"}, "b": {"script": ["ok", "nope"]}})
        assert cloud.is_up("a")
        with pytest.raises(FaultSpecError, match="give"):
            apply_faults(cloud, {"a": {"defaults": "ok"}})
        with pytest.raises(FaultSpecError, match="a script is a list"):
            apply_faults(cloud, {"a": {"script": "ok"}})
        apply_faults(cloud, {"a": {"default": "refused"}, "b": {"script": ["server_error"]}})
        assert not cloud.is_up("a") and chat(cloud.url("b")) == 500


def test_the_control_endpoint_in_process_with_a_fixed_port() -> None:
    base = free_block(2)
    with MockCloud() as cloud:
        cloud.add("o", route="openai", port=base + 1)
        assert cloud.port("o") == base + 1 and cloud.url("o") == f"http://127.0.0.1:{base + 1}/v1"
        control = ControlServer(cloud, {"hello": 1}, port=base).start()
        try:
            assert http("GET", f"http://127.0.0.1:{base}/config") == (200, {"hello": 1})
            assert http("POST", f"http://127.0.0.1:{base}/entries/o/down")[0] == 200
            assert not cloud.is_up("o")
            cloud.up("o")
            assert cloud.port("o") == base + 1 and chat(cloud.url("o")) == 200
            with pytest.raises(OSError, match="address already in use"), MockCloud() as other:
                other.add("clash", route="openai", port=base + 1)
        finally:
            control.close()
        with pytest.raises(urllib.error.URLError):
            http("GET", f"http://127.0.0.1:{base}/config")


def test_the_readme_documents_the_control_api() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("### `modelroute mock-server`")[1].split("\n## ")[0]
    for route in ("GET /config", "GET /entries", "GET /entries/NAME", "POST /faults", "POST /entries/NAME/script",
                  "PUT /entries/NAME/default", "POST /entries/NAME/down", "POST /entries/NAME/up", "POST /reset",
                  "POST /shutdown"):  # fmt: skip
        assert f"`{route}`" in section, route


@pytest.mark.parametrize("path", sorted(str(p) for p in (Path(__file__).parents[2] / "configs").glob("*.yaml")))
def test_the_mock_config_of_every_shipped_config_means_the_same(path: str) -> None:
    from modelroute.testing import MockSecrets
    from modelroute.testing._control import mock_config

    cfg = load_config(path, env=MockSecrets())
    urls = {name: f"http://127.0.0.1:{9000 + i}" for i, name in enumerate(cfg.spec.providers)}
    printed = yaml.safe_dump(mock_config(cfg, urls), sort_keys=False)
    assert "${" not in printed.replace("${MODELROUTE_MOCK_KEY}", "")  # every secret is the mock's one variable
    again = load_config(yaml.safe_load(printed), env={"MODELROUTE_MOCK_KEY": "k"})
    assert (again.spec.models, again.spec.defaults, again.spec.catalog) == (
        cfg.spec.models,
        cfg.spec.defaults,
        cfg.spec.catalog,
    )
    for name, p in again.spec.providers.items():
        assert p.base_url == urls[name] and p.kind == cfg.spec.providers[name].kind
        assert p.region == cfg.spec.providers[name].region
        assert not getattr(p, "entra_id", False) and getattr(p, "profile", None) is None
        assert not (p.kind == "vertex" and p.access_token is None)  # no Google ADC
        assert not getattr(p, "uses_sigv4", False) or p.aws_access_key_id == "${MODELROUTE_MOCK_KEY}"
