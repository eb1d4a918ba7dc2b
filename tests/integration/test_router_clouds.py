"""The router through the mock cloud on the Azure and Google routes: answers, streams, where they were served,
raw cloud error bodies, multi-region failover and content filters. The fault matrix every route shares (each fault
kind, JSON and streamed, then failover) is `tests/conformance/test_conformance.py`."""

from __future__ import annotations

from typing import Any

import pytest

from modelroute import AllTargetsFailed, ModelRouteError, Response, Router, TextDelta
from modelroute.testing import FakeClock, Fault, MockCloud, router_on_mock_cloud

VMODEL = "claude-sonnet-5-5@20260901"
CONFIG: dict[str, Any] = {
    "providers": {
        "az": {"kind": "azure_openai", "resource": "contoso-se", "api_key": "${AZURE_OPENAI_API_KEY}",
               "region": "swedencentral"},
        "az-v1": {"kind": "azure_openai", "resource": "contoso-us", "api_version": "v1",
                  "api_key": "${AZURE_OPENAI_API_KEY}", "region": "eastus2"},
        "foundry": {"kind": "azure_foundry", "resource": "contoso-ai", "api_key": "${AZURE_FOUNDRY_API_KEY}",
                    "region": "eastus2"},
        "vertex": {"kind": "vertex", "project": "acme-prod", "region": "us-east5", "access_token": "${GCP_TOKEN}"},
        "vertex-eu": {"kind": "vertex", "project": "acme-prod", "region": "europe-west1",
                      "access_token": "${GCP_TOKEN}"},
    },
    "models": {
        "gpt": {"targets": ["az:gpt-prod", "az-v1:gpt-prod-v1"]},
        "gpt-v1": {"targets": ["az-v1:gpt-prod-v1", "az:gpt-prod"]},
        "claude": {"targets": ["foundry:claude-sonnet-5-5", f"vertex:{VMODEL}"], "fallbacks": ["gpt"]},
        "claude-vertex": {"targets": [f"vertex:{VMODEL}", "foundry:claude-sonnet-5-5"]},
        "claude-gcp": {"targets": [f"vertex:{VMODEL}", f"vertex-eu:{VMODEL}"]},
    },
    "defaults": {"deadline_s": 20, "attempt_timeout_s": 5, "stall_timeout_s": 0.5, "first_byte_timeout_s": 1.0},
}  # fmt: skip
HI = [{"role": "user", "content": "Hello there"}]
FIRST = {"az": "gpt", "az-v1": "gpt-v1", "foundry": "claude", "vertex": "claude-vertex"}
NEXT = {"az": "az-v1", "az-v1": "az", "foundry": "vertex", "vertex": "foundry"}
WHERE = {  # provider: (cloud, region, model, kind)
    "az": ("azure", "swedencentral", "gpt-prod", "azure_openai"),
    "az-v1": ("azure", "eastus2", "gpt-prod-v1", "azure_openai"),
    "foundry": ("azure", "eastus2", "claude-sonnet-5-5", "azure_foundry"),
    "vertex": ("gcp", "us-east5", VMODEL, "vertex"),
}


def where(r: Response) -> tuple[str | None, ...]:
    assert r.served_by is not None
    s = r.served_by
    return (s.cloud, s.region, s.model, s.kind)


# --- answers and streams ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", list(FIRST))
def test_complete_gives_text_usage_and_where(router: Router, cloud: MockCloud, provider: str) -> None:
    r = router.complete(FIRST[provider], HI, max_tokens=64)
    assert r.text == f"Hello from {provider}."
    assert (r.usage.input_tokens, r.usage.output_tokens) == (5, 3)
    assert r.served_by is not None and r.served_by.provider == provider
    assert where(r) == WHERE[provider]
    sent = cloud.requests(provider)[-1]
    if provider == "az":
        assert (sent.path, sent.query) == (
            "/openai/deployments/gpt-prod/chat/completions",
            {"api-version": "2024-10-21"},
        )
        assert sent.headers["api-key"] == "mock-azure_openai_api_key" and "authorization" not in sent.headers
    elif provider == "az-v1":
        assert (sent.path, sent.query) == ("/openai/v1/chat/completions", {})
        assert sent.headers["authorization"] == "Bearer mock-azure_openai_api_key"
    elif provider == "foundry":
        assert sent.path == "/anthropic/v1/messages"
        assert sent.headers["x-api-key"] == sent.headers["api-key"] == "mock-azure_foundry_api_key"
    else:
        assert sent.path == f"/v1/projects/acme-prod/locations/us-east5/publishers/anthropic/models/{VMODEL}:rawPredict"
        assert sent.headers["authorization"] == "Bearer mock-gcp_token"
        assert sent.json["anthropic_version"] == "vertex-2023-10-16" and "model" not in sent.json


@pytest.mark.parametrize("provider", list(FIRST))
def test_stream_gives_text_usage_and_where(router: Router, cloud: MockCloud, provider: str) -> None:
    with router.stream(FIRST[provider], HI, max_tokens=64) as s:
        deltas = [e.text for e in s if isinstance(e, TextDelta)]
    assert "".join(deltas) == f"Hello from {provider}." and len(deltas) > 1
    assert s.response.usage.output_tokens == 3 and where(s.response) == WHERE[provider]
    if provider == "vertex":
        assert cloud.requests("vertex")[-1].path.endswith(":streamRawPredict")


@pytest.mark.anyio
@pytest.mark.parametrize("provider", list(FIRST))
async def test_async_complete_and_stream(router: Router, provider: str) -> None:
    try:
        r = await router.acomplete(FIRST[provider], HI)
        s = router.astream(FIRST[provider], HI)
        text = "".join([e.text async for e in s if isinstance(e, TextDelta)])
    finally:
        await router.aclose()
    assert r.text == text == f"Hello from {provider}."
    assert where(r) == where(s.response) == WHERE[provider]


def test_multi_region_vertex_fails_over_across_regions(router: Router, cloud: MockCloud) -> None:
    cloud.set_default("vertex", Fault.unavailable())
    r = router.complete("claude-gcp", HI)
    assert where(r) == ("gcp", "europe-west1", VMODEL, "vertex")
    assert cloud.requests("vertex-eu")[-1].path.startswith("/v1/projects/acme-prod/locations/europe-west1/")


# --- content filters (the fault matrix every route shares is tests/conformance) -------------------------------


def _first_attempt(router: Router, alias: str, stream: bool) -> tuple[Response | None, ModelRouteError | None]:
    try:
        if stream:
            with router.stream(alias, HI) as s:
                list(s)
            return s.response, None
        return router.complete(alias, HI), None
    except ModelRouteError as e:
        return None, e


CONTENT: list[tuple[str, Fault, str]] = [
    ("az", Fault.content_filter(), "content_filtered"),
    ("az", Fault.content_filter(on="completion"), "content_filtered"),
    ("az-v1", Fault.content_filter(), "content_filtered"),
    ("az-v1", Fault.content_filter(on="completion"), "content_filtered"),
    ("foundry", Fault.content_filter(), "content_filtered"),
    ("foundry", Fault.content_filter(on="completion"), "refusal"),
]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(("provider", "fault", "kind"), CONTENT, ids=[f"{p}-{f.on}" for p, f, _ in CONTENT])
def test_content_filter_stops_with_a_clear_error(
    router: Router, cloud: MockCloud, provider: str, fault: Fault, kind: str, stream: bool
) -> None:
    cloud.script(provider, fault)
    r, err = _first_attempt(router, FIRST[provider], stream)
    assert r is None and err is not None
    trace = err.trace  # type: ignore[attr-defined]
    assert [(a.provider, a.kind.value if a.kind else None, a.action) for a in trace] == [(provider, kind, "stop")]
    assert len(cloud.requests(NEXT[provider])) == 0


def test_content_filter_may_fail_over_when_the_alias_allows_it(cloud: MockCloud, clock: FakeClock) -> None:
    cloud.reset()
    lenient = {
        "targets": ["az:gpt-prod", "az-v1:gpt-prod-v1"],
        "on_error": {"content_filtered": {"action": "failover"}},
    }
    cfg = {**CONFIG, "models": {**CONFIG["models"], "gpt": lenient}}
    cloud.script("az", Fault.content_filter())
    with router_on_mock_cloud(cloud, cfg, sleep=clock.sleep) as router:
        r = router.complete("gpt", HI)
    assert r.served_by is not None and r.served_by.provider == "az-v1"
    assert r.trace[0].kind is not None and r.trace[0].kind.value == "content_filtered"


def test_azure_rate_limit_headers_drive_the_cooldown(router: Router, cloud: MockCloud, clock: FakeClock) -> None:
    cloud.script("az", Fault.rate_limited(retry_after_ms=400))
    r = router.complete("gpt", HI)  # a short wait, but another target is free: fail over at once
    assert clock.sleeps == [] and r.served_by is not None and r.served_by.provider == "az-v1"
    assert r.trace[0].error is not None and r.trace[0].error.retry_after_s == 0.4
    assert r.trace[0].error.request_id is not None and r.trace[0].error.request_id.startswith("req_mock")


def test_vertex_context_window_never_resends_to_the_same_model_in_another_region(
    router: Router, cloud: MockCloud
) -> None:
    cloud.script("vertex", Fault.context_length())
    with pytest.raises(AllTargetsFailed) as info:
        router.complete("claude-gcp", HI)
    assert [a.outcome for a in info.value.trace] == ["error", "skipped"]
    assert "too long for its context window" in info.value.trace[1].reason
    assert cloud.requests("vertex-eu") == []


STATUS: list[tuple[str, Fault, str]] = [
    ("az", Fault.status(404, {"error": {"code": "DeploymentNotFound", "message": "no such deployment"}}), "not_found"),
    ("az-v1", Fault.status(429, {"error": {"code": "429", "message": "Please retry after 30 seconds."}}),
     "rate_limited"),
    ("foundry", Fault.status(403, {"error": {"code": "AuthenticationTypeDisabled", "message": "keys off"}}), "auth"),
    ("vertex", Fault.status(429, [{"error": {"code": 429, "message": "Quota", "status": "RESOURCE_EXHAUSTED"}}]),
     "rate_limited"),
    ("vertex", Fault.status(502, b"<html>Bad Gateway</html>", {"content-type": "text/html"}), "server_error"),
]  # fmt: skip


@pytest.mark.parametrize(("provider", "fault", "kind"), STATUS, ids=[f"{p}-{k}" for p, _, k in STATUS])
def test_raw_status_faults_are_read_with_each_clouds_table(
    router: Router, cloud: MockCloud, provider: str, fault: Fault, kind: str
) -> None:
    cloud.set_default(provider, fault)
    r = router.complete(FIRST[provider], HI)
    assert r.trace[0].kind is not None and r.trace[0].kind.value == kind
    assert r.served_by is not None and r.served_by.provider == NEXT[provider]


@pytest.mark.anyio
@pytest.mark.parametrize("provider", list(FIRST))
async def test_async_stream_fails_over_before_any_text(router: Router, cloud: MockCloud, provider: str) -> None:
    cloud.script(provider, Fault.stream_cut(after_events=1))
    try:
        s = router.astream(FIRST[provider], HI)
        text = "".join([e.text async for e in s if isinstance(e, TextDelta)])
    finally:
        await router.aclose()
    assert text == f"Hello from {NEXT[provider]}."
    assert s.response.trace[0].kind is not None and s.response.trace[0].kind.value == "connection"


def test_slow_chunks_within_the_stall_limit_still_complete(router: Router, cloud: MockCloud) -> None:
    cloud.script("vertex", Fault.ok(chunk_delay_s=0.01))
    with router.stream("claude-vertex", HI) as s:
        assert "".join(s.text()) == "Hello from vertex."
