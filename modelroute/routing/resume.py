"""Streams across attempts, pure: what reached the caller, the commit point, and resuming on another target.

A stream has three commit points. Before any content of an attempt reached the caller, a failure is replaced
silently. After text, the alias's ``stream_resume`` decides (`Call.record_stream_error`). After any tool-call
delta, nothing is spliced. When a stream resumes on another target, the caller gets one `Seam` event just before
the new target's first content:

- ``resumed="prefill"`` (routes with ``supports_prefill``: the partial answer is sent as a trailing assistant
  message, its trailing whitespace trimmed as the APIs require): the text after the seam continues the text
  before it, and ``response.text`` is the whole answer. When the partial answer ended in whitespace, the
  continuation's leading whitespace is dropped (the caller already holds it), so no double space or blank line
  appears at the seam.
- ``resumed="restart"`` (every other route): the new target answers afresh. The text after the seam is a complete
  answer on its own; discard what came before it. ``response.text`` is that new answer only. Under the default
  ``stream_resume: auto`` a caller of `Stream.text` (which never sees the seam) is never resumed this way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Literal, Protocol

from .._types import (
    Message,
    MessageStart,
    ReasoningDelta,
    Request,
    Response,
    Seam,
    StreamEvent,
    TextDelta,
    TextPart,
    ToolCallDelta,
    ToolCallStart,
    Usage,
    UsageEvent,
)
from ..exceptions import ProviderError
from .call import Call, Try

__all__ = ["Reader", "StreamProgress", "with_prefill"]


def with_prefill(request: Request, text: str) -> Request:
    """``request`` with ``text`` as the start of the assistant's answer (merged into a trailing assistant turn)."""
    text = text.rstrip()
    if not text:
        return request
    messages = list(request.messages)
    last = messages[-1]
    if last.role == "assistant":
        messages[-1] = Message(role="assistant", content=[*last.content, TextPart(text=text)])
    else:
        messages.append(Message(role="assistant", content=[TextPart(text=text)]))
    return request.model_copy(update={"messages": messages})


class Reader(Protocol):
    """How the caller reads the stream (`StreamResult` is one): ``text_only`` once it reads text only."""

    @property
    def text_only(self) -> bool: ...


class StreamProgress:
    """One streamed call's deliveries, attempt by attempt. The drivers call `begin`, `on_first_content` once
    the response is in, `events` per decoded chunk, then `failed` or `finish`."""

    __slots__ = (
        "_args",
        "_base",
        "_call",
        "_committed",
        "_lstrip",
        "_on_content",
        "_prefill",
        "_reader",
        "_seam",
        "_start",
        "_step",
        "_text",
        "_tool",
        "_usage",
    )

    def __init__(self, call: Call, reader: Reader | None = None) -> None:
        self._call = call
        self._on_content: Callable[[], None] | None = None
        self._reader = reader
        self._lstrip = False
        self._text: list[str] = []
        self._base = ""
        self._committed = False
        self._tool = False
        self._prefill = False
        self._seam: Seam | None = None
        self._start: MessageStart | None = None
        self._step: Try | None = None
        self._usage: Usage | None = None  # the counts this attempt's stream reported so far
        self._args: list[str] = []  # this attempt's tool-call argument text

    def begin(self, step: Try, request: Request, *, supports_prefill: bool) -> Request:
        """Start an attempt; returns the request to send (prefilled when resuming on a route that can)."""
        self._step = step
        self._text = []
        self._args = []
        self._usage = None
        self._committed = False
        self._on_content = None
        self._tool = False
        self._seam = None
        self._start = None
        resume = step.resume
        if resume is None:
            self._base, self._prefill, self._lstrip = "", False, False
            return request
        self._prefill = supports_prefill
        self._base = resume.text if self._prefill else ""
        self._lstrip = self._prefill and resume.text != resume.text.rstrip()
        how: Literal["prefill", "restart"] = "prefill" if self._prefill else "restart"
        err = resume.error  # the break itself, not whatever failed on the way to this target
        why = f"{err.kind.value}" if err is not None else "an error"
        if self._prefill:
            said = "the text after this event continues the text before it"
        else:
            said = "the text after this event is a complete new answer: discard the text before it"
        self._seam = Seam(
            from_provider=resume.from_provider,
            to_provider=step.entry.provider,
            reason=f"the stream from {resume.from_provider} broke ({why}) after {len(resume.text)} characters; "
            f"resumed on {step.entry.provider} by {how}: {said}",
            resumed=how,
        )
        return with_prefill(request, resume.text) if self._prefill else request

    @property
    def first_token_s(self) -> float | None:
        """The calling alias's first-token timeout: the drivers hand it to the transport, which holds it as a
        timer from the request until the first content (`on_first_content`; pings do not stop it)."""
        return self._call.settings.first_token_timeout_s

    def on_first_content(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` when this attempt hands on its first content (the transport's response stops its
        first-token timer)."""
        self._on_content = callback

    def events(self, decoded: list[StreamEvent]) -> Iterator[StreamEvent]:
        """The events to hand the caller for ``decoded`` (with the seam before a resumed attempt's content). An
        attempt's `MessageStart` is held back until something follows it, so an attempt that fails before any
        event is replaced without a trace in the stream."""
        for item in decoded:
            if isinstance(item, MessageStart):
                self._start = item
                continue
            event = self._after_whitespace(item) if self._lstrip else item
            if event is None:
                continue
            content = isinstance(event, TextDelta | ReasoningDelta | ToolCallStart | ToolCallDelta)
            if content and not self._committed:
                self._committed = True
                if self._on_content is not None:
                    self._on_content()
                if self._step is not None:
                    self._call.record_answering(self._step)
                if self._seam is not None:
                    yield self._seam
                    self._seam = None
            if self._start is not None:
                yield self._start
                self._start = None
            if isinstance(event, TextDelta):
                self._text.append(event.text)
            elif isinstance(event, ToolCallStart):
                self._tool = True
            elif isinstance(event, ToolCallDelta):
                self._tool = True
                self._args.append(event.arguments_delta)
            elif isinstance(event, UsageEvent):
                self._usage = event.usage
            yield event

    def _after_whitespace(self, event: StreamEvent) -> StreamEvent | None:
        """A prefilled continuation's first content, without the leading whitespace the caller already holds
        from before the seam (None: nothing left of this delta)."""
        if isinstance(event, TextDelta):
            text = event.text.lstrip()
            if not text:
                return None
            self._lstrip = False
            return TextDelta(text) if text != event.text else event
        if isinstance(event, ToolCallStart | ToolCallDelta):
            self._lstrip = False
        return event

    def failed(self, error: ProviderError) -> None:
        assert self._step is not None
        text = self._base + "".join(self._text)
        text_only = self._reader is not None and self._reader.text_only
        self._call.record_stream_error(
            self._step,
            error,
            text,
            committed=self._committed,
            tool_call=self._tool,
            text_only=text_only,
            usage=self._usage,
            delivered="".join(self._text) + "".join(self._args),
        )

    def finish(self, response: Response) -> Response:
        """The attempt's complete answer, with the prefilled part put back in front: the text the caller saw."""
        if self._base:
            parts = list(response.content)
            first = next((i for i, p in enumerate(parts) if isinstance(p, TextPart)), None)
            if first is not None:  # the first text part (the answer's reasoning, if any, comes before it)
                head = parts[first]
                assert isinstance(head, TextPart)
                rest = head.text.lstrip() if self._base != self._base.rstrip() else head.text
                parts[first] = TextPart(text=self._base + rest)
            else:
                parts.append(TextPart(text=self._base))
            response.content = parts
        return response
