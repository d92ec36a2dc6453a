"""Stage 5 of the pipeline, vfat: render a DriveLayout as a FAT12/16/32 image, in pure Python.

For hypervisors and migrations that want a writable disk rather than a CD-ROM: no
mkfs.vfat, mtools or loop mount at build time. The geometry is the one mkfs.fat
(dosfstools 4.2) picks for an image of the same size, so every FAT reader (Linux vfat,
mtools, fsck.fat, blkid, Windows) meets a file system it has seen a million times:

- FAT12 up to 4084 clusters, FAT16 from 4087, FAT32 from 512 MiB, as mkfs.fat decides;
- 512-byte sectors, two FATs, media 0xF8, 512 root entries on FAT12/16, structures
  aligned to the cluster size above 4 MiB, a backup boot sector and FSInfo on FAT32;
- every name as a VFAT long name (UTF-16) beside a unique 8.3 short name made the way
  Windows and Linux make them (META_D~1.JSO); names already in upper-case 8.3 form
  keep only the short name;
- the volume label, case kept, in the boot sector and as the root's label entry:
  blkid reports both (LABEL and LABEL_FATBOOT), and cloud-init looks for `config-2`,
  `CONFIG-2`, `cidata` or `CIDATA` there;
- every date is `timestamp` (UTC; FAT counts from 1980, so earlier dates are clamped),
  and the volume serial number is a hash of the layout: the same layout gives the
  same bytes in any time zone, and different drives get different serials.

FAT has no hard links (two entries sharing clusters is a cross-link, which fsck
repairs): identical contents are written once per path. File data is streamed from
disk in 1 MiB blocks; the image is written front to back, so any binary stream works.
"""

from __future__ import annotations

import array
import hashlib
import struct
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import BinaryIO

from configdrive.formats import ProgressCallback
from configdrive.layouts.drive_layout import Content, DriveLayout, FileContent

SECTOR = 512
MIB = 1 << 20
# The smallest image we write, and the step image sizes grow by. Nova makes its vfat
# config drives 64 MiB, but no reader needs that: blkid, fsck.fat, mtools and cloud-init
# read a 1 MiB FAT12 (502 clusters of 2 KiB) without complaint, and a typical config-2
# drive (40 to 60 small files and folders) fills a tenth of it. Whole MiB because VHD
# (Azure, Hyper-V) and most disk-image tooling want MiB-aligned disks.
MIN_IMAGE_BYTES = MIB
FAT32_FROM_BYTES = 512 * MIB  # mkfs.fat picks FAT32 from this size on
MAX_FILE_BYTES = 0xFFFF_FFFF  # the directory entry's size field is 32 bits
MAX_FOLDER_ENTRIES = 65536  # Linux and Windows stop reading a folder there
COPY_BLOCK = MIB

DEFAULT_ROOT_ENTRIES = 512
MAX_ROOT_ENTRIES = 0xFFF0  # a 16-bit field, in whole sectors of entries
# Cluster-count limits as mkfs.fat 4.2 applies them. Readers infer FAT12 or FAT16 from the
# cluster count alone: Linux and the specification say FAT16 from 4085 clusters, Windows'
# fastfat from 4087, so no volume gets 4085 or 4086. FAT32 is marked by a zero FAT16 size.
MAX_CLUSTERS_12 = 4084
MIN_CLUSTERS_16 = 4087
MAX_CLUSTERS_16 = 65524
MIN_CLUSTERS_32 = 65525
MAX_CLUSTERS_32 = 268_435_446
FAT_COUNT = 2
MEDIA = 0xF8
NOT_ALIGNED_UP_TO = 8192  # sectors: mkfs.fat aligns structures only above 4 MiB
FAT32_RESERVED = 32
FAT32_FSINFO_SECTOR = 1
FAT32_BACKUP_BOOT_SECTOR = 6

ATTR_READ_ONLY, ATTR_HIDDEN, ATTR_SYSTEM = 0x01, 0x02, 0x04
ATTR_VOLUME_ID, ATTR_DIRECTORY, ATTR_ARCHIVE = 0x08, 0x10, 0x20
ATTR_LONG_NAME = ATTR_READ_ONLY | ATTR_HIDDEN | ATTR_SYSTEM | ATTR_VOLUME_ID
ENTRY_BYTES = 32
LFN_CHARS = 13  # UTF-16 units in one long-name entry
LFN_LAST = 0x40
MAX_LONG_NAME = 255

# Characters an 8.3 name may hold besides A-Z and 0-9 (FAT specification, section 6.1).
_SHORT_SPECIALS = frozenset("!#$%&'()-@^_`{}~")
# Characters no long name may hold (what Linux's vfat_bad_char and Windows refuse).
_FORBIDDEN_IN_NAMES = frozenset('"*/:<>?\\|')
# What mkfs.fat refuses in a volume label.
_FORBIDDEN_IN_LABELS = frozenset('*?.,;:/\\|+=<>[]"')
_NO_NAME = b"NO NAME    "

_FAT_EPOCH = 315_532_800  # 1980-01-01T00:00:00Z, the first date FAT can store
_FAT_LAST = 4_354_819_198  # 2107-12-31T23:59:58Z, the last one

# Boot code for a machine that boots the image by mistake: ask the BIOS for the next
# boot device (int 18h), else halt. The jump at offset 0 lands here.
_BOOT_STUB = bytes([0xCD, 0x18, 0xF4, 0xEB, 0xFD])
_OEM_NAME = b"MSWIN4.1"  # the name Microsoft's specification recommends, for old drivers


# --------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class Geometry:
    """Where everything lies on a FAT volume: the boot sector's numbers, and a few derived."""

    fat_bits: int
    image_sectors: int  # the whole image; the volume may leave a partial track unused
    total_sectors: int
    sectors_per_cluster: int
    reserved_sectors: int
    fat_sectors: int
    root_entries: int  # 0 on FAT32, whose root folder is a cluster chain
    cluster_count: int
    sectors_per_track: int
    heads: int

    @property
    def cluster_bytes(self) -> int:
        return self.sectors_per_cluster * SECTOR

    @property
    def root_sectors(self) -> int:
        return _ceil_div(self.root_entries * ENTRY_BYTES, SECTOR)

    @property
    def image_bytes(self) -> int:
        return self.image_sectors * SECTOR


def fat_geometry(image_sectors: int, *, root_entries: int = DEFAULT_ROOT_ENTRIES) -> Geometry:
    """The geometry mkfs.fat 4.2 gives an image file of `image_sectors` 512-byte sectors.

    Its search: start from 2 KiB clusters (FAT12/16) or the cluster size Microsoft's
    format uses for the size (FAT32), double until a FAT type's cluster count is in
    range, and prefer FAT16 when both FAT12 and FAT16 fit.
    """
    fat32 = image_sectors * SECTOR >= FAT32_FROM_BYTES
    heads, sectors_per_track = _chs(image_sectors)
    # A whole number of tracks, "needed by DOS and mtools" (mkfs.fat): only sizes above
    # 256 MiB, with 63-sector tracks, lose a few sectors at the end.
    total_sectors = image_sectors // sectors_per_track * sectors_per_track
    aligned = total_sectors > NOT_ALIGNED_UP_TO
    reserved = FAT32_RESERVED if fat32 else 1
    root_entries = 0 if fat32 else root_entries
    root_sectors = _ceil_div(root_entries * ENTRY_BYTES, SECTOR)
    sectors_per_cluster = _fat32_cluster_sectors(image_sectors) if fat32 else 4

    while sectors_per_cluster <= 128:

        def align(sectors: int, spc: int = sectors_per_cluster) -> int:
            return _round_up(sectors, spc) if aligned else sectors

        data_and_fats = total_sectors - align(reserved)
        if fat32:
            bits, clusters, fat_sectors = 32, *_fit(data_and_fats, sectors_per_cluster, 32, align)
            if not MIN_CLUSTERS_32 <= clusters <= min(fat_sectors * SECTOR // 4, MAX_CLUSTERS_32):
                clusters = 0
        else:
            data_and_fats -= align(root_sectors)
            clusters12, fat12 = _fit(data_and_fats, sectors_per_cluster, 12, align)
            if clusters12 > min(fat12 * SECTOR * 2 // 3, MAX_CLUSTERS_12):
                clusters12 = 0
            clusters16, fat16 = _fit(data_and_fats, sectors_per_cluster, 16, align)
            if not MIN_CLUSTERS_16 <= clusters16 <= min(fat16 * SECTOR // 2, MAX_CLUSTERS_16):
                clusters16 = 0
            if clusters16 > clusters12:
                bits, clusters, fat_sectors = 16, clusters16, fat16
            else:
                bits, clusters, fat_sectors = 12, clusters12, fat12
        if clusters > 0:
            if aligned:
                root_entries = align(root_sectors) * (SECTOR // ENTRY_BYTES)
            return Geometry(
                fat_bits=bits,
                image_sectors=image_sectors,
                total_sectors=total_sectors,
                sectors_per_cluster=sectors_per_cluster,
                reserved_sectors=align(reserved),
                fat_sectors=fat_sectors,
                root_entries=root_entries,
                cluster_count=clusters,
                sectors_per_track=sectors_per_track,
                heads=heads,
            )
        sectors_per_cluster *= 2
    raise ValueError(f"no FAT geometry for {image_sectors} sectors")


def _fit(
    sectors: int, sectors_per_cluster: int, bits: int, align: Callable[[int], int]
) -> tuple[int, int]:
    """How many clusters, and FAT sectors per FAT, fit in `sectors` (mkfs.fat's estimate)."""
    if bits == 12:
        estimate = (
            2
            * (sectors * SECTOR + FAT_COUNT * 3)
            // (2 * sectors_per_cluster * SECTOR + FAT_COUNT * 3)
        )
        fat_sectors = align(_ceil_div(((estimate + 2) * 3 + 1) // 2, SECTOR))
    else:
        entry = bits // 8
        estimate = (sectors * SECTOR + FAT_COUNT * 2 * entry) // (
            sectors_per_cluster * SECTOR + FAT_COUNT * entry
        )
        fat_sectors = align(_ceil_div((estimate + 2) * entry, SECTOR))
    # Counted again: the FATs' unused tail and the data area could otherwise make up a
    # cluster that is not really there.
    clusters = (sectors - FAT_COUNT * fat_sectors) // sectors_per_cluster
    return max(clusters, 0), fat_sectors


def _fat32_cluster_sectors(image_sectors: int) -> int:
    """The cluster size Microsoft's format command uses for a FAT32 volume of this size."""
    for sectors_per_cluster, above_mib in ((64, 32 * 1024), (32, 16 * 1024), (16, 8 * 1024)):
        if image_sectors > above_mib * (MIB // SECTOR):
            return sectors_per_cluster
    return 8 if image_sectors > 260 * (MIB // SECTOR) else 1


def _chs(total_sectors: int) -> tuple[int, int]:
    """Heads and sectors per track: meaningless for LBA, but what mkfs.fat records."""
    if total_sectors <= 524_288:  # up to 256 MiB: the SD card specification's table
        sectors_per_track = 16 if total_sectors <= 4096 else 32
        for heads, up_to in ((2, 32768), (4, 65536), (8, 262_144)):
            if total_sectors <= up_to:
                return heads, sectors_per_track
        return 16, sectors_per_track
    for heads in (16, 32, 64, 128):  # beyond: LBA-assist translation
        if total_sectors <= heads * 63 * 1024:
            return heads, 63
    return 255, 63


# --------------------------------------------------------------------------- the tree


@dataclass(eq=False)
class _Node:
    name: str
    short: bytes = b""
    first_cluster: int = 0

    @property
    def needs_long_name(self) -> bool:
        return _display_short(self.short) != self.name


@dataclass(eq=False)
class _File(_Node):
    content: Content = b""

    @property
    def size(self) -> int:
        content = self.content
        return content.size if isinstance(content, FileContent) else len(content)


@dataclass(eq=False)
class _Folder(_Node):
    children: dict[str, _File | _Folder] = field(default_factory=dict)
    by_upper_name: dict[str, _File | _Folder] = field(default_factory=dict)
    parent: _Folder | None = None
    entry_count: int = 0  # directory entries, once the names are known

    def folders(self) -> Iterator[_Folder]:
        """This folder and every folder below it, parents first."""
        yield self
        for child in self.children.values():
            if isinstance(child, _Folder):
                yield from child.folders()


def _build_tree(files: Mapping[str, Content]) -> _Folder:
    """The folders and files of a layout; refuses what FAT cannot hold as given."""
    root = _Folder("")
    for path, content in files.items():
        parts = path.split("/")
        for part in parts:
            _check_name(part, path)
        folder = root
        for part in parts[:-1]:
            child = _child(folder, part, path)
            if child is None:
                child = _Folder(part, parent=folder)
                _add(folder, child)
            if not isinstance(child, _Folder):
                raise ValueError(f"{path!r}: {child.name!r} is a file, not a folder")
            folder = child
        if _child(folder, parts[-1], path) is not None:
            raise ValueError(f"{path!r} is both a file and a folder")
        node = _File(parts[-1], content=content)
        if node.size > MAX_FILE_BYTES:
            raise ValueError(f"{path!r} is larger than FAT's 4 GiB limit for a file")
        _add(folder, node)
    return root


def _add(folder: _Folder, node: _File | _Folder) -> None:
    folder.children[node.name] = node
    folder.by_upper_name[node.name.upper()] = node


def _child(folder: _Folder, name: str, path: str) -> _File | _Folder | None:
    """The entry `name` of `folder`; names differing only in case are one name on FAT."""
    found = folder.by_upper_name.get(name.upper())
    if found is not None and found.name != name:
        raise ValueError(
            f"{path!r}: {name!r} and {found.name!r} differ only in case, and FAT "
            "folders are case-insensitive (readers would open one for the other)"
        )
    return found


def _check_name(name: str, path: str) -> None:
    if name in ("", ".", ".."):
        raise ValueError(f"{path!r}: empty, '.' and '..' are not names")
    bad = sorted({char for char in name if char in _FORBIDDEN_IN_NAMES or ord(char) < 0x20})
    if bad:
        raise ValueError(f"{path!r}: FAT names cannot hold {''.join(bad)!r}")
    if name[-1] in ". ":
        # Linux and Windows drop trailing dots and spaces: the name would change.
        raise ValueError(f"{path!r}: FAT names cannot end with a dot or a space")
    if len(name.encode("utf-16-le")) // 2 > MAX_LONG_NAME:
        raise ValueError(f"{path!r}: {name[:20]!r}... is longer than 255 characters")


# --------------------------------------------------------------------------- names


def short_names(names: list[str]) -> dict[str, bytes]:
    """Unique 11-byte 8.3 names (`NAME    EXT`) for the entries of one folder.

    A name already in upper-case 8.3 form is its own short name; one that only differs
    by case gets the upper-case form (latest -> LATEST); any other gets a numeric tail
    as Windows and Linux make it (meta_data.json -> META_D~1.JSO). Exact forms are
    reserved first so that no numeric tail takes one.
    """
    assigned: dict[str, bytes] = {}
    taken: set[bytes] = set()
    tails: list[tuple[str, str, str]] = []
    for name in names:
        base, extension, lossy = _short_parts(name)
        if lossy:
            tails.append((name, base, extension))
        else:
            short = _pack_short(base, extension)
            assigned[name] = short
            taken.add(short)
    # Where to start counting for a base: a thousand meta_data-NNNN.json then cost a
    # thousand look-ups, not half a million. Numbers only grow, so names stay unique.
    next_number: dict[tuple[str, str], int] = {}
    for name, base, extension in tails:
        key = (base[:6], extension)
        short, number = _numeric_tail(base, extension, taken, next_number.get(key, 1))
        next_number[key] = number + 1
        assigned[name] = short
        taken.add(short)
    return {name: assigned[name] for name in names}


def _short_parts(name: str) -> tuple[str, str, bool]:
    """The upper-case base and extension of a name's 8.3 form, and whether it loses anything."""
    stripped = name.lstrip(".")
    lossy = stripped != name
    base, dot, extension = stripped.rpartition(".")
    if not dot:
        base, extension = stripped, ""
    base, base_lossy = _short_characters(base)
    extension, extension_lossy = _short_characters(extension)
    lossy = lossy or base_lossy or extension_lossy or len(base) > 8 or len(extension) > 3
    if not base:
        base, lossy = "_", True
    return base, extension[:3], lossy


def _short_characters(text: str) -> tuple[str, bool]:
    """`text` in short-name characters: upper case, dots and spaces dropped, others `_`."""
    out = []
    lossy = False
    for char in text.upper():
        if char in " .":
            lossy = True
        elif ("A" <= char <= "Z") or ("0" <= char <= "9") or char in _SHORT_SPECIALS:
            out.append(char)
        else:
            out.append("_")
            lossy = True
    return "".join(out), lossy


def _numeric_tail(base: str, extension: str, taken: set[bytes], start: int) -> tuple[bytes, int]:
    """BASE~N.EXT with the smallest N from `start` not taken (the base shortened to fit)."""
    for number in range(start, 1_000_000):
        tail = f"~{number}"
        short = _pack_short(base[: 8 - len(tail)] + tail, extension)
        if short not in taken:
            return short, number
    raise ValueError(f"too many names like {base}.{extension} in one folder")


def _pack_short(base: str, extension: str) -> bytes:
    return base.ljust(8).encode("ascii") + extension.ljust(3).encode("ascii")


def _display_short(short: bytes) -> str:
    """An 11-byte short name as readers show it without a long name (NAME.EXT)."""
    base = short[:8].decode("ascii").rstrip()
    extension = short[8:].decode("ascii").rstrip()
    return f"{base}.{extension}" if extension else base


def lfn_checksum(short: bytes) -> int:
    """The checksum every long-name entry carries of its short name (FAT spec, 7.2)."""
    total = 0
    for byte in short:
        total = (((total & 1) << 7) + (total >> 1) + byte) & 0xFF
    return total


def _long_name_entries(name: str, short: bytes) -> list[bytes]:
    """The long-name entries for `name`, in the order they are stored (last part first)."""
    units = name.encode("utf-16-le")
    count = _ceil_div(len(units) // 2, LFN_CHARS)
    # NUL-terminated unless it fills the last entry exactly; the rest is 0xFFFF.
    padded = units + (b"\0\0" if len(units) // 2 % LFN_CHARS else b"")
    padded = padded.ljust(count * LFN_CHARS * 2, b"\xff")
    checksum = lfn_checksum(short)
    entries = []
    for sequence in range(count, 0, -1):
        part = padded[(sequence - 1) * LFN_CHARS * 2 : sequence * LFN_CHARS * 2]
        order = sequence | (LFN_LAST if sequence == count else 0)
        entries.append(
            bytes([order])
            + part[0:10]
            + bytes([ATTR_LONG_NAME, 0, checksum])
            + part[10:22]
            + b"\0\0"
            + part[22:26]
        )
    return entries


def _name_folders(root: _Folder) -> None:
    """Give every entry its short name and count each folder's directory entries."""
    for folder in root.folders():
        names = list(folder.children)
        for name, short in short_names(names).items():
            folder.children[name].short = short
        count = 2 if folder is not root else 0  # `.` and `..`
        for child in folder.children.values():
            count += 1
            if child.needs_long_name:
                count += _ceil_div(len(child.name.encode("utf-16-le")) // 2, LFN_CHARS)
        folder.entry_count = count
        if count >= MAX_FOLDER_ENTRIES:  # >=: the root has its label too
            where = "/".join(_path(folder)) or "the root folder"
            raise ValueError(f"{where} holds too many entries for a FAT folder")


def _path(folder: _Folder) -> list[str]:
    parts: list[str] = []
    node: _Folder | None = folder
    while node is not None and node.parent is not None:
        parts.append(node.name)
        node = node.parent
    return parts[::-1]


def volume_label(label: str) -> bytes:
    """The 11-byte label field: case kept (readers look for `config-2` in lower case)."""
    if not label:
        return _NO_NAME
    try:
        encoded = label.encode("ascii")
    except UnicodeEncodeError:
        raise ValueError(f"volume label {label!r}: FAT labels here are ASCII only") from None
    bad = sorted({char for char in label if char in _FORBIDDEN_IN_LABELS or ord(char) < 0x20})
    if bad:
        raise ValueError(f"volume label {label!r}: FAT labels cannot hold {''.join(bad)!r}")
    if len(encoded) > 11 or label.startswith(" "):
        raise ValueError(
            f"volume label {label!r}: FAT labels are 1 to 11 characters, no space first"
        )
    return encoded.ljust(11)


# --------------------------------------------------------------------------- sizing


def _placements(
    root: _Folder, label: bytes, geometry: Geometry
) -> Iterator[tuple[_Folder | _File, int]]:
    """Every folder and non-empty file that takes clusters, and how many, in disk order.

    Folders first, then files: the whole tree can be read from the front of the image,
    and the data follows in one run. The FAT12/16 root has its own region before both.
    """
    cluster_bytes = geometry.cluster_bytes
    for folder in root.folders():
        if folder is not root or geometry.fat_bits == 32:
            entries = folder.entry_count + (1 if folder is root and label != _NO_NAME else 0)
            # At least one cluster: even an empty FAT32 root is a cluster chain.
            yield folder, max(1, _ceil_div(entries * ENTRY_BYTES, cluster_bytes))
    for folder in root.folders():
        for child in folder.children.values():
            if isinstance(child, _File) and child.size:
                yield child, _ceil_div(child.size, cluster_bytes)


def choose_geometry(root_entries: int, clusters_needed: Callable[[Geometry], int]) -> Geometry:
    """The smallest whole-MiB geometry (at least MIN_IMAGE_BYTES) that holds the content."""
    root_entries = max(DEFAULT_ROOT_ENTRIES, _round_up(root_entries, SECTOR // ENTRY_BYTES))
    size = MIN_IMAGE_BYTES
    if root_entries > MAX_ROOT_ENTRIES:
        size = FAT32_FROM_BYTES  # only FAT32's root folder can grow that large
    while size // SECTOR < 1 << 32:
        geometry = fat_geometry(size // SECTOR, root_entries=root_entries)
        needed = clusters_needed(geometry)
        if needed <= geometry.cluster_count:
            return geometry
        shortfall = (needed - geometry.cluster_count) * geometry.cluster_bytes
        size += _round_up(shortfall, MIB)
    raise ValueError("the content is too large for a FAT volume")


# --------------------------------------------------------------------------- the image


def write_vfat(
    layout: DriveLayout,
    stream: BinaryIO,
    *,
    timestamp: int,
    progress: ProgressCallback | None = None,
) -> None:
    """Write `layout` as a FAT image to `stream`, every timestamp set to `timestamp`."""
    label = volume_label(layout.label)
    root = _build_tree(dict(layout.files))
    _name_folders(root)
    root_entries = root.entry_count + (0 if label == _NO_NAME else 1)
    geometry = choose_geometry(
        root_entries, lambda g: sum(count for _, count in _placements(root, label, g))
    )
    order = _allocate(root, label, geometry)
    used = sum(clusters for _, clusters in order)
    stamp = fat_datetime(timestamp)
    serial = volume_serial(layout, timestamp)

    out = _Output(stream, geometry.image_bytes, progress)
    out.write(_reserved_region(geometry, label, serial, used))
    fat = _fat(geometry, order)
    for _ in range(FAT_COUNT):
        out.write(fat)
    if geometry.fat_bits != 32:
        out.write(_folder_bytes(root, label, stamp, geometry.root_sectors * SECTOR))
    for node, clusters in order:
        room = clusters * geometry.cluster_bytes
        if isinstance(node, _Folder):
            out.write(_folder_bytes(node, label, stamp, room))
        else:
            _copy(node, out)
            out.zeros(room - node.size)
    out.zeros(geometry.image_bytes - out.done)


def _allocate(root: _Folder, label: bytes, geometry: Geometry) -> list[tuple[_Folder | _File, int]]:
    """Give every folder and non-empty file a contiguous run of clusters, in writing order.

    Empty files keep cluster 0, as FAT requires.
    """
    order = list(_placements(root, label, geometry))
    next_cluster = 2  # clusters 0 and 1 do not exist: their FAT entries are reserved
    for node, count in order:
        node.first_cluster = next_cluster
        next_cluster += count
    assert next_cluster - 2 <= geometry.cluster_count
    return order


def _fat(geometry: Geometry, order: list[tuple[_Folder | _File, int]]) -> bytes:
    """One FAT: the reserved entries, then a chain of consecutive clusters per node."""
    bits = geometry.fat_bits
    end_of_chain = {12: 0xFFF, 16: 0xFFFF, 32: 0x0FFF_FFFF}[bits]
    entries = array.array("I", bytes(4 * (geometry.cluster_count + 2)))
    entries[0] = (end_of_chain & ~0xFF) | MEDIA
    entries[1] = end_of_chain  # high bits set: cleanly unmounted, no I/O errors
    for node, clusters in order:
        first = node.first_cluster
        entries[first : first + clusters - 1] = array.array("I", range(first + 1, first + clusters))
        entries[first + clusters - 1] = end_of_chain
    table = _pack_fat(entries, bits)
    assert len(table) <= geometry.fat_sectors * SECTOR
    return table.ljust(geometry.fat_sectors * SECTOR, b"\0")


def _pack_fat(entries: array.array[int], bits: int) -> bytes:
    if bits == 12:
        packed = bytearray()
        values = [*entries, 0]
        for index in range(0, len(entries), 2):
            first, second = values[index], values[index + 1]
            packed += bytes([first & 0xFF, (first >> 8) | ((second & 0xF) << 4), second >> 4])
        return bytes(packed[: _ceil_div(len(entries) * 3, 2)])
    narrowed = array.array("H" if bits == 16 else "I", entries)
    if sys.byteorder != "little":
        narrowed.byteswap()
    return narrowed.tobytes()


def _reserved_region(geometry: Geometry, label: bytes, serial: int, used: int) -> bytes:
    """The reserved sectors: the boot sector, and on FAT32 FSInfo and the backup boot sector."""
    boot = _boot_sector(geometry, label, serial)
    region = bytearray(geometry.reserved_sectors * SECTOR)
    region[0:SECTOR] = boot
    if geometry.fat_bits == 32:
        free = geometry.cluster_count - used
        next_free = used + 2 if free else 0xFFFF_FFFF
        info = bytearray(SECTOR)
        struct.pack_into("<I", info, 0, 0x4161_5252)  # "RRaA"
        struct.pack_into("<III", info, 484, 0x6141_7272, free, next_free)  # "rrAa"
        struct.pack_into("<I", info, 508, 0xAA55_0000)
        region[FAT32_FSINFO_SECTOR * SECTOR : (FAT32_FSINFO_SECTOR + 1) * SECTOR] = info
        backup = FAT32_BACKUP_BOOT_SECTOR * SECTOR
        region[backup : backup + SECTOR] = boot
    return bytes(region)


def _boot_sector(geometry: Geometry, label: bytes, serial: int) -> bytes:
    fat32 = geometry.fat_bits == 32
    small_total = geometry.total_sectors if geometry.total_sectors < 0x10000 else 0
    header = struct.pack(
        "<3s8sHBHBHHBHHHII",
        bytes([0xEB, 0x58 if fat32 else 0x3C, 0x90]),
        _OEM_NAME,
        SECTOR,
        geometry.sectors_per_cluster,
        geometry.reserved_sectors,
        FAT_COUNT,
        geometry.root_entries,
        small_total,
        MEDIA,
        0 if fat32 else geometry.fat_sectors,
        geometry.sectors_per_track,
        geometry.heads,
        0,  # hidden sectors: the image is a whole disk, no partition table
        0 if small_total else geometry.total_sectors,
    )
    if fat32:
        header += struct.pack(
            "<IHHIHH12x",
            geometry.fat_sectors,
            0,  # both FATs mirrored
            0,  # version 0.0
            2,  # the root folder's first cluster
            FAT32_FSINFO_SECTOR,
            FAT32_BACKUP_BOOT_SECTOR,
        )
    type_name = f"FAT{geometry.fat_bits}".ljust(8).encode("ascii")
    # Drive 0x80, no dirty flag, extended signature 0x29: serial, label and type follow.
    header += struct.pack("<BBBI11s8s", 0x80, 0, 0x29, serial, label, type_name)
    sector = bytearray(SECTOR)
    sector[: len(header)] = header
    sector[len(header) : len(header) + len(_BOOT_STUB)] = _BOOT_STUB
    sector[510:512] = b"\x55\xaa"
    return bytes(sector)


def _folder_bytes(folder: _Folder, label: bytes, stamp: tuple[int, int], room: int) -> bytes:
    """A folder's directory entries, padded with zeros (end of folder) to `room` bytes."""
    entries: list[bytes] = []
    if folder.parent is None:
        if label != _NO_NAME:
            entries.append(_entry(label, ATTR_VOLUME_ID, 0, 0, stamp))
    else:
        parent_cluster = folder.parent.first_cluster if folder.parent.parent is not None else 0
        entries.append(_entry(b".".ljust(11), ATTR_DIRECTORY, folder.first_cluster, 0, stamp))
        entries.append(_entry(b"..".ljust(11), ATTR_DIRECTORY, parent_cluster, 0, stamp))
    for child in folder.children.values():
        if child.needs_long_name:
            entries.extend(_long_name_entries(child.name, child.short))
        if isinstance(child, _Folder):
            entries.append(_entry(child.short, ATTR_DIRECTORY, child.first_cluster, 0, stamp))
        else:
            entries.append(
                _entry(child.short, ATTR_ARCHIVE, child.first_cluster, child.size, stamp)
            )
    data = b"".join(entries)
    assert len(data) <= room
    return data.ljust(room, b"\0")


def _entry(short: bytes, attributes: int, cluster: int, size: int, stamp: tuple[int, int]) -> bytes:
    date, clock = stamp
    return struct.pack(
        "<11sBBBHHHHHHHI",
        short,
        attributes,
        0,  # no lower-case flags: long names carry the case
        0,  # creation time, hundredths
        clock,
        date,
        date,  # last access
        cluster >> 16,
        clock,
        date,
        cluster & 0xFFFF,
        size,
    )


def fat_datetime(timestamp: int) -> tuple[int, int]:
    """FAT's (date, time) words for a UTC timestamp: 2-second steps, clamped to 1980-2107."""
    moment = time.gmtime(min(max(timestamp, _FAT_EPOCH), _FAT_LAST))
    date = ((moment.tm_year - 1980) << 9) | (moment.tm_mon << 5) | moment.tm_mday
    clock = (moment.tm_hour << 11) | (moment.tm_min << 5) | (moment.tm_sec // 2)
    return date, clock


def volume_serial(layout: DriveLayout, timestamp: int) -> int:
    """A serial number that follows from the layout: reproducible, yet different per drive.

    Streamed files count by their size, so that they are read only once, when written;
    the bytes files (meta_data.json with its uuid) make drives differ.
    """
    digest = hashlib.sha256()
    digest.update(f"{layout.label}\0{timestamp}\0".encode())
    for path, content in layout.files.items():
        digest.update(path.encode("utf-8") + b"\0")
        if isinstance(content, FileContent):
            digest.update(b"file %d\0" % content.size)
        else:
            digest.update(hashlib.sha256(content).digest())
    return int.from_bytes(digest.digest()[:4], "little")


def _copy(node: _File, out: _Output) -> None:
    content = node.content
    if not isinstance(content, FileContent):
        out.write(content)
        return
    # Streamed: a large payload is never held in memory.
    content.copy_to(out, COPY_BLOCK)


class _Output:
    """The stream, with a count of bytes written and the progress callback."""

    _ZEROS = bytes(COPY_BLOCK)

    def __init__(self, stream: BinaryIO, total: int, progress: ProgressCallback | None) -> None:
        self._stream = stream
        self._total = total
        self._progress = progress
        self.done = 0

    def write(self, data: bytes | memoryview) -> None:
        self._stream.write(data)
        self.done += len(data)
        if self._progress is not None:
            self._progress(self.done, self._total)

    def zeros(self, count: int) -> None:
        while count > 0:
            size = min(count, COPY_BLOCK)
            self.write(memoryview(self._ZEROS)[:size])
            count -= size


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _round_up(value: int, step: int) -> int:
    return _ceil_div(value, step) * step
