"""What a drive asks of cloud-init, read with the project's read side (drives.inspection).

Each rule cites cloud-init 22.4 (the Debian 12 package), /usr/lib/python3/dist-packages/
cloudinit/...: what the drive asks for is what cloud-init's own code would do with it.
"""

from __future__ import annotations

import base64
import gzip
import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from configdrive.drives.inspection import Inspection, inspect_drive
from configdrive.errors import InvalidInputError
from configdrive.problems import Problem

# config/cc_write_files.py:21 DEFAULT_PERMS
DEFAULT_FILE_MODE = 0o644


@dataclass(frozen=True)
class ExpectedFile:
    path: str
    mode: int
    data: bytes | None  # None when the content cannot be known (an undecodable encoding)
    append: bool = False


@dataclass
class Expected:
    """What the machine should end up with."""

    layout: str  # "config-2" or "nocloud"
    datasource: str  # "ConfigDrive" or "NoCloud"
    instance_id: str
    hostname: str | None = None
    default_user_keys: list[str] = field(default_factory=list)
    user_keys: dict[str, list[str]] = field(default_factory=dict)
    default_user: str | None = None  # the cloud-config's `user:`, when it names one
    default_user_created: bool = True
    files: list[ExpectedFile] = field(default_factory=list)
    runcmd: bool = False
    addresses: list[str] = field(default_factory=list)
    nameservers: list[str] = field(default_factory=list)
    macs: list[str] = field(default_factory=list)
    not_checked: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "datasource": self.datasource,
            "instance_id": self.instance_id,
            "hostname": self.hostname,
            "keys": len(self.default_user_keys) + sum(map(len, self.user_keys.values())),
            "files": [each.path for each in self.files],
            "runcmd": self.runcmd,
            "addresses": self.addresses,
            "nameservers": self.nameservers,
            "not_checked": self.not_checked,
        }


def read_expected(drive: str | os.PathLike[str]) -> tuple[Inspection, Expected]:
    """Inspect `drive` and say what cloud-init should apply from it.

    InvalidInputError when it is no drive, or one cloud-init would not read: a boot would
    only show that nothing was applied.
    """
    inspection = inspect_drive(Path(drive))
    reading = inspection.reading
    if inspection.layout not in ("config-2", "nocloud") or reading is None:
        why = f": {inspection.failure}" if inspection.failure is not None else ""
        raise InvalidInputError([Problem(str(drive), f"cloud-init would not read this drive{why}")])
    return inspection, expected_from(
        inspection.layout,
        reading.datasource,
        reading.metadata,
        reading.userdata,
        reading.network_config if reading.network_config is not None else reading.networkdata,
    )


def expected_from(
    layout: str, datasource: str, metadata: dict[str, Any], userdata: bytes, network: Any
) -> Expected:
    # sources/__init__.py:710 get_instance_id: metadata["instance-id"]; the config drive's
    # reader copies it from "uuid" (sources/helpers/openstack.py KEY_COPIES), as ours does.
    expected = Expected(layout, datasource, str(metadata.get("instance-id", "")))
    config = _cloud_config(userdata, expected)
    expected.hostname = _hostname(config, metadata)
    # config/cc_ssh.py:325-338: the datasource's public keys plus the cloud-config's
    # ssh_authorized_keys go to the default user.
    expected.default_user_keys = [
        *_public_keys(metadata, datasource),
        *_strings(config.get("ssh_authorized_keys")),
    ]
    user = config.get("user")
    if isinstance(user, str):
        expected.default_user = user
    elif isinstance(user, dict) and isinstance(user.get("name"), str):
        expected.default_user = user["name"]
    users = config.get("users")
    if isinstance(users, list):
        # distros/ug_util.py normalize_users_groups: a `users` list without "default" creates
        # no default user; cc_ssh then gives the keys to nobody but root.
        expected.default_user_created = "default" in users
        for entry in users:
            # distros/__init__.py:684 create_user: a user's own ssh_authorized_keys
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                keys = _strings(entry.get("ssh_authorized_keys"))
                if keys:
                    expected.user_keys[entry["name"]] = keys
    expected.files = _files(config.get("write_files"), expected)
    # config/cc_runcmd.py: runcmd is written to the instance's scripts/runcmd
    expected.runcmd = bool(config.get("runcmd"))
    _network(network, expected)
    return expected


def _cloud_config(userdata: bytes, expected: Expected) -> dict[str, Any]:
    data = userdata
    if data[:2] == b"\x1f\x8b":  # user_data.py: gzipped user data is unpacked first
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            expected.not_checked.append("user data (not gzip after all)")
            return {}
    if not data.strip():
        return {}
    if not data.startswith(b"#cloud-config"):
        expected.not_checked.append("user data other than one #cloud-config document")
        return {}
    try:
        config = yaml.safe_load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return {}
    return config if isinstance(config, dict) else {}


def _hostname(config: dict[str, Any], metadata: dict[str, Any]) -> str | None:
    """The name /etc/hostname gets (util.py:1144 get_hostname_fqdn, distros/__init__.py:329
    _select_hostname: the short name unless prefer_fqdn_over_hostname)."""
    if config.get("preserve_hostname") is True:
        return None
    if config.get("prefer_fqdn_over_hostname") is True:
        return None  # depends on the image's distro default; not guessed
    if isinstance(config.get("fqdn"), str):
        name = config.get("hostname")
        return name if isinstance(name, str) else str(config["fqdn"]).split(".")[0]
    if isinstance(config.get("hostname"), str):
        return str(config["hostname"]).split(".")[0]
    # sources/__init__.py:736-752 get_hostname: local-hostname, its first label
    local = metadata.get("local-hostname")
    if isinstance(local, str) and local:
        return local.split(".")[0]
    return None


def _public_keys(metadata: dict[str, Any], datasource: str) -> list[str]:
    from configdrive.drives.verdicts import normalize_pubkey_data

    name = "public-keys" if datasource == "NoCloud" else "public_keys"
    return [key for key in normalize_pubkey_data(metadata.get(name)) if key]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [each for each in value if isinstance(each, str)]
    return []


def _files(entries: Any, expected: Expected) -> list[ExpectedFile]:
    """write_files as config/cc_write_files.py:163-183 writes them."""
    files: list[ExpectedFile] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not entry.get("path"):
            continue
        if entry.get("defer"):
            expected.not_checked.append(f"{entry['path']} (deferred write)")
        # os.path.abspath in the guest, whose working folder is /
        path = posixpath.normpath(posixpath.join("/", str(entry["path"])))
        files.append(
            ExpectedFile(
                path=path,
                mode=_mode(entry.get("permissions")),
                data=_content(entry.get("content", ""), entry.get("encoding")),
                append=bool(entry.get("append")),
            )
        )
    return files


def _mode(permissions: Any) -> int:
    # config/cc_write_files.py:186 decode_perms
    if permissions is None:
        return DEFAULT_FILE_MODE
    try:
        if isinstance(permissions, (int, float)):
            return int(permissions)
        return int(str(permissions), 8)
    except (TypeError, ValueError):
        return DEFAULT_FILE_MODE


def _content(content: Any, encoding: Any) -> bytes | None:
    # config/cc_write_files.py:138 canonicalize_extraction, :207 extract_contents
    kind = str(encoding or "").lower().strip()
    data: Any = content
    try:
        if kind in ("gz+base64", "gzip+base64", "gz+b64", "gzip+b64"):
            data = gzip.decompress(base64.b64decode(data))
        elif kind in ("b64", "base64"):
            data = base64.b64decode(data)
        elif kind in ("gz", "gzip"):
            data = gzip.decompress(data if isinstance(data, bytes) else str(data).encode())
    except (ValueError, OSError, EOFError):
        return None
    if isinstance(data, bytes):
        return data
    return str(data).encode("utf-8")  # util.write_file encodes text as UTF-8


def _network(network: Any, expected: Expected) -> None:
    """Static addresses and name servers, from network_data.json or network-config v1/v2."""
    if not isinstance(network, dict):
        return
    if isinstance(network.get("links"), list) or isinstance(network.get("networks"), list):
        for link in network.get("links") or []:
            if isinstance(link, dict) and isinstance(link.get("ethernet_mac_address"), str):
                expected.macs.append(link["ethernet_mac_address"].lower())
        for net in network.get("networks") or []:
            if isinstance(net, dict) and isinstance(net.get("ip_address"), str):
                expected.addresses.append(net["ip_address"])
            for server in (net.get("dns_nameservers") or []) if isinstance(net, dict) else []:
                expected.nameservers.append(str(server))
        for service in network.get("services") or []:
            if isinstance(service, dict) and service.get("type") == "dns":
                expected.nameservers.append(str(service.get("address")))
        return
    body = network.get("network", network)
    if not isinstance(body, dict):
        return
    if body.get("version") == 1:
        for item in body.get("config") or []:
            if not isinstance(item, dict):
                continue
            if isinstance(item.get("mac_address"), str):
                expected.macs.append(item["mac_address"].lower())
            for subnet in item.get("subnets") or []:
                if isinstance(subnet, dict) and isinstance(subnet.get("address"), str):
                    expected.addresses.append(subnet["address"].split("/")[0])
                if isinstance(subnet, dict):
                    expected.nameservers += map(str, subnet.get("dns_nameservers") or [])
            if item.get("type") == "nameserver":
                expected.nameservers += map(str, item.get("address") or [])
    elif body.get("version") == 2:
        for kind in ("ethernets", "bonds", "vlans", "bridges"):
            for device in (body.get(kind) or {}).values():
                if not isinstance(device, dict):
                    continue
                match = device.get("match")
                if isinstance(match, dict) and isinstance(match.get("macaddress"), str):
                    expected.macs.append(match["macaddress"].lower())
                for address in device.get("addresses") or []:
                    expected.addresses.append(str(address).split("/")[0])
                servers = device.get("nameservers")
                if isinstance(servers, dict):
                    expected.nameservers += map(str, servers.get("addresses") or [])
    expected.addresses = [address.split("/")[0] for address in expected.addresses]
