"""What every boot test shares: the guest (built once a session, cached between runs) and
the boot times, printed at the end of the session (pytest -s, or the captured output) and
kept in .cache/boot/times.txt."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from configdrive.trial.run import TrialResult
from tests.boot import vm
from tests.boot.guest import CACHE, Guest, guest

# try's --timeout in the boot tests: a safety net for a slow shared machine, never asserted.
TRY_TIMEOUT = "1500"
# Boot name -> seconds, in the order the boots ran.
TIMES: dict[str, float] = {}


@pytest.fixture(scope="session")
def booted_guest() -> Iterator[Guest]:
    built = guest()
    if built.build_seconds is not None:
        TIMES["guest build"] = built.build_seconds
    yield built
    lines = [f"{name}: {seconds:.0f} s" for name, seconds in TIMES.items()]
    text = "\n".join(lines) + "\n"
    print("\nboot test times:\n" + text)
    (CACHE / "times.txt").write_text(text)


def boot(name: str, booted: Guest, machine: vm.Machine, tmp_path: Path) -> dict[str, Any]:
    """Boot once; the guest's report (also kept as tmp_path/report.json), the time noted."""
    result = vm.boot(booted, machine, tmp_path / "vm")
    TIMES[name] = result.seconds
    (tmp_path / "report.json").write_text(json.dumps(result.report, indent=2))
    return result.report


def run_try(*args: str | Path) -> tuple[subprocess.CompletedProcess[str], TrialResult]:
    """`mkconfigdrive try ARGS --timeout TRY_TIMEOUT` as a user runs it (the CLI), and the
    TrialResult the command got: the real try_drive runs, a spy keeps what it returns, for
    what the JSON summary leaves out (file contents, every key)."""
    from configdrive.trial import run as trial_run
    from tests.helpers import run_cli

    results: list[TrialResult] = []
    real_try_drive = trial_run.try_drive

    def spy(*spied: Any, **options: Any) -> TrialResult:
        result = real_try_drive(*spied, **options)
        results.append(result)
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(trial_run, "try_drive", spy)
        done = run_cli("try", *args, "--timeout", TRY_TIMEOUT)
    assert len(results) == 1, done.stderr
    return done, results[0]


def explain(result: TrialResult) -> str:
    """try's checks and cloud-init's warnings, for an assertion's message."""
    lines = [f"{'ok' if c.ok else 'FAIL'} {c.what}: {c.applied} (asked {c.expected})"
             for c in result.checks]  # fmt: skip
    return "\n".join([*lines, "warnings:", *result.warnings])
