"""The reading side of the drive fuzzer: one process that reads mutated images, one at a time.

    python -m tests.fuzz_worker

Reads one JSON request a line on standard input ({"image", "reference", "scratch",
"image_size"}), runs every read command on the image in this process exactly as the CLI
does (inspect, extract into a scratch folder, diff against the unmutated seed, each report
rendered as text and as JSON), and answers one JSON line: each command's exit code, and the
findings. The property (issue 12): a command ends with exit code 0 or 1, through the
project's own errors, within the budgets. A finding is anything else:

- crash: any other exception (ValueError, RecursionError, TypeError, ...);
- exit-code: one of our own errors, or an OSError (which the CLI reports as exit 3), with
  an exit code other than 0 or 1 (3 means an I/O failure on our side; a mutated image is
  bad input);
- hang: the example ran past HANG_SECONDS (a SIGALRM raised where the reader was stuck);
- memory: MemoryError under the RLIMIT_AS cap, or a command whose peak RSS would be over
  PEAK_RSS in a process of its own (what it adds here, on top of COMMAND_BASELINE);
- disk: extract wrote more than EXTRACT_FACTOR times the image (plus EXTRACT_SLACK), or
  left files behind after refusing;
- terminal / json: text output holding control characters or text UTF-8 cannot encode
  (a real standard output would raise), or --json output that is not strict JSON.

The caps run in this process only (setrlimit), so runaway allocation fails here as a
MemoryError, not as a stalled machine. A hang or a MemoryError asks the parent for a fresh
worker: the state left by an interrupted reader is not trusted.
"""

from __future__ import annotations

import io
import json
import os
import resource
import shutil
import signal
import sys
import traceback
import unicodedata
from collections.abc import Callable
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

# The budgets of one example. The hang guard is a detector, not a timing assertion: an
# example takes a tenth of a second; one still running after 20 s is stuck.
HANG_SECONDS = 20
ADDRESS_SPACE = 1 << 30  # 1 GiB: far above any honest read, low enough to fail fast
PEAK_RSS = 256 << 20  # the budget for any read command
# A read command's own process starts at about 30 MiB (python -m configdrive inspect of a
# seed peaks at 29-31 MiB); what one command adds here is counted on top of this.
COMMAND_BASELINE = 32 << 20
FILE_SIZE = 256 << 20  # no file extract writes may grow past this (EFBIG, not a full disk)
# extract writes each shared extent once per name, within a budget of a small multiple of
# the image: 16 times plus 1 MiB (configdrive.drives.extract.default_max_bytes). The bound here is
# kept apart, so that a budget that stopped working would still be caught.
EXTRACT_FACTOR = 16
EXTRACT_SLACK = 1 << 20

OPERATIONS = ("inspect", "extract", "diff")
KINDS = ("crash", "exit-code", "hang", "memory", "disk", "terminal", "json", "died")


def needs_restart(found: dict[str, Any]) -> bool:
    """A hang or a MemoryError leaves the process in a state no later example should trust."""
    return bool(found["kind"] == "hang" or found["exception"] == "MemoryError")


_ALLOWED_CONTROL = frozenset("\n\t")
_TRACE_FRAMES = 12


class Hang(BaseException):  # a signal, not an error: nothing of ours may catch it
    """Raised by SIGALRM: the example outlived HANG_SECONDS."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang(f"still running after {HANG_SECONDS} s")


def limit_resources() -> None:
    """The caps of this process: address space and file size (SIGXFSZ becomes EFBIG)."""
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE, FILE_SIZE))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    signal.signal(signal.SIGALRM, _alarm)


def _status(key: str) -> int:
    """A size from /proc/self/status (VmRSS, VmHWM), in bytes."""
    with Path("/proc/self/status").open(encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) * 1024
    raise LookupError(key)


def reset_peak() -> int:
    """Restart the peak-RSS count from now (Linux's clear_refs 5); the RSS now."""
    with Path("/proc/self/clear_refs").open("w", encoding="ascii") as clear:
        clear.write("5")
    return _status("VmRSS")


def peak_rss() -> int:
    """The peak resident set since the last reset_peak(), in bytes."""
    return _status("VmHWM")


# --------------------------------------------------------------------------- findings


def where(tb: TracebackType | None) -> dict[str, Any]:
    """Where an exception came from: the innermost frame of ours, the innermost of all."""
    frames = traceback.extract_tb(tb)
    ours = [frame for frame in frames if "/configdrive/" in frame.filename]
    innermost = ours[-1] if ours else (frames[-1] if frames else None)
    location = function = "?"
    if innermost is not None:
        location = f"{_short(innermost.filename)}:{innermost.lineno}"
        function = innermost.name
    trace = [
        f"{_short(frame.filename)}:{frame.lineno} in {frame.name}"
        for frame in frames[-_TRACE_FRAMES:]
    ]
    return {"location": location, "function": function, "trace": trace}


def _short(filename: str) -> str:
    """A path from the package folder on: configdrive/drives/drive.py, pycdlib/inode.py."""
    parts = Path(filename).parts
    for anchor in ("configdrive", "site-packages", "lib"):
        if anchor in parts:
            index = len(parts) - 1 - parts[::-1].index(anchor)
            return "/".join(parts[index + (anchor != "configdrive") :])
    return filename


def finding(
    kind: str, operation: str, error: BaseException | None, message: str = ""
) -> dict[str, Any]:
    """One finding, JSON-ready."""
    found: dict[str, Any] = {
        "kind": kind,
        "operation": operation,
        "exception": type(error).__name__ if error is not None else "",
        "message": (message or (str(error) if error is not None else ""))[:300],
        "location": "?",
        "function": "?",
        "trace": [],
    }
    if error is not None:
        found.update(where(error.__traceback__))
    return found


def output_problem(text: str, *, is_json: bool, stdout: bool = True) -> str | None:
    """What makes a command's output unsafe to print, or None.

    Standard output is strict UTF-8 in a UTF-8 locale (a lone surrogate raises when printed);
    standard error escapes what it cannot encode, so only its control characters count.
    """
    if stdout:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            return f"text UTF-8 cannot encode ({error.reason} at {error.start}): printing it raises"
    for index, char in enumerate(text):
        if char not in _ALLOWED_CONTROL and unicodedata.category(char) == "Cc":
            return f"a raw control character {char!r} at {index}"
    if is_json and text.strip():

        def refuse(constant: str) -> Any:
            raise ValueError(f"{constant} is not JSON")

        try:
            json.loads(text, parse_constant=refuse)
        except ValueError as error:
            return f"not strict JSON: {error}"
    return None


def _fault(problem: str) -> str:
    """The kind of an output problem, without the detail: one cause, one signature."""
    for fault in ("a raw control character", "text UTF-8 cannot encode", "not strict JSON"):
        if problem.startswith(fault):
            return fault
    return problem


# --------------------------------------------------------------------------- the checks


class Reading:
    """The read commands on one image, as the CLI runs them, in this process."""

    def __init__(self, image: Path, reference: Path, scratch: Path, image_size: int) -> None:
        self.image = image
        self.reference = reference
        self.scratch = scratch
        self.image_size = image_size
        self.exits: dict[str, int | None] = {}
        self.findings: list[dict[str, Any]] = []

    def run(self) -> None:
        actions: dict[str, Callable[[], int]] = {
            "inspect": self._inspect,
            "extract": self._extract,
            "diff": self._diff,
        }
        signal.alarm(HANG_SECONDS)
        try:
            for operation, action in actions.items():
                self._one(operation, action)
                if any(needs_restart(found) for found in self.findings):
                    break
        finally:
            signal.alarm(0)
            shutil.rmtree(self.scratch, ignore_errors=True)

    def _one(self, operation: str, action: Callable[[], int]) -> None:
        from configdrive.errors import ConfigDriveError

        code: int | None = None
        # This process keeps what earlier examples left; a command counts from here.
        resident = reset_peak()
        try:
            try:
                code = action()
            except ConfigDriveError as error:
                # The CLI prints the error through the reporter: that output is checked too.
                code = int(error.exit_code)
                failure = error
                self._render(operation, lambda reporter: reporter.failed(failure))
                if code not in (0, 1):
                    self._found("exit-code", operation, error, f"exit {code}: {error}")
        except Hang as error:
            self._found("hang", operation, error)
        except MemoryError as error:
            self._found("memory", operation, error, "MemoryError under the address-space cap")
        except OSError as error:
            # The CLI reports these as exit 3 (an I/O failure on our side), not a traceback;
            # on a mutated image they are a bad input told wrongly.
            self._found("exit-code", operation, error, f"exit 3 ({type(error).__name__}): {error}")
        except Exception as error:
            self._found("crash", operation, error)
        self.exits[operation] = code
        rss = COMMAND_BASELINE + peak_rss() - resident
        if rss > PEAK_RSS and not any(f["kind"] == "memory" for f in self.findings):
            message = f"peak RSS about {rss >> 20} MiB, over {PEAK_RSS >> 20} MiB"
            found = finding("memory", operation, None, message)
            found["location"], found["function"] = operation, "peak RSS"
            self.findings.append(found)

    def _found(
        self, kind: str, operation: str, error: BaseException | None, message: str = ""
    ) -> None:
        self.findings.append(finding(kind, operation, error, message))

    def _render(self, operation: str, report: Callable[[Any], None]) -> None:
        """The report in both forms, checked as a terminal and a JSON reader would."""
        from configdrive.cli.report import JsonReporter, Reporter, TextReporter

        for is_json in (False, True):
            out, err = io.StringIO(), io.StringIO()
            outcome = "nothing was written" if operation == "extract" else ""
            reporter: Reporter = (
                JsonReporter(out=out, err=err)
                if is_json
                else TextReporter(outcome=outcome, out=out, err=err)
            )
            report(reporter)
            for stream, text in (("stdout", out.getvalue()), ("stderr", err.getvalue())):
                is_stdout = stream == "stdout"
                problem = output_problem(text, is_json=is_json and is_stdout, stdout=is_stdout)
                if problem is not None:
                    kind = "json" if is_json and problem.startswith("not strict") else "terminal"
                    form = "--json" if is_json else "text"
                    found = finding(kind, operation, None, f"{form} {stream}: {problem}")
                    # No traceback to place it: the form, the stream and the fault do (one
                    # cause shows in every command; the summary lists which).
                    found["location"] = f"{form} {stream}"
                    found["function"] = _fault(problem)
                    self.findings.append(found)

    def _inspect(self) -> int:
        from configdrive.drives.inspection import inspect_drive

        result = inspect_drive(self.image)
        self._render("inspect", lambda reporter: reporter.inspected(result))
        return 0 if result.ok else 1

    def _extract(self) -> int:
        from configdrive.drives.extract import extract_drive

        self.scratch.mkdir(parents=True, exist_ok=True)
        target = self.scratch / "out"
        try:
            result = extract_drive(self.image, target)
        except BaseException:
            self._check_written("after refusing", allowed=0)
            raise
        budget = EXTRACT_FACTOR * self.image_size + EXTRACT_SLACK
        self._check_written("", allowed=budget)
        self._render("extract", lambda reporter: reporter.extracted(result))
        return 0 if result.ok else 1

    def _check_written(self, when: str, *, allowed: int) -> None:
        written, files = 0, 0
        for folder, _, names in os.walk(self.scratch):
            for name in names:
                written += (Path(folder) / name).lstat().st_size
                files += 1
        if written > allowed or (allowed == 0 and files):
            what = f"{files} files, {written:,} bytes"
            message = (
                f"extract left {what} behind {when}"
                if allowed == 0
                else f"extract wrote {what} from a {self.image_size:,}-byte image"
                f" (bound {allowed:,})"
            )
            found = finding("disk", "extract", None, message)
            found["location"], found["function"] = "extract", "written" if allowed else "left"
            self.findings.append(found)

    def _diff(self) -> int:
        from configdrive.drives.diff import diff_drives

        result = diff_drives(self.reference, self.image)
        self._render("diff", lambda reporter: reporter.diffed(result))
        return 1 if result.differs else 0


def answer(request: dict[str, Any]) -> dict[str, Any]:
    """Read one image; what each command ended with, and the findings."""
    reading = Reading(
        Path(request["image"]),
        Path(request["reference"]),
        Path(request["scratch"]),
        int(request["image_size"]),
    )
    reading.run()
    restart = any(needs_restart(found) for found in reading.findings)
    return {
        "exits": reading.exits,
        "findings": reading.findings,
        "peak_rss": peak_rss(),
        "restart": restart,
    }


def main() -> int:
    # Everything a read imports is imported before the caps: the budgets are the reads'.

    limit_resources()
    sys.setrecursionlimit(1000)  # the CLI's default, whatever a test runner set
    print(json.dumps({"ready": True, "peak_rss": peak_rss()}), flush=True)
    for line in sys.stdin:
        print(json.dumps(answer(json.loads(line))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
