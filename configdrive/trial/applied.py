"""What the machine got: read from the overlay after the boot, read-only, through libguestfs,
and compared with what the drive asked for.

Every path is where cloud-init 22.4 (Debian 12's package) writes; the citations are to
/usr/lib/python3/dist-packages/cloudinit/.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from configdrive.disks.appliance import Appliance, AttachedImage, Events, FoundPartition, Probe
from configdrive.trial.expected import Expected

# cmd/main.py:697 and :699 status_wrapper, under paths.get_cpath("data") (helpers.py:351)
STATUS = "/var/lib/cloud/data/status.json"
RESULT = "/var/lib/cloud/data/result.json"
# stages.py:390 _reflect_cur_instance
INSTANCE_ID = "/var/lib/cloud/data/instance-id"
# distros/debian.py:61 hostname_conf_fn
HOSTNAME = "/etc/hostname"
# config/cloud.cfg.d/05_logging.cfg: the log file handler's file
LOG = "/var/log/cloud-init.log"
CLOUD_CFG = "/etc/cloud/cloud.cfg"
PASSWD = "/etc/passwd"
# distros/debian.py:63-64 (ENI, netplan); net/networkd.py:108 and :288 (networkd)
ENI = "/etc/network/interfaces.d/50-cloud-init"
NETPLAN = "/etc/netplan/50-cloud-init.yaml"
NETWORKD = "/etc/systemd/network"
FIRST_LOOK = (STATUS, RESULT, INSTANCE_ID, HOSTNAME, LOG, CLOUD_CFG, PASSWD, ENI, NETPLAN, NETWORKD)
READ_LIMIT = 8 << 20
# logging's format in config/cloud.cfg.d/05_logging.cfg: "... - file[LEVEL]: message"
LOG_LEVEL = re.compile(r"\[(WARNING|ERROR|CRITICAL)\]")


@dataclass(frozen=True)
class Check:
    """One thing the drive asked for, and whether the machine got it."""

    what: str
    expected: str
    applied: str
    ok: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "expected": self.expected,
            "applied": self.applied,
            "ok": self.ok,
        }


@dataclass
class Applied:
    """What the overlay holds after the boot."""

    found_root: bool = False
    datasource: str | None = None
    errors: list[str] = field(default_factory=list)
    finished: bool = False  # result.json written: cloud-init's last stage ended
    instance_id: str | None = None
    hostname: str | None = None
    default_user: str | None = None
    authorized_keys: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, tuple[int, bytes | None] | None] = field(default_factory=dict)
    runcmd: bool = False
    network: str = ""  # every rendered network file, joined
    log_lines: list[str] = field(default_factory=list)  # WARNING and worse

    def to_json(self) -> dict[str, Any]:
        return {
            "datasource": self.datasource,
            "errors": self.errors,
            "finished": self.finished,
            "instance_id": self.instance_id,
            "hostname": self.hostname,
            "default_user": self.default_user,
            "authorized_keys": {user: len(keys) for user, keys in self.authorized_keys.items()},
            "files": sorted(path for path, found in self.files.items() if found is not None),
            "runcmd": self.runcmd,
        }


def read_applied(overlay: Path, expected: Expected, *, events: Events) -> Applied:
    """Read the overlay (a qcow2 over the user's image) read-only."""
    applied = Applied()
    with Appliance([AttachedImage(overlay, "qcow2", writable=False)], events=events) as guest:
        root, first = _find_root(guest)
        if root is None or first is None:
            return applied
        applied.found_root = True
        _first_look(first, expected, applied)
        users = _homes(first.data(PASSWD))
        default = expected.default_user or _default_user(first.data(CLOUD_CFG))
        applied.default_user = default if expected.default_user_created else None
        wanted_users = {
            *expected.user_keys,
            *([applied.default_user] if applied.default_user else []),
            "root",
        }
        key_files = {
            user: f"{users[user]}/.ssh/authorized_keys" for user in wanted_users if user in users
        }
        network_files = [
            f"{NETWORKD}/{name}"
            for name in (first.files[NETWORKD].names if NETWORKD in first.files else ())
            if name.startswith("10-cloud-init-")
        ]
        # config/cc_runcmd.py:88: cloud.get_ipath("scripts")/runcmd, the instance's folder
        # (helpers.py:424 get_ipath); read through instances/<id>, never the symlink.
        runcmd = f"/var/lib/cloud/instances/{applied.instance_id}/scripts/runcmd"
        paths = [*key_files.values(), *(each.path for each in expected.files), *network_files]
        second = guest.probe(root, [*dict.fromkeys([*paths, runcmd])], READ_LIMIT)
    for user, path in key_files.items():
        data = second.data(path)
        if data is not None:
            applied.authorized_keys[user] = _keys(data)
    for each in expected.files:
        found = second.files.get(each.path)
        applied.files[each.path] = (
            (found.mode, found.data) if found is not None and found.kind == "file" else None
        )
    applied.runcmd = second.holds_file(runcmd) if applied.instance_id else False
    rendered = [first.data(ENI), first.data(NETPLAN), *map(second.data, network_files)]
    applied.network = "\n".join(each.decode(errors="replace") for each in rendered if each)
    return applied


def _find_root(guest: Appliance) -> tuple[FoundPartition | None, Probe | None]:
    for disk in guest.survey():
        for partition in disk.partitions:
            probe = guest.probe(partition, FIRST_LOOK, READ_LIMIT)
            if probe.mounted and probe.holds_file(PASSWD):
                return partition, probe
    return None, None


def _first_look(first: Probe, expected: Expected, applied: Applied) -> None:
    status = _json(first.data(STATUS))
    result = _json(first.data(RESULT))
    v1 = (result or status or {}).get("v1", {})
    applied.datasource = v1.get("datasource") if isinstance(v1.get("datasource"), str) else None
    applied.finished = result is not None
    if result is not None:
        applied.errors = [str(each) for each in v1.get("errors") or []]
    elif status is not None:
        for stage in status.get("v1", {}).values():
            if isinstance(stage, dict):
                applied.errors += [str(each) for each in stage.get("errors") or []]
    text = first.data(INSTANCE_ID)
    applied.instance_id = text.decode(errors="replace").strip() if text else None
    text = first.data(HOSTNAME)
    applied.hostname = text.decode(errors="replace").strip() if text else None
    log = first.data(LOG)
    if log:
        applied.log_lines = warning_lines(log.decode(errors="replace"))


def warning_lines(log: str) -> list[str]:
    """cloud-init's WARNING, ERROR and CRITICAL lines: never anything else of the log, which
    may quote user data."""
    return [line for line in log.splitlines() if LOG_LEVEL.search(line)]


def _json(data: bytes | None) -> dict[str, Any] | None:
    if data is None:
        return None
    try:
        value = json.loads(data)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _homes(passwd: bytes | None) -> dict[str, str]:
    homes: dict[str, str] = {}
    for line in (passwd or b"").decode(errors="replace").splitlines():
        fields = line.split(":")
        if len(fields) >= 6 and fields[5].startswith("/"):
            homes[fields[0]] = fields[5].rstrip("/") or ""
    return homes


def _default_user(cloud_cfg: bytes | None) -> str | None:
    """The image's default user: system_info.default_user.name of /etc/cloud/cloud.cfg
    (distros/__init__.py get_default_user)."""
    try:
        config = yaml.safe_load(cloud_cfg or b"")
    except yaml.YAMLError:
        return None
    info = config.get("system_info") if isinstance(config, dict) else None
    user = info.get("default_user") if isinstance(info, dict) else None
    name = user.get("name") if isinstance(user, dict) else None
    return name if isinstance(name, str) else None


def _keys(data: bytes) -> list[str]:
    """The keys of an authorized_keys file, without the options cloud-init puts before root's
    (ssh_util.py:61 DISABLE_USER_OPTS)."""
    keys = []
    for line in data.decode(errors="replace").splitlines():
        if line.strip() and not line.startswith("#"):
            keys.append(line.strip())
    return keys


def _key_body(key: str) -> str:
    """A key's type and base64 blob: comments and options aside."""
    fields = key.split()
    for index, word in enumerate(fields):
        if (word.startswith(("ssh-", "ecdsa-", "sk-"))) and index + 1 < len(fields):
            return f"{word} {fields[index + 1]}"
    return key.strip()


def compare(expected: Expected, applied: Applied) -> list[Check]:
    """Every field the drive asked for, with what the machine got."""
    checks: list[Check] = []

    def check(what: str, want: str, got: str | None, ok: bool | None = None) -> None:
        checks.append(Check(what, want, got or "(none)", got == want if ok is None else ok))

    source = applied.datasource or ""
    # cmd/main.py:771 str(datasource): "DataSourceConfigDrive [net,ver=2][source=/dev/sr0]"
    check(
        "datasource",
        expected.datasource,
        source or None,
        source.startswith(f"DataSource{expected.datasource}"),
    )
    check("finished", "yes", "yes" if applied.finished else "no")
    check("errors", "none", "; ".join(applied.errors) or "none")
    check("instance-id", expected.instance_id, applied.instance_id)
    if expected.hostname is not None:
        check("hostname", expected.hostname, applied.hostname)
    owners: dict[str, list[str]] = {}
    if expected.default_user_keys:
        owner = applied.default_user or "root"
        owners.setdefault(owner, []).extend(expected.default_user_keys)
    for user, keys in expected.user_keys.items():
        owners.setdefault(user, []).extend(keys)
    for user, keys in owners.items():
        have = {_key_body(key) for key in applied.authorized_keys.get(user, [])}
        want = {_key_body(key) for key in keys}
        missing = len(want - have)
        check(
            f"keys of {user}",
            f"{len(want)} key{'s' if len(want) != 1 else ''}",
            f"{len(want) - missing} of them" + (f", {missing} missing" if missing else ""),
            not missing,
        )
    for each in expected.files:
        found = applied.files.get(each.path)
        if found is None:
            check(f"file {each.path}", f"mode {each.mode:04o}", "missing", False)
            continue
        mode, data = found
        same = (
            each.data is None
            or data == each.data
            or (each.append and data is not None and data.endswith(each.data))
        )
        check(
            f"file {each.path}",
            f"mode {each.mode:04o}, {_size(each.data)}",
            f"mode {mode:04o}, {_size(data)}" + ("" if same else ", other content"),
            same and mode == each.mode,
        )
    if expected.runcmd:
        check("runcmd", "written", "written" if applied.runcmd else "missing")
    for address in expected.addresses:
        check(
            f"address {address}",
            "rendered",
            "rendered" if address in applied.network else "missing",
        )
    for server in expected.nameservers:
        check(
            f"name server {server}",
            "rendered",
            "rendered" if server in applied.network else "missing",
        )
    return checks


def _size(data: bytes | None) -> str:
    return "unknown content" if data is None else f"{len(data)} bytes"
