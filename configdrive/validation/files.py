"""`validate`: check input files without building anything, with build's very diagnostics.

Each FILE's kind is told from its name (`meta_data.json`, `user-data`, ...) or its content
(user data announces itself; meta data and network data by their keys), or given with
`--kind`. Each is then checked by the same code `build` runs (validate.load_machine), one
file at a time, so a file gives the same problems here as in a build. The options build
takes for its inputs (`--meta-data`, `--ssh-key`, `--file`, `--uuid`, ...) are taken too and
checked as one machine, so `validate` with build's arguments (less -o) is a dry run of it.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, BinaryIO

from configdrive.errors import InvalidInputError, UsageError
from configdrive.inputs.documents import Source, describe_os_error, parse_document, read_source
from configdrive.inputs.kinds import NETWORK_DATA_KEYS, OPENSTACK_META_DATA_KEYS, VENDOR_DATA_KEYS
from configdrive.machine import MachineSpec
from configdrive.problems import Problem, errors_in, sorted_problems
from configdrive.validation.machine import load_machine
from configdrive.validation.user_data import GZIP_MAGIC, UTF8_BOM, Target, UserDataKind, classify


class FileKind(str, enum.Enum):
    """What a file given to validate is."""

    USER_DATA = "user-data"
    META_DATA = "meta-data"
    NETWORK_DATA = "network-data"
    VENDOR_DATA = "vendor-data"

    @property
    def label(self) -> str:
        """How messages name it (`cannot read meta data: ...`, as build says)."""
        return self.value.replace("-", " ")


# The names Nova and cloud-localds give these files on a drive.
_BY_NAME = {
    "user_data": FileKind.USER_DATA,
    "user-data": FileKind.USER_DATA,
    "meta_data.json": FileKind.META_DATA,
    "network_data.json": FileKind.NETWORK_DATA,
    "vendor_data.json": FileKind.VENDOR_DATA,
    "vendor_data2.json": FileKind.VENDOR_DATA,
}


@dataclass(frozen=True)
class CheckedFile:
    """One checked file: its kind, and for user data what kind of user data it is."""

    file: str
    kind: FileKind
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {"file": self.file, "kind": self.kind.value, "detail": self.detail}


@dataclass(frozen=True)
class ValidationResult:
    """Files that passed, and the warnings found in them."""

    files: tuple[CheckedFile, ...]
    warnings: tuple[Problem, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "files": [checked.to_json() for checked in self.files],
            "warnings": [warning.to_json() for warning in self.warnings],
        }


def detect_kind(source: Source) -> FileKind:
    """The kind of a file, from its name, else its content; user data when nothing says."""
    name = PurePath(source.name).name.lower()
    if name in _BY_NAME:
        return _BY_NAME[name]
    data = source.data
    if data.startswith((GZIP_MAGIC, UTF8_BOM)) or not data.strip():
        return FileKind.USER_DATA
    kind = classify(data)
    if kind is not None and kind is not UserDataKind.IGNITION:
        return FileKind.USER_DATA
    keys = _top_level_keys(source)
    if keys & {"ignition", "ignitionVersion"}:
        return FileKind.USER_DATA
    if keys and keys <= NETWORK_DATA_KEYS:
        return FileKind.NETWORK_DATA
    if keys & OPENSTACK_META_DATA_KEYS:
        return FileKind.META_DATA
    if keys & VENDOR_DATA_KEYS:
        return FileKind.VENDOR_DATA
    # build's USER_DATA argument: a file that is nothing else is checked as user data, which
    # explains what it lacks ('unrecognised user data', 'not an Ignition config').
    return FileKind.USER_DATA


def _top_level_keys(source: Source) -> frozenset[str]:
    """The keys of a YAML or JSON mapping, or nothing (parse problems are left to the check)."""
    document = parse_document(source, [])
    if document is None or not isinstance(document.data, dict):
        return frozenset()
    return frozenset(str(key) for key in document.data)


def validate_files(
    files: Iterable[str | os.PathLike[str]] = (),
    *,
    kind: FileKind | str | None = None,
    meta_data: str | None = None,
    network_data: str | None = None,
    vendor_data: str | None = None,
    vendor_data2: str | None = None,
    uuid: str | None = None,
    hostname: str | None = None,
    name: str | None = None,
    ssh_keys: Iterable[str] = (),
    file_specs: Iterable[str] = (),
    target: Target | str = Target.AUTO,
    strict: bool = False,
    stdin: BinaryIO | None = None,
) -> ValidationResult:
    """Check input files as build would; raises InvalidInputError listing every problem."""
    from configdrive.api import machine_spec, parse_target

    reader = parse_target(target)
    forced = _kind(kind)
    problems: list[Problem] = []
    checked: list[CheckedFile] = []
    for path in files:
        source, file_kind = _read(path, forced, problems, stdin)
        if source is None:
            continue
        detail = _check(_spec_of(source, file_kind, reader), strict, problems)
        checked.append(CheckedFile(source.name, file_kind, detail))
    ssh_keys, file_specs = tuple(ssh_keys), tuple(file_specs)
    documents = {
        FileKind.META_DATA: meta_data,
        FileKind.NETWORK_DATA: network_data,
        FileKind.VENDOR_DATA: vendor_data,
    }
    flags = (uuid, hostname, name, vendor_data2, *documents.values())
    if any(value is not None for value in flags) or ssh_keys or file_specs:
        spec = machine_spec(
            None,
            meta_data=meta_data,
            network_data=network_data,
            vendor_data=vendor_data,
            vendor_data2=vendor_data2,
            uuid=uuid,
            hostname=hostname,
            name=name,
            ssh_keys=ssh_keys,
            files=file_specs,
            target=reader,
        )
        _check(spec, strict, problems)
        read_failed = {problem.file for problem in spec.read_problems}
        for file_kind, value in (*documents.items(), (FileKind.VENDOR_DATA, vendor_data2)):
            if value is not None and value not in read_failed:
                checked.append(CheckedFile(value, file_kind))
    if not checked and not problems:
        raise UsageError("give at least one file to validate")
    if errors_in(problems):
        raise InvalidInputError(problems)
    return ValidationResult(tuple(checked), tuple(sorted_problems(problems)))


def _kind(kind: FileKind | str | None) -> FileKind | None:
    if kind is None:
        return None
    try:
        return FileKind(kind)
    except ValueError:
        choices = ", ".join(member.value for member in FileKind)
        raise UsageError(f"--kind {kind!r} is not one of {choices}") from None


def _spec_of(source: Source, kind: FileKind, target: Target) -> MachineSpec:
    """A machine whose only input is `source`, in the place its kind goes."""
    if kind is FileKind.META_DATA:
        return MachineSpec(meta_data=source)
    if kind is FileKind.NETWORK_DATA:
        return MachineSpec(network_data=source)
    if kind is FileKind.VENDOR_DATA:
        return MachineSpec(vendor_data=source)
    return MachineSpec(user_data=source, target=target)


def _read(
    path: str | os.PathLike[str],
    forced: FileKind | None,
    problems: list[Problem],
    stdin: BinaryIO | None,
) -> tuple[Source | None, FileKind]:
    """The file and its kind; a file that cannot be read is a problem, as in build."""
    try:
        source = read_source(path, stdin=stdin)
    except OSError as error:
        shown = "<stdin>" if str(path) == "-" else str(path)
        kind = forced or _BY_NAME.get(PurePath(shown).name.lower(), FileKind.USER_DATA)
        problems.append(Problem(shown, f"cannot read {kind.label}: {describe_os_error(error)}"))
        return None, kind
    return source, forced or detect_kind(source)


def _check(spec: MachineSpec, strict: bool, problems: list[Problem]) -> str | None:
    """Run build's validation on one spec; its problems join `problems`."""
    try:
        machine = load_machine(spec, strict=strict)
    except InvalidInputError as error:
        problems.extend(error.problems)
        return None
    problems.extend(machine.warnings)
    info = machine.user_data_info
    return info.description if info is not None else None
