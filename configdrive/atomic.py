"""Writing an output file so that it appears whole or not at all.

The drive is written to a temporary file in the target's own folder and moved
into place only once complete and synced; an error or an interrupt removes the
temporary file, so a half-written drive never appears at the target path.

The temporary file is named `.<target name>.<8 random characters>.partial` and is
readable by its owner alone until it is complete. Only SIGKILL (or a crash) can leave
one behind; the name says whose it is, so the user can remove it.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from configdrive import signals
from configdrive.errors import OutputError
from configdrive.load import describe_os_error

TEMPORARY_SUFFIX = ".partial"
_PRIVATE_MODE = 0o600


def check_output(target: Path, *, force: bool) -> None:
    """Fail early, before any work, when the drive could not be written to `target`."""
    if "\0" in str(target):
        raise OutputError("the name holds a NUL character", repr(str(target)))
    if target.is_dir():
        raise OutputError("is a folder; give a file name for the drive", str(target))
    if target.exists() and not force:
        raise OutputError("exists already; use --force to replace it", str(target))
    check_output_folder(target)


def check_output_folder(target: Path) -> None:
    """The folder `target` goes in exists, is a folder, and can be written to."""
    parent = target.parent
    if parent.exists() and not parent.is_dir():
        raise OutputError("is not a folder", str(parent))
    if not parent.is_dir():
        raise OutputError("the folder does not exist", str(parent))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError("the folder is not writable", str(parent))


@contextlib.contextmanager
def atomic_output(target: Path, *, force: bool, mode: int) -> Iterator[BinaryIO]:
    """A stream whose content replaces `target` only when the block ends without error."""
    check_output(target, force=force)
    signals.output_started()
    temporary: Path | None = None
    try:
        # Held, so that an interrupt lands before the file exists or after its name is known.
        with signals.held():
            temporary, fd = _create_temporary(target)
    except OSError as error:
        raise OutputError(describe_os_error(error), str(target.parent)) from None
    except BaseException:
        if temporary is not None:
            _remove_quietly(temporary)
        raise
    try:
        with os.fdopen(fd, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
            # The requested mode only now: a partial drive (user data, passwords) stays private.
            os.fchmod(stream.fileno(), mode)
        with signals.held():  # a stop signal lands before the rename or after it, never within
            _move_into_place(temporary, target, force=force)
            signals.output_in_place()
        _sync_folder(target.parent)
    except OSError as error:
        _remove_quietly(temporary)
        raise OutputError(describe_os_error(error), str(target)) from None
    except BaseException:
        # KeyboardInterrupt and friends too: never leave the partial file behind.
        _remove_quietly(temporary)
        raise


def temporary_name_pattern(target: Path) -> re.Pattern[str]:
    """What the names of `target`'s temporary files look like (a leftover can be recognised)."""
    return re.compile(rf"\.{re.escape(target.name)}\.[a-z0-9]{{8}}{re.escape(TEMPORARY_SUFFIX)}")


def _create_temporary(target: Path) -> tuple[Path, int]:
    """A new file beside `target`, readable and writable by its owner only, and its descriptor."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    for _attempt in range(100):
        # 8 characters of [a-z2-7]; os.urandom spares importing `secrets` (3 ms a run).
        token = base64.b32encode(os.urandom(5)).decode().lower()
        temporary = target.parent / f".{target.name}.{token}{TEMPORARY_SUFFIX}"
        try:
            fd = os.open(temporary, flags, _PRIVATE_MODE)
        except FileExistsError:
            continue  # someone else's file (a leftover of a killed run): never touch it
        try:
            os.fchmod(fd, _PRIVATE_MODE)  # whatever the umask let through
        except OSError:
            os.close(fd)
            _remove_quietly(temporary)
            raise
        return temporary, fd
    raise FileExistsError(errno.EEXIST, "cannot find a free temporary file name")


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


def _remove_quietly(path: Path) -> None:
    with signals.held(), contextlib.suppress(FileNotFoundError):
        path.unlink()
