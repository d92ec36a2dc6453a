"""Fleets: many machines, each with its own drive, built in parallel.

A fleet is a file that lists machines (paths of machine files, or machines
written inline; YAML anchors and `<<` merges give them shared defaults):

    machines:
      - web-1.yml
      - {name: web-2, hostname: web-2.example.com, user_data_file: user.yml}

or a folder whose *.yml / *.yaml / *.json files are machine files. Every machine
is validated and built on its own: one invalid machine is reported and the
others are still built. Building runs in worker processes, one per core.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from configdrive.errors import (
    ConfigDriveError,
    ExitCode,
    InvalidInputError,
    OutputError,
    describe_os_error,
)
from configdrive.inputs.machine_file import (
    MachineFile,
    load_machine_file,
    machine_from_document,
    read_document,
)
from configdrive.problems import Problem

MACHINE_FILE_SUFFIXES = (".yml", ".yaml", ".json")


@dataclass(frozen=True)
class FleetMachine:
    """One machine of a fleet: loaded, or the problems that stopped it loading."""

    name: str
    machine: MachineFile | None = None
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What happened to one machine: its drive, or why there is none."""

    name: str
    output: Path | None
    exit_code: int
    summary: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    # Why it failed; for a built drive, its warnings.
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.exit_code == ExitCode.OK

    def to_json(self) -> dict[str, Any]:
        """One line of `build-many --json`."""
        document: dict[str, Any] = {"machine": self.name, "ok": self.ok}
        if self.ok:
            return {**document, **self.summary}
        return {
            **document,
            "exit_code": self.exit_code,
            "output": str(self.output) if self.output else None,
            "message": self.message,
            "problems": [problem.to_json() for problem in self.problems],
        }


def load_fleet(path: str | os.PathLike[str]) -> list[FleetMachine]:
    """The machines of a fleet file or folder. A fleet file that cannot be read at all raises."""
    location = Path(path)
    if location.is_dir():
        files = sorted(
            item for item in location.iterdir() if item.suffix.lower() in MACHINE_FILE_SUFFIXES
        )
        if not files:
            raise InvalidInputError(
                [Problem(str(location), "the folder holds no machine files (*.yml, *.json)")]
            )
        return [_machine_from_path(item) for item in files]
    document = read_document(location, "fleet")
    entries = document.data.get("machines") if isinstance(document.data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InvalidInputError(
            [document.problem(("machines",), "a fleet file lists its machines under `machines:`")]
        )
    machines = []
    for index, entry in enumerate(entries):
        if isinstance(entry, str):
            machines.append(_machine_from_path(location.parent / entry))
        elif isinstance(entry, dict):
            default_name = f"{location.stem}-{index}"
            try:
                machine = machine_from_document(
                    document.embedded(("machines", index)), location.parent, default_name
                )
            except InvalidInputError as error:
                name = entry.get("name") if isinstance(entry.get("name"), str) else default_name
                machines.append(FleetMachine(str(name), problems=tuple(error.problems)))
            else:
                machines.append(FleetMachine(machine.name, machine))
        else:
            problem = document.problem(
                ("machines", index), "expected a machine file's path or a machine's keys"
            )
            machines.append(FleetMachine(f"{location.stem}-{index}", problems=(problem,)))
    return machines


def _machine_from_path(path: Path) -> FleetMachine:
    try:
        machine = load_machine_file(path)
    except InvalidInputError as error:
        return FleetMachine(path.stem, problems=tuple(error.problems))
    return FleetMachine(machine.name, machine)


def build_fleet(
    machines: Iterable[FleetMachine],
    out_dir: str | os.PathLike[str],
    *,
    jobs: int | None = None,
    force: bool = False,
    strict: bool = False,
    timestamp: int | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    durable: bool = True,
) -> list[Outcome]:
    """Build every machine's drive into `out_dir`, `jobs` at a time (default: one per core).

    `durable=False` skips the fsyncs, as for `build` (scratch space, tmpfs).

    Returns an Outcome per machine, in the fleet's order; `on_outcome` hears of each as
    it finishes. A machine's failure never stops the others.
    """
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(describe_os_error(error), str(folder)) from None
    planned = _plan(list(machines), folder)
    workers = jobs or os.cpu_count() or 1
    outcomes: dict[int, Outcome] = {}

    def finished(index: int, outcome: Outcome) -> None:
        outcomes[index] = outcome
        if on_outcome is not None:
            on_outcome(outcome)

    runnable = [(i, job) for i, job in enumerate(planned) if isinstance(job, _Job)]
    # Machines with `inject:` go into their disk images together, in one appliance launch.
    injected = [(i, job) for i, job in runnable if job.machine.inject_image is not None]
    runnable = [(i, job) for i, job in runnable if job.machine.inject_image is None]
    for index, job in enumerate(planned):
        if isinstance(job, Outcome):
            finished(index, job)
    if workers == 1 or len(runnable) <= 1:
        for index, job in runnable:
            finished(index, _build_one(job, force, strict, timestamp, durable))
    else:
        # The build code is imported once, here, and inherited by every forked worker:
        # otherwise each worker pays for the imports before its first drive.
        import configdrive.api  # noqa: F401

        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures: dict[Future[list[Outcome]], list[int]] = {
                pool.submit(
                    _build_batch, [job for _, job in batch], force, strict, timestamp, durable
                ): [index for index, _ in batch]
                for batch in _batches(runnable, workers)
            }
            for future in as_completed(futures):
                for index, outcome in zip(futures[future], future.result(), strict=True):
                    finished(index, outcome)
    if injected:
        for index, outcome in _inject_all(injected, force, strict):
            finished(index, outcome)
    return [outcomes[index] for index in range(len(planned))]


def fleet_exit_code(outcomes: Iterable[Outcome]) -> int:
    """0 when every drive was built; else the most serious failure's code."""
    codes = {outcome.exit_code for outcome in outcomes} - {ExitCode.OK}
    for code in (70, ExitCode.IO_FAILURE, ExitCode.USAGE, ExitCode.INVALID_INPUT):
        if code in codes:
            return int(code)
    return int(ExitCode.OK)


@dataclass(frozen=True)
class _Job:
    machine: MachineFile
    output: Path


def _plan(machines: list[FleetMachine], folder: Path) -> list[_Job | Outcome]:
    """A job per loadable machine; an Outcome for each that cannot be built at all."""
    plan: list[_Job | Outcome] = []
    taken: dict[Path, str] = {}
    root = folder.resolve()
    for entry in machines:
        if entry.machine is None:
            plan.append(Outcome(entry.name, None, ExitCode.INVALID_INPUT, problems=entry.problems))
            continue
        name = entry.machine.output_name()
        output = folder / name
        where = _resolved(root, name)
        if not where.is_relative_to(root):
            message = f"output {name!r} is outside the output folder"
            plan.append(Outcome(entry.name, output, ExitCode.INVALID_INPUT, message=message))
            continue
        other = taken.setdefault(where, entry.name)
        if other != entry.name:
            message = f"{other} writes {output} too; give one of them another name or output"
            plan.append(Outcome(entry.name, output, ExitCode.INVALID_INPUT, message=message))
            continue
        plan.append(_Job(entry.machine, output))
    return plan


def _inject_all(
    jobs: list[tuple[int, _Job]], force: bool, strict: bool
) -> list[tuple[int, Outcome]]:
    """Inject every `inject:` machine into a copy of its image, sharing one launch.

    A machine whose inputs or image are refused on the host is left out of the launch
    with its own outcome, so that one bad machine never stops the others.
    """
    from configdrive.api import inject_jobs, injection, validate_machine
    from configdrive.disks.inject import InjectResult, check_jobs

    results: list[tuple[int, Outcome]] = []
    ready: list[tuple[int, _Job, Any]] = []
    for index, job in jobs:
        machine = job.machine
        assert machine.inject_image is not None
        try:
            validate_machine(machine.spec, strict=strict)
            planned = injection(
                machine.inject_image,
                machine,
                output=job.output,
                oem_platform=machine.inject_oem_platform,
                force=force,
            )
            check_jobs([planned])
        except Exception as error:
            results.append((index, _failure(machine.name, job.output, error, rerun="inject")))
            continue
        ready.append((index, job, planned))
    if not ready:
        return results
    try:
        outcomes = inject_jobs([planned for _, _, planned in ready], strict=strict)
    except Exception as error:
        failed = [
            (index, _failure(job.machine.name, job.output, error, rerun="inject"))
            for index, job, _ in ready
        ]
        return results + failed
    for (index, job, _), outcome in zip(ready, outcomes, strict=True):
        if isinstance(outcome, InjectResult):
            done = Outcome(
                job.machine.name,
                job.output,
                ExitCode.OK,
                summary=outcome.to_json(),
                problems=outcome.warnings,
            )
            results.append((index, done))
        else:
            results.append(
                (index, _failure(job.machine.name, job.output, outcome.error, rerun="inject"))
            )
    return results


def _failure(name: str, output: Path, error: BaseException, *, rerun: str) -> Outcome:
    """One machine's failure as its Outcome; a bug says which command shows its traceback."""
    if isinstance(error, InvalidInputError):
        problems = tuple(error.problems)
        return Outcome(name, output, error.exit_code, message=str(error), problems=problems)
    if isinstance(error, ConfigDriveError):
        return Outcome(name, output, error.exit_code, message=str(error))
    if isinstance(error, OSError):
        return Outcome(name, output, ExitCode.IO_FAILURE, message=describe_os_error(error))
    message = f"internal error ({type(error).__name__}); rerun with `{rerun} --machine`"
    return Outcome(name, output, 70, message=message)


def _resolved(root: Path, name: str) -> Path:
    """Where `name` lands in the (resolved) output folder `root`.

    A plain file name is in the folder (a link there is replaced, never followed); only a
    name with folders in it is resolved, which costs a system call a component: two for
    each of a thousand machines took 80 ms before any drive was built.
    """
    if "/" not in name and name not in (".", ".."):
        return root / name
    return (root / name).resolve()


# Jobs go to the workers in batches of about this many: one job a task made the parent's
# pickling and the pool's bookkeeping the bottleneck once a drive took a few milliseconds,
# and small batches still keep both workers busy to the end and the progress bar moving.
_BATCH_TARGET = 16


def _batches(runnable: list[tuple[int, _Job]], workers: int) -> list[list[tuple[int, _Job]]]:
    """`runnable` cut into batches: at least four per worker, at most _BATCH_TARGET jobs each."""
    size = max(1, min(_BATCH_TARGET, len(runnable) // (workers * 4)))
    return [runnable[start : start + size] for start in range(0, len(runnable), size)]


def _build_batch(
    jobs: list[_Job], force: bool, strict: bool, timestamp: int | None, durable: bool
) -> list[Outcome]:
    """Build a batch of machines in one worker; each fails on its own."""
    return [_build_one(job, force, strict, timestamp, durable) for job in jobs]


def _build_one(
    job: _Job, force: bool, strict: bool, timestamp: int | None, durable: bool = True
) -> Outcome:
    """Build one machine (in a worker process); every failure becomes an Outcome."""
    from configdrive.api import build_machine

    name = job.machine.name
    try:
        result = build_machine(
            job.machine,
            job.output,
            force=force,
            strict=strict,
            timestamp=timestamp,
            durable=durable,
        )
    except Exception as error:
        return _failure(name, job.output, error, rerun="build")
    return Outcome(
        name, job.output, ExitCode.OK, summary=result.to_json(), problems=result.warnings
    )
