"""Garbage in, only `RequestError` out, and nothing on the wire; what passes is valid JSON on every route.

Hypothesis builds calls from near-valid shapes with garbage spliced in (wrong types, lone surrogates, NaN,
dates, bytes, deep nesting, bad images, unknown keywords). For each: the call raises `RequestError` and the mock
cloud saw no request, or the check passed, in which case every route's encoder turns the request into strict
JSON (no NaN, valid UTF-8) and the mock cloud (which validates like each vendor) answers it.
"""

from __future__ import annotations

import datetime
import decimal
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, seed, settings
from hypothesis import strategies as st

from modelroute import RequestError, Router
from modelroute._coerce import OPTIONS, build_request
from modelroute.config import load_config
from modelroute.routes import ROUTES
from modelroute.testing import MockCloud
from modelroute.testing._router import MockSecrets

PNG = "iVBORw0KGgo="
# One provider entry of every kind, keyed so no route asks the machine for credentials.
EVERY_ROUTE: dict[str, Any] = {
    "providers": {
        "openai": {"kind": "openai", "api_key": "${K}"},
        "anthropic": {"kind": "anthropic", "api_key": "${K}"},
        "azure_openai": {"kind": "azure_openai", "resource": "r", "api_key": "${K}"},
        "azure_foundry": {"kind": "azure_foundry", "resource": "r", "api_key": "${K}"},
        "vertex": {"kind": "vertex", "project": "p", "region": "us-east5", "access_token": "${K}"},
        "bedrock": {"kind": "bedrock", "region": "us-east-1", "api_key": "${K}"},
        "bedrock_openai": {"kind": "bedrock", "region": "us-east-1", "api_key": "${K}", "dialect": "openai"},
        "bedrock_mantle": {"kind": "bedrock_mantle", "region": "us-east-1", "api_key": "${K}"},
        "anthropic_aws": {"kind": "anthropic_aws", "region": "us-east-1", "api_key": "${K}", "workspace_id": "w"},
    },
    "models": {"m": {"targets": ["openai:x"]}},
}

surrogate = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, categories=["Cs"])
words = st.sampled_from(["hi", "Hello there", "c1", "weather", "image/png", "auto", PNG, "https://x/a.png", "Grüße"])
text = st.one_of(
    words,
    words,
    words,
    st.sampled_from(["", " ", "\n"]),
    st.text(max_size=8),
    st.text(st.one_of(st.characters(), surrogate), max_size=6),
)
scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([10**400, 0, 1, 5, 10**12]),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
    st.binary(max_size=4),
    st.just(datetime.datetime(2026, 1, 1)),
    st.just(decimal.Decimal("1.5")),
    st.just(object()),
    st.frozensets(st.integers(), max_size=2),
)
junk = st.recursive(
    scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(text, st.integers(), st.tuples(st.integers())), inner, max_size=3),
        st.tuples(inner),
    ),
    max_leaves=8,
)
json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), text),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=3)),
    max_leaves=8,
)

RequestCloud = tuple[MockCloud, Router, Callable[[], int]]  # the `request_cloud` fixture (tests/conftest.py)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the plausible value, sometimes garbage."""
    return st.one_of(*[strategy] * 12, junk)


image_source = st.one_of(
    st.fixed_dictionaries(
        {
            "type": maybe(st.just("base64")),
            "media_type": maybe(st.sampled_from(["image/png", "image/jpeg", "image/svg+xml"])),
            "data": maybe(st.sampled_from([PNG, "", "@@", "aGVsbG8=", "iVBORw0KGgo"])),
        }
    ),
    st.fixed_dictionaries({"type": st.just("url"), "url": maybe(st.sampled_from(["https://x/a.png", "javascript:x"]))}),
)
part = st.one_of(
    st.fixed_dictionaries({"type": st.sampled_from(["text", "input_text"]), "text": maybe(text)}),
    st.fixed_dictionaries({"type": st.just("image"), "source": maybe(image_source)}),
    st.fixed_dictionaries(
        {"type": st.just("image_url"), "image_url": maybe(st.fixed_dictionaries({"url": maybe(text)}))}
    ),
    st.fixed_dictionaries(
        {"type": st.just("tool_use"), "id": maybe(st.just("c1")), "name": maybe(text), "input": maybe(json_value)}
    ),
    st.fixed_dictionaries(
        {"type": st.just("tool_result"), "tool_use_id": maybe(st.just("c1")), "content": maybe(text)},
        optional={"is_error": maybe(st.booleans())},
    ),
    text,
    junk,
)
content = st.one_of(text, st.lists(part, max_size=3), junk)
tool_call = st.fixed_dictionaries(
    {
        "id": maybe(st.just("c1")),
        "type": st.just("function"),
        "function": maybe(
            st.fixed_dictionaries({"name": maybe(text), "arguments": maybe(st.sampled_from(['{"a":1}', "{", "[1]"]))})
        ),
    }
)
message = st.one_of(
    st.fixed_dictionaries(
        {"role": maybe(st.sampled_from(["user", "assistant", "system", "developer"])), "content": maybe(content)},
        optional={"tool_calls": maybe(st.lists(tool_call, max_size=2))},
    ),
    st.fixed_dictionaries({"role": st.just("tool"), "tool_call_id": maybe(st.just("c1")), "content": maybe(text)}),
    junk,
)
tool = st.one_of(
    st.fixed_dictionaries(
        {"name": maybe(st.sampled_from(["weather", "w", "bad name"])), "input_schema": maybe(json_value)},
        optional={"description": maybe(text)},
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("function"),
            "function": maybe(st.fixed_dictionaries({"name": maybe(st.just("weather")), "parameters": json_value})),
        }
    ),
    junk,
)
option_values: dict[str, st.SearchStrategy[Any]] = {
    "system": maybe(text),
    "tools": maybe(st.lists(tool, max_size=3)),
    "tool_choice": maybe(st.sampled_from(["auto", "none", "any", "required", {"type": "tool", "name": "weather"}])),
    "max_tokens": maybe(st.integers(min_value=-5, max_value=2_000_000)),
    "stop": maybe(st.one_of(text, st.lists(text, max_size=3))),
    "temperature": maybe(st.floats(min_value=-1, max_value=3)),
    "tags": maybe(st.dictionaries(text, text, max_size=2)),
    "deadline_s": maybe(st.floats(min_value=-1, max_value=100)),
}
options = st.one_of(
    st.fixed_dictionaries({}, optional=option_values),
    st.fixed_dictionaries({}, optional=option_values),
    st.fixed_dictionaries({}, optional=option_values),
    st.fixed_dictionaries({}, optional={**option_values, "colour": junk}),
)
first = st.fixed_dictionaries({"role": st.just("user"), "content": maybe(content)})
calls = st.tuples(
    st.one_of(
        st.builds(lambda a, b: [a, *b], first, st.lists(message, max_size=3)), st.lists(message, max_size=4), junk
    ),
    options,
)


@pytest.fixture(scope="module")
def every_route() -> list[Any]:
    cfg = load_config(EVERY_ROUTE, env=MockSecrets())
    return [(ROUTES[p.kind](name, p, cfg.env), name) for name, p in cfg.spec.providers.items()]


def _checked(messages: Any, opts: dict[str, Any]) -> tuple[Any, str]:
    """(the request, "") when the check passes; (None, the one-line message) when it refuses."""
    try:
        return build_request(model="m", messages=messages, **opts), ""
    except RequestError as e:
        return None, str(e)


def _strict_json(body: bytes) -> Any:
    def refuse(constant: str) -> Any:
        raise AssertionError(f"{constant} in the body")

    return json.loads(body.decode("utf-8"), parse_constant=refuse)


@seed(20260901)
@settings(
    max_examples=500,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(calls)
def test_garbage_is_a_request_error_and_never_reaches_the_network(
    request_cloud: RequestCloud, every_route: list[Any], call: tuple[Any, dict[str, Any]]
) -> None:
    _cloud, router, sent = request_cloud
    messages, opts = call
    before = sent()
    request, refused = _checked(messages, opts)
    if refused:
        assert "\n" not in refused
        with pytest.raises(RequestError):
            router.complete("m", messages, **opts)
        assert sent() == before, "a request that failed the check reached the network"
        event("refused: " + refused.split(":")[0].split("[")[0].split(".")[0])
        return
    event("passed")
    assert set(opts) <= set(OPTIONS)
    for route, name in every_route:  # whatever passes encodes as strict JSON on every route
        for stream in (False, True):
            wire = route.build(request, "anthropic.claude-x" if "bedrock" in name else "model-x", stream=stream)
            assert isinstance(_strict_json(wire.body), dict)
    answer = router.complete("m", messages, **opts)  # and the mock cloud, validating like the vendor, answers
    assert answer.served_by is not None and all(a.error is None for a in answer.trace), answer.trace
    assert sent() == before + 1


IMAGES = [
    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
    {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
    {"type": "image_url", "image_url": {"url": f"data:image/jpeg;base64,{'/9j/4A=='}"}},
]


@st.composite
def valid_call(draw: st.DrawFn) -> tuple[list[Any], dict[str, Any]]:
    """A well-formed call in a random mix of OpenAI and Anthropic shapes."""
    names = draw(st.lists(st.sampled_from(["weather", "time", "search_web"]), min_size=0, max_size=3, unique=True))
    schema = {"type": "object", "properties": draw(st.dictionaries(words, st.just({"type": "string"}), max_size=2))}
    tools = [{"name": n, "description": draw(words), "input_schema": schema} for n in names]
    messages: list[Any] = [{"role": "user", "content": draw(words)}]
    if names and draw(st.booleans()):
        ids = draw(st.lists(st.sampled_from(["c1", "call_2", "toolu_3"]), min_size=1, max_size=2, unique=True))
        if draw(st.booleans()):  # OpenAI shape
            calls = [
                {"id": i, "type": "function", "function": {"name": names[0], "arguments": '{"q": "x"}'}} for i in ids
            ]
            messages.append({"role": "assistant", "content": None, "tool_calls": calls})
            messages.extend({"role": "tool", "tool_call_id": i, "content": draw(words)} for i in ids)
        else:
            uses = [{"type": "tool_use", "id": i, "name": names[0], "input": {"q": draw(words)}} for i in ids]
            messages.append({"role": "assistant", "content": [{"type": "text", "text": "Let me look."}, *uses]})
            results = [{"type": "tool_result", "tool_use_id": i, "content": draw(words)} for i in ids]
            messages.append({"role": "user", "content": results})
        messages.append({"role": "assistant", "content": draw(words)})
        messages.append(
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": draw(words)},
                    *draw(st.lists(st.sampled_from(IMAGES), max_size=2)),
                ],
            }
        )
    opts: dict[str, Any] = {"tools": tools} if tools else {}
    if tools and draw(st.booleans()):
        opts["tool_choice"] = draw(st.sampled_from(["auto", "any", {"type": "tool", "name": names[-1]}]))
    optional = {
        "max_tokens": st.integers(1, 4096),
        "stop": st.just(["END"]),
        "temperature": st.floats(0, 1),
        "deadline_s": st.floats(1, 60),
        "system": words,
        "tags": st.just({"t": "x"}),
    }
    opts.update(draw(st.fixed_dictionaries({}, optional=optional)))
    return messages, opts


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [path] + [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [path] + [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replaced(value[head], rest, new)}
    return [_replaced(v, rest, new) if i == head else v for i, v in enumerate(value)]


@seed(20260902)
@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_call(), st.data())
def test_a_valid_call_passes_and_one_bad_value_in_it_is_caught(
    request_cloud: RequestCloud,
    every_route: list[Any],
    call: tuple[list[Any], dict[str, Any]],
    data: Any,
) -> None:
    _cloud, router, sent = request_cloud
    messages, opts = call
    answer = router.complete("m", messages, **opts)  # well formed: passes, and the mock cloud accepts it
    assert answer.served_by is not None and all(a.error is None for a in answer.trace), answer.trace
    tree = {"messages": messages, **opts}
    where = data.draw(st.sampled_from(_leaves(tree)[1:]))
    broken = _replaced(tree, where, data.draw(junk))
    messages, opts = broken.pop("messages", "missing"), broken
    before = sent()
    request, refused = _checked(messages, opts)
    if refused:
        assert "\n" not in refused and sent() == before
        event("caught")
        return
    event("still valid")
    for route, name in every_route:
        wire = route.build(request, "anthropic.claude-x" if "bedrock" in name else "model-x", stream=False)
        assert isinstance(_strict_json(wire.body), dict)
    answer = router.complete("m", messages, **opts)
    assert answer.served_by is not None and all(a.error is None for a in answer.trace), answer.trace
    assert sent() == before + 1


def test_the_fast_constructor_equals_model_construct() -> None:
    from modelroute import (
        DocumentPart,
        ImagePart,
        Message,
        Request,
        TextPart,
        ThinkingPart,
        Tool,
        ToolCallPart,
        ToolChoice,
        ToolResultPart,
    )
    from modelroute._coerce import _make

    samples: list[tuple[type[Any], dict[str, Any]]] = [
        (TextPart, {"type": "text", "text": "x", "cache": "5m"}),
        (ImagePart, {"type": "image", "url": None, "data": PNG, "media_type": "image/png", "detail": "low",
                     "cache": None}),
        (DocumentPart, {"type": "document", "url": None, "data": "JVBERi0=", "media_type": "application/pdf",
                        "title": "t", "context": None, "filename": None, "cache": "1h"}),
        (ToolCallPart, {"type": "tool_call", "id": "c", "name": "n", "arguments": {"a": 1}}),
        (ToolResultPart, {"type": "tool_result", "tool_call_id": "c", "content": "r", "is_error": False,
                          "cache": None}),
        (ThinkingPart, {"type": "thinking", "text": "hm", "signature": "sig", "redacted": None}),
        (Message, {"role": "user", "content": [], "name": None}),
        (Tool, {"name": "n", "description": "", "parameters": {}, "strict": True, "cache": None}),
        (ToolChoice, {"mode": "auto", "name": None}),
    ]  # fmt: skip
    samples.append((Request, dict.fromkeys(Request.model_fields)))
    for cls, fields in samples:
        assert list(fields) == list(cls.model_fields), cls  # every field, in order
        made, constructed = _make(cls, **fields), cls.model_construct(**fields)
        assert made == constructed and repr(made) == repr(constructed)
        assert made.model_fields_set == constructed.model_fields_set
