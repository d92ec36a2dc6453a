"""The project's folders, fixture discovery, and ways to run the real command line."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
VALID = FIXTURES / "valid"
INVALID = FIXTURES / "invalid"


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in 1 MiB blocks (images are gigabytes)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


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
    env: Mapping[str, str | None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the command line as `python -m configdrive ARGS` would, in this process.

    The same entry point runs (`configdrive.__main__.main`: its stop-signal handlers, its
    flush at the end) with its own standard input, output and error, so the exit code, stdout
    and stderr are what a child process would give, without the 0.3 s start of one. Whatever
    the run changes process-wide (signal handlers and mask, the environment, the working
    folder, the umask, sys.argv, sys.modules["__main__"]) is put back afterwards. An `env`
    value of None removes that variable. Where the process itself is under test (signals,
    memory, the console script, a terminal), use `run_cli_process`.
    """
    with _in_process_cli(args, cwd, env) as (argv, streams):
        stdin_stream = io.TextIOWrapper(io.BytesIO(stdin or b""), encoding="utf-8")
        out, err = _output_stream(errors="strict"), _output_stream(errors="backslashreplace")
        sys.stdin, sys.stdout, sys.stderr = stdin_stream, out, err
        try:
            returncode = _exit_code_of(_run_entry_point)
        finally:
            sys.stdin, sys.stdout, sys.stderr = streams
        command = [sys.executable, "-m", "configdrive", *argv]
        return subprocess.CompletedProcess(command, returncode, _text_of(out), _text_of(err))


def run_cli_process(
    *args: str | os.PathLike[str],
    cwd: Path | None = None,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m configdrive ARGS` in a child process, as a user would.

    For what only a process shows: exit by a signal, standard streams that are pipes or
    terminals, a fresh interpreter (what start-up imports). Everything else: `run_cli`.
    """
    return subprocess.run(
        [sys.executable, "-m", "configdrive", *map(str, args)],
        cwd=cwd,
        input=stdin.decode("latin-1") if stdin is not None else None,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=timeout,
    )


def _run_entry_point() -> None:
    from configdrive.__main__ import main

    main()


def _exit_code_of(entry: Callable[[], None]) -> int:
    """The exit code a process running `entry` would end with; a traceback goes to stderr."""
    try:
        entry()
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        print(stop.code, file=sys.stderr)  # what the interpreter does with SystemExit("text")
        return 1
    except Exception:  # an uncaught exception ends a process with 1 and its traceback
        traceback.print_exc()
        return 1
    return 0


def _output_stream(*, errors: str) -> io.TextIOWrapper:
    # What a child's piped stdout and stderr are: UTF-8 text over bytes, with a `.buffer`.
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors=errors, newline="\n")


def _text_of(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8")


@contextlib.contextmanager
def _in_process_cli(
    args: Sequence[str | os.PathLike[str]],
    cwd: Path | None,
    env: Mapping[str, str | None] | None,
) -> Iterator[tuple[list[str], tuple[TextIO, TextIO, TextIO]]]:
    """Set the process up as `python -m configdrive ARGS` in `cwd` would see it; restore it."""
    import configdrive.__main__ as entry_module
    from configdrive.formats import signals

    argv = [str(Path(entry_module.__file__ or "__main__.py")), *map(str, args)]
    saved_argv, saved_main = sys.argv, sys.modules["__main__"]
    saved_streams = (sys.stdin, sys.stdout, sys.stderr)
    saved_handlers = {signum: signal.getsignal(signum) for signum in signals.STOP_SIGNALS}
    saved_mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    saved_in_place = signals._output_in_place
    saved_environ = dict(os.environ)
    saved_cwd = Path.cwd()
    saved_umask = os.umask(0o022)
    os.umask(saved_umask)
    saved_tempdir = tempfile.tempdir
    # Click names the program from __main__ and argv[0]: "python -m configdrive", as a child.
    sys.argv, sys.modules["__main__"] = argv, entry_module
    try:
        for name, value in (env or {}).items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        os.environ.setdefault("COLUMNS", "80")  # a child's stdout is a pipe: 80 columns
        _environment_changed()
        if cwd is not None:
            os.chdir(cwd)
        yield argv[1:], saved_streams
    finally:
        sys.argv, sys.modules["__main__"] = saved_argv, saved_main
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        os.chdir(saved_cwd)
        os.umask(saved_umask)
        os.environ.clear()
        os.environ.update(saved_environ)
        _environment_changed()
        tempfile.tempdir = saved_tempdir
        signals._output_in_place = saved_in_place
        for signum, handler in saved_handlers.items():
            signal.signal(signum, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, saved_mask)


def _environment_changed() -> None:
    """What a new process reads from its environment once, read again: TZ and TMPDIR."""
    time.tzset()
    tempfile.tempdir = None


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
