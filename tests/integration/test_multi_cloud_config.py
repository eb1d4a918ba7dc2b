"""configs/multi-cloud.yaml, the enterprise example: every route kind, every alias answers on the mock cloud, the
plans walk the clouds in the order the config promises, and the EU aliases never leave EU regions."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from modelroute import AllTargetsFailed, Router, Seam, load_config
from modelroute._pools import Pools
from modelroute.testing import FakeClock, Fault, MockCloud, router_on_mock_cloud
from modelroute.transport import Timeouts

CONFIG = Path(__file__).parents[2] / "configs" / "multi-cloud.yaml"
HI = [{"role": "user", "content": "Hi"}]

# alias -> (provider entry, cloud) of each plan entry, in order
CLAUDE_SONNET = [("foundry-us", "azure"), ("bedrock-us", "aws"), ("vertex-us", "gcp"), ("anthropic", "anthropic")]
GPT = [("azure-gpt-us", "azure"), ("bedrock-gpt", "aws"), ("openai", "openai")]
EXPECTED = {
    "claude-sonnet": [*CLAUDE_SONNET, *GPT],
    "claude-sonnet-eu": [
        ("foundry-eu", "azure"),
        ("bedrock-eu", "aws"),
        ("vertex-eu", "gcp"),
        ("azure-gpt-eu", "azure"),
    ],
    "claude-haiku": [
        ("foundry-us", "azure"),
        ("bedrock-mantle", "aws"),
        ("vertex-us", "gcp"),
        ("anthropic", "anthropic"),
    ],
    "claude-opus": [
        ("foundry-us", "azure"),
        ("claude-platform", "aws"),
        ("anthropic", "anthropic"),
        *CLAUDE_SONNET,
        *GPT,
    ],
    "gpt": GPT,
    "gpt-eu": [("azure-gpt-eu", "azure")],
}


@pytest.fixture
def cloud_and_router(no_machine_credentials: None) -> Iterator[tuple[MockCloud, Router]]:
    with MockCloud() as cloud, router_on_mock_cloud(cloud, CONFIG) as router:
        yield cloud, router


def test_it_uses_every_route_kind() -> None:
    cfg = load_config(CONFIG, env={})
    kinds = {p.kind for p in cfg.spec.providers.values()}
    assert kinds == {
        "azure_openai",
        "azure_foundry",
        "bedrock",
        "bedrock_mantle",
        "anthropic_aws",
        "vertex",
        "anthropic",
        "openai",
    }
    assert {getattr(p, "dialect", None) for p in cfg.spec.providers.values() if p.kind == "bedrock"} == {
        "anthropic",
        "openai",
    }


def test_explain_lists_the_clouds_in_the_promised_order() -> None:
    cfg = load_config(CONFIG, env={})
    router = Router(cfg)
    assert set(EXPECTED) == set(cfg.spec.models)
    for alias, expected in EXPECTED.items():
        plan = router.explain(alias)
        got = [(e.provider, cfg.spec.providers[e.provider].cloud) for e in plan.entries]
        assert got == expected, alias
        assert all(e.eligible for e in plan.entries)
    models = {e.provider: e.model for e in router.explain("claude-sonnet-eu").entries}
    assert models["bedrock-eu"].startswith("eu.anthropic.claude-sonnet-4-5")
    assert models["vertex-eu"] == "claude-sonnet-4-5@20250929"


def test_every_alias_answers_through_the_mock_cloud(cloud_and_router: tuple[MockCloud, Router]) -> None:
    _, router = cloud_and_router
    for alias, expected in EXPECTED.items():
        r = router.complete(alias, HI, max_tokens=50)
        assert r.served_by is not None and r.text
        assert (r.served_by.provider, r.served_by.cloud) == expected[0], alias


def test_claude_walks_azure_aws_gcp_then_the_direct_api(cloud_and_router: tuple[MockCloud, Router]) -> None:
    cloud, router = cloud_and_router
    served = []
    for provider, _ in EXPECTED["claude-sonnet"]:
        with router.stream("claude-sonnet", HI) as s:
            "".join(s.text())
        assert s.response.served_by is not None
        served.append((s.response.served_by.provider, s.response.served_by.cloud))
        cloud.down(provider)  # the next call finds this one down too
    assert served == EXPECTED["claude-sonnet"]


def test_eu_data_never_leaves_eu_regions(cloud_and_router: tuple[MockCloud, Router]) -> None:
    cloud, router = cloud_and_router
    eu = [p for p, _ in EXPECTED["claude-sonnet-eu"]]
    for p in eu:
        cloud.down(p)
    with pytest.raises(AllTargetsFailed) as e:
        router.complete("claude-sonnet-eu", HI)
    assert [a.provider for a in e.value.trace] == eu
    assert all(cloud.requests(name) == [] for name in cloud.entries if name not in eu)


def test_a_stream_cut_on_azure_resumes_on_aws_behind_a_seam(cloud_and_router: tuple[MockCloud, Router]) -> None:
    cloud, router = cloud_and_router
    cloud.script("foundry-us", Fault.stream_cut(after_events=5))  # the default stream_resume: auto
    with router.stream("claude-sonnet", HI) as s:
        events = list(s)
    seams = [e for e in events if isinstance(e, Seam)]
    assert len(seams) == 1
    assert s.response.served_by is not None and s.response.served_by.provider == "bedrock-us"
    assert [a.provider for a in s.response.trace] == ["foundry-us", "bedrock-us"]


@pytest.mark.anyio
async def test_a_slow_foundry_haiku_is_raced_on_bedrock(no_machine_credentials: None) -> None:
    clock = FakeClock()  # its async sleep returns at once: the hedge delay is over as soon as Foundry is asked
    with MockCloud() as cloud:
        router = router_on_mock_cloud(cloud, CONFIG, clock=clock, async_sleep=clock.async_sleep, rng=random.Random(0))
        cloud.set_default("foundry-us", Fault.hang())
        try:
            r = await router.acomplete("claude-haiku", HI)
        finally:
            await router.aclose()
    assert r.served_by is not None and (r.served_by.provider, r.served_by.cloud) == ("bedrock-mantle", "aws")
    assert [(a.provider, a.outcome, a.hedged) for a in r.trace] == [
        ("bedrock-mantle", "ok", True),
        ("foundry-us", "cancelled", True),
    ]


# --- the deadline defaults: a hung first target leaves room to fail over ------------------------------------


class ClockedTransport:
    """A sync transport whose sends move the fake clock by the real time they took, and record their limits: the
    call's deadline then counts the hung attempt's real wait, while every other wait stays instant."""

    def __init__(self, inner: Any, clock: FakeClock, limits: list[tuple[str, Timeouts]], provider: str) -> None:
        self._inner, self._clock, self._limits, self._provider = inner, clock, limits, provider

    def send(self, method: str, url: str, headers: Any, body: bytes, timeouts: Timeouts) -> Any:
        self._limits.append((self._provider, timeouts))
        started = time.monotonic()
        try:
            return self._inner.send(method, url, headers, body, timeouts)
        finally:
            self._clock.advance(time.monotonic() - started)

    def close(self) -> None:
        self._inner.close()


def test_a_hung_first_target_leaves_claude_haiku_time_for_the_second(  # the audit's case: 10 s deadline, 30 s
    # attempts and 20 s first byte in the defaults; the alias's attempt timeout is now half its own deadline
    monkeypatch: pytest.MonkeyPatch,
    no_machine_credentials: None,
) -> None:
    clock = FakeClock()
    limits: list[tuple[str, Timeouts]] = []
    real = Pools.sync
    monkeypatch.setattr(Pools, "sync", lambda self, p: ClockedTransport(real(self, p), clock, limits, p))
    with MockCloud() as cloud:
        router = router_on_mock_cloud(cloud, CONFIG, clock=clock, sleep=clock.sleep, rng=random.Random(0))
        assert router.config.timings("claude-haiku").attempt_timeout_s == 5
        cloud.set_default("foundry-us", Fault.hang())  # accepts, reads the request, never answers
        try:
            answer = router.complete("claude-haiku", HI)
        finally:
            router.close()
    assert answer.served_by is not None and answer.served_by.provider == "bedrock-mantle"
    first, _ = answer.trace
    assert (first.provider, first.kind.value if first.kind else None, first.action) == (
        "foundry-us",
        "timeout",
        "failover",
    )
    assert limits[0] == ("foundry-us", Timeouts(connect_s=3, first_byte_s=5, stall_s=5, total_s=5))
    assert limits[1][0] == "bedrock-mantle" and limits[1][1].total_s <= 5
    assert first.latency_s >= 4.9  # the hang cost what the first-byte timer allowed...
    assert answer.latency_s < 10  # ...and the answer came within the alias's deadline
