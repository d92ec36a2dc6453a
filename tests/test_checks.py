"""The checks JSON Schema cannot express."""

from __future__ import annotations

import base64
import gzip

import pytest

from configdrive.validation.checks import gunzip_bounded, hostname_problem, uuid_problem
from configdrive.validation.ssh_keys import key_comment, public_key_problem


def test_real_keys_pass(key_line: str) -> None:
    assert public_key_problem(key_line) is None
    assert public_key_problem('from="10.0.0.0/8",no-pty ' + key_line) is None
    assert key_comment(key_line) == "fixture-ed25519@example.com"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("", "empty SSH public key"),
        ("ssh-ed25519", "ssh-ed25519 key has no key data"),
        ("ssh-ed25519 !!!", "ssh-ed25519 key data is not valid base64"),
        ("ssh-foo AAAA", "not an SSH public key"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "this is a private key"),
    ],
)
def test_broken_keys_are_named(line: str, message: str) -> None:
    problem = public_key_problem(line)
    assert problem is not None
    assert problem.startswith(message)


def test_key_type_must_match_its_data(key_line: str) -> None:
    data = key_line.split()[1]
    assert public_key_problem(f"ssh-rsa {data}") == "ssh-rsa key data holds a 'ssh-ed25519' key"


def test_a_secret_key_is_never_echoed() -> None:
    secret = (
        "-----BEGIN OPENSSH PRIVATE KEY-----\nSECRETMATERIAL\n-----END OPENSSH PRIVATE KEY-----"
    )
    problem = public_key_problem(secret)
    assert problem is not None
    assert "SECRETMATERIAL" not in problem


@pytest.mark.parametrize("name", ["web-1", "web-1.example.com", "a" * 63, "x1"])
def test_good_host_names(name: str) -> None:
    assert hostname_problem(name) is None


@pytest.mark.parametrize("name", ["", "-web", "web-", "we_b", "a..b", "a" * 64, "é", "a." * 127])
def test_bad_host_names(name: str) -> None:
    assert hostname_problem(name) is not None


def test_uuid_forms() -> None:
    assert uuid_problem("2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c") is None
    assert uuid_problem("2F0C3C6E-1B5D-4C1E-9A4F-7D8E9F0A1B2C") is None
    assert uuid_problem("2f0c3c6e1b5d4c1e9a4f7d8e9f0a1b2c") is not None
    assert uuid_problem("{2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c}") is not None
    assert uuid_problem("web-1") is not None


def test_gunzip_reads_every_member_and_refuses_bombs() -> None:
    two_members = gzip.compress(b"one ") + gzip.compress(b"two")
    assert gunzip_bounded(two_members, 100) == b"one two"
    with pytest.raises(ValueError, match="more than 1000 bytes"):
        gunzip_bounded(gzip.compress(b"\0" * 10_000), 1000)
    with pytest.raises(ValueError, match="truncated"):
        gunzip_bounded(gzip.compress(b"x" * 1000)[:20], 10_000)
    with pytest.raises(ValueError, match="not valid gzip"):
        gunzip_bounded(base64.b64decode("aGVsbG8K"), 100)


def network_problems(network_data: dict[str, object]) -> list[str]:
    import json

    from configdrive.inputs.documents import Source, parse_document
    from configdrive.validation.checks import network_data_problems

    source = Source("network.json", json.dumps(network_data).encode())
    document = parse_document(source, [])
    assert document is not None
    return [f"{p.path_text}: {p.message}" for p in network_data_problems(document)]


NIC: dict[str, object] = {"id": "nic", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}


@pytest.mark.parametrize(
    ("link", "network", "expected"),
    [
        # What cloud-init's convert_net_json needs, or it stops at boot.
        ({"id": "nic", "type": "phy"}, None, "links[0]: a NIC needs ethernet_mac_address or name"),
        ({"id": "v", "type": "vlan", "vlan_link": "nic", "vlan_id": 5}, None,
         "links[1]: a vlan link needs vlan_mac_address"),
        ({"id": "b", "type": "bond"}, None, "links[0]: a bond link needs bond_links"),
        (None, {"id": "n", "type": "ipv4", "link": "nic", "netmask": "255.255.255.0"},
         "networks[0]: a static ipv4 network needs ip_address"),
        (None, {"id": "n", "type": "ipv4", "link": "nic", "ip_address": "10.0.0.300"},
         "networks[0].ip_address: '10.0.0.300' is not an IP address"),
    ],
)  # fmt: skip
def test_network_data_cloud_init_cannot_use_is_refused(
    link: dict[str, object] | None, network: dict[str, object] | None, expected: str
) -> None:
    links: list[dict[str, object]] = [NIC] if link is None or link["type"] == "vlan" else []
    links += [link] if link else []
    problems = network_problems({"links": links, "networks": [network] if network else []})
    assert len(problems) == 1, problems
    assert problems[0].startswith(expected)


def test_a_nic_named_or_with_a_mac_and_a_cidr_address_pass() -> None:
    network = {"id": "n", "type": "ipv4", "link": "eth", "ip_address": "10.0.0.5/24"}
    named = {"id": "eth", "type": "phy", "name": "eth0"}
    assert network_problems({"links": [named], "networks": [network]}) == []


def test_the_checks_leave_wrong_types_to_the_schema() -> None:
    # Found by the property tests: a list as a link's type crashed the checks.
    assert network_problems({"links": [{"id": "l", "type": ["phy"]}]}) == []


def test_a_superscript_digit_is_not_a_netmask() -> None:
    # Found by the 10,000-example fuzz run: "²".isdigit() is true, int("²") raises.
    route = {"network": "10.0.0.0", "netmask": "\u00b2", "gateway": "10.0.0.1"}
    network = {"id": "n", "type": "ipv4", "link": "nic", "ip_address": "10.0.0.5",
               "routes": [route]}  # fmt: skip
    assert network_problems({"links": [NIC], "networks": [network]}) == [
        "networks[0].routes[0].netmask: '²' is not a netmask"
    ]
