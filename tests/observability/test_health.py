"""`Router.health()` through the mock cloud: every target's breaker (and until when), cooldown and its cause, the
last minute's attempts, error rate and latency, as the store and the router saw them; a table and plain JSON."""

from __future__ import annotations

import json

import pytest

from modelroute.observability import Health
from modelroute.testing import FakeClock, Fault, MockCloud

from .conftest import CONFIG, make_router

HI = [{"role": "user", "content": "Hi"}]


def test_health_shows_breakers_cooldowns_and_the_last_minute(cloud: MockCloud, clock: FakeClock) -> None:
    config = {**CONFIG, "defaults": {"deadline_s": 30, "breaker": {"failures": 2, "open_s": 5}}}
    router = make_router(cloud, clock, config)
    fresh = router.health()
    assert [t.status for t in fresh.targets] == ["ok"] * 3 and all(t.recent is None for t in fresh.targets)

    cloud.script("azure", Fault.server_error(), Fault.server_error())  # retried, then failed over: open
    cloud.script("bedrock", Fault.rate_limited(retry_after=40))  # cooled down for 40 s
    cloud.script("openai", Fault.ok(ttfb_s=0))
    clock.advance(0.5)
    assert router.complete("chat", HI).served_by.provider == "openai"
    clock.advance(1)
    health = router.health()
    router.close()

    azure = health.target("azure/gpt-prod")
    assert azure.status == "open" and azure.breaker.status == "open"
    assert azure.breaker.reopen_in_s == pytest.approx(4.0, abs=0.3) and "2 consecutive failures" in azure.breaker.reason
    assert azure.recent is not None and (azure.recent.attempts, azure.recent.failures) == (2, 2)
    assert (
        azure.recent.error_rate == 1.0 and azure.recent.last_error == "server_error" and azure.recent.latency_s is None
    )
    assert (azure.kind, azure.cloud, azure.aliases) == ("azure_openai", "azure", ("chat",))

    bedrock = health.target("bedrock/openai.gpt-oss-120b-1:0")
    assert bedrock.status == "cooling_down" and bedrock.breaker.status == "closed"
    assert bedrock.cooldown is not None and bedrock.cooldown.remaining_s == pytest.approx(39, abs=0.5)
    assert bedrock.cooldown.reason == "rate_limited 429" and bedrock.region == "eu-central-1"

    openai = health.target("openai/gpt-5")
    assert openai.status == "ok" and openai.cooldown is None
    assert openai.recent is not None and openai.recent.error_rate == 0.0 and openai.recent.latency_s is not None
    assert openai.rate_headroom is None and openai.budget_headroom is None

    text = str(health)
    assert text.startswith("health (MemoryState):")
    assert "open, reopens in 4." in text and "cooling down 39." in text and "(rate_limited 429)" in text
    assert "2 attempts, 100% errors" in text
    doc = json.loads(json.dumps(health.to_dict()))
    assert doc["targets"][0]["breaker"]["status"] == "open" and doc["store"] == "MemoryState"

    clock.advance(60)  # a minute later: the breaker's time is up, the last minute is empty
    later = router.health()
    assert later.target("azure/gpt-prod").status == "half_open"
    assert later.target("openai/gpt-5").recent.attempts == 0
    assert later.target("openai/gpt-5").recent.error_rate is None
    with pytest.raises(KeyError, match="no target 'nope/x'"):
        later.target("nope/x")
    assert isinstance(later, Health)
