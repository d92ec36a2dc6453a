"""Machine files: one YAML file per machine, holding everything `build` takes as flags.

A machine file is what provisioning hooks and test harnesses keep in git:

    name: web-1
    hostname: web-1.example.com
    user_data_file: user.yml          # or user_data: |  (inline)
    meta_data: {availability_zone: nova}
    network_data_file: network.json
    ssh_keys: [keys/admin.pub]
    files: [{source: motd, dest: /etc/motd}]
    format: iso

Paths are relative to the file. The file is checked against
schemas/machine.schema.json (unknown keys are errors here: a misspelt
`user_data_fle` would otherwise build a drive without user data), then turned
into the same MachineInputs the flags make (read: a `MachineSpec`), so every later
stage is shared. Its input keys are MachineInputs' fields, each document also as
KEY_file; the others (DRIVE_KEYS) say how the drive is made and served.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from configdrive.errors import InvalidInputError, describe_os_error
from configdrive.inputs.documents import (
    Document,
    EmbeddedSource,
    Source,
    parse_document,
    read_source,
)
from configdrive.machine import FileSpec, MachineSpec, Origin, document_fields, document_label
from configdrive.problems import DocPath, Problem, errors_in
from configdrive.validation.json_schemas import MACHINE, schema_problems
from configdrive.validation.user_data import Target

# The documents a machine carries, each inline under KEY or by path under KEY_file.
DOCUMENTS = {key: document_label(key) for key in document_fields()}
# A machine file's keys that are not inputs of the machine: how its drive is made (layout,
# format), where build-many writes it (output), which client serve gives it to (address),
# and the disk image build-many injects it into instead of building a drive (inject).
DRIVE_KEYS = ("layout", "format", "output", "address", "inject")
# File name extensions per format, for build-many's default output names.
EXTENSIONS = {"iso": ".iso", "vfat": ".img", "dir": "", "ironic": ".b64"}


@dataclass(frozen=True)
class MachineFile:
    """A machine as its file describes it: the inputs, and how its drive is made."""

    name: str
    spec: MachineSpec
    layout: str = "openstack"
    format: str = "iso"
    output: str | None = None
    address: str | None = None
    origin: str = "<machine>"
    # inject: the disk image to configure (relative paths resolved) and its OEM kit platform.
    inject_image: Path | None = None
    inject_oem_platform: str | None = None

    def output_name(self) -> str:
        """The drive's (or injected image's) file name in build-many's output folder."""
        if self.output:
            return self.output
        if self.inject_image is not None:
            return self.name + "".join(self.inject_image.suffixes[-1:])
        return self.name + EXTENSIONS[self.format]


# A machine file as build_machine and validate_files take it: loaded, a mapping of its keys
# (paths relative to the current folder), or its path.
MachineFileLike: TypeAlias = MachineFile | Mapping[str, Any] | str | os.PathLike[str]


def load_machine_file(path: str | os.PathLike[str]) -> MachineFile:
    """Read and check a machine file; raise InvalidInputError with every problem in it."""
    location = Path(path)
    document = read_document(location, "machine file")
    return machine_from_document(document, location.parent, location.stem)


def read_document(location: Path, what: str) -> Document:
    """Read and parse a YAML or JSON file (a machine file, a fleet), or raise InvalidInputError."""
    try:
        source = read_source(location)
    except OSError as error:
        raise InvalidInputError(
            [Problem(str(location), f"cannot read {what}: {describe_os_error(error)}")]
        ) from None
    problems: list[Problem] = []
    document = parse_document(source, problems)
    if document is None or errors_in(problems):
        raise InvalidInputError(problems)
    return document


def machine_from_dict(
    data: Mapping[str, Any], *, base: str | os.PathLike[str] = ".", name: str = "machine"
) -> MachineFile:
    """A machine from a mapping with the machine file's keys (paths relative to `base`)."""
    source = Source(f"<{name}>", json.dumps(dict(data), default=str).encode())
    problems: list[Problem] = []
    document = parse_document(source, problems)
    if document is None:
        raise InvalidInputError(problems)
    return machine_from_document(document, Path(base), name, problems)


def machine_from_document(
    document: Document,
    base: Path,
    default_name: str,
    problems: list[Problem] | None = None,
) -> MachineFile:
    """A machine from a parsed document (a file, or an entry of a fleet file).

    Problems with the file's own keys travel in the spec and are reported together with
    those of the documents it names, all at once; values of the wrong type are left out.
    """
    problems = [] if problems is None else problems
    data = document.data
    if not isinstance(data, dict):
        problems.append(document.problem((), "a machine file is a mapping of keys to values"))
        raise InvalidInputError(problems)
    problems.extend(
        problem.as_error()
        for problem in schema_problems(document, MACHINE, unknown_key_note="not a machine key")
    )
    for key in DOCUMENTS:
        if key in data and f"{key}_file" in data:
            problems.append(
                document.problem(
                    (f"{key}_file",), f"give {key} inline or {key}_file, not both", key=True
                )
            )
    # The machine's own keys that are in error: left out, so nothing else trips on them.
    depth = len(document.prefix_path())
    wrong = {
        problem.path[depth]
        for problem in problems
        if problem.path is not None and len(problem.path) > depth
    }

    def value(key: str, kind: type[Any], default: Any = None) -> Any:
        found = data.get(key, default)
        return found if key not in wrong and isinstance(found, kind) else default

    sources = {
        key: None if key in wrong or f"{key}_file" in wrong else
        _document_source(document, base, key, problems)
        for key in DOCUMENTS
    }  # fmt: skip
    inject = value("inject", dict)
    spec = MachineSpec(
        **sources,
        uuid=value("uuid", str),
        hostname=value("hostname", str),
        name=value("name", str),
        ssh_keys=tuple(_ssh_key(base, key) for key in value("ssh_keys", list, [])),
        files=tuple(
            _file_spec(document, base, index, item)
            for index, item in enumerate(value("files", list, []))
        ),
        target=Target(value("target", str, Target.AUTO.value)),
        read_problems=tuple(problems),
        origins={
            key: Origin(
                document.source.name, (*document.prefix_path(), key), *document.locate((key,))
            )
            for key in ("uuid", "hostname", "name", "address")
            if key in data
        },
    )
    return MachineFile(
        name=value("name", str) or default_name,
        spec=spec,
        layout=value("layout", str, "openstack"),
        format=value("format", str, "iso"),
        output=value("output", str),
        address=value("address", str),
        origin=document.source.name,
        inject_image=base / inject["image"] if inject else None,
        inject_oem_platform=inject.get("oem_platform") if inject else None,
    )


def _document_source(
    document: Document, base: Path, key: str, problems: list[Problem]
) -> Source | None:
    data = document.data
    label = DOCUMENTS[key]
    if f"{key}_file" in data:
        path = base / data[f"{key}_file"]
        try:
            return read_source(path)
        except OSError as error:
            problems.append(
                document.problem(
                    (f"{key}_file",), f"cannot read {label} {path}: {describe_os_error(error)}"
                )
            )
            return None
    if key not in data:
        return None
    value = data[key]
    name = f"{document.source.name}: {key}"
    if isinstance(value, str) and key == "user_data":
        # User data goes onto the drive byte for byte: it is its own document.
        return Source(name, value.encode())
    # Inline JSON documents are checked where they stand: problems name this file and line.
    return EmbeddedSource(
        document.source.name,
        json.dumps(value).encode(),
        document=document.embedded((key,)),
    )


def _ssh_key(base: Path, entry: str) -> str:
    # A key line stays as it is; anything else is a file of keys, relative to the machine file.
    if " " in entry.strip():
        return entry
    return str(base / entry)


def _file_spec(
    document: Document, base: Path, index: int, item: str | Mapping[str, str]
) -> FileSpec:
    # Each problem with DEST or SRC points at the line that gave it.
    if isinstance(item, str):
        spec = FileSpec.parse(item)
        whole = _origin(document, ("files", index))
        return FileSpec(str(base / spec.source), spec.dest, whole, whole)
    return FileSpec(
        str(base / item["source"]),
        item["dest"],
        dest_origin=_origin(document, ("files", index, "dest")),
        source_origin=_origin(document, ("files", index, "source")),
    )


def _origin(document: Document, path: DocPath) -> Origin:
    return Origin(document.source.name, (*document.prefix_path(), *path), *document.locate(path))
