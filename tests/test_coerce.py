"""Inputs in OpenAI's shape, Anthropic's shape or ours become one Request; bad input fails before the network."""

from __future__ import annotations

from typing import Any

import pytest

from modelroute import ImagePart, Message, RequestError, TextPart, ToolCallPart, ToolChoice, ToolResultPart
from modelroute._coerce import build_request


def req(messages: list[Any], **kw: Any):  # type: ignore[no-untyped-def]
    return build_request(model="m", messages=messages, **kw)


def test_plain_dicts() -> None:
    r = req([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}])
    assert r.system == "Be brief."
    assert r.messages == [Message(role="user", content=[TextPart(text="Hi")])]


def test_system_argument_and_system_message_join() -> None:
    r = req([{"role": "developer", "content": "B"}, {"role": "user", "content": "Hi"}], system="A")
    assert r.system == "A\n\nB"


def test_openai_tool_round_trip() -> None:
    r = req(
        [
            {"role": "user", "content": "Weather?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "w", "arguments": '{"city":"Paris"}'}},
                    {"id": "c2", "type": "function", "function": {"name": "w", "arguments": '{"city":"Rome"}'}},
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
            {"role": "tool", "tool_call_id": "c2", "content": "rain"},
        ]
    )
    assert r.messages[1].content == [
        ToolCallPart(id="c1", name="w", arguments={"city": "Paris"}),
        ToolCallPart(id="c2", name="w", arguments={"city": "Rome"}),
    ]
    assert r.messages[2] == Message(
        role="user",
        content=[ToolResultPart(tool_call_id="c1", content="sunny"), ToolResultPart(tool_call_id="c2", content="rain")],
    )


def test_anthropic_blocks() -> None:
    r = req(
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Look"},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
                    {"type": "image", "source": {"type": "url", "url": "https://x/y.png"}},
                ],
            },
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {"a": 1}}]},
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "ok", "is_error": True}],
            },
        ]
    )
    assert r.messages[0].content[1] == ImagePart(data="iVBORw0KGgo=", media_type="image/png")
    assert r.messages[0].content[2] == ImagePart(url="https://x/y.png")
    assert r.messages[1].content == [ToolCallPart(id="t1", name="f", arguments={"a": 1})]
    assert r.messages[2].content == [ToolResultPart(tool_call_id="t1", content="ok", is_error=True)]


def test_openai_image_data_url() -> None:
    r = req(
        [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4A=="}}]}]
    )
    assert r.messages[0].content == [ImagePart(data="/9j/4A==", media_type="image/jpeg")]


def test_tools_in_both_shapes_and_tool_choice_forms() -> None:
    schema = {"type": "object", "properties": {"q": {"type": "string"}}}
    r = req(
        [{"role": "user", "content": "x"}],
        tools=[
            {"type": "function", "function": {"name": "a", "description": "A", "parameters": schema}},
            {"name": "b", "input_schema": schema},
        ],
        tool_choice={"type": "tool", "name": "b"},
    )
    assert [(t.name, t.parameters) for t in r.tools] == [("a", schema), ("b", schema)]
    assert r.tool_choice == ToolChoice(mode="tool", name="b")
    tools = [{"name": "a"}]
    assert req([{"role": "user", "content": "x"}], tools=tools, tool_choice="any").tool_choice == ToolChoice(
        mode="required"
    )
    fn_choice = {"type": "function", "function": {"name": "a"}}
    assert req([{"role": "user", "content": "x"}], tools=tools, tool_choice=fn_choice).tool_choice == ToolChoice(
        mode="tool", name="a"
    )
    assert req([{"role": "user", "content": "x"}], tool_choice="auto").tool_choice is None  # no tools: dropped


@pytest.mark.parametrize(
    ("messages", "kw", "words"),
    [
        ([], {}, "at least one"),
        (b"Hi", {}, "list"),
        ([{"role": "wizard", "content": "x"}], {}, "messages[0].role"),
        ([{"role": "user", "content": "x"}, {"role": "system", "content": "late"}], {}, "messages[1]"),
        ([{"role": "user", "content": [{"type": "audio", "data": "x"}]}], {}, "messages[0].content[0]"),
        ([{"role": "tool", "content": "x"}], {}, "tool_call_id"),
        ([{"role": "user", "content": "x"}], {"max_tokens": 0}, "max_tokens"),
        ([{"role": "user", "content": "x"}], {"temperature": 5}, "temperature"),
        ([{"role": "user", "content": "x"}], {"tool_choice": "sometimes"}, "tool_choice"),
        ([{"role": "user", "content": "x"}], {"tools": [{"name": "bad name!"}]}, "tools[0]"),
        (
            [{"role": "assistant", "tool_calls": [{"id": "1", "function": {"name": "f", "arguments": "{"}}]}],
            {},
            "tool_calls[0]",
        ),
        ([{"role": "user"}], {}, "messages[0].content: is empty"),
    ],
)
def test_bad_input_fails_before_any_network(messages: Any, kw: dict[str, Any], words: str) -> None:
    with pytest.raises(RequestError, match=None) as info:
        req(messages, **kw)
    assert words in str(info.value)
