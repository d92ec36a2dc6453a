"""The public Python API: everything the CLI does, one call away.

    from configdrive import build
    result = build("user.yml", "drive.iso", hostname="web-1", ssh_keys=["~/.ssh/id_ed25519.pub"])
    print(result.uuid)

Inputs may be paths, bytes, or (for the JSON documents) already-parsed mappings. The
keywords of `build`, `machine_spec` and `validate_files` make one MachineInputs; callers
holding one pass it whole to `build_machine`, `validate_machine` or `validate_files`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import yaml

from configdrive.errors import InvalidInputError, UsageError, describe_os_error
from configdrive.formats.atomic import mode_warnings
from configdrive.formats.registry import check_pair, get_format
from configdrive.inputs.documents import Source, read_source
from configdrive.layouts.drive_layout import DriveLayout
from configdrive.layouts.openstack import layout_openstack
from configdrive.machine import (
    FileLike,
    FileSpec,
    InputLike,
    Machine,
    MachineInputs,
    MachineSpec,
    document_fields,
    document_label,
)

if TYPE_CHECKING:
    from configdrive.disks.inject import InjectFailed, InjectJob, InjectResult
    from configdrive.inputs.machine_file import MachineFile, MachineFileLike
    from configdrive.trial.run import TrialResult
from configdrive.formats import ProgressCallback
from configdrive.problems import Problem, Severity
from configdrive.validation.machine import assemble_machine
from configdrive.validation.user_data import Target

# A date well before any real drive and after 1980 (FAT's epoch), used when
# SOURCE_DATE_EPOCH is not set: timestamps then carry no information at all.
DEFAULT_EPOCH = 315_532_800  # 1980-01-01T00:00:00Z
DEFAULT_MODE = 0o600

# What goes on the drive (which reader it is for) and how it is packaged.
LAYOUTS = ("openstack", "nocloud")
# (The packagings, --format, are formats.registry.FORMATS.)


@dataclass(frozen=True)
class BuildResult:
    """What a build made: the summary the CLI prints, as data."""

    path: Path
    size: int
    label: str
    format: str
    uuid: str
    uuid_derived: bool
    hostname: str | None
    name: str | None
    keys: int
    files: int
    user_data: str | None
    warnings: tuple[Problem, ...] = field(default=())
    # Where the uuid came from: given, meta_data, name, hostname or contents (model.UUID_*),
    # and the same in words for the summary.
    uuid_source: str = ""
    uuid_note: str = ""
    # The instance-id cloud-init sees: the uuid, or a NoCloud seed's own instance-id.
    instance_id: str = ""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form for --json and for provisioning hooks."""
        return {
            "path": str(self.path),
            "size": self.size,
            "label": self.label,
            "format": self.format,
            "uuid": self.uuid,
            "uuid_derived": self.uuid_derived,
            "uuid_source": self.uuid_source,
            "uuid_note": self.uuid_note,
            "instance_id": self.instance_id or self.uuid,
            "hostname": self.hostname,
            "name": self.name,
            "keys": self.keys,
            "files": self.files,
            "user_data": self.user_data,
            "warnings": [warning.to_json() for warning in self.warnings],
        }


def source_date_epoch(environ: Mapping[str, str] | None = None) -> int:
    """The timestamp for every date on the drive: SOURCE_DATE_EPOCH, else a fixed date."""
    value = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return DEFAULT_EPOCH
    try:
        epoch = int(value)
    except ValueError:
        raise UsageError(f"SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds") from None
    # ISO9660 dates count years from 1900 in one byte; keep to what every reader can show.
    if not 0 <= epoch < 4_102_444_800:
        raise UsageError(f"SOURCE_DATE_EPOCH={value!r} is outside 1970 to 2099")
    return epoch


def machine_spec(
    user_data: InputLike | None = None,
    *,
    meta_data: InputLike | None = None,
    network_data: InputLike | None = None,
    vendor_data: InputLike | None = None,
    vendor_data2: InputLike | None = None,
    uuid: str | None = None,
    hostname: str | None = None,
    name: str | None = None,
    ssh_keys: Iterable[str] = (),
    files: Iterable[FileLike] = (),
    target: Target | str = Target.AUTO,
    stdin: BinaryIO | None = None,
) -> MachineSpec:
    """Gather the inputs of one machine; unreadable files become problems, reported later.

    `target` is the reader the user data is for: `auto`, `container-linux` (what
    coreos-cloudinit refuses or stops on is an error) or `cloud-init`.
    """
    inputs = machine_inputs(
        user_data,
        meta_data=meta_data,
        network_data=network_data,
        vendor_data=vendor_data,
        vendor_data2=vendor_data2,
        uuid=uuid,
        hostname=hostname,
        name=name,
        ssh_keys=ssh_keys,
        files=files,
        target=target,
    )
    return read_inputs(inputs, stdin=stdin)


def machine_inputs(
    user_data: InputLike | None = None,
    *,
    meta_data: InputLike | None = None,
    network_data: InputLike | None = None,
    vendor_data: InputLike | None = None,
    vendor_data2: InputLike | None = None,
    uuid: str | None = None,
    hostname: str | None = None,
    name: str | None = None,
    ssh_keys: Iterable[str] = (),
    files: Iterable[FileLike] = (),
    target: Target | str = Target.AUTO,
) -> MachineInputs[InputLike]:
    """One MachineInputs from the keywords `build`, `machine_spec` and `validate_files` take.

    Those keep their keyword signatures for callers; each turns them into a MachineInputs
    here, the only place the keywords are converted (SRC:DEST parsed, the target checked).
    """
    return MachineInputs(
        user_data=user_data,
        meta_data=meta_data,
        network_data=network_data,
        vendor_data=vendor_data,
        vendor_data2=vendor_data2,
        uuid=uuid,
        hostname=hostname,
        name=name,
        ssh_keys=tuple(ssh_keys),
        files=tuple(_file_spec(item) for item in files),
        target=parse_target(target),
    )


def read_inputs(inputs: MachineInputs[InputLike], *, stdin: BinaryIO | None = None) -> MachineSpec:
    """Read every document `inputs` names; an unreadable one becomes a problem, reported later.

    A MachineSpec (documents already read, a machine file's) is returned as it is.
    """
    if isinstance(inputs, MachineSpec):
        return inputs
    read_problems: list[Problem] = []

    def gather(value: InputLike | None, label: str) -> Source | None:
        if value is None:
            return None
        try:
            return as_source(value, label, stdin=stdin)
        except OSError as error:
            shown = "<stdin>" if str(value) == "-" else str(value)
            read_problems.append(Problem(shown, f"cannot read {label}: {describe_os_error(error)}"))
            return None
        except (TypeError, ValueError, yaml.YAMLError) as error:
            # A mapping holding what JSON or YAML cannot carry (bytes, a custom object).
            # json names the type only; PyYAML's message would show the value itself.
            reason = str(error) if isinstance(error, TypeError) else "a value it cannot hold"
            message = f"cannot be written as a document: {reason}"
            read_problems.append(Problem(f"<{label}>", message))
            return None

    given = {each.name: getattr(inputs, each.name) for each in fields(MachineInputs)}
    # In field order: an unreadable user data is reported before an unreadable meta data.
    read = {key: gather(given[key], document_label(key)) for key in document_fields()}
    return MachineSpec(**{**given, **read}, read_problems=tuple(read_problems))


def parse_target(value: Target | str) -> Target:
    """A Target from its name, or a UsageError naming the choices."""
    try:
        return Target(value)
    except ValueError:
        choices = ", ".join(member.value for member in Target)
        raise UsageError(f"target {value!r} is not one of {choices}") from None


def as_source(value: InputLike, label: str, *, stdin: BinaryIO | None = None) -> Source:
    """Turn a path, bytes, mapping or Source into a Source (reading files; `-` is stdin)."""
    if isinstance(value, Source):
        return value
    if isinstance(value, bytes):
        return Source(f"<{label}>", value)
    if isinstance(value, Mapping):
        if label == "user data":
            text = "#cloud-config\n" + yaml.safe_dump(dict(value), sort_keys=False)
            return Source(f"<{label}>", text.encode())
        return Source(f"<{label}>", json.dumps(value).encode())
    return read_source(value, stdin=stdin)


def _file_spec(item: FileLike) -> FileSpec:
    if isinstance(item, FileSpec):
        return item
    if isinstance(item, tuple):
        return FileSpec(str(item[0]), item[1])
    return FileSpec.parse(item)


def validate_machine(
    spec: MachineSpec | MachineInputs[InputLike], *, strict: bool = False, layout: str = "openstack"
) -> Machine:
    """Validate one machine's inputs for `layout`; raise InvalidInputError with every problem.

    `spec` is read first when it names its documents (MachineInputs) rather than holding them.
    """
    return assemble_machine(read_inputs(spec), strict=strict, layout=layout)


def layout_drive(machine: Machine, layout: str = "openstack") -> DriveLayout:
    """The files a drive holds for `machine`, as a map of paths to contents.

    `openstack` is the config-2 layout Nova writes; `nocloud` is cloud-init's NoCloud seed.
    """
    check_combination(layout, "iso")
    if layout == "nocloud":
        from configdrive.layouts.nocloud import layout_nocloud

        return layout_nocloud(machine)
    return layout_openstack(machine)


def check_combination(layout: str, format: str) -> None:
    """Refuse layouts, formats and pairs of them that no reader would use."""
    if layout not in LAYOUTS:
        raise UsageError(f"unknown layout {layout!r}; choose from {', '.join(LAYOUTS)}")
    check_pair(layout, format)


def format_problems(machine: Machine, format: str) -> tuple[Problem, ...]:
    """What the chosen file system cannot carry: refused before anything is written."""
    return get_format(format).problems(machine)


def format_warnings(layout: str, format: str) -> tuple[Problem, ...]:
    """What a reader will make of this packaging that the user should hear before booting."""
    return get_format(format).warnings(layout)


def build(
    user_data: InputLike | None,
    output: str | os.PathLike[str],
    *,
    meta_data: InputLike | None = None,
    network_data: InputLike | None = None,
    vendor_data: InputLike | None = None,
    vendor_data2: InputLike | None = None,
    uuid: str | None = None,
    hostname: str | None = None,
    name: str | None = None,
    ssh_keys: Iterable[str] = (),
    files: Iterable[FileLike] = (),
    target: Target | str = Target.AUTO,
    layout: str = "openstack",
    format: str = "iso",
    strict: bool = False,
    force: bool = False,
    mode: int = DEFAULT_MODE,
    timestamp: int | None = None,
    stdin: BinaryIO | None = None,
    progress: ProgressCallback | None = None,
    durable: bool = True,
) -> BuildResult:
    """Validate the inputs and write a drive to `output`, atomically.

    `target` is the reader the user data is for (see `machine_spec`).
    `layout` is `openstack` (config-2) or `nocloud` (cidata); `format` is `iso`, `vfat`,
    `dir` (a folder) or `ironic` (base64 of the gzipped ISO, for Ironic's API).
    Raises InvalidInputError (every problem at once) before anything is written,
    OutputError when the drive cannot be written, UsageError for bad arguments.
    `durable=False` skips the fsyncs that make the drive survive a crash (about a
    millisecond a drive): for scratch space, tmpfs, or a harness that syncs once itself.
    """
    check_combination(layout, format)
    epoch = source_date_epoch() if timestamp is None else timestamp
    inputs = machine_inputs(
        user_data,
        meta_data=meta_data,
        network_data=network_data,
        vendor_data=vendor_data,
        vendor_data2=vendor_data2,
        uuid=uuid,
        hostname=hostname,
        name=name,
        ssh_keys=ssh_keys,
        files=files,
        target=target,
    )
    return build_machine(
        inputs, output, layout=layout, format=format, strict=strict, force=force, mode=mode,
        timestamp=epoch, stdin=stdin, progress=progress, durable=durable,
    )  # fmt: skip


def build_spec(
    spec: MachineSpec,
    target: Path,
    *,
    layout: str,
    format: str,
    strict: bool,
    force: bool,
    mode: int,
    timestamp: int,
    progress: ProgressCallback | None,
    durable: bool = True,
) -> BuildResult:
    """Validate gathered inputs for `layout` and write them in `format`: build's second half."""
    machine, warnings = check_build(spec, layout=layout, format=format, strict=strict, mode=mode)
    return write_drive(
        machine,
        layout_drive(machine, layout),
        target,
        format=format,
        force=force,
        mode=mode,
        timestamp=timestamp,
        progress=progress,
        warnings=warnings,
        durable=durable,
    )


def check_build(
    spec: MachineSpec, *, layout: str, format: str, strict: bool, mode: int = DEFAULT_MODE
) -> tuple[Machine, tuple[Problem, ...]]:
    """Everything a build checks before it writes (a dry run): the machine, and the warnings
    its packaging adds to the machine's own; InvalidInputError when the build would refuse."""
    machine = validate_machine(spec, strict=strict, layout=layout)
    warnings = (*format_warnings(layout, format), *mode_warnings(mode))
    refused = format_problems(machine, format)
    if refused or (strict and warnings):
        # --strict: the warnings are errors (else the summary would count "0 errors").
        shown = [problem.as_error() for problem in warnings] if strict else warnings
        raise InvalidInputError([*machine.warnings, *shown, *refused])
    return machine, warnings


def write_drive(
    machine: Machine,
    layout: DriveLayout,
    target: Path,
    *,
    format: str = "iso",
    force: bool = False,
    mode: int = DEFAULT_MODE,
    timestamp: int = DEFAULT_EPOCH,
    progress: ProgressCallback | None = None,
    warnings: tuple[Problem, ...] = (),
    durable: bool = True,
) -> BuildResult:
    """Write an already validated machine's layout at `target` in `format`, atomically."""
    chosen = get_format(format)
    # The target is looked at (never followed or read) before the old drive is read for the
    # warning below: a FIFO, a device or a link there is refused, not opened.
    chosen.check_target(target, force=force)
    # Read before the old drive is replaced: the warning needs what it said.
    replaced = replaced_instance_warnings(target, layout_instance_id(machine, layout), force=force)
    size = chosen.write(
        layout,
        target,
        force=force,
        mode=mode,
        timestamp=timestamp,
        progress=progress,
        durable=durable,
    )
    info = machine.user_data_info
    source = machine.uuid_source
    return BuildResult(
        path=target,
        size=size,
        label=layout.label,
        format=chosen.reported_as,
        uuid=machine.uuid,
        uuid_derived=machine.uuid_derived,
        hostname=machine.hostname,
        name=machine.name,
        keys=count_keys(machine),
        files=len(machine.files),
        user_data=info.description if info else None,
        warnings=(*machine.warnings, *warnings, *replaced),
        uuid_source=source.kind if source else "",
        uuid_note=source.note if source else "",
        instance_id=layout_instance_id(machine, layout),
    )


def replaced_instance_warnings(target: Path, new: str, *, force: bool) -> tuple[Problem, ...]:
    """A warning when `--force` replaces a drive whose instance-id is not `new`.

    The old drive is read with the read side (`diff`'s reader). Anything it cannot read
    (not a drive, damaged, unreadable) gives no warning: it must never fail the build.
    """
    if not force or not (target.exists() or target.is_symlink()):
        return ()
    from configdrive.drives.diff import drive_instance_id, folder_instance_id
    from configdrive.drives.drive import open_drive

    try:
        if target.is_dir():
            old = folder_instance_id(target)
        else:
            with open_drive(target) as drive:
                old = drive_instance_id(drive)
    except Exception:  # whatever the old file is, the build goes on
        return ()
    if old is None or old == new:
        return ()
    return (
        Problem(
            str(target),
            f"replaces a drive whose instance-id is {old!r} with one whose instance-id is "
            f"{new!r}: cloud-init will treat the VM as a new instance and run first boot "
            "again (new SSH host keys, users and first-boot scripts applied again)",
            severity=Severity.WARNING,
        ),
    )


def layout_instance_id(machine: Machine, layout: DriveLayout) -> str:
    """The instance-id cloud-init reads from this layout: NoCloud's own, else the uuid."""
    # layout_nocloud.NOCLOUD_LABEL, spelled out: importing it imports the network converter.
    return machine.instance_id if layout.label == "cidata" else machine.uuid


def count_keys(machine: Machine) -> int:
    """The distinct SSH keys the VM gets: the meta data's and the cloud-config's."""
    info = machine.user_data_info
    found = {_key_identity(line) for line in machine.public_keys.values()}
    found |= {_key_identity(line) for line in (info.ssh_keys if info else ())}
    return len(found)


def _key_identity(line: str) -> tuple[str, ...]:
    # Type and blob: the comment does not make another key.
    return tuple(line.split()[:2])


def build_machine(
    machine: MachineInputs[InputLike] | MachineFileLike,
    output: str | os.PathLike[str],
    *,
    layout: str | None = None,
    format: str | None = None,
    strict: bool = False,
    force: bool = False,
    mode: int = DEFAULT_MODE,
    timestamp: int | None = None,
    stdin: BinaryIO | None = None,
    progress: ProgressCallback | None = None,
    durable: bool = True,
) -> BuildResult:
    """Build the drive a machine describes: its MachineInputs, or its machine file (a path, a
    mapping of its keys, or a MachineFile).

    `layout` and `format` override the machine file's own (a MachineInputs has none: config-2,
    ISO unless given). Paths inside a mapping are relative to the current folder. `stdin` is
    read for a document named `-`. `durable` as for `build`.
    """
    if isinstance(machine, MachineInputs):
        chosen_layout, chosen_format = layout or "openstack", format or "iso"
        check_combination(chosen_layout, chosen_format)
        epoch = source_date_epoch() if timestamp is None else timestamp
        spec = read_inputs(machine, stdin=stdin)
    else:
        described = as_machine_file(machine)
        chosen_layout = layout or described.layout
        chosen_format = format or described.format
        check_combination(chosen_layout, chosen_format)
        epoch = source_date_epoch() if timestamp is None else timestamp
        spec = described.spec
    return build_spec(
        spec,
        Path(output),
        layout=chosen_layout,
        format=chosen_format,
        strict=strict,
        force=force,
        mode=mode,
        timestamp=epoch,
        progress=progress,
        durable=durable,
    )


def as_machine_file(machine: MachineFileLike) -> MachineFile:
    """A machine file as build_machine and validate take it: loaded from a path, made from a
    mapping of its keys (paths relative to the current folder), or as it is."""
    from configdrive.inputs.machine_file import MachineFile, load_machine_file, machine_from_dict

    if isinstance(machine, MachineFile):
        return machine
    if isinstance(machine, Mapping):
        return machine_from_dict(machine)
    return load_machine_file(machine)


def inject(
    image: str | os.PathLike[str],
    user_data: InputLike | None = None,
    *,
    output: str | os.PathLike[str] | None = None,
    in_place: bool = False,
    meta_data: InputLike | None = None,
    network_data: InputLike | None = None,
    vendor_data: InputLike | None = None,
    vendor_data2: InputLike | None = None,
    uuid: str | None = None,
    hostname: str | None = None,
    name: str | None = None,
    ssh_keys: Iterable[str] = (),
    files: Iterable[FileLike] = (),
    target: Target | str = Target.AUTO,
    oem: Mapping[str, bytes] | None = None,
    oem_platform: str | None = None,
    strict: bool = False,
    force: bool = False,
    events: Callable[[str], None] | None = None,
) -> InjectResult:
    """Validate the inputs and write them into the disk image `image`, as its OS reads them.

    Flatcar and Container Linux get the cloud-config at the installer's place on ROOT or
    the Ignition config as config.ign on OEM; a cloud-init image gets a NoCloud seed in
    /var/lib/cloud/seed/nocloud/. `oem_platform` (or `oem`, a kit's files by path) puts
    the Flatcar OEM kit (`mkconfigdrive oem`) onto the OEM partition as well.
    The result goes to a copy at `output`, or into `image` itself with `in_place`. Needs
    libguestfs (Debian's python3-guestfs); see `inject_jobs` for many images at once.
    Raises InvalidInputError, ImageError, UsageError, OutputError or ApplianceError.
    """
    inputs = machine_inputs(
        user_data,
        meta_data=meta_data,
        network_data=network_data,
        vendor_data=vendor_data,
        vendor_data2=vendor_data2,
        uuid=uuid,
        hostname=hostname,
        name=name,
        ssh_keys=ssh_keys,
        files=files,
        target=target,
    )
    job = injection(
        image, inputs, output=output, in_place=in_place, oem=oem, oem_platform=oem_platform,
        force=force,
    )  # fmt: skip
    from configdrive.disks.inject import InjectResult

    (outcome,) = inject_jobs([job], strict=strict, events=events)
    if not isinstance(outcome, InjectResult):
        raise outcome.error
    return outcome


def injection(
    image: str | os.PathLike[str],
    machine: MachineInputs[InputLike] | MachineFileLike | None,
    *,
    output: str | os.PathLike[str] | None = None,
    in_place: bool = False,
    oem: Mapping[str, bytes] | None = None,
    oem_platform: str | None = None,
    force: bool = False,
    stdin: BinaryIO | None = None,
) -> InjectJob:
    """One image's job for `inject_jobs`: its machine (MachineInputs, a machine file, or None
    for the OEM kit alone), where the result goes, and the OEM kit for the OEM partition:
    a tree of your own (`oem`, relative path to bytes) or a platform's (`oem_platform`)."""
    from configdrive.disks.inject import InjectJob

    if oem_platform is not None:
        if oem is not None:
            raise UsageError("give an OEM kit (oem) or a platform (oem_platform), not both")
        from configdrive.distro.oem_kit import oem_tree

        oem = oem_tree(oem_platform)

    if (output is None) == (not in_place):
        raise UsageError("give -o OUT (a copy of the image) or --in-place, one of them")
    spec: MachineSpec | None = None
    if isinstance(machine, MachineInputs):
        if machine.any_given():
            spec = read_inputs(machine, stdin=stdin)
    elif machine is not None:
        spec = as_machine_file(machine).spec
    return InjectJob(
        image=Path(image),
        output=None if output is None else Path(output),
        spec=spec,
        oem_tree=oem,
        force=force,
    )


def inject_jobs(
    jobs: Iterable[InjectJob],
    *,
    strict: bool = False,
    events: Callable[[str], None] | None = None,
    progress: ProgressCallback | None = None,
) -> list[InjectResult | InjectFailed]:
    """Inject several images with one libguestfs launch; each outcome is its result or the
    error that stopped it once writing had begun (nothing is written when any input or
    image is refused: that raises, for all of them at once)."""
    from configdrive.disks.inject import inject_images

    return inject_images(list(jobs), strict=strict, events=events, progress=progress)


def try_drive(
    drive: str | os.PathLike[str],
    image: str | os.PathLike[str],
    *,
    timeout: float = 1800.0,
    direct_kernel: bool = False,
    metadata_service: str | None = None,
    events: Callable[[str], None] | None = None,
) -> TrialResult:
    """Boot the cloud image `image` with `drive` attached and compare what cloud-init applied
    with what the drive asks for (`mkconfigdrive try`). `image` is never modified: the guest
    writes to a temporary qcow2 overlay. KVM when usable, else software emulation; needs
    qemu-system-x86 and libguestfs. The result's `ok` says whether everything was applied.
    With `metadata_service` ("127.0.0.1:8775", "[::1]:8775"; loopback only) the drive is not
    attached: the guest, as an OpenStack Nova machine, gets the machine from that service
    (e.g. `mkconfigdrive serve`), and `drive` says what it must deliver.
    Raises InvalidInputError, ImageError, UsageError or ApplianceError.
    """
    from configdrive.trial.run import try_drive as run_trial

    return run_trial(
        drive,
        image,
        timeout=timeout,
        direct_kernel=direct_kernel,
        metadata_service=metadata_service,
        events=events,
    )
