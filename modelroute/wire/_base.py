"""The sans-IO seam: what a codec produces (a `WireRequest`) and what a stream decoder consumes (bytes).

Nothing here does I/O. A route turns a `Request` into a `WireRequest`; the transport sends it; the route's
decoder turns the status, headers and bytes that came back into a `Response`, stream events, or a
classified `ProviderError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .._redact import redact
from .._types import Request, Response, StreamEvent
from ..exceptions import ProviderError

__all__ = ["Dialect", "EventHandler", "Framer", "StreamDecoder", "WireRequest"]


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
    """Splits a byte stream into messages (SSE events, AWS event-stream frames). Returns ``(event, data)``."""

    def feed(self, data: bytes) -> list[tuple[str | None, str]]: ...

    def close(self) -> list[tuple[str | None, str]]:
        """Flush at end of input; raise `MalformedResponseError` if bytes were left half-framed."""
        ...


class EventHandler(Protocol):
    """A dialect's stream state: turns framed messages into `StreamEvent` and builds the final `Response`."""

    def on_message(self, event: str | None, data: str) -> list[StreamEvent]: ...

    @property
    def done(self) -> bool: ...

    def finish(self) -> Response:
        """The accumulated answer; raises `MalformedResponseError` if the stream never completed."""
        ...


class StreamDecoder:
    """A framer and a dialect's event handler, composed: bytes in, `StreamEvent` out."""

    __slots__ = ("framer", "handler")

    def __init__(self, framer: Framer, handler: EventHandler) -> None:
        self.framer = framer
        self.handler = handler

    def feed(self, data: bytes) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        on_message = self.handler.on_message
        for event, payload in self.framer.feed(data):
            out.extend(on_message(event, payload))
        return out

    def finish(self) -> tuple[list[StreamEvent], Response]:
        """End of input: flush the framer, then return the last events and the complete answer."""
        out: list[StreamEvent] = []
        for event, payload in self.framer.close():
            out.extend(self.handler.on_message(event, payload))
        return out, self.handler.finish()


class Dialect(Protocol):
    """One wire API (OpenAI Chat Completions, Anthropic Messages): body encoding and response decoding."""

    name: str
    #: the API continues a trailing assistant message (a prefill) instead of answering afresh
    supports_prefill: bool

    def encode_body(self, request: Request, model: str, *, stream: bool) -> dict[str, Any]: ...

    def decode(self, body: bytes) -> Response: ...

    def stream_handler(self) -> EventHandler: ...

    def classify(self, status: int, headers: Mapping[str, str], body: bytes) -> ProviderError: ...
