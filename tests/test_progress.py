"""The progress bar: silent for short builds, a bar on a terminal for long ones."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from configdrive.cli.progress import ProgressBar, counts, fraction
from configdrive.cli.report import JsonReporter, TextReporter
from tests.helpers import ROOT, VALID

MIB = 1024 * 1024
# What a terminal shows of the bar's text: without colours and cursor movements.
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    """A stream a person watches."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _a_known_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """rich draws nothing live on TERM=dumb and fits COLUMNS: fix both, whatever runs the tests."""
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("COLUMNS", "120")


def shown(text: str) -> str:
    return _CONTROL.sub("", text)


def test_nothing_is_drawn_during_the_first_second() -> None:
    stream, clock = io.StringIO(), FakeClock()
    bar = ProgressBar(stream, clock=clock)
    clock.now += 0.9
    bar(50 * MIB, 100 * MIB)
    bar.close()
    assert stream.getvalue() == ""


def test_a_long_build_draws_a_bar_and_erases_it() -> None:
    stream, clock = io.StringIO(), FakeClock()
    bar = ProgressBar(stream, clock=clock)
    clock.now += 1.5
    bar(512 * MIB, 1024 * MIB)
    drawn = shown(stream.getvalue())
    assert drawn.startswith("writing ")
    assert drawn.endswith(" 50%  512/1,024 MiB")
    bar.close()
    # Erased: back to the bar's line (rich ends its last line first), the line cleared.
    assert stream.getvalue().endswith("\x1b[1A\x1b[2K")
    assert "\x1b[?25l" not in stream.getvalue()  # the cursor is never hidden


def test_build_many_counts_drives_not_mib() -> None:
    """`3/200 drives`: the unit is the fleet's (a bar that counted bytes showed `0/1 MiB`)."""
    stream, clock = io.StringIO(), FakeClock()
    bar = ProgressBar(stream, label="building", unit="drives", delay=0.0, clock=clock)
    bar(3, 200)
    drawn = shown(stream.getvalue())
    assert drawn.startswith("building ")
    assert drawn.endswith("  2%  3/200 drives")
    assert "MiB" not in drawn


def test_build_many_asks_the_reporter_for_a_drive_counter() -> None:
    terminal = Terminal()
    bar = TextReporter(err=terminal).progress_bar("building", unit="drives", delay=0.0)
    assert bar is not None
    bar(1234, 5000)
    bar.close()
    assert "building " in shown(terminal.getvalue())
    assert " 1,234/5,000 drives" in shown(terminal.getvalue())


def test_no_bar_for_json_quiet_or_a_stream_nobody_watches() -> None:
    assert TextReporter(err=Terminal()).shows_progress
    assert TextReporter(err=Terminal(), quiet=True).progress_bar("writing") is None
    assert TextReporter(err=io.StringIO()).progress_bar("writing") is None
    assert JsonReporter(err=Terminal()).progress_bar("writing") is None


def test_redraws_are_limited_but_the_end_is_always_shown() -> None:
    stream, clock = io.StringIO(), FakeClock()
    bar = ProgressBar(stream, clock=clock)
    clock.now += 2
    bar(1 * MIB, 10 * MIB)
    bar(2 * MIB, 10 * MIB)  # same instant: skipped
    bar(10 * MIB, 10 * MIB)  # finished: drawn anyway
    drawn = shown(stream.getvalue())
    assert drawn.count("writing") == 2
    assert "2/10 MiB" not in drawn
    assert drawn.endswith("100%  10/10 MiB")


def test_a_cleared_bar_comes_back_on_the_next_call() -> None:
    stream, clock = io.StringIO(), FakeClock()
    bar = ProgressBar(stream, label="building", unit="drives", delay=0.0, clock=clock)
    bar(1, 3)
    bar.clear()
    stream.write("web-1: a warning\n")
    bar(2, 3)  # at once: clear() lifted the redraw limit
    assert "web-1: a warning\nbuilding" in shown(stream.getvalue())
    assert shown(stream.getvalue()).endswith("2/3 drives")


def test_counts_and_fraction() -> None:
    assert counts(256 * MIB, 1024 * MIB) == "256/1,024 MiB"
    assert counts(5, 5) == "0/1 MiB"  # a drive under 1 MiB still has a whole
    assert counts(3, 200, "drives") == "3/200 drives"
    assert fraction(256, 1024) == 0.25
    assert fraction(0, 0) == 1.0
    assert fraction(7, 5) == 1.0


def test_rich_is_imported_only_when_a_bar_is_drawn(tmp_path: Path) -> None:
    """The CLI and a short build never load rich; a drawn bar does."""
    script = f"""
import io, sys
from configdrive.cli.app import main
assert not [name for name in sys.modules if name.split(".")[0] == "rich"], "app"
sys.argv = ["mkconfigdrive", "build", "user.yml", "-o", {str(tmp_path / "d.iso")!r}]
try:
    main()
except SystemExit as end:
    assert not end.code, end.code
assert not [name for name in sys.modules if name.split(".")[0] == "rich"], "build"

from configdrive.cli.progress import ProgressBar
now = [0.0]
bar = ProgressBar(io.StringIO(), delay=1.0, clock=lambda: now[0])
bar(1, 2)
assert "rich" not in sys.modules, "before the delay"
now[0] = 1.0
bar(1, 2)
assert "rich" in sys.modules, "drawn"
print("checked")
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=VALID / "cloud-init",
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "checked"
    assert "Built " in result.stdout


def test_no_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "configdrive", "build", "user.yml", "-o", tmp_path / "d.iso"],
        cwd=VALID / "cloud-init",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr


def test_a_short_build_on_a_terminal_prints_the_summary_and_no_bar(tmp_path: Path) -> None:
    output = _run_on_terminal(
        [sys.executable, "-m", "configdrive", "build", "user.yml", "-o", str(tmp_path / "d.iso")],
        cwd=VALID / "cloud-init",
    )
    assert "Built " in output
    assert "writing " not in output


def _run_on_terminal(command: list[str], cwd: Path) -> str:
    """Run `command` with stdout and stderr on a pseudo-terminal; return what it printed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=30) == 0
    return b"".join(chunks).decode()


def test_build_reports_progress_up_to_the_whole_image(tmp_path: Path) -> None:
    from configdrive import build

    payload = tmp_path / "payload.bin"
    payload.write_bytes(os.urandom(3 * MIB))
    calls: list[tuple[int, int]] = []
    result = build(
        b"#cloud-config\n{}\n",
        tmp_path / "d.iso",
        files=[(payload, "/opt/payload.bin")],
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls, "progress was never reported"
    assert calls[-1][0] == calls[-1][1] == result.size
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
