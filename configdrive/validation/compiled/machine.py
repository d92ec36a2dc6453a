"""Generated from schemas/machine.schema.json by scripts/compile_schemas.py.

Do not edit: change the schema, then run `python scripts/compile_schemas.py`.

"""

from typing import Any

from configdrive.validation.compiled import searcher

search = searcher(
    ':/',
    '^/',
)
_C0 = frozenset(['dest', 'source'])
_C1 = frozenset(['auto', 'cloud-init', 'container-linux'])
_C2 = frozenset(['nocloud', 'openstack'])
_C3 = frozenset(['dir', 'ironic', 'iso', 'vfat'])
_C4 = frozenset(['image', 'oem_platform'])
_C5 = frozenset(['address', 'files', 'format', 'hostname', 'inject', 'layout', 'meta_data', 'meta_data_file', 'name', 'network_data', 'network_data_file', 'output', 'ssh_keys', 'target', 'user_data', 'user_data_file', 'uuid', 'vendor_data', 'vendor_data2', 'vendor_data2_file', 'vendor_data_file'])
TYPOS: dict[str, Any] = {}


def clean(data: Any) -> bool:
    """Whether jsonschema, extended as json_schemas does, finds nothing in `data`."""
    return _s0(data)


def _s1(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if isinstance(d, str):
        if len(d) < 1:
            return False
    return True


def _s2(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    return True


def _s3(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    return True


def _s4(d: Any) -> bool:
    if not (isinstance(d, dict) or isinstance(d, list) or isinstance(d, str)):
        return False
    return True


def _s5(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s1(item):
                return False
    return True


def _s8(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if isinstance(d, str):
        if not search(0, d):
            return False
    return True


def _s10(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if isinstance(d, str):
        if not search(1, d):
            return False
    return True


def _s9(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'source' in d and not _s1(d['source']):
            return False
        if 'dest' in d and not _s10(d['dest']):
            return False
        for k in d:
            if k not in _C0:
                return False
        if 'source' not in d:
            return False
        if 'dest' not in d:
            return False
    return True


def _s7(d: Any) -> bool:
    if (_s8(d) + _s9(d)) != 1:
        return False
    return True


def _s6(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s7(item):
                return False
    return True


def _s11(d: Any) -> bool:
    if not (isinstance(d, str) and d in _C1):
        return False
    return True


def _s12(d: Any) -> bool:
    if not (isinstance(d, str) and d in _C2):
        return False
    return True


def _s13(d: Any) -> bool:
    if not (isinstance(d, str) and d in _C3):
        return False
    return True


def _s14(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'image' in d and not _s1(d['image']):
            return False
        if 'oem_platform' in d and not _s1(d['oem_platform']):
            return False
        for k in d:
            if k not in _C4:
                return False
        if 'image' not in d:
            return False
    return True


def _s0(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'name' in d and not _s1(d['name']):
            return False
        if 'hostname' in d and not _s2(d['hostname']):
            return False
        if 'uuid' in d and not _s2(d['uuid']):
            return False
        if 'user_data' in d and not _s2(d['user_data']):
            return False
        if 'user_data_file' in d and not _s1(d['user_data_file']):
            return False
        if 'meta_data' in d and not _s3(d['meta_data']):
            return False
        if 'meta_data_file' in d and not _s1(d['meta_data_file']):
            return False
        if 'network_data' in d and not _s3(d['network_data']):
            return False
        if 'network_data_file' in d and not _s1(d['network_data_file']):
            return False
        if 'vendor_data' in d and not _s4(d['vendor_data']):
            return False
        if 'vendor_data_file' in d and not _s1(d['vendor_data_file']):
            return False
        if 'vendor_data2' in d and not _s4(d['vendor_data2']):
            return False
        if 'vendor_data2_file' in d and not _s1(d['vendor_data2_file']):
            return False
        if 'ssh_keys' in d and not _s5(d['ssh_keys']):
            return False
        if 'files' in d and not _s6(d['files']):
            return False
        if 'target' in d and not _s11(d['target']):
            return False
        if 'layout' in d and not _s12(d['layout']):
            return False
        if 'format' in d and not _s13(d['format']):
            return False
        if 'output' in d and not _s1(d['output']):
            return False
        if 'address' in d and not _s2(d['address']):
            return False
        if 'inject' in d and not _s14(d['inject']):
            return False
        for k in d:
            if k not in _C5:
                return False
    return True


def _anything(d: Any) -> bool:
    return True


def _nothing(d: Any) -> bool:
    return False
