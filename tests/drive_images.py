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
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pycdlib

from configdrive.layout import DriveLayout
from configdrive.write_iso import _pinned_clock
from configdrive.write_vfat import write_vfat

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
