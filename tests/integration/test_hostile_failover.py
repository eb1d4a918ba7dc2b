"""Hostile responses through the router and the mock cloud: a body or stream no decoder can read is a
`malformed_response` that fails over to the healthy next target (sync and async, JSON and streamed, on every
route); a hostile error body is still classified by its status and fails over; answers that are legitimate
though unusual (a tool call cut by max_tokens, an OpenAI stream without ``[DONE]``, text after ``message_stop``)
are served by the first target, never failed over and re-billed."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import pytest

from modelroute import Response, Router, StopReason, TextDelta
from modelroute.testing import Fault, MockCloud
from modelroute.testing._routes.bedrock import es_chunk, es_frame

FIXTURES = Path(__file__).parent.parent / "wire" / "fixtures"
PROFILE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
SIGV4 = {"aws_access_key_id": "${AWS_ACCESS_KEY_ID}", "aws_secret_access_key": "${AWS_SECRET_ACCESS_KEY}"}
CONFIG: dict[str, Any] = {
    "providers": {
        "oai": {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
        "oai-2": {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
        "az": {"kind": "azure_openai", "resource": "contoso", "api_key": "${AZURE_OPENAI_API_KEY}"},
        "mantle-gpt": {"kind": "bedrock_mantle", "region": "us-east-1", "dialect": "openai", **SIGV4},
        "compat": {"kind": "openai", "api_key": "${VLLM_KEY}", "stream_usage": False},
        "ant": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "ant-2": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "foundry": {"kind": "azure_foundry", "resource": "contoso-ai", "api_key": "${AZURE_FOUNDRY_API_KEY}"},
        "vertex": {"kind": "vertex", "project": "acme", "region": "us-east5", "access_token": "${GCP_TOKEN}"},
        "bedrock": {"kind": "bedrock", "region": "us-west-2", **SIGV4},
        "aws": {"kind": "anthropic_aws", "region": "us-east-1", "workspace_id": "wrkspc_01", "api_key": "${AWS_KEY}"},
    },
    "models": {
        "oai": {"targets": ["oai:gpt-5.5", "oai-2:gpt-5.5"]},
        "az": {"targets": ["az:gpt-prod", "oai-2:gpt-5.5"]},
        "mantle-gpt": {"targets": ["mantle-gpt:openai.gpt-oss-120b-1:0", "oai-2:gpt-5.5"]},
        "compat": {"targets": ["compat:llama-4", "oai-2:gpt-5.5"]},
        "ant": {"targets": ["ant:claude-sonnet-5-5", "ant-2:claude-sonnet-5-5"]},
        "foundry": {"targets": ["foundry:claude-sonnet-5-5", "ant-2:claude-sonnet-5-5"]},
        "vertex": {"targets": ["vertex:claude-sonnet-5-5@20260901", "ant-2:claude-sonnet-5-5"]},
        "bedrock": {"targets": [f"bedrock:{PROFILE}", "ant-2:claude-sonnet-5-5"]},
        "aws": {"targets": ["aws:claude-sonnet-5-5", "ant-2:claude-sonnet-5-5"]},
    },
    "defaults": {"deadline_s": 20, "attempt_timeout_s": 5, "stall_timeout_s": 1, "first_byte_timeout_s": 2},
}  # fmt: skip
HI = [{"role": "user", "content": "Hello there"}]
OPENAI = ["oai", "az", "mantle-gpt"]
ANTHROPIC = ["ant", "foundry", "vertex", "bedrock", "aws"]
FALLBACK = dict.fromkeys(OPENAI, "oai-2") | dict.fromkeys(ANTHROPIC, "ant-2")
DEEP = "[" * 100_000 + "]" * 100_000


def sse(events: list[Any], *, named: bool) -> bytes:
    """SSE as the vendors frame it (named events for Anthropic); a string is sent as it is."""
    out = b""
    for e in events:
        head = f"event: {e['type']}\n" if named and isinstance(e, dict) else ""
        out += f"{head}data: {e if isinstance(e, str) else json.dumps(e)}\n\n".encode()
    return out


def es_chunk_text(text: str) -> bytes:
    """A Bedrock chunk frame carrying ``text`` as it is, JSON or not."""
    payload = json.dumps({"bytes": base64.b64encode(text.encode()).decode()}).encode()
    return es_frame({":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}, payload)


def openai_chunk(delta: Any) -> dict[str, Any]:
    return {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "gpt-5.5",
            "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}  # fmt: skip


def kinds(r: Response) -> list[str | None]:
    return [a.kind.value if a.kind else None for a in r.trace]


def openai_json(**message: Any) -> bytes:
    return json.dumps({"id": "c", "object": "chat.completion", "created": 1, "model": "gpt-5.5",
                       "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", **message}}],
                       "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}).encode()  # fmt: skip


def anthropic_json(content: Any, **usage: Any) -> bytes:
    usage = {"input_tokens": 1, "output_tokens": 1, **usage}
    return json.dumps({"id": "m", "type": "message", "role": "assistant", "model": "claude", "content": content,
                       "stop_reason": "end_turn", "usage": usage}).encode()  # fmt: skip


MESSAGE = {"id": "m", "type": "message", "role": "assistant", "content": [], "model": "claude",
           "usage": {"input_tokens": 1, "output_tokens": 1}}  # fmt: skip
START = {"type": "message_start", "message": MESSAGE}
BLOCK = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}


def anthropic_stream(provider: str, *events: Any) -> bytes:
    if provider == "bedrock":
        return b"".join(es_chunk_text(e) if isinstance(e, str) else es_chunk(e) for e in events)
    return sse(list(events), named=True)


HOSTILE_JSON = {
    "openai": {
        "content a number": openai_json(content=5),
        "choices an object": json.dumps({"choices": {"0": {"message": {"content": "x"}}}}).encode(),
        "usage 'two'": openai_json(content="Hi").replace(b'"prompt_tokens": 1', b'"prompt_tokens": "two"'),
        "100k-deep": DEEP.encode(),
    },
    "anthropic": {
        "text null": anthropic_json([{"type": "text", "text": None}]),
        "tool input a string": anthropic_json([{"type": "tool_use", "id": "t", "name": "w", "input": "{}"}]),
        "usage NaN": anthropic_json([{"type": "text", "text": "Hi"}], output_tokens=float("nan")),
        "100k-deep": DEEP.encode(),
    },
}


def hostile_stream(provider: str, case: str) -> bytes:
    if provider in OPENAI:
        return {
            "delta a string": sse([openai_chunk("Hi")], named=False),
            "choices an object": sse([{**openai_chunk({"content": "Hi"}), "choices": {"0": {}}}], named=False),
            "100k-deep chunk": sse([DEEP], named=False),
        }[case]
    bad_delta = {"type": "content_block_delta", "index": 0, "delta": "Hi"}
    return {
        "delta a string": anthropic_stream(provider, START, BLOCK, bad_delta),
        "choices an object": anthropic_stream(provider, START, {**BLOCK, "content_block": [1]}),
        "100k-deep chunk": anthropic_stream(provider, START, DEEP),
    }[case]  # fmt: skip


JSON_CASES = [(p, c) for p in OPENAI + ANTHROPIC for c in HOSTILE_JSON["openai" if p in OPENAI else "anthropic"]]
STREAM_CASES = [(p, c) for p in OPENAI + ANTHROPIC for c in ("delta a string", "choices an object", "100k-deep chunk")]


@pytest.mark.parametrize(("provider", "case"), JSON_CASES, ids=[f"{p}-{c}" for p, c in JSON_CASES])
def test_a_hostile_body_fails_over(router: Router, cloud: MockCloud, provider: str, case: str) -> None:
    body = HOSTILE_JSON["openai" if provider in OPENAI else "anthropic"][case]
    cloud.script(provider, Fault.status(200, body))
    r = router.complete(provider, HI)
    assert kinds(r) == ["malformed_response", None]
    assert r.served_by is not None and r.served_by.provider == FALLBACK[provider]
    assert r.text == f"Hello from {FALLBACK[provider]}."


@pytest.mark.parametrize(("provider", "case"), STREAM_CASES, ids=[f"{p}-{c}" for p, c in STREAM_CASES])
def test_a_hostile_stream_fails_over(router: Router, cloud: MockCloud, provider: str, case: str) -> None:
    cloud.script(provider, Fault.status(200, hostile_stream(provider, case)))
    with router.stream(provider, HI) as s:
        text = "".join(e.text for e in s if isinstance(e, TextDelta))
    assert text == f"Hello from {FALLBACK[provider]}."
    assert kinds(s.response) == ["malformed_response", None]


@pytest.mark.parametrize("provider", ["oai", "bedrock", "vertex"])
def test_async_drivers_fail_over_too(router: Router, cloud: MockCloud, provider: str) -> None:
    async def run() -> tuple[Response, Response]:
        try:
            cloud.script(provider, Fault.status(200, DEEP.encode()))
            done = await router.acomplete(provider, HI)
            cloud.script(provider, Fault.status(200, hostile_stream(provider, "delta a string")))
            async with router.astream(provider, HI) as s:
                async for _ in s:
                    pass
            return done, s.response
        finally:
            await router.aclose()  # this loop's connections close with it

    for r in asyncio.run(run()):
        assert kinds(r) == ["malformed_response", None] and r.text == f"Hello from {FALLBACK[provider]}."


@pytest.mark.parametrize("provider", OPENAI + ANTHROPIC)
def test_a_hostile_error_body_is_classified_by_its_status_and_fails_over(
    router: Router, cloud: MockCloud, provider: str
) -> None:
    cloud.script(provider, Fault.status(503, DEEP.encode()))
    r = router.complete(provider, HI)
    assert kinds(r) == ["overloaded", None] and r.trace[0].status == 503


# --- legitimate answers are served, not failed over ------------------------------------------------------------


def test_a_tool_call_cut_by_max_tokens_is_served_not_failed_over(router: Router, cloud: MockCloud) -> None:
    cloud.script("oai", Fault.status(200, (FIXTURES / "openai_max_tokens_tool.json").read_bytes()))
    r = router.complete("oai", HI, max_tokens=16)
    assert kinds(r) == [None] and r.stop_reason is StopReason.MAX_TOKENS
    assert [c.arguments for c in r.tool_calls] == [{"location": "Paris"}]
    assert [c.arguments_text for c in r.incomplete_tool_calls] == ['{"location":"Bo']
    cloud.script("ant", Fault.status(200, (FIXTURES / "anthropic_stream_max_tokens_tool.sse").read_bytes()))
    with router.stream("ant", HI, max_tokens=32) as s:
        list(s)
    assert kinds(s.response) == [None] and s.response.stop_reason is StopReason.MAX_TOKENS
    assert s.response.text == "I'll look that up." and len(s.response.incomplete_tool_calls) == 1


def test_an_openai_stream_without_done_is_served(router: Router, cloud: MockCloud) -> None:
    cloud.script("oai", Fault.status(200, (FIXTURES / "openai_stream_no_done.sse").read_bytes()))
    with router.stream("oai", HI) as s:
        text = "".join(e.text for e in s if isinstance(e, TextDelta))
    assert text == "Served by vLLM." and kinds(s.response) == [None]


def test_text_after_message_stop_is_not_part_of_the_answer(router: Router, cloud: MockCloud) -> None:
    cloud.script("ant", Fault.status(200, (FIXTURES / "anthropic_stream_after_stop.sse").read_bytes()))
    with router.stream("ant", HI) as s:
        text = "".join(e.text for e in s if isinstance(e, TextDelta))
    assert text == s.response.text == "The whole answer." and kinds(s.response) == [None]


def test_no_usage_is_none_and_the_reported_model_is_kept(router: Router, cloud: MockCloud) -> None:
    body = json.loads(openai_json(content="Hi"))
    del body["usage"]
    body["model"] = "gpt-5.5-2026-08-01"
    cloud.script("oai", Fault.status(200, json.dumps(body).encode()))
    r = router.complete("oai", HI)
    assert r.usage is None and r.trace[-1].usage is None
    assert r.model == "gpt-5.5-2026-08-01"
    assert r.served_by is not None and (r.served_by.model, r.served_by.reported_model) == ("gpt-5.5", r.model)
    assert "reported gpt-5.5-2026-08-01" in str(r.served_by)


def test_stream_usage_false_asks_for_no_usage_chunk(router: Router, cloud: MockCloud) -> None:
    with router.stream("compat", HI) as s:
        text = "".join(e.text for e in s if isinstance(e, TextDelta))
    assert text == "Hello from compat." and s.response.usage is None
    assert "stream_options" not in cloud.requests("compat")[-1].json
    with router.stream("oai", HI) as s:
        list(s)
    assert cloud.requests("oai")[-1].json["stream_options"] == {"include_usage": True}
    assert s.response.usage is not None
