"""cloud-init's own crawlers read `serve` and get exactly what `build` puts on the drive.

For each machine (fixtures/machines/web-1.yml, and every valid fixture written as a machine
file): `build --machine` makes the drive, xorriso extracts it and cloud-init's config drive
reader reads it (conftest); `serve` serves the same machine file and cloud-init's metadata
service crawlers read it (read_metadata_service.py, Debian's python). The OpenStack readings
must be equal, all of them: meta data, user data, vendor data, network data, injected files.
The EC2 tree is compared with the drive's ec2/VERSION/meta-data.json as EC2's listing format
carries it (see as_ec2_service), and user data byte for byte.
"""

from __future__ import annotations

import argparse
import base64
import collections
import json
import shlex
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.interop.conftest import (
    DEBIAN_PYTHON,
    HERE,
    VALID,
    build,
    extract,
    read_with_cloud_init,
    run,
)
from tests.test_serve_http import ServeProcess

pytestmark = pytest.mark.interop

CRAWLER = HERE / "read_metadata_service.py"
NOCLOUD_READER = HERE / "read_nocloud.py"
WEB_1 = HERE.parent.parent / "fixtures" / "machines" / "web-1.yml"
EC2_VERSIONS = ("latest", "2009-04-04")


def machine_file_for_case(case: str, folder: Path) -> Path:
    """The fixture's command line as a machine file (paths made absolute)."""
    case_folder = VALID / case
    parser = argparse.ArgumentParser(allow_abbrev=False)
    parser.add_argument("user_data", nargs="?")
    for option in ("--meta-data", "--network-data", "--vendor-data", "--vendor-data2"):
        parser.add_argument(option)
    for option in ("--uuid", "--hostname", "--name"):
        parser.add_argument(option)
    parser.add_argument("--ssh-key", action="append", default=[])
    parser.add_argument("--file", action="append", default=[])
    args = parser.parse_args(shlex.split((case_folder / "args").read_text()))

    def path(value: str) -> str:
        return str((case_folder / value).resolve())

    machine: dict[str, Any] = {"name": case}
    for key in ("user_data", "meta_data", "network_data", "vendor_data", "vendor_data2"):
        if getattr(args, key) is not None:
            machine[f"{key}_file"] = path(getattr(args, key))
    for key in ("uuid", "hostname", "name"):
        if getattr(args, key) is not None:
            machine[key] = getattr(args, key)
    machine["ssh_keys"] = [path(key) for key in args.ssh_key]
    machine["files"] = [
        {"source": path(spec.rpartition(":")[0]), "dest": spec.rpartition(":")[2]}
        for spec in args.file
    ]
    target = folder / f"{case}.yml"
    target.write_text(json.dumps(machine))
    return target


def _decode_bytes(value: dict[str, Any]) -> Any:
    if value.keys() == {"$bytes"}:
        return base64.b64decode(value["$bytes"])
    return value


def crawl(url: str, *options: str) -> dict[str, Any]:
    """What cloud-init's metadata service crawlers read at `url`."""
    result = run([DEBIAN_PYTHON, "-I", CRAWLER, url, *options])
    report = json.loads(result.stdout, object_hook=_decode_bytes)
    assert isinstance(report, dict)
    return report


def as_ec2_service(value: Any) -> Any:
    """The drive's EC2 meta-data JSON as EC2's listing format carries it to cloud-init.

    Every leaf comes back as text; a mapping listed as INDEX=NAME (an SSH key) comes back
    under NAME with its openssh-key (cloud-init's MetadataMaterializer).
    """
    if not isinstance(value, dict):
        return value if isinstance(value, str) else json.dumps(value)
    served: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, dict) and "_name" in item:
            served[item["_name"].split("=", 1)[1]] = item["openssh-key"]
        else:
            served[key] = as_ec2_service(item)
    return served


def drive_readings(machine: Path, folder: Path) -> tuple[dict[str, Any], Path]:
    """cloud-init's reading of the drive `build --machine` writes, and the extracted tree."""
    iso = folder / "drive.iso"
    build(folder, ["--machine", str(machine)], iso)
    tree = extract(iso, folder / "tree")
    report = read_with_cloud_init(tree)
    result = report["result"]
    assert isinstance(result, dict)
    return result, tree


def assert_same_as_drive(crawled: dict[str, Any], drive: dict[str, Any], tree: Path) -> None:
    served = dict(crawled["openstack"]["result"])
    on_drive = dict(drive)
    assert as_ec2_service(on_drive.pop("ec2-metadata")) == served.pop("ec2-metadata")
    assert served == on_drive
    for version in EC2_VERSIONS:
        meta = json.loads((tree / "ec2" / version / "meta-data.json").read_text())
        assert crawled["ec2"][version]["meta-data"] == as_ec2_service(meta), version
        user_data = tree / "ec2" / version / "user-data"
        expected = user_data.read_bytes() if user_data.exists() else ""
        assert crawled["ec2"][version]["user-data"] == expected, version


def check_machine(machine: Path, folder: Path) -> dict[str, Any]:
    drive, tree = drive_readings(machine, folder)
    server = ServeProcess(machine, log=folder / "serve.log")
    try:
        plain = crawl(server.url)
        with_token = crawl(server.url, "--token")
    finally:
        assert server.stop() == 0
    assert "error" not in plain["openstack"], plain["openstack"]
    assert_same_as_drive(plain, drive, tree)
    # IMDSv2, as cloud-init's Ec2 datasource does it on AWS: a token, then the same tree.
    assert with_token["token"]
    assert with_token["ec2"] == plain["ec2"]
    assert with_token["openstack"] == plain["openstack"]
    return drive


def test_web_1_machine_file(tmp_path: Path) -> None:
    drive = check_machine(WEB_1, tmp_path)
    # The reading is the whole machine, so the comparison above means something.
    assert drive["metadata"]["uuid"] == "2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c"
    assert drive["files"] == {"/etc/motd": (VALID / "cloud-init" / "motd").read_bytes()}
    assert drive["networkdata"]["links"]
    assert drive["vendordata"]
    assert drive["ec2-metadata"]["public-keys"]


def test_every_valid_fixture(case: str, tmp_path: Path) -> None:
    check_machine(machine_file_for_case(case, tmp_path), tmp_path)


def test_require_token_refuses_crawlers_without_one(tmp_path: Path) -> None:
    drive, tree = drive_readings(WEB_1, tmp_path)
    server = ServeProcess(WEB_1, "--require-token", log=tmp_path / "serve.log")
    try:
        without = crawl(server.url)
        with_token = crawl(server.url, "--token")
    finally:
        assert server.stop() == 0
    # cloud-init's OpenStack reader sends no token: it finds nothing it can read.
    assert without["openstack"]["type"] == "NonReadable"
    assert with_token["openstack"]["type"] == "NonReadable"
    for version in EC2_VERSIONS:
        assert without["ec2"][version] == {"meta-data": {}, "user-data": ""}
        meta = json.loads((tree / "ec2" / version / "meta-data.json").read_text())
        assert with_token["ec2"][version]["meta-data"] == as_ec2_service(meta)
        user_data = (tree / "ec2" / version / "user-data").read_bytes()
        assert with_token["ec2"][version]["user-data"] == user_data
    assert drive["ec2-metadata"]["instance-id"] == "i-2f0c3c6e"


# --------------------------------------------------------------------------- IMDSv2: no retries


def requests_by_path(log: Path) -> collections.Counter[tuple[str, int]]:
    """How often each (path, status) was asked for, from serve's JSON access lines."""
    counts: collections.Counter[tuple[str, int]] = collections.Counter()
    for line in log.read_text().splitlines():
        record = json.loads(line)
        if record.get("event") == "request":
            counts[record["path"], record["status"]] += 1
    return counts


def test_imdsv2_crawl_reads_the_identity_document_without_retries(tmp_path: Path) -> None:
    # cloud-init 22.4 retried a missing document six times a second apart, twice a boot.
    log = tmp_path / "serve.log"
    server = ServeProcess(WEB_1, log=log)
    try:
        report = crawl(server.url, "--token")
    finally:
        assert server.stop() == 0
    aws = report["aws"]
    assert aws["retries"] == 0
    document = aws["crawl"]["dynamic"]["instance-identity"]["document"]
    assert document == {
        "availabilityZone": "nova",
        "instanceId": "i-2f0c3c6e",
        "version": "2017-09-30",
    }
    assert aws["instance-id"] == "i-2f0c3c6e"
    assert aws["availability-zone"] == "nova"
    # cloud-init falls back to the newest version we serve of those it knows: 2009-04-04.
    version = aws["crawl"]["_metadata_api_version"]
    counts = requests_by_path(log)
    assert counts[f"/{version}/dynamic/instance-identity/document", 200] == 1
    assert counts[f"/{version}/dynamic/instance-identity", 200] == 1
    assert not [key for key in counts if "dynamic" in key[0] and key[1] != 200]


# --------------------------------------------------------------------------- NoCloud over HTTP


def read_nocloud(*arguments: str | Path) -> dict[str, Any]:
    result = run([DEBIAN_PYTHON, "-I", NOCLOUD_READER, *arguments])
    report = json.loads(result.stdout, object_hook=_decode_bytes)
    assert isinstance(report, dict)
    return report


def nocloud_machine(folder: Path) -> Path:
    """web-1 without its injected file: a machine NoCloud can carry."""
    fixtures = WEB_1.parent.parent
    machine = {
        "name": "seed-1",
        "hostname": "seed-1.example.com",
        "uuid": "2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c",
        "user_data_file": str(fixtures / "valid" / "cloud-init" / "user.yml"),
        "vendor_data_file": str(fixtures / "valid" / "cloud-init" / "vendor.json"),
        "network_data_file": str(fixtures / "valid" / "container-linux" / "network.json"),
        "ssh_keys": [str(fixtures / "keys" / "ed25519.pub")],
        "meta_data": {"meta": {"role": "web"}},
    }
    target = folder / "seed-1.yml"
    target.write_text(json.dumps(machine))
    return target


def test_nocloud_net_seedfrom_reads_what_the_nocloud_drive_gives(tmp_path: Path) -> None:
    machine = nocloud_machine(tmp_path)
    iso = tmp_path / "seed.iso"
    build(tmp_path, ["--machine", str(machine), "--layout", "nocloud"], iso)
    from_drive = read_nocloud(extract(iso, tmp_path / "tree"))
    log = tmp_path / "serve.log"
    server = ServeProcess(machine, log=log)
    try:
        seed_url = f"{server.url}nocloud/"
        over_http = read_nocloud("--seedfrom", seed_url)
    finally:
        assert server.stop() == 0
    assert from_drive["found"] is True
    assert over_http["found"] is True
    assert over_http["seed"] == f"ds_config_seedfrom,{seed_url}"
    assert over_http["retries"] == 0
    for key in ("userdata_raw", "vendordata_raw", "instance_id", "fqdn", "ssh_keys"):
        assert over_http[key] == from_drive[key], key
    assert over_http["userdata_raw"]
    assert over_http["vendordata_raw"]
    # The seed's meta data, less what the way of reading adds: the URL and the mode.
    added = ("seedfrom", "dsmode")
    meta_http = {k: v for k, v in over_http["metadata"].items() if k not in added}
    meta_drive = {k: v for k, v in from_drive["metadata"].items() if k not in added}
    assert meta_http == meta_drive
    assert meta_http["meta"] == {"role": "web"}
    # cloud-init 22.4 reads no network-config over HTTP (util.read_seeded), so it has none.
    assert from_drive["network_config"]
    assert over_http["network_config"] is None
    counts = requests_by_path(log)
    for name in ("meta-data", "user-data", "vendor-data"):
        assert counts[f"/nocloud/{name}", 200] == 1, name
    assert sum(counts.values()) == 3


def test_nocloud_paths_of_a_machine_with_injected_files_are_404_and_logged(
    tmp_path: Path,
) -> None:
    log = tmp_path / "serve.log"
    server = ServeProcess(WEB_1, log=log)
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{server.url}nocloud/meta-data", timeout=5)
        with urllib.request.urlopen(f"{server.url}latest/meta-data/instance-id", timeout=5) as ok:
            assert ok.read() == b"i-2f0c3c6e"
    finally:
        assert server.stop() == 0
    refused.value.close()
    assert refused.value.code == 404
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    notes = [line.get("note") for line in lines if line.get("path") == "/nocloud/meta-data"]
    assert notes == ["NoCloud cannot carry this machine: a NoCloud seed has no injected files; "
                     "write the file with the cloud-config's write_files instead, or build a "
                     "config-2 drive"]  # fmt: skip
