"""What every command shares: its Click class, the options several take, and `run_command`,
which turns any failure into its message and exit code (never a traceback).

Each command lives in a module of its own kind (build_commands, read_commands,
distro_commands, serve_commands) as a one-command Typer app; cli/app.py imports only the
module of the command being run.
"""

# No `from __future__ import annotations` here: Typer reads every command's annotations at
# start-up, and string annotations cost it an eval each.

import sys
import traceback
from collections.abc import Callable
from typing import Annotated, Any, Optional

import typer
import typer.core

from configdrive.cli.report import Reporter
from configdrive.errors import ConfigDriveError, ExitCode, UsageError


def command_app() -> typer.Typer:
    """A Typer app holding one command: cli/app.py asks it for that command alone."""
    return typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


class Command(typer.core.TyperCommand):
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
SyncOption = Annotated[
    bool,
    typer.Option(
        "--sync/--no-sync",
        help="Flush the drive to the disk before it takes its name, so that a crash leaves "
        "the old drive or the whole new one (the default). --no-sync is for scratch space "
        "and tmpfs: faster by the disk's flush, but a crash may leave a partial drive.",
    ),
]
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


def parse_mode(text: str) -> int:
    """--mode's permission bits; setuid, setgid and sticky are refused (atomic.check_mode)."""
    from configdrive.formats.atomic import check_mode

    try:
        mode = int(text, 8)
    except ValueError:
        raise UsageError(f"--mode {text!r} is not an octal file mode such as 0600") from None
    check_mode(mode, shown=text)
    return mode


def run_command(
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
        discard_stdout()
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


def discard_stdout() -> None:
    """Point standard output at /dev/null, so that no flush at exit fails again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        pass
