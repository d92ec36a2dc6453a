"""`inspect IMAGE` for a disk image: its OS, its partitions, and what each reader will do
with the configuration already on it.

The image is attached read-only (libguestfs puts a throw-away overlay in front of it), so
looking never changes it. Each configuration found is judged by the reader that will read
it, with the rules `build` applies to the same input: coreos-cloudinit for the installer's
user_data, Ignition for config.ign (and only if the first-boot flag is there), cloud-init's
NoCloud reader for a seed.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from configdrive.disks.appliance import Appliance, AttachedImage, FoundPartition, Probe
from configdrive.disks.partition_table import (
    GPT_SIGNATURE,
    QCOW2_MAGIC,
    SECTOR_SIZES,
    read_disk_layout,
)
from configdrive.disks.targets import (
    COREOS_USER_DATA,
    FLATCAR_USER_DATA,
    IGNITION_CONFIG,
    NOCLOUD_FILES,
    NOCLOUD_SEED,
    OEM_KIT_FILES,
    DetectedSystem,
    NoSystemFound,
    System,
    detect_system,
    probe_disk,
    user_data_paths,
)
from configdrive.drives.drive import ISO_HEAD, is_iso
from configdrive.inputs.documents import Source
from configdrive.problems import Problem, errors_in
from configdrive.validation.user_data import Target, UserDataKind, inspect_user_data

APPLIES = "applies"
REFUSES = "refuses"
IGNORED = "ignored"


@dataclass(frozen=True)
class FoundConfig:
    """One configuration on the image and what its reader does with it at boot."""

    partition: str
    path: str
    size: int
    sha256: str
    reader: str
    verdict: str  # applies, refuses or ignored
    reason: str
    problems: tuple[Problem, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "partition": self.partition,
            "path": self.path,
            "size": self.size,
            "sha256": self.sha256,
            "reader": self.reader,
            "verdict": self.verdict,
            "reason": self.reason,
            "problems": [problem.to_json() for problem in self.problems],
        }


@dataclass
class DiskInspection:
    """Everything `inspect` found out about one disk image."""

    path: Path
    format: str
    size: int
    scheme: str | None
    partitions: tuple[FoundPartition, ...] = ()
    system: DetectedSystem | None = None
    no_system: str = ""
    configs: tuple[FoundConfig, ...] = ()
    oem_kit: tuple[str, ...] = ()
    accelerator: str = ""
    problems: tuple[Problem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """An OS was found, a reader applies a configuration, and none refuses one."""
        verdicts = [config.verdict for config in self.configs]
        return self.system is not None and APPLIES in verdicts and REFUSES not in verdicts

    def to_json(self) -> dict[str, Any]:
        system = self.system
        return {
            "ok": self.ok,
            "path": str(self.path),
            "kind": "disk image",
            "format": self.format,
            "size": self.size,
            "partition_table": self.scheme,
            "partitions": [
                {
                    "device": part.device,
                    "number": part.number,
                    "gpt_name": part.gpt_name,
                    "fs_type": part.fs_type,
                    "fs_label": part.fs_label,
                    "size": part.size,
                }
                for part in self.partitions
            ],
            "system": system.system.value if system else None,
            "system_name": system.name if system else None,
            "found": list(system.evidence) if system else [],
            "no_system": self.no_system or None,
            "first_boot_flag": system.first_boot if system else None,
            "configs": [config.to_json() for config in self.configs],
            "oem_kit": list(self.oem_kit),
            "appliance": self.accelerator,
        }


def is_disk_image(path: str | os.PathLike[str]) -> bool:
    """Whether `inspect` should read `path` as a disk image rather than as a drive: a qcow2,
    or a GPT that is not a hybrid ISO's (those are read as the drives they are).

    Only a regular file is opened: a FIFO would block, and the drive reader refuses
    anything else with its own message.
    """
    try:
        if not stat.S_ISREG(Path(path).stat().st_mode):
            return False
        with Path(path).open("rb") as stream:
            head = stream.read(ISO_HEAD)
    except OSError:
        return False
    if head.startswith(QCOW2_MAGIC):
        return True
    if is_iso(head):
        return False  # a hybrid ISO has an MBR too; it is read as the drive it is
    return any(head[size : size + len(GPT_SIGNATURE)] == GPT_SIGNATURE for size in SECTOR_SIZES)


def inspect_disk(
    path: str | os.PathLike[str], *, events: Callable[[str], None] | None = None
) -> DiskInspection:
    """Look at a disk image through a read-only libguestfs appliance."""
    layout = read_disk_layout(path)
    result = DiskInspection(
        path=Path(path), format=layout.format, size=layout.virtual_size, scheme=layout.scheme
    )
    attached = AttachedImage(Path(path), layout.format, writable=False)
    with Appliance([attached], events=events) as appliance:
        result.accelerator = appliance.accelerator
        (disk,) = appliance.survey()
        result.partitions = disk.partitions
        probes = probe_disk(appliance, disk)
    try:
        system = detect_system(disk, probes)
    except NoSystemFound as error:
        result.no_system = str(error)
        return result
    result.system = system
    result.configs = tuple(_configs(system, probes))
    if system.oem is not None:
        oem = probes[system.oem.device]
        result.oem_kit = tuple(path for path in OEM_KIT_FILES if oem.holds_file(path))
    return result


def _configs(system: DetectedSystem, probes: dict[str, Probe]) -> list[FoundConfig]:
    found: list[FoundConfig] = []
    if system.system is System.CLOUD_INIT:
        seed = _seed(system.root, probes[system.root.device])
        if seed is not None:
            found.append(seed)
        return found
    root = probes[system.root.device]
    watched = user_data_paths(system.system)
    for path in (FLATCAR_USER_DATA, COREOS_USER_DATA):
        data = root.data(path)
        if data is None:
            continue
        if path not in watched:
            watcher = "Flatcar's" if system.system is System.FLATCAR else "Container Linux's"
            reason = f"{watcher} coreos-cloudinit watches {watched[0]} only"
            found.append(_config(system.root, path, data, "coreos-cloudinit", IGNORED, reason))
            continue
        problems: list[Problem] = []
        inspect_user_data(Source(path, data), problems, Target.CONTAINER_LINUX)
        verdict, reason = _judged(problems, "applied at every boot by coreos-cloudinit")
        found.append(
            _config(system.root, path, data, "coreos-cloudinit", verdict, reason, problems)
        )
    if system.oem is not None:
        data = probes[system.oem.device].data(IGNITION_CONFIG)
        if data is not None:
            found.append(_ignition(system, data))
    return found


def _ignition(system: DetectedSystem, data: bytes) -> FoundConfig:
    assert system.oem is not None
    problems: list[Problem] = []
    info = inspect_user_data(Source(IGNITION_CONFIG, data), problems, Target.CONTAINER_LINUX)
    if info is not None and info.kind is not UserDataKind.IGNITION:
        verdict, reason = REFUSES, f"config.ign is {info.kind.value}, not an Ignition config"
    elif system.first_boot is None:
        verdict, reason = IGNORED, "no first-boot flag on EFI-SYSTEM: Ignition will not run"
    else:
        applied = f"applied by Ignition at the first boot ({system.first_boot} is set)"
        verdict, reason = _judged(problems, applied)
    return _config(system.oem, IGNITION_CONFIG, data, "ignition", verdict, reason, problems)


def _seed(root: FoundPartition, probe: Probe) -> FoundConfig | None:
    files = {name: probe.data(f"{NOCLOUD_SEED}/{name}") for name in NOCLOUD_FILES}
    if not any(data is not None for data in files.values()):
        return None
    path = f"{NOCLOUD_SEED}/"
    blob = b"".join(data or b"" for data in files.values())
    missing = [name for name in ("meta-data", "user-data") if files[name] is None]
    if missing:
        # cloud-init's seed reader requires both (pathprefix2dict's `required`).
        reason = f"the seed lacks {' and '.join(missing)}: cloud-init's NoCloud reader skips it"
        return _config(root, path, blob, "cloud-init", IGNORED, reason)
    from configdrive.drives.inspection import nocloud_seed_problems

    problems = nocloud_seed_problems(files.get)
    verdict, reason = _judged(problems, "read by cloud-init's NoCloud data source at boot")
    return _config(root, path, blob, "cloud-init", verdict, reason, problems)


def _judged(problems: list[Problem], applied: str) -> tuple[str, str]:
    errors = errors_in(problems)
    if errors:
        return REFUSES, f"{len(errors)} error{'s' if len(errors) != 1 else ''} (below)"
    return APPLIES, applied


def _config(
    partition: FoundPartition,
    path: str,
    data: bytes,
    reader: str,
    verdict: str,
    reason: str,
    problems: list[Problem] | None = None,
) -> FoundConfig:
    return FoundConfig(
        partition=partition.shown,
        path=path,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        reader=reader,
        verdict=verdict,
        reason=reason,
        problems=tuple(problems or ()),
    )
