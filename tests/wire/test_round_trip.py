"""Round trips, as a seeded property (issue 10): a generated conversation, encoded by a dialect and read back
from that dialect's own shape, is the same conversation for everything the dialect carries; what it does not
carry as it is comes back exactly as its `Carriage` says (each such feature has its note), never silently lost.

Both sides are compared after merging consecutive turns of the same role (both vendors read them as one turn).
"""

from __future__ import annotations

import base64
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from modelroute import (
    DocumentPart,
    ImagePart,
    Message,
    Request,
    RequestError,
    TextPart,
    ThinkingPart,
    Tool,
    ToolCallPart,
    ToolResultPart,
)
from modelroute._coerce import build_request
from modelroute._options import join_system
from modelroute._validate import check_request
from modelroute.wire import AnthropicMessages, OpenAIChat
from modelroute.wire._carry import ANTHROPIC, OPENAI, request_features

PNG = "iVBORw0KGgo="
PDF = base64.b64encode(b"%PDF-1.4\n").decode()
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

words = st.text(alphabet="abcdefgh éλ", min_size=1, max_size=12).filter(lambda s: s.strip() != "")
cache = st.sampled_from([None, None, "5m", "1h"])
names = st.sampled_from(["weather", "search", "add"])


@st.composite
def user_parts(draw: Any) -> list[Any]:
    kinds = draw(st.lists(st.sampled_from(["text", "image", "doc"]), min_size=1, max_size=3))
    out: list[Any] = []
    for k in kinds:
        if k == "text":
            out.append(TextPart(text=draw(words), cache=draw(cache)))
        elif k == "image":
            url = draw(st.booleans())
            detail = draw(st.sampled_from([None, "low", "high"]))
            out.append(
                ImagePart(url="https://example.com/a.png", detail=detail, cache=draw(cache))
                if url
                else ImagePart(data=PNG, media_type="image/png", detail=detail, cache=draw(cache))
            )
        else:
            out.append(
                DocumentPart(
                    data=PDF,
                    title=draw(st.sampled_from([None, "Q3"])),
                    context=draw(st.sampled_from([None, "finance"])),
                    filename=draw(st.sampled_from([None, "q3.pdf"])),
                    cache=draw(cache),
                )
            )
    return out


@st.composite
def conversations(draw: Any) -> Request:
    turns: list[Message] = []
    n = draw(st.integers(min_value=1, max_value=4))
    counter = 0
    for _ in range(n):
        turns.append(Message(role="user", content=draw(user_parts()), name=draw(st.sampled_from([None, "ada"]))))
        content: list[Any] = []
        thought = draw(st.sampled_from([None, "signed", "unsigned", "redacted"]))
        if thought == "signed":
            content.append(ThinkingPart(text=draw(words), signature="sig"))
        elif thought == "unsigned":
            content.append(ThinkingPart(text=draw(words)))
        elif thought == "redacted":
            content.append(ThinkingPart(redacted="opaque"))
        if draw(st.booleans()):
            content.append(TextPart(text=draw(words)))
        calls = []
        for _ in range(draw(st.integers(min_value=0, max_value=2))):
            counter += 1
            calls.append(ToolCallPart(id=f"c{counter}", name=draw(names), arguments={"q": draw(words)}))
        content += calls
        if not any(isinstance(p, TextPart | ToolCallPart) for p in content):
            content.append(TextPart(text=draw(words)))
        turns.append(Message(role="assistant", content=content, name=draw(st.sampled_from([None, "bot"]))))
        if calls:
            results: list[Any] = []
            for c in calls:
                with_image = draw(st.booleans())
                body: Any = [TextPart(text=draw(words)), ImagePart(data=PNG, media_type="image/png")] if with_image \
                    else draw(words)  # fmt: skip
                results.append(ToolResultPart(tool_call_id=c.id, content=body, is_error=draw(st.booleans()),
                                              cache=draw(cache)))  # fmt: skip
            if draw(st.booleans()):
                results.append(TextPart(text=draw(words)))
            turns.append(Message(role="user", content=results))
    if turns[-1].role == "assistant":
        turns.append(Message(role="user", content=[TextPart(text=draw(words))]))
    system = draw(st.sampled_from([None, "plain", "blocks"]))
    sys: Any = None if system is None else draw(words) if system == "plain" else [
        TextPart(text=draw(words)), TextPart(text=draw(words), cache="5m")]  # fmt: skip
    tools = [Tool(name=nm, parameters={"type": "object", "properties": {"q": {"type": "string"}}},
                  strict=draw(st.sampled_from([None, True])), cache=draw(cache)) for nm in ("weather", "search", "add")]  # fmt: skip
    request = Request.model_construct(
        **{
            **{k: f.get_default(call_default_factory=True) for k, f in Request.model_fields.items()},
            "model": "m",
            "messages": turns,
            "system": sys,
            "tools": tools,
            "parallel_tool_calls": draw(st.sampled_from([None, False, True])),
        }
    )
    try:
        return check_request(request)
    except RequestError:  # e.g. more than four cache breakpoints: not a conversation any family takes
        from hypothesis import assume

        assume(False)
        raise


# --- reading each dialect's body back --------------------------------------------------------------------------


def back_from_anthropic(body: dict[str, Any]) -> Request:
    opts: dict[str, Any] = {"system": body.get("system"), "tools": body.get("tools")}
    choice = body.get("tool_choice")
    if choice is not None:
        opts["tool_choice"] = choice
    return build_request(model="m", messages=body["messages"], **opts)


def back_from_openai(body: dict[str, Any]) -> Request:
    opts: dict[str, Any] = {"tools": body.get("tools"), "parallel_tool_calls": body.get("parallel_tool_calls")}
    return build_request(model="m", messages=body["messages"], **opts)


# --- what each dialect carries ---------------------------------------------------------------------------------


def merged(messages: list[Message]) -> list[Message]:
    out: list[Message] = []
    for m in messages:
        if out and out[-1].role == m.role:
            out[-1] = Message(role=m.role, content=[*out[-1].content, *m.content], name=out[-1].name or m.name)
        else:
            out.append(m)
    return out


def as_claude_carries(r: Request) -> tuple[Any, list[Message], list[Tool]]:
    turns = []
    for m in r.messages:
        parts = []
        for p in m.content:
            if isinstance(p, ThinkingPart) and p.signature is None and p.redacted is None:
                continue
            if isinstance(p, ImagePart):
                parts.append(p.model_copy(update={"detail": None}))
            elif isinstance(p, DocumentPart):
                parts.append(p.model_copy(update={"filename": None}))
            else:
                parts.append(p)
        if parts:
            turns.append(Message(role=m.role, content=parts))
    system = r.system if isinstance(r.system, str) or r.system is None else join_system(list(r.system))
    return system, merged(turns), r.tools


def as_openai_carries(r: Request) -> tuple[Any, list[Message], list[Tool]]:
    turns: list[Message] = []
    for m in r.messages:
        if m.role == "assistant":
            text = "".join(p.text for p in m.content if isinstance(p, TextPart))
            calls = [p for p in m.content if isinstance(p, ToolCallPart)]
            turns.append(Message(role="assistant", content=[*([TextPart(text=text)] if text else []), *calls],
                                 name=m.name))  # fmt: skip
            continue
        results = [p for p in m.content if isinstance(p, ToolResultPart)]
        rest = [p for p in m.content if not isinstance(p, ToolResultPart)]
        for res in results:
            text = res.content if isinstance(res.content, str) else "".join(
                c.text for c in res.content if isinstance(c, TextPart))  # fmt: skip
            turns.append(Message(role="user", content=[ToolResultPart(
                tool_call_id=res.tool_call_id, content=f"Error: {text}" if res.is_error else text)]))  # fmt: skip
        for res in results:
            images = [c for c in res.content if isinstance(c, ImagePart)] if not isinstance(res.content, str) else []
            if images:
                label = TextPart(text=f"The images returned by tool call {res.tool_call_id}:")
                turns.append(Message(role="user", content=[label, *images]))
        if rest:
            parts = []
            for p in rest:
                if isinstance(p, DocumentPart):
                    name = p.filename or (f"{p.title}.pdf" if p.title else "document.pdf")
                    parts.append(p.model_copy(update={"title": None, "context": None, "filename": name, "cache": None}))
                else:
                    parts.append(p.model_copy(update={"cache": None}))
            turns.append(Message(role="user", content=parts, name=m.name))
    texts = [r.system] if isinstance(r.system, str) else [b.text for b in r.system or []]
    system = "\n\n".join(texts) if texts else None
    tools = [t.model_copy(update={"cache": None}) for t in r.tools]
    return system, merged(turns), tools


def noted(carriage: Any, r: Request) -> set[str]:
    features = request_features(r)
    return {name for name in carriage.adapts if name in features}


@seed(20261202)
@SETTINGS
@given(conversations())
def test_claude_round_trip_keeps_all_it_carries(r: Request) -> None:
    features = request_features(r)
    refused = ANTHROPIC.refusal(features)
    if refused:  # nothing of the kind is generated today; a new refusal must be thought about here
        raise AssertionError(refused)
    body = AnthropicMessages().encode_body(r, "claude", stream=False)
    back = back_from_anthropic(body)
    system, turns, tools = as_claude_carries(r)
    assert (back.system, merged(back.messages), back.tools) == (system, turns, tools)
    assert back.parallel_tool_calls == (False if r.parallel_tool_calls is False else None)
    lost = {"reasoning_unsigned", "message_name", "image_detail", "document_filename"} & features
    assert lost == noted(ANTHROPIC, r) & lost  # every feature the projection removed has its note


@seed(20261202)
@SETTINGS
@given(conversations())
def test_openai_round_trip_keeps_all_it_carries(r: Request) -> None:
    features = request_features(r)
    body = OpenAIChat().encode_body(r, "gpt", stream=False)
    back = back_from_openai(body)
    system, turns, tools = as_openai_carries(r)
    assert (back.system, merged(back.messages), back.tools) == (system, turns, tools)
    assert back.parallel_tool_calls == r.parallel_tool_calls
    changed = {"reasoning_history", "caching", "tool_result_images", "tool_result_error", "document_title"} & features
    assert changed == noted(OPENAI, r) & changed
