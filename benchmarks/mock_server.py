"""A fast mock of the OpenAI Chat Completions and Anthropic Messages APIs, for benchmarks only.

One process (pinned to its own CPU), several listening ports, each with a behaviour:

- ``ok:<latency_ms>``: answers every request after ``latency_ms`` (JSON, or SSE when the body asks to stream);
- ``503``: answers every request at once with a 503 in the dialect's error shape;
- ``refused``: a port reserved and closed again, so connecting to it is refused.

The HTTP/1.1 handling is a few lines over ``asyncio.Protocol`` (keep-alive, ``Content-Length`` request bodies,
chunked SSE replies): far cheaper per request than any client measured against it, so the clients are what is
measured. The dialect is chosen by path: ``/v1/chat/completions`` (OpenAI) or ``/v1/messages`` (Anthropic).

Run: ``python -m benchmarks.mock_server ok:0 ok:50 503 refused --cpu 1``; it prints one JSON line with the ports
(in the order asked) and serves until its stdin closes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import sys
from typing import Any

_STREAM = re.compile(rb'"stream"\s*:\s*true')
_WORDS = ["Hello", " from", " the", " benchmark", " mock", ":", " a", " short", " answer", "."]


def _openai_json() -> bytes:
    return json.dumps(
        {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": 1767225600,
            "model": "gpt-bench",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "".join(_WORDS), "refusal": None},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": 12, "completion_tokens": 10, "total_tokens": 22},
        }
    ).encode()


def _anthropic_json() -> bytes:
    return json.dumps(
        {
            "id": "msg_bench",
            "type": "message",
            "role": "assistant",
            "model": "claude-bench",
            "content": [{"type": "text", "text": "".join(_WORDS)}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 12, "output_tokens": 10},
        }
    ).encode()


def _openai_sse() -> list[bytes]:
    def ev(delta: dict[str, Any], finish: str | None = None, usage: dict[str, int] | None = None) -> bytes:
        choices = [] if usage else [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]
        chunk: dict[str, Any] = {
            "id": "chatcmpl-bench",
            "object": "chat.completion.chunk",
            "created": 1767225600,
            "model": "gpt-bench",
            "choices": choices,
        }
        if usage:
            chunk["usage"] = usage
        return b"data: " + json.dumps(chunk).encode() + b"\n\n"

    out = [ev({"role": "assistant", "content": ""})]
    out += [ev({"content": w}) for w in _WORDS]
    out.append(ev({}, "stop"))
    out.append(ev({}, usage={"prompt_tokens": 12, "completion_tokens": 10, "total_tokens": 22}))
    out.append(b"data: [DONE]\n\n")
    return out


def _anthropic_sse() -> list[bytes]:
    def ev(name: str, data: dict[str, Any]) -> bytes:
        return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()

    message = {
        "id": "msg_bench",
        "type": "message",
        "role": "assistant",
        "model": "claude-bench",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 12, "output_tokens": 1},
    }
    out = [ev("message_start", {"type": "message_start", "message": message})]
    out.append(
        ev(
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        )
    )
    for w in _WORDS:
        out.append(
            ev(
                "content_block_delta",
                {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": w}},
            )
        )
    out.append(ev("content_block_stop", {"type": "content_block_stop", "index": 0}))
    out.append(
        ev(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": 10},
            },
        )
    )
    out.append(ev("message_stop", {"type": "message_stop"}))
    return out


def _json_reply(status: str, body: bytes, extra: str = "") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
        f"request-id: req_bench\r\n{extra}\r\n"
    )
    return head.encode() + body


def _sse_reply(events: list[bytes]) -> bytes:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
    body = b"".join(b"%x\r\n%s\r\n" % (len(e), e) for e in events)
    return head + body + b"0\r\n\r\n"


_OPENAI_ERR = json.dumps({"error": {"message": "Service unavailable", "type": "server_error", "code": None}}).encode()
_ANTHROPIC_ERR = json.dumps(
    {"type": "error", "error": {"type": "api_error", "message": "Service unavailable"}, "request_id": "req_bench"}
).encode()

# (dialect, stream) -> the whole reply; (dialect, "503") -> the error reply.
REPLIES: dict[tuple[str, Any], bytes] = {
    ("openai", False): _json_reply("200 OK", _openai_json()),
    ("openai", True): _sse_reply(_openai_sse()),
    ("anthropic", False): _json_reply("200 OK", _anthropic_json()),
    ("anthropic", True): _sse_reply(_anthropic_sse()),
    ("openai", "503"): _json_reply("503 Service Unavailable", _OPENAI_ERR),
    ("anthropic", "503"): _json_reply("503 Service Unavailable", _ANTHROPIC_ERR),
    ("none", "404"): _json_reply("404 Not Found", b'{"error":{"message":"not found"}}'),
}


class _Conn(asyncio.Protocol):
    __slots__ = ("buf", "delay", "fail", "loop", "transport")

    def __init__(self, delay: float, fail: bool) -> None:
        self.delay = delay
        self.fail = fail
        self.buf = b""
        self.transport: asyncio.Transport | None = None
        self.loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end]
            length = 0
            i = head.lower().find(b"\r\ncontent-length:")
            if i >= 0:
                j = head.find(b"\r\n", i + 2)
                length = int(head[i + 17 : j if j >= 0 else len(head)])
            total = end + 4 + length
            if len(self.buf) < total:
                return
            body = self.buf[end + 4 : total]
            self.buf = self.buf[total:]
            self._answer(head, body)

    def _answer(self, head: bytes, body: bytes) -> None:
        line = head[: head.find(b"\r\n")]
        if b"/chat/completions" in line:
            dialect = "openai"
        elif b"/messages" in line:
            dialect = "anthropic"
        else:
            self._write(REPLIES["none", "404"])
            return
        if self.fail:
            self._write(REPLIES[dialect, "503"])
            return
        reply = REPLIES[dialect, bool(_STREAM.search(body))]
        if self.delay > 0:
            self.loop.call_later(self.delay, self._write, reply)
        else:
            self._write(reply)

    def _write(self, reply: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


def _refused_port() -> int:
    """A port nothing listens on: bound (so the kernel picked it) and closed at once."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


async def serve(specs: list[str]) -> None:
    loop = asyncio.get_running_loop()
    ports: list[int] = []
    for spec in specs:
        if spec == "refused":
            ports.append(_refused_port())
            continue
        if spec == "503":
            delay, fail = 0.0, True
        elif spec.startswith("ok:"):
            delay, fail = float(spec[3:]) / 1000, False
        else:
            raise SystemExit(f"unknown port spec {spec!r}: use ok:<ms>, 503 or refused")
        server = await loop.create_server(
            lambda d=delay, f=fail: _Conn(d, f), "127.0.0.1", 0, backlog=4096, reuse_address=True
        )
        ports.append(int(server.sockets[0].getsockname()[1]))
    print(json.dumps({"ports": ports, "pid": os.getpid()}), flush=True)
    # Serve until the parent closes our stdin (or dies).
    await loop.run_in_executor(None, sys.stdin.read)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("specs", nargs="+", help="ok:<latency_ms> | 503 | refused, one per port")
    p.add_argument("--cpu", type=int, default=None, help="pin this process to one CPU")
    a = p.parse_args(argv)
    if a.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {a.cpu % (os.cpu_count() or 1)})
    try:
        import uvloop  # type: ignore[import-not-found]

        runner: Any = uvloop.run
    except ImportError:
        runner = asyncio.run
    runner(serve(a.specs))


if __name__ == "__main__":
    main()
