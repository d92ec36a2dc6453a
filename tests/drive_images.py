"""Drive images made in the test process: ISO9660 with any mix of name trees, FAT, and crafted.

Unit tests of the read side need drives that no producer of ours would write (8.3 names
only, Joliet only, wrong labels, hostile names). pycdlib writes them here; names it would
refuse are written as same-length placeholders and patched into the image afterwards.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import struct
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pycdlib

from configdrive.formats.fat import write_vfat
from configdrive.formats.iso import _pinned_clock
from configdrive.layouts.drive_layout import DriveLayout

NOVA_VERSIONS = (
    "2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15", "2016-06-30",
    "2016-10-06", "2017-02-22", "2018-08-27", "2020-10-14", "latest",
)  # fmt: skip
UUID = "2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c"
TIMESTAMP = 1_700_000_000
_NOT_D = re.compile(r"[^A-Z0-9_]")


def openstack_files(
    meta: Mapping[str, Any] | bytes | None = None,
    user_data: bytes | None = b"#cloud-config\nhostname: web-1\n",
    *,
    versions: tuple[str, ...] = NOVA_VERSIONS,
    extra: Mapping[str, bytes] | None = None,
) -> dict[str, bytes]:
    """A config drive's files: meta_data.json (and user_data) in every version folder."""
    if meta is None:
        meta = {"uuid": UUID, "hostname": "web-1", "name": "web-1"}
    meta_bytes = meta if isinstance(meta, bytes) else json.dumps(meta).encode()
    files: dict[str, bytes] = {}
    for version in versions:
        files[f"openstack/{version}/meta_data.json"] = meta_bytes
        if user_data is not None:
            files[f"openstack/{version}/user_data"] = user_data
    files.update(extra or {})
    return files


def iso_image(
    files: Mapping[str, bytes],
    *,
    label: str = "config-2",
    rock_ridge: bool = True,
    joliet: bool = True,
    level: int = 3,
    symlinks: Mapping[str, str] | None = None,
    patches: Mapping[bytes, bytes] | None = None,
) -> bytes:
    """An ISO9660 image of `files` (path -> bytes), with the chosen name trees.

    `symlinks` maps a path to a Rock Ridge link target; `patches` replaces bytes in the
    finished image (same length), to plant names no writer would.
    """
    iso = pycdlib.PyCdlib()
    iso.new(
        interchange_level=level,
        vol_ident=label,
        joliet=3 if joliet else None,
        rock_ridge="1.09" if rock_ridge else None,
    )
    names = _IsoNames(level)
    folders: set[str] = set()
    for path in sorted({*files, *(symlinks or {})}):
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder not in folders:
                folders.add(folder)
                iso.add_directory(
                    names.path(folder, is_dir=True),
                    rr_name=parts[depth - 1] if rock_ridge else None,
                    joliet_path="/" + folder if joliet else None,
                )
        if path in files:
            data = files[path]
            iso.add_fp(
                io.BytesIO(data),
                len(data),
                names.path(path, is_dir=False),
                rr_name=parts[-1] if rock_ridge else None,
                joliet_path="/" + path if joliet else None,
            )
        else:
            iso.add_symlink(
                names.path(path, is_dir=False),
                rr_symlink_name=parts[-1],
                rr_path=(symlinks or {})[path],
            )
    out = io.BytesIO()
    iso.write_fp(out)
    iso.close()
    image = out.getvalue()
    for old, new in (patches or {}).items():
        assert len(old) == len(new), (old, new)
        assert old in image, old
        image = image.replace(old, new)
    return image


class _IsoNames:
    """Unique ISO9660 names: 8.3 at level 1, up to 30 characters otherwise."""

    def __init__(self, level: int) -> None:
        self.level = level
        self.assigned: dict[str, str] = {}
        self.taken: set[str] = set()

    def path(self, path: str, *, is_dir: bool) -> str:
        if path in self.assigned:
            return self.assigned[path]
        parent, _, name = path.rpartition("/")
        base, dot, extension = name.upper().rpartition(".")
        if not dot or is_dir:
            base, extension = name.upper(), ""
        base, extension = _NOT_D.sub("_", base) or "_", _NOT_D.sub("_", extension)
        if self.level == 1:
            base, extension = base[:8], extension[:3]
        else:
            base = base[:25]
        prefix = f"{self.assigned[parent]}/" if parent else "/"
        counter = 0
        while True:
            candidate = base if not counter else f"{base[: len(base) - 2]}{counter:02d}"
            iso_name = candidate if is_dir else f"{candidate}.{extension};1"
            full = prefix + iso_name
            if full not in self.taken:
                break
            counter += 1
        self.taken.add(full)
        self.assigned[path] = full
        return full


def fat_image(files: Mapping[str, bytes], *, label: str = "config-2") -> bytes:
    """A FAT image of `files`, written by configdrive's own FAT writer."""
    out = io.BytesIO()
    write_vfat(DriveLayout(label, dict(files)), out, timestamp=TIMESTAMP)
    return out.getvalue()


def write(path: Path, image: bytes) -> Path:
    """Write an image to `path` and return the path."""
    path.write_bytes(image)
    return path


@contextlib.contextmanager
def pinned_clock(timestamp: int = TIMESTAMP) -> Iterator[None]:
    """pycdlib's dates set to `timestamp` (in UTC), as write_iso pins them: the same bytes
    on every run, for images the hostile corpus generates."""
    with _pinned_clock(timestamp):
        yield


def write_sparse(path: Path, image: bytes, block: int = 64 * 1024) -> Path:
    """Write an image, leaving blocks of zeros as holes (a large generated image costs little)."""
    zeros = bytes(block)
    with path.open("wb") as stream:
        for offset in range(0, len(image), block):
            chunk = image[offset : offset + block]
            if chunk == zeros[: len(chunk)]:
                stream.seek(len(chunk), io.SEEK_CUR)
            else:
                stream.write(chunk)
        stream.truncate(len(image))
    return path


def iso_shared_extent(paths: list[str], data: bytes, *, label: str = "config-2") -> bytes:
    """An ISO9660 image (Rock Ridge names) where every path names the same extent of `data`.

    Hard links, as write_iso stores identical files: one extent, many directory records.
    """
    with pinned_clock():
        return _iso_shared_extent(paths, data, label)


def _iso_shared_extent(paths: list[str], data: bytes, label: str) -> bytes:
    iso = pycdlib.PyCdlib()
    iso.new(interchange_level=3, vol_ident=label, rock_ridge="1.09")
    names = _IsoNames(3)
    folders: set[str] = set()
    first: str | None = None
    for path in paths:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder not in folders:
                folders.add(folder)
                iso.add_directory(names.path(folder, is_dir=True), rr_name=parts[depth - 1])
        iso_path = names.path(path, is_dir=False)
        if first is None:
            first = iso_path
            iso.add_fp(io.BytesIO(data), len(data), iso_path, rr_name=parts[-1])
        else:
            iso.add_hard_link(iso_old_path=first, iso_new_path=iso_path, rr_name=parts[-1])
    out = io.BytesIO()
    iso.write_fp(out)
    iso.close()
    return out.getvalue()


def fat_cross_linked(count: int, data: bytes, *, overlap: bool = False) -> bytes:
    """A FAT image holding BIG.BIN (`data`) and D/F000.BIN... whose entries all point into it.

    Cross-linked: each entry claims BIG.BIN's first cluster and size, so each name reads
    all of its data. With `overlap`, entry n starts n clusters later (and is that much
    shorter): every name's data differs from every other's, yet all lie in one chain.
    """
    files = {"BIG.BIN": data, **{f"D/F{n:03d}.BIN": b"x" for n in range(count)}}
    image = bytearray(fat_image(files))
    cluster_size = image[13] * int.from_bytes(image[11:13], "little")
    big = image.find(b"BIG     BIN")
    assert big % 32 == 0, big  # found (-1 is not), at the start of an entry
    first = int.from_bytes(image[big + 26 : big + 28], "little")
    for n in range(count):
        entry = image.find(f"F{n:03d}    BIN".encode())
        assert entry % 32 == 0, (n, entry)
        skip = n if overlap else 0
        size = max(len(data) - skip * cluster_size, 1)
        image[entry + 26 : entry + 32] = (first + skip).to_bytes(2, "little") + size.to_bytes(
            4, "little"
        )
    return bytes(image)


def iso_deep_folders(levels: int, *, label: str = "config-2") -> bytes:
    """An ISO9660 image with `levels` nested folders `d`, and a file `f` in the deepest."""
    with pinned_clock():
        return _iso_deep_folders(levels, label)


def _iso_deep_folders(levels: int, label: str) -> bytes:
    iso = pycdlib.PyCdlib()
    # Level 4 (ISO9660:1999) allows any depth without Rock Ridge's relocations.
    iso.new(interchange_level=4, vol_ident=label, rock_ridge="1.09")
    path = ""
    for _ in range(levels):
        path += "/D"
        iso.add_directory(path, rr_name="d")
    iso.add_fp(io.BytesIO(b"deep\n"), 5, path + "/F.;1", rr_name="f")
    out = io.BytesIO()
    iso.write_fp(out)
    iso.close()
    return out.getvalue()


# --------------------------------------------------------------------------- hand-made ISO9660
#
# pycdlib writes only well-formed images, and slowly for tens of thousands of records. The
# hostile corpus needs images with every field under its control (extents past the end, path
# tables of any claimed size, Rock Ridge child links in loops), made in well under a second.
# raw_iso lays one out byte by byte: system area, PVD, terminator, both path tables, folder
# extents, then file data. Only the ISO9660 and Rock Ridge trees are written (no Joliet).

_BLOCK = 2048
_DR_DATE = bytes([100, 1, 1, 0, 0, 0, 0])  # 2000-01-01 00:00:00 UTC
_VD_DATE = b"0" * 16 + b"\x00"  # "not specified"
_RRIP_ID = b"RRIP_1991A"


@dataclass(frozen=True)
class RawEntry:
    """One directory record for raw_iso: a file, folder, Rock Ridge symlink or child link.

    `kind` "cl" is a Rock Ridge CL record: a stand-in for the folder `target` (a path; a file
    is not refused), shown at this place by readers that follow relocations. `extent` and
    `size` override what the record claims (blocks, bytes); `relocated` marks a folder moved
    away from its real place (RE); `parent_link` adds a PL entry naming a folder as this
    folder's real parent; `system_use` is appended to the record's Rock Ridge entries.
    """

    path: str
    kind: Literal["file", "dir", "symlink", "cl"] = "file"
    data: bytes = b""
    target: str = ""
    extent: int | None = None
    size: int | None = None
    relocated: bool = False
    parent_link: str | None = None
    system_use: bytes = b""


def raw_iso(
    entries: Iterable[RawEntry],
    *,
    label: str = "config-2",
    rock_ridge: bool = True,
    path_table_size: int | None = None,
    descriptors: Sequence[bytes] = (),
) -> bytes:
    """A hand-made ISO9660 image (with Rock Ridge unless told not) of `entries`.

    Parent folders are made as needed. `path_table_size` overrides the size both volume
    descriptor fields claim for the path tables; `descriptors` (2048 bytes each) go after
    the primary volume descriptor, before the terminator.
    """
    return _RawIso(entries, rock_ridge).image(label, path_table_size, descriptors)


class _RawIso:
    def __init__(self, entries: Iterable[RawEntry], rock_ridge: bool) -> None:
        self.rock_ridge = rock_ridge
        self.records: dict[str, list[RawEntry]] = {"": []}
        self.folders: dict[str, RawEntry] = {"": RawEntry("", "dir")}
        for entry in entries:
            self._add(entry)
        self.iso_names: dict[str, str] = {}
        for children in self.records.values():
            taken: set[str] = set()
            for entry in children:
                self.iso_names[entry.path] = _raw_iso_name(entry, taken)
        # Path table order: level by level, each level by parent number then name.
        self.ordered = [""]
        for folder in self.ordered:
            self.ordered += [entry.path for entry in self.records[folder] if entry.kind == "dir"]
        self.number = {folder: index + 1 for index, folder in enumerate(self.ordered)}
        self.extents = dict.fromkeys(self.folders, 0)
        self.sizes = dict.fromkeys(self.folders, 0)
        self.data_at: dict[str, int] = {}

    def _add(self, entry: RawEntry) -> None:
        parts = entry.path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder not in self.folders:
                self.folders[folder] = RawEntry(folder, "dir")
                self.records.setdefault("/".join(parts[: depth - 1]), []).append(
                    self.folders[folder]
                )
                self.records[folder] = []
        siblings = self.records.setdefault("/".join(parts[:-1]), [])
        if entry.kind == "dir" and entry.path in self.folders:
            # Made as a parent already: this one's fields win.
            siblings[siblings.index(self.folders[entry.path])] = entry
        else:
            siblings.append(entry)
        if entry.kind == "dir":
            self.folders[entry.path] = entry
            self.records.setdefault(entry.path, [])

    def image(self, label: str, path_table_size: int | None, descriptors: Sequence[bytes]) -> bytes:
        # Sizes first (no field's length depends on an extent), then extents, then bytes.
        for folder in self.ordered:
            self.sizes[folder] = len(self.folder_blocks(folder))
        table_blocks = -(-len(self.path_table("<")) // _BLOCK)
        first = 18 + len(descriptors)  # the path tables' first block
        end = first + 2 * table_blocks
        for folder in self.ordered:
            self.extents[folder] = end
            end += self.sizes[folder] // _BLOCK
        for children in self.records.values():
            for child in children:
                if child.kind == "file" and child.data and child.extent is None:
                    self.data_at[child.path] = end
                    end += -(-len(child.data) // _BLOCK)
        image = bytearray(end * _BLOCK)
        root = self.folders[""]
        root_record = _record(root, self.extents[""], self.sizes[""], b"\x00", b"")
        table = self.path_table("<")
        table_size = len(table) if path_table_size is None else path_table_size
        tables = (first, first + table_blocks)
        image[16 * _BLOCK : 17 * _BLOCK] = _pvd(label, end, table_size, tables, root_record)
        for index, descriptor in enumerate(descriptors):
            assert len(descriptor) == _BLOCK
            image[(17 + index) * _BLOCK : (18 + index) * _BLOCK] = descriptor
        image[(first - 1) * _BLOCK : (first - 1) * _BLOCK + 7] = b"\xffCD001\x01"
        for index, order in enumerate("<>"):
            table = self.path_table(order)
            start = tables[index] * _BLOCK
            image[start : start + len(table)] = table
        for folder in self.ordered:
            blocks = self.folder_blocks(folder)
            start = self.extents[folder] * _BLOCK
            image[start : start + len(blocks)] = blocks
        for children in self.records.values():
            for child in children:
                if child.path in self.data_at:
                    start = self.data_at[child.path] * _BLOCK
                    image[start : start + len(child.data)] = child.data
        return bytes(image)

    def folder_blocks(self, folder: str) -> bytes:
        entry = self.folders[folder]
        parent = folder.rpartition("/")[0] if folder else ""
        dot_use = self.root_system_use() if not folder else b""
        out = [
            _record(entry, self.extents[folder], self.sizes[folder], b"\x00", dot_use),
            _record(
                entry, self.extents[parent], self.sizes[parent], b"\x01", self.dotdot_use(folder)
            ),
        ]
        for child in self.records[folder]:
            extent, size = 0, 0
            if child.kind == "dir":
                extent, size = self.extents[child.path], self.sizes[child.path]
            elif child.kind == "file":
                extent, size = self.data_at.get(child.path, 0), len(child.data)
            extent = extent if child.extent is None else child.extent
            size = size if child.size is None else child.size
            ident = self.iso_names[child.path].encode()
            out.append(_record(child, extent, size, ident, self.system_use(child)))
        return _blocks_of(out)

    def root_system_use(self) -> bytes:
        """The root's "." record: SUSP is in use (SP), and Rock Ridge is the extension (ER)."""
        if not self.rock_ridge:
            return b""
        header = bytes([ord("E"), ord("R"), 8 + len(_RRIP_ID), 1, len(_RRIP_ID), 0, 0, 1])
        return b"SP\x07\x01\xbe\xef\x00" + header + _RRIP_ID

    def dotdot_use(self, folder: str) -> bytes:
        parent = self.folders[folder].parent_link
        if not self.rock_ridge or parent is None:
            return b""
        return _rr_extent(b"PL", self.extents[parent])

    def system_use(self, entry: RawEntry) -> bytes:
        if not self.rock_ridge:
            return entry.system_use
        mode = {"dir": 0o40555, "symlink": 0o120777}.get(entry.kind, 0o100444)
        out = b"PX" + bytes([36, 1]) + b"".join(_both32(value) for value in (mode, 1, 0, 0))
        name = entry.path.rpartition("/")[2].encode("utf-8", "surrogateescape")
        out += b"NM" + bytes([5 + len(name), 1, 0]) + name
        if entry.kind == "symlink":
            out += _rr_symlink(entry.target)
        if entry.kind == "cl":
            target = self.extents.get(entry.target) or self.data_at.get(entry.target, 0)
            out += _rr_extent(b"CL", target)
        if entry.relocated:
            out += b"RE\x04\x01"
        return out + entry.system_use

    def path_table(self, order: str) -> bytes:
        out = bytearray()
        for folder in self.ordered:
            ident = self.iso_names[folder].encode() if folder else b"\x00"
            parent = self.number[folder.rpartition("/")[0]] if folder else 1
            out += struct.pack(f"{order}BBIH", len(ident), 0, self.extents[folder], parent)
            out += ident + bytes(len(ident) % 2)
        return bytes(out)


def _raw_iso_name(entry: RawEntry, taken: set[str]) -> str:
    """An ISO9660 name for a record (level 3: d-characters, up to 30), unique in its folder."""
    name = entry.path.rpartition("/")[2].upper()
    stem, dot, extension = name.rpartition(".")
    if entry.kind == "dir" or not dot:
        stem, extension = name, ""
    stem = _NOT_D.sub("_", stem)[:24] or "_"
    extension = _NOT_D.sub("_", extension)[:3]
    candidate, counter = stem, 0
    while candidate in taken:
        counter += 1
        candidate = f"{stem[:20]}{counter:04d}"
    taken.add(candidate)
    return candidate if entry.kind == "dir" else f"{candidate}.{extension};1"


def _record(entry: RawEntry, extent: int, size: int, ident: bytes, system_use: bytes) -> bytes:
    flags = 0x02 if entry.kind == "dir" else 0
    body = (
        _both32(extent)
        + _both32(size)
        + _DR_DATE
        + bytes([flags, 0, 0])
        + struct.pack("<H", 1)
        + struct.pack(">H", 1)
        + bytes([len(ident)])
        + ident
        + (b"\x00" if len(ident) % 2 == 0 else b"")
        + system_use
    )
    assert len(body) + 2 <= 255, f"{entry.path}: the record is too long"
    return bytes([len(body) + 2, 0]) + body


def _both32(value: int) -> bytes:
    return struct.pack("<I", value) + struct.pack(">I", value)


def _rr_extent(signature: bytes, extent: int) -> bytes:
    return signature + bytes([12, 1]) + _both32(extent)


def _rr_symlink(target: str) -> bytes:
    components = b""
    parts = target.split("/")
    if target.startswith("/"):
        components += b"\x08\x00"
        parts = parts[1:]
    for part in parts:
        if part == ".":
            components += b"\x02\x00"
        elif part == "..":
            components += b"\x04\x00"
        else:
            raw = part.encode("utf-8", "surrogateescape")
            components += bytes([0, len(raw)]) + raw
    return b"SL" + bytes([5 + len(components), 1, 0]) + components


def _blocks_of(records: list[bytes]) -> bytes:
    """Directory records packed into blocks: a record never crosses a block boundary."""
    out = bytearray()
    for item in records:
        if len(out) % _BLOCK + len(item) > _BLOCK:
            out += bytes(_BLOCK - len(out) % _BLOCK)
        out += item
    return bytes(out) + bytes(-len(out) % _BLOCK)


def _pvd(label: str, blocks: int, table_size: int, tables: tuple[int, int], root: bytes) -> bytes:
    def text(value: str, length: int) -> bytes:
        return value.encode().ljust(length, b" ")

    out = (
        b"\x01CD001\x01\x00"
        + text("LINUX", 32)
        + text(label, 32)
        + bytes(8)
        + _both32(blocks)
        + bytes(32)
        + struct.pack("<H", 1) + struct.pack(">H", 1)
        + struct.pack("<H", 1) + struct.pack(">H", 1)
        + struct.pack("<H", _BLOCK) + struct.pack(">H", _BLOCK)
        + _both32(table_size)
        + struct.pack("<II", tables[0], 0)
        + struct.pack(">II", tables[1], 0)
        + root
        + text("", 128) * 4
        + text("", 37) * 3
        + _VD_DATE * 4
        + b"\x01\x00"
    )  # fmt: skip
    return out.ljust(_BLOCK, b"\x00")
