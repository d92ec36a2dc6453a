"""The command line: parse arguments, call the library, print through the Reporter.

No layout, schema or ISO logic lives here; every command is one API call.
"""

# No `from __future__ import annotations` here: Typer reads every command's annotations at
# start-up, and string annotations cost it an eval each (15 ms a run, for every command).

import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
import typer.core

from configdrive import __version__
from configdrive.cli.completion import completion
from configdrive.cli.options import InputFlags, MachineOption, takes_machine_inputs
from configdrive.cli.report import Reporter, reporter_for
from configdrive.errors import ConfigDriveError, ExitCode, UsageError

if TYPE_CHECKING:
    from configdrive.cli.progress import ProgressBar
    from configdrive.inputs.fleet import Outcome

app = typer.Typer(
    name="mkconfigdrive",
    help="Build validated, reproducible OpenStack config drives (config-2) in pure Python.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class _Command(typer.core.TyperCommand):
    """A command whose usage line names arguments as man pages do: `DRIVE`, not `{DRIVE}`.

    Typer (0.2x) wraps required arguments in braces, which reads as a choice or a
    placeholder to fill with braces; errors already say `Missing argument 'DRIVE'`.
    """

    def collect_usage_pieces(self, ctx: Any) -> list[str]:  # Typer's vendored click Context
        pieces: list[str] = super().collect_usage_pieces(ctx)
        return [_unbraced(piece) for piece in pieces]


def _unbraced(piece: str) -> str:
    if piece.startswith("{") and piece.endswith("}") and "{" not in piece[1:]:
        return piece[1:-1]
    return piece


INTERNAL_ERROR = 70  # EX_SOFTWARE: a bug in mkconfigdrive, never the user's fault

# Options several commands share, declared once; a machine's input flags are in
# cli/options.py. (Optional, not `X | None`: Typer reads these at run time, and on Python 3.10
# it cannot read a `|` union inside Annotated.)
StrictOption = Annotated[bool, typer.Option(help="Treat warnings as errors.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON, for machines.")]
DebugOption = Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")]
KeyOption = Annotated[
    list[str],
    typer.Option(
        "--key",
        help="The signer's public key (armored or binary). Repeatable. "
        "Only these keys are trusted; no keyring is read, no key is fetched.",
        metavar="KEY.asc",
        show_default=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        print(f"mkconfigdrive {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        Optional[bool],  # noqa: UP045 - Typer reads the annotation at run time on Python 3.10
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = None,
) -> None:
    """Build validated, reproducible OpenStack config drives (config-2) in pure Python."""


def _parse_mode(text: str) -> int:
    """--mode's permission bits; setuid, setgid and sticky are refused (atomic.check_mode)."""
    from configdrive.formats.atomic import check_mode

    try:
        mode = int(text, 8)
    except ValueError:
        raise UsageError(f"--mode {text!r} is not an octal file mode such as 0600") from None
    check_mode(mode, shown=text)
    return mode


@app.command(cls=_Command)
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
            mode_bits = _parse_mode(mode)  # before --target's: the order usage errors had
            result = build_machine(
                machine if machine is not None else inputs.machine_inputs(),
                output,
                layout=layout,
                format=output_format,
                strict=strict,
                force=force,
                mode=mode_bits,
                progress=bar,
            )
        finally:
            if bar is not None:
                bar.close()
        reporter.built(result)

    _run(run, reporter, debug=debug)


@app.command("build-many", cls=_Command)
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
                machines, out_dir, jobs=jobs, force=force, strict=strict, on_outcome=heard
            )
        finally:
            if bar is not None:
                bar.close()
        reporter.fleet_summary(outcomes, out_dir)
        return fleet_exit_code(outcomes)

    _run(
        run,
        reporter,
        debug=debug,
        interrupted="interrupted; the drives already built are whole, no partial one was left",
    )


def _run(
    action: Callable[[], Optional[int]],  # noqa: UP045
    reporter: Reporter,
    *,
    debug: bool,
    interrupted: str = "interrupted; nothing was written",
) -> None:
    """Run a command body; map every failure to its message and exit code, never a traceback.

    The body may return an exit code of its own (inspect's verdict, diff's difference).
    """
    try:
        code = _quiet_on_closed_stdout(action)
    except typer.Exit:
        raise  # the quiet end of a closed standard output
    except ConfigDriveError as error:
        if debug:
            traceback.print_exc()
        reporter.failed(error)
        raise typer.Exit(int(error.exit_code)) from None
    except KeyboardInterrupt:
        reporter.interrupted(interrupted)
        raise typer.Exit(130) from None
    except OSError as error:
        if debug:
            traceback.print_exc()
        reporter.io_failed(error)
        raise typer.Exit(int(ExitCode.IO_FAILURE)) from None
    except Exception as error:
        if debug:
            traceback.print_exc()
        reporter.internal_error(error)
        raise typer.Exit(INTERNAL_ERROR) from None
    if code:
        raise typer.Exit(code)


def _quiet_on_closed_stdout(action: Callable[[], Optional[int]]) -> Optional[int]:  # noqa: UP045
    """Run `action`; a closed standard output ends the run quietly, with exit code 0."""
    try:
        return action()
    except BrokenPipeError:
        if not _stdout_closed():
            raise  # another pipe (a server, a child process): an I/O failure like any other
        # `mkconfigdrive inspect x.iso | head -1`: the reader has all it wanted.
        _discard_stdout()
        raise typer.Exit(0) from None


def _stdout_closed() -> bool:
    """Whether standard output is a pipe nobody reads any more (poll reports POLLERR)."""
    import select

    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(event & select.POLLERR for _, event in poller.poll(0))
    except (AttributeError, OSError, ValueError):
        return False


def _discard_stdout() -> None:
    """Point standard output at /dev/null, so that no flush at exit fails again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        pass


# --------------------------------------------------------------------------- the read side


@app.command(cls=_Command)
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

    _run(run, reporter, debug=debug, interrupted="interrupted")


@app.command(cls=_Command)
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

    _run(run, reporter, debug=debug, interrupted="interrupted; no copy was left, nothing named")


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


@app.command("inspect", cls=_Command)
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

    _run(run, reporter, debug=debug, interrupted="interrupted")


@app.command(cls=_Command)
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

    _run(run, reporter, debug=debug)


@app.command(cls=_Command)
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

    _run(run, reporter, debug=debug, interrupted="interrupted")


# --------------------------------------------------------------------------- the distributor's kit

image_app = typer.Typer(
    name="image",
    help="Import and verify signed OS release images (for distributors).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(image_app, name="image")

# configdrive.distro.image.DEFAULT_IMAGE and the limits of configdrive.distro.fetch and
# configdrive.distro.image, spelled out so that --help does not import the importer (a test
# checks they agree).
_DEFAULT_IMAGE = "coreos_production_openstack_image.img.bz2"
_DEFAULT_DEADLINE = 3600.0
_DEFAULT_MAX_DOWNLOAD = "4GiB"
_DEFAULT_MAX_IMAGE_SIZE = "64GiB"
_DEFAULT_SIGNING_GAP = 7.0


@image_app.command("import", cls=_Command)
def image_import(
    source: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE",
            help="The release folder: a local folder, or its http(s) URL "
            "(e.g. https://stable.release.flatcar-linux.net/amd64-usr/current/).",
            show_default=False,
        ),
    ],
    key: KeyOption,
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out-dir",
            help="Folder for NAME-VERSION.img and its JSON record (required).",
            show_default=False,
            metavar="DIR",
        ),
    ],
    image: Annotated[
        str,
        typer.Option(
            "--image", help="The image's file name in the release folder.", metavar="FILE"
        ),
    ] = _DEFAULT_IMAGE,
    name: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            help="NAME in NAME-VERSION.img. Default: the image's name, no extensions.",
            metavar="NAME",
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            help="Seconds to wait for a server to connect or to send more.", metavar="SECONDS"
        ),
    ] = 30.0,
    deadline: Annotated[
        float,
        typer.Option(
            help="Seconds all the downloads may take together before the import stops.",
            metavar="SECONDS",
        ),
    ] = _DEFAULT_DEADLINE,
    max_download: Annotated[
        str,
        typer.Option(
            help="The most the compressed image may be (e.g. 4GiB, 512MiB).", metavar="SIZE"
        ),
    ] = _DEFAULT_MAX_DOWNLOAD,
    max_image_size: Annotated[
        str,
        typer.Option(help="The most the image may decompress to.", metavar="SIZE"),
    ] = _DEFAULT_MAX_IMAGE_SIZE,
    signing_gap: Annotated[
        float,
        typer.Option(
            help="The most days between the signatures of version.txt and of the image: "
            "more, and they are not taken for one release.",
            metavar="DAYS",
        ),
    ] = _DEFAULT_SIGNING_GAP,
    allow_redirects: Annotated[
        bool,
        typer.Option(
            "--allow-redirects",
            help="Follow redirects to other hosts too (http or https; never https to http).",
        ),
    ] = False,
    force: Annotated[bool, typer.Option(help="Replace an image imported before.")] = False,
    quiet: QuietOption = False,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Fetch a release image, check its signature, decompress it into OUT_DIR.

    Fetches version.txt, the image and IMAGE.sig; checks the signature against the given
    keys before anything is decompressed or kept; writes OUT_DIR/NAME-VERSION.img and
    NAME-VERSION.img.json (version, source, sha256, signer, time). A bad signature, another
    signer, a truncated download, a version.txt without a version or signed apart from the
    image, a download or an image over its limit, a redirect to another server: exit code 1,
    nothing kept. A server that is down, silent or too slow for --deadline: exit code 3.
    """
    reporter = reporter_for(json_output, quiet=quiet)

    def run() -> None:
        from configdrive.distro.fetch import parse_size
        from configdrive.distro.image import import_image

        bars = _PhaseBars(reporter)
        try:
            result = import_image(
                source,
                key,
                out_dir,
                image=image,
                name=name,
                force=force,
                progress=bars if bars.shown else None,
                timeout=timeout,
                deadline=deadline,
                max_download=parse_size(max_download, "--max-download"),
                max_image_size=parse_size(max_image_size, "--max-image-size"),
                max_signing_gap=signing_gap * 86400,
                allow_redirects=allow_redirects,
            )
        finally:
            bars.close()
        reporter.imported(result)

    _run(run, reporter, debug=debug, interrupted="interrupted; nothing was kept")


@image_app.command("verify", cls=_Command)
def image_verify(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The signed file.", show_default=False)
    ],
    key: KeyOption,
    signature: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="The detached signature. Default: FILE.sig.", metavar="FILE.sig"),
    ] = None,
    quiet: QuietOption = False,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Check FILE's detached signature against the given keys only; print the signer.

    Exit code 0 for a good signature by one of the keys; 1 for a bad signature, another
    signer, a revoked or expired key.
    """
    reporter = reporter_for(json_output, quiet=quiet)

    def run() -> None:
        from configdrive.distro.image import verify_image

        bars = _PhaseBars(reporter)
        try:
            result = verify_image(
                file,
                key,
                signature=signature,
                progress=(lambda done, total: bars("verifying", done, total))
                if bars.shown
                else None,
            )
        finally:
            bars.close()
        reporter.verified(result)

    _run(run, reporter, debug=debug, interrupted="interrupted")


class _PhaseBars:
    """One progress bar per phase of a long job (downloading, verifying, ...), on a terminal."""

    def __init__(self, reporter: Reporter, *, delay: float = 1.0) -> None:
        self._reporter = reporter
        self._delay = delay
        self.shown = reporter.shows_progress
        self._phase: str | None = None
        self._bar: ProgressBar | None = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self._phase:
            self.close()
            self._bar = self._reporter.progress_bar(phase, delay=self._delay)
            self._phase = phase
        if self._bar is not None:
            self._bar(done, total)

    def close(self) -> None:
        """Erase the current bar, if any."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


@app.command(cls=_Command)
def oem(
    platform: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            help="Where the platform puts the user's data: openstack-configdrive, "
            "ec2-metadata, openstack (see --list).",
            show_default=False,
            metavar="PLATFORM",
        ),
    ] = None,
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--output",
            "-o",
            help="A folder (existing, or a name not ending in .yml/.yaml): write the files of "
            "a Flatcar OEM partition there (cloud-config.yml, grub.cfg, oem-release, "
            "base/base.ign). FILE.yml: the cloud-config alone. Default: the cloud-config on "
            "standard output.",
            metavar="DIR|FILE",
        ),
    ] = None,
    list_platforms: Annotated[
        bool, typer.Option("--list", help="List the platforms and exit.")
    ] = False,
    oem_id: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            help="coreos.oem.id (an os-release ID). Default: the platform's.", metavar="ID"
        ),
    ] = None,
    oem_name: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="coreos.oem.name. Default: the platform's.", metavar="NAME"),
    ] = None,
    oem_version: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="coreos.oem.version_id.", metavar="VERSION"),
    ] = None,
    home_url: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="coreos.oem.home_url. Default: the platform's.", metavar="URL"),
    ] = None,
    bug_report_url: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="coreos.oem.bug_report_url.", metavar="URL"),
    ] = None,
    metadata_url: Annotated[
        str, typer.Option(help="The metadata service (ec2-metadata and openstack).", metavar="URL")
    ] = "http://169.254.169.254/",
    flatcar_oem_id: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            help="The oem_id grub.cfg sets (Flatcar's flatcar.oem.id, Ignition's platform). "
            "Default: the platform's (openstack; ec2 for ec2-metadata).",
            metavar="ID",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(help="Replace OUTPUT if it exists (a folder only if it holds a kit)."),
    ] = False,
    quiet: QuietOption = False,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Write what a distributor puts on a Flatcar or Container Linux image's OEM partition.

    With -o DIR, the partition's files: base/base.ign (an Ignition config merged before the
    user's), grub.cfg (the oem_id the kernel gets), oem-release and cloud-config.yml. The
    cloud-config (alone on standard output or in FILE.yml) runs at every boot: its units find
    the user's data where the platform puts it (the config-2 drive, or the metadata service
    at 169.254.169.254) and hand it to coreos-cloudinit. Checked with the validator build uses.
    """
    reporter = reporter_for(json_output, quiet=quiet)

    def run() -> None:
        from configdrive.distro.oem import PLATFORMS, oem_config, write_oem_config
        from configdrive.distro.oem_kit import oem_tree, wants_folder, write_oem_tree

        if list_platforms:
            reporter.oem_platforms(list(PLATFORMS.values()))
            return
        if platform is None:
            raise UsageError("give --platform (oem --list names them)")
        identity = {
            "oem_id": oem_id,
            "oem_name": oem_name,
            "version_id": oem_version,
            "home_url": home_url,
            "bug_report_url": bug_report_url,
        }
        if output is not None and wants_folder(output):
            tree = oem_tree(
                platform, metadata_url=metadata_url, flatcar_oem_id=flatcar_oem_id, **identity
            )
            reporter.oem_tree_written(platform, output, write_oem_tree(tree, output, force=force))
            return
        if flatcar_oem_id is not None:
            raise UsageError("--flatcar-oem-id goes into grub.cfg: give -o DIR for the tree")
        text = oem_config(platform, metadata_url=metadata_url, **identity)
        if output is None:
            reporter.oem_config(platform, text)
            return
        reporter.oem_written(platform, write_oem_config(text, output, force=force))

    _run(run, reporter, debug=debug)


# serve --database and load-machines: machines in PostgreSQL (configdrive.serve.store).
DatabaseServeOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--database",
        help="Serve the machines load-machines put in this PostgreSQL database (a libpq URL "
        "or key=value string) instead of MACHINES; follow its changes (LISTEN/NOTIFY) and "
        "keep serving the last good data while it is down (GET /-/health says so).",
        metavar="URL",
        show_default=False,
    ),
]


def _serve_target(machines: Optional[Path], database: Optional[str]) -> Path:  # noqa: UP045
    """MACHINES, or --database: exactly one of them."""
    if machines is not None and database is not None:
        raise UsageError("give MACHINES or --database URL, not both")
    if machines is None and database is None:
        raise UsageError("give MACHINES (a machine file, fleet file or folder) or --database URL")
    return machines if machines is not None else Path()


@app.command("serve", cls=_Command)
def serve_command(
    machines: Annotated[
        Optional[Path],  # noqa: UP045 - omitted with --database
        typer.Argument(
            metavar="[MACHINES]",
            help="A machine file, a fleet file (machines: [...]) or a folder of machine files.",
            show_default=False,
        ),
    ] = None,
    listen: Annotated[
        str,
        typer.Option(
            help="Where to listen: an IP address and port ([::1]:8775 for IPv6; port 0 picks "
            "a free one). 8775 is Nova's metadata port: no root needed.",
            metavar="ADDR:PORT",
        ),
    ] = "127.0.0.1:8775",
    require_token: Annotated[
        bool,
        typer.Option(
            "--require-token",
            help="Refuse requests without an IMDSv2 token (PUT /latest/api/token) with 401, "
            "OpenStack paths included.",
        ),
    ] = False,
    strict: StrictOption = False,
    database: DatabaseServeOption = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No access log; print only errors and events.")
    ] = False,
    json_output: Annotated[
        bool,
        typer.Option("--json", help="Print the start as one JSON line; log JSON lines."),
    ] = False,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            help="A load balancer's address or network (10.0.0.0/8): from it, the client is "
            "the rightmost X-Forwarded-For address that is not a trusted proxy itself; from "
            "anyone else the header is ignored. Repeatable.",
            metavar="CIDR",
            show_default=False,
        ),
    ] = None,
    proxy_protocol: Annotated[
        bool,
        typer.Option(
            "--proxy-protocol",
            help="Every connection starts with a PROXY protocol v2 header (HAProxy "
            "send-proxy-v2) naming the client; it must come from a --trusted-proxy. Other "
            "connections, and those without a valid header, are closed.",
        ),
    ] = False,
    token_secret_file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            help="Sign IMDSv2 tokens with the secret in this file (at least 32 bytes, readable "
            "by its owner only), so that every instance given the same file accepts a token "
            "another issued (several instances behind one balancer).",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    debug: DebugOption = False,
    max_connections: Annotated[
        int | None,
        typer.Option(
            "--max-connections",
            help="Connections open at once, at most; more wait in the listen backlog. "
            "Default: what the open-file limit allows (raised to the hard limit).",
            metavar="N",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve machines over the OpenStack and EC2 metadata services, as build puts them on drives.

    Every machine is validated as build validates it (invalid input: the same problems,
    exit 1, nothing served) and answers with the bytes of its config-2 drive, under
    /openstack/... and EC2's /latest/meta-data/..., /latest/user-data (IMDSv2 tokens too).
    A request gets the machine whose `address` is the client's source address; a client
    no machine claims gets 404. A single machine without an `address` is served to every
    client. Access lines (stderr) name the machine and the path, never the content.
    SIGHUP reloads the input (kept only if valid); SIGTERM or Ctrl-C stops, exit 0.
    With --database, the machines load-machines stored in PostgreSQL are served instead.
    GET /-/health answers any client: ok, or degraded while the database is unreachable.
    """
    reporter = reporter_for(json_output, quiet=quiet, outcome="nothing is served")

    def run() -> None:
        from configdrive.serve.machines import Served
        from configdrive.serve.proxy import proxies_from_options
        from configdrive.serve.server import ListenAddress, parse_listen, serve

        proxies = proxies_from_options(trusted_proxy or [], proxy_protocol)
        secret = _token_secret(token_secret_file) if token_secret_file is not None else None

        def started(served: Served, bound: ListenAddress) -> None:
            # Logged before the start-up line: whoever waits for that line finds it done.
            if proxies.trusted:
                log.event("proxies", f"behind a load balancer: {proxies.describe()}",
                          trusted=[str(network) for network in proxies.trusted],
                          proxy_protocol=proxies.proxy_protocol)  # fmt: skip
            reporter.serving(served, bound, require_token=require_token)

        log = reporter.serve_log(access_lines=not quiet, debug=debug)
        target = _serve_target(machines, database)
        serve(target, listen=parse_listen(listen), require_token=require_token, strict=strict,
              log=log, on_ready=started, proxies=proxies, database=database,
              token_secret=secret, max_connections=max_connections)  # fmt: skip

    _run(run, reporter, debug=debug, interrupted="interrupted")


def _token_secret(path: Path) -> bytes:
    """--token-secret-file's secret: long enough, and private (it mints every machine's tokens)."""
    import stat

    from configdrive.errors import describe_os_error
    from configdrive.serve.tokens import MIN_SECRET_BYTES

    try:
        info = path.stat()
        secret = path.read_bytes().strip()
    except OSError as error:
        raise UsageError(f"--token-secret-file {path}: {describe_os_error(error)}") from None
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise UsageError(
            f"--token-secret-file {path}: other users can read it "
            f"(mode {stat.S_IMODE(info.st_mode):04o}); chmod 600 it"
        )
    if len(secret) < MIN_SECRET_BYTES:
        raise UsageError(
            f"--token-secret-file {path}: {len(secret)} bytes; give at least {MIN_SECRET_BYTES} "
            "(head -c 48 /dev/urandom | base64 > FILE)"
        )
    return secret


@app.command("load-machines", cls=_Command)
def load_machines_command(
    machines: Annotated[
        Path,
        typer.Argument(
            metavar="MACHINES",
            help="A machine file, a fleet file (machines: [...]) or a folder of machine files.",
            show_default=False,
        ),
    ],
    database: Annotated[
        str,
        typer.Option(
            "--database",
            help="The PostgreSQL database (a libpq URL or key=value string).",
            metavar="URL",
            show_default=False,
        ),
    ],
    strict: StrictOption = False,
    quiet: QuietOption = False,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Put machines into PostgreSQL for `serve --database`, replacing what it held.

    Every machine is validated as serve validates it (invalid input: the same problems,
    exit 1, the database unchanged), rendered once (injected files read in), and stored
    in one transaction: machines no longer listed are removed, unchanged ones stay as
    they were. The instances following the database hear of it (NOTIFY) and re-render
    only the machines that changed. Creates its two tables on first use.
    """
    reporter = reporter_for(json_output, quiet=quiet, outcome="the database is unchanged")

    def run() -> None:
        from configdrive.serve.machines import load_served
        from configdrive.serve.store import check_url, store_served

        check_url(database)
        served = load_served(machines, strict=strict)
        reporter.problems(served.warnings)
        reporter.machines_stored(store_served(database, served))

    _run(run, reporter, debug=debug, interrupted="interrupted; the database is unchanged")


app.command(cls=_Command)(completion)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except BrokenPipeError:
        # Typer's own output (--help, usage errors) into a closed pipe: end as quietly.
        _discard_stdout()
        raise SystemExit(0) from None
    finally:
        # What is still buffered is written now, not at exit, where a closed pipe would
        # print "Exception ignored ... BrokenPipeError" and change the exit code to 120.
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _discard_stdout()
