"""`extract`: a drive's files written to a folder, with the names a Linux mount shows.

Whatever the image holds, nothing is written outside the folder: names that are `.`, `..`,
empty or hold `/` or NUL are refused; every file is created relative to an open folder
descriptor, with O_NOFOLLOW and O_EXCL, inside a new temporary folder that is renamed into
place at the end; symbolic links are never created: one that resolves to a file or folder
inside the drive is written as a copy of it (what a reader reading through it gets), any
other is left out with a warning.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from configdrive.errors import OutputError
from configdrive.load import describe_os_error
from configdrive.problems import Problem, Severity, errors_in, sorted_problems
from configdrive.read_drive import Drive, DriveView, Entry, open_drive

FILE_MODE = 0o600  # the drive carries secrets (user data, passwords): so do its files
FOLDER_MODE = 0o700
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
_NOT_TEXT = "not extracted: the name is not valid text"
# Copies of linked folders nest at most this deep (a crafted drive could link in circles).
MAX_LINK_DEPTH = 8


@dataclass
class ExtractResult:
    """What extract wrote, and what it left out and why."""

    drive: Path
    folder: Path
    names_from: str
    files: int = 0
    folders: int = 0
    size: int = 0
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
            "copied_links": self.copied_links,
            "problems": [problem.to_json() for problem in self.problems],
        }


def extract_drive(drive: str | os.PathLike[str], folder: str | os.PathLike[str]) -> ExtractResult:
    """Write every file of the drive into `folder`, which must be new or empty."""
    target = Path(folder)
    _check_target(target)
    with open_drive(drive) as opened:
        view = opened.view
        result = ExtractResult(Path(drive), target, view.tree.source)
        for entry, reason in view.unsafe:
            result.problems.append(Problem(entry.path, f"not extracted: {reason}"))
        try:
            scratch = Path(
                tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
            )
        except OSError as error:
            raise OutputError(describe_os_error(error), str(target.parent)) from None
        try:
            _write_all(opened, view, scratch, result)
            # rename() replaces a missing or empty folder: the result appears whole.
            scratch.rename(target)
        except OSError as error:
            shutil.rmtree(scratch, ignore_errors=True)
            raise OutputError(describe_os_error(error), str(target)) from None
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
    result.problems = sorted_problems(result.problems)
    return result


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


def _write_all(drive: Drive, view: DriveView, root: Path, result: ExtractResult) -> None:
    root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    entries = view.entries()
    budget = _LinkBudget(len(entries), drive.size)
    try:
        for entry in entries:
            _write_entry(drive, view, root_fd, entry, entry.names, result, 0, budget)
    finally:
        os.close(root_fd)
    if budget.spent:
        result.problems.append(
            Problem(
                "/",
                "symbolic links would copy more than the whole drive holds; "
                "the copies beyond that were not extracted",
                severity=Severity.WARNING,
            )
        )


def _write_entry(
    drive: Drive,
    view: DriveView,
    root_fd: int,
    entry: Entry,
    names: tuple[str, ...],
    result: ExtractResult,
    depth: int,
    budget: _LinkBudget,
) -> None:
    """Write `entry` at `names` (its own path, or its place inside a copied folder)."""
    shown = "/".join(names)
    if depth and not budget.take(entry):
        return
    if entry.kind == "dir":
        _make_folder(root_fd, names, result)
        return
    if entry.kind == "file":
        _write_file(drive, root_fd, entry, names, result)
        return
    target = view.resolve("/".join(entry.names))
    if target is None:
        result.problems.append(
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
        result.problems.append(
            Problem(
                shown,
                f"symbolic link to {entry.target!r} loops back to a folder above it; not extracted",
                severity=Severity.WARNING,
            )
        )
        return
    if not budget.take(target):
        return
    result.copied_links.append(shown)
    if target.kind == "file":
        _write_file(drive, root_fd, target, names, result)
        return
    _make_folder(root_fd, names, result)
    for child in _descendants(view, target):
        inner = (*names, *child.names[len(target.names) :])
        _write_entry(drive, view, root_fd, child, inner, result, depth + 1, budget)


def _descendants(view: DriveView, folder: Entry) -> list[Entry]:
    depth = len(folder.names)
    return [
        entry
        for entry in view.entries()
        if len(entry.names) > depth and entry.names[:depth] == folder.names
    ]


@contextlib.contextmanager
def _parent_fd(root_fd: int, names: tuple[str, ...]) -> Iterator[int]:
    """An open descriptor of the folder holding `names[-1]`, walked without following links."""
    fds = [root_fd]
    try:
        for name in names[:-1]:
            fds.append(
                os.open(
                    _encoded(name), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fds[-1]
                )
            )
        yield fds[-1]
    finally:
        for fd in fds[1:]:
            os.close(fd)


def _encoded(name: str) -> bytes:
    return name.encode("utf-8", "surrogateescape")


def _make_folder(root_fd: int, names: tuple[str, ...], result: ExtractResult) -> None:
    try:
        with _parent_fd(root_fd, names) as parent:
            os.mkdir(_encoded(names[-1]), FOLDER_MODE, dir_fd=parent)
    except UnicodeEncodeError:
        result.problems.append(
            Problem("/".join(names), "not extracted: the name is not valid text")
        )
        return
    except FileExistsError:
        result.problems.append(
            Problem("/".join(names), "not extracted: the folder already holds this name")
        )
        return
    result.folders += 1


def _write_file(
    drive: Drive, root_fd: int, entry: Entry, names: tuple[str, ...], result: ExtractResult
) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    try:
        with _parent_fd(root_fd, names) as parent:
            fd = os.open(_encoded(names[-1]), flags, FILE_MODE, dir_fd=parent)
    except UnicodeEncodeError:
        result.problems.append(
            Problem("/".join(names), "not extracted: the name is not valid text")
        )
        return
    except (FileExistsError, FileNotFoundError, NotADirectoryError):
        # Another entry took the name (a case-blind file system), or its folder was refused.
        result.problems.append(
            Problem("/".join(names), "not extracted: the name is taken, or its folder was refused")
        )
        return
    with os.fdopen(fd, "wb") as stream:
        for chunk in drive.chunks(entry):
            stream.write(chunk)
            result.size += len(chunk)
    result.files += 1
