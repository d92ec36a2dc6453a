"""The metadata service's answers, without HTTP: the drive's files at the drive's paths, EC2's tree.

Expected listings are written out here, as the readers see them, not computed from the layout.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from configdrive import layout_drive, machine_spec, validate_machine
from configdrive.inputs.machine_file import load_machine_file
from configdrive.layouts.drive_layout import DriveLayout, FileContent
from configdrive.serve.metadata import (
    BINARY,
    JSON,
    TEXT,
    MetadataTree,
    machine_tree,
    metadata_tree,
    request_key,
)
from tests.helpers import FIXTURES

WEB_1 = FIXTURES / "machines" / "web-1.yml"
VERSIONS = [
    "2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15", "2016-06-30",
    "2016-10-06", "2017-02-22", "2018-08-27", "2020-10-14", "latest",
]  # fmt: skip


def drive_of(path: Path) -> tuple[DriveLayout, MetadataTree]:
    """The config-2 layout `build --machine` writes for a machine file, and its service."""
    machine = validate_machine(load_machine_file(path).spec)
    layout = layout_drive(machine, "openstack")
    return layout, metadata_tree(layout)


@pytest.fixture(scope="module")
def web_1() -> tuple[DriveLayout, MetadataTree]:
    return drive_of(WEB_1)


def body(tree: MetadataTree, path: str) -> bytes:
    entry = tree.lookup(path)
    assert entry is not None, f"{path} is not served"
    assert isinstance(entry.content, bytes)
    return entry.content


def test_every_openstack_file_of_the_drive_is_served_at_its_path(
    web_1: tuple[DriveLayout, MetadataTree],
) -> None:
    layout, tree = web_1
    openstack = {
        path: content for path, content in layout.files.items() if path[:10] == "openstack/"
    }
    # meta_data.json and user_data in 10 folders, vendor data in 8, network data in 7; motd.
    assert len(openstack) == 36
    for path, content in openstack.items():
        entry = tree.lookup("/" + path)
        assert entry is not None, path
        assert entry.content == content, path


def test_injected_files_stay_on_disk_until_asked_for(
    web_1: tuple[DriveLayout, MetadataTree],
) -> None:
    _, tree = web_1
    entry = tree.lookup("/openstack/content/0000")
    assert entry is not None
    assert isinstance(entry.content, FileContent)
    motd = FIXTURES / "valid" / "cloud-init" / "motd"
    assert entry.content.path.resolve() == motd.resolve()
    assert entry.size == motd.stat().st_size
    assert entry.media_type == BINARY
    # Nova lists no content folder: files are reached through meta_data.json's content_path.
    assert tree.lookup("/openstack/content") is None
    meta = json.loads(body(tree, "/openstack/latest/meta_data.json"))
    assert meta["files"] == [{"path": "/etc/motd", "content_path": "/content/0000"}]


def test_openstack_listings_as_nova_writes_them(web_1: tuple[DriveLayout, MetadataTree]) -> None:
    _, tree = web_1
    assert body(tree, "/openstack") == "\n".join(VERSIONS).encode()
    # vendor_data.json from 2013-10-17 on, network_data.json from 2015-10-15 on.
    assert body(tree, "/openstack/2012-08-10") == b"meta_data.json\nuser_data"
    assert body(tree, "/openstack/2013-10-17") == b"meta_data.json\nuser_data\nvendor_data.json"
    assert body(tree, "/openstack/latest/") == (
        b"meta_data.json\nnetwork_data.json\nuser_data\nvendor_data.json"
    )


def test_ec2_tree_in_ec2_listing_format(web_1: tuple[DriveLayout, MetadataTree]) -> None:
    layout, tree = web_1
    key = (FIXTURES / "keys" / "ed25519.pub").read_text().strip()
    assert body(tree, "/") == b"2009-04-04\nlatest"
    for version in ("latest", "2009-04-04"):
        assert body(tree, f"/{version}") == b"dynamic/\nmeta-data/\nuser-data"
        assert body(tree, f"/{version}/meta-data/") == (
            b"ami-launch-index\nhostname\ninstance-id\nlocal-hostname\nplacement/\n"
            b"public-hostname\npublic-keys/"
        )
        assert body(tree, f"/{version}/meta-data/instance-id") == b"i-2f0c3c6e"
        assert body(tree, f"/{version}/meta-data/local-hostname") == b"web-1.example.com"
        assert body(tree, f"/{version}/meta-data/ami-launch-index") == b"0"
        assert body(tree, f"/{version}/meta-data/placement/") == b"availability-zone"
        assert body(tree, f"/{version}/meta-data/placement/availability-zone") == b"nova"
        # A key is listed as INDEX=NAME, and read at INDEX/openssh-key.
        assert body(tree, f"/{version}/meta-data/public-keys") == (b"0=fixture-ed25519@example.com")
        assert body(tree, f"/{version}/meta-data/public-keys/0/") == b"openssh-key"
        assert body(tree, f"/{version}/meta-data/public-keys/0/openssh-key") == key.encode()
        assert tree.lookup(f"/{version}/meta-data/public-keys/0/_name") is None
        assert body(tree, f"/{version}/user-data") == layout.files[f"ec2/{version}/user-data"]
    user = (FIXTURES / "valid" / "cloud-init" / "user.yml").read_bytes()
    assert body(tree, "/latest/user-data") == user


def test_media_types(web_1: tuple[DriveLayout, MetadataTree]) -> None:
    _, tree = web_1
    expected = {
        "/openstack/latest/meta_data.json": JSON,
        "/openstack/latest/network_data.json": JSON,
        "/openstack/latest/user_data": BINARY,
        "/latest/user-data": BINARY,
        "/latest/meta-data/hostname": TEXT,
        "/latest/meta-data/": TEXT,
        "/openstack": TEXT,
    }
    for path, media_type in expected.items():
        entry = tree.lookup(path)
        assert entry is not None
        assert entry.media_type == media_type, path


def test_a_machine_without_user_data_or_zone(key_line: str) -> None:
    machine = validate_machine(machine_spec(None, hostname="bare-1", ssh_keys=[key_line]))
    tree = metadata_tree(layout_drive(machine))
    assert body(tree, "/latest") == b"dynamic/\nmeta-data/"
    assert tree.lookup("/latest/user-data") is None
    document = json.loads(body(tree, "/latest/dynamic/instance-identity/document"))
    assert "availabilityZone" not in document
    assert body(tree, "/openstack/latest") == b"meta_data.json"
    assert b"placement/" not in body(tree, "/latest/meta-data")


def test_several_keys_are_listed_in_order() -> None:
    keys = [(FIXTURES / "keys" / name).read_text().strip() for name in ("ed25519.pub", "ecdsa.pub")]
    machine = validate_machine(machine_spec(None, hostname="two-keys", ssh_keys=keys))
    tree = metadata_tree(layout_drive(machine))
    names = [key.split()[2] for key in keys]  # the comments name the keys
    listing = body(tree, "/latest/meta-data/public-keys").decode()
    assert listing == f"0={names[0]}\n1={names[1]}"
    assert body(tree, "/latest/meta-data/public-keys/1/openssh-key").decode() == keys[1]


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/", ""),
        ("/openstack", "openstack"),
        ("/openstack/", "openstack"),
        ("//openstack//latest/", "openstack/latest"),
        ("/openstack/latest/meta%5Fdata.json", "openstack/latest/meta_data.json"),
        ("/latest/meta-data/", "latest/meta-data"),
    ],
)
def test_request_keys(path: str, key: str) -> None:
    assert request_key(path) == key


@pytest.mark.parametrize(
    "path",
    [
        "/openstack/../../etc/passwd",
        "/openstack/%2e%2e/%2e%2e/etc/passwd",
        "/openstack/%2E%2E/latest/meta_data.json",
        "/openstack/latest/..%2f..%2f..%2fetc/passwd",
        "/openstack/./latest/meta_data.json",
        "/openstack/latest/meta_data.json/..",
        "/openstack/latest/meta_data.json%00",
        "/openstack/latest/%0a",
        "/openstack/%ff",
        "openstack/latest/meta_data.json",
        "",
    ],
)
def test_paths_that_no_key_matches(path: str, web_1: tuple[DriveLayout, MetadataTree]) -> None:
    _, tree = web_1
    assert request_key(path) is None
    assert tree.lookup(path) is None


@given(st.text())
def test_any_path_is_an_entry_of_the_tree_or_nothing(path: str) -> None:
    tree = _TREE
    key = request_key(path)
    if key is not None:
        assert not {".", ".."} & set(key.split("/"))
    entry = tree.lookup(path)
    assert entry is None or entry in tree.entries.values()


def test_every_entry_is_reachable(web_1: tuple[DriveLayout, MetadataTree]) -> None:
    _, tree = web_1
    for key, entry in tree.entries.items():
        assert tree.lookup("/" + key) is entry
        assert tree.lookup("/" + key + "/") is entry


_TREE = drive_of(WEB_1)[1]


# --------------------------------------------------------------------------- EC2's dynamic/ tree


def test_instance_identity_document_as_ec2_serves_it(
    web_1: tuple[DriveLayout, MetadataTree],
) -> None:
    _, tree = web_1
    for version in ("latest", "2009-04-04"):
        assert body(tree, f"/{version}/dynamic/") == b"instance-identity/"
        assert body(tree, f"/{version}/dynamic/instance-identity") == b"document"
        text = body(tree, f"/{version}/dynamic/instance-identity/document")
        # cloud-init decodes a leaf as JSON only when it starts with { and ends with }.
        assert text.startswith(b"{")
        assert text.endswith(b"}")
        assert json.loads(text) == {
            "availabilityZone": "nova",
            "instanceId": "i-2f0c3c6e",
            "version": "2017-09-30",
        }


def test_identity_document_gives_the_machines_address_as_private_ip() -> None:
    machine = validate_machine(load_machine_file(WEB_1).spec)
    tree = machine_tree(machine, layout_drive(machine, "openstack"), "10.0.0.7")
    document = json.loads(body(tree, "/latest/dynamic/instance-identity/document"))
    assert document["privateIp"] == "10.0.0.7"


# --------------------------------------------------------------------------- NoCloud over HTTP


def nocloud_of(spec: dict[str, object]) -> tuple[DriveLayout, MetadataTree]:
    machine = validate_machine(machine_spec(**spec))  # type: ignore[arg-type]
    return layout_drive(machine, "nocloud"), machine_tree(
        machine, layout_drive(machine, "openstack"), None
    )


def test_nocloud_seed_is_the_nocloud_layout_byte_for_byte(tmp_path: Path) -> None:
    network = FIXTURES / "valid" / "container-linux" / "network.json"
    layout, tree = nocloud_of(
        {
            "user_data": b"#cloud-config\nhostname: n1\n",
            "network_data": network.read_bytes(),
            "vendor_data": json.dumps({"cloud-init": "#cloud-config\nruncmd: [true]\n"}).encode(),
            "hostname": "n1.example.com",
            "uuid": "2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c",
        }
    )
    assert sorted(layout.files) == ["meta-data", "network-config", "user-data", "vendor-data"]
    for name, content in layout.files.items():
        assert body(tree, f"/nocloud/{name}") == content, name
    assert body(tree, "/nocloud/") == b"meta-data\nnetwork-config\nuser-data\nvendor-data"
    assert tree.nocloud_refused is None


def test_nocloud_serves_empty_vendor_data_rather_than_404() -> None:
    # cloud-init's read_seeded tries a missing vendor-data 11 times, a second apart.
    layout, tree = nocloud_of({"user_data": b"#cloud-config\n"})
    assert "vendor-data" not in layout.files
    assert body(tree, "/nocloud/vendor-data") == b""
    assert tree.lookup("/nocloud/network-config") is None


def test_a_machine_nocloud_cannot_carry_has_no_nocloud_paths_and_says_why(tmp_path: Path) -> None:
    _, tree = drive_of_machine_tree(WEB_1)
    assert tree.lookup("/nocloud/meta-data") is None
    assert tree.lookup("/nocloud/user-data") is None
    assert tree.nocloud_refused is not None
    assert "NoCloud cannot carry this machine" in tree.nocloud_refused
    assert "injected files" in tree.nocloud_refused
    # Its OpenStack and EC2 answers are all there.
    assert tree.lookup("/openstack/content/0000") is not None
    assert tree.lookup("/latest/meta-data/instance-id") is not None


def test_the_seed_is_rendered_on_its_first_request_only() -> None:
    # Its YAML would double a fleet's load time for machines that never boot from NoCloud.
    _, tree = nocloud_of({"user_data": b"#cloud-config\n"})
    assert tree.nocloud is not None
    assert not tree.nocloud.rendered
    assert tree.lookup("/latest/meta-data/instance-id") is not None
    assert not tree.nocloud.rendered
    assert tree.lookup("/nocloud/meta-data") is not None
    assert tree.nocloud.rendered


def drive_of_machine_tree(path: Path) -> tuple[DriveLayout, MetadataTree]:
    machine = validate_machine(load_machine_file(path).spec)
    layout = layout_drive(machine, "openstack")
    return layout, machine_tree(machine, layout, None)
