"""The benchmark's mock server speaks both dialects well enough for the official SDKs, and fails as asked."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import anthropic
import openai
import pytest

ROOT = Path(__file__).resolve().parents[2]
MSG = [{"role": "user", "content": "Hello"}]
ANSWER = "Hello from the benchmark mock: a short answer."


@pytest.fixture(scope="module")
def ports() -> Iterator[dict[str, int]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.mock_server", "ok:0", "503", "refused"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    p = json.loads(proc.stdout.readline())["ports"]
    yield {"ok": p[0], "503": p[1], "refused": p[2]}
    proc.stdin.close()
    proc.wait(timeout=10)
    proc.stdout.close()


def _openai(port: int) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="k", max_retries=0, timeout=5)


def _anthropic(port: int) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=f"http://127.0.0.1:{port}", api_key="k", max_retries=0, timeout=5)


def test_openai_json_and_sse(ports: dict[str, int]) -> None:
    with _openai(ports["ok"]) as client:
        r = client.chat.completions.create(model="m", messages=MSG)  # type: ignore[arg-type]
        assert r.choices[0].message.content == ANSWER
        assert r.usage is not None and r.usage.completion_tokens == 10
        chunks = list(client.chat.completions.create(model="m", messages=MSG, stream=True))  # type: ignore[arg-type]
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert text == ANSWER
        assert chunks[-1].usage is not None


def test_anthropic_json_and_sse(ports: dict[str, int]) -> None:
    with _anthropic(ports["ok"]) as client:
        r = client.messages.create(model="m", messages=MSG, max_tokens=10)  # type: ignore[arg-type]
        assert r.content[0].text == ANSWER  # type: ignore[union-attr]
        events = list(client.messages.create(model="m", messages=MSG, max_tokens=10, stream=True))  # type: ignore[arg-type]
        text = "".join(e.delta.text for e in events if e.type == "content_block_delta")  # type: ignore[union-attr]
        assert text == ANSWER
        assert events[-1].type == "message_stop"


def test_503_port_answers_in_each_dialect(ports: dict[str, int]) -> None:
    with _openai(ports["503"]) as client, pytest.raises(openai.InternalServerError) as e:
        client.chat.completions.create(model="m", messages=MSG)  # type: ignore[arg-type]
    assert e.value.status_code == 503
    with _anthropic(ports["503"]) as client, pytest.raises(anthropic.InternalServerError) as e2:
        client.messages.create(model="m", messages=MSG, max_tokens=10)  # type: ignore[arg-type]
    assert e2.value.status_code == 503


def test_refused_port_refuses(ports: dict[str, int]) -> None:
    with _openai(ports["refused"]) as client, pytest.raises(openai.APIConnectionError):
        client.chat.completions.create(model="m", messages=MSG)  # type: ignore[arg-type]
