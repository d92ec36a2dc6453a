"""Network settings for NoCloud: telling the kinds apart, checking v1/v2, converting OpenStack's.

The conversion is compared with cloud-init's own reading in tests/interop/test_interop_nocloud.py;
these tests pin down its output and its rules one at a time.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from configdrive.inputs.documents import Source, parse_document
from configdrive.layouts.network_config import (
    conversion_problems,
    convert_network_data,
    to_network_config_v2,
)
from configdrive.layouts.nocloud import yaml_bytes
from configdrive.problems import Problem, Severity, sorted_problems
from configdrive.validation.network import network_config_problems, network_kind, prefix_length
from tests.helpers import FIXTURES

NETWORK = FIXTURES / "network"
OPENSTACK_FIXTURES = sorted(NETWORK.glob("openstack-*.json"))


def load(path: Path) -> Any:
    document = parse_document(Source(path.name, path.read_bytes()), [])
    assert document is not None
    return document.data


def problems_of(text: str) -> list[Problem]:
    found: list[Problem] = []
    document = parse_document(Source("net.yml", text.encode()), found)
    assert document is not None, found
    return found + network_config_problems(document)


def messages(problems: list[Problem]) -> list[str]:
    """Each problem as `severity path: message`, in the order the user sees them."""
    return [f"{p.severity.value} {p.path_text}: {p.message}" for p in sorted_problems(problems)]


# --------------------------------------------------------------------------- kinds


@pytest.mark.parametrize("path", OPENSTACK_FIXTURES, ids=lambda p: p.name)
def test_openstack_network_data_is_recognised(path: Path) -> None:
    assert network_kind(load(path)) == "openstack"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ({}, "openstack"),
        ({"links": [], "networks": [], "services": []}, "openstack"),
        ([], "openstack"),
        ({"version": 1, "config": []}, "v1"),
        ({"network": {"version": 1, "config": []}}, "v1"),
        ({"version": 2, "ethernets": {}}, "v2"),
        ({"network": {"version": 2}}, "v2"),
        ({"config": "disabled"}, "v1"),
        ({"network": {"config": "disabled"}}, "v1"),
        # No version: v2 sections say what the user meant (validation then asks for it).
        ({"ethernets": {"eth0": {"dhcp4": True}}}, "v2"),
        ({"network": {"bonds": {}}}, "v2"),
        ({"version": 3}, "v1"),
        ({"version": True, "ethernets": {}}, "v1"),
    ],
)
def test_network_kind(data: Any, kind: str) -> None:
    assert network_kind(data) == kind


def test_fixtures_of_each_version() -> None:
    assert network_kind(load(NETWORK / "v1-static.yaml")) == "v1"
    assert network_kind(load(NETWORK / "v2-bond.yaml")) == "v2"


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize("name", ["v1-static.yaml", "v2-bond.yaml"])
def test_fixture_network_configs_are_valid(name: str) -> None:
    assert problems_of((NETWORK / name).read_text()) == []


@pytest.mark.parametrize("path", OPENSTACK_FIXTURES, ids=lambda p: p.name)
def test_converted_network_data_passes_our_own_checks(path: Path) -> None:
    converted = yaml_bytes(to_network_config_v2(load(path))).decode()
    assert problems_of(converted) == []


def test_disabled_is_valid_with_or_without_the_wrapper() -> None:
    assert problems_of("config: disabled\n") == []
    assert problems_of("network:\n  config: disabled\n") == []


def test_v2_problems_are_located_and_named() -> None:
    text = """\
version: 2
ethernets:
  nic0:
    match: {macaddress: "52:54:00:00:00:01"}
    addresses: [10.0.0.5, 10.0.0.6/24]
    gateway4: "fd00::1"
    nameservers: {addresses: [10.0.0.300]}
    routes:
      - {to: default, via: 10.0.0.1}
      - {to: 10.9.0.0/99, via: 10.0.0.1}
      - {to: "::/0", via: "fd00::1"}
bonds:
  bond0:
    interfaces: [nic0, nic9]
  a-very-long-bond-name:
    interfaces: [nic0]
vlans:
  vlan5:
    id: 5
    link: bond7
"""
    assert messages(problems_of(text)) == [
        "error ethernets.nic0.addresses[0]: '10.0.0.5' has no prefix length; netplan needs "
        "one, e.g. 10.0.0.5/24",
        "error ethernets.nic0.gateway4: 'fd00::1' is not an IPv4 address",
        "error ethernets.nic0.nameservers.addresses[0]: '10.0.0.300' is not an IP address",
        "warning ethernets.nic0.routes[0].to: cloud-init 22.4 reads 'default' only when "
        "netplan renders the network (Ubuntu); write 0.0.0.0/0, or gateway6 for IPv6, for "
        "every renderer",
        "error ethernets.nic0.routes[1].to: '10.9.0.0/99' has an invalid prefix length",
        "warning ethernets.nic0.routes[2].to: cloud-init 22.4 reads ::/0 as ::/64 unless "
        "netplan renders the network (Ubuntu); give the IPv6 default route as gateway6",
        "error bonds.bond0.interfaces[1]: no device has the id 'nic9'",
        "error bonds.a-very-long-bond-name: interface name 'a-very-long-bond-name' is 21 "
        "characters long; Linux allows at most 15",
        "error vlans.vlan5.link: no device has the id 'bond7'",
    ]
    located = {p.path_text: (p.line, p.column) for p in problems_of(text)}
    assert located["ethernets.nic0.gateway4"] == (6, 15)
    # A name problem points at the key: the id is the name.
    assert located["bonds.a-very-long-bond-name"] == (15, 3)


def test_v2_schema_problems() -> None:
    text = """\
network:
  version: 2
  ethernets:
    nic0:
      match:
        macaddress: 52:54:00:00:00:01
      dhcp4: yes please
      mtu: "1500"
      dhcp5: true
  vlans:
    v1: {link: nic0}
"""
    assert messages(problems_of(text)) == [
        # Unquoted, YAML 1.1 reads the MAC as a sexagesimal number (cloud-init does too).
        "error network.ethernets.nic0.match.macaddress: 41135040001 is not of type 'string'",
        "error network.ethernets.nic0.dhcp4: 'yes please' is not of type 'boolean'",
        "error network.ethernets.nic0.mtu: '1500' is not of type 'integer'",
        "error network.ethernets.nic0.dhcp5: unknown key; did you mean 'dhcp6'?",
        "error network.vlans.v1: 'id' is a required property",
    ]


def test_version_must_be_one_or_two() -> None:
    assert messages(problems_of("version: 3\nconfig: []\n")) == ["error version: 3 is not 1"]
    assert messages(problems_of("version: '2'\nethernets: {}\n")) == ["error version: '2' is not 2"]
    assert messages(problems_of("ethernets: {}\n")) == ["error $: 'version' is a required property"]


def test_v1_problems_are_named() -> None:
    text = """\
version: 1
config:
  - type: physical
    name: eth0
    mac_address: "52:54:00:00:00:01"
    subnets:
      - type: static
      - type: static
        address: 10.0.0.5/33
        gateway: 10.0.0.999
        dns_nameservers: 10.0.0.2 bogus
  - type: physical
    name: eth0
  - type: bond
    name: bond0
    bond_interfaces: [eth0, eth7]
  - type: vlan
    name: eth9.5
    vlan_link: eth9
    vlan_id: 5
  - type: nameserver
    address: 192.0.2.53
    interface: eth5
  - type: route
    network: 10.0.0.0/8
  - type: wireless
    name: wlan0
"""
    assert messages(problems_of(text)) == [
        "error config[0].subnets[0]: 'address' is a required property",
        "error config[0].subnets[1].address: '10.0.0.5/33' has an invalid prefix length",
        "error config[0].subnets[1].gateway: '10.0.0.999' is not an IP address",
        "error config[0].subnets[1].dns_nameservers: 'bogus' is not an IP address",
        "error config[1].name: 'eth0' is used twice",
        "error config[2]: 'params' is a required property",
        "warning config[2].bond_interfaces[1]: no interface in this config is called 'eth7' "
        "(cloud-init will look for a NIC of that name)",
        "warning config[3].vlan_link: no interface in this config is called 'eth9' "
        "(cloud-init will look for a NIC of that name)",
        "error config[4].interface: no interface is called 'eth5'",
        "error config[5]: 'destination' is a required property",
        'error config[6].type: \'wireless\' is not one of "physical", "bond", "bridge", '
        '"vlan", "nameserver", "route", "loopback", "infiniband"',
    ]


# --------------------------------------------------------------------------- netmasks


@pytest.mark.parametrize(
    ("netmask", "ipv6", "prefix"),
    [
        ("255.255.255.0", None, 24),
        ("0.0.0.0", False, 0),
        ("255.255.255.255", False, 32),
        ("ffff:ffff:ffff:ffff::", True, 64),
        ("::", True, 0),
        ("24", False, 24),
        ("64", True, 64),
        ("33", False, None),
        ("129", True, None),
        ("255.0.255.0", None, None),
        ("255.255.255.0", True, None),
        ("mask", None, None),
    ],
)
def test_prefix_length(netmask: str, ipv6: bool | None, prefix: int | None) -> None:
    assert prefix_length(netmask, ipv6=ipv6) == prefix


# --------------------------------------------------------------------------- conversion


def test_dhcp_network_data() -> None:
    assert to_network_config_v2(load(NETWORK / "openstack-dhcp.json")) == {
        "version": 2,
        "ethernets": {
            # No `name`: the NIC is matched by MAC and keeps its kernel name.
            "tap1a81968a-79": {
                "match": {"macaddress": "fa:16:3e:d4:57:ad"},
                "mtu": 1450,
                "dhcp4": True,
                "dhcp6": True,
                # The only configured device gets the global DNS servers.
                "nameservers": {"addresses": ["192.0.2.53"]},
            }
        },
    }


def test_static_network_data() -> None:
    assert to_network_config_v2(load(NETWORK / "openstack-static.json")) == {
        "version": 2,
        "ethernets": {
            "tap2ecc7709-b3": {
                "match": {"macaddress": "fa:16:3e:00:00:01"},
                "mtu": 9000,
                "accept-ra": False,
                "addresses": ["203.0.113.10/24", "2001:db8:10::10/64"],
                # The IPv6 default route as gateway6 (see the next test); IPv4's stays a route.
                "gateway6": "2001:db8:10::1",
                "routes": [
                    {"to": "0.0.0.0/0", "via": "203.0.113.1"},
                    {"to": "198.51.100.0/25", "via": "203.0.113.254"},
                ],
                # The network's own dns service first, then the global ones.
                "nameservers": {"addresses": ["2001:db8:53::53", "198.51.100.53", "198.51.100.54"]},
            },
            "tap0b2c4f1e-aa": {
                "match": {"macaddress": "fa:16:3e:00:00:02"},
                "addresses": ["10.20.0.5/16"],
                "gateway4": "10.20.0.1",
                "nameservers": {"addresses": ["10.20.0.2", "198.51.100.53", "198.51.100.54"]},
            },
        },
    }


def test_an_ipv6_default_route_becomes_gateway6_where_cloud_init_reads_it() -> None:
    def routes(*given: dict[str, Any], address: str = "fd00::5") -> dict[str, Any]:
        data = {
            "links": [link("a")],
            "networks": [network("a", "ipv6", ip_address=address, routes=list(given))],
        }
        device: dict[str, Any] = to_network_config_v2(data)["ethernets"]["a"]
        return {key: device.get(key) for key in ("gateway6", "routes")}

    default = {"network": "::", "netmask": "::", "gateway": "fd00::1"}
    assert routes(default) == {"gateway6": "fd00::1", "routes": None}
    # With a metric, another gateway, or no static IPv6 address to hang it on: a route.
    with_metric = {**default, "metric": 5}
    assert routes(with_metric)["routes"] == [{"to": "::/0", "via": "fd00::1", "metric": 5}]
    second = {**default, "gateway": "fd00::2"}
    assert routes(default, second) == {
        "gateway6": "fd00::1",
        "routes": [{"to": "::/0", "via": "fd00::2"}],
    }
    dhcp_only = {
        "links": [link("a")],
        "networks": [network("a", "ipv6_dhcp", routes=[default])],
    }
    assert to_network_config_v2(dhcp_only)["ethernets"]["a"]["routes"] == [
        {"to": "::/0", "via": "fd00::1"}
    ]


def test_bond_and_vlan_network_data() -> None:
    conversion = convert_network_data(load(NETWORK / "openstack-bond-vlan.json"))
    assert conversion.notes == ()
    assert conversion.config == {
        "version": 2,
        "ethernets": {
            "eth0": {"match": {"macaddress": "52:54:00:aa:00:01"}, "mtu": 9000},
            "eth1": {"match": {"macaddress": "52:54:00:aa:00:02"}, "mtu": 9000},
            # A link with a `name`: cloud-init renames the NIC with that MAC to it.
            "mgmt0": {
                "match": {"macaddress": "52:54:00:bb:00:01"},
                "set-name": "mgmt0",
                "addresses": ["192.168.122.20/24"],
                "gateway4": "192.168.122.1",
                "nameservers": {
                    "addresses": ["192.168.122.1", "192.0.2.53"],
                    "search": ["mgmt.example.com"],
                },
            },
            "tap9f8e7d6c-5b": {"match": {"macaddress": "fa:16:3e:cc:00:01"}},
        },
        "bonds": {
            # cloud-init names bonds bond0, bond1, ... in link order, whatever their id.
            "bond0": {
                "interfaces": ["eth0", "eth1"],
                "parameters": {
                    "mode": "802.3ad",
                    "mii-monitor-interval": 100,
                    "transmit-hash-policy": "layer3+4",
                },
                "macaddress": "52:54:00:aa:00:01",
                "mtu": 9000,
                "dhcp4": True,
            }
        },
        "vlans": {
            "bond0.101": {
                "id": 101,
                "link": "bond0",
                "macaddress": "52:54:00:aa:00:01",
                "mtu": 8000,
                "addresses": ["172.16.101.20/24"],
                "routes": [{"to": "172.17.0.0/16", "via": "172.16.101.1"}],
                "nameservers": {"addresses": ["192.0.2.53"]},
            },
            # tap9f8e7d6c-5b.42 is longer than Linux's 15 characters.
            "vlan42": {
                "id": 42,
                "link": "tap9f8e7d6c-5b",
                "macaddress": "fa:16:3e:cc:00:01",
                "accept-ra": False,
                "addresses": ["2001:db8:42::20/64"],
                "nameservers": {"addresses": ["192.0.2.53"]},
            },
        },
    }


def test_ipv6_modes() -> None:
    ethernets = to_network_config_v2(load(NETWORK / "openstack-ipv6-modes.json"))["ethernets"]
    assert ethernets["nic-a"] == {
        "match": {"macaddress": "52:54:00:cc:00:0a"},
        "dhcp4": True,
        "dhcp6": True,
        "accept-ra": True,
    }
    assert ethernets["nic-b"]["dhcp6"] is True
    assert ethernets["nic-b"]["accept-ra"] is True
    assert ethernets["nic-c"]["dhcp6"] is True
    assert "accept-ra" not in ethernets["nic-c"]  # stateless: cloud-init leaves it alone
    assert ethernets["nic-d"] == {
        "match": {"macaddress": "52:54:00:cc:00:0d"},
        "accept-ra": False,
        "addresses": ["10.0.0.4/24", "fd00::4/64"],
        "gateway4": "10.0.0.1",
        "gateway6": "fd00::1",
    }


def link(link_id: str, mac: str = "52:54:00:00:00:01", **extra: Any) -> dict[str, Any]:
    return {"id": link_id, "type": "phy", "ethernet_mac_address": mac, **extra}


def network(link_id: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"id": f"net-{kind}", "type": kind, "link": link_id, **extra}


def test_addresses_take_cloud_init_default_prefixes() -> None:
    data = {
        "links": [link("a")],
        "networks": [
            network("a", "ipv4", ip_address="10.0.0.5"),
            network("a", "ipv6", ip_address="fd00::5"),
            # A /prefix in the address wins over the netmask, as in cloud-init.
            network("a", "ipv4", ip_address="10.1.0.5/8", netmask="255.255.255.0"),
        ],
    }
    ethernets = to_network_config_v2(data)["ethernets"]
    assert ethernets["a"]["addresses"] == ["10.0.0.5/24", "fd00::5/64", "10.1.0.5/8"]


def test_accept_ra_follows_the_last_network() -> None:
    data = {
        "links": [link("a")],
        "networks": [
            network("a", "ipv6", ip_address="fd00::5"),
            network("a", "ipv6_dhcpv6-stateful"),
        ],
    }
    assert to_network_config_v2(data)["ethernets"]["a"]["accept-ra"] is True
    data["networks"].reverse()
    assert to_network_config_v2(data)["ethernets"]["a"]["accept-ra"] is False


def test_dns_services_of_a_network_win_over_its_dns_nameservers() -> None:
    data = {
        "links": [link("a")],
        "networks": [
            network(
                "a",
                "ipv4",
                ip_address="10.0.0.5",
                dns_nameservers=["10.0.0.2"],
                services=[{"type": "dns", "address": "10.0.0.3"}, {"type": "ntp", "address": "x"}],
            )
        ],
    }
    assert to_network_config_v2(data)["ethernets"]["a"]["nameservers"] == {
        "addresses": ["10.0.0.3"]
    }


def test_global_dns_goes_to_static_devices_first_then_dhcp_ones() -> None:
    services = [{"type": "dns", "address": "192.0.2.53"}]
    both = {
        "links": [link("s"), link("d", "52:54:00:00:00:02")],
        "networks": [network("s", "ipv4", ip_address="10.0.0.5"), network("d", "ipv4_dhcp")],
        "services": services,
    }
    ethernets = to_network_config_v2(both)["ethernets"]
    assert ethernets["s"]["nameservers"] == {"addresses": ["192.0.2.53"]}
    assert "nameservers" not in ethernets["d"]

    dhcp_only = {"links": [link("d")], "networks": [network("d", "ipv4_dhcp")]}
    dhcp_only["services"] = services
    assert to_network_config_v2(dhcp_only)["ethernets"]["d"]["nameservers"] == {
        "addresses": ["192.0.2.53"]
    }

    unconfigured = {"links": [link("d")], "services": services}
    conversion = convert_network_data(unconfigured)
    assert "nameservers" not in conversion.config["ethernets"]["d"]
    assert [(n.path, n.severity) for n in conversion.notes] == [(("services",), Severity.WARNING)]


def test_route_metric_and_prefix_forms() -> None:
    data = {
        "links": [link("a")],
        "networks": [
            network(
                "a",
                "ipv4",
                ip_address="10.0.0.5",
                routes=[
                    {"network": "10.8.0.0", "netmask": "16", "gateway": "10.0.0.1", "metric": 7},
                    {"network": "10.9.0.0/16", "netmask": "255.0.0.0", "gateway": "10.0.0.1"},
                    {"network": "10.10.0.0", "gateway": "10.0.0.1"},
                ],
            )
        ],
    }
    assert to_network_config_v2(data)["ethernets"]["a"]["routes"] == [
        {"to": "10.8.0.0/16", "via": "10.0.0.1", "metric": 7},
        {"to": "10.9.0.0/16", "via": "10.0.0.1"},
        {"to": "10.10.0.0/24", "via": "10.0.0.1"},
    ]


def test_what_v2_cannot_say_is_noted() -> None:
    data = {
        "links": [
            link("a"),
            {"id": "b", "type": "phy"},
            {"id": "bond", "type": "bond", "bond_links": ["a"], "bond_frobnicate": 1},
        ],
        "networks": [
            network("a", "ipv4", ip_address="10.0.0.5", gateway="10.0.0.1"),
            network("a", "ipv4", ip_address="10.0.1.5", gateway="10.0.1.1"),
            network("a", "ipv4"),
        ],
    }
    conversion = convert_network_data(data)
    assert [(n.path, n.severity.value, n.message) for n in conversion.notes] == [
        (
            ("links", 1),
            "error",
            "a link needs ethernet_mac_address or name: without either, cloud-init cannot "
            "tell which NIC it is",
        ),
        (
            ("links", 2, "bond_frobnicate"),
            "warning",
            "network-config v2 has no such bond parameter; it is left out",
        ),
        (
            ("networks", 1, "gateway"),
            "warning",
            "network-config v2 has one gateway4 a device; this interface already has "
            "'10.0.0.1', so this one is left out",
        ),
        (
            ("networks", 2, "ip_address"),
            "error",
            "a static network needs a valid ip_address; it is left out",
        ),
    ]
    assert conversion.config["ethernets"]["a"]["gateway4"] == "10.0.0.1"


def test_two_devices_with_one_name_are_an_error() -> None:
    data = {"links": [link("a", name="eth0"), link("eth0", "52:54:00:00:00:02")]}
    notes = convert_network_data(data).notes
    assert [(n.path, n.severity) for n in notes] == [(("links", 1), Severity.ERROR)]
    assert "links[0] and this link would both be the interface 'eth0'" in notes[0].message


def test_vlan_on_vlan_and_name_collisions() -> None:
    data = {
        "links": [
            link("tap0123456789ab"),
            link("tap0123456789cd", "52:54:00:00:00:02"),
            {"id": "v1", "type": "vlan", "vlan_link": "tap0123456789ab", "vlan_id": 7},
            {"id": "v2", "type": "vlan", "vlan_link": "tap0123456789cd", "vlan_id": 7},
            {"id": "q", "type": "vlan", "vlan_link": "v1", "vlan_id": 8},
        ]
    }
    vlans = to_network_config_v2(data)["vlans"]
    assert {name: (vlan["link"], vlan["id"]) for name, vlan in vlans.items()} == {
        "vlan7": ("tap0123456789ab", 7),
        "vlan7-1": ("tap0123456789cd", 7),
        "vlan7.8": ("vlan7", 8),
    }


def test_conversion_is_deterministic_and_leaves_its_input_alone() -> None:
    data = load(NETWORK / "openstack-bond-vlan.json")
    before = copy.deepcopy(data)
    first = yaml_bytes(to_network_config_v2(data))
    assert yaml_bytes(to_network_config_v2(json.loads(json.dumps(data)))) == first
    assert data == before


def test_garbage_is_tolerated() -> None:
    # Validation reports these; the conversion must not crash on them meanwhile.
    for data in ({"links": "x"}, {"links": [None, 3]}, {"networks": [{"link": "nowhere"}]}):
        assert to_network_config_v2(data) == {"version": 2}


def test_conversion_problems_are_located_in_the_network_data() -> None:
    text = b"""{
  "links": [
    {"id": "nic", "type": "phy"}
  ],
  "networks": [{"id": "n", "type": "ipv4_dhcp", "link": "nic"}]
}
"""
    document = parse_document(Source("net.json", text), [])
    assert document is not None
    assert [str(problem) for problem in conversion_problems(document)] == [
        "net.json:3:5: links[0]: a link needs ethernet_mac_address or name: without either, "
        "cloud-init cannot tell which NIC it is"
    ]
    v2 = parse_document(Source("v2.yml", (NETWORK / "v2-bond.yaml").read_bytes()), [])
    assert v2 is not None
    assert conversion_problems(v2) == []
