"""`try`, end to end: overlay, boot, power-off, read what was applied, compare."""

from __future__ import annotations

import http.client
import ipaddress
import json
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
    MetadataForward,
    boot,
    software_only,
)

DEFAULT_TIMEOUT = 1800.0  # a cloud image under software emulation on a slow machine
KERNEL_LIMIT = 256 << 20
# A MAC address as qemu takes it (the drive's are checked: they go into qemu's options).
_MAC = re.compile(r"(?:[0-9a-f]{2}:){5}[0-9a-f]{2}")
# The document cloud-init 22.4 cannot do without (sources/helpers/openstack.py:236,
# openstack/VERSION/meta_data.json), asked from the host before the boot.
SERVICE_PROBE = "/openstack/latest/meta_data.json"
SERVICE_PROBE_SECONDS = 10.0
SERVICE_PROBE_LIMIT = 1 << 20


@dataclass
class TrialResult:
    """One `try`: what the drive asked for, what the machine got, and how the boot went."""

    drive: Path
    image: Path
    expected: Expected
    # How the machine got the drive: "attached" (a CD or disk) or "metadata service"
    # (--metadata-service: the drive is then only what the service must deliver).
    delivery: str = "attached"
    service: str | None = None  # the service's address, e.g. 127.0.0.1:8775
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
            "delivery": self.delivery,
            "metadata_service": self.service,
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
    metadata_service: str | None = None,
    events: Events | None = None,
) -> TrialResult:
    """Boot `image` (never modified: a qcow2 overlay takes every write) with `drive` attached,
    wait for cloud-init, and compare what it applied with what the drive asked for.

    With `metadata_service` ("127.0.0.1:8775", "[::1]:8775": a loopback address only), the
    drive is not attached: the guest reaches that service at 169.254.169.254 as an OpenStack
    machine, and `drive` is what the service must deliver (`mkconfigdrive serve` answers with
    the bytes of the machine's config-2 drive)."""
    from configdrive.disks.partition_table import read_disk_layout

    say = events or (lambda _text: None)
    if timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    forward = parse_service(metadata_service) if metadata_service is not None else None
    drive, image = Path(drive), Path(image)
    inspection, expected = read_expected(drive)
    if forward is not None:
        if inspection.layout != "config-2":
            raise UsageError(
                f"{drive}: --metadata-service compares with a config-2 drive (what serve's "
                f"OpenStack answers hold); this one is {inspection.layout}"
            )
        # cloud-init 22.4 sources/DataSourceOpenStack.py:250-259 DataSourceOpenStackLocal
        # (perform_dhcp_setup): found in the local stage (:287, DEP_FILESYSTEM only) over a
        # DHCP lease; its name starts "DataSourceOpenStack" (:71 __str__).
        expected.datasource = "OpenStack"
        say(f"asking the metadata service at {format_service(forward)} for {SERVICE_PROBE}")
        check_service(forward)
    elif inspection.packing:
        raise UsageError(f"{drive}: the drive is packed ({inspection.packing}): unpack it first")
    layout = read_disk_layout(image)
    qemu_img = shutil.which("qemu-img")
    if qemu_img is None:
        raise ImageError(
            "qemu-img is not installed (apt-get install qemu-utils)", exit_code=ExitCode.IO_FAILURE
        )
    result = TrialResult(drive, image, expected)
    attached: AttachedDrive | None = None
    if forward is None:
        bus: Bus = "cdrom" if inspection.format == "iso9660" else "disk"
        attached = AttachedDrive(drive.resolve(), bus)
    else:
        result.delivery = "metadata service"
        result.service = format_service(forward)
    with tempfile.TemporaryDirectory(prefix="mkconfigdrive-try-") as work:
        folder = Path(work)
        overlay = folder / "overlay.qcow2"
        _overlay(qemu_img, image.resolve(), layout.format, overlay)
        direct = _direct_kernel(image, layout.format, folder, say) if direct_kernel else None
        accelerators: list[Accelerator] = ["tcg"] if software_only() else ["kvm", "tcg"]
        macs = tuple(dict.fromkeys(mac for mac in expected.macs if _MAC.fullmatch(mac)))
        machine = Machine(overlay, attached, folder / "qmp", direct, macs=macs, metadata=forward)
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


def parse_service(address: str) -> MetadataForward:
    """ "127.0.0.1:8775" or "[::1]:8775"; UsageError for anything not on the loopback: the
    guest's restricted network may reach the host's loopback and nothing else."""
    host, separator, port_text = address.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        loopback = bool(separator) and ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise UsageError(
            f"--metadata-service {address}: give a loopback address and port, "
            "e.g. 127.0.0.1:8775 or [::1]:8775"
        )
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise UsageError(f"--metadata-service {address}: the port must be 1-65535")
    return MetadataForward(host, int(port_text))


def format_service(forward: MetadataForward) -> str:
    host = f"[{forward.host}]" if ":" in forward.host else forward.host
    return f"{host}:{forward.port}"


def check_service(forward: MetadataForward) -> None:
    """GET the OpenStack meta_data.json from the host, before a boot that would only show
    that nothing was delivered. ImageError (exit 3) when it does not answer with a JSON object."""
    where = f"http://{format_service(forward)}{SERVICE_PROBE}"
    connection = http.client.HTTPConnection(
        forward.host, forward.port, timeout=SERVICE_PROBE_SECONDS
    )
    try:
        connection.request("GET", SERVICE_PROBE)
        response = connection.getresponse()
        body = response.read(SERVICE_PROBE_LIMIT)
        status = response.status
    except (OSError, http.client.HTTPException) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        raise ImageError(
            f"the metadata service does not answer at {where}: {reason}",
            exit_code=ExitCode.IO_FAILURE,
        ) from None
    finally:
        connection.close()
    if status != 200:
        raise ImageError(
            f"the metadata service answered {where} with HTTP {status}, not meta_data.json",
            exit_code=ExitCode.IO_FAILURE,
        )
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise ImageError(
            f"the metadata service answered {where} with something other than a JSON object",
            exit_code=ExitCode.IO_FAILURE,
        )


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
