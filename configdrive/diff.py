"""`diff`: what differs between two drives, as a Linux mount shows them.

Files added, removed and changed; for JSON documents (and NoCloud's YAML meta-data and
network-config) the keys that changed, by path (`meta.role`), never their values: values
may be secrets. Differences in label, file system or name tree are listed too, and first
of all a change of instance-id, the one change that makes cloud-init start over.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from configdrive.problems import DocPath, format_path
from configdrive.read_drive import Drive, Entry, open_drive
from configdrive.readers import cloud_init_verdict

INSTANCE_ID_CHANGED = (
    "instance-id changed: cloud-init will treat this as a new instance and run first boot again"
)

_YAML_DOCUMENTS = ("meta-data", "network-config")
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
        }


def diff_drives(old: str | os.PathLike[str], new: str | os.PathLike[str]) -> DriveDiff:
    """Compare two drive images."""
    with open_drive(old) as first, open_drive(new) as second:
        ids = drive_instance_id(first), drive_instance_id(second)
        return DriveDiff(
            Path(old),
            Path(new),
            _drive_changes(first, second, ids),
            tuple(_file_changes(first, second)),
            *ids,
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
    folders give it: NoCloud's meta-data, else config-2's openstack/latest/meta_data.json."""
    seed = folder / "meta-data"
    if seed.is_file():
        meta = yaml.safe_load(seed.read_bytes())
        value = meta.get("instance-id", "nocloud") if isinstance(meta, dict) else "nocloud"
        return str(value)
    meta = json.loads((folder / "openstack" / "latest" / "meta_data.json").read_bytes())
    return str(meta["uuid"]) if isinstance(meta, dict) and "uuid" in meta else None


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


def _entries(drive: Drive) -> dict[str, Entry]:
    return {entry.path: entry for entry in drive.view.entries()}


def _file_changes(old: Drive, new: Drive) -> Iterator[FileChange]:
    before, after = _entries(old), _entries(new)
    for path in sorted(before.keys() | after.keys()):
        a, b = before.get(path), after.get(path)
        sample = a if a is not None else b
        shown = path + "/" if sample is not None and sample.kind == "dir" else path
        if a is None and b is not None:
            yield FileChange(shown, "added", None, _size(b))
        elif b is None and a is not None:
            yield FileChange(shown, "removed", _size(a), None)
        elif a is not None and b is not None:
            change = _compare(old, a, new, b)
            if change is not None:
                yield FileChange(shown, "changed", _size(a), _size(b), change)


def _size(entry: Entry) -> int | None:
    return entry.size if entry.kind == "file" else None


def _compare(old: Drive, a: Entry, new: Drive, b: Entry) -> tuple[str, ...] | None:
    """None when the two entries are alike; else the keys that changed (maybe none known)."""
    if a.kind != b.kind:
        return (f"was a {_kind_name(a)}, is a {_kind_name(b)}",)
    if a.kind == "dir":
        return None
    if a.kind == "symlink":
        return None if a.target == b.target else ("link target",)
    data_a, data_b = old.read(a), new.read(b)
    if data_a == data_b:
        return None
    parsed_a, parsed_b = _parse(a, data_a), _parse(b, data_b)
    if parsed_a is _UNPARSED or parsed_b is _UNPARSED:
        return ()
    return tuple(f"{how} {format_path(path)}" for how, path in key_changes(parsed_a, parsed_b))


def _kind_name(entry: Entry) -> str:
    return {"dir": "folder", "file": "file", "symlink": "symbolic link"}[entry.kind]


_UNPARSED = object()


def _parse(entry: Entry, data: bytes) -> Any:
    name = entry.names[-1]
    try:
        if name.endswith(".json"):
            return json.loads(data)
        if name in _YAML_DOCUMENTS:
            return yaml.safe_load(data)
    except (ValueError, yaml.YAMLError, RecursionError):
        return _UNPARSED
    return _UNPARSED


def key_changes(old: Any, new: Any, path: DocPath = ()) -> Iterator[tuple[str, DocPath]]:
    """(`added`|`removed`|`changed`, path) for every key that differs between two documents."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys(), key=str):
            here = (*path, str(key))
            if key not in new:
                yield "removed", here
            elif key not in old:
                yield "added", here
            else:
                yield from key_changes(old[key], new[key], here)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from key_changes(a, b, (*path, index))
    elif type(old) is not type(new) or old != new:
        yield "changed", path
