"""Opening drives: which name tree Linux shows, how isofs maps plain names, lookups, packing."""

from __future__ import annotations

import base64
import gzip
from pathlib import Path

import pytest

from configdrive.errors import InvalidInputError, OutputError
from configdrive.read_drive import open_drive, printable, unsafe_name
from tests.drive_images import fat_image, iso_image, openstack_files, write

FILES = {
    "openstack/latest/meta_data.json": b'{"uuid": "x"}',
    "openstack/latest/user_data": b"#cloud-config\n",
    "ec2/latest/meta-data.json": b"{}",
}


def paths(drive_path: Path) -> list[str]:
    with open_drive(drive_path) as drive:
        return sorted(entry.path for entry in drive.view.entries() if entry.kind == "file")


def test_rock_ridge_is_what_linux_shows_when_present(tmp_path: Path) -> None:
    image = write(tmp_path / "d.iso", iso_image(FILES))
    with open_drive(image) as drive:
        assert drive.linux_tree == "rock-ridge"
        assert set(drive.trees) == {"iso9660", "rock-ridge", "joliet"}
        assert drive.label == "config-2"
        assert drive.iso is not None
        assert (drive.iso.rock_ridge, drive.iso.joliet) == ("1.09", 3)
    assert paths(image) == sorted(FILES)


def test_joliet_is_shown_without_rock_ridge(tmp_path: Path) -> None:
    image = write(tmp_path / "d.iso", iso_image(FILES, rock_ridge=False))
    with open_drive(image) as drive:
        assert drive.linux_tree == "joliet"
        assert drive.iso is not None
        assert drive.iso.rock_ridge is None
        # Joliet lookups ignore case, as isofs' default check=relaxed does for Joliet.
        assert drive.view.read_file("OPENSTACK/Latest/META_DATA.JSON") == b'{"uuid": "x"}'
    assert paths(image) == sorted(FILES)


@pytest.mark.parametrize(
    ("level", "expected", "style"),
    [
        # isofs' map=normal: lower case; ".;1" and ";1" cut; other characters kept as stored.
        (3, ["ec2/latest/meta_data.json", "openstack/latest/meta_data.json",
             "openstack/latest/user_data"], "long"),
        (1, ["ec2/latest/meta_dat.jso", "openstac/latest/meta_dat.jso",
             "openstac/latest/user_dat"], "8.3"),
    ],
)  # fmt: skip
def test_plain_iso9660_names_as_isofs_maps_them(
    tmp_path: Path, level: int, expected: list[str], style: str
) -> None:
    image = write(tmp_path / "d.iso", iso_image(FILES, rock_ridge=False, joliet=False, level=level))
    with open_drive(image) as drive:
        assert drive.linux_tree == "iso9660"
        assert drive.iso is not None
        assert drive.iso.names == style
        # Plain names are looked up as mapped, case and all (check=strict).
        assert drive.view.read_file("OPENSTACK/LATEST/USER_DATA") is None
    assert paths(image) == expected


def test_fat_long_names_and_case_blind_lookup(tmp_path: Path) -> None:
    image = write(tmp_path / "d.img", fat_image(FILES, label="CONFIG-2"))
    with open_drive(image) as drive:
        assert (drive.format, drive.label, drive.linux_tree) == ("vfat", "CONFIG-2", "vfat")
        assert drive.view.read_file("OpenStack/LATEST/user_data") == b"#cloud-config\n"
    assert paths(image) == sorted(FILES)


def test_symbolic_links_resolve_inside_the_drive_only(tmp_path: Path) -> None:
    files = openstack_files(versions=("2012-08-10",))
    image = iso_image(
        files,
        symlinks={
            "openstack/latest": "2012-08-10",
            "openstack/outside": "/etc",
            "openstack/above": "../../..",
            "openstack/loop": "loop",
        },
    )
    with open_drive(write(tmp_path / "d.iso", image)) as drive:
        view = drive.view
        assert (
            view.read_file("openstack/latest/meta_data.json")
            == files["openstack/2012-08-10/meta_data.json"]
        )
        assert view.listdir("openstack/latest") == ["meta_data.json", "user_data"]
        for path in ("openstack/outside/passwd", "openstack/above/etc", "openstack/loop/x"):
            assert view.resolve(path) is None, path
        assert view.resolve("openstack/latest/../2012-08-10/user_data") is not None
        assert view.resolve("../openstack") is None


def test_unsafe_names_are_set_aside(tmp_path: Path) -> None:
    files = {**FILES, "openstack/latest/EVILNAME01": b"x", "EVILNAME02/inner": b"y"}
    image = iso_image(
        files,
        patches={b"EVILNAME01": b"../../x/e1", b"EVILNAME02": b"..\x00......."},
    )
    with open_drive(write(tmp_path / "d.iso", image)) as drive:
        view = drive.view
        reasons = {entry.path: reason for entry, reason in view.unsafe}
        assert reasons == {
            "openstack/latest/../../x/e1": "the name holds '/'",
            "..\\x00.......": "the name holds a NUL character",
        }
        # Neither they nor anything inside them can be reached.
        assert all(".." not in entry.names for entry in view.entries())
        assert view.resolve("x/e1") is None


@pytest.mark.parametrize(
    ("name", "unsafe"),
    [("", True), (".", True), ("..", True), ("a/b", True), ("a\0", True), ("...", False),
     ("meta_data.json", False), ("..hidden", False)],
)  # fmt: skip
def test_unsafe_name(name: str, unsafe: bool) -> None:
    assert (unsafe_name(name) is not None) is unsafe


def test_printable_escapes_what_a_terminal_would_act_on() -> None:
    assert printable("meta_data.json") == "meta_data.json"
    assert printable("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert printable("bad\udcff") == "bad\\xff"  # a byte that is not UTF-8


@pytest.mark.parametrize("packing", ["gzip", "gzip+base64"])
def test_packed_images_are_unpacked(tmp_path: Path, packing: str) -> None:
    data = gzip.compress(iso_image(FILES), mtime=0)
    if packing == "gzip+base64":
        data = base64.b64encode(data)
    with open_drive(write(tmp_path / "d", data)) as drive:
        assert drive.packing == packing
        assert drive.view.read_file("openstack/latest/meta_data.json") == b'{"uuid": "x"}'


def test_not_a_drive_is_invalid_input(tmp_path: Path) -> None:
    with (
        pytest.raises(InvalidInputError) as caught,
        open_drive(write(tmp_path / "x", b"hello" * 9000)),
    ):
        pass
    assert [p.message for p in caught.value.problems] == ["not an ISO9660 or FAT image"]


def test_truncated_iso_is_invalid_input(tmp_path: Path) -> None:
    image = iso_image(FILES)
    with (
        pytest.raises(InvalidInputError) as caught,
        open_drive(write(tmp_path / "t.iso", image[:40000])),
    ):
        pass
    assert caught.value.problems[0].message.startswith("broken ISO9660 image")


def test_missing_drive_and_folders_are_io_failures(tmp_path: Path) -> None:
    for target in (tmp_path / "missing.iso", tmp_path):
        with pytest.raises(OutputError), open_drive(target):
            pass
