"""Oracle helpers for the cloud routes: capture the full URL an SDK client sends, build our routes for a spec."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import anthropic
import httpx2
import openai

from modelroute._types import Request
from modelroute.config import load_config
from modelroute.routes import ROUTES, Route

KEY = "sk-test-123"
TOKEN = "ya29.test-token"


@dataclass
class Sent:
    method: str
    url: str
    headers: dict[str, str]
    json: Any


def cloud_route(kind: str, env: dict[str, str] | None = None, **spec: Any) -> Route:
    env = {"K": KEY, "T": TOKEN, **(env or {})}
    cfg = load_config({"providers": {"p": {"kind": kind, **spec}}, "models": {"m": {"targets": ["p:x"]}}}, env=env)
    return ROUTES[kind]("p", cfg.spec.providers["p"], env)


def ours(route: Route, request: Request, model: str, *, stream: bool = False) -> Sent:
    wire = route.build(request, model, stream=stream)
    return Sent(wire.method, wire.url, wire.headers, json.loads(wire.body))


class Capture:
    """An httpx2 transport that records what the SDK sends and answers with a canned response."""

    def __init__(self, status: int = 200, body: bytes = b"{}", headers: dict[str, str] | None = None) -> None:
        self.sent: list[Sent] = []
        self.status, self.body = status, body
        self.headers = {"content-type": "application/json", **(headers or {})}

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        raw = request.read()
        self.sent.append(
            Sent(request.method, str(request.url), dict(request.headers), json.loads(raw) if raw else None)
        )
        return httpx2.Response(self.status, content=self.body, headers=self.headers)

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self))

    def azure_openai(self, **kw: Any) -> openai.AzureOpenAI:
        kw.setdefault("azure_endpoint", "https://myres.openai.azure.com")
        kw.setdefault("api_version", "2024-10-21")
        if "azure_ad_token_provider" not in kw:
            kw.setdefault("api_key", KEY)
        return openai.AzureOpenAI(http_client=self.client(), max_retries=0, **kw)

    def azure_v1(self) -> openai.OpenAI:
        base = "https://myres.openai.azure.com/openai/v1/"
        return openai.OpenAI(api_key=KEY, base_url=base, http_client=self.client(), max_retries=0)

    def foundry(self, **kw: Any) -> anthropic.AnthropicFoundry:
        if "azure_ad_token_provider" not in kw:
            kw.setdefault("api_key", KEY)
        return anthropic.AnthropicFoundry(resource="myres", http_client=self.client(), max_retries=0, **kw)

    def vertex(self, region: str = "us-east5", **kw: Any) -> anthropic.AnthropicVertex:
        if "credentials" not in kw:
            kw.setdefault("access_token", TOKEN)
        return anthropic.AnthropicVertex(
            region=region, project_id="my-proj", http_client=self.client(), max_retries=0, **kw
        )


def sse_capture(body: bytes) -> Capture:
    return Capture(200, body, {"content-type": "text/event-stream"})
