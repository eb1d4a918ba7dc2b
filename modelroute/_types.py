"""The unified request and response types: one shape for every route.

Inputs are pydantic models (validated once, when a request is built); the objects the router makes on the hot
path (responses, stream events, trace entries) are built without re-validation.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ._cost import Cost, trace_cost

if TYPE_CHECKING:
    from .exceptions import ErrorKind, ProviderError

__all__ = [
    "Attempt",
    "ImagePart",
    "IncompleteToolCall",
    "Message",
    "Part",
    "Request",
    "Response",
    "Seam",
    "ServedBy",
    "StopEvent",
    "StopReason",
    "StreamEvent",
    "TextDelta",
    "TextPart",
    "Tool",
    "ToolCallDelta",
    "ToolCallPart",
    "ToolChoice",
    "ToolResultPart",
    "Usage",
    "UsageEvent",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


# --- content parts ---------------------------------------------------------------------------------------------


class TextPart(BaseModel):
    """Plain text."""

    model_config = _FROZEN
    type: Literal["text"] = "text"
    text: str


class ImagePart(BaseModel):
    """An image, either by URL or inline base64 ``data`` with its ``media_type``."""

    model_config = _FROZEN
    type: Literal["image"] = "image"
    url: str | None = None
    data: str | None = None
    media_type: str | None = None


class ToolCallPart(BaseModel):
    """The assistant asks for a tool to be called with ``arguments`` (already parsed JSON)."""

    model_config = _FROZEN
    type: Literal["tool_call"] = "tool_call"
    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolResultPart(BaseModel):
    """The result of a tool call, sent back by the user turn."""

    model_config = _FROZEN
    type: Literal["tool_result"] = "tool_result"
    tool_call_id: str
    content: str | list[TextPart | ImagePart] = ""
    is_error: bool = False


Part = Annotated[TextPart | ImagePart | ToolCallPart | ToolResultPart, Field(discriminator="type")]


class Message(BaseModel):
    """One conversation turn. Tool results travel in a ``user`` turn, as `ToolResultPart`."""

    model_config = _FROZEN
    role: Literal["user", "assistant"]
    content: list[Part]


class Tool(BaseModel):
    """A function the model may call; ``parameters`` is a JSON Schema object."""

    model_config = _FROZEN
    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-zA-Z0-9_-]+$")
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})


class ToolChoice(BaseModel):
    """``auto`` (the model decides), ``none``, ``required`` (some tool), or ``tool`` (the one named)."""

    model_config = _FROZEN
    mode: Literal["auto", "none", "required", "tool"] = "auto"
    name: str | None = None


class Request(BaseModel):
    """A chat request in modelroute's own shape, as `Router.complete`'s arguments build it: coerced, then checked
    as a whole (``modelroute._validate.check_request``) before any network call."""

    model_config = _FROZEN
    model: str = Field(min_length=1, description="The alias to route, as named in the config's `models`.")
    messages: list[Message] = Field(min_length=1)
    system: str | None = None
    tools: list[Tool] = Field(default_factory=list)
    tool_choice: ToolChoice | None = None
    max_tokens: int | None = Field(default=None, gt=0, le=1_000_000, strict=True)
    stop: list[str] = Field(default_factory=list)
    temperature: float | None = Field(default=None, ge=0, le=2, strict=True)
    tags: dict[str, str] = Field(default_factory=dict)
    deadline_s: float | None = Field(default=None, gt=0, strict=True, allow_inf_nan=False)


# --- responses -------------------------------------------------------------------------------------------------


class StopReason(StrEnum):
    """Why the model stopped, normalised across vendors (the vendor's own value is ``Response.raw_stop_reason``)."""

    END = "end"
    MAX_TOKENS = "max_tokens"
    STOP_SEQUENCE = "stop_sequence"
    TOOL_USE = "tool_use"
    CONTENT_FILTER = "content_filter"
    REFUSAL = "refusal"
    CONTEXT_WINDOW = "context_window"
    PAUSE = "pause"
    OTHER = "other"


class Usage(BaseModel):
    """Token counts. ``input_tokens`` counts every prompt token, cached or not, on every vendor;
    ``cache_read_tokens`` and ``cache_write_tokens`` say how many of them hit or filled the prompt cache;
    ``reasoning_tokens`` are the part of ``output_tokens`` spent thinking (OpenAI's ``reasoning_tokens``,
    Claude's ``thinking_tokens``). A count the provider did not report is 0; every count is an integer >= 0 (a
    response with any other count is a ``malformed_response``)."""

    model_config = ConfigDict(frozen=True)
    input_tokens: int = Field(0, ge=0)
    output_tokens: int = Field(0, ge=0)
    cache_read_tokens: int = Field(0, ge=0)
    cache_write_tokens: int = Field(0, ge=0)
    reasoning_tokens: int = Field(0, ge=0)

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class ServedBy(BaseModel):
    """Where an answer came from: the provider entry's name, its kind and cloud, its region, the model id."""

    model_config = ConfigDict(frozen=True)
    provider: str
    kind: str
    cloud: str
    region: str | None = None
    model: str
    alias: str
    #: the model id the provider's answer names (``model`` is the id the config asked for); None if it named none
    reported_model: str | None = None

    def __str__(self) -> str:
        where = f"{self.cloud}/{self.region}" if self.region else self.cloud
        reported = f", reported {self.reported_model}" if self.reported_model not in (None, self.model) else ""
        return f"{self.provider} ({where}, {self.model}{reported})"


@dataclass(frozen=True, slots=True)
class Attempt:
    """One line of a call's trace: a target that was tried, or skipped, and what the router did next.

    ``outcome`` is ``ok``, ``error``, ``skipped`` or ``cancelled`` (a hedge race's loser); ``action`` is what
    followed: ``served``, ``retry`` (same target, after ``wait_s``), ``failover`` (next target), ``stop`` (the
    call ends), ``skip``, ``wait`` (every target was kept out: the call waited ``wait_s`` for this one to reopen)
    or ``cancelled`` (it lost a hedge race). ``hedged``: this attempt ran in a hedge race. ``usage``: the tokens
    the served attempt used (None for the others: an error or a cancelled attempt reports none). ``cost``: what
    the provider bills for the attempt, the served one's and a failed one's it bills anyway (see `Cost`).
    ``reason`` is the sentence a human needs. ``at_s`` is when the attempt started, from the call's start.
    """

    provider: str
    model: str
    alias: str
    outcome: Literal["ok", "error", "skipped", "cancelled"]
    action: Literal["served", "retry", "failover", "stop", "skip", "wait", "cancelled"]
    reason: str = ""
    error: ProviderError | None = None
    status: int | None = None
    latency_s: float = 0.0
    wait_s: float = 0.0
    at_s: float = 0.0
    streamed: bool = False
    hedged: bool = False
    usage: Usage | None = None
    #: what the provider bills for this attempt: the served one, and a failed one it bills anyway (a stream cut
    #: after tokens, a cancelled hedge, a refused answer); None when nothing was billed
    cost: Cost | None = None

    @property
    def kind(self) -> ErrorKind | None:
        return self.error.kind if self.error is not None else None

    def describe(self) -> str:
        """One line for logs and error messages."""
        target = f"{self.provider}:{self.model}"
        if self.outcome == "skipped":
            return f"{target} skipped: {self.reason}" if self.action != "wait" else f"{target}: {self.reason}"
        billed = f" [billed {self.cost.brief()}]" if self.cost is not None else ""
        if self.outcome == "cancelled":
            return f"{target} cancelled after {self.latency_s * 1000:.0f} ms: {self.reason}{billed}"
        if self.outcome == "ok":
            cost = f", {self.cost.brief()}" if self.cost is not None else ""
            return f"{target} ok in {self.latency_s * 1000:.0f} ms{cost}"
        err = self.error
        what = err.kind.value if err is not None else "error"
        status = f" {self.status}" if self.status is not None else ""
        detail = f" ({_short(err.message)})" if err is not None and err.message else ""
        ms = self.latency_s * 1000
        return f"{target} {what}{status}{detail} after {ms:.0f} ms -> {self.action}: {self.reason}{billed}"


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class IncompleteToolCall(BaseModel):
    """A tool call the answer was cut off in (``stop_reason`` is ``max_tokens``): its arguments never ended, so it
    is not in ``Response.content`` and must not be run. ``arguments_text`` is the JSON text that did arrive."""

    model_config = _FROZEN
    id: str | None = None
    name: str | None = None
    arguments_text: str = ""


class Response(BaseModel):
    """A completed answer, with where it came from and every attempt it took.

    ``usage`` is None when the provider reported no token counts. ``model`` is the model id the provider's answer
    names (``served_by.model`` is the one the config asked for). ``incomplete_tool_calls`` holds the tool calls an
    answer stopped by ``max_tokens`` was cut off in."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    id: str = ""
    content: list[Part] = Field(default_factory=list)
    stop_reason: StopReason = StopReason.END
    raw_stop_reason: str | None = None
    usage: Usage | None = None
    model: str | None = None
    incomplete_tool_calls: list[IncompleteToolCall] = Field(default_factory=list)
    served_by: ServedBy | None = None
    latency_s: float = 0.0
    trace: list[Attempt] = Field(default_factory=list)

    @property
    def cost(self) -> Cost | None:
        """What the call cost: every attempt the providers bill (the served one, and failed ones they bill anyway,
        marked in the trace) added up, with its breakdown and price source; ``cost.amount`` is None, with
        ``cost.reason``, when a price is unknown. None for an answer that did not come through a `Router`."""
        return trace_cost(self.trace)

    @property
    def text(self) -> str:
        """All text parts, joined."""
        return "".join(p.text for p in self.content if isinstance(p, TextPart))

    @property
    def tool_calls(self) -> list[ToolCallPart]:
        return [p for p in self.content if isinstance(p, ToolCallPart)]

    @classmethod
    def decoded(
        cls,
        *,
        id: str,
        content: list[Any],
        stop_reason: StopReason,
        raw_stop_reason: str | None,
        usage: Usage | None,
        model: str | None = None,
        incomplete_tool_calls: list[IncompleteToolCall] | None = None,
    ) -> Response:
        """An answer as a codec decoded it: built without validation, and with every field given, because for a
        missing field pydantic's ``model_construct`` inspects the signature of its ``default_factory`` on each
        call (for ``list``, by parsing its text signature: ~0.2 ms, more than the rest of the decoding)."""
        return cls.model_construct(
            id=id,
            content=content,
            stop_reason=stop_reason,
            raw_stop_reason=raw_stop_reason,
            usage=usage,
            model=model,
            incomplete_tool_calls=incomplete_tool_calls or [],
            served_by=None,
            latency_s=0.0,
            trace=[],
        )

    def to_openai(self) -> Any:
        """This answer as an ``openai.types.chat.ChatCompletion`` (needs the ``interop`` extra)."""
        from ._interop import to_openai

        return to_openai(self)

    def to_anthropic(self) -> Any:
        """This answer as an ``anthropic.types.Message`` (needs the ``interop`` extra)."""
        from ._interop import to_anthropic

        return to_anthropic(self)


# --- stream events ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextDelta:
    """More answer text."""

    text: str
    type: Literal["text"] = "text"


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """Part of a tool call. The first delta of a call has ``id`` and ``name``; the rest carry argument JSON."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments_delta: str = ""
    type: Literal["tool_call"] = "tool_call"


@dataclass(frozen=True, slots=True)
class UsageEvent:
    """Token counts so far (cumulative: each one replaces the last)."""

    usage: Usage
    type: Literal["usage"] = "usage"


@dataclass(frozen=True, slots=True)
class StopEvent:
    """The answer is complete."""

    stop_reason: StopReason
    raw_stop_reason: str | None = None
    type: Literal["stop"] = "stop"


@dataclass(frozen=True, slots=True)
class Seam:
    """A stream moved to another target after text had been emitted. ``reason`` names the break (the error kind
    that ended the previous target's stream) and how it resumed: ``resumed="prefill"``, the text after the seam
    continues the text before it; ``"restart"``, the text after it is a complete answer: discard the text before."""

    from_provider: str
    to_provider: str
    reason: str
    resumed: Literal["prefill", "restart"]
    type: Literal["seam"] = "seam"


StreamEvent = TextDelta | ToolCallDelta | UsageEvent | StopEvent | Seam
