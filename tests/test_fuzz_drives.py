"""Any mutated drive is read or refused: exit 0 or 1, no other exception, within the budgets.

The short, derandomized profile of the drive fuzzer (tests/fuzz_drives.py; the long one is
bench/fuzz-drives). Seeds are real drives made here: ours, genisoimage's, xorriso's,
cloud-localds' ISO and vfat, mkfs.vfat's FAT16 and FAT32. Every example is read by a
separate capped process (tests/fuzz_worker.py), so a runaway read fails as a finding
instead of taking the test run with it. tests/fuzz_regressions/ holds what the long runs
found, each replayed through the same property.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configdrive.drives.drive import printable
from configdrive.drives.extract import default_max_bytes
from tests.fuzz_drives import (
    CI_EXAMPLES,
    SEED_NAMES,
    Case,
    Field,
    Op,
    Report,
    Seeds,
    Worker,
    apply,
    cases,
    encode,
    iter_regressions,
    map_seed,
)
from tests.fuzz_worker import EXTRACT_FACTOR, EXTRACT_SLACK, finding, output_problem

FUZZ_CI = settings.get_profile("mkconfigdrive-fuzz-drives-ci")


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Seeds:
    return Seeds(tmp_path_factory.mktemp("fuzz-seeds"))


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    with Worker(tmp_path_factory.mktemp("fuzz-worker")) as started:
        yield started


def _explain(case: Case, report: Report) -> str:
    return "\n".join([*case.describe(), report.describe()])


# --------------------------------------------------------------------------- the property


@FUZZ_CI
@given(data=st.data())
def test_a_mutated_drive_is_read_or_refused_within_the_budgets(
    seeds: Seeds, worker: Worker, data: st.DataObject
) -> None:
    case = data.draw(cases(seeds.maps), label="case")
    report = seeds.run(worker, case)
    assert not report.findings, _explain(case, report)
    assert set(report.exits) == {"inspect", "extract", "diff"}
    assert set(report.exits.values()) <= {0, 1}


@pytest.mark.parametrize("path", list(iter_regressions()), ids=lambda path: path.stem)
def test_what_the_long_runs_found_stays_fixed(seeds: Seeds, worker: Worker, path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    image = gzip.decompress(path.with_suffix(".img.gz").read_bytes())
    case = Case.from_json(document["case"])
    # The committed image is the reproducer; the case says how it was made from its seed.
    report = worker.check(image, seeds.paths[case.seed], document["image_size"])
    assert not report.findings, _explain(case, report)
    assert set(report.exits.values()) <= {0, 1}


# --------------------------------------------------------------------------- the harness


def test_the_ci_profile_is_short_and_derandomized() -> None:
    assert FUZZ_CI.max_examples == CI_EXAMPLES <= 200
    assert FUZZ_CI.derandomize


def test_every_seed_is_read_cleanly(seeds: Seeds, worker: Worker) -> None:
    """Unmutated, each seed is accepted: a finding on a mutation is the mutation's doing."""
    assert sorted(seeds.paths) == sorted(SEED_NAMES)
    for name in SEED_NAMES:
        report = seeds.run(worker, Case(name, ()))
        assert report.exits == {"inspect": 0, "extract": 0, "diff": 0}, name
        assert not report.findings, _explain(Case(name, ()), report)


def test_a_file_that_is_no_drive_is_refused(seeds: Seeds, worker: Worker) -> None:
    report = worker.check(b"not a drive\n" * 100, seeds.paths["ours-config-2.iso"], 1200)
    assert report.exits == {"inspect": 1, "extract": 1, "diff": 1}
    assert not report.findings


def test_the_maps_find_the_structures(seeds: Seeds) -> None:
    for name, seed_map in seeds.maps.items():
        roles = {f.role for f in seed_map.fields}
        where = " ".join(f.where for f in seed_map.fields)
        if seed_map.format == "iso9660":
            assert {"dir-block", "file-block", "bytes", "sig", "name"} <= roles, name
            assert "user-data" in where or "user_data" in where, name
            assert any("system use area" in region.what for region in seed_map.regions), name
        else:
            assert {"fat", "cluster", "attr", "bytes", "name"} <= roles, name
            assert any(region.what.startswith("FAT 1") for region in seed_map.regions), name
        assert seed_map.files, name


def test_a_field_edit_changes_that_field_and_nothing_else(seeds: Seeds) -> None:
    data = seeds.data["genisoimage-config-2.iso"]
    extent = next(
        f for f in seeds.maps["genisoimage-config-2.iso"].fields if f.role == "file-block"
    )
    buffer = bytearray(data)
    apply(buffer, Op("write", extent.offset, encode(extent, 0x01020304)))
    changed = [index for index in range(len(data)) if buffer[index] != data[index]]
    assert changed
    assert extent.offset <= min(changed) <= max(changed) < extent.offset + 8
    assert bytes(buffer[extent.offset : extent.offset + 8]) == bytes.fromhex("0403020101020304")
    again = {f.offset: f.value for f in map_seed("again", bytes(buffer)).fields}
    assert again[extent.offset] == 0x01020304


def test_a_fat12_edit_keeps_the_neighbouring_entry() -> None:
    buffer = bytearray(bytes.fromhex("ffffff"))  # clusters 0 and 1, packed
    apply(buffer, Op("fat12", 1, b"odd", 0x123))  # cluster 1: the high 12 bits of bytes 1-2
    apply(buffer, Op("fat12", 0, b"even", 0xABC))  # cluster 0: the low 12 bits of bytes 0-1
    assert bytes(buffer) == bytes.fromhex("bc3a12")
    assert encode(Field(0, "both16", "count", ""), 0x10203) == bytes.fromhex("03020203")


def test_the_extract_bound_is_no_stricter_than_extracts_own_budget() -> None:
    """The property's bound is checked on its own, but must allow what extract promises."""
    for size in (0, 69_632, 1 << 20, 34_611_200, 256 << 20):
        assert default_max_bytes(size) <= EXTRACT_FACTOR * size + EXTRACT_SLACK


def test_a_case_replays_from_its_json(seeds: Seeds) -> None:
    case = Case("ours-nocloud.iso", (Op("flip", 40000, value=4, note="a flip"),), "gzip+base64")
    again = Case.from_json(json.loads(json.dumps(case.to_json())))
    assert again == case
    assert again.image(seeds.data[case.seed]) == case.image(seeds.data[case.seed])


def test_a_finding_says_which_function_of_ours_failed() -> None:
    try:
        printable(None)  # type: ignore[arg-type]  # a real TypeError from our own code
    except TypeError as error:
        found = finding("crash", "inspect", error)
    assert found["exception"] == "TypeError"
    assert found["location"].startswith("configdrive/drives/drive.py:")
    assert found["function"] == "printable"
    assert Report.signature(found) == "crash TypeError configdrive/drives/drive.py:printable"


@pytest.mark.parametrize(
    ("text", "is_json", "unsafe"),
    [
        ("drive.iso: 2 files\n\tok\n", False, False),
        ("a name \x1b]0;owned\x07\n", False, True),
        ("a lone surrogate \udcff\n", False, True),
        ('{"size": NaN}', True, True),
        ('{"size": 1e999}', True, False),
        ('{"name": "\\u001b"}', True, False),
    ],
)
def test_output_that_is_unsafe_to_print_is_a_finding(
    text: str, is_json: bool, unsafe: bool
) -> None:
    assert (output_problem(text, is_json=is_json) is not None) is unsafe
