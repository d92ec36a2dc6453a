"""What each real reader makes of a drive: whether it finds it, reads it, and what it gets.

The rules follow the readers' own code (names in the comments), so that a verdict says what
the VM will do at boot:

- cloud-init: `ds-identify` and `DataSourceConfigDrive.find_candidate_devs` (labels
  `config-2`/`CONFIG-2`, iso9660 or vfat), `helpers/openstack.py` `read_v2` for config drives;
  `DataSourceNoCloud` (labels `cidata`/`CIDATA`) for NoCloud seeds. `read_config_drive` and
  `read_nocloud` reproduce what it returns, failures included.
- coreos-cloudinit (Container Linux): its udev rule (label `config-2` exactly, iso9660, udf or
  vfat) and `datasource/configdrive` (`openstack/latest` only). Flatcar's fork of it gets a
  verdict of its own only where it differs (`flatcar_cloudinit_verdict`).
- Ignition's OpenStack provider: `/dev/disk/by-label/config-2` or `CONFIG-2`, any file
  system, `openstack/latest/user_data` only, which must be an Ignition config or empty.
- Afterburn: `/dev/disk/by-label/config-2` mounted as iso9660 only,
  `openstack/latest/meta_data.json` required.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from configdrive.drives.drive import Drive, DriveView
from configdrive.inputs.documents import Source, drive_document_refusal
from configdrive.validation.checks import gunzip_bounded
from configdrive.validation.ssh_keys import public_key_problem
from configdrive.validation.user_data import (
    GZIP_MAGIC,
    MAX_DECOMPRESSED,
    SniffedUserData,
    sniff_user_data,
)

# cloud-init's openstack.OS_VERSIONS: the dated folders it knows, oldest first. It reads the
# newest of them the drive has, else `latest`.
CLOUD_INIT_VERSIONS = (
    "2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15",
    "2016-06-30", "2016-10-06", "2017-02-22", "2018-08-27",
)  # fmt: skip
CONFIG_DRIVE_LABELS = ("config-2", "CONFIG-2")
NOCLOUD_LABELS = ("cidata", "CIDATA")
COREOS_LABEL = "config-2"
LATEST = "latest"
DATED = re.compile(r"^\d{4}-\d{2}-\d{2}$")
READER_NAMES = {
    "cloud-init": "cloud-init",
    "coreos-cloudinit": "coreos-cloudinit",
    "flatcar-coreos-cloudinit": "Flatcar's coreos-cloudinit",
    "ignition": "Ignition",
    "afterburn": "Afterburn",
}
# cloud-init v1 drives (before 2012): files at the root instead of openstack/.
_V1_FILES = ("etc/network/interfaces", "meta.js", "root/.ssh/authorized_keys")


class Verdict(str, enum.Enum):
    """What a reader does with the drive."""

    ACCEPTS = "accepts"  # finds it and reads its configuration
    NO_CONFIG = "no-config"  # finds it, but nothing on it is for this reader
    REJECTS = "rejects"  # finds it and fails on it
    NOT_FOUND = "not-found"  # never looks at it


@dataclass(frozen=True)
class ReaderVerdict:
    """One reader's verdict on the drive, with its reasons."""

    reader: str
    verdict: Verdict
    reads: str | None = None
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    # A rejection the drive's own defect causes; False when the drive is simply made for
    # another reader (a cloud-config is not for Ignition).
    defect: bool = True

    @property
    def name(self) -> str:
        """The reader's name as its project spells it."""
        return READER_NAMES[self.reader]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "reader": self.reader,
            "verdict": self.verdict.value,
            "reads": self.reads,
            "reasons": list(self.reasons),
            "warnings": list(self.warnings),
            "defect": self.verdict is Verdict.REJECTS and self.defect,
        }


class CloudInitFailure(Exception):
    """cloud-init could not use the drive: `unreadable` (skipped quietly) or `broken`.

    `refused`: a document over build's limits (see `refusal`), which inspect does not parse.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class CloudInitReading:
    """What cloud-init's reader returns for the drive (`read_config_drive`, NoCloud's seed)."""

    datasource: str
    folder: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    userdata: bytes = b""
    vendordata: Any = None
    vendordata2: Any = None
    networkdata: Any = None
    network_config: Any = None
    files: dict[Any, bytes] = field(default_factory=dict)
    ec2_metadata: Any = None
    dsmode: str | None = None
    version: int = 2
    present: frozenset[str] = frozenset()

    @property
    def ssh_keys(self) -> list[str]:
        """The keys cloud-init installs (`normalize_pubkey_data`)."""
        name = "public-keys" if self.version == 1 or self.datasource == "NoCloud" else "public_keys"
        return normalize_pubkey_data(self.metadata.get(name))


def normalize_pubkey_data(data: Any) -> list[str]:
    """cloud-init's `sources.normalize_pubkey_data`."""
    if not data:
        return []
    if isinstance(data, str):
        return data.splitlines()
    if isinstance(data, list | set):
        return list(data)
    keys: list[str] = []
    if isinstance(data, dict):
        for value in data.values():
            items = [value] if isinstance(value, str) else value
            if isinstance(items, list | set):
                keys.extend(key for key in items if key)
    return keys


# --------------------------------------------------------------------------- cloud-init


def selected_version(view: DriveView) -> str:
    """The `openstack/` folder cloud-init reads (`_find_working_version`)."""
    # It lists every name in openstack/, files included (its isdir check tests the wrong path).
    available = set(view.listdir("openstack") or [])
    for version in reversed(CLOUD_INIT_VERSIONS):
        if version in available:
            return version
    return LATEST


def refusal(path: str, data: bytes, *, json_only: bool) -> str | None:
    """Why inspect refuses to parse the document at `path` (build's limits), or None.

    Every document is checked before a reader's parser sees it: 10,000 levels of nesting
    would exhaust Python's stack, and a YAML alias bomb expands to billions of values in
    whatever walks it. Such a document is no configuration; inspect reports it and reads
    no further, rather than guess what each reader's parser does at its own limits.
    """
    problem = drive_document_refusal(Source(path, data), json_only=json_only)
    if problem is None:
        return None
    return f"{path}: {problem.message}: a document build refuses, so inspect reads no further"


def _refused(path: str, data: bytes, *, json_only: bool) -> None:
    """Raise CloudInitFailure (`refused`) for a document over build's limits."""
    if (reason := refusal(path, data, json_only=json_only)) is not None:
        raise CloudInitFailure("refused", reason)


def _load_json(data: bytes, root_types: tuple[type, ...] = (dict,)) -> Any:
    """cloud-init's util.load_json: strict UTF-8, Python's json, and a check of the root type."""
    decoded = json.loads(data.decode("utf-8"))
    if not isinstance(decoded, root_types):
        names = ", ".join(kind.__name__ for kind in root_types)
        raise TypeError(f"the JSON is a {_json_type(decoded)}, not a {names}")
    return decoded


_JSON_TYPES = {dict: "mapping", list: "list", str: "string", int: "number", float: "number"}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return _JSON_TYPES.get(type(value), type(value).__name__)


def read_config_drive(view: DriveView) -> CloudInitReading:
    """What `DataSourceConfigDrive.read_config_drive` returns, or CloudInitFailure."""
    try:
        return _read_v2(view)
    except CloudInitFailure as failure:
        if failure.kind != "unreadable":
            raise
        if any(view.resolve(path) is not None for path in _V1_FILES):
            return CloudInitReading("ConfigDrive", folder="", version=1)
        raise


def _read_documents(view: DriveView, folder: str) -> tuple[dict[str, Any], set[str]]:
    """`read_v2`'s documents, each through its translator, and the names present."""
    present = set()
    loaders: dict[str, tuple[str, bool, Callable[[bytes], Any]]] = {
        "metadata": ("meta_data.json", True, _load_json),
        "userdata": ("user_data", False, lambda data: data),
        "vendordata": ("vendor_data.json", False, _load_any_json),
        "vendordata2": ("vendor_data2.json", False, _load_any_json),
        "networkdata": ("network_data.json", False, _load_any_json),
    }
    values: dict[str, Any] = {}
    for key, (name, required, loader) in loaders.items():
        path = f"{folder}/{name}"
        data = view.read_file(path)
        if data is None:
            if required:
                raise CloudInitFailure("unreadable", f"{path} is missing")
            continue
        present.add(name)
        if key != "userdata":
            _refused(path, data, json_only=True)
        try:
            values[key] = loader(data)
        except (ValueError, TypeError) as error:
            raise CloudInitFailure("broken", f"{path} is not valid: {_reason(error)}") from None
    return values, present


def _read_v2(view: DriveView) -> CloudInitReading:
    version = selected_version(view)
    folder = f"openstack/{version}"
    reading = CloudInitReading("ConfigDrive", folder=folder)
    values, present = _read_documents(view, folder)
    metadata: dict[str, Any] = values["metadata"]
    reading.present = frozenset(present)
    reading.userdata = values.get("userdata", b"")
    reading.vendordata = values.get("vendordata")
    reading.vendordata2 = values.get("vendordata2")
    reading.networkdata = values.get("networkdata")
    meta_path = f"{folder}/meta_data.json"
    if "random_seed" in metadata:
        try:
            metadata["random_seed"] = base64.b64decode(metadata["random_seed"])
        except (ValueError, TypeError, binascii.Error):
            raise CloudInitFailure("broken", f"{meta_path}: random_seed is not base64") from None
    reading.files = _content_files(view, metadata, meta_path)
    network_item = metadata.get("network_config")
    if network_item:
        data = _content_path(view, network_item, f"{meta_path}: network_config")
        try:
            reading.network_config = data.decode("utf-8")
        except UnicodeDecodeError:
            raise CloudInitFailure(
                "broken", f"{meta_path}: network_config's file is not UTF-8"
            ) from None
    if "meta" in metadata:
        meta = metadata["meta"]
        if isinstance(meta, dict) and "dsmode" in meta:
            reading.dsmode = meta["dsmode"]
        elif _indexing_fails(meta):
            raise CloudInitFailure("broken", f"{meta_path}: meta is not a mapping")
    reading.ec2_metadata = _ec2_metadata(view)
    if "uuid" not in metadata:
        raise CloudInitFailure("broken", f"{meta_path} has no 'uuid'")
    if "hostname" in metadata:
        metadata["local-hostname"] = metadata["hostname"]
    metadata["instance-id"] = metadata["uuid"]
    reading.metadata = metadata
    return reading


def _indexing_fails(value: Any) -> bool:
    """Whether `value["dsmode"]` raises something other than KeyError (cloud-init crashes)."""
    try:
        value["dsmode"]
    except KeyError:
        return False
    except Exception:  # exactly what cloud-init lets escape
        return True
    return False


def _load_any_json(data: bytes) -> Any:
    return _load_json(data, (dict, list, str))


def _reason(error: BaseException) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"invalid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
    if isinstance(error, UnicodeDecodeError):
        return "it is not UTF-8"
    return str(error)


def _content_files(view: DriveView, metadata: dict[str, Any], meta_path: str) -> dict[Any, bytes]:
    # Keyed as cloud-init keys them: by the path as given, which may be a number or null.
    files: dict[Any, bytes] = {}
    items = metadata.get("files", [])
    if not isinstance(items, list | dict | str | tuple):
        raise CloudInitFailure("broken", f"{meta_path}: files is not a list")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            if isinstance(item, str) and "path" not in item:
                continue
            raise CloudInitFailure("broken", f"{meta_path}: files[{index}] is not a mapping")
        if "path" not in item:
            continue
        where = f"{meta_path}: files[{index}]"
        data = _content_path(view, item, where)
        path = item["path"]
        if isinstance(path, list | dict):
            # cloud-init keys its files by path: an unhashable one fails that read, and
            # the failure is a broken drive (helpers/openstack.py read_v2).
            raise CloudInitFailure("broken", f"{where}: path is a {_json_type(path)}, not a name")
        files[path] = data
    return files


def _content_path(view: DriveView, item: Any, where: str) -> bytes:
    """`_read_content_path`: content paths are relative to openstack/."""
    if not isinstance(item, dict) or not isinstance(item.get("content_path", ""), str):
        raise CloudInitFailure("broken", f"{where} has no valid content_path")
    raw = item.get("content_path", "")
    pieces = raw.lstrip("/").split("/")
    if not [piece for piece in pieces if piece]:
        raise CloudInitFailure("broken", f"{where} has no valid content_path")
    path = "/".join(["openstack", *pieces])
    data = view.read_file(path)
    if data is None:
        message = (
            f"{where}: content_path {raw!r} names openstack/{raw.lstrip('/')}, which is missing"
        )
        if view.read_file(raw.lstrip("/")) is not None:
            message += f"; the drive has it at /{raw.lstrip('/')}, outside openstack/"
        raise CloudInitFailure("broken", message)
    return data


def _ec2_metadata(view: DriveView) -> Any:
    path = "ec2/latest/meta-data.json"
    entry = view.resolve(path)
    if entry is None:
        return {}
    data = view.read_file(path)
    if data is None:
        raise CloudInitFailure("broken", f"{path} is not a file")
    _refused(path, data, json_only=True)
    try:
        return _load_json(data)
    except (ValueError, TypeError) as error:
        raise CloudInitFailure("broken", f"{path} is not valid: {_reason(error)}") from None


def read_nocloud(view: DriveView) -> CloudInitReading:
    """What cloud-init's NoCloud datasource takes from a seed (`pathprefix2dict` and merge)."""
    seeded: dict[str, bytes] = {}
    missing = []
    for name in ("user-data", "meta-data", "vendor-data", "network-config"):
        entry = view.resolve(name)
        if entry is None:
            if name in ("user-data", "meta-data"):
                missing.append(name)
            continue
        if entry.kind != "file":
            raise CloudInitFailure("broken", f"{name} is a folder, not a file")
        seeded[name] = view.drive.read(entry)
    if missing:
        raise CloudInitFailure("unreadable", f"{' and '.join(missing)} missing")
    reading = CloudInitReading("NoCloud", folder="", present=frozenset(seeded))
    for name in ("meta-data", "network-config"):
        if seeded.get(name):
            _refused(name, seeded[name], json_only=False)
    metadata = _load_yaml_mapping(seeded["meta-data"])
    reading.metadata = {**(metadata or {})}
    if seeded.get("network-config"):
        reading.network_config = _load_yaml_mapping(seeded["network-config"])
    reading.userdata = seeded["user-data"]
    reading.vendordata = seeded.get("vendor-data", b"")
    reading.metadata.setdefault("instance-id", "nocloud")
    reading.dsmode = reading.metadata.get("dsmode")
    return reading


def _load_yaml_mapping(data: bytes) -> dict[str, Any] | None:
    """cloud-init's util.load_yaml: a mapping, or None (it only logs a warning) on any failure."""
    try:
        loaded = yaml.safe_load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def cloud_init_verdict(
    drive: Drive, view: DriveView
) -> tuple[ReaderVerdict, CloudInitReading | None, CloudInitFailure | None]:
    """cloud-init's verdict: the datasource the label selects, and what it reads."""
    label = drive.label or ""
    nocloud_label = label in NOCLOUD_LABELS or (
        drive.fat is not None and drive.fat.boot_label == "cidata"
    )
    if label in CONFIG_DRIVE_LABELS:
        datasource, reader = "ConfigDrive", read_config_drive
    elif nocloud_label:
        datasource, reader = "NoCloud", read_nocloud
    else:
        reason = (
            f"the label is {label!r}: cloud-init looks for config-2 or CONFIG-2 "
            "(config drives) and cidata or CIDATA (NoCloud seeds)"
        )
        return ReaderVerdict("cloud-init", Verdict.NOT_FOUND, reasons=(reason,)), None, None
    if drive.format not in ("iso9660", "vfat"):
        reason = f"cloud-init reads {datasource} drives formatted iso9660 or vfat"
        return ReaderVerdict("cloud-init", Verdict.NOT_FOUND, reasons=(reason,)), None, None
    try:
        reading = reader(view)
    except CloudInitFailure as failure:
        reason = failure.message + _names_hint(drive, view)
        if failure.kind == "broken":
            reason += " (cloud-init logs 'Broken config drive' and boots without it)"
        return ReaderVerdict("cloud-init", Verdict.REJECTS, reasons=(reason,)), None, failure
    where = f"{reading.folder}" if reading.folder else "the seed's root"
    reads = f"{datasource}: {where}"
    warnings = []
    if reading.version == 1:
        warnings.append("a legacy version 1 drive (no openstack/ folder); inspect reads no further")
    if reading.dsmode in ("disabled", "pass"):
        warnings.append(
            f"meta dsmode is {reading.dsmode!r}: cloud-init "
            + ("ignores the drive" if reading.dsmode == "disabled" else "only applies its network")
        )
    if datasource == "NoCloud" and reading.metadata.get("instance-id") == "nocloud":
        warnings.append(
            "meta-data gives no instance-id (or is not a YAML mapping): cloud-init uses "
            "'nocloud', so every VM with this seed counts as the same instance"
        )
    verdict = Verdict.NO_CONFIG if reading.dsmode == "disabled" else Verdict.ACCEPTS
    return (
        ReaderVerdict("cloud-init", verdict, reads=reads, warnings=tuple(warnings)),
        reading,
        None,
    )


def _names_hint(drive: Drive, view: DriveView) -> str:
    if drive.linux_tree != "iso9660" or drive.iso is None:
        return ""
    cut = " and cut to 8.3" if drive.iso.names == "8.3" else ""
    return (
        "; the drive has neither Rock Ridge nor Joliet names, so Linux shows its ISO9660 "
        f"names, lower-cased{cut} ({', '.join(_top_names(view))})"
    )


def _top_names(view: DriveView, limit: int = 4) -> list[str]:
    files = [entry.path for entry in view.entries() if entry.kind == "file"]
    return files[:limit] + (["..."] if len(files) > limit else [])


# --------------------------------------------------------------------------- the CoreOS family


def _found_by_label(drive: Drive, reader: str, labels: tuple[str, ...]) -> str | None:
    """Why `reader` never sees the drive (its label), or None."""
    label = drive.label or ""
    if label in labels:
        return None
    wanted = " or ".join(labels)
    return f"the label is {label!r}; {READER_NAMES[reader]} looks only for {wanted}"


def coreos_cloudinit_verdict(drive: Drive, view: DriveView) -> ReaderVerdict:
    """Container Linux's coreos-cloudinit: openstack/latest, a cloud-config or a script."""
    return _coreos_family_verdict(drive, view, flatcar=False)


def flatcar_cloudinit_verdict(
    drive: Drive, view: DriveView, upstream: ReaderVerdict
) -> ReaderVerdict | None:
    """Flatcar's fork of coreos-cloudinit, only where its verdict differs from v1.14.0's.

    It finds and reads the drive as v1.14.0 does; it decodes a cloud-config with yaml.v3
    and its own rules (coreos_cloudinit.FLATCAR), and ignores user data it does not
    recognise instead of failing (initialize/user_data.go:251-256, :327-328 at 1c1d7f4).
    """
    from configdrive.validation.coreos_cloudinit import FLATCAR, READER

    fork = _coreos_family_verdict(drive, view, flatcar=True)
    if fork.verdict in (Verdict.ACCEPTS, Verdict.NO_CONFIG) and (cut := _meta_hostname_cut(view)):
        fork = replace(fork, warnings=(*fork.warnings, cut))

    def named(texts: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(text.replace(FLATCAR.name, READER) for text in texts)

    same = (
        fork.verdict is upstream.verdict
        and named(fork.reasons) == upstream.reasons
        and named(fork.warnings) == upstream.warnings
    )
    return None if same else fork


def _meta_hostname_cut(view: DriveView) -> str | None:
    """meta_data.json's host name, when Flatcar's fork cuts it and no cloud-config's
    host name replaces it (coreos-cloudinit.go:281-299 at 1c1d7f4)."""
    meta = view.read_file("openstack/latest/meta_data.json")
    try:
        hostname = _strict_json(meta).get("hostname") if meta else None
    except (ValueError, UnicodeDecodeError, AttributeError):
        return None
    if not isinstance(hostname, str) or hostname.split(".", 1)[0][:63] == hostname:
        return None
    user_data = _gunzip_like_go(view.read_file("openstack/latest/user_data") or b"")
    if user_data.startswith(b"#cloud-config"):
        try:
            data = yaml.safe_load(user_data.decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            data = None
        if isinstance(data, dict) and data.get("hostname"):
            return None  # the cloud-config's host name wins, and its own finding says so
    short = hostname.split(".", 1)[0][:63]
    return (
        f"openstack/latest/meta_data.json hostname: Flatcar's coreos-cloudinit sets the host "
        f"name to {short!r}: it cuts a host name at its first dot and at 63 characters"
    )


def _coreos_family_verdict(drive: Drive, view: DriveView, *, flatcar: bool) -> ReaderVerdict:
    reader = "flatcar-coreos-cloudinit" if flatcar else "coreos-cloudinit"
    missed = _found_by_label(drive, reader, (COREOS_LABEL,))
    if missed:
        return ReaderVerdict(reader, Verdict.NOT_FOUND, reasons=(missed,))
    reads = "openstack/latest"
    meta = view.read_file("openstack/latest/meta_data.json")
    if meta and (refused := refusal("openstack/latest/meta_data.json", meta, json_only=True)):
        return ReaderVerdict(reader, Verdict.REJECTS, reads, (refused,))
    if meta:
        problem = _go_meta_data_problem(meta)
        if problem:
            return ReaderVerdict(
                reader,
                Verdict.REJECTS,
                reads,
                (f"openstack/latest/meta_data.json: {problem}; coreos-cloudinit stops",),
            )
    user_data = view.read_file("openstack/latest/user_data")
    if not user_data:
        message = "no openstack/latest/user_data" if user_data is None else "the user data is empty"
        if meta is None:
            message += " and no openstack/latest/meta_data.json"
        return ReaderVerdict(
            reader, Verdict.NO_CONFIG, reads, (message + _names_hint(drive, view),)
        )
    payload = _gunzip_like_go(user_data)
    first_line = payload.split(b"\n", 1)[0].rstrip()
    if first_line == b"#cloud-config":
        if refused := refusal("openstack/latest/user_data", payload, json_only=False):
            return ReaderVerdict(reader, Verdict.REJECTS, reads, (refused,))
        problem = _yaml_problem(payload)
        if problem:
            return ReaderVerdict(
                reader, Verdict.REJECTS, reads, (f"the cloud-config is not valid YAML: {problem}",)
            )
        return _coreos_apply_verdict(payload, reads, flatcar=flatcar)
    if payload.startswith(b"#!"):
        return ReaderVerdict(reader, Verdict.ACCEPTS, reads)
    stripped = payload.strip()
    if stripped.startswith(b"{") and stripped.endswith(b"}"):
        return ReaderVerdict(
            reader, Verdict.NO_CONFIG, reads, ("the user data is an Ignition config; it exits",)
        )
    if flatcar and _is_multipart_mime(payload):
        return _flatcar_mime_verdict(payload, reads)
    if flatcar:
        # initialize/user_data.go:251-256 and :327-328 at 1c1d7f4: an "unknown" part, logged
        # and skipped; the run goes on and succeeds.
        return ReaderVerdict(
            reader,
            Verdict.NO_CONFIG,
            reads,
            ("the user data is neither '#cloud-config' nor a '#!' script; it skips it",),
        )
    return ReaderVerdict(
        reader,
        Verdict.REJECTS,
        reads,
        (
            "the user data is neither '#cloud-config' nor a '#!' script "
            "(coreos-cloudinit: 'Unrecognized user-data format')",
        ),
        defect=False,
    )


# Flatcar's fork reads multipart MIME (initialize/user_data.go:63-164 at 1c1d7f4).
_MIME_HEADER_LINE = re.compile(rb"[!-9;-~]+:[^\r\n]*|[ \t][^\r\n]*")
_GZIP_TYPES = frozenset(
    {
        "application/gzip", "application/gzip-compressed", "application/gzipped",
        "application/x-compress", "application/x-compressed", "application/x-gunzip",
        "application/x-gzip", "application/x-gzip-compressed",
    }
)  # fmt: skip


def _is_multipart_mime(payload: bytes) -> bool:
    """config.IsMultipartMime (config/config.go:61-71): a header block whose Content-Type
    mentions multipart/mixed."""
    head = re.split(rb"\r?\n\r?\n", payload, maxsplit=1)[0]
    lines = head.splitlines()
    if not lines or not all(_MIME_HEADER_LINE.fullmatch(line) for line in lines):
        return False
    return any(
        line.lower().startswith(b"content-type:") and b"multipart/mixed" in line for line in lines
    )


def _flatcar_mime_verdict(payload: bytes, reads: str) -> ReaderVerdict:
    """What the fork makes of multipart MIME user data: each part, by its Content-Type."""
    import email
    import email.message

    reader = "flatcar-coreos-cloudinit"
    message = email.message_from_bytes(payload)
    if message.get_content_type() != "multipart/mixed" or not message.get_param("boundary"):
        # :78-86: anything else fails the parse; nothing of the user data runs.
        why = "it is not multipart/mixed with a boundary"
        return ReaderVerdict(reader, Verdict.REJECTS, reads, (f"the MIME user data: {why}",))
    reasons: list[str] = []
    warnings: list[str] = []
    parts = message.get_payload()
    for number, part in enumerate(parts if isinstance(parts, list) else [], start=1):
        where = f"MIME part {number}"
        if not isinstance(part, email.message.Message) or part.get("Content-Type") is None:
            reasons.append(f"{where} has no Content-Type: the whole user data is dropped")
            continue  # parseMimeHeader (:383-387) fails NewUserData
        encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
        # Go's multipart reader undoes quoted-printable itself (mime/multipart NextPart).
        raw: Any = (
            part.get_payload(decode=True)
            if encoding == "quoted-printable"
            else part.get_payload(decode=False)
        )
        body = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
        if isinstance(raw, bytes):
            body = raw
        if encoding == "base64":
            try:  # :109-114, Go's strict StdEncoding
                clean = body.replace(b"\r", b"").replace(b"\n", b"")
                body = base64.b64decode(clean, validate=True)
            except (binascii.Error, ValueError):
                reasons.append(
                    f"{where}: its base64 does not decode: the whole user data is dropped"
                )
                continue
        kind = part.get_content_type()
        if kind in _GZIP_TYPES:
            try:
                body = gunzip_bounded(body, MAX_DECOMPRESSED)
            except ValueError:
                reasons.append(f"{where}: it is not gzip data: the whole user data is dropped")
                continue
            kind = ""  # :150-159: sniffed like whole user data
        part_reasons, part_warnings = _flatcar_part(kind, body, reads)
        reasons += [f"{where}: {text}" for text in part_reasons]
        warnings += [f"{where}: {text}" for text in part_warnings]
    verdict = Verdict.REJECTS if reasons else Verdict.ACCEPTS
    return ReaderVerdict(reader, verdict, reads, tuple(reasons), tuple(warnings))


def _flatcar_part(kind: str, body: bytes, reads: str) -> tuple[list[str], list[str]]:
    """One MIME part's reasons and warnings (initialize/user_data.go:115-160 at 1c1d7f4)."""
    first_line = body.split(b"\n", 1)[0]
    if kind == "text/x-shellscript":
        if first_line.startswith(b"#!"):
            return [], []
        return [
            "a text/x-shellscript part must start with '#!': the whole user data is dropped"
        ], []
    if kind != "text/cloud-config":
        if first_line.startswith(b"#!"):
            return [], []
        if first_line.rstrip() != b"#cloud-config":
            return [], ["not a cloud-config or a script: Flatcar's coreos-cloudinit skips it"]
    if len(body) < len(b"#cloud-config"):
        # :202 slices the first 13 bytes of the part: a shorter one is out of range.
        return ["a cloud-config part shorter than 13 bytes crashes Flatcar's coreos-cloudinit"], []
    problem = _yaml_problem(body)
    if problem:
        return [f"the cloud-config is not valid YAML: {problem}"], []
    verdict = _coreos_apply_verdict(body, reads, flatcar=True)
    return list(verdict.reasons), list(verdict.warnings)


def _coreos_apply_verdict(
    cloud_config: bytes, reads: str, *, flatcar: bool = False
) -> ReaderVerdict:
    """What coreos-cloudinit's parse and Apply do with a cloud-config (coreos_cloudinit.py).

    Dropping the whole cloud-config or stopping part-way is a rejection: the machine is not
    configured as asked. What it ignores or refuses in passing is a warning.
    """
    from configdrive.inputs.documents import Source, parse_document
    from configdrive.problems import format_path
    from configdrive.validation.coreos_cloudinit import (
        COREOS,
        FLATCAR,
        Outcome,
        coreos_findings,
        reported,
    )

    name = "flatcar-coreos-cloudinit" if flatcar else "coreos-cloudinit"
    document = parse_document(Source("openstack/latest/user_data", cloud_config), [])
    if document is None:
        return ReaderVerdict(name, Verdict.ACCEPTS, reads)
    targeted = isinstance(document.data, dict) and "coreos" in document.data
    reasons, warnings = [], []
    for finding in coreos_findings(document, FLATCAR if flatcar else COREOS):
        if not reported(finding, targeted):
            continue
        where = f"{format_path(finding.path)}: " if finding.path else ""
        text = where + finding.message
        if finding.outcome in (Outcome.DROPS_CONFIG, Outcome.STOPS):
            reasons.append(text)
        else:
            warnings.append(text)
    verdict = Verdict.REJECTS if reasons else Verdict.ACCEPTS
    return ReaderVerdict(name, verdict, reads, tuple(reasons), tuple(warnings))


def _gunzip_like_go(data: bytes) -> bytes:
    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        return gunzip_bounded(data, MAX_DECOMPRESSED)
    except ValueError:
        return data  # decompressIfGzip keeps the raw data when gunzip fails


def _strict_json(data: bytes) -> Any:
    """JSON as Go and Rust read it: no NaN or Infinity."""
    return json.loads(data.decode("utf-8"), parse_constant=_refuse)


def _go_meta_data_problem(data: bytes) -> str | None:
    """Why Go's json.Unmarshal into coreos-cloudinit's struct fails, or None."""
    try:
        value = _strict_json(data)
    except (ValueError, UnicodeDecodeError) as error:
        return f"not valid JSON ({_reason(error)})"
    if value is None:
        return None
    if not isinstance(value, dict):
        return f"the JSON is a {_json_type(value)}, not a mapping"
    keys = value.get("public_keys")
    if keys is not None and not (
        isinstance(keys, dict) and all(isinstance(key, str) for key in keys.values())
    ):
        return "public_keys is not a mapping of names to key strings"
    if value.get("hostname") is not None and not isinstance(value["hostname"], str):
        return "hostname is not a string"
    network = value.get("network_config")
    if network is not None and not (
        isinstance(network, dict)
        and (network.get("content_path") is None or isinstance(network["content_path"], str))
    ):
        return "network_config is not a mapping with a string content_path"
    return None


def _yaml_problem(data: bytes) -> str | None:
    try:
        loaded = yaml.safe_load(data.decode("utf-8"))
    except UnicodeDecodeError:
        return "it is not UTF-8"
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        return f"{getattr(error, 'problem', None) or 'syntax error'}{where}"
    except RecursionError:
        return "it nests too deeply"
    if loaded is not None and not isinstance(loaded, dict):
        return "it is not a mapping"
    return None


def ignition_verdict(drive: Drive, view: DriveView) -> ReaderVerdict:
    """Ignition's OpenStack provider: openstack/latest/user_data, an Ignition config or nothing."""
    reader = "ignition"
    missed = _found_by_label(drive, reader, CONFIG_DRIVE_LABELS)
    if missed:
        return ReaderVerdict(reader, Verdict.NOT_FOUND, reasons=(missed,))
    reads = "openstack/latest/user_data"
    user_data = view.read_file(reads)
    if not user_data:
        message = "no openstack/latest/user_data" if user_data is None else "the user data is empty"
        return ReaderVerdict(
            reader, Verdict.NO_CONFIG, reads, (message + "; Ignition goes on with an empty config",)
        )
    # Only JSON containers nest; counting the brackets of a script or cloud-config as JSON's
    # would refuse text Ignition simply fails to parse.
    container = user_data.lstrip()[:1] in (b"{", b"[")
    if container and (refused := refusal(reads, user_data, json_only=True)):
        return ReaderVerdict(reader, Verdict.REJECTS, reads, (refused,))
    try:
        config = _strict_json(user_data)
    except (ValueError, UnicodeDecodeError):
        config = None
    ignition = config.get("ignition") if isinstance(config, dict) else None
    version = ignition.get("version") if isinstance(ignition, dict) else None
    if not isinstance(version, str):
        kind = _user_data_kind(sniff_user_data(user_data))
        return ReaderVerdict(
            reader,
            Verdict.REJECTS,
            reads,
            (f"the user data is {kind}, not an Ignition config; Ignition fails the boot",),
            defect=False,
        )
    # The rules build uses: inspect never says "accepts" for a config Ignition refuses.
    from configdrive.inputs.documents import Source
    from configdrive.problems import Severity
    from configdrive.validation.ignition import config_problems

    problems = config_problems(Source(reads, user_data))
    # Each as a reason: where in the file, the path, what (the file is `reads`).
    said = {
        severity: tuple(
            f"line {p.line}: {p.path_text or '$'}: {p.message}"
            for p in problems
            if p.severity is severity
        )
        for severity in Severity
    }
    if said[Severity.ERROR]:
        return ReaderVerdict(
            reader, Verdict.REJECTS, reads, said[Severity.ERROR], warnings=said[Severity.WARNING]
        )
    return ReaderVerdict(reader, Verdict.ACCEPTS, reads, warnings=said[Severity.WARNING])


def _user_data_kind(sniffed: SniffedUserData) -> str:
    """The user data's kind, in Ignition's rejection (Ignition does not gunzip it)."""
    if sniffed.gzipped:
        return "gzip data"
    kind = sniffed.kind
    return f"a {kind.value}" if kind is not None else "unrecognised data"


def afterburn_verdict(drive: Drive, view: DriveView) -> ReaderVerdict:
    """Afterburn: config-2 mounted as iso9660, openstack/latest/meta_data.json required."""
    reader = "afterburn"
    missed = _found_by_label(drive, reader, (COREOS_LABEL,))
    if missed:
        return ReaderVerdict(reader, Verdict.NOT_FOUND, reasons=(missed,))
    if drive.format != "iso9660":
        return ReaderVerdict(
            reader,
            Verdict.NOT_FOUND,
            reasons=(
                f"the drive is {drive.format}: Afterburn mounts config-2 as iso9660 only, "
                "then falls back to the metadata service",
            ),
        )
    reads = "openstack/latest/meta_data.json"
    data = view.read_file(reads)
    if data is None:
        return ReaderVerdict(
            reader, Verdict.REJECTS, reads, (f"{reads} is missing" + _names_hint(drive, view),)
        )
    if refused := refusal(reads, data, json_only=True):
        return ReaderVerdict(reader, Verdict.REJECTS, reads, (refused,))
    problem = _serde_meta_data_problem(data)
    if problem:
        return ReaderVerdict(reader, Verdict.REJECTS, reads, (f"{reads}: {problem}",))
    return ReaderVerdict(reader, Verdict.ACCEPTS, reads)


def _serde_meta_data_problem(data: bytes) -> str | None:
    """Why serde fails on Afterburn's MetadataOpenstackJSON, or None."""
    duplicates: list[str] = []
    fields = ("uuid", "availability_zone", "hostname", "public_keys")

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in items:
            if key in seen and key in fields:
                duplicates.append(key)
            seen[key] = value
        return seen

    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=pairs, parse_constant=_refuse)
    except (ValueError, UnicodeDecodeError) as error:
        return f"not valid JSON ({_reason(error)})"
    if not isinstance(value, dict):
        return f"the JSON is a {_json_type(value)}, not a mapping"
    if duplicates:
        return f"the key {duplicates[0]!r} appears twice"
    for key in ("uuid", "availability_zone", "hostname"):
        if value.get(key) is not None and not isinstance(value[key], str):
            return f"{key} is not a string"
    keys = value.get("public_keys")
    if keys is None:
        return None
    if not isinstance(keys, dict) or not all(isinstance(key, str) for key in keys.values()):
        return "public_keys is not a mapping of names to key strings"
    for name, line in keys.items():
        if public_key_problem(line):
            return f"public_keys.{name} is not an SSH public key Afterburn can parse"
    return None


def _refuse(constant: str) -> Any:
    """NaN, Infinity and -Infinity: Python's json takes them, Go's and Rust's refuse them."""
    raise ValueError(f"{constant} is not JSON")
