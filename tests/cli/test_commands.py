"""Every command on the demo config and on ``configs/multi-cloud.yaml`` against the mock cloud, its ``--json``
document checked against the published schema, and the exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import modelroute
from modelroute.cli import Exit
from modelroute.cli._schemas import COMMANDS, cli_schema
from modelroute.testing import Fault

from .conftest import CONFIGS, ROOT, MockSetup, cli

FIRST = {"demo": "foundry", "multi-cloud": "foundry-us"}  # the first target of claude-sonnet
SECOND = {"demo": "bedrock", "multi-cloud": "bedrock-us"}


def test_version() -> None:
    assert cli("--version").out == f"modelroute {modelroute.__version__}\n"
    for argv in (["--version", "--json"], ["--json", "--version"]):
        doc = cli(*argv).json()
        assert doc["schema"] == "modelroute.cli/version/v1" and doc["version"] == modelroute.__version__
    done = subprocess.run(
        [sys.executable, "-m", "modelroute.cli", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == f"modelroute {modelroute.__version__}"


def test_usage_errors_and_help() -> None:
    assert cli().code == Exit.USAGE
    assert cli("explain").code == Exit.USAGE  # argparse: missing arguments
    assert cli("mock-server", "--port", "70000").code == Exit.USAGE
    assert cli("--help").code == 0


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_explain(name: str, on_mock: Any) -> None:
    for path in (CONFIGS[name], str(on_mock(name).path)):  # the config as shipped, and pointed at the mock cloud
        r = cli("explain", path, "claude-sonnet")
        assert r.code == 0
        assert r.out.startswith("plan for 'claude-sonnet':\n")
        assert re.search(rf"^  1\s+{FIRST[name]}:\S+\s+claude-sonnet target 1\s+eligible$", r.out, re.M), r.out
        doc = cli("explain", path, "claude-sonnet", "--json").json()
        assert doc["alias"] == "claude-sonnet" and doc["options"] == {}
        first = doc["entries"][0]
        assert (first["position"], first["provider"], first["eligible"]) == (1, FIRST[name], True)
        assert first["cloud"] == "azure" and first["region"] == "eastus2"
        assert any(e["origin"].startswith("fallback claude-sonnet -> gpt") for e in doc["entries"])
    # Foundry's anthropic-version does not take temperature: the plan says so, and marks the entry out
    with_t = cli("explain", CONFIGS[name], "claude-sonnet", "--temperature", "0.5", "--json").json()
    assert with_t["options"] == {"temperature": 0.5}
    assert not with_t["entries"][0]["eligible"] and "temperature" in with_t["entries"][0]["reason"]
    assert re.search(r"^  x 1 ", cli("explain", CONFIGS[name], "claude-sonnet", "--temperature", "0.5").out, re.M)


def test_a_bad_request_is_a_usage_error_and_a_bad_config_a_config_error(tmp_path: Path) -> None:
    r = cli("explain", CONFIGS["demo"], "claude-sonet", "--json")
    assert r.code == Exit.USAGE
    doc = r.json()
    assert doc["schema"] == "modelroute.cli/error/v1" and doc["command"] == "explain" and doc["exit_code"] == 2
    assert doc["error"]["type"] == "RequestError" and "claude-sonnet" in doc["error"]["message"]
    assert r.err == "error: unknown model alias 'claude-sonet'; the config defines: claude-sonnet, gpt\n"
    bad = tmp_path / "bad.yaml"
    bad.write_text("providers: {}\nmodels: {}\n")
    for argv in (["explain", str(bad), "a"], ["complete", str(bad), "a", "hi"], ["mock-server", str(bad)]):
        r = cli(*argv, "--json")
        assert r.code == Exit.CONFIG and r.json()["error"]["type"] == "ConfigError", argv


@pytest.mark.parametrize("name", sorted(CONFIGS))
@pytest.mark.parametrize("stream", [False, True], ids=["complete", "stream"])
def test_complete(name: str, stream: bool, on_mock: Any, no_machine_credentials: None) -> None:
    setup: MockSetup = on_mock(name)
    flags = ["--stream"] if stream else []
    r = cli("complete", str(setup.path), "claude-sonnet", "Say hello", *flags)
    assert r.code == 0, r.err
    assert r.out.startswith(f"Hello from {FIRST[name]}.\n")
    assert f"-- served by {FIRST[name]} (azure/eastus2" in r.out
    assert re.search(rf"^   1\s+{FIRST[name]}:\S+\s+ok, \d+ ms\s+\$[\d.]+\s+served$", r.out, re.M), r.out
    assert re.search(r"-- served by .* in [\d.]+s, \$[\d.]+$", r.out, re.M), r.out

    setup.cloud.down(FIRST[name])
    r = cli("complete", str(setup.path), "claude-sonnet", "Say hello", "--max-tokens", "20", "--json", *flags)
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["stream"] is stream and doc["alias"] == "claude-sonnet"
    response = doc["response"]
    assert response["text"] == f"Hello from {SECOND[name]}." and response["served_by"]["provider"] == SECOND[name]
    first = response["trace"][0]
    assert (first["provider"], first["outcome"], first["action"]) == (FIRST[name], "error", "failover")
    assert response["trace"][0]["error"]["kind"] == "connection"
    assert first["cost"] is None  # refused connections bill nothing
    served = response["trace"][-1]["cost"]
    assert served == response["cost"] and served["currency"] == "USD" and float(served["amount"]) > 0
    assert served["source"].startswith("genai-prices ")
    last = setup.cloud.requests(SECOND[name])[-1].json
    assert last.get("max_tokens") == 20 or last.get("max_completion_tokens") == 20


def test_a_call_that_fails_exits_1_with_its_trace(on_mock: Any) -> None:
    setup: MockSetup = on_mock("demo")
    for entry in setup.cloud.entries:
        setup.cloud.set_default(entry, Fault.server_error())
    r = cli("complete", str(setup.path), "gpt", "hi", "--json")
    assert r.code == Exit.FAILED
    doc = r.json()
    assert doc["schema"] == "modelroute.cli/error/v1" and doc["exit_code"] == 1
    assert doc["error"]["type"] == "AllTargetsFailed"
    assert {a["provider"] for a in doc["error"]["trace"]} == {"azure-openai", "openai"}
    assert all(a["error"]["kind"] == "server_error" for a in doc["error"]["trace"])
    text = cli("complete", str(setup.path), "gpt", "hi")
    assert text.code == 1 and text.err.startswith("error: every target for 'gpt' failed")


def test_demo_json(no_machine_credentials: None) -> None:
    r = cli("demo", "--json")
    assert r.code == 0
    doc = r.json()
    assert doc["failed"] == 0 and doc["exit_code"] == 0 and len(doc["scenes"]) == 5
    assert [e["provider"] for e in doc["plan"]][:3] == ["foundry", "bedrock", "vertex"]
    served = [s["response"]["served_by"]["provider"] for s in doc["scenes"]]
    assert served == ["bedrock", "vertex", "bedrock", "azure-openai", "bedrock"]
    assert [s["stream"] for s in doc["scenes"]] == [False, True, False, False, False]
    assert doc["scenes"][2]["options"] == {"temperature": 0.9}
    assert "circuit open" in doc["scenes"][4]["response"]["trace"][0]["reason"]
    assert r.err == ""  # no status line off a terminal


def test_schema_and_cli_schema() -> None:
    raw = json.loads(cli("schema").out)
    assert raw["title"] == "modelroute config"
    assert cli("schema", "--json").json()["config_schema"] == raw
    listing = cli("cli-schema")
    for command in COMMANDS:
        assert f"modelroute.cli/{command}/v1" in listing.out
        schema = json.loads(cli("cli-schema", command).out)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema == cli_schema(command)
    every = cli("cli-schema", "--json").json()
    assert set(every["schemas"]) == set(COMMANDS)
    assert set(cli("cli-schema", "check", "--json").json()["schemas"]) == {"check"}


@pytest.mark.parametrize("command", COMMANDS)
def test_the_published_schema_files_are_current(command: str) -> None:
    published = json.loads((ROOT / "docs" / "cli" / f"{command}.schema.json").read_text())
    assert published == cli_schema(command), f"regenerate: modelroute cli-schema {command} > docs/cli/..."


def test_the_schemas_reject_what_they_do_not_describe() -> None:
    doc = cli("--version", "--json").json()
    validator = jsonschema.Draft202012Validator(cli_schema("version"))
    assert validator.is_valid(doc)
    assert not validator.is_valid({**doc, "schema": "modelroute.cli/version/v2"})
    assert not validator.is_valid({**doc, "surprise": 1})
    assert not validator.is_valid({k: v for k, v in doc.items() if k != "python"})


def test_planted_secrets_never_reach_the_output(on_mock: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = "sk-PLANTED-cli-4c1f9e"
    monkeypatch.setenv("MODELROUTE_MOCK_KEY", secret)
    for env in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.setenv(env, secret)
    setup: MockSetup = on_mock("multi-cloud")
    monkeypatch.setenv("MODELROUTE_MOCK_KEY", secret)
    setup.cloud.set_default("bedrock-us", Fault.unauthorized())
    setup.cloud.set_default("openai", Fault.rate_limited(retry_after=60))
    path = str(setup.path)
    runs = [
        cli("check", CONFIGS["multi-cloud"]),
        cli("check", CONFIGS["multi-cloud"], "--json"),
        cli("check", path, "--probe"),
        cli("check", path, "--probe", "--json"),
        cli("explain", path, "gpt", "--json"),
        cli("complete", path, "claude-sonnet", "hi", "--json"),
        cli("complete", path, "gpt", "hi", "--stream"),
    ]
    setup.cloud.down("foundry-us")
    for entry in ("vertex-us", "anthropic", "azure-gpt-us", "bedrock-gpt"):
        setup.cloud.set_default(entry, Fault.unauthorized())
    runs.append(cli("complete", path, "claude-sonnet", "hi", "--json"))
    assert runs[-1].code == 1 and "AllTargetsFailed" in runs[-1].out  # every failure kind was printed...
    for r in runs:
        assert secret not in r.out and secret not in r.err  # ...and not one secret
