"""A small Debian 12 cloud image for `try`'s real boot test, made here and cached.

debootstrap (minbase, as root: it chroots) fills a folder; mkfs.ext4 -d makes the root file
system from it as a file, and dd copies that into a GPT disk at its partition's offset (as
tests/disk_images.py does): no loop device, no mount. The image has no boot loader, so
`try --direct-kernel` boots its own /boot/vmlinuz-* and initrd. It is built once per recipe
(a hash of this file) into .cache/trial/.

Snags met before (issue 17): minbase needs python3-cffi-backend named for cloud-init's
dependencies; cloud-init's locale step needs a locale the system already has; with no boot
loader cloud-init's grub_dpkg step must be off.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE.parent.parent / ".cache" / "trial"
MIRROR = os.environ.get("TRIAL_GUEST_MIRROR", "http://deb.debian.org/debian")
PACKAGES = (
    # the system: systemd (its logind powers off on QMP's power button), the kernel
    "systemd-sysv", "udev", "linux-image-amd64", "initramfs-tools",
    # what is tried: cloud-init, and sshd for its keys step
    "cloud-init", "openssh-server",
    # minbase leaves it out, yet cloud-init's dependencies (python3-cryptography) need it
    "python3-cffi-backend",
)  # fmt: skip
# mkfs.ext4 reads a size without a unit as kilobytes, hence the "k" where it is given.
ROOT_SIZE = 3 << 30  # sparse: room for cloud-init's logs and the ssh host keys
MiB = 1 << 20
ROOT_UUID = "6f1c2a9e-7d3b-4e5f-8a1b-2c3d4e5f6a7b"  # fixed: /etc/fstab names it
DISK_GUID = "0b7c4e2a-1f3d-4a5b-9c6d-7e8f9a0b1c2d"
# x86-64 root (Discoverable Partitions Specification)
ROOT_TYPE = "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709"
BUILD_TIMEOUT = 1800

CLOUD_CFG = """\
# No boot loader in this image (qemu -kernel): cloud-init's grub_dpkg would run grub-probe
# and log an error (cloudinit/config/cc_grub_dpkg.py:124-130).
grub_dpkg:
  enabled: false
"""


def recipe() -> str:
    """What the image depends on: this file (packages, settings, the way it is made)."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def guest_image() -> Path:
    """The cached image, built first if missing (minutes: debootstrap downloads ~200 packages)."""
    image = CACHE / f"debian12-{recipe()}.raw"
    if image.is_file():
        return image
    for tool in ("debootstrap", "mkfs.ext4", "sgdisk"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is missing: scripts/test installs it")
    if os.geteuid() != 0:
        raise RuntimeError("debootstrap chroots: build the trial guest as root (as CI does)")
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="trial-guest-", dir=CACHE) as work:
        root = Path(work) / "root"
        _debootstrap(root)
        _configure(root)
        partial = Path(work) / "disk.raw"
        _disk(root, Path(work) / "root.ext4", partial)
        partial.rename(image)
    return image


def _run(args: list[str]) -> None:
    done = subprocess.run(
        args, capture_output=True, check=False, timeout=BUILD_TIMEOUT, env={**os.environ,
        "LC_ALL": "C", "DEBIAN_FRONTEND": "noninteractive"},
    )  # fmt: skip
    if done.returncode:
        tail = done.stderr.decode(errors="replace")[-3000:] + done.stdout.decode()[-2000:]
        raise RuntimeError(f"{' '.join(args[:3])} ... exited {done.returncode}:\n{tail}")


def _debootstrap(root: Path) -> None:
    _run(["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", "bookworm",
          str(root), MIRROR])  # fmt: skip


def _configure(root: Path) -> None:
    (root / "etc/cloud/cloud.cfg.d/90-trial.cfg").write_text(CLOUD_CFG)
    # cloud-init's locale step regenerates a locale unless the system has the one asked for
    # (cloudinit/distros/debian.py:100-125); C.UTF-8 is built into Debian 12's libc.
    (root / "etc/default/locale").write_text("LANG=C.UTF-8\n")
    # The kernel mounts / read-only (root=UUID=... ro, as a boot loader does); systemd
    # remounts it read-write as fstab says.
    (root / "etc/fstab").write_text(f"UUID={ROOT_UUID} / ext4 errors=remount-ro 0 1\n")
    (root / "etc/machine-id").write_text("")  # each boot makes its own
    (root / "var/lib/dbus/machine-id").unlink(missing_ok=True)
    (root / "etc/hostname").write_text("localhost\n")
    # Nothing left from the build: cloud-init starts from scratch on the first boot.
    for path in [*(root / "var/lib/cloud").glob("*"), *(root / "var/lib/apt/lists").glob("*")]:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    for package in (root / "var/cache/apt/archives").glob("*.deb"):
        package.unlink()


def _disk(root: Path, filesystem: Path, disk: Path) -> None:
    _run(["mkfs.ext4", "-q", "-F", "-L", "trialroot", "-U", ROOT_UUID, "-d", str(root),
          str(filesystem), f"{ROOT_SIZE // 1024}k"])  # fmt: skip
    with disk.open("wb") as stream:
        stream.truncate(ROOT_SIZE + 2 * MiB)  # 1 MiB before (GPT), 1 MiB after (backup GPT)
    _run(["sgdisk", "-o", "-U", DISK_GUID, "-n", f"1:{MiB // 512}:+{ROOT_SIZE // 1024}K",
          "-t", f"1:{ROOT_TYPE}", "-c", "1:root", str(disk)])  # fmt: skip
    _run(["dd", f"if={filesystem}", f"of={disk}", "bs=1M", f"seek={MiB}", "oflag=seek_bytes",
          "conv=sparse,notrunc", "status=none"])  # fmt: skip
