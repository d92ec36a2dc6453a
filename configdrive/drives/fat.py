"""Reading FAT12, FAT16 and FAT32 images: labels, folders, long names, file data. Read only.

NoCloud seeds (`cloud-localds -f vfat`) and Nova's old vfat config drives are FAT images.
This reader shows the names Linux's vfat driver shows (long names when their checksum
matches, else the short name, lower-cased where its case bits say so) and trusts nothing in
the image: every offset is checked against the image, and a bad image raises FatError
instead of reading elsewhere.

The work it does is bounded by what the image really holds, never by what it claims:
folders are walked once (a folder reached a second time, by a loop or by two entries that
share its clusters, is an error), every cluster chain is followed with a record of the
clusters it has passed so a loop is cut at its first repeat, the FAT is read in blocks when
they are needed (a sparse block of zeros is never kept), and the counts of entries and of
folder bytes are capped by the limits below.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

# The writer's: one checksum for the long names we write and the ones we read.
from configdrive.formats.fat import lfn_checksum

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
# Linux shows short names through code page 437 by default.
_SHORT_NAME_ENCODING = "cp437"

# Folders deeper than this are not configuration; a crafted image could nest without end.
MAX_DEPTH = 32
# Files and folders in one image. A config drive holds tens; a NoCloud seed a handful. The
# same bound as read_drive.MAX_ENTRIES for ISO9660 (set by diff's time budget there), so a
# user meets one limit whatever the file system.
MAX_ENTRIES = 5_000
# Entries (32-byte slots) in one folder: the FAT specification's own limit (2 MiB).
MAX_FOLDER_SLOTS = 65_536
# The bytes of all folders together that a walk reads: 8 MiB is 262,144 slots, room for
# MAX_ENTRIES entries with 255-character long names (21 slots each).
MAX_FOLDER_DATA = 8 * 1024 * 1024
# FAT32 FATs are read in blocks as chains need them; at most this many bytes of them are kept.
MAX_FAT_CACHE = 32 * 1024 * 1024
_FAT_BLOCK = 64 * 1024
# A chain's clusters are remembered in a set up to this many, then in a bitmap of the volume.
_SET_LIMIT = 4096
# Contiguous clusters are read together, up to this many bytes at a time.
_RUN_BYTES = 1024 * 1024
_UINT32 = struct.Struct("<I")
_UINT16 = struct.Struct("<H")


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
    # True when a file's clusters (as many as its size needs) reach a cluster that a file
    # listed before it already holds: cross-linked chains, or one chain looping on itself.
    # The first holder is not marked. So the unmarked files that read without error hold
    # clusters no other unmarked file holds, and together are at most the image's size;
    # a marked file's bytes are (at most, counted whole) data a copy writes again.
    shared: bool = False


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
        geometry = _Geometry.parse(stream.read(512), image_size=size)
        self._geometry = geometry
        # A cluster is readable when the volume, its FAT and the file all hold it; the
        # three ends are kept apart only to say which one a bad chain ran past.
        self._volume_end = geometry.clusters + 2
        self._fat_end = geometry.fat_size * 8 // geometry.fat_bits
        self._image_end = (size - geometry.data_offset) // geometry.cluster_size + 2
        self._end = max(2, min(self._volume_end, self._fat_end, self._image_end))
        self._fat = _Fat(self._read_bytes, geometry, entries=self._end)
        self.volume = self._volume()

    def _volume(self) -> FatVolume:
        geometry = self._geometry
        root_label = None
        for raw in self._root_slots(_Walk(self._end)):
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
        """Every file and folder, parents before children, in the order the folders list them.

        FatError when the folders loop, share clusters, nest deeper than MAX_DEPTH, or hold
        more than MAX_ENTRIES entries or MAX_FOLDER_DATA bytes.
        """
        state = _Walk(self._end)
        yield from self._walk_folder(self._root_slots(state), (), state)

    def read(self, entry: FatEntry, limit: int) -> bytes:
        """The first `limit` bytes of a file's data (FatError if its chain is broken)."""
        wanted = min(entry.size, limit)
        if wanted <= 0:
            return b""
        where = _shown(entry.path)
        out = bytearray()
        for offset, length in self._runs(entry.first_cluster, wanted, where):
            out += self._read_bytes(offset, length, what=where)
        return bytes(out)

    def chunks(self, entry: FatEntry) -> Iterator[bytes]:
        """A file's data in pieces of at most 1 MiB, for copying a file of any size."""
        if entry.size <= 0:
            return
        where = _shown(entry.path)
        for offset, length in self._runs(entry.first_cluster, entry.size, where):
            yield self._read_bytes(offset, length, what=where)

    def _walk_folder(
        self, slots: Iterator[bytes], parent: tuple[str, ...], state: _Walk
    ) -> Iterator[FatEntry]:
        for name, raw in _named_entries(slots):
            attributes = raw[11]
            if attributes & _ATTR_VOLUME_LABEL:
                continue
            state.entries += 1
            if state.entries > MAX_ENTRIES:
                raise FatError(f"the image holds more than {MAX_ENTRIES:,} files and folders")
            first_cluster = _UINT16.unpack_from(raw, 26)[0]
            if self._geometry.fat_bits == 32:
                first_cluster |= _UINT16.unpack_from(raw, 20)[0] << 16
            is_dir = bool(attributes & _ATTR_DIRECTORY)
            size = 0 if is_dir else _UINT32.unpack_from(raw, 28)[0]
            path = (*parent, name)
            yield FatEntry(
                path=path,
                is_dir=is_dir,
                size=size,
                first_cluster=first_cluster,
                shared=not is_dir and self._claim(first_cluster, size, state.files),
            )
            if is_dir:
                if len(path) > MAX_DEPTH:
                    raise FatError(
                        f"{_shown(path)}: folders nest more than {MAX_DEPTH} levels deep"
                    )
                # The folders open above this one, to tell a loop from a cross-link.
                shown = _shown(path)
                opened = state.open_folders.setdefault(first_cluster, shown) == shown
                yield from self._walk_folder(
                    self._folder_slots(first_cluster, shown, state), path, state
                )
                if opened:
                    del state.open_folders[first_cluster]

    def _root_slots(self, state: _Walk) -> Iterator[bytes]:
        geometry = self._geometry
        if geometry.fat_bits == 32:
            if not 2 <= geometry.root_cluster < self._volume_end:
                raise FatError(
                    f"the boot sector puts the root folder at cluster {geometry.root_cluster}, "
                    "outside the volume"
                )
            state.open_folders[geometry.root_cluster] = "the root folder"
            return self._folder_slots(geometry.root_cluster, "the root folder", state)
        # FAT12 and FAT16 keep the root folder in a fixed place of at most 65,535 slots.
        state.folder_bytes += geometry.root_size
        data = self._read_bytes(geometry.root_offset, geometry.root_size, what="the root folder")
        return _slots(data)

    def _folder_slots(self, first: int, where: str, state: _Walk) -> Iterator[bytes]:
        """A folder's 32-byte slots up to its end mark, its clusters read one at a time."""
        if first == 0:
            raise FatError(f"{where}: the folder loops back to the root folder")
        count = 0
        for cluster in self._chain(first, where):
            if not state.folders.add(cluster):
                above = state.open_folders.get(cluster)
                if above is not None and above != where:
                    raise FatError(f"{where}: the folder loops back to {above}")
                raise FatError(f"{where}: the folder shares its clusters with another folder")
            state.folder_bytes += self._geometry.cluster_size
            if state.folder_bytes > MAX_FOLDER_DATA:
                raise FatError(
                    f"the image's folders hold more than {MAX_FOLDER_DATA >> 20} MiB of entries"
                )
            data = self._read_bytes(
                self._geometry.cluster_offset(cluster), self._geometry.cluster_size, what=where
            )
            for offset in range(0, len(data) - _ENTRY_SIZE + 1, _ENTRY_SIZE):
                if data[offset] == 0:
                    return  # the end of the folder: the clusters after it are not read
                count += 1
                if count > MAX_FOLDER_SLOTS:
                    raise FatError(
                        f"{where}: the folder holds more than {MAX_FOLDER_SLOTS:,} entries, "
                        "more than FAT allows"
                    )
                yield data[offset : offset + _ENTRY_SIZE]

    def _claim(self, first: int, size: int, files: _ClusterSet) -> bool:
        """Mark the clusters a file's size needs; whether one was marked already.

        Each step marks a new cluster or stops, so a whole walk takes at most one step per
        cluster of the volume, however many files share a chain.
        """
        if size <= 0:
            return False
        end_of_chain = self._geometry.end_of_chain
        cluster = first
        for _ in range(-(-size // self._geometry.cluster_size)):
            if not 2 <= cluster < self._end:
                return False  # a broken chain: reading the file says how
            if not files.add(cluster):
                return True
            cluster = self._fat.next(cluster)
            if cluster >= end_of_chain:
                return False
        return False

    def _runs(self, first: int, wanted: int, where: str) -> Iterator[tuple[int, int]]:
        """(offset, length) of the file's first `wanted` bytes, contiguous clusters together.

        The chain is checked to its needed length before the first run is given: a broken
        file yields no data at all (so nothing reads, or copies, part of it).
        """
        if first == 0:
            raise FatError(f"{where}: the file has a size but no clusters")
        cluster_size = self._geometry.cluster_size
        needed = -(-wanted // cluster_size)
        for counted, _ in enumerate(self._chain(first, where), start=1):
            if counted == needed:
                break
        else:
            raise FatError(f"{where}: the file's clusters end before its size")
        remaining = wanted
        start = length = 0
        cluster = first
        for index in range(needed):
            if index:
                cluster = self._fat.next(cluster)
                self._check(cluster, where)  # checked already; the file may have changed
            offset = self._geometry.cluster_offset(cluster)
            take = min(cluster_size, remaining)
            if length and start + length == offset and length + take <= _RUN_BYTES:
                length += take
            else:
                if length:
                    yield start, length
                start, length = offset, take
            remaining -= take
        yield start, length

    def _chain(self, first: int, where: str) -> Iterator[int]:
        """The clusters of a chain; a loop, a free or an out-of-range cluster is an error."""
        end_of_chain = self._geometry.end_of_chain
        seen = _ClusterSet(self._end)
        cluster = first
        while True:
            self._check(cluster, where)
            if not seen.add(cluster):
                raise FatError(f"{where}: the cluster chain loops back to cluster {cluster}")
            yield cluster
            cluster = self._fat.next(cluster)
            if cluster >= end_of_chain:
                return

    def _check(self, cluster: int, where: str) -> None:
        if cluster == 0:
            raise FatError(f"{where}: the cluster chain reaches a free cluster")
        if not 2 <= cluster < self._volume_end:
            raise FatError(
                f"{where}: the cluster chain points at cluster {cluster}, outside the volume"
            )
        if cluster >= self._fat_end:
            raise FatError(f"{where}: cluster {cluster} is past the end of the FAT")
        if cluster >= self._image_end:
            raise FatError(f"{where}: cluster {cluster} lies outside the image")

    def _read_bytes(self, offset: int, length: int, *, what: str) -> bytes:
        if offset < 0 or length < 0 or offset + length > self._size:
            raise FatError(f"{what} lies outside the image")
        self._stream.seek(offset)
        data = self._stream.read(length)
        if len(data) != length:
            raise FatError(f"{what} lies outside the image")
        return data


class _Walk:
    """What one walk has seen: folder clusters, file clusters, and its counts."""

    def __init__(self, end: int) -> None:
        self.folders = _ClusterSet(end)
        self.files = _ClusterSet(end)
        self.open_folders: dict[int, str] = {}
        self.entries = 0
        self.folder_bytes = 0


class _ClusterSet:
    """Clusters below `end`: a set while it is small, a bitmap of the volume past that.

    A set costs tens of bytes a cluster; a long chain in a large (or sparse) volume would
    make it hundreds of MiB, where the bitmap costs one bit a cluster.
    """

    def __init__(self, end: int) -> None:
        self._end = end
        self._small: set[int] = set()
        self._bits: bytearray | None = None

    def add(self, cluster: int) -> bool:
        """Add `cluster`; False when it was there already."""
        bits = self._bits
        if bits is None:
            if cluster in self._small:
                return False
            self._small.add(cluster)
            if len(self._small) > _SET_LIMIT:
                bits = self._bits = bytearray((self._end + 7) // 8)
                for known in self._small:
                    bits[known >> 3] |= 1 << (known & 7)
                self._small = set()
            return True
        mask = 1 << (cluster & 7)
        if bits[cluster >> 3] & mask:
            return False
        bits[cluster >> 3] |= mask
        return True


_ZERO_BLOCK = bytes(_FAT_BLOCK)


class _Reader(Protocol):
    def __call__(self, offset: int, length: int, *, what: str) -> bytes: ...


class _Fat:
    """The entries of the first FAT, for clusters below `entries`, read as they are needed.

    FAT12 and FAT16 FATs are small (at most 6 KiB and 128 KiB) and read whole. A FAT32 FAT
    can claim gigabytes: it is read in 64 KiB blocks, a block of zeros (free clusters, or a
    hole in a sparse file) is remembered as such instead of kept, and at most MAX_FAT_CACHE
    bytes of blocks are kept, so memory follows what chains touch, not what the FAT claims.
    """

    def __init__(self, read: _Reader, geometry: _Geometry, *, entries: int) -> None:
        self._read = read
        self._offset = geometry.fat_offset
        self._bits = geometry.fat_bits
        self._length = min(geometry.fat_size, (entries * self._bits + 7) // 8 + 1)
        self._blocks: dict[int, bytes] = {}
        self._zero_blocks: set[int] = set()
        self._whole = b""
        if self._bits != 32:
            self._whole = read(self._offset, self._length, what="the FAT")

    def next(self, cluster: int) -> int:
        """The FAT entry of `cluster` (which the caller has checked is below `entries`)."""
        if self._bits == 32:
            offset = cluster * 4
            block = self._block(offset // _FAT_BLOCK)
            return int(_UINT32.unpack_from(block, offset % _FAT_BLOCK)[0]) & 0x0FFFFFFF
        fat = self._whole
        if self._bits == 16:
            return int(_UINT16.unpack_from(fat, cluster * 2)[0])
        offset = cluster + cluster // 2
        pair = fat[offset] | fat[offset + 1] << 8
        return pair >> 4 if cluster & 1 else pair & 0xFFF

    def _block(self, index: int) -> bytes:
        block = self._blocks.get(index)
        if block is not None:
            return block
        if index in self._zero_blocks:
            return _ZERO_BLOCK
        start = index * _FAT_BLOCK
        block = self._read(
            self._offset + start, min(_FAT_BLOCK, self._length - start), what="the FAT"
        )
        if block.count(0) == len(block):
            self._zero_blocks.add(index)
            return block
        if len(self._blocks) * _FAT_BLOCK >= MAX_FAT_CACHE:
            self._blocks.clear()  # only chains over more than 32 MiB of FAT come here
        self._blocks[index] = block
        return block


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


def _shown(path: tuple[str, ...]) -> str:
    """A path for a message: characters a terminal would act on are shown escaped."""
    return "/".join(
        "".join(char if char.isprintable() and char != "\\" else ascii(char)[1:-1] for char in name)
        for name in path
    )


def _slots(data: bytes) -> Iterator[bytes]:
    """The 32-byte slots of a folder's data, up to its end mark (a slot starting with 0)."""
    for offset in range(0, len(data) - _ENTRY_SIZE + 1, _ENTRY_SIZE):
        if data[offset] == 0:
            return
        yield data[offset : offset + _ENTRY_SIZE]


def _decode_label(raw: bytes) -> str | None:
    text = raw.decode(_SHORT_NAME_ENCODING).rstrip(" ")
    return text or None


def _short_name(raw: bytes) -> str:
    """The 8.3 name as Linux shows it: cp437, lower-cased where the NT case bits say so."""
    base_bytes = raw[:8]
    if base_bytes[0] == 0x05:  # a real 0xE5 first byte, escaped so it is not "deleted"
        base_bytes = b"\xe5" + base_bytes[1:]
    base = base_bytes.decode(_SHORT_NAME_ENCODING).rstrip(" ")
    extension = raw[8:11].decode(_SHORT_NAME_ENCODING).rstrip(" ")
    if raw[12] & _LOWER_BASE:
        base = base.lower()
    if raw[12] & _LOWER_EXTENSION:
        extension = extension.lower()
    return f"{base}.{extension}" if extension else base


def _named_entries(raws: Iterator[bytes]) -> Iterator[tuple[str, bytes]]:
    """Short entries with the names Linux shows, long-name pieces assembled and checked.

    Long-name pieces are kept raw and decoded only when a short entry completes them: a
    folder of orphan pieces costs a dictionary store each, not a decode.
    """
    pieces: dict[int, bytes] = {}
    expected_count = 0
    checksum = -1
    for raw in raws:
        if raw[0] == _DELETED:
            if expected_count:
                pieces.clear()
                expected_count = 0
            continue
        attributes = raw[11]
        if attributes & 0x3F == _ATTR_LONG_NAME:
            order = raw[0]
            if order & _LFN_LAST:
                pieces.clear()
                expected_count, checksum = order & 0x1F, raw[13]
            pieces[order & 0x1F] = raw
            continue
        if attributes & _ATTR_VOLUME_LABEL and not attributes & _ATTR_DIRECTORY:
            pieces.clear()
            expected_count = 0
            yield "", raw  # the volume label: the walker skips it
            continue
        name = _short_name(raw)
        # Pieces 1..n, each once (n distinct numbers from 1 to n are exactly those).
        complete = (
            expected_count
            and len(pieces) == expected_count
            and min(pieces) == 1
            and max(pieces) == expected_count
        )
        if complete and checksum == lfn_checksum(raw[:11]):
            name = _long_name([pieces[index] for index in range(1, expected_count + 1)])
        pieces.clear()
        expected_count = 0
        if name in (".", ".."):
            continue
        yield name, raw


def _long_name(pieces: list[bytes]) -> str:
    """The name the pieces spell, decoded at once (a surrogate pair may span two pieces)."""
    units = b"".join(raw[1:11] + raw[14:26] + raw[28:32] for raw in pieces)
    return units.decode("utf-16-le", "surrogatepass").split("\x00", 1)[0]
