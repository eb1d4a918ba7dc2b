"""The pytest plugin's fixtures, used exactly as the README shows."""

from __future__ import annotations

from pathlib import Path

from modelroute import Router
from modelroute.testing import Fault, MockCloud

CONFIG = """\
providers:
  anthropic:        {kind: anthropic, api_key: ${ANTHROPIC_API_KEY}}
  anthropic-backup: {kind: anthropic, api_key: ${ANTHROPIC_BACKUP_KEY}}
  openai:           {kind: openai, api_key: ${OPENAI_API_KEY}}
models:
  claude-sonnet:
    targets: ["anthropic:claude-sonnet-5-5", "anthropic-backup:claude-sonnet-5-5"]
    fallbacks: [gpt]
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
