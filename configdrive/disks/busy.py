"""Who else may be writing a disk image: refuse to inject into an image a VM is running on.

Writing a file system that a running guest has mounted corrupts it for both, so `inject`
asks first. Linux answers through /proc, without privileges for our own processes and
without blocking: a process holds the image for writing if

- one of its descriptors (/proc/PID/fd/N, matched by device and inode, so renames and other
  names of the same file count) was opened O_WRONLY or O_RDWR: the `flags:` line of
  /proc/PID/fdinfo/N, in octal (fs/proc/fd.c, seq_show);
- it holds a write lock on the file (POSIX, flock or OFD): the `lock:` lines of that fdinfo
  file, or /proc/locks for locks whose owner pid the kernel records (fs/locks.c,
  lock_get_status);
- it holds QEMU's "I have write permission" lock: QEMU locks byte RAW_LOCK_PERM_BASE + i for
  each permission bit i it holds (qemu block/file-posix.c, RAW_LOCK_PERM_BASE 100), and
  BLK_PERM_WRITE is bit 1 (include/block/block-common.h), so byte 101. These are shared
  (READ) OFD locks: a write-lock test alone would miss every running QEMU.

Entries that vanish or cannot be read (other users' processes) are skipped silently: the
check reports what this user can see, which covers the user's own VMs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
QEMU_WRITE_PERMISSION_BYTE = 101  # RAW_LOCK_PERM_BASE (100) + bit of BLK_PERM_WRITE (0x02)


@dataclass(frozen=True)
class Holder:
    """A process that may write the image, and why we think so."""

    pid: int
    command: str  # /proc/PID/comm: the program's name, at most 15 characters
    how: str  # "open for writing", "write lock", "QEMU write permission", joined by ", "


@dataclass(frozen=True)
class _Lock:
    kind: str  # POSIX, FLOCK, OFDLCK, LEASE, ...
    write: bool
    pid: int  # -1 for OFD locks: the kernel keeps no owning process
    device: tuple[int, int]
    inode: int
    start: int
    end: int | None  # None: to the end of the file


def open_for_writing(path: str | os.PathLike[str]) -> list[Holder]:
    """Every other process holding `path` open for writing or write-locked, by pid."""
    try:
        target = Path(path).stat()
    except OSError:
        return []
    identity = (target.st_dev, target.st_ino)
    device = (os.major(target.st_dev), os.minor(target.st_dev))
    reasons: dict[int, list[str]] = {}
    own = os.getpid()
    for pid in _pids():
        if pid == own:
            continue
        for descriptor in _descriptors(pid):
            try:
                held = (PROC / str(pid) / "fd" / descriptor).stat()
            except OSError:
                continue  # closed meanwhile, or not ours to see
            if (held.st_dev, held.st_ino) != identity:
                continue
            flags, locks = _fdinfo(pid, descriptor)
            if flags is not None and flags & os.O_ACCMODE in (os.O_WRONLY, os.O_RDWR):
                _add(reasons, pid, "open for writing")
            for lock in locks:
                _add_lock_reason(reasons, pid, lock)
    for lock in _proc_locks():
        if (
            lock.pid > 0
            and lock.pid != own
            and (lock.device, lock.inode) == (device, target.st_ino)
        ):
            _add_lock_reason(reasons, lock.pid, lock)
    return [
        Holder(pid=pid, command=_command(pid), how=", ".join(how))
        for pid, how in sorted(reasons.items())
    ]


def describe(holders: list[Holder]) -> str:
    """Holders as one clause: "qemu-system-x86 (pid 4242, open for writing)"."""
    return "; ".join(f"{h.command or '?'} (pid {h.pid}, {h.how})" for h in holders)


def _add(reasons: dict[int, list[str]], pid: int, reason: str) -> None:
    found = reasons.setdefault(pid, [])
    if reason not in found:
        found.append(reason)


def _add_lock_reason(reasons: dict[int, list[str]], pid: int, lock: _Lock) -> None:
    if lock.write:
        _add(reasons, pid, "write lock")
    elif lock.start <= QEMU_WRITE_PERMISSION_BYTE and (
        lock.end is None or lock.end >= QEMU_WRITE_PERMISSION_BYTE
    ):
        _add(reasons, pid, "QEMU write permission")


def _pids() -> list[int]:
    try:
        return sorted(int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit())
    except OSError:
        return []


def _descriptors(pid: int) -> list[str]:
    try:
        return [entry.name for entry in (PROC / str(pid) / "fd").iterdir()]
    except OSError:
        return []


def _fdinfo(pid: int, descriptor: str) -> tuple[int | None, list[_Lock]]:
    """The open flags of one descriptor and the locks held through it."""
    try:
        text = (PROC / str(pid) / "fdinfo" / descriptor).read_text(errors="replace")
    except OSError:
        return None, []
    flags: int | None = None
    locks = []
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key == "flags":
            try:
                flags = int(value.strip(), 8)
            except ValueError:
                flags = None
        elif key == "lock":
            lock = _parse_lock(value)
            if lock is not None:
                locks.append(lock)
    return flags, locks


def _proc_locks() -> list[_Lock]:
    try:
        text = (PROC / "locks").read_text(errors="replace")
    except OSError:
        return []
    locks = []
    for line in text.splitlines():
        lock = _parse_lock(line)
        if lock is not None:
            locks.append(lock)
    return locks


def _parse_lock(line: str) -> _Lock | None:
    """One lock line: `1: POSIX  ADVISORY  WRITE 1234 fe:00:2163421 0 EOF`.

    Waiters (`1: -> POSIX ...`) are skipped: they hold nothing yet.
    """
    fields = line.split()
    if fields and fields[0].endswith(":"):
        fields = fields[1:]
    if not fields or fields[0] == "->" or len(fields) < 7:
        return None
    kind, _mode, access, pid_text, where, start_text, end_text = fields[:7]
    try:
        major, minor, inode_text = where.split(":")
        return _Lock(
            kind=kind,
            write=access == "WRITE",
            pid=int(pid_text),
            device=(int(major, 16), int(minor, 16)),
            inode=int(inode_text),
            start=int(start_text),
            end=None if end_text == "EOF" else int(end_text),
        )
    except ValueError:
        return None


def _command(pid: int) -> str:
    try:
        return (PROC / str(pid) / "comm").read_text(errors="replace").strip()
    except OSError:
        return ""
