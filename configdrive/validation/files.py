"""`validate`: check input files without building anything, with build's very diagnostics.

Each FILE's kind is told from its name (`meta_data.json`, `user-data`, ...) or its content
(user data announces itself; meta data and network data by their keys), or given with
`--kind`. Each is then checked by the same code `build` runs (validation.machine), one
file at a time, so a file gives the same problems here as in a build. The options build
takes for its inputs (`--meta-data`, `--ssh-key`, `--file`, `--uuid`, ...: one
MachineInputs) are taken too and checked as one machine, and so is a machine file
(`--machine`, with its layout and format): `validate` with build's arguments (less -o) is
a dry run of it.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, BinaryIO

from configdrive.errors import InvalidInputError, UsageError, describe_os_error
from configdrive.inputs.documents import Source, parse_document, read_source
from configdrive.inputs.kinds import NETWORK_DATA_KEYS, OPENSTACK_META_DATA_KEYS, VENDOR_DATA_KEYS
from configdrive.machine import InputLike, Machine, MachineInputs, MachineSpec, document_fields
from configdrive.problems import Problem, errors_in, sorted_problems
from configdrive.validation.user_data import GZIP_MAGIC, UTF8_BOM, Target, UserDataKind, classify

if TYPE_CHECKING:
    from configdrive.inputs.machine_file import MachineFileLike


class FileKind(str, enum.Enum):
    """What a file given to validate is."""

    USER_DATA = "user-data"
    META_DATA = "meta-data"
    NETWORK_DATA = "network-data"
    VENDOR_DATA = "vendor-data"
    # A machine file given with --machine: checked whole, never told from a FILE's content.
    MACHINE_FILE = "machine-file"

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


# What --kind may say: a FILE is a document; a machine file is given with --machine.
_DOCUMENT_KINDS = tuple(kind for kind in FileKind if kind is not FileKind.MACHINE_FILE)
# The kind of each of MachineInputs' documents.
_KIND_OF_DOCUMENT = {
    "user_data": FileKind.USER_DATA,
    "meta_data": FileKind.META_DATA,
    "network_data": FileKind.NETWORK_DATA,
    "vendor_data": FileKind.VENDOR_DATA,
    "vendor_data2": FileKind.VENDOR_DATA,
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
    machine: MachineInputs[InputLike] | MachineFileLike | None = None,
) -> ValidationResult:
    """Check input files as build would; raises InvalidInputError listing every problem.

    The input keywords (meta_data, ..., file_specs) are checked together as one machine,
    as build's flags are. `machine` is such a machine given whole instead: its MachineInputs,
    or a machine file, checked as `build --machine` would build it (its layout and format).
    """
    from configdrive.api import machine_inputs

    flags = machine_inputs(
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
        target=target,
    )
    forced = _kind(kind)
    if machine is not None and flags.any_given():
        raise UsageError("give the machine's inputs as keywords or as `machine`, not both")
    problems: list[Problem] = []
    checked: list[CheckedFile] = []
    for path in files:
        source, file_kind = _read(path, forced, problems, stdin)
        if source is None:
            continue
        found = _dry_run(_spec_of(source, file_kind, flags.target), strict, problems)
        info = found.user_data_info if found is not None else None
        checked.append(CheckedFile(source.name, file_kind, info.description if info else None))
    if isinstance(machine, MachineInputs):
        checked.extend(_check_inputs(machine, strict, problems, stdin))
    elif machine is not None:
        checked.extend(_check_machine_file(machine, strict, problems))
    elif flags.any_given():
        checked.extend(_check_inputs(flags, strict, problems, stdin))
    if not checked and not problems:
        raise UsageError("give at least one file to validate")
    if errors_in(problems):
        raise InvalidInputError(problems)
    return ValidationResult(tuple(checked), tuple(sorted_problems(problems)))


def _check_inputs(
    inputs: MachineInputs[InputLike],
    strict: bool,
    problems: list[Problem],
    stdin: BinaryIO | None,
) -> list[CheckedFile]:
    """Check a machine's inputs as one (build's flags); each document read is a checked file."""
    from configdrive.api import read_inputs

    spec = read_inputs(inputs, stdin=stdin)
    found = _dry_run(spec, strict, problems)
    checked = []
    for key in document_fields():
        given, source = getattr(inputs, key), getattr(spec, key)
        if source is None:
            continue  # not given, or unreadable (a problem already says so)
        file_kind = _KIND_OF_DOCUMENT[key]
        info = found.user_data_info if found is not None else None
        detail = info.description if info and file_kind is FileKind.USER_DATA else None
        # A path as the user typed it (`-` too); a document given as bytes by its Source's name.
        shown = str(given) if isinstance(given, str | os.PathLike) else source.name
        checked.append(CheckedFile(shown, file_kind, detail))
    return checked


def _check_machine_file(
    machine: MachineFileLike, strict: bool, problems: list[Problem]
) -> list[CheckedFile]:
    """Check a machine file as `build --machine` would build it, writing nothing."""
    from configdrive.api import as_machine_file, check_build, check_combination

    try:
        described = as_machine_file(machine)
    except InvalidInputError as error:
        problems.extend(error.problems)
        return []
    check_combination(described.layout, described.format)
    try:
        found, warnings = check_build(
            described.spec, layout=described.layout, format=described.format, strict=strict
        )
    except InvalidInputError as error:
        problems.extend(error.problems)
        return []
    problems.extend((*found.warnings, *warnings))
    info = found.user_data_info
    detail = info.description if info is not None else None
    return [CheckedFile(described.origin, FileKind.MACHINE_FILE, detail)]


def _kind(kind: FileKind | str | None) -> FileKind | None:
    if kind is None:
        return None
    chosen = next((member for member in _DOCUMENT_KINDS if kind in (member, member.value)), None)
    if chosen is None:
        choices = ", ".join(member.value for member in _DOCUMENT_KINDS)
        raise UsageError(f"--kind {kind!r} is not one of {choices}")
    return chosen


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


def _dry_run(spec: MachineSpec, strict: bool, problems: list[Problem]) -> Machine | None:
    """Run build's checks on one spec (config-2, ISO); its problems join `problems`."""
    from configdrive.api import check_build

    try:
        machine, warnings = check_build(spec, layout="openstack", format="iso", strict=strict)
    except InvalidInputError as error:
        problems.extend(error.problems)
        return None
    problems.extend((*machine.warnings, *warnings))
    return machine
