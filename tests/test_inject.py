"""inject without an appliance: what is decided from labels and files, and every refusal
that must happen on the host before a launch (tests/interop/test_interop_inject.py runs
the real libguestfs).

A guard makes any launch here fail the test: the refusals must come first, in seconds.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from configdrive.disks import appliance as appliance_module
from configdrive.disks.appliance import FoundDisk, FoundPartition, Probe, ProbedFile
from configdrive.disks.targets import (
    COREOS_USER_DATA,
    FLATCAR_USER_DATA,
    NOCLOUD_SEED,
    NoSystemFound,
    System,
    detect_system,
    not_carried,
    seed_writes,
    user_data_paths,
)
from configdrive.errors import ApplianceError
from configdrive.inputs.machine_file import load_machine_file
from configdrive.machine import MachineSpec
from tests import disk_images
from tests.helpers import file_sha256, run_cli, run_cli_process

ROOT = Path(__file__).resolve().parent.parent
KEY_FILE = ROOT / "fixtures" / "keys" / "ed25519.pub"


def part(number: int, label: str, fs_type: str = "ext4", gpt_name: str = "") -> FoundPartition:
    return FoundPartition(
        device=f"/dev/sda{number}",
        number=number,
        gpt_name=gpt_name,
        gpt_type="",
        size=1 << 20,
        fs_type=fs_type,
        fs_label=label,
        fs_uuid="",
    )


def probe(files: dict[str, bytes] | None = None) -> Probe:
    found = {path: ProbedFile("file", len(data), data) for path, data in (files or {}).items()}
    return Probe(mounted=True, files=found)


FLATCAR_PARTS = (
    part(1, "EFI-SYSTEM", "vfat"),
    part(3, "USR-A"),
    part(6, "OEM", "btrfs"),
    part(9, "ROOT"),
)


def flatcar_probes(os_release: bytes, *, flag: str | None = "flatcar") -> dict[str, Probe]:
    return {
        "/dev/sda1": probe({f"/{flag}/first_boot": b""} if flag else {}),
        "/dev/sda3": probe({"/lib/os-release": os_release}),
        "/dev/sda6": probe(),
        "/dev/sda9": probe(),
    }


# ----------------------------------------------------------------------------- targets


def test_flatcar_is_known_by_its_labels_and_its_os_release() -> None:
    disk = FoundDisk("/dev/sda", "gpt", FLATCAR_PARTS)
    found = detect_system(disk, flatcar_probes(b'ID=flatcar\nPRETTY_NAME="Flatcar 1"\n'))
    assert found.system is System.FLATCAR
    assert found.name == "Flatcar 1"
    assert (found.root.number, found.oem.number if found.oem else None) == (9, 6)
    assert found.first_boot == "/flatcar/first_boot"
    # Flatcar's coreos-cloudinit watches one path only (flatcar/coreos-cloudinit
    # units/user-config.target:7); CoreOS's watches the other (v1.14.0, the same line).
    assert user_data_paths(found.system) == (FLATCAR_USER_DATA,)


def test_container_linux_is_known_by_its_os_release_or_its_first_boot_folder() -> None:
    disk = FoundDisk("/dev/sda", "gpt", FLATCAR_PARTS)
    by_release = detect_system(disk, flatcar_probes(b"ID=coreos\n", flag=None))
    assert by_release.system is System.CONTAINER_LINUX
    assert user_data_paths(by_release.system) == (COREOS_USER_DATA,)
    by_flag = detect_system(disk, flatcar_probes(b"", flag="coreos"))
    assert by_flag.system is System.CONTAINER_LINUX
    # Neither: both places are written, and the report says why.
    unknown = detect_system(disk, flatcar_probes(b"", flag=None))
    assert unknown.system is System.CONTAINER_LINUX_FAMILY
    assert user_data_paths(unknown.system) == (FLATCAR_USER_DATA, COREOS_USER_DATA)
    assert unknown.first_boot is None


def test_labels_are_file_system_labels_first_as_blkid_finds_them() -> None:
    # flatcar-install finds ROOT with `blkid -t LABEL=ROOT` (a file-system label): a GPT
    # name alone counts only where no file system carries the label.
    parts = (
        part(3, "", gpt_name="USR-A"),
        part(6, "OEM"),
        part(9, "", gpt_name="ROOT"),
        part(10, "ROOT"),
    )
    found = detect_system(FoundDisk("/dev/sda", "gpt", parts), {})
    assert found.root.number == 10


def test_two_partitions_with_one_label_are_refused() -> None:
    parts = (part(6, "OEM"), part(9, "ROOT"), part(10, "ROOT"))
    with pytest.raises(NoSystemFound, match="more than one partition is labelled ROOT"):
        detect_system(FoundDisk("/dev/sda", "gpt", parts), {})


def test_a_cloud_init_image_is_known_by_its_cloud_cfg() -> None:
    parts = (part(1, "cloudimg-rootfs"), part(15, "UEFI", "vfat"))
    probes = {
        "/dev/sda1": probe(
            {"/etc/cloud/cloud.cfg": b"{}", "/etc/os-release": b'NAME="D"\nPRETTY_NAME="Debian"'}
        ),
        "/dev/sda15": probe(),
    }
    found = detect_system(FoundDisk("/dev/sda", "gpt", parts), probes)
    assert (found.system, found.name, found.root.number) == (System.CLOUD_INIT, "Debian", 1)


def test_an_image_with_nothing_known_says_what_it_holds() -> None:
    parts = (part(1, "data"),)
    with pytest.raises(NoSystemFound, match=r"found data \(partition 1, ext4\)"):
        detect_system(FoundDisk("/dev/sda", "gpt", parts), {"/dev/sda1": probe()})


def test_a_new_seed_removes_the_old_seeds_files_it_does_not_replace() -> None:
    root = part(1, "cloudimg-rootfs")
    disk = FoundDisk("/dev/sda", "gpt", (root,))
    old = probe({"/etc/cloud/cloud.cfg": b"{}"})
    system = detect_system(disk, {"/dev/sda1": old})
    existing = Probe(
        True,
        {
            f"{NOCLOUD_SEED}/network-config": ProbedFile("file", 3, b"old"),
            f"{NOCLOUD_SEED}/meta-data": ProbedFile("file", 3, b"old"),
        },
    )
    write = seed_writes(system, {"meta-data": b"m", "user-data": b"u"}, existing)
    assert [each.path for each in write.files] == [
        f"{NOCLOUD_SEED}/meta-data",
        f"{NOCLOUD_SEED}/user-data",
    ]
    assert write.remove == (f"{NOCLOUD_SEED}/network-config",)
    assert {each.mode for each in write.files} == {0o600}


def test_inputs_a_container_linux_image_would_lose_are_errors() -> None:
    disk = FoundDisk("/dev/sda", "gpt", FLATCAR_PARTS)
    system = detect_system(disk, flatcar_probes(b"ID=flatcar\n"))
    spec = MachineSpec(ssh_keys=("ssh-ed25519 AAAA",), hostname="web-1")
    problems = not_carried(spec, system)
    assert [problem.file for problem in problems] == ["--ssh-key", "--hostname"]
    assert "ssh_authorized_keys" in problems[0].message
    assert not_carried(MachineSpec(), system) == []


# ----------------------------------------------------------------------------- the host side


@pytest.fixture(autouse=True)
def _no_launch(monkeypatch: pytest.MonkeyPatch) -> None:
    def launched(self: object) -> None:
        raise AssertionError("the appliance was launched; the refusal should come first")

    monkeypatch.setattr(appliance_module.Appliance, "__enter__", launched)


@pytest.fixture(scope="module")
def flatcar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return disk_images.make_flatcar_image(
        tmp_path_factory.mktemp("images") / "flatcar.img", oem_fs="ext4"
    )


@pytest.fixture
def user(tmp_path: Path) -> Path:
    path = tmp_path / "user.yml"
    path.write_text("#cloud-config\nhostname: web-1\n")
    return path


def test_a_typo_in_the_inputs_is_reported_before_any_launch(flatcar: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("#cloud-config\nssh_authorized_keys: [ssh-ed25519 AAAA]\nhostnme: web-1\n")
    before = file_sha256(flatcar)
    done = run_cli("inject", flatcar, "--user-data", bad, "-o", tmp_path / "out.img")
    assert done.returncode == 1
    assert f"{bad}:3:1" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out.img").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bad.yml"]
    assert file_sha256(flatcar) == before


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([], "give -o OUT (the images are not changed) or --in-place"),
        (["-o", "OUT", "--in-place"], "give -o OUT or --in-place, not both"),
        (["-o", "IMAGE"], "is the image itself: give --in-place to change it there"),
    ],
)
def test_usage_errors(
    flatcar: Path, user: Path, tmp_path: Path, arguments: list[str], message: str
) -> None:
    swapped = [
        {"OUT": str(tmp_path / "out.img"), "IMAGE": str(flatcar)}.get(arg, arg) for arg in arguments
    ]
    done = run_cli("inject", flatcar, "--user-data", user, *swapped)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_several_images_need_an_existing_folder(flatcar: Path, user: Path, tmp_path: Path) -> None:
    done = run_cli("inject", flatcar, flatcar, "--user-data", user, "-o", tmp_path / "nope")
    assert done.returncode == 2
    assert "with several images, give an existing folder" in done.stderr


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.write_bytes(os.urandom(1 << 16)), "not a disk image"),
        (lambda p: p.write_bytes(b""), "is empty, not a disk image"),
        (lambda p: p.mkdir(), "a folder"),
    ],
    ids=["random-bytes", "empty", "folder"],
)
def test_what_is_not_a_disk_image_is_refused_in_one_line(
    tmp_path: Path, user: Path, make: object, expected: str
) -> None:
    image = tmp_path / "image"
    make(image)  # type: ignore[operator]
    before = file_sha256(image) if image.is_file() else None
    done = run_cli("inject", image, "--user-data", user, "-o", tmp_path / "out.img")
    assert done.returncode == 1, done.stderr
    assert expected in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.img").exists()
    assert (file_sha256(image) if image.is_file() else None) == before


def test_a_truncated_image_is_refused(flatcar: Path, user: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.img"
    with flatcar.open("rb") as source, cut.open("wb") as target:
        target.write(source.read(flatcar.stat().st_size // 2))
    before = file_sha256(cut)
    done = run_cli("inject", cut, "--user-data", user, "--in-place")
    assert done.returncode == 1
    assert "truncated" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert file_sha256(cut) == before  # even --in-place: it was refused before any write


def test_an_image_another_process_writes_to_is_refused(
    flatcar: Path, user: Path, tmp_path: Path
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import sys; f = open({str(flatcar)!r}, 'r+b'); sys.stdin.read()"],
        stdin=subprocess.PIPE,
    )
    try:
        for _ in range(200):  # until the child has the file open (bounded, not timed)
            descriptors = Path(f"/proc/{holder.pid}/fd").iterdir()
            if any(fd.resolve() == flatcar.resolve() for fd in descriptors):
                break
            subprocess.run(["true"], check=True)
        done = run_cli("inject", flatcar, "--user-data", user, "-o", tmp_path / "out.img")
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait()
    assert done.returncode == 3, done.stderr
    assert f"process {holder.pid}" in done.stderr
    assert "has it open for writing" in done.stderr
    assert not (tmp_path / "out.img").exists()


def test_a_read_only_image_is_not_changed_in_place(
    flatcar: Path, user: Path, tmp_path: Path
) -> None:
    image = tmp_path / "ro.img"
    image.write_bytes(flatcar.read_bytes())
    image.chmod(0o444)
    before = file_sha256(image)
    done = run_cli("inject", image, "--user-data", user, "--in-place")
    assert done.returncode == 3
    assert "the image is read-only (mode 0444); give -o OUT to write a copy instead" in done.stderr
    assert file_sha256(image) == before


def test_an_existing_output_is_not_replaced_without_force(
    flatcar: Path, user: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.img"
    out.write_bytes(b"mine")
    done = run_cli("inject", flatcar, "--user-data", user, "-o", out)
    assert done.returncode == 3
    assert "exists already; use --force to replace it" in done.stderr
    assert out.read_bytes() == b"mine"


def test_missing_libguestfs_names_the_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(appliance_module, "DEBIAN_BINDING", tmp_path / "nothing.py")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ApplianceError, match="python3-guestfs") as caught:
        appliance_module.guestfs_python()
    assert caught.value.exit_code == 3


# ----------------------------------------------------------------------------- machine files


def test_a_machine_file_names_its_image_and_its_output(tmp_path: Path) -> None:
    machine = tmp_path / "web-1.yml"
    machine.write_text(
        "name: web-1\nuser_data: '#cloud-config\\n'\n"
        "inject: {image: images/flatcar.qcow2, oem_platform: openstack}\n"
    )
    loaded = load_machine_file(machine)
    assert loaded.inject_image == tmp_path / "images" / "flatcar.qcow2"
    assert loaded.inject_oem_platform == "openstack"
    assert loaded.output_name() == "web-1.qcow2"


def test_a_machine_files_inject_key_is_checked_with_the_rest(tmp_path: Path) -> None:
    machine = tmp_path / "web-1.yml"
    machine.write_text("name: web-1\ninject: {images: flatcar.img}\n")
    done = run_cli("validate", "--machine", machine)
    assert done.returncode == 1
    assert f"{machine}:2" in done.stderr
    assert "image" in done.stderr


def test_inspect_never_opens_a_fifo_to_tell_a_disk_from_a_drive(tmp_path: Path) -> None:
    # Opening a FIFO to read its first bytes would block until a writer came: the disk
    # check looks only at regular files, and the drive reader refuses the rest.
    fifo = tmp_path / "image"
    os.mkfifo(fifo)
    done = run_cli_process("inspect", fifo, timeout=60)
    assert done.returncode == 3
    assert done.stderr == f"mkconfigdrive: {fifo}: cannot read the drive: is not a regular file\n"
