"""diff: files added, removed and changed, the JSON keys that changed, and the exit code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from configdrive.drives.diff import MAX_KEYS_SHOWN, diff_drives, folder_instance_id, key_changes
from configdrive.drives.extract import MAX_BYTES_MULTIPLE
from configdrive.errors import InvalidInputError
from configdrive.problems import format_path
from tests.drive_images import (
    UUID,
    fat_cross_linked,
    fat_image,
    iso_image,
    iso_shared_extent,
    openstack_files,
    write,
)
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


# --------------------------------------------------------------------------- hostile drives

# Ten levels of ten aliases: 10^9 values once expanded, in 300 bytes.
BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]\n" for n in range(1, 10)
)


def seed(tmp_path: Path, name: str, meta: str, network: str) -> Path:
    files = {"meta-data": meta.encode(), "network-config": network.encode()}
    return write(tmp_path / name, iso_image(files, label="cidata"))


def test_alias_bombs_are_refused_not_expanded(tmp_path: Path) -> None:
    old = seed(tmp_path, "a.iso", f"instance-id: i-1\n{BOMB}", f"version: 2\n{BOMB}")
    new = seed(tmp_path, "b.iso", f"instance-id: i-1\n{BOMB}b: 1\n", "version: 2\nx: &x [*x]\n")
    difference = diff_drives(old, new)
    assert [(c.path, c.keys) for c in difference.files] == [
        ("meta-data", ()),
        ("network-config", ()),
    ]
    expands = (
        "the document expands to more than 100000 values (YAML aliases repeating other "
        "aliases?); its keys are not compared"
    )
    assert [str(problem) for problem in difference.problems] == [
        f"{old}:meta-data:1:1: warning: {expands}",
        f"{old}:network-config:1:1: warning: {expands}",
        f"{new}:meta-data:1:1: warning: {expands}",
        f"{new}:network-config:2:4: warning: the document contains itself (an alias inside "
        "its own anchor); its keys are not compared",
    ]
    result = run_cli("diff", old, new, "--json")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert [problem["severity"] for problem in document["problems"]] == ["warning"] * 4
    text = run_cli("diff", old, new)
    assert text.stderr.count("its keys are not compared") == 4
    assert "Traceback" not in text.stderr


def deep_json(depth: int, leaf: str) -> str:
    return '{"version": 2, "x": ' + '{"a": ' * depth + leaf + "}" * depth + "}"


def test_json_nested_ten_thousand_deep(tmp_path: Path) -> None:
    old = seed(tmp_path, "a.iso", "instance-id: i-1\n", deep_json(10_000, "1"))
    new = seed(tmp_path, "b.iso", "instance-id: i-1\n", deep_json(10_000, "2"))
    difference = diff_drives(old, new)
    assert [(c.path, c.keys) for c in difference.files] == [("network-config", ())]
    assert [p.message for p in difference.problems] == [
        "the document nests more than 100 levels deep; its keys are not compared"
    ] * 2
    # Within the loader's limits, the keys are compared: the change 99 levels down is named.
    old = seed(tmp_path, "c.iso", "instance-id: i-1\n", deep_json(98, "1"))
    new = seed(tmp_path, "d.iso", "instance-id: i-1\n", deep_json(98, "2"))
    (change,) = diff_drives(old, new).files
    assert change.keys == ("changed x" + ".a" * 98,)


def test_key_changes_walks_any_depth() -> None:
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    a, b = old, new
    for _ in range(3_000):  # three times the interpreter's recursion limit
        a["k"], b["k"] = {}, {}
        a, b = a["k"], b["k"]
    a["leaf"], b["leaf"] = 1, [1]
    ((how, path),) = key_changes(old, new)
    assert (how, len(path)) == ("changed", 3_001)
    assert list(key_changes([[1, [2]]], [[1, [2, 3]]])) == [("changed", (0, 1))]


def test_many_changed_keys_are_counted_past_the_first_hundred(tmp_path: Path) -> None:
    old_meta = {"uuid": UUID, **{f"k{n:03d}": 1 for n in range(150)}}
    new_meta = {"uuid": UUID, **{f"k{n:03d}": 2 for n in range(150)}}
    old = drive(tmp_path, "a.iso", old_meta, {})
    new = drive(tmp_path, "b.iso", new_meta, {})
    change = diff_drives(old, new).files[0]
    assert len(change.keys) == MAX_KEYS_SHOWN + 1
    assert change.keys[-1] == "and 50 more"


def test_names_sharing_data_are_read_once(tmp_path: Path) -> None:
    """200 names share 256 KiB: 50 MiB if each were read, over the read bound of the image."""
    data = bytes(range(256)) * 1024
    names = [f"openstack/content/{n:04d}" for n in range(200)]
    old = write(tmp_path / "a.iso", iso_shared_extent(names, data))
    assert len(data) * len(names) > MAX_BYTES_MULTIPLE * old.stat().st_size + (1 << 20)
    same = write(tmp_path / "b.iso", iso_shared_extent(names, data))
    assert diff_drives(old, same).files == ()
    other = write(tmp_path / "c.iso", iso_shared_extent(names, data[::-1]))
    changes = diff_drives(old, other).files
    assert len(changes) == 200
    assert {c.change for c in changes} == {"changed"}


def test_names_overlapping_their_data_are_refused(tmp_path: Path) -> None:
    """300 FAT entries each start one cluster further into one chain: no two alike."""
    image = write(tmp_path / "x.img", fat_cross_linked(300, bytes(range(256)) * 4096, overlap=True))
    with pytest.raises(InvalidInputError) as refused:
        diff_drives(image, image)
    limit = MAX_BYTES_MULTIPLE * image.stat().st_size + (1 << 20)
    assert refused.value.problems[0].message == (
        f"not compared: comparing would read more than {limit:,} bytes of it (16 times the "
        "image, plus 1 MiB): its names share, overlap or overstate their data"
    )
    result = run_cli("diff", image, image)
    assert result.returncode == 1
    assert result.stderr.endswith("mkconfigdrive: 1 error\n")


def test_a_folder_s_instance_id_is_read_with_the_loader_s_limits(tmp_path: Path) -> None:
    (tmp_path / "meta-data").write_text(f"instance-id: i-1\n{BOMB}")
    assert folder_instance_id(tmp_path) is None
    (tmp_path / "meta-data").write_text("instance-id: i-2\n")
    assert folder_instance_id(tmp_path) == "i-2"
