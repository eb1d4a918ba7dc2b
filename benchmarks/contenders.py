"""The clients measured side by side, each behind the same four async methods.

A contender is built for one set of URLs (``Urls``): ``ok`` is the healthy target, ``dead`` (for failover) a
target that refuses connections or answers 503 first. Nothing here is imported until a worker asks for it by
name, so a peer's worker (in the peers venv) never imports modelroute, and modelroute's never imports a peer.

Every ``call`` sends the same one-message chat request and reads the answer's text, the least a caller needs;
``stream`` returns (time to first text, total time) in seconds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

PROMPT = "Say hello in one short sentence."
MESSAGES = [{"role": "user", "content": PROMPT}]
MAX_TOKENS = 64
API_KEY = "bench-key"
EXPECTED = "Hello from the benchmark mock: a short answer."


@dataclass(frozen=True)
class Urls:
    """Base URLs (``http://127.0.0.1:PORT``) for the healthy target and, for failover, the dead first one."""

    ok: str
    dead: str | None = None
    connections: int = 256


class Contender:
    name = "?"
    dialect = "openai"  # which API the contender speaks to the mock
    failover = False  # True when `build` honours ``urls.dead``

    async def call(self) -> str:
        raise NotImplementedError

    async def stream(self) -> tuple[float, float]:
        raise NotImplementedError

    async def aclose(self) -> None:
        return None


def _check(text: str) -> str:
    if text != EXPECTED:
        raise AssertionError(f"unexpected answer {text!r}")
    return text


# --- the floors ------------------------------------------------------------------------------------------------


class RawHttpx(Contender):
    """The floor: one httpx2 POST of the JSON body, the JSON answer parsed; nothing else."""

    name = "httpx2 (raw)"

    def __init__(self, urls: Urls) -> None:
        import httpx2

        self._url = urls.ok + "/v1/chat/completions"
        limits = httpx2.Limits(max_connections=urls.connections, max_keepalive_connections=urls.connections)
        self._client = httpx2.AsyncClient(limits=limits, timeout=30.0)
        self._headers = {"authorization": f"Bearer {API_KEY}", "content-type": "application/json"}

    def _body(self, stream: bool) -> bytes:
        body: dict[str, Any] = {"model": "gpt-bench", "messages": MESSAGES, "max_completion_tokens": MAX_TOKENS}
        if stream:
            body["stream"] = True
        return json.dumps(body).encode()

    async def call(self) -> str:
        r = await self._client.post(self._url, content=self._body(False), headers=self._headers)
        return _check(json.loads(r.content)["choices"][0]["message"]["content"])

    async def stream(self) -> tuple[float, float]:
        t0 = time.perf_counter()
        ttft = 0.0
        async with self._client.stream("POST", self._url, content=self._body(True), headers=self._headers) as r:
            async for line in r.aiter_lines():
                if not ttft and line.startswith("data: {") and '"content":"H' in line.replace(" ", ""):
                    ttft = time.perf_counter() - t0
        return ttft, time.perf_counter() - t0

    async def aclose(self) -> None:
        await self._client.aclose()


class RawAiohttp(Contender):
    """The other floor: the same POST with aiohttp."""

    name = "aiohttp (raw)"

    def __init__(self, urls: Urls) -> None:
        self._url = urls.ok + "/v1/chat/completions"
        self._connections = urls.connections
        self._session: Any = None
        self._headers = {"authorization": f"Bearer {API_KEY}", "content-type": "application/json"}

    def _s(self) -> Any:
        if self._session is None:
            import aiohttp

            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self._connections))
        return self._session

    async def call(self) -> str:
        body = json.dumps({"model": "gpt-bench", "messages": MESSAGES, "max_completion_tokens": MAX_TOKENS})
        async with self._s().post(self._url, data=body.encode(), headers=self._headers) as r:
            data = await r.read()
        return _check(json.loads(data)["choices"][0]["message"]["content"])

    async def stream(self) -> tuple[float, float]:
        t0 = time.perf_counter()
        ttft = 0.0
        body = json.dumps(
            {"model": "gpt-bench", "messages": MESSAGES, "max_completion_tokens": MAX_TOKENS, "stream": True}
        )
        async with self._s().post(self._url, data=body.encode(), headers=self._headers) as r:
            async for line in r.content:
                if not ttft and line.startswith(b"data: {") and b'"content":"H' in line.replace(b" ", b""):
                    ttft = time.perf_counter() - t0
        return ttft, time.perf_counter() - t0

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


# --- the official SDKs -----------------------------------------------------------------------------------------


class OpenAISDK(Contender):
    name = "openai SDK"

    def __init__(self, urls: Urls) -> None:
        import httpx2
        import openai

        limits = httpx2.Limits(max_connections=urls.connections, max_keepalive_connections=urls.connections)
        self._client = openai.AsyncOpenAI(
            base_url=urls.ok + "/v1",
            api_key=API_KEY,
            max_retries=0,
            http_client=openai.DefaultAsyncHttpxClient(limits=limits),
        )

    async def call(self) -> str:
        r = await self._client.chat.completions.create(
            model="gpt-bench", messages=MESSAGES, max_completion_tokens=MAX_TOKENS
        )
        return _check(r.choices[0].message.content or "")

    async def stream(self) -> tuple[float, float]:
        t0 = time.perf_counter()
        ttft = 0.0
        s = await self._client.chat.completions.create(
            model="gpt-bench", messages=MESSAGES, max_completion_tokens=MAX_TOKENS, stream=True
        )
        async for chunk in s:
            if not ttft and chunk.choices and chunk.choices[0].delta.content:
                ttft = time.perf_counter() - t0
        return ttft, time.perf_counter() - t0

    async def aclose(self) -> None:
        await self._client.close()


class AnthropicSDK(Contender):
    name = "anthropic SDK"
    dialect = "anthropic"

    def __init__(self, urls: Urls) -> None:
        import anthropic
        import httpx2

        limits = httpx2.Limits(max_connections=urls.connections, max_keepalive_connections=urls.connections)
        self._client = anthropic.AsyncAnthropic(
            base_url=urls.ok,
            api_key=API_KEY,
            max_retries=0,
            http_client=anthropic.DefaultAsyncHttpxClient(limits=limits),
        )

    async def call(self) -> str:
        r = await self._client.messages.create(model="claude-bench", messages=MESSAGES, max_tokens=MAX_TOKENS)  # type: ignore[arg-type]
        return _check(r.content[0].text)  # type: ignore[union-attr]

    async def stream(self) -> tuple[float, float]:
        t0 = time.perf_counter()
        ttft = 0.0
        s = await self._client.messages.create(
            model="claude-bench",
            messages=MESSAGES,  # type: ignore[arg-type]
            max_tokens=MAX_TOKENS,
            stream=True,
        )
        async for ev in s:
            if not ttft and ev.type == "content_block_delta":
                ttft = time.perf_counter() - t0
        return ttft, time.perf_counter() - t0

    async def aclose(self) -> None:
        await self._client.close()


# --- modelroute ------------------------------------------------------------------------------------------------


def modelroute_config(kind: str, urls: Urls, *, defaults: dict[str, Any] | None = None) -> dict[str, Any]:
    """A config with one alias ``bench``: the dead target first when ``urls.dead`` is set, then the healthy one.
    ``defaults`` patches the config's ``defaults`` (an ``on_error`` table, a ``breaker`` section)."""
    suffix = "/v1" if kind == "openai" else ""
    providers: dict[str, Any] = {
        "ok": {
            "kind": kind,
            "api_key": "${BENCH_KEY}",
            "base_url": urls.ok + suffix,
            "max_connections": urls.connections,
        }
    }
    targets = ["ok:gpt-bench" if kind == "openai" else "ok:claude-bench"]
    if urls.dead:
        providers["dead"] = {**providers["ok"], "base_url": urls.dead + suffix}
        targets.insert(0, targets[0].replace("ok:", "dead:"))
    base: dict[str, Any] = {"connect_timeout_s": 2, "deadline_s": 30, "attempt_timeout_s": 10, **(defaults or {})}
    return {"providers": providers, "models": {"bench": {"targets": targets}}, "defaults": base}


class Modelroute(Contender):
    failover = True

    def __init__(self, urls: Urls, *, kind: str, transport: str = "httpx", defaults: dict[str, Any] | None = None):
        from modelroute import Router

        self.dialect = kind
        suffix = "" if transport == "httpx" else f", {transport}"
        self.name = f"modelroute ({kind}{suffix})"
        cfg = modelroute_config(kind, urls, defaults=defaults)
        self._router = Router.from_config(cfg, env={"BENCH_KEY": API_KEY}, transport=transport)

    async def call(self) -> str:
        r = await self._router.acomplete(model="bench", messages=MESSAGES, max_tokens=MAX_TOKENS)
        return _check(r.text)

    async def stream(self) -> tuple[float, float]:
        from modelroute import TextDelta

        t0 = time.perf_counter()
        ttft = 0.0
        async for ev in self._router.astream(model="bench", messages=MESSAGES, max_tokens=MAX_TOKENS):
            if not ttft and isinstance(ev, TextDelta):
                ttft = time.perf_counter() - t0
        return ttft, time.perf_counter() - t0

    async def aclose(self) -> None:
        await self._router.aclose()


# --- the peers (benchmark venv only) ---------------------------------------------------------------------------


class LiteLLMRouter(Contender):
    name = "LiteLLM Router"
    failover = True

    def __init__(self, urls: Urls) -> None:
        import os

        # The bundled price table, not a fetch from the internet at import.
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        import litellm

        litellm.telemetry = False
        litellm.suppress_debug_info = True

        def deployment(name: str, url: str) -> dict[str, Any]:
            params = {"model": "openai/gpt-bench", "api_base": url + "/v1", "api_key": API_KEY}
            return {"model_name": name, "litellm_params": params}

        models = [deployment("bench", urls.ok)]
        fallbacks: list[dict[str, list[str]]] = []
        self._model = "bench"
        if urls.dead:
            models = [deployment("primary", urls.dead), deployment("bench", urls.ok)]
            fallbacks = [{"primary": ["bench"]}]
            self._model = "primary"
        self._router = litellm.Router(model_list=models, fallbacks=fallbacks, num_retries=0)

    async def call(self) -> str:
        r = await self._router.acompletion(model=self._model, messages=MESSAGES, max_tokens=MAX_TOKENS)
        return _check(r.choices[0].message.content)

    async def stream(self) -> tuple[float, float]:
        t0 = time.perf_counter()
        ttft = 0.0
        s = await self._router.acompletion(model=self._model, messages=MESSAGES, max_tokens=MAX_TOKENS, stream=True)
        async for chunk in s:
            if not ttft and chunk.choices and chunk.choices[0].delta.content:
                ttft = time.perf_counter() - t0
        return ttft, time.perf_counter() - t0


class PydanticAIFallback(Contender):
    name = "pydantic-ai FallbackModel"
    failover = True

    def __init__(self, urls: Urls) -> None:
        import httpx2
        from pydantic_ai.messages import ModelRequest
        from pydantic_ai.models.fallback import FallbackModel
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.openai import OpenAIProvider
        from pydantic_ai.settings import ModelSettings

        limits = httpx2.Limits(max_connections=urls.connections, max_keepalive_connections=urls.connections)

        def model(url: str) -> Any:
            http = httpx2.AsyncClient(limits=limits, timeout=30.0)
            return OpenAIChatModel(
                "gpt-bench", provider=OpenAIProvider(base_url=url + "/v1", api_key=API_KEY, http_client=http)
            )

        chain = [model(urls.dead), model(urls.ok)] if urls.dead else [model(urls.ok), model(urls.ok)]
        self._model = FallbackModel(*chain)
        self._messages = [ModelRequest.user_text_prompt(PROMPT)]
        # pydantic-ai's OpenAI model keeps the SDK's own retries (2, with backoff) unless the settings say
        # otherwise; with a dead target, FallbackModel is the failover, so they are turned off there. (The
        # setting makes every request go through a client copy, so healthy runs go without it.)
        self._settings = ModelSettings(max_tokens=MAX_TOKENS)
        if urls.dead:
            self._settings = ModelSettings(max_tokens=MAX_TOKENS, max_retries=0)

    async def call(self) -> str:
        from pydantic_ai.direct import model_request

        r = await model_request(self._model, self._messages, model_settings=self._settings)
        return _check("".join(getattr(p, "content", "") for p in r.parts))

    async def stream(self) -> tuple[float, float]:
        from pydantic_ai.direct import model_request_stream
        from pydantic_ai.messages import PartDeltaEvent, PartStartEvent

        t0 = time.perf_counter()
        ttft = 0.0
        async with model_request_stream(self._model, self._messages, model_settings=self._settings) as s:
            async for ev in s:
                if not ttft and isinstance(ev, PartStartEvent | PartDeltaEvent):
                    ttft = time.perf_counter() - t0
        return ttft, time.perf_counter() - t0


# name -> (builder, needs the peers venv)
CONTENDERS: dict[str, tuple[Callable[..., Contender], bool]] = {
    "httpx2": (RawHttpx, False),
    "aiohttp": (RawAiohttp, True),
    "openai-sdk": (OpenAISDK, False),
    "anthropic-sdk": (AnthropicSDK, False),
    "modelroute-openai": (lambda urls, **kw: Modelroute(urls, kind="openai", **kw), False),
    "modelroute-anthropic": (lambda urls, **kw: Modelroute(urls, kind="anthropic", **kw), False),
    "modelroute-openai-aiohttp": (lambda urls, **kw: Modelroute(urls, kind="openai", transport="aiohttp", **kw), False),
    "litellm": (LiteLLMRouter, True),
    "pydantic-ai": (PydanticAIFallback, True),
}

AsyncCall = Callable[[], Awaitable[Any]]
