"""Which machines are served, and to whom: load and validate them, tell them by address.

A machine file (or a fleet: a fleet file or a folder of machine files) is validated as
`build` validates it and laid out as `build` lays out its config-2 drive. Each machine
answers the client whose source address is its `address`; a single machine without one
answers every client.
"""

from __future__ import annotations

import functools
import ipaddress
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from configdrive.api import layout_drive, validate_machine
from configdrive.errors import InvalidInputError
from configdrive.inputs.documents import parse_document, read_source
from configdrive.inputs.fleet import FleetMachine, load_fleet
from configdrive.inputs.machine_file import MachineFile, load_machine_file
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
        tree = machine_tree(machine, layout_drive(machine, "openstack"), address)
        machines.append(ServedMachine(entry.machine.name, address, machine.uuid, tree))
    problems.extend(_address_problems(entries))
    if errors_in(problems):
        raise InvalidInputError([*problems, *warnings])
    return Served(machines, warnings)


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
