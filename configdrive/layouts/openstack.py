"""The OpenStack config-2 layout, as Nova writes it: dated version folders, `latest`, and ec2/."""

from __future__ import annotations

from typing import Any

from configdrive.layouts.drive_layout import Content, DriveLayout, FileContent
from configdrive.machine import Machine, json_bytes

CONFIG_DRIVE_LABEL = "config-2"

# The dated versions Nova writes (nova/api/metadata/base.py), oldest first. cloud-init reads the
# newest it knows; the CoreOS family reads only `latest`, so every folder holds the same files.
FOLSOM, GRIZZLY, HAVANA, LIBERTY = "2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15"
NEWTON_ONE, NEWTON_TWO, OCATA, ROCKY, VICTORIA = (
    "2016-06-30",
    "2016-10-06",
    "2017-02-22",
    "2018-08-27",
    "2020-10-14",
)
OPENSTACK_VERSIONS = (
    FOLSOM, GRIZZLY, HAVANA, LIBERTY, NEWTON_ONE, NEWTON_TWO, OCATA, ROCKY, VICTORIA,
)  # fmt: skip
LATEST = "latest"
EC2_VERSIONS = ("2009-04-04", LATEST)


def _since(version: str, first: str) -> bool:
    """Whether Nova writes a file introduced in `first` into the folder of `version`."""
    return version == LATEST or OPENSTACK_VERSIONS.index(version) >= OPENSTACK_VERSIONS.index(first)


def layout_openstack(machine: Machine) -> DriveLayout:
    """The OpenStack config-2 layout, as Nova writes it."""
    files: dict[str, Content] = {}
    meta_data: dict[str, Any] = dict(machine.meta_data)
    if machine.files:
        meta_data["files"] = []
        for index, injected in enumerate(machine.files):
            content_path = f"/content/{index:04d}"
            meta_data["files"].append({"path": injected.dest, "content_path": content_path})
            files[f"openstack{content_path}"] = (
                injected.data
                if injected.data is not None
                else FileContent(injected.source, injected.size)
            )

    meta_json = json_bytes(meta_data)
    network_json = json_bytes(machine.network_data) if machine.network_data is not None else None
    vendor_json = json_bytes(machine.vendor_data) if machine.vendor_data is not None else None
    vendor2_json = json_bytes(machine.vendor_data2) if machine.vendor_data2 is not None else None
    for version in (*OPENSTACK_VERSIONS, LATEST):
        folder = f"openstack/{version}"
        files[f"{folder}/meta_data.json"] = meta_json
        if machine.user_data is not None:
            files[f"{folder}/user_data"] = machine.user_data
        if vendor_json is not None and _since(version, HAVANA):
            files[f"{folder}/vendor_data.json"] = vendor_json
        if network_json is not None and _since(version, LIBERTY):
            files[f"{folder}/network_data.json"] = network_json
        if vendor2_json is not None and _since(version, NEWTON_TWO):
            files[f"{folder}/vendor_data2.json"] = vendor2_json

    ec2_json = json_bytes(ec2_meta_data(machine))
    for version in EC2_VERSIONS:
        files[f"ec2/{version}/meta-data.json"] = ec2_json
        if machine.user_data is not None:
            files[f"ec2/{version}/user-data"] = machine.user_data
    return DriveLayout(CONFIG_DRIVE_LABEL, dict(sorted(files.items())))


def ec2_instance_id(uuid: str) -> str:
    """An EC2-style instance id (i-xxxxxxxx) that follows from the UUID."""
    return "i-" + uuid.replace("-", "")[:8]


def ec2_meta_data(machine: Machine) -> dict[str, Any]:
    """The EC2-compatible meta-data Nova writes beside the OpenStack tree."""
    meta = machine.meta_data
    data: dict[str, Any] = {
        "instance-id": ec2_instance_id(machine.uuid),
        "ami-launch-index": meta.get("launch_index", 0),
    }
    if machine.hostname is not None:
        data["hostname"] = machine.hostname
        data["local-hostname"] = machine.hostname
        data["public-hostname"] = machine.hostname
    if meta.get("availability_zone"):
        data["placement"] = {"availability-zone": meta["availability_zone"]}
    if machine.public_keys:
        data["public-keys"] = {
            str(index): {"_name": f"{index}={name}", "openssh-key": key}
            for index, (name, key) in enumerate(machine.public_keys.items())
        }
    return data
