"""Disk images with a real OS's partition layout, made without mounting anything.

`inject` and `inspect IMAGE` are tested on images laid out like the ones a distributor ships:
a GPT written by sgdisk, each file system made as its own file by its own mkfs (`mkfs.ext4 -d`,
`mkfs.btrfs --rootdir`, `mkfs.vfat` + mtools) and copied into the disk at its partition's
offset. No loop device, no mount, no root. Files are read back the same way: `debugfs` for
ext4, `btrfs restore` for btrfs, `mtype` for FAT, never through the code under test.
Made twice from the same inputs, ext4 and FAT partitions are byte-identical (pinned clocks,
UUIDs, hash seed and ctimes); btrfs ones are not (mkfs.btrfs stamps times of its own).

The Flatcar layout follows flatcar/scripts build_library/disk_layout.json ("base" layout,
commit ab6d76d9, lines 12-78): partition numbers and names EFI-SYSTEM 1, BIOS-BOOT 2, USR-A 3,
USR-B 4, OEM 6, OEM-CONFIG 7, ROOT 9 (5 ROOT-C and 8 are "blank": never created), OEM
btrfs with file-system label OEM, ROOT ext4 with label ROOT. The cgpt type names used there
map to GUIDs in coreos/seismograph src/cgpt/cgpt_common.c lines 625-650 and
src/firmware/include/gpt.h lines 30-65. Sizes are shrunk to tens of MiB (the images are
sparse); btrfs keeps its minimum of 109 MiB (mkfs.btrfs refuses less, "minimum size for each
btrfs device is 114294784").
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

MiB = 1024 * 1024
SECTOR = 512
TIMESTAMP = 1_700_000_000
BTRFS_MINIMUM = 114_294_784  # mkfs.btrfs (btrfs-progs 6.2): "minimum size for each btrfs device"

# GPT partition type GUIDs by cgpt type name (coreos/seismograph src/firmware/include/gpt.h).
TYPE_EFI = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
TYPE_BIOS = "21686148-6449-6e6f-744e-656564454649"
TYPE_LINUX_DATA = "0fc63daf-8483-4772-8e79-3d69d8477de4"  # "data"
TYPE_COREOS_ROOTFS = "5dfbf5f4-2848-4bac-aa5e-0d9a20b745a6"  # "flatcar-rootfs", USR-A/B
TYPE_COREOS_RESIZE = "3884dd41-8582-4404-b9a8-e9b84f2df50e"  # "flatcar-resize", ROOT
TYPE_COREOS_RESERVED = "c95dc21a-df0e-4340-8d7b-26cbfa9a03e0"  # "flatcar-reserved"

# Partition GUIDs disk_layout.json fixes for USR-A and USR-B (the update engine finds them so).
USR_A_GUID = "7130c94a-213a-4e5a-8e26-6cce9662f132"
USR_B_GUID = "e03dd35c-7c2d-4a47-b3fe-27f15780a57c"
_GUIDS = uuid.UUID("5c0b1f7e-8d1c-4d53-9a7e-2b8f3f1c6a10")  # namespace of our fixed GUIDs

FLATCAR_VERSION = "3975.2.0"


@dataclass(frozen=True)
class Symlink:
    """A symbolic link in a FileTree: {"bin": Symlink("usr/bin")}."""

    target: str


FileTree = Mapping[str, "bytes | str | Symlink"]
Filesystem = Literal["ext4", "btrfs", "vfat"]


@dataclass(frozen=True)
class PartitionSpec:
    """One GPT or MBR partition to create: its number, name, type and size in bytes."""

    number: int
    name: str
    type_guid: str
    size: int
    filesystem: Path | None = None  # a file-system image to copy in at the partition's start


@dataclass(frozen=True)
class PartitionPlace:
    """Where a partition lies in a disk image, as sfdisk reads it."""

    number: int
    name: str
    type: str
    start: int  # bytes
    size: int  # bytes


@dataclass(frozen=True)
class Ext4Stat:
    """What debugfs says of one ext4 inode."""

    mode: int  # with the file-type bits, as st_mode
    uid: int
    gid: int
    size: int


# ----------------------------------------------------------------------------- running tools


def run(args: list[str], *, env: Mapping[str, str] | None = None) -> bytes:
    """Run a tool, returning its stdout; fail with its stderr (a test helper: loud is right)."""
    result = subprocess.run(
        args,
        capture_output=True,
        check=False,
        timeout=120,
        env={**os.environ, "LC_ALL": "C", **(env or {})},
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} exited {result.returncode}: {result.stderr.decode(errors='replace')}"
        )
    return result.stdout


# Pinned clocks: e2fsprogs and btrfs-progs read these, so two runs make the same image.
_CLOCK_ENV = {"E2FSPROGS_FAKE_TIME": str(TIMESTAMP), "SOURCE_DATE_EPOCH": str(TIMESTAMP)}


def _fixed_guid(label: str) -> str:
    return str(uuid.uuid5(_GUIDS, label))


# ----------------------------------------------------------------------------- file systems


def _stage(tree: FileTree, folder: Path) -> Path:
    """Write `tree` (path -> content; "dir/" for an empty folder) under `folder`.

    Every timestamp is pinned (links' own too); files starting with "#!" get mode 0755, the
    others 0644.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in tree.items():
        target = folder / name.lstrip("/")
        if name.endswith("/"):
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Symlink):
            target.symlink_to(content.target)
            continue
        data = content.encode() if isinstance(content, str) else content
        target.write_bytes(data)
        target.chmod(0o755 if data.startswith(b"#!") else 0o644)  # scripts run; the rest is read
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (TIMESTAMP, TIMESTAMP), follow_symlinks=False)
    return folder


def make_ext4(path: Path, size: int, label: str, tree: FileTree, *, work: Path) -> Path:
    """An ext4 file system of `size` bytes holding `tree`, made by `mkfs.ext4 -d`."""
    source = _stage(tree, work / f"{path.name}.tree")
    fs_uuid = _fixed_guid(f"ext4:{label}")
    with path.open("wb") as file:
        file.truncate(size)
    run(
        [
            "mkfs.ext4", "-q", "-F", "-b", "4096", "-m", "0", "-L", label, "-U", fs_uuid,
            "-E", f"root_owner=0:0,hash_seed={fs_uuid}", "-d", str(source), str(path),
        ],
        env=_CLOCK_ENV,
    )  # fmt: skip
    _pin_ctimes(path, source)
    return path


def _pin_ctimes(filesystem: Path, source: Path) -> None:
    """Set every copied inode's ctime to TIMESTAMP: mkfs.ext4 -d copies the source's ctime,
    which no process can set, so two runs would otherwise differ there."""
    names = ["/"] + [f"/{p.relative_to(source)}" for p in sorted(source.rglob("*"))]
    script = "".join(f'sif "{name}" ctime @{TIMESTAMP}\n' for name in names)
    with tempfile.NamedTemporaryFile("w", suffix=".debugfs") as commands:
        commands.write(script)
        commands.flush()
        run(["debugfs", "-w", "-f", commands.name, str(filesystem)], env=_CLOCK_ENV)


def make_btrfs(path: Path, size: int, label: str, tree: FileTree, *, work: Path) -> Path:
    """A btrfs file system holding `tree`, made by `mkfs.btrfs --rootdir` (at least 109 MiB)."""
    source = _stage(tree, work / f"{path.name}.tree")
    with path.open("wb") as file:
        file.truncate(max(size, BTRFS_MINIMUM))
    run(
        ["mkfs.btrfs", "-q", "-f", "-L", label, "-U", _fixed_guid(f"btrfs:{label}"),
         "--rootdir", str(source), str(path)],
        env=_CLOCK_ENV,
    )  # fmt: skip
    return path


def make_vfat(path: Path, size: int, label: str, tree: FileTree) -> Path:
    """A FAT file system holding `tree`, made by mkfs.vfat and filled by mtools."""
    with path.open("wb") as file:
        file.truncate(size)
    run(["mkfs.vfat", "--invariant", "-i", "12345678", "-n", label, str(path)])
    folders = sorted({str(Path(name.strip("/")).parent) for name in tree} - {"."})
    for folder in folders:
        parts = Path(folder).parts
        for depth in range(1, len(parts) + 1):
            with contextlib.suppress(RuntimeError):  # mmd fails on a folder already made
                run(["mmd", "-i", str(path), "::/" + "/".join(parts[:depth])], env=_CLOCK_ENV)
    for name, content in tree.items():
        if isinstance(content, Symlink):
            raise ValueError(f"FAT has no symbolic links: {name}")
        with tempfile.NamedTemporaryFile() as staged:
            staged.write(content.encode() if isinstance(content, str) else content)
            staged.flush()
            os.utime(staged.name, (TIMESTAMP, TIMESTAMP))
            run(["mcopy", "-m", "-o", "-i", str(path), staged.name, "::/" + name.strip("/")],
                env=_CLOCK_ENV)  # fmt: skip
    return path


def ext4_free_bytes(filesystem: Path) -> int:
    """Free space of an ext4 file-system image, from its superblock (dumpe2fs -h)."""
    header = run(["dumpe2fs", "-h", str(filesystem)]).decode()
    free = int(re.search(r"^Free blocks:\s+(\d+)", header, re.MULTILINE)[1])  # type: ignore[index]
    block = int(re.search(r"^Block size:\s+(\d+)", header, re.MULTILINE)[1])  # type: ignore[index]
    return free * block


def make_full_ext4(
    path: Path, size: int, label: str, tree: FileTree, *, work: Path, leave_free: int
) -> Path:
    """An ext4 file system holding `tree` plus /filler, so at most `leave_free` bytes stay free.

    The filler holds data, not zeros: mkfs.ext4 -d keeps a source file's holes, and a hole
    would leave the blocks free.
    """
    make_ext4(path, size, label, tree, work=work)
    free = ext4_free_bytes(path)
    for _ in range(4):  # the filler's own extent blocks may cost a block or two: shrink and retry
        filler = max(free - leave_free, 0) // 4096 * 4096
        filled = {**tree, "filler": b"\xa5" * filler}
        shutil.rmtree(work / f"{path.name}.tree")
        try:
            make_ext4(path, size, label, filled, work=work)
        except RuntimeError:
            free -= 4096 * 4
            continue
        if ext4_free_bytes(path) <= leave_free:
            return path
        free = filler + ext4_free_bytes(path)
    raise RuntimeError(f"could not fill {path} to {leave_free} bytes free")


# ----------------------------------------------------------------------------- disks


def _copy_data(filesystem: Path, disk: Path, offset: int) -> None:
    """Copy a file-system image into the disk at `offset`, only its data extents (stays sparse)."""
    with filesystem.open("rb") as source, disk.open("r+b") as target:
        size = os.fstat(source.fileno()).st_size
        position = 0
        while position < size:
            try:
                start = os.lseek(source.fileno(), position, os.SEEK_DATA)
            except OSError as error:
                if error.errno == errno.ENXIO:  # nothing but a hole to the end
                    break
                raise
            end = os.lseek(source.fileno(), start, os.SEEK_HOLE)
            while start < end:
                chunk = os.pread(source.fileno(), min(MiB, end - start), start)
                os.pwrite(target.fileno(), chunk, offset + start)
                start += len(chunk)
            position = end


def _align(value: int) -> int:
    return -(-value // MiB) * MiB


def write_gpt_disk(path: Path, partitions: list[PartitionSpec], *, disk_guid: str) -> Path:
    """A raw GPT disk (sgdisk) holding `partitions` in the given order, 1 MiB aligned."""
    layout: list[tuple[PartitionSpec, int]] = []
    position = MiB
    for spec in partitions:
        size = _align(spec.size)
        layout.append((spec, position))
        position += size
    total = position + MiB  # room for the backup GPT at the end
    with path.open("wb") as file:
        file.truncate(total)
    args = ["sgdisk", "-o", "-U", disk_guid]
    for spec, start in layout:
        first = start // SECTOR
        last = first + _align(spec.size) // SECTOR - 1
        args += [
            "-n", f"{spec.number}:{first}:{last}",
            "-t", f"{spec.number}:{spec.type_guid}",
            "-u", f"{spec.number}:{_fixed_guid(f'{disk_guid}:{spec.number}')}",
        ]  # fmt: skip
        if spec.name:
            args += ["-c", f"{spec.number}:{spec.name}"]
    run([*args, str(path)])
    for spec, start in layout:
        if spec.filesystem is not None:
            if spec.filesystem.stat().st_size > _align(spec.size):
                raise ValueError(f"{spec.filesystem} is larger than partition {spec.number}")
            _copy_data(spec.filesystem, path, start)
    return path


def write_mbr_disk(path: Path, partitions: list[PartitionSpec]) -> Path:
    """A raw MBR (DOS) disk made by sfdisk; `type_guid` holds the MBR type, e.g. "83"."""
    position = MiB
    lines = ["label: dos", "label-id: 0x12345678"]
    places = []
    for spec in partitions:
        lines.append(f"start={position // SECTOR}, size={_align(spec.size) // SECTOR}, "
                     f"type={spec.type_guid}")  # fmt: skip
        places.append(position)
        position += _align(spec.size)
    with path.open("wb") as file:
        file.truncate(position)
    subprocess.run(
        ["sfdisk", "--no-reread", "--no-tell-kernel", "-q", str(path)],
        input="\n".join(lines).encode() + b"\n",
        check=True,
        capture_output=True,
        timeout=60,
    )
    for spec, start in zip(partitions, places, strict=True):
        if spec.filesystem is not None:
            _copy_data(spec.filesystem, path, start)
    return path


def to_qcow2(raw: Path, path: Path) -> Path:
    """Convert a raw image to qcow2 (qemu-img convert); the raw one is removed."""
    run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", str(raw), str(path)])
    raw.unlink()
    return path


def _finish(raw: Path, path: Path, disk_format: Literal["raw", "qcow2"]) -> Path:
    if disk_format == "qcow2":
        return to_qcow2(raw, path)
    raw.replace(path)
    return path


def os_release(identifier: str, name: str, version: str) -> str:
    return (
        f'NAME="{name}"\nID={identifier}\nID_LIKE=coreos\nVERSION={version}\n'
        f"VERSION_ID={version}\nBUILD_ID=2026-01-01-0000\n"
        f'PRETTY_NAME="{name} {version}"\nHOME_URL="https://www.flatcar.org/"\n'
    )


def make_flatcar_image(
    path: Path,
    *,
    oem_fs: Literal["btrfs", "ext4"] = "btrfs",
    usr_fs: Literal["ext4", "btrfs"] = "ext4",
    flavour: Literal["flatcar", "coreos"] = "flatcar",
    root_files: FileTree | None = None,
    oem_files: FileTree | None = None,
    usr_files: FileTree | None = None,
    root_size: int = 32 * MiB,
    root_free: int | None = None,
    first_boot: bool = True,
    version: str = FLATCAR_VERSION,
    format: Literal["raw", "qcow2"] = "raw",  # the name qemu-img gives it
) -> Path:
    """A Flatcar (or Container Linux) disk image with the real partition layout.

    EFI-SYSTEM holds `<flavour>/first_boot`, the flag grub turns into
    `flatcar.first_boot=detected` (flatcar/scripts build_library/grub.cfg lines 60-65; written
    by build_image_util.sh line 630). USR-A holds /lib/os-release (mounted at /usr, so
    /usr/lib/os-release on the machine). ROOT holds `root_files` (empty folders etc/ and var/
    always); with `root_free`, a filler leaves at most that many bytes free on it.
    `usr_fs="btrfs"` matches today's Flatcar (disk_layout.json line 33) but costs 109 MiB.
    """
    path = Path(path)
    work = Path(tempfile.mkdtemp(prefix="flatcar-image-", dir=path.parent))
    try:
        name = "Flatcar Container Linux by Kinvolk" if flavour == "flatcar" else "Container Linux"
        efi = make_vfat(
            work / "efi.fs",
            16 * MiB,
            "EFI-SYSTEM",
            {f"{flavour}/first_boot": "If this file exists, Ignition will run and then delete "
             "the file.\n"} if first_boot else {"EFI/boot/.keep": b""},
        )  # fmt: skip
        usr_tree = {"lib/os-release": os_release(flavour, name, version), **(usr_files or {})}
        usr = (
            make_btrfs(work / "usr.fs", BTRFS_MINIMUM, "USR-A", usr_tree, work=work)
            if usr_fs == "btrfs"
            else make_ext4(work / "usr.fs", 8 * MiB, "USR-A", usr_tree, work=work)
        )
        oem_tree = dict(oem_files or {"./": b""})
        oem = (
            make_btrfs(work / "oem.fs", BTRFS_MINIMUM, "OEM", oem_tree, work=work)
            if oem_fs == "btrfs"
            else make_ext4(work / "oem.fs", 16 * MiB, "OEM", oem_tree, work=work)
        )
        root_tree = {"etc/": b"", "var/": b"", **(root_files or {})}
        root = (
            make_full_ext4(work / "root.fs", root_size, "ROOT", root_tree, work=work,
                           leave_free=root_free)
            if root_free is not None
            else make_ext4(work / "root.fs", root_size, "ROOT", root_tree, work=work)
        )  # fmt: skip
        usr_a = PartitionSpec(3, "USR-A", TYPE_COREOS_ROOTFS, usr.stat().st_size, usr)
        specs = [
            PartitionSpec(1, "EFI-SYSTEM", TYPE_EFI, 16 * MiB, efi),
            PartitionSpec(2, "BIOS-BOOT", TYPE_BIOS, 2 * MiB),
            usr_a,
            PartitionSpec(4, "USR-B", TYPE_COREOS_ROOTFS, usr.stat().st_size),
            PartitionSpec(6, "OEM", TYPE_LINUX_DATA, oem.stat().st_size, oem),
            PartitionSpec(7, "OEM-CONFIG", TYPE_COREOS_RESERVED, 1 * MiB),
            PartitionSpec(9, "ROOT", TYPE_COREOS_RESIZE, root_size, root),
        ]
        raw = write_gpt_disk(work / "disk.raw", specs, disk_guid=_fixed_guid(f"disk:{flavour}"))
        # disk_layout.json fixes the USR partitions' own GUIDs; sgdisk -u set ours, set theirs.
        run(["sgdisk", "-u", f"3:{USR_A_GUID}", "-u", f"4:{USR_B_GUID}", str(raw)])
        return _finish(raw, path, format)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def make_full_image(path: Path, *, leave_free: int = 0, **options: object) -> Path:
    """A Flatcar image whose ROOT has at most `leave_free` bytes free (the ENOSPC case).

    With the default 0, writing any file with content fails (ext4 here has no inline data).
    """
    return make_flatcar_image(path, root_free=leave_free, **options)  # type: ignore[arg-type]


DEBIAN_OS_RELEASE = (
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
    'VERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n'
    'HOME_URL="https://www.debian.org/"\n'
)
CLOUD_CFG = (
    "# A stand-in for the distribution's /etc/cloud/cloud.cfg (content for detection only).\n"
    "datasource_list: [ NoCloud, ConfigDrive, OpenStack, None ]\n"
    "users:\n  - default\n"
)


def make_cloud_init_image(
    path: Path,
    *,
    root_files: FileTree | None = None,
    root_size: int = 32 * MiB,
    root_free: int | None = None,
    format: Literal["raw", "qcow2"] = "raw",
) -> Path:
    """A cloud image laid out like Debian's and Ubuntu's: BIOS 14, ESP 15, ext4 root 1.

    The root file system is labelled cloudimg-rootfs and holds /etc/os-release (Debian 12),
    /etc/debian_version, /etc/fstab, /etc/cloud/cloud.cfg and a stub /usr/bin/cloud-init:
    content to detect, never run.
    """
    path = Path(path)
    work = Path(tempfile.mkdtemp(prefix="cloud-image-", dir=path.parent))
    try:
        tree: dict[str, bytes | str | Symlink] = {
            "etc/os-release": DEBIAN_OS_RELEASE,
            "etc/debian_version": "12.5\n",
            "etc/fstab": "LABEL=cloudimg-rootfs / ext4 rw,discard,errors=remount-ro 0 1\n",
            "etc/cloud/cloud.cfg": CLOUD_CFG,
            "usr/bin/cloud-init": "#!/bin/sh\n# stub: content for detection, not executed\n",
            "bin": Symlink("usr/bin"),  # merged /usr, as Debian 12 has it
            "var/lib/": b"",
            **(root_files or {}),
        }
        root = (
            make_full_ext4(work / "root.fs", root_size, "cloudimg-rootfs", tree, work=work,
                           leave_free=root_free)
            if root_free is not None
            else make_ext4(work / "root.fs", root_size, "cloudimg-rootfs", tree, work=work)
        )  # fmt: skip
        esp = make_vfat(work / "esp.fs", 16 * MiB, "UEFI", {"EFI/debian/.keep": b""})
        specs = [
            PartitionSpec(14, "", TYPE_BIOS, 3 * MiB),
            PartitionSpec(15, "", TYPE_EFI, 16 * MiB, esp),
            PartitionSpec(1, "", TYPE_LINUX_DATA, root_size, root),
        ]
        raw = write_gpt_disk(work / "disk.raw", specs, disk_guid=_fixed_guid("disk:cloud"))
        return _finish(raw, path, format)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ----------------------------------------------------------------------------- reading back


@contextlib.contextmanager
def raw_view(image: Path) -> Iterator[Path]:
    """The image itself if raw; a temporary raw conversion (qemu-img) if it is qcow2."""
    image = Path(image)
    with image.open("rb") as file:
        magic = file.read(4)
    if magic != b"QFI\xfb":
        yield image
        return
    with tempfile.TemporaryDirectory(prefix="raw-view-") as folder:
        raw = Path(folder) / "disk.raw"
        run(["qemu-img", "convert", "-f", "qcow2", "-O", "raw", str(image), str(raw)])
        yield raw


def partitions(image: Path) -> list[PartitionPlace]:
    """The partitions of a raw or qcow2 image, as sfdisk --json reads them."""
    with raw_view(image) as raw:
        table = json.loads(run(["sfdisk", "--json", str(raw)]))["partitiontable"]
    sector = int(table.get("sectorsize", SECTOR))
    places = []
    for entry in table.get("partitions", []):
        number = int(re.search(r"(\d+)$", entry["node"])[1])  # type: ignore[index]
        places.append(
            PartitionPlace(
                number=number,
                name=entry.get("name", ""),
                type=str(entry["type"]).lower(),
                start=int(entry["start"]) * sector,
                size=int(entry["size"]) * sector,
            )
        )
    return places


def partition(image: Path, name: str) -> PartitionPlace:
    """The partition named `name` (GPT name, or its number as a string for MBR disks)."""
    for place in partitions(image):
        if name in (place.name, str(place.number)):
            return place
    raise LookupError(f"{image} has no partition {name!r}")


def _debugfs(raw: Path, place: PartitionPlace, request: str) -> tuple[bytes, str]:
    result = subprocess.run(
        ["debugfs", "-R", request, f"{raw}?offset={place.start}"],
        capture_output=True,
        check=False,
        timeout=60,
        env={**os.environ, "LC_ALL": "C"},
    )
    if result.returncode != 0:
        raise RuntimeError(f"debugfs {request!r}: {result.stderr.decode(errors='replace')}")
    # debugfs reports a missing file on stderr and still exits 0; keep both for the caller.
    return result.stdout, result.stderr.decode(errors="replace")


def _missing(stderr: str) -> bool:
    return "File not found by ext2_lookup" in stderr


def read_ext4(image: Path, partition_name: str, path: str) -> bytes | None:
    """The bytes of `path` on the ext4 partition `partition_name`, None if it is not there."""
    with raw_view(image) as raw:
        place = partition(raw, partition_name)
        if stat_ext4(raw, partition_name, path) is None:
            return None
        with tempfile.TemporaryDirectory(prefix="debugfs-") as folder:
            target = Path(folder) / "out"
            # dump, not cat: the file's bytes land in a file, with no terminal in between.
            _debugfs(raw, place, f'dump "{path}" "{target}"')
            return target.read_bytes() if target.exists() else None


def _ls(raw: Path, place: PartitionPlace, folder: str) -> list[tuple[int, int, int, str, int]]:
    """debugfs `ls -p` entries: (mode, uid, gid, name, size); [] if the folder is missing."""
    out, err = _debugfs(raw, place, f'ls -p "{folder}"')
    if _missing(err):
        return []
    entries = []
    for line in out.decode(errors="surrogateescape").splitlines():
        # /inode/mode/uid/gid/name/size/ ; a name holding "/" cannot occur on ext4.
        fields = line.strip().split("/")
        if len(fields) < 7 or not fields[1]:
            continue
        entries.append(
            (int(fields[2], 8), int(fields[3]), int(fields[4]), fields[5], int(fields[6] or 0))
        )
    return entries


def list_ext4(image: Path, partition_name: str, folder: str) -> list[str]:
    """The names in `folder` on an ext4 partition (without . and ..), sorted."""
    with raw_view(image) as raw:
        place = partition(raw, partition_name)
        return sorted(e[3] for e in _ls(raw, place, folder) if e[3] not in (".", ".."))


def stat_ext4(image: Path, partition_name: str, path: str) -> Ext4Stat | None:
    """Mode, owner and size of `path` on an ext4 partition; None if it is not there."""
    parent, _, name = path.rstrip("/").rpartition("/")
    with raw_view(image) as raw:
        place = partition(raw, partition_name)
        for mode, uid, gid, entry, size in _ls(raw, place, parent or "/"):
            if entry == (name or "."):
                return Ext4Stat(mode=mode, uid=uid, gid=gid, size=size)
    return None


@contextlib.contextmanager
def extracted(image: Path, partition_name: str) -> Iterator[Path]:
    """One partition copied out to a temporary file (sparse), for tools that take no offset."""
    with raw_view(image) as raw, tempfile.TemporaryDirectory(prefix="partition-") as folder:
        place = partition(raw, partition_name)
        target = Path(folder) / "partition"
        with raw.open("rb") as source, target.open("wb") as out:
            out.truncate(place.size)
            done = 0
            while done < place.size:
                chunk = os.pread(source.fileno(), min(MiB, place.size - done), place.start + done)
                if not chunk:
                    break
                if chunk.count(0) != len(chunk):
                    os.pwrite(out.fileno(), chunk, done)
                done += len(chunk)
        yield target


@contextlib.contextmanager
def restored_btrfs(image: Path, partition_name: str) -> Iterator[Path]:
    """The whole btrfs partition restored into a temporary folder (`btrfs restore -m -S`)."""
    with (
        extracted(image, partition_name) as device,
        tempfile.TemporaryDirectory(prefix="btrfs-restore-") as folder,
    ):
        run(["btrfs", "restore", "-m", "-S", str(device), folder])
        yield Path(folder)


def read_btrfs(image: Path, partition_name: str, path: str) -> bytes | None:
    """The bytes of `path` on the btrfs partition `partition_name`, None if it is not there."""
    with restored_btrfs(image, partition_name) as root:
        target = root / path.lstrip("/")
        return target.read_bytes() if target.is_file() else None


def list_btrfs(image: Path, partition_name: str, folder: str) -> list[str]:
    """The names in `folder` on a btrfs partition, sorted ([] if the folder is missing)."""
    with restored_btrfs(image, partition_name) as root:
        target = root / folder.lstrip("/")
        return sorted(p.name for p in target.iterdir()) if target.is_dir() else []


def read_vfat(image: Path, partition_name: str, path: str) -> bytes | None:
    """The bytes of `path` on a FAT partition (mtools), None if it is not there."""
    with raw_view(image) as raw:
        place = partition(raw, partition_name)
        result = subprocess.run(
            ["mtype", "-i", f"{raw}@@{place.start}", "::/" + path.lstrip("/")],
            capture_output=True,
            check=False,
            timeout=60,
        )
    return result.stdout if result.returncode == 0 else None


def filesystem_of(image: Path, partition_name: str) -> Filesystem | None:
    """Which file system a partition holds, by its superblock's magic number."""
    with raw_view(image) as raw, raw.open("rb") as file:
        place = partition(raw, partition_name)
        if os.pread(file.fileno(), 2, place.start + 1024 + 56) == b"\x53\xef":
            return "ext4"
        if os.pread(file.fileno(), 8, place.start + 65536 + 64) == b"_BHRfS_M":
            return "btrfs"
        boot = os.pread(file.fileno(), 512, place.start)
        if boot[510:512] == b"\x55\xaa" and (boot[54:57] == b"FAT" or boot[82:85] == b"FAT"):
            return "vfat"
    return None


def read_file(image: Path, partition_name: str, path: str) -> bytes | None:
    """The bytes of `path` on a partition, read by that file system's own tool."""
    filesystem = filesystem_of(image, partition_name)
    if filesystem == "ext4":
        return read_ext4(image, partition_name, path)
    if filesystem == "btrfs":
        return read_btrfs(image, partition_name, path)
    if filesystem == "vfat":
        return read_vfat(image, partition_name, path)
    raise LookupError(f"{image}: partition {partition_name} holds no file system we can read")
