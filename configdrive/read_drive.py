"""Opening any drive image: ISO9660 (with pycdlib) or FAT, and the names a Linux mount shows.

An ISO9660 image can hold three name trees for the same files: Rock Ridge, Joliet and the
plain ISO9660 names. Linux shows Rock Ridge when the image has it, else Joliet, else the
ISO9660 names lower-cased with their `;1` version cut off (isofs' default `map=normal`).
FAT images show their long names. Every reader we judge mounts the drive on Linux, so the
`view` of a drive is what they see, with the same lookup rules (case-blind on FAT and Joliet).

Nothing here trusts the image: names that are empty, `.`, `..` or hold `/` or NUL are kept
aside as unsafe and never match a path, symbolic links resolve only inside the drive, and
no read goes past the end of the image.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import os
import posixpath
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

from configdrive.checks import gunzip_bounded
from configdrive.errors import InvalidInputError, OutputError
from configdrive.load import describe_os_error, regular_file
from configdrive.problems import Problem
from configdrive.read_vfat import FatEntry, FatError, FatImage, FatVolume, looks_like_fat

# Config drives are small (Nova's vfat drives are 64 MiB); a decoded or decompressed image
# beyond this is not one.
MAX_ENCODED_IMAGE = 256 * 1024 * 1024
# Files are read whole for decoding; none on a config drive comes near this.
MAX_FILE = 64 * 1024 * 1024
# Linux follows at most 40 symbolic links in one lookup.
MAX_SYMLINKS = 40

ISO_BLOCK = 2048
_ISO_MAGIC_AT = 32769
_ISO_MAGIC = b"CD001"
_GZIP_MAGIC = b"\x1f\x8b"
_BASE64_TEXT = re.compile(rb"^[A-Za-z0-9+/=\s]+$")
_JOLIET_LEVELS = {b"%/@": 1, b"%/C": 2, b"%/E": 3}
_ASSOCIATED_FILE = 0x04

Kind = Literal["file", "dir", "symlink"]
TreeName = Literal["rock-ridge", "joliet", "iso9660", "vfat"]


@dataclass(frozen=True)
class Entry:
    """A file, folder or symbolic link in one name tree."""

    names: tuple[str, ...]
    kind: Kind
    size: int = 0
    # Where the data lies (an ISO byte offset, a FAT cluster); equal keys mean shared data.
    data: int = -1
    target: str | None = None
    # FAT: the file's clusters reach clusters an earlier file holds (cross-linked chains,
    # which can merge after different first clusters, so equal `data` cannot show them).
    # Unmarked files hold disjoint clusters: together at most the image's size.
    shared: bool = False

    @property
    def path(self) -> str:
        """The path as text (`openstack/latest/user_data`); unsafe names are escaped."""
        return "/".join(printable(name) for name in self.names)


@dataclass(frozen=True)
class NameTree:
    """One name tree of a drive: every entry, parents before children."""

    source: TreeName
    entries: tuple[Entry, ...]
    # Linux looks Joliet and FAT names up without regard to case.
    case_sensitive: bool


@dataclass(frozen=True)
class IsoFacts:
    """What the volume descriptors say about an ISO9660 image."""

    level: int
    # "8.3" (interchange level 1), "long" (levels 2 and 3), or "relaxed" (names no level
    # allows: lower case, several dots, over 31 characters, as genisoimage's relaxations make).
    names: str
    rock_ridge: str | None
    joliet: int | None
    udf: bool
    system_id: str
    publisher: str
    application: str


@dataclass
class Drive:
    """An opened drive image: its facts, its name trees, and a way to read file data."""

    path: Path
    size: int
    format: Literal["iso9660", "vfat"]
    label: str | None
    trees: dict[TreeName, NameTree]
    linux_tree: TreeName
    iso: IsoFacts | None = None
    fat: FatVolume | None = None
    # How the file itself was packed around the image (`gzip+base64` as Ironic wants it).
    packing: str | None = None
    _stream: BinaryIO = field(default_factory=io.BytesIO, repr=False)
    _fat_image: FatImage | None = field(default=None, repr=False)

    @property
    def view(self) -> DriveView:
        """The drive as a Linux mount shows it."""
        return DriveView(self, self.trees[self.linux_tree])

    def read(self, entry: Entry, limit: int = MAX_FILE) -> bytes:
        """A file's data, at most `limit` bytes (InvalidInputError if the image is broken)."""
        if entry.kind != "file" or entry.size == 0:
            return b""
        if self._fat_image is not None:
            try:
                return self._fat_image.read(_fat_entry(entry), limit)
            except FatError as error:
                raise _broken(self.path, f"broken FAT image: {error}") from None
        wanted = min(entry.size, limit)
        if entry.data < 0 or entry.data + wanted > self.size:
            raise _broken(self.path, f"{entry.path}: the file's data lies outside the image")
        self._stream.seek(entry.data)
        return self._stream.read(wanted)

    def chunks(self, entry: Entry, block: int = 1 << 20) -> Iterator[bytes]:
        """A file's data in blocks, for copying files of any size."""
        if self._fat_image is not None:
            yield from _fat_chunks(self.path, self._fat_image, entry)
            return
        if entry.size <= block:
            yield self.read(entry, limit=entry.size)
            return
        if entry.data < 0 or entry.data + entry.size > self.size:
            raise _broken(self.path, f"{entry.path}: the file's data lies outside the image")
        done = 0
        while done < entry.size:
            self._stream.seek(entry.data + done)
            data = self._stream.read(min(block, entry.size - done))
            done += len(data)
            yield data

    def close(self) -> None:
        """Release the image file."""
        self._stream.close()


def printable(name: str) -> str:
    """A name as text a terminal and JSON can hold: control characters and odd bytes escaped."""
    out = []
    for char in name:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (kept by surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char == "\\" or not char.isprintable() or 0xD800 <= code <= 0xDFFF:
            out.append(ascii(char)[1:-1])
        else:
            out.append(char)
    return "".join(out)


def unsafe_name(name: str) -> str | None:
    """Why a name in an image must never become a file name, or None when it is safe."""
    if name in ("", ".", ".."):
        return f"the name {name!r} is not a file name"
    if "/" in name:
        return "the name holds '/'"
    if "\x00" in name:
        return "the name holds a NUL character"
    return None


@contextlib.contextmanager
def open_drive(path: str | os.PathLike[str]) -> Iterator[Drive]:
    """Open a drive image (ISO9660 or FAT; gzip or base64+gzip around it is undone)."""
    drive = _open(Path(path))
    try:
        yield drive
    finally:
        drive.close()


def _open(path: Path) -> Drive:
    try:
        # Folders, FIFOs and devices are refused before opening: a FIFO would block.
        regular_file(path)
        stream: BinaryIO = path.open("rb")
        size = os.fstat(stream.fileno()).st_size
    except OSError as error:
        raise OutputError(f"cannot read the drive: {describe_os_error(error)}", str(path)) from None
    packing = None
    head = stream.read(_ISO_MAGIC_AT + len(_ISO_MAGIC))
    if not _is_iso(head) and not looks_like_fat(head[:512]):
        unpacked = _unpack(path, stream, head, size)
        if unpacked is not None:
            stream.close()
            packing, data = unpacked
            stream, size = io.BytesIO(data), len(data)
            head = data[: _ISO_MAGIC_AT + len(_ISO_MAGIC)]
    try:
        if _is_iso(head):
            return _open_iso(path, stream, size, packing)
        if looks_like_fat(head[:512]):
            return _open_fat(path, stream, size, packing)
    except BaseException:
        stream.close()
        raise
    stream.close()
    raise _broken(path, "not an ISO9660 or FAT image")


def _is_iso(head: bytes) -> bool:
    return head[_ISO_MAGIC_AT : _ISO_MAGIC_AT + len(_ISO_MAGIC)] == _ISO_MAGIC


def _unpack(path: Path, stream: BinaryIO, head: bytes, size: int) -> tuple[str, bytes] | None:
    """Undo gzip, or base64 of gzip (what Ironic's API takes), around an image."""
    if size > MAX_ENCODED_IMAGE:
        return None
    stream.seek(0)
    data = stream.read()
    packing = []
    if _BASE64_TEXT.match(data[:4096]) and not head.startswith(_GZIP_MAGIC):
        try:
            data = base64.b64decode(b"".join(data.split()), validate=True)
        except (binascii.Error, ValueError):
            return None
        packing.append("base64")
    if data.startswith(_GZIP_MAGIC):
        try:
            data = gunzip_bounded(data, MAX_ENCODED_IMAGE)
        except ValueError as error:
            raise _broken(path, f"the gzip around the image is broken: {error}") from None
        packing.insert(0, "gzip")
    if not packing or not (_is_iso(data) or looks_like_fat(data[:512])):
        return None
    return "+".join(packing), data


def _broken(path: Path, message: str) -> InvalidInputError:
    return InvalidInputError([Problem(str(path), message)])


# --------------------------------------------------------------------------- ISO9660


def _open_iso(path: Path, stream: BinaryIO, size: int, packing: str | None) -> Drive:
    import pycdlib
    from pycdlib.pycdlibexception import PyCdlibException

    iso = pycdlib.PyCdlib()
    try:
        iso.open_fp(stream)
        trees = _iso_trees(iso)
        facts = IsoFacts(
            level=4 if iso.enhanced_vd is not None else int(iso.interchange_level),
            names=_iso_name_style(iso.pvd.root_directory_record()),
            rock_ridge=iso.rock_ridge or None,
            joliet=_joliet_level(iso),
            udf=bool(iso.has_udf()),
            system_id=_text(iso.pvd.system_identifier),
            publisher=_text(iso.pvd.publisher_identifier.record()),
            application=_text(iso.pvd.application_identifier.record()),
        )
        label = _text(iso.pvd.volume_identifier) or None
    except (PyCdlibException, struct.error, ValueError, IndexError, KeyError) as error:
        # pycdlib checks what it parses; what escapes its checks on a crafted image is
        # still a broken image, not a bug of ours.
        raise _broken(path, f"broken ISO9660 image: {error}") from None
    # pycdlib keeps parsed records only; the data is read from the stream itself.
    linux: TreeName = (
        "rock-ridge" if "rock-ridge" in trees else ("joliet" if "joliet" in trees else "iso9660")
    )
    return Drive(
        path=path,
        size=size,
        format="iso9660",
        label=label,
        trees=trees,
        linux_tree=linux,
        iso=facts,
        packing=packing,
        _stream=stream,
    )


_D_CHARACTERS = re.compile(rb"^[A-Z0-9_]*$")


def _iso_name_style(root: Any) -> str:
    """How the ISO9660 names are made: 8.3, long, or relaxed beyond any level."""
    style = "8.3"
    pending = [root]
    while pending:
        for record in pending.pop().children:
            if record.is_dot() or record.is_dotdot():
                continue
            raw = bytes(record.file_identifier())
            if record.is_dir():
                pending.append(record)
                base, extension = raw, b""
                fits_8_3 = len(raw) <= 8
            else:
                base, _, extension = raw.partition(b";")[0].partition(b".")
                fits_8_3 = len(base) <= 8 and len(extension) <= 3
            if not (_D_CHARACTERS.match(base) and _D_CHARACTERS.match(extension)):
                return "relaxed"
            if len(raw) > 31 + (0 if record.is_dir() else 2):
                return "relaxed"
            if not fits_8_3:
                style = "long"
    return style


def _text(raw: bytes) -> str:
    return raw.decode("latin-1").rstrip(" \x00")


def _joliet_level(iso: Any) -> int | None:
    if iso.joliet_vd is None:
        return None
    escapes = bytes(iso.joliet_vd.escape_sequences).rstrip(b"\x00")
    return _JOLIET_LEVELS.get(escapes[:3], 3)


def _iso_trees(iso: Any) -> dict[TreeName, NameTree]:
    block = int(iso.pvd.logical_block_size())
    trees: dict[TreeName, NameTree] = {}
    root = iso.pvd.root_directory_record()
    trees["iso9660"] = NameTree("iso9660", tuple(_walk_iso(root, block, _iso9660_name)), True)
    if iso.rock_ridge:
        trees["rock-ridge"] = NameTree("rock-ridge", tuple(_walk_iso(root, block, _rr_name)), True)
    if iso.joliet_vd is not None:
        joliet_root = iso.joliet_vd.root_directory_record()
        trees["joliet"] = NameTree(
            "joliet", tuple(_walk_iso(joliet_root, block, _joliet_name)), False
        )
    return trees


def _walk_iso(
    folder: Any, block: int, name_of: Any, parent: tuple[str, ...] = (), depth: int = 0
) -> Iterator[Entry]:
    if depth > 64:
        return  # pycdlib refuses loops; this only bounds absurd nesting
    for record in folder.children:
        if record.is_dot() or record.is_dotdot() or record.file_flags & _ASSOCIATED_FILE:
            continue
        rock_ridge = record.rock_ridge if name_of is _rr_name else None
        if rock_ridge is not None and rock_ridge.relocated_record():
            continue  # a deep folder moved to RR_MOVED: Linux shows it at its real place
        names = (*parent, name_of(record))
        if rock_ridge is not None and rock_ridge.is_symlink():
            target = rock_ridge.symlink_path().decode("utf-8", "surrogateescape")
            yield Entry(names, "symlink", target=target)
        elif record.is_dir() or (rock_ridge is not None and rock_ridge.child_link_record_exists()):
            yield Entry(names, "dir")
            moved = rock_ridge.cl_to_moved_dr if rock_ridge is not None else None
            yield from _walk_iso(moved or record, block, name_of, names, depth + 1)
        else:
            yield Entry(
                names, "file", int(record.get_data_length()), int(record.extent_location()) * block
            )


def _rr_name(record: Any) -> str:
    rock_ridge = record.rock_ridge
    if rock_ridge is None or not (
        rock_ridge.dr_entries.nm_records
        or (rock_ridge.ce_entries is not None and rock_ridge.ce_entries.nm_records)
    ):
        return _iso9660_name(record)  # no NM entry: isofs falls back to the mapped name
    return bytes(rock_ridge.name()).decode("utf-8", "surrogateescape")


def _joliet_name(record: Any) -> str:
    name = bytes(record.file_identifier()).decode("utf-16-be", "surrogatepass")
    # isofs' get_joliet_filename: the version is cut, then trailing dots.
    name = name.removesuffix(";1")
    while len(name) >= 2 and name.endswith("."):
        name = name[:-1]
    return name


def _iso9660_name(record: Any) -> str:
    """isofs_name_translate: lower case, `;1` and `.;1` cut, other `;` and `/` become `.`."""
    raw = bytes(record.file_identifier())
    out = []
    length = len(raw)
    for index, byte in enumerate(raw):
        if byte == 0:
            break
        char = chr(byte)
        if "A" <= char <= "Z":
            char = char.lower()
        if char == "." and index == length - 3 and raw[index + 1 : index + 3] == b";1":
            break
        if char == ";" and index == length - 2 and raw[index + 1 : index + 2] == b"1":
            break
        if char in ";/":
            char = "."
        out.append(char)
    return "".join(out)


# --------------------------------------------------------------------------- FAT


def _open_fat(path: Path, stream: BinaryIO, size: int, packing: str | None) -> Drive:
    try:
        image = FatImage(stream, size)
        entries = tuple(
            Entry(
                entry.path,
                "dir" if entry.is_dir else "file",
                entry.size,
                entry.first_cluster,
                shared=entry.shared,
            )
            for entry in image.walk()
        )
    except FatError as error:
        raise _broken(path, f"broken FAT image: {error}") from None
    return Drive(
        path=path,
        size=size,
        format="vfat",
        label=image.volume.label,
        trees={"vfat": NameTree("vfat", entries, False)},
        linux_tree="vfat",
        fat=image.volume,
        packing=packing,
        _stream=stream,
        _fat_image=image,
    )


def _fat_entry(entry: Entry) -> FatEntry:
    return FatEntry(entry.names, entry.kind == "dir", entry.size, entry.data, "")


def _fat_chunks(path: Path, image: FatImage, entry: Entry) -> Iterator[bytes]:
    """A FAT file's data a run of clusters at a time: memory stays flat for any file size."""
    if entry.kind != "file":
        return
    try:
        yield from image.chunks(_fat_entry(entry))
    except FatError as error:
        raise _broken(path, f"broken FAT image: {error}") from None


# --------------------------------------------------------------------------- the Linux view


class DriveView:
    """Path lookups in one name tree, with the rules of a Linux mount."""

    def __init__(self, drive: Drive, tree: NameTree) -> None:
        self.drive = drive
        self.tree = tree
        self._by_path: dict[str, Entry] = {}
        self._children: dict[str, list[Entry]] = {"": []}
        self.unsafe: list[tuple[Entry, str]] = []
        blocked: set[tuple[str, ...]] = set()
        for entry in tree.entries:
            if any(entry.names[:depth] in blocked for depth in range(1, len(entry.names))):
                continue  # inside an unsafe folder: unreachable by any path
            reason = unsafe_name(entry.names[-1])
            if reason is not None:
                self.unsafe.append((entry, reason))
                blocked.add(entry.names)
                continue
            key = self._key(entry.names)
            if key in self._by_path:
                self.unsafe.append((entry, "another entry in the folder has the same name"))
                blocked.add(entry.names)
                continue
            self._by_path[key] = entry
            self._children.setdefault(self._key(entry.names[:-1]), []).append(entry)
            if entry.kind == "dir":
                self._children.setdefault(key, [])

    def _key(self, names: tuple[str, ...]) -> str:
        joined = "/".join(names)
        return joined if self.tree.case_sensitive else joined.casefold()

    def entries(self) -> list[Entry]:
        """Every reachable entry, parents before children."""
        return [
            entry
            for entry in self.tree.entries
            if self._by_path.get(self._key(entry.names)) is entry
        ]

    def resolve(self, path: str) -> Entry | None:
        """The entry at `path` (`a/b/c`), following symbolic links inside the drive, or None."""
        names = [part for part in path.split("/") if part]
        entry, _ = self._resolve(names, follow_last=True, budget=[MAX_SYMLINKS])
        return entry

    def _resolve(
        self, names: list[str], *, follow_last: bool, budget: list[int]
    ) -> tuple[Entry | None, tuple[str, ...]]:
        current: tuple[str, ...] = ()
        entry: Entry | None = None
        for index, name in enumerate(names):
            if name == ".":
                continue
            if name == "..":
                if not current:
                    return None, ()  # above the mount point: the VM's own files, not the drive's
                current = current[:-1]
                entry = self._by_path.get(self._key(current)) if current else None
                continue
            found = self._by_path.get(self._key((*current, name)))
            if found is None:
                return None, ()
            last = index == len(names) - 1
            if found.kind == "symlink" and (follow_last or not last):
                budget[0] -= 1
                if budget[0] < 0 or found.target is None or found.target.startswith("/"):
                    return None, ()  # a loop, or a target on the VM's root file system
                target = [part for part in found.target.split("/") if part]
                found, current = self._resolve([*current, *target], follow_last=True, budget=budget)
                if found is None:
                    return None, ()
            else:
                current = found.names
            entry = found
        return entry, current

    def read_file(self, path: str) -> bytes | None:
        """The content of the regular file at `path`, or None when there is none."""
        entry = self.resolve(path)
        if entry is None or entry.kind != "file":
            return None
        return self.drive.read(entry)

    def exists(self, path: str) -> bool:
        """Whether anything (file or folder) is at `path`."""
        return self.resolve(path) is not None

    def listdir(self, path: str) -> list[str] | None:
        """The names in the folder at `path`, or None when it is not a folder."""
        if path.strip("/"):
            entry = self.resolve(path)
            if entry is None or entry.kind != "dir":
                return None
            key = self._key(entry.names)
        else:
            key = ""
        return [child.names[-1] for child in self._children.get(key, [])]

    def canonical(self, path: str) -> str | None:
        """The path as the drive spells it (case and symbolic links resolved), or None."""
        entry = self.resolve(path)
        return None if entry is None else "/".join(entry.names)


def posix_parts(path: str) -> list[str]:
    """A drive path split into its names, `.` and empty parts dropped."""
    return [part for part in posixpath.normpath(path).split("/") if part not in ("", ".")]
