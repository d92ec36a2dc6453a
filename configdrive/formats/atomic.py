"""Writing an output file so that it appears whole or not at all.

The drive is written to a temporary file in the target's own folder and moved
into place only once complete and synced; an error or an interrupt removes the
temporary file, so a half-written drive never appears at the target path.

The temporary file is named `.<target name>.<8 random characters>.partial` and is
readable by its owner alone until it is complete. Only SIGKILL (or a crash) can leave
one behind; the name says whose it is, so the user can remove it.

Only a regular file is ever replaced (with --force). A device, a FIFO, a socket or a
symbolic link at the target is refused, with or without --force: `-o /dev/sdX --force`
must not turn a disk's node into a file, and a link is neither followed (it could point
anywhere) nor replaced (whatever relies on it would silently lose it).
"""

from __future__ import annotations

import base64
import contextlib
import errno
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from configdrive.errors import OutputError, UsageError, describe_os_error
from configdrive.formats import signals
from configdrive.problems import Problem, Severity

TEMPORARY_SUFFIX = ".partial"
_PRIVATE_MODE = 0o600
# What --mode may set: read, write and search bits. Setuid, setgid and sticky mean nothing
# on a drive image, and a setuid file anyone can write is a gift to an attacker.
PERMISSION_BITS = 0o777


def check_output(target: Path, *, force: bool) -> None:
    """Fail early, before any work, when the drive could not be written to `target`."""
    if "\0" in str(target):
        raise OutputError("the name holds a NUL character", repr(str(target)))
    info = lstat_or_none(target)
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise OutputError("is a folder; give a file name for the drive", str(target))
        refuse_unless_regular(target, info)
        if not force:
            raise OutputError("exists already; use --force to replace it", str(target))
    check_output_folder(target)


def lstat_or_none(path: Path) -> os.stat_result | None:
    """`path`'s own status (a link is not followed), or None when there is nothing there.

    Any other failure (a parent that is a file, a name too long) is left for the checks of
    the folder, or for the write itself, to report in their words.
    """
    try:
        return path.lstat()
    except OSError:
        return None


def refuse_unless_regular(target: Path, info: os.stat_result) -> None:
    """Refuse to replace anything but a regular file (a folder is the caller's to judge)."""
    kind = nonregular_kind(info.st_mode)
    if kind is None:
        return
    if stat.S_ISLNK(info.st_mode):
        raise OutputError(
            "is a symbolic link; a drive replaces only a regular file, never a link nor what "
            "it points to: give the path it points to, or remove the link",
            str(target),
        )
    if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
        raise OutputError(
            f"is a {kind}; mkconfigdrive writes drives to regular files only and never to a "
            "device: write the drive to a file, then copy it to the device (dd, virt-resize)",
            str(target),
        )
    raise OutputError(f"is a {kind}; a drive replaces only a regular file", str(target))


def nonregular_kind(mode: int) -> str | None:
    """What a file of `mode` is, in words, when it is neither a regular file nor a folder."""
    kinds = (
        (stat.S_ISLNK, "symbolic link"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISFIFO, "named pipe (FIFO)"),
        (stat.S_ISSOCK, "socket"),
    )
    for test, kind in kinds:
        if test(mode):
            return kind
    return None if stat.S_ISREG(mode) or stat.S_ISDIR(mode) else "special file"


def check_mode(mode: int, *, shown: str | None = None) -> None:
    """Refuse a drive mode with more than permission bits (setuid, setgid, sticky)."""
    given = shown if shown is not None else f"{mode:04o}"
    if not 0 <= mode <= 0o7777:
        raise UsageError(f"--mode {given!r} is not an octal file mode such as 0600")
    special = ((stat.S_ISUID, "setuid"), (stat.S_ISGID, "setgid"), (stat.S_ISVTX, "sticky"))
    extra = [name for bit, name in special if mode & bit]
    if extra:
        named = ", ".join(extra[:-1]) + " and " + extra[-1] if len(extra) > 1 else extra[0]
        bits = f"{named} bit{'s' if len(extra) > 1 else ''}"
        raise UsageError(
            f"--mode {given!r} sets the {bits}; a drive takes permission bits only "
            f"(0 to {PERMISSION_BITS:04o}, such as 0600 or 0640)"
        )


def mode_warnings(mode: int) -> tuple[Problem, ...]:
    """A warning when any user of the machine may read or change the drive.

    The drive holds the user data, keys and passwords the VM is given: 0600 (the default)
    or 0640 keep it to its owner or its group.
    """
    granted = [word for bit, word in ((0o004, "read"), (0o002, "change")) if mode & bit]
    if not granted:
        return ()
    return (
        Problem(
            f"--mode {mode:04o}",
            f"any user of this machine may {' and '.join(granted)} the drive, which holds "
            "secrets (user data, passwords, keys); 0600 or 0640 keep it to its owner or group",
            severity=Severity.WARNING,
        ),
    )


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
def atomic_output(
    target: Path, *, force: bool, mode: int, durable: bool = True
) -> Iterator[BinaryIO]:
    """A stream whose content replaces `target` only when the block ends without error.

    `durable`: the file is fsynced before it takes its name and the folder after, so a crash
    leaves the old drive or the whole new one. Without it, a crash may leave an empty or
    partial file under the name (for scratch space and tmpfs, where nothing survives anyway).
    """
    check_mode(mode)
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
            if durable:
                os.fsync(stream.fileno())
            # The requested mode only now: a partial drive (user data, passwords) stays private.
            os.fchmod(stream.fileno(), mode)
        _place(temporary, target, force=force, durable=durable)
    except OSError as error:
        _remove_quietly(temporary)
        raise OutputError(describe_os_error(error), str(target)) from None
    except BaseException:
        # KeyboardInterrupt and friends too: never leave the partial file behind.
        _remove_quietly(temporary)
        raise


@contextlib.contextmanager
def atomic_path(target: Path, *, force: bool, mode: int) -> Iterator[Path]:
    """A new private file beside `target`, for another program to fill by name (a disk image
    the libguestfs appliance edits); it replaces `target` only when the block ends without
    error, synced first, else it is removed."""
    check_mode(mode)
    check_output(target, force=force)
    signals.output_started()
    temporary: Path | None = None
    try:
        with signals.held():
            temporary, fd = _create_temporary(target)
        os.close(fd)
    except OSError as error:
        raise OutputError(describe_os_error(error), str(target.parent)) from None
    except BaseException:
        if temporary is not None:
            _remove_quietly(temporary)
        raise
    try:
        yield temporary
        fd = os.open(temporary, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
        _place(temporary, target, force=force)
    except OSError as error:
        _remove_quietly(temporary)
        raise OutputError(describe_os_error(error), str(target)) from None
    except BaseException:
        _remove_quietly(temporary)
        raise


def _place(temporary: Path, target: Path, *, force: bool, durable: bool = True) -> None:
    """Give the finished temporary file its name (durably: the folder is synced after)."""
    with signals.held():  # a stop signal lands before the rename or after it, never within
        _move_into_place(temporary, target, force=force)
        signals.output_in_place()
    if durable:
        sync_folder(target.parent)


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
        # Checked again: a device or link may have taken the name while the drive was written.
        # (A swap between this look and the rename is still possible; rename() itself never
        # writes into what it replaces, so at worst a link or node loses its name.)
        info = lstat_or_none(target)
        if info is not None and not stat.S_ISREG(info.st_mode):
            if stat.S_ISDIR(info.st_mode):
                raise OutputError("is a folder; give a file name for the drive", str(target))
            refuse_unless_regular(target, info)
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


def sync_folder(folder: Path) -> None:
    """fsync a folder, so a rename in it survives a crash (where the file system can)."""
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
