"""The Azure and Google provider kinds at load time: credentials, endpoints, and the extras they need."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from modelroute import ConfigError, MissingDependencyError, load_config


def cfg(**provider: Any) -> dict[str, Any]:
    return {"providers": {"p": provider}, "models": {"m": {"targets": ["p:x"]}}}


BAD: list[tuple[dict[str, Any], str, str]] = [
    (cfg(kind="azure_openai", resource="r"), "providers.p", "set exactly one of api_key"),
    (cfg(kind="azure_openai", resource="r", api_key="${K}", entra_id=True), "providers.p", "got api_key, entra_id"),
    (cfg(kind="azure_openai", api_key="${K}"), "providers.p", "set exactly one of resource"),
    (cfg(kind="azure_openai", resource="r", base_url="https://x", api_key="${K}"), "providers.p", "resource"),
    (cfg(kind="azure_openai", resource="my res", api_key="${K}"), "providers.p.resource", "Azure resource name"),
    (cfg(kind="azure_openai", resource="r", api_key="sk-literal"), "providers.p.api_key", "environment variable"),
    (cfg(kind="azure_foundry", resource="r", access_token="eyJ0"), "providers.p.access_token", "environment variable"),
    (cfg(kind="azure_foundry", resource="r", api_key="${K}", api_version="v1"), "providers.p", "unknown field"),
    (cfg(kind="vertex", region="us-east5", access_token="${T}"), "providers.p.project", "is required"),
    (cfg(kind="vertex", project="p", access_token="${T}"), "providers.p.region", "is required"),
    (cfg(kind="vertex", project="p", region="US East", access_token="${T}"), "providers.p.region", "Vertex location"),
    (cfg(kind="vertex", project="p", region="us", acess_token="${T}"), "providers.p", "Did you mean 'access_token'"),
    (cfg(kind="azure-openai", resource="r"), "providers.p.kind", "Did you mean 'azure_openai'"),
]  # fmt: skip


@pytest.mark.parametrize(("config", "path", "words"), BAD, ids=[f"{b[1]}-{b[2][:20]}" for b in BAD])
def test_bad_cloud_config_names_the_field(config: dict[str, Any], path: str, words: str) -> None:
    with pytest.raises(ConfigError) as e:
        load_config(config, env={})
    assert e.value.path == path
    assert words in str(e.value)


@pytest.mark.parametrize(
    ("config", "module", "field", "extra"),
    [
        (cfg(kind="azure_openai", resource="r", entra_id=True), "azure.identity", "providers.p.entra_id", "azure"),
        (cfg(kind="azure_foundry", resource="r", entra_id=True), "azure.identity", "providers.p.entra_id", "azure"),
        (cfg(kind="vertex", project="p", region="us-east5"), "google.auth", "providers.p.access_token", "vertex"),
        (cfg(kind="vertex", project="p", region="us-east5"), "requests", "providers.p.access_token", "vertex"),
    ],
)
def test_a_missing_extra_fails_at_load_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, config: dict[str, Any], module: str, field: str, extra: str
) -> None:
    load_config(config, env={})  # installed here (the test extra): loads
    monkeypatch.setitem(sys.modules, module, None)  # as if it were not installed
    with pytest.raises(MissingDependencyError) as e:
        load_config(config, env={})
    assert e.value.path == field and e.value.extra == extra
    assert f"pip install 'modelroute[{extra}]'" in str(e.value)


def test_credentials_that_need_no_extra_load_without_one(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in ("azure.identity", "google.auth", "requests"):
        monkeypatch.setitem(sys.modules, module, None)
    load_config(cfg(kind="azure_openai", resource="r", api_key="${K}"), env={})
    load_config(cfg(kind="azure_foundry", resource="r", access_token="${T}"), env={})
    load_config(cfg(kind="vertex", project="p", region="global", access_token="${T}"), env={})


def test_import_modelroute_imports_no_cloud_sdk() -> None:
    code = (
        "import sys, modelroute, modelroute.routes, modelroute.testing;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('azure', 'google', 'requests', 'msal', 'anthropic', 'openai'));"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_loading_a_config_that_uses_the_extras_does_not_import_them() -> None:
    """The check finds the modules without importing them (only the empty namespace parents are touched)."""
    code = (
        "import sys; from modelroute import load_config;"
        "load_config({'providers': {'a': {'kind': 'azure_openai', 'resource': 'r', 'entra_id': True},"
        " 'v': {'kind': 'vertex', 'project': 'p', 'region': 'us'}}, 'models': {'m': {'targets': ['a:x', 'v:y']}}});"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('requests', 'msal')"
        " or m.startswith(('azure.identity', 'azure.core', 'google.auth'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
