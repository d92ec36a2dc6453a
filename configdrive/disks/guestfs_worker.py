"""The one process that talks to libguestfs: a small request/answer loop over pipes.

Run as `python3 -I guestfs_worker.py` under an interpreter that has libguestfs's Python
binding (Debian's `python3-guestfs` is built for Debian's own python3, not for a venv's).
It imports nothing from configdrive and only the standard library besides `guestfs`, so
the interpreter needs nothing else. It knows nothing of operating systems or cloud
configs either: `disks.appliance` asks it to launch, list partitions, read and write
files, and every decision stays in typed code on the other side of the pipe.

Protocol: one JSON object per line on stdin; one JSON line answers each, with "ok"
true or false (then "error", one line, and "kind": "no-space", "read-only" or "failed").
Lines starting with "event" may come before an answer (progress).
"""

from __future__ import annotations

import base64
import errno
import json
import sys
from typing import Any

import guestfs  # type: ignore[import-not-found]

# File systems the probe mounts: the Linux ones an OS root, a Flatcar OEM partition or an
# EFI system partition use. Anything else (swap, LVM, BitLocker) is listed, not mounted.
MOUNTABLE = {"ext2", "ext3", "ext4", "btrfs", "xfs", "vfat"}
# Flatcar's ROOT may be btrfs with the root in a subvolume called "root": flatcar-install
# mounts it with -o subvol=root (flatcar/init bin/flatcar-install:724-726).
ROOT_SUBVOLUME = "root"
TEMPORARY_PREFIX = ".mkconfigdrive-"
# What disks.partition_table.parse_partition_table reads (its HEAD_BYTES; this file imports
# nothing of configdrive).
HEAD_BYTES = 2 * 4096 + 128 * 128


def _answer(**fields: Any) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def _event(**fields: Any) -> None:
    _answer(event=True, **fields)


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text.removeprefix("error: ")[:500]


def _kind(error: BaseException) -> str:
    text = str(error).lower()
    if "no space left" in text or "enospc" in text:
        return "no-space"
    if "read-only" in text or "erofs" in text:
        return "read-only"
    return "failed"


class Worker:
    def __init__(self) -> None:
        self.g = guestfs.GuestFS(python_return_dict=True)
        # If this process dies, libguestfs's recovery process kills qemu with it.
        self.g.set_recovery_proc(True)

    def launch(self, drives: list[dict[str, Any]], tcg: bool) -> dict[str, Any]:
        for drive in drives:
            self.g.add_drive_opts(drive["path"], format=drive["format"], readonly=drive["readonly"])
        if tcg:
            self.g.set_backend_settings(["force_tcg"])
        _event(step="launching")
        self.g.launch()
        return {"devices": self.g.list_devices()}

    def survey(self) -> dict[str, Any]:
        """Each disk's first sectors (the partition table, parsed on the other side: one
        read instead of an sgdisk run per partition, seconds each under emulation) and
        each partition's size and blkid view."""
        disks = []
        every = self.g.list_partitions()
        for device in self.g.list_devices():
            size = self.g.blockdev_getsize64(device)
            head = self.g.pread_device(device, min(size, HEAD_BYTES), 0)
            names = [p for p in every if self.g.part_to_dev(p) == device]
            partitions = [self._describe(name, device) for name in names or [device]]
            disks.append(
                {
                    "device": device,
                    "size": size,
                    "head": base64.b64encode(head).decode("ascii"),
                    "partitions": partitions,
                }
            )
        return {"disks": disks}

    def _describe(self, partition: str, device: str) -> dict[str, Any]:
        number = self.g.part_to_partnum(partition) if partition != device else 0
        try:
            found = self.g.blkid(partition)
        except RuntimeError:
            found = {}  # no file system blkid knows (BIOS boot, an empty slot)
        return {
            "device": partition,
            "number": number,
            "size": self.g.blockdev_getsize64(partition),
            "fs_type": found.get("TYPE", ""),
            "fs_label": found.get("LABEL", ""),
            "fs_uuid": found.get("UUID", ""),
        }

    @staticmethod
    def _quietly(call: Any, *args: Any) -> Any:
        try:
            return call(*args)
        except RuntimeError:
            return None

    def _mount(self, partition: str, fs_type: str, writable: bool) -> str:
        """Mount at / and say which subvolume, if any, was taken as the file system's root."""
        options = "" if writable else "ro"
        subvolume = ""
        if fs_type == "btrfs":
            self.g.mount_options("ro", partition, "/")
            try:
                listed = self.g.btrfs_subvolume_list("/")
            except RuntimeError:
                listed = []
            self.g.umount_all()
            if any(entry["btrfssubvolume_path"] == ROOT_SUBVOLUME for entry in listed):
                subvolume = ROOT_SUBVOLUME
                options = ",".join(filter(None, [options, f"subvol={ROOT_SUBVOLUME}"]))
        self.g.mount_options(options, partition, "/")
        return subvolume

    def read(self, partition: str, fs_type: str, paths: list[str], limit: int) -> dict[str, Any]:
        if fs_type not in MOUNTABLE:
            return {"mounted": False, "files": {}}
        try:
            subvolume = self._mount(partition, fs_type, writable=False)
        except RuntimeError as error:
            return {"mounted": False, "error": _one_line(error), "files": {}}
        try:
            files: dict[str, Any] = {}
            for path in paths:
                files[path] = self._read_one(path, limit)
            return {"mounted": True, "subvolume": subvolume, "files": files}
        finally:
            self.g.umount_all()

    def _read_one(self, path: str, limit: int) -> dict[str, Any]:
        if not self.g.exists(path):
            return {"kind": "missing"}
        if self.g.is_symlink(path):
            # Never followed: a link on someone else's image may point anywhere.
            return {"kind": "symlink"}
        if self.g.is_dir(path):
            return {"kind": "dir", "names": sorted(self.g.ls(path))[:1000]}
        if not self.g.is_file(path):
            return {"kind": "other"}
        size = self.g.filesize(path)
        # The permission bits: `try` compares them with what write_files asked for.
        mode = self.g.lstatns(path)["st_mode"] & 0o7777
        entry: dict[str, Any] = {"kind": "file", "size": size, "mode": mode}
        if size <= limit:
            entry["data"] = base64.b64encode(self.g.read_file(path)).decode("ascii")
        return entry

    def write(
        self, partition: str, fs_type: str, files: list[dict[str, Any]], remove: list[str]
    ) -> dict[str, Any]:
        """Write every file or none: each goes to a temporary name first and is renamed
        into place only when all of them fit; a failure removes what this call made.
        `remove` (files a new set replaces whole) goes only once every rename is done."""
        subvolume = self._mount(partition, fs_type, writable=True)
        made_folders: list[str] = []
        temporaries: list[tuple[str, str]] = []
        try:
            needed = sum(len(base64.b64decode(f["data"])) for f in files)
            space = self.g.statvfs("/")
            available = space["bavail"] * space["bsize"]
            # Each file takes at least a block, and the rename keeps the old one meanwhile.
            needed_blocks = needed + len(files) * space["bsize"] * 2
            if available < needed_blocks:
                raise OSError(
                    errno.ENOSPC,
                    f"no space left: {needed} bytes to write, {available} bytes free",
                )
            for number, each in enumerate(files):
                folder = each["path"].rsplit("/", 1)[0] or "/"
                made_folders += self._make_folders(folder)
                temporary = f"{folder.rstrip('/')}/{TEMPORARY_PREFIX}{number}"
                self.g.write(temporary, base64.b64decode(each["data"]))
                temporaries.append((temporary, each["path"]))
                self.g.chmod(each["mode"], temporary)
                self.g.chown(0, 0, temporary)
            replaced = []
            for temporary, path in temporaries:
                replaced.append(self.g.exists(path))
                self.g.mv(temporary, path)
            temporaries = []
            removed = []
            for path in remove:
                if self.g.is_file(path) and not self.g.is_symlink(path):
                    self.g.rm(path)
                    removed.append(path)
            self.g.sync()
            # Read back through the file system, not from the page cache's copy of our write:
            # unmount, mount again read-only, and hash what is there.
            self.g.umount_all()
            self._mount(partition, fs_type, writable=False)
            written = [
                {
                    "path": each["path"],
                    "sha256": self.g.checksum("sha256", each["path"]),
                    "size": self.g.filesize(each["path"]),
                    "mode": self.g.lstatns(each["path"])["st_mode"] & 0o7777,
                    "replaced": bool(was),
                }
                for each, was in zip(files, replaced, strict=True)
            ]
            return {"subvolume": subvolume, "written": written, "removed": removed}
        except BaseException:
            for temporary, _ in temporaries:
                self._quietly(self.g.rm_f, temporary)
            for folder in reversed(made_folders):
                self._quietly(self.g.rmdir, folder)
            self._quietly(self.g.sync)
            raise
        finally:
            self._quietly(self.g.umount_all)

    def _make_folders(self, folder: str) -> list[str]:
        made = []
        path = ""
        for part in folder.strip("/").split("/"):
            if not part:
                continue
            path += "/" + part
            if not self.g.exists(path):
                self.g.mkdir_mode(path, 0o755)
                made.append(path)
            elif not self.g.is_dir(path) or self.g.is_symlink(path):
                raise OSError(errno.ENOTDIR, f"{path} is not a folder")
        return made

    def shutdown(self) -> dict[str, Any]:
        # shutdown() syncs and waits for qemu to exit, so qcow2 metadata is on disk.
        self.g.shutdown()
        self.g.close()
        return {}


def main() -> int:
    worker = Worker()
    for line in sys.stdin:
        request = json.loads(line)
        operation = request.pop("op")
        try:
            result = getattr(worker, operation)(**request)
        except (RuntimeError, OSError) as error:
            _answer(ok=False, error=_one_line(error), kind=_kind(error))
            continue
        _answer(ok=True, **result)
        if operation == "shutdown":
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
