"""A property-based fuzzer for the drive readers (issue 12): real drives, mutated.

Seeds are real drives made at test time: ours (config-2 and NoCloud, ISO9660 and FAT, built
from fixtures/valid/cloud-init), genisoimage's and xorriso's ISO of the same config-2 tree,
cloud-localds' ISO and vfat seeds, and FAT16 and FAT32 images made with mkfs.vfat and mcopy
(Nova's way). Each seed is mapped once (`SeedMap`): the regions worth hitting (volume
descriptors, path tables, directories, Rock Ridge system use areas, the boot sector, the
FATs, directory clusters, file data) and the fields in them (extents, lengths, flags, SUSP
signatures, CE/CL/PL locations, BPB counts, FAT entries, first clusters, names).

A `Case` is a seed, a list of `Op`s and an optional packing (gzip, gzip+base64, base64).
Ops are concrete byte edits, so a case is replayable and shrinks by dropping ops; each
carries a note saying what it did to which structure. The strategy draws byte flips and
overwrites biased to the regions, structural edits of the fields (an extent past the end, a
directory pointing at its parent, a FAT chain into a cycle or into another file's chain, a
BPB count made huge, a CL/PL/RE/SL entry planted in place of another), hostile contents
(deep JSON, YAML alias bombs, numbers past Python's digit limit) with the length fields
moved to match, truncation and extension.

The property runs in tests/fuzz_worker.py, in a separate capped process (`Worker`): exit 0
or 1, no other exception, within the budgets. tests/test_fuzz_drives.py runs a short
derandomized profile in CI; bench/fuzz-drives runs `python -m tests.fuzz_drives bench N`,
which counts outcomes, groups findings by kind, exception and place, and saves a minimal
reproducer of each to .fuzz-findings/.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from tests.fuzz_worker import HANG_SECONDS, OPERATIONS

ROOT = Path(__file__).resolve().parent.parent
CLOUD_INIT = ROOT / "fixtures" / "valid" / "cloud-init"
KEYS = ROOT / "fixtures" / "keys"
REGRESSIONS = Path(__file__).resolve().parent / "fuzz_regressions"
FINDINGS = ROOT / ".fuzz-findings"

TIMESTAMP = 1_700_000_000
UUID = "2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c"
# The worker's own SIGALRM fires first; this kill is for a reader stuck where Python
# cannot raise (inside one C call).
KILL_SECONDS = 3 * HANG_SECONDS
BLOCK = 2048
MAX_OPS = 6
MAX_PAYLOAD = 16 * 1024
CHECKPOINT = 500  # examples between progress lines and tally checkpoints
SLOW_SECONDS = 5  # an example this slow is logged (the budget is 5 s a command)

SEED_NAMES = (
    "ours-config-2.iso",
    "ours-config-2.vfat",
    "ours-nocloud.iso",
    "ours-nocloud.vfat",
    "genisoimage-config-2.iso",
    "xorriso-config-2.iso",
    "cloud-localds.iso",
    "cloud-localds.vfat",
    "mkfs-fat16-config-2.vfat",
    "mkfs-fat32-config-2.vfat",
)
PACKINGS = ("gzip", "gzip+base64", "base64")


# --------------------------------------------------------------------------- seeds


def _tool(*argv: str | Path, env: Mapping[str, str] | None = None) -> None:
    """Run a seed-making program; a missing one or a failure stops the run loudly."""
    command = [str(arg) for arg in argv]
    if shutil.which(command[0]) is None:
        raise RuntimeError(f"{command[0]} is not installed (Debian: see scripts/test)")
    result = subprocess.run(
        command, capture_output=True, check=False, env={**os.environ, **(env or {})}
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: {result.stderr.decode(errors='replace')}")


def _ours(target: Path, layout: str, format: str) -> Path:
    from configdrive import build

    extra: dict[str, Any] = {}
    if layout == "openstack":  # NoCloud has no vendor_data2 and no injected files
        extra = {
            "vendor_data2": CLOUD_INIT / "vendor2.yml",
            "files": [(str(CLOUD_INIT / "motd"), "/etc/motd")],
        }
    build(
        CLOUD_INIT / "user.yml",
        target,
        hostname="web-1",
        name="web-1",
        uuid=UUID,
        vendor_data=CLOUD_INIT / "vendor.json",
        ssh_keys=[str(KEYS / "rsa.pub")],
        layout=layout,
        format=format,
        timestamp=TIMESTAMP,
        **extra,
    )
    return target


def _settle(tree: Path) -> None:
    """Fixed dates on a tree, so the peers' images differ run to run as little as they can."""
    for path in [tree, *tree.rglob("*")]:
        os.utime(path, (TIMESTAMP, TIMESTAMP), follow_symlinks=False)


def make_seeds(folder: Path) -> dict[str, Path]:
    """Every seed drive, made in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    config_tree = _ours(folder / "config-2-tree", "openstack", "dir")
    nocloud_tree = _ours(folder / "nocloud-tree", "nocloud", "dir")
    _settle(config_tree)
    _settle(nocloud_tree)
    seeds = {
        "ours-config-2.iso": _ours(folder / "ours-config-2.iso", "openstack", "iso"),
        "ours-config-2.vfat": _ours(folder / "ours-config-2.vfat", "openstack", "vfat"),
        "ours-nocloud.iso": _ours(folder / "ours-nocloud.iso", "nocloud", "iso"),
        "ours-nocloud.vfat": _ours(folder / "ours-nocloud.vfat", "nocloud", "vfat"),
    }
    path = folder / "genisoimage-config-2.iso"
    _tool("genisoimage", "-quiet", "-R", "-J", "-V", "config-2", "-o", path, config_tree)
    seeds[path.name] = path
    path = folder / "xorriso-config-2.iso"
    epoch = {"SOURCE_DATE_EPOCH": str(TIMESTAMP)}
    _tool("xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-V", "config-2", "-o", path,
          config_tree, env=epoch)  # fmt: skip
    seeds[path.name] = path
    options: list[str | Path] = []
    for name, option in (("network-config", "--network-config"), ("vendor-data", "--vendor-data")):
        if (nocloud_tree / name).is_file():
            options += [option, nocloud_tree / name]
    inputs = [nocloud_tree / "user-data", nocloud_tree / "meta-data"]
    for name, flags in (("cloud-localds.iso", []), ("cloud-localds.vfat", ["-f", "vfat"])):
        _tool("cloud-localds", *flags, *options, folder / name, *inputs)
        seeds[name] = folder / name
    # FAT16 needs 4,085 clusters and FAT32 65,525 (mtools refuses fewer): 512-byte clusters
    # keep the images small, 4 MiB and 33 MiB (mostly zeros).
    for name, flags, kib in (
        ("mkfs-fat16-config-2.vfat", ["-F", "16", "-s", "1"], 4096),
        ("mkfs-fat32-config-2.vfat", ["-F", "32", "-s", "1", "-S", "512"], 33800),
    ):
        path = folder / name
        _tool("mkfs.vfat", "-C", *flags, "-i", "12345678", "-n", "config-2", path, str(kib))
        _tool("mcopy", "-s", "-m", "-i", path, *sorted(config_tree.iterdir()), "::")
        seeds[name] = path
    assert set(seeds) == set(SEED_NAMES)
    return seeds


# --------------------------------------------------------------------------- seed maps


@dataclass(frozen=True)
class Region:
    """A byte range of a seed worth mutating, and what it holds."""

    start: int
    end: int
    what: str


@dataclass(frozen=True)
class Field:
    """A number (or name) in a seed: where, how it is written, what it means, its value.

    Encodings: u8, le16, be16, le32, be32, both16 and both32 (ISO9660's little-endian then
    big-endian copy), fat12 (a packed 12-bit FAT entry, `odd` saying which half), sig (a
    two-letter SUSP signature), and name8/name16be/name16le (name bytes, `width` long).
    Roles choose the values tried: dir-block, file-block, block, bytes, count, flags, sig,
    cluster, fat, attr, name.
    """

    offset: int
    encoding: str
    role: str
    where: str
    value: int = 0
    width: int = 0
    odd: bool = False
    # For fat entries and first clusters: the clusters that make a loop or a cross-link.
    related: tuple[int, ...] = ()


@dataclass(frozen=True)
class FileData:
    """A file's data in a seed, and every length field that says how long it is."""

    path: str
    offset: int
    room: int
    lengths: tuple[Field, ...]


@dataclass
class SeedMap:
    """What is where in one seed."""

    name: str
    size: int
    format: str
    regions: list[Region] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    files: list[FileData] = field(default_factory=list)
    # Values the structural edits reuse: every directory's and file's block (ISO), every
    # used cluster and the highest valid one (FAT).
    dir_blocks: set[int] = field(default_factory=set)
    file_blocks: set[int] = field(default_factory=set)
    clusters: set[int] = field(default_factory=set)
    max_cluster: int = 0
    eoc: int = 0
    boundaries: set[int] = field(default_factory=set)

    def add(
        self, offset: int, encoding: str, role: str, where: str, value: int, **more: Any
    ) -> Field:
        self.fields.append(Field(offset, encoding, role, where, value, **more))
        return self.fields[-1]


def _le16(data: bytes, offset: int) -> int:
    return int(struct.unpack_from("<H", data, offset)[0])


def _le32(data: bytes, offset: int) -> int:
    return int(struct.unpack_from("<I", data, offset)[0])


def map_seed(name: str, data: bytes) -> SeedMap:
    """The regions and fields of a seed (ISO9660 or FAT)."""
    if data[32769:32774] == b"CD001":
        return _IsoMapper(name, data).map
    return _FatMapper(name, data).map


class _IsoMapper:
    """Walks an ISO9660 seed as a reader would: descriptors, path tables, directories, SUSP."""

    def __init__(self, name: str, data: bytes) -> None:
        self.data = data
        self.map = SeedMap(name, len(data), "iso9660")
        self.map.regions.append(Region(0, len(data), "anywhere in the image"))
        self.map.boundaries |= {32768, 34816, len(data) - 1, len(data) // 2}
        self.visited: set[tuple[str, int]] = set()
        self.file_lengths: dict[int, list[Field]] = {}
        self.file_paths: dict[int, str] = {}
        sector = 16
        while (sector + 1) * BLOCK <= len(data) and data[
            sector * BLOCK + 1 : sector * BLOCK + 6
        ] == b"CD001":
            self._descriptor(sector)
            if data[sector * BLOCK] == 255:
                break
            sector += 1
        for block, lengths in self.file_lengths.items():
            offset = block * BLOCK
            room = min(MAX_PAYLOAD, len(data) - offset)
            if room > 0:
                self.map.files.append(
                    FileData(self.file_paths[block], offset, room, tuple(lengths))
                )

    def _descriptor(self, sector: int) -> None:
        data, m = self.data, self.map
        offset = sector * BLOCK
        kind = data[offset]
        names = {0: "boot record", 1: "primary", 2: "supplementary", 255: "terminator"}
        what = f"{names.get(kind, 'volume')} descriptor (sector {sector})"
        m.regions.append(Region(offset, offset + BLOCK, what))
        m.add(offset, "u8", "vd-type", f"{what}: type", kind)
        if kind not in (1, 2):
            return
        tree = "joliet" if kind == 2 else "iso9660"
        m.add(
            offset + 80, "both32", "block", f"{what}: volume space size", _le32(data, offset + 80)
        )
        m.add(
            offset + 120, "both16", "count", f"{what}: volume set size", _le16(data, offset + 120)
        )
        m.add(
            offset + 128,
            "both16",
            "bytes",
            f"{what}: logical block size",
            _le16(data, offset + 128),
        )
        table_size = _le32(data, offset + 132)
        m.add(offset + 132, "both32", "bytes", f"{what}: path table size", table_size)
        for at, encoding, order in ((140, "le32", "<"), (148, "be32", ">")):
            location = int(struct.unpack_from(f"{order}I", data, offset + at)[0])
            m.add(
                offset + at,
                encoding,
                "block",
                f"{what}: {'L' if order == '<' else 'M'} path table location",
                location,
            )
            self._path_table(
                location, table_size, order, f"{tree} {'L' if order == '<' else 'M'} path table"
            )
        self._directory(offset + 156, "", tree, root=True)

    def _path_table(self, location: int, size: int, order: str, what: str) -> None:
        data, m = self.data, self.map
        start = location * BLOCK
        end = min(start + size, len(data))
        if start >= len(data):
            return
        m.regions.append(Region(start, end, what))
        encoding = "le32" if order == "<" else "be32"
        pos, number = start, 1
        while pos + 8 <= end:
            length = data[pos]
            if length == 0:
                break
            m.add(pos, "u8", "count", f"{what} entry {number}: name length", length)
            extent = int(struct.unpack_from(f"{order}I", data, pos + 2)[0])
            m.add(pos + 2, encoding, "dir-block", f"{what} entry {number}: extent", extent)
            parent = int(struct.unpack_from(f"{order}H", data, pos + 6)[0])
            m.add(
                pos + 6,
                "le16" if order == "<" else "be16",
                "count",
                f"{what} entry {number}: parent",
                parent,
            )
            pos += 8 + length + (length & 1)
            number += 1

    def _directory(self, at: int, path: str, tree: str, *, root: bool = False) -> None:
        """The record at `at`; for a folder, then every record in its extent."""
        data, m = self.data, self.map
        length = data[at]
        name_length = data[at + 32]
        raw = data[at + 33 : at + 33 + name_length]
        dot = not root and name_length == 1 and raw in (b"\x00", b"\x01")
        if root:
            label = "/"
        elif dot:
            label = f"{path or '/'} ({'.' if raw == bytes(1) else '..'})"
        else:
            text = raw.decode("utf-16-be", "replace") if tree == "joliet" else raw.decode("latin-1")
            path = f"{path}/{text}"
            label = path
        where = f"{tree} record of {label}"
        extent, size, flags = _le32(data, at + 2), _le32(data, at + 10), data[at + 25]
        is_dir = bool(flags & 2)
        m.add(at, "u8", "count", f"{where}: record length", length)
        m.add(at + 1, "u8", "count", f"{where}: extended attribute length", data[at + 1])
        m.add(at + 2, "both32", "dir-block" if is_dir else "file-block", f"{where}: extent", extent)
        length_field = m.add(at + 10, "both32", "bytes", f"{where}: data length", size)
        m.add(at + 25, "u8", "flags", f"{where}: flags", flags)
        m.add(at + 32, "u8", "count", f"{where}: name length", name_length)
        if not dot and not root:
            encoding = "name16be" if tree == "joliet" else "name8"
            m.add(at + 33, encoding, "name", f"{where}: name", 0, width=name_length)
        (m.dir_blocks if is_dir else m.file_blocks).add(extent)
        if not is_dir:
            self.file_lengths.setdefault(extent, []).append(length_field)
            self.file_paths.setdefault(extent, path)
        use_start = at + 33 + name_length + (0 if name_length & 1 else 1)
        if use_start < at + length and tree == "iso9660":
            m.regions.append(Region(use_start, at + length, f"system use area of {where}"))
            self._susp(use_start, at + length, where, depth=0)
        if not is_dir or dot or (tree, extent) in self.visited:
            return
        self.visited.add((tree, extent))
        start = extent * BLOCK
        end = min(start + size, len(data))
        m.regions.append(Region(start, end, f"{tree} directory {path or '/'}"))
        m.boundaries |= {start, start + 34, end}
        pos = start
        while pos + 34 <= end:
            record = data[pos]
            if record == 0:
                pos = (pos // BLOCK + 1) * BLOCK
                continue
            self._directory(pos, path, tree)
            pos += record

    def _susp(self, start: int, end: int, where: str, depth: int) -> None:
        data, m = self.data, self.map
        pos = start
        while pos + 4 <= end:
            signature, length = data[pos : pos + 2], data[pos + 2]
            if length < 4 or pos + length > end or not signature.isalpha():
                return
            entry = f"{where}: SUSP {signature.decode()}"
            m.add(pos, "sig", "sig", f"{entry} signature", 0, width=length)
            m.add(pos + 2, "u8", "count", f"{entry} length", length)
            if signature == b"CE" and length >= 28:
                block, offset, size = (_le32(data, pos + at) for at in (4, 12, 20))
                m.add(pos + 4, "both32", "block", f"{entry} block", block)
                m.add(pos + 12, "both32", "bytes", f"{entry} offset", offset)
                m.add(pos + 20, "both32", "bytes", f"{entry} length", size)
                area = block * BLOCK + offset
                if depth < 4 and area + size <= len(data):
                    m.regions.append(Region(area, area + size, f"continuation area of {where}"))
                    self._susp(area, area + size, f"{where} (continued)", depth + 1)
            elif signature in (b"CL", b"PL") and length >= 12:
                m.add(pos + 4, "both32", "dir-block", f"{entry} location", _le32(data, pos + 4))
            elif signature == b"SL" and length >= 5:
                m.add(pos + 4, "u8", "flags", f"{entry} flags", data[pos + 4])
                component = pos + 5
                while component + 2 <= pos + length:
                    m.add(component, "u8", "flags", f"{entry} component flags", data[component])
                    m.add(
                        component + 1,
                        "u8",
                        "count",
                        f"{entry} component length",
                        data[component + 1],
                    )
                    component += 2 + data[component + 1]
            elif signature == b"NM" and length >= 5:
                m.add(pos + 4, "u8", "flags", f"{entry} flags", data[pos + 4])
                m.add(pos + 5, "name8", "name", f"{entry} name", 0, width=length - 5)
            elif signature == b"PX" and length >= 36:
                m.add(pos + 4, "both32", "flags", f"{entry} mode", _le32(data, pos + 4))
                m.add(pos + 12, "both32", "count", f"{entry} links", _le32(data, pos + 12))
            elif signature == b"TF" and length >= 5:
                m.add(pos + 4, "u8", "flags", f"{entry} flags", data[pos + 4])
            elif signature == b"SP" and length >= 7:
                m.add(pos + 6, "u8", "count", f"{entry} bytes skipped", data[pos + 6])
            elif signature == b"ER" and length >= 8:
                for at, what in (
                    (4, "identifier length"),
                    (5, "descriptor length"),
                    (6, "source length"),
                ):
                    m.add(pos + at, "u8", "count", f"{entry} {what}", data[pos + at])
            pos += length


class _FatMapper:
    """Walks a FAT seed: boot sector, the FATs, every directory and every chain."""

    def __init__(self, name: str, data: bytes) -> None:
        self.data = data
        m = self.map = SeedMap(name, len(data), "vfat")
        m.regions.append(Region(0, len(data), "anywhere in the image"))
        self.sector = _le16(data, 11)
        self.per_cluster = data[13]
        reserved, self.fats = _le16(data, 14), data[16]
        root_entries, total16, fat16 = _le16(data, 17), _le16(data, 19), _le16(data, 22)
        total = total16 or _le32(data, 32)
        self.fat_sectors = fat16 or _le32(data, 36)
        self.fat_start = reserved * self.sector
        root_dir_sectors = (root_entries * 32 + self.sector - 1) // self.sector
        self.root_start = self.fat_start + self.fats * self.fat_sectors * self.sector
        self.data_start = self.root_start + root_dir_sectors * self.sector
        clusters = (total - self.data_start // self.sector) // self.per_cluster
        self.bits = 32 if fat16 == 0 else (12 if clusters < 4085 else 16)
        m.max_cluster = clusters + 1
        m.eoc = {12: 0xFFF, 16: 0xFFFF, 32: 0x0FFFFFFF}[self.bits]
        self.cluster_bytes = self.per_cluster * self.sector
        boot = "boot sector"
        m.regions.append(Region(0, 512, boot))
        for at, encoding, role, what in (
            (11, "le16", "bytes", "bytes per sector"),
            (13, "u8", "count", "sectors per cluster"),
            (14, "le16", "count", "reserved sectors"),
            (16, "u8", "count", "number of FATs"),
            (17, "le16", "count", "root directory entries"),
            (19, "le16", "count", "total sectors (16-bit)"),
            (21, "u8", "flags", "media descriptor"),
            (22, "le16", "count", "sectors per FAT (16-bit)"),
            (32, "le32", "count", "total sectors (32-bit)"),
            (510, "le16", "flags", "signature"),
        ):
            value = (
                data[at]
                if encoding == "u8"
                else _le16(data, at)
                if encoding == "le16"
                else _le32(data, at)
            )
            m.add(at, encoding, role, f"{boot}: {what}", value)
        if self.bits == 32:
            m.add(36, "le32", "count", f"{boot}: sectors per FAT (32-bit)", _le32(data, 36))
            m.add(40, "le16", "flags", f"{boot}: FAT32 flags", _le16(data, 40))
            m.add(44, "le32", "cluster", f"{boot}: root cluster", _le32(data, 44))
            m.add(48, "le16", "count", f"{boot}: FSInfo sector", _le16(data, 48))
            fsinfo = _le16(data, 48) * self.sector
            if 0 < fsinfo < len(data):
                m.regions.append(Region(fsinfo, fsinfo + 512, "FSInfo sector"))
        for copy in range(self.fats):
            start = self.fat_start + copy * self.fat_sectors * self.sector
            m.regions.append(
                Region(start, start + self.fat_sectors * self.sector, f"FAT {copy + 1}")
            )
        m.boundaries |= {512, self.fat_start, self.root_start, self.data_start, len(data) - 1}
        self.chains: dict[int, list[int]] = {}
        if self.bits == 32:
            self._folder(self.chain(_le32(data, 44)), "", parent=0)
        else:
            m.regions.append(Region(self.root_start, self.data_start, "root directory"))
            self._entries(range(self.root_start, self.data_start, 32), "", own=0, parent=0)
        used = sorted({cluster for chain in self.chains.values() for cluster in chain})
        m.clusters = set(used)
        for first, chain in self.chains.items():
            for index, cluster in enumerate(chain):
                related = (cluster, first, *chain[:index], *used[:: max(1, len(used) // 8)])
                self._fat_field(
                    cluster, f"FAT entry of cluster {cluster} (chain from {first})", related
                )

    def fat_entry(self, cluster: int) -> int:
        data, start = self.data, self.fat_start
        if self.bits == 12:
            word = _le16(data, start + cluster * 3 // 2)
            return word >> 4 if cluster & 1 else word & 0xFFF
        if self.bits == 16:
            return _le16(data, start + cluster * 2)
        return _le32(data, start + cluster * 4) & 0x0FFFFFFF

    def _fat_field(self, cluster: int, where: str, related: tuple[int, ...]) -> None:
        value = self.fat_entry(cluster)
        if self.bits == 12:
            at, encoding = self.fat_start + cluster * 3 // 2, "fat12"
        elif self.bits == 16:
            at, encoding = self.fat_start + cluster * 2, "le16"
        else:
            at, encoding = self.fat_start + cluster * 4, "le32"
        self.map.add(at, encoding, "fat", where, value, odd=bool(cluster & 1), related=related)

    def chain(self, first: int) -> list[int]:
        chain: list[int] = []
        cluster = first
        while 2 <= cluster <= self.map.max_cluster and cluster not in chain:
            chain.append(cluster)
            cluster = self.fat_entry(cluster)
        self.chains[first] = chain
        return chain

    def cluster_offset(self, cluster: int) -> int:
        return self.data_start + (cluster - 2) * self.cluster_bytes

    def _folder(self, chain: list[int], path: str, parent: int) -> None:
        offsets: list[int] = []
        for cluster in chain:
            start = self.cluster_offset(cluster)
            self.map.regions.append(
                Region(start, start + self.cluster_bytes, f"directory {path or '/'}")
            )
            offsets += range(start, start + self.cluster_bytes, 32)
        self._entries(offsets, path, own=chain[0] if chain else 0, parent=parent)

    def _entries(self, offsets: Iterable[int], path: str, own: int, parent: int) -> None:
        data, m = self.data, self.map
        for at in offsets:
            first_byte, attributes = data[at], data[at + 11]
            if first_byte == 0:
                return
            if first_byte == 0xE5:
                continue
            if attributes == 0x0F:
                where = f"long-name entry in {path or '/'}"
                m.add(at, "u8", "count", f"{where}: sequence", first_byte)
                m.add(at + 11, "u8", "attr", f"{where}: attributes", attributes)
                m.add(at + 13, "u8", "count", f"{where}: checksum", data[at + 13])
                m.add(at + 1, "name16le", "name", f"{where}: name", 0, width=10)
                continue
            short = data[at : at + 11].decode("latin-1").strip()
            where = f"entry {path}/{short}"
            first = _le16(data, at + 26) | (_le16(data, at + 20) << 16 if self.bits == 32 else 0)
            size = _le32(data, at + 28)
            related = (own, parent, first, 0, 1, self.map.max_cluster, self.map.max_cluster + 1)
            m.add(at + 11, "u8", "attr", f"{where}: attributes", attributes)
            m.add(
                at + 26,
                "le16",
                "cluster",
                f"{where}: first cluster",
                first & 0xFFFF,
                related=related,
            )
            if self.bits == 32:
                m.add(at + 20, "le16", "count", f"{where}: first cluster (high)", first >> 16)
            size_field = m.add(at + 28, "le32", "bytes", f"{where}: size", size)
            m.add(at, "name8", "name", f"{where}: short name", 0, width=11)
            if short.startswith(".") or attributes & 0x08:
                continue
            if attributes & 0x10:
                self._folder(self.chain(first), f"{path}/{short}", parent=own)
            elif first >= 2:
                chain = self.chain(first)
                run = 1
                while run < len(chain) and chain[run] == chain[run - 1] + 1:
                    run += 1
                offset = self.cluster_offset(first)
                room = min(MAX_PAYLOAD, run * self.cluster_bytes, len(data) - offset)
                if room > 0:
                    m.regions.append(
                        Region(offset, offset + min(size, room) + 1, f"data of {path}/{short}")
                    )
                    m.files.append(FileData(f"{path}/{short}", offset, room, (size_field,)))


# --------------------------------------------------------------------------- ops and cases


@dataclass(frozen=True)
class Op:
    """One edit of an image: write, flip, fat12, truncate, extend or copy.

    write puts `data` at `offset`; flip XORs the byte at `offset` with `value`; fat12 sets
    the packed entry at `offset` (`data` b"odd" or b"even") to `value`; truncate keeps
    `value` bytes; extend appends `value` copies of `data`; copy puts len(`data`) bytes
    from offset `value` at `offset` (`data` only gives the length: the bytes are the image's
    own at the time of the copy).
    """

    kind: str
    offset: int = 0
    data: bytes = b""
    value: int = 0
    note: str = ""

    def __repr__(self) -> str:
        # Hypothesis prints the failing case: the note says more than 6,000 bytes of '['.
        data = f", {len(self.data)} bytes" if self.data else ""
        return f"Op({self.kind} at {self.offset}{data}, value {self.value}: {self.note or '-'})"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "offset": self.offset, "data": self.data.hex(),
                "value": self.value, "note": self.note}  # fmt: skip

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Op:
        return cls(
            raw["kind"], raw["offset"], bytes.fromhex(raw["data"]), raw["value"], raw["note"]
        )


@dataclass(frozen=True)
class Case:
    """A seed, the edits made to it, and the packing around the result."""

    seed: str
    ops: tuple[Op, ...]
    packing: str | None = None

    def image(self, seed_data: bytes) -> tuple[bytes, int]:
        """The mutated file, and the size of the image inside any packing."""
        buffer = bytearray(seed_data)
        for op in self.ops:
            apply(buffer, op)
        raw = bytes(buffer)
        return pack(raw, self.packing), len(raw)

    def describe(self) -> list[str]:
        lines = [f"seed {self.seed}"]
        lines += [f"  {op.note}" for op in self.ops if op.note]
        if self.packing:
            lines.append(f"  packed as {self.packing}")
        return lines

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "ops": [op.to_json() for op in self.ops],
            "packing": self.packing,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Case:
        return cls(raw["seed"], tuple(Op.from_json(op) for op in raw["ops"]), raw["packing"])


def apply(buffer: bytearray, op: Op) -> None:
    """Make one edit in place; parts of it past the end of the image are dropped."""
    size = len(buffer)
    if op.kind == "write":
        end = min(op.offset + len(op.data), size)
        if op.offset < end:
            buffer[op.offset : end] = op.data[: end - op.offset]
    elif op.kind == "flip":
        if op.offset < size:
            buffer[op.offset] ^= op.value
    elif op.kind == "fat12":
        if op.offset + 2 <= size:
            word = buffer[op.offset] | buffer[op.offset + 1] << 8
            odd = op.data == b"odd"
            word = (word & 0x000F) | (op.value << 4) if odd else (word & 0xF000) | op.value
            buffer[op.offset : op.offset + 2] = (word & 0xFFFF).to_bytes(2, "little")
    elif op.kind == "truncate":
        del buffer[op.value :]
    elif op.kind == "extend":
        buffer.extend((op.data or b"\x00") * op.value)
    elif op.kind == "copy":
        source = bytes(buffer[op.value : op.value + len(op.data)])
        end = min(op.offset + len(source), size)
        if op.offset < end:
            buffer[op.offset : end] = source[: end - op.offset]
    else:
        raise ValueError(f"unknown op {op.kind}")


def pack(raw: bytes, packing: str | None) -> bytes:
    """The image as a file: plain, gzip, base64 of gzip (Ironic), or base64 alone."""
    if packing is None:
        return raw
    if packing == "base64":
        return base64.encodebytes(raw)
    packed = gzip.compress(raw, mtime=0)
    return base64.encodebytes(packed) if packing == "gzip+base64" else packed


_WIDTHS = {"u8": 1, "le16": 2, "be16": 2, "both16": 2, "le32": 4, "be32": 4, "both32": 4}


def encode(field: Field, value: int) -> bytes:
    """A value as the field stores it (masked to its width)."""
    width = _WIDTHS[field.encoding]
    value &= (1 << (8 * width)) - 1
    if field.encoding == "u8":
        return bytes([value])
    if field.encoding.startswith("both"):
        return value.to_bytes(width, "little") + value.to_bytes(width, "big")
    return value.to_bytes(width, "little" if field.encoding.startswith("le") else "big")


# --------------------------------------------------------------------------- hostile values

SUSP_SIGNATURES = (b"CL", b"PL", b"RE", b"SL", b"NM", b"CE", b"PX", b"TF", b"SP", b"ST",
                   b"ER", b"RR", b"PN", b"SF", b"ZF", b"PD", b"ES", b"AL")  # fmt: skip
HOSTILE_NAMES = (
    "..", ".", "/", "a/../../b", "", "\x00", "x\x00y", "\x1b]0;owned\x07", "\x1b[2J", "\r",
    "\u202etxt.exe", "\ud800", "\x7f", "CON", "A" * 40, "é",
)  # fmt: skip
HOSTILE_BYTES = (b"\x00", b"\xff", b"\x7f", b"\x80", b"\x00" * 4, b"\xff" * 4,
                 b"\xff\xff\xff\x7f", b"\x00\x00\x00\x80", b"/", b"..", b"\x1b]0;", b"\x1b[2J",
                 b"\xc0\xaf", b"\xed\xa0\x80", b"\xfe\xff", b"\xe5", b"\x0f")  # fmt: skip


def _alias_bomb(levels: int = 9) -> bytes:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        refs = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return ("\n".join(lines) + "\n").encode()


def hostile_payloads() -> tuple[tuple[str, bytes], ...]:
    """Contents a reader must refuse cheaply: what a build would refuse, and worse."""
    deep = 3000
    return (
        ("JSON arrays nested 3,000 deep", b"[" * deep + b"]" * deep),
        ("JSON objects nested 3,000 deep", b'{"a":' * deep + b"1" + b"}" * deep),
        ("JSON left open 5,000 deep", b"[" * 5000),
        ("YAML flow nested 3,000 deep", b"a: " + b"[" * deep + b"]" * deep + b"\n"),
        ("YAML block nested 1,500 deep", b"".join(b" " * i + b"- \n" for i in range(1500))),
        ("a YAML alias bomb (9^9 leaves)", _alias_bomb()),
        ("a self-referencing YAML alias", b"a: &a [*a]\n"),
        ("a number of 5,000 digits", b'{"uuid": ' + b"9" * 5000 + b"}"),
        ("JSON with NaN and Infinity", b'{"uuid": NaN, "hostname": Infinity, "x": -Infinity}'),
        ("JSON with 1e999", b'{"uuid": 1e999, "launch_index": 1e999}'),
        ("keys of the wrong types",
         b'{"uuid": [], "hostname": {}, "public_keys": 5, "files": "x", "meta": [1],'
         b' "network_config": 7, "name": null, "keys": {"a": 1}}'),
        ("files[] with paths of the wrong type",
         b'{"uuid": "u", "files": [{"path": 5, "content_path": []}, {"path": null}]}'),
        ("a lone UTF-16 surrogate", b'{"uuid": "\\ud800", "hostname": "\\udfff"}'),
        ("bytes that are not UTF-8", b'{"uuid": "\xff\xfe\x80"}'),
        ("terminal escapes in values",
         b'{"uuid": "\\u001b]0;owned\\u0007", "hostname": "\\u001b[2J"}'),
        ("a gzip bomb (8 MiB of zeros)", gzip.compress(b"\x00" * (8 << 20), mtime=0)),
        ("a YAML python tag", b"a: !!python/object/apply:os.system ['true']\n"),
        ("cloud-config with an alias bomb", b"#cloud-config\n" + _alias_bomb()),
        ("instance-id as a mapping", b"instance-id: {a: [1, 2]}\nlocal-hostname: [x]\n"),
        ("duplicate keys, 2,500 of them", b"{" + b",".join([b'"a":1'] * 2500) + b"}"),
    )  # fmt: skip


PAYLOADS = hostile_payloads()


def candidates(m: SeedMap, f: Field) -> list[int]:
    """The values worth trying in a field: bounds, the image's own numbers, loops."""
    width = _WIDTHS.get(f.encoding, 2)
    top = (1 << (8 * width)) - 1
    values = [0, 1, top, top >> 1, (top >> 1) + 1, f.value + 1, max(f.value - 1, 0)]
    blocks = m.size // BLOCK
    if f.role in ("dir-block", "file-block", "block"):
        values += [blocks - 1, blocks, blocks + 1, 16, 17, 18, 0x200000, *sorted(m.dir_blocks)]
        if f.role != "dir-block":
            values += sorted(m.file_blocks)[:8]
    elif f.role == "bytes":
        values += [2047, 2048, 2049, m.size, m.size + 1, 2 * m.size, f.value * 1000, 1 << 30]
    elif f.role == "count":
        values += [2, 3, 33, 34, 127, 128, 255, f.value * 2, 65535, 1 << 28]
    elif f.role == "flags":
        values += [f.value ^ bit for bit in (1, 2, 4, 8, 0x10, 0x20, 0x40, 0x80)]
    elif f.role == "attr":
        values += [f.value ^ 0x10, 0x0F, 0x08, 0x10, 0x20, 0x3F, 0x40, 0x80]
    elif f.role == "vd-type":
        values += [0, 1, 2, 3, 4, 255]
    elif f.role in ("cluster", "fat"):
        values += [2, m.max_cluster, m.max_cluster + 1, m.eoc, m.eoc - 8, m.eoc - 7, *f.related]
    return [value & top for value in values]


# --------------------------------------------------------------------------- strategies

# Op kinds by weight: structural edits first, then byte-level noise, then the rest.
_OP_KINDS = (
    ("field", 8), ("flip", 4), ("bytes", 3), ("content", 2), ("rock-ridge", 2),
    ("copy", 1), ("truncate", 1), ("extend", 1),
)  # fmt: skip
OP_KINDS = tuple(kind for kind, weight in _OP_KINDS for _ in range(weight))


@st.composite
def field_ops(draw: st.DrawFn, m: SeedMap) -> Op:
    f = draw(st.sampled_from(m.fields))
    if f.role == "name":
        name = draw(st.sampled_from(HOSTILE_NAMES))
        raw = {
            "name8": name.encode("utf-8", "surrogatepass"),
            "name16be": name.encode("utf-16-be", "surrogatepass"),
            "name16le": name.encode("utf-16-le", "surrogatepass"),
        }[f.encoding]
        raw = raw[: f.width] if f.width else raw
        return Op("write", f.offset, raw, note=f"{f.where} := {name!r}")
    if f.encoding == "sig":
        signature = draw(st.sampled_from(SUSP_SIGNATURES))
        return Op("write", f.offset, signature, note=f"{f.where} := {signature.decode()}")
    if draw(st.integers(0, 4)) == 0:
        value = draw(st.integers(0, (1 << (8 * _WIDTHS.get(f.encoding, 2))) - 1))
    else:
        value = draw(st.sampled_from(candidates(m, f)))
    note = f"{f.where}: {f.value} -> {value}"
    if f.encoding == "fat12":
        value &= 0xFFF
        return Op("fat12", f.offset, b"odd" if f.odd else b"even", value, note)
    return Op("write", f.offset, encode(f, value), note=note)


def _region(draw: st.DrawFn, m: SeedMap) -> Region:
    return draw(st.sampled_from([region for region in m.regions if region.end > region.start]))


@st.composite
def flip_ops(draw: st.DrawFn, m: SeedMap) -> Op:
    region = _region(draw, m)
    offset = draw(st.integers(region.start, region.end - 1))
    bit = draw(st.integers(0, 7))
    return Op("flip", offset, value=1 << bit, note=f"flip bit {bit} at {offset} ({region.what})")


@st.composite
def bytes_ops(draw: st.DrawFn, m: SeedMap) -> Op:
    region = _region(draw, m)
    offset = draw(st.integers(region.start, region.end - 1))
    data = draw(st.one_of(st.sampled_from(HOSTILE_BYTES), st.binary(min_size=1, max_size=16)))
    return Op("write", offset, data, note=f"write {data.hex()} at {offset} ({region.what})")


@st.composite
def content_ops(draw: st.DrawFn, m: SeedMap) -> list[Op]:
    """A file's data replaced by a hostile document, its length fields moved to match."""
    if not m.files:
        return []
    target = draw(st.sampled_from(m.files))
    what, payload = draw(st.sampled_from(PAYLOADS))
    payload = payload[: target.room]
    more = f" (and the {len(target.lengths)} records of it)" if len(target.lengths) > 1 else ""
    note = f"data of {target.path}{more} := {what}, {len(payload)} bytes"
    ops = [Op("write", target.offset, payload, note=note)]
    for length in target.lengths:
        # Said once above: a shared extent has one length field a name (ISO9660, Joliet).
        ops.append(Op("write", length.offset, encode(length, len(payload)), note=""))
    return ops


@st.composite
def rock_ridge_ops(draw: st.DrawFn, m: SeedMap) -> Op:
    """A Rock Ridge entry planted over another: CL/PL at a folder, RE, or SL to a target."""
    entries = [f for f in m.fields if f.encoding == "sig" and (f.width == 12 or f.width >= 16)]
    if not entries:
        return draw(flip_ops(m))
    f = draw(st.sampled_from(entries))
    kind = draw(st.sampled_from(("CL", "PL", "RE", "SL")))
    if kind in ("CL", "PL"):
        block = draw(st.sampled_from(sorted(m.dir_blocks | {0, m.size // BLOCK + 5})))
        entry = kind.encode() + bytes([12, 1]) + encode(Field(0, "both32", "", ""), block)
        note = f"{f.where} replaced by {kind} -> block {block}"
    elif kind == "RE":
        entry = b"RE\x04\x01"
        note = f"{f.where} replaced by RE"
    else:
        target = draw(st.sampled_from(((0x04, b""), (0x02, b""), (0x08, b""), (0, b"latest"),
                                       (0, b"..%"), (0, b"a" * 8))))  # fmt: skip
        flags, text = target
        components = bytes([flags, len(text)]) + text
        entry = b"SL" + bytes([5 + len(components), 1, 0]) + components
        note = f"{f.where} replaced by SL -> {flags:#x} {text!r}"
    rest = f.width - len(entry)
    if rest >= 4:
        entry += b"PD" + bytes([rest, 1]) + b"\x00" * (rest - 4)
    elif rest > 0:
        return draw(flip_ops(m))
    return Op("write", f.offset, entry[: f.width], note=note)


@st.composite
def copy_ops(draw: st.DrawFn, m: SeedMap) -> Op:
    source, target = _region(draw, m), _region(draw, m)
    length = min(source.end - source.start, target.end - target.start, 4096)
    data = b"\x00" * length  # the length of the copy; the bytes come from the image
    note = f"copy {length} bytes of {source.what} over {target.what}"
    return Op("copy", target.start, data, source.start, note)


@st.composite
def truncate_ops(draw: st.DrawFn, m: SeedMap) -> Op:
    at = draw(st.one_of(st.sampled_from(sorted(m.boundaries)), st.integers(0, m.size - 1)))
    return Op("truncate", value=at, note=f"truncated to {at} bytes")


@st.composite
def extend_ops(draw: st.DrawFn, m: SeedMap) -> Op:
    count = draw(st.sampled_from((1, 511, 2048, 4096, 65536)))
    fill = draw(st.sampled_from((b"\x00", b"\xff")))
    return Op("extend", data=fill, value=count, note=f"extended by {count} bytes of {fill.hex()}")


_OP_STRATEGIES: dict[str, Callable[[SeedMap], st.SearchStrategy[Any]]] = {
    "field": field_ops, "flip": flip_ops, "bytes": bytes_ops, "content": content_ops,
    "rock-ridge": rock_ridge_ops, "copy": copy_ops, "truncate": truncate_ops,
    "extend": extend_ops,
}  # fmt: skip


@st.composite
def cases(draw: st.DrawFn, maps: Mapping[str, SeedMap]) -> Case:
    """A seed and up to MAX_OPS edits of it, sometimes packed."""
    name = draw(st.sampled_from(sorted(maps)))
    m = maps[name]
    ops: list[Op] = []
    for _ in range(draw(st.integers(1, MAX_OPS))):
        kind = draw(st.sampled_from(OP_KINDS))
        if kind == "rock-ridge" and m.format != "iso9660":
            kind = "field"
        drawn = draw(_OP_STRATEGIES[kind](m))
        ops += drawn if isinstance(drawn, list) else [drawn]
    packing = draw(st.sampled_from((None,) * 9 + PACKINGS))
    return Case(name, tuple(ops), packing)


# --------------------------------------------------------------------------- the worker


@dataclass
class Report:
    """What the worker said of one image."""

    exits: dict[str, int | None]
    findings: list[dict[str, Any]]

    @staticmethod
    def signature(found: Mapping[str, Any]) -> str:
        """Findings of one cause share this: kind, exception and the function of ours."""
        location = str(found["location"]).rsplit(":", 1)[0]
        return f"{found['kind']} {found['exception'] or '-'} {location}:{found['function']}"

    def describe(self) -> str:
        lines = []
        for found in self.findings:
            lines.append(
                f"{found['kind']} in {found['operation']}: {found['exception']} "
                f"{found['message']} at {found['location']} ({found['function']})"
            )
            lines += [f"    {frame}" for frame in found["trace"]]
        return "\n".join(lines)


class Worker:
    """tests/fuzz_worker.py in its own process; restarted after a hang, a cap or a death."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> subprocess.Popen[bytes]:
        self.scratch.mkdir(parents=True, exist_ok=True)
        log = (self.scratch / "worker.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.fuzz_worker"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        ready = self._line(process, KILL_SECONDS)
        if ready is None or not json.loads(ready).get("ready"):
            raise RuntimeError(f"the fuzz worker did not start: see {self.scratch / 'worker.log'}")
        return process

    @staticmethod
    def _line(process: subprocess.Popen[bytes], timeout: float) -> bytes | None:
        assert process.stdout is not None
        readable, _, _ = select.select([process.stdout], [], [], timeout)
        if not readable:
            return None
        return process.stdout.readline() or None

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                if stream is not None:
                    stream.close()
            self.process = None

    def check(self, image: bytes, reference: Path, image_size: int) -> Report:
        """Run the read commands on `image` (compared with `reference` by diff)."""
        if self.process is None:
            self.process = self._start()
        path = self.scratch / "drive.img"
        path.write_bytes(image)
        request = {
            "image": str(path),
            "reference": str(reference),
            "scratch": str(self.scratch / "work"),
            "image_size": image_size,
        }
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(request).encode() + b"\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            pass
        line = self._line(self.process, KILL_SECONDS)
        if line is None:
            returncode = self.process.poll()
            self.close()
            self.restarts += 1
            if returncode is None:
                message = f"killed: no answer in {KILL_SECONDS} s"
                kind = "hang"
            else:
                message = f"the worker died (exit status {returncode})"
                kind = "died"
            found = {"kind": kind, "operation": "?", "exception": "", "message": message,
                     "location": "?", "function": "?", "trace": []}  # fmt: skip
            return Report({}, [found])
        answer = json.loads(line)
        if answer["restart"]:
            self.close()
            self.restarts += 1
        return Report(answer["exits"], answer["findings"])


class Seeds:
    """The seed drives of one session, with their maps."""

    def __init__(self, folder: Path, *, make: bool = True) -> None:
        # A long run makes the seeds once; its jobs read the same files.
        self.paths = make_seeds(folder) if make else {name: folder / name for name in SEED_NAMES}
        self.data = {name: path.read_bytes() for name, path in self.paths.items()}
        self.maps = {name: map_seed(name, data) for name, data in self.data.items()}

    def run(self, worker: Worker, case: Case) -> Report:
        image, size = case.image(self.data[case.seed])
        return worker.check(image, self.paths[case.seed], size)


# --------------------------------------------------------------------------- profiles

CI_EXAMPLES = 60  # about 20 s on a busy 2-core machine, seeds included
_SHARED: dict[str, Any] = {
    "deadline": None,  # the worker's own hang guard bounds an example; the machine is shared
    "database": None,
    "suppress_health_check": list(HealthCheck),
}
settings.register_profile(
    "mkconfigdrive-fuzz-drives-ci", max_examples=CI_EXAMPLES, derandomize=True, **_SHARED
)


# --------------------------------------------------------------------------- the long run


@dataclass
class Tally:
    """Outcomes of a run: examples, exit codes a command, findings a signature."""

    examples: int = 0
    exits: Counter[str] = field(default_factory=Counter)
    findings: Counter[str] = field(default_factory=Counter)
    first: dict[str, dict[str, Any]] = field(default_factory=dict)
    cases: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    operations: dict[str, set[str]] = field(default_factory=dict)
    restarts: int = 0
    # Examples that took over SLOW_SECONDS in all (three commands, on a shared machine):
    # counted for the report, not a finding (hangs are, past HANG_SECONDS).
    slow: int = 0
    seconds: float = 0.0
    started: float = field(default_factory=time.monotonic)

    def progress(self) -> str:
        rate = self.examples / max(time.monotonic() - self.started, 1e-9)
        return (f"{self.examples:,} examples, {sum(self.findings.values()):,} findings "
                f"of {len(self.findings)} kinds, {rate:.1f}/s")  # fmt: skip

    def add(self, case: Case, report: Report) -> None:
        self.examples += 1
        for operation in OPERATIONS:
            code = report.exits.get(operation)
            self.exits[f"{operation} {'-' if code is None else code}"] += 1
        for signature in {Report.signature(found) for found in report.findings}:
            self.findings[signature] += 1
        for found in report.findings:
            signature = Report.signature(found)
            self.first.setdefault(signature, found)
            self.operations.setdefault(signature, set()).add(found["operation"])
            kept = self.cases.setdefault(signature, [])
            if len(kept) < 20 and case.to_json() not in kept:
                kept.append(case.to_json())

    def to_json(self) -> dict[str, Any]:
        self.seconds = time.monotonic() - self.started
        return {
            "examples": self.examples, "exits": dict(self.exits),
            "findings": dict(self.findings), "first": self.first, "cases": self.cases,
            "operations": {key: sorted(value) for key, value in self.operations.items()},
            "restarts": self.restarts, "slow": self.slow, "seconds": self.seconds,
        }  # fmt: skip

    def merge(self, raw: Mapping[str, Any]) -> None:
        self.examples += raw["examples"]
        self.exits.update(raw["exits"])
        self.findings.update(raw["findings"])
        for key, value in raw["first"].items():
            self.first.setdefault(key, value)
        for key, value in raw["cases"].items():
            self.cases.setdefault(key, []).extend(value)
        for key, value in raw["operations"].items():
            self.operations.setdefault(key, set()).update(value)
        self.restarts += raw["restarts"]
        self.slow += raw.get("slow", 0)


def run_examples(seeds: Seeds, worker: Worker, examples: int, seed: int, tally: Tally,
                 log: Callable[[str], None] | None = None,
                 checkpoint: Callable[[Tally], None] | None = None) -> None:  # fmt: skip
    """Generate `examples` cases with Hypothesis (random, seeded) and tally what they do.

    Findings are counted, not raised: the long run goes on to find the next one. Chunks of
    CHUNK examples keep Hypothesis's memory of what it tried small.
    """
    chunk = 2000
    done = 0
    while done < examples:
        count = min(chunk, examples - done)

        @hypothesis_seed(seed * 1_000_003 + done)
        @settings(max_examples=count, phases=[Phase.generate], derandomize=False, **_SHARED)
        @given(st.data())
        def explore(data: st.DataObject) -> None:
            case = data.draw(cases(seeds.maps))
            known = set(tally.findings)
            started = time.monotonic()
            report = seeds.run(worker, case)
            seconds = time.monotonic() - started
            tally.add(case, report)
            tally.restarts = worker.restarts
            tally.slow += seconds > SLOW_SECONDS
            if log is not None:
                for found in report.findings:
                    if Report.signature(found) not in known:
                        known.add(Report.signature(found))
                        log(f"new: {Report.signature(found)}: {found['message'][:200]}")
                        log("\n".join(f"     {line}" for line in case.describe()))
                if seconds > SLOW_SECONDS:
                    log(f"slow: {seconds:.0f} s: " + "; ".join(case.describe()))
            if tally.examples % CHECKPOINT == 0:
                if log is not None:
                    log(tally.progress())
                if checkpoint is not None:
                    checkpoint(tally)

        before = tally.examples
        explore()
        done += max(tally.examples - before, 1)


def minimize(seeds: Seeds, worker: Worker, case: Case, signature: str) -> Case:
    """The case with every op (and the packing) it does not need dropped."""

    def still(candidate: Case) -> bool:
        report = seeds.run(worker, candidate)
        # Where a hang is caught (or memory runs out) moves from run to run: its kind is enough.
        kind = signature.split(maxsplit=1)[0]
        loose = kind in ("hang", "memory")
        return any(
            Report.signature(found) == signature or (loose and found["kind"] == kind)
            for found in report.findings
        )

    if case.packing is not None and still(Case(case.seed, case.ops, None)):
        case = Case(case.seed, case.ops, None)
    index = 0
    while index < len(case.ops) and len(case.ops) > 1:
        smaller = Case(case.seed, case.ops[:index] + case.ops[index + 1 :], case.packing)
        if still(smaller):
            case = smaller
        else:
            index += 1
    return case


def slug(signature: str) -> str:
    words = signature.replace("configdrive/", "").replace(".py", "")
    cleaned = "".join(char if char.isalnum() else "-" for char in words.lower())
    short = "-".join(part for part in cleaned.split("-") if part)[:60]
    return f"{short}-{hashlib.sha256(signature.encode()).hexdigest()[:6]}"


def save(seeds: Seeds, case: Case, found: Mapping[str, Any], folder: Path) -> Path:
    """A reproducer: the image, gzipped; the case (replayable); what it does."""
    folder.mkdir(parents=True, exist_ok=True)
    image, size = case.image(seeds.data[case.seed])
    (folder / "drive.img.gz").write_bytes(gzip.compress(image, mtime=0))
    document = {"case": case.to_json(), "image_size": size, "finding": dict(found),
                "describe": case.describe()}  # fmt: skip
    (folder / "case.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return folder


def _runner(arguments: argparse.Namespace) -> int:
    """One process of a long run: its share of the examples, its tally as JSON."""
    with tempfile.TemporaryDirectory(prefix="fuzz-drives-") as scratch:
        seeds = Seeds(Path(arguments.seeds), make=False)
        tally = Tally()

        def log(line: str) -> None:
            print(f"  job {arguments.job}: {line}", file=sys.stderr, flush=True)

        def checkpoint(tally: Tally) -> None:
            # Written as it goes: a run stopped early (--minutes, Ctrl-C) still counts.
            partial = Path(f"{arguments.tally}.partial")
            partial.write_text(json.dumps(tally.to_json()), encoding="utf-8")
            partial.replace(arguments.tally)

        signal.signal(signal.SIGTERM, signal.default_int_handler)  # bench's stop, as Ctrl-C
        try:
            with Worker(Path(scratch)) as worker:
                run_examples(
                    seeds, worker, arguments.examples, arguments.seed, tally, log, checkpoint
                )
        except KeyboardInterrupt:
            log(f"stopped after {tally.examples:,} examples")
        checkpoint(tally)
    return 0


def _wait(processes: Sequence[subprocess.Popen[bytes]], minutes: float | None) -> list[int]:
    """The jobs' exit statuses; past the time limit or on Ctrl-C, stop them and count what ran."""
    deadline = None if minutes is None else time.monotonic() + 60 * minutes
    try:
        while any(process.poll() is None for process in processes):
            if deadline is not None and time.monotonic() > deadline:
                print("bench/fuzz-drives: time is up; stopping the jobs", file=sys.stderr)
                break
            time.sleep(1)
    except KeyboardInterrupt:
        print("bench/fuzz-drives: interrupted; stopping the jobs", file=sys.stderr)
    stopped = False
    for process in processes:
        if process.poll() is None:
            process.terminate()
            stopped = True
    statuses = [process.wait() for process in processes]
    return [0] * len(statuses) if stopped else statuses


def _bench(arguments: argparse.Namespace) -> int:
    """Split the examples over jobs, merge the tallies, minimize and save each finding."""
    started = time.monotonic()
    seed = arguments.seed if arguments.seed is not None else int.from_bytes(os.urandom(4), "big")
    with tempfile.TemporaryDirectory(prefix="fuzz-drives-bench-") as folder_name:
        folder = Path(folder_name)
        print(f"bench/fuzz-drives: making the seeds (random seed {seed})", file=sys.stderr)
        seeds = Seeds(folder / "seeds")
        jobs = max(1, arguments.jobs)
        shares = [
            arguments.examples // jobs + (job < arguments.examples % jobs) for job in range(jobs)
        ]
        processes = []
        for job, share in enumerate(shares):
            command = [sys.executable, "-m", "tests.fuzz_drives", "run", "--examples", str(share),
                       "--seed", str(seed + job), "--seeds", str(folder / "seeds"),
                       "--tally", str(folder / f"tally-{job}.json"), "--job", str(job)]  # fmt: skip
            processes.append(subprocess.Popen(command, cwd=ROOT))
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop as on Ctrl-C
        statuses = _wait(processes, arguments.minutes)
        tally = Tally()
        for job in range(jobs):
            path = folder / f"tally-{job}.json"
            if path.is_file():
                tally.merge(json.loads(path.read_text(encoding="utf-8")))
        explored = time.monotonic() - started
        saved: dict[str, Path] = {}
        if tally.findings:
            print(f"bench/fuzz-drives: minimizing {len(tally.findings)} findings", file=sys.stderr)
            with Worker(folder / "minimize") as worker:
                for signature in sorted(tally.findings):
                    kept = [Case.from_json(raw) for raw in tally.cases.get(signature, [])]
                    if not kept:
                        continue
                    smallest = min(kept, key=lambda case: (len(case.ops), case.packing is not None))
                    case = minimize(seeds, worker, smallest, signature)
                    target = Path(arguments.findings) / slug(signature)
                    saved[signature] = save(seeds, case, tally.first[signature], target)
    for line in summary(tally, saved, explored, seed):
        print(line)
    if any(statuses):
        print(f"bench/fuzz-drives: a job failed (exit statuses {statuses})")
        return 2
    return 1 if tally.findings else 0


def summary(tally: Tally, saved: Mapping[str, Path], seconds: float, seed: int) -> list[str]:
    """The closing report: counts, outcomes a command, findings a cause."""
    rate = f" ({seconds / tally.examples * 1000:,.0f} s a 1,000)" if tally.examples else ""
    lines = [
        "",
        f"bench/fuzz-drives: {tally.examples:,} examples in {seconds:,.0f} s{rate}, "
        f"random seed {seed}, {tally.restarts} worker restarts, "
        f"{tally.slow:,} examples over {SLOW_SECONDS} s",
        f"{'command':<10}{'exit 0':>12}{'exit 1':>12}{'no exit':>12}",
    ]
    for operation in OPERATIONS:
        counts = [tally.exits.get(f"{operation} {code}", 0) for code in ("0", "1", "-")]
        lines.append(f"{operation:<10}" + "".join(f"{count:>12,}" for count in counts))
    others = {key: value for key, value in tally.exits.items()
              if key.split()[1] not in ("0", "1", "-")}  # fmt: skip
    if others:
        lines.append(f"other exit codes: {others}")
    if not tally.findings:
        lines.append("findings: none: every example was read or refused within the budgets")
        return lines
    lines.append(f"findings: {len(tally.findings)} distinct, in "
                 f"{sum(tally.findings.values()):,} example-findings")  # fmt: skip
    for signature, count in tally.findings.most_common():
        first = tally.first[signature]
        operations = ",".join(sorted(tally.operations.get(signature, ())))
        lines.append(f"  {count:>7,}  {signature}  [{operations}]")
        lines.append(f"           {first['message'][:150]}")
        if signature in saved:
            lines.append(f"           reproducer: {saved[signature]}")
    return lines


def keep(finding_folder: Path, name: str) -> Path:
    """A saved finding made a regression case: tests/fuzz_regressions/NAME.json and .img.gz."""
    document = json.loads((finding_folder / "case.json").read_text(encoding="utf-8"))
    found = document["finding"]
    kept = {
        "found": {
            key: found[key]
            for key in ("kind", "operation", "exception", "location", "function", "message")
        },
        "describe": document["describe"],
        "image_size": document["image_size"],
        "case": document["case"],
    }
    REGRESSIONS.mkdir(exist_ok=True)
    shutil.copyfile(finding_folder / "drive.img.gz", REGRESSIONS / f"{name}.img.gz")
    target = REGRESSIONS / f"{name}.json"
    target.write_text(json.dumps(kept, indent=2, ensure_ascii=True) + "\n", encoding="utf-8")
    return target


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz_drives")
    commands = parser.add_subparsers(dest="command", required=True)
    bench = commands.add_parser("bench", help="the long run: N examples over JOBS processes")
    bench.add_argument("examples", type=int, nargs="?", default=100_000)
    bench.add_argument("--jobs", type=int, default=1)
    bench.add_argument("--seed", type=int, default=None)
    bench.add_argument("--findings", default=str(FINDINGS))
    bench.add_argument("--minutes", type=float, default=None, help="stop after this long")
    run = commands.add_parser("run", help="one job of a long run (bench starts these)")
    run.add_argument("--examples", type=int, required=True)
    run.add_argument("--seed", type=int, required=True)
    run.add_argument("--seeds", required=True)
    run.add_argument("--tally", required=True)
    run.add_argument("--job", type=int, default=0)
    kept = commands.add_parser("keep", help="make a saved finding a regression case")
    kept.add_argument("finding", help="a folder bench saved (.fuzz-findings/...)")
    kept.add_argument("name", help="the case's name in tests/fuzz_regressions/")
    arguments = parser.parse_args(argv)
    if arguments.command == "bench":
        return _bench(arguments)
    if arguments.command == "keep":
        print(keep(Path(arguments.finding), arguments.name))
        return 0
    return _runner(arguments)


def iter_regressions() -> Iterator[Path]:
    """The committed reproducers: tests/fuzz_regressions/<name>.json (+ <name>.img.gz)."""
    yield from sorted(REGRESSIONS.glob("*.json"))


if __name__ == "__main__":
    sys.exit(main())
