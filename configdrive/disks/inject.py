"""Inject a machine's validated configuration into disk images: one appliance for all.

The order is what keeps a bad run from changing anything:

1. every image is looked at on the host (partition table, not held open for writing by
   another process, writable when it is to change in place) and every machine's inputs
   are validated, before the appliance starts;
2. outputs (`-o`) are sparse copies under temporary names beside their final names;
3. one appliance is launched with every image attached; each image's OS is found from
   its labels and files, and what goes where is planned for all of them; any error in
   any plan stops the run with nothing written;
4. each image is written partition by partition (all files of a partition or none), read
   back, and only then does its copy take its final name.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from configdrive.disks.appliance import (
    Appliance,
    AttachedImage,
    FoundDisk,
    FoundPartition,
    Probe,
    WrittenFile,
)
from configdrive.disks.busy import open_for_writing
from configdrive.disks.copy import free_space_check, space_needed, sparse_copy
from configdrive.disks.partition_table import DiskLayout, read_disk_layout
from configdrive.disks.targets import (
    DetectedSystem,
    NoSystemFound,
    PartitionWrite,
    System,
    container_linux_files,
    container_linux_spec,
    detect_system,
    merge_writes,
    not_carried,
    oem_writes,
    probe_disk,
    seed_writes,
)
from configdrive.errors import (
    ApplianceError,
    ConfigDriveError,
    ExitCode,
    ImageError,
    InvalidInputError,
    OutputError,
    UsageError,
    describe_os_error,
)
from configdrive.formats.atomic import atomic_path, check_output, check_output_folder
from configdrive.machine import MachineSpec
from configdrive.problems import Problem, Severity

Events = Callable[[str], None]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class InjectJob:
    """One image to configure: where it is, where the result goes, and with what."""

    image: Path
    output: Path | None  # None: change `image` itself (--in-place)
    spec: MachineSpec | None  # the machine's inputs; None when only the OEM kit is injected
    oem_tree: Mapping[str, bytes] | None = None  # relative path -> bytes, onto OEM
    force: bool = False

    @property
    def in_place(self) -> bool:
        return self.output is None


@dataclass(frozen=True)
class InjectedFile:
    """A file inject wrote, as the appliance read it back."""

    partition: str  # how the partition is shown: `ROOT (partition 9, ext4)`
    role: str
    path: str
    size: int
    sha256: str
    mode: int
    replaced: bool


@dataclass(frozen=True)
class InjectResult:
    """What inject did to one image: the summary the CLI prints, as data."""

    image: Path
    output: Path
    in_place: bool
    format: str
    system: str
    system_name: str
    evidence: tuple[str, ...]
    written: tuple[InjectedFile, ...]
    removed: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = field(default=())
    first_boot: str | None = None
    accelerator: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "image": str(self.image),
            "output": str(self.output),
            "in_place": self.in_place,
            "format": self.format,
            "system": self.system,
            "system_name": self.system_name,
            "found": list(self.evidence),
            "first_boot_flag": self.first_boot,
            "written": [
                {
                    "partition": each.partition,
                    "role": each.role,
                    "path": each.path,
                    "size": each.size,
                    "sha256": each.sha256,
                    "mode": f"{each.mode:04o}",
                    "replaced": each.replaced,
                }
                for each in self.written
            ],
            "removed": list(self.removed),
            "warnings": [problem.to_json() for problem in self.warnings],
            "appliance": self.accelerator,
        }


class InjectFailed(ConfigDriveError):
    """One image of a run failed; the others went on. Carries the image and the reason."""

    def __init__(self, image: Path, error: ConfigDriveError) -> None:
        self.image = image
        self.error = error
        self.exit_code = error.exit_code
        self.problems: tuple[Problem, ...] = (
            tuple(error.problems) if isinstance(error, InvalidInputError) else ()
        )
        super().__init__(f"{image}: {error}")


Outcome = InjectResult | InjectFailed


@dataclass
class _Prepared:
    job: InjectJob
    layout: DiskLayout
    attached: Path | None = None  # the copy (or the image itself) the appliance writes
    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    system: DetectedSystem | None = None
    writes: tuple[PartitionWrite, ...] = ()
    warnings: tuple[Problem, ...] = ()
    unknown_system: str = ""  # why no OS inject knows was found


def check_jobs(jobs: Sequence[InjectJob]) -> list[DiskLayout]:
    """Everything that can be refused on the host, for every image at once (no appliance)."""
    layouts: list[DiskLayout] = []
    refused: list[ConfigDriveError] = []
    outputs: dict[Path, Path] = {}
    for job in jobs:
        try:
            layouts.append(_check_job(job, outputs))
        except UsageError:
            raise
        except ConfigDriveError as error:
            refused.append(error)
    if len(refused) == 1:
        raise refused[0]
    if refused:
        worst = max(error.exit_code for error in refused)
        raise ImageError("\n".join(str(error) for error in refused), exit_code=worst)
    return layouts


def _check_job(job: InjectJob, outputs: dict[Path, Path]) -> DiskLayout:
    image = job.image
    if job.output is not None:
        output = job.output
        if _same_file(image, output):
            raise UsageError(f"{output} is the image itself: give --in-place to change it there")
        claimed = outputs.get(output.absolute())
        if claimed is not None:
            raise UsageError(f"{output}: both {claimed} and {image} would be written there")
        outputs[output.absolute()] = image
        check_output_folder(output)
        check_output(output, force=job.force)
    layout = read_disk_layout(image)
    holders = open_for_writing(image)
    if holders:
        who = ", ".join(f"process {holder.pid} ({holder.command})" for holder in holders[:3])
        raise ImageError(
            f"{image}: in use: {who} has it open for writing; stop it first (a running VM's "
            "disk changes under any edit)",
            exit_code=ExitCode.IO_FAILURE,
        )
    if job.in_place:
        info = image.stat()
        if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(
            image, os.W_OK
        ):
            raise ImageError(
                f"{image}: the image is read-only (mode {stat.S_IMODE(info.st_mode):04o}); "
                "give -o OUT to write a copy instead",
                exit_code=ExitCode.IO_FAILURE,
            )
    return layout


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.samefile(second)
    except OSError:
        return first.absolute() == second.absolute()


def inject_images(
    jobs: Sequence[InjectJob],
    *,
    strict: bool = False,
    events: Events | None = None,
    progress: Progress | None = None,
) -> list[Outcome]:
    """Inject every job's configuration, sharing one appliance launch; see the module doc.

    Raises UsageError, ImageError (an image refused on the host), InvalidInputError (every
    problem of every machine's inputs) or ApplianceError before anything is written. Once
    the OS on each image is known, each image succeeds or fails on its own: its outcome is
    its InjectResult or an InjectFailed (its copy removed; an image changed in place keeps
    every file it had when its plan was refused or a partition's write failed).
    """
    say = events or (lambda _text: None)
    tick = progress or (lambda _done, _total: None)
    layouts = check_jobs(jobs)
    _validate_inputs(jobs, strict=strict)
    prepared = [_Prepared(job, layout) for job, layout in zip(jobs, layouts, strict=True)]
    total = len(prepared) * 2 + 1
    try:
        for number, item in enumerate(prepared, 1):
            item.attached = _attach_target(item, say, number, len(prepared))
        attached = [
            AttachedImage(item.attached, item.layout.format, writable=True)
            for item in prepared
            if item.attached is not None
        ]
        outcomes: list[Outcome] = []
        with Appliance(attached, events=say) as appliance:
            tick(1, total)
            disks = appliance.survey()
            for number, (item, disk) in enumerate(zip(prepared, disks, strict=True), 1):
                _plan(item, disk, appliance, strict=strict)
                tick(1 + number, total)
            for number, item in enumerate(prepared, 1):
                refused = _refusal(item)
                if refused is not None:
                    outcomes.append(refused)  # nothing is written onto this image
                else:
                    say(f"writing {item.job.image} ({number}/{len(prepared)})")
                    outcomes.append(_write(item, appliance))
                tick(1 + len(prepared) + number, total)
    except BaseException as error:
        for item in prepared:
            _discard(item, error)  # every copy is removed; an in-place image was not written
        raise
    # The appliance has shut down: the images are flushed. Copies take their names now.
    return [_finish(item, outcome) for item, outcome in zip(prepared, outcomes, strict=True)]


def _discard(item: _Prepared, error: BaseException) -> None:
    # Leaving atomic_path's block with an exception removes the copy instead of naming it.
    with contextlib.suppress(BaseException):
        item.stack.__exit__(type(error), error, error.__traceback__)


def _validate_inputs(jobs: Sequence[InjectJob], *, strict: bool) -> None:
    """Each machine's inputs, checked before any launch, as `validate` checks them.

    Which layout an image takes (the installer's user_data or a NoCloud seed) is known only
    once its OS is; so here a problem stops the run when both layouts would refuse it (a
    typo, a bad key), and one only a layout refuses waits for the image's own plan.
    """
    from configdrive.api import validate_machine

    problems: list[Problem] = []
    seen: set[int] = set()
    for job in jobs:
        if job.spec is None and job.oem_tree is None:
            raise UsageError(f"{job.image}: nothing to inject: give user data or --oem-platform")
        if job.spec is None or id(job.spec) in seen:
            continue
        seen.add(id(job.spec))
        refused: list[list[Problem]] = []
        for layout in ("openstack", "nocloud"):
            try:
                validate_machine(job.spec, strict=strict, layout=layout)
            except InvalidInputError as error:
                refused.append(list(error.problems))
            else:
                refused.append([])
        either = {_key(problem) for problem in refused[1]}
        problems += [problem for problem in refused[0] if _key(problem) in either]
    if problems:
        raise InvalidInputError(problems)


def _key(problem: Problem) -> tuple[object, ...]:
    return (problem.file, problem.line, problem.column, problem.message, problem.severity)


def _attach_target(item: _Prepared, say: Events, number: int, count: int) -> Path:
    job = item.job
    if job.output is None:
        return job.image
    mode = stat.S_IMODE(job.image.stat().st_mode)
    free_space_check(job.output.parent, space_needed(job.image))
    copy = item.stack.enter_context(atomic_path(job.output, force=job.force, mode=mode))
    say(f"copying {job.image} to {job.output} ({number}/{count})")
    try:
        sparse_copy(job.image, copy)
    except OSError as error:
        raise OutputError(describe_os_error(error), str(job.output)) from None
    return copy


def _plan(item: _Prepared, disk: FoundDisk, appliance: Appliance, *, strict: bool) -> None:
    probes = probe_disk(appliance, disk)
    job = item.job
    try:
        system = detect_system(disk, probes)
    except NoSystemFound as error:
        item.unknown_system = str(error)
        return
    item.system = system
    problems: list[Problem] = []
    writes: list[PartitionWrite] = []
    if system.system is System.CLOUD_INIT:
        if job.oem_tree is not None:
            problems.append(
                Problem(str(job.image), f"{system.name} has no OEM partition for the OEM kit")
            )
        if job.spec is not None:
            problems += _cloud_init_plan(item, system, probes, writes, strict=strict)
    else:
        if job.spec is not None:
            problems += _container_linux_plan(item, system, writes, strict=strict)
        if job.oem_tree is not None:
            if system.oem is None:
                problems.append(
                    Problem(str(job.image), f"{system.name} here has no partition labelled OEM")
                )
            writes += oem_writes(system, job.oem_tree)
    item.writes = merge_writes(writes)
    item.warnings = tuple(problems)


def _cloud_init_plan(
    item: _Prepared,
    system: DetectedSystem,
    probes: Mapping[str, Probe],
    writes: list[PartitionWrite],
    *,
    strict: bool,
) -> list[Problem]:
    from configdrive.api import check_build, layout_drive
    from configdrive.validation.user_data import Target

    spec = item.job.spec
    assert spec is not None
    if spec.target is Target.CONTAINER_LINUX:
        return [
            Problem(
                "--target",
                f"the user data is for Container Linux, and {item.job.image} holds "
                f"{system.name} with cloud-init",
            )
        ]
    try:
        machine, warnings = check_build(spec, layout="nocloud", format="dir", strict=strict)
    except InvalidInputError as error:
        return list(error.problems)
    seed: dict[str, bytes] = {}
    for name, content in layout_drive(machine, "nocloud").files.items():
        if not isinstance(content, bytes):  # a NoCloud seed has no injected files
            raise AssertionError(f"{name}: a NoCloud seed holds only documents")
        seed[name] = content
    writes.append(seed_writes(system, seed, probes.get(system.root.device)))
    return [*machine.warnings, *warnings]


def _container_linux_plan(
    item: _Prepared, system: DetectedSystem, writes: list[PartitionWrite], *, strict: bool
) -> list[Problem]:
    from configdrive.api import check_build
    from configdrive.validation.user_data import Target

    spec = item.job.spec
    assert spec is not None
    if spec.target is Target.CLOUD_INIT:
        return [
            Problem(
                "--target",
                f"the user data is for cloud-init, and {item.job.image} holds {system.name}, "
                "which reads it with coreos-cloudinit or Ignition",
            )
        ]
    problems = not_carried(spec, system)
    if spec.user_data is None:
        return [*problems, Problem("user data", f"{system.name} needs user data to inject")]
    try:
        machine, warnings = check_build(
            container_linux_spec(spec), layout="openstack", format="dir", strict=strict
        )
    except InvalidInputError as error:
        return [*problems, *error.problems]
    found, more = container_linux_files(machine, system)
    writes += found
    return [*problems, *more, *machine.warnings, *warnings]


def _refusal(item: _Prepared) -> InjectFailed | None:
    """The image's failure when its plan holds an error: then nothing is written onto it."""
    if item.unknown_system:
        return InjectFailed(item.job.image, ImageError(item.unknown_system))
    if any(problem.severity is Severity.ERROR for problem in item.warnings):
        return InjectFailed(item.job.image, InvalidInputError(item.warnings))
    return None


def _write(item: _Prepared, appliance: Appliance) -> Outcome:
    assert item.system is not None
    written: list[InjectedFile] = []
    removed: list[str] = []
    try:
        for write in item.writes:
            files, gone = appliance.write(write.partition, write.files, write.remove)
            written += [_reported(write.partition, write.role, each) for each in files]
            removed += gone
            expected = {each.path: each.data for each in write.files}
            _check_read_back(item.job.image, expected, files)
    except ApplianceError as error:
        return InjectFailed(item.job.image, _write_failure(item, error))
    system = item.system
    return InjectResult(
        image=item.job.image,
        output=item.job.output or item.job.image,
        in_place=item.job.in_place,
        format=item.layout.format,
        system=system.system.value,
        system_name=system.name,
        evidence=system.evidence,
        written=tuple(written),
        removed=tuple(removed),
        warnings=tuple(item.warnings),
        first_boot=system.first_boot,
        accelerator=appliance.accelerator,
    )


def _reported(partition: FoundPartition, role: str, each: WrittenFile) -> InjectedFile:
    return InjectedFile(
        partition=partition.shown,
        role=role,
        path=each.path,
        size=each.size,
        sha256=each.sha256,
        mode=each.mode,
        replaced=each.replaced,
    )


def _check_read_back(
    image: Path, expected: Mapping[str, bytes], files: Sequence[WrittenFile]
) -> None:
    import hashlib

    for each in files:
        want = hashlib.sha256(expected[each.path]).hexdigest()
        if each.sha256 != want or each.size != len(expected[each.path]):
            raise ApplianceError(f"{image}: {each.path} read back differs from what was written")


def _write_failure(item: _Prepared, error: ApplianceError) -> ConfigDriveError:
    if error.kind == "no-space":
        where = ", ".join(write.partition.shown for write in item.writes)
        return OutputError(f"no space left on {where} ({error}); nothing was written to it")
    if error.kind == "read-only":
        return OutputError(f"a file system on it is read-only ({error}); nothing was written")
    return error


def _finish(item: _Prepared, outcome: Outcome) -> Outcome:
    if isinstance(outcome, InjectFailed):
        _discard(item, outcome)
        return outcome
    try:
        # Leaving the copy's context syncs it and gives it its final name.
        item.stack.close()
    except ConfigDriveError as error:
        return InjectFailed(item.job.image, error)
    return outcome
