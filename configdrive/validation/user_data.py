"""User data: which kind it is (as the readers decide) and whether it is sound.

User data goes onto the drive byte for byte; this module only looks at it.
cloud-init and coreos-cloudinit both sniff the first bytes, both gunzip, and
cloud-init unpacks MIME multipart; we follow the same rules so that what we
validate is what the reader will run.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from configdrive.inputs.documents import (
    MAX_DOCUMENT_SIZE,
    Budget,
    Source,
    decode_text,
    document_size_problem,
    json_size_problem,
    parse_document,
)
from configdrive.problems import Problem, Severity, errors_in
from configdrive.validation.checks import (
    MAX_MIME_PARTS,
    TooLargeError,
    cloud_config_problems,
    gunzip_bounded,
    mime_part_bound,
)
from configdrive.validation.json_schemas import CLOUD_CONFIG, schema_problems

if TYPE_CHECKING:
    from email.message import Message

NOVA_USER_DATA_LIMIT = 65535
# Readers hold decompressed user data in memory; more than this is a mistake or a bomb.
MAX_DECOMPRESSED = 64 * 1024 * 1024
MAX_NESTING = 5
GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"


class Target(str, enum.Enum):
    """Which reader a machine's user data is for: it decides what is an error.

    `auto` treats a cloud-config with a `coreos:` section as Container Linux's; otherwise
    what coreos-cloudinit would do differently is a warning that names it.
    """

    AUTO = "auto"
    CONTAINER_LINUX = "container-linux"  # coreos-cloudinit: refusals and aborts are errors
    CLOUD_INIT = "cloud-init"  # coreos-cloudinit's view is not reported


class UserDataKind(str, enum.Enum):
    """The kinds of user data the readers recognise."""

    CLOUD_CONFIG = "cloud-config"
    SCRIPT = "script"
    IGNITION = "ignition"
    MIME_MULTIPART = "mime-multipart"
    INCLUDE = "include"
    CLOUD_BOOTHOOK = "cloud-boothook"
    PART_HANDLER = "part-handler"
    CLOUD_CONFIG_ARCHIVE = "cloud-config-archive"
    CLOUD_CONFIG_JSONP = "cloud-config-jsonp"
    JINJA_TEMPLATE = "jinja-template"


# Longest first: "#cloud-config-archive" also starts with "#cloud-config".
_PREFIXES: tuple[tuple[bytes, UserDataKind], ...] = (
    (b"#cloud-config-archive", UserDataKind.CLOUD_CONFIG_ARCHIVE),
    (b"#cloud-config-jsonp", UserDataKind.CLOUD_CONFIG_JSONP),
    (b"#cloud-config", UserDataKind.CLOUD_CONFIG),
    (b"#cloud-boothook", UserDataKind.CLOUD_BOOTHOOK),
    (b"#part-handler", UserDataKind.PART_HANDLER),
    (b"#include-once", UserDataKind.INCLUDE),
    (b"#include", UserDataKind.INCLUDE),
    (b"## template: jinja", UserDataKind.JINJA_TEMPLATE),
    (b"#!", UserDataKind.SCRIPT),
)

# What coreos-cloudinit (Container Linux) can run; the rest only cloud-init reads.
COREOS_KINDS = frozenset({UserDataKind.CLOUD_CONFIG, UserDataKind.SCRIPT, UserDataKind.IGNITION})


@dataclass(frozen=True)
class UserDataInfo:
    """What the readers will see in the user data."""

    kind: UserDataKind
    gzipped: bool
    size: int
    # The cloud-config's own `hostname`, which both readers apply; meta_data follows it.
    hostname: str | None = None
    # The cloud-configs' ssh_authorized_keys, top level and users[] (the build summary counts
    # them with meta_data's keys).
    ssh_keys: tuple[str, ...] = ()

    @property
    def description(self) -> str:
        """`cloud-config`, or `gzip+cloud-config` when compressed."""
        return f"gzip+{self.kind.value}" if self.gzipped else self.kind.value


def inspect_user_data(
    source: Source, problems: list[Problem], target: Target = Target.AUTO
) -> UserDataInfo | None:
    """Classify and validate user data for `target`, adding every problem found to `problems`."""
    data = source.data
    if not data.strip():
        problems.append(Problem(source.name, "user data is empty"))
        return None
    if too_large := document_size_problem(source, "user data"):
        problems.append(too_large)  # bytes from the API; files are refused before reading
        return None
    if len(data) > NOVA_USER_DATA_LIMIT:
        problems.append(
            Problem(
                source.name,
                f"user data is {len(data)} bytes; Nova and most clouds accept at most "
                f"{NOVA_USER_DATA_LIMIT}",
                severity=Severity.WARNING,
            )
        )
    gzipped = data.startswith(GZIP_MAGIC)
    found: list[Any] = []
    before = len(problems)
    # One budget for all the parts and layers: the user data is one document to its reader.
    kind = _check_payload(source, problems, 0, found, Budget(), target)
    if kind is None:
        return None
    if (
        kind not in COREOS_KINDS
        and target is not Target.CLOUD_INIT
        and not errors_in(problems[before:])
    ):
        for_coreos = target is Target.CONTAINER_LINUX
        problems.append(
            Problem(
                source.name,
                f"{kind.value} user data is read by cloud-init only; "
                "coreos-cloudinit and Ignition will not run it"
                + (" (coreos-cloudinit: 'Unrecognized user-data format')" if for_coreos else ""),
                severity=Severity.ERROR if for_coreos else Severity.WARNING,
            )
        )
    hostname = found[0].get("hostname") if kind is UserDataKind.CLOUD_CONFIG and found else None
    return UserDataInfo(
        kind,
        gzipped,
        len(data),
        hostname if isinstance(hostname, str) else None,
        _authorized_keys(found),
    )


def _authorized_keys(cloud_configs: list[Any]) -> tuple[str, ...]:
    """Every ssh_authorized_keys entry (coreos-cloudinit's dashed spelling too), in order."""
    spellings = ("ssh_authorized_keys", "ssh-authorized-keys")
    holders: list[Any] = []
    for config in cloud_configs:
        if isinstance(config, dict):
            holders.append(config)
            users = config.get("users")
            holders += users if isinstance(users, list) else []
    return tuple(
        key
        for holder in holders
        if isinstance(holder, dict)
        for spelling in spellings
        if isinstance(holder.get(spelling), list)
        for key in holder[spelling]
        if isinstance(key, str) and key.strip()
    )


@dataclass(frozen=True)
class SniffedUserData:
    """User data as the readers sniff it: gunzipped once, then told by its first bytes."""

    gzipped: bool
    # What `kind` was told from: the data, or the gunzipped data; None when it would not gunzip.
    payload: bytes | None
    kind: UserDataKind | None

    @property
    def label(self) -> str:
        """`cloud-config`, `gzip+script`, ... or `empty`, `broken gzip`, `unrecognised`."""
        if self.payload is None:
            return "broken gzip"
        if not self.gzipped and not self.payload.strip():
            return "empty"
        kind = self.kind.value if self.kind is not None else "unrecognised"
        return f"gzip+{kind}" if self.gzipped else kind


def sniff_user_data(data: bytes) -> SniffedUserData:
    """Gunzip `data` if it is gzip (at most MAX_DECOMPRESSED bytes) and tell its kind."""
    if not data.startswith(GZIP_MAGIC):
        return SniffedUserData(False, data, classify(data))
    try:
        payload = gunzip_bounded(data, MAX_DECOMPRESSED)
    except ValueError:  # broken, or more than MAX_DECOMPRESSED (TooLargeError)
        return SniffedUserData(True, None, None)
    return SniffedUserData(True, payload, classify(payload))


def classify(data: bytes) -> UserDataKind | None:
    """The kind of (uncompressed) user data, as the readers sniff it, or None."""
    for prefix, kind in _PREFIXES:
        if data.startswith(prefix):
            return kind
    if b"mime-version:" in data[:4096].lower():
        return UserDataKind.MIME_MULTIPART
    if data.lstrip()[:1] == b"{":
        return UserDataKind.IGNITION
    return None


def _check_payload(
    source: Source,
    problems: list[Problem],
    depth: int,
    cloud_configs: list[Any],
    budget: Budget,
    target: Target | None,
) -> UserDataKind | None:
    """Classify and check one payload; parsed cloud-configs are appended to `cloud_configs`.

    `target` is None inside MIME parts, which coreos-cloudinit never reads.
    """
    data = source.data
    if depth > MAX_NESTING:
        problems.append(Problem(source.name, "user data nests gzip or MIME too deeply"))
        return None
    if data.startswith(GZIP_MAGIC):
        try:
            inner = gunzip_bounded(data, budget.decompressed)
        except TooLargeError:
            problems.append(Problem(source.name, _gzip_bomb(budget)))
            return None
        except ValueError as error:
            problems.append(Problem(source.name, f"gzip user data is broken: {error}"))
            return None
        budget.decompressed -= len(inner)
        inner_source = Source(f"{source.name} (gunzipped)", inner)
        return _check_payload(inner_source, problems, depth + 1, cloud_configs, budget, target)
    if data.startswith(UTF8_BOM):
        problems.append(
            Problem(
                source.name,
                "user data starts with a UTF-8 byte order mark, which hides its first line "
                "from every reader; save it without the BOM",
                None,
                1,
                1,
            )
        )
        return None
    kind = classify(data)
    if kind is None:
        problems.append(
            Problem(
                source.name,
                "unrecognised user data: it must start with '#cloud-config', '#!' (a script), "
                "be an Ignition JSON config, MIME multipart, or gzip of one of these",
                None,
                1,
                1,
            )
        )
        return None
    if kind is UserDataKind.CLOUD_CONFIG:
        _check_cloud_config(source, problems, cloud_configs, budget, target)
    elif kind is UserDataKind.IGNITION:
        _check_ignition(source, problems, budget)
    elif kind is UserDataKind.MIME_MULTIPART:
        _check_mime(source, problems, depth, cloud_configs, budget)
    return kind


def _gzip_bomb(budget: Budget) -> str:
    limit = f"{MAX_DOCUMENT_SIZE // (1024 * 1024)} MiB"
    if budget.decompressed < MAX_DOCUMENT_SIZE:
        return f"gzip user data decompresses to more than {limit} in all its parts and layers"
    return f"gzip user data decompresses to more than {limit}, the limit for a document"


def _check_cloud_config(
    source: Source,
    problems: list[Problem],
    parsed: list[Any],
    budget: Budget,
    target: Target | None,
) -> None:
    first_line = source.data.split(b"\n", 1)[0].rstrip()  # config/config.go:47-54
    if first_line != b"#cloud-config" and target not in (None, Target.CLOUD_INIT):
        for_coreos = target is Target.CONTAINER_LINUX
        problems.append(
            Problem(
                source.name,
                "coreos-cloudinit reads a cloud-config only when its first line is exactly "
                "'#cloud-config'",
                None,
                1,
                1,
                severity=Severity.ERROR if for_coreos else Severity.WARNING,
            )
        )
        target = None  # coreos-cloudinit does not read it as a cloud-config at all
    _check_cloud_config_yaml(source, problems, parsed, budget, target)


def _check_cloud_config_yaml(
    source: Source,
    problems: list[Problem],
    parsed: list[Any],
    budget: Budget,
    target: Target | None = None,
) -> None:
    text = decode_text(source, problems, what="cloud-config")
    if text is None:
        return
    document = parse_document(source, problems, text=text, budget=budget)
    if document is None:
        return
    if document.data is None:
        return  # an empty cloud-config is valid: it configures nothing
    if not isinstance(document.data, dict):
        problems.append(document.problem((), "a cloud-config must be a mapping of keys to values"))
        return
    parsed.append(document.data)
    found = schema_problems(
        document, CLOUD_CONFIG, unknown_key_note="neither cloud-init nor coreos-cloudinit reads it"
    )
    if target is not None and target is not Target.CLOUD_INIT:
        from configdrive.validation.coreos_cloudinit import coreos_problems

        # Under coreos:, coreos-cloudinit's own model (its Go structs and YAML) speaks: the
        # schema's types there are JSON's, not what the reader decodes.
        found = [p for p in found if not (p.path and p.path[0] == "coreos")]
        only_reader = target is Target.CONTAINER_LINUX
        targeted = only_reader or "coreos" in document.data
        found += cloud_config_problems(document)
        refused = frozenset(p.path for p in errors_in(found) if p.path is not None)
        found += coreos_problems(
            document, targeted=targeted, only_reader=only_reader, refused=refused
        )
    else:
        found += cloud_config_problems(document)
    problems.extend(found)


def _check_ignition(source: Source, problems: list[Problem], budget: Budget) -> None:
    if too_large := json_size_problem(source, budget):
        problems.append(too_large)
        return
    try:
        json.loads(source.data)
    except ValueError as error:  # bad JSON, bad UTF-8, or an integer of more than 4300 digits
        line = getattr(error, "lineno", None)
        column = getattr(error, "colno", None)
        reason = getattr(error, "msg", str(error))
        problems.append(
            Problem(
                source.name,
                f"user data starting with '{{' is not valid JSON: {reason}",
                None,
                line,
                column,
            )
        )
        return
    # The structure and Ignition's own checks, for the version the config declares.
    # Imported here: ignition.py costs ~10 ms of start-up, and most user data is no Ignition.
    from configdrive.validation.ignition import config_problems

    problems.extend(config_problems(source))


def _check_mime(
    source: Source, problems: list[Problem], depth: int, cloud_configs: list[Any], budget: Budget
) -> None:
    # The email package costs ~15 ms to import: only MIME user data pays for it.
    import email
    import email.policy

    if mime_part_bound(source.data) > MAX_MIME_PARTS:
        # The email package builds an object for every part before anything can be counted.
        problems.append(
            Problem(source.name, f"MIME user data has more than {MAX_MIME_PARTS} parts")
        )
        return
    message = email.message_from_bytes(source.data, policy=email.policy.compat32)
    if not message.is_multipart():
        content_type = message.get_content_type()
        boundary = message.get_boundary()
        if content_type.startswith("multipart/") and boundary:
            reason = f"its boundary {boundary!r} never appears, so it has no parts"
        elif content_type.startswith("multipart/"):
            reason = "its Content-Type has no boundary"
        else:
            reason = f"it is {content_type!r}, not multipart"
        problems.append(Problem(source.name, f"broken MIME user data: {reason}"))
        return
    _report_defects(source.name, message, problems)
    leaves = [part for part in message.walk() if not part.is_multipart()]
    for number, part in enumerate(leaves, start=1):
        name = f"{source.name} (MIME part {number})"
        payload = part.get_payload(decode=True)
        _report_defects(name, part, problems)
        if not isinstance(payload, bytes):
            continue
        content_type = part.get_content_type()
        if content_type == "text/cloud-config":
            # cloud-init goes by the part's type, whatever its first line says.
            _check_cloud_config_yaml(Source(name, payload), problems, cloud_configs, budget)
            continue
        if content_type.startswith("text/") or payload.startswith(GZIP_MAGIC):
            if classify(payload) is None and not payload.startswith(GZIP_MAGIC):
                continue  # a plain text part cloud-init passes to a part handler
            _check_payload(Source(name, payload), problems, depth + 1, cloud_configs, budget, None)


def _report_defects(name: str, message: Message, problems: list[Problem]) -> None:
    for defect in message.defects:
        # The class says what is wrong; the defect's text may quote a line of the user data.
        explanation = (type(defect).__doc__ or "").strip().splitlines()[:1]
        problems.append(
            Problem(name, ": ".join(["broken MIME", type(defect).__name__, *explanation]))
        )
