"""What a mock route is: it validates a request like the real endpoint and turns a `Fault` into a `Reply`.

A route module supplies the vendor's shapes (success body, stream events, error bodies, validation); the
dispatch from fault kind to reply lives here, once, for every route.
"""

from __future__ import annotations

import itertools
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Literal

from .._faults import NAMED_ERRORS, Fault
from ._answer import Answer, example_of

__all__ = ["Answer", "MockRoute", "RecordedRequest", "Reply", "count_words"]

_ids = itertools.count(1)


@dataclass(frozen=True)
class RecordedRequest:
    """One request the mock cloud received: method, path, query, lower-cased headers, raw body, parsed JSON."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any
    at: float


@dataclass
class Reply:
    """What to send back. ``events`` (already framed bytes) make a chunked stream; ``then`` says how it ends."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    events: list[bytes] | None = None
    then: Literal["end", "cut", "stall", "reset", "hang"] = "end"
    ttfb_s: float = 0.0
    chunk_delay_s: float = 0.0


def count_words(value: Any) -> int:
    """Deterministic token stand-in: the number of whitespace-separated words in every string in ``value``."""
    if isinstance(value, str):
        return len(value.split())
    if isinstance(value, dict):
        return sum(count_words(v) for k, v in value.items() if k not in ("type", "role", "model", "id"))
    if isinstance(value, list):
        return sum(count_words(v) for v in value)
    return 0


def chunk_text(text: str, parts: int = 4) -> list[str]:
    """Split ``text`` into up to ``parts`` pieces on word boundaries (spaces kept), for stream deltas."""
    words = text.split(" ")
    size = max(1, -(-len(words) // parts))
    pieces = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
    return [p + (" " if i < len(pieces) - 1 else "") for i, p in enumerate(pieces)]


class MockRoute(ABC):
    """One wire protocol, served the way the vendor's endpoint serves it."""

    #: appended to ``http://127.0.0.1:PORT`` to make the base URL the vendor's SDK expects
    base_path: str = ""
    request_id_header: str = "x-request-id"
    #: the region a regional endpoint serves (checked against signed credential scopes); None: any
    region: str | None = None

    def __init__(self, entry: str, reply_text: str | None = None) -> None:
        self.entry = entry
        self.reply_text = reply_text or f"Hello from {entry}."

    # --- what each route supplies ---------------------------------------------------------------------------

    @abstractmethod
    def validate(self, req: RecordedRequest) -> Reply | None:
        """The reply the real endpoint gives to a request it refuses (bad path, auth, body), or None."""

    @abstractmethod
    def success(self, req: RecordedRequest, answer: Answer) -> dict[str, Any]:
        """The JSON body of a normal answer."""

    @abstractmethod
    def stream_events(self, req: RecordedRequest, answer: Answer) -> list[bytes]:
        """A normal streamed answer, one framed event per item, terminator included."""

    def output_schema(self, req: RecordedRequest) -> Any:
        """The JSON Schema the request asks the answer to follow (structured output), or None."""
        return None

    @abstractmethod
    def named_error(self, kind: str, req: RecordedRequest) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Status, JSON body and extra headers for a named fault (``rate_limited``, ``overloaded``...)."""

    @abstractmethod
    def inband_error(self, error_type: str | None) -> bytes:
        """A framed in-stream error event."""

    def content_filtered(self, req: RecordedRequest, fault: Fault, rid: str) -> Reply:
        """The reply to `Fault.content_filter` (routes with a content filter override this)."""
        message = f"the {type(self).__name__} route has no content filter; script Fault.content_filter on Azure entries"
        return Reply(501, [("content-type", "text/plain"), (self.request_id_header, rid)], message.encode())

    def answer_text(self, req: RecordedRequest, text: str) -> str:
        """The text a normal answer to ``req`` says (routes that continue a prefilled answer override this)."""
        return text

    def wants_stream(self, req: RecordedRequest) -> bool:
        return isinstance(req.json, dict) and req.json.get("stream") is True

    def stream_headers(self) -> list[tuple[str, str]]:
        return [("content-type", "text/event-stream"), ("cache-control", "no-cache")]

    # --- shared dispatch ------------------------------------------------------------------------------------

    def new_request_id(self) -> str:
        return f"req_mock{next(_ids):06d}"

    def json_reply(self, status: int, body: Any, rid: str, extra: dict[str, str] | None = None) -> Reply:
        headers = [("content-type", "application/json"), (self.request_id_header, rid)]
        headers += list((extra or {}).items())
        return Reply(status, headers, json.dumps(body).encode())

    def handle(self, req: RecordedRequest, fault: Fault) -> Reply:
        """The reply for ``req`` under ``fault`` (validation first, as a real endpoint would)."""
        rid = self.new_request_id()
        refused = self.validate(req)
        if refused is not None:
            return refused
        if fault.kind == "content_filter":
            reply = self.content_filtered(req, fault, rid)
        else:
            reply = self._dispatch(req, fault, rid)
        reply.ttfb_s = fault.ttfb_s
        return reply

    def _dispatch(self, req: RecordedRequest, fault: Fault, rid: str) -> Reply:
        kind = fault.kind
        if kind == "status":
            raw = fault.body if isinstance(fault.body, bytes) else json.dumps(fault.body).encode()
            headers = [("content-type", "application/json"), (self.request_id_header, rid), *fault.headers.items()]
            return Reply(fault.code or 500, headers, raw if fault.body is not None else b"")
        if kind in NAMED_ERRORS or (kind == "stream_error" and not self.wants_stream(req)):
            status, body, extra = self.named_error(kind if kind in NAMED_ERRORS else "overloaded", req)
            if fault.retry_after is not None:
                extra["retry-after"] = f"{fault.retry_after:g}"
            if fault.retry_after_ms is not None:
                extra["retry-after-ms"] = f"{fault.retry_after_ms:g}"
            return self.json_reply(status, body, rid, extra)
        if kind in ("reset", "hang"):  # a TCP reset, or no answer at all
            return Reply(0, then="reset" if kind == "reset" else "hang")
        answer = self.answer(req, fault, rid)
        if not self.wants_stream(req):
            return self._answer(req, fault, answer, rid)
        return self._streamed(req, fault, answer, rid)

    def answer(self, req: RecordedRequest, fault: Fault, rid: str, text: str | None = None) -> Answer:
        """What a normal answer to ``req`` says under ``fault`` (the fault's text, JSON of the requested schema,
        or the entry's reply text)."""
        calls = fault.tool_calls or ((fault.tool_call,) if fault.tool_call else ())
        said = text or fault.text
        if said is None:
            schema = None if calls else self.output_schema(req)
            said = json.dumps(example_of(schema)) if schema is not None else self.reply_text
        return Answer(self.answer_text(req, said), rid, tuple(calls), fault.thinking, dict(fault.usage))

    def _answer(self, req: RecordedRequest, fault: Fault, answer: Answer, rid: str) -> Reply:
        """A JSON answer, or what a stream fault does to one."""
        kind = fault.kind
        body_bytes = json.dumps(self.success(req, answer)).encode()
        reply = self.json_reply(200, {}, rid)
        reply.body = body_bytes
        if kind == "malformed":
            reply.body = b'{"id": "broken", "choices": [' + b"\x00not json"
        elif kind in ("stream_cut", "stall"):
            reply.then = "cut" if kind == "stream_cut" else "stall"
        elif kind == "ends_early":
            reply.body = body_bytes[: len(body_bytes) // 2]
        return reply

    def _streamed(self, req: RecordedRequest, fault: Fault, answer: Answer, rid: str) -> Reply:
        """A streamed answer, cut, stalled, broken or ended early as the fault says."""
        kind = fault.kind
        events = self.stream_events(req, answer)
        reply = Reply(200, [*self.stream_headers(), (self.request_id_header, rid)], events=events)
        reply.chunk_delay_s = fault.chunk_delay_s
        n = max(0, min(fault.after_events, len(events) - 1))
        if kind == "stream_cut":
            reply.events, reply.then = events[:n], "cut"
        elif kind == "stall":
            reply.events, reply.then = events[:n], "stall"
        elif kind == "stream_error":
            reply.events = [*events[:n], self.inband_error(fault.error_type)]
        elif kind == "malformed":
            reply.events = [*events[:n], b"data: {not json at all\n\n"]
        elif kind == "ends_early":
            reply.events = events[:n]
        return reply
