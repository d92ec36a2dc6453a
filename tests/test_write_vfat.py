"""The FAT writer, read back by a small FAT reader written here from the specification.

The reader checks what every FAT driver relies on (boot sector, both FATs, cluster chains,
long-name checksums and order, `.` and `..`) and returns the tree; the interop tests
then show the same images to fsck.fat, blkid, mtools and cloud-init.
"""

from __future__ import annotations

import calendar
import io
import os
import struct
import time
import tracemalloc
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

import pytest

from configdrive.formats.fat import (
    COPY_BLOCK,
    MIB,
    fat_geometry,
    lfn_checksum,
    short_names,
    write_vfat,
)
from configdrive.layouts.drive_layout import Content, DriveLayout, FileContent

SECTOR = 512
EPOCH_1980 = 315_532_800
STAMP = 1_700_000_001  # 2023-11-14 22:13:21 UTC: an odd second, which FAT cannot store


# --------------------------------------------------------------------------- a FAT reader


@dataclass(frozen=True)
class Entry:
    """One directory entry, its long name (if any) already joined and checked."""

    name: str
    short: bytes
    attributes: int
    cluster: int
    size: int
    create_time: int
    create_date: int
    access_date: int
    write_time: int
    write_date: int
    long_name: bool

    @property
    def is_dir(self) -> bool:
        return bool(self.attributes & 0x10)


def rotate_checksum(short: bytes) -> int:
    """The long-name checksum, written as the rotate-right-and-add the specification shows."""
    total = 0
    for byte in short:
        total = (((total >> 1) | (total << 7)) + byte) & 0xFF
    return total


class FatImage:
    """A FAT12/16/32 image, parsed the way the specification says readers must parse it."""

    bytes_per_sector: int
    sectors_per_cluster: int
    reserved: int
    fat_count: int
    root_entries: int
    media: int
    sectors_per_track: int
    heads: int
    hidden: int
    drive_number: int
    serial: int

    def __init__(self, image: bytes) -> None:
        self.image = image
        boot = image[:SECTOR]
        assert boot[510:512] == b"\x55\xaa"
        (
            self.bytes_per_sector,
            self.sectors_per_cluster,
            self.reserved,
            self.fat_count,
            self.root_entries,
            total16,
            self.media,
            fat16,
            self.sectors_per_track,
            self.heads,
            self.hidden,
            total32,
        ) = struct.unpack_from("<HBHBHHBHHHII", boot, 11)
        self.total_sectors = total16 or total32
        self.fat_sectors = fat16 or struct.unpack_from("<I", boot, 36)[0]
        extended = 36 if fat16 else 64  # FAT32 has 28 more bytes of BPB first
        self.drive_number, _, signature, self.serial = struct.unpack_from("<BBBI", boot, extended)
        assert signature == 0x29
        self.label = boot[extended + 7 : extended + 18]
        self.type_name = boot[extended + 18 : extended + 26]
        root_sectors = (self.root_entries * 32 + SECTOR - 1) // SECTOR
        self.first_data = self.reserved + self.fat_count * self.fat_sectors + root_sectors
        self.cluster_count = (self.total_sectors - self.first_data) // self.sectors_per_cluster
        # The type follows from the cluster count alone (FAT specification, section 3.5).
        if fat16 == 0:
            self.bits = 32
        else:
            self.bits = 12 if self.cluster_count < 4085 else 16
        fat_bytes = self.fat_sectors * SECTOR
        start = self.reserved * SECTOR
        self.fats = [image[start + i * fat_bytes : start + (i + 1) * fat_bytes] for i in range(2)]
        self.root_cluster = struct.unpack_from("<I", boot, 44)[0] if self.bits == 32 else 0

    @property
    def cluster_bytes(self) -> int:
        return self.sectors_per_cluster * SECTOR

    def fat_entry(self, cluster: int, fat: int = 0) -> int:
        table = self.fats[fat]
        if self.bits == 12:
            pair: int = struct.unpack_from("<H", table, cluster * 3 // 2)[0]
            return pair >> 4 if cluster & 1 else pair & 0xFFF
        if self.bits == 16:
            value: int = struct.unpack_from("<H", table, cluster * 2)[0]
            return value
        value = struct.unpack_from("<I", table, cluster * 4)[0]
        return value & 0x0FFF_FFFF

    def is_end(self, value: int) -> bool:
        return value >= {12: 0xFF8, 16: 0xFFF8, 32: 0x0FFF_FFF8}[self.bits]

    def chain(self, first: int) -> list[int]:
        clusters = [first]
        while True:
            assert 2 <= clusters[-1] < self.cluster_count + 2, f"cluster {clusters[-1]} is outside"
            value = self.fat_entry(clusters[-1])
            if self.is_end(value):
                return clusters
            assert len(clusters) <= self.cluster_count, "a chain loops"
            clusters.append(value)

    def cluster_data(self, cluster: int) -> bytes:
        start = (self.first_data + (cluster - 2) * self.sectors_per_cluster) * SECTOR
        return self.image[start : start + self.cluster_bytes]

    def read_chain(self, first: int) -> bytes:
        return b"".join(self.cluster_data(cluster) for cluster in self.chain(first))

    def root_bytes(self) -> bytes:
        if self.bits == 32:
            return self.read_chain(self.root_cluster)
        start = (self.reserved + self.fat_count * self.fat_sectors) * SECTOR
        return self.image[start : start + self.root_entries * 32]

    def entries(self, data: bytes) -> list[Entry]:
        """A folder's entries; long names must be whole, in order, and carry the checksum."""
        found: list[Entry] = []
        parts: list[tuple[int, int, bytes]] = []
        for offset in range(0, len(data), 32):
            raw = data[offset : offset + 32]
            if raw[0] == 0:
                break
            assert raw[0] != 0xE5, "a deleted entry in a fresh image"
            if raw[11] == 0x0F:
                characters = raw[1:11] + raw[14:26] + raw[28:32]
                parts.append((raw[0], raw[13], characters))
                continue
            short = raw[:11]
            name = short[:8].decode("ascii").rstrip()
            extension = short[8:].decode("ascii").rstrip()
            name = f"{name}.{extension}" if extension else name
            if parts:
                count = len(parts)
                expected_order = [count | 0x40, *range(count - 1, 0, -1)]
                assert [order for order, _, _ in parts] == expected_order, "parts out of order"
                assert {checksum for _, checksum, _ in parts} == {rotate_checksum(short)}
                units = b"".join(characters for _, _, characters in reversed(parts))
                name = units.decode("utf-16-le").split("\0", 1)[0]
            fields = struct.unpack_from("<BBBHHHHHHHI", raw, 11)
            attributes, _, _, ctime, cdate, adate, high, wtime, wdate, low, size = fields
            found.append(
                Entry(
                    name, short, attributes, (high << 16) | low, size,
                    ctime, cdate, adate, wtime, wdate, bool(parts),
                )
            )  # fmt: skip
            parts = []
        assert not parts, "a long name without its short entry"
        return found

    def walk(self) -> Iterator[tuple[str, Entry, list[Entry]]]:
        """(path, entry, entries of the folder it is in) for everything below the root."""
        pending: list[tuple[str, list[Entry]]] = [("", self.entries(self.root_bytes()))]
        while pending:
            prefix, entries = pending.pop(0)
            for entry in entries:
                if entry.attributes & 0x08 or entry.name in (".", ".."):
                    continue
                path = f"{prefix}{entry.name}"
                yield path, entry, entries
                if entry.is_dir:
                    pending.append((path + "/", self.entries(self.read_chain(entry.cluster))))

    def files(self) -> dict[str, bytes]:
        return {
            path: self.read_chain(entry.cluster)[: entry.size] if entry.size else b""
            for path, entry, _ in self.walk()
            if not entry.is_dir
        }


def render(
    files: Mapping[str, Content], *, label: str = "config-2", timestamp: int = STAMP
) -> bytes:
    out = io.BytesIO()
    write_vfat(DriveLayout(label, files), out, timestamp=timestamp)
    return out.getvalue()


def config_drive_files() -> dict[str, Content]:
    meta = b'{"uuid": "0b7f2a1e-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "hostname": "t-1"}'
    files: dict[str, Content] = {}
    for version in ("2012-08-10", "2013-04-04", "2015-10-15", "2016-06-30", "latest"):
        files[f"openstack/{version}/meta_data.json"] = meta
        files[f"openstack/{version}/user_data"] = b"#cloud-config\nhostname: t-1\n"
        files[f"openstack/{version}/vendor_data.json"] = b"{}"
        files[f"openstack/{version}/vendor_data2.json"] = b'{"x": 1}'
    files["openstack/content/0000"] = b"motd\n" * 1000
    files["ec2/latest/meta-data.json"] = b'{"instance-id": "i-0b7f2a1e"}'
    return files


# --------------------------------------------------------------------------- the boot sector


def test_a_small_drive_is_a_1_mib_fat12_volume_as_mkfs_fat_makes_it() -> None:
    image = render(config_drive_files())
    assert len(image) == MIB
    fat = FatImage(image)
    assert image[0:3] == b"\xeb\x3c\x90"
    assert (fat.bytes_per_sector, fat.sectors_per_cluster, fat.reserved) == (512, 4, 1)
    assert (fat.fat_count, fat.root_entries, fat.total_sectors) == (2, 512, 2048)
    assert (fat.media, fat.fat_sectors, fat.sectors_per_track, fat.heads) == (0xF8, 2, 16, 2)
    assert (fat.hidden, fat.drive_number, fat.bits) == (0, 0x80, 12)
    assert fat.type_name == b"FAT12   "
    assert fat.cluster_count == 502  # what mkfs.fat -C IMG 1024 reports


def test_the_label_keeps_its_case_in_the_boot_sector_and_the_root_folder() -> None:
    for label in ("config-2", "cidata", "CIDATA"):
        fat = FatImage(render({"user-data": b"#cloud-config\n"}, label=label))
        assert fat.label == label.encode().ljust(11)
        first = fat.entries(fat.root_bytes())[0]
        assert first.attributes == 0x08
        assert first.short == label.encode().ljust(11)
        assert (first.cluster, first.size) == (0, 0)


def test_no_label_is_no_name_and_no_label_entry() -> None:
    fat = FatImage(render({"a": b"x"}, label=""))
    assert fat.label == b"NO NAME    "
    assert all(not entry.attributes & 0x08 for entry in fat.entries(fat.root_bytes()))


@pytest.mark.parametrize(
    ("label", "problem"),
    [
        ("config.2", "cannot hold '.'"),
        ("twelve-chars", "1 to 11 characters"),
        (" cidata", "no space first"),
        ("cïdata", "ASCII only"),
    ],
)
def test_labels_fat_cannot_hold_are_refused(label: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        render({"a": b"x"}, label=label)


@pytest.mark.parametrize(
    ("kib", "expected"),
    [
        # (bits, sectors/cluster, reserved, root entries, total sectors, FAT sectors, CHS),
        # as mkfs.fat 4.2 writes them for `mkfs.fat -C IMG KIB`.
        (1024, (12, 4, 1, 512, 2048, 2, 16, 2)),
        (8192, (12, 4, 4, 512, 16384, 12, 32, 2)),  # 4081 clusters: FAT12's last sizes
        (8208, (16, 4, 4, 512, 16416, 16, 32, 2)),  # 4087 clusters: Windows' first FAT16
        (65536, (16, 4, 4, 512, 131072, 128, 32, 8)),
        (512000, (16, 16, 16, 512, 1023939, 256, 63, 16)),  # whole 63-sector tracks only
        (1048576, (32, 8, 32, 0, 2097144, 2048, 63, 64)),
    ],
)
def test_geometry_is_the_one_mkfs_fat_picks(
    kib: int, expected: tuple[int, int, int, int, int, int, int, int]
) -> None:
    geometry = fat_geometry(kib * 2)
    assert (
        geometry.fat_bits,
        geometry.sectors_per_cluster,
        geometry.reserved_sectors,
        geometry.root_entries,
        geometry.total_sectors,
        geometry.fat_sectors,
        geometry.sectors_per_track,
        geometry.heads,
    ) == expected
    assert geometry.image_sectors == kib * 2


# --------------------------------------------------------------------------- the tables


def test_every_file_reads_back_byte_for_byte() -> None:
    files = config_drive_files()
    fat = FatImage(render(files))
    assert fat.files() == files


def test_both_fats_are_equal_and_every_chain_is_whole_and_private() -> None:
    files = config_drive_files()
    fat = FatImage(render(files))
    assert fat.fats[0] == fat.fats[1]
    assert fat.fat_entry(0) == 0xFF8  # media byte 0xF8 in the low bits
    assert fat.fat_entry(1) == 0xFFF
    owner: dict[int, str] = {}
    for path, entry, _ in fat.walk():
        if not entry.is_dir and entry.size == 0:
            assert entry.cluster == 0
            continue
        chain = fat.chain(entry.cluster)
        if not entry.is_dir:
            assert len(chain) == -(-entry.size // fat.cluster_bytes), path
        for cluster in chain:
            assert cluster not in owner, f"{path} and {owner.get(cluster)} share a cluster"
            owner[cluster] = path
    # Every cluster outside a chain is free: nothing is lost or reserved by mistake.
    for cluster in range(2, fat.cluster_count + 2):
        if cluster not in owner:
            assert fat.fat_entry(cluster) == 0


def test_identical_contents_are_written_once_per_path() -> None:
    payload = os.urandom(10_000)
    fat = FatImage(render({f"d{i}/x": payload for i in range(5)}))
    starts = {entry.cluster for _, entry, _ in fat.walk() if not entry.is_dir}
    assert len(starts) == 5  # FAT has no hard links: shared clusters are a cross-link
    assert set(fat.files().values()) == {payload}


def test_empty_files_and_folders() -> None:
    fat = FatImage(render({"empty": b"", "folder/inner/file": b"x"}))
    assert fat.files() == {"empty": b"", "folder/inner/file": b"x"}
    empty = next(entry for path, entry, _ in fat.walk() if path == "empty")
    assert (empty.cluster, empty.size, empty.attributes) == (0, 0, 0x20)


def test_folders_start_with_dot_and_dot_dot() -> None:
    fat = FatImage(render({"a/b/c": b"x"}))
    folders = {path: entry for path, entry, _ in fat.walk() if entry.is_dir}
    for path, folder in folders.items():
        entries = fat.entries(fat.read_chain(folder.cluster))
        dot, dot_dot = entries[0], entries[1]
        assert (dot.short, dot.cluster, dot.attributes) == (b".          ", folder.cluster, 0x10)
        parent = path.rpartition("/")[0]
        expected = folders[parent].cluster if parent else 0  # the root is cluster 0 here
        assert (dot_dot.short, dot_dot.cluster) == (b"..         ", expected)


# --------------------------------------------------------------------------- names


def test_long_names_carry_their_short_names_checksum() -> None:
    for short in (b"META_D~1JSO", b"README  TXT", b"LATEST     ", bytes(range(65, 76))):
        assert lfn_checksum(short) == rotate_checksum(short)
    names = ["thirteen-char", "twenty-six-characters-long", "x" * 255, "ünï €.txt", "ab"]
    fat = FatImage(render({f"f/{name}": name.encode() for name in names}))
    # The reader checked order and checksum of every long-name part on the way.
    assert fat.files() == {f"f/{name}": name.encode() for name in names}


def test_short_names_are_made_as_windows_and_linux_make_them() -> None:
    names = [
        "meta_data.json", "vendor_data.json", "vendor_data2.json", "latest", "README.TXT",
        "user_data", "2012-08-10", ".hidden", "a.b.c.d", "readme file.txt", "ünï.txt",
    ]  # fmt: skip
    assert short_names(names) == {
        "meta_data.json": b"META_D~1JSO",
        "vendor_data.json": b"VENDOR~1JSO",
        "vendor_data2.json": b"VENDOR~2JSO",
        "latest": b"LATEST     ",
        "README.TXT": b"README  TXT",
        "user_data": b"USER_D~1   ",
        "2012-08-10": b"2012-0~1   ",
        ".hidden": b"HIDDEN~1   ",
        "a.b.c.d": b"ABC~1   D  ",
        "readme file.txt": b"README~1TXT",
        "ünï.txt": b"_N_~1   TXT",
    }


def test_short_names_stay_unique_past_nine_and_around_literal_tails() -> None:
    names = ["META_D~1.JSO"] + [f"meta_data-{i}.json" for i in range(120)]
    shorts = short_names(names)
    assert len(set(shorts.values())) == len(names)
    assert shorts["META_D~1.JSO"] == b"META_D~1JSO"  # an exact 8.3 name is never renamed
    assert shorts["meta_data-0.json"] == b"META_D~2JSO"  # ~1 is taken by the exact name
    assert shorts["meta_data-7.json"] == b"META_D~9JSO"
    assert shorts["meta_data-8.json"] == b"META_~10JSO"  # the base gives way to the tail
    assert shorts["meta_data-119.json"] == b"META~121JSO"
    fat = FatImage(render({f"m/{name}": b"x" for name in names}))
    entries = next(entries for path, _, entries in fat.walk() if path.startswith("m/"))
    assert len({entry.short for entry in entries}) == len(entries)


def test_upper_case_8_3_names_have_no_long_name() -> None:
    fat = FatImage(render({"UPPER.TXT": b"x", "lower.txt": b"y", "LATEST": b"z"}))
    by_name = {path: entry for path, entry, _ in fat.walk()}
    assert not by_name["UPPER.TXT"].long_name
    assert not by_name["LATEST"].long_name
    assert by_name["lower.txt"].long_name
    assert by_name["lower.txt"].short == b"LOWER   TXT"


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({"a/Readme": b"1", "a/README": b"2"}, "differ only in case"),
        ({"a/x": b"1", "A/y": b"2"}, "differ only in case"),
        ({"a": b"1", "a/b": b"2"}, "is a file, not a folder"),
        ({"a/b": b"1", "a": b"2"}, "both a file and a folder"),
        ({"what?": b"1"}, "cannot hold '\\?'"),
        ({"trailing.": b"1"}, "end with a dot"),
        ({"a//b": b"1"}, "empty"),
        ({"x" * 256: b"1"}, "longer than 255"),
    ],
)
def test_what_fat_cannot_hold_is_refused(files: dict[str, Content], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        render(files)


# --------------------------------------------------------------------------- dates and serial


def fat_date_time(epoch: int) -> tuple[int, int]:
    moment = time.gmtime(epoch)
    date = ((moment.tm_year - 1980) << 9) | (moment.tm_mon << 5) | moment.tm_mday
    return date, (moment.tm_hour << 11) | (moment.tm_min << 5) | (moment.tm_sec // 2)


@pytest.mark.parametrize(
    ("timestamp", "shown"),
    [
        (STAMP, STAMP - 1),  # two-second steps: rounded down
        (0, EPOCH_1980),  # FAT starts in 1980
        (calendar.timegm((2200, 1, 1, 0, 0, 0)), calendar.timegm((2107, 12, 31, 23, 59, 58))),
    ],
)
def test_every_date_is_the_timestamp(timestamp: int, shown: int) -> None:
    fat = FatImage(render(config_drive_files(), timestamp=timestamp))
    date, clock = fat_date_time(shown)
    entries = [entry for _, _, folder in fat.walk() for entry in folder]
    entries += fat.entries(fat.root_bytes())
    for entry in entries:
        assert (entry.write_date, entry.write_time) == (date, clock), entry.name
        assert (entry.create_date, entry.create_time) == (date, clock), entry.name
        assert entry.access_date == date


@pytest.fixture
def restore_tz() -> Iterator[None]:
    saved = os.environ.get("TZ")
    yield
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def test_same_layout_same_bytes_in_any_time_zone(restore_tz: None) -> None:
    images = []
    for zone in ("UTC", "Pacific/Kiritimati", "America/Los_Angeles"):
        os.environ["TZ"] = zone
        time.tzset()
        images.append(render(config_drive_files()))
    assert images[0] == images[1] == images[2]
    assert render(config_drive_files(), timestamp=STAMP + 2) != images[0]


def test_the_serial_number_follows_the_layout() -> None:
    files = config_drive_files()
    first = FatImage(render(files)).serial
    assert FatImage(render(dict(files))).serial == first
    changed = {**files, "openstack/latest/meta_data.json": b'{"uuid": "another"}'}
    assert FatImage(render(changed)).serial != first
    assert FatImage(render(files, label="cidata")).serial != first


# --------------------------------------------------------------------------- sizes and streaming


def needed_clusters(fat: FatImage) -> int:
    return sum(len(fat.chain(entry.cluster)) for _, entry, _ in fat.walk() if entry.cluster) + (
        len(fat.chain(fat.root_cluster)) if fat.bits == 32 else 0
    )


@pytest.mark.parametrize("payload", [0, 700_000, 3 * MIB, 20 * MIB + 1])
def test_the_image_is_the_smallest_whole_mib_that_holds_the_content(payload: int) -> None:
    files: dict[str, bytes] = {"meta_data.json": b"{}", "big": b"\x01" * payload}
    image = render(files)
    fat = FatImage(image)
    assert len(image) % MIB == 0
    assert fat.files() == files
    if len(image) > MIB:  # one MiB less would not do
        smaller = fat_geometry((len(image) - MIB) // SECTOR)
        needed = sum(-(-len(content) // smaller.cluster_bytes) for content in files.values())
        assert needed > smaller.cluster_count
    assert fat.bits == (16 if payload > 10 * MIB else 12)


class CountingSink(io.RawIOBase):
    """A write-only stream that keeps the first `keep` bytes and counts the rest."""

    def __init__(self, keep: int) -> None:
        self.kept = bytearray()
        self.keep = keep
        self.size = 0
        self.largest_write = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        view = memoryview(data)
        if len(self.kept) < self.keep:
            self.kept += view[: self.keep - len(self.kept)]
        self.size += len(view)
        self.largest_write = max(self.largest_write, len(view))
        return len(view)


def test_file_content_is_streamed_in_blocks(tmp_path: Path) -> None:
    source = tmp_path / "payload"
    size = 48 * MIB + 3
    with source.open("wb") as handle:
        handle.truncate(size)
        handle.seek(size - 3)
        handle.write(b"end")
    layout = DriveLayout("config-2", {"a/payload": FileContent(source, size), "b": b"x"})
    sink = CountingSink(keep=0)
    tracemalloc.start()
    try:
        write_vfat(layout, cast(BinaryIO, sink), timestamp=STAMP)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.size == 49 * MIB
    assert sink.largest_write <= COPY_BLOCK
    assert peak < 6 * MIB, f"{peak} bytes held while writing a {size}-byte file"

    image_path = tmp_path / "drive.img"
    with image_path.open("wb") as stream:
        write_vfat(layout, stream, timestamp=STAMP)
    files = FatImage(image_path.read_bytes()).files()
    assert files["a/payload"][-3:] == b"end"
    assert len(files["a/payload"]) == size


def test_a_file_that_changes_size_fails(tmp_path: Path) -> None:
    source = tmp_path / "payload"
    source.write_bytes(b"12345")
    for declared in (4, 6):
        layout = DriveLayout("config-2", {"payload": FileContent(source, declared)})
        with pytest.raises(OSError, match="changed size"):
            write_vfat(layout, io.BytesIO(), timestamp=STAMP)


def test_progress_counts_up_to_the_image_size() -> None:
    seen: list[tuple[int, int]] = []
    out = io.BytesIO()
    layout = DriveLayout("config-2", config_drive_files())
    write_vfat(
        layout, out, timestamp=STAMP, progress=lambda done, total: seen.append((done, total))
    )
    assert seen[-1] == (MIB, MIB)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_fat32_from_512_mib_with_fsinfo_and_a_backup_boot_sector(tmp_path: Path) -> None:
    source = tmp_path / "sparse"
    size = 512 * MIB
    with source.open("wb") as handle:
        handle.truncate(size)
    files: dict[str, Content] = {
        "payload": FileContent(source, size),
        "openstack/latest/meta_data.json": b"{}",
    }
    sink = CountingSink(keep=8 * MIB)  # every table and folder is in front of the payload
    write_vfat(DriveLayout("config-2", files), cast(BinaryIO, sink), timestamp=STAMP)
    head = bytes(sink.kept)
    fat = FatImage(head)
    assert (fat.bits, fat.type_name, fat.root_entries, fat.reserved) == (32, b"FAT32   ", 0, 32)
    assert sink.size % MIB == 0
    assert fat.total_sectors <= sink.size // SECTOR
    assert head[0:3] == b"\xeb\x58\x90"
    assert head[6 * SECTOR : 7 * SECTOR] == head[:SECTOR]  # the backup boot sector
    info = head[SECTOR : 2 * SECTOR]
    assert (info[0:4], info[484:488], info[510:512]) == (b"RRaA", b"rrAa", b"\x55\xaa")
    free, next_free = struct.unpack_from("<II", info, 488)
    assert free == fat.cluster_count - needed_clusters(fat)
    assert next_free == needed_clusters(fat) + 2
    assert fat.root_cluster == 2
    by_path = {path: entry for path, entry, _ in fat.walk()}
    assert by_path["payload"].size == size
    assert len(fat.chain(by_path["payload"].cluster)) == size // fat.cluster_bytes
