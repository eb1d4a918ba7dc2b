"""Bad input is one `RequestError` line naming the field, raised before any network call; whatever passes the
check is sent as valid JSON that the mock cloud (which validates like each vendor) accepts."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest

from modelroute import Message, RequestError, Router, TextPart, Tool, ToolChoice
from modelroute.testing import Fault, MockCloud

PNG = "iVBORw0KGgo="  # the PNG signature
JPEG = "/9j/4A=="
HI = [{"role": "user", "content": "Hi"}]
SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}}
WEATHER = {"name": "weather", "description": "Weather", "input_schema": SCHEMA}
CALL = {
    "role": "assistant",
    "content": None,
    "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Rome"}'}}],
}

RequestCloud = tuple[MockCloud, Router, Callable[[], int]]  # the `request_cloud` fixture (tests/conftest.py)


def user(*parts: Any) -> list[dict[str, Any]]:
    return [{"role": "user", "content": list(parts)}]


def image(media_type: str = "image/png", data: Any = PNG) -> dict[str, Any]:
    return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}


# (case, messages, options, the path the message must start with, a word it must contain)
CASES: list[tuple[str, Any, dict[str, Any], str, str]] = [
    # the audit's crashes
    ("lone surrogate in text", [{"role": "user", "content": "hi \ud800"}], {}, "messages[0].content", "surrogate"),
    ("lone surrogate in a part", user({"type": "text", "text": "\udfff"}), {}, "messages[0].content[0].text", "surr"),
    ("lone surrogate in system", HI, {"system": "be \ud83d brief"}, "system", "surrogate"),
    ("lone surrogate in a stop", HI, {"stop": ["\ud800"]}, "stop[0]", "surrogate"),
    (
        "lone surrogate in a tool schema",
        HI,
        {"tools": [{**WEATHER, "input_schema": {"type": "object", "description": "\ud800"}}]},
        "tools[0].parameters.description",
        "surrogate",
    ),
    ("tool_choice=5", HI, {"tool_choice": 5}, "tool_choice", "not 5"),
    ("tool_choice a list", HI, {"tool_choice": ["auto"]}, "tool_choice", "list"),
    ("stop=5", HI, {"stop": 5}, "stop", "5"),
    ("stop holds a number", HI, {"stop": ["a", 5]}, "stop[1]", "text"),
    ("tags=5", HI, {"tags": 5}, "tags", "dict"),
    ("tags with a number value", HI, {"tags": {"team": 5}}, "tags.team", "text"),
    ("tools=5", HI, {"tools": 5}, "tools", "list"),
    ("tools a dict", HI, {"tools": {"name": "x"}}, "tools", "list"),
    ("tools holds a string", HI, {"tools": ["weather"]}, "tools[0]", "'weather'"),
    (
        "datetime in a tool schema",
        HI,
        {"tools": [{**WEATHER, "input_schema": {"type": "object", "default": datetime.datetime(2026, 1, 1)}}]},
        "tools[0].parameters.default",
        "datetime",
    ),
    (
        "bytes in tool-call arguments",
        [{"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "w", "input": {"x": b"raw"}}]}],
        {},
        "messages[0].content[0].input.x",
        "bytes",
    ),
    ("unknown keyword argument", HI, {"max_token": 5}, "max_token", "max_tokens"),
    ("unknown keyword argument, no near name", HI, {"colour": "red"}, "colour", "deadline_s"),
    # the audit's malformed requests that were sent
    ("image with no data", user(image(data="")), {}, "messages[0].content[0].source.data", "no data"),
    ("image with neither url nor data", user({"type": "image"}), {}, "messages[0].content[0]", "neither"),
    (
        "image with both url and data",
        user({"type": "image", "url": "https://x/y.png", "data": PNG, "media_type": "image/png"}),
        {},
        "messages[0].content[0]",
        "both",
    ),
    ("bad base64", user(image(data="not base64!!")), {}, "messages[0].content[0].source.data", "base64"),
    ("base64 with a line break", user(image(data="iVBO\nRw0KGgo=")), {}, "source.data", "base64"),
    ("base64 of text, not an image", user(image(data="aGVsbG8gd29ybGQ=")), {}, "source.data", "PNG"),
    ("media type that lies", user(image("image/jpeg")), {}, "messages[0].content[0].source.media_type", "image/png"),
    ("media type no route takes", user(image("image/svg+xml")), {}, "source.media_type", "image/jpeg"),
    (
        "javascript: URL",
        user({"type": "image_url", "image_url": {"url": "javascript:alert(1)"}}),
        {},
        "messages[0].content[0].image_url.url",
        "http",
    ),
    (
        "file: URL",
        user({"type": "image", "source": {"type": "url", "url": "file:///etc/passwd"}}),
        {},
        "messages[0].content[0].source.url",
        "http",
    ),
    ("URL with a space", user({"type": "image_url", "image_url": "https://x/a b.png"}), {}, "image_url", "spaces"),
    ("URL with a bad port", user({"type": "image_url", "image_url": "https://x:99999/a.png"}), {}, "image_url", "port"),
    (
        "data: URL that is not base64",
        user({"type": "image_url", "image_url": {"url": "data:image/png,%89PNG"}}),
        {},
        "messages[0].content[0].image_url.url",
        "base64",
    ),
    (
        "bad base64 in a data: URL",
        user({"type": "image_url", "image_url": {"url": "data:image/png;base64,@@"}}),
        {},
        "messages[0].content[0].image_url.url",
        "base64",
    ),
    (
        "image in an assistant turn",
        [{"role": "assistant", "content": [image()]}],
        {},
        "messages[0].content[0]",
        "assistant",
    ),
    (
        "NaN in a tool schema",
        HI,
        {"tools": [{**WEATHER, "input_schema": {"type": "object", "maximum": float("nan")}}]},
        "tools[0].parameters.maximum",
        "nan",
    ),
    (
        "infinity in tool-call arguments",
        [CALL | {"tool_calls": [{"id": "c1", "function": {"name": "w", "arguments": '{"x": Infinity}'}}]}],
        {},
        "messages[0].tool_calls[0].function.arguments.x",
        "inf",
    ),
    (
        "a huge integer in a schema",
        HI,
        {"tools": [{**WEATHER, "input_schema": {"type": "object", "maximum": 10**400}}]},
        "tools[0].parameters.maximum",
        "too large",
    ),
    (
        "a tuple key in a schema",
        HI,
        {"tools": [{**WEATHER, "input_schema": {"type": "object", (1, 2): 3}}]},
        "tools[0].parameters",
        "key",
    ),
    (
        "a schema nested 100 deep",
        HI,
        {"tools": [{**WEATHER, "input_schema": {"type": "object", "x": json.loads("[" * 100 + "]" * 100)}}]},
        "tools[0].parameters.x",
        "deeper",
    ),
    ("empty text", [{"role": "user", "content": ""}], {}, "messages[0].content", "empty"),
    ("whitespace-only text", [{"role": "user", "content": " \n"}], {}, "messages[0].content", "whitespace"),
    ("empty text part", user({"type": "text", "text": ""}), {}, "messages[0].content[0].text", "empty"),
    ("empty bare string part", user("ok", ""), {}, "messages[0].content[1]", "empty"),
    ("duplicate tool names", HI, {"tools": [WEATHER, WEATHER]}, "tools[1].name", "tools[0]"),
    (
        "tool_choice naming an undefined tool",
        HI,
        {"tools": [WEATHER], "tool_choice": {"type": "tool", "name": "wether"}},
        "tool_choice",
        "weather",
    ),
    ("tool_choice required without tools", HI, {"tool_choice": "required"}, "tool_choice", "tools"),
    (
        "tool result with an unknown id",
        [{"role": "user", "content": "w?"}, CALL, {"role": "tool", "tool_call_id": "c2", "content": "sunny"}],
        {"tools": [WEATHER]},
        "messages[2].tool_call_id",
        "'c1'",
    ),
    (
        "Anthropic tool result with an unknown id",
        [
            {"role": "user", "content": "w?"},
            CALL,
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "zz", "content": "x"}]},
        ],
        {},
        "messages[2].content[0].tool_use_id",
        "'zz'",
    ),
    (
        "tool result with no call before it",
        [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "a", "content": "x"}]}],
        {},
        "messages[0].content[0].tool_use_id",
        "no tools",
    ),
    (
        "a tool call left unanswered",
        [{"role": "user", "content": "w?"}, CALL, {"role": "user", "content": "and?"}],
        {},
        "messages[2]",
        "no result for 'c1'",
    ),
    (
        "two results for one call",
        [
            {"role": "user", "content": "w?"},
            CALL,
            {"role": "tool", "tool_call_id": "c1", "content": "a"},
            {"role": "tool", "tool_call_id": "c1", "content": "b"},
        ],
        {},
        "messages[3]",
        "second",
    ),
    (
        "two tool calls with one id",
        [
            {
                "role": "assistant",
                "content": [
                    {"type": "tool_use", "id": "t", "name": "w", "input": {}},
                    {"type": "tool_use", "id": "t", "name": "w", "input": {}},
                ],
            }
        ],
        {},
        "content[1].id",
        "twice",
    ),
    ("max_tokens 10**12", HI, {"max_tokens": 10**12}, "max_tokens", "1,000,000"),
    ("max_tokens 0", HI, {"max_tokens": 0}, "max_tokens", "from 1"),
    ("max_tokens a float", HI, {"max_tokens": 100.0}, "max_tokens", "whole"),
    ("max_tokens True", HI, {"max_tokens": True}, "max_tokens", "True"),
    ("max_tokens a string", HI, {"max_tokens": "100"}, "max_tokens", "'100'"),
    # more of the same kinds
    ("temperature True", HI, {"temperature": True}, "temperature", "True"),
    ("temperature NaN", HI, {"temperature": float("nan")}, "temperature", "nan"),
    ("temperature 5", HI, {"temperature": 5}, "temperature", "0 to 2"),
    ("deadline_s 0", HI, {"deadline_s": 0}, "deadline_s", "above 0"),
    ("deadline_s infinite", HI, {"deadline_s": float("inf")}, "deadline_s", "inf"),
    ("deadline_s a string", HI, {"deadline_s": "5"}, "deadline_s", "'5'"),
    ("model not text", HI, {}, "model", "alias"),  # model=5, below
    ("messages bytes", b"Hi", {}, "messages", "list"),
    ("messages a dict", {"role": "user", "content": "x"}, {}, "messages", "list"),
    ("messages empty", [], {}, "messages", "no user"),
    ("a message that is a number", [5], {}, "messages[0]", "not 5"),
    ("a role that is a list", [{"role": ["user"], "content": "x"}], {}, "messages[0].role", "user"),
    ("an unknown role", [{"role": "wizard", "content": "x"}], {}, "messages[0].role", "wizard"),
    ("system after the conversation", [*HI, {"role": "system", "content": "late"}], {}, "messages[1]", "first"),
    ("system message content a number", [{"role": "system", "content": 5}, *HI], {}, "messages[0].content", "text"),
    ("content a number", [{"role": "user", "content": 5}], {}, "messages[0].content", "not 5"),
    ("content bytes", [{"role": "user", "content": b"hi"}], {}, "messages[0].content", "bytes"),
    ("a part that is a number", user(5), {}, "messages[0].content[0]", "not 5"),
    ("an unknown part type", user({"type": "audio", "data": "x"}), {}, "messages[0].content[0].type", "audio"),
    ("a part type that is a list", user({"type": ["text"]}), {}, "messages[0].content[0].type", "list"),
    ("text part with a number", user({"type": "text", "text": 5}), {}, "messages[0].content[0].text", "int"),
    ("image source a string", user({"type": "image", "source": "x"}), {}, "messages[0].content[0].source", "dict"),
    (
        "image source of another type",
        user({"type": "image", "source": {"type": "file", "file_id": "f"}}),
        {},
        "messages[0].content[0].source.type",
        "base64",
    ),
    (
        "tool message without an id",
        [{"role": "user", "content": "w?"}, CALL, {"role": "tool", "content": "x"}],
        {},
        "messages[2].tool_call_id",
        "text",
    ),
    ("tool_calls not a list", [{"role": "assistant", "tool_calls": "x"}], {}, "messages[0].tool_calls", "list"),
    (
        "tool call without a function",
        [{"role": "assistant", "tool_calls": [{"id": "1"}]}],
        {},
        "messages[0].tool_calls[0]",
        "tool call",
    ),
    (
        "tool call arguments not JSON",
        [{"role": "assistant", "tool_calls": [{"id": "1", "function": {"name": "f", "arguments": "{"}}]}],
        {},
        "messages[0].tool_calls[0].function.arguments",
        "JSON",
    ),
    (
        "tool call arguments a JSON list",
        [{"role": "assistant", "tool_calls": [{"id": "1", "function": {"name": "f", "arguments": "[1]"}}]}],
        {},
        "messages[0].tool_calls[0].function.arguments",
        "object",
    ),
    (
        "tool call arguments nested 100,000 deep",
        [{"role": "assistant", "tool_calls": [{"id": "1", "function": {"name": "f", "arguments": "[" * 100_000}}]}],
        {},
        "function.arguments",
        "JSON",
    ),
    (
        "tool call with a bad name",
        [{"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "a b", "input": {}}]}],
        {},
        "messages[0].content[0].name",
        "tool name",
    ),
    (
        "tool call id with a space",
        [{"role": "assistant", "content": [{"type": "tool_use", "id": "t 1", "name": "w", "input": {}}]}],
        {},
        "messages[0].content[0].id",
        "spaces",
    ),
    (
        "tool call in a user turn",
        user({"type": "tool_use", "id": "t", "name": "w", "input": {}}),
        {},
        "messages[0].content[0]",
        "assistant",
    ),
    (
        "tool result in an assistant turn",
        [{"role": "assistant", "content": [{"type": "tool_result", "tool_use_id": "t"}]}],
        {},
        "messages[0].content[0]",
        "user",
    ),
    (
        "a tool result nested in a tool result",
        [
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "w", "input": {}}]},
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t",
                        "content": [{"type": "tool_result", "tool_use_id": "t"}],
                    }
                ],
            },
        ],
        {},
        "messages[1].content[0].content[0]",
        "text and image",
    ),
    (
        "tool result is_error a string",
        [
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "w", "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "is_error": "yes"}]},
        ],
        {},
        "messages[1].content[0].is_error",
        "true or false",
    ),
    ("tool name with a space", HI, {"tools": [{"name": "my tool"}]}, "tools[0].name", "tool name"),
    ("tool name 65 characters", HI, {"tools": [{"name": "t" * 65}]}, "tools[0].name", "1-64"),
    ("tool without a name", HI, {"tools": [{"description": "x"}]}, "tools[0].name", "None"),
    ("tool schema a list", HI, {"tools": [{"name": "a", "parameters": ["x"]}]}, "tools[0].parameters", "dict"),
    (
        "tool schema of type string",
        HI,
        {"tools": [{"name": "a", "parameters": {"type": "string"}}]},
        "tools[0].parameters.type",
        "object",
    ),
    ("tool description a number", HI, {"tools": [{"name": "a", "description": 5}]}, "tools[0].description", "int"),
    (
        "OpenAI tool whose function is a string",
        HI,
        {"tools": [{"type": "function", "function": "f"}]},
        "tools[0].function",
        "dict",
    ),
    ("tool_choice an unknown word", HI, {"tool_choice": "sometimes"}, "tool_choice", "sometimes"),
    (
        "tool_choice dict without a name",
        HI,
        {"tools": [WEATHER], "tool_choice": {"type": "tool"}},
        "tool_choice.name",
        "names no tool",
    ),
    ("tool_choice of an unknown type", HI, {"tool_choice": {"type": "magic"}}, "tool_choice.type", "magic"),
    (
        "a Message object with an empty text",
        [Message.model_construct(role="user", content=[TextPart.model_construct(type="text", text="")])],
        {},
        "messages[0].content[0].text",
        "empty",
    ),
    (
        "a Tool object with a NaN schema",
        HI,
        {"tools": [Tool.model_construct(name="a", description="", parameters={"type": "object", "x": float("nan")})]},
        "tools[0].parameters.x",
        "nan",
    ),
    (
        "a ToolChoice naming an undefined tool",
        HI,
        {"tools": [WEATHER], "tool_choice": ToolChoice(mode="tool", name="other")},
        "tool_choice",
        "other",
    ),
]


@pytest.mark.parametrize(("messages", "options", "path", "word"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_request_is_one_line_naming_the_field_and_nothing_is_sent(
    request_cloud: RequestCloud,
    messages: Any,
    options: dict[str, Any],
    path: str,
    word: str,
) -> None:
    _cloud, router, sent = request_cloud
    before = sent()
    model: Any = 5 if path == "model" else "m"
    calls = (router.complete, router.stream, router.explain) if messages else (router.complete, router.stream)
    for call in calls:
        with pytest.raises(RequestError) as info:
            call(model, messages, **options)
        message = str(info.value)
        assert "\n" not in message and len(message) < 600, message
        assert path in message.split(": ", maxsplit=1)[0], f"{message!r} does not start with {path!r}"
        assert word.lower() in message.lower(), f"{message!r} lacks {word!r}"
    assert sent() == before, "a malformed request reached the network"


@pytest.mark.anyio
async def test_async_calls_check_the_same(request_cloud: RequestCloud) -> None:
    _cloud, router, sent = request_cloud
    before = sent()
    with pytest.raises(RequestError, match=r"^max_token: .*Did you mean 'max_tokens'"):
        await router.acomplete("m", HI, max_token=5)  # type: ignore[call-arg]
    with pytest.raises(RequestError, match=r"^messages\[0\].content: "):
        router.astream("m", [{"role": "user", "content": "\ud800"}])
    assert sent() == before


def test_unknown_keyword_lists_the_valid_ones(request_cloud: RequestCloud) -> None:
    _, router, _ = request_cloud
    with pytest.raises(RequestError) as info:
        router.complete("m", HI, temprature=0.5)  # type: ignore[call-arg]
    assert str(info.value) == (
        "temprature: is not an argument of this call. Did you mean 'temperature'? The arguments are: model, "
        "messages, system, tools, tool_choice, parallel_tool_calls, max_tokens, stop, temperature, top_p, top_k, "
        "seed, response_format, reasoning, prompt_cache_key, user, metadata, openai, anthropic, tags, deadline_s."
    )


def test_at_least_seventy_cases() -> None:
    assert len(CASES) >= 70


GOOD: list[tuple[str, Any, dict[str, Any]]] = [
    (
        "images of every type",
        user(
            {"type": "text", "text": "look"},
            image(),
            image("image/jpeg", JPEG),
            image("image/gif", "R0lGODlh"),
            image("image/webp", "UklGRgAAAABXRUJQ"),
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
            {"type": "image_url", "image_url": "https://example.com/a.png?size=2"},
        ),
        {},
    ),
    (
        "a tool round trip",
        [{"role": "user", "content": "w?"}, CALL, {"role": "tool", "tool_call_id": "c1", "content": "sunny"}],
        {"tools": [WEATHER], "tool_choice": {"type": "function", "function": {"name": "weather"}}},
    ),
    (
        "assistant text beside tool calls",
        [
            {"role": "user", "content": "w?"},
            CALL | {"content": ""},
            {"role": "tool", "tool_call_id": "c1", "content": ""},
        ],
        {"tools": [WEATHER]},
    ),
    (
        "non-ASCII text and keys",
        [{"role": "user", "content": "Grüße, 你好 🎉"}],
        {
            "tools": [{"name": "t", "parameters": {"type": "object", "properties": {"städt": {"type": "string"}}}}],
            "tags": {"é": "ü"},
        },
    ),
    ("tool_choice auto without tools", HI, {"tool_choice": "auto", "max_tokens": 5, "stop": "END"}),
]


@pytest.mark.parametrize(("messages", "options"), [g[1:] for g in GOOD], ids=[g[0] for g in GOOD])
def test_good_requests_are_sent_as_json_every_route_accepts(
    request_cloud: RequestCloud, messages: Any, options: dict[str, Any]
) -> None:
    cloud, router, _ = request_cloud
    cloud.set_default("anthropic", Fault.overloaded())
    try:
        answer = router.complete("m", messages, **options)  # the Anthropic mock refuses it, OpenAI's answers
    finally:
        cloud.reset()
    assert answer.served_by is not None and answer.served_by.provider == "openai"
    kinds = [a.kind.value if a.kind else None for a in answer.trace]
    assert kinds == ["overloaded", None], kinds  # the Anthropic mock validated the body too, then overloaded
