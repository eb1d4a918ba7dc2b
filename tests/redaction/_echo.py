"""A scripted socket server that quotes back what it was sent: the credential headers (whole: a Bearer key, an
``x-api-key``, a SigV4 ``Authorization`` and ``x-amz-security-token``) and the request path (where a
``base_url`` ``${ENV}`` part ends up), in its error messages, error codes, request-id header, error events and
undecodable bodies — the provider that quotes the key back, which the mock cloud cannot be."""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from types import TracebackType

CREDENTIAL_HEADERS = ("authorization", "x-api-key", "api-key", "x-amz-security-token")

# What the server does with one request. Each script entry is consumed by one request; the default is "401".
SCRIPTS = ("401", "403", "400", "429", "500", "ok", "inband", "garbage")


class EchoServer:
    """``dialects`` maps the first path segment (the entry's base_url prefix) to ``anthropic`` or ``openai``,
    the shape of a success body and of an in-band stream error."""

    def __init__(self, dialects: dict[str, str]) -> None:
        self.dialects = dialects
        self.script: deque[str] = deque()
        self.default = "401"
        self.seen: list[tuple[str, dict[str, str]]] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._sock.getsockname()[1])
        self._thread = threading.Thread(target=self._serve, name="echo-server", daemon=True)
        self._stop = False
        self._lock = threading.Lock()

    def __enter__(self) -> EchoServer:
        self._thread.start()
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self._stop = True
        self._thread.join(timeout=5)
        self._sock.close()

    def url(self, prefix: str) -> str:
        return f"http://127.0.0.1:{self.port}/{prefix}"

    def _serve(self) -> None:
        self._sock.settimeout(0.05)  # closing a socket does not wake a blocked accept(): poll for the stop flag
        while not self._stop:
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {}
                for line in lines[1:]:
                    k, _, v = line.partition(":")
                    headers[k.strip().lower()] = v.strip()
                length = int(headers.get("content-length", "0"))
                while len(body) < length:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    body += chunk
                with self._lock:
                    self.seen.append((path, headers))
                    what = self.script.popleft() if self.script else self.default
                anthropic = self.dialects.get(path.split("/")[1]) == "anthropic"
                conn.sendall(_reply(what, path, headers, anthropic))
            except OSError:
                return


def _reply(what: str, path: str, headers: dict[str, str], anthropic: bool) -> bytes:
    echo = " | ".join([f"path {path}", *(f"{h}: {headers[h]}" for h in CREDENTIAL_HEADERS if h in headers)])
    if what == "ok":
        status, payload, ctype = 200, json.dumps(_answer(anthropic)).encode(), "application/json"
    elif what == "inband":
        status, ctype = 200, "text/event-stream"
        if anthropic:
            payload = (
                b"event: error\ndata: "
                + json.dumps({"type": "error", "error": {"type": "overloaded_error", "message": echo}}).encode()
                + b"\n\n"
            )
        else:
            payload = b"data: " + json.dumps({"error": {"message": echo, "type": "server_error"}}).encode() + b"\n\n"
    elif what == "garbage":
        status, payload, ctype = 200, f"<html>not json: {echo}</html>".encode(), "application/json"
    else:
        status, ctype = int(what), "application/json"
        error = {"type": _TYPE[status], "message": f"Incorrect API key provided: {echo}", "code": echo}
        error["status"] = "UNAUTHENTICATED" if status == 401 else "INVALID_ARGUMENT"
        payload = json.dumps({"type": "error", "error": error, "message": echo}).encode()
    extra = (
        f"x-request-id: req {echo}\r\nx-amzn-errortype: UnrecognizedClientException\r\nretry-after: 0\r\n"
        if status != 200
        else ""
    )
    return (
        f"HTTP/1.1 {status} X\r\ncontent-type: {ctype}\r\ncontent-length: {len(payload)}\r\n{extra}"
        "connection: close\r\n\r\n"
    ).encode("latin-1", "replace") + payload


_TYPE = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    429: "rate_limit_error",
    500: "api_error",
}


def _answer(anthropic: bool) -> dict[str, object]:
    if anthropic:
        return {
            "id": "msg_echo",
            "type": "message",
            "role": "assistant",
            "model": "claude-x",
            "content": [{"type": "text", "text": "echo ok"}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 2},
        }
    return {
        "id": "chatcmpl-echo",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-x",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "echo ok"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    }
