"""Stage 5 of the pipeline: render a DriveLayout as an ISO9660 image with Rock Ridge and Joliet.

This and read_drive.py are the only modules that import pycdlib. Three name trees are written for
the same files: Rock Ridge (what Linux shows), Joliet (what Windows readers such
as cloudbase-init show) and plain ISO9660 (8.3-style upper case, for readers
with neither). Identical contents are stored once and hard-linked.

pycdlib builds the first drive of each shape a process writes (same paths, hard links, sectors
per file, label and timestamp): ~7 ms for a config-2 drive's ~300 directory records. The next
drives of that shape are that image refilled with their own files (iso_template.py, ~0.1 ms),
byte for byte what pycdlib would write.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import io
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from time import struct_time
from typing import Any, BinaryIO

import pycdlib

from configdrive.formats import ProgressCallback
from configdrive.formats.iso_template import SECTOR, IsoTemplate, learn
from configdrive.layouts.drive_layout import Content, DriveLayout, FileContent

_FILE_MODE = 0o100444
_DIR_MODE = 0o040555
_ISO_LEVEL = 3
_ISO_NAME_MAX = 30
_JOLIET_NAME_MAX = 64
_COPY_BLOCK = 1 << 20  # pycdlib copies file data in Python; big blocks keep that cheap
_NOT_D_CHARACTER = re.compile(r"[^A-Z0-9_]")


def write_iso(
    layout: DriveLayout,
    stream: BinaryIO,
    *,
    timestamp: int,
    progress: ProgressCallback | None = None,
) -> None:
    """Write `layout` as an ISO image to `stream`, every timestamp set to `timestamp`.

    The first drive of a shape is built by pycdlib; the next ones of that shape are its
    template filled with their own contents (iso_template.py), byte for byte what pycdlib
    would write for them.
    """
    shape = _Shape.of(layout, timestamp)
    if shape is None:
        write_iso_with_pycdlib(layout, stream, timestamp=timestamp, progress=progress)
        return
    template = TEMPLATES.get(shape.key)
    if template is None:  # the first drive of its shape
        image = io.BytesIO()
        write_iso_with_pycdlib(layout, image, timestamp=timestamp, progress=progress)
        TEMPLATES.put(shape.key, _learn(shape, layout, image.getbuffer()) or _REFUSED)
        stream.write(image.getbuffer())
        return
    if template is _REFUSED:
        write_iso_with_pycdlib(layout, stream, timestamp=timestamp, progress=progress)
        return
    image_bytes = template.fill(shape.contents)
    if progress is not None:
        progress(0, len(image_bytes))
    stream.write(image_bytes)
    if progress is not None:
        progress(len(image_bytes), len(image_bytes))


def write_iso_with_pycdlib(
    layout: DriveLayout,
    stream: BinaryIO,
    *,
    timestamp: int,
    progress: ProgressCallback | None = None,
) -> None:
    """write_iso without templates: pycdlib builds and writes the whole image."""
    with _pinned_clock(timestamp):
        iso = pycdlib.PyCdlib()
        iso.new(
            interchange_level=_ISO_LEVEL,
            vol_ident=layout.label,
            sys_ident="LINUX",
            pub_ident_str="MKCONFIGDRIVE",
            app_ident_str="MKCONFIGDRIVE",
            joliet=3,
            rock_ridge="1.09",
        )
        opened: list[BinaryIO] = []
        try:
            _add_tree(iso, layout, opened)

            def report(done: int, total: int, _opaque: Any) -> None:
                if progress is not None:
                    progress(done, total)

            iso.write_fp(stream, blocksize=_COPY_BLOCK, progress_cb=report if progress else None)
        finally:
            for handle in opened:
                handle.close()
            iso.close()


def _add_tree(iso: pycdlib.PyCdlib, layout: DriveLayout, opened: list[BinaryIO]) -> None:
    iso_names = _IsoNames()
    created: set[str] = set()
    first_copy: dict[object, str] = {}
    for path, content in layout.files.items():
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder not in created:
                created.add(folder)
                iso.add_directory(
                    iso_path=iso_names.path(folder, is_dir=True),
                    rr_name=parts[depth - 1],
                    joliet_path=_joliet_path(folder),
                    file_mode=_DIR_MODE,
                )
        iso_path = iso_names.path(path, is_dir=False)
        identity = _identity(content)
        original = first_copy.get(identity)
        if original is None:
            first_copy[identity] = iso_path
            stream, size = _open(content, opened)
            iso.add_fp(
                stream,
                size,
                iso_path=iso_path,
                rr_name=parts[-1],
                joliet_path=_joliet_path(path),
                file_mode=_FILE_MODE,
            )
        else:
            # A hard link in each tree: the data is stored once, every name points at it.
            iso.add_hard_link(iso_old_path=original, iso_new_path=iso_path, rr_name=parts[-1])
            iso.add_hard_link(iso_old_path=original, joliet_new_path=_joliet_path(path))


# A template holds a whole image in memory, and a shape's first drive is built in memory:
# only drives whose distinct files add up to this little take that path (a config drive's
# add up to a few KiB, its image to 128 KiB); big payloads are streamed by pycdlib as before.
_TEMPLATE_MAX_BYTES = 1 << 20


@dataclass(frozen=True)
class _Shape:
    """What makes two drives' images alike but for their files' data and lengths.

    `key` is the label, the timestamp, the paths in order, each path's hard-link group and each
    group's size in sectors; `contents` the data of each group, in the order of first use.
    """

    key: tuple[object, ...]
    groups: tuple[int, ...]
    contents: tuple[bytes, ...]

    @classmethod
    def of(cls, layout: DriveLayout, timestamp: int) -> _Shape | None:
        """The layout's shape, or None when its files are too big to hold in memory.

        A small FileContent (an injected file) is read here, once: its data goes in the image.
        """
        group_of: dict[object, int] = {}
        groups: list[int] = []
        firsts: list[Content] = []
        total = 0
        for content in layout.files.values():
            identity = _identity(content)
            group = group_of.get(identity)
            if group is None:
                total += content.size if isinstance(content, FileContent) else len(content)
                if total > _TEMPLATE_MAX_BYTES:
                    return None  # streamed from disk by pycdlib, never held whole
                group = group_of[identity] = len(firsts)
                firsts.append(content)
            groups.append(group)
        contents = tuple(_read(content) for content in firsts)
        sectors = tuple(-(-len(data) // SECTOR) for data in contents)
        key = (layout.label, timestamp, tuple(layout.files), tuple(groups), sectors)
        return cls(key, tuple(groups), contents)


def _read(content: Content) -> bytes:
    if not isinstance(content, FileContent):
        return content
    with content.path.open("rb") as source:
        data = source.read(content.size + 1)
    if len(data) != content.size:
        # As FileContent.copy_to says: the size was checked and reported before the write.
        raise OSError(f"{content.path}: changed size while the drive was being written")
    return data


def _learn(shape: _Shape, layout: DriveLayout, image: memoryview) -> IsoTemplate | None:
    iso_names = _IsoNames()
    iso_paths: dict[str, int] = {}
    joliet_paths: dict[str, int] = {}
    for path, group in zip(layout.files, shape.groups, strict=True):
        parts = path.split("/")
        for depth in range(1, len(parts)):  # folders are named before their files, as above
            iso_names.path("/".join(parts[:depth]), is_dir=True)
        iso_paths[iso_names.path(path, is_dir=False)] = group
        joliet_paths[_joliet_path(path)] = group
    return learn(bytes(image), shape.contents, iso_paths, joliet_paths)


_REFUSED = IsoTemplate(b"", (), ())
"""What TEMPLATES holds for a shape whose image cannot be a template: pycdlib builds each."""


class _Templates:
    """The templates of the last few shapes written, least recently used dropped first.

    Bounded in count and in bytes, so a process writing many shapes keeps a few templates,
    never the fleet: at most `max_shapes` templates and `max_bytes` of images.
    """

    def __init__(self, *, max_shapes: int, max_bytes: int) -> None:
        self.max_shapes = max_shapes
        self.max_bytes = max_bytes
        self._held: OrderedDict[tuple[object, ...], IsoTemplate] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> IsoTemplate | None:
        """The template of shape `key` (perhaps _REFUSED), or None when none is held."""
        with self._lock:
            template = self._held.get(key)
            if template is not None:
                self._held.move_to_end(key)
            return template

    def put(self, key: tuple[object, ...], template: IsoTemplate) -> None:
        with self._lock:
            self._held[key] = template
            self._held.move_to_end(key)
            while len(self._held) > self.max_shapes or self.held_bytes() > self.max_bytes:
                self._held.popitem(last=False)

    def held_bytes(self) -> int:
        """The bytes of image the templates hold."""
        return sum(len(each.blank) for each in self._held.values())

    def __len__(self) -> int:
        return len(self._held)

    def clear(self) -> None:
        with self._lock:
            self._held.clear()


# A fleet writes a few shapes of drive (a handful of user-data sizes); a template of a config
# drive is ~128 KiB, of the biggest _TEMPLATE_MAX_BYTES and its folders.
TEMPLATES = _Templates(max_shapes=8, max_bytes=8 << 20)


def _identity(content: Content) -> object:
    if isinstance(content, FileContent):
        return ("file", str(content.path.resolve()))
    # The bytes themselves (never equal to the tuple above): _Shape groups by this too, so a
    # template and pycdlib hard-link the same files.
    return content


def _open(content: Content, opened: list[BinaryIO]) -> tuple[BinaryIO, int]:
    if isinstance(content, FileContent):
        # Streamed from disk at write time: a large payload is never held in memory.
        handle: BinaryIO = content.path.open("rb")
        opened.append(handle)
        return handle, content.size
    return io.BytesIO(content), len(content)


def _joliet_path(path: str) -> str:
    for part in path.split("/"):
        if len(part) > _JOLIET_NAME_MAX:
            raise ValueError(f"{part!r} is longer than Joliet's {_JOLIET_NAME_MAX} characters")
    return "/" + path


class _IsoNames:
    """Upper-case ISO9660 names, unique within each folder whatever the originals are."""

    def __init__(self) -> None:
        self._assigned: dict[str, str] = {}
        self._taken: dict[str, set[str]] = {}

    def path(self, path: str, *, is_dir: bool) -> str:
        known = self._assigned.get(path)
        if known is not None:
            return known
        parent, _, name = path.rpartition("/")
        parent_iso = self._assigned[parent] if parent else ""
        taken = self._taken.setdefault(parent, set())
        iso_name = _unique(_iso_name(name, is_dir=is_dir), taken)
        taken.add(iso_name)
        full = f"{parent_iso}/{iso_name}" + ("" if is_dir else ";1")
        self._assigned[path] = full
        return full


def _iso_name(name: str, *, is_dir: bool) -> str:
    upper = name.upper()
    if is_dir:
        return _NOT_D_CHARACTER.sub("_", upper)[:_ISO_NAME_MAX] or "_"
    base, dot, extension = upper.rpartition(".")
    if not dot:
        base, extension = upper, ""
    # Whole extensions (level 3 allows 30 characters): a reader without Rock Ridge or Joliet
    # then shows meta_data.json, not meta_data.jso.
    base = _NOT_D_CHARACTER.sub("_", base)
    extension = _NOT_D_CHARACTER.sub("_", extension)[:8]
    base = base[: _ISO_NAME_MAX - len(extension) - 1] or "_"
    return f"{base}.{extension}"


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    base, dot, extension = name.rpartition(".")
    if not dot:
        base, extension = name, ""
    for counter in range(1, 100_000):
        suffix = f"_{counter}"
        candidate_base = base[: _ISO_NAME_MAX - len(extension) - 1 - len(suffix)] + suffix
        candidate = f"{candidate_base}.{extension}" if dot else candidate_base
        if candidate not in taken:
            return candidate
    raise ValueError(f"too many files named like {name!r} in one folder")


# pycdlib stamps every record with time.time() and converts it with time.localtime(); both make
# images differ between runs and time zones. Its modules get a clock that reads the pinned
# timestamp and always converts in UTC.
_pinned: contextvars.ContextVar[int | None] = contextvars.ContextVar("pinned", default=None)


class _PinnedClock:
    """time's functions, but reading the pinned timestamp and converting in UTC while pinned.

    pycdlib converts the same instant a few hundred times per image; the conversion is
    cached, which makes dates a sixth of the build time instead of a fifth.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def time() -> float:
        pinned = _pinned.get()
        return float(pinned) if pinned is not None else time.time()

    @staticmethod
    def localtime(seconds: float | None = None) -> struct_time:
        pinned = _pinned.get()
        if pinned is None:
            return time.localtime(seconds)
        return _utc(pinned if seconds is None else seconds)

    @staticmethod
    def gmtime(seconds: float | None = None) -> struct_time:
        pinned = _pinned.get()
        if pinned is None:
            return time.gmtime(seconds)
        return _utc(pinned if seconds is None else seconds)


@functools.lru_cache(maxsize=8)
def _utc(seconds: float) -> struct_time:
    return time.gmtime(seconds)


def _install_clock() -> None:
    import pycdlib.dates
    import pycdlib.headervd
    import pycdlib.pycdlib
    import pycdlib.utils

    clock = _PinnedClock()
    for module in (pycdlib.pycdlib, pycdlib.headervd, pycdlib.dates, pycdlib.utils):
        module.time = clock  # type: ignore[attr-defined]


_install_clock()


@contextlib.contextmanager
def _pinned_clock(timestamp: int) -> Iterator[None]:
    token = _pinned.set(timestamp)
    try:
        yield
    finally:
        _pinned.reset(token)
