"""What a wire cannot carry as it is, each route says so (its `Carriage`), and the encoder does exactly that:
a refused feature makes the planner skip the target; an adapted one is sent in another form and the served
answer and its trace line say how. Nothing is dropped silently."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from modelroute import Router
from modelroute._coerce import build_request
from modelroute.testing import MockCloud, router_on_mock_cloud
from modelroute.wire._carry import ANTHROPIC, FEATURES, OPENAI, request_features

from ._hostile import ROUTE_SPECS
from ._hostile import route_for as built

PNG = "iVBORw0KGgo="
PDF = base64.b64encode(b"%PDF-1.4\n").decode()
HI: list[dict[str, Any]] = [{"role": "user", "content": "Hi"}]
TOOL = {"name": "f", "input_schema": {"type": "object"}}
CALL = {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]}


def result(**kw: Any) -> dict[str, Any]:
    return {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "ok", **kw}]}


# feature -> the arguments of a request that has it (and, by leaving them out, one that does not)
EXAMPLES: dict[str, dict[str, Any]] = {
    "reasoning_foreign_tool_turn": {"messages": [*HI, CALL, result()], "tools": [TOOL], "reasoning": "low"},
    "reasoning_unsigned": {"messages": [*HI, {"role": "assistant", "content": [{"type": "thinking", "text": "hm"},
                                                                               {"type": "text", "text": "Hi"}]}, *HI]},
    "reasoning_history": {"messages": [*HI, {"role": "assistant", "content": [
        {"type": "thinking", "thinking": "hm", "signature": "s"}, {"type": "text", "text": "Hi"}]}, *HI]},
    "message_name": {"messages": [{"role": "user", "name": "ada", "content": "Hi"}]},
    "image_detail": {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {
        "url": f"data:image/png;base64,{PNG}", "detail": "low"}}]}]},
    "prompt_cache_key": {"messages": HI, "prompt_cache_key": "k"},
    "metadata": {"messages": HI, "metadata": {"a": "b"}},
    "metadata_unstored": {"messages": HI, "metadata": {"a": "b"}},
    "caching": {"messages": HI, "system": [{"type": "text", "text": "S", "cache": "5m"}]},
    "tool_result_images": {"messages": [*HI, CALL, {"role": "user", "content": [{"type": "tool_result",
        "tool_use_id": "t1", "content": [{"type": "image", "data": PNG, "media_type": "image/png"}]}]}],
        "tools": [TOOL]},
    "tool_result_error": {"messages": [*HI, CALL, result(is_error=True)], "tools": [TOOL]},
    "reasoning_forced_tool": {"messages": HI, "tools": [TOOL], "tool_choice": "required", "reasoning": "low"},
    "reasoning_sampling": {"messages": HI, "reasoning": "low", "temperature": 1.0},
    "reasoning_short": {"messages": HI, "reasoning": "low", "max_tokens": 1024},
    "seed": {"messages": HI, "seed": 1},
    "top_k": {"messages": HI, "top_k": 5},
    "document_url": {"messages": [{"role": "user", "content": [{"type": "document", "url": "https://x/a.pdf"}]}]},
    "image_url": {"messages": [{"role": "user", "content": [{"type": "image", "url": "https://x/a.png"}]}]},
    "document_filename": {"messages": [{"role": "user", "content": [{"type": "document", "data": PDF,
                                                                     "filename": "a.pdf"}]}]},
    "document_title": {"messages": [{"role": "user", "content": [{"type": "document", "data": PDF, "title": "A"}]}]},
}  # fmt: skip


def test_every_declared_feature_has_a_name_and_an_example() -> None:
    declared = set(ANTHROPIC.refuses) | set(ANTHROPIC.adapts) | set(OPENAI.refuses) | set(OPENAI.adapts)
    assert declared <= set(FEATURES) and declared <= set(EXAMPLES)
    for name, args in EXAMPLES.items():
        assert name in request_features(build_request(model="m", **args)), name
    assert request_features(build_request(model="m", messages=HI)) == frozenset()


@pytest.mark.parametrize("rid", [r[0] for r in ROUTE_SPECS])
def test_each_adapted_feature_is_noted_and_only_then(rid: str) -> None:
    route = built(rid)
    carriage = type(route).carriage(route.spec)
    for name, how in carriage.adapts.items():
        request = build_request(model="m", **EXAMPLES[name])
        assert how in route.notes(request), (rid, name)
        route.build(request, "model-x", stream=False)  # it encodes
    assert route.notes(build_request(model="m", messages=HI)) == ()


@pytest.mark.parametrize("rid", [r[0] for r in ROUTE_SPECS])
def test_each_refused_feature_skips_the_target(rid: str) -> None:
    route = built(rid)
    cls = type(route)
    carriage = cls.carriage(route.spec)
    for name, why in carriage.refuses.items():
        got = cls.unsupported(route.spec, build_request(model="m", **EXAMPLES[name]))
        version = getattr(route.spec, "anthropic_version", "")  # 2026-10-21 refuses temperature before anything else
        assert got == why or (name == "reasoning_sampling" and got and got.startswith(f"anthropic-version {version}"))
    assert cls.unsupported(route.spec, build_request(model="m", messages=HI)) is None


def test_base64_only_routes_refuse_urls_and_first_party_ones_do_not() -> None:
    for rid, expected in [("bedrock", True), ("mantle", True), ("vertex", True), ("anthropic", False),
                          ("azure_foundry", False), ("anthropic_aws", False)]:  # fmt: skip
        refuses = type(built(rid)).carriage(built(rid).spec).refuses
        assert ("image_url" in refuses and "document_url" in refuses) is expected, rid


def test_the_router_skips_a_target_that_cannot_carry_the_request_and_says_why() -> None:
    config = {
        "providers": {"claude": {"kind": "anthropic", "api_key": "${K}"}, "gpt": {"kind": "openai", "api_key": "${K}"}},
        "models": {"m": {"targets": ["claude:claude-sonnet-4-5", "gpt:gpt-5.5"]}},
    }
    with MockCloud() as cloud:
        router: Router = router_on_mock_cloud(cloud, config)
        with router:
            answer = router.complete("m", HI, seed=7)
            assert answer.served_by is not None and answer.served_by.provider == "gpt"
            assert answer.trace[0].outcome == "skipped" and "takes no seed" in answer.trace[0].reason
            assert json.loads(cloud.requests("gpt")[-1].body)["seed"] == 7 and not cloud.requests("claude")
            plan = router.explain("m", HI, seed=7)
            assert "takes no seed" in plan.entries[0].reason
