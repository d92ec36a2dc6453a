"""Generated from schemas/meta-data.schema.json by scripts/compile_schemas.py.

Do not edit: change the schema, then run `python scripts/compile_schemas.py`.

"""

from typing import Any

from configdrive.validation.compiled import is_integer, is_number, searcher

search = searcher(
)
_C0 = frozenset[str]()
_C1 = frozenset(['ssh', 'x509'])
_C2 = frozenset(['data', 'name', 'type'])
TYPOS: dict[str, Any] = {'properties': {'uuid': {},
                'name': {},
                'hostname': {},
                'launch_index': {},
                'availability_zone': {},
                'meta': {},
                'public_keys': {},
                'keys': {},
                'files': {'items': {'properties': {'path': {}, 'content_path': {}}}},
                'network_config': {'properties': {'name': {}, 'content_path': {}}},
                'random_seed': {},
                'project_id': {},
                'admin_pass': {},
                'devices': {},
                'dedicated_cpus': {},
                'instance-id': {},
                'local-hostname': {},
                'public-keys': {},
                'dsmode': {},
                'network-interfaces': {},
                'seedfrom': {}}}


def clean(data: Any) -> bool:
    """Whether jsonschema, extended as json_schemas does, finds nothing in `data`."""
    return _s0(data)


def _s1(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    return True


def _s2(d: Any) -> bool:
    if not (is_integer(d)):
        return False
    if is_number(d):
        if d < 0:
            return False
    return True


def _s3(d: Any) -> bool:
    if not (isinstance(d, str) or d is None):
        return False
    return True


def _s4(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        for k in d:
            if k not in _C0 and not _s1(d[k]):
                return False
    return True


def _s7(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C1):
        return False
    return True


def _s6(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'name' in d and not _s1(d['name']):
            return False
        if 'type' in d and not _s7(d['type']):
            return False
        if 'data' in d and not _s1(d['data']):
            return False
        for k in d:
            if k not in _C2:
                return False
        if 'data' not in d:
            return False
    return True


def _s5(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s6(item):
                return False
    return True


def _s9(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'path' in d and not _s1(d['path']):
            return False
        if 'content_path' in d and not _s1(d['content_path']):
            return False
        if 'path' not in d:
            return False
        if 'content_path' not in d:
            return False
    return True


def _s8(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s9(item):
                return False
    return True


def _s10(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'name' in d and not _s1(d['name']):
            return False
        if 'content_path' in d and not _s1(d['content_path']):
            return False
    return True


def _s12(d: Any) -> bool:
    if not (isinstance(d, dict)):
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


def _s13(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s2(item):
                return False
    return True


def _s14(d: Any) -> bool:
    return True


def _s0(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'uuid' in d and not _s1(d['uuid']):
            return False
        if 'name' in d and not _s1(d['name']):
            return False
        if 'hostname' in d and not _s1(d['hostname']):
            return False
        if 'launch_index' in d and not _s2(d['launch_index']):
            return False
        if 'availability_zone' in d and not _s3(d['availability_zone']):
            return False
        if 'meta' in d and not _s4(d['meta']):
            return False
        if 'public_keys' in d and not _s4(d['public_keys']):
            return False
        if 'keys' in d and not _s5(d['keys']):
            return False
        if 'files' in d and not _s8(d['files']):
            return False
        if 'network_config' in d and not _s10(d['network_config']):
            return False
        if 'random_seed' in d and not _s1(d['random_seed']):
            return False
        if 'project_id' in d and not _s1(d['project_id']):
            return False
        if 'admin_pass' in d and not _s1(d['admin_pass']):
            return False
        if 'devices' in d and not _s11(d['devices']):
            return False
        if 'dedicated_cpus' in d and not _s13(d['dedicated_cpus']):
            return False
        if 'instance-id' in d and not _s14(d['instance-id']):
            return False
        if 'local-hostname' in d and not _s14(d['local-hostname']):
            return False
        if 'public-keys' in d and not _s14(d['public-keys']):
            return False
        if 'dsmode' in d and not _s14(d['dsmode']):
            return False
        if 'network-interfaces' in d and not _s14(d['network-interfaces']):
            return False
        if 'seedfrom' in d and not _s14(d['seedfrom']):
            return False
    return True


def _anything(d: Any) -> bool:
    return True


def _nothing(d: Any) -> bool:
    return False
