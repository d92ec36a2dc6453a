"""The same inputs give the same bytes: whatever the time, the time zone and the machine's clock.

The first build of each fixture (shared with the other interop modules) runs with
TZ=Asia/Kolkata; the second at least 1.1 s later with TZ=America/Los_Angeles, so a date taken
from the clock or written in local time would change the image.
"""

from __future__ import annotations

import calendar
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .conftest import CASES, SECOND_TZ, pvd_info, run

if TYPE_CHECKING:
    from .conftest import Drives

pytestmark = pytest.mark.interop

SOURCE_DATE_EPOCH = 1_700_000_000  # 2023-11-14 22:13:20 UTC
SOURCE_DATE_PVD = "2023111422132000"  # YYYYMMDDhhmmss + hundredths, as xorriso shows it
SOURCE_DATE_BLKID = 'UUID="2023-11-14-22-13-20-00"'  # blkid's ISO9660 "UUID" is the date


def pvd_epoch(value: str) -> int:
    """Seconds since 1970 of a PVD date as xorriso prints it (UTC digits)."""
    return calendar.timegm(time.strptime(value[:14], "%Y%m%d%H%M%S"))


def mtimes(folder: Path) -> set[int]:
    """The distinct modification times (whole seconds) of everything under `folder`."""
    return {int(path.stat().st_mtime) for path in [folder, *folder.rglob("*")]}


@pytest.fixture(scope="module", autouse=True)
def first_builds(drives: Drives) -> None:
    """Every case's first builds, made together: a rebuild then waits for no clock but its own.

    (Each rebuild comes SECOND_BUILD_DELAY after its first build; made one by one, every
    test would sleep that long.)
    """
    for case in CASES:
        drives.built(case)
        drives.built(case, source_date_epoch=SOURCE_DATE_EPOCH)


def test_build_is_identical_at_another_time_in_another_zone(
    drives: Drives, case: str, tmp_path: Path
) -> None:
    first = drives.built(case)
    second_iso = tmp_path / "again.iso"
    summary = first.rebuild(second_iso, tz=SECOND_TZ)
    assert summary["uuid"] == first.summary["uuid"]
    assert second_iso.read_bytes() == first.iso.read_bytes()


def test_default_build_has_one_fixed_date(drives: Drives, case: str) -> None:
    info = pvd_info(drives.built(case).iso)
    assert info["Creation Time"] == info["Modif. Time"]
    date = pvd_epoch(info["Creation Time"])
    assert date < time.time() - 86_400 * 365, "the default date must not come from the clock"
    # Every file and folder carries the volume's date (Rock Ridge times, as extracted).
    assert mtimes(drives.extracted(case)) == {date}


def test_source_date_epoch_dates_everything(drives: Drives, case: str) -> None:
    dated = drives.built(case, source_date_epoch=SOURCE_DATE_EPOCH)
    assert dated.iso.read_bytes() != drives.built(case).iso.read_bytes()
    info = pvd_info(dated.iso)
    assert info["Creation Time"] == SOURCE_DATE_PVD
    assert info["Modif. Time"] == SOURCE_DATE_PVD
    assert SOURCE_DATE_BLKID in run(["blkid", "-p", dated.iso]).stdout.decode()
    tree = drives.extracted(case, source_date_epoch=SOURCE_DATE_EPOCH)
    assert mtimes(tree) == {SOURCE_DATE_EPOCH}


def test_source_date_epoch_build_is_identical_at_another_time_in_another_zone(
    drives: Drives, case: str, tmp_path: Path
) -> None:
    first = drives.built(case, source_date_epoch=SOURCE_DATE_EPOCH)
    second_iso = tmp_path / "again.iso"
    first.rebuild(second_iso, tz=SECOND_TZ)
    assert second_iso.read_bytes() == first.iso.read_bytes()
