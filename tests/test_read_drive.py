"""Opening drives: which name tree Linux shows, how isofs maps plain names, lookups, packing."""

from __future__ import annotations

import base64
import gzip
import os
import struct
import sys
from pathlib import Path
from typing import Any

import pytest

from configdrive.drives.drive import (
    MAX_CONTINUATIONS,
    MAX_DEPTH,
    MAX_ENTRIES,
    MAX_FOLDER_BYTES,
    MAX_LINK_TARGET,
    MAX_LOOKUP_STEPS,
    MAX_PADDING_KEPT,
    MAX_READ_TOTAL,
    MAX_SUSP_ENTRIES,
    MAX_SYMLINKS,
    MAX_UNPACKED_IMAGE,
    MAX_VOLUME_DESCRIPTORS,
    DriveView,
    Entry,
    NameTree,
    open_drive,
    printable,
    unsafe_name,
)
from configdrive.errors import InvalidInputError, OutputError
from tests.drive_images import (
    RawEntry,
    fat_image,
    iso_image,
    openstack_files,
    raw_iso,
    write,
)
from tests.helpers import run_measured

MiB = 1024 * 1024

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
    assert caught.value.problems[0].message == (
        "not a readable drive: its path table runs past the end of the image"
    )


def test_missing_drive_and_folders_are_io_failures(tmp_path: Path) -> None:
    for target in (tmp_path / "missing.iso", tmp_path):
        with pytest.raises(OutputError), open_drive(target):
            pass


# --------------------------------------------------------------------------- hostile images
#
# Each bound of the reader on an image made to break it: the message names what is wrong,
# and work is counted (entries walked, path components, peak memory), never timed.

BASE = [
    RawEntry("openstack/latest/meta_data.json", data=b'{"uuid": "x"}'),
    RawEntry("openstack/latest/user_data", data=b"#cloud-config\n"),
]


def refusal(image: Path) -> str:
    """The one problem opening `image` reports."""
    with pytest.raises(InvalidInputError) as caught, open_drive(image):
        pass
    [problem] = caught.value.problems
    return problem.message


def raw(tmp_path: Path, entries: list[RawEntry], **options: Any) -> Path:
    return write(tmp_path / "drive.iso", raw_iso([*BASE, *entries], **options))


def test_the_hand_made_image_reads_as_written(tmp_path: Path) -> None:
    """raw_iso itself: names, data, links and a relocated folder, as Linux would show them."""
    image = raw(
        tmp_path,
        [
            RawEntry("openstack/2012-08-10", "symlink", target="latest"),
            RawEntry("rr_moved/deep", "dir", relocated=True, parent_link="a"),
            RawEntry("rr_moved/deep/f", data=b"moved"),
            RawEntry("a/deep", "cl", target="rr_moved/deep"),
        ],
    )
    with open_drive(image) as drive:
        view = drive.view
        assert view.read_file("openstack/2012-08-10/user_data") == b"#cloud-config\n"
        # The relocated folder shows where its child link is, and not where it is stored.
        assert view.read_file("a/deep/f") == b"moved"
        assert view.listdir("rr_moved") == []
        # The plain ISO9660 names show the folder where it is stored, the CL as a file.
        plain = {entry.path: entry.kind for entry in drive.trees["iso9660"].entries}
        assert plain["rr_moved/deep/f"] == plain["a/deep"] == "file"


@pytest.mark.parametrize(
    ("extent", "size"),
    [(10**6, 30), (None, 10**9)],  # starts past the end; starts inside and runs past it
)
def test_an_extent_past_the_end_is_named(
    tmp_path: Path, extent: int | None, size: int | None
) -> None:
    image = raw(
        tmp_path, [RawEntry("openstack/2013-04-04/user_data", data=b"x", extent=extent, size=size)]
    )
    assert refusal(image) == (
        "not a readable drive: the extent of openstack/2013-04-04/user_data "
        "runs past the end of the image"
    )


def test_a_child_link_loop_is_refused(tmp_path: Path) -> None:
    """A folder whose CL entries lead back into itself: listed once, then refused."""
    image = raw(
        tmp_path,
        [
            RawEntry("a", "dir"),
            RawEntry("a/x", "cl", target="a"),
            RawEntry("a/y", "cl", target="a"),
        ],
    )
    assert refusal(image) == (
        "not a readable drive: the folder a/x is the folder a again "
        "(Rock Ridge relocations that loop, or one folder in two places)"
    )


def test_a_child_link_graph_is_walked_once(tmp_path: Path) -> None:
    """30 levels of two links each to the next would be 2**30 entries: refused at the second."""
    entries = [RawEntry("top", "cl", target="m/l0")]
    for level in range(30):
        entries.append(RawEntry(f"m/l{level}", "dir", relocated=True))
        if level < 29:
            for name in ("x", "y"):
                entries.append(RawEntry(f"m/l{level}/{name}", "cl", target=f"m/l{level + 1}"))
    assert refusal(raw(tmp_path, entries)) == (
        "not a readable drive: the folder top/x/.../x/y is the folder top/x/.../x/x again "
        "(Rock Ridge relocations that loop, or one folder in two places)"
    )


def test_a_child_link_to_a_file_or_a_shown_folder_is_refused(tmp_path: Path) -> None:
    image = raw(tmp_path, [RawEntry("a", "cl", target="openstack/latest/user_data")])
    assert refusal(image) == "not a readable drive: the relocated folder a leads to no folder"
    # A folder already shown where it is stored (no RE entry) would be shown twice.
    image = raw(tmp_path, [RawEntry("a", "cl", target="openstack/latest")])
    assert refusal(image) == (
        "not a readable drive: the folder openstack/latest is the folder a again "
        "(Rock Ridge relocations that loop, or one folder in two places)"
    )


def test_folders_nested_past_the_limit_are_refused_not_cut(tmp_path: Path) -> None:
    deepest = "/".join(["d"] * MAX_DEPTH)
    with open_drive(raw(tmp_path, [RawEntry(f"{deepest}/f", data=b"x")])) as drive:
        assert drive.view.read_file(f"{deepest}/f") == b"x"
    image = raw(tmp_path, [RawEntry(f"{deepest}/d/f", data=b"x")])
    assert refusal(image) == (
        f"not a readable drive: its folders nest more than {MAX_DEPTH} levels deep (at d/d/.../d/d)"
    )


def test_entries_are_bounded(tmp_path: Path) -> None:
    many = [RawEntry(f"many/f{index}") for index in range(MAX_ENTRIES - len(BASE) - 3)]
    with open_drive(raw(tmp_path, many)) as drive:
        # openstack, openstack/latest, many: with BASE and `many`, exactly the limit.
        assert len(drive.trees["rock-ridge"].entries) == MAX_ENTRIES
    image = raw(tmp_path, [*many, RawEntry("one-more")])
    assert refusal(image) == (
        f"not a readable drive: it holds more than {MAX_ENTRIES} files, folders and links "
        "in one name tree (a config drive holds about a hundred)"
    )


def test_claims_in_a_sparse_image_cost_no_memory(tmp_path: Path) -> None:
    """A path table claiming 2 GB in a 2 GB sparse image is refused before it is read."""
    image = raw(tmp_path, [], path_table_size=0x7FFF0000)
    os.truncate(image, 2 << 30)
    result = run_measured(
        [sys.executable, "-m", "configdrive", "inspect", str(image)], cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"{image}: not a readable drive: its path table claims 2147418112 bytes, "
        "more than the 256 KiB a config drive could need"
    )
    assert result.peak_rss < 128 * MiB
    assert result.bytes_read < 64 * MiB


def test_a_folder_claiming_gigabytes_is_refused_before_reading(tmp_path: Path) -> None:
    image = raw(tmp_path, [RawEntry("huge", "dir", size=0x7FFF0000)])
    os.truncate(image, 2 << 30)
    assert refusal(image) == (
        f"not a readable drive: its folders take more than {MAX_FOLDER_BYTES // MiB} MiB "
        "to list, more than any config drive"
    )


def continuation(extent: int, offset: int, length: int) -> bytes:
    """A Rock Ridge CE entry: the record's entries go on at `extent` + `offset`."""
    fields = b"".join(
        struct.pack("<I", value) + struct.pack(">I", value) for value in (extent, offset, length)
    )
    return b"CE\x1c\x01" + fields


@pytest.mark.parametrize(
    ("system_use", "expected"),
    [
        (continuation(20, 0, 0x7FFF0000), "a Rock Ridge continuation area in the folder "
         "openstack is not inside one block"),
        (continuation(10**6, 0, 100), "a Rock Ridge continuation area in the folder "
         "openstack lies past the end of the image"),
    ],
)  # fmt: skip
def test_continuation_areas_are_bounded(tmp_path: Path, system_use: bytes, expected: str) -> None:
    # Folders are named as isofs maps their ISO9660 names (raw_iso's are the names upper-cased).
    image = raw(tmp_path, [RawEntry("openstack/x", system_use=system_use)])
    assert refusal(image) == f"not a readable drive: {expected}"


def test_continuation_chains_are_bounded(tmp_path: Path) -> None:
    """A CE area whose own CE points at itself: Linux gives up after 32, and so do we."""
    # The image's length does not depend on the CE's fields: the area goes in a block after it.
    extent = len(raw_iso([*BASE, RawEntry("openstack/x", system_use=continuation(0, 0, 28))]))
    extent //= 2048
    entry = RawEntry("openstack/x", system_use=continuation(extent, 0, 28))
    image = raw_iso([*BASE, entry]) + continuation(extent, 0, 28).ljust(2048, b"\x00")
    assert refusal(write(tmp_path / "drive.iso", bytes(image))) == (
        "not a readable drive: a record in the folder openstack has more than "
        f"{MAX_CONTINUATIONS} Rock Ridge continuation areas"
    )


def test_symbolic_links_are_each_resolved_once(tmp_path: Path) -> None:
    """A chain of 2,000 links, each looked up: the work grows with the links, not their square."""
    count = 2000
    links = [RawEntry(f"l/s{index}", "symlink", target=f"s{index + 1}") for index in range(count)]
    links.append(RawEntry(f"l/s{count}", "symlink", target="../openstack/latest"))
    with open_drive(raw(tmp_path, links)) as drive:
        view = drive.view
        found = [view.resolve(f"l/s{index}") for index in range(count + 1)]
        # Linux follows 40 links in a lookup: the last 40 of the chain reach the folder.
        assert [entry is not None for entry in found].count(True) == MAX_SYMLINKS
        assert found[-1] is not None
        assert found[-1].names == ("openstack", "latest")
        # Each lookup walks 2 names a link; a link cut short by a lookup's budget is walked
        # again by a lookup with more to spend, at most MAX_SYMLINKS times: linear, where
        # walking every chain anew would be count**2 / 2 = 2,000,000 here.
        assert view.steps <= 2 * (MAX_SYMLINKS + 1) * count


def test_forty_links_resolve_and_forty_one_do_not(tmp_path: Path) -> None:
    links = [RawEntry(f"s{index}", "symlink", target=f"s{index + 1}") for index in range(41)]
    links.append(RawEntry("s41", "symlink", target="openstack"))
    with open_drive(raw(tmp_path, links)) as drive:
        view = drive.view
        assert view.resolve("s2/latest/user_data") is not None  # s2 ... s41: 40 links
        assert view.resolve("s1/latest/user_data") is None  # 41
        # What s2 and s1 taught the view changes nothing for s0, nor for s2 again.
        assert view.resolve("s0") is None
        assert view.resolve("s2") is not None


def test_link_loops_and_long_targets_lead_nowhere(tmp_path: Path) -> None:
    links = [
        RawEntry("a", "symlink", target="b/x"),
        RawEntry("b", "symlink", target="a"),
        RawEntry("self", "symlink", target="self"),
        RawEntry("dots", "symlink", target="./" * 60 + "openstack"),
    ]
    with open_drive(raw(tmp_path, links)) as drive:
        view = drive.view
        assert view.resolve("a") is None
        assert view.resolve("self/x") is None
        assert view.resolve("dots/latest") is not None
        # Linux reads a target into one page: a longer one is an error there, nowhere here.
        fits = "./" * ((MAX_LINK_TARGET - 9) // 2) + "openstack"
        tree = NameTree(
            "rock-ridge",
            (
                *drive.trees["rock-ridge"].entries,
                Entry(("fits",), "symlink", target=fits),
                Entry(("too-long",), "symlink", target="./" + fits),
            ),
            True,
        )
        assert len(fits) <= MAX_LINK_TARGET < len(fits) + 2
        long_view = DriveView(drive, tree)
        assert long_view.resolve("fits/latest") is not None
        assert long_view.resolve("too-long/latest") is None


def test_lookups_are_bounded(tmp_path: Path) -> None:
    with open_drive(raw(tmp_path, [])) as drive:
        view = drive.view
        with pytest.raises(InvalidInputError) as caught:
            view.resolve("./" * MAX_LOOKUP_STEPS + "openstack")
    assert caught.value.problems[0].message == (
        f"not a readable drive: its symbolic links take more than {MAX_LOOKUP_STEPS} "
        "steps to resolve"
    )


def test_reads_of_one_drive_are_bounded(tmp_path: Path) -> None:
    """300 names share one 1 MiB extent: reading them all would return 300 MiB."""

    def names(extent: int) -> list[RawEntry]:
        return [RawEntry(f"n/{index}", extent=extent, size=MiB) for index in range(300)]

    # Where `big` lies does not depend on the extents the names claim: learn it, then share it.
    shared = [RawEntry("big", data=b"x" * MiB)]
    with open_drive(raw(tmp_path, [*shared, *names(0)])) as drive:
        start = next(e for e in drive.view.entries() if e.names == ("big",)).data // 2048
    image = raw(tmp_path, [*shared, *names(start)])
    with open_drive(image) as drive:
        view = drive.view
        read = 0
        with pytest.raises(InvalidInputError) as caught:  # noqa: PT012 (the loop is the point)
            for index in range(300):
                assert view.read_file(f"n/{index}") == b"x" * MiB
                read += 1
    assert read == MAX_READ_TOTAL // MiB
    assert caught.value.problems[0].message == (
        f"not a readable drive: reading its files would return more than "
        f"{MAX_READ_TOTAL // MiB} MiB, the most one drive may return "
        "(do many names share one large file?)"
    )


def test_a_gzip_bomb_is_refused_as_it_unpacks(tmp_path: Path) -> None:
    """A drive padded past the limit: unpacking stops there, never holding more."""
    path = tmp_path / "bomb.gz"
    with gzip.open(path, "wb", compresslevel=1) as stream:
        stream.write(iso_image(FILES))
        for _ in range(MAX_UNPACKED_IMAGE // MiB):
            stream.write(bytes(MiB))
    assert refusal(path) == (
        f"not a readable drive: the image inside the gzip is larger than "
        f"{MAX_UNPACKED_IMAGE // MiB} MiB, more than any config drive"
    )
    result = run_measured([sys.executable, "-m", "configdrive", "inspect", str(path)], cwd=tmp_path)
    assert result.returncode == 1
    assert result.peak_rss < MAX_UNPACKED_IMAGE + 96 * MiB


def test_packing_is_undone_piece_by_piece(tmp_path: Path) -> None:
    """Several gzip members, base64 in lines with padding: the image comes back whole."""
    image = iso_image(FILES)
    half = len(image) // 2
    packed = gzip.compress(image[:half], mtime=0) + gzip.compress(image[half:], mtime=0)
    packed += bytes(1 + len(packed) % 3 // 2)  # zero padding after gzip; base64 padding after it
    text = base64.encodebytes(packed)
    assert text.endswith(b"=\n")
    with open_drive(write(tmp_path / "d.b64", text)) as drive:
        assert drive.packing == "gzip+base64"
        assert drive.size == len(image)
        assert drive.view.read_file("openstack/latest/user_data") == b"#cloud-config\n"
    # Text after the padding is not base64: not a packed drive.
    assert refusal(write(tmp_path / "e.b64", text + b"QUFB\n")) == "not an ISO9660 or FAT image"
    truncated = write(tmp_path / "t.gz", gzip.compress(image, mtime=0)[:-100])
    assert refusal(truncated) == (
        "not a readable drive: the gzip around the image is broken: it is truncated"
    )


def test_rock_ridge_entries_are_bounded(tmp_path: Path) -> None:
    """Records packed with padding entries: pycdlib would parse each one (9 us apiece)."""
    padding = b"PD\x04\x01" * 40
    many = [RawEntry(f"m/f{index}", system_use=padding) for index in range(1000)]
    assert refusal(raw(tmp_path, many)) == (
        f"not a readable drive: it has more than {MAX_SUSP_ENTRIES} Rock Ridge entries, "
        "more than any config drive"
    )


def test_padding_in_continuation_areas_is_bounded(tmp_path: Path) -> None:
    """pycdlib keeps the rest of the area with each PD entry: 512 in a block keep 512 KiB."""
    count = 16
    probe = raw_iso(
        [*BASE, *(RawEntry(f"c/f{n}", system_use=continuation(0, 0, 2048)) for n in range(count))]
    )
    first = len(probe) // 2048
    records = [
        RawEntry(f"c/f{n}", system_use=continuation(first + n, 0, 2048)) for n in range(count)
    ]
    image = raw_iso([*BASE, *records]) + b"PD\x04\x01" * 512 * count
    assert refusal(write(tmp_path / "drive.iso", image)) == (
        "not a readable drive: its Rock Ridge padding entries (PD) would take more than "
        f"{MAX_PADDING_KEPT // MiB} MiB to parse"
    )


def test_volume_descriptors_are_bounded(tmp_path: Path) -> None:
    supplementary = b"\x02CD001\x01".ljust(2048, b"\x00")  # not Joliet: pycdlib only keeps it
    image = raw(tmp_path, [], descriptors=[supplementary] * MAX_VOLUME_DESCRIPTORS)
    assert refusal(image) == (
        f"not a readable drive: it has more than {MAX_VOLUME_DESCRIPTORS} volume descriptors"
    )


def test_boot_catalog_and_udf_are_not_parsed(tmp_path: Path) -> None:
    """An El Torito boot record whose catalog lies 2 GB past the end, and UDF descriptors
    with no UDF behind them: neither is what Linux shows of a config drive, and pycdlib is
    shown neither, so the drive opens (pycdlib alone refuses both)."""
    el_torito = b"\x00CD001\x01" + b"EL TORITO SPECIFICATION".ljust(32, b"\x00") + bytes(32)
    el_torito += struct.pack("<I", 10**6)
    udf = [
        f"\x00{ident}\x01".encode().ljust(2048, b"\x00") for ident in ("BEA01", "NSR02", "TEA01")
    ]
    image = raw(tmp_path, [], descriptors=[el_torito.ljust(2048, b"\x00"), *udf])
    with open_drive(image) as drive:
        assert drive.iso is not None
        assert drive.iso.udf
        assert drive.view.read_file("openstack/latest/user_data") == b"#cloud-config\n"
    plain = raw(tmp_path, [])
    with open_drive(plain) as drive:
        assert drive.iso is not None
        assert not drive.iso.udf


def test_a_link_to_no_record_is_named(tmp_path: Path) -> None:
    child_link = b"CL\x0c\x01" + struct.pack("<I", 12345) + struct.pack(">I", 12345)
    image = raw(tmp_path, [RawEntry("nowhere", system_use=child_link)])
    assert refusal(image) == (
        "broken ISO9660 image: nothing the path table or a Rock Ridge link names is at block 12345"
    )
