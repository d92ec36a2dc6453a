"""Boot Debian's kernel under QEMU (TCG) with our drives attached, and read what it mounts.

The guest is the kernel tests/kernel/fetch extracted into .cache/kernel, and an initramfs
built here: a static busybox, the modules the drives need (isofs, vfat, the virtio and CD
drivers: modules in Debian's kernel), and tests/kernel/init.sh as /init. The init mounts
each drive read-only with the kernel's own file system drivers, lists every file with its
size, date and sha256, and powers off. One boot serves every drive: a boot under TCG costs
seconds that a per-drive boot would multiply.

How drives are attached is how a hypervisor attaches a config drive: an ISO as a CD (SCSI
CD on virtio-scsi, what Nova does with hw_cdrom_bus=scsi), a vfat image as a virtio disk.
"""

from __future__ import annotations

import lzma
import re
import shutil
import struct
import subprocess
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CACHE = ROOT / ".cache" / "kernel"
KERNEL_TREE = CACHE / "root"
KERNEL_COMPLETE = CACHE / "complete"
INIT_SCRIPT = HERE / "init.sh"
BUSYBOX = Path("/bin/busybox")
QEMU = "qemu-system-x86_64"
FETCH_HINT = "run tests/kernel/fetch (it installs qemu-system-x86 and busybox-static, and "
FETCH_HINT += "extracts Debian's kernel into .cache/kernel)"

# The drivers the drives need. Their dependencies are found in each module's own
# .modinfo; those built into the kernel are left out.
MODULES = (
    "virtio_pci",
    "virtio_scsi",
    "virtio_blk",
    "sr_mod",
    "isofs",
    "vfat",
    # FAT's default code page and character sets (Debian: cp437, ascii, utf8).
    "nls_cp437",
    "nls_ascii",
    "nls_utf8",
    "nls_iso8859_1",
)
MEMORY_MB = 256
# A boot takes tens of seconds under TCG; this is for a machine shared with other work.
BOOT_TIMEOUT = 600
KERNEL_COMMAND_LINE = "console=ttyS0 panic=-1 quiet loglevel=3"

Bus = Literal["cdrom", "disk"]


def fail(message: str) -> None:
    """Stop the test with `message` (pytest.fail, imported late: this module is plain)."""
    import pytest

    pytest.fail(message, pytrace=False)


# --------------------------------------------------------------------------- what to read


@dataclass(frozen=True)
class Drive:
    """An image to attach: as a CD (ISO) or a virtio disk (vfat)."""

    image: Path
    bus: Bus


@dataclass(frozen=True)
class View:
    """One mount of one drive: the name the listing is reported under, fstype and options."""

    name: str
    drive: Drive
    fstype: str
    options: str  # always read-only: "ro" is added


@dataclass(frozen=True)
class Entry:
    """One file or folder as the kernel shows it under a mount."""

    kind: str  # stat's %F: "regular file", "directory", ...
    mode: int
    size: int
    mtime: int


@dataclass
class Listing:
    """What the guest printed for one view."""

    mount: str = ""  # the /proc/mounts line
    entries: dict[str, Entry] = field(default_factory=dict)
    sha256: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Boot:
    """One run of the guest: what it printed and how long it took."""

    kernel: str  # uname -r in the guest
    seconds: float
    listings: dict[str, Listing]
    errors: list[str]  # the guest's own, outside any view
    dmesg: list[str]  # the kernel's log, printed when something failed
    console: str

    def listing(self, view: str) -> Listing:
        if view not in self.listings:
            fail(f"the guest printed nothing for {view}\n{self.console_tail()}")
        return self.listings[view]

    def console_tail(self, lines: int = 60) -> str:
        tail = "\n".join(self.console.splitlines()[-lines:])
        return f"--- last {lines} lines of the console\n{tail}"


# --------------------------------------------------------------------------- the kernel


@dataclass(frozen=True)
class Kernel:
    """The extracted kernel package: vmlinuz and its modules folder."""

    package: str  # "linux-image-6.1.0-56-amd64 6.1.192-2"
    vmlinuz: Path
    modules: Path  # lib/modules/<release>

    @property
    def release(self) -> str:
        return self.modules.name


def find_kernel() -> Kernel:
    """The kernel tests/kernel/fetch extracted, or a failure saying to run it."""
    if not KERNEL_COMPLETE.is_file():
        fail(f"Debian's kernel is not in {CACHE}: {FETCH_HINT}")
    vmlinuz = sorted((KERNEL_TREE / "boot").glob("vmlinuz-*"))
    modules = sorted((KERNEL_TREE / "lib" / "modules").glob("*/kernel"))
    if len(vmlinuz) != 1 or len(modules) != 1:
        fail(f"{KERNEL_TREE} should hold one vmlinuz and one modules folder: {FETCH_HINT}")
    return Kernel(KERNEL_COMPLETE.read_text().strip(), vmlinuz[0], modules[0].parent)


def find_qemu() -> str:
    found = shutil.which(QEMU)
    if found is None:
        fail(f"{QEMU} is not installed: {FETCH_HINT}")
    assert found is not None
    return found


def find_static_busybox() -> Path:
    """/bin/busybox, which must be the static one: the initramfs has no C library."""
    if not BUSYBOX.is_file():
        fail(f"{BUSYBOX} is missing: {FETCH_HINT}")
    if _elf_interpreter(BUSYBOX.read_bytes()):
        fail(f"{BUSYBOX} is dynamically linked (package busybox, not busybox-static): {FETCH_HINT}")
    return BUSYBOX


# --------------------------------------------------------------------------- ELF and modules


def _elf64(data: bytes) -> None:
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not a little-endian 64-bit ELF file")


def _elf_interpreter(data: bytes) -> bool:
    """Whether a 64-bit ELF executable asks for a dynamic loader (a PT_INTERP header)."""
    _elf64(data)
    (phoff,) = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    pt_interp = 3
    return any(
        struct.unpack_from("<I", data, phoff + index * phentsize)[0] == pt_interp
        for index in range(phnum)
    )


def _elf_section(data: bytes, wanted: str) -> bytes:
    """The content of section `wanted` of a 64-bit ELF object (b"" if it has none)."""
    _elf64(data)
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)

    def header(index: int) -> tuple[int, int, int]:
        base = shoff + index * shentsize
        (name,) = struct.unpack_from("<I", data, base)
        offset, size = struct.unpack_from("<QQ", data, base + 0x18)
        return name, offset, size

    _, names_offset, _ = header(shstrndx)
    for index in range(shnum):
        name, offset, size = header(index)
        end = data.index(b"\0", names_offset + name)
        if data[names_offset + name : end].decode() == wanted:
            return data[offset : offset + size]
    return b""


def module_dependencies(module: bytes) -> list[str]:
    """The modules a .ko needs first: the `depends=` field of its .modinfo section."""
    for field_text in _elf_section(module, ".modinfo").split(b"\0"):
        if field_text.startswith(b"depends="):
            return [name for name in field_text[len(b"depends=") :].decode().split(",") if name]
    return []


def _module_name(path: Path) -> str:
    # Module names use "_" where file names may use "-" (crc32c-intel.ko is crc32c_intel).
    return path.name.split(".ko")[0].replace("-", "_")


def read_module(path: Path) -> bytes:
    """A module's ELF bytes, decompressed: busybox insmod cannot read .ko.xz."""
    if path.name.endswith(".ko"):
        return path.read_bytes()
    if path.name.endswith(".ko.xz"):
        return lzma.decompress(path.read_bytes())
    fail(f"{path}: modules compressed this way are not supported by the test harness")
    return b""


def modules_in_load_order(kernel: Kernel, wanted: Iterable[str]) -> list[tuple[str, bytes]]:
    """The wanted modules and what they depend on, each after its dependencies.

    Modules built into the kernel (listed in modules.builtin) are left out.
    """
    builtin = {
        _module_name(Path(line))
        for line in (kernel.modules / "modules.builtin").read_text().splitlines()
    }
    files = {_module_name(path): path for path in (kernel.modules / "kernel").rglob("*.ko*")}
    ordered: list[tuple[str, bytes]] = []
    placed: set[str] = set()

    def place(name: str, chain: tuple[str, ...]) -> None:
        if name in placed or name in builtin:
            return
        if name in chain:
            fail(f"modules depend on each other in a circle: {' -> '.join((*chain, name))}")
        if name not in files:
            fail(f"module {name} is neither built into {kernel.release} nor in {kernel.modules}")
        content = read_module(files[name])
        for dependency in module_dependencies(content):
            place(dependency, (*chain, name))
        placed.add(name)
        ordered.append((name, content))

    for name in wanted:
        place(name, ())
    return ordered


# --------------------------------------------------------------------------- the initramfs


def _cpio_entry(
    name: str, mode: int, data: bytes = b"", *, rdev: tuple[int, int] = (0, 0)
) -> bytes:
    """One member of a "newc" cpio archive, the format the kernel unpacks an initramfs from."""
    encoded = name.encode() + b"\0"
    fields = (
        0,  # inode: none of these are hard links
        mode,
        0,  # uid
        0,  # gid
        1,  # links
        0,  # mtime
        len(data),
        0,  # device major
        0,  # device minor
        *rdev,
        len(encoded),
        0,  # checksum (only for the "crc" format)
    )
    header = b"070701" + b"".join(b"%08X" % value for value in fields)
    return _pad4(header + encoded) + _pad4(data)


def _pad4(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def cpio_archive(files: dict[str, bytes], folders: Sequence[str]) -> bytes:
    """An initramfs: `folders`, a /dev/console node, then `files` (executables: init, bin/)."""
    members = [_cpio_entry(folder, 0o040755) for folder in folders]
    # The kernel opens /dev/console for /init before anything is mounted.
    members.append(_cpio_entry("dev/console", 0o020600, rdev=(5, 1)))
    for name, data in files.items():
        members.append(_cpio_entry(name, 0o100755, data))
    members.append(_cpio_entry("TRAILER!!!", 0))
    return b"".join(members)


def _device_id(drive: Drive, index: int) -> str:
    """How the init finds the drive: its SCSI address (a CD) or its serial (a disk)."""
    return f"scsi:0:{index}:0" if drive.bus == "cdrom" else f"serial:drive{index}"


def build_initramfs(kernel: Kernel, views: Sequence[View], drives: Sequence[Drive]) -> bytes:
    modules = modules_in_load_order(kernel, MODULES)
    module_order = "".join(f"{name}.ko\n" for name, _ in modules)
    view_lines = "".join(
        f"{view.name} {_device_id(view.drive, drives.index(view.drive))} {view.fstype} "
        + ",".join(option for option in ("ro", view.options) if option)
        + "\n"
        for view in views
    )
    files = {
        "init": INIT_SCRIPT.read_bytes(),
        "bin/busybox": find_static_busybox().read_bytes(),
        "modules.txt": module_order.encode(),
        "views.txt": view_lines.encode(),
    }
    files.update({f"lib/modules/{name}.ko": content for name, content in modules})
    return cpio_archive(files, ["bin", "dev", "lib", "lib/modules"])


# --------------------------------------------------------------------------- QEMU


def _drive_arguments(drives: Sequence[Drive]) -> list[str]:
    arguments = ["-device", "virtio-scsi-pci,id=scsi0"]
    for index, drive in enumerate(drives):
        image = str(drive.image).replace(",", ",,")  # QEMU's option syntax escapes commas
        backend = f"if=none,id=drive{index},file={image},format=raw,readonly=on"
        if drive.bus == "cdrom":
            arguments += ["-drive", f"{backend},media=cdrom"]
            arguments += [
                "-device",
                f"scsi-cd,bus=scsi0.0,drive=drive{index},scsi-id={index},lun=0",
            ]
        else:
            arguments += ["-drive", backend]
            arguments += ["-device", f"virtio-blk-pci,drive=drive{index},serial=drive{index}"]
    return arguments


def boot(views: Sequence[View], workdir: Path) -> Boot:
    """Boot the guest once with every view's drive attached; what it listed for each view."""
    names = [view.name for view in views]
    if len(set(names)) != len(names) or not all(re.fullmatch(r"[a-z0-9-]+", n) for n in names):
        fail(f"view names must be unique and [a-z0-9-]: {names}")
    qemu = find_qemu()
    kernel = find_kernel()
    drives = list(dict.fromkeys(view.drive for view in views))
    initramfs = workdir / "initramfs.cpio"
    initramfs.write_bytes(build_initramfs(kernel, views, drives))

    command = [
        qemu, "-accel", "tcg", "-m", str(MEMORY_MB),
        # No default NIC, CD drive, floppy or monitor: only the serial console on stdout.
        "-nodefaults", "-nographic", "-serial", "stdio", "-no-reboot",
        "-kernel", str(kernel.vmlinuz), "-initrd", str(initramfs),
        "-append", KERNEL_COMMAND_LINE,
        *_drive_arguments(drives),
    ]  # fmt: skip
    started = time.monotonic()
    try:
        result = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=BOOT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        console = (error.stdout or b"").decode(errors="replace")
        fail(f"the guest did not power off within {BOOT_TIMEOUT} s\n{console[-6000:]}")
        raise
    seconds = time.monotonic() - started
    console = result.stdout.decode(errors="replace").replace("\r\n", "\n")
    if result.returncode != 0:
        fail(
            f"{QEMU} exited with {result.returncode}\n--- stderr\n"
            f"{result.stderr.decode(errors='replace')}\n--- console\n{console[-6000:]}"
        )
    parsed = parse_console(console, seconds)
    if not any(line == "@@ done" for line in console.splitlines()):
        fail(f"the guest stopped before it finished\n{parsed.console_tail()}")
    return parsed


def _guest_lines(console: str) -> Iterator[list[str]]:
    for line in console.splitlines():
        if line.startswith("@@ "):
            yield line[3:].split(" ", 2)


def parse_console(console: str, seconds: float) -> Boot:
    """The guest's "@@ " lines, grouped by view."""
    kernel = ""
    listings: dict[str, Listing] = {}
    errors: list[str] = []
    dmesg: list[str] = []
    for words in _guest_lines(console):
        if words[0] == "kernel":
            kernel = words[1]
        elif words[0] == "error":
            errors.append(" ".join(words[1:]))
        elif words[0] == "dmesg":
            dmesg.append(" ".join(words[1:]))
        elif len(words) == 3:
            _add_to_listing(listings.setdefault(words[0], Listing()), words[1], words[2])
    return Boot(kernel, seconds, listings, errors, dmesg, console)


def _add_to_listing(listing: Listing, what: str, text: str) -> None:
    if what == "mount":
        listing.mount = text
    elif what == "entry":
        kind, mode, size, mtime, path = text.split("|", 4)
        listing.entries[path.removeprefix("./")] = Entry(kind, int(mode, 8), int(size), int(mtime))
    elif what == "sha256":
        digest, path = text.split("  ", 1)
        listing.sha256[path.removeprefix("./")] = digest
    else:
        listing.errors.append(text)
