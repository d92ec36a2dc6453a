"""What every boot test shares: the guest (built once a session, cached between runs) and
the boot times, printed at the end of the session (pytest -s, or the captured output) and
kept in .cache/boot/times.txt."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.boot import vm
from tests.boot.guest import CACHE, Guest, guest

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
