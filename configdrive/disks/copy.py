"""Copy a disk image the cheap way: its data only, its holes left as holes.

`inject -o OUT` writes to a copy, and a distributor's image is many GB of which a few hundred
MB hold data. Copying only the data extents (lseek SEEK_DATA / SEEK_HOLE) keeps the copy as
sparse as the original and takes seconds, not minutes; `os.copy_file_range` lets the kernel
do it (a reflink on btrfs and XFS), and plain 1 MiB reads and writes take over where it
cannot (another file system, an old kernel, a file system without the call).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

from configdrive.disks.partition_table import human_size
from configdrive.errors import OutputError, describe_os_error

CHUNK = 1024 * 1024
# copy_file_range fails with these where the kernel cannot copy between the two files;
# the chunked copy then does the same work in user space.
NO_KERNEL_COPY = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF}


def data_extents(descriptor: int, size: int) -> list[tuple[int, int]]:
    """The (start, end) byte ranges that hold data; the whole file where holes are unknown."""
    extents = []
    position = 0
    while position < size:
        try:
            start = os.lseek(descriptor, position, os.SEEK_DATA)
        except OSError as error:
            if error.errno == errno.ENXIO:  # only a hole from here to the end
                break
            if error.errno == errno.EINVAL and position == 0:
                return [(0, size)]  # the file system cannot tell holes: copy it all
            raise
        end = min(os.lseek(descriptor, start, os.SEEK_HOLE), size)
        if end <= start:
            break
        extents.append((start, end))
        position = end
    return extents


def space_needed(source: str | os.PathLike[str]) -> int:
    """What a sparse copy of `source` occupies: the blocks it has, not its apparent size."""
    info = Path(source).stat()
    return min(info.st_blocks * 512, info.st_size)


def free_space_check(folder: str | os.PathLike[str], needed: int) -> None:
    """Refuse, before writing, a copy that cannot fit in `folder` (exit 3, one line)."""
    try:
        found = os.statvfs(folder)
    except OSError as error:
        raise OutputError(describe_os_error(error), str(folder)) from None
    free = found.f_bavail * found.f_frsize
    if free < needed:
        raise OutputError(
            f"not enough free space: the copy needs {human_size(needed)}, "
            f"{human_size(free)} is free",
            str(folder),
        )


def sparse_copy(
    source: str | os.PathLike[str],
    target: int | str | os.PathLike[str],
    *,
    chunked: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Copy `source` to `target` (an open descriptor, or a path to create), holes kept.

    The target ends with the source's size; only data extents are written, so whatever
    was a hole stays one. Returns the bytes of data copied. `chunked` skips the kernel's
    copy_file_range (what happens anyway where the kernel cannot copy). `progress` hears
    (bytes done, bytes of data in all) after each piece.
    """
    source_name = str(source)
    try:
        reader = os.open(source_name, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as error:
        raise OutputError(f"cannot read: {describe_os_error(error)}", source_name) from None
    try:
        if isinstance(target, int):
            return _copy(reader, source_name, target, "the copy", chunked, progress)
        target_name = str(target)
        mode = os.fstat(reader).st_mode & 0o777
        try:
            writer = os.open(
                target_name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, mode
            )
        except OSError as error:
            raise OutputError(describe_os_error(error), target_name) from None
        try:
            copied = _copy(reader, source_name, writer, target_name, chunked, progress)
            os.fsync(writer)
        except OSError as error:
            raise OutputError(describe_os_error(error), target_name) from None
        finally:
            os.close(writer)
        return copied
    finally:
        os.close(reader)


def _copy(
    reader: int,
    source_name: str,
    writer: int,
    target_name: str,
    chunked: bool,
    progress: Callable[[int, int], None] | None,
) -> int:
    size = os.fstat(reader).st_size
    try:
        extents = data_extents(reader, size)
        # Truncate to nothing first, then out to the size: every byte not written below is a
        # hole, even where the target held data before.
        os.ftruncate(writer, 0)
        os.ftruncate(writer, size)
    except OSError as error:
        raise OutputError(describe_os_error(error), target_name) from None
    total = sum(end - start for start, end in extents)
    done = 0
    kernel = not chunked and hasattr(os, "copy_file_range")
    for start, end in extents:
        position = start
        while position < end:
            count = min(CHUNK * 64 if kernel else CHUNK, end - position)
            if kernel:
                try:
                    written = os.copy_file_range(reader, writer, count, position, position)
                except OSError as error:
                    if error.errno not in NO_KERNEL_COPY:
                        raise OutputError(describe_os_error(error), target_name) from None
                    kernel = False
                    continue
                if written == 0:  # the source shrank under us
                    raise OutputError("changed while it was being copied", source_name)
            else:
                written = _copy_chunk(reader, source_name, writer, target_name, position, count)
            position += written
            done += written
            if progress is not None:
                progress(done, total)
    return done


def _copy_chunk(
    reader: int, source_name: str, writer: int, target_name: str, position: int, count: int
) -> int:
    try:
        chunk = os.pread(reader, count, position)
    except OSError as error:
        raise OutputError(f"cannot read: {describe_os_error(error)}", source_name) from None
    if not chunk:
        raise OutputError("changed while it was being copied", source_name)
    if chunk.count(0) == len(chunk):
        return len(chunk)  # zeros written as data: leave the target's hole, same bytes
    try:
        view = memoryview(chunk)
        while view:
            view = view[os.pwrite(writer, view, position + len(chunk) - len(view)) :]
    except OSError as error:
        raise OutputError(describe_os_error(error), target_name) from None
    return len(chunk)
