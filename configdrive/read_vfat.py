"""Reading FAT12, FAT16 and FAT32 images: labels, folders, long names, file data. Read only.

NoCloud seeds (`cloud-localds -f vfat`) and Nova's old vfat config drives are FAT images.
This reader shows the names Linux's vfat driver shows (long names when their checksum
matches, else the short name, lower-cased where its case bits say so) and trusts nothing in
the image: every offset is checked against the image, cluster chains are cut at loops and
at the end of the FAT, and a bad image raises FatError instead of reading elsewhere.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

_ENTRY_SIZE = 32
_ATTR_VOLUME_LABEL = 0x08
_ATTR_DIRECTORY = 0x10
_ATTR_LONG_NAME = 0x0F
_DELETED = 0xE5
_LOWER_BASE = 0x08  # NT case bits: Windows and Linux show the base or extension in lower case
_LOWER_EXTENSION = 0x10
_LFN_LAST = 0x40
_LFN_CHARS = 13
_FAT12_MAX_CLUSTERS = 4085  # Microsoft's FAT specification decides the FAT type by count alone
_FAT16_MAX_CLUSTERS = 65525
_NO_LABEL = "NO NAME"
# Folders deeper than this are not configuration; a crafted image could nest without end.
MAX_DEPTH = 32
# Linux shows short names through code page 437 by default.
_SHORT_NAME_ENCODING = "cp437"


class FatError(ValueError):
    """The image is not a FAT file system, or its structures point outside it."""


@dataclass(frozen=True)
class FatVolume:
    """What the boot sector and root folder say about the volume."""

    fat_bits: int
    cluster_size: int
    clusters: int
    # blkid's LABEL: the root folder's label entry, else the boot sector's.
    label: str | None
    boot_label: str | None
    root_label: str | None


@dataclass(frozen=True)
class FatEntry:
    """A file or folder: its path (names as Linux shows them) and where its data starts."""

    path: tuple[str, ...]
    is_dir: bool
    size: int
    first_cluster: int
    short_name: str


def looks_like_fat(boot_sector: bytes) -> bool:
    """Whether a 512-byte boot sector holds a plausible FAT BIOS parameter block."""
    try:
        _Geometry.parse(boot_sector, image_size=None)
    except FatError:
        return False
    return True


class FatImage:
    """A FAT file system in a file object (which stays owned by the caller)."""

    def __init__(self, stream: BinaryIO, size: int) -> None:
        self._stream = stream
        self._size = size
        stream.seek(0)
        self._geometry = _Geometry.parse(stream.read(512), image_size=size)
        self._fat = self._read_bytes(
            self._geometry.fat_offset, self._geometry.fat_size, what="the FAT"
        )
        self.volume = self._volume()

    def _volume(self) -> FatVolume:
        geometry = self._geometry
        root_label = None
        for raw in self._raw_entries(self._root_folder_data()):
            if raw[11] & _ATTR_LONG_NAME == _ATTR_VOLUME_LABEL and raw[0] != _DELETED:
                root_label = _decode_label(raw[:11])
                break
        boot_label = geometry.boot_label
        label = root_label if root_label is not None else boot_label
        return FatVolume(
            fat_bits=geometry.fat_bits,
            cluster_size=geometry.cluster_size,
            clusters=geometry.clusters,
            label=label,
            boot_label=boot_label,
            root_label=root_label,
        )

    def walk(self) -> Iterator[FatEntry]:
        """Every file and folder, parents before children, in the order the folders list them."""
        yield from self._walk_folder(self._root_folder_data(), (), depth=0, seen=set())

    def read(self, entry: FatEntry, limit: int) -> bytes:
        """The first `limit` bytes of a file's data (FatError if its chain is broken)."""
        wanted = min(entry.size, limit)
        if wanted == 0:
            return b""
        out = bytearray()
        for cluster in self._chain(entry.first_cluster):
            out += self._read_bytes(
                self._geometry.cluster_offset(cluster), self._geometry.cluster_size, what="a file"
            )
            if len(out) >= wanted:
                return bytes(out[:wanted])
        raise FatError(f"{'/'.join(entry.path)}: the file's clusters end before its size")

    def _walk_folder(
        self, data: bytes, parent: tuple[str, ...], depth: int, seen: set[int]
    ) -> Iterator[FatEntry]:
        if depth > MAX_DEPTH:
            raise FatError(f"folders nest more than {MAX_DEPTH} levels deep")
        for name, raw in _named_entries(self._raw_entries(data)):
            attributes = raw[11]
            if attributes & _ATTR_VOLUME_LABEL:
                continue
            first_cluster = struct.unpack_from("<H", raw, 26)[0]
            if self._geometry.fat_bits == 32:
                first_cluster |= struct.unpack_from("<H", raw, 20)[0] << 16
            is_dir = bool(attributes & _ATTR_DIRECTORY)
            entry = FatEntry(
                path=(*parent, name),
                is_dir=is_dir,
                size=0 if is_dir else struct.unpack_from("<I", raw, 28)[0],
                first_cluster=first_cluster,
                short_name=_short_name(raw, apply_case=False),
            )
            yield entry
            if is_dir:
                if first_cluster in seen or first_cluster < 2:
                    raise FatError(f"{'/'.join(entry.path)}: the folder loops back on itself")
                folder = self._chain_data(first_cluster)
                yield from self._walk_folder(folder, entry.path, depth + 1, seen | {first_cluster})

    def _root_folder_data(self) -> bytes:
        geometry = self._geometry
        if geometry.fat_bits == 32:
            return self._chain_data(geometry.root_cluster)
        return self._read_bytes(geometry.root_offset, geometry.root_size, what="the root folder")

    def _chain_data(self, first: int) -> bytes:
        out = bytearray()
        for cluster in self._chain(first):
            out += self._read_bytes(
                self._geometry.cluster_offset(cluster),
                self._geometry.cluster_size,
                what="a folder",
            )
        return bytes(out)

    def _chain(self, first: int) -> Iterator[int]:
        """The clusters of a chain; a loop, a free or an out-of-range cluster is an error."""
        geometry = self._geometry
        cluster = first
        seen: set[int] = set()
        while True:
            if not 2 <= cluster < geometry.clusters + 2:
                raise FatError(f"a cluster chain points at cluster {cluster}, outside the volume")
            if cluster in seen:
                raise FatError("a cluster chain loops")
            seen.add(cluster)
            yield cluster
            following = self._fat_entry(cluster)
            if following >= geometry.end_of_chain:
                return
            cluster = following

    def _fat_entry(self, cluster: int) -> int:
        bits = self._geometry.fat_bits
        fat = self._fat
        if bits == 12:
            offset = cluster + cluster // 2
            if offset + 2 > len(fat):
                raise FatError("the FAT is shorter than the volume")
            pair = fat[offset] | fat[offset + 1] << 8
            return pair >> 4 if cluster & 1 else pair & 0xFFF
        width = bits // 8
        offset = cluster * width
        if offset + width > len(fat):
            raise FatError("the FAT is shorter than the volume")
        if bits == 16:
            return int(struct.unpack_from("<H", fat, offset)[0])
        return int(struct.unpack_from("<I", fat, offset)[0]) & 0x0FFFFFFF

    def _raw_entries(self, data: bytes) -> Iterator[bytes]:
        for offset in range(0, len(data) - _ENTRY_SIZE + 1, _ENTRY_SIZE):
            raw = data[offset : offset + _ENTRY_SIZE]
            if raw[0] == 0:
                return  # the end of the folder
            yield raw

    def _read_bytes(self, offset: int, length: int, *, what: str) -> bytes:
        if offset < 0 or length < 0 or offset + length > self._size:
            raise FatError(f"{what} lies outside the image")
        self._stream.seek(offset)
        data = self._stream.read(length)
        if len(data) != length:
            raise FatError(f"{what} lies outside the image")
        return data


@dataclass(frozen=True)
class _Geometry:
    sector_size: int
    cluster_size: int
    fat_bits: int
    fat_offset: int
    fat_size: int
    root_offset: int
    root_size: int
    data_offset: int
    clusters: int
    root_cluster: int
    boot_label: str | None

    @property
    def end_of_chain(self) -> int:
        # Values from "bad cluster" up end a chain: a reader never follows them.
        return {12: 0xFF7, 16: 0xFFF7, 32: 0x0FFFFFF7}[self.fat_bits]

    def cluster_offset(self, cluster: int) -> int:
        return self.data_offset + (cluster - 2) * self.cluster_size

    @classmethod
    def parse(cls, boot: bytes, image_size: int | None) -> _Geometry:
        if len(boot) < 512:
            raise FatError("the image is shorter than a boot sector")
        (sector_size,) = struct.unpack_from("<H", boot, 11)
        sectors_per_cluster = boot[13]
        reserved, fats, root_entries, total16 = struct.unpack_from("<HBHH", boot, 14)
        fat_size16, total32 = (
            struct.unpack_from("<H", boot, 22)[0],
            struct.unpack_from("<I", boot, 32)[0],
        )
        if sector_size not in (512, 1024, 2048, 4096):
            raise FatError("not a FAT boot sector (bytes per sector)")
        if sectors_per_cluster == 0 or sectors_per_cluster & (sectors_per_cluster - 1):
            raise FatError("not a FAT boot sector (sectors per cluster)")
        if reserved == 0 or fats == 0:
            raise FatError("not a FAT boot sector (reserved sectors or FAT count)")
        fat_sectors = fat_size16 or struct.unpack_from("<I", boot, 36)[0]
        total = total16 or total32
        root_sectors = (root_entries * _ENTRY_SIZE + sector_size - 1) // sector_size
        first_data = reserved + fats * fat_sectors + root_sectors
        if fat_sectors == 0 or total <= first_data:
            raise FatError("not a FAT boot sector (sizes)")
        clusters = (total - first_data) // sectors_per_cluster
        if clusters < _FAT12_MAX_CLUSTERS:
            fat_bits = 12
        elif clusters < _FAT16_MAX_CLUSTERS:
            fat_bits = 16
        else:
            fat_bits = 32
        if fat_bits == 32 and (fat_size16 != 0 or root_entries != 0):
            raise FatError("not a FAT boot sector (FAT32 with a FAT16 layout)")
        label_at = 71 if fat_bits == 32 else 43
        signature_at = 66 if fat_bits == 32 else 38
        boot_label = None
        if boot[signature_at] in (0x28, 0x29):
            boot_label = _decode_label(boot[label_at : label_at + 11])
            if boot_label == _NO_LABEL:
                boot_label = None
        geometry = cls(
            sector_size=sector_size,
            cluster_size=sector_size * sectors_per_cluster,
            fat_bits=fat_bits,
            fat_offset=reserved * sector_size,
            fat_size=fat_sectors * sector_size,
            root_offset=(reserved + fats * fat_sectors) * sector_size,
            root_size=root_sectors * sector_size,
            data_offset=first_data * sector_size,
            clusters=clusters,
            root_cluster=struct.unpack_from("<I", boot, 44)[0] if fat_bits == 32 else 0,
            boot_label=boot_label,
        )
        if image_size is not None and geometry.data_offset > image_size:
            raise FatError("the image is shorter than its file system")
        return geometry


def _decode_label(raw: bytes) -> str | None:
    text = raw.decode(_SHORT_NAME_ENCODING).rstrip(" ")
    return text or None


def _short_name(raw: bytes, *, apply_case: bool) -> str:
    base_bytes = raw[:8]
    if base_bytes[0] == 0x05:  # a real 0xE5 first byte, escaped so it is not "deleted"
        base_bytes = b"\xe5" + base_bytes[1:]
    base = base_bytes.decode(_SHORT_NAME_ENCODING).rstrip(" ")
    extension = raw[8:11].decode(_SHORT_NAME_ENCODING).rstrip(" ")
    if apply_case and raw[12] & _LOWER_BASE:
        base = base.lower()
    if apply_case and raw[12] & _LOWER_EXTENSION:
        extension = extension.lower()
    return f"{base}.{extension}" if extension else base


def _checksum(short: bytes) -> int:
    total = 0
    for byte in short:
        total = (((total & 1) << 7) + (total >> 1) + byte) & 0xFF
    return total


def _named_entries(raws: Iterator[bytes]) -> Iterator[tuple[str, bytes]]:
    """Short entries with the names Linux shows, long-name pieces assembled and checked."""
    pieces: dict[int, str] = {}
    expected_count = 0
    checksum = -1
    for raw in raws:
        if raw[0] == _DELETED:
            pieces, expected_count = {}, 0
            continue
        if raw[11] & 0x3F == _ATTR_LONG_NAME:
            order = raw[0]
            if order & _LFN_LAST:
                pieces, expected_count, checksum = {}, order & 0x1F, raw[13]
            pieces[order & 0x1F] = _long_name_piece(raw)
            continue
        if raw[11] & _ATTR_VOLUME_LABEL and not raw[11] & _ATTR_DIRECTORY:
            pieces, expected_count = {}, 0
            yield "", raw  # the volume label: the walker skips it
            continue
        name = _short_name(raw, apply_case=True)
        complete = expected_count and set(pieces) == set(range(1, expected_count + 1))
        if complete and checksum == _checksum(raw[:11]):
            long_name = "".join(pieces[index] for index in range(1, expected_count + 1))
            name = long_name.split("\x00", 1)[0]
        pieces, expected_count = {}, 0
        if name in (".", ".."):
            continue
        yield name, raw


def _long_name_piece(raw: bytes) -> str:
    units = raw[1:11] + raw[14:26] + raw[28:32]
    text = units.decode("utf-16-le", "surrogatepass")
    return text.split("\x00", 1)[0] + ("\x00" if "\x00" in text else "")
