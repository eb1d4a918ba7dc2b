"""Running the ``modelroute`` command in-process, checking its ``--json`` documents against their published
schemas, and configs pointed at an in-process mock cloud (the same config ``modelroute mock-server`` prints)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from modelroute import load_config
from modelroute._demo import DEMO_CONFIG
from modelroute.cli import main
from modelroute.cli._schemas import cli_schema
from modelroute.testing import MockCloud, MockSecrets
from modelroute.testing._control import MOCK_KEY_ENV, mock_config

ROOT = Path(__file__).parents[2]
CONFIGS = {"demo": DEMO_CONFIG, "multi-cloud": str(ROOT / "configs" / "multi-cloud.yaml")}


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        """The one JSON document on stdout, checked against the schema it names."""
        return validated(self.out)


def validated(text: str) -> dict[str, Any]:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    doc: dict[str, Any] = json.loads(lines[0])
    command = doc["schema"].split("/")[1]
    jsonschema.validate(doc, cli_schema(command), cls=jsonschema.Draft202012Validator)
    return doc


def cli(*argv: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return Result(code, out.getvalue(), err.getvalue())


@dataclass
class MockSetup:
    cloud: MockCloud
    path: Path  # the config, pointing at ``cloud``


@pytest.fixture
def on_mock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], MockSetup]]:
    """``on_mock(name)``: a mock cloud serving ``CONFIGS[name]`` and the mock config file pointing at it."""
    clouds: list[MockCloud] = []
    monkeypatch.setenv(MOCK_KEY_ENV, "mock-key")

    def start(name: str) -> MockSetup:
        cfg = load_config(CONFIGS[name], env=MockSecrets())
        cloud = MockCloud().start()
        clouds.append(cloud)
        for entry, p in cfg.spec.providers.items():
            cloud.add(entry, route=p.kind, region=p.region)
        path = tmp_path / f"{name}.mock.yaml"
        path.write_text(
            yaml.safe_dump(mock_config(cfg, {e: cloud.url(e) for e in cfg.spec.providers}), sort_keys=False)
        )
        return MockSetup(cloud, path)

    yield start
    for cloud in clouds:
        cloud.stop()
