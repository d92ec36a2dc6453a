"""The boot test's guest: Debian 12 with cloud-init, built once and cached.

tests/boot/build-guest makes it with debootstrap (minbase, the packages in
agent/packages) and mkfs.ext4 -d; the report agent (agent/boot-report and its systemd unit)
is baked in. The cache folder is named by a hash of everything that defines the guest (the
script, the package list, the agent), so a change to any of them builds a new guest and a
second run reuses the first. Boots never change the cached image: each boots a qcow2
overlay (vm.py).

The same file system, put inside a GPT disk (`cloud_image`), is the user's cloud image for
`try`'s own boot test (test_try.py): one guest for every boot.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CACHE = ROOT / ".cache" / "boot"
BUILD_SCRIPT = HERE / "build-guest"
AGENT = HERE / "agent"
# What a build needs on the host (Debian packages in brackets): scripts/test installs them.
HOST_TOOLS = {
    "debootstrap": "debootstrap",
    "mkfs.ext4": "e2fsprogs",
    "qemu-system-x86_64": "qemu-system-x86",
    "qemu-img": "qemu-utils",
    "sgdisk": "gdisk",
    "guestfish": "libguestfs-tools",
}
MiB = 1 << 20
DISK_GUID = "0b7c4e2a-1f3d-4a5b-9c6d-7e8f9a0b1c2d"
# x86-64 root (the Discoverable Partitions Specification)
ROOT_TYPE = "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709"
# debootstrap takes 2-4 minutes on a 2-core machine with a near mirror; this is a safety net.
BUILD_TIMEOUT = 1800


def fail(message: str) -> None:
    """Stop the test with `message` (pytest.fail, imported late: this module is plain)."""
    import pytest

    pytest.fail(message, pytrace=False)


@dataclass(frozen=True)
class Guest:
    """A built guest: its root file system image and the kernel and initrd from its /boot."""

    folder: Path
    build_seconds: float | None  # None when it came from the cache

    @property
    def rootfs(self) -> Path:
        return self.folder / "rootfs.raw"

    @property
    def kernel(self) -> Path:
        return self.folder / "vmlinuz"

    @property
    def initrd(self) -> Path:
        return self.folder / "initrd.img"

    def cloud_image(self) -> Path:
        """The guest as a cloud image: a GPT disk that boots through its own boot loader.

        Laid out as Debian's cloud images are: a BIOS boot partition for GRUB's core image
        and the root file system (as tests/disk_images.py makes disks: sgdisk, then dd at the
        partition's offset; no loop device). GRUB is then installed from inside the guest's own
        file system by libguestfs (guestfish's `command` runs it chrooted there, with /dev,
        /proc and /sys bound), as virt-customize does. Made once, next to the file system.
        """
        disk = self.folder / "disk.raw"
        if disk.is_file():
            return disk
        size = self.rootfs.stat().st_size
        partial = self.folder / "disk.raw.partial"
        with partial.open("wb") as stream:
            # 2 MiB before (GPT, BIOS boot), 1 MiB after (the backup GPT); sparse.
            stream.truncate(size + 3 * MiB)
        commands = [
            ["sgdisk", "-o", "-U", DISK_GUID,
             "-n", f"1:{MiB // 512}:+1M", "-t", "1:EF02", "-c", "1:bios",
             "-n", f"2:{2 * MiB // 512}:+{size // 1024}K", "-t", f"2:{ROOT_TYPE}", "-c", "2:root",
             str(partial)],
            ["dd", f"if={self.rootfs}", f"of={partial}", "bs=1M", f"seek={2 * MiB}",
             "oflag=seek_bytes", "conv=sparse,notrunc", "status=none"],
            ["guestfish", "--rw", "-a", str(partial), "--", "run", ":", "mount", "/dev/sda2", "/",
             ":", "command", "grub-install --target=i386-pc /dev/sda",
             ":", "command", "grub-mkconfig -o /boot/grub/grub.cfg"],
        ]  # fmt: skip
        # KVM may be offered and still fail ("failed to set MSR" here); emulation always works.
        environment = {**os.environ, "LIBGUESTFS_BACKEND": "direct",
                       "LIBGUESTFS_BACKEND_SETTINGS": "force_tcg"}  # fmt: skip
        for command in commands:
            done = subprocess.run(
                command, capture_output=True, text=True, check=False, env=environment,
                timeout=BUILD_TIMEOUT,
            )  # fmt: skip
            if done.returncode:
                output = (done.stdout + done.stderr).strip()[-3000:]
                fail(f"making the cloud image failed: {command[0]}: {output}")
        partial.rename(disk)
        return disk


def definition_hash() -> str:
    """A hash of every file that defines the guest: a change to any builds a new one."""
    digest = hashlib.sha256()
    files = [BUILD_SCRIPT, *sorted(path for path in AGENT.rglob("*") if path.is_file())]
    for path in files:
        digest.update(str(path.relative_to(HERE)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def missing_host_tools() -> list[str]:
    return [f"{tool} ({package})" for tool, package in HOST_TOOLS.items() if not shutil.which(tool)]


def guest() -> Guest:
    """The cached guest, built first when there is none for this definition."""
    folder = CACHE / definition_hash()
    if (folder / "complete").is_file():
        return Guest(folder, None)
    missing = missing_host_tools()
    if missing:
        fail(
            "the boot test's guest cannot be built: missing "
            + ", ".join(missing)
            + " (./scripts/test installs them)"
        )
    if os.geteuid() != 0:
        fail(
            "the boot test's guest cannot be built: debootstrap needs root "
            f"(run as root once; the guest is then cached in {CACHE})"
        )
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = CACHE / f"{folder.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    log = CACHE / f"{folder.name}.log"
    started = time.monotonic()
    with log.open("wb") as output:
        try:
            result = subprocess.run(
                [str(BUILD_SCRIPT), str(partial), str(AGENT / "packages"), str(AGENT)],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=BUILD_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            fail(f"building the boot test's guest took over {BUILD_TIMEOUT} s; see {log}")
            raise
    seconds = time.monotonic() - started
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        fail(f"building the boot test's guest failed ({log}):\n{tail}")
    (partial / "complete").write_text(f"{seconds:.1f}\n")
    # Whole or not at all: another run sees the folder only once it is complete.
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return Guest(folder, seconds)
