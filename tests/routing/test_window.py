"""After a context_window error: the same model on every cloud, and every known window not larger, is skipped.

Pure: `Call` driven by scripted outcomes on a fake clock, with model identities from the catalog."""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

import pytest

from modelroute import AllTargetsFailed, Response
from modelroute._coerce import build_request
from modelroute._types import TextPart
from modelroute.catalog import default_catalog
from modelroute.config import load_config
from modelroute.exceptions import ErrorKind, ProviderError, error_for_kind
from modelroute.routing import (
    Call,
    CallSettings,
    Fail,
    ModelIdentity,
    Try,
    Wait,
    expand,
    identify_models,
    merge_table,
    too_long_for,
)
from modelroute.state import MemoryState
from modelroute.testing import FakeClock

SIGV4 = {"aws_access_key_id": "${K}", "aws_secret_access_key": "${K}"}
PROVIDERS: dict[str, Any] = {
    "foundry": {"kind": "azure_foundry", "resource": "contoso-ai", "api_key": "${K}"},
    "foundry-2": {"kind": "azure_foundry", "resource": "contoso-ai-2", "api_key": "${K}"},
    "vertex": {"kind": "vertex", "project": "acme", "region": "us-east5", "access_token": "${K}"},
    "bedrock": {"kind": "bedrock", "region": "us-east-1", **SIGV4},
    "oai": {"kind": "openai", "api_key": "${K}"},
    "anth": {"kind": "anthropic", "api_key": "${K}"},
}
SONNET = ["foundry:claude-sonnet-4-5", "vertex:claude-sonnet-4-5@20250929"]
SONNET_BEDROCK = "bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0"


def settings(targets: list[str], *, alias: dict[str, Any] | None = None, **config: Any) -> CallSettings:
    cfg = load_config({"providers": PROVIDERS, "models": {"m": alias or {"targets": targets}}, **config})
    spec = cfg.spec
    entries = expand(spec, "m")
    return CallSettings(
        alias="m",
        entries=entries,
        table=merge_table(),
        deadline_s=60.0,
        attempt_timeout_s=30.0,
        max_retry_wait_s=2.0,
        backoff_base_s=0.25,
        backoff_max_s=4.0,
        models=identify_models(entries, spec, cfg.catalog),
    )


def ok(text: str = "hi") -> Response:
    return Response.model_construct(content=[TextPart(text=text)])


def too_long() -> ProviderError:
    return error_for_kind(ErrorKind.CONTEXT_WINDOW, "prompt is too long", status=400)


class Driver:
    def __init__(self) -> None:
        self.clock = FakeClock()
        self.state = MemoryState()
        self.tried: list[str] = []

    def call(self, s: CallSettings) -> Call:
        req = build_request(model="m", messages=[{"role": "user", "content": "a very long prompt"}])
        return Call(s, req, clock=self.clock, state=self.state, unsupported=lambda p, r: None, rng=random.Random(3))

    def run(self, s: CallSettings, script: dict[str, Iterable[Response | ProviderError]]) -> Response:
        """``script``: provider:model -> its outcomes in order."""
        call = self.call(s)
        queues = {k: list(v) for k, v in script.items()}
        while True:
            step = call.next_step()
            if isinstance(step, Wait):
                self.clock.sleep(step.seconds)
                continue
            if isinstance(step, Fail):
                raise step.error
            assert isinstance(step, Try)
            target = f"{step.entry.provider}:{step.entry.model}"
            self.tried.append(target)
            self.clock.advance(0.01)
            outcome = queues[target].pop(0)
            if isinstance(outcome, ProviderError):
                call.record_error(step, outcome)
                continue
            done = call.record_ok(step, outcome)
            if done is not None:
                return done


def skips(r: Response | AllTargetsFailed) -> dict[str, str]:
    return {f"{a.provider}:{a.model}": a.reason for a in r.trace if a.outcome == "skipped"}


def test_the_same_model_on_other_clouds_is_skipped_by_family() -> None:
    d = Driver()
    s = settings([*SONNET, SONNET_BEDROCK, "oai:gpt-4.1"])
    r = d.run(s, {SONNET[0]: [too_long()], "oai:gpt-4.1": [ok("fits")]})
    assert d.tried == [SONNET[0], "oai:gpt-4.1"] and r.text == "fits"
    assert [(a.provider, a.outcome, a.action) for a in r.trace] == [
        ("foundry", "error", "failover"),
        ("vertex", "skipped", "skip"),
        ("bedrock", "skipped", "skip"),
        ("oai", "ok", "served"),
    ]
    why = skips(r)
    assert (
        why[SONNET[1]]
        == why[SONNET_BEDROCK]
        == ("model family claude-sonnet-4-5 already refused this prompt as too long for its context window")
    )


def test_known_windows_not_larger_are_skipped_and_a_larger_one_is_kept() -> None:
    d = Driver()
    # sonnet 4.5: 200k; opus 4.5: 200k (equal); gpt-4o: 128k (smaller); gpt-5: 400k (larger)
    s = settings([SONNET[0], "anth:claude-opus-4-5-20251101", "oai:gpt-4o", "oai:gpt-5"])
    r = d.run(s, {SONNET[0]: [too_long()], "oai:gpt-5": [ok("fits")]})
    assert d.tried == [SONNET[0], "oai:gpt-5"]
    why = skips(r)
    assert why["anth:claude-opus-4-5-20251101"] == (
        "claude-opus-4-5's context window (200,000 tokens) is not larger than claude-sonnet-4-5's (200,000), "
        "which refused this prompt as too long"
    )
    assert why["oai:gpt-4o"].startswith("gpt-4o's context window (128,000 tokens) is not larger than")


def test_a_target_whose_window_is_unknown_stays_eligible() -> None:
    d = Driver()
    s = settings([SONNET[0], "anth:claude-opus-4-6", "oai:gpt-4o"])  # the catalog has no window for opus 4.6
    r = d.run(s, {SONNET[0]: [too_long()], "anth:claude-opus-4-6": [ok("fits")]})
    assert d.tried == [SONNET[0], "anth:claude-opus-4-6"] and r.text == "fits"


def test_the_largest_refused_window_is_the_bar() -> None:
    d = Driver()
    s = settings([SONNET[0], "oai:gpt-5", "anth:claude-opus-4-5-20251101", "oai:gpt-5-mini", "oai:gpt-4.1"])
    r = d.run(s, {SONNET[0]: [too_long()], "oai:gpt-5": [too_long()], "oai:gpt-4.1": [ok()]})
    assert d.tried == [SONNET[0], "oai:gpt-5", "oai:gpt-4.1"]
    why = skips(r)
    assert "not larger than gpt-5's (400,000)" in why["anth:claude-opus-4-5-20251101"]
    assert "not larger than gpt-5's (400,000)" in why["oai:gpt-5-mini"]


def test_an_id_the_catalog_does_not_know_is_excluded_by_its_exact_id_only() -> None:
    d = Driver()
    s = settings(["foundry:my-sonnet", "foundry-2:my-sonnet", SONNET[1], "oai:gpt-4o"])
    r = d.run(s, {"foundry:my-sonnet": [too_long()], SONNET[1]: [ok("vertex")]})
    # the same id elsewhere is skipped; a known model (even one of a smaller window) is not ruled out by it
    assert d.tried == ["foundry:my-sonnet", SONNET[1]] and r.text == "vertex"
    assert skips(r) == {
        "foundry-2:my-sonnet": "model my-sonnet already refused this prompt as too long for its context window"
    }


def test_an_azure_deployment_named_by_a_family_alias_is_that_family() -> None:
    alias = {
        "family": "claude-sonnet-4-5",
        "providers": ["foundry", "vertex", "bedrock"],
        "deployments": {"foundry": "prod-sonnet"},
    }
    s = settings([], alias=alias)
    assert s.models["foundry/prod-sonnet"] == ModelIdentity("prod-sonnet", "claude-sonnet-4-5", 200_000)
    d = Driver()
    with pytest.raises(AllTargetsFailed) as info:
        d.run(s, {"foundry:prod-sonnet": [too_long()]})
    assert d.tried == ["foundry:prod-sonnet"]
    assert [(a.provider, a.outcome) for a in info.value.trace] == [
        ("foundry", "error"),
        ("vertex", "skipped"),
        ("bedrock", "skipped"),
    ]
    assert info.value.trace[1].reason == (
        "model family claude-sonnet-4-5 (as prod-sonnet) already refused this prompt as too long for its context window"
    )


def test_a_config_catalog_override_reaches_the_decision() -> None:
    over = {"catalog": {"families": {"claude-opus-4-6": {"context_window": 150_000}}}}
    d = Driver()
    s = settings([SONNET[0], "anth:claude-opus-4-6", "oai:gpt-5"], **over)
    d.run(s, {SONNET[0]: [too_long()], "oai:gpt-5": [ok()]})
    assert d.tried == [SONNET[0], "oai:gpt-5"]


def test_a_too_long_target_that_is_only_cooling_down_is_not_waited_for() -> None:
    d = Driver()
    s = settings(SONNET)
    d.state.cool("vertex/claude-sonnet-4-5@20250929", d.clock() + 3.0, "rate_limited 429")
    with pytest.raises(AllTargetsFailed) as info:
        d.run(s, {SONNET[0]: [too_long()]})
    assert d.clock.sleeps == [] and info.value.retry_in_s is None
    assert "too long for its context window" in info.value.trace[1].reason


def test_a_refusal_in_a_hedge_race_rules_out_the_same_model_after_it() -> None:
    d = Driver()
    s = settings([SONNET[0], "oai:gpt-4o", SONNET_BEDROCK, "oai:gpt-4.1"])
    call = d.call(s)
    first = call.next_step()
    assert isinstance(first, Try)
    hedge = call.hedge_step(first)
    assert hedge is not None and hedge.entry.model == "gpt-4o"
    call.record_race_error(first, too_long())
    call.record_race_error(hedge, error_for_kind(ErrorKind.OVERLOADED, "busy", status=529))
    step = call.next_step()
    assert isinstance(step, Try) and step.entry.model == "gpt-4.1"
    assert call.trace[-1].outcome == "skipped" and call.trace[-1].provider == "bedrock"


def test_too_long_for_is_pure_and_says_why() -> None:
    sonnet = ModelIdentity("claude-sonnet-4-5", "claude-sonnet-4-5", 200_000)
    assert too_long_for(ModelIdentity("gpt-4.1", "gpt-4.1", 1_047_576), [sonnet]) is None
    assert too_long_for(ModelIdentity("x"), [sonnet]) is None  # unknown window: may fit
    assert too_long_for(ModelIdentity("x"), [ModelIdentity("x")]) is not None  # same id, nothing else known
    assert too_long_for(ModelIdentity("y", None, 100), [ModelIdentity("x")]) is None  # refused window unknown
    assert too_long_for(sonnet, []) is None


def test_identities_come_from_the_catalog_across_clouds() -> None:
    spec = load_config({"providers": PROVIDERS, "models": {"m": {"targets": [*SONNET, SONNET_BEDROCK]}}}).spec
    models = identify_models(expand(spec, "m"), spec, default_catalog())
    assert {m.family for m in models.values()} == {"claude-sonnet-4-5"}
    assert {m.context_window for m in models.values()} == {200_000}
