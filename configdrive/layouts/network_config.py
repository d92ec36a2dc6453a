"""OpenStack network_data as the network-config a NoCloud seed needs (version 2).

A config-2 drive stores network_data.json as it is; a NoCloud seed needs network-config,
so `to_network_config_v2` converts it the way cloud-init itself reads network_data:
`convert_net_json` in cloud-init's `cloudinit/sources/helpers/openstack.py` (22.4), which
makes version 1. The version 2 made here describes the same network state; where v2 cannot
say what v1 says, the conversion says so (`convert_network_data(...).notes`), and
`conversion_problems` turns those notes into problems located in the input for validation.
Whether the input is sound is validation/network.py's to say.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from configdrive.inputs.documents import Document
from configdrive.problems import DocPath, Problem, Severity
from configdrive.validation.network import (
    MAX_INTERFACE_NAME,
    as_list,
    network_kind,
    parse_ip,
    prefix_length,
)

# cloud-init's NET_CONFIG_TO_V2["bond"] (cloudinit/net/network_state.py): the bond
# parameters its netplan renderer and its v2 parser both know. OpenStack spells them
# bond_<name>; cloud-init's renderer turns underscores into dashes before looking up.
BOND_PARAMETERS_V2 = {
    "bond-ad-select": "ad-select",
    "bond-arp-interval": "arp-interval",
    "bond-arp-ip-target": "arp-ip-target",
    "bond-arp-validate": "arp-validate",
    "bond-downdelay": "down-delay",
    "bond-fail-over-mac": "fail-over-mac-policy",
    "bond-lacp-rate": "lacp-rate",
    "bond-miimon": "mii-monitor-interval",
    "bond-min-links": "min-links",
    "bond-mode": "mode",
    "bond-num-grat-arp": "gratuitous-arp",
    "bond-primary": "primary",
    "bond-primary-reselect": "primary-reselect-policy",
    "bond-updelay": "up-delay",
    "bond-xmit-hash-policy": "transmit-hash-policy",
}

# OpenStack network types, as convert_net_json sorts them.
_DHCP4 = frozenset({"ipv4_dhcp"})
# cloud-init's netplan renderer writes `dhcp6: true` for every dynamic IPv6 type.
_DYNAMIC6 = frozenset({"ipv6_dhcp", "ipv6_slaac", "ipv6_dhcpv6-stateless", "ipv6_dhcpv6-stateful"})
# ... and convert_net_json turns router advertisements on for these two, off for static IPv6.
_ACCEPT_RA = frozenset({"ipv6_dhcp", "ipv6_dhcpv6-stateful"})
_STATIC4 = frozenset({"ipv4", "static"})
_STATIC6 = frozenset({"ipv6", "static6"})


def _cidr(address: str, netmask: Any) -> str | None:
    """`address/prefix` as cloud-init's _normalize_net_keys reads an address and its netmask.

    A /prefix in the address wins over the netmask; without either, cloud-init assumes
    /24 for IPv4 and /64 for IPv6, and so does this.
    """
    host, slash, written = address.partition("/")
    parsed = parse_ip(host)
    if parsed is None:
        return None
    ipv6 = parsed.version == 6
    if slash:
        prefix = prefix_length(written, ipv6=ipv6)
    elif isinstance(netmask, str) and netmask:
        prefix = prefix_length(netmask, ipv6=ipv6)
    else:
        prefix = 64 if ipv6 else 24
    return None if prefix is None else f"{host}/{prefix}"


@dataclass(frozen=True)
class ConversionNote:
    """Something of network_data that network-config v2 cannot say, or says differently."""

    path: DocPath
    message: str
    severity: Severity = Severity.WARNING


@dataclass(frozen=True)
class Conversion:
    """network-config v2 made from OpenStack network_data, and what it had to leave out."""

    config: dict[str, Any]
    notes: tuple[ConversionNote, ...] = ()


def conversion_problems(document: Document) -> list[Problem]:
    """What converting this OpenStack network_data for a NoCloud seed loses, located in it."""
    if not isinstance(document.data, dict) or network_kind(document.data) != "openstack":
        return []
    return [
        document.problem(note.path, note.message, severity=note.severity)
        for note in convert_network_data(document.data).notes
    ]


def to_network_config_v2(network_data: Mapping[str, Any]) -> dict[str, Any]:
    """OpenStack network_data as cloud-init's network-config version 2 (see the module doc)."""
    return convert_network_data(network_data).config


def convert_network_data(network_data: Mapping[str, Any]) -> Conversion:
    """network_data as network-config v2, with notes on what v2 could not carry.

    Device names follow cloud-init's conversion: a link's `name` is the interface name
    (and the NIC with that MAC is renamed to it); otherwise the NIC is matched by MAC
    and keeps its kernel name, the link `id` being only the v2 handle. Bonds are
    `bond0`, `bond1`, ... in link order; a VLAN is `<parent>.<vlan_id>`.
    """
    converter = _Converter(network_data)
    config = converter.convert()
    return Conversion(config, tuple(sorted(converter.notes, key=lambda note: _path_key(note.path))))


def _path_key(path: DocPath) -> tuple[tuple[int, int, str], ...]:
    """Document order: list indexes as numbers, keys as text."""
    return tuple(
        (1, 0, element) if isinstance(element, str) else (0, element, "") for element in path
    )


@dataclass
class _IpConfig:
    """The IP settings of one device, gathered from every network on its link."""

    dhcp4: bool = False
    dhcp6: bool = False
    accept_ra: bool | None = None
    addresses: list[str] = field(default_factory=list)
    gateway4: str | None = None
    gateway6: str | None = None
    routes: list[dict[str, Any]] = field(default_factory=list)
    nameservers: list[str] = field(default_factory=list)
    search: list[str] = field(default_factory=list)

    def as_v2(self) -> dict[str, Any]:
        settings: dict[str, Any] = {}
        if self.dhcp4:
            settings["dhcp4"] = True
        if self.dhcp6:
            settings["dhcp6"] = True
        if self.accept_ra is not None:
            settings["accept-ra"] = self.accept_ra
        if self.addresses:
            settings["addresses"] = list(self.addresses)
        if self.gateway4 is not None:
            settings["gateway4"] = self.gateway4
        if self.gateway6 is not None:
            settings["gateway6"] = self.gateway6
        if self.routes:
            settings["routes"] = [dict(route) for route in self.routes]
        if self.nameservers or self.search:
            nameservers: dict[str, Any] = {}
            if self.nameservers:
                nameservers["addresses"] = list(self.nameservers)
            if self.search:
                nameservers["search"] = list(self.search)
            settings["nameservers"] = nameservers
        return settings


def _add_unique(target: list[str], values: Any) -> None:
    for value in values:
        if isinstance(value, str) and value not in target:
            target.append(value)


def _words(value: Any) -> list[Any]:
    """A list, or a string of space-separated items (cloud-init's listify)."""
    return value.split() if isinstance(value, str) else as_list(value)


def _indexed_dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    for index, item in enumerate(as_list(value)):
        if isinstance(item, dict):
            yield index, item


class _Converter:
    """One conversion: the device names first (VLANs need their parents'), then devices."""

    def __init__(self, network_data: Mapping[str, Any]) -> None:
        self.links = list(_indexed_dicts(network_data.get("links")))
        self.networks = list(_indexed_dicts(network_data.get("networks")))
        self.services = list(_indexed_dicts(network_data.get("services")))
        self.notes: list[ConversionNote] = []
        self.by_id = {link.get("id"): (index, link) for index, link in self.links}
        self.names: dict[Any, str] = {}

    def note(self, path: DocPath, message: str, severity: Severity = Severity.WARNING) -> None:
        self.notes.append(ConversionNote(path, message, severity))

    def convert(self) -> dict[str, Any]:
        self._name_devices()
        sections: dict[str, dict[str, dict[str, Any]]] = {"ethernets": {}, "bonds": {}, "vlans": {}}
        ip_configs: dict[tuple[str, str], _IpConfig] = {}
        for index, link in self.links:
            section = _section(link)
            name = self.names[link.get("id")]
            device = self._device(index, link, section)
            ip = self._ip_config(link)
            ip_configs[(section, name)] = ip
            sections[section][name] = device
        self._add_global_dns(ip_configs)
        for (section, name), ip in ip_configs.items():
            sections[section][name].update(ip.as_v2())
        config: dict[str, Any] = {"version": 2}
        for section, devices in sections.items():
            if devices:
                config[section] = devices
        return config

    # ----------------------------------------------------------------- names

    def _name_devices(self) -> None:
        bonds = 0
        for _, link in self.links:
            if link.get("type") == "bond":
                self.names[link.get("id")] = f"bond{bonds}"
                bonds += 1
            elif link.get("type") != "vlan":
                name = link.get("name")
                self.names[link.get("id")] = name if isinstance(name, str) else str(link.get("id"))
        for _, link in self.links:
            if link.get("type") == "vlan":
                self._vlan_name(link, depth=0)
        taken: dict[str, int] = {}
        for index, link in self.links:
            name = self.names[link.get("id")]
            if name in taken:
                self.note(
                    ("links", index),
                    f"links[{taken[name]}] and this link would both be the interface {name!r}",
                    Severity.ERROR,
                )
            taken.setdefault(name, index)

    def _vlan_name(self, link: dict[str, Any], depth: int) -> str:
        """`<parent>.<vlan_id>`, cloud-init's name, when it fits Linux's 15 characters."""
        link_id = link.get("id")
        if link_id in self.names:
            return self.names[link_id]
        parent_id = link.get("vlan_link")
        parent = self.by_id.get(parent_id)
        if parent is not None and parent[1].get("type") == "vlan" and depth < len(self.links):
            parent_name = self._vlan_name(parent[1], depth + 1)
        else:
            parent_name = self.names.get(parent_id, str(parent_id))
        vlan_id = link.get("vlan_id")
        name = f"{parent_name}.{vlan_id}"
        if len(name) > MAX_INTERFACE_NAME:
            # A NIC matched by MAC keeps its kernel name, which cloud-init would use here
            # (ens3.100); a long link id (tap0a1b2c3d-4e) cannot stand in for it.
            name = self._free_name(f"vlan{vlan_id}")
        self.names[link_id] = name
        return name

    def _free_name(self, base: str) -> str:
        used = set(self.names.values())
        name, suffix = base, 1
        while name in used:
            name, suffix = f"{base}-{suffix}", suffix + 1
        return name

    # ----------------------------------------------------------------- devices

    def _device(self, index: int, link: dict[str, Any], section: str) -> dict[str, Any]:
        device: dict[str, Any] = {}
        mac = _mac(link.get("ethernet_mac_address"))
        if section == "ethernets":
            if mac is not None:
                device["match"] = {"macaddress": mac}
            if isinstance(link.get("name"), str):
                device["set-name"] = link["name"]
            elif mac is None:
                self.note(
                    ("links", index),
                    "a link needs ethernet_mac_address or name: without either, cloud-init "
                    "cannot tell which NIC it is",
                    Severity.ERROR,
                )
        elif section == "bonds":
            device["interfaces"] = [
                self.names.get(member, str(member)) for member in as_list(link.get("bond_links"))
            ]
            parameters = self._bond_parameters(index, link)
            if parameters:
                device["parameters"] = parameters
            if mac is not None:
                device["macaddress"] = mac
        else:
            device["id"] = link.get("vlan_id")
            device["link"] = self.names.get(link.get("vlan_link"), str(link.get("vlan_link")))
            vlan_mac = _mac(link.get("vlan_mac_address"))
            if vlan_mac is not None:
                device["macaddress"] = vlan_mac
        if isinstance(link.get("mtu"), int) and not isinstance(link.get("mtu"), bool):
            device["mtu"] = link["mtu"]
        return device

    def _bond_parameters(self, index: int, link: dict[str, Any]) -> dict[str, Any]:
        parameters: dict[str, Any] = {}
        for key, value in link.items():
            if not key.startswith("bond") or key == "bond_links":
                continue
            v2_key = BOND_PARAMETERS_V2.get(key.replace("_", "-"))
            if v2_key is None:
                self.note(
                    ("links", index, key),
                    "network-config v2 has no such bond parameter; it is left out",
                )
                continue
            parameters[v2_key] = value
        return parameters

    # ----------------------------------------------------------------- IP settings

    def _ip_config(self, link: dict[str, Any]) -> _IpConfig:
        ip = _IpConfig()
        for index, network in self.networks:
            if network.get("link") != link.get("id"):
                continue
            kind = network.get("type")
            at: DocPath = ("networks", index)
            if kind in _DHCP4:
                ip.dhcp4 = True
            elif kind in _DYNAMIC6:
                ip.dhcp6 = True
            elif kind in _STATIC4 or kind in _STATIC6:
                self._static(ip, at, network)
            # Processed in order, like convert_net_json: the last network decides.
            if kind in _ACCEPT_RA:
                ip.accept_ra = True
            elif kind in _STATIC6:
                ip.accept_ra = False
            self._routes(ip, at, network)
            self._dns(ip, network)
        _ipv6_default_route_as_gateway(ip)
        return ip

    def _static(self, ip: _IpConfig, at: DocPath, network: dict[str, Any]) -> None:
        address = network.get("ip_address")
        cidr = _cidr(address, network.get("netmask")) if isinstance(address, str) else None
        if cidr is None:
            self.note(
                (*at, "ip_address"),
                "a static network needs a valid ip_address; it is left out",
                Severity.ERROR,
            )
        elif cidr not in ip.addresses:
            ip.addresses.append(cidr)
        gateway = network.get("gateway")
        parsed = parse_ip(gateway) if isinstance(gateway, str) else None
        if parsed is None:
            return
        key = "gateway6" if parsed.version == 6 else "gateway4"
        current = getattr(ip, key)
        if current is None:
            setattr(ip, key, gateway)
        elif current != gateway:
            self.note(
                (*at, "gateway"),
                f"network-config v2 has one {key} a device; this interface already has "
                f"{current!r}, so this one is left out",
            )

    def _routes(self, ip: _IpConfig, at: DocPath, network: dict[str, Any]) -> None:
        for route_index, route in _indexed_dicts(network.get("routes")):
            destination = route.get("network")
            netmask = route.get("netmask")
            if not isinstance(netmask, str) and isinstance(route.get("prefix"), int):
                netmask = str(route["prefix"])
            to = _cidr(destination, netmask) if isinstance(destination, str) else None
            if to is None:
                self.note(
                    (*at, "routes", route_index),
                    "a route needs a valid network and netmask; it is left out",
                    Severity.ERROR,
                )
                continue
            v2_route: dict[str, Any] = {"to": to}
            if isinstance(route.get("gateway"), str):
                v2_route["via"] = route["gateway"]
            if "metric" in route:
                v2_route["metric"] = route["metric"]
            if v2_route not in ip.routes:
                ip.routes.append(v2_route)

    def _dns(self, ip: _IpConfig, network: dict[str, Any]) -> None:
        # cloud-init 23.1 and later read a network's own dns services, and prefer them to
        # dns_nameservers; 22.4 ignores them. Keeping them is what the user asked for.
        services = [
            service.get("address")
            for _, service in _indexed_dicts(network.get("services"))
            if service.get("type") == "dns"
        ]
        _add_unique(ip.nameservers, services or _words(network.get("dns_nameservers")))
        _add_unique(ip.search, _words(network.get("dns_search")))

    def _add_global_dns(self, ip_configs: dict[tuple[str, str], _IpConfig]) -> None:
        """The top-level dns services: global in cloud-init's v1, per device in v2.

        They go after each device's own servers on every device with static addresses
        (where cloud-init's netplan renderer puts them), or on the devices configured by
        DHCP when none has static addresses, so that no server given is lost. (The netplan
        renderer skips devices with servers of their own, and drops the global ones when
        every device has some.)
        """
        servers: list[str] = []
        _add_unique(
            servers,
            (
                service.get("address")
                for _, service in self.services
                if service.get("type") == "dns"
            ),
        )
        if not servers:
            return
        static = [ip for ip in ip_configs.values() if ip.addresses]
        dynamic = [ip for ip in ip_configs.values() if ip.dhcp4 or ip.dhcp6]
        receivers = static or dynamic
        if not receivers:
            self.note(
                ("services",),
                "network-config v2 ties DNS servers to a device, and no link has an IP "
                "configuration; these DNS servers are left out",
            )
        for ip in receivers:
            _add_unique(ip.nameservers, servers)


def _ipv6_default_route_as_gateway(ip: _IpConfig) -> None:
    """Say an IPv6 default route as gateway6, which every cloud-init reads right.

    cloud-init 22.4's v2 parser normalises a route twice and loses a prefix of 0 the
    second time: `to: ::/0` becomes ::/64 for its ENI, sysconfig and networkd renderers
    (netplan gets the document itself). As gateway6 of a device with a static IPv6
    address it is the same default route for all of them. IPv4's 0.0.0.0/0 survives
    (its netmask 0.0.0.0 carries the prefix), so it stays a route, as cloud-init writes it.
    """
    if not any(":" in address for address in ip.addresses):
        return
    for route in list(ip.routes):
        if route.get("to") != "::/0" or "metric" in route or "via" not in route:
            continue
        if ip.gateway6 is None:
            ip.gateway6 = route["via"]
        if ip.gateway6 == route["via"]:
            ip.routes.remove(route)


def _section(link: dict[str, Any]) -> str:
    """Where a link goes in v2: cloud-init treats every type but bond and vlan as a NIC."""
    kind = link.get("type")
    if kind == "bond":
        return "bonds"
    if kind == "vlan":
        return "vlans"
    return "ethernets"


def _mac(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) and value else None
