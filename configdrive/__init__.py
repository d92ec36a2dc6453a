"""mkconfigdrive: validated, reproducible OpenStack config drives in pure Python.

The pipeline, one module a stage: `load` (inputs, with positions) -> `validate`
(JSON Schemas and checks) -> `model` (one immutable Machine) -> `layout` (paths to
contents) -> `write_iso` (the image). `api` ties them together for callers.
"""

from __future__ import annotations

from configdrive.api import (
    BuildResult,
    build,
    layout_drive,
    machine_spec,
    source_date_epoch,
    validate_machine,
    write_drive,
)
from configdrive.errors import (
    ConfigDriveError,
    ExitCode,
    InvalidInputError,
    OutputError,
    UsageError,
)
from configdrive.layout import DriveLayout
from configdrive.model import Machine, MachineSpec
from configdrive.problems import Problem, Severity

__version__ = "0.1.0"

__all__ = [
    "BuildResult",
    "ConfigDriveError",
    "DriveLayout",
    "ExitCode",
    "InvalidInputError",
    "Machine",
    "MachineSpec",
    "OutputError",
    "Problem",
    "Severity",
    "UsageError",
    "__version__",
    "build",
    "layout_drive",
    "machine_spec",
    "source_date_epoch",
    "validate_machine",
    "write_drive",
]
