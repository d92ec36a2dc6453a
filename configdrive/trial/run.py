"""`try`, end to end: overlay, boot, power-off, read what was applied, compare."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from configdrive.disks.appliance import Appliance, AttachedImage, Events
from configdrive.errors import ExitCode, ImageError, UsageError
from configdrive.trial.applied import Applied, Check, compare, read_applied
from configdrive.trial.expected import Expected, read_expected
from configdrive.trial.qemu import (
    Accelerator,
    AttachedDrive,
    Bus,
    DirectKernel,
    Machine,
    boot,
    software_only,
)

DEFAULT_TIMEOUT = 1800.0  # a cloud image under software emulation on a slow machine
KERNEL_LIMIT = 256 << 20
# A MAC address as qemu takes it (the drive's are checked: they go into qemu's options).
_MAC = re.compile(r"(?:[0-9a-f]{2}:){5}[0-9a-f]{2}")


@dataclass
class TrialResult:
    """One `try`: what the drive asked for, what the machine got, and how the boot went."""

    drive: Path
    image: Path
    expected: Expected
    accelerator: str = ""
    seconds: float = 0.0
    timed_out: bool = False
    powered_off: bool = False
    finished_line: str | None = None
    stages: list[str] = field(default_factory=list)
    applied: Applied | None = None
    checks: list[Check] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """cloud-init's own WARNING and ERROR lines from the guest's log."""
        return list(self.applied.log_lines) if self.applied is not None else []

    @property
    def ok(self) -> bool:
        return (
            not self.timed_out
            and self.finished_line is not None
            and self.applied is not None
            and self.applied.found_root
            and bool(self.checks)
            and all(check.ok for check in self.checks)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "drive": str(self.drive),
            "image": str(self.image),
            "accelerator": self.accelerator,
            "seconds": round(self.seconds, 1),
            "timed_out": self.timed_out,
            "powered_off": self.powered_off,
            "cloud_init_stages": self.stages,
            "finished": self.finished_line,
            "expected": self.expected.to_json(),
            "applied": self.applied.to_json() if self.applied is not None else None,
            "checks": [check.to_json() for check in self.checks],
            "warnings": self.warnings,
        }


def try_drive(
    drive: str | os.PathLike[str],
    image: str | os.PathLike[str],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    direct_kernel: bool = False,
    events: Events | None = None,
) -> TrialResult:
    """Boot `image` (never modified: a qcow2 overlay takes every write) with `drive` attached,
    wait for cloud-init, and compare what it applied with what the drive asked for."""
    from configdrive.disks.partition_table import read_disk_layout

    say = events or (lambda _text: None)
    if timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    drive, image = Path(drive), Path(image)
    inspection, expected = read_expected(drive)
    if inspection.packing:
        raise UsageError(f"{drive}: the drive is packed ({inspection.packing}): unpack it first")
    layout = read_disk_layout(image)
    qemu_img = shutil.which("qemu-img")
    if qemu_img is None:
        raise ImageError(
            "qemu-img is not installed (apt-get install qemu-utils)", exit_code=ExitCode.IO_FAILURE
        )
    result = TrialResult(drive, image, expected)
    bus: Bus = "cdrom" if inspection.format == "iso9660" else "disk"
    with tempfile.TemporaryDirectory(prefix="mkconfigdrive-try-") as work:
        folder = Path(work)
        overlay = folder / "overlay.qcow2"
        _overlay(qemu_img, image.resolve(), layout.format, overlay)
        direct = _direct_kernel(image, layout.format, folder, say) if direct_kernel else None
        accelerators: list[Accelerator] = ["tcg"] if software_only() else ["kvm", "tcg"]
        macs = tuple(dict.fromkeys(mac for mac in expected.macs if _MAC.fullmatch(mac)))
        machine = Machine(
            overlay, AttachedDrive(drive.resolve(), bus), folder / "qmp", direct, macs=macs
        )
        booted = boot(machine, timeout=timeout, events=say, accelerators=accelerators)
        result.accelerator = booted.accelerator
        result.seconds = booted.seconds
        result.timed_out = booted.timed_out
        result.powered_off = booted.console.powered_off
        result.finished_line = booted.console.finished
        result.stages = booted.console.stages
        say("reading what cloud-init applied (the overlay, read-only)")
        result.applied = read_applied(overlay, expected, events=say)
    result.checks = compare(expected, result.applied)
    return result


def _overlay(qemu_img: str, image: Path, image_format: str, overlay: Path) -> None:
    """A qcow2 backed by `image`: the guest writes there, never to the image."""
    done = subprocess.run(
        [
            qemu_img,
            "create",
            "-q",
            "-f",
            "qcow2",
            "-b",
            str(image),
            "-F",
            image_format,
            str(overlay),
        ],
        capture_output=True,
        check=False,
    )
    if done.returncode:
        message = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["failed"]
        raise ImageError(f"qemu-img: {message[0]}", exit_code=ExitCode.IO_FAILURE)


def _version_key(name: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _direct_kernel(image: Path, image_format: str, folder: Path, say: Events) -> DirectKernel:
    """The image's newest kernel and its initrd, copied out, and the root file system's UUID."""
    say("reading the kernel and initrd from the image")
    attached = AttachedImage(image, image_format, writable=False)
    with Appliance([attached], events=say) as guest:
        root_uuid = ""
        boot_files: tuple[Any, str, str] | None = None
        for disk in guest.survey():
            for partition in disk.partitions:
                probe = guest.probe(partition, ["/etc/passwd", "/boot", "/"], 0)
                if not probe.mounted:
                    continue
                if probe.files["/etc/passwd"].kind == "file" and not root_uuid:
                    root_uuid = partition.fs_uuid
                for folder_name in ("/boot", "/"):
                    names = probe.files[folder_name].names
                    kernels = sorted(
                        (n for n in names if n.startswith("vmlinuz-")), key=_version_key
                    )
                    if kernels and boot_files is None:
                        version = kernels[-1].removeprefix("vmlinuz-")
                        base = folder_name.rstrip("/")
                        boot_files = (
                            partition,
                            f"{base}/{kernels[-1]}",
                            f"{base}/initrd.img-{version}",
                        )
        if boot_files is None or not root_uuid:
            raise ImageError(
                f"{image}: no Linux kernel (vmlinuz-*) and root file system found "
                "for --direct-kernel"
            )
        partition, kernel_path, initrd_path = boot_files
        probe = guest.probe(partition, [kernel_path, initrd_path], KERNEL_LIMIT)
    kernel, initrd = probe.data(kernel_path), probe.data(initrd_path)
    if kernel is None or initrd is None:
        raise ImageError(f"{image}: cannot read {kernel_path} and {initrd_path}")
    (folder / "vmlinuz").write_bytes(kernel)
    (folder / "initrd.img").write_bytes(initrd)
    return DirectKernel(folder / "vmlinuz", folder / "initrd.img", f"UUID={root_uuid}")
