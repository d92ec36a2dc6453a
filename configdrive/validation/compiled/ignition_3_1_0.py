"""Generated from schemas/ignition/3.1.0.schema.json by scripts/compile_schemas.py.

Do not edit: change the schema, then run `python scripts/compile_schemas.py`.

"""

from typing import Any

from configdrive.validation.compiled import is_integer, is_number, searcher

search = searcher(
)
_C0 = frozenset(['hash'])
_C1 = frozenset(['name', 'value'])
_C2 = frozenset(['compression', 'httpHeaders', 'source', 'verification'])
_C3 = frozenset(['merge', 'replace'])
_C4 = frozenset(['httpResponseHeaders', 'httpTotal'])
_C5 = frozenset(['certificateAuthorities'])
_C6 = frozenset(['tls'])
_C7 = frozenset(['httpProxy', 'httpsProxy', 'noProxy'])
_C8 = frozenset(['config', 'proxy', 'security', 'timeouts', 'version'])
_C9 = frozenset(['guid', 'label', 'number', 'shouldExist', 'sizeMiB', 'startMiB', 'typeGuid', 'wipePartitionEntry'])
_C10 = frozenset(['device', 'partitions', 'wipeTable'])
_C11 = frozenset(['devices', 'level', 'name', 'options', 'spares'])
_C12 = frozenset(['device', 'format', 'label', 'mountOptions', 'options', 'path', 'uuid', 'wipeFilesystem'])
_C13 = frozenset(['id', 'name'])
_C14 = frozenset(['append', 'contents', 'group', 'mode', 'overwrite', 'path', 'user'])
_C15 = frozenset(['group', 'mode', 'overwrite', 'path', 'user'])
_C16 = frozenset(['group', 'hard', 'overwrite', 'path', 'target', 'user'])
_C17 = frozenset(['directories', 'disks', 'files', 'filesystems', 'links', 'raid'])
_C18 = frozenset(['contents', 'name'])
_C19 = frozenset(['contents', 'dropins', 'enabled', 'mask', 'name'])
_C20 = frozenset(['units'])
_C21 = frozenset(['gecos', 'groups', 'homeDir', 'name', 'noCreateHome', 'noLogInit', 'noUserGroup', 'passwordHash', 'primaryGroup', 'shell', 'sshAuthorizedKeys', 'system', 'uid'])
_C22 = frozenset(['gid', 'name', 'passwordHash', 'system'])
_C23 = frozenset(['groups', 'users'])
_C24 = frozenset(['ignition', 'passwd', 'storage', 'systemd'])
TYPOS: dict[str, Any] = {}


def clean(data: Any) -> bool:
    """Whether jsonschema, extended as json_schemas does, finds nothing in `data`."""
    return _s0(data)


def _s2(d: Any) -> bool:
    if not (isinstance(d, str) or d is None):
        return False
    return True


def _s6(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'hash' in d and not _s2(d['hash']):
            return False
        for k in d:
            if k not in _C0:
                return False
    return True


def _s8(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'name' in d and not _s2(d['name']):
            return False
        if 'value' in d and not _s2(d['value']):
            return False
        for k in d:
            if k not in _C1:
                return False
    return True


def _s7(d: Any) -> bool:
    if not (isinstance(d, list) or d is None):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s8(item):
                return False
    return True


def _s5(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'source' in d and not _s2(d['source']):
            return False
        if 'verification' in d and not _s6(d['verification']):
            return False
        if 'compression' in d and not _s2(d['compression']):
            return False
        if 'httpHeaders' in d and not _s7(d['httpHeaders']):
            return False
        for k in d:
            if k not in _C2:
                return False
    return True


def _s4(d: Any) -> bool:
    if not (isinstance(d, list) or d is None):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s5(item):
                return False
    return True


def _s3(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'merge' in d and not _s4(d['merge']):
            return False
        if 'replace' in d and not _s5(d['replace']):
            return False
        for k in d:
            if k not in _C3:
                return False
    return True


def _s10(d: Any) -> bool:
    if not (is_integer(d) or d is None):
        return False
    if is_number(d):
        if d < -9223372036854775808:
            return False
        if d > 9223372036854775807:
            return False
    return True


def _s9(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'httpResponseHeaders' in d and not _s10(d['httpResponseHeaders']):
            return False
        if 'httpTotal' in d and not _s10(d['httpTotal']):
            return False
        for k in d:
            if k not in _C4:
                return False
    return True


def _s13(d: Any) -> bool:
    if not (isinstance(d, list) or d is None):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s5(item):
                return False
    return True


def _s12(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'certificateAuthorities' in d and not _s13(d['certificateAuthorities']):
            return False
        for k in d:
            if k not in _C5:
                return False
    return True


def _s11(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'tls' in d and not _s12(d['tls']):
            return False
        for k in d:
            if k not in _C6:
                return False
    return True


def _s15(d: Any) -> bool:
    if not (isinstance(d, list) or d is None):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s2(item):
                return False
    return True


def _s14(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'httpProxy' in d and not _s2(d['httpProxy']):
            return False
        if 'httpsProxy' in d and not _s2(d['httpsProxy']):
            return False
        if 'noProxy' in d and not _s15(d['noProxy']):
            return False
        for k in d:
            if k not in _C7:
                return False
    return True


def _s1(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'version' in d and not _s2(d['version']):
            return False
        if 'config' in d and not _s3(d['config']):
            return False
        if 'timeouts' in d and not _s9(d['timeouts']):
            return False
        if 'security' in d and not _s11(d['security']):
            return False
        if 'proxy' in d and not _s14(d['proxy']):
            return False
        for k in d:
            if k not in _C8:
                return False
    return True


def _s19(d: Any) -> bool:
    if not (isinstance(d, bool) or d is None):
        return False
    return True


def _s21(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'label' in d and not _s2(d['label']):
            return False
        if 'number' in d and not _s10(d['number']):
            return False
        if 'sizeMiB' in d and not _s10(d['sizeMiB']):
            return False
        if 'startMiB' in d and not _s10(d['startMiB']):
            return False
        if 'typeGuid' in d and not _s2(d['typeGuid']):
            return False
        if 'guid' in d and not _s2(d['guid']):
            return False
        if 'wipePartitionEntry' in d and not _s19(d['wipePartitionEntry']):
            return False
        if 'shouldExist' in d and not _s19(d['shouldExist']):
            return False
        for k in d:
            if k not in _C9:
                return False
    return True


def _s20(d: Any) -> bool:
    if not (isinstance(d, list) or d is None):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s21(item):
                return False
    return True


def _s18(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'device' in d and not _s2(d['device']):
            return False
        if 'wipeTable' in d and not _s19(d['wipeTable']):
            return False
        if 'partitions' in d and not _s20(d['partitions']):
            return False
        for k in d:
            if k not in _C10:
                return False
    return True


def _s17(d: Any) -> bool:
    if not (isinstance(d, list) or d is None):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s18(item):
                return False
    return True


def _s23(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'name' in d and not _s2(d['name']):
            return False
        if 'level' in d and not _s2(d['level']):
            return False
        if 'devices' in d and not _s15(d['devices']):
            return False
        if 'spares' in d and not _s10(d['spares']):
            return False
        if 'options' in d and not _s15(d['options']):
            return False
        for k in d:
            if k not in _C11:
                return False
    return True


def _s22(d: Any) -> bool:
    if not (isinstance(d, list) or d is None):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s23(item):
                return False
    return True


def _s25(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'path' in d and not _s2(d['path']):
            return False
        if 'device' in d and not _s2(d['device']):
            return False
        if 'format' in d and not _s2(d['format']):
            return False
        if 'options' in d and not _s15(d['options']):
            return False
        if 'wipeFilesystem' in d and not _s19(d['wipeFilesystem']):
            return False
        if 'label' in d and not _s2(d['label']):
            return False
        if 'uuid' in d and not _s2(d['uuid']):
            return False
        if 'mountOptions' in d and not _s15(d['mountOptions']):
            return False
        for k in d:
            if k not in _C12:
                return False
    return True


def _s24(d: Any) -> bool:
    if not (isinstance(d, list) or d is None):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s25(item):
                return False
    return True


def _s28(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'id' in d and not _s10(d['id']):
            return False
        if 'name' in d and not _s2(d['name']):
            return False
        for k in d:
            if k not in _C13:
                return False
    return True


def _s29(d: Any) -> bool:
    if not (isinstance(d, list) or d is None):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s5(item):
                return False
    return True


def _s27(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'path' in d and not _s2(d['path']):
            return False
        if 'overwrite' in d and not _s19(d['overwrite']):
            return False
        if 'user' in d and not _s28(d['user']):
            return False
        if 'group' in d and not _s28(d['group']):
            return False
        if 'mode' in d and not _s10(d['mode']):
            return False
        if 'contents' in d and not _s5(d['contents']):
            return False
        if 'append' in d and not _s29(d['append']):
            return False
        for k in d:
            if k not in _C14:
                return False
    return True


def _s26(d: Any) -> bool:
    if not (isinstance(d, list) or d is None):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s27(item):
                return False
    return True


def _s31(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'path' in d and not _s2(d['path']):
            return False
        if 'overwrite' in d and not _s19(d['overwrite']):
            return False
        if 'user' in d and not _s28(d['user']):
            return False
        if 'group' in d and not _s28(d['group']):
            return False
        if 'mode' in d and not _s10(d['mode']):
            return False
        for k in d:
            if k not in _C15:
                return False
    return True


def _s30(d: Any) -> bool:
    if not (isinstance(d, list) or d is None):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s31(item):
                return False
    return True


def _s33(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'path' in d and not _s2(d['path']):
            return False
        if 'overwrite' in d and not _s19(d['overwrite']):
            return False
        if 'user' in d and not _s28(d['user']):
            return False
        if 'group' in d and not _s28(d['group']):
            return False
        if 'target' in d and not _s2(d['target']):
            return False
        if 'hard' in d and not _s19(d['hard']):
            return False
        for k in d:
            if k not in _C16:
                return False
    return True


def _s32(d: Any) -> bool:
    if not (isinstance(d, list) or d is None):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s33(item):
                return False
    return True


def _s16(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'disks' in d and not _s17(d['disks']):
            return False
        if 'raid' in d and not _s22(d['raid']):
            return False
        if 'filesystems' in d and not _s24(d['filesystems']):
            return False
        if 'files' in d and not _s26(d['files']):
            return False
        if 'directories' in d and not _s30(d['directories']):
            return False
        if 'links' in d and not _s32(d['links']):
            return False
        for k in d:
            if k not in _C17:
                return False
    return True


def _s38(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'name' in d and not _s2(d['name']):
            return False
        if 'contents' in d and not _s2(d['contents']):
            return False
        for k in d:
            if k not in _C18:
                return False
    return True


def _s37(d: Any) -> bool:
    if not (isinstance(d, list) or d is None):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s38(item):
                return False
    return True


def _s36(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'name' in d and not _s2(d['name']):
            return False
        if 'enabled' in d and not _s19(d['enabled']):
            return False
        if 'mask' in d and not _s19(d['mask']):
            return False
        if 'contents' in d and not _s2(d['contents']):
            return False
        if 'dropins' in d and not _s37(d['dropins']):
            return False
        for k in d:
            if k not in _C19:
                return False
    return True


def _s35(d: Any) -> bool:
    if not (isinstance(d, list) or d is None):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s36(item):
                return False
    return True


def _s34(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'units' in d and not _s35(d['units']):
            return False
        for k in d:
            if k not in _C20:
                return False
    return True


def _s41(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'name' in d and not _s2(d['name']):
            return False
        if 'passwordHash' in d and not _s2(d['passwordHash']):
            return False
        if 'sshAuthorizedKeys' in d and not _s15(d['sshAuthorizedKeys']):
            return False
        if 'uid' in d and not _s10(d['uid']):
            return False
        if 'gecos' in d and not _s2(d['gecos']):
            return False
        if 'homeDir' in d and not _s2(d['homeDir']):
            return False
        if 'noCreateHome' in d and not _s19(d['noCreateHome']):
            return False
        if 'primaryGroup' in d and not _s2(d['primaryGroup']):
            return False
        if 'groups' in d and not _s15(d['groups']):
            return False
        if 'noUserGroup' in d and not _s19(d['noUserGroup']):
            return False
        if 'noLogInit' in d and not _s19(d['noLogInit']):
            return False
        if 'shell' in d and not _s2(d['shell']):
            return False
        if 'system' in d and not _s19(d['system']):
            return False
        for k in d:
            if k not in _C21:
                return False
    return True


def _s40(d: Any) -> bool:
    if not (isinstance(d, list) or d is None):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s41(item):
                return False
    return True


def _s43(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'name' in d and not _s2(d['name']):
            return False
        if 'gid' in d and not _s10(d['gid']):
            return False
        if 'passwordHash' in d and not _s2(d['passwordHash']):
            return False
        if 'system' in d and not _s19(d['system']):
            return False
        for k in d:
            if k not in _C22:
                return False
    return True


def _s42(d: Any) -> bool:
    if not (isinstance(d, list) or d is None):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s43(item):
                return False
    return True


def _s39(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'users' in d and not _s40(d['users']):
            return False
        if 'groups' in d and not _s42(d['groups']):
            return False
        for k in d:
            if k not in _C23:
                return False
    return True


def _s0(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'ignition' in d and not _s1(d['ignition']):
            return False
        if 'storage' in d and not _s16(d['storage']):
            return False
        if 'systemd' in d and not _s34(d['systemd']):
            return False
        if 'passwd' in d and not _s39(d['passwd']):
            return False
        for k in d:
            if k not in _C24:
                return False
    return True


def _anything(d: Any) -> bool:
    return True


def _nothing(d: Any) -> bool:
    return False
