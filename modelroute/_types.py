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
    "AnthropicSettings",
    "Attempt",
    "CacheTTL",
    "DocumentPart",
    "Effort",
    "ImagePart",
    "IncompleteToolCall",
    "Message",
    "MessageStart",
    "OpenAISettings",
    "OutputFormat",
    "Part",
    "ReasoningDelta",
    "Request",
    "Response",
    "Seam",
    "ServedBy",
    "StopEvent",
    "StopReason",
    "StreamEvent",
    "TextDelta",
    "TextPart",
    "ThinkingPart",
    "Tool",
    "ToolCallDelta",
    "ToolCallEnd",
    "ToolCallPart",
    "ToolCallStart",
    "ToolChoice",
    "ToolResultPart",
    "Usage",
    "UsageEvent",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


# --- content parts ---------------------------------------------------------------------------------------------

#: A prompt-cache breakpoint: the prefix up to and including this part is cached for five minutes or an hour
#: (Claude's ``cache_control``; OpenAI caches prefixes on its own, so the breakpoints are not sent there).
CacheTTL = Literal["5m", "1h"]


class TextPart(BaseModel):
    """Plain text; ``cache`` puts a prompt-cache breakpoint after it."""

    model_config = _FROZEN
    type: Literal["text"] = "text"
    text: str
    cache: CacheTTL | None = None


class ImagePart(BaseModel):
    """An image, either by URL or inline base64 ``data`` with its ``media_type``. ``detail`` is OpenAI's
    resolution hint (``low`` / ``high`` / ``auto`` / ``original``; Claude has none, so it is not sent there)."""

    model_config = _FROZEN
    type: Literal["image"] = "image"
    url: str | None = None
    data: str | None = None
    media_type: str | None = None
    detail: Literal["auto", "low", "high", "original"] | None = None
    cache: CacheTTL | None = None


class DocumentPart(BaseModel):
    """A PDF, by URL or as base64 ``data``. ``title`` and ``context`` are Claude's; ``filename`` is OpenAI's
    (the document's name there; ``document.pdf`` when none is given)."""

    model_config = _FROZEN
    type: Literal["document"] = "document"
    url: str | None = None
    data: str | None = None
    media_type: Literal["application/pdf"] = "application/pdf"
    title: str | None = None
    context: str | None = None
    filename: str | None = None
    cache: CacheTTL | None = None


class ToolCallPart(BaseModel):
    """The assistant asks for a tool to be called with ``arguments`` (already parsed JSON)."""

    model_config = _FROZEN
    type: Literal["tool_call"] = "tool_call"
    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolResultPart(BaseModel):
    """The result of a tool call, sent back by the user turn: text, or text and images."""

    model_config = _FROZEN
    type: Literal["tool_result"] = "tool_result"
    tool_call_id: str
    content: str | list[TextPart | ImagePart] = ""
    is_error: bool = False
    cache: CacheTTL | None = None


class ThinkingPart(BaseModel):
    """The model's reasoning before its answer. ``signature`` is Claude's proof that the text is its own (sent back
    unchanged in the next turn, which Claude requires during tool use); ``redacted`` holds the encrypted content of
    a block Claude redacted (its ``text`` is empty). Reasoning without a signature (from OpenAI-compatible servers)
    is kept in the answer but never sent back to Claude; the Chat Completions API takes none back."""

    model_config = _FROZEN
    type: Literal["thinking"] = "thinking"
    text: str = ""
    signature: str | None = None
    redacted: str | None = None


Part = Annotated[
    TextPart | ImagePart | DocumentPart | ToolCallPart | ToolResultPart | ThinkingPart, Field(discriminator="type")
]


class Message(BaseModel):
    """One conversation turn. Tool results travel in a ``user`` turn, as `ToolResultPart`. ``name`` is OpenAI's
    participant name (Claude has no such field: it is not sent there)."""

    model_config = _FROZEN
    role: Literal["user", "assistant"]
    content: list[Part]
    name: str | None = None


class Tool(BaseModel):
    """A function the model may call; ``parameters`` is a JSON Schema object. ``strict``: the model's arguments
    must follow the schema exactly (both families; the schema must then close every object and require every
    property). ``cache`` puts a prompt-cache breakpoint after this tool's definition."""

    model_config = _FROZEN
    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-zA-Z0-9_-]+$")
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    strict: bool | None = None
    cache: CacheTTL | None = None


class ToolChoice(BaseModel):
    """``auto`` (the model decides), ``none``, ``required`` (some tool), or ``tool`` (the one named)."""

    model_config = _FROZEN
    mode: Literal["auto", "none", "required", "tool"] = "auto"
    name: str | None = None


#: One reasoning scale for both families: OpenAI's ``reasoning_effort`` values, and Claude's thinking budgets
#: (`modelroute.wire.anthropic_messages.THINKING_BUDGETS`). ``none`` turns reasoning off.
Effort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]


class OutputFormat(BaseModel):
    """Structured output: the answer's text is JSON that follows ``json_schema``. Built from a pydantic model (then
    ``model`` is it, and `Response.parsed` is an instance of it) or a JSON Schema, named ``name``. ``openai_schema`` and
    ``anthropic_schema`` are the schema as each family's SDK sends it (a pydantic model's schema made strict the
    way ``openai``'s ``chat.completions.parse`` and ``anthropic``'s ``messages.parse`` make it)."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)
    name: str = "response"
    json_schema: dict[str, Any]
    #: OpenAI's ``strict`` (the answer is constrained to the schema, which must then close every object and
    #: require every property): True for a pydantic model; None (not sent) for a JSON Schema unless said
    strict: bool | None = None
    model: Any = Field(default=None, exclude=True, repr=False)
    openai_schema: dict[str, Any] = Field(default_factory=dict, repr=False)
    anthropic_schema: dict[str, Any] = Field(default_factory=dict, repr=False)


class OpenAISettings(BaseModel):
    """Chat Completions parameters with no counterpart on Claude, sent only to OpenAI-dialect targets (OpenAI,
    Azure OpenAI, Bedrock's OpenAI models). ``store``: keep the completion in OpenAI's dashboard (the call's
    ``metadata`` and ``tags`` then go with it: OpenAI takes metadata only for stored completions).
    ``system_role``: the role the system prompt is sent with (``developer`` when the conversation's first turn
    was a developer message)."""

    model_config = _FROZEN
    service_tier: Literal["auto", "default", "flex", "scale", "priority"] | None = None
    store: bool | None = None
    safety_identifier: str | None = None
    verbosity: Literal["low", "medium", "high"] | None = None
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    prompt_cache_retention: Literal["in_memory", "24h"] | None = None
    system_role: Literal["system", "developer"] | None = None


class AnthropicSettings(BaseModel):
    """Messages parameters with no counterpart on OpenAI, sent only to Claude targets. ``thinking``: ``enabled``
    (a token budget: ``thinking_budget``, else the effort's share of `THINKING_BUDGETS`) or ``adaptive`` (Claude
    decides, guided by ``output_config.effort``). ``effort`` sets ``output_config.effort`` directly."""

    model_config = _FROZEN
    thinking: Literal["enabled", "adaptive"] = "enabled"
    thinking_budget: int | None = Field(default=None, ge=1024)
    effort: Literal["low", "medium", "high", "xhigh", "max"] | None = None
    service_tier: Literal["auto", "standard_only"] | None = None
    inference_geo: str | None = None


class Request(BaseModel):
    """A chat request in modelroute's own shape, as `Router.complete`'s arguments build it: coerced, then checked
    as a whole (``modelroute._validate.check_request``) before any network call."""

    model_config = _FROZEN
    model: str = Field(min_length=1, description="The alias to route, as named in the config's `models`.")
    messages: list[Message] = Field(min_length=1)
    system: str | list[TextPart] | None = None
    tools: list[Tool] = Field(default_factory=list)
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    max_tokens: int | None = Field(default=None, gt=0, le=1_000_000, strict=True)
    stop: list[str] = Field(default_factory=list)
    temperature: float | None = Field(default=None, ge=0, le=2, strict=True)
    top_p: float | None = Field(default=None, ge=0, le=1, strict=True)
    top_k: int | None = Field(default=None, ge=1, strict=True)
    seed: int | None = Field(default=None, strict=True)
    response_format: OutputFormat | None = None
    reasoning: Effort | None = None
    prompt_cache_key: str | None = None
    user: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    openai: OpenAISettings | None = None
    anthropic: AnthropicSettings | None = None
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

    ``content`` holds the answer's parts in order: text, tool calls and the model's reasoning (`ThinkingPart`).
    ``usage`` is None when the provider reported no token counts. ``model`` is the model id the provider's answer
    names (``served_by.model`` is the one the config asked for). ``stop_sequence`` is the stop sequence that ended
    the answer, when the provider says which. ``refusal`` is the model's refusal text (OpenAI's ``refusal``,
    Claude's answer when it stops with ``refusal``). ``incomplete_tool_calls`` holds the tool calls an answer
    stopped by ``max_tokens`` was cut off in. ``adaptations`` says what the serving target's wire could not carry
    and how the request was sent instead (the served trace line says it too)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    id: str = ""
    content: list[Part] = Field(default_factory=list)
    stop_reason: StopReason = StopReason.END
    raw_stop_reason: str | None = None
    stop_sequence: str | None = None
    refusal: str | None = None
    usage: Usage | None = None
    model: str | None = None
    incomplete_tool_calls: list[IncompleteToolCall] = Field(default_factory=list)
    served_by: ServedBy | None = None
    latency_s: float = 0.0
    trace: list[Attempt] = Field(default_factory=list)
    adaptations: tuple[str, ...] = ()
    #: the structured output the request asked for (what `parsed` validates against)
    output_format: OutputFormat | None = Field(default=None, exclude=True, repr=False)

    @property
    def cost(self) -> Cost | None:
        """What the call cost: every attempt the providers bill (the served one, and failed ones they bill anyway,
        marked in the trace) added up, with its breakdown and price source; ``cost.amount`` is None, with
        ``cost.reason``, when a price is unknown. None for an answer that did not come through a `Router`."""
        return trace_cost(self.trace)

    @property
    def text(self) -> str:
        """All text parts, joined (the reasoning is in `reasoning`)."""
        return "".join(p.text for p in self.content if isinstance(p, TextPart))

    @property
    def reasoning(self) -> str:
        """The model's reasoning text, joined ("" when it gave none, or only redacted blocks)."""
        return "".join(p.text for p in self.content if isinstance(p, ThinkingPart))

    @property
    def tool_calls(self) -> list[ToolCallPart]:
        return [p for p in self.content if isinstance(p, ToolCallPart)]

    @property
    def parsed(self) -> Any:
        """The structured output, validated: an instance of the request's pydantic model, or the JSON value the
        request's JSON Schema describes. None when the request asked for no ``response_format``. An answer that
        is not JSON, or does not follow the schema (cut by ``max_tokens``, refused), raises
        `StructuredOutputError`, which says why and keeps the text."""
        if self.output_format is None:
            return None
        from ._schema import parse_output

        return parse_output(self, self.output_format)

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
        stop_sequence: str | None = None,
        refusal: str | None = None,
    ) -> Response:
        """An answer as a codec decoded it: built without validation, and with every field given, because for a
        missing field pydantic's ``model_construct`` inspects the signature of its ``default_factory`` on each
        call (for ``list``, by parsing its text signature: ~0.2 ms, more than the rest of the decoding)."""
        return cls.model_construct(
            id=id,
            content=content,
            stop_reason=stop_reason,
            raw_stop_reason=raw_stop_reason,
            stop_sequence=stop_sequence,
            refusal=refusal,
            usage=usage,
            model=model,
            incomplete_tool_calls=incomplete_tool_calls or [],
            served_by=None,
            latency_s=0.0,
            trace=[],
            adaptations=(),
            output_format=None,
        )

    def to_message(self) -> Message:
        """This answer as the assistant turn of the next request: its text, tool calls and reasoning, in order (the
        signed thinking Claude needs back during tool use included; an incomplete tool call left out). An answer
        with no content gives a turn with none, which the next request refuses as empty."""
        return Message(
            role="assistant", content=[p for p in self.content if not (isinstance(p, TextPart) and not p.text)]
        )

    def to_openai(self) -> Any:
        """This answer as an ``openai.types.chat.ChatCompletion`` (needs the ``interop`` extra): text, tool calls,
        refusal, finish reason and usage (cache and reasoning counts included); Claude's reasoning goes in the
        message's ``reasoning_content``, the field OpenAI-compatible servers use."""
        from ._interop import to_openai

        return to_openai(self)

    def to_anthropic(self) -> Any:
        """This answer as an ``anthropic.types.Message`` (needs the ``interop`` extra): thinking, text and tool_use
        blocks, stop reason and stop sequence, usage (cache and thinking counts included)."""
        from ._interop import to_anthropic

        return to_anthropic(self)


# --- stream events ---------------------------------------------------------------------------------------------
# One set for both families. A streamed answer is: `MessageStart`, then its content as it comes (`TextDelta`,
# `ReasoningDelta`, and per tool call `ToolCallStart`, `ToolCallDelta` s, `ToolCallEnd`), `UsageEvent` s, and one
# `StopEvent`; a `Seam` marks a stream that moved to another target. The final `Response` is the same a
# non-streamed call returns.


@dataclass(frozen=True, slots=True)
class MessageStart:
    """An attempt's answer began: its id and the model the provider names (a resumed stream has one per attempt)."""

    id: str
    model: str | None = None
    type: Literal["message_start"] = "message_start"


@dataclass(frozen=True, slots=True)
class TextDelta:
    """More answer text."""

    text: str
    type: Literal["text"] = "text"


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    """More of the model's reasoning (``text``), or, at the end of a Claude thinking block, its ``signature``."""

    text: str = ""
    signature: str | None = None
    type: Literal["reasoning"] = "reasoning"


@dataclass(frozen=True, slots=True)
class ToolCallStart:
    """A tool call begins. ``index`` numbers the answer's tool calls from 0; its deltas and end carry the same."""

    index: int
    id: str
    name: str
    type: Literal["tool_call_start"] = "tool_call_start"


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """More of a tool call's argument JSON text (the pieces, joined, are the arguments)."""

    index: int
    arguments_delta: str = ""
    type: Literal["tool_call_delta"] = "tool_call_delta"


@dataclass(frozen=True, slots=True)
class ToolCallEnd:
    """A tool call is complete: its ``arguments``, parsed. A call cut by ``max_tokens`` never ends (it is in
    ``Response.incomplete_tool_calls``)."""

    index: int
    id: str
    name: str
    arguments: dict[str, Any]
    type: Literal["tool_call_end"] = "tool_call_end"


@dataclass(frozen=True, slots=True)
class UsageEvent:
    """Token counts so far (cumulative: each one replaces the last)."""

    usage: Usage
    type: Literal["usage"] = "usage"


@dataclass(frozen=True, slots=True)
class StopEvent:
    """The answer is complete. ``stop_sequence``: the stop sequence that ended it, when the provider says."""

    stop_reason: StopReason
    raw_stop_reason: str | None = None
    stop_sequence: str | None = None
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


StreamEvent = (
    MessageStart
    | TextDelta
    | ReasoningDelta
    | ToolCallStart
    | ToolCallDelta
    | ToolCallEnd
    | UsageEvent
    | StopEvent
    | Seam
)
