"""The fast plumbing under `inject IMAGE`: the test-image kit, the partition-table reader,
busy-image detection and the sparse copy. Nothing here launches libguestfs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests import disk_images

FLATCAR_PARTITIONS = [
    (1, "EFI-SYSTEM", disk_images.TYPE_EFI),
    (2, "BIOS-BOOT", disk_images.TYPE_BIOS),
    (3, "USR-A", disk_images.TYPE_COREOS_ROOTFS),
    (4, "USR-B", disk_images.TYPE_COREOS_ROOTFS),
    (6, "OEM", disk_images.TYPE_LINUX_DATA),
    (7, "OEM-CONFIG", disk_images.TYPE_COREOS_RESERVED),
    (9, "ROOT", disk_images.TYPE_COREOS_RESIZE),
]
# Every byte value, a NUL run and no trailing newline: a round trip that alters nothing.
AWKWARD = bytes(range(256)) + b"\0" * 5000 + b"end"


@pytest.fixture(scope="module")
def flatcar_image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("flatcar")
    return disk_images.make_flatcar_image(
        folder / "flatcar.img",
        root_files={"etc/awkward.bin": AWKWARD},
        oem_files={"grub.cfg": "set oem_id=qemu\n", "awkward.bin": AWKWARD},
    )


# ----------------------------------------------------------------------------- the image kit


def test_flatcar_image_has_flatcars_partitions(flatcar_image: Path) -> None:
    found = [(p.number, p.name, p.type) for p in disk_images.partitions(flatcar_image)]
    assert found == FLATCAR_PARTITIONS
    assert disk_images.filesystem_of(flatcar_image, "ROOT") == "ext4"
    assert disk_images.filesystem_of(flatcar_image, "OEM") == "btrfs"
    assert disk_images.filesystem_of(flatcar_image, "EFI-SYSTEM") == "vfat"
    assert disk_images.filesystem_of(flatcar_image, "BIOS-BOOT") is None


def test_flatcar_image_holds_os_release_and_first_boot_flag(flatcar_image: Path) -> None:
    release = disk_images.read_ext4(flatcar_image, "USR-A", "/lib/os-release")
    assert release is not None
    assert b"\nID=flatcar\n" in release
    assert f"VERSION={disk_images.FLATCAR_VERSION}\n".encode() in release
    assert disk_images.read_vfat(flatcar_image, "EFI-SYSTEM", "flatcar/first_boot")


def test_flatcar_image_is_sparse(flatcar_image: Path) -> None:
    stat = flatcar_image.stat()
    assert stat.st_blocks * 512 < stat.st_size // 4


def test_ext4_round_trip_is_byte_for_byte(flatcar_image: Path) -> None:
    assert disk_images.read_ext4(flatcar_image, "ROOT", "/etc/awkward.bin") == AWKWARD
    assert disk_images.read_file(flatcar_image, "ROOT", "etc/awkward.bin") == AWKWARD
    assert disk_images.read_ext4(flatcar_image, "ROOT", "/etc/absent") is None
    assert disk_images.list_ext4(flatcar_image, "ROOT", "/etc") == ["awkward.bin"]
    assert disk_images.list_ext4(flatcar_image, "ROOT", "/no/such/folder") == []
    stat = disk_images.stat_ext4(flatcar_image, "ROOT", "/etc/awkward.bin")
    assert stat is not None
    assert stat.size == len(AWKWARD)
    assert stat.mode == 0o100644
    folder = disk_images.stat_ext4(flatcar_image, "ROOT", "/var")
    assert folder is not None
    assert folder.mode & 0o170000 == 0o040000


def test_btrfs_round_trip_is_byte_for_byte(flatcar_image: Path) -> None:
    assert disk_images.read_btrfs(flatcar_image, "OEM", "awkward.bin") == AWKWARD
    assert disk_images.read_btrfs(flatcar_image, "OEM", "grub.cfg") == b"set oem_id=qemu\n"
    assert disk_images.read_btrfs(flatcar_image, "OEM", "absent") is None
    assert disk_images.list_btrfs(flatcar_image, "OEM", "/") == ["awkward.bin", "grub.cfg"]


def test_ext4_oem_coreos_flavour_in_qcow2(tmp_path: Path) -> None:
    image = disk_images.make_flatcar_image(
        tmp_path / "coreos.qcow2",
        oem_fs="ext4",
        flavour="coreos",
        oem_files={"cloud-config.yml": AWKWARD},
        format="qcow2",
    )
    assert image.read_bytes()[:4] == b"QFI\xfb"
    assert disk_images.filesystem_of(image, "OEM") == "ext4"
    assert disk_images.read_ext4(image, "OEM", "/cloud-config.yml") == AWKWARD
    assert disk_images.read_vfat(image, "EFI-SYSTEM", "coreos/first_boot")
    assert disk_images.read_vfat(image, "EFI-SYSTEM", "flatcar/first_boot") is None
    release = disk_images.read_ext4(image, "USR-A", "/lib/os-release")
    assert release is not None
    assert b"\nID=coreos\n" in release


def test_same_inputs_make_the_same_ext4_image(tmp_path: Path) -> None:
    options = {"oem_fs": "ext4", "root_files": {"etc/a": "1"}, "oem_files": {"b/c": "2"}}
    first = disk_images.make_flatcar_image(tmp_path / "1.img", **options)  # type: ignore[arg-type]
    second = disk_images.make_flatcar_image(tmp_path / "2.img", **options)  # type: ignore[arg-type]
    assert first.read_bytes() == second.read_bytes()


def test_full_image_leaves_root_nearly_full(tmp_path: Path) -> None:
    image = disk_images.make_full_image(tmp_path / "full.img", leave_free=8192)
    with disk_images.extracted(image, "ROOT") as root:
        assert disk_images.ext4_free_bytes(root) <= 8192
        # e2fsck agrees the file system is consistent, filler and all.
        subprocess.run(["e2fsck", "-fn", str(root)], check=True, capture_output=True)


def test_cloud_init_image(tmp_path: Path) -> None:
    image = disk_images.make_cloud_init_image(tmp_path / "debian.img")
    found = {p.number: p.type for p in disk_images.partitions(image)}
    assert found == {
        1: disk_images.TYPE_LINUX_DATA,
        14: disk_images.TYPE_BIOS,
        15: disk_images.TYPE_EFI,
    }
    release = disk_images.read_ext4(image, "1", "/etc/os-release")
    assert release is not None
    assert b"\nID=debian\n" in release
    assert disk_images.read_ext4(image, "1", "/etc/cloud/cloud.cfg") == (
        disk_images.CLOUD_CFG.encode()
    )
    assert disk_images.stat_ext4(image, "1", "/usr/bin/cloud-init") is not None
    root = disk_images.partition(image, "1")
    blkid = subprocess.run(
        ["blkid", "-p", "-o", "value", "-s", "LABEL", "-O", str(root.start), image],
        capture_output=True,
        check=False,
    )
    assert blkid.stdout.strip() == b"cloudimg-rootfs"
