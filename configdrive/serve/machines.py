"""Which machines are served, and to whom: load and validate them, tell them by address.

A machine file (or a fleet: a fleet file or a folder of machine files) is validated as
`build` validates it and laid out as `build` lays out its config-2 drive. Each machine
answers the client whose source address is its `address`; a single machine without one
answers every client.

Everything served is read when the machines are loaded, injected files included: what a
machine gets changes only on reload (SIGHUP), never because a file changed, vanished or
became a FIFO behind the service's back, and no request waits on a disk.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from configdrive.api import layout_drive, validate_machine
from configdrive.errors import InvalidInputError, describe_os_error
from configdrive.inputs.documents import (
    MAX_DOCUMENT_SIZE,
    parse_document,
    printable,
    read_source,
)
from configdrive.inputs.fleet import FleetMachine, load_fleet
from configdrive.inputs.machine_file import MachineFile, load_machine_file
from configdrive.layouts.drive_layout import Content, DriveLayout, FileContent
from configdrive.problems import Problem, errors_in
from configdrive.serve.metadata import MetadataTree, machine_tree


@functools.lru_cache(maxsize=4096)  # asked once a request, for a few addresses
def canonical_address(text: str) -> str:
    """An IP address in one spelling: IPv4-mapped IPv6 as IPv4, no zone. Raises ValueError."""
    address = ipaddress.ip_address(text.partition("%")[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


@dataclass(frozen=True)
class ServedMachine:
    """One validated machine, the address its requests come from, and its answers."""

    name: str
    address: str | None
    uuid: str
    tree: MetadataTree


class Served:
    """The machines served at one time, found by the client's address."""

    def __init__(self, machines: Sequence[ServedMachine], warnings: Sequence[Problem] = ()):
        self.machines = tuple(machines)
        self.warnings = tuple(warnings)
        self._by_address = {m.address: m for m in self.machines if m.address is not None}
        # Only a machine served alone may go without an address: it then answers everyone.
        alone = self.machines[0] if len(self.machines) == 1 else None
        self._everyone = alone if alone is not None and alone.address is None else None

    def machine_for(self, client: str) -> ServedMachine | None:
        """The machine a client at this (canonical) address is, if any."""
        return self._everyone or self._by_address.get(client)


def load_served(target: str | os.PathLike[str], *, strict: bool = False) -> Served:
    """Validate every machine of a machine file, fleet file or folder, as `build` would.

    Raises InvalidInputError with every problem of every machine (and of their addresses)
    when any is an error: nothing is served from invalid input.
    """
    entries = _fleet_entries(Path(target))
    snapshot = _Snapshot()
    problems: list[Problem] = []
    warnings: list[Problem] = []
    machines: list[ServedMachine] = []
    for entry in entries:
        if entry.machine is None:
            problems.extend(entry.problems)
            continue
        address = _machine_address(entry.machine, problems)
        try:
            machine = validate_machine(entry.machine.spec, strict=strict)
        except InvalidInputError as error:
            problems.extend(error.problems)
            continue
        warnings.extend(machine.warnings)
        before = len(problems)
        layout = snapshot.layout(layout_drive(machine, "openstack"), entry.machine, problems)
        if len(problems) > before:
            continue
        tree = machine_tree(machine, layout, address)
        machines.append(ServedMachine(entry.machine.name, address, machine.uuid, tree))
    problems.extend(_address_problems(entries))
    if errors_in(problems):
        raise InvalidInputError([*problems, *warnings])
    return Served(machines, warnings)


# An injected file is held in memory from load to reload: at most what any input read
# whole may be (a document's limit), and all of them together at most MAX_SERVED_FILES.
MAX_SERVED_FILE = MAX_DOCUMENT_SIZE
MAX_SERVED_FILES = 1024 * 1024 * 1024
_MIB = 1024 * 1024


class _Snapshot:
    """Injected files read into memory at load, each file once however many machines use it."""

    def __init__(self) -> None:
        self._read: dict[tuple[int, int, int, int], bytes] = {}
        self.total = 0

    def layout(
        self, layout: DriveLayout, machine_file: MachineFile, problems: list[Problem]
    ) -> DriveLayout:
        """`layout` with every file's content read into bytes; a problem for each that fails."""
        files: dict[str, Content] = {}
        for path, content in layout.files.items():
            if not isinstance(content, FileContent):
                files[path] = content
                continue
            try:
                files[path] = self._bytes(content)
            except (OSError, _TooLarge) as error:
                why = describe_os_error(error) if isinstance(error, OSError) else str(error)
                problems.append(_file_problem(machine_file, content.path, why))
        return dataclasses.replace(layout, files=files)

    def _bytes(self, content: FileContent) -> bytes:
        # O_NONBLOCK: a FIFO put in the file's place since validation does not block the
        # open waiting for a writer; fstat then refuses it.
        fd = os.open(content.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as stream:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise OSError("is not a regular file")
            key = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
            if key in self._read:
                return self._read[key]
            data = stream.read(MAX_SERVED_FILE + 1)
        if len(data) > MAX_SERVED_FILE:
            raise _TooLarge(
                f"is over {MAX_SERVED_FILE // _MIB} MiB; serve holds every injected file in "
                "memory, at most that much each: put it on a drive (build) or have the "
                "machine download it"
            )
        if self.total + len(data) > MAX_SERVED_FILES:
            raise _TooLarge(
                f"the injected files served come to over {MAX_SERVED_FILES // _MIB} MiB "
                "(each different file counts once); serve holds them all in memory"
            )
        self.total += len(data)
        self._read[key] = data
        return data


class _TooLarge(Exception):
    """An injected file, or all of them, over what serve holds in memory."""


def _file_problem(machine_file: MachineFile, source: Path, message: str) -> Problem:
    """A problem with an injected file, at its `source:` in the machine file when known."""
    text = f"SRC {printable(str(source))!r}: {message} ({machine_file.name})"
    for spec in machine_file.spec.files:
        if Path(spec.source) == source and spec.source_origin is not None:
            return spec.source_origin.problem(text)
    return Problem(machine_file.origin, text)


def _fleet_entries(target: Path) -> list[FleetMachine]:
    if target.is_dir() or _is_fleet_file(target):
        return load_fleet(target)
    machine = load_machine_file(target)
    return [FleetMachine(machine.name, machine)]


def _is_fleet_file(path: Path) -> bool:
    """Whether a file lists machines (`machines:`) rather than describing one."""
    try:
        source = read_source(path)
    except OSError:
        return False  # reported by the machine file's loader, in its words
    document = parse_document(source, [])
    return document is not None and isinstance(document.data, dict) and "machines" in document.data


def _address_problem(machine: MachineFile, message: str) -> Problem:
    origin = machine.spec.origins.get("address")
    if origin is not None:
        return origin.problem(message)
    return Problem(machine.origin, message, ("address",))


def _machine_address(machine: MachineFile, problems: list[Problem]) -> str | None:
    if machine.address is None:
        return None
    try:
        return canonical_address(machine.address)
    except ValueError:
        problems.append(
            _address_problem(machine, f"{machine.address!r} is not an IP address ({machine.name})")
        )
        return None


def _address_problems(entries: Sequence[FleetMachine]) -> list[Problem]:
    """Every machine of a fleet needs an address of its own."""
    loaded = [entry.machine for entry in entries if entry.machine is not None]
    problems: list[Problem] = []
    claimed: dict[str, str] = {}
    for machine in loaded:
        if machine.address is None:
            if len(entries) > 1:
                problems.append(
                    Problem(
                        machine.origin,
                        f"{machine.name} has no address: with several machines, each is told "
                        "by the address its requests come from; add `address: <its IP>`",
                    )
                )
            continue
        try:
            address = canonical_address(machine.address)
        except ValueError:
            continue  # reported by _machine_address
        other = claimed.setdefault(address, machine.name)
        if other != machine.name:
            problems.append(
                _address_problem(
                    machine,
                    f"{other} and {machine.name} both claim {address}; each machine needs "
                    "its own address",
                )
            )
    return problems


def machines_text(served: Served) -> str:
    """`1 machine`, `3 machines`: how many are served, for the start-up line and reloads."""
    count = len(served.machines)
    return f"{count} machine{'s' if count != 1 else ''}"
