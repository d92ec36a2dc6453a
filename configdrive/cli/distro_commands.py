"""The distributor's kit: `image import`, `image verify` (a group of two) and `oem`.

cli/app.py imports this module only when one of them runs.
"""

# No `from __future__ import annotations` here: Typer reads the annotations at start-up.

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from configdrive.cli.report import Reporter, reporter_for
from configdrive.cli.running import (
    Command,
    DebugOption,
    JsonOption,
    KeyOption,
    QuietOption,
    command_app,
    run_command,
)
from configdrive.errors import UsageError

if TYPE_CHECKING:
    from configdrive.cli.progress import ProgressBar

oem_app = command_app()

image_app = typer.Typer(
    name="image",
    help="Import and verify signed OS release images (for distributors).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# configdrive.distro.image.DEFAULT_IMAGE and the limits of configdrive.distro.fetch and
# configdrive.distro.image, spelled out so that --help does not import the importer (a test
# checks they agree).
_DEFAULT_IMAGE = "coreos_production_openstack_image.img.bz2"
_DEFAULT_DEADLINE = 3600.0
_DEFAULT_MAX_DOWNLOAD = "4GiB"
_DEFAULT_MAX_IMAGE_SIZE = "64GiB"
_DEFAULT_SIGNING_GAP = 7.0


@image_app.command("import", cls=Command)
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

        bars = PhaseBars(reporter)
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

    run_command(run, reporter, debug=debug, interrupted="interrupted; nothing was kept")


@image_app.command("verify", cls=Command)
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

        bars = PhaseBars(reporter)
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

    run_command(run, reporter, debug=debug, interrupted="interrupted")


class PhaseBars:
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


@oem_app.command(cls=Command)
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

    run_command(run, reporter, debug=debug)
