#!/usr/bin/env python3
"""Write schemas/ignition/<version>.schema.json, one JSON Schema per Ignition spec version.

The structure of each version is read from Ignition's Go types (coreos/ignition,
config/v3_*/types/schema.go on main; config/v2_*/types/*.go on the spec2x branch):
the versions differ by a few fields, so this script states the base once and each
version's differences after it. Run it after changing a version; tests/test_ignition.py
checks that the files in schemas/ignition/ are what it writes.

Every scalar also takes null: Go's encoding/json leaves a field alone when it reads
null, so Ignition treats `"path": null` like a missing `path` (its own checks then
report the missing value). Integers are Go ints: 64 bits, or the decoder refuses them.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "configdrive" / "validation" / "schemas" / "ignition"
BASE_ID = "https://mkconfigdrive.github.io/schemas/ignition/"

INT = {"$ref": "#/$defs/int"}
STR = {"type": ["string", "null"]}
BOOL = {"type": ["boolean", "null"]}


def obj(description: str, **properties: Any) -> dict[str, Any]:
    """A mapping with exactly these keys (others are unknown: Ignition warns and ignores)."""
    return {
        "type": ["object", "null"],
        "description": description,
        "properties": {key: _described(key, value) for key, value in properties.items()},
        "additionalProperties": False,
    }


def _described(key: str, value: dict[str, Any]) -> dict[str, Any]:
    if "description" in value:
        return value
    return {"description": f"`{key}`", **value}


def arr(items: dict[str, Any], description: str = "") -> dict[str, Any]:
    """A list (null reads as an empty list)."""
    out: dict[str, Any] = {"type": ["array", "null"], "items": items}
    if description:
        out["description"] = description
    return out


def d(text: str, schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with a description."""
    return {"description": text, **schema}


# ----------------------------------------------------------------------------- spec 3


def spec3(minor: int) -> dict[str, Any]:
    """The structure of spec 3.<minor>.0 (coreos/ignition config/v3_<minor>/types/schema.go)."""
    headers = arr(
        obj("An HTTP header sent when fetching the source.", name=STR, value=STR),
        "HTTP headers for http(s) sources (spec 3.1.0 and later).",
    )

    def resource(what: str) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "source": d("URL of the content (http, https, tftp, s3, gs, arn, data).", STR),
            "verification": obj(
                "Hash of the content.", hash=d("`sha512-<hex>` or `sha256-<hex>`", STR)
            ),
        }
        if what != "ca3.0" and minor >= 1:
            fields["compression"] = d("`gzip` or empty.", STR)
            fields["httpHeaders"] = headers
        elif what == "file":
            fields["compression"] = d("`gzip` or empty.", STR)
        return obj(f"A resource: {what}.", **fields)

    node = {
        "path": d("Absolute, clean path of the node.", STR),
        "overwrite": BOOL,
        "user": obj("Owner: an id or a name, not both.", id=INT, name=STR),
        "group": obj("Group: an id or a name, not both.", id=INT, name=STR),
    }
    ignition: dict[str, Any] = {
        "version": d("The spec version of this config.", STR),
        "config": obj(
            "Other configs to merge or to use instead of this one.",
            merge=arr(resource("config")),
            replace=resource("config"),
        ),
        "timeouts": obj("HTTP timeouts in seconds.", httpResponseHeaders=INT, httpTotal=INT),
        "security": obj(
            "TLS settings.",
            tls=obj(
                "TLS trust.",
                certificateAuthorities=arr(resource("ca3.0" if minor == 0 else "certificate")),
            ),
        ),
    }
    if minor >= 1:
        ignition["proxy"] = obj(
            "Proxies for fetching resources.", httpProxy=STR, httpsProxy=STR, noProxy=arr(STR)
        )
    partition: dict[str, Any] = {
        "label": STR,
        "number": INT,
        "sizeMiB": INT,
        "startMiB": INT,
        "typeGuid": STR,
        "guid": STR,
        "wipePartitionEntry": BOOL,
        "shouldExist": BOOL,
    }
    if minor >= 2:
        partition["resize"] = BOOL
    filesystem: dict[str, Any] = {
        "path": STR,
        "device": STR,
        "format": STR,
        "options": arr(STR),
        "wipeFilesystem": BOOL,
        "label": STR,
        "uuid": STR,
    }
    if minor >= 1:
        filesystem["mountOptions"] = arr(STR)
    storage: dict[str, Any] = {
        "disks": arr(
            obj(
                "A disk to partition.",
                device=STR,
                wipeTable=BOOL,
                partitions=arr(obj("A partition.", **partition)),
            )
        ),
        "raid": arr(
            obj(
                "A software RAID array.",
                name=STR,
                level=STR,
                devices=arr(STR),
                spares=INT,
                options=arr(STR),
            )
        ),
        "filesystems": arr(obj("A filesystem.", **filesystem)),
        "files": arr(
            obj(
                "A file.",
                **node,
                mode=d("Permission bits, a decimal integer (420 is 0644).", INT),
                contents=resource("file"),
                append=arr(resource("file")),
            )
        ),
        "directories": arr(obj("A directory.", **node, mode=INT)),
        "links": arr(obj("A link.", **node, target=STR, hard=BOOL)),
    }
    if minor >= 2:
        tang: dict[str, Any] = {"url": STR, "thumbprint": STR}
        if minor >= 4:
            tang["advertisement"] = STR
        clevis = obj(
            "Clevis pins that unlock the volume.",
            custom=obj("A custom Clevis pin.", pin=STR, config=STR, needsNetwork=BOOL),
            tpm2=BOOL,
            tang=arr(obj("A Tang server.", **tang)),
            threshold=INT,
        )
        luks: dict[str, Any] = {
            "name": STR,
            "label": STR,
            "uuid": STR,
            "device": STR,
            "keyFile": resource("key file"),
            "wipeVolume": BOOL,
            "clevis": clevis,
            "options": arr(STR),
        }
        if minor >= 4:
            luks["discard"] = BOOL
            luks["openOptions"] = arr(STR)
        if minor >= 5:
            luks["cex"] = obj("IBM Crypto Express key.", enabled=BOOL)
        storage["luks"] = arr(obj("A LUKS volume.", **luks))
    user: dict[str, Any] = {
        "name": STR,
        "passwordHash": STR,
        "sshAuthorizedKeys": arr(STR),
        "uid": INT,
        "gecos": STR,
        "homeDir": STR,
        "noCreateHome": BOOL,
        "primaryGroup": STR,
        "groups": arr(STR),
        "noUserGroup": BOOL,
        "noLogInit": BOOL,
        "shell": STR,
        "system": BOOL,
    }
    group: dict[str, Any] = {"name": STR, "gid": INT, "passwordHash": STR, "system": BOOL}
    if minor >= 2:
        user["shouldExist"] = BOOL
        group["shouldExist"] = BOOL
    config: dict[str, Any] = {
        "ignition": obj("About the config itself.", **ignition),
        "storage": obj("Disks, filesystems and files.", **storage),
        "systemd": obj(
            "systemd units.",
            units=arr(
                obj(
                    "A systemd unit.",
                    name=STR,
                    enabled=BOOL,
                    mask=BOOL,
                    contents=STR,
                    dropins=arr(obj("A drop-in.", name=STR, contents=STR)),
                )
            ),
        ),
        "passwd": obj(
            "Users and groups.",
            users=arr(obj("A user.", **user)),
            groups=arr(obj("A group.", **group)),
        ),
    }
    if minor >= 3:
        config["kernelArguments"] = obj(
            "Kernel arguments.", shouldExist=arr(STR), shouldNotExist=arr(STR)
        )
    return config


# ----------------------------------------------------------------------------- spec 2


def spec2(minor: int) -> dict[str, Any]:
    """The structure of spec 2.<minor>.0 (coreos/ignition spec2x: config/v2_<minor>/types)."""
    headers = arr(obj("An HTTP header.", name=STR, value=STR), "HTTP headers (spec 2.4.0).")

    def reference(what: str) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "source": STR,
            "verification": obj("Hash of the content.", hash=STR),
        }
        if what == "file":
            fields["compression"] = STR
        if minor >= 4:
            fields["httpHeaders"] = headers
        return obj(f"A resource: {what}.", **fields)

    owner = {"id": INT, "name": STR} if minor >= 1 else {"id": INT}
    node: dict[str, Any] = {
        "filesystem": d("Name of the filesystem the path is on (`root`).", STR),
        "path": STR,
        "user": obj("Owner.", **owner),
        "group": obj("Group.", **owner),
    }
    if minor >= 2:
        node["overwrite"] = BOOL
    file: dict[str, Any] = {**node, "mode": INT, "contents": reference("file")}
    if minor >= 2:
        file["append"] = BOOL
    ignition: dict[str, Any] = {
        "version": STR,
        "config": obj(
            "Other configs.", append=arr(reference("config")), replace=reference("config")
        ),
    }
    if minor >= 1:
        ignition["timeouts"] = obj("HTTP timeouts.", httpResponseHeaders=INT, httpTotal=INT)
    if minor >= 2:
        ignition["security"] = obj(
            "TLS settings.",
            tls=obj("TLS trust.", certificateAuthorities=arr(reference("certificate"))),
        )
    if minor >= 4:
        ignition["proxy"] = obj("Proxies.", httpProxy=STR, httpsProxy=STR, noProxy=arr(STR))
    partition: dict[str, Any] = {
        "label": STR,
        "number": INT,
        "size": INT,
        "start": INT,
        "typeGuid": STR,
    }
    if minor >= 1:
        partition["guid"] = STR
    if minor >= 3:
        partition.update(sizeMiB=INT, startMiB=INT, shouldExist=BOOL, wipePartitionEntry=BOOL)
    mount: dict[str, Any] = {
        "device": STR,
        "format": STR,
        "create": obj("Deprecated: how to create the filesystem.", force=BOOL, options=arr(STR)),
    }
    if minor >= 1:
        mount.update(wipeFilesystem=BOOL, label=STR, uuid=STR, options=arr(STR))
    raid: dict[str, Any] = {"name": STR, "level": STR, "devices": arr(STR), "spares": INT}
    if minor >= 2:
        raid["options"] = arr(STR)
    storage: dict[str, Any] = {
        "disks": arr(
            obj(
                "A disk.",
                device=STR,
                wipeTable=BOOL,
                partitions=arr(obj("A partition.", **partition)),
            )
        ),
        "raid": arr(obj("A RAID array.", **raid)),
        "filesystems": arr(
            obj("A filesystem.", name=STR, path=STR, mount=obj("How to mount it.", **mount))
        ),
        "files": arr(obj("A file.", **file)),
    }
    if minor >= 1:
        storage["directories"] = arr(obj("A directory.", **node, mode=INT))
        storage["links"] = arr(obj("A link.", **node, target=STR, hard=BOOL))
    create = {
        "uid": INT,
        "gecos": STR,
        "homeDir": STR,
        "noCreateHome": BOOL,
        "primaryGroup": STR,
        "groups": arr(STR),
        "noUserGroup": BOOL,
        "system": BOOL,
        "noLogInit": BOOL,
        "shell": STR,
    }
    user: dict[str, Any] = {
        "name": STR,
        "passwordHash": STR,
        "sshAuthorizedKeys": arr(STR),
        "create": obj("Deprecated: how to create the user.", **create),
    }
    if minor >= 1:
        user.update(create)
    unit: dict[str, Any] = {
        "name": STR,
        "enable": d("Deprecated: use `enabled`.", BOOL),
        "mask": BOOL,
        "contents": STR,
        "dropins": arr(obj("A drop-in.", name=STR, contents=STR)),
    }
    if minor >= 1:
        unit["enabled"] = BOOL
    networkd_unit: dict[str, Any] = {"name": STR, "contents": STR}
    if minor >= 2:
        networkd_unit["dropins"] = arr(obj("A drop-in.", name=STR, contents=STR))
    return {
        "ignition": obj("About the config itself.", **ignition),
        "storage": obj("Disks, filesystems and files.", **storage),
        "systemd": obj("systemd units.", units=arr(obj("A systemd unit.", **unit))),
        "networkd": obj(
            "systemd-networkd units.", units=arr(obj("A networkd unit.", **networkd_unit))
        ),
        "passwd": obj(
            "Users and groups.",
            users=arr(obj("A user.", **user)),
            groups=arr(obj("A group.", name=STR, gid=INT, passwordHash=STR, system=BOOL)),
        ),
    }


STABLE = {
    "2.0.0": (spec2, 0),
    "2.1.0": (spec2, 1),
    "2.2.0": (spec2, 2),
    "2.3.0": (spec2, 3),
    "2.4.0": (spec2, 4),
    "3.0.0": (spec3, 0),
    "3.1.0": (spec3, 1),
    "3.2.0": (spec3, 2),
    "3.3.0": (spec3, 3),
    "3.4.0": (spec3, 4),
    "3.5.0": (spec3, 5),
    "3.6.0": (spec3, 6),
}


def schema(version: str) -> dict[str, Any]:
    """The JSON Schema of one stable spec version."""
    build, minor = STABLE[version]
    properties = copy.deepcopy(build(minor))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{BASE_ID}{version}.schema.json",
        "title": f"Ignition config, spec {version}",
        "description": (
            f"The structure of an Ignition spec {version} config, as Ignition's Go types "
            "decode it. Ignition's semantic checks (paths, duplicates, URLs, hashes) are in "
            "configdrive/validation/ignition.py."
        ),
        "type": "object",
        "properties": {key: _described(key, value) for key, value in properties.items()},
        "additionalProperties": False,
        "$defs": {
            "int": {
                "description": "A Go int: whole, 64 bits.",
                "type": ["integer", "null"],
                "minimum": -(2**63),
                "maximum": 2**63 - 1,
            }
        },
    }


def render(version: str) -> str:
    """The file's text: pretty-printed like the other schemas."""
    return json.dumps(schema(version), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    """Write every version's schema file."""
    OUT.mkdir(parents=True, exist_ok=True)
    for version in STABLE:
        (OUT / f"{version}.schema.json").write_text(render(version), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
