"""Each input is what its place says, and a typo of a known key is an error.

A file given in the wrong place parses fine, and the drive built from it silently lacks
what the file holds; a mistyped key silently drops its value. Both are refused before
anything is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from configdrive.api import build
from configdrive.errors import InvalidInputError
from configdrive.inputs.documents import Source, parse_document
from configdrive.inputs.kinds import InputKind, kind_of
from configdrive.problems import Severity

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDGGPyjtK95uoDdN40sOHh3feex1DNsmQpYmul2NNnp8 a@b"
NETWORK = {"links": [{"id": "eth0", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}]}
META = {"uuid": "6f2e1c3a-8d4b-4f5e-9a7c-1b2c3d4e5f60", "hostname": "web-1"}
CLOUD_CONFIG = f"#cloud-config\nssh_authorized_keys:\n  - {KEY}\n"
MACHINE = "name: web-1\nuser_data_file: user.yml\nlayout: openstack\n"
NETWORK_CONFIG = "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n"


def _write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text)
    return str(path)


def _refusal(tmp_path: Path, **inputs: str) -> list[str]:
    """The problems of a build with these inputs; the drive must not appear."""
    output = tmp_path / "drive.iso"
    with pytest.raises(InvalidInputError) as caught:
        build(_write(tmp_path, "user.yml", CLOUD_CONFIG), output, **inputs)  # type: ignore[arg-type]
    assert not output.exists()
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize(
    ("place", "name", "text", "looks_like", "belongs"),
    [
        ("meta_data", "network.json", json.dumps(NETWORK), "network data", "--network-data"),
        ("meta_data", "cc.yml", CLOUD_CONFIG, "user data", "USER_DATA"),
        ("meta_data", "nc.yml", NETWORK_CONFIG, "network-config", "--layout nocloud"),
        ("network_data", "machine.yml", MACHINE, "a machine file", "--machine"),
        ("network_data", "meta.json", json.dumps(META), "meta data", "--meta-data"),
        ("network_data", "cc.yml", CLOUD_CONFIG, "user data", "USER_DATA"),
        ("meta_data", "machine.yml", MACHINE, "a machine file", "--machine"),
    ],
)
def test_an_input_in_the_wrong_place_is_one_clear_error(
    tmp_path: Path, place: str, name: str, text: str, looks_like: str, belongs: str
) -> None:
    path = _write(tmp_path, name, text)
    problems = _refusal(tmp_path, **{place: path})
    expected = place.replace("_", " ")
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}: given as {expected}, but this looks like {looks_like}")
    assert belongs in problems[0]


def test_inputs_in_their_places_build(tmp_path: Path) -> None:
    result = build(
        _write(tmp_path, "user.yml", CLOUD_CONFIG),
        tmp_path / "drive.iso",
        meta_data=_write(tmp_path, "meta.json", json.dumps(META)),
        network_data=_write(tmp_path, "network.json", json.dumps(NETWORK)),
        vendor_data=_write(tmp_path, "vendor.yml", CLOUD_CONFIG),  # vendor data may be one
    )
    assert result.path.exists()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (CLOUD_CONFIG, InputKind.USER_DATA),
        ("#!/bin/sh\necho hi\n", InputKind.USER_DATA),
        ('{"ignition": {"version": "3.4.0"}}', InputKind.USER_DATA),
        (json.dumps(NETWORK), InputKind.NETWORK_DATA),
        (json.dumps(META), InputKind.META_DATA),
        ("instance-id: iid-local01\nlocal-hostname: cloudimg\n", InputKind.META_DATA),
        (NETWORK_CONFIG, InputKind.NETWORK_CONFIG),
        (MACHINE, InputKind.MACHINE_FILE),
        ("color: blue\n", None),
    ],
)
def test_kinds_are_told_by_content(text: str, kind: InputKind | None) -> None:
    source = Source("input", text.encode())
    document = parse_document(source, [])
    assert document is not None
    assert kind_of(source, document.data) is kind


@pytest.mark.parametrize(
    ("place", "text", "typo", "meant"),
    [
        ("user_data", "#cloud-config\nssh_authorised_keys:\n  - KEY\n", "ssh_authorised_keys",
         "ssh_authorized_keys"),
        ("user_data", "#cloud-config\nwrite_file:\n  - path: /etc/motd\n", "write_file",
         "write_files"),
        ("user_data", "#cloud-config\nruncmds:\n  - ls\n", "runcmds", "runcmd"),
        ("meta_data", '{"uuid": "6f2e1c3a-8d4b-4f5e-9a7c-1b2c3d4e5f60", "hostnmae": "a"}',
         "hostnmae", "hostname"),
        ("network_data", '{"links": [], "servics": []}', "servics", "services"),
    ],
)  # fmt: skip
def test_a_typo_of_a_known_key_is_an_error_with_the_key_meant(
    tmp_path: Path, place: str, text: str, typo: str, meant: str
) -> None:
    path = _write(tmp_path, "input", text.replace("KEY", KEY))
    inputs = {"meta_data": path} if place == "meta_data" else {}
    if place == "network_data":
        inputs = {"network_data": path}
    output = tmp_path / "drive.iso"
    user_data = path if place == "user_data" else _write(tmp_path, "user.yml", CLOUD_CONFIG)
    with pytest.raises(InvalidInputError) as caught:
        build(user_data, output, **inputs)  # type: ignore[arg-type]
    assert not output.exists()
    typos = [p for p in caught.value.problems if p.path and p.path[-1] == typo]
    assert len(typos) == 1
    assert typos[0].severity is Severity.ERROR
    assert typos[0].message == f"unknown key; did you mean {meant!r}?"


def test_an_unknown_key_close_to_nothing_stays_a_warning(tmp_path: Path) -> None:
    user_data = _write(tmp_path, "user.yml", CLOUD_CONFIG + "frobnicate: 1\n")
    result = build(user_data, tmp_path / "drive.iso")
    assert [(w.path, w.severity) for w in result.warnings] == [(("frobnicate",), Severity.WARNING)]
