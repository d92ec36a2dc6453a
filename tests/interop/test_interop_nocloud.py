"""cloud-init's own NoCloud reader (Debian's cloud-init 22.4) on our cidata seeds.

Seeds are laid out with the public pipeline (machine_spec -> validate_machine ->
layout_nocloud), written with write_iso (and write_vfat), extracted with xorriso (mtools)
and read by read_nocloud.py: cloud-init's DataSourceNoCloud.get_data() on the extracted
tree. The readings are compared with the inputs, with cloud-init's reading of the
config-2 drive of the same machine, and with cloud-init's reading of the seed
`cloud-localds` (cloud-image-utils) makes from the same files.

The network tests compare our network-config v2 with cloud-init's own interpretation of
OpenStack network_data (convert_net_json, v1): both are parsed into cloud-init's network
state and rendered with its netplan and ENI renderers (cloud_init_network.py).
"""

from __future__ import annotations

import base64
import copy
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from configdrive import machine_spec, validate_machine
from configdrive.formats.iso import write_iso
from configdrive.layouts.drive_layout import DriveLayout
from configdrive.layouts.network_config import to_network_config_v2
from configdrive.layouts.nocloud import layout_nocloud, nocloud_problems
from configdrive.layouts.openstack import layout_openstack
from configdrive.machine import Machine
from configdrive.validation.network import network_kind, unwrap
from tests.helpers import run_cli

from .conftest import DEBIAN_PYTHON, ROOT, extract, read_with_cloud_init, run, tree_files

pytestmark = pytest.mark.interop

HERE = Path(__file__).resolve().parent
NOCLOUD_READER = HERE / "read_nocloud.py"
NETWORK_SCRIPT = HERE / "cloud_init_network.py"
FIXTURES = ROOT / "fixtures"
NETWORK = FIXTURES / "network"
KEYS = FIXTURES / "keys"
OPENSTACK_FIXTURES = sorted(path.name for path in NETWORK.glob("openstack-*.json"))
TIMESTAMP = 1_700_000_000
MTOOLS_ENV = {**os.environ, "LC_ALL": "C.UTF-8", "TZ": "UTC"}


def decode_bytes(value: dict[str, Any]) -> Any:
    if value.keys() == {"$bytes"}:
        return base64.b64decode(value["$bytes"])
    return value


def debian_python(script: Path, *args: str | Path, stdin: bytes | None = None) -> Any:
    """Run a helper script under Debian's python (cloud-init's); its JSON answer."""
    result = run([DEBIAN_PYTHON, "-I", script, *args], stdin=stdin)
    return json.loads(result.stdout, object_hook=decode_bytes)


def read_nocloud(folder: Path) -> dict[str, Any]:
    """What cloud-init's NoCloud datasource reads from an extracted seed (read_nocloud.py)."""
    reading = debian_python(NOCLOUD_READER, folder)
    assert isinstance(reading, dict)
    assert reading["found"] is True, "cloud-init's NoCloud datasource did not take the seed"
    return reading


def key_lines(*names: str) -> list[str]:
    return [(KEYS / name).read_text().strip() for name in names]


def load_fixture(path: Path) -> Any:
    text = path.read_text()
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


# --------------------------------------------------------------------------- the seeds


@dataclass(frozen=True)
class SeedCase:
    """One machine's inputs, as a user gives them; expectations come from these alone."""

    name: str
    user_data: bytes | None = None
    meta_data: dict[str, Any] | None = None
    network_data: Any = None
    vendor_data: Any = None
    uuid: str | None = None
    hostname: str | None = None
    ssh_keys: list[str] = field(default_factory=list)

    def machine(self) -> Machine:
        spec = machine_spec(
            self.user_data,
            meta_data=self.meta_data,
            network_data=json.dumps(self.network_data).encode() if self.network_data else None,
            vendor_data=json.dumps(self.vendor_data).encode() if self.vendor_data else None,
            uuid=self.uuid,
            hostname=self.hostname,
            ssh_keys=self.ssh_keys,
        )
        machine = validate_machine(spec, layout="nocloud")
        assert nocloud_problems(machine) == []
        return machine


SEED_CASES = [
    SeedCase(
        "cloud-config-bond-vlan",
        user_data=(FIXTURES / "valid" / "cloud-init" / "user.yml").read_bytes(),
        meta_data={
            "availability_zone": "nova-az1",
            "meta": {"role": "web", "tier": "1"},
            "random_seed": base64.b64encode(bytes(range(256)) * 2).decode(),
            "project_id": "7f3c1d2e4b5a",
        },
        network_data=load_fixture(NETWORK / "openstack-bond-vlan.json"),
        vendor_data={"cloud-init": "#cloud-config\npackages: [htop]\n"},
        uuid="2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c",
        hostname="web-1.example.com",
        ssh_keys=key_lines("ed25519.pub", "rsa.pub"),
    ),
    SeedCase(
        "script-dhcp-derived-uuid",
        user_data=(FIXTURES / "valid" / "script" / "setup.sh").read_bytes(),
        network_data=load_fixture(NETWORK / "openstack-dhcp.json"),
        vendor_data="#cloud-config\nruncmd: [true]\n",
        hostname="batch-7",
        ssh_keys=key_lines("ecdsa.pub"),
    ),
    SeedCase(
        "gzip-v1-passthrough",
        user_data=(FIXTURES / "valid" / "gzip-cloud-config" / "user-data.gz").read_bytes(),
        network_data=load_fixture(NETWORK / "v1-static.yaml"),
        uuid="9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
        hostname="gz-1",
    ),
    SeedCase(
        "mime-v2-passthrough",
        user_data=(FIXTURES / "valid" / "mime-multipart" / "user-data.mime").read_bytes(),
        network_data=load_fixture(NETWORK / "v2-bond.yaml"),
        uuid="0b7f2a1e-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
        ssh_keys=key_lines("ed25519.pub"),
    ),
    SeedCase("metadata-only", hostname="bare-1"),
]
SEEDS = {case.name: case for case in SEED_CASES}


@dataclass
class Seed:
    case: SeedCase
    machine: Machine
    layout: DriveLayout
    iso: Path
    tree: Path
    reading: dict[str, Any]


class Seeds:
    """Each seed built, extracted and read once a session, and its config-2 twin's reading."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self._seeds: dict[str, Seed] = {}
        self._config_drives: dict[str, dict[str, Any]] = {}

    def get(self, name: str) -> Seed:
        if name not in self._seeds:
            case = SEEDS[name]
            folder = self._factory.mktemp(f"nocloud-{name}")
            machine = case.machine()
            layout = layout_nocloud(machine)
            iso = folder / "seed.iso"
            with iso.open("wb") as stream:
                write_iso(layout, stream, timestamp=TIMESTAMP)
            tree = extract(iso, folder / "tree")
            self._seeds[name] = Seed(case, machine, layout, iso, tree, read_nocloud(tree))
        return self._seeds[name]

    def config_drive(self, name: str) -> dict[str, Any]:
        """cloud-init's config drive reader on the config-2 drive of the same machine."""
        if name not in self._config_drives:
            machine = self.get(name).machine
            folder = self._factory.mktemp(f"config-2-{name}")
            iso = folder / "drive.iso"
            with iso.open("wb") as stream:
                write_iso(layout_openstack(machine), stream, timestamp=TIMESTAMP)
            self._config_drives[name] = read_with_cloud_init(extract(iso, folder / "tree"))
        return self._config_drives[name]


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Seeds:
    return Seeds(tmp_path_factory)


@pytest.fixture(params=sorted(SEEDS))
def seed(request: pytest.FixtureRequest, seeds: Seeds) -> Seed:
    name: str = request.param
    return seeds.get(name)


def without_location(reading: dict[str, Any]) -> dict[str, Any]:
    """A reading without where the seed was (the folder cloud-init read it from)."""
    reading = copy.deepcopy(reading)
    for key in ("seed", "subplatform"):
        reading.pop(key)
    reading["instance_data_v1"].pop("subplatform")
    return reading


# --------------------------------------------------------------------------- found at boot


def test_blkid_sees_an_iso9660_labelled_cidata(seed: Seed) -> None:
    output = run(["blkid", "-p", seed.iso]).stdout.decode()
    assert 'LABEL="cidata"' in output
    assert 'TYPE="iso9660"' in output
    # DataSourceNoCloud._get_devices: TYPE=iso9660 (or vfat) and LABEL=cidata (or CIDATA).
    for token in ("LABEL=cidata", "TYPE=iso9660"):
        found = run(["blkid", "-c", "/dev/null", f"-t{token}", "-odevice", seed.iso])
        assert found.stdout.decode().split() == [str(seed.iso)]


def test_the_seed_holds_exactly_the_layout(seed: Seed) -> None:
    assert tree_files(seed.tree) == seed.layout.files


def test_cloud_init_takes_the_seed(seed: Seed) -> None:
    reading = seed.reading
    assert reading["subplatform"].startswith("seed-dir (")
    assert reading["dsmode"] == "net"  # NoCloud's default: no dsmode in our meta-data
    assert reading["instance_data_v1"]["platform"] == "nocloud"


# --------------------------------------------------------------------------- what it read


def test_user_data_byte_for_byte(seed: Seed) -> None:
    expected = seed.case.user_data if seed.case.user_data is not None else b""
    assert seed.reading["userdata_raw"] == expected


def test_instance_id_is_the_uuid_as_on_the_config_drive(seed: Seed, seeds: Seeds) -> None:
    expected = seed.case.uuid or seed.machine.uuid
    assert seed.reading["instance_id"] == expected
    assert seed.reading["instance_data_v1"]["instance_id"] == expected
    # The same VM booted from either drive is the same instance to cloud-init.
    config_drive = seeds.config_drive(seed.case.name)["result"]["metadata"]
    assert config_drive["instance-id"] == expected


def test_host_name_as_on_the_config_drive(seed: Seed, seeds: Seeds) -> None:
    hostname = seed.case.hostname
    assert seed.reading["metadata"].get("local-hostname") == hostname
    assert seed.reading["fqdn"] == hostname
    assert seed.reading["hostname"] == (hostname.split(".")[0] if hostname else None)
    config_drive = seeds.config_drive(seed.case.name)["result"]["metadata"]
    assert config_drive.get("local-hostname") == hostname


def test_exactly_the_given_ssh_keys(seed: Seed, seeds: Seeds) -> None:
    assert seed.reading["ssh_keys"] == seed.case.ssh_keys
    assert seed.reading["instance_data_v1"]["public_ssh_keys"] == seed.case.ssh_keys
    assert seeds.config_drive(seed.case.name)["ssh_keys"] == seed.case.ssh_keys


def test_every_config_drive_meta_data_key_reads_the_same(seed: Seed, seeds: Seeds) -> None:
    config_drive = seeds.config_drive(seed.case.name)["result"]["metadata"]
    nocloud = seed.reading["metadata"]
    for key, value in config_drive.items():
        assert nocloud[key] == value, key
    given = seed.case.meta_data or {}
    if "random_seed" in given:
        assert nocloud["random_seed"] == base64.b64decode(given["random_seed"])
    if "availability_zone" in given:
        assert seed.reading["availability_zone"] == given["availability_zone"]
    # launch_index is not NoCloud's launch-index: user data parts are not filtered.
    assert seed.reading["launch_index"] is None


def test_vendor_data_as_cloud_init_takes_it_from_the_config_drive(seed: Seed, seeds: Seeds) -> None:
    given = seed.case.vendor_data
    config_drive = seeds.config_drive(seed.case.name)["result"]
    if given is None:
        assert seed.reading["vendordata_raw"] == ""  # NoCloud's value without the file
        assert "vendordata" not in config_drive
        return
    text = given["cloud-init"] if isinstance(given, dict) else given
    assert seed.reading["vendordata_raw"] == text.encode()
    # convert_vendordata: the config drive's vendor_data.json gives cloud-init this text.
    on_config_drive = config_drive["vendordata"]
    assert (on_config_drive["cloud-init"] if isinstance(given, dict) else on_config_drive) == text


def test_network_config_is_what_went_in(seed: Seed) -> None:
    given = seed.case.network_data
    reading = seed.reading
    if given is None:
        assert reading["network_config"] is None
        assert "network_state" not in reading
        return
    if network_kind(given) == "openstack":
        assert reading["network_config"] == to_network_config_v2(given)
    else:
        assert reading["network_config"] == given
    assert reading["applied_network_config"] == unwrap(reading["network_config"])
    # cloud-init's parser takes it: every device is in the state its renderers write.
    state = reading["network_state"]
    devices = {
        device.get("set-name", name)
        for section in ("ethernets", "bonds", "vlans")
        for name, device in reading["applied_network_config"].get(section, {}).items()
    }
    devices |= {entry["name"] for entry in reading["applied_network_config"].get("config", [])
                if entry["type"] not in ("nameserver", "route")}  # fmt: skip
    assert devices <= set(state["interfaces"])


# --------------------------------------------------------------------------- cloud-localds


def cloud_localds(files: dict[str, bytes], folder: Path, *, filesystem: str = "iso") -> Path:
    """The seed cloud-localds makes from these files (as libvirt and Proxmox users do)."""
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    image = folder / "seed.img"
    argv: list[str | Path] = ["cloud-localds", "-f", filesystem]
    if "network-config" in files:
        argv += ["-N", folder / "network-config"]
    if "vendor-data" in files:
        argv += ["-V", folder / "vendor-data"]
    run([*argv, image, folder / "user-data", folder / "meta-data"])
    return image


def layout_bytes(layout: DriveLayout) -> dict[str, bytes]:
    files = {}
    for path, content in layout.files.items():
        assert isinstance(content, bytes)
        files[path] = content
    return files


def test_cloud_localds_seed_of_the_same_files_reads_the_same(seed: Seed, tmp_path: Path) -> None:
    image = cloud_localds(layout_bytes(seed.layout), tmp_path / "localds")
    output = run(["blkid", "-p", image]).stdout.decode()
    assert 'LABEL="cidata"' in output
    assert 'TYPE="iso9660"' in output
    tree = extract(image, tmp_path / "localds-tree")
    assert tree_files(tree) == tree_files(seed.tree)
    assert without_location(read_nocloud(tree)) == without_location(seed.reading)


def test_hand_written_meta_data_and_ours_read_the_same(tmp_path: Path) -> None:
    """What a cloud-localds user writes by hand, and the same machine given to us."""
    uuid, hostname = "5d2f1e0c-9b8a-4c7d-8e6f-5a4b3c2d1e0f", "vm-3"
    user_data = b"#cloud-config\npackage_update: true\n"
    key = key_lines("ed25519.pub")[0]
    image = cloud_localds(
        {
            "user-data": user_data,
            "meta-data": f"instance-id: {uuid}\nlocal-hostname: {hostname}\n"
            f"public-keys:\n  - {key}\n".encode(),
        },
        tmp_path / "localds",
    )
    theirs = read_nocloud(extract(image, tmp_path / "localds-tree"))

    spec = machine_spec(user_data, uuid=uuid, hostname=hostname, ssh_keys=[key])
    machine = validate_machine(spec, layout="nocloud")
    iso = tmp_path / "ours.iso"
    with iso.open("wb") as stream:
        write_iso(layout_nocloud(machine), stream, timestamp=TIMESTAMP)
    ours = read_nocloud(extract(iso, tmp_path / "ours-tree"))

    for key_name in ("instance_id", "hostname", "fqdn", "ssh_keys", "userdata_raw", "dsmode"):
        assert ours[key_name] == theirs[key_name], key_name
    assert ours["instance_id"] == uuid


# --------------------------------------------------------------------------- vfat


def mtools(*argv: str | Path) -> str:
    return run([*map(str, argv)], env=MTOOLS_ENV).stdout.decode("utf-8")


def test_vfat_seed_reads_like_the_iso(seed: Seed, tmp_path: Path) -> None:
    from configdrive.formats.fat import write_vfat

    image = tmp_path / "seed.img"
    with image.open("wb") as stream:
        write_vfat(seed.layout, stream, timestamp=TIMESTAMP)
    exported = run(["blkid", "-p", "-o", "export", image]).stdout.decode()
    found = dict(line.split("=", 1) for line in exported.splitlines() if "=" in line)
    assert found["TYPE"] == "vfat"
    assert found["LABEL"].lower() == "cidata"  # NoCloud asks for cidata and CIDATA
    tree = tmp_path / "tree"
    tree.mkdir()
    mtools("mcopy", "-s", "-n", "-i", image, "::/", tree)
    assert tree_files(tree) == layout_bytes(seed.layout)
    assert without_location(read_nocloud(tree)) == without_location(seed.reading)


def test_cloud_localds_vfat_seed_reads_the_same(seed: Seed, tmp_path: Path) -> None:
    if shutil.which("mkfs.vfat") is None:
        pytest.fail("mkfs.vfat is not installed (Debian package dosfstools)")
    image = cloud_localds(layout_bytes(seed.layout), tmp_path / "localds", filesystem="vfat")
    tree = tmp_path / "tree"
    tree.mkdir()
    mtools("mcopy", "-s", "-n", "-i", image, "::/", tree)
    assert without_location(read_nocloud(tree)) == without_location(seed.reading)


# --------------------------------------------------------------------------- network state


def kernel_names(network_data: dict[str, Any]) -> dict[str, str]:
    """The VM's NICs as convert_net_json looks them up: MAC -> ens3, ens4, ... in link order."""
    names: dict[str, str] = {}
    for link in network_data.get("links", []):
        mac = link.get("ethernet_mac_address", "").lower()
        if link["type"] not in ("bond", "vlan") and mac and mac not in names:
            names[mac] = f"ens{len(names) + 3}"
    return names


def link_identities(network_data: dict[str, Any]) -> dict[str, str]:
    """Each link as what it is, whatever it is called: its MAC, bondN, a VLAN on a parent."""
    links = {link["id"]: link for link in network_data.get("links", [])}
    bonds = [link["id"] for link in network_data.get("links", []) if link["type"] == "bond"]

    def identity(link_id: str) -> str:
        link = links[link_id]
        if link["type"] == "bond":
            return f"bond bond{bonds.index(link_id)}"
        if link["type"] == "vlan":
            return f"vlan {link['vlan_id']} on ({identity(link['vlan_link'])})"
        return f"nic {link['ethernet_mac_address'].lower()}"

    return {link_id: identity(link_id) for link_id in links}


def state_identities(state: dict[str, Any]) -> dict[str, str]:
    """Each interface of a network state by the same identities (names normalised away)."""
    interfaces = state["interfaces"]

    def identity(name: str) -> str:
        iface = interfaces.get(name)
        if iface is None:
            return f"absent {name}"
        if iface["type"] == "physical":
            return f"nic {iface['mac_address'].lower()}"
        if iface["type"] == "bond":
            return f"bond {name}"
        if iface["type"] == "vlan":
            return f"vlan {iface['vlan_id']} on ({identity(iface['vlan-raw-device'])})"
        return f"{iface['type']} {name}"

    return {name: identity(name) for name in interfaces}


DYNAMIC = {
    "dhcp": "dhcp4",
    "dhcp4": "dhcp4",
    "dhcp6": "dhcp6",
    # cloud-init's netplan renderer writes all three as dhcp6 (IPV6_DYNAMIC_TYPES).
    "ipv6_slaac": "dhcp6",
    "ipv6_dhcpv6-stateless": "dhcp6",
    "ipv6_dhcpv6-stateful": "dhcp6",
}


def interface_facts(iface: dict[str, Any], identities: dict[str, str]) -> dict[str, Any]:
    """What a renderer configures on one interface, independent of where v1 and v2 put it.

    v1 keeps routes and gateways on the subnet of their network; cloud-init's v2 parser
    hangs every route on the first subnet and each gateway on the first address of its
    family. The facts gather them per interface, a gateway as the default route it is
    (ours gives the IPv6 default route as gateway6: see netconfig). Bond parameters are
    bond_mode in v1 and bond-mode in v2's state (both reach ifenslave as BOND_MODE). DNS
    is compared apart.
    """
    subnets = iface.get("subnets") or []
    facts: dict[str, Any] = {
        "type": iface["type"],
        "mtu": iface.get("mtu"),
        "dynamic": sorted({DYNAMIC[s["type"]] for s in subnets if s["type"] in DYNAMIC}),
        "addresses": sorted(
            f"{s['address']}/{s['prefix']}" for s in subnets if s["type"] in ("static", "static6")
        ),
        "routes": sorted(
            {
                (f"{r['network']}/{r['prefix']}", str(r.get("gateway")), str(r.get("metric")))
                for s in subnets
                for r in s.get("routes", [])
            }
            | {
                ("::/0" if ":" in s["gateway"] else "0.0.0.0/0", s["gateway"], "None")
                for s in subnets
                if s.get("gateway")
            }
        ),
        "search": sorted({domain for s in subnets for domain in s.get("dns_search", [])}),
    }
    if iface["type"] == "physical":
        facts["mac"] = iface["mac_address"].lower()
        facts["accept_ra"] = iface.get("accept-ra")
    if "bond-master" in iface:
        facts["bond_master"] = identities.get(iface["bond-master"])
    facts["bond_parameters"] = {
        key.replace("_", "-"): value
        for key, value in iface.items()
        if key.startswith("bond") and key.replace("_", "-") not in ("bond-master", "bond-slaves")
    }
    return facts


def interface_dns(iface: dict[str, Any]) -> set[str]:
    servers = {
        server for s in iface.get("subnets") or [] for server in s.get("dns_nameservers", [])
    }
    return servers | set((iface.get("dns") or {}).get("nameservers", []))


def network_dns_services(network_data: dict[str, Any]) -> dict[str, set[str]]:
    """Each link's own dns services, by identity: cloud-init 23.1+ reads them, 22.4 does not."""
    identities = link_identities(network_data)
    found: dict[str, set[str]] = {}
    for network in network_data.get("networks", []):
        for service in network.get("services", []):
            if service.get("type") == "dns":
                found.setdefault(identities[network["link"]], set()).add(service["address"])
    return found


@dataclass(frozen=True)
class NetworkReading:
    network_data: dict[str, Any]
    ours: dict[str, Any]
    cloud_init: dict[str, Any]

    @property
    def identities_v1(self) -> dict[str, str]:
        return state_identities(self.cloud_init["state_v1"])

    @property
    def identities_v2(self) -> dict[str, str]:
        return state_identities(self.cloud_init["state_v2"])


@pytest.fixture(scope="module", params=OPENSTACK_FIXTURES)
def network(request: pytest.FixtureRequest) -> NetworkReading:
    network_data = load_fixture(NETWORK / request.param)
    ours = to_network_config_v2(network_data)
    query = {"network_data": network_data, "known_macs": kernel_names(network_data), "v2": ours}
    answer = debian_python(NETWORK_SCRIPT, stdin=json.dumps(query).encode())
    return NetworkReading(network_data, ours, answer)


def by_identity(state: dict[str, Any], identities: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {identities[name]: iface for name, iface in state["interfaces"].items()}


def test_the_same_interfaces_with_the_same_settings(network: NetworkReading) -> None:
    v1 = by_identity(network.cloud_init["state_v1"], network.identities_v1)
    v2 = by_identity(network.cloud_init["state_v2"], network.identities_v2)
    assert sorted(v1) == sorted(v2)
    assert sorted(v1) == sorted(set(link_identities(network.network_data).values()))
    for identity, iface in v1.items():
        theirs = interface_facts(iface, network.identities_v1)
        ours = interface_facts(v2[identity], network.identities_v2)
        assert ours == theirs, identity


def test_what_cloud_init_s_v2_parser_drops_is_in_our_document(network: NetworkReading) -> None:
    """22.4's v2 parser keeps no MAC or accept-ra for bonds and VLANs; netplan reads both."""
    v1 = by_identity(network.cloud_init["state_v1"], network.identities_v1)
    for section in ("bonds", "vlans"):
        for name, device in network.ours.get(section, {}).items():
            theirs = v1[network.identities_v2[name]]
            mac = theirs.get("mac_address")
            assert device.get("macaddress") == (mac.lower() if mac else None), name
            assert device.get("accept-ra") == theirs.get("accept-ra"), name


def test_the_same_dns_servers(network: NetworkReading) -> None:
    """Every DNS server cloud-init would use is used, on the same interface or globally.

    v1 has global servers (the top-level services); v2 has them only per device, so ours
    carries them on devices (cloud-init's v2 parser then lists each device's servers
    globally too). A link's own dns services count as its own (cloud-init 23.1+ reads
    them; 22.4 does not).
    """
    v1 = by_identity(network.cloud_init["state_v1"], network.identities_v1)
    v2 = by_identity(network.cloud_init["state_v2"], network.identities_v2)
    services = network_dns_services(network.network_data)
    global_v1 = set(network.cloud_init["state_v1"]["dns"]["nameservers"])
    everything = set(global_v1)
    for identity, iface in v1.items():
        own = interface_dns(iface) | services.get(identity, set())
        everything |= own
        assert own <= interface_dns(v2[identity]) <= own | global_v1, identity
    assert set(network.cloud_init["state_v2"]["dns"]["nameservers"]) == everything


def netplan_devices(document: dict[str, Any], identities: dict[str, str]) -> dict[str, Any]:
    """Devices by identity; members and links by identity; gateways as default routes."""
    devices: dict[str, Any] = {}
    for section in ("ethernets", "bonds", "vlans"):
        for name, given in document.get(section, {}).items():
            device = copy.deepcopy(given)
            routes = device.pop("routes", [])
            for key, default in (("gateway4", "0.0.0.0/0"), ("gateway6", "::/0")):
                if key in device:
                    routes.append({"to": default, "via": device.pop(key)})
            if routes:
                device["routes"] = sorted(routes, key=json.dumps)
            if "interfaces" in device:
                device["interfaces"] = sorted(identities[member] for member in device["interfaces"])
            if "link" in device:
                device["link"] = identities[device["link"]]
            devices[identities[name]] = device
    return devices


def test_netplan_rendering_of_cloud_init_s_conversion_is_ours(network: NetworkReading) -> None:
    """cloud-init's netplan renderer on its own v1 is network-config v2 by cloud-init's hand.

    Known differences, normalised here: it renames every NIC to the name the VM gave it
    (set-name: ens3), which only the VM knows; ours matches by MAC and renames only links
    with a `name`, as convert_net_json does. It writes `search: []`. Default routes are
    compared as routes (ours says IPv6's as gateway6). DNS is compared as in
    test_the_same_dns_servers (it leaves out servers ours carries).
    """
    rendered = yaml.safe_load(network.cloud_init["netplan_v1"])["network"]
    theirs = netplan_devices(rendered, network.identities_v1)
    ours = netplan_devices(network.ours, network.identities_v2)
    assert sorted(theirs) == sorted(ours)
    kernel = set(kernel_names(network.network_data).values())
    for identity, device in theirs.items():
        if device.get("set-name") in kernel:
            del device["set-name"]
        their_dns = device.pop("nameservers", {})
        our_dns = ours[identity].pop("nameservers", {})
        assert set(their_dns.get("addresses", [])) <= set(our_dns.get("addresses", []))
        assert (their_dns.get("search") or []) == our_dns.get("search", [])
        assert ours[identity] == device, identity


IGNORED_ENI_OPTIONS = (
    # Names, MACs and DNS are compared by the state tests; bond parameters too
    # (bond_mode in v1, bond-mode in v2: ifupdown hands both to ifenslave as BOND_MODE).
    "dns",
    "dns-nameservers",
    "dns-search",
    "hwaddress",
    "vlan-raw-device",
    "bond-master",
    "pre-down",  # the mirror of each post-up route
)


def eni_facts(text: str, identities: dict[str, str]) -> dict[str, set[str]]:
    """The stanzas and option lines of each interface, by identity.

    Alias stanzas (ens3:1) belong to their interface; routes and gateways are default
    routes wherever they hang (see interface_facts).
    """
    facts: dict[str, set[str]] = {}
    current: set[str] | None = None
    for line in text.splitlines():
        words = line.split()
        if line.startswith("iface "):
            name = words[1].split(":")[0]
            current = facts.setdefault(identities.get(name, name), set())
            current.add(f"{words[2]} {words[3]}")
        elif line.startswith("    ") and current is not None:
            if words[0] in IGNORED_ENI_OPTIONS or words[0].startswith("bond"):
                continue
            if words[0] == "gateway":
                current.add(f"default route via {words[1]}")
            elif words[:2] == ["post-up", "route"] and "default" in words:
                current.add(f"default route via {words[words.index('gw') + 1]}")
            else:
                current.add(" ".join(words))
        elif not line.strip():
            current = None
    return facts


def test_eni_rendering_is_the_same(network: NetworkReading) -> None:
    """cloud-init's ENI renderer (Debian's) writes the same stanzas from both states.

    Known differences, normalised here. SLAAC and stateless DHCPv6 are `inet6 auto` from
    v1 (plus `dhcp 1` for stateless); v2 has no such mode cloud-init's parser knows, so
    ours says dhcp6, as cloud-init's netplan renderer does, and ENI writes `inet6 dhcp`.
    22.4's v2 parser drops accept-ra of bonds and VLANs (ours carries it: checked above).
    """
    theirs = eni_facts(network.cloud_init["eni_v1"], network.identities_v1)
    ours = eni_facts(network.cloud_init["eni_v2"], network.identities_v2)
    for identity, lines in theirs.items():
        if "inet6 auto" in lines:
            lines -= {"inet6 auto", "dhcp 1"}
            lines.add("inet6 dhcp")
        if identity.startswith(("bond", "vlan")):
            lines -= {"accept_ra 0", "accept_ra 1"}
    assert ours == theirs


def test_names_known_at_build_time_are_cloud_init_s(network: NetworkReading) -> None:
    """Bonds (bond0, ...), links with a `name` and VLANs on them are named as cloud-init does.

    Names built from a NIC's kernel name (ens3, ens3.42) are the VM's to choose.
    """
    kernel = set(kernel_names(network.network_data).values())
    v2_names = {identity: name for name, identity in network.identities_v2.items()}
    compared = 0
    for name, identity in network.identities_v1.items():
        if name.split(".")[0] in kernel:
            continue
        assert v2_names[identity] == name, identity
        compared += 1
    bonds = sum(link["type"] == "bond" for link in network.network_data.get("links", []))
    named = sum("name" in link for link in network.network_data.get("links", []))
    assert compared >= bonds + named


# --------------------------------------------------------------------------- NoCloud's own keys

# What a cloud-localds user writes in meta-data (its --help example, plus the keys
# DataSourceNoCloud reads): given to `build --meta-data`, each must reach cloud-init as given.
HAND_WRITTEN_META = """\
instance-id: iid-local01
local-hostname: cloudimg
dsmode: local
public-keys:
  - {key}
network-interfaces: |
  auto eth0
  iface eth0 inet static
    address 192.0.2.10/24
    gateway 192.0.2.1
"""


def cli(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    return run_cli(*argv)


def test_nocloud_meta_data_keys_reach_cloud_init_as_given(tmp_path: Path) -> None:
    """build --layout nocloud with a hand-written meta-data reads as cloud-localds' seed of it."""
    key = key_lines("ed25519.pub")[0]
    meta = HAND_WRITTEN_META.format(key=key).encode()
    user_data = b"#cloud-config\npackage_update: true\n"
    theirs = read_nocloud(
        extract(
            cloud_localds({"user-data": user_data, "meta-data": meta}, tmp_path / "localds"),
            tmp_path / "localds-tree",
        )
    )
    (tmp_path / "meta.yml").write_bytes(meta)
    (tmp_path / "user.yml").write_bytes(user_data)
    built = cli("build", tmp_path / "user.yml", "--meta-data", tmp_path / "meta.yml",
                "--layout", "nocloud", "-o", tmp_path / "seed.iso", "--json")  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    summary = json.loads(built.stdout)
    assert summary["instance_id"] == "iid-local01"
    assert summary["hostname"] == "cloudimg"
    assert summary["keys"] == 1
    assert summary["warnings"] == []
    ours = read_nocloud(extract(tmp_path / "seed.iso", tmp_path / "ours-tree"))

    assert ours["instance_id"] == theirs["instance_id"] == "iid-local01"
    assert ours["hostname"] == theirs["hostname"] == "cloudimg"
    assert ours["ssh_keys"] == theirs["ssh_keys"] == [key]
    assert ours["dsmode"] == theirs["dsmode"] == "local"
    # DataSourceNoCloud.network_config converts network-interfaces with eni.convert_eni_data.
    assert ours["network_config"] == theirs["network_config"]
    assert ours["network_config"]["config"][0]["name"] == "eth0"


def test_a_uuid_instance_id_is_the_config_drive_uuid_too(tmp_path: Path) -> None:
    """One meta-data for both layouts: cloud-init sees the same instance-id and host name."""
    uuid = "0d6f3c2a-7b1e-4f5d-9c8b-2a1e3f4d5c6b"
    (tmp_path / "meta.yml").write_text(f"instance-id: {uuid}\nlocal-hostname: db-2\n")
    for layout in ("nocloud", "openstack"):
        built = cli("build", "--meta-data", tmp_path / "meta.yml", "--layout", layout,
                    "-o", tmp_path / f"{layout}.iso", "-q")  # fmt: skip
        assert built.returncode == 0, built.stderr
    seed = read_nocloud(extract(tmp_path / "nocloud.iso", tmp_path / "seed-tree"))
    drive = read_with_cloud_init(extract(tmp_path / "openstack.iso", tmp_path / "drive-tree"))
    metadata = drive["result"]["metadata"]
    assert seed["instance_id"] == metadata["instance-id"] == uuid
    assert seed["hostname"] == metadata["local-hostname"] == "db-2"
