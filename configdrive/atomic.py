"""Writing an output file so that it appears whole or not at all.

The drive is written to a temporary file in the target's own folder and moved
into place only once complete and synced; an error or an interrupt removes the
temporary file, so a half-written drive never appears at the target path.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from configdrive.errors import OutputError
from configdrive.load import describe_os_error


def check_output(target: Path, *, force: bool) -> None:
    """Fail early, before any work, when the drive could not be written to `target`."""
    if target.is_dir():
        raise OutputError("is a folder; give a file name for the drive", str(target))
    if target.exists() and not force:
        raise OutputError("exists already; use --force to replace it", str(target))
    parent = target.parent
    if not parent.is_dir():
        raise OutputError("the folder does not exist", str(parent))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError("the folder is not writable", str(parent))


@contextlib.contextmanager
def atomic_output(target: Path, *, force: bool, mode: int) -> Iterator[BinaryIO]:
    """A stream whose content replaces `target` only when the block ends without error."""
    check_output(target, force=force)
    try:
        fd, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".partial", dir=target.parent
        )
    except OSError as error:
        raise OutputError(describe_os_error(error), str(target.parent)) from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        _move_into_place(Path(temporary), target, force=force)
        _sync_folder(target.parent)
    except OSError as error:
        _remove_quietly(temporary)
        raise OutputError(describe_os_error(error), str(target)) from None
    except BaseException:
        # KeyboardInterrupt and friends too: never leave the partial file behind.
        _remove_quietly(temporary)
        raise


def _move_into_place(temporary: Path, target: Path, *, force: bool) -> None:
    if force:
        temporary.replace(target)
        return
    # link() fails if the target appeared meanwhile, so a racing writer is never clobbered.
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise OutputError("exists already; use --force to replace it", str(target)) from None
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        # A file system without hard links: the window between check and rename is tiny.
        if target.exists():
            raise OutputError("exists already; use --force to replace it", str(target)) from None
        temporary.replace(target)
        return
    temporary.unlink()


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the data itself is synced
    finally:
        os.close(fd)


def _remove_quietly(path: str | Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        Path(path).unlink()
