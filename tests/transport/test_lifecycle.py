"""A router's lifecycle, with real threads and event loops.

- ``close()`` / ``aclose()`` while calls run: those calls finish normally (failover included); the pools close
  once no call uses them; no new call may start (`RouterClosedError`, before anything is sent).
- A sync call from inside a running event loop works but warns, once, naming the async twin.
"""

from __future__ import annotations

import asyncio
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

from modelroute import Router, RouterClosedError

from ._scripted import Conn, Request, ScriptedServer, good

HI = [{"role": "user", "content": "Hi"}]


def _slow(c: Conn, r: Request) -> bool:
    c.wait(0.5)
    return good(c, r)


def _config(url: str, *, fallback: str | None = None) -> dict[str, Any]:
    providers = {"local": {"kind": "openai", "base_url": f"{url}/v1", "api_key": "${KEY}"}}
    targets = ["local:gpt-x"]
    if fallback is not None:
        providers = {"dead": {"kind": "openai", "base_url": f"{fallback}/v1", "api_key": "${KEY}"}, **providers}
        targets = ["dead:gpt-x", *targets]
    return {"providers": providers, "models": {"m": {"targets": targets}}, "defaults": {"deadline_s": 20}}


def _refused_url() -> str:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


def test_close_lets_running_sync_calls_finish_then_closes_the_pools() -> None:
    with ScriptedServer(_slow) as server:
        router = Router.from_config(_config(server.url, fallback=_refused_url()), env={"KEY": "k"})
        results: list[str] = []
        errors: list[BaseException] = []

        def complete() -> None:
            try:
                results.append(router.complete("m", HI).text)
            except BaseException as e:
                errors.append(e)

        def stream() -> None:
            try:
                with router.stream("m", HI) as s:
                    results.append("".join(s.text()))
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=f, daemon=True) for f in [complete] * 4 + [stream] * 2]
        for t in threads:
            t.start()
        end = time.monotonic() + 5
        while server.requests < 6 and time.monotonic() < end:  # each failed over from `dead`, and is in flight
            time.sleep(0.01)
        router.close()
        with pytest.raises(RouterClosedError, match="closed"):
            router.complete("m", HI)
        for t in threads:
            t.join(10)
        assert not errors, errors
        assert sorted(results) == ["Hello"] * 4 + ["Hello there"] * 2
        assert server.requests == 6
        assert server.wait_open(0) == 0  # the last call out closed the pool
        router.close()  # again: nothing to do


def test_no_call_starts_after_close() -> None:
    with ScriptedServer(good) as server:
        router = Router.from_config(_config(server.url), env={"KEY": "k"})
        assert router.complete("m", HI).text == "Hello"
        stream = router.stream("m", HI)  # made before close, first read after: it is a call that starts after
        router.close()
        with pytest.raises(RouterClosedError):
            router.complete("m", HI)
        with pytest.raises(RouterClosedError):
            list(router.stream("m", HI))
        with pytest.raises(RouterClosedError):
            list(stream)

        async def main() -> None:
            with pytest.raises(RouterClosedError):
                await router.acomplete("m", HI)
            with pytest.raises(RouterClosedError):
                _ = [e async for e in router.astream("m", HI)]

        asyncio.run(main())
        assert server.requests == 1
        assert server.wait_open(0) == 0
        assert router.explain("m").entries  # what needs no network still works


def test_aclose_lets_running_tasks_finish() -> None:
    with ScriptedServer(_slow) as server:

        async def main() -> list[str]:
            router = Router.from_config(_config(server.url), env={"KEY": "k"})
            tasks = [asyncio.ensure_future(router.acomplete("m", HI)) for _ in range(4)]
            while server.requests < 4:
                await asyncio.sleep(0.01)
            await router.aclose()
            with pytest.raises(RouterClosedError):
                await router.acomplete("m", HI)
            answers = [r.text for r in await asyncio.gather(*tasks)]
            assert server.wait_open(0) == 0  # the last task out closed this loop's pool (the server sees it soon)
            return answers

        assert asyncio.run(main()) == ["Hello"] * 4


def test_close_from_another_thread_closes_a_running_loops_pools_on_that_loop() -> None:
    with ScriptedServer(good) as server:
        router = Router.from_config(_config(server.url), env={"KEY": "k"})
        served, release = threading.Event(), threading.Event()
        open_after_close: list[int] = []

        async def loop_thread() -> None:
            assert (await router.acomplete("m", HI)).text == "Hello"
            served.set()
            while not release.is_set():  # the loop keeps running, idle, while another thread closes the router
                await asyncio.sleep(0.01)
            open_after_close.append(server.open_connections)

        t = threading.Thread(target=asyncio.run, args=(loop_thread(),), daemon=True)
        t.start()
        try:
            assert served.wait(10)
            assert server.open_connections == 1
            router.close()
            assert server.wait_open(0) == 0  # closed on its own loop, which is still running
        finally:
            release.set()
            t.join(10)
        assert open_after_close == [0]


def test_a_sync_call_inside_a_running_loop_warns_once_naming_the_async_call() -> None:
    with ScriptedServer(good) as server:
        router = Router.from_config(_config(server.url), env={"KEY": "k"})

        async def main() -> None:
            with pytest.warns(RuntimeWarning, match=r"await router\.acomplete\(") as caught:
                assert router.complete("m", HI).text == "Hello"
            assert caught[0].filename == __file__  # points at the caller's line
            with warnings.catch_warnings(record=True) as later:
                warnings.simplefilter("always")
                assert router.complete("m", HI).text == "Hello"
                with router.stream("m", HI) as s:
                    list(s)
            assert not later  # once per router

            other = Router.from_config(_config(server.url), env={"KEY": "k"})
            with pytest.warns(RuntimeWarning, match=r"router\.astream\("), other.stream("m", HI) as s:
                list(s)
            other.close()

        asyncio.run(main())
        with warnings.catch_warnings(record=True) as outside:
            warnings.simplefilter("always")
            assert router.complete("m", HI).text == "Hello"  # no loop running here: no warning
        assert not outside
        router.close()


def test_the_readme_lifecycle_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("**Threads, event loops and closing.**")[1]
    code = section.split("```python\n")[1].split("```")[0]
    exec(compile(code, "README.md", "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and lines[0] == lines[1] == lines[2] != ""
    assert lines[3].startswith("this Router was closed (close() / aclose())")
