"""What a disk image is, read in pure Python before any appliance is launched.

`read_disk_layout` answers, in well under a second, the questions that must not cost a
40-second libguestfs launch: is this file a disk image at all, raw or qcow2, is it whole,
and (for raw images) which partitions does its table name. Every refusal is one line that
starts with the image's path and raises `ImageError` (exit 1; exit 3 when the file cannot be
read or qemu-img is missing).

The GPT rules are the UEFI specification's (2.10, section 5.3), as the Linux kernel applies
them (block/partitions/efi.c, is_gpt_valid): signature "EFI PART", header CRC32 over
HeaderSize bytes with the CRC field zeroed, MyLBA = 1, partition-entry array CRC32. Reads
are bounded: at most MAX_ENTRIES entries of at most MAX_ENTRY_SIZE bytes. qcow2 images are
opened by qemu-img (`info` for the size and backing file, `check` for integrity); their
partitions are left to the appliance.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import stat
import struct
import subprocess
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from configdrive.errors import ExitCode, ImageError, describe_os_error

SECTOR_SIZES = (512, 4096)
GPT_SIGNATURE = b"EFI PART"
QCOW2_MAGIC = b"QFI\xfb"
MAX_ENTRIES = 1024  # the specification's minimum array is 128 entries; no tool writes 1024+
MAX_ENTRY_SIZE = 1024
GPT_NAME_BYTES = 72  # 36 UTF-16 code units
MBR_PROTECTIVE = 0xEE
PAST_THE_END = re.compile(
    r"exceeding the end of the file.*?offset (0x[0-9a-f]+) size (0x[0-9a-f]+)"
)
QEMU_IMG_TIMEOUT = 300  # `check` reads every L2 table; a many-GB image takes seconds, not minutes

_CONVERT = "convert it to raw or qcow2 first (qemu-img convert)"
# What a file holding something other than a partitioned disk usually starts with, so the
# refusal can say what it is: (offset, magic, description).
OTHER_CONTENTS = (
    (0, b"\xfd7zXZ\x00", "is compressed (xz); decompress it first"),
    (0, b"BZh", "is compressed (bzip2); decompress it first"),
    (0, b"\x1f\x8b", "is compressed (gzip); decompress it first"),
    (0, b"\x28\xb5\x2f\xfd", "is compressed (zstd); decompress it first"),
    (0, b"KDMV", f"is a VMDK image; {_CONVERT}"),
    (0, b"vhdxfile", f"is a VHDX image; {_CONVERT}"),
    (0, b"conectix", f"is a VHD image; {_CONVERT}"),
    (64, b"\x7f\x10\xda\xbe", f"is a VDI image; {_CONVERT}"),
    (1024 + 56, b"\x53\xef", "holds a bare ext2/3/4 file system, not a partitioned disk image"),
    (65536 + 64, b"_BHRfS_M", "holds a bare btrfs file system, not a partitioned disk image"),
    (32769, b"CD001", "is an ISO 9660 image (a config drive?), not a disk image"),
)


@dataclass(frozen=True)
class Partition:
    """One partition: its number in the table, GPT name ("" on MBR), type, place in bytes."""

    number: int
    name: str
    type_guid: str  # lower-case GUID on GPT; the MBR type byte as "0x83" on MBR
    start: int
    size: int


@dataclass(frozen=True)
class DiskLayout:
    """A disk image as far as it can be read without launching anything."""

    path: str
    format: Literal["raw", "qcow2"]
    virtual_size: int
    scheme: Literal["gpt", "mbr"] | None  # None for qcow2: the appliance reads its table
    partitions: tuple[Partition, ...] | None
    backing_file: str | None


def human_size(count: int) -> str:
    """Bytes as a person reads them: 512 bytes, 4.0 KiB, 1.2 GiB."""
    if count < 1024:
        return f"{count} byte{'s' if count != 1 else ''}"
    value = float(count)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def read_disk_layout(path: str | os.PathLike[str]) -> DiskLayout:
    """Read what `path` is: raw GPT, raw MBR or qcow2, whole and consistent, or refuse it."""
    where = str(path)
    try:
        info = Path(where).stat()
    except FileNotFoundError:
        raise ImageError(f"{where}: no such file") from None
    except OSError as error:
        raise ImageError(
            f"{where}: cannot read: {describe_os_error(error)}", exit_code=ExitCode.IO_FAILURE
        ) from None
    _refuse_non_regular(where, info.st_mode)
    try:
        # O_NONBLOCK: should the path be swapped for a FIFO after the stat, open still returns.
        descriptor = os.open(where, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise ImageError(
            f"{where}: cannot read: {describe_os_error(error)}", exit_code=ExitCode.IO_FAILURE
        ) from None
    try:
        opened = os.fstat(descriptor)
        _refuse_non_regular(where, opened.st_mode)
        if opened.st_size == 0:
            raise ImageError(f"{where}: is empty, not a disk image")
        reader = _Reader(where, descriptor, opened.st_size)
        if reader.read(0, 4) == QCOW2_MAGIC:
            return _read_qcow2(where, opened.st_size)
        return _read_raw(reader)
    finally:
        os.close(descriptor)


def _refuse_non_regular(where: str, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise ImageError(f"{where}: is a folder, not a disk image")
    if stat.S_ISFIFO(mode):
        raise ImageError(f"{where}: is a FIFO (named pipe), not a disk image file")
    if stat.S_ISBLK(mode):
        raise ImageError(
            f"{where}: is a block device; inject writes disk image files only "
            "(copy the device to a file first)"
        )
    if stat.S_ISCHR(mode):
        raise ImageError(f"{where}: is a character device, not a disk image")
    if stat.S_ISSOCK(mode):
        raise ImageError(f"{where}: is a socket, not a disk image")
    raise ImageError(f"{where}: is not a regular file")


class _Reader:
    """Bounded reads at offsets of one open file; a short read means the file ends there."""

    def __init__(self, where: str, descriptor: int, size: int) -> None:
        self.where = where
        self.descriptor = descriptor
        self.size = size

    def read(self, offset: int, length: int) -> bytes:
        if offset >= self.size:
            return b""
        try:
            return os.pread(self.descriptor, min(length, self.size - offset), offset)
        except OSError as error:
            raise ImageError(
                f"{self.where}: cannot read: {describe_os_error(error)}",
                exit_code=ExitCode.IO_FAILURE,
            ) from None


class _HeadReader(_Reader):
    """The first bytes of a disk read by the appliance, as if they were the whole disk."""

    def __init__(self, head: bytes, size: int) -> None:
        super().__init__("<disk>", -1, size)
        self.head = head

    def read(self, offset: int, length: int) -> bytes:
        return self.head[offset : offset + length]


def parse_partition_table(head: bytes, disk_size: int) -> tuple[str | None, tuple[Partition, ...]]:
    """The table in a disk's first bytes (HEAD_BYTES of them), as the appliance reads them
    from a qcow2 or a raw image alike; ("gpt" | "mbr" | None, partitions). Lenient: a table
    that cannot be read gives (None, ()) and the partitions are then known by number only."""
    try:
        layout = _read_raw(_HeadReader(head, disk_size))
    except ImageError:
        return None, ()
    return layout.scheme, layout.partitions or ()


# The bytes parse_partition_table needs: the MBR, the GPT header and 128 entries of 128 bytes,
# at 512- or 4096-byte sectors.
HEAD_BYTES = 2 * 4096 + 128 * 128


# ----------------------------------------------------------------------------- raw images


def _read_raw(reader: _Reader) -> DiskLayout:
    where = reader.where
    if reader.size < 1024:
        raise ImageError(f"{where}: is {human_size(reader.size)}, too small to be a disk image")
    mbr = reader.read(0, 512)
    for sector in SECTOR_SIZES:
        if reader.read(sector, 8) == GPT_SIGNATURE:
            partitions = _read_gpt(reader, sector)
            return DiskLayout(where, "raw", reader.size, "gpt", partitions, None)
    entries = _mbr_entries(mbr)
    if entries is not None and any(entry[1] == MBR_PROTECTIVE for entry in entries):
        raise ImageError(f"{where}: has a protective MBR but no GPT header (damaged GPT)")
    if entries is None or _looks_like_fat(mbr):
        raise ImageError(f"{where}: {_describe_other(reader, mbr)}")
    partitions = _read_mbr(reader, entries)
    return DiskLayout(where, "raw", reader.size, "mbr", partitions, None)


def _describe_other(reader: _Reader, mbr: bytes) -> str:
    for offset, magic, description in OTHER_CONTENTS:
        if reader.read(offset, len(magic)) == magic:
            return description
    if _looks_like_fat(mbr):
        return "holds a bare FAT file system, not a partitioned disk image"
    return "not a disk image: no GPT or MBR partition table and not qcow2"


def _looks_like_fat(sector: bytes) -> bool:
    # A FAT boot sector ends in 55 AA like an MBR; its BPB names the file system.
    return sector[0] in (0xEB, 0xE9) and (sector[54:57] == b"FAT" or sector[82:87] == b"FAT32")


def _mbr_entries(mbr: bytes) -> list[tuple[int, int, int, int]] | None:
    """The four primary entries (status, type, first sector, sector count); None if no MBR."""
    if len(mbr) < 512 or mbr[510:512] != b"\x55\xaa":
        return None
    entries = []
    for index in range(4):
        raw = mbr[446 + 16 * index : 446 + 16 * (index + 1)]
        status, kind = raw[0], raw[4]
        first, count = struct.unpack_from("<II", raw, 8)
        if status not in (0x00, 0x80):
            return None  # boot code, not a partition table
        entries.append((status, kind, first, count))
    return entries


def _read_mbr(reader: _Reader, entries: list[tuple[int, int, int, int]]) -> tuple[Partition, ...]:
    where = reader.where
    partitions = []
    for number, (_status, kind, first, count) in enumerate(entries, start=1):
        if kind == 0:
            continue
        if first == 0 or count == 0:
            raise ImageError(f"{where}: MBR partition {number} has no extent (damaged table)")
        partitions.append(Partition(number, "", f"0x{kind:02x}", first * 512, count * 512))
    if not partitions:
        raise ImageError(f"{where}: has an MBR but no partitions in it")
    _check_extents(reader, partitions)
    return tuple(partitions)


def _read_gpt(reader: _Reader, sector: int) -> tuple[Partition, ...]:
    where = reader.where
    header = reader.read(sector, sector)
    if len(header) < 92:
        raise ImageError(f"{where}: truncated: the GPT header is cut off")
    (header_size, header_crc) = struct.unpack_from("<II", header, 12)
    (my_lba, alternate_lba, _first_usable, _last_usable) = struct.unpack_from("<QQQQ", header, 24)
    (entries_lba, entry_count, entry_size, entries_crc) = struct.unpack_from("<QIII", header, 72)
    if not 92 <= header_size <= sector:
        raise ImageError(f"{where}: GPT header size {header_size} is invalid (damaged GPT)")
    checked = header[:16] + b"\0\0\0\0" + header[20:header_size]
    if zlib.crc32(checked) != header_crc:
        raise ImageError(f"{where}: GPT header checksum mismatch (damaged GPT)")
    if my_lba != 1:
        raise ImageError(f"{where}: GPT header names itself at LBA {my_lba}, not 1 (damaged GPT)")
    if entry_count > MAX_ENTRIES:
        raise ImageError(
            f"{where}: GPT claims {entry_count} partition entries (more than {MAX_ENTRIES})"
        )
    if not 128 <= entry_size <= MAX_ENTRY_SIZE or entry_size % 8:
        raise ImageError(f"{where}: GPT partition entry size {entry_size} is invalid")
    array_start = entries_lba * sector
    array_end = array_start + entry_count * entry_size
    if entries_lba < 2:
        raise ImageError(f"{where}: GPT partition entries at LBA {entries_lba} (damaged GPT)")
    if array_end > reader.size:
        raise ImageError(
            f"{where}: truncated: the GPT partition entries end at {human_size(array_end)} "
            f"but the file is {human_size(reader.size)}"
        )
    array = reader.read(array_start, array_end - array_start)
    if zlib.crc32(array) != entries_crc:
        raise ImageError(f"{where}: GPT partition entries checksum mismatch (damaged GPT)")
    partitions = []
    for index in range(entry_count):
        entry = array[index * entry_size : (index + 1) * entry_size]
        if entry[:16] == bytes(16):
            continue  # an unused slot
        first, last = struct.unpack_from("<QQ", entry, 32)
        number = index + 1
        name = _gpt_name(entry[56 : 56 + GPT_NAME_BYTES])
        if last < first:
            raise ImageError(f"{where}: GPT partition {_named(number, name)} ends before it starts")
        partitions.append(
            Partition(
                number=number,
                name=name,
                type_guid=str(uuid.UUID(bytes_le=bytes(entry[:16]))),
                start=first * sector,
                size=(last - first + 1) * sector,
            )
        )
    if not partitions:
        raise ImageError(f"{where}: has a GPT but no partitions in it")
    _check_extents(reader, partitions)
    # After the partitions: a cut-off image is best described by the partition it cuts.
    if (alternate_lba + 1) * sector > reader.size:
        raise ImageError(
            f"{where}: truncated: the backup GPT header is at {human_size(alternate_lba * sector)}"
            f" but the file is {human_size(reader.size)}"
        )
    return tuple(partitions)


def _gpt_name(raw: bytes) -> str:
    units = raw.decode("utf-16-le", errors="replace")
    return units.split("\0", 1)[0]


def _named(number: int, name: str) -> str:
    return f"{number} ({name})" if name else str(number)


def _check_extents(reader: _Reader, partitions: list[Partition]) -> None:
    """Every partition inside the file, and no two overlapping."""
    for partition in partitions:
        end = partition.start + partition.size
        if end > reader.size:
            raise ImageError(
                f"{reader.where}: truncated: partition {_named(partition.number, partition.name)}"
                f" ends at {human_size(end)} but the file is {human_size(reader.size)}"
            )
    ordered = sorted(partitions, key=lambda partition: partition.start)
    for before, after in itertools.pairwise(ordered):
        if after.start < before.start + before.size:
            raise ImageError(
                f"{reader.where}: partitions {_named(before.number, before.name)} and "
                f"{_named(after.number, after.name)} overlap (damaged table)"
            )


# ----------------------------------------------------------------------------- qcow2 images


def _read_qcow2(where: str, file_size: int) -> DiskLayout:
    # An absolute path: qemu-img reads "name:rest" as a protocol (nbd:, json:, ...) unless a
    # "/" comes before the ":", and "-name" as an option.
    absolute = str(Path(where).absolute())
    # -U (force share): reading must work while a VM holds the image; busy.py says who does.
    info, _ = _qemu_img_json(where, ["info", "-U", "--output=json", "-f", "qcow2", absolute])
    virtual_size = info.get("virtual-size")
    if not isinstance(virtual_size, int) or virtual_size <= 0:
        raise ImageError(f"{where}: qemu-img reports no virtual size for this qcow2 image")
    backing = info.get("full-backing-filename") or info.get("backing-filename")
    check, complaints = _qemu_img_json(
        where, ["check", "-U", "--output=json", "-f", "qcow2", absolute]
    )
    corruptions = _count(check.get("corruptions"))
    check_errors = _count(check.get("check-errors"))
    # A cut-off qcow2 shows as clusters "exceeding the end of the file" (qemu block/qcow2-
    # refcount.c, qcow2_inc_refcounts_imrt); the farthest one says how much is missing.
    beyond = [int(offset, 16) + int(size, 16) for offset, size in PAST_THE_END.findall(complaints)]
    if beyond:
        raise ImageError(
            f"{where}: truncated: the qcow2 data reaches {human_size(max(beyond))} "
            f"but the file is {human_size(file_size)}"
        )
    if corruptions or check_errors:
        found = f"{corruptions} corruption{'s' if corruptions != 1 else ''}"
        if check_errors:
            found += f" and {check_errors} error{'s' if check_errors != 1 else ''}"
        raise ImageError(f"{where}: corrupt qcow2 image: qemu-img check found {found}")
    return DiskLayout(where, "qcow2", virtual_size, None, None, str(backing) if backing else None)


def _count(value: object) -> int:
    return value if isinstance(value, int) else 0


def _qemu_img_json(where: str, arguments: list[str]) -> tuple[dict[str, object], str]:
    """Run qemu-img: its JSON and its stderr; its own complaint, one line, if it has no JSON."""
    program = shutil.which("qemu-img")
    if program is None:
        raise ImageError(
            f"{where}: is a qcow2 image and qemu-img is not installed (Debian package qemu-utils)",
            exit_code=ExitCode.IO_FAILURE,
        )
    try:
        result = subprocess.run(
            [program, *arguments],
            capture_output=True,
            check=False,
            timeout=QEMU_IMG_TIMEOUT,
            env={**os.environ, "LC_ALL": "C"},
        )
    except subprocess.TimeoutExpired:
        raise ImageError(
            f"{where}: qemu-img {arguments[0]} did not finish in {QEMU_IMG_TIMEOUT} s",
            exit_code=ExitCode.IO_FAILURE,
        ) from None
    # `check` exits 2 (corruptions) or 3 (leaks only) with its JSON on stdout: judge the JSON.
    try:
        parsed = json.loads(result.stdout) if result.stdout.strip() else None
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and (result.returncode == 0 or arguments[0] == "check"):
        return parsed, result.stderr.decode(errors="replace")
    raise ImageError(f"{where}: {_qemu_img_complaint(where, result.stderr)}")


def _qemu_img_complaint(where: str, stderr: bytes) -> str:
    """qemu-img's first error line, without its program name and the path it repeats."""
    lines = [line.strip() for line in stderr.decode(errors="replace").splitlines()]
    line = next((line for line in lines if line), "qemu-img failed without a message")
    line = line.removeprefix("qemu-img:").strip()
    for shown in (str(Path(where).absolute()), where):
        for prefix in (f"Could not open '{shown}':", f"{shown}:"):
            line = line.removeprefix(prefix).strip()
    return f"not a usable qcow2 image: {line}"
