"""Malformed configs, as an audit writes them: each is one `ConfigError` line that names the field path and says
what to do; none crashes, none loads to fail later, none speaks regex, pydantic or YAML-parser."""

from __future__ import annotations

import builtins
import copy
import re
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from modelroute import ConfigError, load_config

GOOD: dict[str, Any] = {
    "providers": {
        "openai": {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
        "anthropic": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
    },
    "models": {
        "claude": {"targets": ["anthropic:claude-sonnet-4-5"], "fallbacks": ["gpt"]},
        "gpt": {"targets": [{"provider": "openai", "model": "gpt-5"}]},
    },
}


def at(path: str, value: Any) -> dict[str, Any]:
    """GOOD with the value at ``a.b[0].c`` set (``...`` deletes it)."""
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


P = "providers.openai"
# (case, config, the path the message must start with, words it must contain)
DICT_CASES: list[tuple[str, dict[str, Any], str, list[str]]] = [
    # accepted, then failed later
    ("deadline true", at("defaults.deadline_s", True), "defaults.deadline_s", ["not true", "not numbers"]),
    ("deadline false", at("defaults.deadline_s", False), "defaults.deadline_s", ["not false"]),
    ("attempt timeout as text", at("defaults.attempt_timeout_s", "30"), "defaults.attempt_timeout_s", ["text '30'"]),
    ("attempt timeout 30s", at("defaults.attempt_timeout_s", "30s"), "defaults.attempt_timeout_s", ["unquoted"]),
    ("timeout 10**12", at("defaults.stall_timeout_s", 10**12), "defaults.stall_timeout_s", ["at most 3600", "secon"]),
    ("timeout in milliseconds", at("defaults.deadline_s", 30000), "defaults.deadline_s", ["milliseconds"]),
    ("infinite deadline", at("defaults.deadline_s", float("inf")), "defaults.deadline_s", ["at most"]),
    ("NaN deadline", at("defaults.deadline_s", float("nan")), "defaults.deadline_s", ["not a number"]),
    ("alias deadline true", at("models.gpt.deadline_s", True), "models.gpt.deadline_s", ["not true"]),
    ("provider connect timeout 10**12", at(f"{P}.connect_timeout_s", 10**12), f"{P}.connect_timeout_s", ["3600"]),
    (
        "cooldown of a year",
        at("defaults.on_error", {"auth": {"cooldown_s": 31_536_000}}),
        "defaults.on_error.auth.cooldown_s",
        ["at most 86400"],
    ),
    ("breaker open a week", at("defaults.breaker", {"open_s": 604_800}), "defaults.breaker.open_s", ["86400"]),
    ("breaker enabled 'no'", at("defaults.breaker", {"enabled": "no"}), "defaults.breaker.enabled", ["true or false"]),
    ("breaker failures 2.5", at("defaults.breaker", {"failures": 2.5}), "defaults.breaker.failures", ["whole"]),
    ("breaker failures true", at("defaults.breaker", {"failures": True}), "defaults.breaker.failures", ["not true"]),
    ("max_attempts 1e9", at("defaults.max_attempts", 10**9), "defaults.max_attempts", ["at most 100"]),
    ("max_connections true", at(f"{P}.max_connections", True), f"{P}.max_connections", ["not true"]),
    ("retries as text", at("defaults.on_error", {"timeout": {"retries": "2"}}), "on_error.timeout.retries", ["text"]),
    ("hedge after_s true", at("models.gpt.hedge", {"after_s": True}), "models.gpt.hedge.after_s", ["p95"]),
    ("hedge after_s 10**12", at("models.gpt.hedge", {"after_s": 10**12}), "models.gpt.hedge.after_s", ["3600"]),
    ("hedge share 2", at("models.gpt.hedge", {"max_share": 2}), "models.gpt.hedge.max_share", ["at most 1"]),
    (
        "min_attempt_s above the deadline",
        at("defaults", {"deadline_s": 5, "min_attempt_s": 10}),
        "defaults.min_attempt_s",
        ["no attempt could ever start"],
    ),
    (
        "min_attempt_s above an alias deadline",
        at("models.gpt.deadline_s", 0.1),
        "defaults.min_attempt_s",
        ["models.gpt.deadline_s"],
    ),
    (
        "backoff base above its cap",
        at("defaults", {"backoff_base_s": 10, "backoff_max_s": 1}),
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
    ("CRLF in a header value", at(f"{P}.headers", {"x-team": "a\r\nX-Evil: 1"}), f"{P}.headers", ["line break"]),
    ("LF in a header value", at(f"{P}.headers", {"x-team": "a\nb"}), f"{P}.headers", ["line break"]),
    ("NUL in a header value", at(f"{P}.headers", {"x-team": "a\x00"}), f"{P}.headers", ["control"]),
    ("non-ASCII header value", at(f"{P}.headers", {"x-team": "équipe"}), f"{P}.headers", ["ASCII"]),
    ("space in a header name", at(f"{P}.headers", {"x team": "a"}), f"{P}.headers", ["header name"]),
    ("colon in a header name", at(f"{P}.headers", {"x-team:": "a"}), f"{P}.headers", ["header name"]),
    (
        "Proxy-Authorization header",
        at(f"{P}.headers", {"Proxy-Authorization": "Basic x"}),
        f"{P}.headers",
        ["HTTPS_PROXY"],
    ),
    ("Authorization header", at(f"{P}.headers", {"Authorization": "Bearer x"}), f"{P}.headers", ["api_key"]),
    ("x-api-key header", at(f"{P}.headers", {"X-Api-Key": "k"}), f"{P}.headers", ["api_key"]),
    ("Cookie header", at(f"{P}.headers", {"cookie": "s=1"}), f"{P}.headers", ["credentials"]),
    ("Connection header", at(f"{P}.headers", {"Connection": "close"}), f"{P}.headers", ["transport"]),
    ("Transfer-Encoding header", at(f"{P}.headers", {"transfer-encoding": "chunked"}), f"{P}.headers", ["remove"]),
    ("Host header", at(f"{P}.headers", {"Host": "evil"}), f"{P}.headers", ["transport"]),
    ("Content-Length header", at(f"{P}.headers", {"content-length": "5"}), f"{P}.headers", ["transport"]),
    ("x-amz header", at(f"{P}.headers", {"x-amz-date": "1"}), f"{P}.headers", ["signer"]),
    ("a header twice in two cases", at(f"{P}.headers", {"X-Team": "a", "x-team": "b"}), f"{P}.headers", ["twice"]),
    ("a secret reference in a header", at(f"{P}.headers", {"x-key": "${KEY}"}), f"{P}.headers", ["api_key"]),
    ("headers a list", at(f"{P}.headers", ["x-team: a"]), f"{P}.headers", ["mapping"]),
    ("a header value a number", at(f"{P}.headers", {"x-n": 5}), f"{P}.headers.x-n", ["Quote it"]),
    ("CRLF in organization", at(f"{P}.organization", "org\r\nX: 1"), f"{P}.organization", ["one line"]),
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
    ("port 99999", at(f"{P}.base_url", "https://api.example.com:99999/v1"), f"{P}.base_url", ["port", "65535"]),
    ("port 0", at(f"{P}.base_url", "http://localhost:0/v1"), f"{P}.base_url", ["port"]),
    ("port not a number", at(f"{P}.base_url", "http://localhost:80a/v1"), f"{P}.base_url", ["port"]),
    ("no scheme", at(f"{P}.base_url", "api.openai.com/v1"), f"{P}.base_url", ["http"]),
    ("ftp scheme", at(f"{P}.base_url", "ftp://api.openai.com"), f"{P}.base_url", ["http"]),
    ("javascript: URL", at(f"{P}.base_url", "javascript:alert(1)"), f"{P}.base_url", ["http"]),
    ("no host", at(f"{P}.base_url", "https:///v1"), f"{P}.base_url", ["http"]),
    (
        "credentials in the URL",
        at(f"{P}.base_url", "https://user:sk-secret@api.openai.com/v1"),
        f"{P}.base_url",
        ["password", "api_key"],
    ),
    ("a query in the URL", at(f"{P}.base_url", "https://api.openai.com/v1?key=1"), f"{P}.base_url", ["query"]),
    ("a fragment in the URL", at(f"{P}.base_url", "https://api.openai.com/v1#x"), f"{P}.base_url", ["fragment"]),
    ("a space in the URL", at(f"{P}.base_url", "https://api.openai.com/v 1"), f"{P}.base_url", ["space"]),
    ("CRLF in the URL", at(f"{P}.base_url", "https://api.openai.com/\r\nv1"), f"{P}.base_url", ["control"]),
    ("unclosed ${ in the URL", at(f"{P}.base_url", "https://${HOST/v1"), f"{P}.base_url", ["not closed"]),
    ("unclosed ${ at the end", at(f"{P}.base_url", "https://api.example.com/${PATH"), f"{P}.base_url", ["not closed"]),
    ("empty ${} in the URL", at(f"{P}.base_url", "https://${}/v1"), f"{P}.base_url", ["${}"]),
    ("a bad name in ${}", at(f"{P}.base_url", "https://${1HOST}/v1"), f"{P}.base_url", ["${1HOST}"]),
    ("base_url a number", at(f"{P}.base_url", 8080), f"{P}.base_url", ["Quote it"]),
    # secrets
    ("literal secret", at(f"{P}.api_key", "sk-live-123"), f"{P}.api_key", ["literal secret", "${MY_API_KEY}"]),
    ("unclosed secret reference", at(f"{P}.api_key", "${OPENAI_API_KEY"), f"{P}.api_key", ["not closed"]),
    (
        "bad variable name",
        at(f"{P}.api_key", "${OPENAI-API-KEY}"),
        f"{P}.api_key",
        ["not an environment variable name"],
    ),
    ("secret a number", at(f"{P}.api_key", 12345), f"{P}.api_key", ["Quote it"]),
    # shapes, names and references
    ("a provider entry that is a string", at("providers.openai", "openai"), "providers.openai", ["provider entry"]),
    ("an alias that is a list", at("models.gpt", ["openai:gpt-5"]), "models.gpt", ["an alias", "targets"]),
    ("a target that is a number", at("models.gpt.targets", [5]), "models.gpt.targets[0]", ["provider:model"]),
    (
        "a target with an empty model",
        at("models.gpt.targets", ["openai:"]),
        "models.gpt.targets[0]",
        ["provider:model"],
    ),
    (
        "a target model with a newline",
        at("models.gpt.targets", ["openai:gpt\n5"]),
        "models.gpt.targets[0].model",
        ["model id"],
    ),
    (
        "a target with an unknown field",
        at("models.gpt.targets", [{"provider": "openai", "model": "x", "weight": 2}]),
        "models.gpt.targets[0]",
        ["unknown field 'weight'"],
    ),
    ("providers a list", at("providers", ["openai"]), "providers", ["provider names"]),
    ("models a string", at("models", "gpt"), "models", ["alias names"]),
    ("defaults a list", at("defaults", [1]), "defaults", ["settings"]),
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
    ("fallbacks a string", at("models.claude.fallbacks", "gpt"), "models.claude.fallbacks", ["list"]),
    (
        "a fallback to an unknown alias",
        at("models.claude.fallbacks", ["gtp"]),
        "models.claude.fallbacks[0]",
        ["Did you mean 'gpt'"],
    ),
    ("a loop of two", at("models.gpt.fallbacks", ["claude"]), "models.", ["loop", "claude -> gpt -> claude"]),
    ("an unknown provider kind", at(f"{P}.kind", "opnai"), f"{P}.kind", ["Did you mean 'openai'"]),
    ("a kind that is a number", at(f"{P}.kind", 5), f"{P}.kind", ["unknown provider kind"]),
    ("a version that is true", {**GOOD, "version": True}, "version", ["the number 1"]),
    ("a version of 2", {**GOOD, "version": 2}, "version", ["Use one of: 1"]),
    ("an unknown top-level field", {**GOOD, "model": {}}, "model", ["Did you mean 'models'"]),
    ("providers missing", {"models": GOOD["models"]}, "providers", ["is required"]),
    ("an alias with nothing to try", at("models.gpt", {}), "models.gpt", ["no targets"]),
    ("no aliases", at("models", {}), "models", ["no aliases"]),
    (
        "a target naming an unknown provider",
        at("models.gpt.targets", ["opneai:gpt-5"]),
        "models.gpt.targets[0].provider",
        ["Did you mean 'openai'"],
    ),
    (
        "a family that does not exist",
        at("models.gpt", {"family": "gpt-99", "providers": ["openai"]}),
        "models.gpt.family",
        ["unknown family"],
    ),
    ("family without providers", at("models.gpt", {"family": "gpt-5"}), "models.gpt", ["together"]),
    (
        "stream_resume a typo",
        at("models.gpt.stream_resume", "contineu"),
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
        at("defaults.on_error", {"boom": {"action": "stop"}}),
        "defaults.on_error.boom",
        ["unknown key"],
    ),
    ("an on_error that is a list", at("defaults.on_error", ["timeout"]), "defaults.on_error", ["mapping"]),
    (
        "a typo in a breaker field",
        at("defaults.breaker", {"failurs": 3}),
        "defaults.breaker",
        ["Did you mean 'failures'"],
    ),
    ("a typo in a hedge field", at("models.gpt.hedge", {"after": 1}), "models.gpt.hedge", ["after_s"]),
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
    ("a region with a newline", at(f"{P}.region", "eu\nwest"), f"{P}.region", ["one line"]),
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
    cfg = load_config(at(f"{P}.api_key", None), env={})
    assert cfg.spec.providers["openai"].api_key is None  # type: ignore[union-attr]
    with pytest.raises(ConfigError, match=f"{P}.api_key: is required"):  # left out by mistake: still an error
        load_config(at(f"{P}.api_key", ...), env={})


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


# --- the fallback graph: loading stays linear --------------------------------------------------------------------


def graph(n: int, shape: str) -> dict[str, Any]:
    """``n`` aliases: a ``chain`` (each falls back to the next), a ``lattice`` (each to the next two), a ``star``
    (the first falls back to all others)."""
    models: dict[str, Any] = {}
    for i in range(n):
        fbs = {
            "chain": [f"a{i + 1}"] if i + 1 < n else [],
            "lattice": [f"a{j}" for j in (i + 1, i + 2) if j < n],
            "star": [f"a{j}" for j in range(1, n)] if i == 0 else [],
        }[shape]
        models[f"a{i}"] = {"targets": [f"p:m{i}"], "fallbacks": fbs}
    return {"providers": {"p": {"kind": "openai", "api_key": "${K}"}}, "models": models}


@pytest.mark.parametrize("shape", ["chain", "lattice", "star"])
def test_large_fallback_graphs_load_in_linear_work(shape: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelroute import Router
    from modelroute.config import _checks
    from modelroute.routing import plan

    visits = {"fallbacks": 0}
    original = builtins.iter

    def counting_iter(x: Any) -> Any:
        visits["fallbacks"] += 1
        return original(x)

    monkeypatch.setattr(_checks, "iter", counting_iter, raising=False)
    cfg_dict = graph(2000, shape)
    started = time.perf_counter()
    cfg = load_config(cfg_dict, env={})
    assert visits["fallbacks"] <= 2000  # each alias's fallbacks are walked once, not once per path
    router = Router(cfg)
    entries = plan.expand(cfg.spec, "a0")
    assert len(entries) == 2000 and entries[-1].model == "m1999"
    assert " -> ... -> " in entries[-1].origin or shape == "star"  # a long chain's origin stays short
    assert len(entries[-1].origin) < 200
    assert router.explain("a1999").entries[0].model == "m1999"
    assert time.perf_counter() - started < 60  # loose: the exponential walk took hours at this size


def test_a_loop_at_the_end_of_a_long_chain_is_named() -> None:
    cfg = graph(5000, "chain")
    cfg["models"]["a4999"]["fallbacks"] = ["a4990"]
    with pytest.raises(ConfigError) as info:
        load_config(cfg, env={})
    message = str(info.value)
    assert message.startswith("models.a4999.fallbacks: fallbacks form a loop (a4990 -> a4991")
    assert message.count("->") <= 12 and "\n" not in message


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


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [path] + [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [path] + [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


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
    where = data.draw(st.sampled_from(_leaves(RICH)))
    value = data.draw(junk)
    cfg = copy.deepcopy(RICH)
    node: Any = cfg
    for k in where[:-1]:
        node = node[k]
    if where:
        node[where[-1]] = value
    else:
        cfg = value
    try:
        load_config(cfg, env={})
    except ConfigError as e:
        message = str(e)
        assert "\n" not in message and not _UNACTIONABLE.search(message), message
