"""The hostile corpus (issue 12): drives, downloads and inputs nobody here made, through the CLI.

Every case in fixtures/hostile/ is a folder:

    about        `<class>: <what it is>`; the class is one of CLASSES
    args         the command line after `mkconfigdrive`, run in a fresh copy of the case
    expected     the exact standard error
    exit-code    the exit code, when it is not 1
    make.py      optional: run first in the copy (repository on PYTHONPATH) to write inputs
                 too large to commit (sparse where it can), deterministically
    mirror.py    optional: `python mirror.py PORTFILE` serves a hostile release mirror on
                 127.0.0.1; `{mirror}` in args becomes its URL, and its URL in the
                 output becomes `{mirror}` (as `expected` spells it)
    lacks        optional: strings (Python escapes allowed) that must appear in no output
    max-written  optional: the most bytes the command may leave in `out/` (default 0)

The command must end with its exit code and exact message, without a traceback, within
256 MiB of its own peak memory (the issue's budget for any read command) and within a bound
on the bytes it reads; only `out/` may change. Its output must be safe to print: no control
character but newline and tab, and strict JSON (no NaN) under `--json`. Time is bounded by
work, not measured: a command still running after HANG_GUARD seconds has hung, and fails.
"""

from __future__ import annotations

import codecs
import dataclasses
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, ROOT, Measured, case_exit_code, run_measured

HOSTILE = FIXTURES / "hostile"
MiB = 1024 * 1024
MEMORY_LIMIT = 256 * MiB
# Reads beyond the interpreter's start-up (about 5 MiB): the largest input a read command is
# promised to handle (64 MiB) read four times over is still a bound, where a loop is not.
READ_LIMIT = 4 * 64 * MiB + 16 * MiB
HANG_GUARD = 60.0
CLASSES = {
    "crash",
    "hang",
    "memory",
    "disk",
    "leak",
    "terminal",
    "json",
    "build",
    "download",
}
_SAFE_CONTROLS = {"\n", "\t"}


def corpus() -> list[str]:
    """Every case of the corpus (a folder with `args`)."""
    if not HOSTILE.is_dir():
        return []
    return sorted(path.name for path in HOSTILE.iterdir() if (path / "args").is_file())


def prepare(case: str, tmp_path: Path) -> Path:
    """A fresh copy of the case, its `out/` folder made and its `make.py` run."""
    folder = tmp_path / case
    shutil.copytree(HOSTILE / case, folder, symlinks=True)
    (folder / "out").mkdir()
    if (folder / "make.py").is_file():
        subprocess.run(
            [sys.executable, "make.py"],
            cwd=folder,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=True,
            timeout=HANG_GUARD,
        )
    return folder


@contextmanager
def mirror(folder: Path) -> Iterator[str | None]:
    """The case's hostile mirror, serving on loopback while the command runs."""
    script = folder / "mirror.py"
    if not script.is_file():
        yield None
        return
    port_file = folder / ".mirror-port"
    server = subprocess.Popen(
        [sys.executable, "mirror.py", str(port_file)],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
    )
    try:
        for _ in range(1200):  # a start-up guard of 60 s, not a timing assert
            if port_file.is_file() and port_file.read_text().strip():
                break
            if server.poll() is not None:
                raise AssertionError(f"mirror.py ended with {server.returncode}")
            time.sleep(0.05)
        port = port_file.read_text().strip()
        port_file.unlink()
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path outside `out/` with its mode and size (what `make.py` made included)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if relative.parts[0] == "out":
            continue
        info = path.lstat()
        found[str(relative)] = (info.st_mode, info.st_size)
    return found


def written(folder: Path) -> int:
    """The bytes of every regular file under `folder`, links not followed."""
    total = 0
    for path in folder.rglob("*"):
        info = path.lstat()
        if path.is_file() and not path.is_symlink():
            total += info.st_size
    return total


def run_case(case: str, tmp_path: Path) -> tuple[Path, Measured, dict[str, tuple[int, int]]]:
    folder = prepare(case, tmp_path)
    before = snapshot(folder)
    with mirror(folder) as url:
        text = (folder / "args").read_text()
        if url is not None:
            text = text.replace("{mirror}", url)
        command = [sys.executable, "-m", "configdrive", *shlex.split(text)]
        result = run_measured(command, cwd=folder, timeout=HANG_GUARD)
    if url is not None:  # messages name the mirror: `expected` spells its URL `{mirror}`
        result = dataclasses.replace(
            result,
            stdout=result.stdout.replace(url, "{mirror}"),
            stderr=result.stderr.replace(url, "{mirror}"),
        )
    return folder, result, before


def unsafe_characters(text: str) -> list[str]:
    """Characters a terminal would act on: controls (C0, DEL, C1) other than newline and tab."""
    return sorted(
        {
            repr(char)
            for char in text
            if char not in _SAFE_CONTROLS and (ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0)
        }
    )


def _strict_json(text: str) -> object:
    def refuse(constant: str) -> object:
        raise AssertionError(f"--json printed {constant}, which is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("case", corpus())
def test_hostile_case(case: str, tmp_path: Path) -> None:
    folder, result, before = run_case(case, tmp_path)
    assert result.returncode != -9, f"hung: still running after {HANG_GUARD:.0f} s"
    output = result.stdout + result.stderr
    assert "Traceback" not in output, result.stderr
    assert result.returncode == case_exit_code(HOSTILE / case), result.stderr
    assert result.stderr == (HOSTILE / case / "expected").read_text()
    assert result.peak_rss <= MEMORY_LIMIT, f"peaked at {result.peak_rss / MiB:.0f} MiB"
    assert result.bytes_read <= READ_LIMIT, f"read {result.bytes_read / MiB:.0f} MiB"
    assert unsafe_characters(output) == []
    if "--json" in shlex.split((HOSTILE / case / "args").read_text()):
        _strict_json(result.stdout)
    lacks = HOSTILE / case / "lacks"
    if lacks.is_file():
        for line in lacks.read_text().splitlines():
            secret = codecs.decode(line, "unicode_escape")
            if line:
                assert secret not in output, f"the output shows {line!r}"
    assert snapshot(folder) == before, "something outside out/ changed"
    limit_file = HOSTILE / case / "max-written"
    limit = int(limit_file.read_text()) if limit_file.is_file() else 0
    assert written(folder / "out") <= limit


def test_every_case_says_what_it_is() -> None:
    """Each case names its class and carries an expected message; every class has cases."""
    seen = set()
    for case in corpus():
        about = (HOSTILE / case / "about").read_text().strip()
        kind, _, what = about.partition(": ")
        assert kind in CLASSES, f"{case}/about: {about!r}"
        assert what, f"{case}/about says what class, not what it is"
        assert (HOSTILE / case / "expected").is_file(), case
        seen.add(kind)
    assert seen == CLASSES, f"classes without a case: {sorted(CLASSES - seen)}"


def test_the_output_check_catches_escapes() -> None:
    """The check itself: an OSC title sequence and a bare ESC are caught, text is not."""
    assert unsafe_characters("drive.iso: ok\n\tname ü\n") == []
    assert unsafe_characters("\x1b]0;pwned\x07") == ["'\\x07'", "'\\x1b'"]
    assert unsafe_characters("\x9b2J") == ["'\\x9b'"]
