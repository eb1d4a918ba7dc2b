"""What the terminal gets: tables that fit its width, colour only on a TTY (never with ``NO_COLOR``), and a live
status line on stderr while long work runs.

Piped or redirected output is plain: no colour, no status line, and tables at their natural width unless
``COLUMNS`` says otherwise (scripts that want structure use ``--json``).
"""

from __future__ import annotations

import itertools
import os
import shutil
import textwrap
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TextIO

__all__ = ["StatusLine", "Term"]

_STYLES = {"ok": "32", "bad": "31", "warn": "33", "dim": "2", "bold": "1"}
_MIN_PROSE = 24  # the narrowest a column of prose is made before others give way too
_MIN_WIDTH = 10  # the narrowest a column is made to fit the terminal (its cells wrap)...
_MIN_SQUEEZED = 4  # ...unless the terminal is very narrow


def _columns(stream: TextIO) -> int:
    """The width of the terminal ``stream`` writes to (``COLUMNS`` first, as `shutil.get_terminal_size` reads it)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(stream.fileno()).columns or shutil.get_terminal_size().columns
    except (AttributeError, ValueError, OSError):
        return shutil.get_terminal_size().columns


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


@dataclass(frozen=True)
class Term:
    """How to write to one output stream: its ``width`` (None: unlimited) and whether to use ``color``."""

    width: int | None = None
    color: bool = False

    @classmethod
    def of(cls, stream: TextIO, env: Mapping[str, str] | None = None) -> Term:
        """The settings for ``stream``: a TTY's width and colour (unless ``NO_COLOR`` is set or ``TERM=dumb``);
        for anything else no colour, and ``COLUMNS`` as the width if it is set."""
        env = os.environ if env is None else env
        tty = _isatty(stream)
        color = tty and not env.get("NO_COLOR") and env.get("TERM") != "dumb"
        columns = env.get("COLUMNS", "")
        if columns.isdigit() and int(columns) > 0:
            width: int | None = int(columns)
        elif tty:
            width = _columns(stream)
        else:
            width = None
        return cls(width=width, color=color)

    def paint(self, text: str, style: str | None) -> str:
        """``text`` in ``style`` (ok, bad, warn, dim, bold) when colour is on; unchanged otherwise."""
        if not self.color or not style or not text:
            return text
        return f"\x1b[{_STYLES[style]}m{text}\x1b[0m"

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        indent: str = "  ",
        styles: Callable[[int, int, str], str | None] | None = None,
    ) -> str:
        """Rows under a header, in aligned columns that fit the width: when the natural widths do not fit, the
        widest columns (prose first) are narrowed and their cells wrap onto continuation lines (nothing is cut).
        ``styles(row, column, cell)`` names a cell's style (the header, row -1, is bold)."""
        all_rows = [list(header), *[list(r) for r in rows]]
        columns = range(len(header))
        natural = [max(len(r[c]) for r in all_rows) for c in columns]
        prose = [any(" " in r[c].strip() for r in all_rows[1:]) for c in columns]
        widths = _fit(natural, prose, len(indent), self.width)
        lines = []
        for i, row in enumerate(all_rows):
            cells = [_wrap(cell, widths[c]) for c, cell in enumerate(row)]
            for j in range(max(len(c) for c in cells)):
                parts = [c[j] if j < len(c) else "" for c in cells]
                painted = [
                    self._style(i - 1, k, part, row[k], styles) + " " * (widths[k] - len(part))
                    for k, part in enumerate(parts)
                ]
                lines.append((indent + "  ".join(painted)).rstrip())
        return "\n".join(lines)

    def _style(
        self, row: int, col: int, part: str, cell: str, styles: Callable[[int, int, str], str | None] | None
    ) -> str:
        if row < 0:
            return self.paint(part, "bold")
        return self.paint(part, styles(row, col, cell) if styles else None)


def _fit(natural: list[int], prose: list[bool], indent: int, width: int | None) -> list[int]:
    """Column widths that fit ``width``: the natural ones when they do; else the widest column is narrowed, one
    character at a time, until the row fits. Columns of prose (cells with spaces, which wrap cleanly) give way
    first, down to ``_MIN_PROSE``; then any column down to ``_MIN_WIDTH``; on a very narrow terminal down to
    ``_MIN_SQUEEZED`` (past that, the lines are as short as they can be)."""
    widths = list(natural)
    if width is None:
        return widths
    room = width - 1 - indent - 2 * (len(widths) - 1)  # one spare column: a full-width line wraps on some terminals
    for floor, only_prose in ((_MIN_PROSE, True), (_MIN_WIDTH, False), (_MIN_SQUEEZED, False)):
        candidates = [c for c in range(len(widths)) if prose[c] or not only_prose]
        while sum(widths) > room and candidates:
            c = max(candidates, key=lambda k: widths[k])
            if widths[c] <= floor:
                break
            widths[c] -= 1
    return widths


def _wrap(cell: str, width: int) -> list[str]:
    if len(cell) <= width:
        return [cell]
    return textwrap.wrap(cell, width, break_on_hyphens=False) or [""]


def _cut(cell: str, width: int) -> str:
    return cell if len(cell) <= width else cell[: max(width - 3, 1)] + "..."


class StatusLine:
    """One live line on a TTY (normally stderr): a spinner, the current step and the seconds it has taken,
    redrawn in place by a background thread and erased when the work is done. Off the TTY it does nothing.

    ``with StatusLine(sys.stderr) as status: status.update("probing bedrock-us")``
    """

    def __init__(self, stream: TextIO, *, enabled: bool | None = None, interval_s: float = 0.1) -> None:
        self._stream = stream
        self.enabled = _isatty(stream) if enabled is None else enabled
        self._interval = interval_s
        self._text = ""
        self._since = time.monotonic()
        self._spin = itertools.cycle("|/-\\")
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> StatusLine:
        if self.enabled:
            self._thread = threading.Thread(target=self._run, name="modelroute-status", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.clear()

    def update(self, text: str) -> None:
        """Show ``text`` as the current step (drawn at once, then kept alive by the spinner)."""
        with self._lock:
            self._text, self._since = text, time.monotonic()
        self._draw()

    def clear(self) -> None:
        """Erase the line (before other output goes to the same terminal) until the next `update`."""
        with self._lock:
            had = bool(self._text)
            self._text = ""
            if self.enabled and had:
                self._stream.write("\r\x1b[2K")
                self._stream.flush()

    def _draw(self) -> None:
        with self._lock:
            if not self.enabled or not self._text:
                return
            width = _columns(self._stream) - 1
            line = f"{next(self._spin)} {self._text} ({time.monotonic() - self._since:.1f}s)"
            self._stream.write("\r\x1b[2K" + _cut(line, max(width, 10)))
            self._stream.flush()

    def _run(self) -> None:
        while not self._done.wait(self._interval):
            self._draw()
