"""The observability examples run against the mock cloud and show what they say they show."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[2] / "examples"


def _run(name: str, capsys: pytest.CaptureFixture[str]) -> str:
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    return capsys.readouterr().out


def test_the_telemetry_example(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run("telemetry.py", capsys)
    assert "chat gpt: aws.bedrock, 2 attempts" in out
    assert "  chat gpt-prod [azure.ai.openai, azure]: overloaded\n    then: failover (failing over)" in out
    assert "  chat openai.gpt-oss-120b-1:0 [aws.bedrock, bedrock]: served" in out
    metrics = (
        "gen_ai.client.operation.duration (s): 2 series",
        "gen_ai.client.token.usage ({token})",
        "modelroute.attempts ({attempt}): 2 series, total 2",
        "modelroute.failovers ({failover}): 1 series",
    )
    for metric in metrics:
        assert f"metric {metric}" in out


def test_the_hooks_example(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run("hooks.py", capsys)
    assert "attempts anthropic overloaded   4" in out and "attempts vertex    ok           4" in out
    assert "answers: 5 | failed calls: ['claude: AllTargetsFailed']" in out
    assert "anthropic/claude-sonnet-4-5: closed -> open\n  anthropic/claude-sonnet-4-5: open -> half_open" in out


def test_the_health_example(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run("health.py", capsys)
    assert (
        "foundry/claude-sonnet-4-5                             open, reopens in 27.0s (2 consecutive failures)" in out
    )
    assert "cooling down 117.0s (rate_limited 429)" in out
    assert "foundry: open, reopens in 27s (2 consecutive failures)" in out
