"""The official SDKs as oracle: capture what they send, and parse what they receive, without any network."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import anthropic
import httpx2
import openai

from modelroute._types import Request, Response, StreamEvent
from modelroute.config import load_config
from modelroute.routes import ROUTES, Route

KEY = "sk-test-123"


@dataclass
class Sent:
    method: str
    path: str
    headers: dict[str, str]
    json: Any


def route(kind: str, **spec: Any) -> Route:
    cfg = load_config(
        {"providers": {"p": {"kind": kind, "api_key": "${K}", **spec}}, "models": {"m": {"targets": ["p:x"]}}},
        env={"K": KEY},
    )
    return ROUTES[kind]("p", cfg.spec.providers["p"], {"K": KEY})


def ours(kind: str, request: Request, model: str, *, stream: bool = False, **spec: Any) -> Sent:
    wire = route(kind, **spec).build(request, model, stream=stream)
    url = httpx2.URL(wire.url)
    return Sent(wire.method, url.path, wire.headers, json.loads(wire.body))


def responder(status: int = 200, body: bytes = b"{}", headers: dict[str, str] | None = None) -> Callable[..., Any]:
    def handle(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(status, content=body, headers={"content-type": "application/json", **(headers or {})})

    return handle


class Capture:
    """An httpx2 transport that records the SDK's request and answers with a canned response."""

    def __init__(self, status: int = 200, body: bytes = b"{}", headers: dict[str, str] | None = None) -> None:
        self.sent: list[Sent] = []
        self._answer = responder(status, body, headers)

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        raw = request.read()
        self.sent.append(
            Sent(request.method, request.url.path, dict(request.headers), json.loads(raw) if raw else None)
        )
        resp: httpx2.Response = self._answer(request)
        return resp

    def anthropic(self) -> anthropic.Anthropic:
        client = httpx2.Client(transport=httpx2.MockTransport(self))
        return anthropic.Anthropic(api_key=KEY, base_url="http://mock", http_client=client, max_retries=0)

    def openai(self) -> openai.OpenAI:
        client = httpx2.Client(transport=httpx2.MockTransport(self))
        return openai.OpenAI(api_key=KEY, base_url="http://mock/v1", http_client=client, max_retries=0)


def sse_stream(body: bytes) -> Capture:
    return Capture(200, body, {"content-type": "text/event-stream"})


def decode_stream(route: Route, body: bytes, cuts: Iterable[int] = ()) -> tuple[list[StreamEvent], Response]:
    """``body`` through ``route``'s stream decoder, fed in pieces split at ``cuts``: (events, final answer)."""
    decoder = route.stream_decoder()
    events: list[StreamEvent] = []
    last = 0
    for c in [*sorted(set(cuts)), len(body)]:
        events += decoder.feed(body[last:c])
        last = c
    tail, response = decoder.finish()
    return events + tail, response
