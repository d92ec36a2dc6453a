"""Every output format, one small object each: the one place a format's facts live.

`--format NAME` picks `FORMATS[NAME]`; the API asks it which layouts it takes, what a machine
holds that it cannot carry, what a reader will make of it, and to write the drive. A new
format is a class here and one entry in `FORMATS` (and in machine.schema.json's enum).

The writers themselves (iso.py, fat.py, folder.py, ironic.py) are imported only when a
format writes or measures: pycdlib alone costs ~8 ms of start-up, which `--help` and
`validate` need not pay.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

from configdrive.errors import UsageError
from configdrive.formats import ProgressCallback
from configdrive.problems import Problem, Severity

if TYPE_CHECKING:
    from configdrive.layouts.drive_layout import DriveLayout
    from configdrive.machine import Machine


class Format(Protocol):
    """What the build needs to know about, and do with, one output format."""

    @property
    def name(self) -> str:
        """What `--format` and a machine file's `format` say."""

    @property
    def reported_as(self) -> str:
        """BuildResult.format: the file system the readers see, or the packaging."""

    @property
    def description(self) -> str:
        """The build summary's words for it."""

    @property
    def layouts(self) -> tuple[str, ...]:
        """The layouts it can carry."""

    @property
    def writes_folder(self) -> bool:
        """A folder at the target rather than one file."""

    @property
    def layout_refusal(self) -> str:
        """The UsageError's message for a layout not in `layouts`: why, and what to use."""

    def problems(self, machine: Machine) -> tuple[Problem, ...]:
        """What `machine` holds that this format cannot carry: refused before writing."""

    def warnings(self, layout: str) -> tuple[Problem, ...]:
        """What a reader will make of this packaging that the user should hear before booting."""

    def check_target(self, target: Path, *, force: bool) -> None:
        """Fail early (OutputError) when the drive could not be written at `target`."""

    def write(
        self,
        layout: DriveLayout,
        target: Path,
        *,
        force: bool,
        mode: int,
        timestamp: int,
        progress: ProgressCallback | None,
        durable: bool = True,
    ) -> int:
        """Write `layout` at `target`, whole or not at all; return the bytes written.

        `durable`: synced to the disk before it takes its name (atomic.atomic_output).
        """


class ImageWriter(Protocol):
    """write_iso, write_vfat, write_ironic (given its scratch folder): a layout to a stream."""

    def __call__(
        self,
        layout: DriveLayout,
        stream: BinaryIO,
        *,
        timestamp: int,
        progress: ProgressCallback | None = None,
    ) -> None: ...


class _Defaults:
    """What a format is unless it says otherwise: any layout, nothing refused or warned of."""

    layouts: tuple[str, ...] = ("openstack", "nocloud")
    layout_refusal = ""

    def problems(self, machine: Machine) -> tuple[Problem, ...]:
        return ()

    def warnings(self, layout: str) -> tuple[Problem, ...]:
        return ()


class _ImageFormat(_Defaults):
    """A format that writes one file, atomically: a subclass says how to fill the stream."""

    writes_folder = False

    def check_target(self, target: Path, *, force: bool) -> None:
        from configdrive.formats.atomic import check_output

        check_output(target, force=force)

    def write(
        self,
        layout: DriveLayout,
        target: Path,
        *,
        force: bool,
        mode: int,
        timestamp: int,
        progress: ProgressCallback | None,
        durable: bool = True,
    ) -> int:
        from configdrive.formats.atomic import atomic_output

        write_image = self.image_writer(scratch=target.parent)
        with atomic_output(target, force=force, mode=mode, durable=durable) as stream:
            write_image(layout, stream, timestamp=timestamp, progress=progress)
        return target.stat().st_size

    def image_writer(self, *, scratch: Path) -> ImageWriter:
        """The function that writes the image; `scratch` is a folder for temporary files.

        Imported when asked for, not before: see the module's docstring.
        """
        raise NotImplementedError


class IsoFormat(_ImageFormat):
    """ISO9660 with Rock Ridge and Joliet: what Nova writes and every reader reads."""

    name = "iso"
    reported_as = "iso9660"
    description = "iso9660, Rock Ridge + Joliet"

    def image_writer(self, *, scratch: Path) -> ImageWriter:
        from configdrive.formats.iso import write_iso

        return write_iso


class FatFormat(_ImageFormat):
    """A FAT12/16/32 image with long names, for a writable disk rather than a CD-ROM."""

    name = "vfat"
    reported_as = "vfat"
    description = "vfat, long names"

    def problems(self, machine: Machine) -> tuple[Problem, ...]:
        from configdrive.formats.fat import MAX_FILE_BYTES, MAX_FOLDER_ENTRIES
        from configdrive.inputs.documents import printable

        problems = [
            Problem(
                f"--file {printable(str(injected.source))}:{injected.dest}",
                f"SRC is {injected.size:,} bytes; a FAT file holds at most {MAX_FILE_BYTES:,} "
                "(4 GiB less a byte): use --format iso",
            )
            for injected in machine.files
            if injected.size > MAX_FILE_BYTES
        ]
        # openstack/content holds one entry per file, besides `.` and `..`.
        most = MAX_FOLDER_ENTRIES - 3
        if len(machine.files) > most:
            problems.append(
                Problem(
                    "--file",
                    f"{len(machine.files):,} files are injected; a FAT folder holds at most "
                    f"{most:,} of them: use --format iso",
                )
            )
        return tuple(problems)

    def warnings(self, layout: str) -> tuple[Problem, ...]:
        if layout != "openstack":
            return ()
        return (
            Problem(
                "--format vfat",
                "Afterburn reads config drives only from ISO9660: Fedora CoreOS and Flatcar "
                "machines will not get this drive's SSH keys or host name",
                severity=Severity.WARNING,
            ),
        )

    def image_writer(self, *, scratch: Path) -> ImageWriter:
        from configdrive.formats.fat import write_vfat

        return write_vfat


class IronicFormat(_ImageFormat):
    """The ISO, gzipped and base64-encoded, as Ironic's API takes a config drive."""

    name = "ironic"
    reported_as = "ironic"
    description = "iso9660, gzipped and base64-encoded for Ironic"
    # Ironic writes the image to a config-2 partition: a NoCloud seed there is never read.
    layouts = ("openstack",)

    layout_refusal = (
        "--format ironic takes config-2 drives only (Ironic writes the image to a "
        "config-2 partition); use --layout openstack"
    )

    def image_writer(self, *, scratch: Path) -> ImageWriter:
        from configdrive.formats.ironic import write_ironic

        return functools.partial(write_ironic, scratch=scratch)


class FolderFormat(_Defaults):
    """The drive's tree as a folder: seed folders, 9p/virtiofs shares, PXE."""

    name = "dir"
    reported_as = "dir"
    description = "a folder"
    writes_folder = True

    def check_target(self, target: Path, *, force: bool) -> None:
        from configdrive.formats.folder import check_folder_output

        check_folder_output(target, force=force)

    def write(
        self,
        layout: DriveLayout,
        target: Path,
        *,
        force: bool,
        mode: int,
        timestamp: int,
        progress: ProgressCallback | None,
        durable: bool = True,
    ) -> int:
        from configdrive.formats.folder import write_dir

        # Small files, one after another: no progress to show.
        return write_dir(
            layout, target, force=force, mode=mode, timestamp=timestamp, durable=durable
        )


# In the order `--help` and the "choose from" message list them.
FORMATS: dict[str, Format] = {
    each.name: each for each in (IsoFormat(), FatFormat(), FolderFormat(), IronicFormat())
}


def get_format(name: str) -> Format:
    """The format `--format name` means, or a UsageError naming the choices."""
    chosen = FORMATS.get(name)
    if chosen is None:
        raise UsageError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
    return chosen


def check_pair(layout: str, format: str) -> Format:
    """The format `format` names, once it is known to take `layout` (a known layout)."""
    chosen = get_format(format)
    if layout not in chosen.layouts:
        raise UsageError(chosen.layout_refusal)
    return chosen


def describe_reported(reported: str) -> str:
    """The build summary's words for a BuildResult.format (a format's `reported_as`)."""
    found = (each.description for each in FORMATS.values() if each.reported_as == reported)
    return next(found, reported)
