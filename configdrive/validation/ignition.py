"""Ignition configs: the checks Ignition itself makes, for the spec version a config declares.

Ignition decodes a config into the Go types of its declared spec version (a wrong type
fails the boot; an unknown key is a warning), then runs each type's `Validate`. The
structure is in schemas/ignition/<version>.schema.json (written by
scripts/ignition_schemas.py); the `Validate` rules are below, each citing the line of
coreos/ignition it comes from: `v3_6/...` means config/v3_6/types/... on the main branch
(the same rule stands in every 3.x version unless said), `spec2x v2_4/...` means
config/v2_4/types/... on the spec2x branch (Ignition 0.x, the program that read spec 2).

Which program reads which version: Fedora CoreOS runs Ignition 2.x, which reads spec 3
only. Flatcar runs its own build of Ignition 2.x, which also reads spec 2 by translating
it to 3.1.0 (flatcar/ignition config/v3_*/config.go ParseCompatibleVersion, with
ign-converter's v24tov31); the translation refuses some configs spec 2 allowed. The
judge in the tests is Debian's `ignition-validate` (tests/test_ignition.py).

Nothing here repeats a source URL, file contents, a password hash or a header value.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import math
import posixpath
import re
import urllib.parse
from collections.abc import Iterator
from typing import Any, ClassVar

from configdrive.inputs.documents import Budget, Document, Source, decode_text, parse_document
from configdrive.problems import DocPath, Problem, Severity
from configdrive.validation.json_schemas import describe, is_secret, schema_problems

# Stable spec versions of each line (coreos/ignition config/v3_*/types/config.go MaxVersion
# on main; spec2x config/v2_4/types/config.go MaxVersion is 2.4).
STABLE_VERSIONS = (
    "2.0.0",
    "2.1.0",
    "2.2.0",
    "2.3.0",
    "2.4.0",
    "3.0.0",
    "3.1.0",
    "3.2.0",
    "3.3.0",
    "3.4.0",
    "3.5.0",
    "3.6.0",
)
# The first Ignition release that reads each 3.x version (the git tag that added config/v3_N).
FIRST_RELEASE = {
    "3.0.0": "2.0.0",
    "3.1.0": "2.3.0",
    "3.2.0": "2.7.0",
    "3.3.0": "2.11.0",
    "3.4.0": "2.15.0",
    "3.5.0": "2.20.0",
    "3.6.0": "2.26.0",
}
FCOS = "Fedora CoreOS's Ignition"
FLATCAR = "Flatcar's Ignition"

# go-semver's grammar (github.com/coreos/go-semver semver.go), which Ignition parses with.
_SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?"
)
# Values under these keys may be secrets (data URLs, password hashes, tokens in headers).
SECRET_KEYS = frozenset({"source", "passwordHash", "contents", "value", "config", "append"})
_UNIT_SUFFIXES = frozenset(
    # v3_6/unit.go:50 and spec2x v2_4/unit.go:48
    {".service", ".socket", ".device", ".mount", ".automount", ".swap", ".target", ".path"}
    | {".timer", ".snapshot", ".slice", ".scope"}
)
_FORMATS = frozenset({"ext4", "btrfs", "xfs", "swap", "vfat", "none"})  # v3_6/filesystem.go:62


def config_problems(source: Source) -> list[Problem]:
    """Every problem Ignition would report about this (already valid JSON) config."""
    parsed: list[Problem] = []
    text = decode_text(source, parsed, what="the Ignition config")  # Go reads UTF-8 only
    if text is None:
        return parsed
    # The caller has counted the values against its budget: this parse only adds positions.
    document = parse_document(source, parsed, text=text, budget=Budget())
    problems = [_duplicate_key_note(problem) for problem in parsed]
    if document is None:
        return problems
    problems.extend(document_problems(document))
    return problems


def _duplicate_key_note(problem: Problem) -> Problem:
    if not problem.message.startswith("duplicate key"):
        return problem
    # Go's decoder keeps the last value of a repeated key without a word (as ignition-validate).
    return Problem(
        problem.file,
        f"{problem.message}: Ignition uses the last one",
        problem.path,
        problem.line,
        problem.column,
        Severity.WARNING,
    )


def document_problems(document: Document) -> list[Problem]:
    """The problems of a parsed Ignition config: version, structure, Ignition's own checks."""
    config = document.data
    if not isinstance(config, dict):
        return [document.problem((), "an Ignition config is a JSON object")]
    ignition = config.get("ignition")
    version = ignition.get("version") if isinstance(ignition, dict) else None
    if version is None and "ignitionVersion" in config:
        return [
            document.problem(
                ("ignitionVersion",),
                "spec 1 configs (ignitionVersion) are read by no current Ignition; "
                f"write spec {STABLE_VERSIONS[-1]}",
                key=True,
            )
        ]
    if version is None:
        return [
            Problem(
                document.source.name,
                "JSON user data is not an Ignition config (no ignition.version); "
                "a cloud-config must start with '#cloud-config'",
                None,
                1,
                1,
            )
        ]
    where: DocPath = ("ignition", "version")
    if not isinstance(version, str):
        return [document.problem(where, "ignition.version must be a string like '3.4.0'")]
    if version not in STABLE_VERSIONS:
        return [document.problem(where, _version_message(version))]
    problems = list(_schema_problems(document, version))
    problems.extend(_float_problems(document))
    major = version.split(".", 1)[0]
    rules = _Spec3(document, version) if major == "3" else _Spec2(document, version)
    problems.extend(rules.run())
    return problems


def _version_message(version: str) -> str:
    known = ", ".join(STABLE_VERSIONS)
    match = _SEMVER.fullmatch(version)
    if match is None:
        # v3_6/ignition.go:39-42 (ErrInvalidVersion)
        return f"{version!r} is not a version like '3.4.0'; Ignition reads {known}"
    if match.group(4) and "experimental" in match.group(4):
        # v3_6/config.go ParseCompatibleVersion: only the current experimental version is
        # read, by Ignition built from the same commit; it changes without notice.
        return (
            f"{version!r} is an experimental spec version: no released image is bound to "
            f"read it; use a stable version: {known}"
        )
    # v3_6/ignition.go:45-47 (ErrUnknownVersion)
    return f"unsupported config version {version!r}; Ignition reads {known}"


def _schema_problems(document: Document, version: str) -> Iterator[Problem]:
    for problem in schema_problems(
        document, f"ignition/{version}", unknown_key_note="Ignition ignores it"
    ):
        if problem.message.startswith("unknown key"):
            # config/validate/validate.go:95-98: an unused key is a warning, never an error.
            yield Problem(
                problem.file,
                "unknown key (Ignition warns and ignores it)",
                problem.path,
                problem.line,
                problem.column,
                Severity.WARNING,
            )
            continue
        yield _without_secret(problem, document)


def _without_secret(problem: Problem, document: Document) -> Problem:
    """The problem, with a value under a secret key no longer quoted in its message."""
    path = problem.path or ()
    if not is_secret(path, SECRET_KEYS):
        return problem
    value = _value_at(document.data, path)
    shown = describe(value, ())
    if not problem.message.startswith(shown):
        return problem
    # replace() keeps the severity: a warning stays a warning.
    return dataclasses.replace(problem, message="the value" + problem.message[len(shown) :])


def _value_at(data: Any, path: DocPath) -> Any:
    for element in path:
        try:
            data = data[element]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _float_problems(document: Document) -> Iterator[Problem]:
    """Go's decoder refuses 420.0 for an int (JSON Schema calls it an integer) and NaN anywhere."""

    def walk(value: Any, path: DocPath) -> Iterator[Problem]:
        if isinstance(value, dict):
            for key, child in value.items():
                yield from walk(child, (*path, key))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                yield from walk(child, (*path, index))
        elif isinstance(value, float) and (not math.isfinite(value) or value.is_integer()):
            yield document.problem(
                path,
                "Ignition reads whole numbers only, written without a fraction or exponent",
            )

    return walk(document.data, ())


# ------------------------------------------------------------------------ reading helpers


def _dicts(parent: Any, key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The mappings of list `key` of `parent`, with their indices (anything else: nothing)."""
    items = parent.get(key) if isinstance(parent, dict) else None
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def _dict(parent: Any, *keys: str) -> dict[str, Any]:
    for key in keys:
        parent = parent.get(key) if isinstance(parent, dict) else None
    return parent if isinstance(parent, dict) else {}


def _str(parent: dict[str, Any], key: str) -> str | None:
    value = parent.get(key)
    return value if isinstance(value, str) else None


def _is_true(parent: dict[str, Any], key: str) -> bool:
    return parent.get(key) is True


def go_clean(path: str) -> str:
    """Go's path.Clean: like posixpath.normpath, but '//a' is '/a' and '' is '.'."""
    cleaned = posixpath.normpath(path) if path else "."
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


def _install_section_missing(contents: str) -> bool:
    """Whether a unit file has no option in an [Install] section (go-systemd's parse)."""
    section = None
    for raw in contents.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif section == "Install" and "=" in line:
            return False
    return True


def _url_problem(url: str, schemes: frozenset[str]) -> str | None:
    """Why Ignition refuses a source URL, without quoting it (v3_6/url.go:28-76)."""
    if any(character in url for character in " \x7f") or any(ord(c) < 0x20 for c in url):
        return "unable to parse url (it holds a space or a control character)"
    try:
        urllib.parse.urlsplit(url)
    except ValueError:  # Go's url.Parse refuses the same (an unclosed IPv6 bracket)
        return "unable to parse url"
    scheme, colon, rest = url.partition(":")
    if not colon or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        return f"invalid url scheme; Ignition fetches {_names(schemes)}"
    scheme = scheme.lower()
    if scheme not in schemes:
        return f"invalid url scheme {scheme!r}; Ignition fetches {_names(schemes)}"
    if scheme == "data":
        return _data_url_problem(rest)
    if scheme == "s3":
        versions = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query, True).get("versionId")
        if versions is not None and not versions[0]:
            return "the s3 URL has an empty versionId"  # v3_6/url.go:38-42
    return None


def _data_url_problem(rest: str) -> str | None:
    """Why vincent-petithory/dataurl refuses `data:<rest>` (v3_6/url.go:68-72)."""
    header, comma, data = rest.partition(",")
    if not comma:
        return "the data URL has no ',' before its data"
    media = header.split(";", 1)[0]
    if media and "/" not in media:
        return "the data URL's media type has no '/' (write data:text/plain,... or data:,...)"
    if re.search(r"[^A-Za-z0-9\-_.!~*'();/?:@&=+$,%]", data):
        # the dataurl lexer takes URL characters only (RFC 2396 uric): no space, no braces
        return "the data URL holds a character a URL may not (percent-encode it)"
    if re.search(r"%(?![0-9A-Fa-f]{2})", data):
        return "the data URL holds a '%' that is not a %XX escape"
    if header.split(";")[-1] == "base64":
        try:
            base64.b64decode(urllib.parse.unquote(data), validate=True)
        except (binascii.Error, ValueError):
            return "the data URL's base64 data does not decode"
    return None


def _names(values: frozenset[str]) -> str:
    return ", ".join(sorted(values))


class _Rules:
    """Shared by both spec lines: problems are collected in order, located in the document."""

    schemes: frozenset[str] = frozenset()

    def __init__(self, document: Document, version: str) -> None:
        self.document = document
        self.version = version
        self.config: dict[str, Any] = document.data
        self.problems: list[Problem] = []

    def error(self, path: DocPath, message: str) -> None:
        self.problems.append(self.document.problem(path, message))

    def warn(self, path: DocPath, message: str) -> None:
        self.problems.append(self.document.problem(path, message, severity=Severity.WARNING))

    def run(self) -> list[Problem]:
        raise NotImplementedError

    def mode(self, node: dict[str, Any], at: DocPath) -> None:
        mode = node.get("mode")
        if isinstance(mode, int) and not isinstance(mode, bool) and not 0 <= mode <= 0o7777:
            # v3_6/mode.go:21-25, spec2x v2_4/mode.go:21-23
            self.error((*at, "mode"), f"illegal file mode {mode} (0 to 4095, octal 7777)")

    def unit_name(self, unit: dict[str, Any], at: DocPath, suffixes: frozenset[str]) -> None:
        name = _str(unit, "name") or ""
        if posixpath.splitext(name)[1] not in suffixes:
            # v3_6/unit.go:48-55, spec2x v2_4/unit.go:45-56 and 91 (networkd)
            self.error((*at, "name"), f"invalid unit extension; use one of {_names(suffixes)}")

    def dropins(self, unit: dict[str, Any], at: DocPath) -> None:
        for index, dropin in _dicts(unit, "dropins"):
            if posixpath.splitext(_str(dropin, "name") or "")[1] != ".conf":
                # v3_6/unit.go:61-65, spec2x v2_4/unit.go:69 and 113
                self.error((*at, "dropins", index, "name"), "a drop-in's name must end in .conf")

    def owner(self, node: dict[str, Any], at: DocPath) -> None:
        for key in ("user", "group"):
            owner = _dict(node, key)
            if owner.get("id") is not None and _str(owner, "name"):
                # v3_6/node.go:44-49, spec2x v2_4/node.go:54-70
                self.error((*at, key), "cannot set both id and name")

    def source(self, resource: dict[str, Any], at: DocPath) -> None:
        url = _str(resource, "source")
        if url:
            reason = _url_problem(url, self.schemes)
            if reason:
                self.error((*at, "source"), reason)

    def hash(self, resource: dict[str, Any], at: DocPath, functions: dict[str, int]) -> None:
        value = _str(_dict(resource, "verification"), "hash")
        if value is None:
            return
        where = (*at, "verification", "hash")
        function, dash, digest = value.partition("-")
        # v3_6/verification.go:35-38 and 56-68; spec2x v2_4/verification.go:35-72
        if not dash:
            self.error(where, "malformed hash specifier; write <function>-<hex digest>")
        elif function not in functions:
            self.error(where, f"unrecognized hash function; use {_names(frozenset(functions))}")
        elif len(digest) != functions[function]:
            self.error(
                where,
                f"incorrect size for hash sum: {function} has {functions[function]} hex digits",
            )


class _Spec3(_Rules):
    """spec 3.x: config/v3_N/types on coreos/ignition main."""

    schemes = frozenset({"http", "https", "tftp", "gs", "s3", "arn", "data"})  # v3_6/url.go:34-68
    hashes: ClassVar[dict[str, int]] = {"sha512": 128, "sha256": 64}  # v3_6/verification.go:56-61

    def run(self) -> list[Problem]:
        storage = _dict(self.config, "storage")
        self.ignition()
        self.nodes(storage)
        self.links(storage)
        self.filesystems(storage)
        self.units()
        self.systemd_conflicts(storage)
        self.duplicates(self.config, ())
        return self.problems

    def resource(self, resource: dict[str, Any], at: DocPath) -> None:
        """v3_6/resource.go:34-80 and headers.go:40-61."""
        compression = resource.get("compression")
        if isinstance(compression, str) and compression not in ("", "gzip"):
            # resource.go:42-51
            self.error((*at, "compression"), "invalid compression method; use gzip or nothing")
        if (
            _str(_dict(resource, "verification"), "hash") is not None
            and resource.get("source") is None
        ):
            # resource.go:53-57
            self.error((*at, "verification", "hash"), "source must be specified if verification is")
        self.source(resource, at)
        self.hash(resource, at, self.hashes)
        headers = list(_dicts(resource, "httpHeaders"))
        if headers:
            scheme = (_str(resource, "source") or "").partition(":")[0].lower()
            if scheme not in ("http", "https"):
                # resource.go:60-80
                self.error((*at, "httpHeaders"), "HTTP headers need an http or https source")
        for index, header in headers:
            if not _str(header, "name"):
                # headers.go:46-51
                self.error((*at, "httpHeaders", index, "name"), "HTTP header name can't be empty")
            if header.get("value") == "":
                # headers.go:53-61
                self.error((*at, "httpHeaders", index, "value"), "an HTTP header value is empty")

    def ignition(self) -> None:
        ignition = _dict(self.config, "ignition")
        config = _dict(ignition, "config")
        for index, merge in _dicts(config, "merge"):
            at: DocPath = ("ignition", "config", "merge", index)
            if not _str(merge, "source"):
                # ignition.go:30-35 and resource.go:86-91
                self.error(at, "source is required")
            self.resource(merge, at)
        replace = _dict(config, "replace")
        if replace:
            self.resource(replace, ("ignition", "config", "replace"))
        tls = _dict(ignition, "security", "tls")
        for index, ca in _dicts(tls, "certificateAuthorities"):
            at = ("ignition", "security", "tls", "certificateAuthorities", index)
            if not _str(ca, "source"):
                self.error(at, "source is required")  # tls.go: CAs need a source
            self.resource(ca, at)

    def path(self, value: Any, at: DocPath, *, required: bool = True) -> None:
        """v3_6/path.go:24-42."""
        if value is None or value == "":
            if required:
                self.error(at, "path not specified")
            return
        if not isinstance(value, str):
            return
        if not value.startswith("/"):
            self.error(at, "path not absolute")
        elif go_clean(value) != value:
            self.error(at, f"path is not fully simplified; Ignition wants {go_clean(value)!r}")

    def nodes(self, storage: dict[str, Any]) -> None:
        minor = int(self.version.split(".")[1])
        for kind in ("files", "directories", "links"):
            for index, node in _dicts(storage, kind):
                at: DocPath = ("storage", kind, index)
                self.path(node.get("path"), (*at, "path"))  # node.go:31-34
                self.owner(node, at)
                if kind == "links":
                    continue
                self.mode(node, at)  # file.go:27, directory.go:24
                mode = node.get("mode")
                if minor < 6 and isinstance(mode, int) and 0 <= mode <= 0o7777 and mode & 0o7000:
                    # v3_5/mode.go (validateModeSpecialBits), removed in 3.6.0
                    self.warn(
                        (*at, "mode"),
                        "setuid/setgid/sticky bits are not applied before spec 3.6.0",
                    )
                if kind != "files":
                    continue
                contents = _dict(node, "contents")
                if _is_true(node, "overwrite") and contents.get("source") is None:
                    # file.go:32-37
                    self.error(
                        (*at, "overwrite"), "overwrite must be false if source is unspecified"
                    )
                if contents:
                    self.resource(contents, (*at, "contents"))
                for number, part in _dicts(node, "append"):
                    self.resource(part, (*at, "append", number))

    def links(self, storage: dict[str, Any]) -> None:
        """v3_6/storage.go:44-97."""
        links = [(index, link, _str(link, "path")) for index, link in _dicts(storage, "links")]
        link_paths = [path for _, _, path in links if path]
        for kind, message in (
            ("directories", "directory path includes link in config"),
            ("files", "file path includes link in config"),
            ("links", "link path includes link in config"),
        ):
            for index, node in _dicts(storage, kind):
                path = _str(node, "path") or ""
                if any(path.startswith(link + "/") for link in link_paths):
                    self.error(("storage", kind, index), message)  # storage.go:44-69
        directories = {_str(node, "path") for _, node in _dicts(storage, "directories")}
        minor = int(self.version.split(".")[1])
        for index, link, link_path in links:
            target = _str(link, "target")
            if not target:
                if minor >= 3:  # storage.go:71-74, since 3.3.0 (v3_2 has no such check)
                    self.error(("storage", "links", index, "target"), "link target is required")
                continue
            if not _is_true(link, "hard"):
                continue
            resolved = go_clean(target)
            if not resolved.startswith("/"):
                resolved = go_clean(posixpath.join(link_path or "", target))
            if resolved in directories:
                self.error(("storage", "links", index), "hard link target is a directory")
            for owner in ("user", "group"):
                for key in ("id", "name"):
                    if key in _dict(link, owner) and _dict(link, owner)[key] is not None:
                        # storage.go:87-95
                        self.warn(
                            ("storage", "links", index, owner, key),
                            "user/group ignored for hard link",
                        )

    def filesystems(self, storage: dict[str, Any]) -> None:
        """v3_6/filesystem.go:36-70, disk.go:33, luks.go:45, device.go:23."""
        for index, disk in _dicts(storage, "disks"):
            self.path(disk.get("device"), ("storage", "disks", index, "device"))
        for index, fs in _dicts(storage, "filesystems"):
            at: DocPath = ("storage", "filesystems", index)
            self.path(fs.get("path"), (*at, "path"), required=False)
            self.path(fs.get("device"), (*at, "device"))
            fmt = fs.get("format")
            if fmt is None or fmt == "":
                if (
                    _str(fs, "path")
                    or _str(fs, "label")
                    or _str(fs, "uuid")
                    or _is_true(fs, "wipeFilesystem")
                    or fs.get("options")
                    or fs.get("mountOptions")
                ):
                    self.error(
                        (*at, "format"),
                        "format cannot be empty when path, label, uuid, wipeFilesystem, "
                        "options, or mountOptions is specified",
                    )
            elif isinstance(fmt, str) and fmt not in _FORMATS:
                self.error((*at, "format"), f"invalid filesystem format; use {_names(_FORMATS)}")
        for index, raid in _dicts(storage, "raid"):
            devices = raid.get("devices")
            for number, device in enumerate(devices if isinstance(devices, list) else []):
                self.path(device, ("storage", "raid", index, "devices", number))
        for index, luks in _dicts(storage, "luks"):
            if luks.get("device") is not None:
                self.path(luks.get("device"), ("storage", "luks", index, "device"))
            key_file = _dict(luks, "keyFile")
            if key_file:
                self.resource(key_file, ("storage", "luks", index, "keyFile"))

    def units(self) -> None:
        for index, unit in _dicts(_dict(self.config, "systemd"), "units"):
            at: DocPath = ("systemd", "units", index)
            self.unit_name(unit, at, _UNIT_SUFFIXES)
            self.dropins(unit, at)
            contents = _str(unit, "contents")
            if _is_true(unit, "enabled") and contents and _install_section_missing(contents):
                # v3_6/unit.go:43 and shared/validations/unit.go:28-52
                self.warn(
                    (*at, "contents"),
                    "the unit is enabled, but has no install section so enable does nothing",
                )

    def systemd_conflicts(self, storage: dict[str, Any]) -> None:
        """v3_6/config.go:33-62: a node may not be where a unit or drop-in is written.

        Ignition 2.15.0 added this check to every 3.x version (Debian's 2.14 lacks it).
        """
        written: set[str] = set()
        for _, unit in _dicts(_dict(self.config, "systemd"), "units"):
            name = _str(unit, "name") or ""
            if _str(unit, "contents"):
                written.add(f"/etc/systemd/system/{name}")
            for _, dropin in _dicts(unit, "dropins"):
                if _str(dropin, "contents"):
                    written.add(f"/etc/systemd/system/{name}.d/{_str(dropin, 'name') or ''}")
        for kind in ("files", "directories", "links"):
            for index, node in _dicts(storage, kind):
                if _str(node, "path") in written:
                    self.error(
                        ("storage", kind, index, "path"),
                        "path conflicts with systemd unit or dropin",
                    )

    def duplicates(self, value: Any, at: DocPath) -> None:
        """config/validate/validate.go:31-71: no two entries of a list share a key."""
        if isinstance(value, list):
            for index, item in enumerate(value):
                self.duplicates(item, (*at, index))
            return
        if not isinstance(value, dict):
            return
        seen_nodes: dict[str, int] = {}
        # The merged "Node" list is walked in Go's field order (schema.go: Directories,
        # Files, Links), so the later entry is the one reported (storage.go:28-34).
        for key in sorted(value, key=_go_field_order):
            items = value[key]
            if not isinstance(items, list) or key in _DUPLICATES_ALLOWED:
                self.duplicates(items, (*at, key))
                continue
            node_list = at == ("storage",) and key in ("files", "directories", "links")
            seen: dict[str, int] = seen_nodes if node_list else {}
            for index, item in enumerate(items):
                item_key = _entry_key(key, item)
                if item_key is None:
                    continue
                if item_key in seen:
                    self.error((*at, key, index), f"duplicate entry defined{_same(key, item)}")
                seen[item_key] = index
            self.duplicates(items, (*at, key))


_DUPLICATES_ALLOWED = frozenset({"append", "options", "mountOptions"})  # IgnoreDuplicates
# Key() of each keyed type: v3_6/node.go:27, unit.go:29-35, passwd.go:17-23, disk.go:24,
# filesystem.go:25, raid.go:25, luks.go:27, tang.go:28, headers.go:63, resource.go:27.
_KEY_FIELDS = {
    "files": "path",
    "directories": "path",
    "links": "path",
    "units": "name",
    "dropins": "name",
    "users": "name",
    "groups": "name",
    "disks": "device",
    "filesystems": "device",
    "raid": "name",
    "luks": "name",
    "tang": "url",
    "httpHeaders": "name",
    "merge": "source",
    "certificateAuthorities": "source",
}


def _go_field_order(key: str) -> tuple[int, str]:
    return (0, key) if key in ("directories", "files", "links") else (1, key)


def _entry_key(list_name: str, item: Any) -> str | None:
    if isinstance(item, dict):
        if list_name == "partitions":  # partition.go:37-45
            number = item.get("number")
            if isinstance(number, int) and number:
                return f"number:{number}"
            label = item.get("label")
            return f"label:{label}" if isinstance(label, str) else ""
        field = _KEY_FIELDS.get(list_name)
        if field is None:
            return None
        key = item.get(field)
        return key if isinstance(key, str) else ""
    if isinstance(item, str | int) and not isinstance(item, bool):
        return f"{type(item).__name__}:{item}"  # a list of strings: the string is the key
    return None


def _same(list_name: str, item: Any) -> str:
    field = _KEY_FIELDS.get(list_name)
    if isinstance(item, dict) and field and field != "source":
        shown = item.get(field)
        if isinstance(shown, str) and len(shown) <= 80 and shown.isprintable():
            return f" (another entry has {field} {shown!r})"
    return ""


class _Spec2(_Rules):
    """spec 2.x: config/v2_N/types on the spec2x branch (Ignition 0.x)."""

    schemes = frozenset({"http", "https", "oem", "tftp", "s3", "data"})  # v2_4/url.go:36-45
    hashes: ClassVar[dict[str, int]] = {"sha512": 128}  # spec2x v2_4/verification.go:59

    def run(self) -> list[Problem]:
        storage = _dict(self.config, "storage")
        minor = int(self.version.split(".")[1])
        filesystems = {_str(fs, "name") for _, fs in _dicts(storage, "filesystems")}
        for kind in ("files", "directories", "links"):
            for index, node in _dicts(storage, kind):
                at: DocPath = ("storage", kind, index)
                if not _str(node, "filesystem"):
                    # spec2x v2_4/node.go:24-33 (ErrNoFilesystem)
                    self.error((*at, "filesystem"), "no filesystem specified")
                elif node["filesystem"] != "root" and node["filesystem"] not in filesystems:
                    # v2_4/types/config.go checkNodeFilesystems: a warning in spec 2; Flatcar's
                    # translation knows only "root" (ign-converter v24tov31.go Check2_4).
                    self.warn(
                        (*at, "filesystem"),
                        "the filesystem is not defined in this config; "
                        f"{FLATCAR} translates only files on 'root'",
                    )
                path = node.get("path")
                if not isinstance(path, str) or not path.startswith("/"):
                    self.error((*at, "path"), "path not absolute")  # spec2x v2_4/path.go:23-25
                self.owner(node, at)
                if kind != "links":
                    self.mode(node, at)
                if kind == "files":
                    contents = _dict(node, "contents")
                    if minor >= 2 and _is_true(node, "append") and _is_true(node, "overwrite"):
                        # spec2x v2_4/file.go:25-28
                        self.error((*at, "overwrite"), "append and overwrite both set")
                    self.source(contents, (*at, "contents"))
                    self.hash(contents, (*at, "contents"), self.hashes)
        for index, unit in _dicts(_dict(self.config, "systemd"), "units"):
            self.unit_name(unit, ("systemd", "units", index), _UNIT_SUFFIXES)
            self.dropins(unit, ("systemd", "units", index))
        networkd = frozenset({".link", ".netdev", ".network"})  # spec2x v2_4/unit.go:91
        for index, unit in _dicts(_dict(self.config, "networkd"), "units"):
            self.unit_name(unit, ("networkd", "units", index), networkd)
            self.dropins(unit, ("networkd", "units", index))
        self.readers(storage)
        return self.problems

    def readers(self, storage: dict[str, Any]) -> None:
        """How the two programs that boot from config drives take a spec 2 config."""
        self.warn(
            ("ignition", "version"),
            f"a spec {self.version} config: {FCOS} reads spec 3 only and fails the boot; "
            f"{FLATCAR} translates it to spec 3.1.0",
        )
        # ign-converter v24tov31.go Check2_4: deprecated fields and duplicates refuse the
        # translation, so Flatcar fails the boot on configs spec 2 itself accepts.
        for index, user in _dicts(_dict(self.config, "passwd"), "users"):
            if "create" in user:
                self.warn(
                    ("passwd", "users", index, "create"),
                    f"deprecated; {FLATCAR} refuses to translate a config that uses it",
                )
        for index, unit in _dicts(_dict(self.config, "systemd"), "units"):
            if "enable" in unit:
                self.warn(
                    ("systemd", "units", index, "enable"),
                    f"deprecated (use enabled); {FLATCAR} refuses to translate a config with it",
                )
        seen: dict[str, int] = {}
        for kind in ("files", "directories", "links"):
            for index, node in _dicts(storage, kind):
                path = _str(node, "path")
                if path is None:
                    continue
                key = go_clean(path)
                if key in seen:
                    self.warn(
                        ("storage", kind, index, "path"),
                        f"another entry has this path; {FLATCAR} refuses to translate the config",
                    )
                seen[key] = index
        units: set[str] = set()
        for index, unit in _dicts(_dict(self.config, "systemd"), "units"):
            name = _str(unit, "name") or ""
            if name in units:
                self.warn(
                    ("systemd", "units", index, "name"),
                    f"another unit has this name; {FLATCAR} refuses to translate the config",
                )
            units.add(name)
