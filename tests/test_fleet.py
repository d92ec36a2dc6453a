"""build-many: every machine gets its drive, in parallel; one invalid machine stops no other."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from configdrive.errors import ExitCode
from configdrive.inputs.fleet import Outcome, build_fleet, fleet_exit_code, load_fleet
from tests.helpers import FIXTURES, run_cli

USER_DATA = "#cloud-config\npackages: [nginx]\n"


def write_fleet(folder: Path, count: int, *, invalid: int | None = None) -> Path:
    (folder / "user.yml").write_text(USER_DATA)
    lines = ["machines:"]
    for index in range(count):
        hostname = "not a host" if index == invalid else f"web-{index}.example.com"
        lines.append(f"  - {{name: web-{index}, hostname: '{hostname}', user_data_file: user.yml}}")
    fleet = folder / "fleet.yml"
    fleet.write_text("\n".join(lines) + "\n")
    return fleet


def test_two_hundred_machines_one_invalid(tmp_path: Path) -> None:
    fleet = write_fleet(tmp_path, 200, invalid=137)
    out = tmp_path / "drives"
    result = run_cli("build-many", fleet, "--out-dir", out, "--json")
    assert result.returncode == 1, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 200
    failed = [line for line in lines if not line["ok"]]
    assert [line["machine"] for line in failed] == ["web-137"]
    (problem,) = failed[0]["problems"]
    assert problem["file"] == str(fleet)
    assert (problem["line"], problem["path"]) == (139, "machines[137].hostname")
    assert "is not an RFC 1123 host name" in problem["message"]
    built = sorted(path.name for path in out.iterdir())
    assert len(built) == 199
    assert "web-137.iso" not in built
    assert {line["hostname"] for line in lines if line["ok"]} == {
        f"web-{index}.example.com" for index in range(200) if index != 137
    }


def test_text_output_names_the_failure_and_counts(tmp_path: Path) -> None:
    fleet = write_fleet(tmp_path, 3, invalid=1)
    result = run_cli("build-many", fleet, "--out-dir", tmp_path / "drives")
    assert result.returncode == 1
    assert f"{fleet}:3:" in result.stderr
    assert "mkconfigdrive: web-1: 1 error; no drive was written" in result.stderr
    assert result.stdout.strip().endswith("Built 2 of 3 drives in " + str(tmp_path / "drives")
                                          + "; 1 failed: web-1")  # fmt: skip


def test_all_built_exits_zero_and_the_drives_match_single_builds(tmp_path: Path) -> None:
    fleet = write_fleet(tmp_path, 4)
    result = run_cli("build-many", fleet, "--out-dir", tmp_path / "drives", "-q")
    assert result.returncode == 0, result.stderr
    single = tmp_path / "single.iso"
    run_cli("build", tmp_path / "user.yml", "--hostname", "web-2.example.com", "--name", "web-2",
            "-o", single)  # fmt: skip
    assert (tmp_path / "drives" / "web-2.iso").read_bytes() == single.read_bytes()


def test_parallel_and_serial_builds_are_identical(tmp_path: Path) -> None:
    machines = load_fleet(write_fleet(tmp_path, 6))
    serial = build_fleet(machines, tmp_path / "serial", jobs=1)
    parallel = build_fleet(machines, tmp_path / "parallel", jobs=2)
    assert [o.name for o in serial] == [o.name for o in parallel]  # the fleet's order
    for name in (f"web-{index}.iso" for index in range(6)):
        assert (tmp_path / "serial" / name).read_bytes() == (
            tmp_path / "parallel" / name
        ).read_bytes()


def test_a_folder_of_machine_files_is_a_fleet(tmp_path: Path) -> None:
    machines = load_fleet(FIXTURES / "machines")
    assert {machine.name for machine in machines} == {"web-1", "fleet"}
    outcomes = {o.name: o for o in build_fleet(machines, tmp_path, jobs=1)}
    assert outcomes["web-1"].ok
    # fleet.yml is not a machine file: its keys are reported, and web-1 is still built.
    assert not outcomes["fleet"].ok
    assert any("unknown key" in p.message for p in outcomes["fleet"].problems)


def test_the_fixture_fleet_builds_every_layout_and_format(tmp_path: Path) -> None:
    outcomes = build_fleet(load_fleet(FIXTURES / "machines" / "fleet.yml"), tmp_path, jobs=1)
    assert all(o.ok for o in outcomes), [o.to_json() for o in outcomes if not o.ok]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "web-1.iso", "web-2.iso", "web-3.iso", "web-4.img",
    ]  # fmt: skip
    labels = {o.name: o.summary["label"] for o in outcomes}
    assert labels["web-3"] == "cidata"


def test_two_machines_for_one_output_and_an_escape_are_refused(tmp_path: Path) -> None:
    (tmp_path / "fleet.yml").write_text(
        "machines:\n"
        "  - {name: a, output: same.iso}\n"
        "  - {name: b, output: same.iso}\n"
        "  - {name: c, output: ../outside.iso}\n"
    )
    outcomes = build_fleet(load_fleet(tmp_path / "fleet.yml"), tmp_path / "out", jobs=1)
    assert [o.ok for o in outcomes] == [True, False, False]
    assert "a writes" in outcomes[1].message
    assert "outside the output folder" in outcomes[2].message
    assert not (tmp_path / "outside.iso").exists()


@pytest.mark.parametrize(
    ("codes", "expected"),
    [([0, 0], 0), ([0, 1], 1), ([1, 3], 3), ([3, 70, 1], 70), ([2, 1], 2)],
)
def test_the_exit_code_is_the_most_serious_failure(codes: list[int], expected: int) -> None:
    outcomes = [Outcome(f"m{i}", None, code) for i, code in enumerate(codes)]
    assert fleet_exit_code(outcomes) == expected


def test_an_unreadable_fleet_is_one_error(tmp_path: Path) -> None:
    result = run_cli("build-many", tmp_path / "missing.yml", "--out-dir", tmp_path / "d")
    assert result.returncode == ExitCode.INVALID_INPUT
    assert "cannot read fleet" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("jobs", "workers"), [(0, 2), (1, 2), (7, 2), (200, 2), (1000, 8)])
def test_jobs_go_to_workers_in_batches_that_cover_each_job_once(jobs: int, workers: int) -> None:
    from configdrive.inputs.fleet import _BATCH_TARGET, _batches

    runnable: list[Any] = [(index, f"job-{index}") for index in range(jobs)]
    batches = _batches(runnable, workers)
    assert [item for batch in batches for item in batch] == runnable
    assert all(1 <= len(batch) <= _BATCH_TARGET for batch in batches)
    if jobs >= workers * 4:
        assert len(batches) >= workers * 4  # every worker stays busy to the end
