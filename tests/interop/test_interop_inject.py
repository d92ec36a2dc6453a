"""inject and inspect IMAGE through the real libguestfs, read back by the file systems' own tools.

A libguestfs launch boots an appliance VM under software emulation (15-55 s here), so the
cases share launches: one `inject_jobs` run carries every API case (six images: Flatcar
with a btrfs and with an ext4 OEM, raw and qcow2, Container Linux, a cloud-init image, a
full ROOT and an in-place change), one CLI run injects two images, and one `inspect`
reads an injected image back. Everything written is then read without libguestfs:
debugfs for ext4, `btrfs restore` for btrfs, mtools for the EFI partition, and the NoCloud
seed by cloud-init's own NoCloud datasource. Inputs left as copies are checksummed before
and after: they never change.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from configdrive.api import inject_jobs, injection, machine_inputs
from configdrive.disks.appliance import have_libguestfs
from configdrive.disks.inject import InjectFailed, InjectResult
from configdrive.distro.oem_kit import oem_tree
from tests import disk_images
from tests.helpers import file_sha256, run_cli
from tests.interop.test_interop_nocloud import read_nocloud

pytestmark = pytest.mark.interop

ROOT = Path(__file__).resolve().parent.parent.parent
KEY = (ROOT / "fixtures" / "keys" / "ed25519.pub").read_text().strip()
CLOUD_CONFIG = f"#cloud-config\nhostname: web-1\nssh_authorized_keys:\n  - {KEY}\n".encode()
COREOS_CONFIG = (
    b"#cloud-config\ncoreos:\n  update:\n    reboot_strategy: off\n"
    + f"ssh_authorized_keys:\n  - {KEY}\n".encode()
)
IGNITION = json.dumps(
    {
        "ignition": {"version": "3.3.0"},
        "passwd": {"users": [{"name": "core", "sshAuthorizedKeys": [KEY]}]},
    }
).encode()
PLAIN_CONFIG = b"#cloud-config\nruncmd:\n  - [touch, /run/injected]\n"
FLATCAR_USER_DATA = "/var/lib/flatcar-install/user_data"
NETWORK_CONFIG = b"version: 2\nethernets:\n  eth0:\n    dhcp4: true\n"


@pytest.fixture(scope="module", autouse=True)
def _libguestfs() -> None:
    if not have_libguestfs():
        pytest.fail(
            "libguestfs is not usable here: scripts/test installs python3-guestfs, "
            "libguestfs-tools and a kernel (linux-image-amd64)",
            pytrace=False,
        )


@dataclass
class Batch:
    folder: Path
    images: dict[str, Path]
    before: dict[str, str]
    outputs: dict[str, Path]
    outcomes: dict[str, InjectResult | InjectFailed]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Batch]:
    """Every API case, injected with one launch."""
    folder = tmp_path_factory.mktemp("inject")
    (folder / "user.yml").write_bytes(CLOUD_CONFIG)
    (folder / "coreos.yml").write_bytes(COREOS_CONFIG)
    (folder / "config.ign").write_bytes(IGNITION)
    (folder / "network.yml").write_bytes(NETWORK_CONFIG)
    (folder / "plain.yml").write_bytes(PLAIN_CONFIG)
    images = {
        "flatcar-btrfs": disk_images.make_flatcar_image(folder / "flatcar.img", oem_fs="btrfs"),
        "flatcar-qcow2": disk_images.make_flatcar_image(
            folder / "flatcar-ext4.qcow2", oem_fs="ext4", format="qcow2"
        ),
        "coreos": disk_images.make_flatcar_image(folder / "coreos.img", flavour="coreos"),
        "cloud-init": disk_images.make_cloud_init_image(folder / "debian.img"),
        "full": disk_images.make_full_image(folder / "full.img", oem_fs="ext4"),
        "in-place": disk_images.make_flatcar_image(folder / "in-place.img", oem_fs="ext4"),
        "no-flag": disk_images.make_flatcar_image(
            folder / "no-flag.img", oem_fs="ext4", first_boot=False
        ),
        "no-os": no_os_image(folder),
    }
    before = {name: file_sha256(path) for name, path in images.items()}
    big = folder / "big.yml"
    big.write_bytes(b"#cloud-config\nwrite_files:\n  - path: /x\n    content: " + b"x" * 200_000)
    specs: dict[str, Any] = {
        "flatcar-btrfs": (machine_inputs(str(folder / "user.yml")), "openstack"),
        "flatcar-qcow2": (machine_inputs(str(folder / "config.ign")), None),
        "coreos": (machine_inputs(str(folder / "coreos.yml")), None),
        "cloud-init": (
            machine_inputs(
                str(folder / "plain.yml"),
                hostname="web-2",
                ssh_keys=[str(ROOT / "fixtures" / "keys" / "ed25519.pub")],
                network_data=str(folder / "network.yml"),
            ),
            None,
        ),
        "full": (machine_inputs(str(big)), None),
        "in-place": (machine_inputs(str(folder / "config.ign")), None),
        "no-flag": (machine_inputs(str(folder / "config.ign")), None),
        "no-os": (machine_inputs(str(folder / "user.yml")), None),
    }
    outputs = {name: folder / f"out-{images[name].name}" for name in images if name != "in-place"}
    jobs = [
        injection(
            images[name],
            inputs,
            output=outputs.get(name),
            in_place=name == "in-place",
            oem_platform=platform,
        )
        for name, (inputs, platform) in specs.items()
    ]
    results = inject_jobs(jobs)
    yield Batch(folder, images, before, outputs, dict(zip(specs, results, strict=True)))
    shutil.rmtree(folder, ignore_errors=True)


def no_os_image(folder: Path) -> Path:
    """A GPT disk with one ext4 file system that holds no OS."""
    work = folder / "no-os-work"
    work.mkdir()
    data = disk_images.make_ext4(work / "data.fs", 8 << 20, "data", {"hello": b"hi\n"}, work=work)
    spec = disk_images.PartitionSpec(1, "data", disk_images.TYPE_LINUX_DATA, 8 << 20, data)
    return disk_images.write_gpt_disk(folder / "no-os.img", [spec], disk_guid=str(uuid4()))


def result(batch: Batch, name: str) -> InjectResult:
    outcome = batch.outcomes[name]
    assert isinstance(outcome, InjectResult), f"{name}: {outcome}"
    return outcome


def test_copies_leave_every_input_image_as_it_was(batch: Batch) -> None:
    for name, image in batch.images.items():
        if name != "in-place":
            assert file_sha256(image) == batch.before[name], f"{name}: the input image changed"
    assert file_sha256(batch.images["in-place"]) != batch.before["in-place"]


def test_flatcar_cloud_config_lands_where_flatcar_install_puts_it(batch: Batch) -> None:
    done = result(batch, "flatcar-btrfs")
    out = batch.outputs["flatcar-btrfs"]
    assert done.system == "flatcar"
    assert [each.path for each in done.written if each.role == "ROOT"] == [
        "/var/lib/flatcar-install/user_data"
    ]
    # debugfs, not libguestfs, reads it back: byte for byte, root's, 0600.
    assert disk_images.read_ext4(out, "ROOT", "/var/lib/flatcar-install/user_data") == CLOUD_CONFIG
    info = disk_images.stat_ext4(out, "ROOT", "/var/lib/flatcar-install/user_data")
    assert info is not None
    assert (info.mode & 0o7777, info.uid, info.gid) == (0o600, 0, 0)
    # Container Linux's place stays empty on Flatcar: its coreos-cloudinit does not watch it.
    assert disk_images.read_ext4(out, "ROOT", "/var/lib/coreos-install/user_data") is None
    # The first-boot flag is where it was.
    assert disk_images.read_vfat(out, "EFI-SYSTEM", "/flatcar/first_boot") is not None


def test_the_oem_kit_lands_on_a_btrfs_oem_partition(batch: Batch) -> None:
    out = batch.outputs["flatcar-btrfs"]
    for path, data in oem_tree("openstack").items():
        assert disk_images.read_btrfs(out, "OEM", path) == data, path


def test_ignition_goes_to_config_ign_on_an_ext4_oem_partition_of_a_qcow2(batch: Batch) -> None:
    done = result(batch, "flatcar-qcow2")
    out = batch.outputs["flatcar-qcow2"]
    assert out.read_bytes()[:4] == b"QFI\xfb"
    assert [(each.role, each.path) for each in done.written] == [("OEM", "/config.ign")]
    assert disk_images.read_ext4(out, "OEM", "/config.ign") == IGNITION
    assert done.first_boot == "/flatcar/first_boot"
    assert disk_images.read_vfat(out, "EFI-SYSTEM", "/flatcar/first_boot") is not None


def test_container_linux_gets_the_coreos_install_place(batch: Batch) -> None:
    done = result(batch, "coreos")
    out = batch.outputs["coreos"]
    assert done.system == "container-linux"
    assert disk_images.read_ext4(out, "ROOT", "/var/lib/coreos-install/user_data") == COREOS_CONFIG
    assert disk_images.read_ext4(out, "ROOT", "/var/lib/flatcar-install/user_data") is None


def test_the_cloud_init_seed_passes_cloud_inits_own_nocloud_reader(
    batch: Batch, tmp_path: Path
) -> None:
    done = result(batch, "cloud-init")
    out = batch.outputs["cloud-init"]
    assert done.system == "cloud-init"
    names = disk_images.list_ext4(out, "1", "/var/lib/cloud/seed/nocloud")
    assert names == ["meta-data", "network-config", "user-data"]
    seed = tmp_path / "seed"
    seed.mkdir()
    for name in names:
        data = disk_images.read_ext4(out, "1", f"/var/lib/cloud/seed/nocloud/{name}")
        assert data is not None
        (seed / name).write_bytes(data)
    reading = read_nocloud(seed)
    assert reading["userdata_raw"] == PLAIN_CONFIG
    assert reading["metadata"]["local-hostname"] == "web-2"
    assert reading["metadata"]["public-keys"] == [KEY]
    assert reading["network_config"] == {
        "version": 2,
        "ethernets": {"eth0": {"dhcp4": True}},
    }


def test_a_full_root_fails_alone_and_leaves_no_copy(batch: Batch) -> None:
    outcome = batch.outcomes["full"]
    assert isinstance(outcome, InjectFailed)
    assert outcome.exit_code == 3
    assert "no space left on ROOT (partition 9, ext4)" in str(outcome)
    assert "\n" not in str(outcome)
    assert not batch.outputs["full"].exists()
    assert not [p for p in batch.folder.iterdir() if p.name.startswith(".out-full")]


def test_an_image_with_no_os_inject_knows_fails_alone_in_one_line(batch: Batch) -> None:
    outcome = batch.outcomes["no-os"]
    assert isinstance(outcome, InjectFailed)
    assert outcome.exit_code == 1
    assert str(outcome) == (
        f"{batch.images['no-os']}: no OS inject knows: no file systems labelled ROOT and OEM "
        "(Flatcar, Container Linux) and none holding /etc/cloud/cloud.cfg (cloud-init); "
        "found data (partition 1, ext4)"
    )
    assert not batch.outputs["no-os"].exists()


def test_in_place_changes_the_image_itself(batch: Batch) -> None:
    done = result(batch, "in-place")
    assert done.in_place
    assert disk_images.read_ext4(batch.images["in-place"], "OEM", "/config.ign") == IGNITION


def test_a_missing_first_boot_flag_is_a_warning_and_the_config_is_written(batch: Batch) -> None:
    done = result(batch, "no-flag")
    assert done.first_boot is None
    assert any("first-boot flag" in warning.message for warning in done.warnings)
    assert disk_images.read_ext4(batch.outputs["no-flag"], "OEM", "/config.ign") == IGNITION


def test_cli_injects_two_images_in_one_run_and_inspect_reads_one_back(tmp_path: Path) -> None:
    flatcar = disk_images.make_flatcar_image(tmp_path / "flatcar.img", oem_fs="ext4")
    debian = disk_images.make_cloud_init_image(tmp_path / "debian.img")
    user = tmp_path / "user.yml"
    user.write_bytes(CLOUD_CONFIG)
    out = tmp_path / "out"
    out.mkdir()
    done = run_cli("inject", flatcar, debian, "--user-data", user, "-o", out, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True
    assert [image["system"] for image in report["images"]] == ["flatcar", "cloud-init"]
    assert sorted(path.name for path in out.iterdir()) == ["debian.img", "flatcar.img"]
    injected = disk_images.read_ext4(out / "flatcar.img", "ROOT", FLATCAR_USER_DATA)
    assert injected == CLOUD_CONFIG

    seen = run_cli("inspect", out / "flatcar.img", "--json")
    assert seen.returncode == 0, seen.stderr
    found = json.loads(seen.stdout)
    assert found["system"] == "flatcar"
    assert [(c["reader"], c["path"], c["verdict"]) for c in found["configs"]] == [
        ("coreos-cloudinit", "/var/lib/flatcar-install/user_data", "applies")
    ]
    assert found["configs"][0]["sha256"] == hashlib.sha256(CLOUD_CONFIG).hexdigest()


def test_build_many_injects_its_inject_machines_in_one_launch(tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    disk_images.make_flatcar_image(images / "flatcar.qcow2", oem_fs="btrfs", format="qcow2")
    disk_images.make_cloud_init_image(images / "debian.img")
    before = {path.name: file_sha256(path) for path in images.iterdir()}
    (tmp_path / "fleet.yml").write_text(
        "machines:\n"
        '  - {name: web-1, user_data: "#cloud-config\\nhostname: web-1\\n",\n'
        "     inject: {image: images/flatcar.qcow2, oem_platform: openstack}}\n"
        "  - {name: db-1, hostname: db-1,\n"
        '     user_data: "#cloud-config\\nruncmd: [[touch, /run/x]]\\n",\n'
        "     inject: {image: images/debian.img}}\n"
        "  - {name: drive-1, hostname: drive-1}\n"
    )
    out = tmp_path / "out"
    done = run_cli("build-many", tmp_path / "fleet.yml", "--out-dir", out, "--json")
    assert done.returncode == 0, done.stderr
    lines = {entry["machine"]: entry for entry in map(json.loads, done.stdout.splitlines())}
    assert lines["web-1"]["system"] == "flatcar"
    assert lines["db-1"]["system"] == "cloud-init"
    assert sorted(path.name for path in out.iterdir()) == ["db-1.img", "drive-1.iso", "web-1.qcow2"]
    assert disk_images.read_ext4(out / "web-1.qcow2", "ROOT", FLATCAR_USER_DATA) == (
        b"#cloud-config\nhostname: web-1\n"
    )
    assert (
        disk_images.read_btrfs(out / "web-1.qcow2", "OEM", "/grub.cfg")
        == (oem_tree("openstack")["grub.cfg"])
    )
    meta = disk_images.read_ext4(out / "db-1.img", "1", "/var/lib/cloud/seed/nocloud/meta-data")
    assert meta is not None
    assert b"local-hostname: db-1" in meta
    assert {path.name: file_sha256(path) for path in images.iterdir()} == before
