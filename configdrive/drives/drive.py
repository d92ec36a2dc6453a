"""Opening any drive image: ISO9660 (with pycdlib) or FAT, and the names a Linux mount shows.

An ISO9660 image can hold three name trees for the same files: Rock Ridge, Joliet and the
plain ISO9660 names. Linux shows Rock Ridge when the image has it, else Joliet, else the
ISO9660 names lower-cased with their `;1` version cut off (isofs' default `map=normal`).
FAT images show their long names. Every reader we judge mounts the drive on Linux, so the
`view` of a drive is what they see, with the same lookup rules (case-blind on FAT and Joliet).

Nothing here trusts the image: names that are empty, `.`, `..` or hold `/` or NUL are kept
aside as unsafe and never match a path, symbolic links resolve only inside the drive, and
every offset, length and count the image gives is checked against its real size and the
limits below before it is used. Folders are listed once each (a folder reached twice, by
Rock Ridge relocations that loop or share, is refused), and each link is resolved once.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import io
import itertools
import os
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal, cast

from configdrive.drives.fat import FatEntry, FatError, FatImage, FatVolume, looks_like_fat
from configdrive.errors import InvalidInputError, OutputError, describe_os_error
from configdrive.inputs.documents import regular_file
from configdrive.problems import Problem

# Limits on what an image can make a reader do. Every number below comes off the image, so
# each is checked before it is used; past a limit the image is "not a readable drive" (exit 1)
# with a message naming the limit. Together they keep any read command on any input up to
# 64 MiB within 5 s and 256 MiB (the budget), whatever sizes the image claims.

# Config drives are small (Nova's vfat drives are 64 MiB, the largest); an image unpacked
# from gzip or base64 beyond this is not one. The unpacked image is held in memory.
MAX_UNPACKED_IMAGE = 64 * 1024 * 1024
# A packed file is decoded as it is read, so its size costs time, not memory: base64 of
# gzip of a 64 MiB image that does not compress is about 86 MiB.
MAX_PACKED_FILE = 96 * 1024 * 1024
# Files are read whole for decoding; none on a config drive comes near this.
MAX_FILE = 64 * 1024 * 1024
# What all whole-file reads of one drive may return together: the largest file allowed,
# twice. Callers may hold what they read, so this is also what reads can hold at once within
# the 256 MiB budget; names sharing one large extent cannot multiply past it.
MAX_READ_TOTAL = 2 * MAX_FILE
# Files, folders and links in one name tree. A config drive holds about a hundred (ten
# versions of a few files, and the ec2 tree). Each costs about 250 us to open and inspect
# here, most of it pycdlib's parsing (of the ISO9660 and Joliet trees both), and diff opens
# two drives: this many keeps the slowest read command within about half its 5 s budget.
MAX_ENTRIES = 5_000
# Folder levels. ECMA-119 allows 8 (Rock Ridge relocates deeper folders) and a config drive
# has 3; Linux's own bound is PATH_MAX. Deeper is refused, never cut off silently.
MAX_DEPTH = 64
# Folders, all trees together: pycdlib reads each folder whole, and an empty one is a 2 KiB
# block, so MAX_ENTRIES empty folders in each of two trees (ISO9660 and Joliet) are 20 MiB.
MAX_FOLDER_BYTES = 24 * 1024 * 1024
# Rock Ridge continuation areas (names, link targets and ER entries that do not fit in a
# record), all together. A config drive has a few KiB (pycdlib and genisoimage put long
# names and the ER entry there); MAX_ENTRIES names of 200 bytes are 1 MiB.
MAX_CONTINUATION_BYTES = 2 * 1024 * 1024
# Linux follows at most 32 continuation areas for one record, each inside one block
# (RR_MAX_CE_ENTRIES and rock_continue() in fs/isofs/rock.c).
MAX_CONTINUATIONS = 32
# System Use (Rock Ridge) entries in all records and continuation areas. pycdlib parses
# about 100,000 a second here; writers put 4 or 5 in a record (RR, PX, TF, NM, SL), so this
# is 8 for each of MAX_ENTRIES entries.
MAX_SUSP_ENTRIES = 40_000
# pycdlib keeps the rest of its area with every PD (padding) entry it parses, so a block of
# 512 of them keeps 512 KiB: what they keep together is bounded. Writers do not use PD.
MAX_PADDING_KEPT = 4 * 1024 * 1024
# Everything else pycdlib reads to learn an image's structure: volume descriptors, path
# tables (both byte orders), continuation areas, a hybrid image's partition table. Each
# size it reads by is one the image claims (up to 4 GiB), clamped only to the end of the
# image, so a sparse 2 GB image could make it allocate 2 GB; a config drive needs under
# 100 KiB of these, and the limits above allow about 3 MiB.
MAX_STRUCTURE_BYTES = 4 * 1024 * 1024
# One path table: a record per folder, 10 to 40 bytes each; MAX_ENTRIES folders with names
# of 30 characters fit. pycdlib reads and parses each (26,000 records at most) in both byte
# orders, in a fifth of a second.
MAX_PATH_TABLE = 256 * 1024
# pycdlib reads volume descriptors until one it does not know; real images have 2 to 8
# (primary, Joliet, boot record, terminator, UDF's three).
MAX_VOLUME_DESCRIPTORS = 32
# Linux follows at most 40 symbolic links in one lookup.
MAX_SYMLINKS = 40
# Linux reads a symbolic link's target into one page (fs/isofs/rock.c), so a longer
# target is an error there; here it leads nowhere.
MAX_LINK_TARGET = 4095
# Path components one DriveView may walk in all its lookups. Each link is resolved once and
# remembered, and a lookup of a config drive's path walks a handful; a drive's link
# targets all fit in its records and continuation areas (about 4 MiB), so this is reached
# only by links built to be walked again and again (chains cut short and retried). Past it
# the drive is refused: at about a microsecond a step, this is a second of work.
MAX_LOOKUP_STEPS = 1_000_000

ISO_BLOCK = 2048
_ISO_MAGIC_AT = 32769
_ISO_MAGIC = b"CD001"
ISO_HEAD = _ISO_MAGIC_AT + len(_ISO_MAGIC)
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
    _read_total: int = field(default=0, repr=False)

    @functools.cached_property
    def view(self) -> DriveView:
        """The drive as a Linux mount shows it (one view, so its lookups are remembered)."""
        return DriveView(self, self.trees[self.linux_tree])

    def read(self, entry: Entry, limit: int = MAX_FILE) -> bytes:
        """A file's data, at most `limit` bytes (InvalidInputError if the image is broken).

        All reads of one drive together return at most MAX_READ_TOTAL bytes.
        """
        if entry.kind != "file" or entry.size <= 0:
            return b""
        self._read_total += min(entry.size, limit)
        if self._read_total > MAX_READ_TOTAL:
            raise _unreadable(
                self.path,
                f"reading its files would return more than {_mib(MAX_READ_TOTAL)}, the most "
                "one drive may return (do many names share one large file?)",
            )
        return self._data(entry, limit)

    def chunks(self, entry: Entry, block: int = 1 << 20) -> Iterator[bytes]:
        """A file's data in blocks, for copying files of any size.

        Copies are not counted against MAX_READ_TOTAL: extract bounds what it writes itself.
        """
        if entry.kind != "file" or entry.size <= 0:
            return
        if self._fat_image is not None:
            yield from _fat_chunks(self.path, self._fat_image, entry)
            return
        if entry.size <= block:
            yield self._data(entry, entry.size)
            return
        self._check_extent(entry, entry.size)
        done = 0
        while done < entry.size:
            self._stream.seek(entry.data + done)
            data = self._stream.read(min(block, entry.size - done))
            if not data:
                raise _unreadable(
                    self.path, f"the extent of {entry.path} runs past the end of the image"
                )
            done += len(data)
            yield data

    def _data(self, entry: Entry, limit: int) -> bytes:
        if self._fat_image is not None:
            try:
                return self._fat_image.read(_fat_entry(entry), limit)
            except FatError as error:
                raise _broken(self.path, f"broken FAT image: {error}") from None
        wanted = min(entry.size, limit)
        self._check_extent(entry, wanted)
        self._stream.seek(entry.data)
        return self._stream.read(wanted)

    def _check_extent(self, entry: Entry, length: int) -> None:
        if entry.data < 0 or length < 0 or entry.data + length > self.size:
            raise _unreadable(
                self.path, f"the extent of {entry.path} runs past the end of the image"
            )

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
    try:
        packing = None
        head = stream.read(ISO_HEAD)
        if not is_iso(head) and not looks_like_fat(head[:512]):
            unpacked = _unpack(path, stream, head, size)
            if unpacked is not None:
                stream.close()
                packing, stream = unpacked
                size = stream.seek(0, os.SEEK_END)
                stream.seek(0)
                head = stream.read(ISO_HEAD)
        if is_iso(head):
            return _open_iso(path, stream, size, packing)
        if looks_like_fat(head[:512]):
            return _open_fat(path, stream, size, packing)
    except OSError as error:
        stream.close()
        raise OutputError(f"cannot read the drive: {describe_os_error(error)}", str(path)) from None
    except BaseException:
        stream.close()
        raise
    stream.close()
    raise _broken(path, "not an ISO9660 or FAT image")


def is_iso(head: bytes) -> bool:
    """Whether the first ISO_HEAD bytes of a file are an ISO9660 image's."""
    return head[_ISO_MAGIC_AT:ISO_HEAD] == _ISO_MAGIC


_PACKED_CHUNK = 1 << 20
_WHITESPACE = b" \t\n\r\v\f"


def _unpack(path: Path, stream: BinaryIO, head: bytes, size: int) -> tuple[str, BinaryIO] | None:
    """Undo gzip, or base64 of gzip (what Ironic's API takes), around an image.

    The file is decoded as it is read, a chunk at a time, so only the unpacked image (at
    most MAX_UNPACKED_IMAGE) is ever held; None when the file is not packed this way.
    """
    is_gzip = head.startswith(_GZIP_MAGIC)
    if size > MAX_PACKED_FILE or not (is_gzip or _BASE64_TEXT.match(head[:4096])):
        return None
    stream.seek(0)
    raw = iter(lambda: stream.read(_PACKED_CHUNK), b"")
    packing = [] if is_gzip else ["base64"]
    out = io.BytesIO()
    try:
        chunks = raw if is_gzip else _base64_chunks(raw)
        first = next(chunks, b"")
        chunks = itertools.chain([first], chunks)
        if first.startswith(_GZIP_MAGIC):
            packing.insert(0, "gzip")
            chunks = _gunzip(path, chunks)
        looked = False
        for chunk in chunks:
            if out.tell() + len(chunk) > MAX_UNPACKED_IMAGE:
                raise _unreadable(
                    path,
                    f"the image inside the {'+'.join(packing)} is larger than "
                    f"{_mib(MAX_UNPACKED_IMAGE)}, more than any config drive",
                )
            out.write(chunk)
            if not looked and out.tell() >= ISO_HEAD:
                # Stop as soon as the start shows no image: a text file is not a drive.
                if not _holds_image(out):
                    return None
                looked = True
    except _NotBase64:
        return None
    if not (looked or _holds_image(out)):
        return None
    out.seek(0)
    return "+".join(packing), out


def _holds_image(out: io.BytesIO) -> bool:
    with out.getbuffer() as view:
        head = bytes(view[:ISO_HEAD])
    return is_iso(head) or looks_like_fat(head[:512])


class _NotBase64(Exception):
    """The text is not base64 after all: the file is not packed this way."""


def _base64_chunks(raw: Iterator[bytes]) -> Iterator[bytes]:
    """Decode base64 text chunk by chunk (whitespace ignored, padding only at the very end)."""
    pending = b""
    padded = False
    for chunk in raw:
        pending += chunk.translate(None, _WHITESPACE)
        usable = len(pending) - len(pending) % 4
        piece, pending = pending[:usable], pending[usable:]
        if not piece:
            continue
        if padded or b"=" in piece[:-4]:
            raise _NotBase64  # text after the padding that ends base64
        padded = piece.endswith(b"=")
        try:
            yield base64.b64decode(piece, validate=True)
        except (binascii.Error, ValueError):
            raise _NotBase64 from None
    if pending:
        raise _NotBase64  # not a whole number of 4-character groups


def _gunzip(path: Path, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Decompress every gzip member in `chunks`, a bounded piece at a time."""
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        for chunk in chunks:
            pending = chunk
            while pending:
                if decompressor.eof:
                    pending = pending.lstrip(b"\0")  # zero padding after a member
                    if not pending:
                        break
                    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # the next one
                piece = decompressor.decompress(pending, _PACKED_CHUNK)
                if piece:
                    yield piece
                pending = (
                    decompressor.unused_data if decompressor.eof else decompressor.unconsumed_tail
                )
        # What the last input left inside the decompressor (at most a window), if anything.
        while not decompressor.eof:
            piece = decompressor.decompress(b"", _PACKED_CHUNK)
            if not piece:
                raise _unreadable(path, "the gzip around the image is broken: it is truncated")
            yield piece
    except zlib.error as error:
        raise _unreadable(path, f"the gzip around the image is broken ({error})") from None


def _broken(path: Path, message: str) -> InvalidInputError:
    return InvalidInputError([Problem(str(path), message)])


def _unreadable(path: Path, reason: str) -> InvalidInputError:
    """The image breaks a rule or a limit: one line saying which."""
    return _broken(path, f"not a readable drive: {reason}")


def _mib(size: int) -> str:
    return f"{size // (1024 * 1024)} MiB"


# --------------------------------------------------------------------------- ISO9660


def _open_iso(path: Path, stream: BinaryIO, size: int, packing: str | None) -> Drive:
    import pycdlib
    from pycdlib.pycdlibexception import PyCdlibException

    layout = _check_iso_layout(path, stream, size)
    iso = pycdlib.PyCdlib()
    try:
        # pycdlib calls only read, seek and tell (and looks at `mode`) while it parses.
        iso.open_fp(cast(BinaryIO, _StructureReader(stream, layout)))
        block = int(iso.pvd.logical_block_size())
        trees = _iso_trees(path, iso, block, size)
        facts = IsoFacts(
            level=4 if iso.enhanced_vd is not None else int(iso.interchange_level),
            names=_iso_name_style(iso.pvd.root_directory_record()),
            rock_ridge=iso.rock_ridge or None,
            joliet=_joliet_level(iso),
            udf=layout.udf,
            system_id=_text(iso.pvd.system_identifier),
            publisher=_text(iso.pvd.publisher_identifier.record()),
            application=_text(iso.pvd.application_identifier.record()),
        )
        label = _text(iso.pvd.volume_identifier) or None
    except _StructureTooLarge:
        raise _unreadable(
            path,
            f"its structure claims more than {_mib(MAX_STRUCTURE_BYTES)} besides its folders, "
            "more than any config drive",
        ) from None
    except KeyError as error:
        # pycdlib looks folders up in the path table, and Rock Ridge links up among records.
        raise _broken(
            path,
            f"broken ISO9660 image: nothing the path table or a Rock Ridge link names is at "
            f"block {error.args[0]}",
        ) from None
    except (PyCdlibException, struct.error, ValueError, IndexError) as error:
        # pycdlib checks what it parses; what escapes its checks on a crafted image is
        # still a broken image, not a bug of ours.
        raise _broken(path, f"broken ISO9660 image: {error}") from None
    # pycdlib keeps parsed records only; the data is read from the stream itself.
    return Drive(
        path=path,
        size=size,
        format="iso9660",
        label=label,
        trees=trees,
        linux_tree=_linux_tree(trees),
        iso=facts,
        packing=packing,
        _stream=stream,
    )


def _linux_tree(trees: dict[TreeName, Any]) -> TreeName:
    """Rock Ridge names when the image has them, else Joliet, else ISO9660 (as isofs)."""
    return "rock-ridge" if "rock-ridge" in trees else ("joliet" if "joliet" in trees else "iso9660")


class _StructureTooLarge(Exception):
    """pycdlib asked for more than MAX_STRUCTURE_BYTES: the image claims too much."""


# Past any end an ISO9660 image can describe (2**32 blocks of 2 KiB, plus a 4 GiB length).
_NO_END = 1 << 45


class _StructureReader:
    """The image as pycdlib reads it while it parses, within MAX_STRUCTURE_BYTES.

    pycdlib reads each structure by the size the image claims (up to 4 GiB), clamped only
    to the end of the image: a request past the bound is refused before any byte is read.
    The folders _check_iso_layout has already sized (and bounded by MAX_FOLDER_BYTES) are
    not counted again, and the descriptors it masks read as it says. pycdlib is not told
    where the image ends: told, it quietly shortens a file whose extent runs past the end
    (to a negative length when it starts past it), where we want to name that file, so
    _walk_iso checks every extent against the real size itself. Reads past the real end
    return nothing, as on any file.
    """

    mode = "rb"

    def __init__(self, stream: BinaryIO, layout: _Layout) -> None:
        self._stream = stream
        self._layout = layout
        self._position = 0
        self.spent = 0

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = _NO_END  # "to the end": refused below
        masked = self._layout.masked.get(self._position)
        if masked is not None and size == len(masked):
            self._position += size
            return masked
        if (self._position, size) not in self._layout.folders:
            self.spent += size
            if self.spent > MAX_STRUCTURE_BYTES:
                raise _StructureTooLarge
        self._stream.seek(self._position)
        data = self._stream.read(size)
        self._position += len(data)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: _NO_END}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def tell(self) -> int:
        return self._position


_VD_TYPES = (0, 1, 2, 255)
_VD_IDENTS = (b"CD001", b"CDW02", b"BEA01", b"NSR02", b"NSR03", b"TEA01", b"BOOT2")
_VD_PRIMARY, _VD_SUPPLEMENTARY = 1, 2
_DIRECTORY = 0x02


@dataclass
class _Layout:
    """What _check_iso_layout has read so far, against the limits."""

    path: Path
    stream: BinaryIO
    size: int
    block: int
    xa: bool
    # (byte offset, length) of every folder checked: pycdlib reads exactly these.
    folders: set[tuple[int, int]] = field(default_factory=set)
    # Volume descriptors pycdlib is shown otherwise (byte offset -> the block it reads).
    masked: dict[int, bytes] = field(default_factory=dict)
    udf: bool = False
    folder_bytes: int = 0
    continuation_bytes: int = 0
    system_use_entries: int = 0
    padding_kept: int = 0


def _check_iso_layout(path: Path, stream: BinaryIO, size: int) -> _Layout:
    """Check what pycdlib would read by or loop over, before it does.

    pycdlib parses every volume descriptor until one it does not know, both byte orders of
    each path table, and every directory record (with its Rock Ridge continuation areas)
    of the primary and Joliet trees; each is counted and sized here against the image's
    real size and the limits. What is merely malformed is left to pycdlib to name.
    """
    descriptors = []
    for index in itertools.count():
        stream.seek((16 + index) * ISO_BLOCK)
        descriptor = stream.read(ISO_BLOCK)
        if (
            len(descriptor) < ISO_BLOCK
            or descriptor[0] not in _VD_TYPES
            or descriptor[1:6] not in _VD_IDENTS
        ):
            break
        if index == MAX_VOLUME_DESCRIPTORS:
            raise _unreadable(path, f"it has more than {MAX_VOLUME_DESCRIPTORS} volume descriptors")
        descriptors.append(descriptor)
    layout = _Layout(path, stream, size, ISO_BLOCK, xa=False)
    _mask_unused_descriptors(layout, descriptors)
    primary = next(
        (vd for vd in descriptors if vd[0] == _VD_PRIMARY and vd[1:6] == _ISO_MAGIC), None
    )
    if primary is None:
        return layout
    (block,) = struct.unpack_from("<H", primary, 128)
    if block not in (512, 1024, 2048):
        return layout
    layout.block = block
    layout.xa = primary[1024:1032] == b"CD-XA001"
    trees = [(primary, False)] + [
        (vd, True)
        for vd in descriptors
        if vd[0] == _VD_SUPPLEMENTARY and not vd[7] & 1 and vd[88:91] in _JOLIET_LEVELS
    ]
    for descriptor, joliet in trees:
        (table_size,) = struct.unpack_from("<I", descriptor, 132)
        (little_endian,) = struct.unpack_from("<I", descriptor, 140)
        (big_endian,) = struct.unpack_from(">I", descriptor, 148)
        if table_size > MAX_PATH_TABLE:
            raise _unreadable(
                path,
                f"its path table claims {table_size} bytes, more than the "
                f"{MAX_PATH_TABLE // 1024} KiB a config drive could need",
            )
        if max(little_endian, big_endian) * block + table_size > size:
            raise _unreadable(path, "its path table runs past the end of the image")
        _check_folders(layout, descriptor[156:190], joliet)
    return layout


_UDF_IDENTS = (b"BEA01", b"NSR02", b"NSR03", b"TEA01", b"BOOT2")
_TERMINATOR = b"\xffCD001\x01".ljust(ISO_BLOCK, b"\x00")


def _mask_unused_descriptors(layout: _Layout, descriptors: list[bytes]) -> None:
    """Keep pycdlib from the boot catalog and the UDF tree, which no reader here needs.

    Linux's isofs shows a config drive's ISO9660, Rock Ridge or Joliet names; the El Torito
    boot catalog and UDF are for firmware and other systems. pycdlib would parse both
    (a boot catalog sector by sector until it ends, with a cost that grows with the square
    of some of its entries; the UDF tree with its own descriptors), so it is shown a boot
    record without the El Torito name, and set terminators where UDF's descriptors are.
    Whether the image has UDF is told from the descriptors here instead.
    """
    idents = [descriptor[1:6] for descriptor in descriptors]
    layout.udf = b"BEA01" in idents and (b"NSR02" in idents or b"NSR03" in idents)
    for index, descriptor in enumerate(descriptors):
        offset = (16 + index) * ISO_BLOCK
        if descriptor[1:6] in _UDF_IDENTS:
            layout.masked[offset] = _TERMINATOR
        if descriptor[0] == 0 and descriptor[1:6] == _ISO_MAGIC:
            layout.masked[offset] = descriptor[:7] + bytes(ISO_BLOCK - 7)


def _check_folders(layout: _Layout, root: bytes, joliet: bool) -> None:
    """Count and size one tree's directory records as pycdlib will walk them (breadth first)."""
    path, block = layout.path, layout.block
    (extent,) = struct.unpack_from("<I", root, 2)
    (length,) = struct.unpack_from("<I", root, 10)
    # Each folder as (extent, length, parent index, name); names are joined only for a message.
    folders: list[tuple[int, int, int, bytes]] = [(extent, length, -1, b"")]
    seen = {extent}
    entries = 0
    for index, (extent, length, _, _) in enumerate(folders):
        if extent * block + length > layout.size:
            where = _folder_path(folders, index, joliet)
            raise _unreadable(path, f"the folder {where} runs past the end of the image")
        layout.folder_bytes += length
        if layout.folder_bytes > MAX_FOLDER_BYTES:
            raise _unreadable(
                path,
                f"its folders take more than {_mib(MAX_FOLDER_BYTES)} to list, "
                "more than any config drive",
            )
        layout.folders.add((extent * block, length))
        layout.stream.seek(extent * block)
        data = layout.stream.read(length)
        offset = 0
        while offset < len(data):
            record_length = data[offset]
            if record_length == 0:  # padding to the end of the block
                offset += block - offset % block
                continue
            record = data[offset : offset + record_length]
            offset += record_length
            if len(record) < 34:
                break  # malformed: pycdlib refuses it
            name = record[33 : 33 + record[32]]
            _check_system_use(
                layout, record, functools.partial(_folder_path, folders, index, joliet)
            )
            if name in (b"\x00", b"\x01"):
                continue
            entries += 1
            if entries > MAX_ENTRIES:
                raise _too_many(path)
            (child,) = struct.unpack_from("<I", record, 2)
            if record[25] & _DIRECTORY and child not in seen:
                seen.add(child)
                (child_length,) = struct.unpack_from("<I", record, 10)
                folders.append((child, child_length, index, name))


def _check_system_use(layout: _Layout, record: bytes, where: Any) -> None:
    """Count one record's System Use entries and follow its continuation areas (CE) as
    pycdlib will, bounding the areas as Linux does: one block each, 32 for a record."""
    start = 33 + record[32] + (1 - record[32] % 2)
    if layout.xa and record[start + 6 : start + 8] == b"XA":
        start += 14  # the XA record pycdlib skips before the System Use entries
    area = record[start:]
    for hops in range(MAX_CONTINUATIONS + 1):
        found = _system_use_entries(layout, area)
        if found is None:
            return
        extent, offset, length = found
        if hops == MAX_CONTINUATIONS:
            raise _unreadable(
                layout.path,
                f"a record in the folder {where()} has more than {MAX_CONTINUATIONS} "
                "Rock Ridge continuation areas",
            )
        if offset + length > layout.block:
            raise _unreadable(
                layout.path,
                f"a Rock Ridge continuation area in the folder {where()} is not inside one block",
            )
        if extent * layout.block + offset + length > layout.size:
            raise _unreadable(
                layout.path,
                f"a Rock Ridge continuation area in the folder {where()} lies past the end "
                "of the image",
            )
        layout.continuation_bytes += length
        if layout.continuation_bytes > MAX_CONTINUATION_BYTES:
            raise _unreadable(
                layout.path,
                f"its Rock Ridge continuation areas take more than "
                f"{_mib(MAX_CONTINUATION_BYTES)}, more than any config drive",
            )
        layout.stream.seek(extent * layout.block + offset)
        area = layout.stream.read(length)


def _system_use_entries(layout: _Layout, area: bytes) -> tuple[int, int, int] | None:
    """Count the entries of one System Use area; the (block, offset, length) of its CE."""
    continuation = None
    offset = 0
    while offset + 4 <= len(area):
        signature, length = area[offset : offset + 2], area[offset + 2]
        if length == 0:
            break  # malformed: pycdlib refuses it
        layout.system_use_entries += 1
        if signature == b"PD":
            layout.padding_kept += len(area) - offset - 4
        elif signature == b"CE" and continuation is None and offset + 28 <= len(area):
            (extent,) = struct.unpack_from("<I", area, offset + 4)
            (where,) = struct.unpack_from("<I", area, offset + 12)
            (size,) = struct.unpack_from("<I", area, offset + 20)
            continuation = (extent, where, size)
        offset += length
    if layout.system_use_entries > MAX_SUSP_ENTRIES:
        raise _unreadable(
            layout.path,
            f"it has more than {MAX_SUSP_ENTRIES} Rock Ridge entries, more than any config drive",
        )
    if layout.padding_kept > MAX_PADDING_KEPT:
        raise _unreadable(
            layout.path,
            "its Rock Ridge padding entries (PD) would take more than "
            f"{_mib(MAX_PADDING_KEPT)} to parse",
        )
    return continuation


def _folder_path(folders: list[tuple[int, int, int, bytes]], index: int, joliet: bool) -> str:
    names = []
    while index > 0:
        _, _, index, raw = folders[index]
        names.append(raw.decode("utf-16-be", "replace") if joliet else _isofs_name(raw))
    return _shown(tuple(reversed(names)))


def _shown(names: tuple[str, ...]) -> str:
    """A path for a message: printable, and its middle cut when it is very deep."""
    if len(names) > 6:
        names = (*names[:2], "...", *names[-2:])
    return "/".join(printable(name) for name in names) or "/"


def _too_many(path: Path) -> InvalidInputError:
    return _unreadable(
        path,
        f"it holds more than {MAX_ENTRIES} files, folders and links in one name tree "
        "(a config drive holds about a hundred)",
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


def _iso_trees(path: Path, iso: Any, block: int, size: int) -> dict[TreeName, NameTree]:
    root = iso.pvd.root_directory_record()
    found: dict[TreeName, tuple[Any, Any]] = {"iso9660": (root, _iso9660_name)}
    if iso.rock_ridge:
        found["rock-ridge"] = (root, _rr_name)
    if iso.joliet_vd is not None:
        found["joliet"] = (iso.joliet_vd.root_directory_record(), _joliet_name)
    # The tree Linux shows is walked first, so a broken extent is named as a user sees it.
    linux = _linux_tree(found)
    walked = {linux: _walk_iso(path, *found[linux], block, size)}
    for source, (folder, name_of) in found.items():
        if source not in walked:
            walked[source] = _walk_iso(path, folder, name_of, block, size)
    return {source: NameTree(source, walked[source], source != "joliet") for source in found}


def _walk_iso(path: Path, root: Any, name_of: Any, block: int, size: int) -> tuple[Entry, ...]:
    """Every entry of one name tree, parents before children, each folder listed once.

    Rock Ridge child links (CL) put a folder where the link is, and nothing stops an image
    from linking a folder into itself or into many places: each folder is listed once, and
    a second way to it (a loop or a shared folder) is refused, as are too many entries,
    folders nested too deep, and file extents past the end of the image.
    """
    rock_ridge_names = name_of is _rr_name
    entries: list[Entry] = []
    seen: dict[int, tuple[str, ...]] = {int(root.extent_location()): ()}
    stack: list[tuple[Iterator[Any], tuple[str, ...]]] = [(iter(root.children), ())]
    while stack:
        records, parent = stack[-1]
        record = next(records, None)
        if record is None:
            stack.pop()
            continue
        if record.is_dot() or record.is_dotdot() or record.file_flags & _ASSOCIATED_FILE:
            continue
        rock_ridge = record.rock_ridge if rock_ridge_names else None
        if rock_ridge is not None and rock_ridge.relocated_record():
            continue  # a deep folder moved to RR_MOVED: Linux shows it at its real place
        if len(entries) == MAX_ENTRIES:
            raise _too_many(path)
        entry = Entry((*parent, name_of(record)), "file")
        if rock_ridge is not None and rock_ridge.is_symlink():
            target = rock_ridge.symlink_path().decode("utf-8", "surrogateescape")
            entries.append(Entry(entry.names, "symlink", target=target))
        elif record.is_dir() or (rock_ridge is not None and rock_ridge.child_link_record_exists()):
            folder = record
            if rock_ridge is not None and rock_ridge.child_link_record_exists():
                folder = rock_ridge.cl_to_moved_dr
                if folder is None or not folder.is_dir():
                    raise _unreadable(
                        path, f"the relocated folder {_shown(entry.names)} leads to no folder"
                    )
            if len(entry.names) > MAX_DEPTH:
                raise _unreadable(
                    path,
                    f"its folders nest more than {MAX_DEPTH} levels deep "
                    f"(at {_shown(entry.names)})",
                )
            extent = int(folder.extent_location())
            if extent in seen:
                raise _unreadable(
                    path,
                    f"the folder {_shown(entry.names)} is the folder {_shown(seen[extent])} again "
                    "(Rock Ridge relocations that loop, or one folder in two places)",
                )
            seen[extent] = entry.names
            entries.append(Entry(entry.names, "dir"))
            stack.append((iter(folder.children), entry.names))
        else:
            length = int(record.get_data_length())
            start = int(record.extent_location()) * block
            if length and start + length > size:
                raise _unreadable(
                    path, f"the extent of {_shown(entry.names)} runs past the end of the image"
                )
            entries.append(Entry(entry.names, "file", length, start))
    return tuple(entries)


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
    return _isofs_name(bytes(record.file_identifier()))


def _isofs_name(raw: bytes) -> str:
    """isofs_name_translate: lower case, `;1` and `.;1` cut, other `;` and `/` become `.`."""
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
    return FatEntry(entry.names, entry.kind == "dir", entry.size, entry.data)


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
        # Where each link leads (entry, names, links followed), links known to need more
        # than a number of links, links being resolved now, and path components walked.
        self._links: dict[tuple[str, ...], tuple[Entry | None, tuple[str, ...], int]] = {}
        self._short: dict[tuple[str, ...], int] = {}
        self._following: set[tuple[str, ...]] = set()
        self._steps = 0
        blocked: set[tuple[str, ...]] = set()
        for entry in tree.entries:
            if entry.names[:-1] in blocked:
                # Inside an unsafe folder: unreachable by any path. Parents come before
                # their children, so whatever is below an unsafe folder is blocked in turn.
                blocked.add(entry.names)
                continue
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

    @property
    def steps(self) -> int:
        """Path components walked by all lookups so far (bounded by MAX_LOOKUP_STEPS)."""
        return self._steps

    def resolve(self, path: str) -> Entry | None:
        """The entry at `path` (`a/b/c`), following symbolic links inside the drive, or None."""
        entry, _, _ = self._walk(path.split("/"), budget=MAX_SYMLINKS)
        return entry

    def _walk(self, names: list[str], budget: int) -> tuple[Entry | None, tuple[str, ...], int]:
        """Walk `names` from the top, following at most `budget` links in all.

        Returns the entry, its names as the drive spells them, and the links followed:
        more than `budget` when the walk failed for want of them.
        """
        self._steps += len(names)
        if self._steps > MAX_LOOKUP_STEPS:
            raise _unreadable(
                self.drive.path,
                f"its symbolic links take more than {MAX_LOOKUP_STEPS} steps to resolve",
            )
        current: tuple[str, ...] = ()
        entry: Entry | None = None
        used = 0
        for name in names:
            if name in ("", "."):
                continue
            if name == "..":
                if not current:
                    return None, (), used  # above the mount point: the VM's files, not the drive's
                current = current[:-1]
                entry = self._by_path.get(self._key(current)) if current else None
                continue
            found = self._by_path.get(self._key((*current, name)))
            if found is None:
                return None, (), used
            if found.kind == "symlink":
                found, current, links = self._follow(found, budget - used)
                used += links
                if found is None:
                    return None, (), used
            else:
                current = found.names
            entry = found
        return entry, current, used

    def _follow(self, link: Entry, budget: int) -> tuple[Entry | None, tuple[str, ...], int]:
        """Where `link` leads, and how many links that takes (itself included).

        A link leads to the same place however it is reached, so each is resolved once and
        remembered: a drive of many links, or of long chains, costs each link once (a chain
        cut short by a lookup's budget may be walked again with a larger one, at most
        MAX_SYMLINKS times). None when it leads outside the drive, nowhere, round a loop,
        or through more than `budget` links, as Linux would fail the lookup.
        """
        known = self._links.get(link.names)
        if known is None:
            if budget < 1 or self._short.get(link.names, 0) >= budget:
                return None, (), budget + 1
            if link.names in self._following:
                return None, (), 0  # it leads through itself: a loop, whatever the budget
            target = link.target
            if (
                target is None
                or target.startswith("/")  # the VM's own root file system
                or len(target.encode("utf-8", "surrogateescape")) > MAX_LINK_TARGET
            ):
                known = (None, (), 1)
            else:
                self._following.add(link.names)
                try:
                    entry, names, used = self._walk(
                        [*link.names[:-1], *target.split("/")], budget - 1
                    )
                finally:
                    self._following.discard(link.names)
                if entry is None and used + 1 > budget:
                    self._short[link.names] = budget
                    return None, (), used + 1
                known = (entry, names, used + 1)
            self._links[link.names] = known
        if known[2] > budget:
            return None, (), known[2]
        return known

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
