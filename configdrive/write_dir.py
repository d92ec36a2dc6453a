"""Stage 5, as a folder: the drive's tree written out, for seed folders, 9p/virtiofs shares and PXE.

The folder holds exactly the names and bytes the image would (cloud-init reads
/var/lib/cloud/seed/config_drive and seed/nocloud the same way it reads a mounted
drive). It is built beside the target under a temporary name and renamed into
place when complete, so a half-written tree never appears at the target path.
Every timestamp is the pinned one, so two builds give identical trees.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from configdrive import signals
from configdrive.atomic import TEMPORARY_SUFFIX, check_output_folder
from configdrive.errors import OutputError
from configdrive.layout import DriveLayout, FileContent
from configdrive.load import describe_os_error

_COPY_BLOCK = 1 << 20


def check_folder_output(target: Path, *, force: bool) -> None:
    """Fail early when a folder could not be written at `target`."""
    if "\0" in str(target):
        raise OutputError("the name holds a NUL character", repr(str(target)))
    if target.exists() and not target.is_dir():
        raise OutputError("exists and is not a folder; --format dir writes a folder", str(target))
    if target.exists() and not force:
        raise OutputError("exists already; use --force to replace it", str(target))
    check_output_folder(target)


def write_dir(layout: DriveLayout, target: Path, *, force: bool, mode: int, timestamp: int) -> int:
    """Write `layout` as a folder at `target`; return the bytes written.

    Files get `mode`; folders get it with search permission wherever it grants read.
    """
    check_folder_output(target, force=force)
    signals.output_started()
    with _building_folder(target) as building:
        size = _write_tree(layout, building, mode=mode, timestamp=timestamp)
        _move_into_place(building, target, force=force)
    return size


def folder_mode(mode: int) -> int:
    """`mode` for a folder: whoever may read it may also enter it (0600 becomes 0700)."""
    read_bits = mode & 0o444
    return mode | (read_bits >> 2)


@contextlib.contextmanager
def _building_folder(target: Path) -> Iterator[Path]:
    building = target.parent / f".{target.name}.{os.urandom(4).hex()}{TEMPORARY_SUFFIX}"
    try:
        with signals.held():
            building.mkdir(mode=0o700)
    except OSError as error:
        raise OutputError(describe_os_error(error), str(target.parent)) from None
    try:
        yield building
    except OSError as error:
        raise OutputError(describe_os_error(error), str(target)) from None
    finally:
        # On success the folder has been renamed away; on any failure, remove what was built.
        with signals.held():
            shutil.rmtree(building, ignore_errors=True)


def _write_tree(layout: DriveLayout, root: Path, *, mode: int, timestamp: int) -> int:
    folders: set[Path] = set()
    size = 0
    for path, content in layout.files.items():
        target = root / path
        for parent in reversed(target.relative_to(root).parents):
            folder = root / parent
            if folder not in folders and folder != root:
                folder.mkdir(mode=0o700)
                folders.add(folder)
        size += _write_file(target, content)
        target.chmod(mode)
        os.utime(target, (timestamp, timestamp))
    # Folders last, deepest first: writing a file into a folder would move its time again.
    for folder in sorted(folders, key=lambda item: len(item.parts), reverse=True):
        folder.chmod(folder_mode(mode))
        os.utime(folder, (timestamp, timestamp))
    root.chmod(folder_mode(mode))
    os.utime(root, (timestamp, timestamp))
    return size


def _write_file(target: Path, content: bytes | FileContent) -> int:
    with target.open("xb") as stream:
        if isinstance(content, FileContent):
            with content.path.open("rb") as source:
                shutil.copyfileobj(source, stream, _COPY_BLOCK)
            size = content.size
        else:
            stream.write(content)
            size = len(content)
        stream.flush()
        os.fsync(stream.fileno())
    return size


def _move_into_place(building: Path, target: Path, *, force: bool) -> None:
    with signals.held():
        if not target.exists():
            building.rename(target)
            signals.output_in_place()
            return
        if not force:
            raise OutputError("exists already; use --force to replace it", str(target))
        # Two renames: the old tree steps aside, the new one takes its name, then the old goes.
        retired = target.parent / f".{target.name}.{os.urandom(4).hex()}.old"
        target.rename(retired)
        building.rename(target)
        signals.output_in_place()
    shutil.rmtree(retired, ignore_errors=True)
