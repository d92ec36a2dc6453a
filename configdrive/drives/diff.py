"""`diff`: what differs between two drives, as a Linux mount shows them.

Files added, removed and changed; for JSON documents (and NoCloud's YAML meta-data and
network-config) the keys that changed, by path (`meta.role`), never their values: values
may be secrets. Differences in label, file system or name tree are listed too, and first
of all a change of instance-id, the one change that makes cloud-init start over.

Drives nobody here made are read with bounds: documents go through the loader builds use
(a document a build would refuse is listed as a problem, its keys not compared), file data
is hashed once per shared extent, and each drive is read at most MAX_BYTES_MULTIPLE times
its size (names may share or overlap their data without end).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from configdrive.drives.drive import Drive, Entry, open_drive
from configdrive.drives.extract import MAX_BYTES_MARGIN, MAX_BYTES_MULTIPLE
from configdrive.drives.verdicts import cloud_init_verdict
from configdrive.errors import InvalidInputError
from configdrive.inputs.documents import MAX_DOCUMENT_SIZE, Source, parse_document, read_source
from configdrive.problems import DocPath, Problem, Severity, format_path, sorted_problems

INSTANCE_ID_CHANGED = (
    "instance-id changed: cloud-init will treat this as a new instance and run first boot again"
)

_YAML_DOCUMENTS = ("meta-data", "network-config")
# A changed document lists at most this many changed keys; the rest are counted.
MAX_KEYS_SHOWN = 100
_UNPARSED = object()  # a document that could not be parsed (or was refused)
# Each version folder holds the same files: one change repeated in all is shown once.
_VERSION_FOLDER = re.compile(r"^(openstack|ec2)/([0-9]{4}-[0-9]{2}-[0-9]{2}|latest)/")


@dataclass(frozen=True)
class FileChange:
    """One path that differs: added, removed or changed (with the keys that changed)."""

    path: str
    change: str
    old_size: int | None
    new_size: int | None
    keys: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "path": self.path,
            "change": self.change,
            "old_size": self.old_size,
            "new_size": self.new_size,
            "keys": list(self.keys),
        }

    @property
    def group(self) -> tuple[str, str, tuple[str, ...], int | None, int | None]:
        """What this change has in common with the same change in other version folders."""
        pattern = _VERSION_FOLDER.sub(r"\1/*/", self.path)
        return (pattern, self.change, self.keys, self.old_size, self.new_size)


@dataclass(frozen=True)
class DriveDiff:
    """Everything that differs between drive `old` and drive `new`."""

    old: Path
    new: Path
    drive_changes: tuple[str, ...]
    files: tuple[FileChange, ...]
    # The instance-id cloud-init reads from each drive (None: it reads none).
    old_instance_id: str | None = None
    new_instance_id: str | None = None
    # Documents whose keys could not be compared, and why (warnings: the files still are).
    problems: tuple[Problem, ...] = field(default=())

    @property
    def instance_id_changed(self) -> bool:
        """Whether a VM given the new drive instead of the old one runs first boot again."""
        return self.old_instance_id != self.new_instance_id

    @property
    def differs(self) -> bool:
        """Whether the drives differ at all (as readers see them)."""
        return bool(self.drive_changes or self.files)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "differ": self.differs,
            "old": str(self.old),
            "new": str(self.new),
            "drive": list(self.drive_changes),
            "files": [change.to_json() for change in self.files],
            "instance_id": {
                "old": self.old_instance_id,
                "new": self.new_instance_id,
                "changed": self.instance_id_changed,
            },
            "problems": [problem.to_json() for problem in self.problems],
        }


def diff_drives(old: str | os.PathLike[str], new: str | os.PathLike[str]) -> DriveDiff:
    """Compare two drive images (InvalidInputError when one cannot be read within bounds)."""
    with open_drive(old) as first, open_drive(new) as second:
        ids = drive_instance_id(first), drive_instance_id(second)
        comparer = _Comparer(_Contents(first), _Contents(second))
        files = tuple(comparer.file_changes())
        return DriveDiff(
            Path(old),
            Path(new),
            _drive_changes(first, second, ids),
            files,
            *ids,
            problems=tuple(sorted_problems(comparer.problems)),
        )


def drive_instance_id(drive: Drive) -> str | None:
    """The instance-id cloud-init takes from `drive`, read as its datasource reads it.

    A config-2 drive's is meta_data's uuid (cloud-init 22.4, sources/helpers/openstack.py:33
    copies uuid to instance-id); a NoCloud seed's is meta-data's instance-id, 'nocloud'
    when it has none. None when cloud-init would not read the drive.
    """
    _, reading, _ = cloud_init_verdict(drive, drive.view)
    if reading is None:
        return None
    key = "instance-id" if reading.datasource == "NoCloud" else "uuid"
    value = reading.metadata.get(key)
    return None if value is None else str(value)


def folder_instance_id(folder: Path) -> str | None:
    """The instance-id of a drive written as a folder (`--format dir`), as cloud-init's seed
    folders give it: NoCloud's meta-data, else config-2's openstack/latest/meta_data.json.

    None when the document cannot be read or parsed (the loader's limits hold here too);
    OSError when it cannot be read at all.
    """
    seed = folder / "meta-data"
    if seed.is_file():
        meta = _load_file(seed)
        if meta is _UNPARSED:
            return None
        value = meta.get("instance-id", "nocloud") if isinstance(meta, dict) else "nocloud"
        return str(value)
    meta = _load_file(folder / "openstack" / "latest" / "meta_data.json")
    return str(meta["uuid"]) if isinstance(meta, dict) and "uuid" in meta else None


def _load_file(path: Path) -> Any:
    document = parse_document(read_source(path), [])
    return _UNPARSED if document is None else document.data


def _drive_changes(old: Drive, new: Drive, ids: tuple[str | None, str | None]) -> tuple[str, ...]:
    changes = []
    if ids[0] != ids[1]:
        changes.append(f"{INSTANCE_ID_CHANGED} ({ids[0]!r} -> {ids[1]!r})")
    facts = (
        ("label", old.label, new.label),
        ("file system", old.format, new.format),
        ("names from", old.linux_tree, new.linux_tree),
    )
    return (*changes, *(f"{what}: {a!r} -> {b!r}" for what, a, b in facts if a != b))


class _Contents:
    """One drive's file data as diff reads it: each extent hashed once, every read counted.

    Names may share an extent (hard links, cross-linked clusters) or overlap one another's;
    the hashes make sharing cost one read, and the count stops overlapping at
    MAX_BYTES_MULTIPLE times the image, the bound extract writes within by default.
    """

    def __init__(self, drive: Drive) -> None:
        self.drive = drive
        self.limit = MAX_BYTES_MULTIPLE * drive.size + MAX_BYTES_MARGIN
        self.read_so_far = 0
        self._digests: dict[tuple[int, int], bytes] = {}

    def entries(self) -> dict[str, Entry]:
        return {entry.path: entry for entry in self.drive.view.entries()}

    def _spend(self, size: int) -> None:
        self.read_so_far += size
        if self.read_so_far > self.limit:
            raise InvalidInputError(
                [
                    Problem(
                        str(self.drive.path),
                        f"not compared: comparing would read more than {self.limit:,} bytes "
                        f"of it ({MAX_BYTES_MULTIPLE} times the image, plus 1 MiB): its names "
                        "share, overlap or overstate their data",
                    )
                ]
            )

    def digest(self, entry: Entry) -> bytes:
        """A hash of the file's data: equal hashes, equal data."""
        key = (entry.data, entry.size)
        known = self._digests.get(key)
        if known is None:
            self._spend(entry.size)
            hashed = hashlib.sha256()
            for chunk in self.drive.chunks(entry):
                hashed.update(chunk)
            known = self._digests[key] = hashed.digest()
        return known

    def document(self, entry: Entry, problems: list[Problem]) -> Any:
        """The parsed document, or _UNPARSED (with the reason in `problems`)."""
        where = f"{self.drive.path}:{entry.path}"
        if entry.size > MAX_DOCUMENT_SIZE:
            too_large = f"the document is more than {MAX_DOCUMENT_SIZE:,} bytes"
            problems.append(_not_compared(Problem(where, too_large)))
            return _UNPARSED
        self._spend(entry.size)
        data = self.drive.read(entry, MAX_DOCUMENT_SIZE)
        # A .json name is declared JSON (strict, as the readers parse it); the YAML documents
        # are told apart by their first character, as builds tell them.
        declared = Path(entry.names[-1]) if entry.names[-1].endswith(".json") else None
        found: list[Problem] = []
        document = parse_document(Source(where, data, declared), found)
        if document is None:
            # The first problem says why (parse_document never quotes a value).
            problems += [_not_compared(problem) for problem in found[:1]]
            return _UNPARSED
        return document.data


def _not_compared(why: Problem) -> Problem:
    return Problem(
        why.file,
        f"{why.message}; its keys are not compared",
        why.path,
        why.line,
        why.column,
        Severity.WARNING,
    )


class _Comparer:
    """The changes between two drives' files, each pair of extents compared once."""

    def __init__(self, old: _Contents, new: _Contents) -> None:
        self.old, self.new = old, new
        self.problems: list[Problem] = []
        self._keys: dict[tuple[tuple[int, int], tuple[int, int]], tuple[str, ...]] = {}

    def file_changes(self) -> Iterator[FileChange]:
        before, after = self.old.entries(), self.new.entries()
        for path in sorted(before.keys() | after.keys()):
            a, b = before.get(path), after.get(path)
            sample = a if a is not None else b
            shown = path + "/" if sample is not None and sample.kind == "dir" else path
            if a is None and b is not None:
                yield FileChange(shown, "added", None, _size(b))
            elif b is None and a is not None:
                yield FileChange(shown, "removed", _size(a), None)
            elif a is not None and b is not None:
                change = self.compare(a, b)
                if change is not None:
                    yield FileChange(shown, "changed", _size(a), _size(b), change)

    def compare(self, a: Entry, b: Entry) -> tuple[str, ...] | None:
        """None when the two entries are alike; else the keys that changed (maybe none known)."""
        if a.kind != b.kind:
            return (f"was a {_kind_name(a)}, is a {_kind_name(b)}",)
        if a.kind == "dir":
            return None
        if a.kind == "symlink":
            return None if a.target == b.target else ("link target",)
        if a.size == b.size and self.old.digest(a) == self.new.digest(b):
            return None
        if not _is_document(a):
            return ()
        pair = ((a.data, a.size), (b.data, b.size))
        known = self._keys.get(pair)
        if known is None:
            known = self._keys[pair] = self._changed_keys(a, b)
        return known

    def _changed_keys(self, a: Entry, b: Entry) -> tuple[str, ...]:
        parsed_a = self.old.document(a, self.problems)
        parsed_b = self.new.document(b, self.problems)
        if parsed_a is _UNPARSED or parsed_b is _UNPARSED:
            return ()
        shown: list[str] = []
        count = 0
        for how, path in key_changes(parsed_a, parsed_b):
            count += 1
            if count <= MAX_KEYS_SHOWN:
                shown.append(f"{how} {format_path(path)}")
        if count > MAX_KEYS_SHOWN:
            shown.append(f"and {count - MAX_KEYS_SHOWN:,} more")
        return tuple(shown)


def _size(entry: Entry) -> int | None:
    return entry.size if entry.kind == "file" else None


def _is_document(entry: Entry) -> bool:
    name = entry.names[-1]
    return name.endswith(".json") or name in _YAML_DOCUMENTS


def _kind_name(entry: Entry) -> str:
    return {"dir": "folder", "file": "file", "symlink": "symbolic link"}[entry.kind]


def key_changes(old: Any, new: Any, path: DocPath = ()) -> Iterator[tuple[str, DocPath]]:
    """(`added`|`removed`|`changed`, path) for every key that differs between two documents.

    Without recursion: a document nested thousands deep costs a list, not the stack. The
    documents are trees, as parse_document builds them (an alias bomb is refused there).
    """
    # Each item: a change to report, or two values to compare at a path; last to do first.
    pending: list[tuple[str, Any, Any, DocPath]] = [("compare", old, new, path)]
    while pending:
        what, a, b, here = pending.pop()
        if what != "compare":
            yield what, here
        elif isinstance(a, dict) and isinstance(b, dict):
            steps: list[tuple[str, Any, Any, DocPath]] = []
            for key in sorted(a.keys() | b.keys(), key=str):
                at = (*here, str(key))
                if key not in b:
                    steps.append(("removed", None, None, at))
                elif key not in a:
                    steps.append(("added", None, None, at))
                else:
                    steps.append(("compare", a[key], b[key], at))
            pending.extend(reversed(steps))
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            pending.extend(
                ("compare", x, y, (*here, index))
                for index, (x, y) in reversed(list(enumerate(zip(a, b, strict=True))))
            )
        elif type(a) is not type(b) or isinstance(a, (dict, list)) or a != b:
            # Lists of different lengths differ as wholes; comparing them would recurse.
            yield "changed", here
