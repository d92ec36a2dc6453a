"""Crafted FAT images: folder graphs, chains and boot sectors no FAT writer would make.

The hostile corpus (fixtures/hostile/fat-*/make.py) and the reader's unit tests build their
images here, byte by byte, so each lie in an image is stated in one place. Large images are
written sparse: only the boot sector, the FATs and the clusters that were set hold data.
"""

from __future__ import annotations

import itertools
import struct
from dataclasses import dataclass, field
from pathlib import Path

ATTR_DIRECTORY = 0x10
ATTR_ARCHIVE = 0x20
ATTR_VOLUME_LABEL = 0x08
END_OF_CHAIN = {12: 0xFFF, 16: 0xFFFF, 32: 0x0FFFFFFF}


def short_entry(name: str, *, attributes: int, cluster: int = 0, size: int = 0) -> bytes:
    """A 32-byte folder entry for an 8.3 name (`NAME.EXT`, upper case)."""
    base, _, extension = name.partition(".")
    raw = base.encode("ascii").ljust(8) + extension.encode("ascii").ljust(3)
    return (
        raw
        + bytes([attributes, 0, 0])
        + bytes(6)  # creation time and date, access date
        + struct.pack("<H", cluster >> 16)
        + bytes(4)  # write time and date
        + struct.pack("<HI", cluster & 0xFFFF, size)
    )


def folder_entry(name: str, cluster: int) -> bytes:
    return short_entry(name, attributes=ATTR_DIRECTORY, cluster=cluster)


def file_entry(name: str, cluster: int, size: int) -> bytes:
    return short_entry(name, attributes=ATTR_ARCHIVE, cluster=cluster, size=size)


def long_named(name: str, short: bytes) -> bytes:
    """Long-name slots for `name` followed by `short` (a 32-byte entry), as Windows writes them."""
    units = name.encode("utf-16-le")
    if len(units) % 26:
        units += b"\0\0"
    units += b"\xff" * (-len(units) % 26)
    checksum = 0
    for byte in short[:11]:
        checksum = (((checksum & 1) << 7) + (checksum >> 1) + byte) & 0xFF
    count = len(units) // 26
    slots = []
    for order in range(count, 0, -1):
        piece = units[(order - 1) * 26 : order * 26]
        first = order | (0x40 if order == count else 0)
        slots.append(
            bytes([first])
            + piece[:10]
            + bytes([0x0F, 0, checksum])
            + piece[10:22]
            + b"\0\0"
            + piece[22:]
        )
    return b"".join(slots) + short


def openstack_folders(
    fat: CraftedFat, *, root: int, openstack: int, latest: int, entries: list[bytes]
) -> None:
    """openstack/latest in folder clusters `openstack` and `latest`, holding `entries`.

    `root` is the FAT32 root cluster, or 0 for the fixed root folder of FAT12 and FAT16.
    """
    top = long_named("openstack", folder_entry("OPENST~1", openstack))
    if root:
        fat.folder(root, [top])
    else:
        fat.root = top
    fat.folder(openstack, [long_named("latest", folder_entry("LATEST", latest))])
    fat.folder(latest, entries)


def long_file(name: str, short: str, cluster: int, size: int) -> bytes:
    return long_named(name, file_entry(short, cluster, size))


@dataclass
class CraftedFat:
    """A FAT volume described by its boot sector, with FAT entries and clusters set by hand.

    `fat_sectors` may claim more than the clusters need, and `total_sectors` more than the
    file will hold: both are lies a hostile image tells.
    """

    fat_bits: int
    total_sectors: int
    fat_sectors: int
    sector_size: int = 512
    sectors_per_cluster: int = 1
    reserved: int = 1
    fats: int = 1
    root_entries: int = 512
    label: bytes = b"config-2   "
    fat: dict[int, int] = field(default_factory=dict)
    clusters: dict[int, bytes] = field(default_factory=dict)
    root: bytes = b""

    def __post_init__(self) -> None:
        if self.fat_bits == 32:
            self.root_entries = 0
        counted = (self.total_sectors * self.sector_size - self.data_offset) // self.cluster_size
        # Microsoft's rule: the count of clusters alone decides the FAT type.
        assert self.fat_bits == (12 if counted < 4085 else 16 if counted < 65525 else 32), counted
        self.fat.setdefault(0, 0x0FFFFFF8 & END_OF_CHAIN[self.fat_bits])
        self.fat.setdefault(1, END_OF_CHAIN[self.fat_bits])

    @property
    def cluster_size(self) -> int:
        return self.sector_size * self.sectors_per_cluster

    @property
    def root_cluster(self) -> int:
        return 2

    @property
    def data_offset(self) -> int:
        root_sectors = (self.root_entries * 32 + self.sector_size - 1) // self.sector_size
        return (self.reserved + self.fats * self.fat_sectors + root_sectors) * self.sector_size

    def cluster_offset(self, cluster: int) -> int:
        return self.data_offset + (cluster - 2) * self.cluster_size

    def chain(self, clusters: list[int]) -> None:
        """Link `clusters` into one chain, ended by an end-of-chain mark."""
        for here, following in itertools.pairwise(clusters):
            self.fat[here] = following
        self.fat[clusters[-1]] = END_OF_CHAIN[self.fat_bits]

    def folder(self, cluster: int, entries: list[bytes]) -> None:
        """A one-cluster folder holding `entries` (the root folder too, on FAT32)."""
        data = b"".join(entries)
        assert len(data) <= self.cluster_size, "a crafted folder fits one cluster"
        self.clusters[cluster] = data
        self.fat.setdefault(cluster, END_OF_CHAIN[self.fat_bits])

    def boot_sector(self) -> bytes:
        boot = bytearray(self.sector_size)
        boot[0:3] = b"\xeb\x3c\x90"
        boot[3:11] = b"CRAFTED "
        total16 = self.total_sectors if self.total_sectors < 0x10000 else 0
        total32 = 0 if total16 else self.total_sectors
        struct.pack_into(
            "<HBHBHHBH",
            boot,
            11,
            self.sector_size,
            self.sectors_per_cluster,
            self.reserved,
            self.fats,
            self.root_entries,
            total16 if self.fat_bits != 32 else 0,
            0xF8,
            self.fat_sectors if self.fat_bits != 32 else 0,
        )
        struct.pack_into("<I", boot, 32, total32 if self.fat_bits != 32 else self.total_sectors)
        if self.fat_bits == 32:
            struct.pack_into("<IHHI", boot, 36, self.fat_sectors, 0, 0, self.root_cluster)
            boot[66] = 0x29
            boot[71:82] = self.label
            boot[82:90] = b"FAT32   "
        else:
            boot[38] = 0x29
            boot[43:54] = self.label
            boot[54:62] = b"FAT12   " if self.fat_bits == 12 else b"FAT16   "
        boot[510:512] = b"\x55\xaa"
        return bytes(boot)

    def _fat_bytes(self) -> bytes:
        """One copy of the FAT, up to its last entry that was set (the rest is zeros)."""
        width = self.fat_bits / 8
        out = bytearray(int((max(self.fat) + 2) * width) + 1)
        if self.fat_bits == 12:
            for cluster, value in self.fat.items():
                offset = cluster + cluster // 2
                pair = out[offset] | out[offset + 1] << 8
                pair = (pair & 0x000F) | value << 4 if cluster & 1 else (pair & 0xF000) | value
                out[offset : offset + 2] = struct.pack("<H", pair)
            return bytes(out)
        size = self.fat_bits // 8
        for cluster, value in self.fat.items():
            out[cluster * size : cluster * size + size] = value.to_bytes(size, "little")
        return bytes(out)

    def pieces(self) -> list[tuple[int, bytes]]:
        """(offset, bytes) for everything that is not zero, in offset order."""
        pieces = [(0, self.boot_sector())]
        fat = self._fat_bytes()
        assert len(fat) <= self.fat_sectors * self.sector_size, "a FAT entry past the FAT"
        for copy in range(self.fats):
            pieces.append(((self.reserved + copy * self.fat_sectors) * self.sector_size, fat))
        if self.fat_bits != 32 and self.root:
            root_at = (self.reserved + self.fats * self.fat_sectors) * self.sector_size
            pieces.append((root_at, self.root))
        pieces.extend((self.cluster_offset(c), data) for c, data in self.clusters.items())
        return sorted(pieces)

    @property
    def size(self) -> int:
        return self.total_sectors * self.sector_size

    def image(self) -> bytes:
        """The whole image in memory (for small volumes)."""
        out = bytearray(self.size)
        for offset, data in self.pieces():
            out[offset : offset + len(data)] = data
        return bytes(out)

    def write_sparse(self, path: Path, size: int | None = None) -> None:
        """Write the image to `path`, holes where it is zero; `size` may cut or extend it."""
        with path.open("wb") as stream:
            for offset, data in self.pieces():
                stream.seek(offset)
                stream.write(data)
            stream.truncate(self.size if size is None else size)


def write_crowded_config_drive(path: Path, folders: int, files: int) -> None:
    """A FAT config drive whose openstack/latest holds meta_data.json and `folders` folders
    of `files` empty files each: the hostile corpus's entry-count cases, at and over the
    reader's MAX_ENTRIES."""
    meta = b'{"uuid": "2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c", "hostname": "web-1"}'
    fat = CraftedFat(fat_bits=12, total_sectors=16 * 100, fat_sectors=1, sectors_per_cluster=16)
    openstack_folders(
        fat,
        root=0,
        openstack=2,
        latest=3,
        entries=[long_file("meta_data.json", "META_D~1.JSO", 4, len(meta))]
        + [folder_entry(f"D{index}", 5 + index) for index in range(folders)],
    )
    fat.clusters[4] = meta
    fat.chain([4])
    for index in range(folders):
        fat.folder(5 + index, [file_entry(f"F{number}", 0, 0) for number in range(files)])
    fat.write_sparse(path)
