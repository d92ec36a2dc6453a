"""Stage 3 of the pipeline: the machine, validated and assembled, independent of any layout.

`MachineInputs` is what the user asked for, declared once: the command line's input
flags, a machine file's keys and the API's keywords all become one. A `MachineSpec` is
those inputs read (each document a Source), not yet validated. A `Machine` is what every
layout (OpenStack config-2, NoCloud, the metadata service) renders from: nothing in it
needs checking again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from configdrive.inputs.documents import Source
from configdrive.problems import DocPath, Problem
from configdrive.validation.user_data import Target, UserDataInfo


@dataclass(frozen=True)
class FileSpec:
    """An injected file as the user named it: SRC on this machine, DEST on the VM."""

    source: str
    dest: str
    # Where a machine file wrote DEST and SRC (its files[N].dest, .source): their problems
    # point there. None for --file, whose problems name the flag.
    dest_origin: Origin | None = field(default=None, compare=False)
    source_origin: Origin | None = field(default=None, compare=False)

    @classmethod
    def parse(cls, text: str) -> FileSpec:
        """Split `SRC:DEST` at its last colon (DEST is an absolute path)."""
        source, colon, dest = text.rpartition(":")
        if not colon:
            return cls(text, "")
        return cls(source, dest)

    def __str__(self) -> str:
        return f"{self.source}:{self.dest}" if self.dest else self.source


@dataclass(frozen=True)
class Origin:
    """A place in a file: where a value came from."""

    file: str
    path: DocPath
    line: int | None
    column: int | None

    def problem(self, message: str) -> Problem:
        return Problem(self.file, message, self.path, self.line, self.column)


# A document as a caller may name it: a path (`-` is standard input), its bytes, a mapping
# (for the JSON documents; user data becomes a #cloud-config), or a Source already read.
InputLike = str | os.PathLike[str] | bytes | Mapping[str, Any] | Source
# An injected file: `SRC:DEST`, a (SRC, DEST) pair, or a FileSpec.
FileLike = str | tuple[str | os.PathLike[str], str] | FileSpec

# What the five documents are while named (InputLike) and once read (Source). Covariant:
# inputs naming every document by path are inputs naming them by anything InputLike.
DocumentT_co = TypeVar("DocumentT_co", covariant=True)
# Marks the document fields (`document_fields`): files the user names, read before validation.
_DOCUMENT = MappingProxyType({"document": True})


@dataclass(frozen=True)
class MachineInputs(Generic[DocumentT_co]):
    """The inputs of one machine, the one place they are declared.

    `build`'s input flags (cli/options.py), a machine file's keys
    (inputs/machine_file.py, machine.schema.json) and the API's keywords (`build`,
    `machine_spec`, `validate_files`) are each one of these fields under its own name;
    a test holds the four to the same set, so an input added here and not there fails.
    """

    user_data: DocumentT_co | None = field(default=None, metadata=_DOCUMENT)
    meta_data: DocumentT_co | None = field(default=None, metadata=_DOCUMENT)
    network_data: DocumentT_co | None = field(default=None, metadata=_DOCUMENT)
    vendor_data: DocumentT_co | None = field(default=None, metadata=_DOCUMENT)
    vendor_data2: DocumentT_co | None = field(default=None, metadata=_DOCUMENT)
    uuid: str | None = None
    hostname: str | None = None
    name: str | None = None
    ssh_keys: tuple[str, ...] = ()
    files: tuple[FileSpec, ...] = ()
    # Which reader the user data is for: it decides which of their refusals are errors. How
    # to read the inputs rather than one of them: `any_given` leaves it out.
    target: Target = Target.AUTO

    def any_given(self) -> bool:
        """Whether any input is given (the target alone says nothing about the machine)."""
        return any(
            getattr(self, each.name) not in (None, ())
            for each in fields(MachineInputs)
            if each.name != "target"
        )


def document_fields() -> tuple[str, ...]:
    """The names of the five documents, in order: user_data, meta_data, ..., vendor_data2."""
    return tuple(each.name for each in fields(MachineInputs) if each.metadata.get("document"))


def document_label(field_name: str) -> str:
    """How messages name a document: `meta_data` is "meta data" (`cannot read meta data`)."""
    return field_name.replace("_", " ")


@dataclass(frozen=True)
class MachineSpec(MachineInputs[Source]):
    """A machine's inputs read, before validation: every document a Source."""

    # Problems met while gathering the sources (an unreadable file), reported with the rest.
    read_problems: tuple[Problem, ...] = ()
    # Where uuid, hostname and name were written, when a machine file gave them: their
    # problems then point at that line instead of at a flag.
    origins: Mapping[str, Origin] = field(default_factory=dict)


@dataclass(frozen=True)
class InjectedFile:
    """A file to place on the VM, read from `source` when the drive is written."""

    dest: str
    source: Path
    size: int
    # A small file whose size the kernel misreports (a /proc file says 0 bytes), read whole
    # when checked (load.read_small_file): the drive carries these bytes. None: `source` is
    # streamed when the drive is written.
    data: bytes | None = field(default=None, repr=False)


# Where a machine's uuid came from (UuidSource.kind).
UUID_GIVEN = "given"  # --uuid, or a machine file's uuid
UUID_FROM_META_DATA = "meta_data"  # the meta data's uuid, or its NoCloud instance-id
UUID_FROM_NAME = "name"  # derived from the instance name
UUID_FROM_HOSTNAME = "hostname"  # derived from the host name (no name was given)
UUID_FROM_CONTENTS = "contents"  # derived from everything: it changes with any edit


@dataclass(frozen=True)
class UuidSource:
    """Where the uuid (the instance-id cloud-init keys first boot on) came from, in words."""

    kind: str
    note: str

    @property
    def derived(self) -> bool:
        """Whether mkconfigdrive made the uuid up (from the name, host name or contents)."""
        return self.kind in (UUID_FROM_NAME, UUID_FROM_HOSTNAME, UUID_FROM_CONTENTS)


@dataclass(frozen=True)
class Machine:
    """One validated machine. Treat the mappings as read-only: layouts share them."""

    uuid: str
    uuid_derived: bool
    hostname: str | None
    name: str | None
    meta_data: Mapping[str, Any]
    public_keys: Mapping[str, str]
    user_data: bytes | None = None
    user_data_info: UserDataInfo | None = None
    network_data: Any = None
    vendor_data: Any = None
    vendor_data2: Any = None
    files: tuple[InjectedFile, ...] = ()
    warnings: tuple[Problem, ...] = field(default=())
    uuid_source: UuidSource | None = None
    # A NoCloud seed's instance-id when the meta data gave one that is not a UUID (NoCloud
    # takes any string; a config-2 drive's instance-id is its uuid, so it must be one).
    nocloud_instance_id: str | None = None

    @property
    def instance_id(self) -> str:
        """The instance-id cloud-init sees: the uuid, or NoCloud's own instance-id."""
        return self.nocloud_instance_id or self.uuid


def json_bytes(value: Any) -> bytes:
    """JSON as Nova writes it: default separators, ASCII only, keys in the given order."""
    return json.dumps(value).encode("ascii")
