"""`extract`: a drive's files written to a folder, with the names a Linux mount shows.

Whatever the image holds, nothing is written outside the folder: names that are `.`, `..`,
empty or hold `/` or NUL are refused; every file is created relative to an open folder
descriptor, with O_NOFOLLOW and O_EXCL, inside a new temporary folder that is renamed into
place at the end; symbolic links are never created: one that resolves to a file or folder
inside the drive is written as a copy of it (what a reader reading through it gets), any
other is left out with a warning.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from configdrive.drives.drive import Drive, DriveView, Entry, open_drive
from configdrive.errors import InvalidInputError, OutputError, UsageError, describe_os_error
from configdrive.problems import Problem, Severity, errors_in, sorted_problems

FILE_MODE = 0o600  # the drive carries secrets (user data, passwords): so do its files
FOLDER_MODE = 0o700
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
_NOT_TEXT = "not extracted: the name is not valid text"
# Copies of linked folders nest at most this deep (a crafted drive could link in circles).
MAX_LINK_DEPTH = 8
# Folders nest at most this deep in what extract writes (a drive's own tree, or copies of
# linked folders inside it), as deep as the ISO reader reads (read_drive.MAX_DEPTH; it
# refuses deeper drives): copies of linked folders are what can nest further here.
# Configuration is a few levels deep; anything deeper is reported, never dropped.
MAX_FOLDER_DEPTH = 64
# The default byte budget: this many times the (unpacked) image, plus MAX_BYTES_MARGIN.
# Every name is written out in full, shared data or not, and honest drives share: ours
# store identical files once (write_iso's hard links), so user_data is named 12 times on
# a config-2 drive (10 openstack versions, 2 ec2), and no drive we build writes more than
# 12 times its size. 16 leaves room for writers with more version folders; the margin is
# for drives of mostly empty files. A drive past it names its data far more often than
# any writer does (200 names sharing one 8 MiB extent would be 1.6 GiB).
MAX_BYTES_MULTIPLE = 16
MAX_BYTES_MARGIN = 1 << 20
# A size as people write it: bytes, K/M/G/T or KiB/MiB/GiB/TiB (powers of 1024, as coreutils
# reads K and KiB), kB/MB/GB/TB (powers of 1000).
_SIZE = re.compile(r"^([0-9]{1,24}(?:\.[0-9]{1,9})?)\s*(?:([kmgt])(ib|b)?|b)?$", re.IGNORECASE)
_UNITS = {"k": 1, "m": 2, "g": 3, "t": 4}


@dataclass
class ExtractResult:
    """What extract wrote, and what it left out and why."""

    drive: Path
    folder: Path
    names_from: str
    files: int = 0
    folders: int = 0
    size: int = 0
    # The most this extraction could write (--max-bytes, or the default for the image).
    max_bytes: int = 0
    copied_links: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing was refused as unsafe."""
        return not errors_in(self.problems)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "ok": self.ok,
            "drive": str(self.drive),
            "folder": str(self.folder),
            "names_from": self.names_from,
            "files": self.files,
            "folders": self.folders,
            "size": self.size,
            "max_bytes": self.max_bytes,
            "copied_links": self.copied_links,
            "problems": [problem.to_json() for problem in self.problems],
        }


def extract_drive(
    drive: str | os.PathLike[str],
    folder: str | os.PathLike[str],
    *,
    max_bytes: int | None = None,
) -> ExtractResult:
    """Write every file of the drive into `folder`, which must be new or empty.

    At most `max_bytes` bytes of file data are written (default: default_max_bytes of the
    unpacked image); a drive whose names add up to more is refused (InvalidInputError)
    before anything is written, and `folder` is left as it was.
    """
    if max_bytes is not None and max_bytes <= 0:
        raise UsageError(f"--max-bytes must be more than 0, not {max_bytes}; {_SIZE_HINT}")
    target = Path(folder)
    _check_target(target)
    with open_drive(drive) as opened:
        view = opened.view
        limit = max_bytes if max_bytes is not None else default_max_bytes(opened.size)
        result = ExtractResult(Path(drive), target, view.tree.source, max_bytes=limit)
        for entry, reason in view.unsafe:
            result.problems.append(Problem(entry.path, f"not extracted: {reason}"))
        plan = _plan(view, result)
        planned = sum(write.entry.size for write in plan if write.entry.kind == "file")
        if planned > limit:
            raise _over_budget(result, planned, max_bytes is None, opened)
        try:
            scratch = Path(
                tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
            )
        except OSError as error:
            raise OutputError(describe_os_error(error), str(target.parent)) from None
        try:
            _write_plan(opened, plan, scratch, result)
            # rename() replaces a missing or empty folder: the result appears whole.
            scratch.rename(target)
        except OSError as error:
            shutil.rmtree(scratch, ignore_errors=True)
            raise OutputError(describe_os_error(error), str(target)) from None
        except _OverBudget:
            shutil.rmtree(scratch, ignore_errors=True)
            raise _over_budget(result, None, max_bytes is None, opened) from None
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
    result.problems = sorted_problems(result.problems)
    return result


def default_max_bytes(image_size: int) -> int:
    """What extract writes at most from an image of `image_size` bytes (unpacked)."""
    return MAX_BYTES_MULTIPLE * image_size + MAX_BYTES_MARGIN


_SIZE_HINT = "give a size in bytes, or with a suffix: 500MiB, 2GiB"


def parse_size(text: str) -> int:
    """A size such as `64MiB`, `2G`, `1.5GiB`, `100MB` or `4096`, in bytes (UsageError if not).

    K, M, G, T and KiB... TiB are powers of 1024 (as coreutils reads them); kB, MB, GB and
    TB powers of 1000.
    """
    match = _SIZE.match(text.strip())
    if match is None:
        raise UsageError(f"--max-bytes {text!r} is not a size; {_SIZE_HINT}")
    number, unit, suffix = match.groups()
    base = 1000 if suffix is not None and suffix.lower() == "b" else 1024
    scale: int = base ** _UNITS[unit.lower()] if unit else 1
    whole, _, fraction = number.partition(".")
    # Exact arithmetic: 1.1GiB is not a float's guess.
    places: int = 10 ** len(fraction)
    size = int(whole + fraction) * scale // places
    if size <= 0:
        # 0 is not "no limit": nothing could be written. A user who trusts the image gives
        # a size to match it.
        raise UsageError(f"--max-bytes must be more than 0; {_SIZE_HINT}")
    return size


class _OverBudget(Exception):
    """More was read for writing than was planned (a reader giving more than a file's size)."""


def _over_budget(
    result: ExtractResult, planned: int | None, default: bool, drive: Drive
) -> InvalidInputError:
    limit = result.max_bytes
    if default:
        image = ("unpacked " if drive.packing else "") + f"{drive.size:,}-byte image"
        allowed = (
            f"the default limit of {limit:,} bytes ({MAX_BYTES_MULTIPLE} times the {image}, "
            "plus 1 MiB)"
        )
    else:
        allowed = f"--max-bytes {limit:,}"
    needed = f"{planned:,} bytes, more than" if planned is not None else "more than"
    return InvalidInputError(
        [
            Problem(
                str(result.drive),
                f"not extracted: its files would take {needed} {allowed}: every name is "
                "written in full, shared data and copies through links included; "
                "give --max-bytes SIZE to allow more",
            )
        ]
    )


def _check_target(target: Path) -> None:
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise OutputError("exists and is not a folder; give a new or empty folder", str(target))
    if target.is_dir() and any(target.iterdir()):
        raise OutputError("is not empty; give a new or empty folder", str(target))
    if not target.parent.is_dir():
        raise OutputError("the folder does not exist", str(target.parent))


@dataclass
class _LinkBudget:
    """What copies through links may add: at most the drive again (links can fan out)."""

    entries: int
    size: int
    spent: bool = False

    def take(self, entry: Entry) -> bool:
        self.entries -= 1
        self.size -= entry.size
        if self.entries < 0 or self.size < 0:
            self.spent = True
        return not self.spent


@dataclass(frozen=True)
class _Write:
    """One folder or file to write: a drive entry (never a link) and the names it gets."""

    entry: Entry
    names: tuple[str, ...]


class _Planner:
    """What extract will write, worked out before anything is: every name, copies included.

    Each entry is visited once per name it gets: a folder's contents are found through an
    index of children built once, so copying through many links costs what it copies.
    """

    def __init__(self, view: DriveView, result: ExtractResult) -> None:
        self.view = view
        self.result = result
        entries = view.entries()
        self.entries = entries
        self.children: dict[tuple[str, ...], list[Entry]] = {}
        for entry in entries:
            self.children.setdefault(entry.names[:-1], []).append(entry)
        self.budget = _LinkBudget(len(entries), view.drive.size)
        self.plan: list[_Write] = []

    def run(self) -> list[_Write]:
        for entry in self.entries:
            self.add(entry, entry.names, 0)
        if self.budget.spent:
            self.result.problems.append(
                Problem(
                    "/",
                    "symbolic links would copy more than the whole drive holds; "
                    "the copies beyond that were not extracted",
                    severity=Severity.WARNING,
                )
            )
        return self.plan

    def add(self, entry: Entry, names: tuple[str, ...], depth: int) -> None:
        """Plan `entry` at `names` (its own path, or its place inside a copied folder)."""
        if depth and not self.budget.take(entry):
            return
        if entry.kind != "symlink":
            if self.within_depth(entry, names):
                self.plan.append(_Write(entry, names))
            return
        shown = "/".join(names)
        target = self.view.resolve("/".join(entry.names))
        if target is None:
            self.result.problems.append(
                Problem(
                    shown,
                    f"symbolic link to {entry.target!r} leads outside the drive or nowhere; "
                    "not extracted",
                    severity=Severity.WARNING,
                )
            )
            return
        if target.kind == "dir" and (
            entry.names[: len(target.names)] == target.names or depth >= MAX_LINK_DEPTH
        ):
            self.result.problems.append(
                Problem(
                    shown,
                    f"symbolic link to {entry.target!r} loops back to a folder above it; "
                    "not extracted",
                    severity=Severity.WARNING,
                )
            )
            return
        if not self.budget.take(target) or not self.within_depth(target, names):
            return
        self.result.copied_links.append(shown)
        self.plan.append(_Write(target, names))
        if target.kind == "dir":
            for child in self.descendants(target):
                inner = (*names, *child.names[len(target.names) :])
                self.add(child, inner, depth + 1)

    def within_depth(self, entry: Entry, names: tuple[str, ...]) -> bool:
        """Whether `entry` written at `names` lies within MAX_FOLDER_DEPTH folders.

        The first folder past the limit is reported; what lies in it (not read by the
        reader, or not written here) goes unnamed.
        """
        if entry.kind == "file":
            return len(names) - 1 <= MAX_FOLDER_DEPTH
        if len(names) <= MAX_FOLDER_DEPTH:
            return True
        if len(names) == MAX_FOLDER_DEPTH + 1:
            self.result.problems.append(
                Problem(
                    "/".join(names),
                    f"not extracted: folders nest more than {MAX_FOLDER_DEPTH} deep here; "
                    "this one and everything in it were left out",
                )
            )
        return False

    def descendants(self, folder: Entry) -> Iterator[Entry]:
        """Everything inside `folder`, parents before children, in the drive's order."""
        pending = list(reversed(self.children.get(folder.names, [])))
        while pending:
            entry = pending.pop()
            yield entry
            if entry.kind == "dir":
                pending.extend(reversed(self.children.get(entry.names, [])))


def _plan(view: DriveView, result: ExtractResult) -> list[_Write]:
    return _Planner(view, result).run()


def _write_plan(drive: Drive, plan: list[_Write], root: Path, result: ExtractResult) -> None:
    folders = _OpenFolders(os.open(root, os.O_RDONLY | os.O_DIRECTORY))
    try:
        for write in plan:
            if write.entry.kind == "dir":
                _make_folder(folders, write.names, result)
            else:
                _write_file(drive, folders, write.entry, write.names, result)
    finally:
        folders.close()


class _OpenFolders:
    """Descriptors of the folders on one path from the root, opened without following links.

    The plan lists siblings together, parents first, so keeping the last path open makes
    each write one `open` instead of one per folder level (5,000 files were 8 s of calls).
    """

    def __init__(self, root_fd: int) -> None:
        self.names: list[str] = []
        self.fds = [root_fd]

    def parent_of(self, names: tuple[str, ...]) -> int:
        """The open folder holding `names[-1]`."""
        wanted = names[:-1]
        keep = 0
        while keep < min(len(wanted), len(self.names)) and wanted[keep] == self.names[keep]:
            keep += 1
        while len(self.names) > keep:
            self.names.pop()
            os.close(self.fds.pop())
        for name in wanted[keep:]:
            self.fds.append(os.open(_encoded(name), _FOLDER_FLAGS, dir_fd=self.fds[-1]))
            self.names.append(name)
        return self.fds[-1]

    def close(self) -> None:
        for fd in reversed(self.fds):
            os.close(fd)
        self.fds, self.names = [], []


def _encoded(name: str) -> bytes:
    return name.encode("utf-8", "surrogateescape")


def _make_folder(folders: _OpenFolders, names: tuple[str, ...], result: ExtractResult) -> None:
    try:
        os.mkdir(_encoded(names[-1]), FOLDER_MODE, dir_fd=folders.parent_of(names))
    except UnicodeEncodeError:
        result.problems.append(Problem("/".join(names), _NOT_TEXT))
        return
    except FileExistsError:
        result.problems.append(
            Problem("/".join(names), "not extracted: the folder already holds this name")
        )
        return
    except (FileNotFoundError, NotADirectoryError):
        result.problems.append(
            Problem("/".join(names), "not extracted: the name is taken, or its folder was refused")
        )
        return
    result.folders += 1


def _write_file(
    drive: Drive, folders: _OpenFolders, entry: Entry, names: tuple[str, ...], result: ExtractResult
) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    try:
        fd = os.open(_encoded(names[-1]), flags, FILE_MODE, dir_fd=folders.parent_of(names))
    except UnicodeEncodeError:
        result.problems.append(Problem("/".join(names), _NOT_TEXT))
        return
    except (FileExistsError, FileNotFoundError, NotADirectoryError):
        # Another entry took the name (a case-blind file system), or its folder was refused.
        result.problems.append(
            Problem("/".join(names), "not extracted: the name is taken, or its folder was refused")
        )
        return
    with os.fdopen(fd, "wb") as stream:
        for chunk in drive.chunks(entry):
            # The plan counted every name's bytes; this holds the budget even if a reader
            # ever gave more than a file's size.
            if result.size + len(chunk) > result.max_bytes:
                raise _OverBudget
            stream.write(chunk)
            result.size += len(chunk)
    result.files += 1
