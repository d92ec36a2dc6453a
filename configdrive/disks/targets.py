"""Which OS a disk image holds, found by label and content, and where its reader looks.

A disk image is recognised by what its readers themselves rely on, never by partition
numbers:

- **Flatcar and Container Linux**: file systems labelled `ROOT` and `OEM` (or `USR-A`).
  `flatcar-install -c` copies the cloud-config to `/var/lib/flatcar-install/user_data` on
  the file system labelled ROOT, and `-i` copies the Ignition config to `config.ign` on
  the one labelled OEM, both found with `blkid -t LABEL=...` ("make no assumptions" about
  numbers): flatcar/init bin/flatcar-install:716-757 (32982439). Container Linux's
  `coreos-install` does the same with `/var/lib/coreos-install/user_data`:
  coreos/init bin/coreos-install:611-643 (a1dbdc3a). At boot, coreos-cloudinit's
  `user-config.target` watches exactly one of them: Flatcar's fork watches
  `var-lib-flatcar\\x2dinstall-user_data` (flatcar/coreos-cloudinit
  units/user-config.target:7, 8df59e8f), v1.14.0 `var-lib-coreos\\x2dinstall-user_data`
  (coreos/coreos-cloudinit units/user-config.target:7, e0d082a9). Which one is decided by
  the `ID` in USR-A's os-release (the /usr partition: `/lib/os-release` there is
  `/usr/lib/os-release` at boot); when it cannot be read, both are written.
  Ignition runs only on the first boot, flagged by `first_boot` in `flatcar/` (or
  `coreos/`) on the EFI system partition, which is /boot: flatcar/init
  bin/flatcar-reset:166,271. The flag is left as it is; a missing one is a warning.
- **cloud-init images**: a file system holding `/etc/cloud/cloud.cfg` or
  `/usr/bin/cloud-init`. The seed goes to `/var/lib/cloud/seed/nocloud/`, which
  cloud-init's NoCloud data source reads before any drive (`seed_dir` in
  cloudinit/sources/DataSourceNoCloud.py), as the files `build --layout nocloud` writes.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from configdrive.disks.appliance import Appliance, FileToWrite, FoundDisk, FoundPartition, Probe
from configdrive.machine import Machine, MachineSpec
from configdrive.problems import Problem, Severity
from configdrive.validation.user_data import Target, UserDataKind

NOCLOUD_SEED = "/var/lib/cloud/seed/nocloud"
NOCLOUD_FILES = ("meta-data", "user-data", "vendor-data", "network-config")
FLATCAR_USER_DATA = "/var/lib/flatcar-install/user_data"
COREOS_USER_DATA = "/var/lib/coreos-install/user_data"
IGNITION_CONFIG = "/config.ign"
FIRST_BOOT_FLAGS = {"flatcar": "/flatcar/first_boot", "coreos": "/coreos/first_boot"}
OEM_KIT_FILES = ("/base/base.ign", "/base/default.ign", "/grub.cfg", "/oem-release")

# What the probe looks at on every file system it can mount: enough to tell the OS and to
# show what configuration an image already carries (inspect).
PROBE_PATHS = (
    "/etc/os-release",
    "/usr/lib/os-release",
    "/lib/os-release",
    "/etc/cloud/cloud.cfg",
    "/usr/bin/cloud-init",
    *FIRST_BOOT_FLAGS.values(),
    IGNITION_CONFIG,
    "/cloud-config.yml",
    *OEM_KIT_FILES,
    FLATCAR_USER_DATA,
    COREOS_USER_DATA,
    NOCLOUD_SEED,
    *(f"{NOCLOUD_SEED}/{name}" for name in NOCLOUD_FILES),
)
# Configs are read whole up to this size (a user data limit of cloud-init's own order).
PROBE_LIMIT = 16 << 20

SECRET_MODE = 0o600  # user data and seeds may hold passwords and keys
PUBLIC_MODE = 0o644  # the OEM kit is the same for every machine of a platform


class System(str, enum.Enum):
    """The kinds of OS image inject knows where to write for."""

    FLATCAR = "flatcar"
    CONTAINER_LINUX = "container-linux"
    CONTAINER_LINUX_FAMILY = "container-linux-family"  # Flatcar or CoreOS, /usr unreadable
    CLOUD_INIT = "cloud-init"


@dataclass(frozen=True)
class DetectedSystem:
    """What was found on one image, and on which partitions."""

    system: System
    name: str  # os-release PRETTY_NAME, or the kind in words
    root: FoundPartition
    oem: FoundPartition | None = None
    efi: FoundPartition | None = None
    usr: FoundPartition | None = None
    first_boot: str | None = None  # the flag's path on the EFI partition, when present
    evidence: tuple[str, ...] = ()

    @property
    def container_linux(self) -> bool:
        return self.system is not System.CLOUD_INIT


@dataclass(frozen=True)
class PartitionWrite:
    """Files for one partition, written all together or not at all."""

    partition: FoundPartition
    role: str  # "ROOT", "OEM", or "root" for a cloud-init image's root file system
    files: tuple[FileToWrite, ...]
    remove: tuple[str, ...] = ()


class NoSystemFound(Exception):
    """The image holds nothing inject knows how to configure; the message says what it holds."""


def probe_disk(appliance: Appliance, disk: FoundDisk) -> dict[str, Probe]:
    """Every partition of `disk` probed at PROBE_PATHS, by partition device: what
    detect_system decides from, and what inject and inspect report."""
    return {
        part.device: appliance.probe(part, PROBE_PATHS, PROBE_LIMIT) for part in disk.partitions
    }


def os_release(data: bytes | None) -> dict[str, str]:
    """The fields of an os-release file (quotes removed), or {} when there is none."""
    fields: dict[str, str] = {}
    if data is None:
        return fields
    for line in data.decode("utf-8", "replace").splitlines():
        match = re.fullmatch(r"\s*([A-Z0-9_]+)=(.*)", line)
        if match:
            value = match.group(2).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            fields[match.group(1)] = value
    return fields


def labelled(disk: FoundDisk, label: str) -> list[FoundPartition]:
    """Partitions whose file system label is `label`, as `blkid -t LABEL=` finds them; where
    no file system carries it, the GPT partition name (the installer's own layout names)."""
    by_label = [part for part in disk.partitions if part.fs_label == label]
    return by_label or [part for part in disk.partitions if part.gpt_name == label]


def detect_system(disk: FoundDisk, probes: Mapping[str, Probe]) -> DetectedSystem:
    """The OS on `disk`, from its labels and the probed files (`probes` by partition device)."""

    def file(partition: FoundPartition | None, path: str) -> bytes | None:
        probe = probes.get(partition.device) if partition is not None else None
        return probe.data(path) if probe is not None else None

    def has(partition: FoundPartition, path: str) -> bool:
        probe = probes.get(partition.device)
        return probe is not None and probe.holds_file(path)

    roles: dict[str, FoundPartition] = {}
    for role in ("ROOT", "OEM", "USR-A", "EFI-SYSTEM"):
        found = labelled(disk, role)
        if len(found) > 1:
            shown = ", ".join(part.shown for part in found)
            raise NoSystemFound(f"more than one partition is labelled {role}: {shown}")
        if found:
            roles[role] = found[0]
    root = roles.get("ROOT")
    if root is not None and ("OEM" in roles or "USR-A" in roles):
        usr, efi = roles.get("USR-A"), roles.get("EFI-SYSTEM")
        release = os_release(file(usr, "/lib/os-release") or file(usr, "/usr/lib/os-release"))
        others = [role for role in ("OEM", "USR-A", "EFI-SYSTEM") if role in roles]
        evidence = [f"ROOT: {root.shown}", *(f"{role}: {roles[role].shown}" for role in others)]
        flags = [path for path in FIRST_BOOT_FLAGS.values() if efi is not None and has(efi, path)]
        if release.get("ID") == "flatcar":
            system = System.FLATCAR
        elif release.get("ID") == "coreos":
            system = System.CONTAINER_LINUX
        elif flags:
            system = System.FLATCAR if flags[0].startswith("/flatcar") else System.CONTAINER_LINUX
        else:
            system = System.CONTAINER_LINUX_FAMILY
        if release:
            evidence.append(f"USR-A /lib/os-release: ID={release.get('ID', '?')}")
        default_name = {
            System.FLATCAR: "Flatcar Container Linux",
            System.CONTAINER_LINUX: "Container Linux by CoreOS",
            System.CONTAINER_LINUX_FAMILY: "Flatcar or Container Linux (/usr not readable)",
        }[system]
        return DetectedSystem(
            system=system,
            name=release.get("PRETTY_NAME") or default_name,
            root=root,
            oem=roles.get("OEM"),
            efi=efi,
            usr=usr,
            first_boot=flags[0] if flags else None,
            evidence=tuple(evidence),
        )
    cloud_roots = [
        part
        for part in disk.partitions
        if has(part, "/etc/cloud/cloud.cfg") or has(part, "/usr/bin/cloud-init")
    ]
    if len(cloud_roots) > 1:
        shown = ", ".join(part.shown for part in cloud_roots)
        raise NoSystemFound(f"more than one file system holds cloud-init: {shown}")
    if cloud_roots:
        part = cloud_roots[0]
        release = os_release(file(part, "/etc/os-release") or file(part, "/usr/lib/os-release"))
        found_by = "/etc/cloud/cloud.cfg" if has(part, "/etc/cloud/cloud.cfg") else "cloud-init"
        return DetectedSystem(
            system=System.CLOUD_INIT,
            name=release.get("PRETTY_NAME") or "an OS with cloud-init",
            root=part,
            evidence=(f"root: {part.shown} holds {found_by}",),
        )
    held = ", ".join(part.shown for part in disk.partitions) or "no partitions"
    raise NoSystemFound(
        "no OS inject knows: no file systems labelled ROOT and OEM (Flatcar, Container "
        f"Linux) and none holding /etc/cloud/cloud.cfg (cloud-init); found {held}"
    )


def container_linux_spec(spec: MachineSpec) -> MachineSpec:
    """The inputs as Container Linux reads them: coreos-cloudinit's refusals are errors."""
    if spec.target is Target.AUTO:
        return replace(spec, target=Target.CONTAINER_LINUX)
    return spec


def user_data_paths(system: System) -> tuple[str, ...]:
    """Where the cloud-config goes: the path this flavour's coreos-cloudinit watches."""
    if system is System.FLATCAR:
        return (FLATCAR_USER_DATA,)
    if system is System.CONTAINER_LINUX:
        return (COREOS_USER_DATA,)
    return (FLATCAR_USER_DATA, COREOS_USER_DATA)


# What an injected Container Linux image cannot carry: it reads only the user data (and
# the OEM partition), never a config drive's meta data. Each input with what to do instead.
_NOT_CARRIED = (
    ("ssh_keys", "--ssh-key", "put the key in the cloud-config's ssh_authorized_keys "
     "(Ignition: passwd.users[].sshAuthorizedKeys)"),
    ("hostname", "--hostname", "set hostname in the cloud-config (Ignition: write "
     "/etc/hostname with storage.files)"),
    ("uuid", "--uuid", "the instance id lives in a config drive's meta data"),
    ("meta_data", "--meta-data", "meta data is read from a config drive or a metadata service"),
    ("network_data", "--network-data", "write networkd units with the cloud-config's "
     "coreos.units or Ignition's storage.files"),
    ("vendor_data", "--vendor-data", "vendor data is read from a config drive"),
    ("vendor_data2", "--vendor-data2", "vendor data is read from a config drive"),
    ("files", "--file", "write the file with the cloud-config's write_files (Ignition: "
     "storage.files)"),
)  # fmt: skip


def not_carried(spec: MachineSpec, system: DetectedSystem) -> list[Problem]:
    """Inputs that a Container Linux image given only injected files would silently lose."""
    problems = []
    for field_name, flag, advice in _NOT_CARRIED:
        if getattr(spec, field_name) in (None, ()):
            continue
        message = (
            f"{system.name} reads only the user data injected onto its disk, so this "
            f"would be lost: {advice}, or build a config drive instead"
        )
        origin = spec.origins.get(field_name)
        problems.append(origin.problem(message) if origin is not None else Problem(flag, message))
    return problems


def container_linux_files(
    machine: Machine, system: DetectedSystem
) -> tuple[list[PartitionWrite], list[Problem]]:
    """The user data's place on a Flatcar or Container Linux image."""
    info = machine.user_data_info
    data = machine.user_data
    if info is None or data is None:
        return [], []
    if info.kind is UserDataKind.IGNITION:
        if system.oem is None:
            return [], [
                Problem(
                    "user data",
                    f"an Ignition config goes to config.ign on the partition labelled OEM, "
                    f"and {system.name} here has none",
                )
            ]
        problems = []
        if system.first_boot is None:
            flavour = "coreos" if system.system is System.CONTAINER_LINUX else "flatcar"
            flag = FIRST_BOOT_FLAGS[flavour]
            problems.append(
                Problem(
                    "user data",
                    f"the first-boot flag ({flag} on EFI-SYSTEM) is not there: Ignition runs "
                    "only on the first boot, so this image (booted before?) will not apply "
                    "config.ign",
                    severity=Severity.WARNING,
                )
            )
        write = FileToWrite(IGNITION_CONFIG, data, SECRET_MODE)
        return [PartitionWrite(system.oem, "OEM", (write,))], problems
    files = tuple(FileToWrite(path, data, SECRET_MODE) for path in user_data_paths(system.system))
    return [PartitionWrite(system.root, "ROOT", files)], []


def seed_writes(
    system: DetectedSystem, seed: Mapping[str, bytes], probe: Probe | None
) -> PartitionWrite:
    """The NoCloud seed for a cloud-init image, replacing any seed already there whole."""
    files = tuple(
        FileToWrite(f"{NOCLOUD_SEED}/{name}", data, SECRET_MODE) for name, data in seed.items()
    )
    stale: list[str] = []
    if probe is not None:
        for name in NOCLOUD_FILES:
            path = f"{NOCLOUD_SEED}/{name}"
            found = probe.files.get(path)
            if name not in seed and found is not None and found.kind != "missing":
                stale.append(path)
    return PartitionWrite(system.root, "root", files, remove=tuple(stale))


def oem_writes(system: DetectedSystem, tree: Mapping[str, bytes]) -> list[PartitionWrite]:
    """The OEM kit's files at the root of the OEM partition (mounted at /oem at boot)."""
    if system.oem is None:
        return []
    files = tuple(
        FileToWrite("/" + path.lstrip("/"), data, PUBLIC_MODE)
        for path, data in sorted(tree.items())
    )
    return [PartitionWrite(system.oem, "OEM", files)]


def merge_writes(writes: Sequence[PartitionWrite]) -> tuple[PartitionWrite, ...]:
    """One write per partition, so that each partition is mounted and written once."""
    merged: dict[str, PartitionWrite] = {}
    for write in writes:
        known = merged.get(write.partition.device)
        if known is None:
            merged[write.partition.device] = write
        else:
            merged[write.partition.device] = replace(
                known, files=known.files + write.files, remove=known.remove + write.remove
            )
    return tuple(merged.values())
