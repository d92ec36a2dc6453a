"""cloud-init's own config drive reader (Debian's cloud-init package) on every fixture's drive.

The drive is extracted with xorriso (Rock Ridge names, as Linux shows them) and read with
`DataSourceConfigDrive.read_config_drive`; what it returns is compared with the fixture's
input files, read independently of configdrive.
"""

from __future__ import annotations

import base64
import re
import uuid
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .conftest import Drives

pytestmark = pytest.mark.interop

DATED = re.compile(r"\d{4}-\d{2}-\d{2}")
# Keys the build sets from flags or merges (checked by their own tests), or rewrites.
MERGED_META_KEYS = {"uuid", "hostname", "name", "public_keys", "keys", "files"}


def test_cloud_init_selects_the_newest_dated_version(drives: Drives, case: str) -> None:
    report = drives.cloud_init(case)
    assert report["result"]["version"] == 2  # the OpenStack (not the old v1) format
    folders = {path.name for path in (drives.extracted(case) / "openstack").iterdir()}
    assert "latest" in folders
    known_on_drive = sorted(set(report["known_versions"]) & folders)
    assert known_on_drive, f"no dated folder cloud-init knows: {sorted(folders)}"
    assert report["selected_version"] == known_on_drive[-1]


def test_dated_folders_hold_the_same_files_as_latest(drives: Drives, case: str) -> None:
    tree = drives.extracted(case)
    for family, meta_name in (("openstack", "meta_data.json"), ("ec2", "meta-data.json")):
        latest = tree / family / "latest"
        dated = [path for path in (tree / family).iterdir() if DATED.fullmatch(path.name)]
        assert dated, f"no dated folder in /{family}"
        for folder in dated:
            meta = folder / meta_name
            assert meta.read_bytes() == (latest / meta_name).read_bytes(), meta
            for path in folder.iterdir():
                assert path.read_bytes() == (latest / path.name).read_bytes(), path


def test_cloud_init_reads_the_user_data_byte_for_byte(drives: Drives, case: str) -> None:
    expected = drives.built(case).inputs.user_data
    result = drives.cloud_init(case)["result"]
    if expected is None:
        assert result["userdata"] == ""  # cloud-init's value when there is no user_data
    else:
        assert result["userdata"] == expected


def test_cloud_init_reads_the_meta_data(drives: Drives, case: str) -> None:
    drive = drives.built(case)
    inputs, summary = drive.inputs, drive.summary
    metadata = drives.cloud_init(case)["result"]["metadata"]

    expected_uuid = inputs.uuid if inputs.uuid is not None else summary["uuid"]
    uuid.UUID(expected_uuid)
    assert summary["uuid"] == expected_uuid
    assert summary["uuid_derived"] is (inputs.uuid is None)
    assert metadata["uuid"] == expected_uuid
    assert metadata["instance-id"] == expected_uuid  # what cloud-init keys the instance on

    expected_hostname = inputs.hostname if inputs.hostname is not None else summary["hostname"]
    assert summary["hostname"] == expected_hostname
    assert metadata.get("hostname") == expected_hostname
    assert metadata.get("local-hostname") == expected_hostname
    expected_name = inputs.name if inputs.name is not None else summary["name"]
    assert summary["name"] == expected_name
    assert metadata.get("name") == expected_name

    for key, value in inputs.meta_data.items():
        if key in MERGED_META_KEYS:
            continue
        if key == "random_seed":  # cloud-init decodes it
            assert metadata[key] == base64.b64decode(value)
        else:
            assert metadata[key] == value, key


def test_cloud_init_installs_exactly_the_given_ssh_keys(drives: Drives, case: str) -> None:
    expected = drives.built(case).inputs.ssh_keys
    installed = drives.cloud_init(case)["ssh_keys"]
    assert set(installed) == set(expected)
    assert len(installed) == len(set(installed)), "a key is listed twice"


def test_cloud_init_reads_the_injected_files(drives: Drives, case: str) -> None:
    expected = drives.built(case).inputs.files
    assert drives.cloud_init(case)["result"]["files"] == expected


@pytest.mark.parametrize(
    ("document", "result_key"),
    [
        ("vendor_data", "vendordata"),
        ("vendor_data2", "vendordata2"),
        ("network_data", "networkdata"),
    ],
)
def test_cloud_init_reads_the_json_documents(
    drives: Drives, case: str, document: str, result_key: str
) -> None:
    documents = drives.built(case).inputs.documents
    result = drives.cloud_init(case)["result"]
    if document in documents:
        assert result[result_key] == documents[document]
    else:
        assert result_key not in result


def test_cloud_init_converts_the_network_data(drives: Drives, case: str) -> None:
    network = drives.built(case).inputs.documents.get("network_data")
    report = drives.cloud_init(case)
    if network is None:
        assert "network_config" not in report
        return
    config = report["network_config"]
    assert config["version"] == 1
    entries: list[dict[str, Any]] = config["config"]
    physical_macs = {entry.get("mac_address") for entry in entries if entry["type"] == "physical"}
    for link in network.get("links", []):
        if link.get("type") == "phy":
            assert link["ethernet_mac_address"].lower() in physical_macs
    nameservers = {entry.get("address") for entry in entries if entry["type"] == "nameserver"}
    for service in network.get("services", []):
        if service.get("type") == "dns":
            assert service["address"] in nameservers


def test_cloud_init_reads_the_ec2_meta_data(drives: Drives, case: str) -> None:
    drive = drives.built(case)
    ec2 = drives.cloud_init(case)["result"]["ec2-metadata"]
    assert isinstance(ec2, dict)
    assert re.fullmatch(r"i-[0-9a-f]{8}", ec2["instance-id"]), ec2["instance-id"]
    expected_hostname = drive.inputs.hostname or drive.summary["hostname"]
    assert ec2.get("local-hostname") == expected_hostname
