"""A keyless local OpenAI-compatible server (vLLM, Ollama): ``api_key: null`` sends no Authorization header."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from modelroute import Router

ANSWER = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "model": "llama3",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi from ollama"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6},
}


@pytest.fixture
def local_server() -> Iterator[tuple[str, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.append({k.lower(): v for k, v in self.headers.items()})
            self.rfile.read(int(self.headers.get("content-length", "0")))
            body = json.dumps(ANSWER).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    finally:
        server.shutdown()
        server.server_close()


def test_a_keyless_entry_sends_no_authorization(local_server: tuple[str, list[dict[str, str]]]) -> None:
    url, seen = local_server
    config = {
        "providers": {"local": {"kind": "openai", "api_key": None, "base_url": url}},
        "models": {"llama": {"targets": ["local:llama3"]}},
    }
    with Router.from_config(config, env={}) as router:
        answer = router.complete("llama", [{"role": "user", "content": "hi"}])
    assert answer.text == "hi from ollama"
    assert len(seen) == 1 and "authorization" not in seen[0]


def test_a_keyed_entry_still_sends_its_key(local_server: tuple[str, list[dict[str, str]]]) -> None:
    url, seen = local_server
    config = {
        "providers": {"local": {"kind": "openai", "api_key": "${LOCAL_KEY}", "base_url": url}},
        "models": {"llama": {"targets": ["local:llama3"]}},
    }
    with Router.from_config(config, env={"LOCAL_KEY": "k-123"}) as router:
        router.complete("llama", [{"role": "user", "content": "hi"}])
    assert seen[0]["authorization"] == "Bearer k-123"


def test_a_keyless_entry_answers_on_the_mock_cloud() -> None:
    """The mock cloud serves api.openai.com's rules (a key is required), so it hands the entry a fake one."""
    from modelroute.testing import MockCloud, router_on_mock_cloud

    config = {
        "providers": {"local": {"kind": "openai", "api_key": None}},
        "models": {"llama": {"targets": ["local:x"]}},
    }
    with MockCloud() as cloud, router_on_mock_cloud(cloud, config) as router:
        assert router.complete("llama", [{"role": "user", "content": "hi"}]).served_by is not None
