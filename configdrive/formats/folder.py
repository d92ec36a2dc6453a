"""Stage 5, as a folder: the drive's tree written out, for seed folders, 9p/virtiofs shares and PXE.

The folder holds exactly the names and bytes the image would (cloud-init reads
/var/lib/cloud/seed/config_drive and seed/nocloud the same way it reads a mounted
drive). It is built beside the target under a temporary name and renamed into
place when complete, so a half-written tree never appears at the target path.
Every timestamp is the pinned one, so two builds give identical trees.

`--force` replaces only a folder it recognises as a drive (see `is_drive_folder`): a
typo such as `-o ~ --force` must not remove a home folder. A symbolic link at the target
is refused, even one to a drive folder: following it would remove a tree somewhere else,
and replacing it would silently break whatever relies on the link.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from configdrive.errors import OutputError, describe_os_error
from configdrive.formats import signals
from configdrive.formats.atomic import (
    TEMPORARY_SUFFIX,
    check_mode,
    check_output_folder,
    lstat_or_none,
    nonregular_kind,
)
from configdrive.layouts.drive_layout import DriveLayout, FileContent

_COPY_BLOCK = 1 << 20
# What a drive folder holds at its top: config-2's trees, or a NoCloud seed's files; and
# the file that tells each apart from any other folder holding such names.
_CONFIG_DRIVE_NAMES = frozenset({"openstack", "ec2"})
_CONFIG_DRIVE_MARK: tuple[str, ...] = ("openstack", "latest", "meta_data.json")
_NOCLOUD_NAMES = frozenset({"meta-data", "user-data", "vendor-data", "network-config"})
_NOCLOUD_MARK: tuple[str, ...] = ("meta-data",)
# A drive holds some 50 entries and one per injected file; a folder with more than this
# is not one (and looking at it stays cheap).
MAX_DRIVE_FOLDER_ENTRIES = 100_000


def check_folder_output(target: Path, *, force: bool) -> None:
    """Fail early when a folder could not be written at `target`."""
    if "\0" in str(target):
        raise OutputError("the name holds a NUL character", repr(str(target)))
    info = lstat_or_none(target)
    if info is not None:
        _check_replaceable(target, info, force=force)
    check_output_folder(target)


def _check_replaceable(target: Path, info: os.stat_result, *, force: bool) -> None:
    """Refuse to replace `target` unless it is a drive folder and --force was given."""
    if stat.S_ISLNK(info.st_mode):
        raise OutputError(
            "is a symbolic link; --format dir replaces only a drive folder, never a link nor "
            "what it points to: give the path it points to, or remove the link",
            str(target),
        )
    if not stat.S_ISDIR(info.st_mode):
        kind = nonregular_kind(info.st_mode)
        what = f"is a {kind}" if kind else "exists and is not a folder"
        raise OutputError(f"{what}; --format dir writes a folder", str(target))
    if not force:
        raise OutputError("exists already; use --force to replace it", str(target))
    if not is_drive_folder(target):
        raise OutputError(
            "is a folder but no drive (a drive folder holds config-2's openstack/ and ec2/, or "
            "NoCloud's meta-data and its files, and nothing else); --force replaces only a "
            "drive folder or an empty one: choose another name, or remove the folder yourself",
            str(target),
        )


def is_drive_folder(folder: Path) -> bool:
    """Whether `folder` is a drive written as a folder, or empty: safe for --force to remove.

    At its top only the names of one layout, with that layout's meta data a regular file;
    below, only folders and regular files, all on the folder's own file system (removing
    the tree never reaches into a mount or through a link), at most
    MAX_DRIVE_FOLDER_ENTRIES of them. Nothing is followed and nothing is read.
    """
    try:
        top = set()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name not in _CONFIG_DRIVE_NAMES | _NOCLOUD_NAMES:
                    return False
                top.add(entry.name)
        if not top:
            return True
        if top <= _CONFIG_DRIVE_NAMES:
            mark = _CONFIG_DRIVE_MARK
        elif top <= _NOCLOUD_NAMES:
            mark = _NOCLOUD_MARK
        else:
            return False
        if not stat.S_ISREG(folder.joinpath(*mark).lstat().st_mode):
            return False
        return _only_files_and_folders(folder)
    except OSError:
        return False


def _only_files_and_folders(folder: Path) -> bool:
    device = folder.lstat().st_dev
    pending = [folder]
    seen = 0
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                seen += 1
                if seen > MAX_DRIVE_FOLDER_ENTRIES:
                    return False
                info = entry.stat(follow_symlinks=False)
                if info.st_dev != device:
                    return False
                if stat.S_ISDIR(info.st_mode):
                    pending.append(Path(entry.path))
                elif not stat.S_ISREG(info.st_mode):
                    return False
    return True


def write_dir(
    layout: DriveLayout,
    target: Path,
    *,
    force: bool,
    mode: int,
    timestamp: int,
    durable: bool = True,
) -> int:
    """Write `layout` as a folder at `target`; return the bytes written.

    `durable`: every file is fsynced before the folder takes its name.

    Files get `mode`; folders get it with search permission wherever it grants read.
    """
    check_mode(mode)
    check_folder_output(target, force=force)
    signals.output_started()
    with building_folder(target) as building:
        size = _write_tree(layout, building, mode=mode, timestamp=timestamp, durable=durable)
        _move_into_place(building, target, force=force)
    return size


def folder_mode(mode: int) -> int:
    """`mode` for a folder: whoever may read it may also enter it (0600 becomes 0700)."""
    read_bits = mode & 0o444
    return mode | (read_bits >> 2)


@contextlib.contextmanager
def building_folder(target: Path) -> Iterator[Path]:
    """A new private folder beside `target` to build a tree in; removed unless renamed away.
    An OSError inside becomes an OutputError naming `target`."""
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
            remove_tree(building)


def remove_tree(folder: Path) -> None:
    """Remove a tree this module wrote (or recognised as a drive), whatever its modes.

    Its folders may lack write permission (--mode 0400 gives them 0500), which would stop
    rmtree for anyone but root and leave the tree behind: they get it back first. Links are
    never followed (os.walk lists a link to a folder as a name, and rmtree removes the link).
    """
    if folder.is_symlink() or not folder.is_dir():
        with contextlib.suppress(FileNotFoundError):
            folder.unlink()
        return
    with contextlib.suppress(OSError):
        folder.chmod(0o700)
    # Top down: each folder is opened up before the walk goes into it.
    for root, folders, _files in os.walk(folder):
        for name in folders:
            inner = Path(root, name)
            if not inner.is_symlink():
                with contextlib.suppress(OSError):
                    inner.chmod(0o700)
    shutil.rmtree(folder, ignore_errors=True)


def _write_tree(
    layout: DriveLayout, root: Path, *, mode: int, timestamp: int, durable: bool
) -> int:
    folders: set[Path] = set()
    size = 0
    for path, content in layout.files.items():
        target = root / path
        for parent in reversed(target.relative_to(root).parents):
            folder = root / parent
            if folder not in folders and folder != root:
                folder.mkdir(mode=0o700)
                folders.add(folder)
        size += _write_file(target, content, durable=durable)
        target.chmod(mode)
        os.utime(target, (timestamp, timestamp))
    # Folders last, deepest first: writing a file into a folder would move its time again.
    for folder in sorted(folders, key=lambda item: len(item.parts), reverse=True):
        folder.chmod(folder_mode(mode))
        os.utime(folder, (timestamp, timestamp))
    root.chmod(folder_mode(mode))
    os.utime(root, (timestamp, timestamp))
    return size


def _write_file(target: Path, content: bytes | FileContent, *, durable: bool) -> int:
    with target.open("xb") as stream:
        if isinstance(content, FileContent):
            content.copy_to(stream, _COPY_BLOCK)
            size = content.size
        else:
            stream.write(content)
            size = len(content)
        stream.flush()
        if durable:
            os.fsync(stream.fileno())
    return size


def _move_into_place(building: Path, target: Path, *, force: bool) -> None:
    def replaceable(target: Path) -> None:
        info = lstat_or_none(target)
        if info is not None:
            _check_replaceable(target, info, force=force)

    swap_into_place(building, target, check=replaceable)


def swap_into_place(building: Path, target: Path, *, check: Callable[[Path], None]) -> None:
    """Give the finished folder `building` the name `target`, whole: what was there steps
    aside, the new tree takes its name, then the old tree goes (back, if the rename fails).

    `check` looks at `target` again first (raising if it may not be replaced): something
    may have taken the name while the tree was being written.
    """
    check(target)
    retired: Path | None = None
    with signals.held():
        if lstat_or_none(target) is not None and not is_empty_folder(target):
            retired = target.parent / f".{target.name}.{os.urandom(4).hex()}.old"
            target.rename(retired)
        try:
            building.rename(target)  # rename() replaces an empty folder, atomically
        except OSError:
            if retired is not None:
                retired.rename(target)  # the old tree back in its place
            raise
        signals.output_in_place()
    if retired is not None:
        with signals.held():
            remove_tree(retired)


def is_empty_folder(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except OSError:
        return False
