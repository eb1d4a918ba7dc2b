"""Timeouts inside an attempt, and secrets that never leak."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from modelroute import AllTargetsFailed, Router, load_config
from modelroute._coerce import build_request
from modelroute.testing import Fault, MockCloud

SECRET = "sk-live-SECRET-0123456789"


def config(**anth: Any) -> dict[str, Any]:
    return {
        "providers": {
            "slow": {"kind": "anthropic", "api_key": "${KEY}", **anth},
            "fast": {"kind": "openai", "api_key": "${KEY}"},
        },
        "models": {"m": {"targets": ["slow:claude-sonnet-5-5", "fast:gpt-5.5"]}},
    }


def on_cloud(cloud: MockCloud, cfg: dict[str, Any]) -> Router:
    loaded = load_config(cfg, env={"KEY": SECRET})
    return Router(loaded.with_base_urls({n: cloud.url(n) for n in cfg["providers"]}))


@pytest.fixture
def cloud() -> Any:
    with MockCloud() as c:
        c.add("slow", route="anthropic")
        c.add("fast", route="openai")
        yield c


def test_first_byte_timeout_costs_one_attempt_and_fails_over(cloud: MockCloud) -> None:
    cloud.script("slow", Fault.latency(3))
    with on_cloud(cloud, config(first_byte_timeout_s=1.0)) as router:
        r = router.complete("m", [{"role": "user", "content": "hi"}])
    assert r.served_by is not None and r.served_by.provider == "fast"
    first = r.trace[0]
    assert first.kind is not None and first.kind.value == "timeout" and "1s" in first.describe()


@pytest.mark.anyio
async def test_async_first_chunk_timeout(cloud: MockCloud) -> None:
    cloud.script("slow", Fault.stall(after_events=0))
    async with on_cloud(cloud, config(first_byte_timeout_s=1.0, stall_timeout_s=5)) as router:
        s = router.astream("m", [{"role": "user", "content": "hi"}])
        text = "".join([t async for t in s.text()])
    assert text == "Hello from fast."
    assert s.response.trace[0].kind is not None and s.response.trace[0].kind.value == "timeout"


def test_secrets_never_leak(cloud: MockCloud, caplog: pytest.LogCaptureFixture) -> None:
    cloud.set_default("slow", Fault.unauthorized())
    cloud.set_default("fast", Fault.unauthorized())
    caplog.set_level(logging.DEBUG, logger="modelroute")
    with on_cloud(cloud, config()) as router:
        with pytest.raises(AllTargetsFailed) as info:
            router.complete("m", [{"role": "user", "content": "hi"}])
        seen = [repr(router), repr(router.config), str(router.config.spec), str(info.value), repr(info.value)]
        seen += [repr(a) for a in info.value.trace] + [repr(e) for e in info.value.errors]
        seen += [repr(r) for r in router._routes.values()] + [repr(r._signer) for r in router._routes.values()]
        seen += [r.getMessage() for r in caplog.records]
        request = build_request(model="m", messages=[{"role": "user", "content": "x"}])
        seen.append(repr(router._routes["slow"].build(request, "claude-sonnet-5-5", stream=False)))
    assert caplog.records, "auth failures are logged loudly"
    for text in seen:
        assert SECRET not in text
    assert cloud.requests("slow")[0].headers["authorization"] == f"Bearer {SECRET}"
