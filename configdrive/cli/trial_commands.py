"""The command that tries a drive on a real boot: try.

A one-command Typer app (running.command_app); qemu and libguestfs are reached only when
the command runs.
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

try_app = command_app()


@try_app.command("try", cls=Command)
def try_command(
    drive: Annotated[
        Path,
        typer.Argument(
            metavar="DRIVE",
            help="The config drive (config-2 or NoCloud; ISO9660 attached as a CD, FAT as a disk).",
            show_default=False,
        ),
    ],
    image: Annotated[
        Path,
        typer.Option(
            "--image",
            help="Your cloud image (raw or qcow2). Never modified: the guest writes to a "
            "temporary copy-on-write overlay.",
            metavar="IMAGE",
            show_default=False,
        ),
    ],
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            help="Seconds to wait for cloud-init to finish before the machine is stopped.",
            metavar="SECONDS",
        ),
    ] = 1800.0,
    direct_kernel: Annotated[
        bool,
        typer.Option(
            "--direct-kernel",
            help="Boot the image's own /boot/vmlinuz-* and initrd with qemu -kernel, for "
            "images without a boot loader.",
        ),
    ] = False,
    metadata_service: Annotated[
        Optional[str],  # noqa: UP045 - Typer reads the annotation at run time on Python 3.10
        typer.Option(
            "--metadata-service",
            help="Deliver the machine from this metadata service on the host's loopback "
            "(e.g. `mkconfigdrive serve machine.yml --listen 127.0.0.1:8775`) instead of "
            "attaching DRIVE: the guest, as an OpenStack Nova machine, reaches it at "
            "169.254.169.254 and nothing else. DRIVE (config-2) is then what it must deliver.",
            metavar="127.0.0.1:PORT",
            show_default=False,
        ),
    ] = None,
    quiet: QuietOption = False,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Boot IMAGE with DRIVE attached and check that cloud-init applied what the drive asks.

    KVM when /dev/kvm is usable, software emulation otherwise; the guest has a serial console
    and no network (with --metadata-service: only that service, through a restricted
    user-mode network). After cloud-init finishes the machine is powered off and its disk read
    (read-only, through libguestfs): host name, instance-id, SSH keys, written files, runcmd,
    rendered network addresses, and every cloud-init warning. Exit code 0 when the machine
    got what the drive asked for; 1 when it did not; 2 and 3 for usage and machine failures.
    """
    reporter = reporter_for(json_output, quiet=quiet, outcome="")

    def run() -> int:
        from configdrive.trial.run import try_drive

        result = try_drive(
            drive,
            image,
            timeout=timeout,
            direct_kernel=direct_kernel,
            metadata_service=metadata_service,
            events=reporter.step,
        )
        reporter.tried(result)
        return 0 if result.ok else int(ExitCode.INVALID_INPUT)

    run_command(run, reporter, debug=debug, interrupted="interrupted; the image is unchanged")
