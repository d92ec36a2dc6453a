"""Checks that JSON Schema cannot express: SSH keys, host names, UUIDs, encodings, references.

Each check takes a parsed Document and returns located Problems; the schema has
already vouched for the types, but a check must still tolerate anything, since
all problems are collected in one pass.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import ipaddress
import re
import uuid as uuidlib
import zlib
from collections.abc import Iterator
from typing import Any

from configdrive.inputs.documents import Budget, Document, control_character_keys
from configdrive.problems import DocPath, Problem, Severity
from configdrive.validation.ssh_keys import public_key_problem

_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")  # fullmatch, never `$`
# Decoded write_files content larger than this is surely a mistake (or a bomb). It is the
# total of one document: a 16 MiB cloud-config can hold 250 gzip bombs of 64 MiB each.
MAX_DECODED_CONTENT = 64 * 1024 * 1024
# Output is decompressed (and, when only counted, dropped) this much at a time.
_GUNZIP_CHUNK = 1024 * 1024
# MIME user data is a handful of parts; the email package builds an object per part.
MAX_MIME_PARTS = 1000


def hostname_problem(name: str) -> str | None:
    """Why `name` is not an RFC 1123 host name (dotted names allowed), or None."""
    if not name:
        return "empty host name"
    if len(name) > 253:
        return f"host name is {len(name)} characters long; at most 253 are allowed"
    for label in name.split("."):
        if not _LABEL.fullmatch(label):  # `$` would accept "web-1\n"
            return (
                f"{name!r} is not an RFC 1123 host name "
                "(labels of letters, digits and inner hyphens, 1 to 63 characters, dot-separated)"
            )
    return None


def uuid_problem(value: str) -> str | None:
    """Why `value` is not a UUID in its canonical 8-4-4-4-12 form, or None."""
    try:
        parsed = uuidlib.UUID(value)
    except ValueError:
        return f"{value!r} is not a UUID"
    if str(parsed) != value.lower():
        return f"{value!r} is not a UUID in the 8-4-4-4-12 form ({parsed})"
    return None


def base64_problem(value: str) -> str | None:
    """Why `value` is not base64 (line breaks allowed, as every reader strips them), or None."""
    try:
        base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        return "not valid base64"
    return None


def _items(data: Any, *keys: str) -> Iterator[tuple[str, Any]]:
    """The values at any of `keys` in a mapping (coreos-cloudinit reads dashes as underscores)."""
    if isinstance(data, dict):
        for key in keys:
            if key in data:
                yield key, data[key]


def _dash_aliases(key: str) -> tuple[str, str]:
    return (key, key.replace("_", "-"))


def cloud_config_problems(document: Document) -> list[Problem]:
    """SSH keys, host names and write_files content in a cloud-config."""
    data = document.data
    problems: list[Problem] = []
    problems += _ssh_key_list(document, (), data)
    for key, value in _items(data, "hostname", "fqdn"):
        if isinstance(value, str) and (message := hostname_problem(value)):
            problems.append(document.problem((key,), message))
    for key, users in _items(data, "users"):
        if isinstance(users, list):
            for index, user in enumerate(users):
                problems += _ssh_key_list(document, (key, index), user)
    budget = Budget(decompressed=MAX_DECODED_CONTENT)
    for key, files in _items(data, *_dash_aliases("write_files")):
        if isinstance(files, list):
            for index, entry in enumerate(files):
                problems += _write_file_problems(document, (key, index), entry, budget)
    for path, message in control_character_keys(data):
        problems.append(document.problem(path, message, key=True))
    return problems


def _ssh_key_list(document: Document, at: DocPath, owner: Any) -> list[Problem]:
    problems = []
    for key, keys in _items(owner, *_dash_aliases("ssh_authorized_keys")):
        if isinstance(keys, list):
            for index, line in enumerate(keys):
                if isinstance(line, str) and (message := public_key_problem(line)):
                    problems.append(document.problem((*at, key, index), message))
    return problems


_BASE64_ENCODINGS = {"b64", "base64", "gz+base64", "gzip+base64", "gz+b64", "gzip+b64"}
_GZIP_ENCODINGS = {"gz", "gzip", "gz+base64", "gzip+base64", "gz+b64", "gzip+b64"}


def _write_file_problems(
    document: Document, at: DocPath, entry: Any, budget: Budget
) -> list[Problem]:
    if not isinstance(entry, dict):
        return []
    problems = []
    path = entry.get("path")
    if isinstance(path, str) and not path.startswith("/"):
        problems.append(document.problem((*at, "path"), f"{path!r} is not an absolute path"))
    permissions = entry.get("permissions")
    if isinstance(permissions, int) and not isinstance(permissions, bool):
        written = document.scalar_text((*at, "permissions"))
        if written is not None and written.isdigit() and not written.startswith("0"):
            problems.append(
                document.problem(
                    (*at, "permissions"),
                    f"unquoted {written} is mode {permissions:o} (decimal) to cloud-init but "
                    f"{written} (octal) to coreos-cloudinit; write '0{written}' in quotes",
                    severity=Severity.WARNING,
                )
            )
    encoding = entry.get("encoding")
    content = entry.get("content")
    if isinstance(encoding, str) and isinstance(content, str | bytes):
        message = decode_problem(encoding.lower(), content, budget)
        if message:
            problems.append(document.problem((*at, "content"), message))
    return problems


def decode_problem(encoding: str, content: str | bytes, budget: Budget) -> str | None:
    """Why `content` does not decode with `encoding` (lower case), for every reader; or None."""
    raw: bytes = content.encode("latin-1", "replace") if isinstance(content, str) else content
    if encoding in _BASE64_ENCODINGS:
        try:
            raw = base64.b64decode(b"".join(raw.split()), validate=True)
        except (binascii.Error, ValueError):
            return f"content cannot be decoded as {encoding!r}: not valid base64"
    if encoding in _GZIP_ENCODINGS:
        try:
            # Only whether it decodes matters here: the output is counted, never kept.
            budget.decompressed -= gunzip_size(raw, budget.decompressed)
        except TooLargeError:
            total = MAX_DECODED_CONTENT // (1024 * 1024)
            if budget.decompressed < MAX_DECODED_CONTENT:
                return f"the write_files contents decompress to more than {total} MiB in all"
            return f"content decompresses to more than {total} MiB"
        except ValueError as error:
            return f"content cannot be decoded as {encoding!r}: {error}"
    return None


class TooLargeError(ValueError):
    """Decompressed data over its limit: a mistake or a bomb."""


def gunzip_bounded(data: bytes, limit: int) -> bytes:
    """Decompress every gzip member of `data`, refusing more than `limit` bytes of output."""
    return b"".join(_gunzip_chunks(data, limit))


def gunzip_size(data: bytes, limit: int) -> int:
    """How many bytes `data` decompresses to, holding one chunk at a time (as gunzip_bounded)."""
    return sum(len(chunk) for chunk in _gunzip_chunks(data, limit))


def _gunzip_chunks(data: bytes, limit: int) -> Iterator[bytes]:
    total = 0
    rest = data
    try:
        while rest:
            decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            pending = rest
            while not decompressor.eof:
                chunk = decompressor.decompress(pending, min(_GUNZIP_CHUNK, limit + 1 - total))
                pending = decompressor.unconsumed_tail
                if not chunk and not pending:
                    raise ValueError("gzip data is truncated")
                total += len(chunk)
                if total > limit:
                    raise TooLargeError(f"decompresses to more than {limit} bytes")
                yield chunk
            rest = decompressor.unused_data.lstrip(b"\0")
    except (zlib.error, gzip.BadGzipFile, EOFError) as error:
        raise ValueError(f"not valid gzip data ({error})") from None


def mime_part_bound(data: bytes) -> int:
    """At least as many as the parts of MIME `data`, counted without parsing it.

    Every part starts at a line `--BOUNDARY` of a boundary some Content-Type declares.
    """
    declared = set(re.findall(rb'boundary\s*=\s*"?([^";\r\n]+)', data, re.IGNORECASE))
    return sum(data.count(b"\n--" + boundary.strip()) for boundary in declared)


GENERATED_META_KEYS = {
    "files": "meta_data files are generated from --file SRC:DEST; give the files that way",
    "network_config": "network_config is generated; give network settings with --network-data",
}


def meta_data_problems(document: Document, *, as_input: bool = True) -> list[Problem]:
    """UUID, host name, SSH keys and random_seed in OpenStack meta_data.

    As input (`as_input`), `files` and `network_config` are refused: the build generates
    them. Read from a drive, they belong there.
    """
    data = document.data
    problems: list[Problem] = []
    if not isinstance(data, dict):
        return problems
    if isinstance(data.get("uuid"), str) and (message := uuid_problem(data["uuid"])):
        problems.append(document.problem(("uuid",), message))
    if isinstance(data.get("hostname"), str) and (message := hostname_problem(data["hostname"])):
        problems.append(document.problem(("hostname",), message))
    keys = data.get("public_keys")
    if isinstance(keys, dict):
        for name, line in keys.items():
            if isinstance(line, str) and (message := public_key_problem(line)):
                problems.append(document.problem(("public_keys", name), message))
    key_list = data.get("keys")
    if isinstance(key_list, list):
        for index, entry in enumerate(key_list):
            if (
                isinstance(entry, dict)
                and entry.get("type", "ssh") == "ssh"
                and isinstance(entry.get("data"), str)
                and (message := public_key_problem(entry["data"]))
            ):
                problems.append(document.problem(("keys", index, "data"), message))
    seed = data.get("random_seed")
    if isinstance(seed, str) and (message := base64_problem(seed)):
        problems.append(document.problem(("random_seed",), message))
    for key, message in GENERATED_META_KEYS.items():
        if as_input and key in data:
            problems.append(document.problem((key,), message, key=True))
    return problems


def network_data_problems(document: Document) -> list[Problem]:
    """Addresses and the references between links and networks in network_data."""
    data = document.data
    problems: list[Problem] = []
    if not isinstance(data, dict):
        return problems
    links = _list_at(data, "links")
    link_ids = _unique_ids(document, "links", links, problems)
    for index, link in enumerate(links):
        if not isinstance(link, dict):
            continue
        for member_index, member in enumerate(_list_at(link, "bond_links")):
            if isinstance(member, str) and member not in link_ids:
                problems.append(
                    document.problem(
                        ("links", index, "bond_links", member_index), f"no link has id {member!r}"
                    )
                )
        vlan_link = link.get("vlan_link")
        if isinstance(vlan_link, str) and vlan_link not in link_ids:
            problems.append(
                document.problem(("links", index, "vlan_link"), f"no link has id {vlan_link!r}")
            )
        problems += _link_identity_problems(document, ("links", index), link)
    networks = _list_at(data, "networks")
    _unique_ids(document, "networks", networks, problems)
    for index, network in enumerate(networks):
        if not isinstance(network, dict):
            continue
        at: DocPath = ("networks", index)
        link = network.get("link")
        if isinstance(link, str) and link not in link_ids:
            problems.append(document.problem((*at, "link"), f"no link has id {link!r}"))
        if network.get("type") in ("ipv4", "ipv6") and "ip_address" not in network:
            problems.append(
                document.problem(
                    at,
                    f"a static {network['type']} network needs ip_address (cloud-init "
                    "would configure the interface without an address)",
                )
            )
        problems += _address_problem(document, (*at, "ip_address"), network.get("ip_address"),
                                     interface=True)  # fmt: skip
        problems += _address_problem(document, (*at, "gateway"), network.get("gateway"))
        problems += _netmask_problem(document, (*at, "netmask"), network.get("netmask"))
        for route_index, route in enumerate(_list_at(network, "routes")):
            if isinstance(route, dict):
                route_at = (*at, "routes", route_index)
                problems += _address_problem(document, (*route_at, "network"), route.get("network"))
                problems += _address_problem(document, (*route_at, "gateway"), route.get("gateway"))
                problems += _netmask_problem(document, (*route_at, "netmask"), route.get("netmask"))
        for service_index, service in enumerate(_list_at(network, "services")):
            if isinstance(service, dict):
                problems += _address_problem(
                    document, (*at, "services", service_index, "address"), service.get("address")
                )
    for index, service in enumerate(_list_at(data, "services")):
        if isinstance(service, dict):
            problems += _address_problem(
                document, ("services", index, "address"), service.get("address")
            )
    return problems


def _list_at(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def _unique_ids(
    document: Document, key: str, entries: list[Any], problems: list[Problem]
) -> set[str]:
    ids: set[str] = set()
    for index, entry in enumerate(entries):
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            if entry["id"] in ids:
                problems.append(
                    document.problem((key, index, "id"), f"id {entry['id']!r} is used twice")
                )
            ids.add(entry["id"])
    return ids


def _address_problem(
    document: Document, at: DocPath, value: Any, *, interface: bool = False
) -> list[Problem]:
    """An IP address; with `interface`, `address/prefix` too (cloud-init accepts it there)."""
    if not isinstance(value, str):
        return []
    try:
        if interface and "/" in value:
            ipaddress.ip_interface(value)
        else:
            ipaddress.ip_address(value)
    except ValueError:
        return [document.problem(at, f"{value!r} is not an IP address")]
    return []


# Link types cloud-init treats as a NIC it must find on the machine (KNOWN_PHYSICAL_TYPES).
_NOT_PHYSICAL = frozenset({"bond", "vlan"})
# The keys convert_net_json reads from such links without a default (a KeyError at boot).
_LINK_NEEDS = {"bond": ("bond_links",), "vlan": ("vlan_link", "vlan_id", "vlan_mac_address")}


def _link_identity_problems(document: Document, at: DocPath, link: dict[str, Any]) -> list[Problem]:
    """What cloud-init's convert_net_json needs to name a link, or it fails at boot."""
    kind = link.get("type")
    if not isinstance(kind, str):
        return []  # a missing or mistyped `type` is the schema's to report
    missing = [key for key in _LINK_NEEDS.get(kind, ()) if key not in link]
    if missing:
        needs = " and ".join(missing)
        return [document.problem(at, f"a {kind} link needs {needs} (cloud-init reads it)")]
    if kind not in _NOT_PHYSICAL and not link.get("ethernet_mac_address") and not link.get("name"):
        return [
            document.problem(
                at,
                "a NIC needs ethernet_mac_address or name: cloud-init finds the interface by "
                "one of them and stops at boot without",
            )
        ]
    return []


def _netmask_problem(document: Document, at: DocPath, value: Any) -> list[Problem]:
    if not isinstance(value, str):
        return []
    if not _is_netmask(value):
        return [document.problem(at, f"{value!r} is not a netmask")]
    return []


def _is_netmask(value: str) -> bool:
    """A dotted IPv4 mask, an IPv6 mask (Nova writes ffff:ffff::), or a prefix length."""
    if value.isascii() and value.isdigit():  # "²".isdigit() is true, int("²") fails
        return int(value) <= 128
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    bits = format(int(address), f"0{address.max_prefixlen}b")
    return "01" not in bits
