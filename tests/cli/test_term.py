"""What a terminal gets: tables that fit its width, colour only on a TTY and never with NO_COLOR, and the live
status line on stderr (a TTY only) while the demo and ``check --probe`` run. Real pseudo-terminals, real
processes."""

from __future__ import annotations

import fcntl
import io
import os
import re
import struct
import subprocess
import sys
import termios
import threading
from typing import Any

import pytest

from modelroute.cli._term import StatusLine, Term

from .conftest import CONFIGS, MockSetup

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def run_on_pty(
    argv: list[str], *, on: str, env: dict[str, str] | None = None, columns: int = 100
) -> tuple[int, str, str]:
    """Run ``modelroute ARGV`` with ``on`` ("stdout" or "stderr") on a pseudo-terminal ``columns`` wide and the
    other stream on a pipe; returns (exit code, what the terminal got, what the pipe got)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, columns, 0, 0))
    full_env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "TERM")}
    full_env.update({"TERM": "xterm", **(env or {})})
    streams: dict[str, Any] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, on: slave}
    with subprocess.Popen(
        [sys.executable, "-m", "modelroute.cli", *argv], env=full_env, stdin=subprocess.DEVNULL, **streams
    ) as proc:
        os.close(slave)
        got = bytearray()

        def drain() -> None:
            while True:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: the last writer closed the terminal
                    return
                if not chunk:
                    return
                got.extend(chunk)

        reader = threading.Thread(target=drain)
        reader.start()
        piped = proc.stderr if on == "stdout" else proc.stdout
        assert piped is not None
        other = piped.read().decode()
        code = proc.wait(timeout=120)
        reader.join(timeout=30)
    os.close(master)
    return code, got.decode().replace("\r\n", "\n"), other


def columns_of(text: str) -> list[str]:
    """The cells of a one-row table whose header names are single letters, read back column by column."""
    head, *lines = text.splitlines()
    starts = [i for i, ch in enumerate(head) if ch != " "]
    bounds = [*zip(starts, [*starts[1:], None], strict=True)]
    return ["".join("".join(line[a:b].split()) for line in lines) for a, b in bounds]


def test_a_table_fits_every_width_and_keeps_every_word() -> None:
    rows = [
        ["1", "bedrock-us:us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet target 2", "eligible"],
        ["x 2", "foundry-us:claude-sonnet-4-5", "claude-sonnet target 1", "anthropic-version 2026-10-21 does not "
         "accept temperature (remove it, or pin an older version)"],
    ]  # fmt: skip
    natural = Term().table(["#", "target", "origin", "status"], rows)
    assert len(natural.splitlines()) == 3  # no width: one line per row
    assert Term(width=200).table(["#", "target", "origin", "status"], rows) == natural
    for width in (30, 40, 60, 80, 120):
        text = Term(width=width).table(["#", "target", "origin", "status"], rows)
        assert all(len(line) < width for line in text.splitlines()), (width, text)
        for row in rows:  # wrapped, never cut: each column reads back whole
            one = Term(width=width).table(["a", "b", "c", "d"], [row], indent="")
            assert columns_of(one) == ["".join(cell.split()) for cell in row], (width, one)


def test_term_of_a_stream() -> None:
    assert Term.of(io.StringIO(), env={}) == Term(width=None, color=False)
    assert Term.of(io.StringIO(), env={"COLUMNS": "77"}) == Term(width=77, color=False)
    master, slave = os.openpty()
    with os.fdopen(slave, "w") as tty:
        assert Term.of(tty, env={"TERM": "xterm"}).color
        assert not Term.of(tty, env={"TERM": "xterm", "NO_COLOR": "1"}).color
        assert not Term.of(tty, env={"TERM": "dumb"}).color
    os.close(master)
    assert Term(color=True).paint("ok", "ok") == "\x1b[32mok\x1b[0m" and Term().paint("ok", "ok") == "ok"


def test_colour_only_on_a_tty_and_never_with_no_color() -> None:
    argv = ["explain", CONFIGS["multi-cloud"], "claude-sonnet", "--temperature", "0.5"]
    code, tty, _ = run_on_pty(argv, on="stdout")
    assert code == 0
    assert "\x1b[1m" in tty and "\x1b[32meligible" in tty and "\x1b[33m" in tty  # header, in, out
    assert all(len(ANSI.sub("", line)) < 100 for line in tty.splitlines())
    plain = ANSI.sub("", tty)
    code, tty_no_color, _ = run_on_pty(argv, on="stdout", env={"NO_COLOR": "1"})
    assert code == 0 and "\x1b[" not in tty_no_color and tty_no_color == plain
    piped = subprocess.run(
        [sys.executable, "-m", "modelroute.cli", *argv], capture_output=True, text=True, check=True,
        env={k: v for k, v in os.environ.items() if k != "COLUMNS"},
    )  # fmt: skip
    assert "\x1b[" not in piped.stdout
    narrow_code, narrow, _ = run_on_pty(argv, on="stdout", columns=60)
    assert narrow_code == 0 and all(len(ANSI.sub("", line)) < 60 for line in narrow.splitlines())


def test_the_demo_shows_a_live_status_line_on_a_terminal_only() -> None:
    code, status, out = run_on_pty(["demo"], on="stderr")
    assert code == 0 and out.count("-> served by") == 5
    for i in range(1, 6):
        assert f"demo {i}/5: " in status
    assert status.endswith("\r\x1b[2K")  # erased at the end
    assert "\x1b[" not in out  # stdout is a pipe: plain
    piped = subprocess.run(
        [sys.executable, "-m", "modelroute.cli", "demo"], check=False, capture_output=True, text=True
    )
    assert piped.returncode == 0 and piped.stderr == ""


def test_probe_shows_a_live_status_line(on_mock: Any) -> None:
    setup: MockSetup = on_mock("demo")
    code, status, out = run_on_pty(["check", str(setup.path), "--probe"], on="stderr")
    assert code == 0, out
    for i, entry in enumerate(setup.cloud.entries, 1):
        assert f"probing {i}/5: {entry} (" in status
    assert status.endswith("\r\x1b[2K") and "every probed entry answered" in out


def test_status_line_is_silent_off_a_terminal() -> None:
    err = io.StringIO()
    with StatusLine(err) as status:
        status.update("working")
        status.clear()
    assert err.getvalue() == ""
    forced = io.StringIO()
    with StatusLine(forced, enabled=True, interval_s=60) as status:
        status.update("step one")
    assert forced.getvalue().startswith("\r\x1b[2K| step one (") and forced.getvalue().endswith("\r\x1b[2K")


@pytest.mark.parametrize("argv", [["--version"], ["cli-schema"]])
def test_quick_commands_print_no_status_line(argv: list[str]) -> None:
    code, status, _ = run_on_pty(argv, on="stderr")
    assert code == 0 and status == ""
