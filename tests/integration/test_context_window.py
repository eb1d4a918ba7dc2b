"""A prompt too long for Claude Sonnet 4.5 on Azure Foundry is not resent to Sonnet 4.5 on Vertex or Bedrock, nor
to a model whose context window is not larger: the call goes straight to the larger model, through real HTTP on
127.0.0.1 (the mock cloud), and the trace says why each target was skipped."""

from __future__ import annotations

from typing import Any

import pytest

from modelroute import Response, Router
from modelroute.testing import Fault, MockCloud

CONFIG: dict[str, Any] = {
    "providers": {
        "foundry": {"kind": "azure_foundry", "resource": "contoso-ai", "api_key": "${AZURE_FOUNDRY_API_KEY}"},
        "vertex": {"kind": "vertex", "project": "acme", "region": "us-east5", "access_token": "${GCP_TOKEN}"},
        "bedrock": {"kind": "bedrock", "region": "us-east-1"},
        "oai": {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
    },
    "models": {
        "sonnet": {
            "targets": [
                "foundry:claude-sonnet-4-5",
                "vertex:claude-sonnet-4-5@20250929",
                "bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            ],
            "fallbacks": ["gpt"],
        },
        "gpt": {"targets": ["oai:gpt-4o", "oai:gpt-4.1"]},  # 128,000 tokens, then 1,047,576
    },
    "defaults": {"deadline_s": 20, "attempt_timeout_s": 5},
}
HI = [{"role": "user", "content": "A very long document..."}]


def _check(r: Response, cloud: MockCloud) -> None:
    assert r.served_by is not None and (r.served_by.provider, r.served_by.model) == ("oai", "gpt-4.1")
    assert len(cloud.requests("foundry")) == 1
    assert cloud.requests("vertex") == [] and cloud.requests("bedrock") == []
    assert [req.json["model"] for req in cloud.requests("oai")] == ["gpt-4.1"]
    assert [(a.provider, a.model, a.outcome) for a in r.trace] == [
        ("foundry", "claude-sonnet-4-5", "error"),
        ("vertex", "claude-sonnet-4-5@20250929", "skipped"),
        ("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "skipped"),
        ("oai", "gpt-4o", "skipped"),
        ("oai", "gpt-4.1", "ok"),
    ]
    first = r.trace[0]
    assert first.kind is not None and first.kind.value == "context_window" and first.action == "failover"
    same = "model family claude-sonnet-4-5 already refused this prompt as too long for its context window"
    assert r.trace[1].reason == r.trace[2].reason == same
    assert r.trace[3].reason == (
        "gpt-4o's context window (128,000 tokens) is not larger than claude-sonnet-4-5's (200,000), "
        "which refused this prompt as too long"
    )


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_a_too_long_prompt_goes_straight_to_a_larger_model(router: Router, cloud: MockCloud, stream: bool) -> None:
    cloud.script("foundry", Fault.context_length())
    if stream:
        with router.stream("sonnet", HI) as s:
            text = "".join(s.text())
        r = s.response
    else:
        r = router.complete("sonnet", HI)
        text = r.text
    assert text
    _check(r, cloud)


@pytest.mark.anyio
async def test_a_too_long_prompt_goes_straight_to_a_larger_model_async(router: Router, cloud: MockCloud) -> None:
    cloud.script("foundry", Fault.context_length())
    r = await router.acomplete("sonnet", HI)
    await router.aclose()  # this loop's connection pools
    _check(r, cloud)


def test_explain_is_unaffected_and_the_next_call_starts_at_the_top(router: Router, cloud: MockCloud) -> None:
    cloud.script("foundry", Fault.context_length())
    router.complete("sonnet", HI)
    assert all(e.eligible for e in router.explain("sonnet").entries)  # a refusal is about one prompt, not a target
    r = router.complete("sonnet", [{"role": "user", "content": "short"}])
    assert r.served_by is not None and r.served_by.provider == "foundry"
