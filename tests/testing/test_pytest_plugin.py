"""The pytest plugin's fixtures, used exactly as the README shows."""

from __future__ import annotations

from pathlib import Path

from modelroute import Router, Seam
from modelroute.testing import FakeClock, Fault, MockCloud

CONFIG = """\
providers:
  anthropic:        {kind: anthropic, api_key: "${ANTHROPIC_API_KEY}"}
  anthropic-backup: {kind: anthropic, api_key: "${ANTHROPIC_BACKUP_KEY}"}
  openai:           {kind: openai, api_key: "${OPENAI_API_KEY}"}
models:
  claude-sonnet:
    targets: ["anthropic:claude-sonnet-5-5", "anthropic-backup:claude-sonnet-5-5"]
    fallbacks: [gpt]
    stream_resume: continue
  gpt:
    targets: ["openai:gpt-5.5"]
"""


def test_claude_survives_an_anthropic_outage(mock_cloud: MockCloud, mock_router, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "modelroute.yaml"
    path.write_text(CONFIG)
    router: Router = mock_router(path)
    mock_cloud.down("anthropic")
    mock_cloud.script("anthropic-backup", Fault.rate_limited(retry_after=3600))
    answer = router.complete("claude-sonnet", [{"role": "user", "content": "hi"}])
    assert answer.served_by is not None and answer.served_by.provider == "openai"
    assert [a.kind.value for a in answer.trace if a.kind] == ["connection", "rate_limited"]


def test_dead_region_is_skipped_once_its_breaker_opens(mock_cloud: MockCloud, mock_router, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "modelroute.yaml"
    path.write_text(CONFIG)
    clock = FakeClock()
    router = mock_router(path, clock=clock, sleep=clock.sleep)
    mock_cloud.set_default("anthropic", Fault.reset())
    for _ in range(5):
        router.complete("claude-sonnet", [{"role": "user", "content": "hi"}])
    before = mock_cloud.connections("anthropic")
    answer = router.complete("claude-sonnet", [{"role": "user", "content": "hi"}])
    assert "circuit open" in answer.trace[0].reason
    assert mock_cloud.connections("anthropic") == before
    mock_cloud.set_default("anthropic", Fault.ok())
    clock.advance(30)
    answer = router.complete("claude-sonnet", [{"role": "user", "content": "hi"}])
    assert answer.served_by.provider == "anthropic"


def test_a_cut_stream_resumes_with_a_seam(mock_cloud: MockCloud, mock_router, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "modelroute.yaml"
    path.write_text(CONFIG)
    router = mock_router(path)
    mock_cloud.script("anthropic", Fault.stream_cut(after_events=5))
    with router.stream("claude-sonnet", [{"role": "user", "content": "hi"}]) as s:
        events = list(s)
    assert any(isinstance(e, Seam) for e in events)
