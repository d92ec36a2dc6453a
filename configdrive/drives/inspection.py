"""`inspect`: everything about a drive someone built, and whether each reader will take it.

Facts (label, file system, name trees), the folder each reader reads, the decoded contents,
the problems our schemas and checks find in them, and one verdict per reader (see
`readers`). Secrets stay hidden unless asked for: user data, passwords and file contents
appear as sizes and hashes.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from configdrive.drives import verdicts as readers
from configdrive.drives.drive import Drive, DriveView, Entry, IsoFacts, open_drive, printable
from configdrive.drives.fat import FatVolume
from configdrive.drives.verdicts import (
    CONFIG_DRIVE_LABELS,
    DATED,
    LATEST,
    NOCLOUD_LABELS,
    CloudInitFailure,
    CloudInitReading,
    ReaderVerdict,
    Verdict,
)
from configdrive.errors import UsageError
from configdrive.inputs.documents import Source, drive_document_refusal, parse_document
from configdrive.problems import Problem, Severity, errors_in, sorted_problems
from configdrive.strict_json import json_safe
from configdrive.validation.checks import (
    hostname_problem,
    meta_data_problems,
    network_data_problems,
)
from configdrive.validation.json_schemas import (
    META_DATA,
    NETWORK_DATA,
    is_secret,
    schema_problems,
    secret_value,
)
from configdrive.validation.nocloud_meta import nocloud_meta_keys
from configdrive.validation.ssh_keys import KEY_TYPES
from configdrive.validation.user_data import inspect_user_data, sniff_user_data

HIDDEN = "<hidden>"
SHOW_CHOICES = ("user-data", "secrets")
_OPENSTACK_DOCUMENTS = (
    "meta_data.json",
    "user_data",
    "network_data.json",
    "vendor_data.json",
    "vendor_data2.json",
)
_NOCLOUD_FILES = ("user-data", "meta-data", "vendor-data", "network-config")
_EC2_METADATA = "ec2/latest/meta-data.json"


@dataclass(frozen=True)
class UserDataSummary:
    """The user data as the readers see it: kind, size, hash (never the content)."""

    path: str
    kind: str
    size: int
    sha256: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {"path": self.path, "kind": self.kind, "size": self.size, "sha256": self.sha256}


@dataclass(frozen=True)
class Contents:
    """What the drive tells the VM, read from the folder cloud-init reads (leniently)."""

    folder: str | None = None
    uuid: str | None = None
    hostname: str | None = None
    name: str | None = None
    keys: tuple[dict[str, Any], ...] = ()
    files: tuple[dict[str, Any], ...] = ()
    user_data: UserDataSummary | None = None
    network: str | None = None
    vendor_data: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "folder": self.folder,
            "uuid": self.uuid,
            "hostname": self.hostname,
            "name": self.name,
            "keys": list(self.keys),
            "files": list(self.files),
            "user_data": self.user_data.to_json() if self.user_data else None,
            "network": self.network,
            "vendor_data": list(self.vendor_data),
        }


@dataclass
class Inspection:
    """Everything `inspect` found out about one drive."""

    path: Path
    size: int
    format: str
    label: str | None
    layout: str
    names_from: str
    trees: tuple[str, ...]
    entries: tuple[Entry, ...]
    iso: IsoFacts | None = None
    fat: FatVolume | None = None
    packing: str | None = None
    openstack_folders: tuple[str, ...] = ()
    folders: dict[str, str | None] = field(default_factory=dict)
    contents: Contents = field(default_factory=Contents)
    reading: CloudInitReading | None = None
    failure: CloudInitFailure | None = None
    verdicts: tuple[ReaderVerdict, ...] = ()
    problems: tuple[Problem, ...] = ()
    trees_agree: bool | None = None
    folders_agree: bool | None = None
    show: frozenset[str] = frozenset()
    user_data: bytes | None = None

    @property
    def accepted_by(self) -> list[str]:
        """The readers that will read their configuration from the drive."""
        return [v.reader for v in self.verdicts if v.verdict is Verdict.ACCEPTS]

    @property
    def broken_for(self) -> list[str]:
        """The readers that find the drive and fail on a defect of it."""
        return [v.reader for v in self.verdicts if v.verdict is Verdict.REJECTS and v.defect]

    @property
    def ok(self) -> bool:
        """A reader accepts the drive, none fails on a defect of it, our checks find no error."""
        return bool(self.accepted_by) and not self.broken_for and not errors_in(self.problems)

    def to_json(self) -> dict[str, Any]:
        """All of it as one JSON document (secrets hidden unless `show` says otherwise)."""
        secrets = "secrets" in self.show
        document: dict[str, Any] = {
            "ok": self.ok,
            "path": str(self.path),
            "size": self.size,
            "format": self.format,
            "packing": self.packing,
            "label": self.label,
            "layout": self.layout,
            "iso9660": _iso_json(self.iso) if self.iso else None,
            "vfat": _fat_json(self.fat) if self.fat else None,
            "names_from": self.names_from,
            "trees": list(self.trees),
            "trees_agree": self.trees_agree,
            "openstack_folders": list(self.openstack_folders),
            "folders_agree": self.folders_agree,
            "folders": self.folders,
            "contents": self.contents.to_json(),
            "cloud_init": _reading_json(self.reading, self.failure, secrets, self.show),
            "readers": [verdict.to_json() for verdict in self.verdicts],
            "problems": [problem.to_json() for problem in self.problems],
            "files": [_entry_json(entry) for entry in self.entries],
        }
        if "user-data" in self.show:
            document["user_data"] = _bytes_json(self.user_data)
        # A drive's JSON may hold NaN and its YAML dates or sets: strict JSON has none.
        safe: dict[str, Any] = json_safe(document)
        return safe


def inspect_drive(path: str | os.PathLike[str], *, show: Iterable[str] = ()) -> Inspection:
    """Open the drive at `path` and inspect it (InvalidInputError if it is no drive image)."""
    show = tuple(show)
    unknown = sorted(set(show) - set(SHOW_CHOICES))
    if unknown:
        raise UsageError(f"--show {unknown[0]!r}: give {' or '.join(SHOW_CHOICES)}")
    with open_drive(path) as drive:
        return examine(drive, show=show)


def examine(drive: Drive, *, show: Iterable[str] = ()) -> Inspection:
    """Inspect an opened drive."""
    view = drive.view
    problems: list[Problem] = []
    layout = _layout(drive, view)
    inspection = Inspection(
        path=drive.path,
        size=drive.size,
        format=drive.format,
        label=drive.label,
        layout=layout,
        names_from=drive.linux_tree,
        trees=tuple(drive.trees),
        entries=tuple(view.entries()),
        iso=drive.iso,
        fat=drive.fat,
        packing=drive.packing,
        show=frozenset(show),
    )
    problems += _unsafe_names(view)
    inspection.trees_agree = _compare_trees(drive, problems)
    verdict, reading, failure = readers.cloud_init_verdict(drive, view)
    if reading is None and failure is None:
        # The label hides it from cloud-init; read it anyway, to show what it holds.
        reading, failure = _read_anyway(layout, view)
    inspection.reading, inspection.failure = reading, failure
    coreos = readers.coreos_cloudinit_verdict(drive, view)
    flatcar = readers.flatcar_cloudinit_verdict(drive, view, coreos)  # None where they agree
    verdicts = [
        verdict,
        coreos,
        *([flatcar] if flatcar else []),
        readers.ignition_verdict(drive, view),
        readers.afterburn_verdict(drive, view),
    ]
    if layout == "nocloud":
        inspection.folders = {"cloud-init": "."}
        inspection.contents = _nocloud_contents(view, reading)
        problems += _validate_nocloud(view)
        user_data_path = "user-data"
    else:
        folder = f"openstack/{readers.selected_version(view)}"
        inspection.openstack_folders = tuple(sorted(view.listdir("openstack") or []))
        inspection.folders = {
            "cloud-init": folder,
            "coreos-cloudinit": "openstack/latest",
            **({"flatcar-coreos-cloudinit": "openstack/latest"} if flatcar else {}),
            "ignition": "openstack/latest",
            "afterburn": "openstack/latest",
        }
        inspection.contents = _config_drive_contents(view, folder)
        problems += _validate_config_drive(view, folder)
        differences = _folder_differences(view, folder)
        inspection.folders_agree = not differences
        problems += differences
        verdicts = _note_differences(verdicts, folder, differences)
        user_data_path = f"{folder}/user_data"
    inspection.verdicts = tuple(verdicts)
    inspection.problems = tuple(sorted_problems(problems))
    if "user-data" in inspection.show:
        inspection.user_data = view.read_file(user_data_path)
    return inspection


def _layout(drive: Drive, view: DriveView) -> str:
    label = drive.label or ""
    if label in CONFIG_DRIVE_LABELS:
        return "config-2"
    if label in NOCLOUD_LABELS or (drive.fat is not None and drive.fat.boot_label == "cidata"):
        return "nocloud"
    if view.listdir("openstack") is not None:
        return "config-2"
    if view.exists("user-data") or view.exists("meta-data"):
        return "nocloud"
    return "unknown"


def _read_anyway(
    layout: str, view: DriveView
) -> tuple[CloudInitReading | None, CloudInitFailure | None]:
    reader = readers.read_nocloud if layout == "nocloud" else readers.read_config_drive
    try:
        return reader(view), None
    except CloudInitFailure as failure:
        return None, failure


# --------------------------------------------------------------------------- names


def _unsafe_names(view: DriveView) -> list[Problem]:
    tree = view.tree.source
    return [
        Problem(entry.path, f"unsafe name in the {tree} tree: {reason}; no reader can open it")
        for entry, reason in view.unsafe
    ]


def _compare_trees(drive: Drive, problems: list[Problem]) -> bool | None:
    """Whether the Rock Ridge and Joliet trees name the same files with the same data."""
    if "rock-ridge" not in drive.trees or "joliet" not in drive.trees:
        return None
    rock_ridge = _tree_map(drive.trees["rock-ridge"].entries)
    joliet = _tree_map(drive.trees["joliet"].entries)
    agree = True
    for path in sorted(rock_ridge.keys() | joliet.keys()):
        if path not in joliet:
            message = "only in the Rock Ridge tree: Windows readers (cloudbase-init) miss it"
        elif path not in rock_ridge:
            message = "only in the Joliet tree: Linux shows the Rock Ridge tree and misses it"
        elif rock_ridge[path] != joliet[path]:
            message = "the Rock Ridge and Joliet trees hold different data under this name"
        else:
            continue
        agree = False
        problems.append(Problem(path, message, severity=Severity.WARNING))
    return agree


def _tree_map(entries: Iterable[Entry]) -> dict[str, tuple[str, int, int]]:
    return {
        entry.path: (entry.kind, entry.size, entry.data if entry.size else 0)
        for entry in entries
        if entry.kind != "symlink"
    }


# --------------------------------------------------------------------------- contents


def _read_json(view: DriveView, path: str) -> Any:
    """A JSON document of the drive, leniently: None when missing, broken or refused."""
    data = view.read_file(path)
    if data is None or readers.refusal(path, data, json_only=True):
        return None
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None


def _read_yaml(view: DriveView, path: str) -> Any:
    """A NoCloud YAML document, leniently: None when missing, broken or refused."""
    data = view.read_file(path)
    if data is None or readers.refusal(path, data, json_only=False):
        return None
    try:
        return yaml.safe_load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, ValueError):
        return None


def _config_drive_contents(view: DriveView, folder: str) -> Contents:
    meta = _read_json(view, f"{folder}/meta_data.json")
    meta = meta if isinstance(meta, dict) else {}
    network = _read_json(view, f"{folder}/network_data.json")
    return Contents(
        folder=folder,
        uuid=_string(meta.get("uuid")),
        hostname=_string(meta.get("hostname")),
        name=_string(meta.get("name")),
        keys=tuple(_keys(meta)),
        files=tuple(_injected_files(view, meta)),
        user_data=_user_data_summary(view, f"{folder}/user_data"),
        network=_network_summary(network) if network is not None else None,
        vendor_data=tuple(
            name
            for name in ("vendor_data.json", "vendor_data2.json")
            if view.exists(f"{folder}/{name}")
        ),
    )


def _nocloud_contents(view: DriveView, reading: CloudInitReading | None) -> Contents:
    if reading is not None:
        meta, network = reading.metadata, reading.network_config
    else:
        # cloud-init refused the seed (or never looks at it): show what the documents say.
        meta, network = _read_yaml(view, "meta-data"), _read_yaml(view, "network-config")
        meta = meta if isinstance(meta, dict) else {}
    keys = [
        {"name": f"public-keys[{index}]", **_key_facts(line)}
        for index, line in enumerate(readers.normalize_pubkey_data(meta.get("public-keys")))
    ]
    return Contents(
        folder=".",
        uuid=_string(meta.get("instance-id")),
        hostname=_string(meta.get("local-hostname")),
        keys=tuple(keys),
        user_data=_user_data_summary(view, "user-data"),
        network=f"network-config version {network.get('version')}"
        if isinstance(network, dict)
        else None,
        vendor_data=("vendor-data",) if view.exists("vendor-data") else (),
    )


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _keys(meta: dict[str, Any]) -> list[dict[str, Any]]:
    found: dict[str, str] = {}
    public_keys = meta.get("public_keys")
    if isinstance(public_keys, dict):
        found.update((str(n), k) for n, k in public_keys.items() if isinstance(k, str))
    for index, entry in enumerate(_list(meta.get("keys"))):
        if isinstance(entry, dict) and isinstance(entry.get("data"), str):
            found.setdefault(str(entry.get("name", f"keys[{index}]")), entry["data"])
    return [{"name": name, **_key_facts(line)} for name, line in found.items()]


def _key_facts(line: Any) -> dict[str, Any]:
    """A public key's type, comment and fingerprint (as ssh-keygen -l prints it)."""
    # cloud-init passes on whatever the list holds; only text can be a key.
    fields = line.split() if isinstance(line, str) else []
    for index, word in enumerate(fields):
        if word in KEY_TYPES and index + 1 < len(fields):
            try:
                blob = base64.b64decode(fields[index + 1], validate=True)
            except ValueError:
                break
            digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
            return {
                "type": word,
                "comment": " ".join(fields[index + 2 :]) or None,
                "fingerprint": f"SHA256:{digest}",
            }
    return {"type": None, "comment": None, "fingerprint": None}


def _injected_files(view: DriveView, meta: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    items = meta.get("files")
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        content_path = item.get("content_path")
        data = None
        if isinstance(content_path, str) and content_path.strip("/"):
            data = view.read_file(f"openstack/{content_path.lstrip('/')}")
        out.append(
            {
                "path": _string(item.get("path")),
                "content_path": _string(content_path),
                "size": len(data) if data is not None else None,
                "sha256": hashlib.sha256(data).hexdigest() if data is not None else None,
            }
        )
    return out


def _user_data_summary(view: DriveView, path: str) -> UserDataSummary | None:
    data = view.read_file(path)
    if data is None:
        return None
    kind = sniff_user_data(data).label
    return UserDataSummary(path, kind, len(data), hashlib.sha256(data).hexdigest())


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _network_summary(network: Any) -> str:
    if not isinstance(network, dict):
        return "not a mapping"
    links = _list(network.get("links"))
    networks = _list(network.get("networks"))
    parts = [f"{len(links)} link{'s' if len(links) != 1 else ''}"]
    described = []
    for entry in networks:
        if isinstance(entry, dict):
            address = entry.get("ip_address")
            described.append(f"{entry.get('type')}" + (f" {address}" if address else ""))
    parts.append(f"{len(networks)} network{'s' if len(networks) != 1 else ''}")
    if described:
        parts[-1] += f" ({', '.join(described)})"
    services = _list(network.get("services"))
    dns = [s.get("address") for s in services if isinstance(s, dict) and s.get("type") == "dns"]
    if dns:
        parts.append(f"DNS {', '.join(str(address) for address in dns)}")
    return ", ".join(parts)


# --------------------------------------------------------------------------- validation


def _validate_config_drive(view: DriveView, folder: str) -> list[Problem]:
    """Our schemas and checks on each distinct document cloud-init and the others read."""
    problems: list[Problem] = []
    seen: set[tuple[str, bytes]] = set()
    for version_folder in dict.fromkeys([folder, f"openstack/{LATEST}"]):
        for name in _OPENSTACK_DOCUMENTS:
            path = f"{version_folder}/{name}"
            data = view.read_file(path)
            if data is None or (name, data) in seen:
                continue
            seen.add((name, data))
            if name == "user_data":
                inspect_user_data(Source(path, data), problems)
            else:
                problems += _json_document_problems(path, data, name)
    # cloud-init reads the EC2 metadata too (its only check: a JSON mapping); held to the
    # same limits as every other document.
    data = view.read_file(_EC2_METADATA)
    if data is not None and (
        refused := drive_document_refusal(Source(_EC2_METADATA, data), json_only=True)
    ):
        problems.append(refused)
    return problems


def _json_document_problems(path: str, data: bytes, name: str) -> list[Problem]:
    problems: list[Problem] = []
    # The .json suffix makes the loader strict: JSON only, as every reader parses it.
    document = parse_document(Source(path, data, Path(path)), problems)
    if document is None or name not in ("meta_data.json", "network_data.json"):
        return problems
    if not isinstance(document.data, dict):
        problems.append(document.problem((), "must be a mapping of keys to values"))
        return problems
    if name == "meta_data.json":
        problems += schema_problems(document, META_DATA)
        # `files` and `network_config` are inputs build generates; on a drive they belong.
        problems += meta_data_problems(document, as_input=False)
    else:
        problems += schema_problems(document, NETWORK_DATA)
        problems += network_data_problems(document)
    return problems


def _validate_nocloud(view: DriveView) -> list[Problem]:
    return nocloud_seed_problems(view.read_file)


def nocloud_seed_problems(read: Callable[[str], bytes | None]) -> list[Problem]:
    """What is wrong with a NoCloud seed's files, each read by name (None: not there); for
    a seed on a drive and for one injected onto a disk image alike."""
    problems: list[Problem] = []
    for name in _NOCLOUD_FILES:
        data = read(name)
        if data is None:
            continue
        if name in ("user-data", "vendor-data"):
            if name == "vendor-data" and not data.strip():
                continue
            inspect_user_data(Source(name, data), problems)
            continue
        document = parse_document(Source(name, data), problems)
        if document is None:
            continue
        if not isinstance(document.data, dict):
            problems.append(document.problem((), "must be a mapping of keys to values"))
            continue
        if name == "meta-data":
            problems += _nocloud_meta_problems(document)
        elif not _network_config_version(document.data):
            problems.append(document.problem((), "network-config must give version: 1 or 2"))
    return problems


def _nocloud_meta_problems(document: Any) -> list[Problem]:
    data = document.data
    problems = []
    if "instance-id" not in data:
        problems.append(
            document.problem(
                (),
                "no instance-id: cloud-init uses 'nocloud' for every VM with this seed",
                severity=Severity.WARNING,
            )
        )
    for key in ("local-hostname", "hostname"):
        value = data.get(key)
        if isinstance(value, str) and (message := hostname_problem(value)):
            problems.append(document.problem((key,), message))
    # Build's checks of NoCloud's own keys: public-keys of the wrong type, an instance-id
    # that cannot be a folder name, an unknown dsmode.
    problems += nocloud_meta_keys(document, layout="nocloud")[1]
    return problems


def _network_config_version(data: dict[str, Any]) -> bool:
    inner = data.get("network")
    version = (inner if isinstance(inner, dict) else data).get("version")
    return version in (1, 2)


# --------------------------------------------------------------------------- folders


def _folder_differences(view: DriveView, selected: str) -> list[Problem]:
    """Dated folders whose files differ from `latest` (readers would get different configs)."""
    folders = view.listdir("openstack") or []
    latest_files = _folder_files(view, "openstack/latest")
    problems = []
    for name in sorted(folders):
        if not DATED.match(name):
            continue
        folder = f"openstack/{name}"
        files = _folder_files(view, folder)
        chosen = folder == selected
        for file_name in sorted(files.keys() | latest_files.keys()):
            mine, latest = files.get(file_name), latest_files.get(file_name)
            if mine is not None and latest is not None and mine != latest:
                message = f"differs from openstack/latest/{file_name}"
            elif chosen and mine is None:
                message = "is missing, but openstack/latest has it (cloud-init reads this folder)"
            elif chosen and latest is None:
                message = "has no counterpart in openstack/latest (the CoreOS family reads that)"
            else:
                continue
            problems.append(Problem(f"{folder}/{file_name}", message, severity=Severity.WARNING))
    return problems


def _folder_files(view: DriveView, folder: str) -> dict[str, bytes]:
    files = {}
    for name in view.listdir(folder) or []:
        data = view.read_file(f"{folder}/{name}")
        if data is not None:
            files[name] = data
    return files


def _note_differences(
    verdicts: list[ReaderVerdict], folder: str, differences: list[Problem]
) -> list[ReaderVerdict]:
    """Warn each accepting reader when cloud-init's folder and `latest` differ."""
    mine = [p for p in differences if p.file.startswith(f"{folder}/")]
    if not mine or folder.endswith(f"/{LATEST}"):
        return verdicts
    names = ", ".join(p.file.rsplit("/", 1)[1] for p in mine)
    noted = []
    for verdict in verdicts:
        if verdict.verdict is not Verdict.ACCEPTS:
            noted.append(verdict)
            continue
        other = "openstack/latest" if verdict.reader == "cloud-init" else folder
        note = f"its folder and {other} differ in {names}: readers get different configs"
        noted.append(dataclasses.replace(verdict, warnings=(*verdict.warnings, note)))
    return noted


# --------------------------------------------------------------------------- JSON


def _iso_json(iso: IsoFacts) -> dict[str, Any]:
    return {
        "level": iso.level,
        "names": iso.names,
        "rock_ridge": iso.rock_ridge,
        "joliet": iso.joliet,
        "udf": iso.udf,
        "system_id": iso.system_id,
        "publisher": iso.publisher,
        "application": iso.application,
    }


def _fat_json(fat: FatVolume) -> dict[str, Any]:
    return {
        "fat_bits": fat.fat_bits,
        "cluster_size": fat.cluster_size,
        "clusters": fat.clusters,
        "boot_label": fat.boot_label,
        "root_label": fat.root_label,
    }


def _entry_json(entry: Entry) -> dict[str, Any]:
    document: dict[str, Any] = {"path": entry.path, "type": entry.kind}
    if entry.kind == "file":
        document["size"] = entry.size
    if entry.target is not None:
        document["target"] = printable(entry.target)
    return document


def _bytes_json(data: bytes | None) -> dict[str, Any] | None:
    """Bytes as JSON: text when they are UTF-8, else base64."""
    if data is None:
        return None
    try:
        return {"encoding": "utf-8", "data": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"encoding": "base64", "data": base64.b64encode(data).decode("ascii")}


def _digest(data: bytes) -> dict[str, Any]:
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def mask(value: Any, *, show_secrets: bool, path: tuple[str | int, ...] = ()) -> Any:
    """`value` with every secret replaced by <hidden>.

    Secrets are the values under keys whose names say password, token, secret or key
    material (`schemas.secret_name`), and private keys wherever they are.
    """
    if not show_secrets and ((path and is_secret(path)) or secret_value(value)):
        return HIDDEN
    if isinstance(value, dict):
        return {
            str(key): mask(item, show_secrets=show_secrets, path=(*path, str(key)))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            mask(item, show_secrets=show_secrets, path=(*path, index))
            for index, item in enumerate(value)
        ]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _reading_json(
    reading: CloudInitReading | None,
    failure: CloudInitFailure | None,
    secrets: bool,
    show: frozenset[str],
) -> dict[str, Any]:
    if reading is None:
        failed = {"kind": failure.kind, "message": failure.message} if failure else None
        return {"failure": failed}
    document: dict[str, Any] = {
        "failure": None,
        "datasource": reading.datasource,
        "version": reading.version,
        "folder": reading.folder,
        "metadata": mask(reading.metadata, show_secrets=secrets),
        "user_data": _digest(reading.userdata),
        "vendor_data": _vendor_json(reading.vendordata, secrets),
        "vendor_data2": _vendor_json(reading.vendordata2, secrets),
        "network_data": mask(reading.networkdata, show_secrets=secrets),
        "network_config": mask(reading.network_config, show_secrets=secrets),
        "files": {path: _digest(data) for path, data in reading.files.items()},
        "ec2_metadata": mask(reading.ec2_metadata, show_secrets=secrets),
        "dsmode": reading.dsmode,
        "ssh_keys": reading.ssh_keys,
        "present": sorted(reading.present),
    }
    if "user-data" in show:
        document["user_data"]["content"] = _bytes_json(reading.userdata)
    return document


def _vendor_json(value: Any, secrets: bool) -> Any:
    """Vendor data: what cloud-init runs of it is user data, hidden like user data.

    cloud-init runs the document itself when it is a string or a list, else its
    `cloud-init` key (sources/__init__.py convert_vendordata); a cloud-config there sets
    passwords. Other keys are masked by their names, as metadata is.
    """
    if isinstance(value, bytes):  # NoCloud vendor-data: raw, like user data
        return _digest(value)
    if secrets:
        return mask(value, show_secrets=True)
    if isinstance(value, str | list):
        return HIDDEN
    if isinstance(value, dict) and "cloud-init" in value:
        value = {**value, "cloud-init": HIDDEN}
    return mask(value, show_secrets=False)
