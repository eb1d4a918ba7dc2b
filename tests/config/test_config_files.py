"""The config files we ship, the JSON Schema for editors, and the spelling the README shows."""

from __future__ import annotations

import json
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
