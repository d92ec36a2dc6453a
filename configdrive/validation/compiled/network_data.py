"""Generated from schemas/network-data.schema.json by scripts/compile_schemas.py.

Do not edit: change the schema, then run `python scripts/compile_schemas.py`.

"""

from typing import Any

from configdrive.validation.compiled import is_integer, is_number, searcher

search = searcher(
    '^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}((:[0-9A-Fa-f]{2}){14})?\\Z',
)
_C0 = frozenset(['802.1qbg', '802.1qbh', 'agilio_ovs', 'bgpovs', 'bond', 'bridge', 'cascading', 'distributed', 'dvs', 'ethernet', 'hostdev_physical', 'hw_veb', 'hyperv', 'ib_hostdev', 'iovisor', 'ivs', 'macvtap', 'midonet', 'other', 'ovs', 'phy', 'tap', 'vhostuser', 'vif', 'vlan', 'vrouter'])
_C1 = frozenset(['802.3ad', 'active-backup', 'balance-alb', 'balance-rr', 'balance-tlb', 'balance-xor', 'broadcast'])
_C2 = frozenset(['ipv4', 'ipv4_dhcp', 'ipv6', 'ipv6_dhcp', 'ipv6_dhcpv6-stateful', 'ipv6_dhcpv6-stateless', 'ipv6_slaac', 'static', 'static6'])
TYPOS: dict[str, Any] = {'properties': {'links': {'items': {'properties': {'id': {},
                                                   'name': {},
                                                   'type': {},
                                                   'ethernet_mac_address': {},
                                                   'mtu': {},
                                                   'vif_id': {},
                                                   'bond_links': {},
                                                   'bond_mode': {},
                                                   'bond_miimon': {},
                                                   'bond_xmit_hash_policy': {},
                                                   'vlan_link': {},
                                                   'vlan_id': {},
                                                   'vlan_mac_address': {}}}},
                'networks': {'items': {'properties': {'id': {},
                                                      'type': {},
                                                      'link': {},
                                                      'ip_address': {},
                                                      'netmask': {},
                                                      'gateway': {},
                                                      'routes': {'items': {'properties': {'network': {},
                                                                                          'netmask': {},
                                                                                          'gateway': {}}}},
                                                      'services': {'items': {'properties': {'type': {},
                                                                                            'address': {}}}},
                                                      'network_id': {},
                                                      'dns_nameservers': {}}}},
                'services': {'items': {'properties': {'type': {}, 'address': {}}}}}}


def clean(data: Any) -> bool:
    """Whether jsonschema, extended as json_schemas does, finds nothing in `data`."""
    return _s0(data)


def _s3(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    return True


def _s4(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C0):
        return False
    return True


def _s5(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if isinstance(d, str):
        if not search(0, d):
            return False
    return True


def _s6(d: Any) -> bool:
    if not (is_integer(d) or d is None):
        return False
    return True


def _s7(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s3(item):
                return False
    return True


def _s8(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C1):
        return False
    return True


def _s9(d: Any) -> bool:
    if not (is_integer(d)):
        return False
    if is_number(d):
        if d < 0:
            return False
    return True


def _s10(d: Any) -> bool:
    if not (is_integer(d)):
        return False
    if is_number(d):
        if d < 0:
            return False
        if d > 4095:
            return False
    return True


def _s2(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'id' in d and not _s3(d['id']):
            return False
        if 'name' in d and not _s3(d['name']):
            return False
        if 'type' in d and not _s4(d['type']):
            return False
        if 'ethernet_mac_address' in d and not _s5(d['ethernet_mac_address']):
            return False
        if 'mtu' in d and not _s6(d['mtu']):
            return False
        if 'vif_id' in d and not _s3(d['vif_id']):
            return False
        if 'bond_links' in d and not _s7(d['bond_links']):
            return False
        if 'bond_mode' in d and not _s8(d['bond_mode']):
            return False
        if 'bond_miimon' in d and not _s9(d['bond_miimon']):
            return False
        if 'bond_xmit_hash_policy' in d and not _s3(d['bond_xmit_hash_policy']):
            return False
        if 'vlan_link' in d and not _s3(d['vlan_link']):
            return False
        if 'vlan_id' in d and not _s10(d['vlan_id']):
            return False
        if 'vlan_mac_address' in d and not _s5(d['vlan_mac_address']):
            return False
        if 'id' not in d:
            return False
        if 'type' not in d:
            return False
    return True


def _s1(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s2(item):
                return False
    return True


def _s13(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C2):
        return False
    return True


def _s15(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'network' in d and not _s3(d['network']):
            return False
        if 'netmask' in d and not _s3(d['netmask']):
            return False
        if 'gateway' in d and not _s3(d['gateway']):
            return False
        if 'network' not in d:
            return False
        if 'netmask' not in d:
            return False
        if 'gateway' not in d:
            return False
    return True


def _s14(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s15(item):
                return False
    return True


def _s17(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'type' in d and not _s3(d['type']):
            return False
        if 'address' in d and not _s3(d['address']):
            return False
        if 'type' not in d:
            return False
        if 'address' not in d:
            return False
    return True


def _s16(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s17(item):
                return False
    return True


def _s12(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'id' in d and not _s3(d['id']):
            return False
        if 'type' in d and not _s13(d['type']):
            return False
        if 'link' in d and not _s3(d['link']):
            return False
        if 'ip_address' in d and not _s3(d['ip_address']):
            return False
        if 'netmask' in d and not _s3(d['netmask']):
            return False
        if 'gateway' in d and not _s3(d['gateway']):
            return False
        if 'routes' in d and not _s14(d['routes']):
            return False
        if 'services' in d and not _s16(d['services']):
            return False
        if 'network_id' in d and not _s3(d['network_id']):
            return False
        if 'dns_nameservers' in d and not _s7(d['dns_nameservers']):
            return False
        if 'id' not in d:
            return False
        if 'type' not in d:
            return False
        if 'link' not in d:
            return False
    return True


def _s11(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s12(item):
                return False
    return True


def _s0(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'links' in d and not _s1(d['links']):
            return False
        if 'networks' in d and not _s11(d['networks']):
            return False
        if 'services' in d and not _s16(d['services']):
            return False
    return True


def _anything(d: Any) -> bool:
    return True


def _nothing(d: Any) -> bool:
    return False
