"""Unified stream events (issue 10, point 4) and the answer's new fields, decoded from both dialects: message start,
text, reasoning (text and signature), tool call start / argument deltas / end, usage, stop with its stop
sequence; thinking, redacted thinking, stop sequences and refusals in the final answer, as the SDKs read them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelroute._types import (
    MessageStart,
    ReasoningDelta,
    StopEvent,
    StopReason,
    TextDelta,
    TextPart,
    ThinkingPart,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallPart,
    ToolCallStart,
    UsageEvent,
)
from modelroute.exceptions import MalformedResponseError

from ._oracle import Capture, decode_stream, route, sse_stream
from .test_parity_anthropic import MODEL, stream_body

pytestmark = pytest.mark.parity


def claude_stream(
    blocks: list[tuple[dict[str, Any], list[dict[str, Any]]]], stop: str, seq: str | None = None
) -> bytes:
    return stream_body(blocks, stop, seq)


THINKING = ({"type": "thinking", "thinking": "", "signature": ""},
            [{"type": "thinking_delta", "thinking": "Two cities"}, {"type": "thinking_delta", "thinking": ", two calls."},
             {"type": "signature_delta", "signature": "EqQBCkg="}])  # fmt: skip
REDACTED = ({"type": "redacted_thinking", "data": "EmwKAhgB"}, [])
CALL_1 = ({"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {}},
          [{"type": "input_json_delta", "partial_json": '{"city": '}, {"type": "input_json_delta",
                                                                      "partial_json": '"Paris"}'}])  # fmt: skip
CALL_2 = ({"type": "tool_use", "id": "toolu_2", "name": "weather", "input": {"city": "Rome"}}, [])  # whole input
TEXT = ({"type": "text", "text": ""}, [{"type": "text_delta", "text": "Checking both."}])
AGENT = claude_stream([THINKING, REDACTED, TEXT, CALL_1, CALL_2], "tool_use")


def test_claude_events_in_order() -> None:
    events, answer = decode_stream(route("anthropic"), AGENT)
    assert events == [
        MessageStart("msg_s", MODEL),
        UsageEvent(events[1].usage),  # type: ignore[union-attr]  # the input tokens, known from the start
        ReasoningDelta("Two cities"),
        ReasoningDelta(", two calls."),
        ReasoningDelta("", "EqQBCkg="),
        TextDelta("Checking both."),
        ToolCallStart(0, "toolu_1", "weather"),
        ToolCallDelta(0, '{"city": '),
        ToolCallDelta(0, '"Paris"}'),
        ToolCallEnd(0, "toolu_1", "weather", {"city": "Paris"}),
        ToolCallStart(1, "toolu_2", "weather"),
        ToolCallDelta(1, '{"city":"Rome"}'),
        ToolCallEnd(1, "toolu_2", "weather", {"city": "Rome"}),
        UsageEvent(events[-2].usage),  # type: ignore[union-attr]
        StopEvent(StopReason.TOOL_USE, "tool_use", None),
    ]
    assert answer.content == [
        ThinkingPart(text="Two cities, two calls.", signature="EqQBCkg="),
        ThinkingPart(redacted="EmwKAhgB"),
        TextPart(text="Checking both."),
        ToolCallPart(id="toolu_1", name="weather", arguments={"city": "Paris"}),
        ToolCallPart(id="toolu_2", name="weather", arguments={"city": "Rome"}),
    ]
    assert answer.reasoning == "Two cities, two calls." and answer.text == "Checking both."


def test_claude_final_answer_is_the_sdks() -> None:
    client = sse_stream(AGENT).anthropic()
    with client.messages.stream(model=MODEL, max_tokens=9, messages=[{"role": "user", "content": "x"}]) as s:
        sdk = s.get_final_message()
    _, mine = decode_stream(route("anthropic"), AGENT)
    expected: list[Any] = []
    for b in sdk.content:
        if b.type == "thinking":
            expected.append(ThinkingPart(text=b.thinking, signature=b.signature))
        elif b.type == "redacted_thinking":
            expected.append(ThinkingPart(redacted=b.data))
        elif b.type == "text":
            expected.append(TextPart(text=b.text))
        else:
            expected.append(ToolCallPart(id=b.id, name=b.name, arguments=b.input))
    assert mine.content == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(AGENT)), max_size=30))
def test_any_split_gives_the_same_events(cuts: list[int]) -> None:
    assert decode_stream(route("anthropic"), AGENT, cuts) == decode_stream(route("anthropic"), AGENT)


def test_a_stop_sequence_is_reported_streamed_and_not() -> None:
    body = claude_stream([TEXT], "stop_sequence", "END")
    events, answer = decode_stream(route("anthropic"), body)
    assert events[-1] == StopEvent(StopReason.STOP_SEQUENCE, "stop_sequence", "END")
    assert answer.stop_sequence == "END"
    message = {"id": "m", "type": "message", "role": "assistant", "model": MODEL, "stop_reason": "stop_sequence",
               "stop_sequence": "END", "content": [{"type": "text", "text": "1 2 3"}],
               "usage": {"input_tokens": 1, "output_tokens": 3}}  # fmt: skip
    sdk = Capture(200, json.dumps(message).encode()).anthropic()
    got = sdk.messages.create(model=MODEL, max_tokens=9, messages=[{"role": "user", "content": "x"}])
    assert route("anthropic").decode(json.dumps(message).encode()).stop_sequence == got.stop_sequence == "END"


def test_a_claude_refusal_is_the_answers_refusal() -> None:
    body = claude_stream([({"type": "text", "text": ""}, [{"type": "text_delta", "text": "I can't help."}])], "refusal")
    _, answer = decode_stream(route("anthropic"), body)
    assert answer.stop_reason is StopReason.REFUSAL and answer.refusal == "I can't help."


def test_a_call_cut_by_max_tokens_never_ends_but_the_one_before_does() -> None:
    cut = ({"type": "tool_use", "id": "toolu_3", "name": "weather", "input": {}},
           [{"type": "input_json_delta", "partial_json": '{"city": "Ber'}])  # fmt: skip
    events, answer = decode_stream(route("anthropic"), claude_stream([CALL_1, cut], "max_tokens"))
    assert [e.id for e in events if isinstance(e, ToolCallEnd)] == ["toolu_1"]
    assert [e.id for e in events if isinstance(e, ToolCallStart)] == ["toolu_1", "toolu_3"]
    assert [c.id for c in answer.tool_calls] == ["toolu_1"]
    assert [(c.id, c.arguments_text) for c in answer.incomplete_tool_calls] == [("toolu_3", '{"city": "Ber')]


def test_broken_tool_json_in_an_answer_not_cut_is_malformed() -> None:
    broken = ({"type": "tool_use", "id": "toolu_4", "name": "weather", "input": {}},
              [{"type": "input_json_delta", "partial_json": '{"city": '}])  # fmt: skip
    with pytest.raises(MalformedResponseError, match="weather"):
        decode_stream(route("anthropic"), claude_stream([broken], "tool_use"))


def test_claude_json_answer_with_thinking_blocks_matches_the_sdk() -> None:
    message = {"id": "m", "type": "message", "role": "assistant", "model": MODEL, "stop_reason": "end_turn",
               "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 3,
                                                "output_tokens_details": {"thinking_tokens": 2}},
               "content": [{"type": "thinking", "thinking": "hm", "signature": "sig"},
                           {"type": "redacted_thinking", "data": "opaque"}, {"type": "text", "text": "Yes."}]}  # fmt: skip
    sdk = Capture(200, json.dumps(message).encode()).anthropic()
    got = sdk.messages.create(model=MODEL, max_tokens=9, messages=[{"role": "user", "content": "x"}])
    mine = route("anthropic").decode(json.dumps(message).encode())
    assert (
        [p.type for p in mine.content]
        == ["thinking", "thinking", "text"]
        == ["thinking" if b.type.endswith("thinking") else b.type for b in got.content]
    )
    assert mine.content[0] == ThinkingPart(text="hm", signature="sig") and mine.usage is not None
    assert mine.usage.reasoning_tokens == 2 and mine.text == "Yes."


# --- OpenAI Chat Completions ------------------------------------------------------------------------------------


def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    data = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "gpt-oss",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip
    return f"data: {json.dumps(data)}\n\n".encode()


def usage_chunk() -> bytes:
    data = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "gpt-oss", "choices": [],
            "usage": {"prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14,
                      "completion_tokens_details": {"reasoning_tokens": 4}}}  # fmt: skip
    return f"data: {json.dumps(data)}\n\n".encode()


GPT = b"".join(
    [
        chunk({"role": "assistant", "content": ""}),
        chunk({"reasoning_content": "Think "}),
        chunk({"reasoning_content": "fast."}),
        chunk({"tool_calls": [{"index": 0, "id": "call_a", "type": "function", "function": {"name": "weather",
                                                                                         "arguments": ""}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city":'}}]}),
        chunk({"tool_calls": [{"index": 1, "id": "call_b", "function": {"arguments": '{"city":"Rome"}'}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]}),
        chunk({"tool_calls": [{"index": 1, "function": {"name": "weather"}}]}),  # a server that names it late
        chunk({}, "tool_calls"),
        usage_chunk(),
        b"data: [DONE]\n\n",
    ]
)  # fmt: skip


def test_openai_events_in_order() -> None:
    events, answer = decode_stream(route("openai"), GPT)
    assert events == [
        MessageStart("c1", "gpt-oss"),
        ReasoningDelta("Think "),
        ReasoningDelta("fast."),
        ToolCallStart(0, "call_a", "weather"),
        ToolCallDelta(0, '{"city":'),
        ToolCallDelta(0, '"Paris"}'),
        ToolCallStart(1, "call_b", "weather"),
        ToolCallDelta(1, '{"city":"Rome"}'),  # what came before the name, at its start
        ToolCallEnd(0, "call_a", "weather", {"city": "Paris"}),
        ToolCallEnd(1, "call_b", "weather", {"city": "Rome"}),
        UsageEvent(events[-2].usage),  # type: ignore[union-attr]
        StopEvent(StopReason.TOOL_USE, "tool_calls"),
    ]
    assert answer.content[0] == ThinkingPart(text="Think fast.")
    assert [(c.id, c.arguments) for c in answer.tool_calls] == [("call_a", {"city": "Paris"}), ("call_b",
                                                                                                {"city": "Rome"})]  # fmt: skip
    assert answer.usage is not None and answer.usage.reasoning_tokens == 4


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(GPT)), max_size=30))
def test_openai_any_split_gives_the_same_events(cuts: list[int]) -> None:
    assert decode_stream(route("openai"), GPT, cuts) == decode_stream(route("openai"), GPT)


def test_openai_json_answer_with_reasoning_and_a_refusal() -> None:
    body = {"id": "c", "object": "chat.completion", "created": 0, "model": "gpt-oss",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {
                "role": "assistant", "content": None, "reasoning": "Policy says no.", "refusal": "I can't."}}]}  # fmt: skip
    sdk = Capture(200, json.dumps(body).encode()).openai()
    got = sdk.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    mine = route("openai").decode(json.dumps(body).encode())
    assert mine.refusal == got.choices[0].message.refusal == "I can't."
    assert mine.stop_reason is StopReason.REFUSAL and mine.reasoning == "Policy says no."
    with pytest.raises(MalformedResponseError, match="reasoning"):
        route("openai").decode(json.dumps({**body, "choices": [{"index": 0, "finish_reason": "stop", "message": {
            "role": "assistant", "content": "x", "reasoning_content": 5}}]}).encode())  # fmt: skip


def test_openai_length_cut_call_never_ends() -> None:
    body = b"".join([
        chunk({"tool_calls": [{"index": 0, "id": "call_a", "function": {"name": "f", "arguments": '{"a": 1}'}}]}),
        chunk({"tool_calls": [{"index": 1, "id": "call_b", "function": {"name": "f", "arguments": '{"a": '}}]}),
        chunk({}, "length"), usage_chunk(), b"data: [DONE]\n\n",
    ])  # fmt: skip
    events, answer = decode_stream(route("openai"), body)
    assert [e.id for e in events if isinstance(e, ToolCallEnd)] == ["call_a"]
    assert [c.id for c in answer.incomplete_tool_calls] == ["call_b"] and answer.stop_reason is StopReason.MAX_TOKENS
