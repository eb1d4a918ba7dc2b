"""``modelroute check``: validity, each entry's credential source read from its settings alone (no credential chain
runs, nothing is sent), distinct exit codes, lint warnings, and ``--probe`` against the mock cloud."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from modelroute.cli import Exit
from modelroute.config import Config
from modelroute.testing import Fault

from .conftest import CONFIGS, MockSetup, cli

MULTI_CLOUD_SOURCES = {
    "foundry-us": ("entra_id", "Entra ID (DefaultAzureCredential)"),
    "azure-gpt-eu": ("entra_id", "Entra ID (DefaultAzureCredential)"),
    "bedrock-us": ("aws_default_chain", "AWS default chain"),
    "bedrock-mantle": ("aws_default_chain", "AWS default chain"),
    "claude-platform": ("aws_default_chain", "AWS default chain"),
    "vertex-eu": ("google_adc", "Google ADC"),
    "anthropic": ("api_key", "API key ${ANTHROPIC_API_KEY}"),
    "openai": ("api_key", "API key ${OPENAI_API_KEY}"),
}


def by_name(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in doc["providers"]}


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return str(path)


def test_multi_cloud_says_where_each_entry_gets_credentials_without_asking_the_machine(
    no_machine_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "")  # set but empty is as good as missing
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    r = cli("check", CONFIGS["multi-cloud"], "--json")
    assert r.code == Exit.CREDENTIALS == 4
    doc = r.json()
    assert doc["valid"] and doc["exit_code"] == 4 and not doc["probed"] and len(doc["aliases"]) == 6
    providers = by_name(doc)
    assert len(providers) == 13
    for name, (source, description) in MULTI_CLOUD_SOURCES.items():
        creds = providers[name]["credentials"]
        assert (creds["source"], creds["description"]) == (source, description), name
        assert providers[name]["probe"] is None
    assert providers["vertex-us"]["credentials"]["status"] == "platform"
    assert providers["anthropic"]["env"] == [{"field": "api_key", "variable": "ANTHROPIC_API_KEY", "set": False}]
    assert providers["openai"]["credentials"]["status"] == "missing"

    text = cli("check", CONFIGS["multi-cloud"])
    assert text.code == 4
    assert "missing: set ANTHROPIC_API_KEY" in text.out and "missing: set OPENAI_API_KEY" in text.out
    assert "2 provider entries are missing credentials" in text.out

    monkeypatch.setenv("ANTHROPIC_API_KEY", "k")
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    ok = cli("check", CONFIGS["multi-cloud"], "--json")
    assert ok.code == Exit.OK and all(p["credentials"]["status"] != "missing" for p in ok.json()["providers"])


def test_every_way_an_aws_entry_can_authenticate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "dev")
    monkeypatch.setenv("MR_KEY_ID", "id")
    monkeypatch.delenv("MR_SECRET", raising=False)
    monkeypatch.delenv("MR_HOST", raising=False)
    cfg = write(
        tmp_path,
        "providers:\n"
        "  named: {kind: bedrock, region: us-east-1, profile: prod}\n"
        "  from-env: {kind: bedrock_mantle, region: us-east-1}\n"
        "  keys: {kind: bedrock, region: us-east-1, aws_access_key_id: '${MR_KEY_ID}',"
        " aws_secret_access_key: '${MR_SECRET}', aws_session_token: '${MR_TOKEN}'}\n"
        "  bearer: {kind: bedrock_mantle, region: us-east-1, api_key: '${MR_KEY_ID}'}\n"
        "  platform: {kind: anthropic_aws, region: us-east-1, workspace_id: w, api_key: '${MR_KEY_ID}'}\n"
        "  proxied: {kind: openai, api_key: '${MR_KEY_ID}', base_url: 'https://${MR_HOST}/v1'}\n"
        "models:\n  m: {targets: ['named:anthropic.claude-sonnet-4-5']}\n",
    )
    providers = by_name(cli("check", cfg, "--json").json())
    desc = {n: p["credentials"]["description"] for n, p in providers.items()}
    assert desc == {
        "named": "AWS default chain (profile prod)",
        "from-env": "AWS default chain (profile dev, from AWS_PROFILE)",
        "keys": "AWS keys ${MR_KEY_ID}, ${MR_SECRET}, ${MR_TOKEN}",
        "bearer": "Bedrock API key ${MR_KEY_ID}",
        "platform": "API key ${MR_KEY_ID}",
        "proxied": "API key ${MR_KEY_ID}",
    }
    assert [(e["variable"], e["set"]) for e in providers["keys"]["env"]] == [
        ("MR_KEY_ID", True),
        ("MR_SECRET", False),
        ("MR_TOKEN", False),
    ]
    assert providers["proxied"]["credentials"]["status"] == "missing"  # the base URL names an unset variable
    assert {"field": "base_url", "variable": "MR_HOST", "set": False} in providers["proxied"]["env"]


def test_an_invalid_config_has_its_own_exit_code_and_one_line(tmp_path: Path) -> None:
    cfg = write(tmp_path, "providers:\n  o: {kind: openia, api_key: '${K}'}\nmodels:\n  g: {targets: ['o:gpt-5.5']}\n")
    r = cli("check", cfg)
    assert r.code == Exit.CONFIG == 3 and r.out == ""
    assert r.err.startswith("error: providers.o.kind: unknown provider kind 'openia'") and r.err.count("\n") == 1
    doc = cli("check", cfg, "--json").json()
    assert not doc["valid"] and doc["exit_code"] == 3 and doc["providers"] == []
    assert doc["error"]["type"] == "ConfigError" and "openia" in doc["error"]["message"]
    assert cli("check", str(tmp_path / "nowhere.yaml")).code == 3


def test_a_missing_extra_is_an_invalid_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import modelroute.config._load as load

    monkeypatch.setattr(load, "_installed", lambda module: module != "botocore")
    r = cli("check", CONFIGS["multi-cloud"])
    assert r.code == 3 and "pip install 'modelroute[bedrock]'" in r.err


def test_lint_warnings_are_listed_without_changing_the_exit_code(monkeypatch: pytest.MonkeyPatch) -> None:
    class Finding:
        def __init__(self, path: str, message: str) -> None:
            self.path, self.message = path, message

    def lint(self: Config) -> list[Finding]:
        return [Finding("models.gpt.attempt_timeout_s", "is not shorter than deadline_s (60): it cannot fail over")]

    for env in ("AZURE_FOUNDRY_API_KEY", "AWS_BEARER_TOKEN_BEDROCK", "GOOGLE_ACCESS_TOKEN", "AZURE_OPENAI_API_KEY"):
        monkeypatch.setenv(env, "k")
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    assert "lint: no warnings" in cli("check", CONFIGS["demo"]).out
    monkeypatch.setattr(Config, "lint", lint, raising=False)
    r = cli("check", CONFIGS["demo"])
    assert r.code == 0
    assert "1 lint warning:\n  models.gpt.attempt_timeout_s: is not shorter than deadline_s (60)" in r.out
    assert cli("check", CONFIGS["demo"], "--json").json()["warnings"] == [
        {"path": "models.gpt.attempt_timeout_s", "message": "is not shorter than deadline_s (60): it cannot fail over"}
    ]


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_check_sends_nothing_without_probe(name: str, on_mock: Any) -> None:
    setup: MockSetup = on_mock(name)
    r = cli("check", str(setup.path))
    assert r.code == 0, r.out + r.err
    assert all(not setup.cloud.requests(e) and not setup.cloud.connections(e) for e in setup.cloud.entries)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_probe_sends_one_cheap_call_per_entry(name: str, on_mock: Any, no_machine_credentials: None) -> None:
    setup: MockSetup = on_mock(name)
    r = cli("check", str(setup.path), "--probe", "--json")
    assert r.code == Exit.OK, r.out + r.err
    doc = r.json()
    assert doc["probed"]
    for p in doc["providers"]:
        assert p["probe"]["status"] == "ok" and p["probe"]["latency_s"] >= 0, p
        requests = setup.cloud.requests(p["name"])
        assert len(requests) == 1
        body = requests[0].json
        assert (body.get("max_tokens") or body.get("max_completion_tokens")) == 1
    assert "every probed entry answered" in cli("check", str(setup.path), "--probe").out


def test_a_failed_probe_has_its_own_exit_code(on_mock: Any) -> None:
    setup: MockSetup = on_mock("multi-cloud")
    setup.cloud.set_default("bedrock-eu", Fault.unauthorized())
    setup.cloud.down("vertex-us")
    r = cli("check", str(setup.path), "--probe", "--json")
    assert r.code == Exit.PROBE == 5
    providers = by_name(r.json())
    assert providers["bedrock-eu"]["probe"]["status"] == "failed"
    assert providers["bedrock-eu"]["probe"]["error"]["kind"] == "auth"
    assert providers["bedrock-eu"]["probe"]["error"]["status"] == 403
    assert providers["vertex-us"]["probe"]["error"]["kind"] == "connection"
    assert providers["foundry-us"]["probe"]["status"] == "ok"
    assert len(setup.cloud.requests("bedrock-eu")) == 1  # one attempt: a probe never retries or fails over
    text = cli("check", str(setup.path), "--probe")
    assert text.code == 5 and "2 probes failed" in text.out and "failed: auth 403" in text.out


def test_probe_skips_entries_without_credentials_or_aliases(
    tmp_path: Path, on_mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup: MockSetup = on_mock("demo")
    data = yaml.safe_load(setup.path.read_text())
    data["providers"]["foundry"]["api_key"] = "${MR_UNSET_FOR_PROBE}"
    gpt = data["models"]["gpt"]
    gpt["targets"] = [t for t in gpt["targets"] if t["provider"] != "azure-openai"]
    monkeypatch.delenv("MR_UNSET_FOR_PROBE", raising=False)
    path = tmp_path / "partial.yaml"
    path.write_text(yaml.safe_dump(data))
    r = cli("check", str(path), "--probe", "--json")
    providers = by_name(r.json())
    assert r.code == Exit.CREDENTIALS  # missing credentials come before probe results
    assert providers["foundry"]["probe"]["status"] == "skipped"
    assert providers["foundry"]["probe"]["reason"] == "missing credentials: set MR_UNSET_FOR_PROBE"
    assert providers["azure-openai"]["probe"] == {
        "status": "skipped",
        "model": None,
        "latency_s": None,
        "reason": "no alias uses this entry",
        "error": None,
    }
    assert not setup.cloud.requests("foundry") and not setup.cloud.requests("azure-openai")
    assert providers["bedrock"]["probe"]["status"] == "ok"
