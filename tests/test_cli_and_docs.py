"""The demo, the examples, the CLI, and the promises the README makes about set-up."""

from __future__ import annotations

import ast
import io
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from modelroute.cli import main

ROOT = Path(__file__).parents[1]


def test_demo_fails_over_across_three_clouds_with_reasons(no_machine_credentials: None) -> None:
    out = io.StringIO()
    assert main(["demo"], out) == 0
    text = out.getvalue()
    assert text.count("-> served by") == 5 and "!!" not in text
    served_clouds = set(re.findall(r"-> served by \S+ \((\w+),", text))
    assert {"azure", "aws", "gcp"} <= served_clouds
    assert text.count("failover: ") >= 3 and "connection (connection refused)" in text  # Foundry is down
    assert "overloaded 529" in text  # Bedrock overloaded -> Vertex
    assert "served by azure-openai (azure" in text  # Claude out everywhere -> GPT on Azure OpenAI
    assert "does not accept temperature" in text  # the plan skips Foundry for a request with temperature
    assert "circuit open (3 consecutive failures)" in text  # Foundry's breaker, after three refusals
    assert "Retry-After 0.3s is short and no other target is free" in text  # Bedrock's short throttle waited out
    calls = [line.strip() for line in text.splitlines() if line.strip().startswith("router.")]
    assert len(calls) == 6 and any(c.startswith("router.stream(") for c in calls)
    for call in calls:  # every call the demo shows is Python a reader can paste
        tree = ast.parse(call)
        assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr), call
        assert isinstance(tree.body[0].value, ast.Call), call


def test_demo_runs_as_a_command() -> None:
    cmd = [sys.executable, "-m", "modelroute.cli", "demo"]
    done = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "failover" in done.stdout


def test_demo_piped_into_head_ends_quietly() -> None:
    cmd = [sys.executable, "-m", "modelroute.cli", "demo"]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().startswith("modelroute demo")
        proc.stdout.close()  # what `| head -1` does
        err = proc.stderr.read()
        proc.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipeError" not in err


def test_quickstart_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(ROOT / "examples" / "quickstart.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "Hello from anthropic-backup. <- anthropic-backup" in out
    assert "AllTargetsFailed with 3 attempts" in out and "connection refused" in out
    assert "plan for 'claude'" in out


def test_multi_cloud_example_runs(capsys: pytest.CaptureFixture[str], no_machine_credentials: None) -> None:
    runpy.run_path(str(ROOT / "examples" / "multi_cloud.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "claude-sonnet  <- foundry-us (azure/eastus2" in out and "gpt            <- azure-gpt-us (azure" in out
    assert "claude-sonnet  <- bedrock-us (aws/us-east-1, us.anthropic." in out  # Azure down: AWS
    assert "gpt            <- bedrock-gpt (aws/us-west-2, openai.gpt-oss-120b" in out
    assert "<- vertex-us (gcp/us-east5" in out  # Bedrock throttled too: Google Cloud
    assert "claude-sonnet-eu <- bedrock-eu (aws/eu-central-1, eu.anthropic." in out
    assert "tried only foundry-eu, bedrock-eu, vertex-eu, azure-gpt-eu" in out


@pytest.mark.parametrize("example", sorted(p.name for p in (ROOT / "examples").glob("*.py")))
def test_every_example_runs_as_a_script(example: str) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / example)], check=False, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_readme_starts_with_the_two_setup_commands_and_ci_runs_the_second() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", readme, re.S)
    commands = blocks[0].strip().splitlines()
    assert len(commands) == 2
    assert commands[0].endswith("pip install . && modelroute demo")
    assert commands[1].endswith("pytest")
    test_install = commands[1].split("&& ", 2)[-1]  # pip install -e ".[dev]" && pytest
    assert test_install in (ROOT / ".ci" / "run").read_text()


def test_readme_documents_every_block_of_the_multi_cloud_config(monkeypatch: pytest.MonkeyPatch) -> None:
    from modelroute import Router, load_config

    readme = (ROOT / "README.md").read_text()
    reference = readme.split("## Config reference")[1].split("\n## ")[0]
    assert "(#an-enterprise-multi-cloud-config)" in reference
    section = readme.split("## An enterprise multi-cloud config")[1].split("\n## ")[0]
    cfg = load_config(ROOT / "configs" / "multi-cloud.yaml", env={})
    for name in [*cfg.spec.providers, *cfg.spec.models]:
        assert f"`{name}`" in section, name
    monkeypatch.delenv("COLUMNS", raising=False)  # the README shows the natural width
    out = io.StringIO()
    assert main(["explain", str(ROOT / "configs" / "multi-cloud.yaml"), "claude-sonnet"], out) == 0
    assert f"$ modelroute explain configs/multi-cloud.yaml claude-sonnet\n{out.getvalue()}```" in section
    assert [e.provider for e in Router(cfg).explain("claude-sonnet").entries] == re.findall(
        r"^  \d  ([\w-]+):", out.getvalue(), re.M
    )
