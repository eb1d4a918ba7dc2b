"""The objects `Router.stream` and `Router.astream` return: iterate events, then read ``.response``.

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

    def __init__(
        self, events: Generator[StreamEvent, None, None], result: StreamResult, gate: CallGate | None = None
    ) -> None:
        self._source = events
        self._result = result
        self.seams: list[Seam] = []
        self._events = _watch(events, self.seams, gate)

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

    def __init__(
        self, events: AsyncGenerator[StreamEvent, None], result: StreamResult, gate: CallGate | None = None
    ) -> None:
        self._source = events
        self._result = result
        self.seams: list[Seam] = []
        self._events = _awatch(events, self.seams, gate)

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


def _watch(
    source: Generator[StreamEvent, None, None], seams: list[Seam], gate: CallGate | None
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
    except ModelRouteError as e:
        forget_locals(e)  # the driver's frame, finished now, held the last response bytes
        raise
    finally:
        source.close()
        if gate is not None:
            gate.leave()


async def _awatch(
    source: AsyncGenerator[StreamEvent, None], seams: list[Seam], gate: CallGate | None
) -> AsyncGenerator[StreamEvent, None]:
    if gate is not None:
        gate.aenter()
    try:
        async for event in source:
            if isinstance(event, Seam):
                seams.append(event)
            yield event
    except ModelRouteError as e:
        forget_locals(e)  # the driver's frame, finished now, held the last response bytes
        raise
    finally:
        await source.aclose()
        if gate is not None:
            await gate.aleave()
