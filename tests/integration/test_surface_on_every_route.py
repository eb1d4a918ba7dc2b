"""The request surface through the mock cloud, on every route (issue 10): multi-turn tool use (one call, parallel
calls, images in results), structured output valid and invalid, reasoning with history, cache breakpoints and
cache counts, streamed tool calls; and agent conversations that fail over from one family to the other."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from modelroute import (
    Message,
    Response,
    Router,
    StructuredOutputError,
    TextPart,
    ThinkingPart,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResultPart,
)
from modelroute.testing import FakeClock, Fault, MockCloud, router_on_mock_cloud

SIGV4 = {"aws_access_key_id": "${AWS_ACCESS_KEY_ID}", "aws_secret_access_key": "${AWS_SECRET_ACCESS_KEY}"}
PNG = "iVBORw0KGgo="

# id -> (provider entry, model, dialect)
ROUTES: dict[str, tuple[dict[str, Any], str, str]] = {
    "openai": ({"kind": "openai", "api_key": "${K}"}, "gpt-5.5", "openai"),
    "azure_openai": ({"kind": "azure_openai", "resource": "contoso", "api_key": "${K}"}, "gpt-prod", "openai"),
    "azure_openai-v1": (
        {"kind": "azure_openai", "resource": "contoso", "api_version": "v1", "api_key": "${K}"},
        "gpt-prod",
        "openai",
    ),
    "bedrock-openai": (
        {"kind": "bedrock", "region": "us-east-1", "dialect": "openai", **SIGV4},
        "openai.gpt-oss-120b-1:0",
        "openai",
    ),
    "bedrock_mantle-openai": (
        {"kind": "bedrock_mantle", "region": "eu-west-1", "dialect": "openai", "api_key": "${K}"},
        "openai.gpt-oss-20b-1:0",
        "openai",
    ),
    "anthropic": ({"kind": "anthropic", "api_key": "${K}"}, "claude-sonnet-4-5", "anthropic"),
    "azure_foundry": (
        {"kind": "azure_foundry", "resource": "contoso-ai", "api_key": "${K}"},
        "claude-sonnet-4-5",
        "anthropic",
    ),
    "bedrock": (
        {"kind": "bedrock", "region": "us-east-1", **SIGV4},
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "anthropic",
    ),
    "bedrock_mantle": (
        {"kind": "bedrock_mantle", "region": "us-east-1", **SIGV4},
        "anthropic.claude-sonnet-4-5",
        "anthropic",
    ),
    "anthropic_aws": (
        {"kind": "anthropic_aws", "region": "us-east-1", "workspace_id": "wrkspc_01", **SIGV4},
        "claude-opus-4-5",
        "anthropic",
    ),
    "vertex": (
        {"kind": "vertex", "project": "acme", "region": "us-east5", "access_token": "${T}"},
        "claude-sonnet-4-5@20250929",
        "anthropic",
    ),
}
IDS = sorted(ROUTES)
WEATHER = {"name": "weather", "description": "Weather in a city", "input_schema": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}  # fmt: skip


@pytest.fixture(scope="module")
def cloud() -> Iterator[MockCloud]:
    with MockCloud() as c:
        for rid, (provider, _, _) in ROUTES.items():
            c.add(rid, route=provider["kind"])
        yield c


@pytest.fixture(scope="module")
def router(cloud: MockCloud) -> Iterator[Router]:
    clock = FakeClock()
    models = {rid: {"targets": [f"{rid}:{model}"]} for rid, (_, model, _) in ROUTES.items()}
    models["claude-then-gpt"] = {"targets": ["anthropic:claude-sonnet-4-5", "openai:gpt-5.5"]}
    models["gpt-then-claude"] = {"targets": ["openai:gpt-5.5", "bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0"]}
    config = {"providers": {rid: provider for rid, (provider, _, _) in ROUTES.items()}, "models": models}
    r = router_on_mock_cloud(cloud, config, sleep=clock.sleep, async_sleep=clock.async_sleep)
    yield r
    r.close()


@pytest.fixture(params=IDS)
def rid(request: pytest.FixtureRequest, cloud: MockCloud) -> str:
    cloud.reset()
    return str(request.param)


def sent(cloud: MockCloud, rid: str) -> dict[str, Any]:
    body: dict[str, Any] = cloud.requests(rid)[-1].json
    return body


def claude(rid: str) -> bool:
    return ROUTES[rid][2] == "anthropic"


# --- multi-turn tool use ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_a_tool_loop_with_parallel_calls_and_an_image_result(
    router: Router, cloud: MockCloud, rid: str, stream: bool
) -> None:
    calls = [{"name": "weather", "arguments": {"city": "Paris"}}, {"name": "weather", "arguments": {"city": "Rome"}}]
    cloud.script(rid, Fault.ok(tool_calls=calls), Fault.ok(text="Paris is sunny, Rome is wet."))
    history: list[Any] = [{"role": "user", "content": "Weather in Paris and Rome?"}]
    first = _ask(router, rid, history, stream, tools=[WEATHER])
    assert [(c.name, c.arguments) for c in first.tool_calls] == [(c["name"], c["arguments"]) for c in calls]
    ids = [c.id for c in first.tool_calls]
    assert len(set(ids)) == 2
    history.append(first.to_message())
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}}
    history.append(Message(role="user", content=[
        ToolResultPart(tool_call_id=ids[0], content="sunny"),
        ToolResultPart(tool_call_id=ids[1], content=[TextPart(text="rain radar:"),
                                                     *_parts([image])]),
    ]))  # fmt: skip
    second = _ask(router, rid, history, stream, tools=[WEATHER])
    assert second.text == "Paris is sunny, Rome is wet." and second.served_by.provider == rid
    body = sent(cloud, rid)
    if claude(rid):
        assistant, results = body["messages"][1], body["messages"][2]
        assert [b["id"] for b in assistant["content"] if b["type"] == "tool_use"] == ids
        assert [b["tool_use_id"] for b in results["content"]] == ids
        assert results["content"][1]["content"][1]["type"] == "image" and not second.adaptations
    else:
        assert [c["id"] for c in body["messages"][1]["tool_calls"]] == ids
        assert [m["role"] for m in body["messages"][2:]] == ["tool", "tool", "user"]
        assert body["messages"][4]["content"][1]["type"] == "image_url"
        assert any("tool-result images follow in a user message" in n for n in second.adaptations)
        assert "tool-result images" in second.trace[-1].reason


def _parts(blocks: list[dict[str, Any]]) -> list[Any]:
    from modelroute._coerce import build_request

    return list(build_request(model="m", messages=[{"role": "user", "content": blocks}]).messages[0].content)


def _ask(router: Router, model: str, history: list[Any], stream: bool, **kw: Any) -> Response:
    if not stream:
        return router.complete(model, history, **kw)
    with router.stream(model, history, **kw) as s:
        events = list(s)
        answer = s.get_final_response()
    starts = [e for e in events if isinstance(e, ToolCallStart)]
    ends = [e for e in events if isinstance(e, ToolCallEnd)]
    assert (
        [(e.id, e.name) for e in starts]
        == [(e.id, e.name) for e in ends]
        == [(c.id, c.name) for c in answer.tool_calls]
    )
    calls = {c.id: c for c in answer.tool_calls}
    for e in ends:
        args = "".join(d.arguments_delta for d in events if isinstance(d, ToolCallDelta) and d.index == e.index)
        assert json.loads(args) == e.arguments == calls[e.id].arguments
    return answer


# --- structured output -----------------------------------------------------------------------------------------


class Weather(BaseModel):
    city: str
    celsius: float
    tags: list[str]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_structured_output_valid_and_invalid(router: Router, cloud: MockCloud, rid: str, stream: bool) -> None:
    good = _ask(router, rid, [{"role": "user", "content": "Paris?"}], stream, response_format=Weather)
    assert isinstance(good.parsed, Weather) and good.parsed.tags  # JSON of the schema the request carried
    body = sent(cloud, rid)
    if claude(rid):
        assert body["output_config"]["format"]["type"] == "json_schema"
    else:
        assert body["response_format"]["json_schema"]["name"] == "Weather"
        assert body["response_format"]["json_schema"]["strict"] is True
    cloud.script(rid, Fault.ok(text='{"city": "Paris", "celsius": "warm", "tags": []}'))
    bad = _ask(router, rid, [{"role": "user", "content": "Paris?"}], stream, response_format=Weather)
    with pytest.raises(StructuredOutputError, match="celsius") as info:
        _ = bad.parsed
    assert info.value.text == bad.text
    cloud.script(rid, Fault.ok(text="Sorry, no JSON today."))
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
    with pytest.raises(StructuredOutputError, match="not JSON"):
        _ = _ask(router, rid, [{"role": "user", "content": "?"}], stream, response_format=schema).parsed
    assert _ask(router, rid, [{"role": "user", "content": "?"}], stream, response_format=schema).parsed == {"ok": True}


# --- reasoning with history ------------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_reasoning_with_history(router: Router, cloud: MockCloud, rid: str, stream: bool) -> None:
    cloud.script(
        rid,
        Fault.ok(tool_call={"name": "weather", "arguments": {"city": "Oslo"}}, thinking="The user wants Oslo."),
        Fault.ok(text="Cold.", usage={"reasoning_tokens": 7}),
    )
    history: list[Any] = [{"role": "user", "content": "Weather in Oslo?"}]
    first = _ask(router, rid, history, stream, tools=[WEATHER], reasoning="low", max_tokens=3000)
    body = sent(cloud, rid)
    if claude(rid):
        assert body["thinking"] == {"type": "enabled", "budget_tokens": 2999}
        thought = first.content[0]
        assert isinstance(thought, ThinkingPart) and thought.text == "The user wants Oslo." and thought.signature
        assert first.reasoning == "The user wants Oslo."
    else:
        assert body["reasoning_effort"] == "low" and "thinking" not in body
        assert first.usage is not None and first.usage.reasoning_tokens == 4  # the thinking's words, counted
    history += [first.to_message(), {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": first.tool_calls[0].id, "content": "-3C"}]}]  # fmt: skip
    second = _ask(router, rid, history, stream, tools=[WEATHER], reasoning="low", max_tokens=3000)
    assert second.text == "Cold." and second.usage is not None and second.usage.reasoning_tokens == 7
    body = sent(cloud, rid)
    if claude(rid):
        sent_back = body["messages"][1]["content"][0]
        assert sent_back == {"type": "thinking", "thinking": "The user wants Oslo.", "signature": thought.signature}
        assert "thinking" in body and not second.adaptations
    else:
        assert "thinking" not in json.dumps(body["messages"])


def test_claude_reasoning_goes_back_to_gpt_without_it(router: Router, cloud: MockCloud) -> None:
    cloud.reset()
    history: list[Any] = [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": [{"type": "thinking", "thinking": "greet", "signature": "s"},
                                          {"type": "text", "text": "Hello!"}]},
        {"role": "user", "content": "Again?"},
    ]  # fmt: skip
    answer = router.complete("openai", history)
    assert sent(cloud, "openai")["messages"][1] == {"role": "assistant", "content": "Hello!"}
    assert answer.adaptations == ("reasoning blocks are left out of earlier turns (Chat Completions takes none back)",)
    assert answer.trace[-1].reason == answer.adaptations[0]


# --- prompt caching --------------------------------------------------------------------------------------------


def test_cache_breakpoints_and_cache_counts(router: Router, cloud: MockCloud, rid: str) -> None:
    usage = {"input_tokens": 1200, "output_tokens": 5, "cache_read_tokens": 1000, "cache_write_tokens": 150}
    cloud.script(rid, Fault.ok(usage=usage))
    answer = router.complete(
        rid,
        [{"role": "user", "content": [{"type": "text", "text": "Long context", "cache_control": {"type": "ephemeral"}},
                                      {"type": "text", "text": "Question?"}]}],
        system=[{"type": "text", "text": "Policy.", "cache": "1h"}],
        tools=[{**WEATHER, "cache_control": {"type": "ephemeral"}}],
        prompt_cache_key="tenant-7",
    )  # fmt: skip
    assert answer.usage is not None
    assert (answer.usage.input_tokens, answer.usage.cache_read_tokens, answer.usage.cache_write_tokens) == (
        1200, 1000, 150)  # fmt: skip
    body = sent(cloud, rid)
    if claude(rid):
        assert body["system"][0]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
        assert body["tools"][0]["cache_control"] == {"type": "ephemeral"}
        assert body["messages"][0]["content"][0]["cache_control"] == {"type": "ephemeral"}
        assert "prompt_cache_key" not in body and answer.adaptations == (
            "prompt_cache_key is left out (Claude caches at breakpoints)",
        )
    else:
        assert body["prompt_cache_key"] == "tenant-7" and "cache_control" not in json.dumps(body)
        assert answer.adaptations == ("cache breakpoints are left out (OpenAI caches prompt prefixes itself)",)


# --- failover across families mid-conversation -----------------------------------------------------------------


def test_an_anthropic_shaped_agent_fails_over_to_gpt(router: Router, cloud: MockCloud) -> None:
    cloud.reset()
    cloud.script("anthropic", Fault.ok(tool_call={"name": "weather", "arguments": {"city": "Lima"}},
                                       thinking="Lima it is."), Fault.overloaded())  # fmt: skip
    cloud.script("openai", Fault.ok(text="Lima: 19C."))
    history: list[Any] = [{"role": "user", "content": "Weather in Lima?"}]
    first = router.complete("claude-then-gpt", history, tools=[WEATHER], reasoning="low", max_tokens=2000)
    assert first.served_by.provider == "anthropic"
    history += [{"role": "assistant", "content": first.to_anthropic().model_dump()["content"]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": first.tool_calls[0].id,
                                              "content": "19C", "is_error": False}]}]  # fmt: skip
    second = router.complete("claude-then-gpt", history, tools=[WEATHER], reasoning="low", max_tokens=2000)
    assert second.served_by.provider == "openai" and second.text == "Lima: 19C."
    assert [a.kind.value if a.kind else None for a in second.trace] == ["overloaded", None]
    messages = sent(cloud, "openai")["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "tool"]
    assert messages[1]["tool_calls"][0]["id"] == first.tool_calls[0].id


def test_an_openai_shaped_agent_fails_over_to_claude_on_bedrock(router: Router, cloud: MockCloud) -> None:
    cloud.reset()
    cloud.script("openai", Fault.ok(tool_call={"name": "weather", "arguments": {"city": "Quito"}}),
                 Fault.unavailable())  # fmt: skip
    cloud.script("bedrock", Fault.ok(text="Quito: 14C."))
    history: list[Any] = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Quito?"}]
    first = router.complete("gpt-then-claude", history, tools=[WEATHER], reasoning="low", max_tokens=2000)
    assistant = first.to_openai().choices[0].message  # what an OpenAI-SDK agent loop appends
    history += [assistant, {"role": "tool", "tool_call_id": first.tool_calls[0].id, "content": "14C"}]
    second = router.complete("gpt-then-claude", history, tools=[WEATHER], reasoning="low", max_tokens=2000)
    assert second.served_by.provider == "bedrock" and second.text == "Quito: 14C."
    body = sent(cloud, "bedrock")
    assert body["system"] == "Be brief."
    assert body["messages"][1] == {"role": "assistant", "content": [
        {"type": "tool_use", "id": first.tool_calls[0].id, "name": "weather", "input": {"city": "Quito"}}]}  # fmt: skip
    assert "thinking" not in body  # the last tool turn has no signed thinking: Claude would refuse it
    assert second.adaptations[0].startswith("thinking is off for this turn")
