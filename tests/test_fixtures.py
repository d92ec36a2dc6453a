"""Every valid fixture builds through the real command line.

The invalid ones are the hostile-input catalogue: tests/test_hostile.py runs them, with
their setup, time and memory limits.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import VALID, case_args, cases, run_cli


@pytest.mark.parametrize("case", cases(VALID))
def test_valid_fixture_builds(case: str, tmp_path: Path) -> None:
    output = tmp_path / "drive.iso"
    result = run_cli("build", *case_args(VALID / case), "-o", output, "--json", cwd=VALID / case)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["ok"] is True
    assert summary["label"] == "config-2"
    assert output.stat().st_size == summary["size"]
    assert output.stat().st_mode & 0o777 == 0o600
    assert result.stderr == ""
