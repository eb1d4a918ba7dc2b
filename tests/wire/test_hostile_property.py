"""Property: whatever bytes a server sends, every decoder of every route gives a well-typed answer or a library
error, never another exception.

Valid bodies, error bodies and streams of both dialects are mutated (a field replaced by a value of another type,
deleted, wrapped in a list, nested past the depth bound, NaN; events inserted, dropped or appended after the end;
bytes truncated, flipped or prefixed with a BOM) and thrown at `Route.decode`, `Route.classify` and the stream
decoder of every route, split at random points. An answer that decodes must be well typed (text is text, counts are
ints >= 0, arguments are re-encodable JSON objects), so garbage is never passed off as an answer. The dialect
codecs are held to it too without the routes' backstop: they must raise `ProviderError`, never anything else.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelroute.exceptions import ProviderError
from modelroute.routes import Route
from modelroute.wire._read import MAX_DEPTH

from ._hostile import (
    ROUTE_IDS,
    assert_events_well_typed,
    assert_well_typed,
    error_bodies,
    frame,
    route_for,
    valid_body,
    valid_events,
)
from ._oracle import decode_stream

T = TypeVar("T")
PROPERTY = settings(
    derandomize=True,
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ROUTES: dict[str, Route] = {rid: route_for(rid) for rid in ROUTE_IDS}

# --- values a hostile server puts where another type belongs ---------------------------------------------------

_DEEP = re.compile(r'"@@deep:(\d+)@@"')
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)
JSON = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=10,
)
SPECIAL = st.sampled_from(
    [None, True, 0, -1, 1.5, 12.0, 2**64, float("nan"), float("inf"), "", "two", "text", [], {}, [None],
     {"type": "text"}, {"type": "text", "text": 5}, [{"type": "text", "text": "x"}], {"type": "tool_use"}]
)  # fmt: skip
DEEP = st.integers(min_value=MAX_DEPTH - 3, max_value=5000).map(lambda n: f"@@deep:{n}@@")
HOSTILE = (SPECIAL | JSON | DEEP).map(copy.deepcopy)  # a copy: later mutations must not edit the samples


def render(value: Any) -> str:
    """JSON text as a server might write it: NaN literals kept, deep placeholders expanded to nested arrays."""
    return _DEEP.sub(lambda m: "[" * int(m.group(1)) + "]" * int(m.group(1)), json.dumps(value))


def paths(doc: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from paths(v, (*prefix, i))


@st.composite
def mutated(draw: st.DrawFn, doc: Any) -> Any:
    """``doc`` with one to three fields replaced by hostile values, deleted or wrapped in a list."""
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(list(paths(doc))))
        op = draw(st.sampled_from(["replace", "replace", "delete", "wrap"]))
        if not path:
            doc = draw(HOSTILE) if op != "wrap" else [doc]
            continue
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        if op == "delete":
            del parent[key]
        elif op == "wrap":
            parent[key] = [parent[key]]
        else:
            parent[key] = draw(HOSTILE)
    return doc


@st.composite
def garbled(draw: st.DrawFn, raw: bytes) -> bytes:
    """The bytes as sent, or truncated, with bytes inserted or flipped, or behind a byte order mark."""
    op = draw(st.sampled_from(["keep", "keep", "truncate", "insert", "flip", "bom"]))
    if op == "keep" or not raw:
        return raw
    at = draw(st.integers(min_value=0, max_value=len(raw) - 1))
    if op == "truncate":
        return raw[:at]
    if op == "insert":
        return raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    if op == "flip":
        return raw[:at] + bytes([raw[at] ^ draw(st.integers(min_value=1, max_value=255))]) + raw[at + 1 :]
    return b"\xef\xbb\xbf" + raw


@st.composite
def hostile_stream(draw: st.DrawFn, items: list[Any]) -> list[Any]:
    """Stream items with some mutated, dropped, duplicated, and garbage inserted (or appended after the end)."""
    items = list(items)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        op = draw(st.sampled_from(["mutate", "mutate", "drop", "insert", "append", "duplicate"]))
        at = draw(st.integers(min_value=0, max_value=max(0, len(items) - 1)))
        if op == "mutate" and items and isinstance(items[at], dict):
            items[at] = draw(mutated(items[at]))
        elif op == "drop" and items:
            del items[at]
        elif op == "duplicate" and items:
            items.insert(at, copy.deepcopy(items[at]))
        elif op in ("insert", "append"):
            junk = draw(HOSTILE | st.text(max_size=12) | st.sampled_from(["[DONE]", "{", "null", "@@deep:4000@@"]))
            items.insert(at if op == "insert" else len(items), junk)
    return items


def stream_bytes(route: Route, items: list[Any]) -> bytes:
    return frame(route, [render(i) if isinstance(i, str) and i.startswith("@@") else i for i in items], render)


# --- the properties --------------------------------------------------------------------------------------------

BACKSTOP = "we cannot read ("  # what `wire._base.unreadable` says: an exception the codec should not have raised


def attempt(fn: Callable[..., T], *args: Any) -> T | ProviderError:
    """``fn(*args)``, or the `ProviderError` it raised (any other exception fails the test)."""
    try:
        return fn(*args)
    except ProviderError as e:
        return e


@pytest.mark.parametrize("route_id", ROUTE_IDS)
@PROPERTY
@given(data=st.data())
def test_any_body_decodes_well_typed_or_is_a_provider_error(route_id: str, data: st.DataObject) -> None:
    route = ROUTES[route_id]
    body = data.draw(mutated(valid_body(route)).map(render).map(str.encode).flatmap(garbled))
    for decode in (route.decode, route.dialect.decode):
        outcome = attempt(decode, body)
        if isinstance(outcome, ProviderError):
            assert BACKSTOP not in outcome.message, "the codec itself, not the backstop, should reject it"
        else:
            assert_well_typed(outcome)


@pytest.mark.parametrize("route_id", ROUTE_IDS)
@PROPERTY
@given(data=st.data(), status=st.sampled_from([400, 401, 403, 404, 408, 413, 429, 500, 503, 529, 599]))
def test_any_error_body_is_classified(route_id: str, data: st.DataObject, status: int) -> None:
    route = ROUTES[route_id]
    body = data.draw(st.sampled_from(error_bodies(route)).flatmap(mutated).map(render).map(str.encode).flatmap(garbled))
    headers = data.draw(st.sampled_from([{}, {"retry-after": "2"}, {"x-amzn-errortype": "ThrottlingException:x"}]))
    error = route.classify(status, headers, body)
    assert isinstance(error, ProviderError) and error.status == status
    assert isinstance(error.message, str)
    assert "error body we cannot read" not in error.message, "the classifier itself, not the backstop, reads it"


@pytest.mark.parametrize("route_id", ROUTE_IDS)
@PROPERTY
@given(data=st.data())
def test_any_stream_decodes_well_typed_or_is_a_provider_error(route_id: str, data: st.DataObject) -> None:
    route = ROUTES[route_id]
    raw = stream_bytes(route, data.draw(hostile_stream(valid_events(route))))
    body = data.draw(garbled(raw))
    cuts = data.draw(st.lists(st.integers(min_value=0, max_value=len(body)), max_size=6))
    outcome = attempt(decode_stream, route, body, cuts)
    if isinstance(outcome, ProviderError):
        assert BACKSTOP not in outcome.message, "the codec itself, not the backstop, should reject it"
    else:
        assert_events_well_typed(*outcome)


@pytest.mark.parametrize("route_id", ROUTE_IDS)
@PROPERTY
@given(body=st.binary(max_size=300), cuts=st.lists(st.integers(min_value=0, max_value=300), max_size=4))
def test_random_bytes_never_crash_a_decoder(route_id: str, body: bytes, cuts: list[int]) -> None:
    route = ROUTES[route_id]
    for decode in (route.decode, route.dialect.decode):
        outcome = attempt(decode, body)
        if isinstance(outcome, ProviderError):
            assert BACKSTOP not in outcome.message
        else:
            assert_well_typed(outcome)
    error = route.classify(502, {}, body)
    assert isinstance(error, ProviderError) and "error body we cannot read" not in error.message
    streamed = attempt(decode_stream, route, body, [c for c in cuts if c <= len(body)])
    if isinstance(streamed, ProviderError):
        assert BACKSTOP not in streamed.message
    else:
        assert_events_well_typed(*streamed)
