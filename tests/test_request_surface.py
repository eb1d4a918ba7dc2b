"""The whole request surface, typed: every input shape becomes one `Request`, and every bad value is one
`RequestError` line naming the field (issue 10, point 1)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from pydantic import BaseModel

from modelroute import (
    AnthropicSettings,
    DocumentPart,
    ImagePart,
    Message,
    OpenAISettings,
    RequestError,
    TextPart,
    ThinkingPart,
    Tool,
    ToolCallPart,
    ToolResultPart,
)
from modelroute._coerce import build_request

PNG = "iVBORw0KGgo="
PDF = base64.b64encode(b"%PDF-1.4\n%fake\n").decode()
HI = [{"role": "user", "content": "Hi"}]
SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}


def req(messages: Any = HI, **kw: Any) -> Any:
    return build_request(model="m", messages=messages, **kw)


def error(messages: Any = HI, **kw: Any) -> str:
    with pytest.raises(RequestError) as info:
        req(messages, **kw)
    text = str(info.value)
    assert "\n" not in text
    return text


# --- messages ---------------------------------------------------------------------------------------------------


def test_a_plain_string_is_one_user_message() -> None:
    assert req("Hi").messages == [Message(role="user", content=[TextPart(text="Hi")])]


def test_system_blocks_keep_their_cache_breakpoints_and_plain_blocks_stay_text() -> None:
    blocks = [{"type": "text", "text": "A"}, {"type": "text", "text": "B", "cache_control": {"type": "ephemeral"}}]
    assert req(system=blocks).system == [TextPart(text="A"), TextPart(text="B", cache="5m")]
    assert req(system=[{"type": "text", "text": "A"}, "B"]).system == "A\n\nB"
    block = {"type": "text", "text": "S", "cache_control": {"type": "ephemeral", "ttl": "1h"}}
    hoisted = [{"role": "system", "content": [block]}, *HI]
    assert req(hoisted, system="first").system == [TextPart(text="first"), TextPart(text="S", cache="1h")]


def test_a_developer_turn_keeps_its_role_for_the_openai_dialect() -> None:
    r = req([{"role": "developer", "content": "Be terse."}, *HI])
    assert r.system == "Be terse." and r.openai == OpenAISettings(system_role="developer")
    kept = req([{"role": "developer", "content": "x"}, *HI], openai={"system_role": "system", "store": True})
    assert kept.openai == OpenAISettings(system_role="system", store=True)


def test_openai_shaped_parts() -> None:
    r = req(
        [
            {
                "role": "user",
                "name": "ada",
                "content": [
                    {"type": "text", "text": "Look"},
                    {"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": "high"}},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}", "detail": "low"}},
                    {"type": "file", "file": {"file_data": f"data:application/pdf;base64,{PDF}", "filename": "a.pdf"}},
                ],
            },
            {"role": "assistant", "content": None, "refusal": "I can't help with that."},
            {"role": "user", "content": "ok"},
        ]
    )
    first = r.messages[0]
    assert first.name == "ada"
    assert first.content[1:] == [
        ImagePart(url="https://x/y.png", detail="high"),
        ImagePart(data=PNG, media_type="image/png", detail="low"),
        DocumentPart(data=PDF, filename="a.pdf"),
    ]
    assert r.messages[1].content == [TextPart(text="I can't help with that.")]


def test_anthropic_shaped_blocks() -> None:
    r = req(
        [
            {
                "role": "user",
                "content": [
                    {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": PDF},
                     "title": "Report", "context": "Q3", "cache_control": {"type": "ephemeral"}},
                    {"type": "document", "source": {"type": "url", "url": "https://x/r.pdf"}},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG},
                     "cache_control": {"type": "ephemeral", "ttl": "1h"}},
                ],
            },
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "Let me look.", "signature": "sig=="},
                    {"type": "redacted_thinking", "data": "opaque"},
                    {"type": "text", "text": ""},
                    {"type": "tool_use", "id": "t1", "name": "f", "input": {}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "t1", "is_error": True,
                     "cache_control": {"type": "ephemeral"},
                     "content": [{"type": "text", "text": "boom"},
                                 {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                                              "data": PNG}}]},
                ],
            },
        ]
    )  # fmt: skip
    assert r.messages[0].content == [
        DocumentPart(data=PDF, title="Report", context="Q3", cache="5m"),
        DocumentPart(url="https://x/r.pdf"),
        ImagePart(data=PNG, media_type="image/png", cache="1h"),
    ]
    assert r.messages[1].content == [  # the empty text block beside the others carries nothing: left out
        ThinkingPart(text="Let me look.", signature="sig=="),
        ThinkingPart(redacted="opaque"),
        ToolCallPart(id="t1", name="f"),
    ]
    assert r.messages[2].content == [
        ToolResultPart(
            tool_call_id="t1",
            is_error=True,
            cache="5m",
            content=[TextPart(text="boom"), ImagePart(data=PNG, media_type="image/png")],
        )
    ]


def test_sdk_objects_are_taken_as_the_dicts_they_stand_for() -> None:
    """``messages.append(completion.choices[0].message)`` and ``{"role": "assistant", "content": msg.content}``,
    as agent loops over the official SDKs write them."""
    from anthropic.types import TextBlock, ThinkingBlock, ToolUseBlock
    from openai.types.chat import ChatCompletionMessage

    oai = ChatCompletionMessage.model_validate(
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}]}
    )  # fmt: skip
    blocks = [
        ThinkingBlock(type="thinking", thinking="hmm", signature="s"),
        TextBlock(type="text", text="Calling."),
        ToolUseBlock(type="tool_use", id="t1", name="f", input={"a": 2}),
    ]
    r = req([*HI, oai, {"role": "tool", "tool_call_id": "c1", "content": "1"}, {"role": "assistant", "content": blocks},
             {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "2"}]}])  # fmt: skip
    assert r.messages[1].content == [ToolCallPart(id="c1", name="f", arguments={"a": 1})]
    assert r.messages[3].content == [
        ThinkingPart(text="hmm", signature="s"),
        TextPart(text="Calling."),
        ToolCallPart(id="t1", name="f", arguments={"a": 2}),
    ]


@pytest.mark.parametrize(
    ("messages", "words"),
    [
        ([{"role": "user", "content": [{"type": "document", "source": {"type": "base64", "media_type":
            "application/pdf", "data": PNG}}]}], "messages[0].content[0].source.data: is not a PDF"),
        ([{"role": "user", "content": [{"type": "document", "source": {"type": "text", "data": "x"}}]}],
         "messages[0].content[0].source.type: a text document is plain text"),
        ([{"role": "user", "content": [{"type": "file", "file": {"file_id": "file-1"}}]}],
         "messages[0].content[0].file.file_id: an uploaded file's id works only with the vendor"),
        ([{"role": "user", "content": [{"type": "thinking", "thinking": "x", "signature": "s"}]}],
         "messages[0].content[0]: reasoning belongs in an assistant turn"),
        ([*HI, {"role": "assistant", "content": [{"type": "redacted_thinking", "data": 5}]}],
         "messages[1].content[0].data: must be text"),
        ([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x/a.png",
                                                                          "detail": "ultra"}}]}],
         "messages[0].content[0].image_url.detail: must be auto, low, high or original"),
        ([{"role": "user", "name": "a b", "content": "x"}], "messages[0].name: 'a b' is not a name"),
        ([{"role": "user", "content": [{"type": "text", "text": "x", "cache_control": {"type": "forever"}}]}],
         "messages[0].content[0].cache_control: must be {'type': 'ephemeral'}"),
        ([{"role": "user", "content": [{"type": "input_audio", "input_audio": {}}]}], "audio is not a content part"),
        ([{"role": "user", "content": [{"type": "server_tool_use", "id": "x"}]}],
         "'server_tool_use' is not a content part type"),
    ],
)  # fmt: skip
def test_bad_parts_name_their_field(messages: Any, words: str) -> None:
    assert words in error(messages)


def test_at_most_four_cache_breakpoints() -> None:
    text = [{"type": "text", "text": f"t{i}", "cache_control": {"type": "ephemeral"}} for i in range(4)]
    assert req([{"role": "user", "content": text}]).messages[0].content[3].cache == "5m"
    too_many = error([{"role": "user", "content": text}], system=[{"type": "text", "text": "s", "cache": "5m"}])
    assert too_many.startswith("cache: the request sets 5 cache breakpoints; Claude takes at most 4")


# --- tools ------------------------------------------------------------------------------------------------------


def test_tools_with_strict_and_cache_in_both_shapes() -> None:
    r = req(
        tools=[
            {"type": "function", "function": {"name": "a", "parameters": SCHEMA, "strict": True}},
            {"name": "b", "input_schema": SCHEMA, "strict": False, "cache_control": {"type": "ephemeral"}},
        ]
    )
    assert r.tools == [Tool(name="a", parameters=SCHEMA, strict=True), Tool(name="b", parameters=SCHEMA,
                                                                           strict=False, cache="5m")]  # fmt: skip
    assert "tools[0].type: 'web_search_20250305' is a vendor's own tool" in error(
        tools=[{"type": "web_search_20250305", "name": "web_search"}]
    )
    assert "tools[0].strict: must be True or False" in error(tools=[{"name": "a", "strict": "yes"}])


def test_parallel_tool_calls_from_either_family() -> None:
    tools = [{"name": "a", "input_schema": SCHEMA}]
    assert req(tools=tools, parallel_tool_calls=False).parallel_tool_calls is False
    claude = req(tools=tools, tool_choice={"type": "any", "disable_parallel_tool_use": True})
    assert claude.parallel_tool_calls is False and claude.tool_choice.mode == "required"
    assert "parallel_tool_calls: is True but tool_choice.disable_parallel_tool_use says False" in error(
        tools=tools, tool_choice={"type": "auto", "disable_parallel_tool_use": True}, parallel_tool_calls=True
    )
    assert "parallel_tool_calls: must be True or False, not 'no'" in error(tools=tools, parallel_tool_calls="no")


# --- scalar options ---------------------------------------------------------------------------------------------


def test_sampling_and_identity_options() -> None:
    r = req(top_p=0.9, top_k=40, seed=7, user="u-1", prompt_cache_key="k", metadata={"team": "ai"}, reasoning="low")
    assert (r.top_p, r.top_k, r.seed, r.user, r.prompt_cache_key) == (0.9, 40, 7, "u-1", "k")
    assert r.metadata == {"team": "ai"} and r.reasoning == "low"


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"top_p": 1.5}, "top_p: must be a number from 0 to 1, not 1.5"),
        ({"top_p": True}, "top_p: must be a number from 0 to 1, not True"),
        ({"top_k": 0}, "top_k: must be a whole number of 1 or more, not 0"),
        ({"top_k": 2.0}, "top_k: must be a whole number of 1 or more, not 2.0"),
        ({"seed": "7"}, "seed: must be a whole number (64-bit), not '7'"),
        ({"seed": 2**64}, "seed: must be a whole number (64-bit)"),
        ({"reasoning": "extreme"}, "reasoning: must be one of none, minimal, low, medium, high, xhigh, max"),
        ({"user": ""}, "user: is empty"),
        ({"prompt_cache_key": 5}, "prompt_cache_key: must be text, not int"),
        ({"metadata": {f"k{i}": "v" for i in range(17)}}, "metadata: has 17 pairs; OpenAI takes at most 16"),
        ({"metadata": {"k": "v" * 513}}, "metadata.k: is longer than 512 characters"),
        ({"openai": {"verbosty": "low"}}, "openai.verbosty: is not a OpenAISettings field. Did you mean 'verbosity'?"),
        ({"openai": {"verbosity": "loud"}}, "openai.verbosity: Input should be 'low', 'medium' or 'high'"),
        ({"anthropic": {"thinking_budget": 10}}, "anthropic.thinking_budget: Input should be greater than or equal"),
        ({"anthropic": "adaptive"}, "anthropic: must be a AnthropicSettings or a dict of its fields"),
        ({"temprature": 1}, "temprature: is not an argument of this call. Did you mean 'temperature'?"),
        ({"response_fromat": {}}, "Did you mean 'response_format'?"),
    ],
)
def test_bad_options_name_their_field(kw: dict[str, Any], words: str) -> None:
    assert words in error(**kw)


def test_settings_objects_and_dicts_are_the_same() -> None:
    assert req(anthropic={"thinking": "adaptive"}).anthropic == AnthropicSettings(thinking="adaptive")
    settings = OpenAISettings(store=True, service_tier="flex")
    assert req(openai=settings).openai is settings


# --- structured output ------------------------------------------------------------------------------------------


class City(BaseModel):
    name: str
    population: int | None = None


def test_response_format_from_a_model_a_schema_and_either_vendor_shape() -> None:
    from_model = req(response_format=City).response_format
    assert from_model.model is City and from_model.name == "City" and from_model.strict is True
    assert from_model.openai_schema["required"] == ["name", "population"]  # OpenAI's strict form: all required
    assert from_model.anthropic_schema["required"] == ["name"]
    assert req(response_format=City).response_format is from_model  # computed once per class
    raw = req(response_format=SCHEMA).response_format
    assert (raw.name, raw.json_schema, raw.strict, raw.model) == ("response", SCHEMA, None, None)
    oai = req(response_format={"type": "json_schema", "json_schema": {"name": "w", "schema": SCHEMA, "strict": True}})
    assert (oai.response_format.name, oai.response_format.strict) == ("w", True)
    claude = req(response_format={"type": "json_schema", "schema": SCHEMA}).response_format
    assert claude.json_schema == SCHEMA
    assert req(response_format={"type": "text"}).response_format is None


@pytest.mark.parametrize(
    ("fmt", "words"),
    [
        ({"type": "json_object"}, "response_format: JSON mode without a schema is OpenAI's only"),
        ("json", "response_format: must be a pydantic model class or a JSON Schema, not 'json'"),
        ({"type": "json_schema", "json_schema": {"name": "a b", "schema": SCHEMA}}, "json_schema.name: 'a b'"),
        ({"type": "json_schema", "json_schema": {"name": "a", "schema": []}}, "json_schema.schema: must be a JSON"),
        ({"type": "object", "properties": {"x": {"default": float("nan")}}}, "response_format.properties.x.default"),
    ],
)
def test_bad_response_formats(fmt: Any, words: str) -> None:
    assert words in error(response_format=fmt)


def test_an_output_format_built_by_hand_gets_each_familys_schema() -> None:
    from modelroute import OutputFormat

    by_hand = req(response_format=OutputFormat(json_schema=SCHEMA, name="place", strict=True)).response_format
    assert (by_hand.openai_schema, by_hand.anthropic_schema, by_hand.name, by_hand.strict) == (
        SCHEMA, SCHEMA, "place", True)  # fmt: skip
    from_model = req(response_format=OutputFormat(json_schema={}, model=City)).response_format
    assert from_model.model is City and from_model.openai_schema["additionalProperties"] is False
    assert from_model.name == "City"
    assert "response_format.name: 'a b' is not a name" in error(response_format=OutputFormat(json_schema=SCHEMA,
                                                                                            name="a b"))  # fmt: skip
