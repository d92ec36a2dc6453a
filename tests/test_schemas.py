"""Checks of the JSON Schemas in schemas/: metaschema validity and sample instances."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

SCHEMA_DIR = Path(__file__).parent.parent / "configdrive" / "validation" / "schemas"
SCHEMA_FILES = sorted(SCHEMA_DIR.glob("*.schema.json"))
CLOUD_INIT_EXAMPLES = Path("/usr/share/doc/cloud-init/examples")
CLOUD_INIT_SCHEMA = Path(
    "/usr/lib/python3/dist-packages/cloudinit/config/schemas/schema-cloud-config-v1.json"
)


def load_schema(name: str) -> dict[str, Any]:
    """Load schemas/<name>.schema.json."""
    data: dict[str, Any] = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text())
    return data


def make_validator(name: str) -> Validator:
    schema = load_schema(name)
    cls = validator_for(schema)
    validator: Validator = cls(schema)
    return validator


def errors_of(name: str, instance: Any) -> list[tuple[list[str | int], str]]:
    """(absolute_path, keyword) of every error, sorted for stable comparison."""
    found = [
        (list(error.absolute_path), str(error.validator))
        for error in make_validator(name).iter_errors(instance)
    ]
    return sorted(found, key=repr)


def from_yaml(text: str) -> Any:
    """Parse YAML the way the readers do (YAML 1.1: unquoted 0644 is the integer 420)."""
    return yaml.safe_load(text)


def property_nodes(node: object, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (pointer, subschema) of every entry of every "properties" object.

    Conditions ("if") are skipped: they are tests, not property definitions.
    """
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "if":
                continue
            if key == "properties" and isinstance(value, dict):
                for prop, sub in value.items():
                    yield f"{path}/properties/{prop}", sub
            yield from property_nodes(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from property_nodes(value, f"{path}/{index}")


# ----------------------------------------------------------------- the schema files


def test_all_schemas_present() -> None:
    names = {path.name for path in SCHEMA_FILES}
    assert {
        "cloud-config.schema.json",
        "meta-data.schema.json",
        "network-data.schema.json",
    } <= names


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=[p.name for p in SCHEMA_FILES])
def test_schema_is_valid(path: Path) -> None:
    schema = json.loads(path.read_text())
    validator_for(schema).check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://mkconfigdrive.github.io/schemas/{path.name}"
    assert schema["title"]
    assert schema["description"]


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=[p.name for p in SCHEMA_FILES])
def test_schema_is_pretty_printed(path: Path) -> None:
    text = path.read_text()
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=[p.name for p in SCHEMA_FILES])
def test_every_property_has_a_description(path: Path) -> None:
    schema = json.loads(path.read_text())
    missing = [ptr for ptr, sub in property_nodes(schema) if "description" not in sub]
    assert missing == []


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=[p.name for p in SCHEMA_FILES])
def test_local_refs_resolve(path: Path) -> None:
    schema = json.loads(path.read_text())

    def refs(node: object) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str):
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(schema):
        assert ref.startswith("#/"), ref
        target: Any = schema
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        assert isinstance(target, dict), ref


# ----------------------------------------------------------------- key coverage

CONTAINER_LINUX_KEYS = {
    "ssh_authorized_keys",
    "hostname",
    "users",
    "write_files",
    "manage_etc_hosts",
    "coreos",
}


def test_cloud_config_lists_container_linux_keys_with_dashes() -> None:
    props = load_schema("cloud-config")["properties"]
    for key in CONTAINER_LINUX_KEYS:
        assert key in props
        assert key.replace("_", "-") in props


@pytest.mark.skipif(not CLOUD_INIT_SCHEMA.exists(), reason="cloud-init is not installed")
def test_cloud_config_lists_every_cloud_init_key() -> None:
    theirs = json.loads(CLOUD_INIT_SCHEMA.read_text())
    keys: set[str] = set(theirs.get("properties", {}))
    for subschema in theirs["allOf"]:
        name = subschema["$ref"].rsplit("/", 1)[-1]
        keys |= set(theirs["$defs"][name].get("properties", {}))
    ours = set(load_schema("cloud-config")["properties"])
    assert len(keys) >= 90
    assert sorted(keys - ours) == []


def test_cloud_config_lists_newer_cloud_init_keys() -> None:
    props = load_schema("cloud-config")["properties"]
    for key in ("ansible", "wireguard", "ubuntu_pro", "create_hostname_file", "output"):
        assert key in props


# ----------------------------------------------------------------- positive instances

CONTAINER_LINUX = """\
#cloud-config
hostname: node1
ssh_authorized_keys:
  - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample core@example
manage_etc_hosts: localhost
users:
  - name: elroy
    passwd: $6$rounds=4096$abc$def
    groups: [sudo, docker]
    ssh_authorized_keys: [ssh-rsa AAAAB3Nza elroy@example]
    no_create_home: false
    shell: /bin/bash
write_files:
  - path: /etc/motd
    content: hello
    permissions: "0644"
    owner: root:root
  - path: /etc/blob
    content: H4sIAAAAAAAAA8tIzcnJBwCGphA2BgAAAA==
    encoding: gzip+base64
coreos:
  etcd2:
    name: node1
    discovery: https://discovery.etcd.io/abc
    advertise_client_urls: http://$private_ipv4:2379
    heartbeat_interval: 100
    proxy: "off"
  fleet:
    public_ip: $private_ipv4
    metadata: region=eu
    verify_units: true
  flannel:
    interface: $private_ipv4
    etcd_endpoints: http://127.0.0.1:2379
  locksmith:
    group: workers
    window_start: Thu 04:00
    window_length: 1h
  update:
    reboot_strategy: etcd-lock
    group: stable
  oem:
    id: openstack
    name: OpenStack
    version_id: "1"
  units:
    - name: etcd2.service
      command: start
    - name: docker.service
      enable: true
      drop_ins:
        - name: 50-opts.conf
          content: |
            [Service]
            Environment=DOCKER_OPTS=--debug
    - name: app.service
      mask: true
"""

CONTAINER_LINUX_DASHED = """\
#cloud-config
ssh-authorized-keys:
  - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample core@example
manage-etc-hosts: localhost
users:
  - name: elroy
    ssh-authorized-keys: [ssh-rsa AAAAB3Nza elroy@example]
    primary-group: users
    no-user-group: true
    no-log-init: true
write-files:
  - path: /etc/motd
    content: hi
coreos:
  update:
    reboot-strategy: best-effort
  locksmith:
    etcd-cafile: /etc/ssl/ca.pem
    window-start: "02:00"
    window-length: 30m
  flannel:
    etcd-endpoints: http://127.0.0.1:2379
    ip-masq: true
    public-ip: 10.0.0.1
  oem:
    version-id: "2"
    bug-report-url: https://example.com/bugs
  etcd2:
    advertise-client-urls: http://10.0.0.1:2379
  units:
    - name: docker.service
      drop-ins:
        - name: 10-x.conf
          content: "[Service]"
"""

CLOUD_INIT = """\
#cloud-config
users:
  - default
  - name: alice
    gecos: Alice
    groups: sudo, adm
    sudo: ALL=(ALL) NOPASSWD:ALL
    shell: /bin/bash
    lock_passwd: true
    ssh_import_id: [gh:alice]
    uid: 1500
  - name: bob
    sudo: false
    groups: [users]
    hashed_passwd: $6$x$y
  - snapuser: joe@example.com
groups:
  - admingroup: [root, sys]
  - cloud-users
packages:
  - nginx
  - [libpython3.11, 3.11.2-6]
  - [curl]
package_update: true
package_upgrade: true
runcmd:
  - [ls, -l, /]
  - echo hello > /tmp/hello
bootcmd:
  - echo booting
write_files:
  - path: /etc/app.conf
    content: |
      key=value
    append: true
    defer: true
  - path: /usr/local/bin/app
    source:
      uri: https://example.com/app
      headers: {Authorization: Bearer x}
    permissions: '0o755'
chpasswd:
  expire: false
  users:
    - name: alice
      password: $6$x$y
    - name: bob
      type: RANDOM
ssh_pwauth: false
ntp:
  enabled: true
  servers: [ntp.example.com]
  pools: [0.pool.ntp.org]
power_state:
  mode: reboot
  delay: now
  message: bye
  condition: true
timezone: Europe/Paris
fqdn: host.example.com
preserve_hostname: false
manage_etc_hosts: true
mounts:
  - [sdb, /data, auto, "defaults,nofail", "0", "2"]
  - [swap, null]
swap:
  filename: /swap.img
  size: auto
  maxsize: 2G
final_message: done after $UPTIME seconds
growpart: {mode: auto, devices: ["/"]}
resize_rootfs: noblock
ca_certs:
  trusted: ["-----BEGIN CERTIFICATE-----"]
ssh_genkeytypes: [ed25519, rsa]
ssh_deletekeys: true
disable_root: true
locale: en_US.UTF-8
phone_home: {url: "https://example.com/$INSTANCE_ID/", post: all}
"""

# Real-world Container Linux habits: YAML 1.1 turns these values into booleans and
# integers, while coreos-cloudinit (go-yaml into string fields) still reads the text.
CONTAINER_LINUX_YAML11 = """\
#cloud-config
coreos:
  update:
    reboot-strategy: off
  etcd2:
    proxy: on
  locksmith:
    window-start: 14:00
  oem:
    version-id: 1.0
write_files:
  - path: /etc/kubernetes/ssl/create_certs.sh
    permissions: 755
    content: "#!/bin/sh"
"""

YAML11_PERMISSIONS = """\
#cloud-config
write_files:
  - path: /etc/a
    content: a
    permissions: 0644
  - path: /etc/b
    content: b
    permissions: 0755
    encoding: b64
"""

NOVA_META_DATA: dict[str, Any] = {
    "uuid": "83679162-1378-4288-a2d4-70e13ec132aa",
    "meta": {"role": "webservers", "essential": "false"},
    "hostname": "test.novalocal",
    "name": "test",
    "launch_index": 0,
    "availability_zone": None,
    "project_id": "f7ac731cc11f40efbc03a9f9e1d1d21f",
    "public_keys": {"mykey": "ssh-rsa AAAAB3Nza Generated-by-Nova"},
    "keys": [{"name": "mykey", "type": "ssh", "data": "ssh-rsa AAAAB3Nza Generated-by-Nova"}],
    "files": [{"path": "/etc/motd", "content_path": "/content/0000"}],
    "network_config": {"name": "/etc/network/interfaces", "content_path": "/content/0001"},
    "random_seed": "yu5ZnkqF2CqnDZVAfZgarG==",
    "admin_pass": "secret",
    "devices": [
        {
            "type": "nic",
            "bus": "pci",
            "address": "0000:00:02.0",
            "mac": "fa:16:3e:00:00:01",
            "tags": ["nfv"],
        }
    ],
    "dedicated_cpus": [2, 3],
    "vendor_key_added_later": {"x": 1},
}

NOVA_NETWORK_DATA: dict[str, Any] = {
    "links": [
        {
            "id": "tap1a81968a-79",
            "type": "ovs",
            "ethernet_mac_address": "FA:16:3E:9C:BF:3D",
            "mtu": 1450,
            "vif_id": "1a81968a-797a-400f-8a80-567f997eb93f",
        },
        {"id": "eth1", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:02", "mtu": None},
        {"id": "eth2", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:03"},
        {
            "id": "bond0",
            "type": "bond",
            "bond_links": ["eth1", "eth2"],
            "bond_mode": "802.3ad",
            "bond_miimon": 100,
            "bond_xmit_hash_policy": "layer3+4",
            "ethernet_mac_address": "fa:16:3e:00:00:02",
        },
        {
            "id": "vlan42",
            "type": "vlan",
            "vlan_link": "bond0",
            "vlan_id": 42,
            "vlan_mac_address": "fa:16:3e:00:00:02",
            "neutron_port_vendor_key": "x",
        },
    ],
    "networks": [
        {
            "id": "network0",
            "type": "ipv4",
            "link": "tap1a81968a-79",
            "ip_address": "10.0.0.5",
            "netmask": "255.255.255.0",
            "routes": [{"network": "0.0.0.0", "netmask": "0.0.0.0", "gateway": "10.0.0.1"}],
            "network_id": "da5bb487-5193-4a65-a3df-4a0055a8c0d7",
            "services": [{"type": "dns", "address": "10.0.0.2"}],
        },
        {"id": "network1", "type": "ipv6_dhcpv6-stateful", "link": "vlan42", "network_id": "x"},
        {"id": "network2", "type": "ipv4_dhcp", "link": "bond0"},
    ],
    "services": [{"type": "dns", "address": "8.8.8.8"}],
}


@pytest.mark.parametrize(
    ("schema", "instance"),
    [
        pytest.param("cloud-config", from_yaml(CONTAINER_LINUX), id="container-linux"),
        pytest.param(
            "cloud-config", from_yaml(CONTAINER_LINUX_DASHED), id="container-linux-dashed"
        ),
        pytest.param("cloud-config", from_yaml(CLOUD_INIT), id="cloud-init"),
        pytest.param("cloud-config", from_yaml(YAML11_PERMISSIONS), id="yaml11-int-permissions"),
        pytest.param(
            "cloud-config", from_yaml(CONTAINER_LINUX_YAML11), id="container-linux-yaml11-scalars"
        ),
        pytest.param("cloud-config", {"users": "default"}, id="users-default-string"),
        pytest.param("cloud-config", {"users": "default, bob"}, id="users-comma-string"),
        pytest.param("cloud-config", {"groups": "a,b", "user": "ubuntu"}, id="groups-string"),
        pytest.param("cloud-config", {"manage_etc_hosts": "template"}, id="etc-hosts-template"),
        pytest.param("cloud-config", {"ntp": None}, id="ntp-null"),
        pytest.param(
            "cloud-config",
            {"write_files": [{"path": "/bin/x", "content": b"\x7fELF"}]},
            id="yaml-binary-content",
        ),
        pytest.param("cloud-config", {}, id="empty-cloud-config"),
        pytest.param("meta-data", NOVA_META_DATA, id="nova-meta-data"),
        pytest.param("meta-data", {}, id="empty-meta-data"),
        pytest.param("network-data", NOVA_NETWORK_DATA, id="nova-network-data"),
        pytest.param(
            "network-data", {"links": [], "networks": [], "services": []}, id="empty-network-data"
        ),
    ],
)
def test_valid_instances(schema: str, instance: object) -> None:
    assert errors_of(schema, instance) == []


def test_yaml11_reads_unquoted_scalars_as_non_strings() -> None:
    """The positive cases above really exercise YAML 1.1 coercions."""
    assert from_yaml(YAML11_PERMISSIONS)["write_files"][0]["permissions"] == 0o644
    doc = from_yaml(CONTAINER_LINUX_YAML11)
    assert doc["coreos"]["update"]["reboot-strategy"] is False
    assert doc["coreos"]["etcd2"]["proxy"] is True
    assert doc["coreos"]["locksmith"]["window-start"] == 14 * 60


def cloud_init_examples() -> list[Path]:
    """cloud-init's own '#cloud-config' examples, when the cloud-init package is installed."""
    found: list[Path] = []
    for path in sorted(CLOUD_INIT_EXAMPLES.glob("*.txt*")):
        if read_example(path).startswith("#cloud-config\n"):
            found.append(path)
    return found


def read_example(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data.decode("utf-8")


@pytest.mark.skipif(not CLOUD_INIT_EXAMPLES.is_dir(), reason="cloud-init examples not installed")
def test_cloud_init_examples_have_no_errors() -> None:
    """Only 'unknown key' findings (additionalProperties) are allowed in upstream examples."""
    examples = cloud_init_examples()
    assert examples
    failures = {
        path.name: errors
        for path in examples
        if (
            errors := [
                error
                for error in errors_of("cloud-config", from_yaml(read_example(path)))
                if error[1] != "additionalProperties"
            ]
        )
    }
    assert failures == {}


# ----------------------------------------------------------------- negative instances


@pytest.mark.parametrize(
    ("schema", "instance", "path", "keyword"),
    [
        pytest.param(
            "cloud-config",
            {"users": [{"name": 42}]},
            ["users", 0, "name"],
            "type",
            id="user-name-int",
        ),
        pytest.param(
            "cloud-config",
            {"users": [{"gecos": "x"}]},
            ["users", 0],
            "required",
            id="user-without-name",
        ),
        pytest.param(
            "cloud-config",
            {"users": [{"name": "a", "sudo": True}]},
            ["users", 0, "sudo"],
            "const",
            id="sudo-true",
        ),
        pytest.param(
            "cloud-config",
            {"write_files": [{"path": "/a", "permissions": "999"}]},
            ["write_files", 0, "permissions"],
            "pattern",
            id="permissions-999",
        ),
        pytest.param(
            "cloud-config",
            {"write_files": [{"path": "/a", "permissions": 5000}]},
            ["write_files", 0, "permissions"],
            "maximum",
            id="permissions-int-too-big",
        ),
        pytest.param(
            "cloud-config",
            {"write_files": [{"path": "/a", "encoding": "rot13"}]},
            ["write_files", 0, "encoding"],
            "enum",
            id="bad-encoding",
        ),
        pytest.param(
            "cloud-config",
            {"write_files": [{"path": "/a", "content": 42}]},
            ["write_files", 0, "content"],
            "type",
            id="content-int",
        ),
        pytest.param(
            "cloud-config",
            {"write_files": [{"content": "x"}]},
            ["write_files", 0],
            "required",
            id="file-without-path",
        ),
        pytest.param(
            "cloud-config",
            {"coreos": {"units": [{"name": "a.service", "command": "launch"}]}},
            ["coreos", "units", 0, "command"],
            "enum",
            id="unit-command",
        ),
        pytest.param(
            "cloud-config",
            {"coreos": {"update": {"reboot_strategy": "sometimes"}}},
            ["coreos", "update", "reboot_strategy"],
            "enum",
            id="reboot-strategy",
        ),
        pytest.param(
            "cloud-config",
            {"coreos": {"update": {"reboot-strategy": "sometimes"}}},
            ["coreos", "update", "reboot-strategy"],
            "enum",
            id="reboot-strategy-dashed",
        ),
        pytest.param(
            "cloud-config",
            {"coreos": {"etcd2": {"proxy": "maybe"}}},
            ["coreos", "etcd2", "proxy"],
            "enum",
            id="etcd2-proxy",
        ),
        pytest.param(
            "cloud-config",
            {"coreos": {"locksmith": {"window_start": "someday"}}},
            ["coreos", "locksmith", "window_start"],
            "pattern",
            id="locksmith-window",
        ),
        pytest.param(
            "cloud-config",
            {"coreos": {"units": [{"name": "a", "drop_ins": [{"name": "b", "contents": "x"}]}]}},
            ["coreos", "units", 0, "drop_ins", 0],
            "additionalProperties",
            id="drop-in-unknown-key",
        ),
        pytest.param(
            "cloud-config",
            {"ssh_authorized_keys": "ssh-rsa AAAA"},
            ["ssh_authorized_keys"],
            "type",
            id="keys-not-list",
        ),
        pytest.param(
            "cloud-config",
            {"manage_etc_hosts": "yes"},
            ["manage_etc_hosts"],
            "enum",
            id="etc-hosts-yes",
        ),
        pytest.param(
            "cloud-config",
            {"packages": [["a", "1", "x"]]},
            ["packages", 0],
            "maxItems",
            id="package-triple",
        ),
        pytest.param("cloud-config", {"runcmd": "echo hi"}, ["runcmd"], "type", id="runcmd-string"),
        pytest.param(
            "cloud-config",
            {"power_state": {"mode": "sleep"}},
            ["power_state", "mode"],
            "enum",
            id="power-mode",
        ),
        pytest.param(
            "cloud-config",
            {"chpasswd": {"users": [{"name": "a"}]}},
            ["chpasswd", "users", 0],
            "required",
            id="chpasswd-no-password",
        ),
        pytest.param(
            "cloud-config", {"hostnme": "x"}, [], "additionalProperties", id="unknown-top-level-key"
        ),
        pytest.param(
            "meta-data",
            {"keys": [{"name": "k", "type": "gpg", "data": "x"}]},
            ["keys", 0, "type"],
            "enum",
            id="key-type-gpg",
        ),
        pytest.param(
            "meta-data", {"keys": [{"name": "k"}]}, ["keys", 0], "required", id="key-without-data"
        ),
        pytest.param(
            "meta-data",
            {"launch_index": -1},
            ["launch_index"],
            "minimum",
            id="launch-index-negative",
        ),
        pytest.param("meta-data", {"meta": {"a": 1}}, ["meta", "a"], "type", id="meta-value-int"),
        pytest.param(
            "meta-data",
            {"files": [{"path": "/etc/motd"}]},
            ["files", 0],
            "required",
            id="file-without-content-path",
        ),
        pytest.param("meta-data", {"uuid": 42}, ["uuid"], "type", id="uuid-int"),
        pytest.param(
            "network-data",
            {"links": [{"id": "v", "type": "vlan", "vlan_link": "e", "vlan_id": 5000}]},
            ["links", 0, "vlan_id"],
            "maximum",
            id="vlan-id-5000",
        ),
        pytest.param(
            "network-data",
            {"links": [{"id": "e", "type": "phy", "ethernet_mac_address": "fa:16:3e:zz:00:01"}]},
            ["links", 0, "ethernet_mac_address"],
            "pattern",
            id="bad-mac",
        ),
        pytest.param(
            "network-data",
            {"links": [{"id": "e", "type": "wifi"}]},
            ["links", 0, "type"],
            "enum",
            id="link-type",
        ),
        pytest.param(
            "network-data",
            {"links": [{"id": "e"}]},
            ["links", 0],
            "required",
            id="link-without-type",
        ),
        pytest.param(
            "network-data",
            {"links": [{"id": "b", "type": "bond", "bond_mode": "fast"}]},
            ["links", 0, "bond_mode"],
            "enum",
            id="bond-mode",
        ),
        pytest.param(
            "network-data",
            {"networks": [{"id": "n", "type": "dhcp", "link": "e"}]},
            ["networks", 0, "type"],
            "enum",
            id="network-type",
        ),
        pytest.param(
            "network-data",
            {
                "networks": [
                    {
                        "id": "n",
                        "type": "ipv4",
                        "link": "e",
                        "routes": [{"network": "0.0.0.0", "netmask": "0.0.0.0"}],
                    }
                ]
            },
            ["networks", 0, "routes", 0],
            "required",
            id="route-without-gateway",
        ),
        pytest.param(
            "network-data",
            {"services": [{"type": "dns"}]},
            ["services", 0],
            "required",
            id="service-without-address",
        ),
    ],
)
def test_invalid_instances(
    schema: str, instance: object, path: list[str | int], keyword: str
) -> None:
    assert errors_of(schema, instance) == [(path, keyword)]


def test_unknown_keys_are_additional_properties_errors() -> None:
    """The tool turns additionalProperties failures into 'unknown key' warnings."""
    instance = from_yaml(CONTAINER_LINUX)
    instance["coreos"]["update"]["reboot_stratgy"] = "off"
    instance["users"][0]["favourite_colour"] = "blue"
    assert errors_of("cloud-config", instance) == [
        (["coreos", "update"], "additionalProperties"),
        (["users", 0], "additionalProperties"),
    ]
