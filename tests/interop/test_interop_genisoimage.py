"""Our drives against what Nova makes of the same tree with genisoimage.

Nova (nova/virt/configdrive.py) writes its tree to a folder and runs genisoimage with the
flags below; readers have seen such drives for a decade. Ours must hold the same names and
bytes, in both the Rock Ridge and the Joliet tree, and take no more space.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .conftest import (
    extract,
    run,
    tree_files,
    tree_paths,
    xorriso_extents,
    xorriso_files,
)

if TYPE_CHECKING:
    from .conftest import Drives

pytestmark = pytest.mark.interop

NOVA_FLAGS = [
    "-ldots", "-allow-lowercase", "-allow-multidot", "-l",
    "-publisher", "OpenStack Nova", "-quiet", "-J", "-r", "-V", "config-2",
]  # fmt: skip


def nova_drive(tree: Path, output: Path) -> Path:
    """The drive genisoimage makes of `tree` with Nova's flags."""
    run(["genisoimage", "-o", output, *NOVA_FLAGS, tree])
    return output


def modes(folder: Path) -> dict[str, int]:
    """Permission bits of every file and folder under `folder`."""
    return {
        path.relative_to(folder).as_posix(): stat.S_IMODE(path.stat().st_mode)
        for path in folder.rglob("*")
    }


def test_genisoimage_drive_holds_the_same_tree(drives: Drives, case: str, tmp_path: Path) -> None:
    ours = drives.extracted(case)
    nova_iso = nova_drive(ours, tmp_path / "nova.iso")
    nova = extract(nova_iso, tmp_path / "nova")
    assert tree_paths(nova) == tree_paths(ours)
    assert tree_files(nova) == tree_files(ours)
    # genisoimage -r makes everything world-readable and nothing writable; so must we.
    assert modes(nova) == modes(ours)
    # Joliet (what Windows readers such as cloudbase-init show) gets the same names too.
    iso = drives.built(case).iso
    assert xorriso_files(iso, joliet=True) == xorriso_files(nova_iso, joliet=True)


def test_our_drive_is_no_larger_than_genisoimages(
    drives: Drives, case: str, tmp_path: Path
) -> None:
    nova_iso = nova_drive(drives.extracted(case), tmp_path / "nova.iso")
    ours = drives.built(case).iso.stat().st_size
    assert ours == drives.built(case).summary["size"]
    assert ours <= nova_iso.stat().st_size


def test_identical_files_are_stored_once(drives: Drives, case: str) -> None:
    iso = drives.built(case).iso
    by_content: dict[bytes, set[str]] = {}
    for path, content in tree_files(drives.extracted(case)).items():
        by_content.setdefault(content, set()).add("/" + path)
    rock_ridge = xorriso_extents(iso)
    joliet = xorriso_extents(iso, joliet=True)
    assert rock_ridge.keys() == joliet.keys() == set().union(*by_content.values())
    for content, paths in by_content.items():
        if content:  # empty files have no data to share
            starts = {rock_ridge[path] for path in paths} | {joliet[path] for path in paths}
            assert len(starts) == 1, f"{sorted(paths)} hold the same bytes at blocks {starts}"
