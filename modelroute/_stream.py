"""The objects `Router.stream` and `Router.astream` return: iterate events, then read ``.response``.

Neither holds a reference back to itself through its generators, so a stream that is dropped (a ``break`` out
of the loop, an exception in its body, a reference let go) is freed at once, without waiting for a garbage
collection: its generator is closed, and the driver's ``finally`` releases the connection (the async one on the
next turn of the event loop, which closes abandoned async generators).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator
from types import TracebackType

from ._types import Response, Seam, StreamEvent, TextDelta

__all__ = ["AsyncStream", "Stream", "StreamResult"]


class StreamResult:
    """Where a driver leaves the final answer once the stream has ended."""

    __slots__ = ("response",)

    def __init__(self) -> None:
        self.response: Response | None = None


class Stream:
    """A streamed answer. Iterate it for `StreamEvent` s (or `text()` for just the text); when the iteration
    ends, ``response`` holds the complete `Response` with usage, ``served_by`` and the trace.

    Use it as a context manager (or call `close()`) to release the connection at once if you stop early;
    dropping it does the same when the last reference goes.

    ``seams`` lists the `Seam` events seen so far (a stream resumed on another target; see the README's
    "Streams"): after a ``resumed="restart"`` seam the text that follows is a complete answer on its own, so a
    caller of `text()` should check ``seams`` (or read ``response.text``) before using the joined text.
    """

    def __init__(self, events: Generator[StreamEvent, None, None], result: StreamResult) -> None:
        self._source = events
        self._result = result
        self.seams: list[Seam] = []
        self._events = _watch(events, self.seams)

    def __iter__(self) -> Iterator[StreamEvent]:
        return self._events

    def text(self) -> Iterator[str]:
        """Only the text deltas (seams are still recorded on ``seams``)."""
        for event in self._events:
            if isinstance(event, TextDelta):
                yield event.text

    @property
    def response(self) -> Response:
        """The complete answer; reading it before the end consumes the rest of the stream."""
        if self._result.response is None:
            for _ in self._events:
                pass
        assert self._result.response is not None
        return self._result.response

    def close(self) -> None:
        self._events.close()
        self._source.close()

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class AsyncStream:
    """The async twin of `Stream`: ``async for event in stream``; then ``stream.response``; ``seams`` likewise."""

    def __init__(self, events: AsyncGenerator[StreamEvent, None], result: StreamResult) -> None:
        self._source = events
        self._result = result
        self.seams: list[Seam] = []
        self._events = _awatch(events, self.seams)

    def __aiter__(self) -> AsyncIterator[StreamEvent]:
        return self._events

    async def text(self) -> AsyncIterator[str]:
        async for event in self._events:
            if isinstance(event, TextDelta):
                yield event.text

    async def get_response(self) -> Response:
        """The complete answer, consuming the rest of the stream if needed."""
        if self._result.response is None:
            async for _ in self._events:
                pass
        assert self._result.response is not None
        return self._result.response

    @property
    def response(self) -> Response:
        """The complete answer; only available once the iteration has ended (see `get_response`)."""
        if self._result.response is None:
            raise RuntimeError("the stream has not ended yet: iterate it, or await stream.get_response()")
        return self._result.response

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


def _watch(source: Generator[StreamEvent, None, None], seams: list[Seam]) -> Generator[StreamEvent, None, None]:
    """``source``'s events, noting seams; closing this closes ``source`` (a plain function: no cycle)."""
    try:
        for event in source:
            if isinstance(event, Seam):
                seams.append(event)
            yield event
    finally:
        source.close()


async def _awatch(source: AsyncGenerator[StreamEvent, None], seams: list[Seam]) -> AsyncGenerator[StreamEvent, None]:
    try:
        async for event in source:
            if isinstance(event, Seam):
                seams.append(event)
            yield event
    finally:
        await source.aclose()
