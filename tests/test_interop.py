"""Native interop both ways (issue 10, point 5): ``to_openai()`` / ``to_anthropic()`` keep everything the other
shape can carry (stop sequence, refusal, cache and reasoning counts, thinking), and what an agent loop built on
either official SDK appends to its history is accepted back unchanged."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import openai
from pydantic import BaseModel

from modelroute import Message, StopReason, TextPart, ThinkingPart, ToolCallPart
from modelroute._coerce import build_request
from modelroute.wire import AnthropicMessages, OpenAIChat

CLAUDE = {
    "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
    "content": [{"type": "thinking", "thinking": "Sum it.", "signature": "EqQB"},
                {"type": "redacted_thinking", "data": "EmwK"},
                {"type": "text", "text": "1, 2, 3"},
                {"type": "tool_use", "id": "toolu_1", "name": "add", "input": {"a": 1, "b": 2}}],
    "stop_reason": "stop_sequence", "stop_sequence": "STOP",
    "usage": {"input_tokens": 40, "output_tokens": 20, "cache_read_input_tokens": 900,
              "cache_creation_input_tokens": 60, "output_tokens_details": {"thinking_tokens": 12}},
}  # fmt: skip
GPT = {
    "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "gpt-5.5-2026-08-01",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {
        "role": "assistant", "content": None, "refusal": "I can't help with that."}}],
    "usage": {"prompt_tokens": 1000, "completion_tokens": 30, "total_tokens": 1030,
              "prompt_tokens_details": {"cached_tokens": 800, "cache_write_tokens": 150},
              "completion_tokens_details": {"reasoning_tokens": 25}},
}  # fmt: skip
GPT_TOOLS = {
    "id": "chatcmpl-2", "object": "chat.completion", "created": 0, "model": "gpt-5.5",
    "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
        "role": "assistant", "content": "Adding.", "refusal": None,
        "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "add", "arguments": '{"a":1}'}}]}}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8},
}  # fmt: skip


def test_a_claude_answer_as_anthropic_is_the_sdks_own_message() -> None:
    mine = AnthropicMessages().decode(json.dumps(CLAUDE).encode()).to_anthropic()
    assert mine == anthropic.types.Message.model_validate(CLAUDE)


def test_an_openai_answer_as_openai_is_the_sdks_own_completion() -> None:
    for body in (GPT, GPT_TOOLS):
        mine = OpenAIChat().decode(json.dumps(body).encode()).to_openai()
        sdk = openai.types.chat.ChatCompletion.model_validate(body)
        assert mine.choices[0].message == sdk.choices[0].message
        assert (mine.choices[0].finish_reason, mine.model, mine.id) == (sdk.choices[0].finish_reason, sdk.model, sdk.id)
        assert _counts(mine.usage) == _counts(sdk.usage)  # a count the body left out is 0 in ours


def _counts(u: Any) -> tuple[int, ...]:
    prompt, done = u.prompt_tokens_details, u.completion_tokens_details
    return (
        u.prompt_tokens, u.completion_tokens, u.total_tokens,
        (prompt.cached_tokens or 0) if prompt else 0, (prompt.cache_write_tokens or 0) if prompt else 0,
        (done.reasoning_tokens or 0) if done else 0,
    )  # fmt: skip


def test_a_claude_answer_in_openai_shape_keeps_what_it_can_carry() -> None:
    c = AnthropicMessages().decode(json.dumps(CLAUDE).encode()).to_openai()
    m = c.choices[0].message
    assert m.content == "1, 2, 3" and m.tool_calls[0].function.arguments == '{"a":1,"b":2}'
    assert m.model_extra == {"reasoning_content": "Sum it."}  # the thinking, where compatible servers put it
    assert c.choices[0].finish_reason == "stop"
    u = c.usage
    assert (u.prompt_tokens, u.completion_tokens) == (1000, 20)
    assert (u.prompt_tokens_details.cached_tokens, u.prompt_tokens_details.cache_write_tokens) == (900, 60)
    assert u.completion_tokens_details.reasoning_tokens == 12


def test_an_openai_answer_in_anthropic_shape_keeps_what_it_can_carry() -> None:
    m = OpenAIChat().decode(json.dumps(GPT).encode()).to_anthropic()
    assert m.stop_reason == "refusal" and [b.text for b in m.content] == ["I can't help with that."]
    assert (m.usage.input_tokens, m.usage.cache_read_input_tokens, m.usage.cache_creation_input_tokens) == (
        50,
        800,
        150,
    )
    assert m.usage.output_tokens_details.thinking_tokens == 25 and m.model == "gpt-5.5-2026-08-01"
    refused = OpenAIChat().decode(json.dumps(GPT).encode()).to_openai().choices[0].message
    assert (refused.content, refused.refusal) == (None, "I can't help with that.")


def test_what_an_anthropic_sdk_agent_appends_comes_back_unchanged() -> None:
    """``messages.append({"role": "assistant", "content": message.content})`` with the SDK's own blocks, and
    ``to_anthropic()`` of our answer, give the same next request."""
    sdk_message = anthropic.types.Message.model_validate(CLAUDE)
    ours = AnthropicMessages().decode(json.dumps(CLAUDE).encode())
    results = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "3"}]}
    tools = [anthropic.types.ToolParam(name="add", input_schema={"type": "object"})]
    history: list[Any] = [{"role": "user", "content": "Add"}]
    a = build_request(model="m", messages=[*history, {"role": "assistant", "content": sdk_message.content}, results],
                      tools=tools)  # fmt: skip
    b = build_request(model="m", messages=[*history, ours.to_anthropic().model_dump(), results], tools=tools)
    c = build_request(model="m", messages=[*history, ours.to_message(), results], tools=tools)
    assert a.messages == b.messages == c.messages
    assert a.messages[1].content[:2] == [ThinkingPart(text="Sum it.", signature="EqQB"), ThinkingPart(redacted="EmwK")]
    wire = AnthropicMessages().encode_body(a, "claude", stream=False)
    assert wire["messages"][1]["content"] == CLAUDE["content"]  # sent back exactly as Claude gave it


def test_what_an_openai_sdk_agent_appends_comes_back_unchanged() -> None:
    class Add(BaseModel):
        a: int
        b: int

    sdk = openai.types.chat.ChatCompletion.model_validate(GPT_TOOLS)
    ours = OpenAIChat().decode(json.dumps(GPT_TOOLS).encode())
    tools = [openai.pydantic_function_tool(Add, name="add")]
    tail = {"role": "tool", "tool_call_id": "call_1", "content": "1"}
    first = [{"role": "user", "content": "Add"}]
    a = build_request(model="m", messages=[*first, sdk.choices[0].message, tail], tools=tools)
    b = build_request(model="m", messages=[*first, ours.to_openai().choices[0].message, tail], tools=tools)
    c = build_request(model="m", messages=[*first, ours.to_message(), tail], tools=tools)
    assert a.messages == b.messages == c.messages
    assert a.messages[1] == Message(role="assistant", content=[
        TextPart(text="Adding."), ToolCallPart(id="call_1", name="add", arguments={"a": 1})])  # fmt: skip
    assert a.tools[0].strict is True and a.tools[0].parameters["additionalProperties"] is False
    body = OpenAIChat().encode_body(a, "gpt-5.5", stream=False)
    assert body["tools"] == [dict(t) for t in tools] and body["messages"][1]["tool_calls"][0]["id"] == "call_1"


def test_another_models_reasoning_in_claude_shape_is_not_sent_to_claude_as_signed() -> None:
    gpt_oss = {**GPT_TOOLS, "choices": [{**GPT_TOOLS["choices"][0], "message": {
        **GPT_TOOLS["choices"][0]["message"], "reasoning_content": "add them"}}]}  # fmt: skip
    as_claude = OpenAIChat().decode(json.dumps(gpt_oss).encode()).to_anthropic()
    assert as_claude.content[0].type == "thinking" and as_claude.content[0].signature == ""
    tail = {"role": "tool", "tool_call_id": "call_1", "content": "1"}
    request = build_request(model="m", messages=[{"role": "user", "content": "Add"}, as_claude.model_dump(), tail])
    assert request.messages[1].content[0] == ThinkingPart(text="add them")  # unsigned: left out for Claude
    assert "thinking" not in json.dumps(AnthropicMessages().encode_body(request, "c", stream=False)["messages"])
    assert StopReason(OpenAIChat().decode(json.dumps(gpt_oss).encode()).stop_reason) is StopReason.TOOL_USE
