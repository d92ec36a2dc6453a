"""What udev (blkid), isoinfo and xorriso see in every fixture's drive."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .conftest import extract, isoinfo_paths, run, tree_files, tree_paths, xorriso_files

if TYPE_CHECKING:
    from .conftest import Drives

pytestmark = pytest.mark.interop


def test_blkid_sees_an_iso9660_labelled_config_2(drives: Drives, case: str) -> None:
    output = run(["blkid", "-p", drives.built(case).iso]).stdout.decode()
    # Exactly `config-2`: CoreOS and Afterburn find the drive by the lower-case label.
    assert 'LABEL="config-2"' in output
    assert 'TYPE="iso9660"' in output
    assert 'USAGE="filesystem"' in output


def test_isoinfo_sees_the_label_rock_ridge_and_joliet(drives: Drives, case: str) -> None:
    output = run(["isoinfo", "-d", "-i", drives.built(case).iso]).stdout.decode()
    lines = [line.strip() for line in output.splitlines()]
    assert "Volume id: config-2" in lines
    assert "Rock Ridge signatures" in output
    assert "Joliet" in output


def test_rock_ridge_and_joliet_trees_list_the_same_files(drives: Drives, case: str) -> None:
    iso = drives.built(case).iso
    rock_ridge = xorriso_files(iso)
    joliet = xorriso_files(iso, joliet=True)
    # Real names, not ISO9660 ones (OPENSTACK/LATEST/META_DATA.JSO;1): both trees were read.
    assert "/openstack/latest/meta_data.json" in rock_ridge
    assert rock_ridge == joliet
    # isoinfo reads each tree on its own; with folders, it must agree with the extraction.
    extracted = tree_paths(drives.extracted(case))
    assert isoinfo_paths(iso, "-R") == extracted
    assert isoinfo_paths(iso, "-J") == extracted


def test_rock_ridge_and_joliet_trees_hold_the_same_bytes(
    drives: Drives, case: str, tmp_path: Path
) -> None:
    rock_ridge = tree_files(drives.extracted(case))
    joliet = tree_files(extract(drives.built(case).iso, tmp_path / "joliet", joliet=True))
    assert rock_ridge
    assert joliet == rock_ridge
