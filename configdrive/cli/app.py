"""The command line: the `mkconfigdrive` group, which loads only the command being run.

Building every command's Click object from its signature costs Typer about a millisecond a
command, and each command's module imports what its options need: a hook that runs
`mkconfigdrive build` pays for `build` alone. The commands live in build_commands,
read_commands, distro_commands and serve_commands; `--help` and shell completion load them
all. No layout, schema or ISO logic lives here; every command is one API call.
"""

# No `from __future__ import annotations` here: Typer reads the annotations at start-up.

import difflib
import importlib
import sys
from typing import Annotated, Any, Optional

import typer
import typer.core
import typer.main
from typer._click.exceptions import UsageError as ClickUsageError  # Typer <0.29 vendors Click

from configdrive import __version__
from configdrive.cli import completion  # noqa: F401 - registers completion classes when a shell asks
from configdrive.cli.running import discard_stdout

# Every command, in --help's order: its name, and the module and Typer app that hold it.
COMMANDS: dict[str, tuple[str, str]] = {
    "build": ("configdrive.cli.build_commands", "build_app"),
    "build-many": ("configdrive.cli.build_commands", "build_many_app"),
    "validate": ("configdrive.cli.build_commands", "validate_app"),
    "inject": ("configdrive.cli.build_commands", "inject_app"),
    "inspect": ("configdrive.cli.read_commands", "inspect_app"),
    "extract": ("configdrive.cli.read_commands", "extract_app"),
    "diff": ("configdrive.cli.read_commands", "diff_app"),
    "oem": ("configdrive.cli.distro_commands", "oem_app"),
    "serve": ("configdrive.cli.serve_commands", "serve_app"),
    "load-machines": ("configdrive.cli.serve_commands", "load_machines_app"),
    "completion": ("configdrive.cli.completion", "completion_app"),
    "image": ("configdrive.cli.distro_commands", "image_app"),
    "try": ("configdrive.cli.trial_commands", "try_app"),
}


class _LazyGroup(typer.core.TyperGroup):
    """The top-level group: a command's module is imported when that command is asked for."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        place = COMMANDS.get(cmd_name)
        if place is None:
            return None
        module_name, app_name = place
        command_app: typer.Typer = getattr(importlib.import_module(module_name), app_name)
        command = typer.main.get_command(command_app)
        command.name = cmd_name
        return command

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        # Typer suggests from the commands it has built, which here are none yet.
        try:
            return super().resolve_command(ctx, args)
        except ClickUsageError as error:
            matches = difflib.get_close_matches(args[0], list(COMMANDS)) if args else []
            if matches and "Did you mean" not in error.message:
                suggestions = ", ".join(repr(match) for match in matches)
                error.message = f"{error.message.rstrip('.')}. Did you mean {suggestions}?"
            raise


app = typer.Typer(
    name="mkconfigdrive",
    cls=_LazyGroup,
    help="Build validated, reproducible OpenStack config drives (config-2) in pure Python.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


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


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except BrokenPipeError:
        # Typer's own output (--help, usage errors) into a closed pipe: end as quietly.
        discard_stdout()
        raise SystemExit(0) from None
    finally:
        # What is still buffered is written now, not at exit, where a closed pipe would
        # print "Exception ignored ... BrokenPipeError" and change the exit code to 120.
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            discard_stdout()
