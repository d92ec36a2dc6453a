"""mkconfigdrive: validated, reproducible OpenStack config drives in pure Python.

The pipeline, one subpackage a stage: `inputs` (documents, with positions) ->
`validation` (JSON Schemas and checks) -> `machine` (one immutable Machine) -> `layouts`
(paths to contents) -> `formats` (the image or folder; `formats.registry` lists them).
`trial` boots a cloud image with a drive (`try`).
`api` ties them together for callers; every error they raise is in `errors`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from configdrive.api import (
        BuildResult,
        build,
        build_machine,
        inject,
        inject_jobs,
        injection,
        layout_drive,
        machine_spec,
        source_date_epoch,
        validate_machine,
        write_drive,
    )
    from configdrive.disks.inject import InjectFailed, InjectJob, InjectResult
    from configdrive.disks.inspection import DiskInspection, inspect_disk
    from configdrive.drives.diff import DriveDiff, diff_drives
    from configdrive.drives.drive import open_drive
    from configdrive.drives.extract import ExtractResult, extract_drive
    from configdrive.drives.inspection import Inspection, inspect_drive
    from configdrive.drives.verdicts import Verdict
    from configdrive.errors import (
        ApplianceError,
        ConfigDriveError,
        ExitCode,
        GnuPGError,
        ImageError,
        InvalidInputError,
        OutputError,
        SourceError,
        UsageError,
        VerificationError,
    )
    from configdrive.inputs.fleet import Outcome, build_fleet, load_fleet
    from configdrive.inputs.machine_file import MachineFile, load_machine_file, machine_from_dict
    from configdrive.layouts.drive_layout import DriveLayout
    from configdrive.machine import Machine, MachineInputs, MachineSpec
    from configdrive.problems import Problem, Severity
    from configdrive.validation.files import ValidationResult, validate_files

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
    "inject": "configdrive.api",
    "inject_jobs": "configdrive.api",
    "injection": "configdrive.api",
    "ApplianceError": "configdrive.errors",
    "InjectFailed": "configdrive.disks.inject",
    "InjectJob": "configdrive.disks.inject",
    "InjectResult": "configdrive.disks.inject",
    "DiskInspection": "configdrive.disks.inspection",
    "inspect_disk": "configdrive.disks.inspection",
    "ConfigDriveError": "configdrive.errors",
    "ExitCode": "configdrive.errors",
    "InvalidInputError": "configdrive.errors",
    "OutputError": "configdrive.errors",
    "UsageError": "configdrive.errors",
    "ImageError": "configdrive.errors",
    "SourceError": "configdrive.errors",
    "VerificationError": "configdrive.errors",
    "GnuPGError": "configdrive.errors",
    "DriveLayout": "configdrive.layouts.drive_layout",
    "Outcome": "configdrive.inputs.fleet",
    "build_fleet": "configdrive.inputs.fleet",
    "load_fleet": "configdrive.inputs.fleet",
    "MachineFile": "configdrive.inputs.machine_file",
    "load_machine_file": "configdrive.inputs.machine_file",
    "machine_from_dict": "configdrive.inputs.machine_file",
    "Machine": "configdrive.machine",
    "MachineInputs": "configdrive.machine",
    "MachineSpec": "configdrive.machine",
    "validate_files": "configdrive.validation.files",
    "ValidationResult": "configdrive.validation.files",
    "inspect_drive": "configdrive.drives.inspection",
    "Inspection": "configdrive.drives.inspection",
    "extract_drive": "configdrive.drives.extract",
    "ExtractResult": "configdrive.drives.extract",
    "diff_drives": "configdrive.drives.diff",
    "DriveDiff": "configdrive.drives.diff",
    "open_drive": "configdrive.drives.drive",
    "Verdict": "configdrive.drives.verdicts",
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
    "ApplianceError",
    "BuildResult",
    "ConfigDriveError",
    "DiskInspection",
    "DriveDiff",
    "DriveLayout",
    "ExitCode",
    "ExtractResult",
    "GnuPGError",
    "ImageError",
    "InjectFailed",
    "InjectJob",
    "InjectResult",
    "Inspection",
    "InvalidInputError",
    "Machine",
    "MachineFile",
    "MachineInputs",
    "MachineSpec",
    "Outcome",
    "OutputError",
    "Problem",
    "Severity",
    "SourceError",
    "UsageError",
    "ValidationResult",
    "Verdict",
    "VerificationError",
    "__version__",
    "build",
    "build_fleet",
    "build_machine",
    "diff_drives",
    "extract_drive",
    "inject",
    "inject_jobs",
    "injection",
    "inspect_disk",
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
