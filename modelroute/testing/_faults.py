"""Fault scripts: what the mock cloud does with one request. Each `Fault` is consumed by one HTTP request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["NAMED_ERRORS", "STREAM_FAULTS", "Fault"]

# Faults whose status, body and headers are each route's own (see the route modules).
NAMED_ERRORS = (
    "rate_limited",
    "overloaded",
    "server_error",
    "unavailable",
    "context_length",
    "unauthorized",
    "quota_exhausted",
    "not_found",
)

# Faults that act on a streamed answer after ``after_events`` events. On a request that does not stream:
# ``stream_cut`` sends half the JSON body and drops the connection, ``stall`` sends half and goes silent,
# ``stream_error`` answers with the route's ``overloaded`` error, ``malformed`` answers 200 with a body that is
# not JSON, ``ends_early`` answers 200 with half the JSON body and a clean end.
STREAM_FAULTS = ("stream_cut", "stall", "stream_error", "malformed", "ends_early")


@dataclass(frozen=True)
class Fault:
    """One scripted behaviour. Build it with the class methods (``Fault.rate_limited(retry_after=30)``)."""

    kind: str
    text: str | None = None
    tool_call: dict[str, Any] | None = None
    tool_calls: tuple[dict[str, Any], ...] = ()
    thinking: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    ttfb_s: float = 0.0
    chunk_delay_s: float = 0.0
    code: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    retry_after: float | None = None
    retry_after_ms: float | None = None
    after_events: int = 3
    error_type: str | None = None
    on: str = "prompt"

    # --- success --------------------------------------------------------------------------------------------

    @classmethod
    def ok(
        cls,
        text: str | None = None,
        tool_call: dict[str, Any] | None = None,
        ttfb_s: float = 0.0,
        chunk_delay_s: float = 0.0,
        *,
        tool_calls: list[dict[str, Any]] | None = None,
        thinking: str | None = None,
        usage: dict[str, int] | None = None,
    ) -> Fault:
        """A normal answer (JSON, or a stream if the request asked for one). ``tool_call={"name": ...,
        "arguments": {...}}`` answers with a tool call, ``tool_calls=[...]`` with several (each with its own id);
        ``thinking`` puts a signed thinking block before a Claude answer (OpenAI routes count its words as
        reasoning tokens); ``usage`` sets token counts by `Usage`'s names (``input_tokens``,
        ``cache_read_tokens``...). A request that asks for structured output gets JSON of its schema unless
        ``text`` says otherwise. ``ttfb_s`` delays the status line; ``chunk_delay_s`` spaces stream events."""
        calls = tuple(tool_calls or ()) or ((tool_call,) if tool_call else ())
        return cls(
            "ok",
            text=text,
            tool_call=tool_call,
            tool_calls=calls,
            thinking=thinking,
            usage=dict(usage or {}),
            ttfb_s=ttfb_s,
            chunk_delay_s=chunk_delay_s,
        )

    @classmethod
    def latency(cls, seconds: float) -> Fault:
        """A normal answer whose first byte comes after ``seconds``."""
        return cls("ok", ttfb_s=seconds)

    # --- HTTP errors ----------------------------------------------------------------------------------------

    @classmethod
    def status(cls, code: int, body: Any = None, headers: dict[str, str] | None = None, ttfb_s: float = 0.0) -> Fault:
        """Any status with a raw body (a dict is sent as JSON) and headers."""
        return cls("status", code=code, body=body, headers=dict(headers or {}), ttfb_s=ttfb_s)

    @classmethod
    def rate_limited(
        cls, retry_after: float | None = None, retry_after_ms: float | None = None, ttfb_s: float = 0.0
    ) -> Fault:
        """429 with the route's rate-limit body; ``retry-after`` / ``retry-after-ms`` headers when given."""
        return cls("rate_limited", retry_after=retry_after, retry_after_ms=retry_after_ms, ttfb_s=ttfb_s)

    @classmethod
    def overloaded(cls, ttfb_s: float = 0.0) -> Fault:
        """Anthropic 529 ``overloaded_error``; OpenAI 503 ``server_error``."""
        return cls("overloaded", ttfb_s=ttfb_s)

    @classmethod
    def server_error(cls, ttfb_s: float = 0.0) -> Fault:
        """500 with the route's internal-error body."""
        return cls("server_error", ttfb_s=ttfb_s)

    @classmethod
    def unavailable(cls, ttfb_s: float = 0.0) -> Fault:
        """503 service unavailable."""
        return cls("unavailable", ttfb_s=ttfb_s)

    @classmethod
    def context_length(cls, ttfb_s: float = 0.0) -> Fault:
        """400: the prompt does not fit the model's context window, in the route's wording."""
        return cls("context_length", ttfb_s=ttfb_s)

    @classmethod
    def unauthorized(cls, ttfb_s: float = 0.0) -> Fault:
        """401: the key is wrong."""
        return cls("unauthorized", ttfb_s=ttfb_s)

    @classmethod
    def quota_exhausted(cls, ttfb_s: float = 0.0) -> Fault:
        """The account is out of quota or past its spend limit (OpenAI 429 ``insufficient_quota``; Anthropic 429
        with ``details.error_code: enforced_spend_limit_reached``)."""
        return cls("quota_exhausted", ttfb_s=ttfb_s)

    @classmethod
    def not_found(cls, ttfb_s: float = 0.0) -> Fault:
        """404: the model does not exist here."""
        return cls("not_found", ttfb_s=ttfb_s)

    @classmethod
    def content_filter(cls, on: Literal["prompt", "completion"] = "prompt", ttfb_s: float = 0.0) -> Fault:
        """Azure's content filter. ``on="prompt"``: 400 with ``code: content_filter`` and the categories in
        ``innererror``; ``on="completion"``: the answer (or stream) ends with ``finish_reason: content_filter``.
        Routes without a content filter answer 501 and say so."""
        return cls("content_filter", on=on, ttfb_s=ttfb_s)

    # --- the connection -------------------------------------------------------------------------------------

    @classmethod
    def reset(cls) -> Fault:
        """Read the request, then drop the connection with a TCP reset and no answer."""
        return cls("reset")

    @classmethod
    def hang(cls) -> Fault:
        """Accept the connection and read the request, then never answer (until the client gives up)."""
        return cls("hang")

    @classmethod
    def refused(cls) -> Fault:
        """From this step on the entry is down: its port refuses connections until ``cloud.up(name)``."""
        return cls("refused")

    # --- streams --------------------------------------------------------------------------------------------

    @classmethod
    def stream_cut(cls, after_events: int = 3, ttfb_s: float = 0.0) -> Fault:
        """Send ``after_events`` stream events, then drop the connection mid-answer."""
        return cls("stream_cut", after_events=after_events, ttfb_s=ttfb_s)

    @classmethod
    def stall(cls, after_events: int = 3, ttfb_s: float = 0.0) -> Fault:
        """Send ``after_events`` stream events, then go silent with the connection open."""
        return cls("stall", after_events=after_events, ttfb_s=ttfb_s)

    @classmethod
    def stream_error(cls, after_events: int = 3, error_type: str | None = None, ttfb_s: float = 0.0) -> Fault:
        """Send ``after_events`` events, then an in-band error event (HTTP status stays 200), then end."""
        return cls("stream_error", after_events=after_events, error_type=error_type, ttfb_s=ttfb_s)

    @classmethod
    def malformed(cls, after_events: int = 3, ttfb_s: float = 0.0) -> Fault:
        """Send ``after_events`` events, then one that is not JSON, then end."""
        return cls("malformed", after_events=after_events, ttfb_s=ttfb_s)

    @classmethod
    def ends_early(cls, after_events: int = 3, ttfb_s: float = 0.0) -> Fault:
        """Send ``after_events`` events, then end the body cleanly, without the stream's end marker
        (``message_stop``, ``data: [DONE]``)."""
        return cls("ends_early", after_events=after_events, ttfb_s=ttfb_s)
