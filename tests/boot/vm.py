"""One boot of the guest under qemu: drives, NICs, SMBIOS and the metadata forward in, the
guest's report out.

The guest (guest.py) boots from a qcow2 overlay of the cached image, with the kernel and
initrd from its own /boot (-kernel/-initrd, root=/dev/vda: no boot loader). The console is
the first serial port (a file); the report agent writes to the second (another file), so
console noise cannot interleave with the report. qemu exits 0 even when killed, so a boot
counts as finished only when the kernel printed its own "reboot: Power down" line.

The guest's only network is qemu's user-mode network with restrict=on: no route out, and the
one address it reaches is the metadata address, forwarded (guestfwd, a relay per connection:
configdrive/trial/relay.py, as `try --metadata-service` uses it) to a server on the host's
loopback. libslirp refuses a guestfwd address outside the network's own range, hence
net=169.254.0.0/16.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from configdrive.trial.qemu import (
    DEFAULT_MAC,
    METADATA_ADDRESS,
    METADATA_NETWORK,
    POWER_DOWN,
    MetadataForward,
)
from tests.boot.guest import Guest, fail

HERE = Path(__file__).resolve().parent
QEMU = "qemu-system-x86_64"
MEMORY_MB = 1024
# TCG boots take 80-110 s on a 2-core machine; this is a safety net for a loaded one.
BOOT_TIMEOUT = 900
REPORT_BEGIN = "=== boot-report begin ==="
REPORT_END = "=== boot-report end ==="
# boot-report: the word the report agent's unit asks for (ConditionKernelCommandLine).
# modprobe.blacklist: drivers udev would load for the emulated machine's floppy controller,
# PC speaker and CPU (kvm, powernow) -- seconds of CPU under emulation, while cloud-init's
# first stage is starting, for nothing any test reads.
KERNEL_COMMAND_LINE = (
    "root=/dev/vda rw console=ttyS0 panic=-1 net.ifnames=0 boot-report "
    "modprobe.blacklist=floppy,pcspkr,kvm,kvm_amd,kvm_intel,powernow_k8"
)

Bus = Literal["virtio", "cdrom"]


@dataclass(frozen=True)
class Drive:
    """A config drive to attach, read-only: a virtio disk or an IDE cdrom."""

    image: Path
    bus: Bus


@dataclass(frozen=True)
class Machine:
    """What the hypervisor gives the guest besides its own disk."""

    drives: tuple[Drive, ...] = ()
    # One NIC per MAC; the first is on the user-mode network (DHCP, the metadata forward).
    macs: tuple[str, ...] = (DEFAULT_MAC,)
    metadata_port: int | None = None  # the host's loopback port the metadata address reaches
    smbios: tuple[str, ...] = ()  # -smbios values, e.g. "type=1,product=OpenStack Nova"


@dataclass
class Boot:
    """What one boot gave: the report, the console, and how long it took."""

    report: dict[str, Any]
    console: str
    seconds: float
    command: list[str] = field(default_factory=list)

    def console_tail(self, lines: int = 80) -> str:
        tail = "\n".join(self.console.splitlines()[-lines:])
        return f"--- last {lines} lines of the console\n{tail}"


def qemu_command(guest: Guest, machine: Machine, overlay: Path, workdir: Path) -> list[str]:
    command = [
        QEMU, "-accel", "tcg", "-M", "pc", "-m", str(MEMORY_MB), "-smp", "1",
        "-nodefaults", "-display", "none", "-no-reboot",
        "-serial", f"file:{workdir / 'console.txt'}",
        "-serial", f"file:{workdir / 'report.txt'}",
        "-kernel", str(guest.kernel), "-initrd", str(guest.initrd),
        "-append", KERNEL_COMMAND_LINE,
        # The root disk first: it is /dev/vda.
        "-drive", f"file={overlay},format=qcow2,if=virtio",
    ]  # fmt: skip
    for drive in machine.drives:
        image = str(drive.image).replace(",", ",,")  # qemu's option syntax escapes commas
        media = ",media=cdrom,if=ide" if drive.bus == "cdrom" else ",if=virtio"
        command += ["-drive", f"file={image},format=raw,readonly=on{media}"]
    for index, mac in enumerate(machine.macs):
        netdev = f"user,id=net{index},restrict=on,{METADATA_NETWORK}"
        if index == 0 and machine.metadata_port is not None:
            # try's own relay (configdrive/trial/relay.py): one process per connection.
            relay = MetadataForward("127.0.0.1", machine.metadata_port).relay_command()
            netdev += f",guestfwd=tcp:{METADATA_ADDRESS}:80-cmd:{relay.replace(',', ',,')}"
        command += ["-netdev", netdev, "-device", f"virtio-net-pci,netdev=net{index},mac={mac}"]
    for value in machine.smbios:
        command += ["-smbios", value]
    return command


def boot(guest: Guest, machine: Machine, workdir: Path) -> Boot:
    """Boot the guest once with `machine`'s hardware; what its report agent printed."""
    if shutil.which(QEMU) is None:
        fail(
            f"{QEMU} is not installed (Debian package qemu-system-x86; ./scripts/test installs it)"
        )
    workdir.mkdir(parents=True, exist_ok=True)
    overlay = workdir / "root.qcow2"
    # The cached image stays as built: every write goes to this overlay.
    subprocess.run(
        ["qemu-img", "create", "-q", "-f", "qcow2", "-b", str(guest.rootfs), "-F", "raw",
         str(overlay)],
        check=True,
    )  # fmt: skip
    command = qemu_command(guest, machine, overlay, workdir)
    console_file = workdir / "console.txt"
    started = time.monotonic()
    with (workdir / "qemu.stderr").open("wb") as stderr:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr)
        try:
            process.wait(timeout=BOOT_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            console = _read(console_file)
            fail(
                f"the guest did not power off within {BOOT_TIMEOUT} s\n"
                + Boot({}, console, 0.0).console_tail()
            )
    seconds = time.monotonic() - started
    console = _read(console_file)
    result = Boot({}, console, seconds, command)
    if POWER_DOWN not in console:
        fail(
            f"{QEMU} stopped (exit {process.returncode}) without the guest powering off\n"
            f"--- stderr\n{_read(workdir / 'qemu.stderr')}\n{result.console_tail()}"
        )
    result.report = parse_report(_read(workdir / "report.txt"), result)
    return result


def _read(path: Path) -> str:
    if not path.is_file():
        return ""
    return path.read_bytes().decode(errors="replace").replace("\r\n", "\n")


def parse_report(text: str, boot_result: Boot) -> dict[str, Any]:
    """The one JSON report between the agent's marker lines on the second serial port."""
    lines = [line.strip() for line in text.splitlines()]
    if REPORT_BEGIN not in lines or REPORT_END not in lines:
        fail(f"the guest powered off without a report\n{boot_result.console_tail()}")
    if lines.count(REPORT_BEGIN) != 1:
        fail(f"the guest wrote {lines.count(REPORT_BEGIN)} reports\n{boot_result.console_tail()}")
    begin, end = lines.index(REPORT_BEGIN), lines.index(REPORT_END)
    body = "".join(lines[begin + 1 : end])
    try:
        report = json.loads(body)
    except ValueError as error:
        fail(f"the guest's report is not JSON ({error}): {body[:500]}")
        raise
    if not isinstance(report, dict):
        fail(f"the guest's report is not a JSON object: {body[:500]}")
    if "agent_error" in report:
        fail(f"the report agent failed in the guest: {report['agent_error']}")
    return dict(report)
