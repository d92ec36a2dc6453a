"""Generated from schemas/network-config.schema.json by scripts/compile_schemas.py.

Do not edit: change the schema, then run `python scripts/compile_schemas.py`.

"""

from typing import Any

from configdrive.validation.compiled import equal, is_integer, is_number, searcher

search = searcher(
    '^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}((:[0-9A-Fa-f]{2}){14})?\\Z',
    '^bond[-_]',
    '^bridge_',
)
_C0 = frozenset(['config'])
_C1 = 2
_C2 = 1
_C3 = frozenset(['NetworkManager', 'networkd'])
_C4 = frozenset[str]()
_C5 = frozenset(['NetworkManager', 'networkd', 'sriov'])
_C6 = frozenset(['hostname', 'route-metric', 'send-hostname', 'use-dns', 'use-domains', 'use-hostname', 'use-mtu', 'use-ntp', 'use-routes'])
_C7 = frozenset(['duid', 'mac'])
_C8 = frozenset(['eui64', 'stable-privacy'])
_C9 = frozenset(['ipv4', 'ipv6'])
_C10 = frozenset(['addresses', 'search'])
_C11 = frozenset(['manual', 'off'])
_C12 = frozenset(['anycast', 'blackhole', 'broadcast', 'local', 'multicast', 'nat', 'prohibit', 'throw', 'unicast', 'unreachable', 'xresolve'])
_C13 = frozenset(['global', 'host', 'link'])
_C14 = frozenset(['advertised-receive-window', 'congestion-window', 'from', 'metric', 'mtu', 'on-link', 'scope', 'table', 'to', 'type', 'via'])
_C15 = frozenset(['from', 'mark', 'priority', 'table', 'to', 'type-of-service'])
_C16 = frozenset(['driver', 'macaddress', 'name'])
_C17 = frozenset(['legacy', 'switchdev'])
_C18 = frozenset(['connected', 'datagram'])
_C19 = frozenset(['accept-ra', 'activation-mode', 'addresses', 'critical', 'delay-virtual-functions-rebind', 'dhcp-identifier', 'dhcp4', 'dhcp4-overrides', 'dhcp6', 'dhcp6-overrides', 'embedded-switch-mode', 'emit-lldp', 'gateway4', 'gateway6', 'generic-receive-offload', 'generic-segmentation-offload', 'ignore-carrier', 'infiniband-mode', 'ipv6-address-generation', 'ipv6-address-token', 'ipv6-mtu', 'ipv6-privacy', 'large-receive-offload', 'link', 'link-local', 'macaddress', 'match', 'mtu', 'nameservers', 'openvswitch', 'optional', 'optional-addresses', 'receive-checksum-offload', 'renderer', 'routes', 'routing-policy', 'set-name', 'tcp-segmentation-offload', 'tcp6-segmentation-offload', 'transmit-checksum-offload', 'virtual-function-count', 'wakeonlan'])
_C20 = frozenset(['802.3ad', 'active-backup', 'balance-alb', 'balance-rr', 'balance-tlb', 'balance-xor', 'broadcast'])
_C21 = frozenset(['fast', 'slow'])
_C22 = frozenset(['encap2+3', 'encap3+4', 'layer2', 'layer2+3', 'layer3+4'])
_C23 = frozenset(['bandwidth', 'count', 'stable'])
_C24 = frozenset(['active', 'all', 'backup', 'none'])
_C25 = frozenset(['all', 'any'])
_C26 = frozenset(['active', 'follow', 'none'])
_C27 = frozenset(['always', 'better', 'failure'])
_C28 = frozenset(['ad-select', 'all-slaves-active', 'arp-all-targets', 'arp-interval', 'arp-ip-target', 'arp-ip-targets', 'arp-validate', 'down-delay', 'fail-over-mac-policy', 'gratuitious-arp', 'gratuitous-arp', 'lacp-rate', 'learn-packet-interval', 'mii-monitor-interval', 'min-links', 'mode', 'packets-per-slave', 'primary', 'primary-reselect-policy', 'resend-igmp', 'transmit-hash-policy', 'up-delay'])
_C29 = frozenset(['accept-ra', 'activation-mode', 'addresses', 'critical', 'dhcp-identifier', 'dhcp4', 'dhcp4-overrides', 'dhcp6', 'dhcp6-overrides', 'gateway4', 'gateway6', 'ignore-carrier', 'interfaces', 'ipv6-address-generation', 'ipv6-address-token', 'ipv6-mtu', 'ipv6-privacy', 'link-local', 'macaddress', 'mtu', 'nameservers', 'optional', 'optional-addresses', 'parameters', 'renderer', 'routes', 'routing-policy'])
_C30 = frozenset(['ageing-time', 'forward-delay', 'hello-time', 'max-age', 'path-cost', 'port-priority', 'priority', 'stp'])
_C31 = frozenset(['accept-ra', 'activation-mode', 'addresses', 'critical', 'dhcp-identifier', 'dhcp4', 'dhcp4-overrides', 'dhcp6', 'dhcp6-overrides', 'gateway4', 'gateway6', 'id', 'ignore-carrier', 'ipv6-address-generation', 'ipv6-address-token', 'ipv6-mtu', 'ipv6-privacy', 'link', 'link-local', 'macaddress', 'mtu', 'nameservers', 'optional', 'optional-addresses', 'renderer', 'routes', 'routing-policy'])
_C32 = frozenset(['bonds', 'bridges', 'ethernets', 'renderer', 'version', 'vlans', 'wifis'])
_C33 = frozenset(['physical'])
_C34 = frozenset(['static', 'static6'])
_C35 = frozenset(['dhcp', 'dhcp4', 'dhcp6', 'ipv6_dhcpv6-stateful', 'ipv6_dhcpv6-stateless', 'ipv6_slaac', 'manual', 'static', 'static6'])
_C36 = frozenset(['auto', 'hotplug', 'manual'])
_C37 = frozenset(['destination', 'gateway', 'metric', 'netmask', 'network', 'prefix'])
_C38 = frozenset(['address', 'broadcast', 'control', 'dns_nameservers', 'dns_search', 'gateway', 'ipv4', 'ipv6', 'metric', 'mtu', 'netmask', 'pointopoint', 'prefix', 'routes', 'scope', 'type'])
_C39 = frozenset(['accept-ra', 'mac_address', 'mtu', 'name', 'params', 'subnets', 'type', 'wakeonlan'])
_C40 = frozenset(['bond'])
_C41 = frozenset(['accept-ra', 'bond_interfaces', 'mac_address', 'mtu', 'name', 'params', 'subnets', 'type'])
_C42 = frozenset(['bridge'])
_C43 = frozenset(['accept-ra', 'bridge_interfaces', 'mac_address', 'mtu', 'name', 'params', 'subnets', 'type'])
_C44 = frozenset(['vlan'])
_C45 = frozenset(['accept-ra', 'mac_address', 'mtu', 'name', 'subnets', 'type', 'vlan_id', 'vlan_link'])
_C46 = frozenset(['nameserver'])
_C47 = frozenset(['address', 'interface', 'search', 'type'])
_C48 = frozenset(['route'])
_C49 = frozenset(['destination', 'gateway', 'metric', 'netmask', 'network', 'prefix', 'type'])
_C50 = frozenset(['loopback'])
_C51 = frozenset(['name', 'subnets', 'type'])
_C52 = frozenset(['infiniband'])
_C53 = frozenset(['mac_address', 'mtu', 'name', 'subnets', 'type'])
_C54 = frozenset(['bond', 'bridge', 'infiniband', 'loopback', 'nameserver', 'physical', 'route', 'vlan'])
_C55 = frozenset(['config', 'version'])
_C56 = frozenset(['network'])
TYPOS: dict[str, Any] = {}


def clean(data: Any) -> bool:
    """Whether jsonschema, extended as json_schemas does, finds nothing in `data`."""
    return _s0(data)


def _s1(d: Any) -> bool:
    if isinstance(d, dict):
        if 'network' not in d:
            return False
    return True


def _s5(d: Any) -> bool:
    if not d == 'disabled':
        return False
    return True


def _s4(d: Any) -> bool:
    if isinstance(d, dict):
        if 'config' in d and not _s5(d['config']):
            return False
        if 'config' not in d:
            return False
    return True


def _s7(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not d == 'disabled':
        return False
    return True


def _s6(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'config' in d and not _s7(d['config']):
            return False
        for k in d:
            if k not in _C0:
                return False
        if 'config' not in d:
            return False
    return True


def _s11(d: Any) -> bool:
    if not equal(d, _C1):
        return False
    return True


def _s10(d: Any) -> bool:
    if isinstance(d, dict):
        if 'version' in d and not _s11(d['version']):
            return False
        if 'version' not in d:
            return False
    return True


def _s13(d: Any) -> bool:
    if isinstance(d, dict):
        if 'ethernets' not in d:
            return False
    return True


def _s14(d: Any) -> bool:
    if isinstance(d, dict):
        if 'bonds' not in d:
            return False
    return True


def _s15(d: Any) -> bool:
    if isinstance(d, dict):
        if 'bridges' not in d:
            return False
    return True


def _s16(d: Any) -> bool:
    if isinstance(d, dict):
        if 'vlans' not in d:
            return False
    return True


def _s17(d: Any) -> bool:
    if isinstance(d, dict):
        if 'wifis' not in d:
            return False
    return True


def _s19(d: Any) -> bool:
    if not equal(d, _C2):
        return False
    return True


def _s18(d: Any) -> bool:
    if isinstance(d, dict):
        if 'version' in d and not _s19(d['version']):
            return False
        if 'version' not in d:
            return False
    return True


def _s12(d: Any) -> bool:
    if not (_s13(d) or _s14(d) or _s15(d) or _s16(d) or _s17(d)):
        return False
    if _s18(d):
        return False
    return True


def _s9(d: Any) -> bool:
    if not (_s10(d) or _s12(d)):
        return False
    return True


def _s21(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C3):
        return False
    return True


def _s24(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C5):
        return False
    return True


def _s25(d: Any) -> bool:
    if not (isinstance(d, bool)):
        return False
    return True


def _s27(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    return True


def _s28(d: Any) -> bool:
    if not (is_integer(d)):
        return False
    if is_number(d):
        if d < 0:
            return False
    return True


def _s29(d: Any) -> bool:
    if not (isinstance(d, bool) or isinstance(d, str)):
        return False
    return True


def _s26(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'use-dns' in d and not _s25(d['use-dns']):
            return False
        if 'use-ntp' in d and not _s25(d['use-ntp']):
            return False
        if 'send-hostname' in d and not _s25(d['send-hostname']):
            return False
        if 'use-hostname' in d and not _s25(d['use-hostname']):
            return False
        if 'use-mtu' in d and not _s25(d['use-mtu']):
            return False
        if 'hostname' in d and not _s27(d['hostname']):
            return False
        if 'use-routes' in d and not _s25(d['use-routes']):
            return False
        if 'route-metric' in d and not _s28(d['route-metric']):
            return False
        if 'use-domains' in d and not _s29(d['use-domains']):
            return False
        for k in d:
            if k not in _C6:
                return False
    return True


def _s30(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C7):
        return False
    return True


def _s31(d: Any) -> bool:
    if not (is_integer(d)):
        return False
    return True


def _s32(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C8):
        return False
    return True


def _s34(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C9):
        return False
    return True


def _s33(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s34(item):
                return False
    return True


def _s35(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s27(item):
                return False
    return True


def _s36(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'addresses' in d and not _s35(d['addresses']):
            return False
        if 'search' in d and not _s35(d['search']):
            return False
        for k in d:
            if k not in _C10:
                return False
    return True


def _s37(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if isinstance(d, str):
        if not search(0, d):
            return False
    return True


def _s38(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C11):
        return False
    return True


def _s41(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C12):
        return False
    return True


def _s42(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C13):
        return False
    return True


def _s40(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'to' in d and not _s27(d['to']):
            return False
        if 'via' in d and not _s27(d['via']):
            return False
        if 'from' in d and not _s27(d['from']):
            return False
        if 'on-link' in d and not _s25(d['on-link']):
            return False
        if 'metric' in d and not _s28(d['metric']):
            return False
        if 'type' in d and not _s41(d['type']):
            return False
        if 'scope' in d and not _s42(d['scope']):
            return False
        if 'table' in d and not _s28(d['table']):
            return False
        if 'mtu' in d and not _s31(d['mtu']):
            return False
        if 'congestion-window' in d and not _s31(d['congestion-window']):
            return False
        if 'advertised-receive-window' in d and not _s31(d['advertised-receive-window']):
            return False
        for k in d:
            if k not in _C14:
                return False
    return True


def _s39(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s40(item):
                return False
    return True


def _s45(d: Any) -> bool:
    if not (is_integer(d)):
        return False
    if is_number(d):
        if d < 0:
            return False
        if d > 255:
            return False
    return True


def _s44(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'from' in d and not _s27(d['from']):
            return False
        if 'to' in d and not _s27(d['to']):
            return False
        if 'table' in d and not _s28(d['table']):
            return False
        if 'priority' in d and not _s28(d['priority']):
            return False
        if 'mark' in d and not _s28(d['mark']):
            return False
        if 'type-of-service' in d and not _s45(d['type-of-service']):
            return False
        for k in d:
            if k not in _C15:
                return False
    return True


def _s43(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s44(item):
                return False
    return True


def _s47(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s27(item):
                return False
    return True


def _s46(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'name' in d and not _s27(d['name']):
            return False
        if 'macaddress' in d and not _s37(d['macaddress']):
            return False
        if 'driver' in d and not _s47(d['driver']):
            return False
        for k in d:
            if k not in _C16:
                return False
    return True


def _s48(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    return True


def _s49(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C17):
        return False
    return True


def _s50(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C18):
        return False
    return True


def _s23(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'renderer' in d and not _s24(d['renderer']):
            return False
        if 'dhcp4' in d and not _s25(d['dhcp4']):
            return False
        if 'dhcp6' in d and not _s25(d['dhcp6']):
            return False
        if 'dhcp4-overrides' in d and not _s26(d['dhcp4-overrides']):
            return False
        if 'dhcp6-overrides' in d and not _s26(d['dhcp6-overrides']):
            return False
        if 'dhcp-identifier' in d and not _s30(d['dhcp-identifier']):
            return False
        if 'accept-ra' in d and not _s25(d['accept-ra']):
            return False
        if 'ipv6-privacy' in d and not _s25(d['ipv6-privacy']):
            return False
        if 'ipv6-mtu' in d and not _s31(d['ipv6-mtu']):
            return False
        if 'ipv6-address-generation' in d and not _s32(d['ipv6-address-generation']):
            return False
        if 'ipv6-address-token' in d and not _s27(d['ipv6-address-token']):
            return False
        if 'link-local' in d and not _s33(d['link-local']):
            return False
        if 'addresses' in d and not _s35(d['addresses']):
            return False
        if 'gateway4' in d and not _s27(d['gateway4']):
            return False
        if 'gateway6' in d and not _s27(d['gateway6']):
            return False
        if 'nameservers' in d and not _s36(d['nameservers']):
            return False
        if 'macaddress' in d and not _s37(d['macaddress']):
            return False
        if 'mtu' in d and not _s28(d['mtu']):
            return False
        if 'optional' in d and not _s25(d['optional']):
            return False
        if 'optional-addresses' in d and not _s35(d['optional-addresses']):
            return False
        if 'critical' in d and not _s25(d['critical']):
            return False
        if 'ignore-carrier' in d and not _s25(d['ignore-carrier']):
            return False
        if 'activation-mode' in d and not _s38(d['activation-mode']):
            return False
        if 'routes' in d and not _s39(d['routes']):
            return False
        if 'routing-policy' in d and not _s43(d['routing-policy']):
            return False
        if 'match' in d and not _s46(d['match']):
            return False
        if 'set-name' in d and not _s27(d['set-name']):
            return False
        if 'wakeonlan' in d and not _s25(d['wakeonlan']):
            return False
        if 'emit-lldp' in d and not _s25(d['emit-lldp']):
            return False
        if 'receive-checksum-offload' in d and not _s25(d['receive-checksum-offload']):
            return False
        if 'transmit-checksum-offload' in d and not _s25(d['transmit-checksum-offload']):
            return False
        if 'tcp-segmentation-offload' in d and not _s25(d['tcp-segmentation-offload']):
            return False
        if 'tcp6-segmentation-offload' in d and not _s25(d['tcp6-segmentation-offload']):
            return False
        if 'generic-segmentation-offload' in d and not _s25(d['generic-segmentation-offload']):
            return False
        if 'generic-receive-offload' in d and not _s25(d['generic-receive-offload']):
            return False
        if 'large-receive-offload' in d and not _s25(d['large-receive-offload']):
            return False
        if 'openvswitch' in d and not _s48(d['openvswitch']):
            return False
        if 'link' in d and not _s27(d['link']):
            return False
        if 'virtual-function-count' in d and not _s28(d['virtual-function-count']):
            return False
        if 'embedded-switch-mode' in d and not _s49(d['embedded-switch-mode']):
            return False
        if 'delay-virtual-functions-rebind' in d and not _s25(d['delay-virtual-functions-rebind']):
            return False
        if 'infiniband-mode' in d and not _s50(d['infiniband-mode']):
            return False
        for k in d:
            if k not in _C19:
                return False
    return True


def _s22(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        for k in d:
            if k not in _C4 and not _s23(d[k]):
                return False
    return True


def _s54(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C20):
        return False
    return True


def _s55(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C21):
        return False
    return True


def _s56(d: Any) -> bool:
    if not (is_integer(d) or isinstance(d, str)):
        return False
    return True


def _s57(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C22):
        return False
    return True


def _s58(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C23):
        return False
    return True


def _s59(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C24):
        return False
    return True


def _s60(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C25):
        return False
    return True


def _s61(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C26):
        return False
    return True


def _s62(d: Any) -> bool:
    if not (is_integer(d)):
        return False
    if is_number(d):
        if d < 1:
            return False
        if d > 255:
            return False
    return True


def _s63(d: Any) -> bool:
    if not (is_integer(d)):
        return False
    if is_number(d):
        if d < 0:
            return False
        if d > 65535:
            return False
    return True


def _s64(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C27):
        return False
    return True


def _s53(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'mode' in d and not _s54(d['mode']):
            return False
        if 'lacp-rate' in d and not _s55(d['lacp-rate']):
            return False
        if 'mii-monitor-interval' in d and not _s56(d['mii-monitor-interval']):
            return False
        if 'min-links' in d and not _s28(d['min-links']):
            return False
        if 'transmit-hash-policy' in d and not _s57(d['transmit-hash-policy']):
            return False
        if 'ad-select' in d and not _s58(d['ad-select']):
            return False
        if 'all-slaves-active' in d and not _s25(d['all-slaves-active']):
            return False
        if 'arp-interval' in d and not _s56(d['arp-interval']):
            return False
        if 'arp-ip-targets' in d and not _s35(d['arp-ip-targets']):
            return False
        if 'arp-ip-target' in d and not _s47(d['arp-ip-target']):
            return False
        if 'arp-validate' in d and not _s59(d['arp-validate']):
            return False
        if 'arp-all-targets' in d and not _s60(d['arp-all-targets']):
            return False
        if 'up-delay' in d and not _s56(d['up-delay']):
            return False
        if 'down-delay' in d and not _s56(d['down-delay']):
            return False
        if 'fail-over-mac-policy' in d and not _s61(d['fail-over-mac-policy']):
            return False
        if 'gratuitous-arp' in d and not _s62(d['gratuitous-arp']):
            return False
        if 'gratuitious-arp' in d and not _s62(d['gratuitious-arp']):
            return False
        if 'packets-per-slave' in d and not _s63(d['packets-per-slave']):
            return False
        if 'primary-reselect-policy' in d and not _s64(d['primary-reselect-policy']):
            return False
        if 'resend-igmp' in d and not _s45(d['resend-igmp']):
            return False
        if 'learn-packet-interval' in d and not _s56(d['learn-packet-interval']):
            return False
        if 'primary' in d and not _s27(d['primary']):
            return False
        for k in d:
            if k not in _C28:
                return False
    return True


def _s52(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'renderer' in d and not _s24(d['renderer']):
            return False
        if 'dhcp4' in d and not _s25(d['dhcp4']):
            return False
        if 'dhcp6' in d and not _s25(d['dhcp6']):
            return False
        if 'dhcp4-overrides' in d and not _s26(d['dhcp4-overrides']):
            return False
        if 'dhcp6-overrides' in d and not _s26(d['dhcp6-overrides']):
            return False
        if 'dhcp-identifier' in d and not _s30(d['dhcp-identifier']):
            return False
        if 'accept-ra' in d and not _s25(d['accept-ra']):
            return False
        if 'ipv6-privacy' in d and not _s25(d['ipv6-privacy']):
            return False
        if 'ipv6-mtu' in d and not _s31(d['ipv6-mtu']):
            return False
        if 'ipv6-address-generation' in d and not _s32(d['ipv6-address-generation']):
            return False
        if 'ipv6-address-token' in d and not _s27(d['ipv6-address-token']):
            return False
        if 'link-local' in d and not _s33(d['link-local']):
            return False
        if 'addresses' in d and not _s35(d['addresses']):
            return False
        if 'gateway4' in d and not _s27(d['gateway4']):
            return False
        if 'gateway6' in d and not _s27(d['gateway6']):
            return False
        if 'nameservers' in d and not _s36(d['nameservers']):
            return False
        if 'macaddress' in d and not _s37(d['macaddress']):
            return False
        if 'mtu' in d and not _s28(d['mtu']):
            return False
        if 'optional' in d and not _s25(d['optional']):
            return False
        if 'optional-addresses' in d and not _s35(d['optional-addresses']):
            return False
        if 'critical' in d and not _s25(d['critical']):
            return False
        if 'ignore-carrier' in d and not _s25(d['ignore-carrier']):
            return False
        if 'activation-mode' in d and not _s38(d['activation-mode']):
            return False
        if 'routes' in d and not _s39(d['routes']):
            return False
        if 'routing-policy' in d and not _s43(d['routing-policy']):
            return False
        if 'interfaces' in d and not _s35(d['interfaces']):
            return False
        if 'parameters' in d and not _s53(d['parameters']):
            return False
        for k in d:
            if k not in _C29:
                return False
    return True


def _s51(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        for k in d:
            if k not in _C4 and not _s52(d[k]):
                return False
    return True


def _s68(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        for k in d:
            if k not in _C4 and not _s31(d[k]):
                return False
    return True


def _s67(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'ageing-time' in d and not _s56(d['ageing-time']):
            return False
        if 'priority' in d and not _s63(d['priority']):
            return False
        if 'port-priority' in d and not _s68(d['port-priority']):
            return False
        if 'forward-delay' in d and not _s56(d['forward-delay']):
            return False
        if 'hello-time' in d and not _s56(d['hello-time']):
            return False
        if 'max-age' in d and not _s56(d['max-age']):
            return False
        if 'path-cost' in d and not _s68(d['path-cost']):
            return False
        if 'stp' in d and not _s25(d['stp']):
            return False
        for k in d:
            if k not in _C30:
                return False
    return True


def _s66(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'renderer' in d and not _s24(d['renderer']):
            return False
        if 'dhcp4' in d and not _s25(d['dhcp4']):
            return False
        if 'dhcp6' in d and not _s25(d['dhcp6']):
            return False
        if 'dhcp4-overrides' in d and not _s26(d['dhcp4-overrides']):
            return False
        if 'dhcp6-overrides' in d and not _s26(d['dhcp6-overrides']):
            return False
        if 'dhcp-identifier' in d and not _s30(d['dhcp-identifier']):
            return False
        if 'accept-ra' in d and not _s25(d['accept-ra']):
            return False
        if 'ipv6-privacy' in d and not _s25(d['ipv6-privacy']):
            return False
        if 'ipv6-mtu' in d and not _s31(d['ipv6-mtu']):
            return False
        if 'ipv6-address-generation' in d and not _s32(d['ipv6-address-generation']):
            return False
        if 'ipv6-address-token' in d and not _s27(d['ipv6-address-token']):
            return False
        if 'link-local' in d and not _s33(d['link-local']):
            return False
        if 'addresses' in d and not _s35(d['addresses']):
            return False
        if 'gateway4' in d and not _s27(d['gateway4']):
            return False
        if 'gateway6' in d and not _s27(d['gateway6']):
            return False
        if 'nameservers' in d and not _s36(d['nameservers']):
            return False
        if 'macaddress' in d and not _s37(d['macaddress']):
            return False
        if 'mtu' in d and not _s28(d['mtu']):
            return False
        if 'optional' in d and not _s25(d['optional']):
            return False
        if 'optional-addresses' in d and not _s35(d['optional-addresses']):
            return False
        if 'critical' in d and not _s25(d['critical']):
            return False
        if 'ignore-carrier' in d and not _s25(d['ignore-carrier']):
            return False
        if 'activation-mode' in d and not _s38(d['activation-mode']):
            return False
        if 'routes' in d and not _s39(d['routes']):
            return False
        if 'routing-policy' in d and not _s43(d['routing-policy']):
            return False
        if 'interfaces' in d and not _s35(d['interfaces']):
            return False
        if 'parameters' in d and not _s67(d['parameters']):
            return False
        for k in d:
            if k not in _C29:
                return False
    return True


def _s65(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        for k in d:
            if k not in _C4 and not _s66(d[k]):
                return False
    return True


def _s71(d: Any) -> bool:
    if not (is_integer(d)):
        return False
    if is_number(d):
        if d < 0:
            return False
        if d > 4094:
            return False
    return True


def _s70(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'renderer' in d and not _s24(d['renderer']):
            return False
        if 'dhcp4' in d and not _s25(d['dhcp4']):
            return False
        if 'dhcp6' in d and not _s25(d['dhcp6']):
            return False
        if 'dhcp4-overrides' in d and not _s26(d['dhcp4-overrides']):
            return False
        if 'dhcp6-overrides' in d and not _s26(d['dhcp6-overrides']):
            return False
        if 'dhcp-identifier' in d and not _s30(d['dhcp-identifier']):
            return False
        if 'accept-ra' in d and not _s25(d['accept-ra']):
            return False
        if 'ipv6-privacy' in d and not _s25(d['ipv6-privacy']):
            return False
        if 'ipv6-mtu' in d and not _s31(d['ipv6-mtu']):
            return False
        if 'ipv6-address-generation' in d and not _s32(d['ipv6-address-generation']):
            return False
        if 'ipv6-address-token' in d and not _s27(d['ipv6-address-token']):
            return False
        if 'link-local' in d and not _s33(d['link-local']):
            return False
        if 'addresses' in d and not _s35(d['addresses']):
            return False
        if 'gateway4' in d and not _s27(d['gateway4']):
            return False
        if 'gateway6' in d and not _s27(d['gateway6']):
            return False
        if 'nameservers' in d and not _s36(d['nameservers']):
            return False
        if 'macaddress' in d and not _s37(d['macaddress']):
            return False
        if 'mtu' in d and not _s28(d['mtu']):
            return False
        if 'optional' in d and not _s25(d['optional']):
            return False
        if 'optional-addresses' in d and not _s35(d['optional-addresses']):
            return False
        if 'critical' in d and not _s25(d['critical']):
            return False
        if 'ignore-carrier' in d and not _s25(d['ignore-carrier']):
            return False
        if 'activation-mode' in d and not _s38(d['activation-mode']):
            return False
        if 'routes' in d and not _s39(d['routes']):
            return False
        if 'routing-policy' in d and not _s43(d['routing-policy']):
            return False
        if 'id' in d and not _s71(d['id']):
            return False
        if 'link' in d and not _s27(d['link']):
            return False
        for k in d:
            if k not in _C31:
                return False
        if 'id' not in d:
            return False
        if 'link' not in d:
            return False
    return True


def _s69(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        for k in d:
            if k not in _C4 and not _s70(d[k]):
                return False
    return True


def _s72(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        for k in d:
            if k not in _C4 and not _s48(d[k]):
                return False
    return True


def _s20(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'version' in d and not _s11(d['version']):
            return False
        if 'renderer' in d and not _s21(d['renderer']):
            return False
        if 'ethernets' in d and not _s22(d['ethernets']):
            return False
        if 'bonds' in d and not _s51(d['bonds']):
            return False
        if 'bridges' in d and not _s65(d['bridges']):
            return False
        if 'vlans' in d and not _s69(d['vlans']):
            return False
        if 'wifis' in d and not _s72(d['wifis']):
            return False
        for k in d:
            if k not in _C32:
                return False
        if 'version' not in d:
            return False
    return True


def _s78(d: Any) -> bool:
    if not d == 'physical':
        return False
    return True


def _s77(d: Any) -> bool:
    if isinstance(d, dict):
        if 'type' in d and not _s78(d['type']):
            return False
        if 'type' not in d:
            return False
    return True


def _s80(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C33):
        return False
    return True


def _s81(d: Any) -> bool:
    if not (is_integer(d) or d is None):
        return False
    return True


def _s86(d: Any) -> bool:
    if not (isinstance(d, str) and d in _C34):
        return False
    return True


def _s85(d: Any) -> bool:
    if isinstance(d, dict):
        if 'type' in d and not _s86(d['type']):
            return False
        if 'type' not in d:
            return False
    return True


def _s87(d: Any) -> bool:
    if isinstance(d, dict):
        if 'address' not in d:
            return False
    return True


def _s84(d: Any) -> bool:
    if _s85(d) and not _s87(d):
        return False
    return True


def _s88(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C35):
        return False
    return True


def _s89(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C36):
        return False
    return True


def _s91(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'destination' in d and not _s27(d['destination']):
            return False
        if 'network' in d and not _s27(d['network']):
            return False
        if 'netmask' in d and not _s27(d['netmask']):
            return False
        if 'prefix' in d and not _s56(d['prefix']):
            return False
        if 'gateway' in d and not _s27(d['gateway']):
            return False
        if 'metric' in d and not _s56(d['metric']):
            return False
        for k in d:
            if k not in _C37:
                return False
    return True


def _s90(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s91(item):
                return False
    return True


def _s83(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if not _s84(d):
        return False
    if isinstance(d, dict):
        if 'type' in d and not _s88(d['type']):
            return False
        if 'control' in d and not _s89(d['control']):
            return False
        if 'address' in d and not _s27(d['address']):
            return False
        if 'netmask' in d and not _s27(d['netmask']):
            return False
        if 'prefix' in d and not _s56(d['prefix']):
            return False
        if 'broadcast' in d and not _s27(d['broadcast']):
            return False
        if 'gateway' in d and not _s27(d['gateway']):
            return False
        if 'pointopoint' in d and not _s27(d['pointopoint']):
            return False
        if 'scope' in d and not _s27(d['scope']):
            return False
        if 'metric' in d and not _s56(d['metric']):
            return False
        if 'mtu' in d and not _s31(d['mtu']):
            return False
        if 'dns_nameservers' in d and not _s47(d['dns_nameservers']):
            return False
        if 'dns_search' in d and not _s47(d['dns_search']):
            return False
        if 'routes' in d and not _s90(d['routes']):
            return False
        if 'ipv4' in d and not _s25(d['ipv4']):
            return False
        if 'ipv6' in d and not _s25(d['ipv6']):
            return False
        for k in d:
            if k not in _C38:
                return False
        if 'type' not in d:
            return False
    return True


def _s82(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s83(item):
                return False
    return True


def _s79(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'type' in d and not _s80(d['type']):
            return False
        if 'name' in d and not _s27(d['name']):
            return False
        if 'mac_address' in d and not _s37(d['mac_address']):
            return False
        if 'mtu' in d and not _s81(d['mtu']):
            return False
        if 'accept-ra' in d and not _s29(d['accept-ra']):
            return False
        if 'wakeonlan' in d and not _s25(d['wakeonlan']):
            return False
        if 'params' in d and not _s48(d['params']):
            return False
        if 'subnets' in d and not _s82(d['subnets']):
            return False
        for k in d:
            if k not in _C39:
                return False
        if 'name' not in d:
            return False
    return True


def _s76(d: Any) -> bool:
    if _s77(d) and not _s79(d):
        return False
    return True


def _s94(d: Any) -> bool:
    if not d == 'bond':
        return False
    return True


def _s93(d: Any) -> bool:
    if isinstance(d, dict):
        if 'type' in d and not _s94(d['type']):
            return False
        if 'type' not in d:
            return False
    return True


def _s96(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C40):
        return False
    return True


def _s98(d: Any) -> bool:
    if not (isinstance(d, str) or is_integer(d) or isinstance(d, bool) or isinstance(d, list)):
        return False
    return True


def _s99(d: Any) -> bool:
    if isinstance(d, str):
        if not search(1, d):
            return False
    return True


def _s97(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        for k in d:
            if k not in _C4 and not _s98(d[k]):
                return False
        for k in d:
            if not _s99(k):
                return False
    return True


def _s95(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'type' in d and not _s96(d['type']):
            return False
        if 'name' in d and not _s27(d['name']):
            return False
        if 'mac_address' in d and not _s37(d['mac_address']):
            return False
        if 'bond_interfaces' in d and not _s35(d['bond_interfaces']):
            return False
        if 'params' in d and not _s97(d['params']):
            return False
        if 'mtu' in d and not _s81(d['mtu']):
            return False
        if 'accept-ra' in d and not _s29(d['accept-ra']):
            return False
        if 'subnets' in d and not _s82(d['subnets']):
            return False
        for k in d:
            if k not in _C41:
                return False
        if 'name' not in d:
            return False
        if 'bond_interfaces' not in d:
            return False
        if 'params' not in d:
            return False
    return True


def _s92(d: Any) -> bool:
    if _s93(d) and not _s95(d):
        return False
    return True


def _s102(d: Any) -> bool:
    if not d == 'bridge':
        return False
    return True


def _s101(d: Any) -> bool:
    if isinstance(d, dict):
        if 'type' in d and not _s102(d['type']):
            return False
        if 'type' not in d:
            return False
    return True


def _s104(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C42):
        return False
    return True


def _s106(d: Any) -> bool:
    if isinstance(d, str):
        if not search(2, d):
            return False
    return True


def _s105(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        for k in d:
            if k not in _C4 and not _s98(d[k]):
                return False
        for k in d:
            if not _s106(k):
                return False
    return True


def _s103(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'type' in d and not _s104(d['type']):
            return False
        if 'name' in d and not _s27(d['name']):
            return False
        if 'mac_address' in d and not _s37(d['mac_address']):
            return False
        if 'bridge_interfaces' in d and not _s35(d['bridge_interfaces']):
            return False
        if 'params' in d and not _s105(d['params']):
            return False
        if 'mtu' in d and not _s81(d['mtu']):
            return False
        if 'accept-ra' in d and not _s29(d['accept-ra']):
            return False
        if 'subnets' in d and not _s82(d['subnets']):
            return False
        for k in d:
            if k not in _C43:
                return False
        if 'name' not in d:
            return False
        if 'bridge_interfaces' not in d:
            return False
    return True


def _s100(d: Any) -> bool:
    if _s101(d) and not _s103(d):
        return False
    return True


def _s109(d: Any) -> bool:
    if not d == 'vlan':
        return False
    return True


def _s108(d: Any) -> bool:
    if isinstance(d, dict):
        if 'type' in d and not _s109(d['type']):
            return False
        if 'type' not in d:
            return False
    return True


def _s111(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C44):
        return False
    return True


def _s110(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'type' in d and not _s111(d['type']):
            return False
        if 'name' in d and not _s27(d['name']):
            return False
        if 'vlan_link' in d and not _s27(d['vlan_link']):
            return False
        if 'vlan_id' in d and not _s71(d['vlan_id']):
            return False
        if 'mac_address' in d and not _s37(d['mac_address']):
            return False
        if 'mtu' in d and not _s81(d['mtu']):
            return False
        if 'accept-ra' in d and not _s29(d['accept-ra']):
            return False
        if 'subnets' in d and not _s82(d['subnets']):
            return False
        for k in d:
            if k not in _C45:
                return False
        if 'name' not in d:
            return False
        if 'vlan_link' not in d:
            return False
        if 'vlan_id' not in d:
            return False
    return True


def _s107(d: Any) -> bool:
    if _s108(d) and not _s110(d):
        return False
    return True


def _s114(d: Any) -> bool:
    if not d == 'nameserver':
        return False
    return True


def _s113(d: Any) -> bool:
    if isinstance(d, dict):
        if 'type' in d and not _s114(d['type']):
            return False
        if 'type' not in d:
            return False
    return True


def _s116(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C46):
        return False
    return True


def _s115(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'type' in d and not _s116(d['type']):
            return False
        if 'address' in d and not _s47(d['address']):
            return False
        if 'search' in d and not _s47(d['search']):
            return False
        if 'interface' in d and not _s27(d['interface']):
            return False
        for k in d:
            if k not in _C47:
                return False
        if 'address' not in d:
            return False
    return True


def _s112(d: Any) -> bool:
    if _s113(d) and not _s115(d):
        return False
    return True


def _s119(d: Any) -> bool:
    if not d == 'route':
        return False
    return True


def _s118(d: Any) -> bool:
    if isinstance(d, dict):
        if 'type' in d and not _s119(d['type']):
            return False
        if 'type' not in d:
            return False
    return True


def _s121(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C48):
        return False
    return True


def _s120(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'type' in d and not _s121(d['type']):
            return False
        if 'destination' in d and not _s27(d['destination']):
            return False
        if 'network' in d and not _s27(d['network']):
            return False
        if 'netmask' in d and not _s27(d['netmask']):
            return False
        if 'prefix' in d and not _s56(d['prefix']):
            return False
        if 'gateway' in d and not _s27(d['gateway']):
            return False
        if 'metric' in d and not _s56(d['metric']):
            return False
        for k in d:
            if k not in _C49:
                return False
        if 'destination' not in d:
            return False
    return True


def _s117(d: Any) -> bool:
    if _s118(d) and not _s120(d):
        return False
    return True


def _s124(d: Any) -> bool:
    if not d == 'loopback':
        return False
    return True


def _s123(d: Any) -> bool:
    if isinstance(d, dict):
        if 'type' in d and not _s124(d['type']):
            return False
        if 'type' not in d:
            return False
    return True


def _s126(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C50):
        return False
    return True


def _s125(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'type' in d and not _s126(d['type']):
            return False
        if 'name' in d and not _s27(d['name']):
            return False
        if 'subnets' in d and not _s82(d['subnets']):
            return False
        for k in d:
            if k not in _C51:
                return False
        if 'name' not in d:
            return False
    return True


def _s122(d: Any) -> bool:
    if _s123(d) and not _s125(d):
        return False
    return True


def _s129(d: Any) -> bool:
    if not d == 'infiniband':
        return False
    return True


def _s128(d: Any) -> bool:
    if isinstance(d, dict):
        if 'type' in d and not _s129(d['type']):
            return False
        if 'type' not in d:
            return False
    return True


def _s131(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C52):
        return False
    return True


def _s130(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'type' in d and not _s131(d['type']):
            return False
        if 'name' in d and not _s27(d['name']):
            return False
        if 'mac_address' in d and not _s37(d['mac_address']):
            return False
        if 'mtu' in d and not _s81(d['mtu']):
            return False
        if 'subnets' in d and not _s82(d['subnets']):
            return False
        for k in d:
            if k not in _C53:
                return False
        if 'name' not in d:
            return False
    return True


def _s127(d: Any) -> bool:
    if _s128(d) and not _s130(d):
        return False
    return True


def _s132(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C54):
        return False
    return True


def _s75(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if not _s76(d):
        return False
    if not _s92(d):
        return False
    if not _s100(d):
        return False
    if not _s107(d):
        return False
    if not _s112(d):
        return False
    if not _s117(d):
        return False
    if not _s122(d):
        return False
    if not _s127(d):
        return False
    if isinstance(d, dict):
        if 'type' in d and not _s132(d['type']):
            return False
        if 'type' not in d:
            return False
    return True


def _s74(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s75(item):
                return False
    return True


def _s73(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'version' in d and not _s19(d['version']):
            return False
        if 'config' in d and not _s74(d['config']):
            return False
        for k in d:
            if k not in _C55:
                return False
        if 'version' not in d:
            return False
        if 'config' not in d:
            return False
    return True


def _s8(d: Any) -> bool:
    if _s9(d):
        if not _s20(d):
            return False
    elif not _s73(d):
        return False
    return True


def _s3(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if _s4(d):
        if not _s6(d):
            return False
    elif not _s8(d):
        return False
    return True


def _s2(d: Any) -> bool:
    if isinstance(d, dict):
        if 'network' in d and not _s3(d['network']):
            return False
        for k in d:
            if k not in _C56:
                return False
    return True


def _s0(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if _s1(d):
        if not _s2(d):
            return False
    elif not _s3(d):
        return False
    return True


def _anything(d: Any) -> bool:
    return True


def _nothing(d: Any) -> bool:
    return False
