"""What an input looks like: user data, meta data, network data, network-config or a machine file.

`build` takes each input in its own place (USER_DATA, --meta-data, --network-data, a
machine file's keys). A file given in the wrong place would still parse, and a config
drive built from it would lack what the file holds (network data passed as meta data
leaves the drive with no network configuration), so each input's look is checked
against its place before its own checks run.
"""

from __future__ import annotations

import enum
from typing import Any

from configdrive.inputs.documents import Source


class InputKind(str, enum.Enum):
    """The kinds of input a machine has, named as messages name them."""

    USER_DATA = "user data"
    META_DATA = "meta data"
    NETWORK_DATA = "network data"
    NETWORK_CONFIG = "network-config"
    VENDOR_DATA = "vendor data"
    MACHINE_FILE = "a machine file"


# Keys only OpenStack meta data has (`hostname` and `name` are cloud-config keys too).
OPENSTACK_META_DATA_KEYS = frozenset(
    {
        "uuid", "public_keys", "keys", "launch_index", "availability_zone", "meta",
        "random_seed", "project_id", "admin_pass", "devices", "files", "network_config",
        "dedicated_cpus",
    }
)  # fmt: skip
# ... and NoCloud's meta-data (cloud-init's DataSourceNoCloud), which --meta-data takes too.
META_DATA_KEYS = OPENSTACK_META_DATA_KEYS | {
    "instance-id", "local-hostname", "public-keys", "dsmode", "network-interfaces",
}  # fmt: skip
NETWORK_DATA_KEYS = frozenset({"links", "networks", "services"})
# Nova's vendor data for cloud-init: {"cloud-init": "#cloud-config ..."}.
VENDOR_DATA_KEYS = frozenset({"cloud-init"})
# cloud-init's network-config: version 1 has `config`, version 2 the device kinds.
NETWORK_CONFIG_KEYS = frozenset({"config", "ethernets", "bonds", "vlans", "bridges", "wifis"})
# Keys only a machine file has (schemas/machine.schema.json).
MACHINE_FILE_KEYS = frozenset(
    {
        "user_data", "user_data_file", "meta_data", "meta_data_file", "network_data",
        "network_data_file", "vendor_data", "vendor_data_file", "vendor_data2",
        "vendor_data2_file", "ssh_keys", "layout", "format", "output", "address", "target",
    }
)  # fmt: skip
# Top-level keys of a cloud-config that neither kind of metadata has.
CLOUD_CONFIG_KEYS = frozenset(
    {
        "ssh_authorized_keys", "ssh-authorized-keys", "users", "write_files", "write-files",
        "runcmd", "bootcmd", "packages", "coreos", "chpasswd", "manage_etc_hosts",
    }
)  # fmt: skip


def kind_of(source: Source, data: Any) -> InputKind | None:
    """What a parsed input looks like, or None when nothing tells (then its place decides)."""
    from configdrive.validation.user_data import UserDataKind, classify

    announced = classify(source.data)
    if announced is not None and announced is not UserDataKind.IGNITION:
        return InputKind.USER_DATA  # '#cloud-config', '#!', MIME: user data announces itself
    if not isinstance(data, dict) or not data:
        return None
    keys = {str(key) for key in data}
    if "ignition" in keys or "ignitionVersion" in keys:
        return InputKind.USER_DATA
    if keys & MACHINE_FILE_KEYS:
        return InputKind.MACHINE_FILE
    if keys <= NETWORK_DATA_KEYS:
        return InputKind.NETWORK_DATA
    if data.get("version") in (1, 2) and keys & NETWORK_CONFIG_KEYS:
        return InputKind.NETWORK_CONFIG
    if keys & META_DATA_KEYS:
        return InputKind.META_DATA
    if keys & CLOUD_CONFIG_KEYS:
        return InputKind.USER_DATA
    return None


# Where each kind goes, for the message that says where a misplaced input belongs.
WHERE = {
    InputKind.USER_DATA: "give it as the user data (USER_DATA; user_data_file in a machine file)",
    InputKind.META_DATA: "give it with --meta-data (meta_data_file in a machine file)",
    InputKind.NETWORK_DATA: "give it with --network-data (network_data_file in a machine file)",
    InputKind.NETWORK_CONFIG: (
        "give it with --network-data and --layout nocloud: only a NoCloud seed carries it"
    ),
    InputKind.VENDOR_DATA: "give it with --vendor-data",
    InputKind.MACHINE_FILE: "give it with --machine",
}


def misplaced(source: Source, data: Any, expected: InputKind) -> str | None:
    """Why `source`, given as `expected`, is something else, or None."""
    found = kind_of(source, data)
    if found is None or found is expected:
        return None
    if expected is InputKind.NETWORK_DATA and found is InputKind.NETWORK_CONFIG:
        return None  # a NoCloud seed's network input: its own checks say where it goes
    if expected is InputKind.VENDOR_DATA and found is InputKind.USER_DATA:
        return None  # vendor data is often a cloud-config itself
    return f"given as {expected.value}, but this looks like {found.value}: {WHERE[found]}"
