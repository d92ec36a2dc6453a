"""Run a cloud image under qemu: the command line, the serial console, power-off.

The guest's only console is the first serial port, read here line by line. It has no
network: qemu's -nodefaults leaves it without a NIC, and a NIC the drive's network
configuration names by MAC address is on qemu's user network with restrict=on. With a
metadata service (--metadata-service), the first NIC's restricted network forwards the
metadata address to that service on the host's loopback, through relay.py, and nothing
else; SMBIOS then names the machine OpenStack Nova. qemu exits 0
even when it was killed, so a clean stop is read from the kernel's own "reboot: Power down"
line, not from the exit code.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, Queue
from typing import Literal

from configdrive.errors import ExitCode, ImageError

QEMU = "qemu-system-x86_64"
MEMORY_MB = 1024
Accelerator = Literal["kvm", "tcg"]
Bus = Literal["cdrom", "disk"]

# linux kernel/reboot.c kernel_power_off(): pr_emerg("Power down\n") with pr_fmt "reboot: ".
POWER_DOWN = "reboot: Power down"
# cloud-init 22.4 config/cc_final_message.py:64, the default final message.
FINISHED = re.compile(r"Cloud-init v\. (\S+) finished at [^.]*\.(?: Datasource (\S+))?")
# cloud-init 22.4 cmd/main.py welcome_format: "Cloud-init v. {version} running '{action}' ..."
STAGE = re.compile(r"Cloud-init v\. \S+ running '([^']+)'")
# systemd's line when cloud-init's last stage is done: it shows even under a final_message
# of the user's own.
FINAL_UNIT = re.compile(r"Finished (?:cloud-final\.service|.*Execute cloud user/final scripts)")
PANIC = "Kernel panic - not syncing"
# How long qemu may take to fail on a /dev/kvm it cannot use ("failed to set MSR") before
# we call KVM usable: qemu aborts within a second or two when it fails at all.
KVM_PROBE_SECONDS = 10.0
POWER_OFF_GRACE = 120.0
# cloud-init 22.4 sources/DataSourceOpenStack.py:21 DEF_MD_URL, "http://169.254.169.254".
METADATA_ADDRESS = "169.254.169.254"
# libslirp refuses a guestfwd address outside the user network's own range, so the network
# is the link-local one the metadata address is in (qemu's default is 10.0.2.0/24).
METADATA_NETWORK = "net=169.254.0.0/16,host=169.254.0.2"
# cloud-init 22.4 sources/DataSourceOpenStack.py:28 DMI_PRODUCT_NOVA, read by
# detect_openstack (:269-276) and by ds-identify's dscheck_OpenStack.
OPENSTACK_SMBIOS = "type=1,product=OpenStack Nova"
# qemu's own default MAC, for the metadata NIC when the drive names none.
DEFAULT_MAC = "52:54:00:12:34:56"


def software_only() -> bool:
    """Whether KVM is out of the question: asked for, or /dev/kvm not usable by this user."""
    from configdrive.disks.appliance import software_emulation_only

    return software_emulation_only()


def find_qemu() -> str:
    found = shutil.which(QEMU)
    if found is None:
        raise ImageError(
            f"{QEMU} is not installed (apt-get install qemu-system-x86)",
            exit_code=ExitCode.IO_FAILURE,
        )
    return found


@dataclass(frozen=True)
class AttachedDrive:
    """The config drive as the guest gets it: an ISO as an IDE CD, vfat as a virtio disk."""

    path: Path
    bus: Bus


@dataclass(frozen=True)
class MetadataForward:
    """A metadata service on the host's loopback that the guest reaches at 169.254.169.254."""

    host: str  # a loopback address: 127.0.0.1, ::1
    port: int

    def relay_command(self) -> str:
        """What qemu runs per guest connection (libslirp splits it as a shell would)."""
        words = [sys.executable, "-m", "configdrive.trial.relay", self.host, str(self.port)]
        return shlex.join(words)


@dataclass(frozen=True)
class DirectKernel:
    """A kernel and initrd given to qemu, for images without a boot loader."""

    kernel: Path
    initrd: Path
    root: str  # e.g. UUID=...


@dataclass(frozen=True)
class Machine:
    """Everything qemu needs for one boot."""

    disk: Path  # the qcow2 overlay; the user's image is its backing file
    drive: AttachedDrive | None  # None: the metadata service delivers the machine
    qmp: Path  # the QMP socket, for a clean power-off
    direct: DirectKernel | None = None
    memory_mb: int = MEMORY_MB
    # The NICs the drive's network configuration names by MAC address: each on qemu's user
    # network with restrict=on, so the guest reaches nothing beyond qemu itself.
    macs: tuple[str, ...] = ()
    metadata: MetadataForward | None = None


def _escaped(value: Path | str) -> str:
    return str(value).replace(",", ",,")  # qemu's option syntax doubles a comma


def command_line(qemu: str, machine: Machine, accelerator: Accelerator) -> list[str]:
    """The qemu command for one boot."""
    # A guest kernel under TCG needs a CPU model qemu emulates in full; under KVM, the host's.
    cpu = "host" if accelerator == "kvm" else "max"
    command = [
        qemu,
        "-accel",
        accelerator,
        "-cpu",
        cpu,
        "-m",
        str(machine.memory_mb),
        # No default NIC, display, monitor, floppy or CD: the serial port is the one console.
        "-nodefaults",
        "-display",
        "none",
        "-serial",
        "stdio",
        "-no-reboot",
        "-qmp",
        f"unix:{_escaped(machine.qmp)},server=on,wait=off",
        "-drive",
        f"file={_escaped(machine.disk)},format=qcow2,if=virtio",
    ]
    if machine.drive is not None:
        drive = _escaped(machine.drive.path)
        if machine.drive.bus == "cdrom":
            command += ["-drive", f"file={drive},format=raw,if=ide,media=cdrom,readonly=on"]
        else:
            command += ["-drive", f"file={drive},format=raw,if=virtio,readonly=on"]
    macs = machine.macs
    if machine.metadata is not None:
        # The first NIC (the drive's first MAC, if it names one) carries the forward:
        # cloud-init's local stage takes a DHCP lease on it to reach the service.
        first, macs = (macs[0], macs[1:]) if macs else (DEFAULT_MAC, ())
        relay = _escaped(machine.metadata.relay_command())
        command += [
            "-nic",
            f"user,restrict=on,{METADATA_NETWORK},"
            f"guestfwd=tcp:{METADATA_ADDRESS}:80-cmd:{relay},"
            f"model=virtio-net-pci,mac={first}",
            "-smbios",
            OPENSTACK_SMBIOS,
        ]
    for mac in macs:
        command += ["-nic", f"user,restrict=on,model=virtio-net-pci,mac={mac}"]
    if machine.direct is not None:
        command += [
            "-kernel",
            str(machine.direct.kernel),
            "-initrd",
            str(machine.direct.initrd),
            "-append",
            f"root={machine.direct.root} ro console=ttyS0 panic=-1",
        ]
    return command


@dataclass
class Console:
    """What the serial console said, and what it means."""

    lines: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    finished: str | None = None  # cloud-init's final line
    datasource: str | None = None
    powered_off: bool = False
    panicked: bool = False

    def feed(self, line: str) -> str | None:
        """Take one console line; return a stage name when cloud-init starts one."""
        self.lines.append(line)
        if POWER_DOWN in line:
            self.powered_off = True
        if PANIC in line:
            self.panicked = True
        finished = FINISHED.search(line)
        if finished:
            self.finished = finished.group(0)
            self.datasource = finished.group(2)
            return None
        if self.finished is None and FINAL_UNIT.search(line):
            self.finished = "cloud-final.service finished"
        stage = STAGE.search(line)
        if stage and stage.group(1) not in self.stages:
            self.stages.append(stage.group(1))
            return stage.group(1)
        return None


@dataclass(frozen=True)
class Boot:
    """How one boot went."""

    accelerator: Accelerator
    console: Console
    seconds: float
    timed_out: bool
    exit_code: int | None


Events = Callable[[str], None]


def boot(
    machine: Machine, *, timeout: float, events: Events, accelerators: Sequence[Accelerator]
) -> Boot:
    """Boot, wait for cloud-init's final line (or `timeout`), then power the guest off.

    KVM first when offered; a qemu that dies at once on KVM is started again under TCG.
    """
    qemu = find_qemu()
    for index, accelerator in enumerate(accelerators):
        last = index == len(accelerators) - 1
        result = _boot_once(qemu, machine, accelerator, timeout=timeout, events=events)
        if result is not None:
            return result
        if not last:
            events("KVM is not usable here; starting again with software emulation")
    raise ImageError(f"{QEMU} could not start the machine", exit_code=ExitCode.IO_FAILURE)


def _reader(stream: object, queue: Queue[str | None]) -> None:
    assert hasattr(stream, "readline")
    for raw in iter(stream.readline, b""):
        queue.put(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
    queue.put(None)


def _boot_once(
    qemu: str, machine: Machine, accelerator: Accelerator, *, timeout: float, events: Events
) -> Boot | None:
    """One boot; None when qemu died at once (KVM unusable) and another try may work."""
    command = command_line(qemu, machine, accelerator)
    events(f"booting the image ({'KVM' if accelerator == 'kvm' else 'TCG software emulation'})")
    machine.qmp.unlink(missing_ok=True)  # left by a try under KVM that failed
    # qemu's own messages go to a file: a full pipe nobody reads would stall it.
    errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed below)
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=errors,
        start_new_session=True,  # Ctrl-C reaches us; we stop qemu ourselves
    )
    queue: Queue[str | None] = Queue()
    reader = threading.Thread(target=_reader, args=(process.stdout, queue), daemon=True)
    reader.start()
    console = Console()
    deadline = started + timeout
    asked_off: float | None = None
    timed_out = False
    try:
        while True:
            now = time.monotonic()
            if now > deadline and asked_off is None:
                timed_out = True
                events("the deadline passed; powering off")
                asked_off = _power_off(machine.qmp, now)
            if asked_off is not None and now > asked_off + POWER_OFF_GRACE:
                break
            try:
                line = queue.get(timeout=1.0)
            except Empty:
                continue
            if line is None:
                break
            stage = console.feed(line)
            if stage:
                events(f"cloud-init: {stage}")
            if console.finished and asked_off is None:
                events(f"{console.finished.rstrip('.')}; powering off")
                asked_off = _power_off(machine.qmp, time.monotonic())
            if console.panicked or console.powered_off:
                break
    finally:
        _stop(process, reader)
    seconds = time.monotonic() - started
    errors.seek(0)
    stderr = errors.read(1 << 20).decode(errors="replace")
    errors.close()
    if accelerator == "kvm" and not console.lines and seconds < KVM_PROBE_SECONDS:
        return None  # "failed to set MSR" and the like: qemu could not use /dev/kvm
    if not console.lines and process.returncode:
        detail = stderr.strip().splitlines()[-1:] or [f"exit code {process.returncode}"]
        raise ImageError(f"{QEMU} failed: {detail[0]}", exit_code=ExitCode.IO_FAILURE)
    return Boot(accelerator, console, seconds, timed_out, process.returncode)


def _power_off(qmp: Path, now: float) -> float:
    """Press the guest's power button (QMP system_powerdown): it syncs and halts itself."""
    with (
        contextlib.suppress(OSError, ValueError),
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection,
    ):
        connection.settimeout(10)
        connection.connect(str(qmp))
        stream = connection.makefile("rwb")
        stream.readline()  # the greeting
        for command in ("qmp_capabilities", "system_powerdown"):
            stream.write(json.dumps({"execute": command}).encode() + b"\n")
            stream.flush()
            json.loads(stream.readline())
    return now


def _stop(process: subprocess.Popen[bytes], reader: threading.Thread) -> None:
    """End qemu (a clean power-off has ended it already) and close its console pipe."""
    _end(process)
    reader.join(10)  # qemu has ended: the reader is at the end of its output
    if process.stdout is not None:
        process.stdout.close()


def _end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
