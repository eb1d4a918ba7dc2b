"""Every malformed config fails at load with one line that names the field path and says what to do: none
crashes, none loads to fail later, none speaks regex, pydantic or YAML-parser."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

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
        node = node.setdefault(k, {}) if isinstance(node, dict) else node[k]
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


# --- the audit's kinds of malformed config, many cases each ------------------------------------------------

P = "providers.openai"
# (case, config, the path the message must start with, words it must contain)
DICT_CASES: list[tuple[str, dict[str, Any], str, list[str]]] = [
    # accepted, then failed later
    ("deadline true", _with("defaults.deadline_s", True), "defaults.deadline_s", ["not true", "not numbers"]),
    ("deadline false", _with("defaults.deadline_s", False), "defaults.deadline_s", ["not false"]),
    ("attempt timeout as text", _with("defaults.attempt_timeout_s", "30"), "defaults.attempt_timeout_s", ["text '30'"]),
    ("attempt timeout 30s", _with("defaults.attempt_timeout_s", "30s"), "defaults.attempt_timeout_s", ["unquoted"]),
    (
        "timeout 10**12",
        _with("defaults.stall_timeout_s", 10**12),
        "defaults.stall_timeout_s",
        ["at most 3600", "secon"],
    ),
    ("timeout in milliseconds", _with("defaults.deadline_s", 30000), "defaults.deadline_s", ["milliseconds"]),
    ("infinite deadline", _with("defaults.deadline_s", float("inf")), "defaults.deadline_s", ["at most"]),
    ("NaN deadline", _with("defaults.deadline_s", float("nan")), "defaults.deadline_s", ["not a number"]),
    ("alias deadline true", _with("models.gpt.deadline_s", True), "models.gpt.deadline_s", ["not true"]),
    ("provider connect timeout 10**12", _with(f"{P}.connect_timeout_s", 10**12), f"{P}.connect_timeout_s", ["3600"]),
    (
        "cooldown of a year",
        _with("defaults.on_error", {"auth": {"cooldown_s": 31_536_000}}),
        "defaults.on_error.auth.cooldown_s",
        ["at most 86400"],
    ),
    ("breaker open a week", _with("defaults.breaker", {"open_s": 604_800}), "defaults.breaker.open_s", ["86400"]),
    (
        "breaker enabled 'no'",
        _with("defaults.breaker", {"enabled": "no"}),
        "defaults.breaker.enabled",
        ["true or false"],
    ),
    ("breaker failures 2.5", _with("defaults.breaker", {"failures": 2.5}), "defaults.breaker.failures", ["whole"]),
    ("breaker failures true", _with("defaults.breaker", {"failures": True}), "defaults.breaker.failures", ["not true"]),
    ("max_attempts 1e9", _with("defaults.max_attempts", 10**9), "defaults.max_attempts", ["at most 100"]),
    ("max_connections true", _with(f"{P}.max_connections", True), f"{P}.max_connections", ["not true"]),
    (
        "retries as text",
        _with("defaults.on_error", {"timeout": {"retries": "2"}}),
        "on_error.timeout.retries",
        ["text"],
    ),
    ("hedge after_s true", _with("models.gpt.hedge", {"after_s": True}), "models.gpt.hedge.after_s", ["p95"]),
    ("hedge after_s 10**12", _with("models.gpt.hedge", {"after_s": 10**12}), "models.gpt.hedge.after_s", ["3600"]),
    ("hedge share 2", _with("models.gpt.hedge", {"max_share": 2}), "models.gpt.hedge.max_share", ["at most 1"]),
    (
        "min_attempt_s above the deadline",
        _with("defaults", {"deadline_s": 5, "min_attempt_s": 10}),
        "defaults.min_attempt_s",
        ["no attempt could ever start"],
    ),
    (
        "min_attempt_s above an alias deadline",
        _with("models.gpt.deadline_s", 0.1),
        "defaults.min_attempt_s",
        ["models.gpt.deadline_s"],
    ),
    (
        "backoff base above its cap",
        _with("defaults", {"backoff_base_s": 10, "backoff_max_s": 1}),
        "defaults.backoff_base_s",
        ["backoff_max_s"],
    ),
    (
        "entra_id 'yes'",
        {**GOOD, "providers": {"az": {"kind": "azure_openai", "resource": "r", "entra_id": "yes"}}},
        "providers.az.entra_id",
        ["true or false"],
    ),
    # headers
    ("CRLF in a header value", _with(f"{P}.headers", {"x-team": "a\r\nX-Evil: 1"}), f"{P}.headers", ["line break"]),
    ("LF in a header value", _with(f"{P}.headers", {"x-team": "a\nb"}), f"{P}.headers", ["line break"]),
    ("NUL in a header value", _with(f"{P}.headers", {"x-team": "a\x00"}), f"{P}.headers", ["control"]),
    ("non-ASCII header value", _with(f"{P}.headers", {"x-team": "équipe"}), f"{P}.headers", ["ASCII"]),
    ("space in a header name", _with(f"{P}.headers", {"x team": "a"}), f"{P}.headers", ["header name"]),
    ("colon in a header name", _with(f"{P}.headers", {"x-team:": "a"}), f"{P}.headers", ["header name"]),
    (
        "Proxy-Authorization header",
        _with(f"{P}.headers", {"Proxy-Authorization": "Basic x"}),
        f"{P}.headers",
        ["HTTPS_PROXY"],
    ),
    ("Authorization header", _with(f"{P}.headers", {"Authorization": "Bearer x"}), f"{P}.headers", ["api_key"]),
    ("x-api-key header", _with(f"{P}.headers", {"X-Api-Key": "k"}), f"{P}.headers", ["api_key"]),
    ("Cookie header", _with(f"{P}.headers", {"cookie": "s=1"}), f"{P}.headers", ["credentials"]),
    ("Connection header", _with(f"{P}.headers", {"Connection": "close"}), f"{P}.headers", ["transport"]),
    ("Transfer-Encoding header", _with(f"{P}.headers", {"transfer-encoding": "chunked"}), f"{P}.headers", ["remove"]),
    ("Host header", _with(f"{P}.headers", {"Host": "evil"}), f"{P}.headers", ["transport"]),
    ("Content-Length header", _with(f"{P}.headers", {"content-length": "5"}), f"{P}.headers", ["transport"]),
    ("x-amz header", _with(f"{P}.headers", {"x-amz-date": "1"}), f"{P}.headers", ["signer"]),
    ("a header twice in two cases", _with(f"{P}.headers", {"X-Team": "a", "x-team": "b"}), f"{P}.headers", ["twice"]),
    ("a secret reference in a header", _with(f"{P}.headers", {"x-key": "${KEY}"}), f"{P}.headers", ["api_key"]),
    ("headers a list", _with(f"{P}.headers", ["x-team: a"]), f"{P}.headers", ["mapping"]),
    ("a header value a number", _with(f"{P}.headers", {"x-n": 5}), f"{P}.headers.x-n", ["Quote it"]),
    ("CRLF in organization", _with(f"{P}.organization", "org\r\nX: 1"), f"{P}.organization", ["one line"]),
    (
        "CRLF in workspace_id",
        {
            **GOOD,
            "providers": {
                "aws": {"kind": "anthropic_aws", "region": "us-east-1", "api_key": "${K}", "workspace_id": "w\r\nx"}
            },
        },
        "providers.aws.workspace_id",
        ["one line"],
    ),
    # URLs
    ("port 99999", _with(f"{P}.base_url", "https://api.example.com:99999/v1"), f"{P}.base_url", ["port", "65535"]),
    ("port 0", _with(f"{P}.base_url", "http://localhost:0/v1"), f"{P}.base_url", ["port"]),
    ("port not a number", _with(f"{P}.base_url", "http://localhost:80a/v1"), f"{P}.base_url", ["port"]),
    ("no scheme", _with(f"{P}.base_url", "api.openai.com/v1"), f"{P}.base_url", ["http"]),
    ("ftp scheme", _with(f"{P}.base_url", "ftp://api.openai.com"), f"{P}.base_url", ["http"]),
    ("javascript: URL", _with(f"{P}.base_url", "javascript:alert(1)"), f"{P}.base_url", ["http"]),
    ("no host", _with(f"{P}.base_url", "https:///v1"), f"{P}.base_url", ["http"]),
    (
        "credentials in the URL",
        _with(f"{P}.base_url", "https://user:sk-secret@api.openai.com/v1"),
        f"{P}.base_url",
        ["password", "api_key"],
    ),
    ("a query in the URL", _with(f"{P}.base_url", "https://api.openai.com/v1?key=1"), f"{P}.base_url", ["query"]),
    ("a fragment in the URL", _with(f"{P}.base_url", "https://api.openai.com/v1#x"), f"{P}.base_url", ["fragment"]),
    ("a space in the URL", _with(f"{P}.base_url", "https://api.openai.com/v 1"), f"{P}.base_url", ["space"]),
    ("CRLF in the URL", _with(f"{P}.base_url", "https://api.openai.com/\r\nv1"), f"{P}.base_url", ["control"]),
    ("unclosed ${ in the URL", _with(f"{P}.base_url", "https://${HOST/v1"), f"{P}.base_url", ["not closed"]),
    (
        "unclosed ${ at the end",
        _with(f"{P}.base_url", "https://api.example.com/${PATH"),
        f"{P}.base_url",
        ["not closed"],
    ),
    ("empty ${} in the URL", _with(f"{P}.base_url", "https://${}/v1"), f"{P}.base_url", ["${}"]),
    ("a bad name in ${}", _with(f"{P}.base_url", "https://${1HOST}/v1"), f"{P}.base_url", ["${1HOST}"]),
    ("base_url a number", _with(f"{P}.base_url", 8080), f"{P}.base_url", ["Quote it"]),
    # secrets
    ("literal secret", _with(f"{P}.api_key", "sk-live-123"), f"{P}.api_key", ["literal secret", "${MY_API_KEY}"]),
    ("unclosed secret reference", _with(f"{P}.api_key", "${OPENAI_API_KEY"), f"{P}.api_key", ["not closed"]),
    (
        "bad variable name",
        _with(f"{P}.api_key", "${OPENAI-API-KEY}"),
        f"{P}.api_key",
        ["not an environment variable name"],
    ),
    ("secret a number", _with(f"{P}.api_key", 12345), f"{P}.api_key", ["Quote it"]),
    # shapes, names and references
    ("a provider entry that is a string", _with("providers.openai", "openai"), "providers.openai", ["provider entry"]),
    ("an alias that is a list", _with("models.gpt", ["openai:gpt-5"]), "models.gpt", ["an alias", "targets"]),
    ("a target that is a number", _with("models.gpt.targets", [5]), "models.gpt.targets[0]", ["provider:model"]),
    (
        "a target with an empty model",
        _with("models.gpt.targets", ["openai:"]),
        "models.gpt.targets[0]",
        ["provider:model"],
    ),
    (
        "a target model with a newline",
        _with("models.gpt.targets", ["openai:gpt\n5"]),
        "models.gpt.targets[0].model",
        ["model id"],
    ),
    (
        "a target with an unknown field",
        _with("models.gpt.targets", [{"provider": "openai", "model": "x", "weight": 2}]),
        "models.gpt.targets[0]",
        ["unknown field 'weight'"],
    ),
    ("providers a list", _with("providers", ["openai"]), "providers", ["provider names"]),
    ("models a string", _with("models", "gpt"), "models", ["alias names"]),
    ("defaults a list", _with("defaults", [1]), "defaults", ["settings"]),
    (
        "a provider name with a space",
        {**GOOD, "providers": {"my openai": GOOD["providers"]["openai"]}},
        "providers.my openai",
        ["not a valid name"],
    ),
    (
        "an alias name that is a number",
        {**GOOD, "models": {**GOOD["models"], 5: {"targets": ["openai:x"]}}},
        "models",
        ["not text"],
    ),
    ("fallbacks a string", _with("models.claude-sonnet.fallbacks", "gpt"), "models.claude-sonnet.fallbacks", ["list"]),
    (
        "a fallback to an unknown alias",
        _with("models.claude-sonnet.fallbacks", ["gtp"]),
        "models.claude-sonnet.fallbacks[0]",
        ["Did you mean 'gpt'"],
    ),
    (
        "a loop of two",
        _with("models.gpt.fallbacks", ["claude-sonnet"]),
        "models.",
        ["loop", "claude-sonnet -> gpt -> claude-sonnet"],
    ),
    ("an unknown provider kind", _with(f"{P}.kind", "opnai"), f"{P}.kind", ["Did you mean 'openai'"]),
    ("a kind that is a number", _with(f"{P}.kind", 5), f"{P}.kind", ["unknown provider kind"]),
    ("a version that is true", {**GOOD, "version": True}, "version", ["the number 1"]),
    ("a version of 2", {**GOOD, "version": 2}, "version", ["Use one of: 1"]),
    ("an unknown top-level field", {**GOOD, "model": {}}, "model", ["Did you mean 'models'"]),
    ("providers missing", {"models": GOOD["models"]}, "providers", ["is required"]),
    ("an alias with nothing to try", _with("models.gpt", {}), "models.gpt", ["no targets"]),
    ("no aliases", _with("models", {}), "models", ["no aliases"]),
    (
        "a target naming an unknown provider",
        _with("models.gpt.targets", ["opneai:gpt-5"]),
        "models.gpt.targets[0].provider",
        ["Did you mean 'openai'"],
    ),
    (
        "a family that does not exist",
        _with("models.gpt", {"family": "gpt-99", "providers": ["openai"]}),
        "models.gpt.family",
        ["unknown family"],
    ),
    ("family without providers", _with("models.gpt", {"family": "gpt-5"}), "models.gpt", ["together"]),
    (
        "stream_resume a typo",
        _with("models.gpt.stream_resume", "contineu"),
        "models.gpt.stream_resume",
        ["Did you mean 'continue'"],
    ),
    (
        "azure with two credentials",
        {**GOOD, "providers": {"az": {"kind": "azure_openai", "resource": "r", "api_key": "${K}", "entra_id": True}}},
        "providers.az",
        ["exactly one"],
    ),
    (
        "azure resource with a dot",
        {**GOOD, "providers": {"az": {"kind": "azure_openai", "resource": "a.b", "api_key": "${K}"}}},
        "providers.az.resource",
        ["Azure resource name"],
    ),
    (
        "vertex without a region",
        {**GOOD, "providers": {"v": {"kind": "vertex", "project": "p", "access_token": "${T}"}}},
        "providers.v.region",
        ["is required"],
    ),
    (
        "bedrock region in capitals",
        {**GOOD, "providers": {"b": {"kind": "bedrock", "region": "US-EAST-1", "api_key": "${K}"}}},
        "providers.b.region",
        ["AWS region", "us-east-1"],
    ),
    (
        "an error kind that does not exist",
        _with("defaults.on_error", {"boom": {"action": "stop"}}),
        "defaults.on_error.boom",
        ["unknown key"],
    ),
    ("an on_error that is a list", _with("defaults.on_error", ["timeout"]), "defaults.on_error", ["mapping"]),
    (
        "a typo in a breaker field",
        _with("defaults.breaker", {"failurs": 3}),
        "defaults.breaker",
        ["Did you mean 'failures'"],
    ),
    ("a typo in a hedge field", _with("models.gpt.hedge", {"after": 1}), "models.gpt.hedge", ["after_s"]),
    (
        "an empty model id in deployments",
        {
            **GOOD,
            "providers": {**GOOD["providers"], "az": {"kind": "azure_openai", "resource": "r", "api_key": "${K}"}},
            "models": {"g": {"family": "gpt-5", "providers": ["az"], "deployments": {"az": ""}}},
        },
        "models.g.deployments.az",
        ["empty"],
    ),
    ("a region with a newline", _with(f"{P}.region", "eu\nwest"), f"{P}.region", ["one line"]),
    (
        "an api_version that YAML reads as a date",
        {
            **GOOD,
            "providers": {
                "az": {
                    "kind": "azure_openai",
                    "resource": "r",
                    "api_key": "${K}",
                    "api_version": __import__("datetime").date(2024, 10, 21),
                }
            },
            "models": {"g": {"targets": ["az:d"]}},
        },
        "providers.az.api_version",
        ["date", 'Quote it: api_version: "2024-10-21"'],
    ),
]

# Raw text files: the YAML itself is malformed, or not text at all.
FILE_CASES: list[tuple[str, bytes, str, list[str]]] = [
    (
        "not UTF-8",
        b"providers:\n  o: {kind: openai}\n  \xff\xfe: x\n",
        "c.yaml:3:3",
        ["not UTF-8", "Save the file as UTF-8"],
    ),
    ("Latin-1", "providers:\n  caf\u00e9: {kind: openai}\n".encode("latin-1"), "c.yaml:2:", ["UTF-8"]),
    ("a NUL byte", b"providers:\n  o: {kind: openai\x00}\n", "c.yaml:2:19", ["NUL"]),
    ("a control character", b"models:\n  g: \x1b[31m\n", "c.yaml:2:6", ["control character U+001B"]),
    ("an unhashable key", b"providers:\n  ? [a, b]\n  : 1\n", "c.yaml:2:", ["a key is a list"]),
    ("a mapping as a key", b"providers:\n  {a: 1}: x\n", "c.yaml:2:", ["a key is a list or a mapping"]),
    ("5,000-deep nesting", b"providers: " + b"[" * 5000 + b"]" * 5000 + b"\n", "c.yaml:1:", ["deeper than 64"]),
    (
        "5,000-deep block nesting",
        ("".join(" " * i + f"k{i}:\n" for i in range(2000))).encode(),
        "c.yaml:",
        ["deeper than 64"],
    ),
    (
        "a billion laughs",
        b"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + b"".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n".encode() for i in range(8)
        ),
        "c.yaml:",
        ["expands to more than 1,000,000 values"],
    ),
    (
        "an unquoted ${} in a flow mapping",
        b"providers:\n  o: {kind: openai, api_key: ${OPENAI_API_KEY}}\n",
        "c.yaml:2:30",
        ['Quote it: "${OPENAI_API_KEY}"'],
    ),
    ("an unquoted ${} in a flow list", b"models:\n  g: {targets: [${TARGET}]}\n", "c.yaml:2:17", ['"${TARGET}"']),
    (
        "an unquoted ${} inside a flow value",
        b"providers:\n  o: {kind: openai, base_url: https://${HOST}/v1}\n",
        "c.yaml:2:39",
        ['"${HOST}"'],
    ),
    ("a tab", b"providers:\n\to: {kind: openai}\n", "c.yaml:2:", ["tab", "spaces"]),
    ("a colon in a plain value", b"models:\n  g:\n    description: a: b\n", "c.yaml:3:", ["':'", "Quote"]),
    ("bad indentation", b"providers:\n  o:\n    kind: openai\n   api_key: x\n", "c.yaml:4:", ["indentation"]),
    (
        "an unclosed flow mapping",
        b"providers:\n  o: {kind: openai, api_key: '${K}'\nmodels: {}\n",
        "c.yaml:",
        ["not closed", "'}'"],
    ),
    ("an unclosed flow list", b"models:\n  g: {targets: ['o:x'}\n", "c.yaml:2:", ["not closed"]),
    ("an unclosed quote", b'providers:\n  o: {kind: "openai}\n', "c.yaml:", ["quote"]),
    ("an undefined alias", b"providers:\n  o: *nothing\n", "c.yaml:2:", ["anchor"]),
    ("a python tag", b"providers: !!python/object:os.system {}\n", "c.yaml:1:", ["tags like !!python"]),
    ("a list at the top", b"- providers\n- models\n", "c.yaml", ["mapping", "providers:"]),
    ("an empty file", b"", "c.yaml", ["empty"]),
    ("only comments", b"# nothing here\n", "c.yaml", ["empty"]),
    (
        "a duplicate key",
        b"providers:\n  o: {kind: openai, api_key: '${K}'}\n  o: {kind: openai}\n",
        "c.yaml:3:3",
        ["'o' appears twice"],
    ),
]

_UNACTIONABLE = re.compile(
    r"String should|Input should|\^\[|\\d|Spec\b|ProviderSpec|TargetSpec|AliasSpec|DefaultsSpec|while parsing|"
    r"expected <|but found|but got|did not find expected|pydantic|Value error|function-"
)


def _assert_good_message(message: str, path: str, words: list[str]) -> None:
    assert "\n" not in message, f"not one line: {message!r}"
    head = message.split(" ", maxsplit=1)[0]
    assert message.startswith(path) or path in head, f"{message!r} does not start with {path!r}"
    for w in words:
        assert w in message, f"{message!r} lacks {w!r}"
    assert not _UNACTIONABLE.search(message), f"unactionable wording in {message!r}"
    assert message.rstrip().endswith("."), message


@pytest.mark.parametrize(("config", "path", "words"), [c[1:] for c in DICT_CASES], ids=[c[0] for c in DICT_CASES])
def test_malformed_dict(config: dict[str, Any], path: str, words: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(config, env={})
    _assert_good_message(str(info.value), path, words)


@pytest.mark.parametrize(("text", "path", "words"), [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES])
@pytest.mark.parametrize("libyaml", [True, False], ids=["libyaml", "pure"])
def test_malformed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: bytes, path: str, words: list[str], libyaml: bool
) -> None:
    import yaml

    if not libyaml:
        monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    p = tmp_path / "c.yaml"
    p.write_bytes(text)
    with pytest.raises(ConfigError) as info:
        load_config(p, env={})
    message = str(info.value).replace(str(tmp_path) + "/", "")
    _assert_good_message(message, path, words)


def test_paths_that_are_not_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory, not a config file"):
        load_config(tmp_path, env={})
    with pytest.raises(ConfigError, match="no config file at"):
        load_config(tmp_path / "missing.yaml", env={})
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config(str(tmp_path / ("x" * 5000)), env={})  # a name too long for the file system
    with pytest.raises(ConfigError, match="a YAML file's path or a dict, not bytes"):
        load_config(b"providers: {}", env={})  # type: ignore[arg-type]


def test_a_dict_source_nested_past_the_interpreter_limit() -> None:
    deep: Any = {}
    for _ in range(100_000):
        deep = {"x": deep}
    with pytest.raises(ConfigError):
        load_config({"providers": deep, "models": {}}, env={})


def test_the_table_is_large() -> None:
    assert len(DICT_CASES) + len(FILE_CASES) >= 120


def test_a_keyless_openai_entry_loads() -> None:
    cfg = load_config(_with(f"{P}.api_key", None), env={})
    assert cfg.spec.providers["openai"].api_key is None  # type: ignore[union-attr]
    with pytest.raises(ConfigError, match=f"{P}.api_key: is required"):  # left out by mistake: still an error
        load_config(_with(f"{P}.api_key", ...), env={})


def test_yaml_anchors_and_merge_keys_work(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text(
        "x-common: &common {kind: openai, api_key: '${K}', max_connections: 8}\n"
        "providers:\n  a: {<<: *common, max_connections: 16}\n  b: *common\n"
        "models:\n  g: {targets: ['a:x', 'b:y']}\n".replace("x-common", "models_common")
    )
    with pytest.raises(ConfigError, match="unknown field 'models_common'"):
        load_config(p, env={})  # a stray top-level key is still refused, even as an anchor holder
    p.write_text(
        "providers:\n  a: &common {kind: openai, api_key: '${K}', max_connections: 8}\n"
        "  b: {<<: *common, max_connections: 16}\nmodels:\n  g: {targets: ['a:x', 'b:y']}\n"
    )
    cfg = load_config(p, env={})
    assert [p.max_connections for p in cfg.spec.providers.values()] == [8, 16]


# --- garbage anywhere: only ConfigError ---------------------------------------------------------------------------

junk = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**15), max_value=10**15),
        st.floats(allow_nan=True),
        st.text(max_size=12),
        st.sampled_from(["${K}", "${", "https://x:99999", "a\r\nb", "openai", "p:m", "1e12", 10**12]),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6,
)


RICH: dict[str, Any] = {
    "providers": {
        "openai": {
            "kind": "openai",
            "api_key": "${K}",
            "base_url": "https://api.example.com/v1",
            "headers": {"x-team": "search"},
            "connect_timeout_s": 2,
            "organization": "org-1",
        },
        "anthropic": {"kind": "anthropic", "api_key": "${K}", "max_connections": 8},
        "az": {"kind": "azure_openai", "resource": "r", "api_key": "${K}", "api_version": "2024-10-21"},
    },
    "models": {
        "claude": {
            "targets": ["anthropic:claude-sonnet-4-5"],
            "fallbacks": ["gpt"],
            "deadline_s": 30,
            "breaker": {"failures": 3},
            "hedge": {"after_s": 1.5},
            "on_error": {"refusal": {"action": "failover"}},
        },
        "gpt": {"targets": [{"provider": "openai", "model": "gpt-5"}, "az:gpt5-prod"], "stream_resume": "continue"},
    },
    "defaults": {"deadline_s": 60, "stall_timeout_s": 10, "on_error": {"auth": {"cooldown_s": 600}}},
}


@seed(20260903)
@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_bad_value_anywhere_is_a_config_error(data: Any) -> None:
    load_config(RICH, env={})
    cfg: Any = copy.deepcopy(RICH)
    parent: Any = None
    key: Any = None
    node = cfg
    while isinstance(node, dict | list) and node and data.draw(st.integers(0, 5)):  # walk down, a random way
        key = data.draw(st.sampled_from(list(node) if isinstance(node, dict) else list(range(len(node)))))
        parent, node = node, node[key]
    value = data.draw(junk)
    if parent is None:
        cfg = value
    else:
        parent[key] = value
    try:
        load_config(cfg, env={})
    except ConfigError as e:
        message = str(e)
        assert "\n" not in message and not _UNACTIONABLE.search(message), message
