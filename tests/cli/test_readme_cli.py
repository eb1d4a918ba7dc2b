"""The README's command-line section does what it says: its shell session runs as written, its JSON sample is
what ``check --json`` prints, and its tables of commands and exit codes match the code."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from modelroute.cli import Exit, _parser

from .conftest import ROOT, cli, validated
from .test_mock_server import free_block

README = (ROOT / "README.md").read_text()
SECTION = README.split("## The command line")[1].split("\n## ")[0]


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", SECTION, re.S)


def test_every_command_and_exit_code_is_documented() -> None:
    sub = next(a for a in _parser()._actions if a.dest == "command")
    for command in sub.choices:  # type: ignore[union-attr]
        assert f"`modelroute {command}" in SECTION, command
    codes = dict(re.findall(r"^\| (\d+) \| (.+) \|$", SECTION, re.M))
    assert sorted(int(c) for c in codes) == sorted(int(e) for e in Exit if e != Exit.INTERRUPTED)
    assert "invalid" in codes[str(int(Exit.CONFIG))] and "unset or empty" in codes[str(int(Exit.CREDENTIALS))]
    assert "probe" in codes[str(int(Exit.PROBE))]


def test_the_json_sample_is_what_check_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (sample,) = blocks("json")
    (tmp_path / "modelroute.yaml").write_text(
        "providers:\n"
        "  bedrock: {kind: bedrock, region: us-east-1}\n"
        "  anthropic: {kind: anthropic, api_key: '${ANTHROPIC_API_KEY}'}\n"
        "models:\n"
        "  claude-sonnet: {targets: ['bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0',"
        " 'anthropic:claude-sonnet-4-5']}\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    r = cli("check", "modelroute.yaml", "--json")
    assert r.code == 4
    assert json.loads(sample) == r.json() == validated(json.dumps(json.loads(sample)))


def test_the_mock_server_session_runs_as_written(tmp_path: Path) -> None:
    (session,) = blocks("bash")
    assert shutil.which("curl"), "the README's session uses curl"
    base = free_block(14)
    script = session.replace("8700", str(base))
    (tmp_path / "configs").mkdir()
    shutil.copy(ROOT / "configs" / "multi-cloud.yaml", tmp_path / "configs")
    env = {k: v for k, v in os.environ.items() if k != "MODELROUTE_MOCK_KEY"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    with subprocess.Popen(
        ["bash", "-c", f"set -eu\ntrap 'kill %1 2>/dev/null || true' EXIT\n{script}\nwait"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    ) as proc:  # fmt: skip
        try:
            out, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, err
    assert "Hello from vertex-us." in out and "-- served by vertex-us (gcp/us-east5" in out
    lines = out.splitlines()
    assert lines[0] == lines[-1] == '{"ok": true}'  # the faults were set; the server shut down
    received = json.loads(next(line for line in lines if line.startswith('{"url"')))
    assert received["requests"] == 1 and received["received"][0]["method"] == "POST"
    assert "mock-server: serving 13 entries" in err
