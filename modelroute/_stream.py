"""The objects `Router.stream` and `Router.astream` return: iterate events (or `text()`), then read ``.response``.

The final answer, both streams alike: ``stream.response`` once the stream has ended; after a stream that failed
(`StreamInterrupted`, `AllTargetsFailed`...), reading it raises that same error again. Before the end, the sync
``response`` (and ``get_final_response()``) consumes the rest of the stream; the async stream cannot do that in a
property, so there ``await stream.get_final_response()`` does, and ``response`` raises a `RuntimeError` saying
so. A stream closed before its end has no final answer: ``response`` raises a `RuntimeError`.

Neither holds a reference back to itself through its generators, so a stream that is dropped (a ``break`` out
of the loop, an exception in its body, a reference let go) is freed at once, without waiting for a garbage
collection: its generator is closed, and the driver's ``finally`` releases the connection (the async one on the
next turn of the event loop, which closes abandoned async generators).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator
from types import TracebackType
from typing import Protocol

from ._redact import forget_locals
from ._types import Response, Seam, StreamEvent, TextDelta
from .exceptions import ModelRouteError

__all__ = ["AsyncStream", "CallGate", "Stream", "StreamResult"]


class CallGate(Protocol):
    """What a stream tells its router: a call starts (at the first read; may refuse: the router is closed) and
    ends (when the stream ends, is closed or is dropped)."""

    def enter(self) -> None: ...

    def leave(self) -> None: ...

    def aenter(self) -> None: ...

    async def aleave(self) -> None: ...


class StreamResult:
    """What a stream and its driver share: the final answer once the stream has ended, the error that ended it
    otherwise, and whether the caller reads text only (`Stream.text`: a restarted answer could not be told from
    a continuation there, so the router resumes such a stream only where the route continues the text)."""

    __slots__ = ("error", "response", "text_only")

    def __init__(self) -> None:
        self.response: Response | None = None
        self.error: Exception | None = None
        self.text_only = False

    def final(self, *, ended: str) -> Response:
        """The answer, or the error that ended the stream raised again; ``ended`` explains a stream with neither."""
        if self.response is not None:
            return self.response
        if self.error is not None:
            raise self.error
        raise RuntimeError(ended)


_CLOSED = "the stream was closed before it ended, so there is no final response: read it before closing"


class Stream:
    """A streamed answer. Iterate it for `StreamEvent` s (or `text()` for just the text); when the iteration
    ends, ``response`` holds the complete `Response` with usage, ``served_by`` and the trace.

    Use it as a context manager (or call `close()`) to release the connection at once if you stop early;
    dropping it does the same when the last reference goes.

    ``response`` (or `get_final_response`) before the end consumes the rest of the stream; after a stream that
    failed it raises the same error again (`StreamInterrupted`, with ``partial_text``).

    ``seams`` lists the `Seam` events seen so far (a stream resumed on another target; see the README's
    "Streams"): after a ``resumed="restart"`` seam the text that follows is a complete answer on its own. Under
    the default ``stream_resume: auto`` a `text()` caller never gets a restart; with ``stream_resume: continue``
    it may, so such a caller should check ``seams`` (or read ``response.text``) before using the joined text.
    """

    def __init__(
        self, events: Generator[StreamEvent, None, None], result: StreamResult, gate: CallGate | None = None
    ) -> None:
        self._source = events
        self._result = result
        self.seams: list[Seam] = []
        self._events = _watch(events, self.seams, gate, result)

    def __iter__(self) -> Iterator[StreamEvent]:
        return self._events

    def text(self) -> Iterator[str]:
        """Only the text deltas. The text never contains a restarted answer spliced onto a partial one: under
        ``stream_resume: auto`` a broken stream read this way resumes only where the route continues the text
        (seams are still recorded on ``seams``)."""
        self._result.text_only = True
        for event in self._events:
            if isinstance(event, TextDelta):
                yield event.text

    @property
    def response(self) -> Response:
        """The complete answer; reading it before the end consumes the rest of the stream. After a stream that
        failed, the error that ended it, raised again."""
        return self.get_final_response()

    def get_final_response(self) -> Response:
        """The complete answer, consuming the rest of the stream if needed (as ``response``): the same `Response`
        a non-streamed call returns (``parsed`` included)."""
        r = self._result
        if r.response is None and r.error is None:
            for _ in self._events:
                pass
        return r.final(ended=_CLOSED)

    def close(self) -> None:
        self._events.close()
        self._source.close()

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class AsyncStream:
    """The async twin of `Stream`: ``async for event in stream`` (or ``async for text in stream.text()``), then
    ``stream.response``; or ``await stream.get_final_response()``, which consumes the rest first. ``seams``
    likewise. After a stream that failed, both raise the error that ended it again."""

    def __init__(
        self, events: AsyncGenerator[StreamEvent, None], result: StreamResult, gate: CallGate | None = None
    ) -> None:
        self._source = events
        self._result = result
        self.seams: list[Seam] = []
        self._events = _awatch(events, self.seams, gate, result)

    def __aiter__(self) -> AsyncIterator[StreamEvent]:
        return self._events

    async def text(self) -> AsyncIterator[str]:
        """Only the text deltas; never a restarted answer spliced onto a partial one (see `Stream.text`)."""
        self._result.text_only = True
        async for event in self._events:
            if isinstance(event, TextDelta):
                yield event.text

    async def get_final_response(self) -> Response:
        """The complete answer, consuming the rest of the stream if needed. After a stream that failed, the
        error that ended it, raised again."""
        r = self._result
        if r.response is None and r.error is None:
            async for _ in self._events:
                pass
        return r.final(ended=_CLOSED)

    @property
    def response(self) -> Response:
        """The complete answer once the stream has ended (``async for`` ran to the end). Before that, a
        `RuntimeError`: ``await stream.get_final_response()`` reads the rest first. After a stream that failed,
        the error that ended it, raised again."""
        r = self._result
        running = getattr(self._events, "ag_frame", None) is not None  # not exhausted, failed or closed
        if r.response is None and r.error is None and running:
            raise RuntimeError(
                "the stream has not ended yet: iterate it to the end, or await stream.get_final_response()"
            )
        return r.final(ended=_CLOSED)

    async def aclose(self) -> None:
        """Release the connection now (``async with`` does it for you)."""
        await self._events.aclose()
        await self._source.aclose()

    async def __aenter__(self) -> AsyncStream:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


def _watch(
    source: Generator[StreamEvent, None, None], seams: list[Seam], gate: CallGate | None, result: StreamResult
) -> Generator[StreamEvent, None, None]:
    """``source``'s events, noting seams, inside the ``gate``; closing this closes ``source`` (a plain function,
    not a method: no cycle through the stream)."""
    if gate is not None:
        gate.enter()
    try:
        for event in source:
            if isinstance(event, Seam):
                seams.append(event)
            yield event
    except Exception as e:
        result.error = e  # `response` raises it again
        if isinstance(e, ModelRouteError):
            forget_locals(e)  # the driver's frame, finished now, held the last response bytes
        raise
    finally:
        source.close()
        if gate is not None:
            gate.leave()


async def _awatch(
    source: AsyncGenerator[StreamEvent, None], seams: list[Seam], gate: CallGate | None, result: StreamResult
) -> AsyncGenerator[StreamEvent, None]:
    if gate is not None:
        gate.aenter()
    try:
        async for event in source:
            if isinstance(event, Seam):
                seams.append(event)
            yield event
    except Exception as e:
        result.error = e  # `response` raises it again
        if isinstance(e, ModelRouteError):
            forget_locals(e)  # the driver's frame, finished now, held the last response bytes
        raise
    finally:
        await source.aclose()
        if gate is not None:
            await gate.aleave()
