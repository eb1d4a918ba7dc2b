"""Both asyncio transports, through the router and the mock cloud: the same answers, the same error kinds,
the same time limits. ``httpx`` is the default; ``aiohttp`` is the faster one under concurrency."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from modelroute import AllTargetsFailed, Router, StreamInterrupted, TextDelta, load_config
from modelroute.testing import Fault, MockCloud
from modelroute.transport import make_async_transport, make_sync_transport

HI = [{"role": "user", "content": "Hello there"}]
BACKENDS = ["httpx", "aiohttp"]


def config(**defaults: Any) -> dict[str, Any]:
    return {
        "providers": {
            "a1": {"kind": "anthropic", "api_key": "${KEY}"},
            "a2": {"kind": "anthropic", "api_key": "${KEY}"},
            "o": {"kind": "openai", "api_key": "${KEY}"},
        },
        "models": {"m": {"targets": ["a1:claude-sonnet-5-5", "a2:claude-sonnet-5-5", "o:gpt-5.5"]}},
        "defaults": {"deadline_s": 20, "attempt_timeout_s": 5, **defaults},
    }


@pytest.fixture(scope="module")
def cloud() -> Iterator[MockCloud]:
    with MockCloud() as c:
        for name, kind in (("a1", "anthropic"), ("a2", "anthropic"), ("o", "openai")):
            c.add(name, route=kind)
        yield c


def router(cloud: MockCloud, transport: str, **defaults: Any) -> Router:
    cloud.reset()
    cfg = load_config(config(**defaults), env={"KEY": "k"})
    return Router(cfg.with_base_urls({n: cloud.url(n) for n in cloud.entries}), transport=transport)


def first_kind(r: Any) -> str | None:
    k = r.trace[0].kind
    return k.value if k is not None else None


@pytest.mark.anyio
@pytest.mark.parametrize("transport", BACKENDS)
async def test_answer_and_stream(cloud: MockCloud, transport: str) -> None:
    async with router(cloud, transport) as r:
        answer = await r.acomplete("m", HI)
        assert answer.served_by is not None and answer.served_by.provider == "a1"
        assert answer.text and answer.usage.output_tokens > 0
        s = r.astream("m", HI)
        text = "".join([e.text async for e in s if isinstance(e, TextDelta)])
    assert text == answer.text
    assert s.response.text == text


FAULTS = [
    (Fault.refused(), "connection"),
    (Fault.reset(), "connection"),
    (Fault.unavailable(), "overloaded"),
    (Fault.rate_limited(retry_after=30), "rate_limited"),
    (Fault.unauthorized(), "auth"),
]


@pytest.mark.anyio
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(("fault", "kind"), FAULTS, ids=[k for _, k in FAULTS])
@pytest.mark.parametrize("transport", BACKENDS)
async def test_faults_fail_over_with_the_same_kind(
    cloud: MockCloud, transport: str, fault: Fault, kind: str, stream: bool
) -> None:
    async with router(cloud, transport) as r:
        cloud.script("a1", fault)
        if stream:
            s = r.astream("m", HI)
            async for _ in s:
                pass
            answer = s.response
        else:
            answer = await r.acomplete("m", HI)
        cloud.up("a1")
    assert answer.served_by is not None and answer.served_by.provider == "a2"
    assert first_kind(answer) == kind


@pytest.mark.anyio
@pytest.mark.parametrize("transport", BACKENDS)
async def test_first_byte_timeout(cloud: MockCloud, transport: str) -> None:
    async with router(cloud, transport, first_byte_timeout_s=0.3) as r:
        cloud.script("a1", Fault.latency(3))
        answer = await r.acomplete("m", HI)
    assert first_kind(answer) == "timeout"
    assert "0.3s" in answer.trace[0].describe()


@pytest.mark.anyio
@pytest.mark.parametrize("transport", BACKENDS)
async def test_stall_after_text_interrupts_the_stream(cloud: MockCloud, transport: str) -> None:
    async with router(cloud, transport, stall_timeout_s=0.3, stream_resume="error") as r:
        cloud.script("a1", Fault.stall(after_events=4))
        s = r.astream("m", HI)
        with pytest.raises(StreamInterrupted) as info:
            async for _ in s:
                pass
    assert info.value.trace[0].kind is not None and info.value.trace[0].kind.value == "timeout"
    assert "stalled" in str(info.value)


@pytest.mark.anyio
@pytest.mark.parametrize("transport", BACKENDS)
async def test_stream_cut_after_text(cloud: MockCloud, transport: str) -> None:
    async with router(cloud, transport, stream_resume="error") as r:
        cloud.script("a1", Fault.stream_cut(after_events=4))
        s = r.astream("m", HI)
        with pytest.raises(StreamInterrupted) as info:
            async for _ in s:
                pass
    assert info.value.partial_text


@pytest.mark.anyio
@pytest.mark.parametrize("transport", BACKENDS)
async def test_attempt_total_limit(cloud: MockCloud, transport: str) -> None:
    async with router(cloud, transport, attempt_timeout_s=0.4, first_byte_timeout_s=5) as r:
        for name in ("a1", "a2", "o"):
            cloud.script(name, Fault.latency(2))
        with pytest.raises(AllTargetsFailed) as info:
            await r.acomplete("m", HI)
    assert {a.kind.value for a in info.value.trace if a.kind is not None} == {"timeout"}
    assert len(info.value.trace) == 3


def test_aiohttp_backend_uses_httpx_for_blocking_calls(cloud: MockCloud) -> None:
    t = make_sync_transport("aiohttp")
    try:
        assert type(t).__name__ == "HttpxSyncTransport"
    finally:
        t.close()
    with router(cloud, "aiohttp") as r:
        assert r.complete("m", HI).text


@pytest.mark.anyio
async def test_aiohttp_transport_is_made_lazily_and_closes() -> None:
    t = make_async_transport("aiohttp", max_connections=4)
    assert type(t).__name__ == "AiohttpAsyncTransport"
    await t.aclose()  # never opened: nothing to close


def test_unknown_transport_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="aiohttp, httpx"):
        make_async_transport("curl")


def test_import_modelroute_imports_no_http_library() -> None:
    code = "import sys, modelroute; print(sorted(m for m in ('aiohttp', 'httpx2') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
