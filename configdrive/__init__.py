"""mkconfigdrive: validated, reproducible OpenStack config drives in pure Python.

The pipeline, one module a stage: `load` (inputs, with positions) -> `validate`
(JSON Schemas and checks) -> `model` (one immutable Machine) -> `layout` (paths to
contents) -> `write_iso` (the image). `api` ties them together for callers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from configdrive.api import (
        BuildResult,
        build,
        build_machine,
        layout_drive,
        machine_spec,
        source_date_epoch,
        validate_machine,
        write_drive,
    )
    from configdrive.diff import DriveDiff, diff_drives
    from configdrive.errors import (
        ConfigDriveError,
        ExitCode,
        InvalidInputError,
        OutputError,
        UsageError,
    )
    from configdrive.extract import ExtractResult, extract_drive
    from configdrive.fleet import Outcome, build_fleet, load_fleet
    from configdrive.inspection import Inspection, inspect_drive
    from configdrive.layout import DriveLayout
    from configdrive.machinefile import MachineFile, load_machine_file, machine_from_dict
    from configdrive.model import Machine, MachineSpec
    from configdrive.problems import Problem, Severity
    from configdrive.read_drive import open_drive
    from configdrive.readers import Verdict
    from configdrive.validate_files import ValidationResult, validate_files

# Where each public name lives. Importing the package stays cheap (the command line's
# --help and --version need none of it); a name's module loads on first use.
_EXPORTS = {
    "BuildResult": "configdrive.api",
    "build": "configdrive.api",
    "build_machine": "configdrive.api",
    "layout_drive": "configdrive.api",
    "machine_spec": "configdrive.api",
    "source_date_epoch": "configdrive.api",
    "validate_machine": "configdrive.api",
    "write_drive": "configdrive.api",
    "ConfigDriveError": "configdrive.errors",
    "ExitCode": "configdrive.errors",
    "InvalidInputError": "configdrive.errors",
    "OutputError": "configdrive.errors",
    "UsageError": "configdrive.errors",
    "DriveLayout": "configdrive.layout",
    "Outcome": "configdrive.fleet",
    "build_fleet": "configdrive.fleet",
    "load_fleet": "configdrive.fleet",
    "MachineFile": "configdrive.machinefile",
    "load_machine_file": "configdrive.machinefile",
    "machine_from_dict": "configdrive.machinefile",
    "Machine": "configdrive.model",
    "MachineSpec": "configdrive.model",
    "validate_files": "configdrive.validate_files",
    "ValidationResult": "configdrive.validate_files",
    "inspect_drive": "configdrive.inspection",
    "Inspection": "configdrive.inspection",
    "extract_drive": "configdrive.extract",
    "ExtractResult": "configdrive.extract",
    "diff_drives": "configdrive.diff",
    "DriveDiff": "configdrive.diff",
    "open_drive": "configdrive.read_drive",
    "Verdict": "configdrive.readers",
    "Problem": "configdrive.problems",
    "Severity": "configdrive.problems",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'configdrive' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__version__ = "0.1.0"

__all__ = [
    "BuildResult",
    "ConfigDriveError",
    "DriveDiff",
    "DriveLayout",
    "ExitCode",
    "ExtractResult",
    "Inspection",
    "InvalidInputError",
    "Machine",
    "MachineFile",
    "MachineSpec",
    "Outcome",
    "OutputError",
    "Problem",
    "Severity",
    "UsageError",
    "ValidationResult",
    "Verdict",
    "__version__",
    "build",
    "build_fleet",
    "build_machine",
    "diff_drives",
    "extract_drive",
    "inspect_drive",
    "layout_drive",
    "load_fleet",
    "load_machine_file",
    "machine_from_dict",
    "machine_spec",
    "open_drive",
    "source_date_epoch",
    "validate_files",
    "validate_machine",
    "write_drive",
]
