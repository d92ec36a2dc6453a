"""Stage 2 of the pipeline: validate every input, then assemble the Machine.

Nothing is written before this stage has passed: all problems of all inputs are
collected, and only when none is an error (or, with `strict`, a warning) does a
Machine come out.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import posixpath
import sys
import unicodedata
import uuid as uuidlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from configdrive.errors import InvalidInputError, describe_os_error
from configdrive.inputs.documents import (
    SMALL_FILE_SIZE,
    Document,
    EmbeddedSource,
    Source,
    UnreportedBudget,
    check_json_compatible,
    document_size_problem,
    parse_document,
    printable,
    read_small_file,
    read_source,
    regular_file,
)
from configdrive.inputs.kinds import InputKind, misplaced
from configdrive.machine import (
    UUID_FROM_CONTENTS,
    UUID_FROM_HOSTNAME,
    UUID_FROM_META_DATA,
    UUID_FROM_NAME,
    UUID_GIVEN,
    FileSpec,
    InjectedFile,
    Machine,
    MachineSpec,
    UuidSource,
)
from configdrive.problems import DocPath, Problem, Severity, errors_in, sorted_problems
from configdrive.validation import checks
from configdrive.validation.json_schemas import META_DATA, NETWORK_DATA, schema_problems
from configdrive.validation.nocloud_meta import (
    NOCLOUD_IDENTITY_KEYS,
    NoCloudMeta,
    nocloud_meta_keys,
)
from configdrive.validation.ssh_keys import KEY_TYPES, key_comment, public_key_problem
from configdrive.validation.user_data import Target, UserDataInfo, inspect_user_data

# Derived UUIDs are version 5 in this namespace, so they never collide with random ones.
UUID_NAMESPACE = uuidlib.uuid5(uuidlib.NAMESPACE_URL, "https://mkconfigdrive.github.io/instance")
CONTENTS_NOTE = (
    "instance-id derived from the contents: it changes when they change; "
    "give --name or --uuid to keep it"
)


def assemble_machine(
    spec: MachineSpec, *, strict: bool = False, layout: str = "openstack"
) -> Machine:
    """Validate everything in `spec` for `layout` and assemble the Machine, or raise
    InvalidInputError."""
    problems: list[Problem] = list(spec.read_problems)
    if layout == "nocloud":
        problems.extend(_nocloud_problems(spec))

    user_info: UserDataInfo | None = None
    if spec.user_data is not None:
        user_info = _inspect_user_data(spec.user_data, problems, spec.target)
    meta = _json_document(
        spec.meta_data, problems, META_DATA, checks.meta_data_problems, InputKind.META_DATA
    )
    network = _json_document(
        spec.network_data, problems, None, _network_checks(layout), InputKind.NETWORK_DATA
    )
    vendor = _json_document(spec.vendor_data, problems, expected=InputKind.VENDOR_DATA)
    vendor2 = _json_document(spec.vendor_data2, problems, expected=InputKind.VENDOR_DATA)
    for document in (vendor, vendor2):
        if document is not None and not isinstance(document.data, dict | list | str):
            # cloud-init's load_json refuses other JSON roots, and the whole drive with them.
            kind = "null" if document.data is None else type(document.data).__name__
            message = f"vendor data must be a mapping, a list or a string, not {kind}"
            problems.append(document.problem((), message))
    if layout == "nocloud":
        from configdrive.layouts.nocloud import nocloud_vendor_data_problems

        problems.extend(
            nocloud_vendor_data_problems(
                vendor.data if vendor else None,
                vendor2.data if vendor2 else None,
                names=(
                    _name(spec.vendor_data, "--vendor-data"),
                    _name(spec.vendor_data2, "--vendor-data2"),
                ),
            )
        )
    files = _injected_files(spec.files, problems)
    flag_keys = _flag_keys(spec.ssh_keys, problems)
    _check_flags(spec, problems)
    nocloud = _nocloud_meta(spec, meta, layout, network is not None, problems)

    if strict:
        problems = [p.as_error() for p in problems]
    if errors_in(problems):
        raise InvalidInputError(problems)

    meta_data: dict[str, Any] = dict(meta.data) if meta and isinstance(meta.data, dict) else {}
    # NoCloud's own keys are honoured as what they mean (instance-id, local-hostname,
    # public-keys), never copied beside it: each layout writes them in its own words.
    for key in NOCLOUD_IDENTITY_KEYS:
        meta_data.pop(key, None)
    public_keys, keys = _merge_keys(meta_data, [*nocloud.public_keys, *flag_keys])
    given_name: str | None = spec.name or meta_data.get("name")
    name = given_name
    hostname: str | None = spec.hostname or meta_data.get("hostname") or nocloud.local_hostname
    hostname_from_user_data = False
    if hostname is None and user_info is not None and user_info.hostname is not None:
        hostname, hostname_from_user_data = user_info.hostname, True
    if hostname is None and name and checks.hostname_problem(name) is None:
        hostname = name
    if name is None:
        name = hostname
    assembled = _assemble_meta_data(meta_data, name, hostname, public_keys, keys)

    network_data = network.data if network else None
    vendor_data = vendor.data if vendor else None
    vendor_data2 = vendor2.data if vendor2 else None
    user_data = spec.user_data.data if spec.user_data is not None else None

    uuid, source, nocloud_instance_id = _choose_uuid(
        spec,
        meta_data,
        nocloud,
        name=name,
        name_given=given_name is not None,
        hostname_from_user_data=hostname_from_user_data,
        contents=lambda: contents_digest(
            user_data, assembled, network_data, vendor_data, vendor_data2, files
        ),
    )
    return Machine(
        uuid=uuid,
        uuid_derived=source.derived,
        uuid_source=source,
        nocloud_instance_id=nocloud_instance_id,
        hostname=hostname,
        name=name,
        meta_data={"uuid": uuid, **assembled},
        public_keys=public_keys,
        user_data=user_data,
        user_data_info=user_info,
        network_data=network_data,
        vendor_data=vendor_data,
        vendor_data2=vendor_data2,
        files=tuple(files),
        warnings=tuple(sorted_problems(problems)),
    )


def _choose_uuid(
    spec: MachineSpec,
    meta_data: dict[str, Any],
    nocloud: NoCloudMeta,
    *,
    name: str | None,
    name_given: bool,
    hostname_from_user_data: bool,
    contents: Callable[[], str],
) -> tuple[str, UuidSource, str | None]:
    """The uuid, where it came from, and NoCloud's own instance-id when that is no UUID.

    Given (flag, machine file, meta data) wins; else it is derived from who the machine is
    (its name, else its host name), and from its contents only when it has neither.
    """
    where = spec.meta_data.name if spec.meta_data is not None else "the meta data"
    given = meta_data.get("uuid") or nocloud.instance_id
    if spec.uuid is not None:
        return spec.uuid, UuidSource(UUID_GIVEN, f"given by {_given_as(spec, 'uuid')}"), None
    if given is not None and checks.uuid_problem(given) is None:
        key = "uuid" if "uuid" in meta_data else "instance-id"
        return given, UuidSource(UUID_FROM_META_DATA, f"from {key} in {where}"), None
    if given is not None:
        # Only a NoCloud seed gets here (validation refuses it for config-2): its
        # instance-id may be any string; the `uuid` written beside it is derived from it.
        note = f"instance-id {given!r} from {where} (the uuid beside it derived from it)"
        return derive_uuid(f"instance-id:{given}"), UuidSource(UUID_FROM_META_DATA, note), given
    if name is not None:
        # A machine's name defaults to its host name, so `name:` covers both: naming a
        # machine after its host name later keeps its instance-id.
        uuid = derive_uuid(f"name:{name}")
        if name_given:
            return uuid, UuidSource(UUID_FROM_NAME, f"derived from name {name!r}"), None
        whose = " (the cloud-config's hostname)" if hostname_from_user_data else ""
        note = f"derived from host name {name!r}{whose}"
        return uuid, UuidSource(UUID_FROM_HOSTNAME, note), None
    uuid = derive_uuid(f"contents:sha256={contents()}")
    return uuid, UuidSource(UUID_FROM_CONTENTS, CONTENTS_NOTE), None


def _assemble_meta_data(
    given: dict[str, Any],
    name: str | None,
    hostname: str | None,
    public_keys: dict[str, str],
    keys: list[dict[str, str]],
) -> dict[str, Any]:
    """meta_data.json without its uuid, keys in the order Nova writes them, the user's after."""
    assembled: dict[str, Any] = {}
    if name is not None:
        assembled["name"] = name
    if hostname is not None:
        assembled["hostname"] = hostname
    assembled["launch_index"] = given.get("launch_index", 0)
    for key in ("availability_zone", "meta"):
        if key in given:
            assembled[key] = given[key]
    if public_keys:
        assembled["public_keys"] = public_keys
    if keys:
        assembled["keys"] = keys
    for key, value in given.items():
        assembled.setdefault(key, value)
    assembled.pop("uuid", None)
    return assembled


def _json_document(
    source: Source | None,
    problems: list[Problem],
    schema: str | None = None,
    semantic_checks: Callable[[Document], list[Problem]] | None = None,
    expected: InputKind | None = None,
) -> Document | None:
    """Parse a document that ends up as JSON on the drive, and run its checks.

    A document that looks like another kind of input than `expected` is one problem that
    says where it belongs, and its own checks are not run (they would only say the same).
    A small file is parsed and checked once per process, as user data is: a fleet's
    machines share their meta data and network files, their flags differ. The Document
    is shared between them, so nothing may change it (nothing does: machines are built
    from copies of its values).
    """
    if source is None:
        return None
    if type(source) is Source and len(source.data) <= _REMEMBERED_SIZE:
        document, found = _json_document_once(source, schema, semantic_checks, expected)
        problems.extend(found)
        return document
    return _parse_json_document(source, problems, schema, semantic_checks, expected)


@functools.lru_cache(maxsize=64)
def _json_document_once(
    source: Source,
    schema: str | None,
    semantic_checks: Callable[[Document], list[Problem]] | None,
    expected: InputKind | None,
) -> tuple[Document | None, tuple[Problem, ...]]:
    found: list[Problem] = []
    document = _parse_json_document(source, found, schema, semantic_checks, expected)
    return document, tuple(found)


def _parse_json_document(
    source: Source,
    problems: list[Problem],
    schema: str | None,
    semantic_checks: Callable[[Document], list[Problem]] | None,
    expected: InputKind | None,
) -> Document | None:
    if too_large := document_size_problem(source, "the document"):
        problems.append(too_large)  # bytes from the API; files are refused before reading
        return None
    if not source.data.strip():
        problems.append(Problem(source.name, "the file is empty"))
        return None
    found: list[Problem] = []
    if isinstance(source, EmbeddedSource) and source.document is not None:
        document: Document | None = source.document
    else:
        document = parse_document(source, found)
    wrong_place = misplaced(source, document.data, expected) if document and expected else None
    if document is not None and wrong_place is not None:
        # The whole file is misplaced: no path in it to name, unless it sits inside another.
        inside = bool(document.prefix_path())
        problems.append(
            document.problem((), wrong_place) if inside else Problem(source.name, wrong_place)
        )
        return None
    if document is not None:

        def report(path: DocPath, message: str) -> None:
            found.append(document.problem(path, message))

        check_json_compatible(document, report)
        if schema is not None or semantic_checks is not None:
            if not isinstance(document.data, dict):
                found.append(document.problem((), "must be a mapping of keys to values"))
            else:
                if schema is not None:
                    found.extend(schema_problems(document, schema))
                if semantic_checks is not None:
                    found.extend(semantic_checks(document))
    problems.extend(found)
    return document if not errors_in(found) else None


@functools.cache  # one function per layout: it is part of _json_document_once's key
def _network_checks(layout: str) -> Callable[[Document], list[Problem]]:
    """The checks for network input: OpenStack network_data, or (NoCloud) network-config."""

    def check(document: Document) -> list[Problem]:
        # Imported here: most builds have no network data, and this costs ~3 ms of start-up.
        from configdrive.validation.network import network_config_problems, network_kind

        if network_kind(document.data) == "openstack":
            found = schema_problems(document, NETWORK_DATA) + checks.network_data_problems(document)
            if layout != "nocloud":
                return found
            # Only a NoCloud seed converts network_data (another ~3 ms of start-up).
            from configdrive.layouts.network_config import conversion_problems

            # What the conversion to network-config v2 cannot carry, located in the input. Its
            # errors mostly repeat the checks' (a NIC without MAC or name): only when clean.
            converted = conversion_problems(document)
            if errors_in(found):
                converted = [p for p in converted if p.severity is Severity.WARNING]
            return found + converted
        if layout != "nocloud":
            return [
                document.problem(
                    (),
                    "this is cloud-init network-config (version 1 or 2), which only a NoCloud "
                    "seed carries (--layout nocloud); a config-2 drive needs OpenStack "
                    "network_data (links, networks, services)",
                )
            ]
        return network_config_problems(document)

    return check


def _name(source: Source | None, default: str) -> str:
    return source.name if source is not None else default


# What Linux takes in a path (PATH_MAX counts the final NUL) and in one of its names.
PATH_MAX = 4096
NAME_MAX = 255


def _injected_files(specs: tuple[FileSpec, ...], problems: list[Problem]) -> list[InjectedFile]:
    files: list[InjectedFile] = []
    seen: set[str] = set()
    budget = UnreportedBudget()
    for spec in specs:
        dest = spec.dest

        def report(message: str, *, source: bool = False, spec: FileSpec = spec) -> None:
            origin = spec.source_origin if source else spec.dest_origin
            label = _file_label(spec)
            problems.append(origin.problem(message) if origin else Problem(label, message))

        if not dest:
            report("expected SRC:DEST, for example ./motd:/etc/motd")
            continue
        if message := dest_problem(dest):
            report(message)
        elif not dest.startswith("/"):
            report(f"DEST {dest!r} is not an absolute path")
        elif dest.endswith("/") and dest != "/":
            suggestion = posixpath.join(posixpath.normpath(dest), Path(spec.source).name)
            report(
                f"DEST {dest!r} ends with '/', so it names a folder; give the file's "
                f"path (did you mean {printable(suggestion)!r}?)"
            )
        elif posixpath.normpath(dest) != dest or dest.startswith("//"):
            report(
                f"DEST {dest!r} is not a normalised path "
                f"(no '.', '..', '//' or trailing '/'; did you mean "
                f"{posixpath.normpath(dest)!r}?)"
            )
        elif dest == "/":
            report("DEST '/' is a folder, not a file")
        elif dest in seen:
            report(f"DEST {dest!r} is given twice")
        seen.add(dest)
        source = Path(spec.source)
        try:
            info = regular_file(source)
            data = None
            if info.st_size <= SMALL_FILE_SIZE:
                data = read_small_file(source, info.st_size, budget)
                if len(data) == info.st_size:
                    data = None  # a file that tells its size is streamed when written
        except OSError as error:
            shown = printable(spec.source)
            report(f"SRC {shown!r}: {describe_os_error(error)}", source=True)
            continue
        size = len(data) if data is not None else info.st_size
        files.append(InjectedFile(dest, source, size, data))
    for spec, message in _file_under_file(specs):
        origin = spec.dest_origin
        problems.append(origin.problem(message) if origin else Problem(_file_label(spec), message))
    return files


def _file_label(spec: FileSpec) -> str:
    """`--file SRC:DEST` as problems name it: printable, and short (a DEST may be 4 KiB)."""
    shown = printable(str(spec))
    return f"--file {shown if len(shown) <= 160 else shown[:120] + '...'}"


def dest_problem(dest: str) -> str | None:
    """Why no reader could write a file at `dest`, or None.

    cloud-init writes each injected file where meta_data.json's `path` says: a NUL ends a
    path, a line break or an escape misleads whatever lists the file later, bytes that are
    not UTF-8 cannot be JSON text, and Linux refuses a path or a name longer than its
    limits. The drive itself never holds DEST as a name (content/0000 holds the bytes).
    """
    shown = dest if len(dest) <= 64 else dest[:48] + "..."
    for character in dest:
        if unicodedata.category(character) == "Cc":
            return (
                f"DEST {shown!r} holds control character U+{ord(character):04X}; "
                "a path on the VM cannot hold control characters"
            )
        if unicodedata.category(character) == "Cs":
            return f"DEST {shown!r} holds bytes that are not UTF-8; a path on the VM must be text"
    size = len(dest.encode("utf-8"))
    if size >= PATH_MAX:
        return (
            f"DEST {shown!r} is {size:,} bytes long; a path on Linux holds at most "
            f"{PATH_MAX - 1:,} bytes (PATH_MAX, {PATH_MAX}, counts its final NUL)"
        )
    for name in dest.split("/"):
        length = len(name.encode("utf-8"))
        if length > NAME_MAX:
            return (
                f"DEST {shown!r} holds a name of {length:,} bytes ({name[:16]!r}...); a file "
                f"name on Linux holds at most {NAME_MAX} bytes (NAME_MAX)"
            )
    return None


def _file_under_file(specs: tuple[FileSpec, ...]) -> list[tuple[FileSpec, str]]:
    """A DEST that another DEST puts a file inside: it cannot be a file and a folder."""
    dests = {
        spec.dest: spec
        for spec in specs
        if spec.dest.startswith("/")
        and spec.dest != "/"
        and posixpath.normpath(spec.dest) == spec.dest
    }
    # Sorted by components, a path is followed directly by the paths inside it.
    ordered = sorted(dests, key=lambda dest: dest.split("/"))
    found = []
    for index, dest in enumerate(ordered[:-1]):
        following = ordered[index + 1]
        if following.startswith(dest.rstrip("/") + "/"):
            found.append(
                (dests[dest], f"DEST {dest!r} is a file, so {following!r} cannot be inside it")
            )
    return found


def _flag_keys(values: tuple[str, ...], problems: list[Problem]) -> list[str]:
    """SSH public keys from --ssh-key: each a key file (one or more keys) or a key itself."""
    keys: list[str] = []
    for value in values:
        path = Path(value)
        with contextlib.suppress(RuntimeError):  # ~unknown-user stays as written, as in a shell
            path = path.expanduser()
        if "\n" not in value and not value.startswith(("ssh-", "ecdsa-", "sk-")) and path.exists():
            label = f"--ssh-key {value}"
            try:
                # The shared input reader: a folder or FIFO is refused, never read or waited on.
                text = read_source(path).data.decode("utf-8")
            except (OSError, UnicodeDecodeError) as error:
                reason = describe_os_error(error) if isinstance(error, OSError) else "not UTF-8"
                problems.append(Problem(label, f"cannot read the key file: {reason}"))
                continue
            lines = [
                (number, line.strip())
                for number, line in enumerate(text.splitlines(), start=1)
                if line.strip() and not line.lstrip().startswith("#")
            ]
            if not lines:
                problems.append(Problem(label, "the key file holds no key"))
            if private := _private_key_problem(text, path):
                # One error for the file: each line of a private key is no public key either.
                problems.append(Problem(label, private))
                continue
            for number, line in lines:
                if message := public_key_problem(line):
                    problems.append(Problem(label, message, None, number))
                else:
                    keys.append(line)
        elif len(value.split()) == 1 and value not in KEY_TYPES and not path.exists():
            # One word that is not a key type: the user meant a key file.
            problems.append(Problem(f"--ssh-key {value}", "no such key file"))
        elif message := public_key_problem(value):
            problems.append(Problem("--ssh-key", message))
        else:
            keys.append(value.strip())
    return keys


def _private_key_problem(text: str, path: Path) -> str | None:
    """Why a key file is a private key (OpenSSH, PEM or PuTTY), or None. Never echoes it."""
    if "PRIVATE KEY-----" not in text and not text.startswith("PuTTY-User-Key-File-"):
        return None
    public = path.with_name(path.name + ".pub")
    hint = f" ({public})" if public.is_file() else " (the .pub file)"
    return f"this is a private key; give the public key{hint}"


# A fleet or a test harness gives many machines the same user data: check it once per process.
# Only small documents are kept (Nova's limit), so the cache stays a few megabytes at most.
_REMEMBERED_SIZE = 64 * 1024


def _inspect_user_data(
    source: Source, problems: list[Problem], target: Target
) -> UserDataInfo | None:
    if len(source.data) > _REMEMBERED_SIZE:
        return inspect_user_data(source, problems, target)
    info, found = _inspect_user_data_once(source, target)
    problems.extend(found)
    return info


@functools.lru_cache(maxsize=64)
def _inspect_user_data_once(
    source: Source, target: Target
) -> tuple[UserDataInfo | None, tuple[Problem, ...]]:
    found: list[Problem] = []
    info = inspect_user_data(source, found, target)
    return info, tuple(found)


def _nocloud_problems(spec: MachineSpec) -> list[Problem]:
    # NoCloud has no injected files: cloud-init would never see them.
    return [
        Problem(
            f"--file {file_spec}",
            "a NoCloud seed cannot carry injected files; put them in the cloud-config's "
            "write_files, or use --layout openstack",
        )
        for file_spec in spec.files
    ]


def _check_flags(spec: MachineSpec, problems: list[Problem]) -> None:
    def report(key: str, message: str) -> None:
        origin = spec.origins.get(key)
        problems.append(origin.problem(message) if origin else Problem(f"--{key}", message))

    if spec.uuid is not None and (message := checks.uuid_problem(spec.uuid)):
        report("uuid", message)
    if spec.hostname is not None and (message := checks.hostname_problem(spec.hostname)):
        report("hostname", message)
    if spec.name is not None and not spec.name.strip():
        report("name", "the name is empty")


def _given_as(spec: MachineSpec, key: str) -> str:
    """How the user gave `key`: a flag, or a line of a machine file."""
    origin = spec.origins.get(key)
    if origin is None:
        return f"--{key}"
    line = f":{origin.line}" if origin.line is not None else ""
    return f"{key} in {origin.file}{line}"


def _nocloud_meta(
    spec: MachineSpec,
    meta: Document | None,
    layout: str,
    has_network: bool,
    problems: list[Problem],
) -> NoCloudMeta:
    """NoCloud's keys in the meta data, checked, and refused where they contradict a flag."""
    if meta is None:
        return NoCloudMeta()
    found, found_problems = nocloud_meta_keys(meta, layout=layout, has_network=has_network)
    problems.extend(found_problems)
    data = meta.data if isinstance(meta.data, dict) else {}

    def conflict(key: str, value: str, other: str, other_value: str, what: str) -> None:
        problems.append(
            meta.problem(
                (key,),
                f"{key} {value!r} conflicts with {other} {other_value!r}: both set the "
                f"{what}; give one of them, or the same value in both",
            )
        )

    if found.instance_id is not None:
        if spec.uuid is not None and spec.uuid != found.instance_id:
            conflict("instance-id", found.instance_id, _given_as(spec, "uuid"), spec.uuid,
                     "instance-id")  # fmt: skip
        elif isinstance(data.get("uuid"), str) and data["uuid"] != found.instance_id:
            conflict("instance-id", found.instance_id, "uuid", data["uuid"], "instance-id")
    if found.local_hostname is not None:
        if spec.hostname is not None and spec.hostname != found.local_hostname:
            conflict("local-hostname", found.local_hostname, _given_as(spec, "hostname"),
                     spec.hostname, "host name")  # fmt: skip
        elif isinstance(data.get("hostname"), str) and data["hostname"] != found.local_hostname:
            conflict("local-hostname", found.local_hostname, "hostname", data["hostname"],
                     "host name")  # fmt: skip
    return found


def _merge_keys(
    meta_data: dict[str, Any], flag_keys: list[str]
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """public_keys (name -> key) and keys ([{name, type, data}]) kept consistent, as Nova does."""
    named: dict[str, tuple[str, str]] = {}
    for name, data in (meta_data.get("public_keys") or {}).items():
        named[name] = ("ssh", data)
    for index, entry in enumerate(meta_data.get("keys") or []):
        key = (entry.get("type", "ssh"), entry["data"])
        if key not in named.values():  # Nova lists each key in both: keep one
            named[_free_name(named, entry.get("name") or f"key-{index}")] = key
    for line in flag_keys:
        if ("ssh", line) not in named.values():
            named[_free_name(named, key_comment(line) or f"key-{len(named)}")] = ("ssh", line)
    public_keys = {name: data for name, (kind, data) in named.items() if kind == "ssh"}
    keys = [{"name": name, "type": kind, "data": data} for name, (kind, data) in named.items()]
    return public_keys, keys


def _free_name(named: dict[str, tuple[str, str]], base: str) -> str:
    """`base`, or `base-2`, `base-3`...: two keys under one name would lose one of them."""
    name, suffix = base, 2
    while name in named:
        name, suffix = f"{base}-{suffix}", suffix + 1
    return name


def derive_uuid(identity: str) -> str:
    """The uuid of a machine known by `identity` (`name:web-1`): the same one every build.

    cloud-init runs first boot again (new host keys, users reset) when the instance-id
    changes, so the uuid follows who the machine is, not what its configuration says.
    """
    return str(uuidlib.uuid5(UUID_NAMESPACE, identity))


def contents_digest(
    user_data: bytes | None,
    meta_data: dict[str, Any],
    network_data: Any,
    vendor_data: Any,
    vendor_data2: Any,
    files: list[InjectedFile],
) -> str:
    """A digest of every input: the identity of a machine that has no name or host name."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}:{len(data)}:".encode())
        digest.update(data)

    add("user_data", user_data if user_data is not None else b"\0none")
    for label, value in (
        ("meta_data", meta_data),
        ("network_data", network_data),
        ("vendor_data", vendor_data),
        ("vendor_data2", vendor_data2),
    ):
        add(label, json.dumps(value, sort_keys=True).encode())
    for injected in files:
        add("file", injected.dest.encode())
        add("content", _file_digest(injected.source))
    return digest.hexdigest()


def _file_digest(path: Path) -> bytes:
    with path.open("rb") as stream:
        if sys.version_info >= (3, 11):
            # Reads into one reused buffer: a gigabyte payload hashes at the disk's speed.
            return hashlib.file_digest(stream, "sha256").digest()
        digest = hashlib.sha256()
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
        return digest.digest()
