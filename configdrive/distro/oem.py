"""The OEM cloud-config a distributor bakes into a Container Linux image.

Container Linux applies `/usr/share/oem/cloud-config.yml` (on the image's OEM partition)
at every boot, before the user's own cloud-config. Its job on a given platform is to find
the user's data where that platform puts it and hand it to coreos-cloudinit. The templates
follow the OEM cloud-configs CoreOS shipped (coreos-overlay, `coreos-base/oem-*/files/
cloud-config.yml`: ec2-compat, rackspace-onmetal) and coreos-cloudinit's own data sources:

- `openstack-configdrive`: mount the drive labelled `config-2` read-only (the drive
  `mkconfigdrive build` writes) and run `coreos-cloudinit --from-configdrive` on it:
  SSH keys and host name from `meta_data.json`, the user's cloud-config from `user_data`.
- `ec2-metadata`: `coreos-cloudinit --from-ec2-metadata=http://169.254.169.254/` fetches
  the SSH keys (`meta-data/public-keys`), the host name and `user-data` from the metadata
  service.
- `openstack`: both sources, as coreos-cloudinit's `--oem=ec2-compat` does; the first to
  answer is used.

Like CoreOS's ec2-compat OEM, the stock units that would apply the same data a second
time are masked. The text is the same bytes for the same options, and is checked with
the validator `mkconfigdrive build` uses before anyone can write it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from configdrive import __version__
from configdrive.errors import InvalidInputError, UsageError

OEM_CONFIG_PATH = "/usr/share/oem/cloud-config.yml"
METADATA_URL = "http://169.254.169.254/"
CONFIG_DRIVE_MOUNT = "/media/configdrive"
COREOS_CLOUDINIT = "/usr/bin/coreos-cloudinit"

# os-release rules for ID and VERSION_ID: coreos-cloudinit writes them to /etc/oem-release.
_OS_RELEASE_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
# The metadata URL lands on a systemd ExecStart= line, where spaces, quotes, '%' and '$'
# mean something: a scheme, a host (or [IPv6]) with an optional port, and a plain path.
_METADATA_URL = re.compile(
    r"https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?"
)
_WEB_URL = re.compile(r"https?://[^\s\"'\\<>`]{1,500}")


@dataclass(frozen=True)
class Platform:
    """Where a platform puts the user's data, and the OEM identity it gets by default."""

    name: str
    summary: str
    config_drive: bool
    metadata_service: bool
    oem_id: str
    oem_name: str
    home_url: str
    # What a Flatcar image's grub.cfg sets as oem_id (the kernel's flatcar.oem.id, which
    # names Ignition's platform): see configdrive.distro.oem_kit.
    flatcar_oem_id: str


PLATFORMS: dict[str, Platform] = {
    platform.name: platform
    for platform in (
        Platform(
            "openstack-configdrive",
            "mount the config drive (label config-2) and apply its SSH keys and user data",
            config_drive=True,
            metadata_service=False,
            oem_id="openstack",
            oem_name="OpenStack",
            home_url="https://www.openstack.org/",
            flatcar_oem_id="openstack",
        ),
        Platform(
            "ec2-metadata",
            "fetch SSH keys and user data from the EC2-style metadata service",
            config_drive=False,
            metadata_service=True,
            oem_id="ec2-compat",
            oem_name="EC2-compatible metadata service",
            home_url="https://docs.openstack.org/nova/latest/user/metadata.html",
            # Flatcar's own EC2 images boot with oem_id "ec2" (scripts,
            # build_library/oem/ami/grub.cfg line 3): Ignition reads the user data from
            # 169.254.169.254, and flatcar/init's oem-cloudinit.service runs
            # `coreos-cloudinit --oem=ec2-compat` for it. "ec2-compat" is no platform
            # Ignition knows.
            flatcar_oem_id="ec2",
        ),
        Platform(
            "openstack",
            "apply the config drive if the VM has one, else the metadata service's data",
            config_drive=True,
            metadata_service=True,
            oem_id="openstack",
            oem_name="OpenStack",
            home_url="https://www.openstack.org/",
            flatcar_oem_id="openstack",
        ),
    )
}


@dataclass(frozen=True)
class OemIdentity:
    """The `coreos.oem` block: coreos-cloudinit writes it to /etc/oem-release."""

    id: str
    name: str
    version_id: str | None = None
    home_url: str | None = None
    bug_report_url: str | None = None


def platform_named(name: str) -> Platform:
    """The platform called `name`, or a usage error that lists them all."""
    platform = PLATFORMS.get(name)
    if platform is None:
        known = ", ".join(PLATFORMS)
        raise UsageError(f"--platform {name!r} is not one of: {known} (see oem --list)")
    return platform


def oem_config(
    platform_name: str,
    *,
    oem_id: str | None = None,
    oem_name: str | None = None,
    version_id: str | None = None,
    home_url: str | None = None,
    bug_report_url: str | None = None,
    metadata_url: str = METADATA_URL,
) -> str:
    """The OEM cloud-config for a platform, checked by the validator `build` uses."""
    platform = platform_named(platform_name)
    identity = identity_for(
        platform,
        oem_id=oem_id,
        oem_name=oem_name,
        version_id=version_id,
        home_url=home_url,
        bug_report_url=bug_report_url,
    )
    if not _METADATA_URL.fullmatch(metadata_url):
        raise UsageError(
            f"--metadata-url {metadata_url!r}: give http(s)://HOST[:PORT]/PATH "
            "(letters, digits, '.', '_', '~', '-' and '/' in the path)"
        )
    text = render(platform, identity, metadata_url)
    check_cloud_config(text)
    return text


def identity_for(
    platform: Platform,
    *,
    oem_id: str | None = None,
    oem_name: str | None = None,
    version_id: str | None = None,
    home_url: str | None = None,
    bug_report_url: str | None = None,
) -> OemIdentity:
    """The OEM identity: the options given, else the platform's; a usage error if one is bad."""
    identity = OemIdentity(
        id=platform.oem_id if oem_id is None else oem_id,
        name=platform.oem_name if oem_name is None else oem_name,
        version_id=version_id,
        home_url=platform.home_url if home_url is None else home_url,
        bug_report_url=bug_report_url,
    )
    _check_identity(identity)
    return identity


def render(platform: Platform, identity: OemIdentity, metadata_url: str = METADATA_URL) -> str:
    """The cloud-config text, without checks (oem_config checks the options and the result)."""
    lines = [
        "#cloud-config",
        f"# OEM cloud-config for {platform.name}, made by mkconfigdrive {__version__}.",
        f"# At boot: {platform.summary}.",
        f"# Install it in the image as {OEM_CONFIG_PATH}: Container Linux applies it",
        "# at every boot, before the user's own cloud-config.",
        "",
        "coreos:",
        "  units:",
        "    # The stock units would apply the same data a second time.",
        "    - name: user-configdrive.service",
        "      mask: true",
        "    - name: user-configvirtfs.service",
        "      mask: true",
    ]
    if platform.config_drive:
        lines += [
            "    # The config drive: ISO 9660 or FAT, label config-2, mounted read-only.",
            "    - name: media-configdrive.mount",
            "      runtime: true",
            "      content: |",
            *_indented(_mount_unit(wait_for_device=not platform.metadata_service), 8),
        ]
    lines += [
        "    - name: oem-cloudinit.service",
        "      command: restart",
        "      runtime: true",
        "      content: |",
        *_indented(_cloudinit_unit(platform, metadata_url), 8),
        "  oem:",
        f"    id: {_quoted(identity.id)}",
        f"    name: {_quoted(identity.name)}",
    ]
    if identity.version_id is not None:
        lines.append(f"    version_id: {_quoted(identity.version_id)}")
    if identity.home_url is not None:
        lines.append(f"    home_url: {_quoted(identity.home_url)}")
    if identity.bug_report_url is not None:
        lines.append(f"    bug_report_url: {_quoted(identity.bug_report_url)}")
    return "\n".join(lines) + "\n"


def write_oem_config(text: str, output: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write the cloud-config to `output` atomically (mode 0644: it holds no secrets).

    A missing folder is made when its own parent exists (`-o oem/cloud-config.yml` in a
    fresh checkout); deeper missing paths are refused, as a mistyped path should be.
    """
    from configdrive.errors import OutputError, describe_os_error
    from configdrive.formats.atomic import atomic_output, check_output_folder

    target = Path(output)
    folder = target.parent
    if not folder.exists() and not folder.is_symlink() and folder.parent.is_dir():
        try:
            folder.mkdir(mode=0o755)
        except FileExistsError:
            pass  # made meanwhile by someone else: as good
        except OSError as error:
            raise OutputError(describe_os_error(error), str(folder)) from None
    try:
        check_output_folder(target)
    except OutputError as error:
        if folder.exists() or folder.is_symlink():
            raise
        # Two or more levels are missing: say how to make them rather than guess.
        raise OutputError(
            f"the folder does not exist (create it with: mkdir -p {shlex.quote(str(folder))})",
            str(folder),
        ) from error
    with atomic_output(target, force=force, mode=0o644) as stream:
        stream.write(text.encode())
    return target


def check_cloud_config(text: str) -> None:
    """Validate `text` as `build` validates user data; any problem, even a warning, is a bug."""
    from configdrive.inputs.documents import Source
    from configdrive.problems import Problem
    from configdrive.validation.user_data import inspect_user_data

    problems: list[Problem] = []
    inspect_user_data(Source("<oem cloud-config>", text.encode()), problems)
    if problems:
        raise InvalidInputError(problems)


def _mount_unit(*, wait_for_device: bool) -> list[str]:
    # Where the metadata service may stand in for a missing drive, do not wait the device
    # timeout (90 s) for a drive that will never come: mount it only if the kernel has it.
    condition = [] if wait_for_device else ["ConditionPathExists=/dev/disk/by-label/config-2"]
    return [
        "[Unit]",
        "Description=Config drive (label config-2)",
        *condition,
        "Before=oem-cloudinit.service",
        "",
        "[Mount]",
        "What=/dev/disk/by-label/config-2",
        f"Where={CONFIG_DRIVE_MOUNT}",
        "Options=ro",
    ]


def _cloudinit_unit(platform: Platform, metadata_url: str) -> list[str]:
    sources = []
    if platform.config_drive:
        sources.append(f"--from-configdrive={CONFIG_DRIVE_MOUNT}")
    if platform.metadata_service:
        sources.append(f"--from-ec2-metadata={metadata_url}")
    where = {
        (True, False): "the config drive",
        (False, True): "the metadata service",
        (True, True): "the config drive or the metadata service",
    }[platform.config_drive, platform.metadata_service]
    unit = ["[Unit]", f"Description=Apply the SSH keys and user data from {where}"]
    if platform.config_drive:
        unit += ["Wants=media-configdrive.mount", "After=media-configdrive.mount"]
    return [
        *unit,
        "",
        "[Service]",
        "Type=oneshot",
        f"ExecStart={COREOS_CLOUDINIT} {' '.join(sources)}",
    ]


def _indented(lines: list[str], width: int) -> list[str]:
    return [(" " * width + line) if line else "" for line in lines]


def _quoted(value: str) -> str:
    # A JSON string is a YAML double-quoted scalar: no value can break out of its line.
    return json.dumps(value, ensure_ascii=False)


def _check_identity(identity: OemIdentity) -> None:
    if not _OS_RELEASE_ID.fullmatch(identity.id):
        raise UsageError(
            f"--oem-id {identity.id!r}: use lower-case letters, digits, '.', '_' and '-' "
            "(an os-release ID)"
        )
    if identity.version_id is not None and not _OS_RELEASE_ID.fullmatch(identity.version_id):
        raise UsageError(
            f"--oem-version {identity.version_id!r}: use lower-case letters, digits, '.', '_' "
            "and '-' (an os-release VERSION_ID)"
        )
    if not identity.name or not identity.name.isprintable() or len(identity.name) > 200:
        raise UsageError("--oem-name: give a one-line name of at most 200 characters")
    for option, url in (
        ("--home-url", identity.home_url),
        ("--bug-report-url", identity.bug_report_url),
    ):
        if url is not None and not _WEB_URL.fullmatch(url):
            raise UsageError(f"{option} {url!r}: give an http:// or https:// URL")
