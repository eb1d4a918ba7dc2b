"""Hostile responses, case by case: each is a `malformed_response` naming what is wrong, a classified error, or,
where the shape is legitimate, a correct answer. Bodies, streams (SSE and AWS event-stream) and error bodies of
every route."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from modelroute._types import Response
from modelroute.exceptions import ErrorKind, MalformedResponseError, ProviderError

from ._hostile import (
    OPENAI_USAGE_CHUNK,
    ROUTE_IDS,
    anthropic_body,
    anthropic_events,
    assert_well_typed,
    es_chunk_text,
    frame,
    openai_body,
    openai_chunk,
    openai_events,
    route_for,
    sse,
)
from ._oracle import decode_stream

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 100_000 + "1" + "}" * 100_000


def edit(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """``doc`` with the field at a dotted ``path`` (``choices.0.message.content``) set to ``value``."""
    doc = json.loads(json.dumps(doc))
    *head, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    node: Any = doc
    for key in head:
        node = node[key]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return doc


DELETE = object()


def body(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc).encode()


# --- bodies ----------------------------------------------------------------------------------------------------

# (case, route, body, what the error names); every one is a malformed_response.
MALFORMED_BODIES: list[tuple[str, str, bytes, str]] = [
    ("openai content a number", "openai", body(edit(openai_body(), "choices.0.message.content", 5)), "content"),
    ("openai choices an object", "openai", body(edit(openai_body(), "choices", {"0": {}})), "choices"),
    ("openai choice a string", "azure_openai", body(edit(openai_body(), "choices.0", "hi")), "choices[0]"),
    ("openai message a list", "openai", body(edit(openai_body(), "choices.0.message", [])), "message"),
    ("openai tool_calls an object", "openai", body(edit(openai_body(), "choices.0.message.tool_calls", {})), "tool_calls"),
    ("openai tool call without function", "openai", body(edit(openai_body(), "choices.0.message.tool_calls.0.function", DELETE)), "function"),
    ("openai arguments a number", "openai", body(edit(openai_body(), "choices.0.message.tool_calls.0.function.arguments", 7)), "arguments"),
    ("openai arguments a JSON list", "openai", body(edit(openai_body(), "choices.0.message.tool_calls.0.function.arguments", "[1]")), "arguments"),
    ("openai arguments with NaN", "openai", body(edit(openai_body(), "choices.0.message.tool_calls.0.function.arguments", '{"x": NaN}')), "NaN"),
    ("openai arguments not JSON, not cut", "openai", body(edit(openai_body(), "choices.0.message.tool_calls.0.function.arguments", '{"city": "Pa')), "arguments"),
    ("openai tool call id a number", "openai", body(edit(openai_body(), "choices.0.message.tool_calls.0.id", 1)), "id"),
    ("openai refusal a list", "openai", body(edit(openai_body(), "choices.0.message.refusal", ["no"])), "refusal"),
    ("openai finish_reason a number", "openai", body(edit(openai_body(), "choices.0.finish_reason", 1)), "finish_reason"),
    ("openai usage 'two'", "openai", body(edit(openai_body(), "usage.prompt_tokens", "two")), "prompt_tokens"),
    ("openai usage NaN", "openai", json.dumps(edit(openai_body(), "usage.completion_tokens", float("nan"))).encode(), "NaN"),
    ("openai usage negative", "openai", body(edit(openai_body(), "usage.completion_tokens", -3)), "completion_tokens"),
    ("openai usage a fraction", "openai", body(edit(openai_body(), "usage.completion_tokens", 2.5)), "completion_tokens"),
    ("openai usage true", "openai", body(edit(openai_body(), "usage.prompt_tokens", True)), "prompt_tokens"),
    ("openai cached tokens a string", "openai", body(edit(openai_body(), "usage.prompt_tokens_details.cached_tokens", "1")), "cached_tokens"),
    ("openai usage a list", "openai", body(edit(openai_body(), "usage", [1, 2])), "usage"),
    ("openai model a number", "openai", body(edit(openai_body(), "model", 4)), "model"),
    ("openai 100k-deep body", "openai", DEEP.encode(), "deeper"),
    ("openai 100k-deep object", "azure_openai", DEEP_OBJECT.encode(), "deeper"),
    ("openai body a JSON list", "openai", b"[1, 2]", "not an object"),
    ("openai body not UTF-8", "openai", b'{"id": "\xff\xfe"}', "UTF-8"),
    ("anthropic text null", "anthropic", body(edit(anthropic_body(), "content.0.text", None)), "text"),
    ("anthropic text a number", "anthropic", body(edit(anthropic_body(), "content.0.text", 3)), "text"),
    ("anthropic tool input a string", "anthropic", body(edit(anthropic_body(), "content.1.input", '{"city": "Paris"}')), "input"),
    ("anthropic tool id null", "vertex", body(edit(anthropic_body(), "content.1.id", None)), "id"),
    ("anthropic content an object", "anthropic", body(edit(anthropic_body(), "content", {"type": "text"})), "content"),
    ("anthropic content item a string", "azure_foundry", body(edit(anthropic_body(), "content.0", "Hi")), "content block"),
    ("anthropic stop_reason a list", "anthropic", body(edit(anthropic_body(), "stop_reason", ["end_turn"])), "stop_reason"),
    ("anthropic id a number", "bedrock", body(edit(anthropic_body(), "id", 12)), "id"),
    ("anthropic usage 'two'", "anthropic", body(edit(anthropic_body(), "usage.output_tokens", "two")), "output_tokens"),
    ("anthropic thinking tokens negative", "anthropic", body(edit(anthropic_body(), "usage.output_tokens_details.thinking_tokens", -1)), "thinking_tokens"),
    ("anthropic usage Infinity", "mantle", json.dumps(edit(anthropic_body(), "usage.input_tokens", float("inf"))).encode(), "Infinity"),
    ("anthropic 100k-deep body", "anthropic", DEEP.encode(), "deeper"),
    ("anthropic tool input 200 levels deep", "anthropic", body(anthropic_body()).replace(b'{"city": "Paris"}', ('{"a":' * 200 + "1" + "}" * 200).encode()), "deeper"),
    ("anthropic 100k-deep body on Bedrock", "bedrock", DEEP_OBJECT.encode(), "deeper"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("route_id", "raw", "names"), [c[1:] for c in MALFORMED_BODIES], ids=[c[0] for c in MALFORMED_BODIES]
)
def test_hostile_body_is_malformed_and_names_the_problem(route_id: str, raw: bytes, names: str) -> None:
    with pytest.raises(MalformedResponseError) as caught:
        route_for(route_id).decode(raw)
    assert caught.value.kind is ErrorKind.MALFORMED_RESPONSE and caught.value.status == 200
    assert names in caught.value.message, caught.value.message
    assert "we cannot read (" not in caught.value.message, "the typed reader, not the backstop, should catch it"


def _parts_content(r: Response) -> None:
    assert r.text == "Hello world" and r.tool_calls[0].arguments == {"city": "Paris"}


# (case, route, body, check): legitimate shapes, decoded.
LEGITIMATE_BODIES: list[tuple[str, str, bytes, Callable[[Response], None]]] = [
    ("openai content as a list of parts", "openai",
     body(edit(openai_body(), "choices.0.message.content", [{"type": "text", "text": "Hello "}, {"type": "text", "text": "world"}])),
     _parts_content),
    ("openai content parts with an unknown type", "mantle-openai",
     body(edit(openai_body(), "choices.0.message.content", [{"type": "thinking", "thinking": "hm"}, {"type": "text", "text": "Hello world"}])),
     _parts_content),
    ("openai content null with tool calls", "openai", body(edit(openai_body(), "choices.0.message.content", None)),
     lambda r: (r.text == "" and len(r.tool_calls) == 1) or pytest.fail(repr(r))),
    ("openai arguments an object", "openai",
     body(edit(openai_body(), "choices.0.message.tool_calls.0.function.arguments", {"city": "Paris"})),
     lambda r: r.tool_calls[0].arguments == {"city": "Paris"} or pytest.fail(repr(r))),
    ("openai integral float counts", "openai", body(edit(openai_body(), "usage.prompt_tokens", 10.0)),
     lambda r: (r.usage is not None and r.usage.input_tokens == 10 and type(r.usage.input_tokens) is int) or pytest.fail(repr(r))),
    ("openai usage absent", "openai", body(edit(openai_body(), "usage", DELETE)),
     lambda r: r.usage is None or pytest.fail(repr(r))),
    ("openai usage null", "bedrock-openai", body(edit(openai_body(), "usage", None)),
     lambda r: r.usage is None or pytest.fail(repr(r))),
    ("openai body behind a BOM", "openai", b"\xef\xbb\xbf" + body(openai_body()),
     lambda r: r.text == "Hi" or pytest.fail(repr(r))),
    ("anthropic usage absent", "anthropic", body(edit(anthropic_body(), "usage", DELETE)),
     lambda r: r.usage is None or pytest.fail(repr(r))),
    ("anthropic unknown block type", "anthropic",
     body(edit(anthropic_body(), "content.0", {"type": "server_tool_use", "id": "s", "name": "web_search", "input": {}})),
     lambda r: (r.text == "" and len(r.tool_calls) == 1) or pytest.fail(repr(r))),
    ("anthropic 100 levels of tool input", "anthropic",
     body(anthropic_body()).replace(b'{"city": "Paris"}', ('{"a":' * 100 + "1" + "}" * 100).encode()),
     lambda r: len(r.tool_calls) == 1 or pytest.fail(repr(r))),
    ("anthropic braces in text are not nesting", "anthropic",
     body(edit(anthropic_body(), "content.0.text", "{[" * 5000)),
     lambda r: r.text == "{[" * 5000 or pytest.fail(repr(r))),
]  # fmt: skip


@pytest.mark.parametrize(
    ("route_id", "raw", "check"), [c[1:] for c in LEGITIMATE_BODIES], ids=[c[0] for c in LEGITIMATE_BODIES]
)
def test_legitimate_shape_decodes(route_id: str, raw: bytes, check: Callable[[Response], None]) -> None:
    response = route_for(route_id).decode(raw)
    assert_well_typed(response)
    check(response)


# --- streams ---------------------------------------------------------------------------------------------------


def oai(*replace: tuple[int, Any]) -> list[Any]:
    items = openai_events()
    for at, item in replace:
        items[at] = item
    return items


def ant(*replace: tuple[int, Any]) -> list[Any]:
    items = anthropic_events()
    for at, item in replace:
        items[at] = item
    return items


# (case, route, stream items, what the error names)
MALFORMED_STREAMS: list[tuple[str, str, list[Any], str]] = [
    ("openai delta a string", "openai", oai((1, openai_chunk("Hel"))), "delta"),  # type: ignore[arg-type]
    ("openai choices an object", "openai", oai((1, {**openai_chunk({"content": "x"}), "choices": {"index": 0}})), "choices"),
    ("openai chunk a JSON list", "azure_openai", oai((2, [1, 2])), "not an object"),
    ("openai content a number", "openai", oai((2, openai_chunk({"content": 5}))), "content"),
    ("openai tool call index a string", "openai", oai((3, openai_chunk({"tool_calls": [{"index": "0", "id": "c1", "function": {"name": "w"}}]}))), "index"),
    ("openai tool_calls a string", "openai", oai((3, openai_chunk({"tool_calls": "w"}))), "tool_calls"),
    ("openai arguments a list", "mantle-openai", oai((4, openai_chunk({"tool_calls": [{"index": 0, "function": {"arguments": [1]}}]}))), "arguments"),
    ("openai usage 'two'", "openai", oai((6, {**OPENAI_USAGE_CHUNK, "usage": {"prompt_tokens": "two"}})), "prompt_tokens"),
    ("openai 100k-deep chunk", "openai", oai((2, DEEP)), "deeper"),
    ("openai NaN in a chunk", "openai", oai((2, '{"choices": [], "x": NaN}')), "NaN"),
    ("anthropic text_delta text null", "anthropic", ant((3, {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": None}})), "text"),
    ("anthropic block index -1", "anthropic", ant((1, {"type": "content_block_start", "index": -1, "content_block": {"type": "text", "text": ""}})), "index"),
    ("anthropic delta a string", "vertex", ant((3, {"type": "content_block_delta", "index": 0, "delta": "Hel"})), "delta"),
    ("anthropic content before message_start", "anthropic", ant((0, {"type": "ping"})), "before message_start"),
    ("anthropic block type a list", "anthropic", ant((1, {"type": "content_block_start", "index": 0, "content_block": {"type": ["text"], "text": ""}})), "type"),
    ("anthropic block started twice", "azure_foundry", ant((6, {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})), "twice"),
    ("anthropic delta for a block never started", "anthropic", ant((1, {"type": "ping"})), "never started"),
    ("anthropic usage 'two'", "anthropic", ant((10, {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": "two"}})), "output_tokens"),
    ("anthropic tool input not JSON, not cut", "anthropic", ant((8, {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": ""}})), "input"),
    ("anthropic 100k-deep event", "anthropic", ant((2, DEEP)), "deeper"),
    ("bedrock 100k-deep event", "bedrock", ant((2, DEEP)), "chunk event"),
    ("bedrock message a string", "bedrock", ant((0, {"type": "message_start", "message": "msg"})), "message"),
    ("mantle tool_use name a number", "mantle", ant((6, {"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use", "id": "t", "name": 5}})), "name"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("route_id", "items", "names"), [c[1:] for c in MALFORMED_STREAMS], ids=[c[0] for c in MALFORMED_STREAMS]
)
def test_hostile_stream_is_malformed_and_names_the_problem(route_id: str, items: list[Any], names: str) -> None:
    route = route_for(route_id)
    with pytest.raises(MalformedResponseError) as caught:
        decode_stream(route, frame(route, items))
    assert caught.value.status == 200
    assert names in caught.value.message, caught.value.message
    assert "we cannot read (" not in caught.value.message, "the typed reader, not the backstop, should catch it"


@pytest.mark.parametrize(
    "raw",
    [
        es_chunk_text('{"type": "ping"}')[:-1] + b"\x00",  # bad CRC
        b"\x00\x00\x00\x10\x00\x00\x00\x00" + b"\x00" * 8,  # bad prelude CRC
        json.dumps({"bytes": 5}).encode(),  # not a frame at all
    ],
    ids=["bad-crc", "bad-prelude", "json"],
)
def test_broken_event_stream_frames_are_malformed(raw: bytes) -> None:
    route = route_for("bedrock")
    with pytest.raises(MalformedResponseError):
        decode_stream(route, frame(route, anthropic_events()[:2]) + raw)


def test_a_chunk_whose_bytes_are_a_number_is_malformed() -> None:
    from modelroute.testing._routes.bedrock import es_frame

    bad = es_frame({":event-type": "chunk", ":message-type": "event"}, json.dumps({"bytes": 5}).encode())
    route = route_for("bedrock")
    with pytest.raises(MalformedResponseError, match="chunk event"):
        decode_stream(route, frame(route, anthropic_events()[:2]) + bad)


# --- error bodies ----------------------------------------------------------------------------------------------

HOSTILE_ERRORS: list[tuple[str, int, bytes]] = [
    ("100k-deep", 429, DEEP.encode()),
    ("100k-deep object", 503, DEEP_OBJECT.encode()),
    ("error a string", 429, b'{"error": "slow down"}'),
    ("error a list", 503, b'{"error": [1, 2]}'),
    ("error_code a list", 429, b'{"type": "error", "error": {"type": "rate_limit_error", "details": {"error_code": [1]}}}'),
    ("code an object", 429, b'{"error": {"code": {"a": 1}, "message": "x"}}'),
    ("innererror a list", 400, b'{"error": {"code": "x", "innererror": [1], "message": 5}}'),
    ("message an object", 503, b'{"message": {"text": "x"}, "__type": 5}'),
    ("status a list", 429, b'[{"error": {"status": ["RESOURCE_EXHAUSTED"], "message": null}}]'),
    ("NaN", 500, b'{"error": {"message": NaN}}'),
    ("not UTF-8", 503, b'{"error": {"message": "\xff"}}'),
    ("empty", 429, b""),
]  # fmt: skip


@pytest.mark.parametrize("route_id", ROUTE_IDS)
@pytest.mark.parametrize(("status", "raw"), [c[1:] for c in HOSTILE_ERRORS], ids=[c[0] for c in HOSTILE_ERRORS])
def test_hostile_error_body_is_still_classified(route_id: str, status: int, raw: bytes) -> None:
    error = route_for(route_id).classify(status, {}, raw)
    assert isinstance(error, ProviderError) and error.status == status
    assert error.kind in (
        ErrorKind.RATE_LIMITED,
        ErrorKind.OVERLOADED,
        ErrorKind.SERVER_ERROR,
        ErrorKind.INVALID_REQUEST,
    )


def test_an_openai_stream_behind_a_bom_keeps_its_first_chunk() -> None:
    route = route_for("openai")
    raw = b"\xef\xbb\xbf" + sse(openai_events(), named=False)
    for cut in range(5):  # the BOM split across chunks too
        _, response = decode_stream(route, raw, [cut])
        assert response.text == "Hello" and response.tool_calls[0].arguments == {"city": "Paris"}
