"""The commands that validate inputs and write them: build, build-many, validate, inject.

Each is a one-command Typer app (running.command_app); the work is one API call, imported
when the command runs.
"""

# No `from __future__ import annotations` here: Typer reads the annotations at start-up.

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from configdrive.cli.options import InputFlags, MachineOption, takes_machine_inputs
from configdrive.cli.report import reporter_for
from configdrive.cli.running import (
    Command,
    DebugOption,
    JsonOption,
    QuietOption,
    StrictOption,
    SyncOption,
    command_app,
    parse_mode,
    run_command,
)
from configdrive.errors import ConfigDriveError, UsageError

if TYPE_CHECKING:
    from configdrive.inputs.fleet import Outcome

build_app = command_app()
build_many_app = command_app()
validate_app = command_app()
inject_app = command_app()


@build_app.command(cls=Command)
@takes_machine_inputs(user_data=True)
def build(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Where to write the drive (required).",
            show_default=False,
            metavar="FILE",
        ),
    ],
    inputs: InputFlags,  # USER_DATA and the input flags (cli/options.py)
    machine: MachineOption = None,
    layout: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            help="What goes on the drive: openstack (config-2, the default) or nocloud (cidata).",
            metavar="LAYOUT",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--format",
            help="iso (the default); vfat (a FAT image); dir (a folder); ironic (gzip+base64 "
            "of the iso, for Ironic's configdrive field).",
            metavar="FORMAT",
            show_default=False,
        ),
    ] = None,
    strict: StrictOption = False,
    force: Annotated[
        bool,
        typer.Option(
            help="Replace OUTPUT if it is a regular file (with --format dir, a drive folder); "
            "a device, a FIFO or a link is never replaced."
        ),
    ] = False,
    mode: Annotated[
        str,
        typer.Option(
            help="Permission bits of the drive (octal, at most 0777); a mode that lets other "
            "users read it is warned about, since a drive holds secrets.",
            metavar="MODE",
        ),
    ] = "0600",
    sync: SyncOption = True,
    quiet: QuietOption = False,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Validate the inputs and write a config drive: config-2 or NoCloud; ISO, vfat or a folder.

    Nothing is written unless every input is valid. The drive appears at OUTPUT
    whole or not at all. Timestamps come from SOURCE_DATE_EPOCH, else a fixed date,
    so the same inputs always give the same bytes.
    """
    reporter = reporter_for(json_output, quiet=quiet)

    def run() -> None:
        from configdrive.api import build_machine

        bar = reporter.progress_bar("writing")
        try:
            if machine is not None:
                inputs.refuse_with_machine()
            mode_bits = parse_mode(mode)  # before --target's: the order usage errors had
            result = build_machine(
                machine if machine is not None else inputs.machine_inputs(),
                output,
                layout=layout,
                format=output_format,
                strict=strict,
                force=force,
                mode=mode_bits,
                progress=bar,
                durable=sync,
            )
        finally:
            if bar is not None:
                bar.close()
        reporter.built(result)

    run_command(run, reporter, debug=debug)


@build_many_app.command("build-many", cls=Command)
def build_many(
    fleet: Annotated[
        Path,
        typer.Argument(
            metavar="FLEET",
            help="A fleet file (machines: [...]) or a folder of machine files.",
            show_default=False,
        ),
    ],
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out-dir",
            help="Where the drives go (made if missing).",
            show_default=False,
            metavar="DIR",
        ),
    ],
    jobs: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--jobs", "-j", help="Drives built at once. Default: one per core.", min=1, metavar="N"
        ),
    ] = None,
    strict: StrictOption = False,
    force: Annotated[bool, typer.Option(help="Replace drives that exist.")] = False,
    sync: SyncOption = True,
    quiet: QuietOption = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print a JSON line per machine.")
    ] = False,
    debug: DebugOption = False,
) -> None:
    """Build a drive for every machine of a fleet, in parallel; one failure stops no other.

    The exit code is 0 when every drive was built, else that of the most serious failure.
    """
    reporter = reporter_for(json_output, quiet=quiet)

    def run() -> int:
        from configdrive.inputs.fleet import build_fleet, fleet_exit_code, load_fleet

        machines = load_fleet(fleet)
        bar = reporter.progress_bar("building", unit="drives")
        done = 0

        def heard(outcome: "Outcome") -> None:
            nonlocal done
            done += 1
            if bar is not None:
                bar.clear()
            reporter.fleet_outcome(outcome)
            if bar is not None:
                bar(done, len(machines))

        try:
            outcomes = build_fleet(
                machines,
                out_dir,
                jobs=jobs,
                force=force,
                strict=strict,
                on_outcome=heard,
                durable=sync,
            )
        finally:
            if bar is not None:
                bar.close()
        reporter.fleet_summary(outcomes, out_dir)
        return fleet_exit_code(outcomes)

    run_command(
        run,
        reporter,
        debug=debug,
        interrupted="interrupted; the drives already built are whole, no partial one was left",
    )


@validate_app.command(cls=Command)
@takes_machine_inputs(user_data=False)
def validate(
    files: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Argument(
            metavar="FILE...",
            help="Files to check. Each one's kind (user data, meta data, network data, vendor "
            "data) is told from its name or content unless --kind says. '-' reads standard input.",
            show_default=False,
        ),
    ] = None,
    kind: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            help="The kind of every FILE: user-data, meta-data, network-data or vendor-data.",
            metavar="KIND",
        ),
    ] = None,
    *,
    inputs: InputFlags,  # the input flags (cli/options.py)
    machine: MachineOption = None,
    strict: StrictOption = False,
    quiet: QuietOption = False,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Check input files as build would, without building anything.

    Same problems, same messages, same exit codes as build. With build's own arguments
    (less -o), validate is a dry run of that build.
    """
    # validate never writes: its last line counts the errors and says nothing of writing.
    reporter = reporter_for(json_output, quiet=quiet, outcome="")

    def run() -> None:
        from configdrive.validation.files import validate_files

        if machine is not None:
            inputs.refuse_with_machine()
        # The FILEs are read for --target; the machine file says its own.
        result = validate_files(
            files or (),
            kind=kind,
            target=inputs.given["target"],
            strict=strict,
            machine=machine if machine is not None else inputs.machine_inputs(),
        )
        reporter.validated(result)

    run_command(run, reporter, debug=debug, interrupted="interrupted")


@inject_app.command(cls=Command)
@takes_machine_inputs(user_data=False)
def inject(
    images: Annotated[
        list[Path],
        typer.Argument(
            metavar="IMAGE...",
            help="Disk images (raw or qcow2) of Flatcar, Container Linux or an OS with "
            "cloud-init. Several share one libguestfs launch.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--output",
            "-o",
            help="Where the configured copy goes (one IMAGE), or an existing folder for the "
            "copies (several, each named as its image). The images are never changed.",
            metavar="OUT",
            show_default=False,
        ),
    ] = None,
    in_place: Annotated[
        bool, typer.Option("--in-place", help="Change the images themselves instead.")
    ] = False,
    user_data: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--user-data",
            help="User data: #cloud-config, a #! script or Ignition JSON (gzip too); "
            "'-' reads standard input.",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    *,
    inputs: InputFlags,  # the input flags (cli/options.py)
    machine: MachineOption = None,
    oem_platform: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            help="Also write the OEM kit for this platform onto the OEM partition "
            "(oem --list names them).",
            metavar="PLATFORM",
            show_default=False,
        ),
    ] = None,
    strict: StrictOption = False,
    force: Annotated[bool, typer.Option(help="Replace OUT if it exists.")] = False,
    quiet: QuietOption = False,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Validate the inputs and write them into disk images, where each OS reads them.

    Flatcar and Container Linux: the cloud-config at /var/lib/flatcar-install/user_data (or
    coreos-install) on ROOT, or the Ignition config as config.ign on OEM. An OS with
    cloud-init: a NoCloud seed in /var/lib/cloud/seed/nocloud/. The OS and its partitions
    are found by label and content. Needs libguestfs (Debian's python3-guestfs); a launch
    takes about a minute without KVM, so give every image to one run.
    """
    reporter = reporter_for(json_output, quiet=quiet)

    def run() -> int:
        from configdrive.api import inject_jobs, injection

        flags = InputFlags({**inputs.given, "user_data": user_data})
        if machine is not None:
            flags.refuse_with_machine()
        targets = _inject_outputs(images, output, in_place=in_place)
        described: Any = machine if machine is not None else flags.machine_inputs()
        jobs = [
            injection(
                image,
                described,
                output=target,
                in_place=in_place,
                oem_platform=oem_platform,
                force=force,
            )
            for image, target in zip(images, targets, strict=True)
        ]
        bar = reporter.progress_bar("injecting", unit="steps", delay=0.0)
        try:
            outcomes = inject_jobs(jobs, strict=strict, events=reporter.step, progress=bar)
        finally:
            if bar is not None:
                bar.close()
        reporter.injected(outcomes)
        failed = [outcome for outcome in outcomes if isinstance(outcome, ConfigDriveError)]
        return max((int(error.exit_code) for error in failed), default=0)

    run_command(
        run, reporter, debug=debug, interrupted="interrupted; no copy was left, nothing named"
    )


def _inject_outputs(
    images: list[Path],
    output: Optional[Path],  # noqa: UP045
    *,
    in_place: bool,
) -> list[Optional[Path]]:  # noqa: UP045
    """Each image's output: -o itself (one image), a file in the -o folder, or in place."""
    if in_place:
        if output is not None:
            raise UsageError("give -o OUT or --in-place, not both")
        return [None] * len(images)
    if output is None:
        raise UsageError("give -o OUT (the images are not changed) or --in-place")
    if len(images) == 1 and not output.is_dir():
        return [output]
    if not output.is_dir():
        raise UsageError(f"-o {output}: with several images, give an existing folder")
    names = [image.name for image in images]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise UsageError(f"two images are called {twice[0]}: their copies would collide")
    return [output / name for name in names]
