"""A scripted HTTP/1.1 server on real sockets, for the transport and lifecycle tests.

Each connection runs in its own thread: the server reads a request (head and ``content-length`` body), then the
script decides what to send back, byte by byte if need be: a good answer, or a misbehaviour at any point of the
exchange (silence, a trickle, an endless header, a flood, a hang). After a script returns ``True`` the connection
is kept alive for the next request; otherwise it is closed. ``open_connections`` counts the connections the
clients still hold open (a connection closes when the client closes it, or the server stops).
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

__all__ = ["Conn", "Request", "ScriptedServer", "good", "head", "openai_json", "openai_sse", "sse_events"]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def stream(self) -> bool:
        return bool(json.loads(self.body or b"{}").get("stream"))


class _Gone(Exception):
    """The client closed the connection, or the server is stopping."""


class Conn:
    """One connection, as a script sees it."""

    def __init__(self, sock: socket.socket, stop: threading.Event) -> None:
        self.sock = sock
        self.stop = stop

    def send(self, data: bytes) -> None:
        if self.stop.is_set():
            raise _Gone
        try:
            self.sock.sendall(data)
        except OSError:
            raise _Gone from None

    def trickle(self, data: Iterable[bytes], every_s: float) -> None:
        """Send each piece of ``data`` after ``every_s`` (an endless iterable trickles until the client leaves)."""
        for piece in data:
            self.wait(every_s)
            self.send(piece)

    def wait(self, seconds: float) -> None:
        """Sleep, but notice the client leaving or the server stopping."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            if self.stop.is_set():
                raise _Gone
            readable, _, _ = select.select([self.sock], [], [], min(left, 0.05))
            if readable:
                try:
                    if not self.sock.recv(65536, socket.MSG_PEEK):
                        raise _Gone
                except OSError:
                    raise _Gone from None
                time.sleep(min(left, 0.01))  # bytes of a next request: not ours to read here

    def hang(self) -> None:
        """Send nothing more, until the client leaves (or the server stops)."""
        while True:
            self.wait(1.0)


Script = Callable[[Conn, Request], bool | None]


class ScriptedServer:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.stop_event = threading.Event()
        self._lock = threading.Lock()
        self.accepted = 0
        self.open_connections = 0
        self.requests = 0
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    def _accept(self) -> None:
        while not self.stop_event.is_set():
            try:
                readable, _, _ = select.select([self._listener], [], [], 0.05)
                if not readable:
                    continue
                sock, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.accepted += 1
                self.open_connections += 1
            t = threading.Thread(target=self._serve, args=(sock,), daemon=True)
            self._threads.append(t)
            t.start()

    def _serve(self, sock: socket.socket) -> None:
        conn = Conn(sock, self.stop_event)
        try:
            while True:
                request = _read_request(conn)
                if request is None:
                    return
                with self._lock:
                    self.requests += 1
                if not self.script(conn, request):
                    return
        except _Gone:
            return
        finally:
            with contextlib.suppress(OSError):
                sock.close()
            with self._lock:
                self.open_connections -= 1

    def wait_open(self, n: int, timeout_s: float = 5.0) -> int:
        """Wait (up to ``timeout_s``) for the clients to hold at most ``n`` connections open; return how many."""
        end = time.monotonic() + timeout_s
        while self.open_connections > n and time.monotonic() < end:
            time.sleep(0.02)
        return self.open_connections

    def close(self) -> None:
        self.stop_event.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        self._acceptor.join(5)
        for t in self._threads:
            t.join(5)

    def __enter__(self) -> ScriptedServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_request(conn: Conn) -> Request | None:
    buf = b""
    while b"\r\n\r\n" not in buf:
        readable, _, _ = select.select([conn.sock], [], [], 0.05)
        if conn.stop.is_set():
            raise _Gone
        if not readable:
            continue
        try:
            data = conn.sock.recv(65536)
        except OSError:
            return None
        if not data:
            return None
        buf += data
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    size = int(headers.get("content-length", "0"))
    while len(rest) < size:
        data = conn.sock.recv(65536)
        if not data:
            return None
        rest += data
    return Request(method, path, headers, rest[:size])


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} OK"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def openai_json(text: str = "Hello") -> bytes:
    """A whole OpenAI Chat Completions answer, head and body."""
    body = json.dumps(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": "gpt-x",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
        }
    ).encode()
    return _head(200, {"content-type": "application/json", "content-length": str(len(body))}) + body


def sse_events(words: Iterable[str], *, done: bool = True) -> Iterator[bytes]:
    """An OpenAI stream's SSE events, one per word, then the finish, usage and ``[DONE]``."""

    def chunk(delta: dict[str, str], finish: str | None = None) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        data = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "gpt-x", "choices": [choice]}
        return b"data: " + json.dumps(data).encode() + b"\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for w in words:
        yield chunk({"content": w})
    yield chunk({}, "stop")
    usage = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    yield b"data: " + json.dumps({"id": "chatcmpl-1", "choices": [], "usage": usage}).encode() + b"\n\n"
    if done:
        yield b"data: [DONE]\n\n"


def openai_sse(text: str = "Hello there") -> bytes:
    """A whole OpenAI stream, head and body (``content-length``, keep-alive)."""
    words = text.split(" ")
    body = b"".join(sse_events([words[0], *(" " + w for w in words[1:])]))
    return _head(200, {"content-type": "text/event-stream", "content-length": str(len(body))}) + body


def head(status: int = 200, **headers: str) -> bytes:
    """A response head; header names are given with ``_`` for ``-``."""
    return _head(status, {k.replace("_", "-"): v for k, v in headers.items()})


def good(conn: Conn, request: Request) -> bool:
    """A script: answer well (a stream if the request asked for one); keep the connection alive."""
    conn.send(openai_sse() if request.stream else openai_json())
    return True
