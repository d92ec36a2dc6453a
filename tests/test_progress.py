"""The progress bar: silent for short builds, a bar on a terminal for long ones."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

from configdrive.cli.progress import ProgressBar, render
from tests.helpers import ROOT, VALID

MIB = 1024 * 1024


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


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
    assert stream.getvalue() == "\r" + render("writing", 512 * MIB, 1024 * MIB)
    bar.close()
    assert stream.getvalue().endswith("\r\033[K")


def test_redraws_are_limited_but_the_end_is_always_shown() -> None:
    stream, clock = io.StringIO(), FakeClock()
    bar = ProgressBar(stream, clock=clock)
    clock.now += 2
    bar(1 * MIB, 10 * MIB)
    bar(2 * MIB, 10 * MIB)  # same instant: skipped
    bar(10 * MIB, 10 * MIB)  # finished: drawn anyway
    assert stream.getvalue().count("\r") == 2
    assert "100%" in stream.getvalue()


def test_render_shows_fraction_and_sizes() -> None:
    line = render("writing", 256 * MIB, 1024 * MIB)
    assert line == "writing [=======>                      ]  25%  256/1,024 MiB"
    assert "[" + "=" * 30 + "]" in render("writing", 5, 5)


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
    assert "writing [" not in output


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
