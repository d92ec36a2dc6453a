"""What coreos-cloudinit does with a cloud-config at boot: Container Linux's and Flatcar's.

Two readers share this model. `COREOS` is coreos-cloudinit v1.14.0, Container Linux's reader;
`FLATCAR` is Flatcar's fork of it (github.com/flatcar/coreos-cloudinit at 1c1d7f4, the
commit Flatcar stable 4593.2.5 builds; main at 8df59e8 only drops the Packet and Rackspace
sources). The fork differs in these rules, each cited on both sides below:

- its YAML library is gopkg.in/yaml.v3 (go.mod:12), which reports a value of the wrong kind
  as an error (vendor/gopkg.in/yaml.v3/decode.go:718, :745, :798; yaml.go:169-171) instead of
  dropping it: NewCloudConfig fails (config/config.go:76-80), so does NewUserData
  (initialize/user_data.go:193-196, :53-56), and the whole cloud-config is dropped
  (coreos-cloudinit.go:236-240, :263), where v1.14.0 ignores the one value;
- yaml.v3 takes y, yes, on, n, no, off (quoted too) for a bool field (decode.go:678-693),
  but only true and false unquoted as booleans (resolve.go:52-53);
- it no longer turns dashes in keys into underscores: v1.14.0's
  yaml.UnmarshalMappingKeyTransform (config/config.go:63-65) is gone from the fork's
  NewCloudConfig (config/config.go:76-80), so `write-files` or `reboot-strategy` is an
  unknown key, ignored;
- it cuts the host name at its first dot and at 63 characters (coreos-cloudinit.go:281-299),
  where v1.14.0 sets it as written (initialize/config.go:46-51).

Every other rule is read from v1.14.0's source (github.com/coreos/coreos-cloudinit) and cites
the file and line; the fork keeps those files but for its module path (`git diff --stat
v1.14.0 1c1d7f4`: one line each in system/*.go, datasource/configdrive/configdrive.go,
config/validate/rules.go, initialize/env.go). At boot (coreos-cloudinit.go:191-285) the reader:

1. gunzips the user data and logs its validator's report (config/validate), nothing more
   (coreos-cloudinit.go:203-217);
2. parses it (initialize/user_data.go:28-54): a YAML error, or write_files content that its
   encoding cannot decode, drops the whole cloud-config (coreos-cloudinit.go:243-246), and
   only meta_data's host name and keys are applied;
3. applies it (initialize/config.go:45-178): host name, users, keys, then the files its
   sections generate, write_files, units. The first error stops it there and exits 1
   (coreos-cloudinit.go:270-273): a bad reboot-strategy or manage_etc_hosts stops it before
   write_files and every unit.

Its YAML library (github.com/coreos/yaml, a go-yaml v1 fork, vendored) decodes into the Go
structs of `coreos_structs`: a string field takes any scalar's text as written (`false`
stays "false", `0644` stays "0644"), a bool field only a YAML 1.1 boolean, and a value of
the wrong kind is dropped without a word (vendor/github.com/coreos/yaml/decode.go:308-423).
"""

from __future__ import annotations

import base64
import binascii
import enum
import functools
import re
from dataclasses import dataclass, replace
from typing import Any

import yaml

from configdrive.inputs.documents import Document
from configdrive.problems import DocPath, Problem, Severity, closest_key
from configdrive.validation.coreos_structs import (
    BOOL,
    CLOUD_CONFIG,
    FLOAT,
    INT,
    STRING,
    GoType,
    ListOf,
    Struct,
)

READER = "coreos-cloudinit"
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Reader:
    """One coreos-cloudinit: how messages name it and which YAML library it was built with."""

    name: str
    version: str
    yaml_v3: bool  # gopkg.in/yaml.v3 (Flatcar) rather than github.com/coreos/yaml (v1.14.0)


COREOS = Reader(READER, "v1.14.0", yaml_v3=False)
# `coreos-cloudinit --version` on Flatcar stable prints v1.14.0-g1c1d7f4: the ebuild's
# GO_LDFLAGS (coreos-base/coreos-cloudinit/coreos-cloudinit-9999.ebuild:37 in flatcar/scripts).
FLATCAR = Reader("Flatcar's coreos-cloudinit", "v1.14.0-g1c1d7f4", yaml_v3=True)


class Outcome(str, enum.Enum):
    """What the reader does because of one value."""

    DROPS_CONFIG = "drops-config"  # parsing fails: nothing of the cloud-config is applied
    STOPS = "stops"  # initialize.Apply returns an error: what comes after it is skipped
    REJECTS = "rejects"  # its validator reports an error (logged at boot; -validate fails)
    IGNORES = "ignores"  # the value never reaches the machine
    CHANGES = "changes"  # the value reaches the machine, altered
    DEPRECATED = "deprecated"  # read, but the validator warns that it does nothing today


# The outcomes after which the machine is not configured as the document asks.
FATAL = frozenset({Outcome.DROPS_CONFIG, Outcome.STOPS, Outcome.REJECTS})


@dataclass(frozen=True)
class Finding:
    """One thing coreos-cloudinit does differently from what the document says."""

    path: DocPath
    outcome: Outcome
    message: str
    key: bool = False  # about the key at `path`, not its value
    unknown_key: bool = False
    suggestion: str | None = None  # the known key an unknown one is probably a typo of
    cloud_init_only: bool = False  # something only cloud-init reads: no surprise on its own
    position: tuple[int, int] | None = None  # line and column, when no path locates it


# go-yaml's resolve table (vendor/github.com/coreos/yaml/resolve.go:39-50): these plain
# scalars are booleans, nulls and special floats; YAML 1.1 adds y and n to PyYAML's set.
_RESOLVED: dict[str, str] = {
    **dict.fromkeys(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE"], "bool"),
    **dict.fromkeys(["on", "On", "ON", "n", "N", "no", "No", "NO"], "bool"),
    **dict.fromkeys(["false", "False", "FALSE", "off", "Off", "OFF"], "bool"),
    **dict.fromkeys(["", "~", "null", "Null", "NULL"], "null"),
    **dict.fromkeys([".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF"], "float"),
    **dict.fromkeys(["+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"], "float"),
}
# strconv.ParseInt(s, 0, 64) of the Go it was built with: sign, then 0x hex, 0 octal, decimal.
_GO_INT = re.compile(r"[+-]?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")
_GO_FLOAT = re.compile(
    r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)", re.IGNORECASE
)
_GO_BINARY = re.compile(r"-?0b[01]+")


def go_resolve(node: yaml.ScalarNode) -> str:
    """The kind go-yaml gives a scalar: str, bool, int, float or null (resolve.go:86-165)."""
    text = node.value
    if node.style:  # plain is None or "" (libyaml's composer)
        return "str"  # quoted and block scalars are strings (decode.go:311-313)
    if text in _RESOLVED:
        return _RESOLVED[text]
    hint = text[:1]
    if hint == ".":
        return "float" if _GO_FLOAT.fullmatch(text) else "str"
    if hint and hint in "+-0123456789":
        plain = text.replace("_", "")
        if _GO_INT.fullmatch(plain):
            return "int" if _int64(plain) else "float"
        if _GO_FLOAT.fullmatch(plain):
            return "float"
        if _GO_BINARY.fullmatch(plain):
            return "int"
    return "str"


# gopkg.in/yaml.v3's resolve table (vendor/gopkg.in/yaml.v3/resolve.go:52-59): YAML 1.2's
# booleans only; y, yes, on and the rest are text.
_RESOLVED_V3: dict[str, str] = {
    **dict.fromkeys(["true", "True", "TRUE", "false", "False", "FALSE"], "bool"),
    **{text: kind for text, kind in _RESOLVED.items() if kind != "bool"},
}
# strconv.ParseInt(s, 0, 64) of Go 1.20 (go.mod:3) also takes 0o and 0b (resolve.go:191-259).
_GO_INT_V3 = re.compile(r"[+-]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_YAML_FLOAT_V3 = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")  # :124
_TIMESTAMP_V3 = re.compile(r"[0-9]{4}-")  # parseTimestamp's cheap test (resolve.go:306-318)
# yaml.v3 sets a bool field from these texts, quoted or not (decode.go:684-691).
_YAML11_BOOLS = frozenset(
    ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON",
     "n", "N", "no", "No", "NO", "off", "Off", "OFF"]
)  # fmt: skip


def go_resolve_v3(node: yaml.ScalarNode) -> str:
    """The kind gopkg.in/yaml.v3 gives a scalar (resolve.go:126-265): as go_resolve, and
    "timestamp" for a date."""
    text = node.value
    if node.style:
        return "str"  # indicatedString (decode.go:568-570)
    if text in _RESOLVED_V3:
        return _RESOLVED_V3[text]
    hint = text[:1]
    if hint == ".":
        return "float" if _YAML_FLOAT_V3.fullmatch(text) else "str"
    if hint and hint in "+-0123456789":
        if _TIMESTAMP_V3.match(text) and _v3_timestamp(text):
            return "timestamp"
        plain = text.replace("_", "")
        if _GO_INT_V3.fullmatch(plain):
            return (
                "int" if _fits_v3(plain) else "float" if _YAML_FLOAT_V3.fullmatch(plain) else "str"
            )
        if _YAML_FLOAT_V3.fullmatch(plain):
            return "float"
    return "str"


def _v3_timestamp(text: str) -> bool:
    """One of allowedTimestampFormats parses it (resolve.go:294-301): a date, maybe a time."""
    return bool(
        re.fullmatch(
            r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
            r"(?:[Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?)?",
            text,
        )
    )


def _fits_v3(plain: str) -> bool:
    """ParseInt, else ParseUint (which takes no sign), succeeds (resolve.go:192-203)."""
    digits = plain.lstrip("+-")
    prefix = digits[:2].lower()
    if prefix in ("0x", "0o", "0b"):
        value = int(digits[2:], {"0x": 16, "0o": 8, "0b": 2}[prefix])
    else:
        value = int(digits, 8 if digits.startswith("0") else 10)
    if plain.startswith("-"):
        value = -value
    return -(2**63) <= value < 2**63 or (not plain.startswith(("+", "-")) and value < 2**64)


def _int64(plain: str) -> bool:
    digits = plain.lstrip("+-")
    base = 16 if digits[:2].lower() == "0x" else 8 if digits.startswith("0") else 10
    return -(2**63) <= int(plain, base) < 2**63


_WANTS = {STRING: "a string", INT: "an integer", FLOAT: "a number", BOOL: "true or false"}
_KINDS = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "sequence": "a list",
    "mapping": "a mapping",
    "timestamp": "a date",
}


def _wants(kind: GoType) -> str:
    if isinstance(kind, ListOf):
        return "a list of strings" if kind.item == STRING else "a list of mappings"
    if isinstance(kind, Struct):
        return "a mapping"
    return _WANTS[kind]


def _node_kind(node: yaml.Node, reader: Reader = COREOS) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "sequence"
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if not isinstance(node, yaml.ScalarNode):
        return "null"
    return go_resolve_v3(node) if reader.yaml_v3 else go_resolve(node)


# Values a `valid:` tag refuses, and what that does at boot (beyond the validator's error).
_STOPS_WHEN_INVALID = {
    # system/update.go:62: AssertStructValid(Update) before /etc/coreos/update.conf is made.
    ("Update", "reboot_strategy"): "write_files and every unit are skipped",
}
_VALID_NAMES = {
    ("Update", "reboot_strategy"): "etcd-lock, reboot or off",
    ("Etcd2", "proxy"): "on, off or readonly",
    ("Locksmith", "window_start"): "a time such as 'Thu 04:00' or '23:30'",
    ("Locksmith", "window_length"): "a duration such as '1h30m'",
    ("Unit", "command"): (
        "start, stop, restart, reload, try-restart, reload-or-restart or reload-or-try-restart"
    ),
    ("File", "permissions"): "three or four octal digits, such as '0644'",
}
# Who gets the value after the validator has complained about it.
_PASSED_TO = {
    ("Etcd2", "proxy"): "etcd2",
    ("Locksmith", "window_start"): "locksmithd",
    ("Locksmith", "window_length"): "locksmithd",
}
_ENCODINGS = ("base64", "b64", "gz", "gzip", "gz+base64", "gzip+base64", "gz+b64", "gzip+b64")
# initialize/env.go:40-50: replaced in the whole user data before it is parsed. A config drive
# carries no addresses (datasource/configdrive/configdrive.go:70-71), so each becomes the
# COREOS_* environment variable of the same name, which is empty at that point of boot.
_SUBSTITUTION = re.compile(r"(?<!\\)\$(?:public|private)_ipv[46]")


def coreos_findings(document: Document, reader: Reader = COREOS) -> list[Finding]:
    """Everything `reader` drops, refuses or stops on in this cloud-config."""
    walker = _Walker(reader)
    if isinstance(document.root, yaml.MappingNode):
        walker.struct(document.root, CLOUD_CONFIG, ())
    return (
        walker.findings + _write_files_findings(document, reader) + _substitutions(document, reader)
    )


class _Walker:
    """go-yaml's decoder, reduced to what it keeps and what it drops."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.findings: list[Finding] = []

    def add(self, path: DocPath, outcome: Outcome, message: str, **kwargs: Any) -> None:
        self.findings.append(Finding(path, outcome, message, **kwargs))

    def decode(self, node: yaml.Node, kind: GoType, path: DocPath) -> bool:
        """Decode `node` as a Go `kind`: whether the value is kept (decode.go:257-273)."""
        found = _node_kind(node, self.reader)
        if found == "null":
            return True  # the zero value (decode.go:327-334)
        if isinstance(kind, Struct) and isinstance(node, yaml.MappingNode):
            self.struct(node, kind, path)
            return True
        if isinstance(kind, ListOf) and isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.decode(item, kind.item, (*path, index))  # dropped items leave the list
            return True
        if isinstance(node, yaml.ScalarNode) and isinstance(kind, str):
            if kind == STRING or (kind == BOOL and found == "bool"):
                return True  # a string field takes the text as written (decode.go:337-344)
            if kind == BOOL and self.reader.yaml_v3 and node.value in _YAML11_BOOLS:
                return True  # yaml.v3's YAML 1.1 compatibility (decode.go:684-691)
            if kind in (INT, FLOAT) and found in ("int", "float"):
                if kind == INT and found == "float":
                    name = self.reader.name
                    self.add(path, Outcome.CHANGES, f"{name} cuts the number to an integer")
                return True
        if self.reader.yaml_v3:
            # yaml.v3 records a TypeError (decode.go:718, :745, :798) and Unmarshal returns
            # it (yaml.go:169-171): NewCloudConfig fails and the cloud-config is dropped.
            # cloud-init's `default` user stays cloud-init's idiom: said only when the
            # document is for Container Linux (its `coreos:` section or the target).
            default_user = _is_default_user(node, kind)
            message = _type_error(self.reader, node, found, kind)
            self.add(path, Outcome.DROPS_CONFIG, message, cloud_init_only=default_user)
            return False
        self.add(
            path,
            Outcome.IGNORES,
            _ignored(node, found, kind),
            cloud_init_only=_is_default_user(node, kind),
        )
        return False

    def struct(self, node: yaml.MappingNode, struct: Struct, path: DocPath) -> None:
        """A mapping into a struct: known keys decoded, the rest ignored (decode.go:510-537)."""
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for mapping in merged:
                    if isinstance(mapping, yaml.MappingNode):
                        self.struct(mapping, struct, path)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            written = key_node.value
            at = (*path, written)
            name = self.field_name(written)
            field = struct.fields.get(name)
            if field is None:
                self.unknown_key(at, written, struct)
                continue
            if field.deprecated:
                message = f"{self.reader.name}: {field.deprecated}"
                self.add(at, Outcome.DEPRECATED, message, key=True)
            kept = self.decode(value_node, field.kind, at)
            if (
                kept
                and field.kind == STRING
                and isinstance(value_node, yaml.ScalarNode)
                and _node_kind(value_node, self.reader) != "null"
            ):
                self.string(struct, name, value_node.value, at, field.valid)
        if struct.name in ("User", "Unit", "UnitDropIn"):
            self.required_names(node, struct, path)

    def field_name(self, written: str) -> str:
        """The struct field a key names: v1.14.0 turns dashes into underscores first
        (config/config.go:63-65); the fork does not (its config/config.go:76-80)."""
        return written if self.reader.yaml_v3 else written.replace("-", "_")

    def unknown_key(self, at: DocPath, written: str, struct: Struct) -> None:
        if self.reader.yaml_v3 and written.replace("-", "_") in struct.fields:
            underscored = written.replace("-", "_")
            self.add(
                at,
                Outcome.IGNORES,
                f"{self.reader.name} ignores this key: it no longer reads dashes as "
                f"underscores; write {underscored!r}",
                key=True,
                unknown_key=True,
                suggestion=underscored,
            )
            return
        known = sorted({*struct.fields, *(name.replace("_", "-") for name in struct.fields)})
        if self.reader.yaml_v3:
            known = sorted(struct.fields)
        suggestion = closest_key(written, known)
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        cloud_init_only = written in _cloud_init_keys(struct.name)
        message = f"{self.reader.name} ignores this key" + (
            " (only cloud-init reads it)" if cloud_init_only and not suggestion else hint
        )
        self.add(
            at,
            Outcome.IGNORES,
            message,
            key=True,
            unknown_key=True,
            suggestion=suggestion,
            cloud_init_only=cloud_init_only and not suggestion,
        )

    def string(self, struct: Struct, field: str, text: str, at: DocPath, valid: str | None) -> None:
        """The checks on a string field's text, as the reader's code makes them."""
        where = (struct.name, field)
        name = self.reader.name
        if where == ("CloudConfig", "manage_etc_hosts") and text != "localhost":
            # system/etc_hosts.go:33: anything but "localhost" fails Apply.
            self.add(
                at,
                Outcome.STOPS,
                f"{name} stops at boot on manage_etc_hosts {text!r}: it takes only "
                "'localhost' (cloud-init also takes true, false and template); write_files and "
                "every unit are skipped",
            )
            return
        if where == ("CloudConfig", "hostname") and self.reader.yaml_v3:
            short = text.split(".", maxsplit=1)[0][:63]
            if short != text:
                # coreos-cloudinit.go:289-297 (determineHostname), for the fork only.
                self.add(
                    at,
                    Outcome.CHANGES,
                    f"{name} sets the host name to {short!r}: it cuts a host name "
                    "at its first dot and at 63 characters",
                )
            return
        if where == ("File", "encoding"):
            if text not in _ENCODINGS:
                # config/decode.go:64 via CloudConfig.Decode (config/config.go:70-80).
                self.add(
                    at,
                    Outcome.DROPS_CONFIG,
                    f"{name} cannot decode encoding {text!r} and drops the whole cloud-config "
                    f"at boot; it takes {', '.join(_ENCODINGS)} (lower case)",
                )
            return
        if where == ("File", "path") and text.rsplit("/", 1)[0].startswith("/usr"):
            # config/validate/rules.go:158-169 (path.Dir under /usr).
            self.add(
                at,
                Outcome.REJECTS,
                f"{name} refuses it: /usr is read-only on Container Linux, so the file cannot "
                "be written",
            )
            return
        if where == ("File", "permissions") and not _go_octal(text):
            # system/file.go:41: strconv.ParseInt(permissions, 8, 32) while writing the files.
            self.add(
                at,
                Outcome.STOPS,
                f"{name} cannot read permissions {text!r} as an octal number and stops at boot "
                "while writing files: this file, the files after it and every unit are skipped "
                "(write '0644', in quotes)",
            )
            return
        if valid is None or re.search(_anchored(valid), text):
            return
        wanted = _VALID_NAMES.get(where, f"text matching {valid!r}")
        if where in _STOPS_WHEN_INVALID:
            removed = "; best-effort was removed in v1.14" if text == "best-effort" else ""
            boolean = _boolean_note(text)
            self.add(
                at,
                Outcome.STOPS,
                f"{name} stops at boot on {text!r}{boolean}: it takes {wanted}{removed}; "
                f"{_STOPS_WHEN_INVALID[where]}",
            )
        elif where == ("Unit", "command"):
            # system/systemd.go:101: an unknown command fails Apply when the units are started.
            self.add(
                at,
                Outcome.STOPS,
                f"{name} stops at boot on command {text!r}: it takes {wanted}; the unit "
                "commands after it are not run",
            )
        else:
            passed = _PASSED_TO.get(where)
            then = f", and passes it to {passed} as written" if passed else ""
            self.add(
                at,
                Outcome.REJECTS,
                f"{name} refuses {text!r}{_boolean_note(text)}: it takes {wanted}{then}",
            )

    def required_names(self, node: yaml.MappingNode, struct: Struct, path: DocPath) -> None:
        """Users, units and drop-ins without a name are skipped (initialize/config.go)."""
        names = {
            self.field_name(key.value): value
            for key, value in node.value
            if isinstance(key, yaml.ScalarNode)
        }
        needed = ("name", "content") if struct.name == "UnitDropIn" else ("name",)
        missing = [
            name
            for name in needed
            if not isinstance(names.get(name), yaml.ScalarNode)
            or _node_kind(names[name], self.reader) == "null"
            or names[name].value == ""
        ]
        if not missing:
            return
        what = {"User": "a user", "Unit": "a unit", "UnitDropIn": "a drop-in"}[struct.name]
        # initialize/config.go:54 (users), :212 (units), :227 (drop-ins).
        self.add(
            path,
            Outcome.IGNORES,
            f"{self.reader.name} skips {what} without {' or '.join(missing)}",
        )


def _ignored(node: yaml.Node, found: str, kind: GoType) -> str:
    if kind == BOOL and found == "str" and isinstance(node, yaml.ScalarNode):
        return (
            f"{READER} ignores this value: it wants true or false unquoted, and "
            f"{node.value!r} is text to its YAML"
        )
    return f"{READER} ignores this value: it wants {_wants(kind)}, not {_KINDS[found]}"


def _type_error(reader: Reader, node: yaml.Node, found: str, kind: GoType) -> str:
    if _is_default_user(node, kind):
        what = "cloud-init's 'default' user"
    elif isinstance(node, yaml.ScalarNode) and found == "str":
        what = f"the text {node.value!r}" if len(node.value) <= 40 else "this text"
    else:
        what = _KINDS[found]
    return (
        f"{reader.name} cannot decode {what} as {_wants(kind)} and drops the whole "
        "cloud-config at boot (a yaml.v3 type error)"
    )


def _is_default_user(node: yaml.Node, kind: GoType) -> bool:
    """cloud-init's `users: [default, ...]`: a user only cloud-init knows."""
    return (
        isinstance(kind, Struct)
        and kind.name == "User"
        and isinstance(node, yaml.ScalarNode)
        and node.value == "default"
    )


def _boolean_note(text: str) -> str:
    if _RESOLVED.get(text) == "bool":
        return " (its YAML keeps an unquoted yes, no, true, false, on or off as that text)"
    return ""


def _anchored(pattern: str) -> str:
    """Go's `$` without (?m) is the end of the text; Python's also matches before a newline."""
    return re.sub(r"(?<!\\)\$", r"\\Z", pattern)


def _go_octal(text: str) -> bool:
    """strconv.ParseInt(text, 8, 32) succeeds."""
    if not re.fullmatch(r"[+-]?[0-7]+", text):
        return False
    return -(2**31) <= int(text, 8) < 2**31


@functools.cache
def _cloud_init_keys(struct_name: str) -> frozenset[str]:
    """The keys our cloud-config schema knows at the place `struct_name` decodes."""
    from configdrive.validation.json_schemas import CLOUD_CONFIG as SCHEMA
    from configdrive.validation.json_schemas import load_schema

    schema = load_schema(SCHEMA)
    places = {
        "CloudConfig": schema,
        "User": schema["$defs"]["user"],
        "File": schema["$defs"]["write_file"],
    }
    place = places.get(struct_name)
    return frozenset(place.get("properties", {})) if place else frozenset()


def _write_files_findings(document: Document, reader: Reader) -> list[Finding]:
    """write_files content coreos-cloudinit cannot decode: Decode fails, nothing is applied."""
    findings: list[Finding] = []
    data = document.data
    spellings = ("write_files",) if reader.yaml_v3 else ("write_files", "write-files")
    key = next((key for key in spellings if isinstance(data, dict) and key in data), None)
    if key is None:
        return findings
    files = data[key]
    if not isinstance(files, list):
        return findings
    for index, entry in enumerate(files):
        if not isinstance(entry, dict):
            continue
        encoding, content = entry.get("encoding"), entry.get("content")
        if encoding not in _ENCODINGS or not isinstance(content, str):
            continue
        problem = _go_decode_problem(encoding, content)
        if problem:
            findings.append(
                Finding(
                    (key, index, "content"),
                    Outcome.DROPS_CONFIG,
                    f"{reader.name} cannot decode this content as {encoding!r} ({problem}) and "
                    "drops "
                    "the whole cloud-config at boot",
                )
            )
    return findings


def _go_decode_problem(encoding: str, content: str) -> str | None:
    """Why config.DecodeContent fails (config/decode.go), or None."""
    raw = content.encode("utf-8", "surrogateescape")
    if "b64" in encoding or "base64" in encoding:
        # base64.StdEncoding.DecodeString: padding required; only \r and \n are skipped.
        try:
            raw = base64.b64decode(raw.replace(b"\r", b"").replace(b"\n", b""), validate=True)
        except (binascii.Error, ValueError):
            return "Go's base64 decoder wants padded base64 with no spaces"
    if "gz" in encoding and not raw.startswith(b"\x1f\x8b"):
        # gzip.NewReader fails only on the header; a broken body is cut short in silence
        # (and refused by checks.py for every reader).
        return "it is not gzip data"
    return None


def _substitutions(document: Document, reader: Reader) -> list[Finding]:
    text = document.source.data.decode("utf-8", "replace")
    findings = []
    for match in _SUBSTITUTION.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if re.search(r"(^|\s)#", text[line_start : match.start()]):
            continue  # in a YAML comment: replaced there too, to no effect
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - line_start + 1
        findings.append(
            Finding(
                (),
                Outcome.CHANGES,
                f"{reader.name} replaces {match.group()} with an empty string when it reads a "
                "config drive (meta_data.json carries no addresses); cloud-init leaves it as "
                "written",
                position=(line, column),
            )
        )
    return findings


def reported(finding: Finding, targeted: bool) -> bool:
    """Whether to say it: untargeted, what only cloud-init reads (and deprecations) are no
    news; build and inspect say the same."""
    return targeted or not (
        finding.unknown_key or finding.cloud_init_only or finding.outcome is Outcome.DEPRECATED
    )


# Worst first: the outcome of a whole document is the worst of its findings.
_BOOT_OUTCOMES = (
    Outcome.DROPS_CONFIG,
    Outcome.STOPS,
    Outcome.REJECTS,
    Outcome.IGNORES,
    Outcome.CHANGES,
)


def boot_outcome(document: Document, reader: Reader = COREOS) -> str:
    """What `reader` does with the whole cloud-config: the worst of its findings, as an
    Outcome's value, or `accepts`."""
    found = {finding.outcome for finding in coreos_findings(document, reader)}
    return next((outcome.value for outcome in _BOOT_OUTCOMES if outcome in found), "accepts")


def _same(finding: Finding, reader: Reader) -> tuple[object, ...]:
    """A finding with the reader's name taken out: what two readers can have in common."""
    message = finding.message.replace(reader.name, "{reader}")
    return (finding.path, finding.outcome, finding.key, finding.position, message)


def fork_only(document: Document) -> list[Finding]:
    """What Flatcar's fork does that coreos-cloudinit v1.14.0 does not, in this cloud-config."""
    return both_readers(document)[1]


# How a line names v1.14.0 when Flatcar's fork does otherwise; a rule both follow names
# plain coreos-cloudinit, as before the fork was modelled.
UPSTREAM_ONLY = "coreos-cloudinit v1.14.0 (CoreOS)"


def both_readers(document: Document) -> tuple[list[Finding], list[Finding]]:
    """v1.14.0's findings, then the fork's that v1.14.0 does not share. A finding of
    v1.14.0's that the fork does not share names it UPSTREAM_ONLY."""
    upstream = coreos_findings(document, COREOS)
    fork = coreos_findings(document, FLATCAR)
    shared = {_same(finding, COREOS) for finding in upstream} & {
        _same(finding, FLATCAR) for finding in fork
    }
    named = [
        finding
        if _same(finding, COREOS) in shared or not finding.message.startswith(READER)
        else replace(finding, message=UPSTREAM_ONLY + finding.message[len(READER) :])
        for finding in upstream
    ]
    return named, [finding for finding in fork if _same(finding, FLATCAR) not in shared]


def coreos_problems(
    document: Document,
    *,
    targeted: bool,
    only_reader: bool = False,
    refused: frozenset[DocPath] = frozenset(),
) -> list[Problem]:
    """The findings as Problems: errors when the document targets Container Linux.

    Untargeted (a cloud-config for cloud-init that coreos-cloudinit may also read), only
    what coreos-cloudinit does with the keys it reads is said, as warnings naming it.
    Targeted by its `coreos:` section, what only cloud-init reads stays a warning (one
    document may serve both); with `only_reader` (--target container-linux) it is dead
    configuration, and an error. A value that is dropped at a path in `refused` (already
    an error for every reader) is not reported twice. Then what Flatcar's fork does
    differently, naming it; where the two agree, one line naming coreos-cloudinit says it.
    """
    problems = []
    upstream, fork = both_readers(document)
    for finding in upstream + fork:
        if not reported(finding, targeted):
            continue
        repeated = finding.outcome in (Outcome.IGNORES, Outcome.DROPS_CONFIG)
        if repeated and not finding.key and finding.path in refused:
            continue
        # A value dropped in silence is as bad as a refusal for a Container Linux machine;
        # an unknown key close to no known one may be meant for another reader.
        fatal = finding.outcome in FATAL or (
            finding.outcome is Outcome.IGNORES
            and (
                not finding.unknown_key
                or finding.suggestion is not None
                or (finding.cloud_init_only and only_reader)
            )
        )
        # What only cloud-init reads is a warning where one document may serve both, unless
        # it costs the other reader the whole cloud-config.
        for_both = (
            finding.cloud_init_only
            and not only_reader
            and finding.outcome is not Outcome.DROPS_CONFIG
        )
        severity = Severity.ERROR if targeted and fatal and not for_both else Severity.WARNING
        if finding.position is not None:
            line, column = finding.position
            problems.append(
                Problem(document.source.name, finding.message, None, line, column, severity)
            )
        else:
            problems.append(
                document.problem(finding.path, finding.message, key=finding.key, severity=severity)
            )
    return problems
