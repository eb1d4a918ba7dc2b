"""Incremental Server-Sent Events framing (sans-IO), as OpenAI and Anthropic stream.

Lines end in ``\\n``, ``\\r\\n`` or a bare ``\\r`` (the vendors use the first two; the SSE standard and the
``openai`` SDK take all three). One UTF-8 byte order mark at the start of the stream is skipped, as the standard
says (the SDKs do not skip it, and lose the first event). An event is dispatched at a blank line; ``data:`` lines
are joined with ``\\n``; comments (``:``) and the ``id``/``retry`` fields are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..exceptions import MalformedResponseError

__all__ = ["SSEFramer"]

_MAX_PENDING = 16 * 1024 * 1024  # one event larger than this is a broken stream, not a big answer
_BOM = b"\xef\xbb\xbf"


def _lf(buf: bytes) -> bytes:
    """CRLF and bare CR line ends as LF. A CR at the very end may be the first half of a CRLF: it stays at the end
    of the unfinished tail, where the next chunk completes it (`SSEFramer._line` drops it at close)."""
    tail = b"\r" if buf.endswith(b"\r") else b""
    return buf[: len(buf) - len(tail)].replace(b"\r\n", b"\n").replace(b"\r", b"\n") + tail


class SSEFramer:
    """Feed bytes, get ``(event, data)`` pairs for every complete event."""

    __slots__ = ("_buf", "_data", "_event", "_fresh")

    def __init__(self) -> None:
        self._buf = b""
        self._event: str | None = None
        self._data: list[str] = []
        self._fresh = True  # nothing framed yet: a byte order mark may still come

    def feed(self, data: bytes) -> Iterator[tuple[str | None, str]]:
        """The events ``data`` completes, framed as they are iterated: a consumer that stops at the answer's end
        marker never frames (nor fails on) the bytes after it."""
        buf = self._buf + data if self._buf else data
        if self._fresh:
            if len(buf) < len(_BOM) and _BOM.startswith(buf):
                self._buf = buf  # maybe the start of a byte order mark: wait for more
                return
            self._fresh = False
            buf = buf.removeprefix(_BOM)
        if b"\r" in buf:
            buf = _lf(buf)
        if b"\n" not in buf:
            self._buf = buf
            if len(buf) > _MAX_PENDING:
                raise MalformedResponseError("a server-sent event exceeded 16 MiB without a line break")
            return
        *lines, self._buf = buf.split(b"\n")
        # The hot loop: blank lines and ``data:`` lines inline, the rest by `_line`. (No line here ends in CR:
        # CRs became line ends above.)
        pending = self._data
        for raw in lines:
            if not raw:
                if pending:
                    event = (self._event, "\n".join(pending))
                    self._event, self._data = None, []
                    pending = self._data
                    yield event
                else:
                    self._event = None
            elif raw.startswith(b"data:"):
                value = raw[6:] if raw[5:6] == b" " else raw[5:]
                try:
                    pending.append(value.decode())
                except UnicodeDecodeError:
                    raise MalformedResponseError("a server-sent event is not valid UTF-8") from None
            else:
                self._line(raw)

    def _line(self, raw: bytes) -> tuple[str | None, str] | None:
        line = raw[:-1] if raw.endswith(b"\r") else raw
        if not line:
            event = (self._event, "\n".join(self._data)) if self._data else None
            self._event = None
            self._data = []
            return event
        if line[0] == 58:  # b":" comment
            return None
        name, sep, value = line.partition(b":")
        if sep and value.startswith(b" "):
            value = value[1:]
        try:
            text = value.decode()
        except UnicodeDecodeError:
            raise MalformedResponseError("a server-sent event is not valid UTF-8") from None
        if name == b"data":
            self._data.append(text)
        elif name == b"event":
            self._event = text
        return None

    def close(self) -> list[tuple[str | None, str]]:
        out: list[tuple[str | None, str]] = []
        if self._buf:
            event = self._line(self._buf)
            if event is not None:
                out.append(event)
            self._buf = b""
        # An event without its closing blank line was cut in transit: drop it, the handler decides if the
        # stream completed.
        self._data = []
        return out
