"""One router, many event loops: threads each running their own loops, and repeated ``asyncio.run``.

Each loop gets one HTTP client per provider entry, reused by every call on that loop, and closed when the loop
shuts down: no client per call, no connection left open, no ResourceWarning — on both async transports.
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import warnings
from typing import Any

import pytest

from modelroute import Router

from ._scripted import ScriptedServer, good

HI = [{"role": "user", "content": "Hi"}]
THREADS, RUNS, CALLS = 4, 5, 6


def _config(url: str) -> dict[str, Any]:
    return {
        "providers": {"local": {"kind": "openai", "base_url": f"{url}/v1", "api_key": "${KEY}"}},
        "models": {"m": {"targets": ["local:gpt-x"]}},
        "defaults": {"deadline_s": 20},
    }


@pytest.fixture
def clients_built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the HTTP clients made (httpx2's AsyncClient, aiohttp's ClientSession)."""
    import aiohttp
    import httpx2

    built = [0]
    for cls in (httpx2.AsyncClient, aiohttp.ClientSession):
        init = cls.__init__

        def counting(self: Any, *a: Any, __init: Any = init, **kw: Any) -> None:
            built[0] += 1
            __init(self, *a, **kw)

        monkeypatch.setattr(cls, "__init__", counting)
    return built


def _sockets() -> int:
    fd_dir = "/proc/self/fd"
    if not os.path.isdir(fd_dir):  # pragma: no cover - Linux only; the server's count still applies
        return 0
    count = 0
    for fd in os.listdir(fd_dir):
        try:
            count += os.readlink(os.path.join(fd_dir, fd)).startswith("socket:")
        except OSError:
            continue
    return count


async def _calls(router: Router) -> None:
    for i in range(CALLS):
        if i % 3 == 2:
            async with router.astream("m", HI) as s:
                assert "".join([t async for t in s.text()]) == "Hello there"
        else:
            assert (await router.acomplete("m", HI)).text == "Hello"


@pytest.mark.parametrize("transport", ["httpx", "aiohttp"])
def test_threads_and_repeated_asyncio_run_share_one_client_per_loop(transport: str, clients_built: list[int]) -> None:
    with ScriptedServer(good) as server, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        before = _sockets()
        router = Router.from_config(_config(server.url), env={"KEY": "k"}, transport=transport)
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                for _ in range(RUNS):
                    asyncio.run(_calls(router))
            except BaseException as e:  # pragma: no cover - reported below
                errors.append(e)

        threads = [threading.Thread(target=worker) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        for _ in range(RUNS):  # and the main thread, one asyncio.run after another
            asyncio.run(_calls(router))
        assert not errors, errors
        loops = THREADS * RUNS + RUNS
        assert server.requests == loops * CALLS
        assert clients_built[0] == loops  # one per loop, not one per call
        assert server.wait_open(0) == 0  # every loop's connections were closed when it shut down
        router.close()
        gc.collect()
        assert _sockets() <= before
    leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert not leaks, leaks


def test_a_loop_that_runs_several_times_keeps_its_client() -> None:
    """A loop driven with run_until_complete, call after call, then shut down as asyncio asks."""
    with ScriptedServer(good) as server, Router.from_config(_config(server.url), env={"KEY": "k"}) as router:
        loop = asyncio.new_event_loop()
        try:
            for _ in range(3):
                loop.run_until_complete(_calls(router))
            assert server.accepted == 1  # one keep-alive connection served every call of every run
            assert server.open_connections == 1
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
        assert server.wait_open(0) == 0
