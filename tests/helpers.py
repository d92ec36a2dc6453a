"""The project's folders, fixture discovery, and a way to run the real command line."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
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
