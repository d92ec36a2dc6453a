"""The fast plumbing under `inject IMAGE`: the test-image kit, the partition-table reader,
busy-image detection and the sparse copy. Nothing here launches libguestfs."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import struct
import subprocess
import sys
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from configdrive.disks.busy import Holder, describe, open_for_writing
from configdrive.disks.copy import free_space_check, space_needed, sparse_copy
from configdrive.disks.partition_table import Partition, human_size, read_disk_layout
from configdrive.errors import ImageError, OutputError
from tests import disk_images

FLATCAR_PARTITIONS = [
    (1, "EFI-SYSTEM", disk_images.TYPE_EFI),
    (2, "BIOS-BOOT", disk_images.TYPE_BIOS),
    (3, "USR-A", disk_images.TYPE_COREOS_ROOTFS),
    (4, "USR-B", disk_images.TYPE_COREOS_ROOTFS),
    (6, "OEM", disk_images.TYPE_LINUX_DATA),
    (7, "OEM-CONFIG", disk_images.TYPE_COREOS_RESERVED),
    (9, "ROOT", disk_images.TYPE_COREOS_RESIZE),
]
MiB = disk_images.MiB
# Every byte value, a NUL run and no trailing newline: a round trip that alters nothing.
AWKWARD = bytes(range(256)) + b"\0" * 5000 + b"end"


@pytest.fixture(scope="module")
def flatcar_image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("flatcar")
    return disk_images.make_flatcar_image(
        folder / "flatcar.img",
        root_files={"etc/awkward.bin": AWKWARD},
        oem_files={"grub.cfg": "set oem_id=qemu\n", "awkward.bin": AWKWARD},
    )


# ----------------------------------------------------------------------------- the image kit


def test_flatcar_image_has_flatcars_partitions(flatcar_image: Path) -> None:
    found = [(p.number, p.name, p.type) for p in disk_images.partitions(flatcar_image)]
    assert found == FLATCAR_PARTITIONS
    assert disk_images.filesystem_of(flatcar_image, "ROOT") == "ext4"
    assert disk_images.filesystem_of(flatcar_image, "OEM") == "btrfs"
    assert disk_images.filesystem_of(flatcar_image, "EFI-SYSTEM") == "vfat"
    assert disk_images.filesystem_of(flatcar_image, "BIOS-BOOT") is None


def test_flatcar_image_holds_os_release_and_first_boot_flag(flatcar_image: Path) -> None:
    release = disk_images.read_ext4(flatcar_image, "USR-A", "/lib/os-release")
    assert release is not None
    assert b"\nID=flatcar\n" in release
    assert f"VERSION={disk_images.FLATCAR_VERSION}\n".encode() in release
    assert disk_images.read_vfat(flatcar_image, "EFI-SYSTEM", "flatcar/first_boot")


def test_flatcar_image_is_sparse(flatcar_image: Path) -> None:
    stat = flatcar_image.stat()
    assert stat.st_blocks * 512 < stat.st_size // 4


def test_ext4_round_trip_is_byte_for_byte(flatcar_image: Path) -> None:
    assert disk_images.read_ext4(flatcar_image, "ROOT", "/etc/awkward.bin") == AWKWARD
    assert disk_images.read_file(flatcar_image, "ROOT", "etc/awkward.bin") == AWKWARD
    assert disk_images.read_ext4(flatcar_image, "ROOT", "/etc/absent") is None
    assert disk_images.list_ext4(flatcar_image, "ROOT", "/etc") == ["awkward.bin"]
    assert disk_images.list_ext4(flatcar_image, "ROOT", "/no/such/folder") == []
    stat = disk_images.stat_ext4(flatcar_image, "ROOT", "/etc/awkward.bin")
    assert stat is not None
    assert stat.size == len(AWKWARD)
    assert stat.mode == 0o100644
    folder = disk_images.stat_ext4(flatcar_image, "ROOT", "/var")
    assert folder is not None
    assert folder.mode & 0o170000 == 0o040000


def test_btrfs_round_trip_is_byte_for_byte(flatcar_image: Path) -> None:
    assert disk_images.read_btrfs(flatcar_image, "OEM", "awkward.bin") == AWKWARD
    assert disk_images.read_btrfs(flatcar_image, "OEM", "grub.cfg") == b"set oem_id=qemu\n"
    assert disk_images.read_btrfs(flatcar_image, "OEM", "absent") is None
    assert disk_images.list_btrfs(flatcar_image, "OEM", "/") == ["awkward.bin", "grub.cfg"]


def test_ext4_oem_coreos_flavour_in_qcow2(tmp_path: Path) -> None:
    image = disk_images.make_flatcar_image(
        tmp_path / "coreos.qcow2",
        oem_fs="ext4",
        flavour="coreos",
        oem_files={"cloud-config.yml": AWKWARD},
        format="qcow2",
    )
    assert image.read_bytes()[:4] == b"QFI\xfb"
    assert disk_images.filesystem_of(image, "OEM") == "ext4"
    assert disk_images.read_ext4(image, "OEM", "/cloud-config.yml") == AWKWARD
    assert disk_images.read_vfat(image, "EFI-SYSTEM", "coreos/first_boot")
    assert disk_images.read_vfat(image, "EFI-SYSTEM", "flatcar/first_boot") is None
    release = disk_images.read_ext4(image, "USR-A", "/lib/os-release")
    assert release is not None
    assert b"\nID=coreos\n" in release


def test_same_inputs_make_the_same_ext4_image(tmp_path: Path) -> None:
    options = {"oem_fs": "ext4", "root_files": {"etc/a": "1"}, "oem_files": {"b/c": "2"}}
    first = disk_images.make_flatcar_image(tmp_path / "1.img", **options)  # type: ignore[arg-type]
    second = disk_images.make_flatcar_image(tmp_path / "2.img", **options)  # type: ignore[arg-type]
    assert first.read_bytes() == second.read_bytes()


def test_full_image_leaves_root_nearly_full(tmp_path: Path) -> None:
    image = disk_images.make_full_image(tmp_path / "full.img")
    with disk_images.extracted(image, "ROOT") as root:
        assert disk_images.ext4_free_bytes(root) == 0
        # e2fsck agrees the file system is consistent, filler and all.
        subprocess.run(["e2fsck", "-fn", str(root)], check=True, capture_output=True)


def test_cloud_init_image(tmp_path: Path) -> None:
    image = disk_images.make_cloud_init_image(tmp_path / "debian.img")
    found = {p.number: p.type for p in disk_images.partitions(image)}
    assert found == {
        1: disk_images.TYPE_LINUX_DATA,
        14: disk_images.TYPE_BIOS,
        15: disk_images.TYPE_EFI,
    }
    release = disk_images.read_ext4(image, "1", "/etc/os-release")
    assert release is not None
    assert b"\nID=debian\n" in release
    assert disk_images.read_ext4(image, "1", "/etc/cloud/cloud.cfg") == (
        disk_images.CLOUD_CFG.encode()
    )
    stub = disk_images.stat_ext4(image, "1", "/usr/bin/cloud-init")
    assert stub is not None
    assert stub.mode == 0o100755
    root = disk_images.partition(image, "1")
    blkid = subprocess.run(
        ["blkid", "-p", "-o", "value", "-s", "LABEL", "-O", str(root.start), image],
        capture_output=True,
        check=False,
    )
    assert blkid.stdout.strip() == b"cloudimg-rootfs"


# ----------------------------------------------------------------------------- layout reader


def _refusal(path: Path) -> str:
    with pytest.raises(ImageError) as caught:
        read_disk_layout(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message.removeprefix(f"{path}: ")


def _patch(path: Path, offset: int, data: bytes) -> None:
    with path.open("r+b") as file:
        file.seek(offset)
        file.write(data)


def _rewrite_gpt_header(path: Path, **fields: int) -> None:
    """Change fields of the primary GPT header (512-byte sectors) and recompute its CRC,
    so the reader's later checks are reached: a lie with a valid checksum."""
    offsets = {"entry_count": (80, "<I"), "entry_size": (84, "<I"), "entries_lba": (72, "<Q")}
    with path.open("r+b") as file:
        file.seek(512)
        header = bytearray(file.read(92))
        for name, value in fields.items():
            offset, layout = offsets[name]
            struct.pack_into(layout, header, offset, value)
        struct.pack_into("<I", header, 16, 0)
        struct.pack_into("<I", header, 16, zlib.crc32(bytes(header)))
        file.seek(512)
        file.write(header)


def test_layout_of_a_flatcar_image_matches_sfdisk(flatcar_image: Path) -> None:
    layout = read_disk_layout(flatcar_image)
    assert (layout.format, layout.scheme, layout.backing_file) == ("raw", "gpt", None)
    assert layout.virtual_size == flatcar_image.stat().st_size
    assert layout.partitions is not None
    found = [(p.number, p.name, p.type_guid, p.start, p.size) for p in layout.partitions]
    expected = [
        (p.number, p.name, p.type, p.start, p.size) for p in disk_images.partitions(flatcar_image)
    ]
    assert found == expected
    assert [p.name for p in layout.partitions] == [name for _, name, _ in FLATCAR_PARTITIONS]


def test_layout_of_a_cloud_image_has_unnamed_partitions(tmp_path: Path) -> None:
    image = disk_images.make_cloud_init_image(tmp_path / "cloud.img")
    layout = read_disk_layout(image)
    assert layout.partitions is not None
    assert [(p.number, p.name) for p in layout.partitions] == [(1, ""), (14, ""), (15, "")]


def test_layout_of_an_mbr_disk(tmp_path: Path) -> None:
    mib = disk_images.MiB
    image = disk_images.write_mbr_disk(
        tmp_path / "mbr.img",
        [
            disk_images.PartitionSpec(1, "", "83", 4 * mib),
            disk_images.PartitionSpec(2, "", "c", 2 * mib),
        ],
    )
    layout = read_disk_layout(image)
    assert layout.scheme == "mbr"
    assert layout.partitions == (
        Partition(1, "", "0x83", 1 * mib, 4 * mib),
        Partition(2, "", "0x0c", 5 * mib, 2 * mib),
    )


def test_layout_of_a_qcow2_image(tmp_path: Path, flatcar_image: Path) -> None:
    image = tmp_path / "flatcar.qcow2"
    disk_images.run(["qemu-img", "convert", "-O", "qcow2", str(flatcar_image), str(image)])
    layout = read_disk_layout(image)
    assert (layout.format, layout.scheme, layout.partitions) == ("qcow2", None, None)
    assert layout.virtual_size == flatcar_image.stat().st_size
    assert layout.backing_file is None
    overlay = tmp_path / "overlay.qcow2"
    disk_images.run(
        ["qemu-img", "create", "-q", "-f", "qcow2", "-b", str(image), "-F", "qcow2", str(overlay)]
    )
    assert read_disk_layout(overlay).backing_file == str(image)


def test_truncated_qcow2_is_refused(tmp_path: Path, flatcar_image: Path) -> None:
    image = tmp_path / "cut.qcow2"
    disk_images.run(["qemu-img", "convert", "-O", "qcow2", str(flatcar_image), str(image)])
    with image.open("r+b") as file:
        file.truncate(image.stat().st_size // 2)
    assert _refusal(image).startswith("truncated: the qcow2 data reaches ")


def test_qcow2_with_a_corrupt_header_is_refused(tmp_path: Path, flatcar_image: Path) -> None:
    image = tmp_path / "bad.qcow2"
    disk_images.run(["qemu-img", "convert", "-O", "qcow2", str(flatcar_image), str(image)])
    _patch(image, 40, b"\xff" * 8)  # l1_table_offset (qemu docs/interop/qcow2.txt)
    assert _refusal(image) == "not a usable qcow2 image: Active L1 table offset invalid"


def test_truncated_raw_gpt_names_the_cut_partition(tmp_path: Path, flatcar_image: Path) -> None:
    image = tmp_path / "cut.img"
    shutil.copyfile(flatcar_image, image)
    root = disk_images.partition(image, "ROOT")
    with image.open("r+b") as file:
        file.truncate(root.start + root.size // 2)
    expected = (
        f"truncated: partition 9 (ROOT) ends at {human_size(root.start + root.size)} "
        f"but the file is {human_size(root.start + root.size // 2)}"
    )
    assert _refusal(image) == expected
    assert human_size(root.start + root.size) == "177.0 MiB"


def test_raw_gpt_missing_only_its_backup_header(tmp_path: Path, flatcar_image: Path) -> None:
    image = tmp_path / "cut.img"
    shutil.copyfile(flatcar_image, image)
    with image.open("r+b") as file:
        file.truncate(image.stat().st_size - 512)
    assert _refusal(image).startswith("truncated: the backup GPT header is at ")


def test_gpt_checksums_are_checked(tmp_path: Path, flatcar_image: Path) -> None:
    header = tmp_path / "header.img"
    shutil.copyfile(flatcar_image, header)
    _patch(header, 512 + 56, b"\x01")  # a byte of the disk GUID
    assert _refusal(header) == "GPT header checksum mismatch (damaged GPT)"
    entries = tmp_path / "entries.img"
    shutil.copyfile(flatcar_image, entries)
    _patch(entries, 1024 + 56, b"X")  # the first letter of partition 1's name
    assert _refusal(entries) == "GPT partition entries checksum mismatch (damaged GPT)"


def test_gpt_header_lies_are_bounded(tmp_path: Path, flatcar_image: Path) -> None:
    image = tmp_path / "lying.img"
    shutil.copyfile(flatcar_image, image)
    _rewrite_gpt_header(image, entry_count=1_000_000)
    assert _refusal(image) == "GPT claims 1000000 partition entries (more than 1024)"
    _rewrite_gpt_header(image, entry_count=128, entry_size=4096)
    assert _refusal(image) == "GPT partition entry size 4096 is invalid"
    _rewrite_gpt_header(image, entry_size=128, entries_lba=1 << 40)
    assert _refusal(image).startswith("truncated: the GPT partition entries end at ")


def test_protective_mbr_without_gpt(tmp_path: Path, flatcar_image: Path) -> None:
    image = tmp_path / "no-gpt.img"
    shutil.copyfile(flatcar_image, image)
    _patch(image, 512, bytes(512))
    assert _refusal(image) == "has a protective MBR but no GPT header (damaged GPT)"


def test_files_that_are_not_disk_images(tmp_path: Path) -> None:
    empty = tmp_path / "empty.img"
    empty.write_bytes(b"")
    assert _refusal(empty) == "is empty, not a disk image"
    noise = tmp_path / "noise.img"
    noise.write_bytes(random.Random(14).randbytes(1 << 20))
    assert _refusal(noise) == "not a disk image: no GPT or MBR partition table and not qcow2"
    tiny = tmp_path / "tiny.img"
    tiny.write_bytes(b"x" * 100)
    assert _refusal(tiny) == "is 100 bytes, too small to be a disk image"
    packed = tmp_path / "flatcar.img.xz"
    packed.write_bytes(b"\xfd7zXZ\x00" + bytes(4096))
    assert _refusal(packed) == "is compressed (xz); decompress it first"
    assert _refusal(tmp_path / "absent.img") == "no such file"


def test_a_bare_file_system_is_not_a_disk(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    ext4 = disk_images.make_ext4(tmp_path / "root.fs", 8 * disk_images.MiB, "ROOT", {}, work=work)
    assert _refusal(ext4) == "holds a bare ext2/3/4 file system, not a partitioned disk image"
    fat = disk_images.make_vfat(tmp_path / "efi.fs", 16 * disk_images.MiB, "EFI", {})
    assert _refusal(fat) == "holds a bare FAT file system, not a partitioned disk image"


def test_special_files_are_refused_without_opening_them(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.img"
    os.mkfifo(fifo)  # opening it for reading would block until a writer came
    assert _refusal(fifo) == "is a FIFO (named pipe), not a disk image file"
    assert _refusal(tmp_path) == "is a folder, not a disk image"
    null = Path("/dev/null")
    assert _refusal(null) == "is a character device, not a disk image"


# ----------------------------------------------------------------------------- busy images

# A child that opens the image as told, takes the lock it is told, says "ready", then waits
# for its stdin to close: a stand-in for a VM holding the image, with a real kernel behind it.
HOLDER = """
import fcntl, os, struct, sys
path, mode, lock = sys.argv[1], sys.argv[2], sys.argv[3]
descriptor = os.open(path, {"r": os.O_RDONLY, "rw": os.O_RDWR, "w": os.O_WRONLY}[mode])
if lock == "flock":
    fcntl.flock(descriptor, fcntl.LOCK_EX)
elif lock == "posix-write":
    fcntl.lockf(descriptor, fcntl.LOCK_EX, 10, 0)
elif lock == "qemu-style":
    # What QEMU takes for "I have write permission": a shared OFD lock on bytes 100-101.
    fcntl.fcntl(descriptor, fcntl.F_OFD_SETLK, struct.pack("hhqqi4x", fcntl.F_RDLCK, 0, 100, 2, 0))
print("ready", flush=True)
sys.stdin.read()
"""


PYTHON = Path(sys.executable).name[:15]  # /proc/PID/comm: the program file's name, cut at 15


@contextlib.contextmanager
def _held(path: Path, mode: str, lock: str = "none") -> Iterator[int]:
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), mode, lock],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    ) as child:  # leaving closes its stdin, which ends it, and waits for it
        assert child.stdout is not None
        assert child.stdout.readline() == b"ready\n"
        yield child.pid


@pytest.fixture
def small_image(tmp_path: Path) -> Path:
    image = tmp_path / "disk.img"
    image.write_bytes(bytes(4096))
    return image


@pytest.mark.parametrize("mode", ["rw", "w"])
def test_a_process_writing_the_image_is_found(small_image: Path, mode: str) -> None:
    with _held(small_image, mode) as pid:
        holders = open_for_writing(small_image)
    assert holders == [Holder(pid=pid, command=PYTHON, how="open for writing")]
    assert describe(holders) == f"{PYTHON} (pid {pid}, open for writing)"


def test_a_process_reading_the_image_is_not_busy(small_image: Path) -> None:
    with _held(small_image, "r"):
        assert open_for_writing(small_image) == []


def test_the_file_is_matched_by_inode_not_by_name(small_image: Path) -> None:
    other_name = small_image.with_name("other-name.img")
    os.link(small_image, other_name)
    with _held(other_name, "rw") as pid:
        assert [h.pid for h in open_for_writing(small_image)] == [pid]
        assert open_for_writing(small_image.with_name("absent.img")) == []


def test_our_own_descriptors_do_not_count(small_image: Path) -> None:
    with small_image.open("r+b"):
        assert open_for_writing(small_image) == []


@pytest.mark.parametrize(
    ("mode", "lock", "how"),
    [
        ("r", "flock", "write lock"),
        ("rw", "posix-write", "open for writing, write lock"),
        ("r", "qemu-style", "QEMU write permission"),
    ],
)
def test_write_locks_are_found(small_image: Path, mode: str, lock: str, how: str) -> None:
    with _held(small_image, mode, lock) as pid:
        assert open_for_writing(small_image) == [Holder(pid, PYTHON, how)]


def test_a_real_qemu_holding_the_image_is_found(small_image: Path) -> None:
    # qemu-io opens the image as a VM's disk would, with QEMU's own locks.
    for read_only, expected in (([], "open for writing, QEMU write permission"), (["-r"], None)):
        with subprocess.Popen(
            ["qemu-io", "-f", "raw", *read_only, str(small_image)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        ) as child:
            assert child.stdin is not None
            assert child.stdout is not None
            child.stdin.write(b"help\n")  # its answer proves the image is open and locked
            child.stdin.flush()
            assert child.stdout.readline()
            holders = open_for_writing(small_image)
        if expected is None:
            assert holders == []
        else:
            assert holders == [Holder(child.pid, "qemu-io", expected)]


# ----------------------------------------------------------------------------- sparse copy


def _sparse_source(path: Path) -> dict[int, bytes]:
    """64 MiB apparent, three runs of data (one at the very end), holes between."""
    pieces = {0: b"start" * 1000, 5 * MiB + 123: AWKWARD, 64 * MiB - 3: b"end"}
    with path.open("wb") as file:
        file.truncate(64 * MiB)
        for offset, data in pieces.items():
            file.seek(offset)
            file.write(data)
    return pieces


@pytest.mark.parametrize("chunked", [False, True])
def test_sparse_copy_keeps_bytes_and_holes(tmp_path: Path, chunked: bool) -> None:
    source = tmp_path / "source.img"
    _sparse_source(source)
    target = tmp_path / "copy.img"
    seen: list[tuple[int, int]] = []
    copied = sparse_copy(source, target, chunked=chunked, progress=lambda *a: seen.append(a))
    assert target.read_bytes() == source.read_bytes()
    assert target.stat().st_size == 64 * MiB
    assert target.stat().st_blocks <= source.stat().st_blocks
    assert target.stat().st_blocks * 512 < 1 * MiB
    assert 0 < copied <= source.stat().st_blocks * 512
    assert seen[-1] == (copied, copied)


def test_sparse_copy_of_a_disk_image_into_an_open_descriptor(
    tmp_path: Path, flatcar_image: Path
) -> None:
    target = tmp_path / "copy.img"
    target.write_bytes(b"old contents, longer than nothing" * 100)
    with target.open("r+b") as file:
        sparse_copy(flatcar_image, file.fileno())
    assert target.read_bytes() == flatcar_image.read_bytes()
    assert target.stat().st_blocks <= flatcar_image.stat().st_blocks
    assert read_disk_layout(target).partitions == read_disk_layout(flatcar_image).partitions


def test_sparse_copy_failures_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as caught:
        sparse_copy(tmp_path / "absent.img", tmp_path / "copy.img")
    assert str(caught.value) == f"{tmp_path / 'absent.img'}: cannot read: no such file or directory"
    source = tmp_path / "source.img"
    _sparse_source(source)
    with pytest.raises(OutputError) as caught:
        sparse_copy(source, tmp_path / "no-folder" / "copy.img")
    assert str(caught.value).endswith("copy.img: no such file or directory")


def test_free_space_check(tmp_path: Path) -> None:
    free_space_check(tmp_path, 1)
    with pytest.raises(OutputError) as caught:
        free_space_check(tmp_path, 1 << 50)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path}: not enough free space: the copy needs 1024.0 TiB, ")
    source = tmp_path / "source.img"
    _sparse_source(source)
    assert 0 < space_needed(source) < 1 * MiB


def _write_gpt_4k(path: Path, partitions: list[tuple[str, str, int, int]]) -> None:
    """A GPT disk with 4096-byte sectors, written here: sgdisk and sfdisk assume 512-byte
    sectors for image files. `partitions`: (name, type GUID, first LBA, LBA count)."""
    sector, count, size = 4096, 128, 128
    total = 2048  # 8 MiB
    entries = bytearray(count * size)
    for index, (name, type_guid, first, length) in enumerate(partitions):
        struct.pack_into(
            "<16s16sQQQ72s",
            entries,
            index * size,
            uuid.UUID(type_guid).bytes_le,
            uuid.uuid5(uuid.NAMESPACE_DNS, name).bytes_le,
            first,
            first + length - 1,
            0,
            name.encode("utf-16-le"),
        )

    def header(mine: int, other: int, entries_lba: int) -> bytes:
        fields = [b"EFI PART", 0x10000, 92, 0, 0, mine, other, 6, total - 6]
        fields += [uuid.UUID(int=4096).bytes_le, entries_lba, count, size, zlib.crc32(entries)]
        raw = struct.pack("<8sIIIIQQQQ16sQIII", *fields)
        return raw[:16] + struct.pack("<I", zlib.crc32(raw)) + raw[20:]

    mbr = bytearray(512)
    struct.pack_into("<B3sB3sII", mbr, 446, 0, b"\0\2\0", 0xEE, b"\xff" * 3, 1, total - 1)
    mbr[510:512] = b"\x55\xaa"
    with path.open("wb") as file:
        file.truncate(total * sector)
        for offset, data in [
            (0, bytes(mbr)),
            (sector, header(1, total - 1, 2)),
            (2 * sector, bytes(entries)),
            ((total - 5) * sector, bytes(entries)),
            ((total - 1) * sector, header(total - 1, 1, total - 5)),
        ]:
            file.seek(offset)
            file.write(data)


def test_layout_of_a_gpt_with_4096_byte_sectors(tmp_path: Path) -> None:
    image = tmp_path / "4k.img"
    _write_gpt_4k(
        image,
        [
            ("OEM", disk_images.TYPE_LINUX_DATA, 256, 256),
            ("ROOT", disk_images.TYPE_COREOS_RESIZE, 512, 1024),
        ],
    )
    layout = read_disk_layout(image)
    assert layout.scheme == "gpt"
    assert layout.partitions == (
        Partition(1, "OEM", disk_images.TYPE_LINUX_DATA, 1 * MiB, 1 * MiB),
        Partition(2, "ROOT", disk_images.TYPE_COREOS_RESIZE, 2 * MiB, 4 * MiB),
    )
    with image.open("r+b") as file:
        file.truncate(5 * MiB)
    assert (
        _refusal(image) == "truncated: partition 2 (ROOT) ends at 6.0 MiB but the file is 5.0 MiB"
    )


def test_qcow2_names_that_look_like_protocols_or_options(
    tmp_path: Path, flatcar_image: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # qemu-img would read "nbd:..." as a network address and "-..." as an option.
    image = tmp_path / "nbd:localhost:10809"
    disk_images.run(["qemu-img", "convert", "-O", "qcow2", str(flatcar_image), str(image)])
    shutil.copyfile(image, tmp_path / "-U.qcow2")
    monkeypatch.chdir(tmp_path)
    for name in ("nbd:localhost:10809", "-U.qcow2"):
        layout = read_disk_layout(name)
        assert (layout.format, layout.virtual_size) == ("qcow2", flatcar_image.stat().st_size)
