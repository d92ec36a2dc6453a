"""extract: every file under DIR with the names Linux shows, and never a byte outside DIR."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from configdrive.errors import OutputError
from configdrive.extract import extract_drive
from tests.drive_images import fat_image, iso_image, openstack_files, write
from tests.helpers import run_cli

# Placeholders pycdlib accepts, patched into what a hostile image would hold (same lengths).
HOSTILE_NAMES = {
    b"EVILNAME01": b"../../x/e1",  # climbs out through its own name (Rock Ridge)
    "EVILNAME01".encode("utf-16-be"): "../../x/e1".encode("utf-16-be"),  # ... and Joliet
    b"EVILNAME02": b"/tmp/evil2",  # an absolute path
    b"EVILNAME03": b"..\x00.......",  # a folder named '..' once cut at its NUL
    b"EVILNAME04": b"..........",  # dots only: a name, not a step up (kept)
}
HOSTILE_LINKS = {
    "openstack/etc": "/etc",  # the VM's own files, not the drive's
    "openstack/up": "../../../../..",
    "openstack/self": "../openstack",  # a folder that holds the link itself
    "openstack/latest": "2012-08-10",  # harmless: read through, written as a copy
    "openstack/dangling": "nowhere",
}


def hostile_image() -> bytes:
    files = {
        **openstack_files(versions=("2012-08-10",)),
        "openstack/2012-08-10/EVILNAME01": b"escape 1",
        "EVILNAME02": b"escape 2",
        "EVILNAME03/inner": b"escape 3",
        "EVILNAME04": b"dots",
    }
    return iso_image(files, symlinks=HOSTILE_LINKS, patches=HOSTILE_NAMES)


def snapshot(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


def tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


def test_a_hostile_image_writes_nothing_outside_dir(tmp_path: Path) -> None:
    sandbox = tmp_path / "sandbox"
    (sandbox / "deep" / "er").mkdir(parents=True)
    drive = write(sandbox / "hostile.iso", hostile_image())
    before = snapshot(tmp_path)
    target = sandbox / "deep" / "er" / "out"
    result = extract_drive(drive, target)
    # Everything new lies under DIR: nothing beside it, above it, or in /tmp.
    new = snapshot(tmp_path) - before
    assert all(path.startswith("sandbox/deep/er/out") for path in new), sorted(new)
    assert not Path("/tmp/evil2").exists()
    assert not result.ok
    assert tree(target) == {
        "..........": b"dots",
        "openstack/2012-08-10/meta_data.json": openstack_files()[
            "openstack/2012-08-10/meta_data.json"
        ],
        "openstack/2012-08-10/user_data": b"#cloud-config\nhostname: web-1\n",
        "openstack/latest/meta_data.json": openstack_files()["openstack/2012-08-10/meta_data.json"],
        "openstack/latest/user_data": b"#cloud-config\nhostname: web-1\n",
    }
    assert not any(path.is_symlink() for path in target.rglob("*"))
    refused = {
        problem.file: (problem.severity.value, problem.message) for problem in result.problems
    }
    assert refused["openstack/2012-08-10/../../x/e1"] == (
        "error",
        "not extracted: the name holds '/'",
    )
    assert refused["/tmp/evil2"] == ("error", "not extracted: the name holds '/'")
    assert refused["..\\x00......."][0] == "error"
    for link in ("openstack/etc", "openstack/up", "openstack/dangling"):
        assert refused[link][0] == "warning"
        assert "outside the drive or nowhere" in refused[link][1]
    assert "loops back" in refused["openstack/self"][1]
    assert result.copied_links == ["openstack/latest"]


def test_the_command_line_says_what_it_refused(tmp_path: Path) -> None:
    drive = write(tmp_path / "hostile.iso", hostile_image())
    result = run_cli("extract", drive, tmp_path / "out", "--json")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["files"] == 5
    text = run_cli("extract", drive, tmp_path / "out2")
    assert text.returncode == 1
    assert "/tmp/evil2: not extracted: the name holds '/'" in text.stderr
    assert text.stdout.startswith(f"Extracted {drive} into {tmp_path / 'out2'}: 5 files")


@pytest.mark.parametrize("fat", [False, True])
def test_a_plain_drive_comes_out_whole(tmp_path: Path, fat: bool) -> None:
    files = openstack_files(extra={"openstack/content/0000": b"\x00binary\xff" * 1000})
    image = fat_image(files) if fat else iso_image(files)
    result = extract_drive(write(tmp_path / "d", image), tmp_path / "out")
    assert result.ok
    assert result.problems == []
    assert tree(tmp_path / "out") == files
    assert result.files == len(files)
    assert result.size == sum(len(data) for data in files.values())
    modes = {path.stat().st_mode & 0o777 for path in (tmp_path / "out").rglob("*")}
    assert modes == {0o600, 0o700}  # the drive's secrets stay private


def test_dir_must_be_new_or_empty(tmp_path: Path) -> None:
    drive = write(tmp_path / "d.iso", iso_image(openstack_files()))
    (tmp_path / "empty").mkdir()
    assert extract_drive(drive, tmp_path / "empty").ok
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep").write_text("keep")
    with pytest.raises(OutputError, match="not empty"):
        extract_drive(drive, tmp_path / "full")
    assert [path.name for path in (tmp_path / "full").iterdir()] == ["keep"]
    (tmp_path / "link").symlink_to(tmp_path / "empty2")
    with pytest.raises(OutputError, match="not a folder"):
        extract_drive(drive, tmp_path / "link")
    with pytest.raises(OutputError, match="does not exist"):
        extract_drive(drive, tmp_path / "no" / "such" / "out")
    # Nothing partial is left beside a failed extraction.
    assert sorted(path.name for path in tmp_path.iterdir()) == ["d.iso", "empty", "full", "link"]


def test_links_that_fan_out_copy_no_more_than_the_drive_again(tmp_path: Path) -> None:
    """Ten links to the next folder, eight folders deep: 10^8 copies if each were followed."""
    files = {f"f{level}/data": b"x" * 100 for level in range(9)}
    links = {f"f{level}/l{n}": f"../f{level + 1}" for level in range(8) for n in range(10)}
    drive = write(tmp_path / "fan.iso", iso_image(files, symlinks=links))
    result = extract_drive(drive, tmp_path / "out")
    written = list((tmp_path / "out").rglob("*"))
    assert len(written) <= 2 * (len(files) + len(links) + 9)
    assert result.ok  # nothing unsafe: links inside the drive, only too many of them
    assert any("more than the whole drive holds" in p.message for p in result.problems)
