"""Decoding fixes, each against a fixture in the vendor's wire shape (``fixtures/``) and, where we claim the SDK
reads a shape the same way, against the official SDK fed the same bytes.

Usage: Claude's ``thinking_tokens`` and OpenAI's ``cache_write_tokens`` are read; a ``null`` in a stream's usage
leaves the count unchanged; no usage is ``None``, not zeros. Tool calls: one cut by max_tokens is returned as
incomplete, with ``stop_reason: max_tokens``; a ``server_tool_use`` block's ``input_json_delta`` is read; input
given whole in ``content_block_start`` is kept. Stream ends: nothing after ``message_stop`` / ``[DONE]`` is read;
an OpenAI stream that ends cleanly after its finish reason and usage chunk is complete. Errors: OpenAI's
``content_policy_violation`` is ``content_filtered``. The reported model id is kept.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest

from modelroute._coerce import build_request
from modelroute._types import IncompleteToolCall, StopEvent, StopReason, TextDelta, ToolCallDelta, UsageEvent
from modelroute.exceptions import ErrorKind, MalformedResponseError, ProviderError
from modelroute.testing._routes.bedrock import es_chunk, es_frame

from ._hostile import build, route_for
from ._oracle import Capture, decode_stream
from .test_parity_anthropic import sdk_final as anthropic_final
from .test_parity_openai import sdk_final as openai_final

pytestmark = pytest.mark.parity
FIXTURES = Path(__file__).parent / "fixtures"
OPENAI_ROUTES = ["openai", "azure_openai", "azure_openai-v1", "bedrock-openai", "mantle-openai"]
ANTHROPIC_ROUTES = ["anthropic", "azure_foundry", "vertex", "anthropic_aws", "bedrock", "mantle"]
MSG = [{"role": "user", "content": "x"}]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def sse_json(raw: bytes) -> list[dict[str, Any]]:
    """The JSON events of an SSE fixture, in order (for re-framing them as Bedrock event-stream chunks)."""
    out = []
    for line in raw.split(b"\n"):
        if line.startswith(b"data: "):
            try:
                out.append(json.loads(line[6:]))
            except ValueError:
                break
    return out


def anthropic_stream(route_id: str, name: str) -> bytes:
    """An Anthropic SSE fixture as ``route_id`` receives it: as is, or as Bedrock event-stream frames."""
    raw = fixture(name)
    if route_id != "bedrock":
        return raw
    return b"".join(es_chunk(e) for e in sse_json(raw))


def anthropic_sdk_message(raw: bytes) -> Any:
    return Capture(200, raw).anthropic().messages.create(model="m", max_tokens=5, messages=MSG)  # type: ignore[arg-type]


def openai_sdk_completion(raw: bytes) -> Any:
    return Capture(200, raw).openai().chat.completions.create(model="m", messages=MSG)  # type: ignore[arg-type]


# --- usage -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("route_id", ANTHROPIC_ROUTES)
def test_thinking_tokens_are_the_reasoning_share_of_output(route_id: str) -> None:
    raw = fixture("anthropic_thinking_usage.json")
    sdk = anthropic_sdk_message(raw)
    mine = route_for(route_id).decode(raw)
    assert mine.usage is not None
    assert mine.usage.reasoning_tokens == sdk.usage.output_tokens_details.thinking_tokens == 41
    assert mine.usage.output_tokens == sdk.usage.output_tokens == 57
    assert mine.text == "Hello!" and mine.model == sdk.model == "claude-sonnet-4-5-20250929"


@pytest.mark.parametrize("route_id", ["anthropic", "bedrock"])
def test_streamed_thinking_tokens(route_id: str) -> None:
    sdk = anthropic_final(fixture("anthropic_stream_thinking_usage.sse"))
    events, mine = decode_stream(route_for(route_id), anthropic_stream(route_id, "anthropic_stream_thinking_usage.sse"))
    assert mine.usage is not None
    assert mine.usage.reasoning_tokens == sdk.usage.output_tokens_details.thinking_tokens == 41
    assert mine.text == "".join(b.text for b in sdk.content if b.type == "text") == "Hello!"
    # message_start's counts come first (its input tokens), message_delta's after, each replacing the last
    assert [e.usage.reasoning_tokens for e in events if isinstance(e, UsageEvent)][-1] == 41


@pytest.mark.parametrize("route_id", OPENAI_ROUTES)
def test_cache_write_tokens(route_id: str) -> None:
    raw = fixture("openai_cache_write.json")
    sdk = openai_sdk_completion(raw).usage
    mine = route_for(route_id).decode(raw).usage
    assert mine is not None
    details = sdk.prompt_tokens_details
    assert mine.cache_write_tokens == details.cache_write_tokens == 64
    assert mine.cache_read_tokens == details.cached_tokens == 1920
    assert mine.input_tokens == sdk.prompt_tokens == 2006
    assert mine.reasoning_tokens == sdk.completion_tokens_details.reasoning_tokens == 192


def test_streamed_cache_write_tokens() -> None:
    raw = fixture("openai_stream_cache_write.sse")
    sdk = openai_final(raw).usage
    _, mine = decode_stream(route_for("openai"), raw)
    assert mine.usage is not None
    assert mine.usage.cache_write_tokens == sdk.prompt_tokens_details.cache_write_tokens == 64
    assert mine.model == "gpt-5.5-2026-08-01"


@pytest.mark.parametrize("route_id", ["anthropic", "bedrock", "vertex"])
def test_null_in_a_streams_usage_leaves_the_count_unchanged(route_id: str) -> None:
    sdk = anthropic_final(fixture("anthropic_stream_null_usage.sse")).usage
    _, mine = decode_stream(route_for(route_id), anthropic_stream(route_id, "anthropic_stream_null_usage.sse"))
    u = mine.usage
    assert u is not None
    assert (u.cache_read_tokens, u.cache_write_tokens, u.output_tokens) == (
        sdk.cache_read_input_tokens, sdk.cache_creation_input_tokens, sdk.output_tokens,
    ) == (10, 5, 40)  # fmt: skip
    assert u.input_tokens == sdk.input_tokens + 10 + 5 == 40


@pytest.mark.parametrize("route_id", ["openai", "azure_openai"])
def test_no_usage_is_none_not_zeros(route_id: str) -> None:
    raw = fixture("openai_stream_no_done.sse")
    without_usage = raw[: raw.index(b'data: {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-5.5-2026-08-01","service_tier":"default","system_fingerprint":"fp_3d2d8b3d8b","choices":[]')]  # fmt: skip
    route = build(**_spec(route_id), stream_usage=False)
    events, mine = decode_stream(route, without_usage + b"data: [DONE]\n\n")
    assert mine.usage is None and not [e for e in events if isinstance(e, UsageEvent)]
    assert openai_final(without_usage + b"data: [DONE]\n\n").usage is None
    body = json.loads(fixture("openai_cache_write.json"))
    del body["usage"]
    assert route.decode(json.dumps(body).encode()).usage is None


def _spec(route_id: str) -> dict[str, Any]:
    from ._hostile import ROUTE_SPECS

    _, kind, spec = next(r for r in ROUTE_SPECS if r[0] == route_id)
    return {"kind": kind, **spec}


# --- tool calls ------------------------------------------------------------------------------------------------

CUT = IncompleteToolCall(id="call_ABuzdyDGTmjr4VSjZp8FZEPl", name="get_weather", arguments_text='{"location":"Bo')


@pytest.mark.parametrize("route_id", OPENAI_ROUTES)
def test_tool_arguments_cut_by_max_tokens_are_an_incomplete_call_not_malformed(route_id: str) -> None:
    raw = fixture("openai_max_tokens_tool.json")
    sdk = openai_sdk_completion(raw).choices[0]
    mine = route_for(route_id).decode(raw)
    assert mine.stop_reason is StopReason.MAX_TOKENS and sdk.finish_reason == "length"
    first = sdk.message.tool_calls[0]
    assert [(c.id, c.name, c.arguments) for c in mine.tool_calls] == [
        (first.id, first.function.name, json.loads(first.function.arguments))
    ]
    assert mine.incomplete_tool_calls == [CUT]
    assert sdk.message.tool_calls[1].function.arguments == CUT.arguments_text


def test_streamed_tool_arguments_cut_by_max_tokens() -> None:
    raw = fixture("openai_stream_max_tokens_tool.sse")
    client = Capture(200, raw, {"content-type": "text/event-stream"}).openai()
    chunks = list(client.chat.completions.create(model="m", messages=MSG, stream=True))  # type: ignore[arg-type]
    sdk_ids = [tc.id for ch in chunks for c in ch.choices for tc in c.delta.tool_calls or () if tc.id]
    events, mine = decode_stream(route_for("openai"), raw)
    assert mine.stop_reason is StopReason.MAX_TOKENS
    assert [(c.id, c.arguments) for c in mine.tool_calls] == [(sdk_ids[0], {"location": "Paris"})]
    assert mine.incomplete_tool_calls == [CUT]
    assert [e.stop_reason for e in events if isinstance(e, StopEvent)] == [StopReason.MAX_TOKENS]


@pytest.mark.parametrize("route_id", ["anthropic", "bedrock", "mantle"])
def test_anthropic_tool_input_cut_by_max_tokens(route_id: str) -> None:
    sdk = anthropic_final(fixture("anthropic_stream_max_tokens_tool.sse"))
    _, mine = decode_stream(route_for(route_id), anthropic_stream(route_id, "anthropic_stream_max_tokens_tool.sse"))
    assert mine.stop_reason is StopReason.MAX_TOKENS and sdk.stop_reason == "max_tokens"
    assert mine.text == "".join(b.text for b in sdk.content if b.type == "text")
    assert mine.tool_calls == []
    assert mine.incomplete_tool_calls == [
        IncompleteToolCall(
            id="toolu_01T1x1fJ34qAmk2tNTrN7Up6", name="get_weather", arguments_text='{"location": "San Fra'
        )
    ]


def test_an_earlier_call_with_broken_arguments_is_still_malformed() -> None:
    body = json.loads(fixture("openai_max_tokens_tool.json"))
    calls = body["choices"][0]["message"]["tool_calls"]
    calls[0]["function"]["arguments"], calls[1]["function"]["arguments"] = '{"location":', '{"location":"Bo"}'
    with pytest.raises(MalformedResponseError, match="arguments"):
        route_for("openai").decode(json.dumps(body).encode())


@pytest.mark.parametrize("route_id", ["anthropic", "bedrock", "vertex"])
def test_server_tool_use_input_json_delta_is_read(route_id: str) -> None:
    sdk = anthropic_final(fixture("anthropic_stream_server_tool.sse"))
    events, mine = decode_stream(route_for(route_id), anthropic_stream(route_id, "anthropic_stream_server_tool.sse"))
    assert (
        mine.text
        == "".join(b.text for b in sdk.content if b.type == "text")
        == "Let me search. It is sunny in New York."
    )
    server = next(b for b in sdk.content if b.type == "server_tool_use")
    assert server.input == {"query": "weather NYC today"}  # the SDK reads it; it is the server's, not a caller's tool
    assert mine.tool_calls == [] and not [e for e in events if isinstance(e, ToolCallDelta)]
    assert mine.usage is not None and (mine.usage.input_tokens, mine.usage.output_tokens) == (10682, 510)


@pytest.mark.parametrize("route_id", ["anthropic", "bedrock", "azure_foundry"])
def test_tool_input_given_whole_in_content_block_start(route_id: str) -> None:
    sdk = anthropic_final(fixture("anthropic_stream_tool_input_in_start.sse"))
    events, mine = decode_stream(
        route_for(route_id), anthropic_stream(route_id, "anthropic_stream_tool_input_in_start.sse")
    )
    block = next(b for b in sdk.content if b.type == "tool_use")
    assert [(c.id, c.name, c.arguments) for c in mine.tool_calls] == [(block.id, block.name, block.input)]
    assert block.input == {"location": "Paris", "unit": "celsius"}
    deltas = [e for e in events if isinstance(e, ToolCallDelta)]
    assert json.loads("".join(d.arguments_delta for d in deltas)) == block.input


# --- where a stream ends ---------------------------------------------------------------------------------------


def test_nothing_after_message_stop_is_read() -> None:
    raw = fixture("anthropic_stream_after_stop.sse")
    route = route_for("anthropic")
    for cut in range(0, len(raw), 7):
        events, mine = decode_stream(route, raw, [cut])
        assert mine.text == "The whole answer." and isinstance(events[-1], StopEvent)
        assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "The whole answer."
    decoder = route.stream_decoder()
    decoder.feed(raw[: raw.index(b"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" Appended")])  # fmt: skip
    assert decoder.done, "the decoder says the answer is complete, so a driver may stop reading"


def test_nothing_after_message_stop_is_read_from_an_event_stream() -> None:
    events_json = sse_json(fixture("anthropic_stream_after_stop.sse"))
    stop = next(i for i, e in enumerate(events_json) if e["type"] == "message_stop")
    after = es_chunk({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": " more"}})
    exception = es_frame({":message-type": "exception", ":exception-type": "throttlingException"}, b"{}")
    raw = b"".join(es_chunk(e) for e in events_json[: stop + 1]) + after + exception + after[:9]
    _, mine = decode_stream(route_for("bedrock"), raw)
    assert mine.text == "The whole answer."


def test_nothing_after_done_is_read() -> None:
    raw = fixture("openai_stream_after_done.sse")
    for cut in range(0, len(raw), 11):
        events, mine = decode_stream(route_for("openai"), raw, [cut])
        assert mine.text == "Complete." and [type(e) for e in events][-2:] == [UsageEvent, StopEvent]


@pytest.mark.parametrize("route_id", OPENAI_ROUTES)
def test_a_complete_openai_stream_without_done_is_complete_like_the_sdk(route_id: str) -> None:
    raw = fixture("openai_stream_no_done.sse")
    sdk = openai_final(raw)
    route = route_for(route_id)
    for cut in range(len(raw) + 1):
        events, mine = decode_stream(route, raw, [cut])
        assert mine.text == sdk.choices[0].message.content == "Served by vLLM."
        assert mine.stop_reason is StopReason.END and sdk.choices[0].finish_reason == "stop"
        assert mine.usage is not None and mine.usage.output_tokens == sdk.usage.completion_tokens == 4
        assert sum(isinstance(e, StopEvent) for e in events) == 1
    decoder = route.stream_decoder()
    decoder.feed(raw)
    assert decoder.done, "the usage chunk after the finish reason ends the answer: a driver may stop reading"


def test_without_the_usage_chunk_it_asked_for_the_stream_is_not_complete() -> None:
    raw = fixture("openai_stream_no_done.sse")
    no_usage = raw[: raw.rindex(b"data: ")]
    with pytest.raises(MalformedResponseError, match="usage chunk"):
        decode_stream(route_for("openai"), no_usage)
    events, mine = decode_stream(build("openai", api_key="${K}", stream_usage=False), no_usage)
    assert mine.text == "Served by vLLM." and mine.usage is None and isinstance(events[-1], StopEvent)


def test_a_stream_cut_before_its_finish_reason_is_never_an_answer() -> None:
    raw = fixture("openai_stream_no_done.sse")
    before_finish = raw[: raw.index(b'"finish_reason":"stop"')]
    before_finish = before_finish[: before_finish.rindex(b"data: ")]
    for route in (route_for("openai"), build("openai", api_key="${K}", stream_usage=False)):
        with pytest.raises(MalformedResponseError, match="before its finish reason"):
            decode_stream(route, before_finish)


def test_bare_cr_line_ends_decode_like_the_sdk() -> None:
    raw = fixture("openai_stream_cache_write.sse").replace(b"\n", b"\r")
    sdk = openai_final(raw)
    for cut in range(0, len(raw), 13):
        _, mine = decode_stream(route_for("openai"), raw, [cut])
        assert mine.text == sdk.choices[0].message.content == "Hello again."


def test_a_bom_before_an_anthropic_stream_is_skipped() -> None:
    raw = b"\xef\xbb\xbf" + fixture("anthropic_stream_thinking_usage.sse")
    for cut in range(4):
        assert decode_stream(route_for("anthropic"), raw, [cut])[1].text == "Hello!"


# --- requests and errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["openai_content_policy_violation.json", "openai_moderation_blocked.json"])
@pytest.mark.parametrize("route_id", OPENAI_ROUTES)
def test_openai_safety_system_refusal_is_content_filtered(route_id: str, name: str) -> None:
    raw = fixture(name)
    with pytest.raises(openai.BadRequestError) as sdk_error:
        Capture(400, raw).openai().chat.completions.create(model="m", messages=MSG)  # type: ignore[arg-type]
    mine = route_for(route_id).classify(400, httpx2.Headers({}), raw)
    assert mine.kind is ErrorKind.CONTENT_FILTERED and mine.code == sdk_error.value.code
    inband = b"data: " + json.dumps(json.loads(raw)).encode() + b"\n\n"
    with pytest.raises(ProviderError) as streamed:
        route_for(route_id).stream_decoder().feed(inband)
    assert streamed.value.kind is ErrorKind.CONTENT_FILTERED


@pytest.mark.parametrize("route_id", OPENAI_ROUTES)
def test_stream_usage_false_sends_no_stream_options(route_id: str) -> None:
    spec = _spec(route_id)
    request = build_request(model="a", messages=MSG)
    on = build(**spec).build(request, "gpt-5.5", stream=True)
    off = build(**spec, stream_usage=False).build(request, "gpt-5.5", stream=True)
    assert json.loads(on.body)["stream_options"] == {"include_usage": True}
    cap = Capture()
    list(cap.openai().chat.completions.create(model="gpt-5.5", messages=MSG, stream=True))  # type: ignore[arg-type]
    assert json.loads(off.body) == cap.sent[0].json == {"model": "gpt-5.5", "messages": MSG, "stream": True}


def test_content_as_a_list_of_parts_reads_like_the_sdk_passes_it() -> None:
    raw = fixture("openai_content_parts.json")
    sdk = openai_sdk_completion(raw).choices[0].message
    mine = route_for("openai").decode(raw)
    assert isinstance(sdk.content, list)  # the SDK passes the parts through unvalidated
    assert mine.text == "".join(p["text"] for p in sdk.content) == "Bonjour, le monde."
    assert mine.model == "mistral-large-2411"


def test_anthropic_sdk_reports_the_same_model_id() -> None:
    raw = fixture("anthropic_stream_thinking_usage.sse")
    _, mine = decode_stream(route_for("anthropic"), raw)
    assert mine.model == anthropic_final(raw).model == "claude-sonnet-4-5-20250929"
