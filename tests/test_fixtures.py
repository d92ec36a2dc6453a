"""Every fixture, through the real command line: valid ones build, invalid ones say exactly why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import INVALID, VALID, case_args, cases, run_cli


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


@pytest.mark.parametrize("case", cases(INVALID))
def test_invalid_fixture_is_rejected_exactly(case: str, tmp_path: Path) -> None:
    folder = INVALID / case
    output = tmp_path / "drive.iso"
    result = run_cli("build", *case_args(folder), "-o", output, cwd=folder)
    expected_code = (
        int((folder / "exit-code").read_text()) if (folder / "exit-code").exists() else 1
    )
    assert result.returncode == expected_code
    assert result.stderr == (folder / "expected").read_text()
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == [], "nothing may be written for invalid input"


@pytest.mark.parametrize("case", cases(INVALID))
def test_invalid_fixture_as_json(case: str, tmp_path: Path) -> None:
    folder = INVALID / case
    result = run_cli("build", *case_args(folder), "-o", tmp_path / "d.iso", "--json", cwd=folder)
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["exit_code"] == result.returncode
    expected_lines = (folder / "expected").read_text().splitlines()[:-1]
    assert len(document["problems"]) == len(expected_lines)
    for problem in document["problems"]:
        assert {"file", "line", "column", "path", "severity", "message"} <= problem.keys()
