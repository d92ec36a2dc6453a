"""NoCloud's own meta-data keys, honoured as what they mean on every layout.

A user who knows NoCloud writes `instance-id: iid-local01` and `local-hostname: cloudimg`
(cloud-localds' example). Those keys become the machine's instance-id, host name and SSH
keys; they are never replaced in silence, and a value that contradicts a flag is an error
naming both. Kept apart from layout_nocloud so that validation does not import the network
conversion it needs only for NoCloud seeds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from configdrive.inputs.documents import Document
from configdrive.problems import DocPath, Problem, Severity
from configdrive.validation.checks import hostname_problem, uuid_problem
from configdrive.validation.ssh_keys import public_key_problem

# The meta-data keys cloud-init's NoCloud datasource reads itself (cloud-init 22.4):
#   instance-id         sources/__init__.py:706-710 (get_instance_id); DataSourceNoCloud.py
#                       :228-268 compares it at every boot to tell a new instance ("nocloud"
#                       when absent, :53-56)
#   local-hostname      sources/__init__.py:736-760 (get_hostname)
#   public-keys         sources/__init__.py:648-649 (get_public_ssh_keys)
#   dsmode              DataSourceNoCloud.py:189-191 (local, net or disabled; anything else
#                       is logged and replaced by net, sources/__init__.py:843-862)
#   network-interfaces  DataSourceNoCloud.py:204 and :244-249 (ENI text, used only when the
#                       seed has no network-config)
#   seedfrom            DataSourceNoCloud.py:160-182 (fetch the seed from a URL)
# The first three are honoured on every layout (they name the instance, its host and its
# keys, which a config-2 drive says with uuid, hostname and public_keys); the others are
# NoCloud's alone and pass through to the seed.
NOCLOUD_IDENTITY_KEYS = ("instance-id", "local-hostname", "public-keys")
NOCLOUD_ONLY_KEYS = ("dsmode", "network-interfaces", "seedfrom")
NOCLOUD_DSMODES = ("local", "net", "disabled")
_BAD_INSTANCE_ID = re.compile(r"[\s/\x00-\x1f\x7f]")


@dataclass(frozen=True)
class NoCloudMeta:
    """What a meta data document says with NoCloud's keys (None: it does not say)."""

    instance_id: str | None = None
    local_hostname: str | None = None
    public_keys: tuple[str, ...] = ()


def nocloud_meta_keys(
    document: Document, *, layout: str, has_network: bool = False
) -> tuple[NoCloudMeta, list[Problem]]:
    """The NoCloud keys of a meta data document, checked for `layout`, and their problems.

    A value is returned only when it is usable: a problem is an error unless it only says
    that a key will be ignored.
    """
    data = document.data
    problems: list[Problem] = []
    if not isinstance(data, dict):
        return NoCloudMeta(), problems

    def error(path: DocPath, message: str) -> None:
        problems.append(document.problem(path, message))

    def warning(path: DocPath, message: str) -> None:
        problems.append(document.problem(path, message, severity=Severity.WARNING))

    instance_id = data.get("instance-id")
    if "instance-id" in data:
        if not isinstance(instance_id, str) or not instance_id:
            error(("instance-id",), "instance-id must be a non-empty string")
            instance_id = None
        elif _BAD_INSTANCE_ID.search(instance_id):
            # cloud-init keeps each instance in /var/lib/cloud/instances/<instance-id>.
            error(
                ("instance-id",),
                f"instance-id {instance_id!r} holds a space, '/' or a control character; "
                "cloud-init makes it a folder name",
            )
            instance_id = None
        elif layout != "nocloud" and uuid_problem(instance_id) is not None:
            error(
                ("instance-id",),
                f"instance-id {instance_id!r} is not a UUID, and a config-2 drive's "
                "instance-id is meta_data's uuid (cloud-init copies uuid to instance-id); "
                "give a UUID here or with --uuid, or build a NoCloud seed (--layout nocloud)",
            )
            instance_id = None
    hostname = data.get("local-hostname")
    if "local-hostname" in data:
        if not isinstance(hostname, str):
            error(("local-hostname",), "local-hostname must be a string")
            hostname = None
        elif message := hostname_problem(hostname):
            error(("local-hostname",), message)
            hostname = None
    keys: list[str] = []
    for path, line in _nocloud_public_keys(data.get("public-keys"), error):
        if message := public_key_problem(line):
            error(path, message)
        else:
            keys.append(line.strip())

    if layout == "nocloud":
        dsmode = data.get("dsmode")
        if "dsmode" in data and dsmode not in NOCLOUD_DSMODES:
            error(
                ("dsmode",),
                f"dsmode must be one of {', '.join(NOCLOUD_DSMODES)}; cloud-init logs "
                "any other value and uses 'net'",
            )
        elif dsmode == "disabled":
            warning(("dsmode",), "dsmode 'disabled': cloud-init will not use this seed at all")
        interfaces = data.get("network-interfaces")
        if "network-interfaces" in data and not isinstance(interfaces, str):
            error(
                ("network-interfaces",),
                "network-interfaces must be the text of /etc/network/interfaces",
            )
        elif "network-interfaces" in data and has_network:
            warning(
                ("network-interfaces",),
                "cloud-init ignores network-interfaces when the seed has a network-config "
                "(the --network-data given here)",
            )
    else:
        for key in NOCLOUD_ONLY_KEYS:
            if key in data:
                where = {
                    "dsmode": "; a config-2 drive gives it as meta: {dsmode: ...}",
                    "network-interfaces": "; a config-2 drive carries network_data "
                    "(--network-data)",
                    "seedfrom": "",
                }[key]
                warning(
                    (key,),
                    f"{key} is read only from a NoCloud seed (--layout nocloud), "
                    f"not from a config-2 drive's meta_data.json{where}",
                )
    return NoCloudMeta(instance_id, hostname, tuple(keys)), problems


def _nocloud_public_keys(
    value: Any, error: Callable[[DocPath, str], None]
) -> list[tuple[DocPath, str]]:
    """public-keys as cloud-init's normalize_pubkey_data reads it: text, a list, a mapping."""
    found: list[tuple[DocPath, str]] = []
    if value is None:
        return found
    if isinstance(value, str):
        # One key a line, like authorized_keys (normalize_pubkey_data splits the lines).
        lines = [line for line in value.splitlines() if line.strip()]
        found += [(("public-keys",), line) for line in lines]
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                found.append((("public-keys", index), item))
            else:
                error(("public-keys", index), "a key must be a string")
    elif isinstance(value, dict):
        for name, item in value.items():
            items = [item] if isinstance(item, str) else item
            if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
                error(("public-keys", str(name)), "a key must be a string or a list of them")
                continue
            found += [(("public-keys", str(name)), line) for line in items]
    else:
        error(("public-keys",), "public-keys must be a key, a list of keys or a mapping")
    return found
