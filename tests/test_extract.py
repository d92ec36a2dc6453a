"""extract: every file under DIR with the names Linux shows, and never a byte outside DIR."""

from __future__ import annotations

import base64
import gzip
import json
import struct
from pathlib import Path

import pytest

from configdrive import build
from configdrive.drives.extract import (
    MAX_FOLDER_DEPTH,
    default_max_bytes,
    extract_drive,
    parse_size,
)
from configdrive.errors import InvalidInputError, OutputError, UsageError
from tests.drive_images import (
    fat_cross_linked,
    fat_image,
    iso_deep_folders,
    iso_image,
    iso_shared_extent,
    openstack_files,
    write,
)
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


# --------------------------------------------------------------------------- the byte budget

SHARED = bytes(range(256)) * 256  # 64 KiB, named 100 times: 6.4 MiB from a ~300 KiB image
SHARED_NAMES = [f"openstack/content/{n:04d}" for n in range(100)]


def sizes(folder: Path) -> int:
    """Every byte of file data under `folder`."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def budget_message(drive: Path, needed: int, limit: str) -> str:
    return (
        f"{drive}: not extracted: its files would take {needed:,} bytes, more than {limit}: "
        "every name is written in full, shared data and copies through links included; "
        "give --max-bytes SIZE to allow more"
    )


@pytest.mark.parametrize("existing", [False, True])
def test_names_sharing_one_extent_count_against_the_budget(tmp_path: Path, existing: bool) -> None:
    drive = write(tmp_path / "shared.iso", iso_shared_extent(SHARED_NAMES, SHARED))
    image = drive.stat().st_size
    needed = len(SHARED) * len(SHARED_NAMES)
    assert needed > default_max_bytes(image)  # far more names than any writer gives one file
    target = tmp_path / "out"
    if existing:
        target.mkdir()
    with pytest.raises(InvalidInputError) as refused:
        extract_drive(drive, target)
    limit = f"the default limit of {default_max_bytes(image):,} bytes"
    assert str(refused.value.problems[0]) == budget_message(
        drive, needed, f"{limit} (16 times the {image:,}-byte image, plus 1 MiB)"
    )
    # The folder is as it was (new: still missing; empty: still empty), and nothing beside it.
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out", "shared.iso"][1 - existing :]
    if existing:
        assert list(target.iterdir()) == []
    # Asked for, every name is written in full: the budget counts them all.
    result = extract_drive(drive, tmp_path / "allowed", max_bytes=needed)
    assert (result.ok, result.files, result.size, result.max_bytes) == (True, 100, needed, needed)
    assert sizes(tmp_path / "allowed") == needed
    assert (tmp_path / "allowed/openstack/content/0099").read_bytes() == SHARED
    with pytest.raises(InvalidInputError) as short:
        extract_drive(drive, tmp_path / "short", max_bytes=needed - 1)
    assert "more than --max-bytes 6,553,599:" in short.value.problems[0].message
    assert not (tmp_path / "short").exists()


def test_the_budget_is_of_the_unpacked_image(tmp_path: Path) -> None:
    """Ironic's gzip+base64 text is small; the image it holds is what the budget is of."""
    image = iso_shared_extent(SHARED_NAMES, SHARED)
    drive = write(tmp_path / "shared.txt", base64.b64encode(gzip.compress(image, mtime=0)))
    assert drive.stat().st_size < len(image) // 10
    with pytest.raises(InvalidInputError) as refused:
        extract_drive(drive, tmp_path / "out")
    assert f"16 times the unpacked {len(image):,}-byte image, plus 1 MiB" in str(
        refused.value.problems[0]
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == ["shared.txt"]


def test_cross_linked_fat_clusters_count_against_the_budget(tmp_path: Path) -> None:
    data = bytes(range(256)) * 1024  # 256 KiB, which 100 entries all claim
    drive = write(tmp_path / "cross.img", fat_cross_linked(100, data))
    needed = len(data) * 101  # BIG.BIN and the 100 entries cross-linked to it
    with pytest.raises(InvalidInputError) as refused:
        extract_drive(drive, tmp_path / "out")
    assert f"would take {needed:,} bytes, more than the" in refused.value.problems[0].message
    assert not (tmp_path / "out").exists()
    result = extract_drive(drive, tmp_path / "out", max_bytes=needed)
    assert (result.size, sizes(tmp_path / "out")) == (needed, needed)
    assert (tmp_path / "out/D/F042.BIN").read_bytes() == data


def test_overlapping_fat_chains_count_every_byte(tmp_path: Path) -> None:
    """Each entry starts one cluster further into one chain: no two share a start, or data."""
    data = bytes(range(256)) * 1024
    image = fat_cross_linked(60, data, overlap=True)
    drive = write(tmp_path / "overlap.img", image)
    cluster = image[13] * int.from_bytes(image[11:13], "little")
    needed = len(data) + sum(len(data) - n * cluster for n in range(60))
    with pytest.raises(InvalidInputError) as refused:
        extract_drive(drive, tmp_path / "out", max_bytes=4 * len(data))
    assert f"would take {needed:,} bytes, more than --max-bytes 1,048,576:" in (
        refused.value.problems[0].message
    )
    assert not (tmp_path / "out").exists()


def test_our_own_drives_extract_within_the_default(tmp_path: Path) -> None:
    """write_iso names one user_data 12 times (10 openstack versions, 2 ec2): 12 times the
    data from an image not much bigger than it. The default must let that through."""
    user_data = b"#!/bin/sh\n" + (b"# " + b"x" * 1021 + b"\n") * 1024  # ~1 MiB
    drive = tmp_path / "big.iso"
    build(user_data, drive, uuid="2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c")
    result = extract_drive(drive, tmp_path / "out")
    assert result.ok
    assert result.size > 12 * len(user_data) > 4 * drive.stat().st_size  # 4 times would refuse
    assert result.size <= default_max_bytes(drive.stat().st_size)
    assert (tmp_path / "out/ec2/latest/user-data").read_bytes() == user_data


def test_a_broken_image_found_while_writing_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    """The second file's clusters end early: the first was written by then, and is removed."""
    files = {"A.BIN": b"a" * 5000, "B.BIN": b"b" * 5000}
    image = bytearray(fat_image(files))
    entry = image.find(b"B       BIN")
    first = struct.unpack_from("<H", image, entry + 26)[0]
    _set_fat12(image, first, 0)  # B's chain stops at its first cluster: free, not continued
    drive = write(tmp_path / "broken.img", bytes(image))
    (tmp_path / "out").mkdir()
    with pytest.raises(InvalidInputError):
        extract_drive(drive, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []
    assert sorted(path.name for path in tmp_path.iterdir()) == ["broken.img", "out"]


def _set_fat12(image: bytearray, cluster: int, value: int) -> None:
    sector, reserved, fats = struct.unpack_from("<HxHB", image, 11)
    fat_sectors = struct.unpack_from("<H", image, 22)[0]
    for copy in range(fats):
        offset = (reserved + copy * fat_sectors) * sector + cluster + cluster // 2
        pair = image[offset] | image[offset + 1] << 8
        pair = (pair & 0x000F) | value << 4 if cluster & 1 else (pair & 0xF000) | value
        image[offset : offset + 2] = struct.pack("<H", pair)


def test_the_command_line_names_the_flag(tmp_path: Path) -> None:
    drive = write(tmp_path / "shared.iso", iso_shared_extent(SHARED_NAMES, SHARED))
    (tmp_path / "out").mkdir()
    refused = run_cli("extract", drive, tmp_path / "out")
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[-1] == "mkconfigdrive: 1 error; nothing was written"
    assert "give --max-bytes SIZE to allow more" in refused.stderr
    assert list((tmp_path / "out").iterdir()) == []
    allowed = run_cli("extract", drive, tmp_path / "out", "--max-bytes", "7MiB", "--json")
    assert allowed.returncode == 0, allowed.stderr
    document = json.loads(allowed.stdout)
    assert (document["size"], document["max_bytes"]) == (6_553_600, 7 * 1024 * 1024)
    assert sizes(tmp_path / "out") == 6_553_600
    for wrong in ("0", "lots", "-5MiB"):
        usage = run_cli("extract", drive, tmp_path / "never", "--max-bytes", wrong)
        assert usage.returncode == 2
        assert usage.stderr.startswith("mkconfigdrive: --max-bytes")
        assert "give a size in bytes, or with a suffix: 500MiB, 2GiB" in usage.stderr
    assert not (tmp_path / "never").exists()


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("4096", 4096),
        ("64MiB", 64 << 20),
        ("64M", 64 << 20),
        ("64m", 64 << 20),
        ("64MB", 64_000_000),
        ("1.5GiB", 3 << 29),
        ("2 G", 2 << 30),
        ("10b", 10),
        ("1TB", 10**12),
    ],
)
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["0", "0.0001", "", "1e9", "5XB", "1.2.3", "9" * 30])
def test_sizes_refused(text: str) -> None:
    with pytest.raises(UsageError, match="give a size in bytes"):
        parse_size(text)


# --------------------------------------------------------------------------- depth and links


def test_folders_deeper_than_the_limit_are_reported(tmp_path: Path) -> None:
    drive = write(tmp_path / "deep.iso", iso_deep_folders(MAX_FOLDER_DEPTH + 6))
    # The ISO reader refuses a drive nested deeper than its own MAX_DEPTH (also 64) before
    # extract plans anything: nothing is written.
    with pytest.raises(InvalidInputError) as caught:
        extract_drive(drive, tmp_path / "out")
    assert f"folders nest more than {MAX_FOLDER_DEPTH} levels deep" in str(
        caught.value.problems[0].message
    )
    assert not (tmp_path / "out").exists()
    at_the_limit = write(tmp_path / "limit.iso", iso_deep_folders(MAX_FOLDER_DEPTH))
    whole = extract_drive(at_the_limit, tmp_path / "whole")
    assert (whole.ok, whole.problems, whole.files) == (True, [], 1)


def test_many_links_to_one_folder_copy_within_the_link_budget(tmp_path: Path) -> None:
    """3,000 links to one folder: each copy is found through an index, not a scan."""
    files = {"d/f": b"x" * 10}
    links = {f"l/{n:04d}": "../d" for n in range(3000)}
    drive = write(tmp_path / "links.iso", iso_image(files, symlinks=links, joliet=False))
    result = extract_drive(drive, tmp_path / "out")
    assert result.ok
    # The drive has 3,003 entries; copies may add as many again, two (a folder, its file) each.
    entries = 3 + len(links)
    assert entries // 2 <= len(result.copied_links) <= entries // 2 + 1
    assert result.files + result.folders <= 2 * entries
    assert sizes(tmp_path / "out") == 10 * result.files
    assert [p.message for p in result.problems] == [
        "symbolic links would copy more than the whole drive holds; "
        "the copies beyond that were not extracted"
    ]


def test_the_summary_names_the_name_tree_once(tmp_path: Path) -> None:
    """`(FAT long names)`, not `(FAT long names names)`; `(Rock Ridge names)` as before."""
    from configdrive.cli.drive_report import extracted_lines

    for fat, shown in ((True, "(FAT long names)"), (False, "(Rock Ridge names)")):
        drive = tmp_path / f"drive-{fat}"
        write(drive, fat_image(openstack_files()) if fat else iso_image(openstack_files()))
        result = extract_drive(drive, tmp_path / f"tree-{fat}")
        assert extracted_lines(result)[0].endswith(shown)
