"""What a boot should show, made from what went into the drive, and the comparison with
what the guest's report agent saw (agent/boot-report).

`compare` returns one line per difference, naming the field: an empty list means the
machine got everything it was given. Each field is compared whole (sets of keys, files with
mode and sha256, the exact addresses and routes asked for, the exact nameservers), so the
tests can check that a wrong expectation in any one field is caught.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# "type base64" of an OpenSSH public key, wherever it sits in an authorized_keys line
# (cloud-init prefixes root's lines with options: disable_root, cc_ssh.py).
KEY = re.compile(r"((?:ssh|ecdsa|sk)-[a-z0-9@.-]+) ([A-Za-z0-9+/=]+)")


@dataclass(frozen=True)
class FileExpectation:
    mode: str  # oct(), as the agent prints it: "0o640"
    sha256: str


@dataclass(frozen=True)
class Interface:
    """One interface the network config names, found in the guest by name."""

    name: str
    addresses: frozenset[str]  # "10.1.0.10/24"


@dataclass(frozen=True)
class Bond:
    name: str
    mode: str  # as /proc/net/bonding says it: "fault-tolerance (active-backup)"
    miimon: int
    slaves: frozenset[str]


@dataclass(frozen=True)
class Vlan:
    name: str
    link: str
    vlan_id: int


@dataclass(frozen=True)
class Expected:
    hostname: str
    instance_id: str
    datasource: str  # `cloud-init status --format json`'s "datasource": "configdrive"
    platform: str  # instance-data.json v1.platform
    subplatform: str  # a prefix of v1.subplatform: "config-disk (/dev/vdb)"
    keys: dict[str, frozenset[str]]  # user -> "type base64" of each key
    files: dict[str, FileExpectation]  # every file under /srv
    runcmd_output: str
    interfaces: tuple[Interface, ...] = ()
    routes: frozenset[tuple[str, str, str]] = frozenset()  # (dst, gateway, dev), IPv4
    nameservers: frozenset[str] | None = None  # None: not compared (DHCP's own)
    bonds: tuple[Bond, ...] = ()
    vlans: tuple[Vlan, ...] = ()
    # cloud-init's WARNING lines this guest logs whatever the drive (each with its reason).
    known_warnings: tuple[str, ...] = field(default=())

    def but(self, **changes: Any) -> Expected:
        return dataclasses.replace(self, **changes)


def keys_of(lines: list[str]) -> frozenset[str]:
    return frozenset(" ".join(match.groups()) for line in lines for match in KEY.finditer(line))


def compare(report: dict[str, Any], expected: Expected) -> list[str]:
    """Every way the guest differs from `expected`, one line each, naming the field."""
    problems: list[str] = []

    def check(name: str, got: object, want: object) -> None:
        if got != want:
            problems.append(f"{name}: the guest has {got!r}, expected {want!r}")

    status = report.get("status", {})
    check("status", status.get("status"), "done")
    check("errors", status.get("errors"), [])
    check("status --wait exit code", report.get("status_wait_rc"), 0)
    check("hostname", report.get("hostname"), expected.hostname)
    instance = report.get("instance", {})
    check("instance-id", instance.get("instance_id"), expected.instance_id)
    check("instance-id file", report.get("instance_id_file"), expected.instance_id)
    check("datasource", status.get("datasource"), expected.datasource)
    check("platform", instance.get("platform"), expected.platform)
    subplatform = str(instance.get("subplatform"))
    if not subplatform.startswith(expected.subplatform):
        problems.append(
            f"subplatform: the guest has {subplatform!r}, expected {expected.subplatform!r}..."
        )
    got_keys = {user: keys_of(lines) for user, lines in report.get("authorized_keys", {}).items()}
    check("authorized keys", {u: k for u, k in got_keys.items() if k}, expected.keys)
    got_files = {
        path: FileExpectation(entry["mode"], entry["sha256"])
        for path, entry in report.get("files", {}).items()
    }
    check("files", got_files, expected.files)
    check("runcmd output", report.get("runcmd_output"), expected.runcmd_output)
    _compare_network(report.get("network", {}), expected, check)
    warnings = [
        line
        for line in report.get("warnings", [])
        if not any(known in line for known in expected.known_warnings)
    ]
    check("cloud-init warnings", warnings, [])
    return problems


def _compare_network(network: dict[str, Any], expected: Expected, check: Any) -> None:
    by_name = {entry.get("ifname"): entry for entry in network.get("addresses", [])}
    for interface in expected.interfaces:
        entry = by_name.get(interface.name)
        got = (
            None
            if entry is None
            else frozenset(
                f"{info['local']}/{info['prefixlen']}"
                for info in entry.get("addr_info", [])
                if info.get("scope") == "global"
            )
        )
        check(f"addresses of {interface.name}", got, interface.addresses)
    # An empty set is an expectation too: no route through a gateway.
    routes = frozenset(
        (route.get("dst", ""), route.get("gateway", ""), route.get("dev", ""))
        for route in network.get("routes4", [])
        if route.get("gateway")
    )
    check("IPv4 routes through a gateway", routes, expected.routes)
    if expected.nameservers is not None:
        check("nameservers", frozenset(network.get("nameservers", [])), expected.nameservers)
    for bond in expected.bonds:
        text = network.get("bonding", {}).get(bond.name)
        if text is None:
            check(f"bond {bond.name}", None, "present")
            continue
        fields = _bonding_fields(text)
        check(f"bond {bond.name} mode", fields.get("Bonding Mode"), bond.mode)
        check(f"bond {bond.name} miimon", fields.get("MII Polling Interval (ms)"), str(bond.miimon))
        slaves = frozenset(
            line.split(":", 1)[1].strip()
            for line in text.splitlines()
            if line.startswith("Slave Interface:")
        )
        check(f"bond {bond.name} slaves", slaves, bond.slaves)
    got_vlans = frozenset(
        Vlan(vlan["name"], str(vlan.get("link")), int(vlan.get("id") or -1))
        for vlan in network.get("vlans", [])
    )
    check("VLANs", got_vlans, frozenset(expected.vlans))


def _bonding_fields(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in text.splitlines():
        name, colon, value = line.partition(":")
        if colon and name not in fields:
            fields[name.strip()] = value.strip()
    return fields


def inspect_for_cloud_init(image: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """What `mkconfigdrive inspect --json` predicts cloud-init does with `image`: its verdict
    (verdict, reads, reasons, warnings) and what it says cloud-init reads (the user data
    shown), for a boot to confirm or refute."""
    from tests.helpers import run_cli

    result = run_cli("inspect", image, "--json", "--show", "user-data")
    assert result.returncode in (0, 1), result.stderr  # 1: a reader rejects the drive
    inspection = json.loads(result.stdout)
    (verdict,) = [each for each in inspection["readers"] if each["reader"] == "cloud-init"]
    return verdict, inspection["cloud_init"] or {}
