"""The NoCloud layout: the seed cloud-init's NoCloud datasource reads, as cloud-localds makes it.

A drive labelled `cidata` with four files at its root (DataSourceNoCloud, cloud-init 22.4):

    user-data       the user data, byte for byte (empty when there is none: it is required)
    meta-data       YAML: instance-id, local-hostname, public-keys, then the machine's
                    OpenStack meta_data keys, so that cloud-init's metadata (templates,
                    `cloud-init query`) holds what the config-2 drive gives it
    vendor-data     the vendor data cloud-init would take from vendor_data.json
    network-config  network-config v2 converted from OpenStack network_data, or the
                    network-config v1/v2 the user gave

The same Machine gives the config-2 drive and this seed the same instance-id (the UUID:
cloud-init's config drive reader makes `uuid` the instance-id), host name and SSH keys;
only a NoCloud `instance-id` from the meta data that is no UUID is the seed's alone
(see nocloud_meta).
What NoCloud cannot carry (injected files, vendor_data2) is reported by `nocloud_problems`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

import yaml

from configdrive.layouts.drive_layout import Content, DriveLayout
from configdrive.layouts.network_config import convert_network_data
from configdrive.machine import Machine
from configdrive.problems import Problem, Severity
from configdrive.validation.network import network_kind

NOCLOUD_LABEL = "cidata"
# Long values (an RSA key is 700 characters) stay on one line, as people write them.
_YAML_WIDTH = 1 << 20


class _SeedDumper(yaml.SafeDumper):
    """Plain YAML: no anchors or aliases, even for a value that appears twice."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def yaml_bytes(value: Any) -> bytes:
    """`value` as block-style UTF-8 YAML, keys in their order: one value, one byte string."""
    text: bytes = yaml.dump(
        value,
        Dumper=_SeedDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=_YAML_WIDTH,
        encoding="utf-8",
    )
    return text


def layout_nocloud(machine: Machine) -> DriveLayout:
    """The NoCloud seed of `machine` (call `nocloud_problems` first: it says what is lost)."""
    files: dict[str, Content] = {
        "meta-data": yaml_bytes(nocloud_meta_data(machine)),
        "user-data": machine.user_data if machine.user_data is not None else b"",
    }
    vendor_data = nocloud_vendor_data(machine.vendor_data)
    if vendor_data is not None:
        files["vendor-data"] = vendor_data
    network_config = nocloud_network_config(machine.network_data)
    if network_config is not None:
        files["network-config"] = yaml_bytes(network_config)
    return DriveLayout(NOCLOUD_LABEL, dict(sorted(files.items())))


def nocloud_meta_data(machine: Machine) -> dict[str, Any]:
    """meta-data: NoCloud's own keys first, then the OpenStack meta_data keys.

    NoCloud reads `instance-id`, `local-hostname` and `public-keys`; cloud-init's config
    drive reader derives the same three from `uuid`, `hostname` and `public_keys`. The
    OpenStack keys follow unchanged (their underscores never collide with NoCloud's
    dashed keys), except `random_seed`, which cloud-init's config drive reader decodes
    from base64: here it is binary YAML, which cloud-init loads as the same bytes.
    """
    meta: dict[str, Any] = {"instance-id": machine.instance_id}
    if machine.hostname is not None:
        meta["local-hostname"] = machine.hostname
    if machine.public_keys:
        meta["public-keys"] = list(machine.public_keys.values())
    for key, value in machine.meta_data.items():
        meta.setdefault(key, _random_seed(value) if key == "random_seed" else value)
    return meta


def _random_seed(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        return value  # validation reports it; never reached for a validated Machine


def nocloud_vendor_data(vendor_data: Any) -> bytes | None:
    """The vendor-data file: what cloud-init takes from a config drive's vendor_data.json.

    cloud-init's `convert_vendordata` uses a string as it is and a mapping's `cloud-init`
    key; NoCloud's vendor-data file holds that text (a `#cloud-config`, a script, ...).
    """
    if isinstance(vendor_data, Mapping):
        vendor_data = vendor_data.get("cloud-init")
    if isinstance(vendor_data, str) and vendor_data:
        return vendor_data.encode("utf-8")
    return None


def nocloud_network_config(network_data: Any) -> Any:
    """The network-config document: v2 from OpenStack network_data, else the input itself."""
    if network_data is None:
        return None
    if network_kind(network_data) == "openstack":
        return convert_network_data(network_data).config
    return network_data


def nocloud_problems(machine: Machine) -> list[Problem]:
    """What a NoCloud seed cannot carry of `machine`, or carries differently.

    Errors: injected files and vendor_data2 (NoCloud has neither), vendor data with no
    file form, network data no NIC can be found by. Warnings: vendor data cloud-init would
    ignore, and network settings network-config v2 cannot say (see network_config).
    Validation can report the same before a Machine exists, located in the input files:
    `nocloud_vendor_data_problems` and `network_config.conversion_problems`.
    """
    problems: list[Problem] = []
    for injected in machine.files:
        problems.append(
            Problem(
                f"--file {injected.source}:{injected.dest}",
                "a NoCloud seed has no injected files; write the file with the "
                "cloud-config's write_files instead, or build a config-2 drive",
            )
        )
    problems += nocloud_vendor_data_problems(machine.vendor_data, machine.vendor_data2)
    if machine.network_data is not None and network_kind(machine.network_data) == "openstack":
        for note in convert_network_data(machine.network_data).notes:
            problems.append(
                Problem("--network-data", note.message, note.path, severity=note.severity)
            )
    return problems


def nocloud_vendor_data_problems(
    vendor_data: Any,
    vendor_data2: Any,
    *,
    names: tuple[str, str] = ("--vendor-data", "--vendor-data2"),
) -> list[Problem]:
    """Vendor data a NoCloud seed cannot carry; `names` are what the messages call the inputs."""
    problems: list[Problem] = []
    if vendor_data2 is not None:
        problems.append(
            Problem(
                names[1],
                "a NoCloud seed has no vendor_data2; give it as --vendor-data, "
                "or build a config-2 drive",
            )
        )
    if vendor_data is None or nocloud_vendor_data(vendor_data) is not None:
        return problems
    inner = vendor_data.get("cloud-init") if isinstance(vendor_data, Mapping) else vendor_data
    if isinstance(inner, list):
        problems.append(
            Problem(
                names[0],
                "vendor data that is a list has no NoCloud file form; give one document "
                "(a string, or a mapping with a 'cloud-init' string)",
            )
        )
    else:
        problems.append(
            Problem(
                names[0],
                "cloud-init takes vendor data from a string, or from the 'cloud-init' string "
                "of a mapping; this vendor data has neither, so the seed has no vendor-data",
                severity=Severity.WARNING,
            )
        )
    return problems
