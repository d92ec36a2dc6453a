"""The Go structs coreos-cloudinit v1.14.0 decodes a cloud-config into: its keys and their types.

Transcribed from github.com/coreos/coreos-cloudinit at tag v1.14.0, `config/*.go`; each
struct and field names the file and line it came from. A `valid` pattern is the field's
`valid:` tag (checked by `config.AssertValid`, config/config.go:137), a `deprecated` text its
`deprecated:` tag (reported by the validator, config/validate/rules.go:85). Keys are the
`yaml:` names; v1.14.0 turns every dash in a key into an underscore before it looks
them up (config/config.go:63-65).

Flatcar's fork (github.com/flatcar/coreos-cloudinit at 1c1d7f4) declares the same structs,
fields, types and tags: `git diff v1.14.0 1c1d7f4 -- config/` changes none of config/etcd.go,
etcd2.go, fleet.go, flannel.go, locksmith.go, oem.go, update.go, unit.go, file.go, user.go,
and in config/config.go:32-50 only the line numbers move (CloudConfig at :32, CoreOS at :41).
It no longer turns dashes into underscores (its config/config.go:76-80).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Union

# The scalar Go types the structs use, named as the validator names them (HumanType).
STRING = "string"
INT = "int"
FLOAT = "float64"
BOOL = "bool"


@dataclass(frozen=True)
class ListOf:
    """A Go slice: `[]item`."""

    item: GoType


@dataclass(frozen=True)
class Field:
    """One struct field: its Go type, where it is declared, and its tags."""

    kind: GoType
    at: str
    valid: str | None = None
    deprecated: str | None = None


@dataclass(frozen=True)
class Struct:
    """A Go struct: the keys a mapping may hold at this place."""

    name: str
    at: str
    fields: Mapping[str, Field]


GoType = Union[str, ListOf, Struct]  # noqa: UP007 (a runtime alias: `|` on strings fails)
STRINGS = ListOf(STRING)
_REMOTE_KEYS = "trying to fetch from a remote endpoint introduces too many intermittent errors"

ETCD = Struct(
    "Etcd",
    "config/etcd.go:17",
    {
        "addr": Field(STRING, "config/etcd.go:18"),
        "advertise_client_urls": Field(
            STRING, "config/etcd.go:19", deprecated="etcd2 options no longer work for etcd"
        ),
        "bind_addr": Field(STRING, "config/etcd.go:20"),
        "ca_file": Field(STRING, "config/etcd.go:21"),
        "cert_file": Field(STRING, "config/etcd.go:22"),
        "cluster_active_size": Field(INT, "config/etcd.go:23"),
        "cluster_remove_delay": Field(FLOAT, "config/etcd.go:24"),
        "cluster_sync_interval": Field(FLOAT, "config/etcd.go:25"),
        "cors": Field(STRING, "config/etcd.go:26"),
        "data_dir": Field(STRING, "config/etcd.go:27"),
        "discovery": Field(STRING, "config/etcd.go:28"),
        "discovery_fallback": Field(
            STRING, "config/etcd.go:29", deprecated="etcd2 options no longer work for etcd"
        ),
        "discovery_srv": Field(
            STRING, "config/etcd.go:30", deprecated="etcd2 options no longer work for etcd"
        ),
        "discovery_proxy": Field(
            STRING, "config/etcd.go:31", deprecated="etcd2 options no longer work for etcd"
        ),
        "election_timeout": Field(
            INT, "config/etcd.go:32", deprecated="etcd2 options no longer work for etcd"
        ),
        "force_new_cluster": Field(
            BOOL, "config/etcd.go:33", deprecated="etcd2 options no longer work for etcd"
        ),
        "graphite_host": Field(STRING, "config/etcd.go:34"),
        "heartbeat_interval": Field(
            INT, "config/etcd.go:35", deprecated="etcd2 options no longer work for etcd"
        ),
        "http_read_timeout": Field(FLOAT, "config/etcd.go:36"),
        "http_write_timeout": Field(FLOAT, "config/etcd.go:37"),
        "initial_advertise_peer_urls": Field(
            STRING, "config/etcd.go:38", deprecated="etcd2 options no longer work for etcd"
        ),
        "initial_cluster": Field(
            STRING, "config/etcd.go:39", deprecated="etcd2 options no longer work for etcd"
        ),
        "initial_cluster_state": Field(
            STRING, "config/etcd.go:40", deprecated="etcd2 options no longer work for etcd"
        ),
        "initial_cluster_token": Field(
            STRING, "config/etcd.go:41", deprecated="etcd2 options no longer work for etcd"
        ),
        "key_file": Field(STRING, "config/etcd.go:42"),
        "listen_client_urls": Field(
            STRING, "config/etcd.go:43", deprecated="etcd2 options no longer work for etcd"
        ),
        "listen_peer_urls": Field(
            STRING, "config/etcd.go:44", deprecated="etcd2 options no longer work for etcd"
        ),
        "max_result_buffer": Field(INT, "config/etcd.go:45"),
        "max_retry_attempts": Field(INT, "config/etcd.go:46"),
        "max_snapshots": Field(
            INT, "config/etcd.go:47", deprecated="etcd2 options no longer work for etcd"
        ),
        "max_wals": Field(
            INT, "config/etcd.go:48", deprecated="etcd2 options no longer work for etcd"
        ),
        "name": Field(STRING, "config/etcd.go:49"),
        "peer_addr": Field(STRING, "config/etcd.go:50"),
        "peer_bind_addr": Field(STRING, "config/etcd.go:51"),
        "peer_ca_file": Field(STRING, "config/etcd.go:52"),
        "peer_cert_file": Field(STRING, "config/etcd.go:53"),
        "peer_election_timeout": Field(INT, "config/etcd.go:54"),
        "peer_heartbeat_interval": Field(INT, "config/etcd.go:55"),
        "peer_key_file": Field(STRING, "config/etcd.go:56"),
        "peers": Field(STRING, "config/etcd.go:57"),
        "peers_file": Field(STRING, "config/etcd.go:58"),
        "proxy": Field(
            STRING, "config/etcd.go:59", deprecated="etcd2 options no longer work for etcd"
        ),
        "retry_interval": Field(FLOAT, "config/etcd.go:60"),
        "snapshot": Field(BOOL, "config/etcd.go:61"),
        "snapshot_count": Field(INT, "config/etcd.go:62"),
        "trace": Field(STRING, "config/etcd.go:63"),
        "verbose": Field(BOOL, "config/etcd.go:64"),
        "very_verbose": Field(BOOL, "config/etcd.go:65"),
        "very_very_verbose": Field(BOOL, "config/etcd.go:66"),
    },
)


ETCD2 = Struct(
    "Etcd2",
    "config/etcd2.go:17",
    {
        "advertise_client_urls": Field(STRING, "config/etcd2.go:18"),
        "ca_file": Field(
            STRING,
            "config/etcd2.go:19",
            deprecated="ca_file obsoleted by trusted_ca_file and client_cert_auth",
        ),
        "cert_file": Field(STRING, "config/etcd2.go:20"),
        "client_cert_auth": Field(BOOL, "config/etcd2.go:21"),
        "cors": Field(STRING, "config/etcd2.go:22"),
        "data_dir": Field(STRING, "config/etcd2.go:23"),
        "debug": Field(BOOL, "config/etcd2.go:24"),
        "discovery": Field(STRING, "config/etcd2.go:25"),
        "discovery_fallback": Field(STRING, "config/etcd2.go:26"),
        "discovery_srv": Field(STRING, "config/etcd2.go:27"),
        "discovery_proxy": Field(STRING, "config/etcd2.go:28"),
        "election_timeout": Field(INT, "config/etcd2.go:29"),
        "enable_pprof": Field(BOOL, "config/etcd2.go:30"),
        "force_new_cluster": Field(BOOL, "config/etcd2.go:31"),
        "heartbeat_interval": Field(INT, "config/etcd2.go:32"),
        "initial_advertise_peer_urls": Field(STRING, "config/etcd2.go:33"),
        "initial_cluster": Field(STRING, "config/etcd2.go:34"),
        "initial_cluster_state": Field(STRING, "config/etcd2.go:35"),
        "initial_cluster_token": Field(STRING, "config/etcd2.go:36"),
        "key_file": Field(STRING, "config/etcd2.go:37"),
        "listen_client_urls": Field(STRING, "config/etcd2.go:38"),
        "listen_peer_urls": Field(STRING, "config/etcd2.go:39"),
        "log_package_levels": Field(STRING, "config/etcd2.go:40"),
        "max_snapshots": Field(INT, "config/etcd2.go:41"),
        "max_wals": Field(INT, "config/etcd2.go:42"),
        "name": Field(STRING, "config/etcd2.go:43"),
        "peer_ca_file": Field(
            STRING,
            "config/etcd2.go:44",
            deprecated="peer_ca_file obsoleted peer_trusted_ca_file and peer_client_cert_auth",
        ),
        "peer_cert_file": Field(STRING, "config/etcd2.go:45"),
        "peer_key_file": Field(STRING, "config/etcd2.go:46"),
        "peer_client_cert_auth": Field(BOOL, "config/etcd2.go:47"),
        "peer_trusted_ca_file": Field(STRING, "config/etcd2.go:48"),
        "proxy": Field(STRING, "config/etcd2.go:49", valid="^(on|off|readonly)$"),
        "proxy_dial_timeout": Field(INT, "config/etcd2.go:50"),
        "proxy_failure_wait": Field(INT, "config/etcd2.go:51"),
        "proxy_read_timeout": Field(INT, "config/etcd2.go:52"),
        "proxy_refresh_interval": Field(INT, "config/etcd2.go:53"),
        "proxy_write_timeout": Field(INT, "config/etcd2.go:54"),
        "snapshot_count": Field(INT, "config/etcd2.go:55"),
        "strict_reconfig_check": Field(BOOL, "config/etcd2.go:56"),
        "trusted_ca_file": Field(STRING, "config/etcd2.go:57"),
        "wal_dir": Field(STRING, "config/etcd2.go:58"),
    },
)


FLEET = Struct(
    "Fleet",
    "config/fleet.go:17",
    {
        "agent_ttl": Field(STRING, "config/fleet.go:18"),
        "authorized_keys_file": Field(STRING, "config/fleet.go:19"),
        "disable_engine": Field(BOOL, "config/fleet.go:20"),
        "engine_reconcile_interval": Field(FLOAT, "config/fleet.go:21"),
        "etcd_cafile": Field(STRING, "config/fleet.go:22"),
        "etcd_certfile": Field(STRING, "config/fleet.go:23"),
        "etcd_keyfile": Field(STRING, "config/fleet.go:24"),
        "etcd_key_prefix": Field(STRING, "config/fleet.go:25"),
        "etcd_request_timeout": Field(FLOAT, "config/fleet.go:26"),
        "etcd_servers": Field(STRING, "config/fleet.go:27"),
        "etcd_username": Field(STRING, "config/fleet.go:28"),
        "etcd_password": Field(STRING, "config/fleet.go:29"),
        "metadata": Field(STRING, "config/fleet.go:30"),
        "public_ip": Field(STRING, "config/fleet.go:31"),
        "token_limit": Field(INT, "config/fleet.go:32"),
        "verbosity": Field(INT, "config/fleet.go:33"),
        "verify_units": Field(BOOL, "config/fleet.go:34"),
    },
)


FLANNEL = Struct(
    "Flannel",
    "config/flannel.go:17",
    {
        "etcd_endpoints": Field(STRING, "config/flannel.go:18"),
        "etcd_cafile": Field(STRING, "config/flannel.go:19"),
        "etcd_certfile": Field(STRING, "config/flannel.go:20"),
        "etcd_keyfile": Field(STRING, "config/flannel.go:21"),
        "etcd_prefix": Field(STRING, "config/flannel.go:22"),
        "etcd_username": Field(STRING, "config/flannel.go:23"),
        "etcd_password": Field(STRING, "config/flannel.go:24"),
        "ip_masq": Field(STRING, "config/flannel.go:25"),
        "subnet_file": Field(STRING, "config/flannel.go:26"),
        "interface": Field(STRING, "config/flannel.go:27"),
        "public_ip": Field(STRING, "config/flannel.go:28"),
    },
)


LOCKSMITH = Struct(
    "Locksmith",
    "config/locksmith.go:17",
    {
        "endpoint": Field(STRING, "config/locksmith.go:18"),
        "etcd_cafile": Field(STRING, "config/locksmith.go:19"),
        "etcd_certfile": Field(STRING, "config/locksmith.go:20"),
        "etcd_keyfile": Field(STRING, "config/locksmith.go:21"),
        "etcd_username": Field(STRING, "config/locksmith.go:22"),
        "etcd_password": Field(STRING, "config/locksmith.go:23"),
        "group": Field(STRING, "config/locksmith.go:24"),
        "window_start": Field(
            STRING,
            "config/locksmith.go:25",
            valid=(
                "^((?i:sun|mon|tue|wed|thu|fri|sat|sun) )?"
                "0*([0-9]|1[0-9]|2[0-3]):0*([0-9]|[1-5][0-9])$"
            ),
        ),
        "window_length": Field(
            STRING, "config/locksmith.go:26", valid="^[-+]?([0-9]*(\\.[0-9]*)?[a-z]+)+$"
        ),
    },
)


OEM = Struct(
    "OEM",
    "config/oem.go:17",
    {
        "id": Field(STRING, "config/oem.go:18"),
        "name": Field(STRING, "config/oem.go:19"),
        "version_id": Field(STRING, "config/oem.go:20"),
        "home_url": Field(STRING, "config/oem.go:21"),
        "bug_report_url": Field(STRING, "config/oem.go:22"),
    },
)


UPDATE = Struct(
    "Update",
    "config/update.go:17",
    {
        "reboot_strategy": Field(STRING, "config/update.go:18", valid="^(etcd-lock|reboot|off)$"),
        "group": Field(STRING, "config/update.go:19"),
        "server": Field(STRING, "config/update.go:20"),
    },
)


UNIT_DROP_IN = Struct(
    "UnitDropIn",
    "config/unit.go:27",
    {
        "name": Field(STRING, "config/unit.go:28"),
        "content": Field(STRING, "config/unit.go:29"),
    },
)


UNIT = Struct(
    "Unit",
    "config/unit.go:17",
    {
        "name": Field(STRING, "config/unit.go:18"),
        "mask": Field(BOOL, "config/unit.go:19"),
        "enable": Field(BOOL, "config/unit.go:20"),
        "runtime": Field(BOOL, "config/unit.go:21"),
        "content": Field(STRING, "config/unit.go:22"),
        "command": Field(
            STRING,
            "config/unit.go:23",
            valid="^(start|stop|restart|reload|try-restart|reload-or-restart|reload-or-try-restart)$",
        ),
        "drop_ins": Field(ListOf(UNIT_DROP_IN), "config/unit.go:24"),
    },
)


FILE = Struct(
    "File",
    "config/file.go:17",
    {
        "encoding": Field(
            STRING,
            "config/file.go:18",
            valid="^(base64|b64|gz|gzip|gz\\+base64|gzip\\+base64|gz\\+b64|gzip\\+b64)$",
        ),
        "content": Field(STRING, "config/file.go:19"),
        "owner": Field(STRING, "config/file.go:20"),
        "path": Field(STRING, "config/file.go:21"),
        "permissions": Field(STRING, "config/file.go:22", valid="^0?[0-7]{3,4}$"),
    },
)


USER = Struct(
    "User",
    "config/user.go:17",
    {
        "name": Field(STRING, "config/user.go:18"),
        "passwd": Field(STRING, "config/user.go:19"),
        "ssh_authorized_keys": Field(STRINGS, "config/user.go:20"),
        "coreos_ssh_import_github": Field(
            STRING,
            "config/user.go:21",
            deprecated=_REMOTE_KEYS,
        ),
        "coreos_ssh_import_github_users": Field(
            STRINGS,
            "config/user.go:22",
            deprecated=_REMOTE_KEYS,
        ),
        "coreos_ssh_import_url": Field(
            STRING,
            "config/user.go:23",
            deprecated=_REMOTE_KEYS,
        ),
        "gecos": Field(STRING, "config/user.go:24"),
        "homedir": Field(STRING, "config/user.go:25"),
        "no_create_home": Field(BOOL, "config/user.go:26"),
        "primary_group": Field(STRING, "config/user.go:27"),
        "groups": Field(STRINGS, "config/user.go:28"),
        "no_user_group": Field(BOOL, "config/user.go:29"),
        "system": Field(BOOL, "config/user.go:30"),
        "no_log_init": Field(BOOL, "config/user.go:31"),
        "shell": Field(STRING, "config/user.go:32"),
    },
)


COREOS = Struct(
    "CoreOS",
    "config/config.go:39",
    {
        "etcd": Field(
            ETCD, "config/config.go:40", deprecated="etcd is no longer shipped in Container Linux"
        ),
        "etcd2": Field(
            ETCD2, "config/config.go:41", deprecated="etcd2 is no longer shipped in Container Linux"
        ),
        "flannel": Field(FLANNEL, "config/config.go:42"),
        "fleet": Field(
            FLEET, "config/config.go:43", deprecated="fleet is no longer shipped in Container Linux"
        ),
        "locksmith": Field(LOCKSMITH, "config/config.go:44"),
        "oem": Field(OEM, "config/config.go:45"),
        "update": Field(UPDATE, "config/config.go:46"),
        "units": Field(ListOf(UNIT), "config/config.go:47"),
    },
)


CLOUD_CONFIG = Struct(
    "CloudConfig",
    "config/config.go:30",
    {
        "ssh_authorized_keys": Field(STRINGS, "config/config.go:31"),
        "coreos": Field(COREOS, "config/config.go:32"),
        "write_files": Field(ListOf(FILE), "config/config.go:33"),
        "hostname": Field(STRING, "config/config.go:34"),
        "users": Field(ListOf(USER), "config/config.go:35"),
        "manage_etc_hosts": Field(STRING, "config/config.go:36"),
    },
)
