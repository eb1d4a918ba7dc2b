"""The mock cloud's own mechanics: scripts, defaults, down/up on the same port, records, concurrency, shutdown."""

from __future__ import annotations

import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx2
import pytest

from modelroute.testing import Fault, MockCloud

BODY = {"model": "gpt-5.5", "messages": [{"role": "user", "content": "hi"}]}
AUTH = {"authorization": "Bearer k"}


def post(client: httpx2.Client, cloud: MockCloud, name: str) -> int:
    return client.post(cloud.url(name) + "/chat/completions", json=BODY, headers=AUTH).status_code


def test_script_then_default_then_reset() -> None:
    with MockCloud() as cloud, httpx2.Client() as client:
        cloud.add("o", route="openai")
        cloud.script("o", Fault.server_error(), Fault.rate_limited())
        cloud.set_default("o", Fault.unavailable())
        assert [post(client, cloud, "o") for _ in range(4)] == [500, 429, 503, 503]
        assert len(cloud.requests("o")) == 4 and cloud.requests("o")[0].json == BODY
        cloud.reset()
        assert post(client, cloud, "o") == 200 and len(cloud.requests("o")) == 1


def test_down_refuses_for_real_and_up_reopens_the_same_port() -> None:
    with MockCloud() as cloud, httpx2.Client() as client:
        cloud.add("o", route="openai")
        url = cloud.url("o")
        assert post(client, cloud, "o") == 200
        cloud.down("o")
        with pytest.raises(httpx2.ConnectError):
            post(client, cloud, "o")
        port = int(url.split(":")[2].split("/")[0])
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        cloud.up("o")
        assert cloud.url("o") == url and post(client, cloud, "o") == 200


def test_refused_step_takes_effect_after_the_previous_answer() -> None:
    with MockCloud() as cloud, httpx2.Client() as client:
        cloud.add("o", route="openai")
        cloud.script("o", Fault.ok(), Fault.refused())
        assert post(client, cloud, "o") == 200
        with pytest.raises(httpx2.ConnectError):
            post(client, cloud, "o")
        cloud.up("o")
        assert post(client, cloud, "o") == 200


def test_entries_are_independent_and_concurrent() -> None:
    with MockCloud() as cloud:
        for n in ("a", "b", "c"):
            cloud.add(n, route="openai", model_reply=f"from {n}")
        cloud.down("b")
        results: list[tuple[str, int]] = []
        lock = threading.Lock()

        def hit(name: str) -> None:
            with httpx2.Client() as client:
                try:
                    code = post(client, cloud, name)
                except httpx2.ConnectError:
                    code = -1
            with lock:
                results.append((name, code))

        with ThreadPoolExecutor(20) as pool:
            list(pool.map(hit, ["a", "b", "c"] * 10))
        assert sorted(set(results)) == [("a", 200), ("b", -1), ("c", 200)]
        assert len(cloud.requests("a")) == 10 and cloud.requests("b") == []


def test_keepalive_connections_are_reused() -> None:
    with MockCloud() as cloud, httpx2.Client() as client:
        cloud.add("o", route="openai")
        for _ in range(5):
            post(client, cloud, "o")
        assert cloud.connections("o") == 1


def test_unknown_route_and_entry_are_clear_errors() -> None:
    with MockCloud() as cloud:
        with pytest.raises(ValueError, match="openai"):
            cloud.add("x", route="azure-ish")
        with pytest.raises(KeyError, match="no entry"):
            cloud.url("nope")


def test_stops_cleanly_with_a_stalled_stream_open() -> None:
    before = {t.name for t in threading.enumerate()}
    cloud = MockCloud().start()
    cloud.add("o", route="openai")
    cloud.script("o", Fault.stall(after_events=1))
    client = httpx2.Client(timeout=httpx2.Timeout(5.0))
    ctx = client.stream("POST", cloud.url("o") + "/chat/completions", json={**BODY, "stream": True}, headers=AUTH)
    resp = ctx.__enter__()
    assert resp.status_code == 200
    cloud.stop()
    with pytest.raises(httpx2.HTTPError):
        resp.read()
    client.close()
    assert {t.name for t in threading.enumerate()} - before == set()
