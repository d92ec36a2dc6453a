"""The commands that read drives and disk images: inspect, extract, diff.

Each is a one-command Typer app (running.command_app); the read side is imported when the
command runs.
"""

# No `from __future__ import annotations` here: Typer reads the annotations at start-up.

from pathlib import Path
from typing import Annotated, Optional

import typer

from configdrive.cli.report import reporter_for
from configdrive.cli.running import (
    Command,
    DebugOption,
    JsonOption,
    QuietOption,
    command_app,
    run_command,
)
from configdrive.errors import ExitCode

inspect_app = command_app()
extract_app = command_app()
diff_app = command_app()


@inspect_app.command("inspect", cls=Command)
def inspect_command(
    drive: Annotated[
        Path,
        typer.Argument(
            metavar="DRIVE",
            help="A config drive or NoCloud seed: ISO9660 or FAT, plain, gzipped, or base64 "
            "of gzip (Ironic). Or a disk image (raw GPT or qcow2), read through libguestfs.",
            show_default=False,
        ),
    ],
    show: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--show",
            help="user-data: print the user data; secrets: show passwords, tokens and seeds "
            "in --json. Hidden otherwise. Repeatable.",
            metavar="WHAT",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing; the exit code tells.")
    ] = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print everything as one JSON document.")
    ] = False,
    debug: DebugOption = False,
) -> None:
    """Tell what a drive holds and whether cloud-init, coreos-cloudinit, Ignition and Afterburn
    will read it.

    A disk image (what inject writes): its OS, its partitions, and what each reader does
    with the configuration on it. Exit code 0 when a reader accepts the drive (or applies a
    configuration on the image), none fails on a defect of it and the checks find no
    error; 1 otherwise.
    """
    reporter = reporter_for(json_output, quiet=quiet, outcome="")

    def run() -> int:
        from configdrive.disks.inspection import inspect_disk, is_disk_image
        from configdrive.drives.inspection import inspect_drive

        if is_disk_image(drive):
            found = inspect_disk(drive, events=reporter.step)
            reporter.disk_inspected(found)
            return 0 if found.ok else int(ExitCode.INVALID_INPUT)
        result = inspect_drive(drive, show=show or ())
        reporter.inspected(result)
        return 0 if result.ok else int(ExitCode.INVALID_INPUT)

    run_command(run, reporter, debug=debug, interrupted="interrupted")


@extract_app.command(cls=Command)
def extract(
    drive: Annotated[Path, typer.Argument(metavar="DRIVE", help="The drive image.")],
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="DIR", help="A new or empty folder for the files.", show_default=False
        ),
    ],
    max_bytes: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--max-bytes",
            help="The most file data to write, such as 500MiB or 2GiB. Default: 16 times the "
            "image, plus 1 MiB. Names that share data are written once each.",
            metavar="SIZE",
            show_default=False,
        ),
    ] = None,
    quiet: QuietOption = False,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Write a drive's files into DIR with the names a Linux mount shows.

    Nothing is written outside DIR, whatever names the image holds; unsafe names are
    refused (exit code 1), symbolic links are written as copies of their targets on the drive.
    A drive whose files would take more than --max-bytes is refused before anything is written.
    """
    reporter = reporter_for(json_output, quiet=quiet)

    def run() -> int:
        from configdrive.drives.extract import extract_drive, parse_size

        limit = parse_size(max_bytes) if max_bytes is not None else None
        result = extract_drive(drive, folder, max_bytes=limit)
        reporter.extracted(result)
        return 0 if result.ok else int(ExitCode.INVALID_INPUT)

    run_command(run, reporter, debug=debug)


@diff_app.command(cls=Command)
def diff(
    old: Annotated[Path, typer.Argument(metavar="A", help="One drive image.")],
    new: Annotated[Path, typer.Argument(metavar="B", help="The other drive image.")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing.")] = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the differences as JSON.")
    ] = False,
    debug: DebugOption = False,
) -> None:
    """Show what differs between two drives: files added, removed, changed, and changed JSON
    keys (never values). Exit code 1 when they differ, 0 when they hold the same.
    """
    reporter = reporter_for(json_output, quiet=quiet, outcome="")

    def run() -> int:
        from configdrive.drives.diff import diff_drives

        result = diff_drives(old, new)
        reporter.problems(result.problems)
        reporter.diffed(result)
        return 1 if result.differs else 0

    run_command(run, reporter, debug=debug, interrupted="interrupted")
