"""The NoCloud layout: the four files of a cidata seed, and what NoCloud cannot carry.

cloud-init's own NoCloud reader reads these seeds in tests/interop/test_interop_nocloud.py.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from configdrive import machine_spec, validate_machine
from configdrive.layouts.drive_layout import DriveLayout
from configdrive.layouts.network_config import to_network_config_v2
from configdrive.layouts.nocloud import (
    layout_nocloud,
    nocloud_meta_data,
    nocloud_problems,
    nocloud_vendor_data,
    nocloud_vendor_data_problems,
    yaml_bytes,
)
from configdrive.layouts.openstack import layout_openstack
from configdrive.machine import InjectedFile, Machine
from configdrive.problems import Severity
from tests.helpers import FIXTURES

NETWORK = FIXTURES / "network"
USER_DATA = b"#cloud-config\nhostname: web-1\n"
UUID = "2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c"


def machine(layout: str = "nocloud", **spec: Any) -> Machine:
    """A validated machine; for config-2 when NoCloud validation would refuse it."""
    user_data = spec.pop("user_data", USER_DATA)
    return validate_machine(machine_spec(user_data, **spec), layout=layout)


def file_bytes(layout: DriveLayout, path: str) -> bytes:
    content = layout.files[path]
    assert isinstance(content, bytes)
    return content


def meta_of(seed_machine: Machine) -> Any:
    return yaml.safe_load(file_bytes(layout_nocloud(seed_machine), "meta-data"))


def config_drive_meta(seed_machine: Machine) -> Any:
    return json.loads(file_bytes(layout_openstack(seed_machine), "openstack/latest/meta_data.json"))


def test_files_and_label(key_line: str) -> None:
    layout = layout_nocloud(
        machine(
            network_data=json.loads((NETWORK / "openstack-dhcp.json").read_text()),
            vendor_data={"cloud-init": "#cloud-config\npackages: [htop]\n"},
            ssh_keys=[key_line],
        )
    )
    assert layout.label == "cidata"
    assert list(layout.files) == ["meta-data", "network-config", "user-data", "vendor-data"]
    assert layout.files["user-data"] == USER_DATA
    assert layout.files["vendor-data"] == b"#cloud-config\npackages: [htop]\n"


def test_user_data_is_required_so_an_empty_file_stands_for_none() -> None:
    layout = layout_nocloud(machine(user_data=None, hostname="h-1"))
    assert layout.files["user-data"] == b""
    assert list(layout.files) == ["meta-data", "user-data"]


def test_meta_data_starts_with_what_nocloud_reads(key_line: str) -> None:
    seed_machine = machine(uuid=UUID, hostname="web-1.example.com", ssh_keys=[key_line])
    text = file_bytes(layout_nocloud(seed_machine), "meta-data")
    head = f"instance-id: {UUID}\nlocal-hostname: web-1.example.com\npublic-keys:\n- {key_line}\n"
    assert text.startswith(head.encode())
    meta = yaml.safe_load(text)
    assert meta["instance-id"] == seed_machine.uuid
    assert meta["public-keys"] == [key_line]


def test_instance_id_is_the_config_drive_uuid() -> None:
    # cloud-init's config drive reader makes meta_data.json's uuid the instance-id.
    seed_machine = machine()  # a derived UUID
    config_drive = config_drive_meta(seed_machine)
    assert meta_of(seed_machine)["instance-id"] == config_drive["uuid"] == seed_machine.uuid


def test_meta_data_keeps_the_openstack_keys_for_templates(key_line: str) -> None:
    seed = base64.b64encode(bytes(range(64))).decode()
    seed_machine = machine(
        meta_data={"availability_zone": "az-1", "meta": {"role": "web"}, "random_seed": seed},
        hostname="web-1",
        ssh_keys=[key_line],
    )
    meta = meta_of(seed_machine)
    assert list(meta)[:3] == ["instance-id", "local-hostname", "public-keys"]
    config_drive = config_drive_meta(seed_machine)
    for key, value in config_drive.items():
        if key == "random_seed":
            # cloud-init decodes it from a config drive; here it is binary YAML, the same bytes.
            assert meta[key] == bytes(range(64))
        else:
            assert meta[key] == value, key


def test_without_host_name_or_keys_only_the_instance_id_is_nocloud_s() -> None:
    meta = nocloud_meta_data(machine(user_data=b"#!/bin/sh\n", uuid=UUID))
    assert [key for key in meta if "-" in key] == ["instance-id"]


def test_yaml_is_deterministic_and_has_no_aliases(key_line: str) -> None:
    shared = ["a", "b"]
    value = {"one": shared, "two": shared, "host": "true", "mac": "52:54:00:12:34:56"}
    text = yaml_bytes(value)
    assert text == yaml_bytes(json.loads(json.dumps(value)))
    assert b"&" not in text
    assert b"*" not in text
    # Strings that YAML would read as something else are quoted.
    assert yaml.safe_load(text) == value
    long_key = key_line + " " + "x" * 900
    assert yaml_bytes({"k": long_key}) == f"k: {long_key}\n".encode()


def test_the_same_machine_gives_the_same_bytes() -> None:
    spec: dict[str, Any] = {
        "network_data": json.loads((NETWORK / "openstack-bond-vlan.json").read_text()),
        "meta_data": {"meta": {"b": "2", "a": "1"}},
    }
    assert layout_nocloud(machine(**spec)) == layout_nocloud(machine(**spec))


@pytest.mark.parametrize(
    ("vendor_data", "expected"),
    [
        ("#cloud-config\nruncmd: [ls]\n", b"#cloud-config\nruncmd: [ls]\n"),
        ({"cloud-init": "#!/bin/sh\necho hi\n"}, b"#!/bin/sh\necho hi\n"),
        ({"cloud-init": "#cloud-config\n", "other": 1}, b"#cloud-config\n"),
        ({"other": "#cloud-config\n"}, None),
        ({"cloud-init": {"runcmd": []}}, None),
        ({"cloud-init": ""}, None),
        ("", None),
        (None, None),
        (["#cloud-config\n"], None),
    ],
)
def test_vendor_data_is_what_cloud_init_takes_from_vendor_data_json(
    vendor_data: Any, expected: bytes | None
) -> None:
    assert nocloud_vendor_data(vendor_data) == expected


def test_vendor_data_nocloud_cannot_use_is_reported() -> None:
    ignored = nocloud_problems(machine("openstack", vendor_data={"other": 1}))
    assert ignored[0].message.startswith("cloud-init takes vendor data from a string")
    assert [(p.file, p.severity) for p in ignored] == [("--vendor-data", Severity.WARNING)]
    assert "the seed has no vendor-data" in ignored[0].message
    listed = nocloud_problems(machine("openstack", vendor_data=b'["#cloud-config\\n"]'))
    assert [(p.file, p.severity) for p in listed] == [("--vendor-data", Severity.ERROR)]
    assert nocloud_problems(machine(vendor_data={"cloud-init": "#cloud-config\n"})) == []


def test_injected_files_and_vendor_data2_are_errors(tmp_path: Path) -> None:
    motd = tmp_path / "motd"
    motd.write_text("secret motd\n")
    seed_machine = machine("openstack", files=[(motd, "/etc/motd")], vendor_data2={"v": 2})
    problems = nocloud_problems(seed_machine)
    assert [(p.file, p.severity) for p in problems] == [
        (f"--file {motd}:/etc/motd", Severity.ERROR),
        ("--vendor-data2", Severity.ERROR),
    ]
    assert "write_files" in problems[0].message
    assert not any("secret" in str(problem) for problem in problems)
    # The layout itself still renders (the caller decides what an error means).
    assert "vendor-data2" not in layout_nocloud(seed_machine).files


def test_injected_files_without_validation() -> None:
    bare = Machine(
        uuid=UUID,
        uuid_derived=False,
        hostname=None,
        name=None,
        meta_data={"uuid": UUID},
        public_keys={},
        files=(InjectedFile("/etc/a", Path("/nonexistent"), 0),),
    )
    assert [p.file for p in nocloud_problems(bare)] == ["--file /nonexistent:/etc/a"]


def test_openstack_network_data_becomes_v2() -> None:
    network_data = json.loads((NETWORK / "openstack-static.json").read_text())
    layout = layout_nocloud(machine(network_data=network_data))
    written = yaml.safe_load(file_bytes(layout, "network-config"))
    assert written == to_network_config_v2(network_data)
    assert written["version"] == 2


@pytest.mark.parametrize("name", ["v1-static.yaml", "v2-bond.yaml"])
def test_network_config_is_passed_through(name: str) -> None:
    given = yaml.safe_load((NETWORK / name).read_text())
    layout = layout_nocloud(machine(network_data=given))
    assert yaml.safe_load(file_bytes(layout, "network-config")) == given


def test_conversion_notes_become_located_problems() -> None:
    network_data = {
        "links": [
            {"id": "a", "type": "phy", "name": "eth0"},
            {"id": "b", "type": "phy", "name": "eth0"},
        ],
        "networks": [{"id": "n", "type": "ipv4_dhcp", "link": "a"}],
    }
    problems = nocloud_problems(machine("openstack", network_data=network_data))
    assert [(p.file, p.path_text, p.severity) for p in problems] == [
        ("--network-data", "links[1]", Severity.ERROR)
    ]
    assert str(problems[0]).startswith(
        "--network-data: links[1]: links[0] and this link would both be the interface 'eth0'"
    )


def test_a_clean_machine_has_no_problems(key_line: str) -> None:
    network_data = json.loads((NETWORK / "openstack-bond-vlan.json").read_text())
    assert nocloud_problems(machine(network_data=network_data, ssh_keys=[key_line])) == []


def test_vendor_data_problems_name_the_inputs_as_told() -> None:
    problems = nocloud_vendor_data_problems({"x": 1}, {"y": 2}, names=("vendor.json", "v2.yml"))
    assert [(p.file, p.severity) for p in problems] == [
        ("v2.yml", Severity.ERROR),
        ("vendor.json", Severity.WARNING),
    ]
