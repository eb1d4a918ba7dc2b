"""AWS event-stream framing (sans-IO), as Bedrock's ``InvokeModelWithResponseStream`` sends it.

Each binary message carries a prelude (total and header lengths, CRC32), typed headers, a payload and a CRC32 of
the whole message. botocore's `EventStreamBuffer` does the framing and checks both CRCs; it is imported when the
first stream is decoded (it comes with the ``bedrock`` extra), never when modelroute is imported.

What the framer hands the dialect's handler: one ``(event type, JSON text)`` pair per ``chunk`` event, the text
being the base64-decoded Anthropic stream event. An ``exception`` (or ``error``) message ends the stream with the
`ProviderError` its name means; a bad checksum, a garbled frame or bytes left half-framed at the end are a
`MalformedResponseError`, never a complete answer.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..exceptions import ErrorKind, MalformedResponseError, ProviderError
from ._read import loads
from .aws_errors import kind_for_aws_error
from .errors import build_error

if TYPE_CHECKING:
    from botocore.eventstream import EventStreamBuffer, EventStreamMessage

__all__ = ["EventStreamFramer", "exception_error"]


def _buffer() -> tuple[EventStreamBuffer, type[Exception]]:
    try:
        from botocore.eventstream import EventStreamBuffer, ParserError
    except ImportError:  # the route checked at config load; this guards direct use of the framer
        raise MalformedResponseError(
            "decoding an AWS event stream needs botocore: pip install 'modelroute[bedrock]'", status=200
        ) from None
    return EventStreamBuffer(), ParserError


def exception_error(headers: dict[str, Any], payload: bytes) -> ProviderError:
    """The error an ``exception``/``error`` event-stream message stands for (its status is the stream's 200)."""
    data: dict[str, Any] = {}
    try:
        loaded = loads(payload, "an exception frame") if payload else {}
        data = loaded if isinstance(loaded, dict) else {}
    except MalformedResponseError:
        pass
    if headers.get(":message-type") == "error":
        name = str(headers.get(":error-code") or "internalFailure")
        message = str(headers.get(":error-message") or "")
    else:
        name = str(headers.get(":exception-type") or "internalServerException")
        message = str(data.get("message") or data.get("Message") or "")
        original = data.get("originalMessage")
        if isinstance(original, str) and original:
            message = f"{message} ({original})" if message else original
    kind = kind_for_aws_error(name, message) or ErrorKind.SERVER_ERROR
    if kind is ErrorKind.SERVER_ERROR:  # a model-side failure may say what the model answered
        original = data.get("originalStatusCode")
        kind = _ORIGINAL_STATUS_KIND.get(original, kind) if isinstance(original, int) else kind
    return build_error(kind, message or name, status=200, headers={}, code=name, body=data or None)


# ``modelStreamErrorException.originalStatusCode``: the model's own status, when it tells more than "failed".
_ORIGINAL_STATUS_KIND = {429: ErrorKind.RATE_LIMITED, 503: ErrorKind.OVERLOADED, 529: ErrorKind.OVERLOADED}


class EventStreamFramer:
    """Feed bytes, get ``(event, data)`` pairs: the Anthropic event type and JSON of each ``chunk`` event."""

    __slots__ = ("_broken", "_buf", "_pending")

    def __init__(self) -> None:
        self._buf: EventStreamBuffer | None = None
        self._broken: type[Exception] = Exception
        self._pending = 0  # bytes fed that no complete message has consumed yet

    def feed(self, data: bytes) -> Iterator[tuple[str | None, str]]:
        """The events ``data`` completes, framed as they are iterated (so an exception frame or a bad checksum
        after ``message_stop`` is never reached)."""
        if self._buf is None:
            self._buf, self._broken = _buffer()
        self._buf.add_data(data)
        self._pending += len(data)
        try:
            for message in self._buf:
                self._pending -= message.prelude.total_length
                pair = self._message(message)
                if pair is not None:
                    yield pair
        except self._broken as e:  # botocore's ParserError: a bad CRC, impossible lengths
            raise MalformedResponseError(f"a broken AWS event-stream frame: {e}", status=200) from None

    def _message(self, message: EventStreamMessage) -> tuple[str | None, str] | None:
        headers = message.headers
        mtype = headers.get(":message-type")
        if mtype in ("exception", "error"):
            raise exception_error(headers, message.payload)
        if mtype != "event" or headers.get(":event-type") != "chunk":
            return None  # initial-response and event types added later
        try:
            chunk = loads(message.payload, "a chunk event")
            text = base64.b64decode(chunk["bytes"], validate=True).decode("utf-8")
            event = loads(text, "a chunk event's bytes")
        except (MalformedResponseError, ValueError, KeyError, TypeError, binascii.Error):
            raise MalformedResponseError(
                f"a chunk event we cannot read: {message.payload[:200]!r}", status=200
            ) from None
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return None  # not a Messages event (the SDK skips these too)
        return event["type"], text

    def close(self) -> list[tuple[str | None, str]]:
        if self._pending:
            raise MalformedResponseError(
                f"the AWS event stream ended inside a frame ({self._pending} bytes left over)", status=200
            )
        return []
