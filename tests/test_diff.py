"""diff: files added, removed and changed, the JSON keys that changed, and the exit code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from configdrive.diff import diff_drives, key_changes
from configdrive.problems import format_path
from tests.drive_images import UUID, fat_image, iso_image, openstack_files, write
from tests.helpers import run_cli

META = {"uuid": UUID, "hostname": "web-1", "meta": {"role": "web"}, "admin_pass": "s3cret-old"}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ({"a": 1}, {"a": 1}, []),
        ({"a": 1}, {"a": 2}, [("changed", "a")]),
        ({"a": 1}, {"a": 1, "b": {"c": 1}}, [("added", "b")]),
        ({"a": {"b": 1, "c": 2}}, {"a": {"b": 1}}, [("removed", "a.c")]),
        ({"l": [{"x": 1}, {"x": 2}]}, {"l": [{"x": 1}, {"x": 3}]}, [("changed", "l[1].x")]),
        ({"l": [1]}, {"l": [1, 2]}, [("changed", "l")]),
        ({"a": 1}, {"a": "1"}, [("changed", "a")]),
        ({"a": True}, {"a": 1}, [("changed", "a")]),
        ([1], {"a": 1}, [("changed", "$")]),
    ],
)
def test_key_changes(old: Any, new: Any, expected: list[tuple[str, str]]) -> None:
    assert [(how, format_path(path)) for how, path in key_changes(old, new)] == expected


def drive(tmp_path: Path, name: str, meta: dict[str, Any], extra: dict[str, bytes]) -> Path:
    return write(tmp_path / name, iso_image(openstack_files(meta=meta, extra=extra)))


def test_changed_keys_never_values(tmp_path: Path) -> None:
    old = drive(tmp_path, "a.iso", META, {"openstack/content/0000": b"x"})
    new_meta = {**META, "hostname": "web-2", "meta": {"role": "db"}, "admin_pass": "s3cret-new"}
    new = drive(tmp_path, "b.iso", new_meta, {"openstack/latest/vendor_data.json": b"{}"})
    difference = diff_drives(old, new)
    assert difference.differs
    changes = {(c.path, c.change): c.keys for c in difference.files}
    assert changes[("openstack/latest/meta_data.json", "changed")] == (
        "changed admin_pass",
        "changed hostname",
        "changed meta.role",
    )
    assert ("openstack/content/0000", "removed") in changes
    assert ("openstack/latest/vendor_data.json", "added") in changes
    result = run_cli("diff", old, new)
    assert result.returncode == 1
    assert "changed  openstack/*/meta_data.json (in 10 folders)" in result.stdout
    assert "changed meta.role" in result.stdout
    for secret in ("s3cret", "web-2", "db"):
        assert secret not in result.stdout
    document = json.loads(run_cli("diff", old, new, "--json").stdout)
    assert document["differ"] is True
    # Ten meta_data.json, vendor_data.json added, content/0000 and its folder removed.
    assert len(document["files"]) == 13


def test_the_same_drive_in_two_formats(tmp_path: Path) -> None:
    files = openstack_files()
    iso = write(tmp_path / "a.iso", iso_image(files))
    fat = write(tmp_path / "b.img", fat_image(files))
    difference = diff_drives(iso, fat)
    assert difference.files == ()
    assert difference.drive_changes == (
        "file system: 'iso9660' -> 'vfat'",
        "names from: 'rock-ridge' -> 'vfat'",
    )
    same = run_cli("diff", iso, iso)
    assert (same.returncode, same.stdout.strip()) == (0, f"{iso} and {iso} hold the same files")
    assert run_cli("diff", iso, fat, "-q").returncode == 1


def test_a_missing_drive_is_an_io_failure(tmp_path: Path) -> None:
    iso = write(tmp_path / "a.iso", iso_image(openstack_files()))
    assert run_cli("diff", iso, tmp_path / "missing.iso").returncode == 3
