"""What each wire can carry: the declarative hook the planner reads before any network call.

`request_features` names what a request uses, in one vocabulary (the names the planner's capability check
uses where it has them: ``vision``, ``image_url``, ``tools``, ``tool_result_images``, ``structured_output``,
``reasoning``, ``caching``, ``documents``). Each dialect, and each route over it, declares a `Carriage`: the
features it refuses (the target cannot serve the request: skip it) and the ones it adapts (it sends the request
without them, or in another form, and says how: the served trace line and ``Response.adaptations`` carry the
note; ``strict`` turns them into `UnsupportedFeature`). The encoders do exactly what their carriage declares
(tested: `tests/wire/test_carriage.py`), so nothing is ever dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .._types import (
    DocumentPart,
    ImagePart,
    Request,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
)

__all__ = ["ANTHROPIC", "FEATURES", "OPENAI", "Carriage", "request_features"]

#: Every feature name `request_features` can return, and what it means.
FEATURES: Mapping[str, str] = {
    "vision": "images",
    "image_url": "images by URL",
    "image_detail": "an image detail setting",
    "documents": "PDF documents",
    "document_url": "PDF documents by URL",
    "document_filename": "document filenames",
    "document_title": "document titles or context",
    "tools": "tools",
    "tool_result_images": "images inside tool results",
    "tool_result_error": "tool results marked as errors",
    "strict_tools": "strict tool schemas",
    "parallel_tool_calls": "a parallel tool-call setting",
    "structured_output": "structured output",
    "reasoning": "reasoning",
    "reasoning_history": "reasoning blocks in earlier turns",
    "reasoning_unsigned": "reasoning without a Claude signature in earlier turns",
    "reasoning_forced_tool": "reasoning with a forced tool choice",
    "reasoning_sampling": "reasoning with temperature or top_k",
    "reasoning_short": "reasoning with max_tokens of 1,024 or less",
    "reasoning_foreign_tool_turn": "reasoning after a tool-calling turn without signed thinking",
    "caching": "prompt-cache breakpoints",
    "prompt_cache_key": "a prompt_cache_key",
    "message_name": "message names",
    "metadata": "metadata",
    "metadata_unstored": "metadata on a completion that is not stored",
    "user": "a user id",
    "seed": "a seed",
    "top_k": "top_k",
}

#: Claude's minimum thinking budget: with reasoning on, max_tokens must be above it.
MIN_THINKING_BUDGET = 1024


# The last request asked about and its features: a call asks once per target it assesses and once when served,
# so one entry answers almost every question (compared by identity; a tuple is swapped atomically).
_last: tuple[object, frozenset[str]] = (None, frozenset())


def request_features(request: Request) -> frozenset[str]:
    """The features ``request`` uses (names in `FEATURES`). One walk over its parts, remembered for the last
    request asked about."""
    global _last  # noqa: PLW0603 - a one-entry memo
    seen, features = _last
    if seen is request:
        return features
    features = _walk(request)
    _last = (request, features)
    return features


def _walk(request: Request) -> frozenset[str]:
    found: set[str] = set()
    _head_features(request, found)
    last_assistant = None
    for m in request.messages:
        if m.name is not None:
            found.add("message_name")
        if m.role == "assistant":
            last_assistant = m
        for p in m.content:
            t = type(p)
            if t is TextPart:  # the common parts first, inline
                if p.cache is not None:  # type: ignore[union-attr]
                    found.add("caching")
            elif t is ToolCallPart:
                found.add("tools")
            else:
                _part_features(p, found)
    _option_features(request, found)
    if "reasoning" in found and last_assistant is not None and _foreign_tool_turn(last_assistant.content):
        found.add("reasoning_foreign_tool_turn")
    return frozenset(found)


def _head_features(request: Request, found: set[str]) -> None:
    """What the tools and the system prompt use."""
    if request.tools:
        found.add("tools")
        if any(t.strict for t in request.tools):
            found.add("strict_tools")
        if any(t.cache is not None for t in request.tools):
            found.add("caching")
    system = request.system
    if system is not None and not isinstance(system, str) and any(b.cache is not None for b in system):
        found.add("caching")


def _part_features(p: object, found: set[str]) -> None:
    if isinstance(p, ImagePart):
        found.add("vision")
        if p.url is not None:
            found.add("image_url")
        if p.detail is not None:
            found.add("image_detail")
    elif isinstance(p, DocumentPart):
        found.add("documents")
        if p.url is not None:
            found.add("document_url")
        if p.filename is not None:
            found.add("document_filename")
        if p.title is not None or p.context is not None:
            found.add("document_title")
    elif isinstance(p, ToolCallPart):
        found.add("tools")
    elif isinstance(p, ToolResultPart):
        _result_features(p, found)
    elif isinstance(p, ThinkingPart):
        found.add("reasoning_history")
        if p.signature is None and p.redacted is None:
            found.add("reasoning_unsigned")
    if p.__dict__.get("cache") is not None:  # not getattr: a missing field costs pydantic microseconds
        found.add("caching")


def _result_features(p: ToolResultPart, found: set[str]) -> None:
    found.add("tools")
    if p.is_error:
        found.add("tool_result_error")
    if not isinstance(p.content, str):
        for c in p.content:
            if isinstance(c, ImagePart):
                found.update(("tool_result_images", "vision"))
                if c.url is not None:
                    found.add("image_url")


def _option_features(request: Request, found: set[str]) -> None:
    if request.parallel_tool_calls is not None:
        found.add("parallel_tool_calls")
    if request.response_format is not None:
        found.add("structured_output")
    if request.reasoning is not None and request.reasoning != "none":
        found.add("reasoning")
        choice = request.tool_choice
        if choice is not None and choice.mode in ("required", "tool"):
            found.add("reasoning_forced_tool")
        if request.temperature is not None or request.top_k is not None:
            found.add("reasoning_sampling")
        if request.max_tokens is not None and request.max_tokens <= MIN_THINKING_BUDGET:
            found.add("reasoning_short")
    if request.prompt_cache_key is not None:
        found.add("prompt_cache_key")
    if request.metadata:
        found.add("metadata")
        if request.openai is None or not request.openai.store:
            found.add("metadata_unstored")
    for name in ("user", "seed", "top_k"):
        if getattr(request, name) is not None:
            found.add(name)


def _foreign_tool_turn(content: Sequence[object]) -> bool:
    """An assistant turn that calls tools without starting with Claude's signed thinking (Claude, thinking,
    refuses to continue it)."""
    if not any(isinstance(p, ToolCallPart) for p in content):
        return False
    first = content[0]
    return not (isinstance(first, ThinkingPart) and (first.signature is not None or first.redacted is not None))


@dataclass(frozen=True, slots=True)
class Carriage:
    """What a wire does with each feature it cannot carry as it is: ``refuses`` (feature -> why the target cannot
    serve such a request), ``adapts`` (feature -> how the request is sent instead)."""

    refuses: Mapping[str, str] = field(default_factory=dict)
    adapts: Mapping[str, str] = field(default_factory=dict)

    def refusal(self, features: frozenset[str]) -> str | None:
        """Why a request with ``features`` cannot be sent here, or None."""
        for name, why in self.refuses.items():
            if name in features:
                return why
        return None

    def notes(self, features: frozenset[str]) -> tuple[str, ...]:
        """How a request with ``features`` is adapted here (one note per adapted feature, in declaration order)."""
        return tuple(how for name, how in self.adapts.items() if name in features)

    def __or__(self, other: Carriage) -> Carriage:
        return Carriage({**self.refuses, **other.refuses}, {**self.adapts, **other.adapts})


ANTHROPIC = Carriage(
    refuses={
        "reasoning_forced_tool": "Claude cannot think when tool_choice forces a tool (use auto or none)",
        "reasoning_sampling": "Claude cannot think with temperature or top_k set (leave them out)",
        "reasoning_short": f"Claude needs max_tokens above {MIN_THINKING_BUDGET:,} to think",
        "seed": "the Messages API takes no seed",
    },
    adapts={
        "reasoning_foreign_tool_turn": "thinking is off for this turn: Claude thinks only after its own signed "
        "thinking, and the last assistant turn called tools without it",
        "reasoning_unsigned": "reasoning without Claude's signature is left out of earlier turns",
        "message_name": "message names are left out (the Messages API has none)",
        "image_detail": "image detail is left out (Claude has no such setting)",
        "document_filename": "document filenames are left out (Claude names a document by its title)",
        "prompt_cache_key": "prompt_cache_key is left out (Claude caches at breakpoints)",
        "metadata": "metadata is left out (Claude takes only a user id)",
    },
)

OPENAI = Carriage(
    refuses={
        "document_url": "Chat Completions takes PDF documents as base64 file data only (send the bytes)",
        "top_k": "Chat Completions takes no top_k",
    },
    adapts={
        "reasoning_history": "reasoning blocks are left out of earlier turns (Chat Completions takes none back)",
        "caching": "cache breakpoints are left out (OpenAI caches prompt prefixes itself)",
        "tool_result_images": "tool-result images follow in a user message (Chat Completions tool messages "
        "carry text only)",
        "tool_result_error": "tool errors are marked 'Error: ' in the result's text (Chat Completions tool "
        "messages have no error flag)",
        "document_title": "document titles and context are left out (OpenAI takes a filename: the title names "
        "the file when no filename is given)",
        "metadata_unstored": "metadata is left out (OpenAI takes it only for stored completions: "
        "openai={'store': True})",
    },
)
