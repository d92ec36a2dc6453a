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


def describe_os_error(error: OSError) -> str:
    """An OSError as a short sentence without Python's decoration."""
    if error.strerror:
        return error.strerror[0].lower() + error.strerror[1:]
    return str(error.args[0]) if error.args else type(error).__name__


# The distributor's kit (fetch-image, verify): each carries its own exit code, since the
# same failure is the input's fault in one place and the network's in another.


class ImageError(ConfigDriveError):
    """A release is unusable: no version, a damaged archive, a file that changed meanwhile."""

    def __init__(self, message: str, *, exit_code: ExitCode = ExitCode.INVALID_INPUT) -> None:
        self.exit_code = exit_code
        super().__init__(message)


class ApplianceError(ConfigDriveError):
    """libguestfs is missing, or its appliance failed (exit 3: the machine, not the input).

    `kind` says what failed: "missing" (libguestfs or a kernel for it), "no-space" or
    "read-only" (a file system on the image), or "failed".
    """

    exit_code = ExitCode.IO_FAILURE

    def __init__(self, message: str, kind: str = "failed") -> None:
        self.kind = kind
        super().__init__(message)


class VerificationError(ConfigDriveError):
    """A signature is bad, made by a key the user did not give, or a key file is unusable."""

    def __init__(self, message: str, *, exit_code: ExitCode = ExitCode.INVALID_INPUT) -> None:
        self.exit_code = exit_code
        super().__init__(message)


class GnuPGError(ConfigDriveError):
    """GnuPG is missing or failed in a way that says nothing about the signature."""

    exit_code = ExitCode.IO_FAILURE


class SourceError(ConfigDriveError):
    """A release file is missing, unreadable or truncated (exit 1), or its server failed (3).

    `missing` tells a file that does not exist from one that could not be read.
    """

    def __init__(
        self, message: str, *, exit_code: ExitCode = ExitCode.INVALID_INPUT, missing: bool = False
    ) -> None:
        self.exit_code = exit_code
        self.missing = missing
        super().__init__(message)
