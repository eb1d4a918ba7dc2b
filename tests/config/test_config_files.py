"""The config files we ship, the JSON Schema for editors, and the spelling the README shows."""

from __future__ import annotations

import json
from pathlib import Path

from modelroute import load_config
from modelroute.config import json_schema

ROOT = Path(__file__).parents[2]

SKETCH = """\
providers:                      # where models are served, and how to authenticate
  openai:    {kind: openai, api_key: ${OPENAI_API_KEY}}
  anthropic: {kind: anthropic, api_key: ${ANTHROPIC_API_KEY}}
models:                         # what callers ask for
  claude-sonnet:
    targets:                    # tried in order
      - {provider: anthropic, model: claude-sonnet-4-5}
    fallbacks: [gpt]            # other aliases, after every target failed
  gpt:
    targets: [{provider: openai, model: gpt-5}]
defaults: {deadline_s: 60, attempt_timeout_s: 30}
"""


def test_the_sketch_with_bare_env_refs_in_flow_mappings_loads(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text(SKETCH)
    cfg = load_config(p, env={})
    assert cfg.spec.providers["openai"].api_key == "${OPENAI_API_KEY}"  # type: ignore[union-attr]
    assert cfg.spec.models["claude-sonnet"].fallbacks == ["gpt"]


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
