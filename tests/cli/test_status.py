"""``modelroute status CONFIG``: the health of every target of the demo config and ``configs/multi-cloud.yaml``,
as a table and as a ``--json`` document checked against its schema; sends nothing."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import CONFIGS, cli


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_status(name: str, on_mock: Any) -> None:
    setup = on_mock(name)
    for path in (CONFIGS[name], str(setup.path)):
        r = cli("status", path)
        assert r.code == 0, r.err
        assert r.out.startswith(f"health of {path} (MemoryState):\n")
        assert "target" in r.out and "last minute" in r.out and "no attempts" in r.out
        doc = cli("status", path, "--json").json()
        assert doc["config"] == path and doc["store"] == "MemoryState" and doc["degraded"] is None
        assert doc["targets"] and all(t["status"] == "ok" and t["recent"] is None for t in doc["targets"])
        assert any("claude-sonnet" in t["aliases"] for t in doc["targets"])
    assert sum(len(setup.cloud.requests(n)) for n in setup.cloud.entries) == 0  # nothing was sent


def test_status_of_a_config_that_does_not_load_is_exit_3() -> None:
    r = cli("status", "/nonexistent/modelroute.yaml", "--json")
    assert r.code == 3
    assert r.json()["schema"] == "modelroute.cli/error/v1"
