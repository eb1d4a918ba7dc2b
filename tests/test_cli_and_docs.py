"""The demo, the examples, the CLI, and the promises the README makes about set-up."""

from __future__ import annotations

import io
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from modelroute.cli import main

ROOT = Path(__file__).parents[1]


def test_demo_shows_failover_with_reasons() -> None:
    out = io.StringIO()
    assert main(["demo"], out) == 0
    text = out.getvalue()
    assert "served by anthropic-west" in text
    assert "connection (connection refused)" in text
    assert "retry in 0.30s" in text and "Retry-After 0.3s is short" in text
    assert "served by openai" in text and "overloaded 529" in text
    assert "does not accept temperature" in text
    assert text.count("-> served by") == 4 and "!!" not in text


def test_demo_runs_as_a_command() -> None:
    cmd = [sys.executable, "-m", "modelroute.cli", "demo"]
    done = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "failover" in done.stdout


def test_quickstart_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(ROOT / "examples" / "quickstart.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "Hello from anthropic-backup. <- anthropic-backup" in out
    assert "AllTargetsFailed with 3 attempts" in out and "connection refused" in out
    assert "plan for 'claude'" in out


def test_check_and_explain(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        "providers:\n  o: {kind: openai, api_key: ${MR_TEST_UNSET_KEY}}\nmodels:\n  g: {targets: ['o:gpt-5.5']}\n"
    )
    out = io.StringIO()
    assert main(["check", str(cfg)], out) == 1
    assert "missing  providers.o.api_key: set MR_TEST_UNSET_KEY" in out.getvalue()
    out = io.StringIO()
    assert main(["explain", str(cfg), "g"], out) == 0
    assert "o:gpt-5.5" in out.getvalue() and "eligible" in out.getvalue()


def test_bad_config_is_one_clear_line_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("providers:\n  o: {kind: openia, api_key: ${K}}\nmodels:\n  g: {targets: ['o:gpt-5.5']}\n")
    assert main(["check", str(cfg)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: providers.o.kind: unknown provider kind 'openia'") and "\n" not in err


def test_readme_starts_with_the_two_setup_commands_and_ci_runs_the_second() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", readme, re.S)
    commands = blocks[0].strip().splitlines()
    assert len(commands) == 2
    assert commands[0].endswith("pip install . && modelroute demo")
    assert commands[1].endswith("pytest")
    test_install = commands[1].split("&& ", 2)[-1]  # pip install -e ".[dev]" && pytest
    assert test_install in (ROOT / ".ci" / "run").read_text()
