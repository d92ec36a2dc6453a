"""Network input: which kind it is, and whether cloud-init can use it (network-config v1/v2).

Network input comes in three kinds (`network_kind`):

- OpenStack `network_data.json` (links, networks, services). A config-2 drive stores it
  as it is; a NoCloud seed needs network-config, which layouts/network_config.py makes
  from it (and says what it cannot carry).
- network-config v1 or v2, with or without a top-level `network:` (cloud-init drops it):
  stored as given, after `network_config_problems` has checked it.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Literal

from configdrive.inputs.documents import Document
from configdrive.problems import DocPath, Problem, Severity
from configdrive.validation.json_schemas import NETWORK_CONFIG, schema_problems

NetworkKind = Literal["openstack", "v1", "v2"]

# Keys only network-config has at its top level; OpenStack network_data has none of them.
_NETWORK_CONFIG_KEYS = frozenset({"network", "version", "config", "renderer"})
_V2_SECTIONS = ("ethernets", "bonds", "bridges", "vlans", "wifis")
# Linux keeps interface names in 16 bytes, the last one NUL (IFNAMSIZ).
MAX_INTERFACE_NAME = 15


def unwrap(data: Any) -> Any:
    """The document under a top-level `network:` key, as cloud-init reads it; else `data`."""
    if isinstance(data, dict) and "network" in data:
        return data["network"]
    return data


def network_kind(data: Any) -> NetworkKind:
    """Whether network input is OpenStack network_data or network-config v1 or v2.

    A document with a top-level `network`, `version`, `config` or v2 section key is
    network-config (OpenStack network_data has none of these); its version decides
    between v1 and v2. Without a valid version, v2 sections make it v2, anything else v1,
    so that validation reports the version against the schema the user meant.
    """
    if not isinstance(data, dict):
        return "openstack"
    if not (_NETWORK_CONFIG_KEYS.union(_V2_SECTIONS) & data.keys()):
        return "openstack"
    inner = unwrap(data)
    if not isinstance(inner, dict):
        return "v1"
    version = inner.get("version")
    if version == 2 and not isinstance(version, bool):
        return "v2"
    if version != 1 and any(section in inner for section in _V2_SECTIONS):
        return "v2"
    return "v1"


# --------------------------------------------------------------------------- validation


def network_config_problems(document: Document) -> list[Problem]:
    """Everything wrong with a network-config v1 or v2 document: schema, addresses, names."""
    problems = schema_problems(
        document, NETWORK_CONFIG, unknown_key_note="cloud-init and netplan ignore it"
    )
    data = document.data
    at: DocPath = ()
    if isinstance(data, dict) and "network" in data:
        data, at = data["network"], ("network",)
    if not isinstance(data, dict) or data.get("config") == "disabled":
        return problems
    if network_kind(document.data) == "v2":
        problems += _v2_problems(document, at, data)
    else:
        problems += _v1_problems(document, at, data)
    return problems


def _v1_problems(document: Document, at: DocPath, data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    entries = data.get("config")
    if not isinstance(entries, list):
        return problems
    named = [
        (index, entry)
        for index, entry in enumerate(entries)
        if isinstance(entry, dict) and entry.get("type") not in ("nameserver", "route")
    ]
    names: set[str] = set()
    for index, entry in named:
        name = entry.get("name")
        if isinstance(name, str):
            if name in names:
                problems.append(
                    document.problem((*at, "config", index, "name"), f"{name!r} is used twice")
                )
            names.add(name)
            problems += _name_problems(document, (*at, "config", index, "name"), name)
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        entry_at: DocPath = (*at, "config", index)
        problems += _v1_reference_problems(document, entry_at, entry, names)
        for subnet_index, subnet in enumerate(as_list(entry.get("subnets"))):
            if isinstance(subnet, dict):
                problems += _v1_subnet_problems(
                    document, (*entry_at, "subnets", subnet_index), subnet
                )
        if entry.get("type") == "nameserver":
            problems += _address_list_problems(document, (*entry_at, "address"), entry, "address")
        if entry.get("type") == "route":
            problems += _v1_route_problems(document, entry_at, entry)
    return problems


def _v1_reference_problems(
    document: Document, at: DocPath, entry: dict[str, Any], names: set[str]
) -> list[Problem]:
    problems: list[Problem] = []
    interface = entry.get("interface")
    if entry.get("type") == "nameserver" and isinstance(interface, str) and interface not in names:
        # cloud-init stops with "Nameserver specified for interface ..., but ... does not exist"
        problems.append(
            document.problem((*at, "interface"), f"no interface is called {interface!r}")
        )
    # A bond or bridge member, or a VLAN's link, may be a NIC the config does not list:
    # cloud-init configures it by that kernel name. Probably a typo, so a warning.
    for key in ("bond_interfaces", "bridge_interfaces"):
        for member_index, member in enumerate(as_list(entry.get(key))):
            if isinstance(member, str) and member not in names:
                problems.append(
                    document.problem(
                        (*at, key, member_index),
                        f"no interface in this config is called {member!r} "
                        "(cloud-init will look for a NIC of that name)",
                        severity=Severity.WARNING,
                    )
                )
    link = entry.get("vlan_link")
    if isinstance(link, str) and link not in names:
        problems.append(
            document.problem(
                (*at, "vlan_link"),
                f"no interface in this config is called {link!r} "
                "(cloud-init will look for a NIC of that name)",
                severity=Severity.WARNING,
            )
        )
    return problems


def _v1_subnet_problems(document: Document, at: DocPath, subnet: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    address = subnet.get("address")
    if isinstance(address, str):
        problems += _interface_address_problems(document, (*at, "address"), address)
    netmask = subnet.get("netmask")
    if isinstance(netmask, str) and prefix_length(netmask) is None:
        problems.append(document.problem((*at, "netmask"), f"{netmask!r} is not a netmask"))
    problems += _ip_problems(document, (*at, "gateway"), subnet.get("gateway"))
    problems += _address_list_problems(
        document, (*at, "dns_nameservers"), subnet, "dns_nameservers"
    )
    for route_index, route in enumerate(as_list(subnet.get("routes"))):
        if isinstance(route, dict):
            problems += _v1_route_problems(document, (*at, "routes", route_index), route)
    return problems


def _v1_route_problems(document: Document, at: DocPath, route: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for key in ("destination", "network"):
        value = route.get(key)
        if isinstance(value, str):
            problems += _network_problems(document, (*at, key), value, prefix_required=False)
    problems += _ip_problems(document, (*at, "gateway"), route.get("gateway"))
    netmask = route.get("netmask")
    if isinstance(netmask, str) and prefix_length(netmask) is None:
        problems.append(document.problem((*at, "netmask"), f"{netmask!r} is not a netmask"))
    return problems


def _v2_problems(document: Document, at: DocPath, data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    ids = {
        device_id
        for section in _V2_SECTIONS
        if isinstance(data.get(section), dict)
        for device_id in data[section]
    }
    for section in _V2_SECTIONS:
        devices = data.get(section)
        if not isinstance(devices, dict) or section == "wifis":
            continue
        for device_id, device in devices.items():
            if not isinstance(device, dict):
                continue
            device_at: DocPath = (*at, section, device_id)
            problems += _v2_name_problems(document, device_at, section, str(device_id), device)
            problems += _v2_reference_problems(document, device_at, device, ids)
            problems += _v2_address_problems(document, device_at, device)
    return problems


def _v2_name_problems(
    document: Document, at: DocPath, section: str, device_id: str, device: dict[str, Any]
) -> list[Problem]:
    set_name = device.get("set-name")
    if isinstance(set_name, str):
        return _name_problems(document, (*at, "set-name"), set_name)
    # A matched NIC keeps its kernel name; any other id is the interface's name.
    if section == "ethernets" and isinstance(device.get("match"), dict):
        return []
    return _name_problems(document, at, device_id, key=True)


def _v2_reference_problems(
    document: Document, at: DocPath, device: dict[str, Any], ids: set[str]
) -> list[Problem]:
    problems: list[Problem] = []
    for member_index, member in enumerate(as_list(device.get("interfaces"))):
        if isinstance(member, str) and member not in ids:
            problems.append(
                document.problem(
                    (*at, "interfaces", member_index), f"no device has the id {member!r}"
                )
            )
    link = device.get("link")
    if isinstance(link, str) and link not in ids:
        problems.append(document.problem((*at, "link"), f"no device has the id {link!r}"))
    return problems


def _v2_address_problems(document: Document, at: DocPath, device: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for index, address in enumerate(as_list(device.get("addresses"))):
        if isinstance(address, str):
            problems += _network_problems(
                document, (*at, "addresses", index), address, prefix_required=True, host=True
            )
    for key, version in (("gateway4", 4), ("gateway6", 6)):
        value = device.get(key)
        if isinstance(value, str):
            parsed = parse_ip(value)
            if parsed is None:
                problems.append(document.problem((*at, key), f"{value!r} is not an IP address"))
            elif parsed.version != version:
                problems.append(
                    document.problem((*at, key), f"{value!r} is not an IPv{version} address")
                )
    nameservers = device.get("nameservers")
    if isinstance(nameservers, dict):
        problems += _address_list_problems(
            document, (*at, "nameservers", "addresses"), nameservers, "addresses"
        )
    for index, route in enumerate(as_list(device.get("routes"))):
        if isinstance(route, dict):
            problems += _v2_route_problems(document, (*at, "routes", index), route)
    return problems


def _v2_route_problems(document: Document, at: DocPath, route: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    destination = route.get("to")
    if destination == "default":
        problems.append(
            document.problem(
                (*at, "to"),
                "cloud-init 22.4 reads 'default' only when netplan renders the network "
                "(Ubuntu); write 0.0.0.0/0, or gateway6 for IPv6, for every renderer",
                severity=Severity.WARNING,
            )
        )
    elif isinstance(destination, str):
        found = _network_problems(document, (*at, "to"), destination, prefix_required=False)
        problems += found
        host, _, prefix = destination.partition("/")
        if not found and ":" in host and prefix and prefix_length(prefix, ipv6=True) == 0:
            # Its v2 parser normalises routes twice and loses the prefix 0 the second time.
            problems.append(
                document.problem(
                    (*at, "to"),
                    f"cloud-init 22.4 reads {destination} as {host}/64 unless netplan renders "
                    "the network (Ubuntu); give the IPv6 default route as gateway6",
                    severity=Severity.WARNING,
                )
            )
    for key in ("via", "from"):
        problems += _ip_problems(document, (*at, key), route.get(key))
    return problems


def _name_problems(
    document: Document, at: DocPath, name: str, *, key: bool = False
) -> list[Problem]:
    if len(name) > MAX_INTERFACE_NAME:
        return [
            document.problem(
                at,
                f"interface name {name!r} is {len(name)} characters long; Linux allows "
                f"at most {MAX_INTERFACE_NAME}",
                key=key,
            )
        ]
    if not name or any(character in name for character in "/: \t\n") or name in (".", ".."):
        return [document.problem(at, f"{name!r} is not a valid interface name", key=key)]
    return []


def _interface_address_problems(document: Document, at: DocPath, address: str) -> list[Problem]:
    return _network_problems(document, at, address, prefix_required=False, host=True)


def _network_problems(
    document: Document,
    at: DocPath,
    value: str,
    *,
    prefix_required: bool,
    host: bool = False,
) -> list[Problem]:
    """An address or network with an optional (or required) /prefix."""
    address, slash, prefix = value.partition("/")
    parsed = parse_ip(address)
    what = "an address" if host else "a network"
    if parsed is None:
        return [document.problem(at, f"{value!r} is not {what} (IP address/prefix length)")]
    if not slash:
        if prefix_required:
            return [
                document.problem(
                    at, f"{value!r} has no prefix length; netplan needs one, e.g. {address}/24"
                )
            ]
        return []
    if prefix_length(prefix, ipv6=parsed.version == 6) is None:
        return [document.problem(at, f"{value!r} has an invalid prefix length")]
    return []


def _address_list_problems(
    document: Document, at: DocPath, owner: dict[str, Any], key: str
) -> list[Problem]:
    """IP addresses under `key` of `owner` (at `at`): a list, or a string of them."""
    value = owner.get(key)
    items = value.split() if isinstance(value, str) else as_list(value)
    problems: list[Problem] = []
    for index, item in enumerate(items):
        if isinstance(item, str) and parse_ip(item) is None:
            where = at if isinstance(value, str) else (*at, index)
            problems.append(document.problem(where, f"{item!r} is not an IP address"))
    return problems


def _ip_problems(document: Document, at: DocPath, value: Any) -> list[Problem]:
    if isinstance(value, str) and parse_ip(value) is None:
        return [document.problem(at, f"{value!r} is not an IP address")]
    return []


# --------------------------------------------------------------------------- addresses


def as_list(value: Any) -> list[Any]:
    """`value` if it is a list, else an empty one: a wrong type is the schema's to report."""
    return value if isinstance(value, list) else []


def parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address `text` is, or None."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def prefix_length(netmask: str, *, ipv6: bool | None = None) -> int | None:
    """The prefix length of a netmask written as a number, a dotted mask or an IPv6 mask.

    `ipv6` bounds a plain number (32 or 128); None accepts either. A mask that is not
    contiguous ones then zeros is not a netmask (None), as cloud-init refuses it too.
    """
    text = netmask.strip()
    if text.isascii() and text.isdigit():
        limit = 32 if ipv6 is False else 128
        value = int(text)
        return value if value <= limit else None
    mask = parse_ip(text)
    if mask is None or (ipv6 is not None and (mask.version == 6) != ipv6):
        return None
    bits = format(int(mask), f"0{mask.max_prefixlen}b")
    if "01" in bits:
        return None
    return bits.count("1")
