"""libguestfs's appliance, driven from a worker process: one launch for many images.

libguestfs opens disk images by booting a small Linux VM (the appliance) and asking it to
mount and edit their file systems; nothing on the host is mounted and no root is needed
where the kernel under /boot is readable. A launch is the expensive part (40-55 s under
software emulation on a 2-core machine, plus a one-time appliance build), so every image
of a run is attached to one appliance and served by one launch.

The Python binding is built for Debian's own python3 (package python3-guestfs), not for a
virtual environment's interpreter, so the work runs in `guestfs_worker.py` under whichever
interpreter can import it, and this module speaks JSON to it over pipes. The worker also
keeps the appliance's crashes, and qemu's, out of this process.
"""

from __future__ import annotations

import base64
import contextlib
import importlib.util
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from configdrive.errors import ApplianceError

WORKER = Path(__file__).with_name("guestfs_worker.py")
DEBIAN_PYTHON = Path("/usr/bin/python3")
DEBIAN_BINDING = Path("/usr/lib/python3/dist-packages/guestfs.py")
PACKAGES = "python3-guestfs and libguestfs-tools"
# A launch boots a VM under emulation and may first build the appliance (minutes on a slow
# disk); a step inside a launched appliance is seconds. Past these, the worker is killed.
LAUNCH_DEADLINE = 900.0
STEP_DEADLINE = 300.0

Events = Callable[[str], None]


@dataclass(frozen=True)
class AttachedImage:
    """An image as the appliance gets it: the file, its format, and whether it may change."""

    path: Path
    format: str  # "raw" or "qcow2": never probed by qemu (a raw image could pose as qcow2)
    writable: bool


@dataclass(frozen=True)
class FoundPartition:
    """A partition (or a whole unpartitioned disk) as the appliance sees it."""

    device: str  # the appliance's name for it, e.g. /dev/sda9
    number: int  # 0 for a whole disk with no partition table
    gpt_name: str
    gpt_type: str
    size: int
    fs_type: str
    fs_label: str
    fs_uuid: str

    @property
    def shown(self) -> str:
        """How messages name it: its label and number, e.g. `ROOT (partition 9, ext4)`."""
        label = self.fs_label or self.gpt_name or "unlabelled"
        where = f"partition {self.number}" if self.number else "whole disk"
        return f"{label} ({where}, {self.fs_type or 'no file system'})"


@dataclass(frozen=True)
class FoundDisk:
    device: str
    scheme: str | None  # "gpt", "mbr" or None
    partitions: tuple[FoundPartition, ...]


@dataclass(frozen=True)
class ProbedFile:
    """What a path on a mounted file system is; `data` when it is a file within the limit."""

    kind: str  # "file", "dir", "symlink", "other" or "missing"
    size: int = 0
    data: bytes | None = None
    names: tuple[str, ...] = ()
    mode: int = 0  # permission bits of a file


@dataclass(frozen=True)
class Probe:
    """What one partition's file system holds at the paths asked for."""

    mounted: bool
    files: dict[str, ProbedFile]
    subvolume: str = ""
    error: str = ""

    def holds_file(self, path: str) -> bool:
        """Whether `path` is a regular file (read or, past the limit, only sized)."""
        found = self.files.get(path)
        return found is not None and found.kind == "file"

    def data(self, path: str) -> bytes | None:
        """The bytes of the file at `path`, if it is one and was read."""
        found = self.files.get(path)
        return found.data if found is not None and found.kind == "file" else None


@dataclass(frozen=True)
class WrittenFile:
    """A file the appliance wrote, as it read it back after a fresh read-only mount."""

    path: str
    sha256: str
    size: int
    mode: int
    replaced: bool


@dataclass(frozen=True)
class FileToWrite:
    path: str
    data: bytes
    mode: int


def guestfs_python() -> str:
    """The interpreter that can import libguestfs's binding, or an error naming the package."""
    if importlib.util.find_spec("guestfs") is not None:
        return sys.executable
    if DEBIAN_BINDING.exists() and os.access(DEBIAN_PYTHON, os.X_OK):
        return str(DEBIAN_PYTHON)
    raise ApplianceError(
        "inject needs libguestfs and its Python binding: install Debian's "
        f"{PACKAGES} (apt-get install python3-guestfs libguestfs-tools)",
        kind="missing",
    )


def kernel_problem() -> str | None:
    """Why the appliance cannot boot here, if a missing or unreadable kernel is the reason.

    supermin builds the appliance from the host's own kernel in /boot, which containers
    often lack and some distributions make readable by root only.
    """
    if os.environ.get("SUPERMIN_KERNEL"):
        return None
    kernels = sorted(Path("/boot").glob("vmlinuz-*"))
    if not kernels:
        return (
            "libguestfs needs a Linux kernel in /boot to boot its appliance and there is "
            "none: install one (apt-get install linux-image-amd64)"
        )
    if not any(os.access(kernel, os.R_OK) for kernel in kernels):
        return (
            f"libguestfs cannot read the kernel {kernels[-1]}: run as root, or make it "
            f"readable (chmod 0644 {kernels[-1]})"
        )
    return None


def software_emulation_only() -> bool:
    """Whether to skip KVM: asked for, or /dev/kvm not usable by this user."""
    wanted = os.environ.get("MKCONFIGDRIVE_ACCEL", "").lower()
    if wanted in ("tcg", "kvm"):
        return wanted == "tcg"
    return not os.access("/dev/kvm", os.R_OK | os.W_OK)


class Appliance:
    """One libguestfs appliance with `images` attached, for the length of a `with` block."""

    def __init__(self, images: Sequence[AttachedImage], *, events: Events | None = None) -> None:
        self.images = tuple(images)
        self.events = events or (lambda _text: None)
        self._process: subprocess.Popen[bytes] | None = None
        # The worker's stderr goes to a file, not a pipe: libguestfs may say a lot on a bad
        # day, and a full pipe nobody reads would stall it.
        self._stderr: Any = None
        self.devices: tuple[str, ...] = ()
        self.accelerator = ""

    def __enter__(self) -> Appliance:
        python = guestfs_python()
        problem = kernel_problem()
        if problem:
            raise ApplianceError(problem, kind="missing")
        tcg = software_emulation_only()
        try:
            self._launch(python, tcg=tcg)
        except ApplianceError:
            if tcg:
                raise
            # /dev/kvm is there but qemu could not use it: in nested virtualisation qemu aborts
            # within seconds ("failed to set MSR"), and libguestfs says only "launch failed".
            # Software emulation is slower but works wherever qemu does.
            self.events("KVM is not usable here; starting again with software emulation")
            self._launch(python, tcg=True)
        return self

    def _launch(self, python: str, *, tcg: bool) -> None:
        self._stop()
        environment = dict(os.environ)
        # The direct backend runs qemu itself; libvirt's would need a running libvirtd.
        environment.setdefault("LIBGUESTFS_BACKEND", "direct")
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _stop)
        self._process = subprocess.Popen(
            [python, "-I", str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=environment,
            start_new_session=True,  # a Ctrl-C reaches us; we stop the appliance ourselves
        )
        self.accelerator = "TCG software emulation" if tcg else "KVM"
        drives = [
            {
                "path": str(image.path),
                "format": image.format,
                "readonly": not image.writable,
            }
            for image in self.images
        ]
        self.events(f"starting the libguestfs appliance ({self.accelerator})")
        answer = self._call("launch", LAUNCH_DEADLINE, drives=drives, tcg=tcg)
        self.devices = tuple(answer["devices"])

    def survey(self) -> list[FoundDisk]:
        """Every attached image's partitions and file systems, in the order attached."""
        from configdrive.disks.partition_table import parse_partition_table

        answer = self._call("survey", STEP_DEADLINE)
        disks = []
        for disk in answer["disks"]:
            scheme, table = parse_partition_table(base64.b64decode(disk["head"]), disk["size"])
            named = {entry.number: entry for entry in table}
            partitions = []
            for part in disk["partitions"]:
                entry = named.get(part["number"])
                partitions.append(
                    FoundPartition(
                        gpt_name=entry.name if entry is not None else "",
                        gpt_type=entry.type_guid if entry is not None else "",
                        **part,
                    )
                )
            disks.append(FoundDisk(disk["device"], scheme, tuple(partitions)))
        return disks

    def probe(self, partition: FoundPartition, paths: Sequence[str], limit: int) -> Probe:
        """Mount `partition` read-only and look at `paths` (files up to `limit` bytes read)."""
        answer = self._call(
            "read",
            STEP_DEADLINE,
            partition=partition.device,
            fs_type=partition.fs_type,
            paths=list(paths),
            limit=limit,
        )
        files = {
            path: ProbedFile(
                kind=entry["kind"],
                size=entry.get("size", 0),
                data=base64.b64decode(entry["data"]) if "data" in entry else None,
                names=tuple(entry.get("names", ())),
                mode=entry.get("mode", 0),
            )
            for path, entry in answer["files"].items()
        }
        return Probe(
            mounted=answer["mounted"],
            files=files,
            subvolume=answer.get("subvolume", ""),
            error=answer.get("error", ""),
        )

    def write(
        self,
        partition: FoundPartition,
        files: Sequence[FileToWrite],
        remove: Sequence[str] = (),
    ) -> tuple[list[WrittenFile], list[str]]:
        """Write `files` onto `partition`, all or none, and read them back; then remove
        `remove`. Returns what was written and what was removed."""
        answer = self._call(
            "write",
            STEP_DEADLINE,
            partition=partition.device,
            fs_type=partition.fs_type,
            files=[
                {
                    "path": each.path,
                    "data": base64.b64encode(each.data).decode("ascii"),
                    "mode": each.mode,
                }
                for each in files
            ],
            remove=list(remove),
        )
        return [WrittenFile(**each) for each in answer["written"]], list(answer["removed"])

    def close(self) -> None:
        """Shut the appliance down cleanly (qemu flushes the images), then end the worker."""
        if self._process is None:
            return
        try:
            if self._process.poll() is None:
                self._call("shutdown", STEP_DEADLINE)
        finally:
            self._stop()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self._stop()

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for stream in (process.stdin, process.stdout, self._stderr):
            if stream is not None:
                stream.close()
        self._stderr = None

    def _call(self, operation: str, deadline: float, **arguments: Any) -> dict[str, Any]:
        process = self._process
        if process is None or process.stdin is None or process.stdout is None:
            raise ApplianceError("the libguestfs appliance is not running")
        try:
            process.stdin.write(json.dumps({"op": operation, **arguments}).encode() + b"\n")
            process.stdin.flush()
        except BrokenPipeError:
            raise self._died() from None
        until = time.monotonic() + deadline
        while True:
            line = self._read_line(process, until, operation)
            message = json.loads(line)
            if message.get("event"):
                continue
            if not message["ok"]:
                error = str(message["error"])
                if operation == "launch" and "launch failed" in error:
                    error = "could not start its appliance (libguestfs-test-tool shows why)"
                raise ApplianceError(f"libguestfs: {error}", kind=message["kind"])
            return dict(message)

    def _read_line(self, process: subprocess.Popen[bytes], until: float, operation: str) -> bytes:
        assert process.stdout is not None
        remaining = until - time.monotonic()
        ready, _, _ = select.select([process.stdout], [], [], max(remaining, 0))
        if not ready:
            self._stop()
            raise ApplianceError(
                f"the libguestfs appliance did not answer ({operation}) in time; stopped it"
            )
        line = process.stdout.readline()
        if not line:
            raise self._died()
        return line

    def _died(self) -> ApplianceError:
        process = self._process
        detail = ""
        if process is not None and self._stderr is not None:
            process.wait()
            self._stderr.seek(0)
            lines = [
                line.strip()
                for line in self._stderr.read(1 << 20).decode(errors="replace").splitlines()
                if line.strip() and not line.startswith(("Traceback", "  "))
            ]
            detail = lines[-1] if lines else ""
        self._stop()
        return ApplianceError(
            "the libguestfs worker stopped" + (f": {detail}" if detail else ""),
        )


def have_libguestfs() -> bool:
    """Whether inject can run here (the binding and a kernel for the appliance)."""
    try:
        guestfs_python()
    except ApplianceError:
        return False
    return kernel_problem() is None and shutil.which("qemu-system-x86_64") is not None
