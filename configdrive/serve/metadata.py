"""A machine's metadata service: URL paths to answers, taken from the drive's own layout.

`serve` answers what the OpenStack and EC2 metadata services answer, and every answer is
read off the config-2 layout `build` writes for the same machine (`layout_openstack`): a
machine gets the same bytes over HTTP as from its drive.

    /openstack                           the dated versions and latest, one a line
    /openstack/VERSION                   that folder's files, one a line
    /openstack/VERSION/meta_data.json    the drive's file, byte for byte (user_data,
                                         network_data.json, vendor_data.json, ...)
    /openstack/content/0000              an injected file, streamed from disk
    /                                    the EC2 versions (2009-04-04, latest)
    /VERSION                             dynamic/, meta-data/ and user-data
    /VERSION/meta-data/...               the drive's ec2/VERSION/meta-data.json, as EC2's tree
    /VERSION/user-data                   the drive's ec2/VERSION/user-data
    /VERSION/dynamic/instance-identity/document
                                         EC2's instance identity document, from the same
                                         meta data (see identity_document)
    /nocloud/meta-data, user-data, vendor-data, network-config
                                         the NoCloud seed `build --layout nocloud` writes,
                                         for `ds=nocloud-net;s=http://HOST/nocloud/`

Listings follow Nova's metadata service (nova/api/metadata/base.py, ec2_md_print): one
name a line, no final newline, keys sorted, a folder as `name/`, an SSH key as
`0=keyname` (EC2's way of naming the key under `0/openssh-key`).

Paths are keys of a map, never file names: nothing outside the map can be named.

A machine NoCloud cannot carry (injected files, vendor_data2: layouts.nocloud.nocloud_problems)
is still served over OpenStack and EC2; its nocloud/ paths answer 404, and the access line
says why (MetadataTree.nocloud_refused). Refusing it at load would refuse a fleet that boots
from config-2 or EC2 today. The seed is rendered on its first request (NoCloudSeed): its YAML
would cost more than all the rest of a machine's load, for every machine of a fleet that
never boots from NoCloud; it is rendered from the Machine validated at load, so what is
served still changes only on reload.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from configdrive.layouts.drive_layout import Content, DriveLayout, FileContent
from configdrive.layouts.nocloud import layout_nocloud, nocloud_problems
from configdrive.machine import Machine
from configdrive.problems import errors_in

TEXT = "text/plain; charset=utf-8"
JSON = "application/json"
BINARY = "application/octet-stream"

# Drive folders that are read only through meta_data.json's content paths: no listing.
CONTENT_FOLDER = "content"
# Nova's marker for "list this mapping by this name, not as a folder" (public-keys/0).
EC2_NAME_KEY = "_name"
# Where the NoCloud seed is served: `ds=nocloud-net;s=http://169.254.169.254/nocloud/`.
NOCLOUD_FOLDER = "nocloud"
# The files cloud-init's NoCloud reader asks for over HTTP (util.read_seeded, cloud-init
# 22.4 util.py:977-1014: meta-data, user-data, vendor-data, each with retries=10 and a 1 s
# sleep between tries, DataSourceNoCloud.py:173): each is served, empty when the machine has
# none, so that no boot waits ten seconds on a 404. network-config is served when there is
# one; cloud-init 22.4 reads it only from a seed folder (DataSourceNoCloud.py:342).
NOCLOUD_ALWAYS = ("meta-data", "user-data", "vendor-data")
# EC2's instance identity document carries this version (the document's format, not the API's).
IDENTITY_DOCUMENT_VERSION = "2017-09-30"
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Entry:
    """One answer: its content (bytes, or a file read when asked) and its media type."""

    content: Content
    media_type: str

    @property
    def size(self) -> int:
        """The answer's length in bytes."""
        return self.content.size if isinstance(self.content, FileContent) else len(self.content)


class NoCloudSeed:
    """A machine's nocloud/ answers, rendered once, on the first request that needs them."""

    def __init__(self, render: Callable[[], DriveLayout | str]) -> None:
        self._render: Callable[[], DriveLayout | str] | None = render
        self._entries: Mapping[str, Entry] = {}
        self._refused: str | None = None

    @classmethod
    def already_rendered(cls, entries: Mapping[str, Entry], refused: str | None) -> NoCloudSeed:
        """A seed rendered elsewhere (load-machines stores it rendered, serve --database
        reads it back)."""
        seed = cls(lambda: "")
        seed._render, seed._entries, seed._refused = None, entries, refused
        return seed

    @property
    def rendered(self) -> bool:
        """Whether the seed has been rendered (a request asked for it)."""
        return self._render is None

    @property
    def entries(self) -> Mapping[str, Entry]:
        """The seed's answers by path (nocloud/meta-data, ...); none when it is refused."""
        self._render_once()
        return self._entries

    @property
    def refused(self) -> str | None:
        """Why the machine has no seed, or None."""
        self._render_once()
        return self._refused

    def _render_once(self) -> None:
        if self._render is None:
            return
        seed = self._render()
        if isinstance(seed, str):
            self._refused = seed
        else:
            entries: dict[str, Entry] = {}
            _add_nocloud(entries, seed.files)
            self._entries = entries
        self._render = None  # and with it the Machine it held


@dataclass(frozen=True)
class MetadataTree:
    """Every path one machine's metadata service answers, without leading or trailing '/'."""

    entries: Mapping[str, Entry]  # every path but the NoCloud seed's
    nocloud: NoCloudSeed | None = None

    def get(self, key: str) -> Entry | None:
        """The answer at a key of the map (request_key), if any."""
        if key.split("/", 1)[0] == NOCLOUD_FOLDER:
            return self.nocloud.entries.get(key) if self.nocloud is not None else None
        return self.entries.get(key)

    @property
    def nocloud_refused(self) -> str | None:
        """Why this machine has no nocloud/ paths, for the access line; None when it has."""
        return self.nocloud.refused if self.nocloud is not None else None

    def lookup(self, raw_path: str) -> Entry | None:
        """The answer for a request path as the client sent it (percent-encoded), if any."""
        key = request_key(raw_path)
        return None if key is None else self.get(key)


def request_key(raw_path: str) -> str | None:
    """A request path as a key of the map, or None for a path no key can match.

    Percent escapes are decoded first, so `%2e%2e` is `..`; any `.` or `..` segment,
    undecodable bytes or control characters make the path unanswerable. Empty segments
    (`//`, a trailing `/`) are dropped, as Nova's service drops them.
    """
    if not raw_path.startswith("/"):
        return None
    try:
        decoded = unquote_to_bytes(raw_path).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _CONTROL_CHARACTER.search(decoded):
        return None
    segments = [segment for segment in decoded.split("/") if segment]
    if any(segment in (".", "..") for segment in segments):
        return None
    return "/".join(segments)


def metadata_tree(
    layout: DriveLayout,
    nocloud: DriveLayout | str | None = None,
    *,
    address: str | None = None,
) -> MetadataTree:
    """The metadata service's answers for a machine, from its config-2 drive layout.

    `nocloud` is the machine's NoCloud seed, or why it has none; `address` is the machine's
    own (its requests come from it), which the EC2 identity document gives as privateIp.
    """
    seed = None if nocloud is None else NoCloudSeed(lambda: nocloud)
    return _tree(layout, seed, address)


def machine_tree(machine: Machine, layout: DriveLayout, address: str | None) -> MetadataTree:
    """Every answer for a validated machine: its config-2 `layout`, its NoCloud seed."""
    return _tree(layout, NoCloudSeed(lambda: nocloud_seed(machine)), address)


def nocloud_seed(machine: Machine) -> DriveLayout | str:
    """The machine's NoCloud seed, as `build --layout nocloud` lays it out, or why it has none."""
    refusals = errors_in(nocloud_problems(machine))
    if refusals:
        return f"NoCloud cannot carry this machine: {refusals[0].message}"
    return layout_nocloud(machine)


def _tree(layout: DriveLayout, nocloud: NoCloudSeed | None, address: str | None) -> MetadataTree:
    entries: dict[str, Entry] = {}
    _add_openstack(entries, layout.files)
    _add_ec2(entries, layout.files, address)
    return MetadataTree(dict(sorted(entries.items())), nocloud)


def _add_openstack(entries: dict[str, Entry], files: Mapping[str, Content]) -> None:
    folders: dict[str, list[str]] = {}
    for path, content in files.items():
        parts = path.split("/")
        if parts[0] != "openstack":
            continue
        entries[path] = Entry(content, _media_type(parts[-1], parts[1]))
        if len(parts) == 3 and parts[1] != CONTENT_FOLDER:
            folders.setdefault(f"openstack/{parts[1]}", []).append(parts[2])
    for folder, names in folders.items():
        entries[folder] = _listing(sorted(names))
    if folders:
        # Dated versions sort before `latest`: Nova's order, oldest first.
        entries["openstack"] = _listing(sorted(folder.split("/")[1] for folder in folders))


def _add_ec2(entries: dict[str, Entry], files: Mapping[str, Content], address: str | None) -> None:
    versions = sorted(
        path.split("/")[1]
        for path in files
        if path.startswith("ec2/") and path.endswith("/meta-data.json")
    )
    for version in versions:
        meta_data = files[f"ec2/{version}/meta-data.json"]
        # The layout holds the drive's JSON as bytes; a FileContent here would be a bug.
        assert isinstance(meta_data, bytes)
        meta = json.loads(meta_data)
        _add_ec2_value(entries, f"{version}/meta-data", meta)
        _add_dynamic(entries, f"{version}/dynamic", identity_document(meta, address))
        listed = ["dynamic/", "meta-data/"]
        user_data = files.get(f"ec2/{version}/user-data")
        if user_data is not None:
            entries[f"{version}/user-data"] = Entry(user_data, BINARY)
            listed.append("user-data")
        entries[version] = _listing(listed)
    if versions:
        entries[""] = _listing(versions)


def identity_document(meta: Mapping[str, Any], address: str | None) -> dict[str, Any]:
    """EC2's instance identity document, with what the machine's EC2 meta data has.

    cloud-init 22.4's Ec2 datasource reads it on AWS (IMDSv2) after the meta-data tree
    (DataSourceEc2.py:562, helpers/ec2.py:262 get_instance_identity) and takes from its
    `document` the instanceId (DataSourceEc2.py:238, else meta-data's instance-id),
    availabilityZone (:419, else placement/availability-zone) and region (:431, else the
    zone less its last letter). Without the document it retried six times a second, twice
    a boot. Keys EC2 has and the machine does not (accountId, imageId, instanceType,
    architecture, pendingTime, region) are left out rather than made up, so cloud-init
    falls back to the meta data, as before. `version` is the document format's, as EC2's.
    """
    document: dict[str, Any] = {}
    zone = meta.get("placement", {}).get("availability-zone")
    if zone is not None:
        document["availabilityZone"] = zone
    document["instanceId"] = meta["instance-id"]
    if address is not None:
        document["privateIp"] = address
    document["version"] = IDENTITY_DOCUMENT_VERSION
    return document


def _add_dynamic(entries: dict[str, Entry], path: str, document: Mapping[str, Any]) -> None:
    """EC2's dynamic/ tree: the identity document only (no signatures: nothing signs it).

    EC2 serves the document as pretty-printed JSON text; cloud-init decodes a leaf that
    starts with `{` and ends with `}` as JSON (helpers/ec2.py:22-41, MetadataLeafDecoder).
    """
    entries[path] = _listing(["instance-identity/"])
    entries[f"{path}/instance-identity"] = _listing(["document"])
    text = json.dumps(document, indent=2, sort_keys=True)
    entries[f"{path}/instance-identity/document"] = Entry(text.encode("utf-8"), TEXT)


def _add_nocloud(entries: dict[str, Entry], files: Mapping[str, Content]) -> None:
    names = sorted({*files, *NOCLOUD_ALWAYS})
    for name in names:
        content = files.get(name, b"")
        media_type = TEXT if name in ("meta-data", "network-config") else BINARY
        entries[f"{NOCLOUD_FOLDER}/{name}"] = Entry(content, media_type)
    entries[NOCLOUD_FOLDER] = _listing(names)


def _add_ec2_value(entries: dict[str, Entry], path: str, value: Any) -> None:
    """A value of EC2's meta-data tree at `path`: a mapping is a folder, anything else a leaf."""
    if not isinstance(value, dict):
        entries[path] = Entry(_leaf_text(value).encode("utf-8"), TEXT)
        return
    names = []
    for key in sorted(value):
        if key == EC2_NAME_KEY:
            continue
        item = value[key]
        if isinstance(item, dict):
            names.append(str(item[EC2_NAME_KEY]) if EC2_NAME_KEY in item else f"{key}/")
        else:
            names.append(key)
        _add_ec2_value(entries, f"{path}/{key}", item)
    entries[path] = _listing(names)


def _leaf_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(_leaf_text(item) for item in value)
    return json.dumps(value)


def _listing(names: list[str]) -> Entry:
    return Entry("\n".join(names).encode("utf-8"), TEXT)


def _media_type(name: str, folder: str) -> str:
    if folder != CONTENT_FOLDER and name.endswith(".json"):
        return JSON
    return BINARY
