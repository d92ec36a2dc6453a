"""The project's folders, fixture discovery, and a way to run the real command line."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
VALID = FIXTURES / "valid"
INVALID = FIXTURES / "invalid"


def cases(folder: Path) -> list[str]:
    """The fixture cases in a folder: every subfolder with an `args` file."""
    return sorted(path.name for path in folder.iterdir() if (path / "args").is_file())


def case_args(case: Path) -> list[str]:
    """The command-line arguments a fixture case is built with."""
    return shlex.split((case / "args").read_text())


def run_cli(
    *args: str | os.PathLike[str],
    cwd: Path | None = None,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m configdrive ARGS` as a user would, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "configdrive", *map(str, args)],
        cwd=cwd,
        input=stdin.decode("latin-1") if stdin is not None else None,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )


def case_exit_code(case: Path) -> int:
    """The exit code an invalid case expects: its `exit-code` file, else 1 (invalid input)."""
    code = case / "exit-code"
    return int(code.read_text()) if code.is_file() else 1


@dataclass(frozen=True)
class Measured:
    """How a command ended, and what it cost."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss: int  # bytes, of the command's own process (and any child it waited for)
    # What the command moved through read() and write() calls (Linux's rchar and wchar,
    # /proc/PID/io), its start-up included: a bound on work that no machine load changes.
    bytes_read: int = 0
    bytes_written: int = 0


# wait4() cannot measure a child of pytest: a child starts as a copy of its parent (or
# borrows its memory until exec), and Linux counts that in the child's peak, so once pytest
# has held 250 MiB every command it runs "peaks" at 250 MiB. A fresh interpreter of a few
# MiB starts the command instead and reports the command's own exit code, peak and time.
_MEASURE = """
import os, sys, time
report, command = sys.argv[1], sys.argv[2:]
start = time.monotonic()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(command[0], command)
    finally:
        os._exit(127)
# Wait without reaping first: a finished child's I/O counts stay readable until it is reaped.
os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
with open(f"/proc/{pid}/io") as io:
    counts = dict(line.split(": ") for line in io.read().splitlines())
_, status, usage = os.wait4(pid, 0)
seconds = time.monotonic() - start
with open(report, "w") as stream:
    stream.write(
        f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss * 1024} {seconds}"
        f" {int(counts['rchar'])} {int(counts['wchar'])}"
    )
"""


def run_measured(
    command: list[str],
    *,
    cwd: Path,
    stdin: Path | None = None,
    timeout: float = 60.0,
) -> Measured:
    """Run `command`, measuring its wall time and its own peak memory (wait4's ru_maxrss).

    Output goes to files, not pipes, so a command that writes much never blocks on a full
    pipe; a command that outlives `timeout` is killed, and the report says so.
    """
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report"
        out, err = Path(scratch) / "stdout", Path(scratch) / "stderr"
        with out.open("wb") as out_file, err.open("wb") as err_file:
            input_file = stdin.open("rb") if stdin is not None else subprocess.DEVNULL
            try:
                process = subprocess.Popen(
                    [sys.executable, "-c", _MEASURE, str(report), *command],
                    cwd=cwd,
                    stdin=input_file,
                    stdout=out_file,
                    stderr=err_file,
                    start_new_session=True,  # one process group: a timeout kills both
                )
            finally:
                if not isinstance(input_file, int):
                    input_file.close()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if not report.exists():
            return Measured(-9, out.read_text(), f"killed after {timeout} s", timeout, 0)
        returncode, peak_rss, seconds, bytes_read, bytes_written = report.read_text().split()
        return Measured(
            int(returncode),
            out.read_bytes().decode("utf-8", "replace"),
            err.read_bytes().decode("utf-8", "replace"),
            float(seconds),
            int(peak_rss),
            int(bytes_read),
            int(bytes_written),
        )
