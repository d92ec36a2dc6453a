"""The Flatcar-era OEM kit: what a Flatcar image's OEM partition holds for a platform.

`oem_tree` gives the partition's files (relative path to bytes, the same bytes for the
same options; no file system is touched), `write_oem_tree` writes them to a folder whole
or not at all. Each file and the Flatcar source that reads it (sources as fetched: the
commit is named once, lines are at that commit):

- `base/base.ign`: an Ignition config merged *before* the user's. Flatcar's initrd mounts
  the partition labelled OEM and copies `base/base.ign` into Ignition's `base.d`, and
  `config.ign` (the user's, as `flatcar-install -i` writes it) to `user.ign`
  (flatcar/bootengine@6c2fba4 dracut/30ignition/ignition-setup.sh lines 8-10 and 35-40);
  Ignition merges every `base.d` config, then the user's on top (coreos/ignition v2.26.0,
  the version Flatcar builds: internal/providers/system/system.go lines 45-61 and
  internal/exec/engine.go line 77). A base config Ignition cannot parse fails the first
  boot, so it is written in spec 3.3.0: the newest that both Flatcar's Ignition (2.26:
  config/v3_0 to v3_6) and Debian's ignition-validate (2.14: up to v3_3) accept, and the
  version Flatcar's own OpenStack base config declared. What it carries is what Flatcar
  shipped for OpenStack (flatcar/coreos-overlay@71845bd
  coreos-base/oem-ec2-compat/files/base/openstack.ign lines 1-13, installed as
  base/base.ign by oem-ec2-compat-0.1.2-r2.ebuild lines 67-69): the SSH-key agent
  `coreos-metadata-sshkeys@.service` enabled (its DefaultInstance is `core`: flatcar/scripts
  coreos-base/afterburn/files/coreos-metadata-sshkeys.service lines 9-15). Flatcar releases
  since 2023 also start it themselves for oem ids ec2 and openstack (flatcar/init@3298243
  systemd/system/sshkeys.service lines 11-13, 23-25 and 31); enabling it twice is harmless
  (a oneshot that remains active), and older
  releases need it. The host name needs nothing here: the initrd fetches it for openstack
  (flatcar/bootengine dracut/30ignition/ignition-generator lines 72-76).
- No `base/default.ign`: Ignition v3 has no default config. Flatcar stopped copying it when
  it moved to Ignition v3 (flatcar/bootengine@e4027c6, "migrate to Ignition v3") and
  deleted every OEM's (flatcar/coreos-overlay@303b7ce, "With ignitionv3, there is no more
  default.ign loaded configuration"). When the user gives no Ignition config, flatcar/init's
  enable-oem-cloudinit.service (lines 3-10) starts oem-cloudinit.service, which runs
  `coreos-cloudinit --oem=ec2-compat` for oem ids aws and openstack (oem-cloudinit.service
  line 8). A default.ign would be read by no Flatcar that can read spec 3.
- `grub.cfg`: Flatcar's GRUB finds the partition labelled OEM, sources its `grub.cfg`, and
  boots the kernel with `flatcar.oem.id=$oem_id` (flatcar/scripts@ab6d76d
  build_library/grub.cfg lines 51-57, 67-70 and 99); Flatcar's own set it on their line 3
  (build_library/oem/openstack/grub.cfg). The initrd turns flatcar.oem.id into
  Ignition's platform, renaming ec2 to aws, gce to gcp and pxe to metal (flatcar/bootengine
  dracut/30ignition/ignition-setup-pre.sh lines 22-42), and Ignition stops at a platform it
  does not know (coreos/ignition internal/platform/platform.go lines 126-131). So the id is
  one of those Flatcar's own images boot with (FLATCAR_OEM_IDS). Ours sets nothing else:
  Flatcar's OpenStack and QEMU images also append `flatcar.autologin` (a root shell on
  the console), a choice left to the distributor.
- `oem-release`: the OEM's os-release, with exactly the fields Flatcar writes: ID,
  VERSION_ID, NAME, HOME_URL and BUG_REPORT_URL (flatcar/scripts
  build_library/vm_image_util.sh lines 430-434; the pre-sysext template,
  flatcar/coreos-overlay@71845bd coreos-base/oem-ec2-compat/files/oem-release lines 1-5,
  leaves ID and VERSION_ID bare and quotes the others). ID must be bare: the initrd reads it
  with `grep ^ID= | cut -d = -f 2` (flatcar/bootengine
  dracut/99setup-root/initrd-setup-root-after-ignition line 51). Every line must be an
  assignment: flatcar-install evals the file with each line prefixed by `OEM_`
  (flatcar/init bin/flatcar-install lines 77-81), so a comment or a blank line would run
  as a command. The values are the cloud-config's `coreos.oem`, which coreos-cloudinit
  writes to /etc/oem-release (flatcar/coreos-cloudinit Documentation/cloud-config-oem.md
  lines 12-44).
- `cloud-config.yml`: configdrive.distro.oem's cloud-config. Flatcar mounts the partition
  at /oem (flatcar/init systemd/system/oem.mount lines 12-14), /usr/share/oem points to it
  (flatcar/coreos-overlay@46e4f14, "/usr/share/oem -> /oem"), and coreos-cloudinit
  applied /usr/share/oem/cloud-config.yml at every boot until flatcar/coreos-cloudinit@fb088ff
  (April 2026) moved it to /usr/share/coreos, into the OEM's system extension
  (units/system-config.target lines 8-10): newer Flatcar releases ignore this copy,
  Container Linux and older Flatcar releases apply it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from configdrive import __version__
from configdrive.distro.oem import (
    METADATA_URL,
    OemIdentity,
    Platform,
    identity_for,
    oem_config,
    platform_named,
)
from configdrive.errors import OutputError, UsageError
from configdrive.formats.atomic import sync_folder
from configdrive.formats.folder import building_folder, is_empty_folder, swap_into_place

OEM_PARTITION_LABEL = "OEM"
IGNITION_SPEC_VERSION = "3.3.0"
BASE_CONFIG = "base/base.ign"
GRUB_CONFIG = "grub.cfg"
OEM_RELEASE = "oem-release"
CLOUD_CONFIG = "cloud-config.yml"
# What the kit writes: --force replaces a folder holding nothing else.
KIT_FILES = frozenset({BASE_CONFIG, GRUB_CONFIG, OEM_RELEASE, CLOUD_CONFIG})
SSH_KEYS_UNIT = "coreos-metadata-sshkeys@.service"
# The oem_id values Flatcar's own images boot with (flatcar/scripts@ab6d76d
# build_library/oem/*/grub.cfg, line 3 of each), and "metal", the initrd's default
# (flatcar/bootengine dracut/30ignition/ignition-setup-pre.sh line 17).
FLATCAR_OEM_IDS = frozenset(
    {
        "akamai",
        "azure",
        "cloudsigma",
        "cloudstack",
        "digitalocean",
        "ec2",
        "exoscale",
        "gce",
        "hetzner",
        "hyperv",
        "kubevirt",
        "metal",
        "nutanix",
        "openstack",
        "oraclecloud",
        "proxmoxve",
        "qemu",
        "scaleway",
        "vagrant",
        "virtualbox",
        "vmware",
    }
)
# Nothing in the kit is secret (no user data, no keys), and Flatcar installs its own OEM
# files 0644 (flatcar/scripts build_library/vm_image_util.sh lines 434 and 437).
FILE_MODE = 0o644
FOLDER_MODE = 0o755


@dataclass(frozen=True)
class KitFile:
    """One file of a written kit: its path in the tree, its size and its SHA-256."""

    path: str
    size: int
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


def oem_tree(
    platform_name: str,
    *,
    oem_id: str | None = None,
    oem_name: str | None = None,
    version_id: str | None = None,
    home_url: str | None = None,
    bug_report_url: str | None = None,
    metadata_url: str = METADATA_URL,
    flatcar_oem_id: str | None = None,
) -> dict[str, bytes]:
    """The OEM partition's files for a platform: relative path to bytes, sorted by path.

    The options are `oem_config`'s (the identity goes into the cloud-config and oem-release
    alike) and `flatcar_oem_id`, grub.cfg's oem_id (default: the platform's). Bad options
    are usage errors, raised before anything is made.
    """
    platform = platform_named(platform_name)
    identity = identity_for(
        platform,
        oem_id=oem_id,
        oem_name=oem_name,
        version_id=version_id,
        home_url=home_url,
        bug_report_url=bug_report_url,
    )
    grub_oem_id = platform.flatcar_oem_id if flatcar_oem_id is None else flatcar_oem_id
    check_flatcar_oem_id(grub_oem_id)
    cloud_config = oem_config(
        platform_name,
        oem_id=oem_id,
        oem_name=oem_name,
        version_id=version_id,
        home_url=home_url,
        bug_report_url=bug_report_url,
        metadata_url=metadata_url,
    )
    tree = {
        BASE_CONFIG: base_config(platform),
        CLOUD_CONFIG: cloud_config.encode(),
        GRUB_CONFIG: grub_config(platform, grub_oem_id),
        OEM_RELEASE: oem_release(identity),
    }
    return dict(sorted(tree.items()))


def check_flatcar_oem_id(value: str) -> None:
    """A usage error unless `value` is an oem_id Flatcar's own images boot with."""
    if value not in FLATCAR_OEM_IDS:
        known = ", ".join(sorted(FLATCAR_OEM_IDS))
        raise UsageError(
            f"--flatcar-oem-id {value!r}: Flatcar's Ignition would stop at a platform it does "
            f"not know; use one of: {known}"
        )


def base_config(platform: Platform) -> bytes:
    """base/base.ign: the SSH keys from the platform's metadata, as Flatcar's OpenStack OEM did.

    The same for every platform we have: each hands out SSH keys in its metadata (config
    drive or metadata service), and Afterburn finds them by the kernel's flatcar.oem.id.
    """
    config = {
        "ignition": {"version": IGNITION_SPEC_VERSION},
        "systemd": {"units": [{"name": SSH_KEYS_UNIT, "enabled": True}]},
    }
    return (json.dumps(config, indent=2) + "\n").encode()


def grub_config(platform: Platform, oem_id: str) -> bytes:
    """grub.cfg: oem_id and nothing else (the id is checked: no quote or `$` to escape)."""
    lines = [
        f"# Flatcar GRUB settings for {platform.name}, made by mkconfigdrive {__version__}.",
        "# Flatcar's grub.cfg sources this file from the partition labelled OEM and boots",
        "# the kernel with flatcar.oem.id=$oem_id, the platform Ignition reads its config from.",
        "",
        f'set oem_id="{oem_id}"',
    ]
    return ("\n".join(lines) + "\n").encode()


def oem_release(identity: OemIdentity) -> bytes:
    """oem-release: assignments only, in the order of Flatcar's template; no comment line."""
    lines = [f"ID={identity.id}"]
    if identity.version_id is not None:
        lines.append(f"VERSION_ID={identity.version_id}")
    lines.append(f"NAME={_os_release_quoted(identity.name)}")
    if identity.home_url is not None:
        lines.append(f"HOME_URL={_os_release_quoted(identity.home_url)}")
    if identity.bug_report_url is not None:
        lines.append(f"BUG_REPORT_URL={_os_release_quoted(identity.bug_report_url)}")
    return ("\n".join(lines) + "\n").encode()


def _os_release_quoted(value: str) -> str:
    # os-release(5): a double-quoted shell string, with \ " $ and ` escaped by a backslash.
    escaped = "".join("\\" + char if char in '\\"$`' else char for char in value)
    return f'"{escaped}"'


def describe_tree(tree: Mapping[str, bytes]) -> tuple[KitFile, ...]:
    """Each file's path, size and SHA-256, sorted by path."""
    return tuple(
        KitFile(path, len(data), hashlib.sha256(data).hexdigest())
        for path, data in sorted(tree.items())
    )


def wants_folder(output: Path) -> bool:
    """Whether `-o OUTPUT` asks for the tree: a folder, or a name not ending in .yml/.yaml."""
    return output.is_dir() or output.suffix.lower() not in {".yml", ".yaml"}


def write_oem_tree(
    tree: Mapping[str, bytes], folder: str | os.PathLike[str], *, force: bool = False
) -> tuple[KitFile, ...]:
    """Write `tree` as the folder `folder`, whole or not at all; return what was written.

    The tree is built beside `folder` under a temporary name and renamed into place. An
    existing empty folder is filled; one holding anything is replaced only with `force`,
    and only when it holds nothing but kit files (a mistyped `-o ~ --force` must not remove
    a home folder). A missing `folder` is made, but not its missing parents.
    """
    from configdrive.formats import signals

    target = Path(folder)
    paths = _checked_paths(tree)
    _check_target(target, force=force)
    signals.output_started()
    with building_folder(target) as building:
        _write_files(tree, paths, building)
        # Looked at again as the folder is swapped in: the name may have been taken meanwhile.
        swap_into_place(building, target, check=lambda again: _check_target(again, force=force))
    sync_folder(target.parent)
    return describe_tree(tree)


def _checked_paths(tree: Mapping[str, bytes]) -> dict[str, PurePosixPath]:
    """Each key as a relative path that stays inside the folder, or a usage error."""
    checked: dict[str, PurePosixPath] = {}
    for key in tree:
        path = PurePosixPath(key)
        if (
            not key
            or "\0" in key
            or path.is_absolute()
            or any(part in ("", ".", "..") for part in key.split("/"))
        ):
            raise UsageError(f"OEM tree path {key!r}: give a relative path without '.' or '..'")
        checked[key] = path
    return checked


def _check_target(target: Path, *, force: bool) -> None:
    from configdrive.formats.atomic import check_output_folder, lstat_or_none, nonregular_kind

    if "\0" in str(target):
        raise OutputError("the name holds a NUL character", repr(str(target)))
    parent = target.parent
    if not parent.exists() and not parent.is_symlink():
        raise OutputError(
            f"the folder does not exist (create it with: mkdir -p {shlex.quote(str(parent))})",
            str(parent),
        )
    check_output_folder(target)
    info = lstat_or_none(target)
    if info is None:
        return
    if stat.S_ISLNK(info.st_mode):
        raise OutputError(
            "is a symbolic link; the OEM kit replaces only a folder, never a link nor what it "
            "points to: give the path it points to, or remove the link",
            str(target),
        )
    if not stat.S_ISDIR(info.st_mode):
        kind = nonregular_kind(info.st_mode)
        what = f"is a {kind}" if kind else "is a file"
        raise OutputError(
            f"{what}; -o writes the OEM partition's files to a folder, or the cloud-config "
            "alone to a name ending in .yml",
            str(target),
        )
    if is_empty_folder(target):
        return
    if not force:
        raise OutputError("is a folder and not empty; use --force to replace it", str(target))
    if not _is_kit_folder(target):
        raise OutputError(
            "holds files the OEM kit does not write; --force replaces only a kit folder (its "
            f"files: {', '.join(sorted(KIT_FILES))}) or an empty one: choose another name, "
            "or remove the folder yourself",
            str(target),
        )


def _is_kit_folder(folder: Path) -> bool:
    """Only kit files (regular) and the folders that hold them, on the folder's file system."""
    allowed_folders = {str(PurePosixPath(path).parent) for path in KIT_FILES} - {"."}
    try:
        device = folder.lstat().st_dev
        pending = [(folder, "")]
        while pending:
            current, prefix = pending.pop()
            with os.scandir(current) as entries:
                for entry in entries:
                    relative = prefix + entry.name
                    info = entry.stat(follow_symlinks=False)
                    if info.st_dev != device:
                        return False
                    if stat.S_ISDIR(info.st_mode) and relative in allowed_folders:
                        pending.append((Path(entry.path), relative + "/"))
                    elif not (stat.S_ISREG(info.st_mode) and relative in KIT_FILES):
                        return False
    except OSError:
        return False
    return True


def _write_files(tree: Mapping[str, bytes], paths: Mapping[str, PurePosixPath], root: Path) -> None:
    folders: set[Path] = set()
    for key, data in sorted(tree.items()):
        target = root.joinpath(*paths[key].parts)
        for parent in reversed(paths[key].parents[:-1]):
            inner = root.joinpath(*parent.parts)
            if inner not in folders:
                inner.mkdir(mode=0o700)
                folders.add(inner)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
            os.fchmod(stream.fileno(), FILE_MODE)
    for inner in folders:
        inner.chmod(FOLDER_MODE)
    root.chmod(FOLDER_MODE)
