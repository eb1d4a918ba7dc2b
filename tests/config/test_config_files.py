"""The config files we ship, the JSON Schema for editors, and the spelling the README shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from modelroute import ConfigError, load_config
from modelroute.config import json_schema

ROOT = Path(__file__).parents[2]

SKETCH = """\
providers:                      # where models are served, and how to authenticate
  openai:    {kind: openai, api_key: ${OPENAI_API_KEY}}
models:
  gpt:
    targets: [{provider: openai, model: gpt-5}]
"""


def test_an_unquoted_env_ref_in_a_flow_mapping_says_to_quote_it(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text(SKETCH)
    with pytest.raises(ConfigError) as info:
        load_config(p, env={})
    assert str(info.value) == (
        f"{p}:2:38: ${{OPENAI_API_KEY}} inside {{...}} or [...] is not valid YAML. Quote it: "
        '"${OPENAI_API_KEY}" (or write the mapping as indented lines).'
    )
    p.write_text(SKETCH.replace("${OPENAI_API_KEY}", '"${OPENAI_API_KEY}"'))
    assert load_config(p, env={}).spec.providers["openai"].api_key == "${OPENAI_API_KEY}"  # type: ignore[union-attr]


def test_the_loader_reads_yaml_as_written() -> None:
    """No rewriting before parsing: the text the YAML parser sees is the file's."""
    import modelroute.config._load as load
    import modelroute.config._yaml as reader

    for module in (load, reader):
        assert not any(name.startswith("_BARE") for name in vars(module))


def test_shipped_configs_load() -> None:
    for path in sorted((ROOT / "configs").glob("*.yaml")):
        load_config(path, env={})


def test_checked_in_schema_is_current() -> None:
    on_disk = json.loads((ROOT / "configs" / "modelroute.schema.json").read_text())
    assert on_disk == json_schema(), "run: modelroute schema > configs/modelroute.schema.json"


def test_schema_describes_the_spec() -> None:
    schema = json_schema()
    assert set(schema["required"]) == {"providers", "models"}
    assert "AliasSpec" in schema["$defs"] and "OpenAIProviderSpec" in schema["$defs"]


def _documented_configs() -> list[tuple[str, str]]:
    readme = (ROOT / "README.md").read_text()
    blocks = [
        (f"README.md yaml block {i + 1}", b) for i, b in enumerate(re.findall(r"```yaml\n(.*?)```", readme, re.S))
    ]
    files = [*sorted((ROOT / "configs").glob("*.yaml")), ROOT / "modelroute" / "_data" / "demo.yaml"]
    return blocks + [(str(p.relative_to(ROOT)), p.read_text()) for p in files]


@pytest.mark.parametrize(("name", "text"), _documented_configs(), ids=lambda v: v if len(v) < 60 else "")
def test_every_documented_config_is_yaml_that_loads_and_matches_the_schema(
    name: str, text: str, tmp_path: Path
) -> None:
    import jsonschema
    import yaml

    data = yaml.safe_load(text)  # plain YAML, as an editor reads it: no rewriting
    jsonschema.Draft202012Validator(json.loads((ROOT / "configs" / "modelroute.schema.json").read_text())).validate(
        data
    )
    p = tmp_path / "c.yaml"
    p.write_text(text)
    assert load_config(p, env={}).lint() == []


def test_the_schema_knows_the_short_target_form_and_the_bounds() -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(json_schema())
    base = {"providers": {"o": {"kind": "openai", "api_key": "${K}"}}}
    ok = {**base, "models": {"g": {"targets": ["o:gpt-5", {"provider": "o", "model": "gpt-5"}, "o:a.b-v1:0"]}}}
    assert list(validator.iter_errors(ok)) == []
    for bad in (
        {**base, "models": {"g": {"targets": ["no-colon"]}}},
        {**base, "models": {"g": {"targets": ["o:"]}}},
        {**ok, "defaults": {"deadline_s": True}},
        {**ok, "defaults": {"deadline_s": 10**12}},
        {**ok, "defaults": {"breaker": {"enabled": "no"}}},
    ):
        assert list(validator.iter_errors(bad)), bad
