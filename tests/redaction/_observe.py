"""Everything observable of a run, collected as text to search for planted secrets.

`Observer.see(label, obj)` walks an object the way a user printing it, a log pipeline or an error reporter that
captures locals would: ``repr`` and ``str``; exceptions with their args, attributes, ``__cause__`` /
``__context__`` chains, formatted tracebacks and the local variables of the frames in them (but the test's own);
containers item by item; the library's result types (responses, traces, plans, stream events) field by field; and
whatever an exception's attributes hold, attribute by attribute (an HTTP library's error holds its request).
Anything else (a frame's ``self``, say) is seen as its ``repr`` and ``str`` only, as an error reporter serializes
an unknown object. `see_pickle` adds an
object's pickle. Every log record of every logger (at DEBUG) is collected by the ``observer`` fixture, message,
traceback and every attribute of the record (structured ``extra`` fields included).

New surfaces are added with `see` / `see_text`, and the same `Observer.leaks` check covers them: telemetry spans
and metrics, hook payloads, health and the CLI's output are (`_planted.Surfaces`, `test_planted_cli`).
"""

from __future__ import annotations

import dataclasses
import logging
import pickle
import traceback
from collections.abc import Iterable
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import pydantic

TESTS_DIR = str(Path(__file__).parent.parent)  # the caller's frames: what a test holds is its own business
# Objects walked field by field: what the library hands its caller.
_DATA_MODULES = ("modelroute._types", "modelroute.routing.plan", "modelroute.exceptions", "modelroute.observability")


class Observer:
    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []
        self.blobs: list[tuple[str, bytes]] = []
        self.records: list[logging.LogRecord] = []
        self._seen: set[int] = set()

    # --- collecting ---------------------------------------------------------------------------------------------

    def see_text(self, label: str, text: str) -> None:
        self.texts.append((label, text))

    def see_pickle(self, label: str, obj: Any) -> None:
        try:
            self.blobs.append((label, pickle.dumps(obj)))
        except Exception as e:  # not picklable: nothing to leak that way
            self.see_text(f"{label} (pickling failed)", f"{type(e).__name__}: {e}")

    def see(self, label: str, obj: Any, _depth: int = 0, *, deep: bool = False) -> None:
        """``deep``: walk any object's attributes too (what hangs off an exception)."""
        if obj is None or isinstance(obj, bool | int | float) or _depth > 40:
            return
        if isinstance(obj, str):
            self.see_text(label, obj)
            return
        if isinstance(obj, bytes | bytearray):
            self.blobs.append((label, bytes(obj)))
            return
        if id(obj) in self._seen:
            return
        self._seen.add(id(obj))
        for how, show in (("repr", repr), ("str", str)):
            try:
                self.see_text(f"{label} {how}", show(obj))
            except Exception as e:
                self.see_text(f"{label} {how} failed", f"{type(e).__name__}: {e}")
        d = _depth + 1
        if isinstance(obj, BaseException):
            self._see_exception(label, obj, d)
        elif isinstance(obj, dict):
            for k, v in list(obj.items()):
                self.see(f"{label}[{k!r}] key", k, d, deep=deep)
                self.see(f"{label}[{k!r}]", v, d, deep=deep)
        elif isinstance(obj, list | tuple | set | frozenset):
            for i, v in enumerate(list(obj)):
                self.see(f"{label}[{i}]", v, d, deep=deep)
        elif deep or type(obj).__module__.startswith(_DATA_MODULES):
            for name, value in _fields(obj):
                self.see(f"{label}.{name}", value, d, deep=deep)

    def _see_exception(self, label: str, e: BaseException, depth: int) -> None:
        self.see_text(f"{label} formatted", "".join(traceback.format_exception(e)))
        self.see(f"{label}.args", e.args, depth, deep=True)
        for name, value in vars(e).items():
            self.see(f"{label}.{name}", value, depth, deep=True)
        self.see(f"{label}.__cause__", e.__cause__, depth)
        self.see(f"{label}.__context__", e.__context__, depth)
        self._see_frames(label, e.__traceback__, depth)

    def _see_frames(self, label: str, tb: TracebackType | None, depth: int) -> None:
        """The local variables of the frames in a traceback (modelroute's and the libraries' it called, not the
        test's own), as an error reporter that captures locals sends them."""
        while tb is not None:
            frame: FrameType = tb.tb_frame
            if not frame.f_code.co_filename.startswith(TESTS_DIR):
                where = f"{label} frame {frame.f_code.co_name}"
                for name, value in frame.f_locals.items():
                    self.see(f"{where} local {name}", value, depth)
            tb = tb.tb_next

    def see_logs(self) -> None:
        for i, record in enumerate(self.records):
            label = f"log[{i}] {record.name} {record.levelname}"
            self.see_text(label, _format(record))
            for name, value in vars(record).items():
                self.see(f"{label}.{name}", value)

    # --- checking -----------------------------------------------------------------------------------------------

    def leaks(self, secrets: Iterable[str]) -> list[str]:
        """Where any of ``secrets`` was seen: ``label: ...context...`` lines (empty when nowhere)."""
        self.see_logs()
        found = []
        for secret in secrets:
            raw = secret.encode()
            for label, text in self.texts:
                at = text.find(secret)
                if at >= 0:
                    found.append(f"{label}: ...{text[max(0, at - 60) : at + len(secret) + 20]!r}...")
            for label, blob in self.blobs:
                at = blob.find(raw)
                if at >= 0:
                    found.append(f"{label} (bytes): ...{blob[max(0, at - 60) : at + len(raw) + 20]!r}...")
        return found


def _fields(obj: Any) -> list[tuple[str, Any]]:
    if dataclasses.is_dataclass(obj):
        return [(f.name, getattr(obj, f.name, None)) for f in dataclasses.fields(obj)]
    if isinstance(obj, pydantic.BaseModel):
        return [(name, getattr(obj, name, None)) for name in type(obj).model_fields]
    found = list(vars(obj).items()) if hasattr(obj, "__dict__") else []
    for cls in type(obj).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if hasattr(obj, name) and not name.startswith("__"):
                found.append((name, getattr(obj, name)))
    return found


_FORMAT = logging.Formatter("%(name)s %(levelname)s %(message)s")


def _format(record: logging.LogRecord) -> str:
    try:
        return _FORMAT.format(record)
    except Exception as e:
        return f"unformattable record: {type(e).__name__}: {e}"


class CaptureHandler(logging.Handler):
    """Keeps every record that reaches the root logger (after the loggers' own filters ran)."""

    def __init__(self, sink: list[logging.LogRecord]) -> None:
        super().__init__(logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record)
