"""The `Router`: the sync and async drivers that walk a plan. Decisions live in `routing`; the wire in `routes`.

Each driver loops over `Call.next_step()`: try a target (encode, send, decode), wait, or fail; and reports each
outcome back to the `Call`, which decides what comes next and writes the trace.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Mapping, Sequence
from dataclasses import replace
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypedDict

from typing_extensions import Unpack

from ._coerce import MessageInput, build_request
from ._pools import Pools
from ._redact import forget_locals
from ._stream import AsyncStream, CallGate, Stream, StreamResult
from ._types import (
    AnthropicSettings,
    Effort,
    OpenAISettings,
    OutputFormat,
    Request,
    Response,
    ServedBy,
    StreamEvent,
    TextPart,
    Tool,
    ToolChoice,
)
from .config import Config, load_config
from .config._timing import alias_timings, first_byte_limit
from .exceptions import (
    AuthError,
    ConfigError,
    CredentialError,
    ErrorKind,
    ModelRouteError,
    ProviderError,
    RequestError,
    UnsupportedFeature,
)
from .observability._monitor import Monitor
from .observability.cost import Pricer
from .routes import ROUTES, Route
from .routing import (
    Call,
    CallSettings,
    CatalogView,
    Fail,
    HedgeBook,
    HedgePolicy,
    Plan,
    StreamProgress,
    Try,
    Wait,
    breaker_policy,
    expand,
    explain,
    identify_models,
    merge_table,
)
from .state import MemoryState, StateStore
from .transport import AsyncResponse, SyncResponse, Timeouts, warm
from .wire import StreamDecoder, WireRequest

if TYPE_CHECKING:
    import asyncio  # imported when first used: `import modelroute` stays light

    from .observability import Health, Hooks, Telemetry

__all__ = ["Messages", "RequestOptions", "Router"]

#: What a call's ``messages`` may be: a list of turns (ours, OpenAI-shaped or Anthropic-shaped), or one string.
Messages = Sequence[MessageInput] | str


class RequestOptions(TypedDict, total=False):
    """Everything a call may set besides ``model`` and ``messages`` (the README's "The request" shows each)."""

    system: str | Sequence[TextPart | Mapping[str, Any]] | None
    tools: Sequence[Tool | Mapping[str, Any]] | None
    tool_choice: ToolChoice | str | Mapping[str, Any] | None
    parallel_tool_calls: bool | None
    max_tokens: int | None
    stop: str | Sequence[str] | None
    temperature: float | None
    top_p: float | None
    top_k: int | None
    seed: int | None
    response_format: type[Any] | OutputFormat | Mapping[str, Any] | None
    reasoning: Effort | None
    prompt_cache_key: str | None
    user: str | None
    metadata: Mapping[str, str] | None
    openai: OpenAISettings | Mapping[str, Any] | None
    anthropic: AnthropicSettings | Mapping[str, Any] | None
    tags: Mapping[str, str] | None
    deadline_s: float | None


class Router:
    """Routes chat requests to the targets a config names, failing over as its policy says.

    >>> router = Router.from_config("modelroute.yaml")
    >>> answer = router.complete(model="claude-sonnet", messages=[{"role": "user", "content": "Hi"}])
    >>> answer.text, answer.served_by, answer.trace

    ``clock``/``sleep``/``async_sleep`` and ``rng`` are injectable so tests run instantly and deterministically;
    ``state`` holds cooldowns (in memory by default). One router serves any number of threads and event loops
    (see `close` for its lifecycle); its HTTP library is loaded, and its TLS context built, when it is made.
    ``telemetry`` (OpenTelemetry spans and metrics) and ``hooks`` (your functions, told of every attempt, answer,
    failure and breaker change) are off unless given; `health` shows every target's state.
    ``pricer`` prices every attempt (`Pricer`: genai-prices' bundled data under the config's ``prices:``); it is
    ``router.pricer``, whose ``estimate`` prices a request before sending.
    """

    def __init__(
        self,
        config: Config,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] | None = None,
        state: StateStore | None = None,
        rng: random.Random | None = None,
        transport: str = "httpx",
        telemetry: Telemetry | None = None,
        hooks: Hooks | None = None,
        pricer: Pricer | None = None,
    ) -> None:
        self.config = config
        self.pricer = pricer if pricer is not None else Pricer(config)
        self._clock = clock
        self._sleep = sleep
        self._async_sleep = async_sleep or _asyncio_sleep
        self._state: StateStore = state if state is not None else MemoryState()
        self._rng = rng or random.Random()
        self._transport = transport
        spec = config.spec
        self._catalog = config.catalog
        # Built on an alias's first call (under the lock): linear construction, however large the fallback graph.
        self._settings: dict[str, CallSettings] = {}
        self._hedges: dict[str, HedgeBook] = {}
        d = spec.defaults
        self._limits = {
            name: (
                p.connect_timeout_s or d.connect_timeout_s,
                first_byte_limit(spec, name),
                p.stall_timeout_s or d.stall_timeout_s,
            )
            for name, p in spec.providers.items()
        }
        self._routes: dict[str, Route] = {}
        self._lock = threading.Lock()  # builds an alias's settings once
        warm(transport)  # the first request should not pay for importing httpx2 and loading the CA bundle
        self._pools = Pools(transport, self._pool_options)
        self._monitor = Monitor(clock)
        self._observe = None
        if telemetry is not None or hooks is not None:
            from .observability._observe import Observe

            self._observe = Observe(config, clock, telemetry=telemetry, hooks=hooks, address=self._base_url)
            self._monitor.forward = self._observe.breaker_changed
        listen = getattr(self._state, "listen", None)
        if listen is not None:
            listen(self._monitor.breaker_changed)

    @classmethod
    def from_config(
        cls,
        source: str | os.PathLike[str] | Mapping[str, Any] | Config,
        *,
        env: Mapping[str, str] | None = None,
        **options: Any,
    ) -> Router:
        """Load a config (YAML path or dict; checked now) and build a router. ``env`` replaces ``os.environ``
        as the source of ``${NAME}`` secrets; ``options`` are `Router`'s keyword arguments."""
        try:
            config = load_config(source, env=env)
        except ModelRouteError:
            env = None  # an error reporter capturing this frame's locals finds no env (it holds every secret)
            raise
        return cls(config, **options)

    def _alias_settings(self, alias: str, catalog: CatalogView) -> CallSettings:
        spec, a = self.config.spec, self.config.spec.models[alias]
        d = spec.defaults
        entries = expand(spec, alias)
        return CallSettings(
            alias=alias,
            entries=entries,
            table=merge_table(d.on_error, a.on_error),
            deadline_s=a.deadline_s or d.deadline_s,
            attempt_timeout_s=alias_timings(spec, alias).attempt_timeout_s,
            max_retry_wait_s=d.max_retry_wait_s,
            backoff_base_s=d.backoff_base_s,
            backoff_max_s=d.backoff_max_s,
            stream_resume=a.stream_resume or d.stream_resume,
            min_attempt_s=d.min_attempt_s,
            max_attempts=a.max_attempts or d.max_attempts,
            wait_for_reopen_s=d.wait_for_reopen_s,
            first_token_timeout_s=a.first_token_timeout_s or d.first_token_timeout_s,
            breaker=breaker_policy(d.breaker, a.breaker),
            hedge=HedgePolicy.from_spec(a.hedge) if a.hedge is not None else None,
            models=identify_models(entries, spec, catalog),
            prefill=frozenset(e.provider for e in entries if _prefills(spec.providers[e.provider])),
            monitor=self._monitor,
            observe=self._observe,
            costs=self.pricer,
        )

    # --- the public calls ---------------------------------------------------------------------------------------

    def complete(self, model: str, messages: Messages, **options: Unpack[RequestOptions]) -> Response:
        """Send one chat request to the alias ``model``; fail over as configured; return the answer.

        Raises `AllTargetsFailed` (every target failed, with the trace), the `ProviderError` the policy
        stopped on, or `RequestError` (before any network call) if the request is malformed. From inside a
        running event loop it still works, but blocks the loop: use `acomplete` there (a warning says so once).
        """
        self._pools.warn_if_in_loop("complete")
        call, request = self._start(model, messages, options)
        gate = self._gate(call, streamed=False)
        gate.enter()
        try:
            return self._walk(call, request)
        finally:
            gate.leave()

    def _walk(self, call: Call, request: Request) -> Response:
        while True:
            step = call.next_step()
            if isinstance(step, Wait):
                self._sleep(step.seconds)
                continue
            if isinstance(step, Fail):
                raise step.error
            try:
                response = self._send(step, request)
            except ProviderError as e:
                call.record_error(step, e)
                continue
            done = call.record_ok(step, response)
            if done is not None:
                return done

    async def acomplete(self, model: str, messages: Messages, **options: Unpack[RequestOptions]) -> Response:
        """The async twin of `complete`; the one call that hedges, where the alias opts in (``hedge:``)."""
        call, request = self._start(model, messages, options)
        book = self._hedges.get(call.settings.alias)
        hedged = False
        gate = self._gate(call, streamed=False)
        gate.aenter()
        try:
            while True:
                step = call.next_step()
                if isinstance(step, Wait):
                    await self._async_sleep(step.seconds)
                    continue
                if isinstance(step, Fail):
                    raise step.error
                if book is not None and not hedged:
                    hedged, done = await self._arace(call, step, request, book)
                else:
                    done = await self._aattempt(call, step, request)
                if done is not None:
                    return done
        finally:
            if book is not None and not hedged:
                book.unhedged()
            await gate.aleave()

    async def _aattempt(self, call: Call, step: Try, request: Request) -> Response | None:
        try:
            response = await self._asend(step, request)
        except ProviderError as e:
            call.record_error(step, e)
            return None
        return call.record_ok(step, response)

    async def _arace(self, call: Call, step: Try, request: Request, book: HedgeBook) -> tuple[bool, Response | None]:
        """Run ``step``; if it has not answered after the hedge delay (and the alias's hedge share allows), race
        the next target against it. Returns (whether a race ran, the answer if the call is done)."""
        import asyncio

        first = asyncio.ensure_future(self._asend(step, request))
        timer = asyncio.ensure_future(self._async_sleep(book.delay(step.entry.key)))
        await asyncio.wait({first, timer}, return_when=asyncio.FIRST_COMPLETED)
        timer.cancel()
        second = None
        if not first.done() and book.claim():
            second = call.hedge_step(step)
            if second is None:
                book.release()
        if second is None:
            try:
                response = await first
            except ProviderError as e:
                call.record_error(step, e)
                return False, None
            book.latency(step.entry.key, self._clock() - step.started)
            return False, call.record_ok(step, response)
        racing: dict[asyncio.Future[Response], Try] = {
            first: step,
            asyncio.ensure_future(self._asend(second, request)): second,
        }
        try:
            return True, await self._race(call, racing, book)
        finally:
            for task in racing:
                task.cancel()
            if racing:
                await asyncio.gather(*racing, return_exceptions=True)  # cancelled: connections closed

    async def _race(self, call: Call, racing: dict[asyncio.Future[Response], Try], book: HedgeBook) -> Response | None:
        """The first good answer wins; the others are recorded as cancelled (the caller cancels them)."""
        import asyncio

        while racing:
            done, _ = await asyncio.wait(racing, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                st = racing.pop(task)
                try:
                    response = task.result()
                except ProviderError as e:
                    call.record_race_error(st, e)
                    continue
                book.latency(st.entry.key, self._clock() - st.started)
                answer = call.record_ok(st, response, raced=True)
                if answer is not None:
                    for other in racing.values():
                        call.record_cancelled(other, st.entry)
                    return answer
            if call.failed:
                for other in racing.values():
                    call.record_cancelled(other, None)
                return None
        return None

    def stream(self, model: str, messages: Messages, **options: Unpack[RequestOptions]) -> Stream:
        """Stream the answer as events (`MessageStart`, `TextDelta`, `ReasoningDelta`, `ToolCallStart` /
        `ToolCallDelta` / `ToolCallEnd`, `UsageEvent`, `StopEvent`, and `Seam` after a failover), the same for
        both families; ``stream.get_final_response()`` is the `Response` a non-streamed call returns.

        Until the first content reaches you, a failed attempt fails over silently. A stream that breaks after
        that resumes on the next target that can continue it for you (``stream_resume: auto``: by prefill, or by a
        restart behind a `Seam` when you iterate the events, never for `Stream.text`), else raises
        `StreamInterrupted` with the partial text; it never ends as if it were complete. Its connection is
        released when it ends, when it is closed, or as soon as it is dropped.
        """
        self._pools.warn_if_in_loop("stream")
        call, request = self._start(model, messages, options)
        result = StreamResult()
        return Stream(self._stream_events(call, request, result), result, self._gate(call, streamed=True))

    def astream(self, model: str, messages: Messages, **options: Unpack[RequestOptions]) -> AsyncStream:
        """The async twin of `stream`: ``async for event in router.astream(...)``."""
        call, request = self._start(model, messages, options)
        result = StreamResult()
        return AsyncStream(self._astream_events(call, request, result), result, self._gate(call, streamed=True))

    def explain(self, model: str, messages: Messages | None = None, **options: Unpack[RequestOptions]) -> Plan:
        """The plan a call would walk now: every target in order, with why it is in or out. No network."""
        request = build_request(model=model, messages=messages or [{"role": "user", "content": "?"}], **options)
        settings = self._settings_for(request.model)
        return explain(
            settings.entries,
            alias=model,
            request=request,
            now=self._clock(),
            state=self._state,
            unsupported=self._unsupported,
        )

    def health(self) -> Health:
        """Every target's state now, as this router's state store sees it: breaker (and until when), cooldown and
        its cause, the last minute's attempts, error rate and latency. No network."""
        from .observability._health import health

        return health(self.config, self._state, self._monitor, self._clock())

    # --- one attempt --------------------------------------------------------------------------------------------

    def _gate(self, call: Call, *, streamed: bool) -> CallGate:
        """What a call enters and leaves: the pools, through the call's observer when it has one."""
        return self._pools if call.watch is None else call.watch.gate(self._pools, streamed=streamed)

    def _base_url(self, provider: str) -> str | None:
        route = self._routes.get(provider)
        return route.base_url if route is not None else None

    def _start(self, model: str, messages: Messages, options: RequestOptions) -> tuple[Call, Request]:
        request = build_request(model=model, messages=messages, **options)
        settings = self._settings_for(request.model)
        if request.temperature is not None:
            self._check_supported(settings, request)
        call = Call(
            settings,
            request,
            clock=self._clock,
            state=self._state,
            unsupported=self._unsupported,
            rng=self._rng,
        )
        return call, request

    def _settings_for(self, alias: str) -> CallSettings:
        settings = self._settings.get(alias)
        if settings is not None:
            return settings
        if alias not in self.config.spec.models:
            known = ", ".join(sorted(self.config.spec.models))
            raise RequestError(f"unknown model alias {alias!r}; the config defines: {known}") from None
        with self._lock:
            settings = self._settings.get(alias)
            if settings is None:
                settings = self._alias_settings(alias, self._catalog)
                if settings.hedge is not None:
                    self._hedges[alias] = HedgeBook(settings.hedge)
                self._settings[alias] = settings
        return settings

    def _check_supported(self, settings: CallSettings, request: Request) -> None:
        reasons = {e.provider: self._unsupported(e.provider, request) for e in settings.entries}
        if all(reasons.values()):
            detail = "; ".join(f"{p}: {r}" for p, r in reasons.items())
            raise UnsupportedFeature(f"no target of '{settings.alias}' can serve this request ({detail})")

    def _unsupported(self, provider: str, request: Request) -> str | None:
        spec = self.config.spec.providers[provider]
        return ROUTES[spec.kind].unsupported(spec, request)

    def _route(self, provider: str) -> Route:
        route = self._routes.get(provider)
        if route is None:
            spec = self.config.spec.providers[provider]
            try:
                route = ROUTES[spec.kind](provider, spec, self.config.env)
            except CredentialError as e:
                raise AuthError(str(e), kind=ErrorKind.AUTH, provider=provider) from e
            except ConfigError as e:  # a secret that can never be sent; the frames it came through held it
                forget_locals(e)
                raise
            self._routes[provider] = route
        return route

    def _timeouts(self, provider: str, total_s: float, first_token_s: float | None = None) -> Timeouts:
        connect, first_byte, stall = self._limits[provider]
        return Timeouts(min(connect, total_s), min(first_byte, total_s), min(stall, total_s), total_s, first_token_s)

    def _served(self, step: Try, response: Response, request: Request) -> Response:
        e = step.entry
        route = self._routes[e.provider]
        response.adaptations = route.notes(request)
        response.served_by = ServedBy.model_construct(
            provider=e.provider,
            kind=route.kind,
            cloud=route.cloud,
            region=route.region,
            model=e.model,
            alias=e.alias,
            reported_model=response.model,
        )
        return response

    def _pool_options(self, provider: str) -> dict[str, Any]:
        d = self.config.spec.defaults
        return {
            "max_connections": self.config.spec.providers[provider].max_connections,
            "max_body_bytes": d.max_body_bytes,
            "max_stream_bytes": d.max_stream_bytes,
        }

    def _prepare(
        self, step: Try, request: Request, *, stream: bool, first_token_s: float | None = None
    ) -> tuple[Route, WireRequest, Timeouts]:
        """The route, the bytes to send and the time limits of one attempt (raises `AuthError` for a missing secret)."""
        provider = step.entry.provider
        route = self._route(provider)
        step = self._fresh(route, step)
        limits = self._timeouts(provider, step.total_s, first_token_s)
        return route, route.build(request, step.entry.model, stream=stream), limits

    def _fresh(self, route: Route, step: Try) -> Try:
        """``step`` once its target's credential is fresh: renewed first when due (one renewal serves every
        caller, waits at most the attempt's time, and uses it up). The async drivers renew with `_afresh`."""
        if not route.credentials_due():
            return step
        start = self._clock()
        route.refresh_credentials(step.total_s)
        return replace(step, total_s=max(0.0, step.total_s - (self._clock() - start)))

    async def _afresh(self, step: Try) -> Try:
        """`_fresh` for the event loop: the renewal runs in a worker thread while the loop serves other tasks."""
        route = self._route(step.entry.provider)
        if not route.credentials_due():
            return step
        start = self._clock()
        await route.arefresh_credentials(step.total_s)
        return replace(step, total_s=max(0.0, step.total_s - (self._clock() - start)))

    def _send(self, step: Try, request: Request) -> Response:
        route, wire, limits = self._prepare(step, request, stream=False)
        transport = self._pools.sync(step.entry.provider)
        resp = transport.send(wire.method, wire.url, wire.headers, wire.body, limits)
        try:
            body = resp.read()
        finally:
            resp.close()
        return self._served(step, _decoded(route, resp.status, resp.headers, body), request)

    async def _asend(self, step: Try, request: Request) -> Response:
        route, wire, limits = self._prepare(await self._afresh(step), request, stream=False)
        transport = self._pools.async_(step.entry.provider)
        resp = await transport.send(wire.method, wire.url, wire.headers, wire.body, limits)
        try:
            body = await resp.aread()
        finally:
            await resp.aclose()
        return self._served(step, _decoded(route, resp.status, resp.headers, body), request)

    # --- streams ------------------------------------------------------------------------------------------------

    def _stream_events(self, call: Call, request: Request, result: StreamResult) -> Generator[StreamEvent, None, None]:
        out = StreamProgress(call, result)
        while True:
            step = call.next_step()
            if isinstance(step, Wait):
                self._sleep(step.seconds)
                continue
            if isinstance(step, Fail):
                raise step.error
            try:
                route, resp = self._open_stream(step, request, out)
            except ProviderError as e:
                out.failed(e)
                continue
            try:
                decoder = route.stream_decoder()
                out.on_first_content(resp.content_started)
                for chunk in resp.iter_bytes():
                    yield from out.events(decoder.feed(chunk))
                    if decoder.handler.done:  # the answer is complete: the rest is read only if it is here
                        resp.drain()
                        break
                tail, response = _finish(decoder)
                yield from out.events(tail)
            except ProviderError as e:
                out.failed(e)
                continue
            finally:
                resp.close()  # closes the connection if its body was not read to the end
            done = call.record_ok(step, out.finish(self._served(step, response, request)))
            if done is not None:
                result.response = done
                return

    async def _astream_events(
        self, call: Call, request: Request, result: StreamResult
    ) -> AsyncGenerator[StreamEvent, None]:
        out = StreamProgress(call, result)
        while True:
            step = call.next_step()
            if isinstance(step, Wait):
                await self._async_sleep(step.seconds)
                continue
            if isinstance(step, Fail):
                raise step.error
            try:
                route, resp = await self._aopen_stream(step, request, out)
            except ProviderError as e:
                out.failed(e)
                continue
            try:
                decoder = route.stream_decoder()
                out.on_first_content(resp.content_started)
                async for chunk in resp.aiter_bytes():
                    for event in out.events(decoder.feed(chunk)):
                        yield event
                    if decoder.handler.done:  # the answer is complete: the rest is read only if it is here
                        await resp.adrain()
                        break
                tail, response = _finish(decoder)
                for event in out.events(tail):
                    yield event
            except ProviderError as e:
                out.failed(e)
                continue
            finally:
                await resp.aclose()  # closes the connection if its body was not read to the end
            done = call.record_ok(step, out.finish(self._served(step, response, request)))
            if done is not None:
                result.response = done
                return

    def _prepare_stream(self, step: Try, request: Request, out: StreamProgress) -> tuple[Route, WireRequest, Timeouts]:
        attempt = self._begin_stream(step, request, out)
        return self._prepare(step, attempt, stream=True, first_token_s=out.first_token_s)

    def _begin_stream(self, step: Try, request: Request, out: StreamProgress) -> Request:
        """Start a stream attempt: the request to send (prefilled when resuming)."""
        try:
            route = self._route(step.entry.provider)
        except ProviderError:  # no route (a secret is unset): the attempt failed as it began
            out.begin(step, request, supports_prefill=False)
            raise
        return out.begin(step, request, supports_prefill=route.supports_prefill)

    def _open_stream(self, step: Try, request: Request, out: StreamProgress) -> tuple[Route, SyncResponse]:
        """Send a stream attempt; its response if the status is a success, else the error its body classifies."""
        route, wire, limits = self._prepare_stream(step, request, out)
        resp = self._pools.sync(step.entry.provider).send(wire.method, wire.url, wire.headers, wire.body, limits)
        if 200 <= resp.status < 300:
            return route, resp
        try:
            body = resp.read()
        finally:
            resp.close()
        raise route.classify(resp.status, resp.headers, body)

    async def _aopen_stream(self, step: Try, request: Request, out: StreamProgress) -> tuple[Route, AsyncResponse]:
        attempt = self._begin_stream(step, request, out)
        step = await self._afresh(step)
        route, wire, limits = self._prepare(step, attempt, stream=True, first_token_s=out.first_token_s)
        transport = self._pools.async_(step.entry.provider)
        resp = await transport.send(wire.method, wire.url, wire.headers, wire.body, limits)
        if 200 <= resp.status < 300:
            return route, resp
        try:
            body = await resp.aread()
        finally:
            await resp.aclose()
        raise route.classify(resp.status, resp.headers, body)

    # --- lifecycle ----------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the router: no call may start after it (`RouterClosedError`). Calls and streams already running
        finish normally, failovers included; each connection pool closes as soon as no call uses it (the sync
        pools here, each event loop's pools on that loop). Idempotent."""
        self._pools.close()

    async def aclose(self) -> None:
        """`close`, awaiting the pools of the running event loop (the ones it can close now)."""
        await self._pools.aclose()

    def __enter__(self) -> Router:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    async def __aenter__(self) -> Router:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"Router({self.config.source!r}, aliases={sorted(self.config.spec.models)})"


def _finish(decoder: StreamDecoder) -> tuple[list[StreamEvent], Response]:
    """The stream's last events and its answer: once the dialect saw the end, bytes still buffered are not
    framed (a server may keep the body open after its end marker)."""
    if decoder.handler.done:
        return [], decoder.handler.finish()
    return decoder.finish()


def _prefills(provider: Any) -> bool:
    return ROUTES[provider.kind].prefills(provider)


def _decoded(route: Route, status: int, headers: Mapping[str, str], body: bytes) -> Response:
    if 200 <= status < 300:
        return route.decode(body)
    raise route.classify(status, headers, body)


async def _asyncio_sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)
