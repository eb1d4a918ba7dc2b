"""The mock cloud: a real HTTP/1.1 server on 127.0.0.1 with one port per provider entry, in a background thread.

One port per entry makes a dead entry really dead (``down()`` closes its listener: ECONNREFUSED) while the others
keep serving. HTTP is parsed with h11; the route modules decide what each request gets.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

import h11

from ._faults import Fault
from ._routes import ROUTES, MockRoute, RecordedRequest, Reply

__all__ = ["MockCloud"]

T = TypeVar("T")
_OK = Fault.ok()


class _Entry:
    def __init__(self, name: str, route: MockRoute) -> None:
        self.name = name
        self.route = route
        self.port = 0
        self.server: asyncio.Server | None = None
        self.script: deque[Fault] = deque()
        self.default: Fault = _OK
        self.records: list[RecordedRequest] = []
        self.connections = 0
        self.writers: set[asyncio.StreamWriter] = set()

    def next_fault(self) -> Fault:
        return self.script.popleft() if self.script else self.default

    def wants_down(self) -> bool:
        head = self.script[0] if self.script else self.default
        return head.kind == "refused"


class MockCloud:
    """A local cloud speaking each route's wire, with a fault script per provider entry.

    Use it as a context manager (``with`` or ``async with``); the server runs in its own thread either way, so
    sync and async tests can both call it. See `Fault` for what a script can hold.
    """

    def __init__(self, *, latency_s: float = 0.0) -> None:
        self.latency_s = latency_s
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- lifecycle ------------------------------------------------------------------------------------------

    def start(self) -> MockCloud:
        """Start the server thread (idempotent)."""
        if self._thread is not None:
            return self
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="modelroute-mock-cloud", daemon=True)
        self._thread.start()
        ready.wait()
        return self

    def stop(self) -> None:
        """Close every listener and connection, then the thread."""
        if self._thread is None or self._loop is None:
            return
        self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._thread = None
        self._loop = None

    def __enter__(self) -> MockCloud:
        return self.start()

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    async def __aenter__(self) -> MockCloud:
        return self.start()

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.stop)

    # --- entries and scripts --------------------------------------------------------------------------------

    @property
    def entries(self) -> list[str]:
        return list(self._entries)

    def add(
        self, name: str, *, route: str, model_reply: str | None = None, region: str | None = None, port: int = 0
    ) -> str:
        """Serve provider entry ``name`` speaking ``route`` on a port of its own; returns its base URL.
        ``region``: where a regional route (Bedrock) serves; signed requests scoped elsewhere are refused.
        ``port``: a fixed port on 127.0.0.1 (``0``, the default: any free one); ``down`` and ``up`` keep it."""
        if route not in ROUTES:
            raise ValueError(f"unknown route {route!r}; the mock cloud speaks: {', '.join(sorted(ROUTES))}")
        if name in self._entries:
            raise ValueError(f"entry {name!r} already exists")
        self.start()
        entry = _Entry(name, ROUTES[route](name, model_reply))
        if region is not None:
            entry.route.region = region
        entry.port = port
        self._call(self._listen(entry))  # a port in use raises OSError here, before the entry is known
        self._entries[name] = entry
        return self.url(name)

    def url(self, name: str) -> str:
        """The base URL the route's official SDK expects (``http://127.0.0.1:PORT`` + the route's prefix)."""
        entry = self._entry(name)
        return f"http://127.0.0.1:{entry.port}{entry.route.base_path}"

    def port(self, name: str) -> int:
        """The entry's port on 127.0.0.1."""
        return self._entry(name).port

    def script(self, name: str, *faults: Fault) -> None:
        """Append faults to the entry's script; each request consumes the next one."""
        entry = self._entry(name)
        with self._lock:
            entry.script.extend(faults)
        self._maybe_down(entry)

    def set_default(self, name: str, fault: Fault) -> None:
        """What the entry does once its script is used up (``Fault.ok()`` unless set)."""
        entry = self._entry(name)
        with self._lock:
            entry.default = fault
        self._maybe_down(entry)

    def down(self, name: str) -> None:
        """Close the entry's listener and its open connections: new connections are refused."""
        self._call(self._close(self._entry(name)))

    def up(self, name: str) -> None:
        """Listen again on the same port (a ``refused`` default is cleared)."""
        entry = self._entry(name)
        with self._lock:
            if entry.default.kind == "refused":
                entry.default = _OK
        if entry.server is None:
            self._call(self._listen(entry))

    def is_up(self, name: str) -> bool:
        """Whether the entry's port is listening (False after ``down`` or a ``refused`` step)."""
        return self._entry(name).server is not None

    def requests(self, name: str) -> list[RecordedRequest]:
        """Every request the entry received, in order."""
        with self._lock:
            return list(self._entry(name).records)

    def connections(self, name: str) -> int:
        """How many TCP connections the entry has accepted."""
        return self._entry(name).connections

    def open_connections(self, name: str) -> int:
        """How many of the entry's connections are open now (a client that closed its pool leaves none)."""
        return len(self._entry(name).writers)

    def reset(self) -> None:
        """Clear every script, default and record, and bring every entry up."""
        for entry in self._entries.values():
            with self._lock:
                entry.script.clear()
                entry.default = _OK
                entry.records.clear()
                entry.connections = 0
            if entry.server is None:
                self._call(self._listen(entry))

    # --- inside the loop ------------------------------------------------------------------------------------

    def _entry(self, name: str) -> _Entry:
        try:
            return self._entries[name]
        except KeyError:
            raise KeyError(f"no entry {name!r} on the mock cloud; entries: {', '.join(self._entries)}") from None

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        assert self._loop is not None, "the mock cloud is not running"
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    def _maybe_down(self, entry: _Entry) -> None:
        with self._lock:
            go = entry.wants_down() and entry.server is not None
            if go and entry.script:
                entry.script.popleft()
        if go:
            self._call(self._close(entry))

    async def _listen(self, entry: _Entry) -> None:
        entry.server = await asyncio.start_server(
            lambda r, w: self._serve(entry, r, w), "127.0.0.1", entry.port, reuse_address=True
        )
        entry.port = entry.server.sockets[0].getsockname()[1]

    async def _close(self, entry: _Entry, keep: asyncio.StreamWriter | None = None) -> None:
        if entry.server is not None:
            entry.server.close()
            entry.server = None
        for w in list(entry.writers):
            if w is not keep:
                w.transport.abort()

    async def _shutdown(self) -> None:
        for entry in self._entries.values():
            await self._close(entry)
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)

    async def _serve(self, entry: _Entry, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        entry.connections += 1
        entry.writers.add(writer)
        conn = h11.Connection(h11.SERVER)
        try:
            while True:
                req = await _read_request(conn, reader)
                if req is None:
                    return
                with self._lock:
                    fault = entry.next_fault()
                    entry.records.append(req)
                if fault.kind == "refused":  # arrived while going down: the nearest thing is a reset
                    fault = Fault.reset()
                reply = entry.route.handle(req, fault)
                if self._going_down(entry):  # refuse new connections before this answer leaves, and end this one
                    reply.headers.append(("connection", "close"))
                    await self._close(entry, keep=writer)
                if not await self._send(conn, reader, writer, reply):
                    return
                if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                    return
                conn.start_next_cycle()
        except (ConnectionError, h11.ProtocolError, asyncio.CancelledError, OSError):
            return
        finally:
            entry.writers.discard(writer)
            self._tasks.discard(task)
            writer.transport.abort()

    def _going_down(self, entry: _Entry) -> bool:
        with self._lock:
            if not entry.wants_down():
                return False
            if entry.script:
                entry.script.popleft()
            return True

    async def _send(
        self, conn: h11.Connection, reader: asyncio.StreamReader, w: asyncio.StreamWriter, r: Reply
    ) -> bool:
        """Write the reply; False when the connection is finished with."""
        if r.then == "reset":
            _rst(w)
            return False
        if r.then == "hang":  # no status line, ever: the client's first-byte timeout must fire
            return await _end_badly("stall", reader, w)
        delay = r.ttfb_s + self.latency_s
        if delay:
            await asyncio.sleep(delay)
        headers = [(k.encode(), v.encode()) for k, v in r.headers]
        if r.events is None:
            headers.append((b"content-length", str(len(r.body)).encode()))
            w.write(conn.send(h11.Response(status_code=r.status, headers=headers)) or b"")
            if r.then in ("cut", "stall"):
                w.write(conn.send(h11.Data(data=r.body[: len(r.body) // 2])) or b"")
                await w.drain()
                return await _end_badly(r.then, reader, w)
            w.write(conn.send(h11.Data(data=r.body)) or b"")
            w.write(conn.send(h11.EndOfMessage()) or b"")
            await w.drain()
            return True
        w.write(conn.send(h11.Response(status_code=r.status, headers=headers)) or b"")
        for i, event in enumerate(r.events):
            if i and r.chunk_delay_s:
                await asyncio.sleep(r.chunk_delay_s)
            w.write(conn.send(h11.Data(data=event)) or b"")
            await w.drain()
        if r.then != "end":
            return await _end_badly(r.then, reader, w)
        w.write(conn.send(h11.EndOfMessage()) or b"")
        await w.drain()
        return True


async def _read_request(conn: h11.Connection, reader: asyncio.StreamReader) -> RecordedRequest | None:
    head: h11.Request | None = None
    body = bytearray()
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await reader.read(65536))
            continue
        if isinstance(event, h11.Request):
            head = event
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            break
        elif isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED:
            return None
    assert head is not None
    target = urlsplit(head.target.decode())
    headers = {k.decode().lower(): v.decode() for k, v in head.headers}
    raw = bytes(body)
    try:
        parsed: Any = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return RecordedRequest(
        method=head.method.decode(),
        path=target.path,
        query=dict(parse_qsl(target.query)),
        headers=headers,
        body=raw,
        json=parsed,
        at=time.monotonic(),
    )


async def _end_badly(how: str, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
    if how == "stall":  # hold the connection open, silent, until the client gives up (or the cloud stops)
        while await reader.read(65536):
            pass
    w.transport.abort()
    return False


def _rst(w: asyncio.StreamWriter) -> None:
    sock = w.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    w.transport.abort()
