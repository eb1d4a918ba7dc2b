"""SSE framing, sans-IO: line endings, comments, multi-line data, a cut tail, the size guard, any split."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelroute.exceptions import MalformedResponseError
from modelroute.wire import SSEFramer


def frame(data: bytes, cuts: list[int] | None = None) -> list[tuple[str | None, str]]:
    f = SSEFramer()
    out, last = [], 0
    for c in [*sorted(set(cuts or [])), len(data)]:
        out += f.feed(data[last:c])
        last = c
    return out + f.close()


def test_events_data_and_comments() -> None:
    body = (
        b": keep-alive\nevent: a\ndata: 1\n\ndata: x\ndata: y\n\nevent: b\r\ndata:no-space\r\n\r\nid: 7\nretry: 9\n\n"
    )
    assert frame(body) == [("a", "1"), (None, "x\ny"), ("b", "no-space")]


def test_event_without_closing_blank_line_is_dropped_at_close() -> None:
    assert frame(b"data: complete\n\ndata: cut") == [(None, "complete")]


def test_non_utf8_is_malformed() -> None:
    with pytest.raises(MalformedResponseError):
        frame(b"data: \xff\xfe\n\n")


def test_one_endless_line_is_refused() -> None:
    f = SSEFramer()
    for _ in range(16):
        assert list(f.feed(b"x" * (1024 * 1024))) == []
    with pytest.raises(MalformedResponseError, match="16 MiB"):
        list(f.feed(b"x"))


BODY = b'event: a\ndata: 1\n\n: c\ndata: two\r\ndata: lines\r\n\r\nevent: z\ndata: {"k": "\xc3\xa9"}\n\n'


@given(st.lists(st.integers(min_value=0, max_value=len(BODY)), max_size=30))
def test_any_split_gives_the_same_events(cuts: list[int]) -> None:
    assert frame(BODY, cuts) == [("a", "1"), (None, "two\nlines"), ("z", '{"k": "é"}')]


CR_BODY = b"event: a\rdata: 1\r\rdata: x\r\ndata: y\r\n\r\n: c\rdata: z\n\n"


@given(st.lists(st.integers(min_value=0, max_value=len(CR_BODY)), max_size=30))
def test_a_bare_cr_ends_a_line_at_any_split(cuts: list[int]) -> None:
    assert frame(CR_BODY, cuts) == [("a", "1"), (None, "x\ny"), (None, "z")]


def test_a_cr_at_the_end_of_the_input_ends_the_event_at_close() -> None:
    assert frame(b"data: last\r\r") == [(None, "last")]


@given(st.lists(st.integers(min_value=0, max_value=len(BODY) + 3), max_size=30))
def test_a_byte_order_mark_at_the_start_is_skipped_at_any_split(cuts: list[int]) -> None:
    assert frame(b"\xef\xbb\xbf" + BODY, cuts) == [("a", "1"), (None, "two\nlines"), ("z", '{"k": "é"}')]


def test_only_the_first_byte_order_mark_is_skipped() -> None:
    assert frame("\ufeff\ufeffdata: 1\n\ndata: \ufeff2\n\n".encode()) == [(None, "\ufeff2")]


def test_framing_is_lazy_so_bytes_after_the_end_are_never_judged() -> None:
    events = SSEFramer().feed(b"data: 1\n\ndata: \xff\n\n")
    assert next(iter(events)) == (None, "1")
