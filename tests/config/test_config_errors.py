"""Every malformed config fails at load with one line that names the field path and says what to do."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from modelroute import ConfigError, CredentialError, load_config
from modelroute.config import resolve_env

GOOD: dict[str, Any] = {
    "providers": {
        "openai": {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
        "anthropic": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
    },
    "models": {
        "claude-sonnet": {"targets": [{"provider": "anthropic", "model": "claude-sonnet-5-5"}], "fallbacks": ["gpt"]},
        "gpt": {"targets": ["openai:gpt-5.5"]},
    },
    "defaults": {"deadline_s": 60, "attempt_timeout_s": 30},
}


def _with(path: str, value: Any) -> dict[str, Any]:
    """GOOD with one value set (``a.b[0].c``); ``...`` deletes it."""
    cfg = copy.deepcopy(GOOD)
    keys: list[Any] = []
    for part in path.replace("]", "").split("."):
        name, *idx = part.split("[")
        keys.append(name)
        keys.extend(int(i) for i in idx)
    node: Any = cfg
    for k in keys[:-1]:
        node = node[k]
    if value is ...:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return cfg


# (config, the field path the message must name, words the message must contain)
CASES: list[tuple[str, dict[str, Any], str, list[str]]] = [
    ("literal secret", _with("providers.openai.api_key", "sk-live-123"), "providers.openai.api_key", ["${"]),
    ("unknown kind", _with("providers.openai.kind", "opnai"), "providers.openai.kind", ["opnai", "openai"]),
    ("missing kind", _with("providers.openai.kind", ...), "providers.openai.kind", ["required"]),
    ("missing api_key", _with("providers.openai.api_key", ...), "providers.openai.api_key", ["required"]),
    ("typo in provider field", _with("providers.openai.base_ulr", "https://x"), "providers.openai", ["base_url"]),
    ("bad base_url", _with("providers.openai.base_url", "api.openai.com"), "providers.openai.base_url", ["http"]),
    (
        "unknown provider in target",
        _with("models.claude-sonnet.targets[0].provider", "anthropc"),
        "models.claude-sonnet.targets[0].provider",
        ["anthropc", "anthropic"],
    ),
    ("target without model", _with("models.claude-sonnet.targets[0].model", ...), "targets[0].model", ["required"]),
    ("shorthand without model", _with("models.gpt.targets", ["openai"]), "models.gpt.targets[0]", ["provider:model"]),
    (
        "unknown fallback",
        _with("models.claude-sonnet.fallbacks", ["gtp"]),
        "models.claude-sonnet.fallbacks[0]",
        ["gpt"],
    ),
    ("self fallback", _with("models.gpt.fallbacks", ["gpt"]), "models.gpt.fallbacks[0]", ["itself"]),
    (
        "fallback loop",
        _with("models.gpt.fallbacks", ["claude-sonnet"]),
        "fallbacks",
        ["loop", "claude-sonnet -> gpt -> claude-sonnet"],
    ),
    ("alias with nothing", _with("models.gpt", {}), "models.gpt", ["no targets"]),
    ("no aliases", _with("models", {}), "models", ["alias"]),
    ("missing models", _with("models", ...), "models", ["required"]),
    ("missing providers", _with("providers", ...), "providers", ["required"]),
    ("negative deadline", _with("defaults.deadline_s", -5), "defaults.deadline_s", ["greater than 0"]),
    ("deadline not a number", _with("defaults.deadline_s", "soon"), "defaults.deadline_s", ["number"]),
    (
        "alias attempt timeout zero",
        _with("models.gpt.attempt_timeout_s", 0),
        "models.gpt.attempt_timeout_s",
        ["greater"],
    ),
    ("unknown defaults field", _with("defaults.deadline", 5), "defaults", ["deadline_s"]),
    (
        "unknown error kind",
        _with("models.gpt.on_error", {"rate_limitd": {"action": "stop"}}),
        "models.gpt.on_error.rate_limitd",
        ["rate_limited"],
    ),
    (
        "unknown action",
        _with("defaults.on_error", {"server_error": {"action": "retri"}}),
        "defaults.on_error.server_error.action",
        ["failover", "stop"],
    ),
    ("too many retries", _with("defaults.on_error", {"timeout": {"retries": 99}}), "on_error.timeout.retries", ["10"]),
    (
        "breaker failure rate over 1",
        _with("defaults.breaker", {"failure_rate": 2}),
        "defaults.breaker.failure_rate",
        ["1"],
    ),
    (
        "unknown breaker count kind",
        _with("models.gpt.breaker", {"count": ["timout"]}),
        "models.gpt.breaker.count[0]",
        ["timeout"],
    ),
    (
        "bad stream_resume",
        _with("models.gpt.stream_resume", "resume"),
        "models.gpt.stream_resume",
        ["error", "continue"],
    ),
    ("hedge after_s word", _with("models.gpt.hedge", {"after_s": "p99"}), "models.gpt.hedge.after_s", ["p95"]),
    ("hedge share zero", _with("models.gpt.hedge", {"max_share": 0}), "models.gpt.hedge.max_share", ["greater"]),
    ("zero max_attempts", _with("defaults.max_attempts", 0), "defaults.max_attempts", ["at least 1"]),
    (
        "credential header",
        _with("providers.openai.headers", {"Authorization": "Bearer x"}),
        "providers.openai.headers",
        ["api_key"],
    ),
    (
        "bad provider name",
        _with("providers", {"my provider": GOOD["providers"]["openai"]}),
        "providers.my provider",
        ["name"],
    ),
    ("unknown top-level field", {**GOOD, "model": {}}, "model", ["models"]),
    ("wrong version", {**GOOD, "version": 2}, "version", ["1"]),
    ("targets not a list", _with("models.gpt.targets", "openai:gpt-5.5"), "models.gpt.targets", ["list"]),
    (
        "max_connections zero",
        _with("providers.anthropic.max_connections", 0),
        "providers.anthropic.max_connections",
        ["greater"],
    ),
]


@pytest.mark.parametrize(("config", "path", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_config_names_the_field(config: dict[str, Any], path: str, words: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(config)
    message = str(info.value)
    assert "\n" not in message, "one line"
    assert path in message, f"{message!r} does not name {path!r}"
    for w in words:
        assert w in message, f"{message!r} lacks {w!r}"


def test_at_least_twenty_malformed_cases() -> None:
    assert len(CASES) >= 20


def test_good_config_loads_without_any_secret_set() -> None:
    cfg = load_config(GOOD, env={})
    assert set(cfg.spec.models) == {"claude-sonnet", "gpt"}
    assert cfg.spec.models["gpt"].targets[0].model == "gpt-5.5"


def test_secret_resolves_at_use_and_names_the_variable() -> None:
    with pytest.raises(CredentialError, match="OPENAI_API_KEY") as info:
        resolve_env("${OPENAI_API_KEY}", {}, "providers.openai.api_key")
    assert "providers.openai.api_key" in str(info.value)
    assert resolve_env("${K}", {"K": "v"}, "x") == "v"
    assert resolve_env("https://${HOST}/v1", {"HOST": "h"}, "x") == "https://h/v1"


def test_yaml_file_errors_name_the_line(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text('providers:\n  a: {kind: openai, api_key: "${K}"}\n  a: {kind: openai, api_key: "${K}"}\nmodels: {}\n')
    with pytest.raises(ConfigError, match=r"c\.yaml:3.*'a' appears twice"):
        load_config(p)
    p.write_text("providers: [unclosed\n")
    with pytest.raises(ConfigError, match=r"c\.yaml:\d+:\d+.*not valid YAML"):
        load_config(p)
    with pytest.raises(ConfigError, match="no config file"):
        load_config(tmp_path / "missing.yaml")
    p.write_text("- just\n- a list\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_config(p)


def test_config_error_is_a_value_error_under_the_root() -> None:
    from modelroute import ModelRouteError

    with pytest.raises(ModelRouteError):
        load_config({"providers": {}, "models": {}})
    with pytest.raises(ValueError, match="models"):
        load_config({"providers": {}, "models": {}})
