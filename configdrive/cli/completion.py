"""`mkconfigdrive completion bash|zsh|fish`: the shell completion script, made from the commands.

The script a shell sources calls mkconfigdrive back with `_MKCONFIGDRIVE_COMPLETE=complete_<shell>`
to ask for the words that fit where the cursor is; Typer answers that request before any command
runs. The app is built with `add_completion=False`, which keeps `--install-completion` and
`--show-completion` out of every --help (they would edit the user's shell start-up files), but
also leaves Typer's completion classes unregistered. They are registered here when the shell
asks (completion_init only fills Click's registry), so an ordinary run's registry is untouched.
"""

import enum
import os
from typing import Annotated

import typer

PROG_NAME = "mkconfigdrive"
COMPLETE_VAR = "_MKCONFIGDRIVE_COMPLETE"


class Shell(str, enum.Enum):
    """The shells whose completion scripts Typer writes (and the tests run)."""

    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def _register_completion_classes() -> None:
    # Typer's classes, not Click's: Typer parses the instruction as `complete_bash` (Click
    # writes `bash_complete`), so only its own scripts and classes agree with each other.
    from typer._completion_classes import completion_init

    completion_init()


if os.environ.get(COMPLETE_VAR):
    _register_completion_classes()


def completion_script(shell: Shell) -> str:
    """The script that makes SHELL complete mkconfigdrive's commands, options and values."""
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name=PROG_NAME, complete_var=COMPLETE_VAR, shell=shell.value)


def completion(
    shell: Annotated[
        Shell, typer.Argument(help="The shell to complete in: bash, zsh or fish.", metavar="SHELL")
    ],
) -> None:
    """Print the shell completion script for SHELL.

    bash: add `eval "$(mkconfigdrive completion bash)"` to ~/.bashrc. zsh: add `eval
    "$(mkconfigdrive completion zsh)"` to ~/.zshrc (after compinit). fish: `mkconfigdrive
    completion fish > ~/.config/fish/completions/mkconfigdrive.fish`.
    """
    print(completion_script(shell))


def _completion_app() -> "typer.Typer":
    from configdrive.cli.running import Command, command_app

    holder = command_app()
    holder.command(cls=Command)(completion)
    return holder


completion_app = _completion_app()
