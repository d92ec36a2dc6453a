"""The exceptions mkconfigdrive raises, and the exit code each one means.

One base class, so a caller can catch everything the tool reports on purpose;
each subclass carries what a person needs to act on it.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from configdrive.problems import Problem, sorted_problems


class ExitCode(enum.IntEnum):
    """Exit codes of every command."""

    OK = 0
    INVALID_INPUT = 1
    USAGE = 2
    IO_FAILURE = 3


class ConfigDriveError(Exception):
    """Base of every error mkconfigdrive reports on purpose."""

    exit_code: ExitCode = ExitCode.IO_FAILURE


class InvalidInputError(ConfigDriveError):
    """The inputs are wrong; `problems` says everything that is wrong with them."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted_problems(problems)
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the inputs")


class UsageError(ConfigDriveError):
    """The command line or API call itself is wrong (a missing or conflicting option)."""

    exit_code = ExitCode.USAGE


class OutputError(ConfigDriveError):
    """Reading an input or writing the drive failed at the operating-system level."""

    exit_code = ExitCode.IO_FAILURE

    def __init__(self, message: str, path: str | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)
