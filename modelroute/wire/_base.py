"""The sans-IO seam: what a codec produces (a `WireRequest`) and what a stream decoder consumes (bytes).

Nothing here does I/O. A route turns a `Request` into a `WireRequest`; the transport sends it; the route's
decoder turns the status, headers and bytes that came back into a `Response`, stream events, or a
classified `ProviderError`.

Whatever bytes arrive, decoding ends in a `Response`, stream events, or a `ProviderError` (a
`MalformedResponseError` when the bytes cannot be read): the codecs read fields by type (`._read`), and
`StreamDecoder` and `unreadable` are the backstop that turns any other exception a hostile input still finds
into a `MalformedResponseError`, so a broken response fails over instead of crashing the call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .._redact import redact
from .._types import Request, Response, StreamEvent
from ..exceptions import MalformedResponseError, ModelRouteError, ProviderError
from ._carry import Carriage

__all__ = ["Dialect", "EventHandler", "Framer", "StreamDecoder", "WireRequest", "unreadable"]


def unreadable(error: Exception, what: str) -> MalformedResponseError:
    """The `MalformedResponseError` for an exception that decoding ``what`` raised where it should not have."""
    detail = str(error)
    detail = f": {detail[:200]}" if detail else ""
    return MalformedResponseError(f"{what} we cannot read ({type(error).__name__}{detail})", status=200)


@dataclass(slots=True)
class WireRequest:
    """Everything needed to put one request on the wire. ``headers`` keys are lower-case."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    stream: bool = False
    json: dict[str, Any] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:  # never print headers (they hold credentials), nor a secret in the URL
        return f"WireRequest({self.method} {redact(self.url)}, {len(self.body)} bytes, stream={self.stream})"


class Framer(Protocol):
    """Splits a byte stream into messages (SSE events, AWS event-stream frames). Returns ``(event, data)``.

    ``feed`` may frame lazily, as its result is iterated, and raise for a broken message only when it reaches it:
    `StreamDecoder` stops iterating at the answer's end marker, so bytes after it are never judged."""

    def feed(self, data: bytes) -> Iterable[tuple[str | None, str]]: ...

    def close(self) -> list[tuple[str | None, str]]:
        """Flush at end of input; raise `MalformedResponseError` if bytes were left half-framed."""
        ...


class EventHandler(Protocol):
    """A dialect's stream state: turns framed messages into `StreamEvent` and builds the final `Response`."""

    def on_message(self, event: str | None, data: str) -> list[StreamEvent]: ...

    @property
    def done(self) -> bool:
        """The end marker arrived: nothing after it is read."""
        ...

    def end(self) -> list[StreamEvent]:
        """The body ended cleanly (the transport saw its proper end): the events that implies, if any."""
        ...

    def finish(self) -> Response:
        """The accumulated answer; raises `MalformedResponseError` if the stream never completed."""
        ...


class StreamDecoder:
    """A framer and a dialect's event handler, composed: bytes in, `StreamEvent` out.

    Once the handler is `done` (its end marker arrived), further bytes are not even framed: trailing garbage, a
    half frame or invalid UTF-8 after the end cannot spoil a complete answer. Any exception other than a
    `ModelRouteError` becomes a `MalformedResponseError` (see `unreadable`)."""

    __slots__ = ("framer", "handler")

    def __init__(self, framer: Framer, handler: EventHandler) -> None:
        self.framer = framer
        self.handler = handler

    @property
    def done(self) -> bool:
        """The answer is complete: the caller may stop reading the body."""
        return self.handler.done

    def feed(self, data: bytes) -> list[StreamEvent]:
        handler = self.handler
        if handler.done:
            return []
        out: list[StreamEvent] = []
        try:
            for event, payload in self.framer.feed(data):
                out.extend(handler.on_message(event, payload))
                if handler.done:
                    break
        except ModelRouteError:
            raise
        except Exception as e:  # a hostile stream must fail over, never crash the call
            raise unreadable(e, "a stream event") from None
        return out

    def finish(self) -> tuple[list[StreamEvent], Response]:
        """End of input: flush the framer, then return the last events and the complete answer."""
        handler = self.handler
        out: list[StreamEvent] = []
        try:
            if not handler.done:
                for event, payload in self.framer.close():
                    out.extend(handler.on_message(event, payload))
                    if handler.done:
                        break
            if not handler.done:
                out.extend(handler.end())
            return out, handler.finish()
        except ModelRouteError:
            raise
        except Exception as e:
            raise unreadable(e, "the end of a stream") from None


class Dialect(Protocol):
    """One wire API (OpenAI Chat Completions, Anthropic Messages): body encoding and response decoding."""

    name: str
    #: the API continues a trailing assistant message (a prefill) instead of answering afresh
    supports_prefill: bool
    #: what the wire refuses and adapts (`modelroute.wire._carry`)
    carriage: Carriage

    def encode_body(self, request: Request, model: str, *, stream: bool) -> dict[str, Any]: ...

    def decode(self, body: bytes) -> Response: ...

    def stream_handler(self) -> EventHandler: ...

    def classify(self, status: int, headers: Mapping[str, str], body: bytes) -> ProviderError: ...
