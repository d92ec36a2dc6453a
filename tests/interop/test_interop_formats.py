"""Every delivery format holds what the ISO holds, as the real tools see it.

`--format dir` is compared file by file with the ISO's Rock Ridge tree as xorriso
extracts it; `--format ironic` is decoded with coreutils' base64 and gzip back to
the ISO's exact bytes; cloud-init's own config-drive reader reads the folder.
Each format is also built twice, in two time zones more than a second apart, and
must come out byte for byte (or file for file) the same.
"""

from __future__ import annotations

import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .conftest import SECOND_BUILD_DELAY, SECOND_TZ, build, read_with_cloud_init, run, tree_files

if TYPE_CHECKING:
    from .conftest import Drives

pytestmark = pytest.mark.interop


def folder_snapshot(folder: Path) -> dict[str, Any]:
    """Names, contents, modes and times of everything in a folder, for exact comparison."""
    snapshot: dict[str, Any] = {}
    for path in sorted([folder, *folder.rglob("*")]):
        info = path.lstat()
        content = path.read_bytes() if path.is_file() else None
        snapshot[path.relative_to(folder).as_posix()] = (
            stat.S_IFMT(info.st_mode),
            stat.S_IMODE(info.st_mode),
            int(info.st_mtime),
            content,
        )
    return snapshot


def test_dir_format_holds_the_isos_files(drives: Drives, case: str, tmp_path: Path) -> None:
    built = drives.built(case)
    folder = tmp_path / "drive"
    summary = build(built.inputs.folder, [*built.inputs.args, "--format", "dir"], folder)
    assert summary["format"] == "dir"
    assert summary["uuid"] == built.summary["uuid"]
    assert tree_files(folder) == tree_files(drives.extracted(case))


def test_cloud_init_reads_the_dir_format_as_it_reads_the_iso(
    drives: Drives, case: str, tmp_path: Path
) -> None:
    built = drives.built(case)
    folder = tmp_path / "seed"
    build(built.inputs.folder, [*built.inputs.args, "--format", "dir"], folder)
    assert read_with_cloud_init(folder) == drives.cloud_init(case)


def test_ironic_format_decodes_to_the_iso(drives: Drives, case: str, tmp_path: Path) -> None:
    built = drives.built(case)
    encoded = tmp_path / "configdrive.b64"
    summary = build(built.inputs.folder, [*built.inputs.args, "--format", "ironic"], encoded)
    assert summary["format"] == "ironic"
    gzipped = run(["base64", "-d", encoded]).stdout
    assert run(["gzip", "-d", "-c"], stdin=gzipped).stdout == built.iso.read_bytes()
    # Ironic takes the text as a JSON string: one line of the base64 alphabet.
    text = encoded.read_bytes()
    assert b"\n" not in text
    assert set(text) <= set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


FORMATS = ["vfat", "ironic", "dir"]


class FirstBuilds:
    """Each case's first build in every format, made together when the case is first asked for.

    The second build must come SECOND_BUILD_DELAY after the first; building a case's formats
    together lets the later ones' wait pass while the others build, instead of sleeping each.
    """

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self._made: dict[tuple[str, str], tuple[Path, float]] = {}

    def __call__(self, drives: Drives, case: str, output_format: str) -> Path:
        if (case, output_format) not in self._made:
            inputs = drives.built(case).inputs
            for each in FORMATS:
                first = self._factory.mktemp(f"{case}-{each}") / "first"
                build(inputs.folder, [*inputs.args, "--format", each], first)
                self._made[case, each] = first, time.time()
        first, finished_at = self._made[case, output_format]
        # The clock moves on to another second.
        time.sleep(max(0.0, finished_at + SECOND_BUILD_DELAY - time.time()))
        return first


@pytest.fixture(scope="module")
def first_builds(tmp_path_factory: pytest.TempPathFactory) -> FirstBuilds:
    return FirstBuilds(tmp_path_factory)


@pytest.mark.parametrize("output_format", FORMATS)
def test_format_is_reproducible_across_time_and_zones(
    drives: Drives, first_builds: FirstBuilds, case: str, output_format: str, tmp_path: Path
) -> None:
    inputs = drives.built(case).inputs
    args = [*inputs.args, "--format", output_format]
    first, second = first_builds(drives, case, output_format), tmp_path / "second"
    build(inputs.folder, args, second, tz=SECOND_TZ)
    if output_format == "dir":
        assert folder_snapshot(first) == folder_snapshot(second)
    else:
        assert first.read_bytes() == second.read_bytes()
