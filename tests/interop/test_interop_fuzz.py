"""Whatever goes in, build() makes a drive cloud-init reads back exactly, or refuses it.

The property (issue 5): any input either builds a drive that cloud-init's own reader reads
back exactly as it went in, or is rejected with InvalidInputError (every problem with a
message) or UsageError, writing nothing. Any other exception is a bug.

Inputs come from our own JSON Schemas through hypothesis-jsonschema (documents valid by
schema, some narrowed so that the checks beyond the schemas pass as well and a drive gets
built) and from hostile strategies: documents with one value of the wrong type, arbitrary
JSON-ish values, random bytes and YAML text, odd flags and paths. Every drive built is
extracted with xorriso and read by cloud-init (reader_server.py, one process a session).

Profiles: the normal (CI) run is short and derandomized. bench/fuzz runs the slow profile:
MKCONFIGDRIVE_FUZZ_PROFILE=slow, MKCONFIGDRIVE_FUZZ_EXAMPLES examples a property (10,000
unless set), random seeds, and a summary written to MKCONFIGDRIVE_FUZZ_SUMMARY.
"""

from __future__ import annotations

import base64
import copy
import functools
import gzip
import io
import json
import math
import os
import re
import shutil
import stat
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema.validators
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from configdrive import BuildResult, InvalidInputError, UsageError, build
from configdrive.problems import Problem, Severity
from configdrive.validation.json_schemas import CLOUD_CONFIG, META_DATA, NETWORK_DATA, load_schema
from tests.hypothesis_schemas import for_hypothesis

from .conftest import ROOT, extract

if TYPE_CHECKING:
    from .conftest import CloudInitReader

pytestmark = pytest.mark.interop

# --------------------------------------------------------------------------- profiles

PROFILE_VARIABLE = "MKCONFIGDRIVE_FUZZ_PROFILE"
EXAMPLES_VARIABLE = "MKCONFIGDRIVE_FUZZ_EXAMPLES"
SUMMARY_VARIABLE = "MKCONFIGDRIVE_FUZZ_SUMMARY"
CI_EXAMPLES = 60
SLOW_EXAMPLES = 10_000

_SHARED_SETTINGS: dict[str, Any] = {
    "deadline": None,  # a build and a reading take milliseconds, but the machine is shared
    "print_blob": True,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
}
settings.register_profile(
    "mkconfigdrive-fuzz-ci",
    max_examples=CI_EXAMPLES,
    derandomize=True,  # CI explores the same examples every run: a red build is reproducible
    database=None,
    **_SHARED_SETTINGS,
)
settings.register_profile(
    "mkconfigdrive-fuzz-slow",
    max_examples=int(os.environ.get(EXAMPLES_VARIABLE, SLOW_EXAMPLES)),
    derandomize=False,
    **_SHARED_SETTINGS,
)
# Applied to each test below, never loaded globally: the other test modules keep their own.
FUZZ = settings.get_profile(f"mkconfigdrive-fuzz-{os.environ.get(PROFILE_VARIABLE, 'ci')}")


# --------------------------------------------------------------------------- schemas


# Keywords whose meaning is the same in draft 7 and 2020-12, plus the ones translated above.
SAME_IN_DRAFT_7 = frozenset(
    {
        *("type", "enum", "const", "$ref", "description", "title", "if", "then", "else"),
        *("allOf", "anyOf"),
        *("properties", "additionalProperties", "patternProperties", "required"),
        *("items", "minItems", "maxItems", "minimum", "maximum", "pattern"),
        *("oneOf", "not", "minProperties", "uniqueItems"),
        # Our own annotations (configdrive/validation/json_schemas.py): they constrain
        # nothing a generator must know; x-warning only adds a warning, which builds anyway.
        *("x-reader", "x-warning"),
    }
)
TRANSLATED = frozenset({"$schema", "$id", "$defs", "prefixItems"})


def replaced(schema: dict[str, Any], replacements: Mapping[str, Any]) -> dict[str, Any]:
    """`schema` with the subschema at each JSON pointer replaced (the pointer must exist)."""
    for pointer, replacement in replacements.items():
        *parents, last = pointer.strip("/").split("/")
        node = schema
        for key in parents:
            node = node[key]
        if last not in node:
            raise KeyError(f"{pointer} is not in the schema: update this test's narrowing")
        node[last] = replacement
    return schema


KEY_LINES = sorted(
    path.read_text(encoding="utf-8").strip() for path in (ROOT / "fixtures" / "keys").glob("*.pub")
)
KEY_FILE = ROOT / "fixtures" / "keys" / "ed25519.pub"
LABEL = r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?"
HOSTNAME = {"type": "string", "pattern": rf"^{LABEL}(\.{LABEL}){{0,2}}$"}
UUID = {
    "type": "string",
    "pattern": r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
}
BASE64 = {"type": "string", "pattern": r"^([A-Za-z0-9+/]{4}){0,6}([A-Za-z0-9+/]{2}==)?$"}
PUBLIC_KEY = {"type": "string", "enum": KEY_LINES}
KEY_LIST = {"type": "array", "items": PUBLIC_KEY}
OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4 = {"type": "string", "pattern": rf"^{OCTET}(\.{OCTET}){{3}}$"}
NETMASK = {"type": "string", "enum": ["255.255.255.0", "255.255.0.0", "0.0.0.0", "ffff:ffff::"]}

# Narrowings of the schemas to values that also pass the checks JSON Schema cannot express
# (key material, host names, UUIDs, addresses): such documents build a drive. `false` keeps
# a key out (files and network_config are generated; encoded content must decode).
SOUND_CLOUD_CONFIG = {
    "/properties/hostname": HOSTNAME,
    "/properties/fqdn": HOSTNAME,
    "/properties/ssh_authorized_keys": KEY_LIST,
    "/$defs/user/properties/ssh_authorized_keys": KEY_LIST,
    "/$defs/write_file/properties/path": {
        "type": "string",
        "pattern": r"^(/[a-z0-9._-]{1,8}){1,3}$",
    },
    "/$defs/write_file/properties/encoding": False,
}
SOUND_META_DATA = {
    "/properties/uuid": UUID,
    "/properties/hostname": HOSTNAME,
    "/properties/public_keys/additionalProperties": PUBLIC_KEY,
    "/properties/keys/items/properties/data": PUBLIC_KEY,
    "/properties/random_seed": BASE64,
    "/properties/files": False,
    "/properties/network_config": False,
}
SOUND_NETWORK_DATA = {
    "/$defs/network/properties/ip_address": IPV4,
    "/$defs/network/properties/gateway": IPV4,
    "/$defs/network/properties/netmask": NETMASK,
    "/$defs/route/properties/network": IPV4,
    "/$defs/route/properties/gateway": IPV4,
    "/$defs/route/properties/netmask": NETMASK,
    "/$defs/service/properties/address": IPV4,
}


def schema_documents(name: str, narrowing: Mapping[str, Any] | None = None) -> Any:
    """Documents hypothesis-jsonschema generates from our schema `name`, optionally narrowed.

    Each is checked against the original 2020-12 schema: a generator that drifted from the
    schema (a keyword lost in translation) fails here rather than passing quietly.
    """
    schema = for_hypothesis(load_schema(name))
    if narrowing:
        schema = replaced(schema, narrowing)

    def valid(document: Any) -> Any:
        problems = [error.message for error in _python_validators(name).iter_errors(document)]
        assert not problems, f"hypothesis-jsonschema made an invalid {name}: {problems}"
        return document

    return from_schema(schema).map(valid)


@st.composite
def linked_network_data(draw: st.DrawFn, documents: Any) -> dict[str, Any]:
    """A network_data document whose ids are unique and whose references name real links."""
    document: dict[str, Any] = copy.deepcopy(draw(documents))
    links = [link for link in document.get("links", []) if isinstance(link, dict)]
    link_ids = [f"link{index}" for index in range(len(links))]
    for index, link in enumerate(links):
        link["id"] = link_ids[index]
        if "vlan_link" in link:
            link["vlan_link"] = draw(st.sampled_from(link_ids))
        if "bond_links" in link:
            link["bond_links"] = draw(st.lists(st.sampled_from(link_ids), max_size=3))
    networks = document.get("networks", [])
    if networks and not link_ids:
        del document["networks"]
    for index, network in enumerate(document.get("networks", [])):
        network["id"] = f"network{index}"
        network["link"] = draw(st.sampled_from(link_ids))
    return document


# --------------------------------------------------------------------------- inputs

Given = bytes | Mapping[str, Any] | str | None


@dataclass
class Inputs:
    """One call of build(): the documents (bytes, a mapping, or a path) and the flags."""

    user_data: Given = None
    meta_data: Given = None
    network_data: Given = None
    vendor_data: Given = None
    vendor_data2: Given = None
    uuid: str | None = None
    hostname: str | None = None
    name: str | None = None
    ssh_keys: list[str] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)
    stdin: bytes = b""
    strict: bool = False

    def build(self, output: Path) -> BuildResult:
        return build(
            self.user_data,
            output,
            meta_data=self.meta_data,
            network_data=self.network_data,
            vendor_data=self.vendor_data,
            vendor_data2=self.vendor_data2,
            uuid=self.uuid,
            hostname=self.hostname,
            name=self.name,
            ssh_keys=self.ssh_keys,
            files=self.files,
            strict=self.strict,
            stdin=io.BytesIO(self.stdin),  # never the test process's own stdin
        )


def as_given(document: Any) -> Any:
    """A document as build() may take it: the mapping itself, JSON text or YAML text."""
    forms: list[st.SearchStrategy[Any]] = [
        st.just(json.dumps(document).encode()),
        st.just(yaml.safe_dump(document, sort_keys=False).encode()),
    ]
    if isinstance(document, dict):
        forms.append(st.just(document))
    return st.one_of(forms)


def cloud_config_given(document: Any) -> Any:
    """A cloud-config as user data: the mapping, or `#cloud-config` YAML/JSON, maybe gzipped."""
    texts = [
        "#cloud-config\n" + yaml.safe_dump(document, sort_keys=False),
        "#cloud-config\n" + yaml.safe_dump(document, default_flow_style=True, allow_unicode=True),
        "#cloud-config\n" + json.dumps(document),
    ]
    forms: list[st.SearchStrategy[Any]] = [st.just(text.encode()) for text in texts]
    forms.append(st.just(gzip.compress(texts[0].encode(), mtime=0)))
    if isinstance(document, dict):
        forms.append(st.just(document))
    return st.one_of(forms)


def optional(strategy: Any) -> Any:
    return st.none() | strategy


# --------------------------------------------------------------------------- the oracle

OUTCOMES: dict[str, Counter[str]] = defaultdict(Counter)
# Meta data keys the build sets from flags or merges (checked on their own), and the ones
# cloud-init itself derives from others (instance-id from uuid, local-hostname from hostname).
MERGED_META_KEYS = {"uuid", "hostname", "name", "public_keys", "keys", "files"}
# NoCloud's identity keys (configdrive.validation.nocloud_meta.NOCLOUD_IDENTITY_KEYS) are
# honoured as what they mean, not copied: `public-keys` joins the drive's keys (null: none).
CLOUD_INIT_META_KEYS = {"instance-id", "local-hostname", "public-keys"}
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the loader configdrive uses
RFC_1123_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
RFC_1123 = re.compile(rf"{RFC_1123_LABEL}(\.{RFC_1123_LABEL})*")


def outcome_of(test: str, inputs: Inputs, workspace: Path, reader: CloudInitReader) -> None:
    """Build `inputs` in a fresh folder and judge the outcome; count it under `test`."""
    folder = Path(tempfile.mkdtemp(dir=workspace))
    try:
        answer = attempt(inputs, folder / "drive.iso")
        if isinstance(answer, InvalidInputError):
            check_rejection(answer.problems, folder)
            outcome = "rejected"
        elif isinstance(answer, UsageError):
            assert str(answer), "a UsageError without a message"
            assert_nothing_written(folder)
            outcome = "usage error"
        else:
            check_drive(answer, inputs, folder, reader)
            outcome = "built"
    finally:
        remove_tree(folder)
    OUTCOMES[test][outcome] += 1
    event(outcome)


def attempt(inputs: Inputs, output: Path) -> BuildResult | InvalidInputError | UsageError:
    """build()'s result, or the refusal it raised; any other exception is a bug and escapes."""
    try:
        return inputs.build(output)
    except (InvalidInputError, UsageError) as refusal:
        return refusal


def check_rejection(problems: list[Problem], folder: Path) -> None:
    assert problems, "InvalidInputError without problems"
    assert any(problem.severity is Severity.ERROR for problem in problems), "only warnings"
    for problem in problems:
        assert problem.message.strip(), f"a problem without a message: {problem!r}"
        assert str(problem).strip()
        json.dumps(problem.to_json())  # what --json prints
    assert_nothing_written(folder)


def assert_nothing_written(folder: Path) -> None:
    left = sorted(path.name for path in folder.iterdir())
    assert left == [], f"a refused build left {left}"


def check_drive(result: BuildResult, inputs: Inputs, folder: Path, reader: CloudInitReader) -> None:
    """What cloud-init reads from the drive is what went in."""
    drive = folder / "drive.iso"
    assert sorted(path.name for path in folder.iterdir()) == ["drive.iso"], "temporary files left"
    assert drive.stat().st_size == result.size
    tree = extract(drive, folder / "tree")
    answer = reader.read(tree)
    assert answer["ok"], (
        f"cloud-init refused the drive: {answer['type']}: {answer['error']}\n{answer['traceback']}"
    )
    got = answer["report"]["result"]
    assert got["version"] == 2
    check_user_data(got["userdata"], inputs)
    check_meta_data(got["metadata"], answer["report"]["ssh_keys"], result, inputs)
    for document, key in (
        (inputs.network_data, "networkdata"),
        (inputs.vendor_data, "vendordata"),
        (inputs.vendor_data2, "vendordata2"),
    ):
        expected = None if document is None else given_document(document)
        if expected is None:
            assert key not in got, key
        else:
            assert same(got[key], expected), key
    assert got["files"] == {dest: Path(source).read_bytes() for source, dest in inputs.files}
    for path in tree.rglob("*.json"):
        strict_json(path)
    for name, document in (
        (CLOUD_CONFIG, given_cloud_config(inputs.user_data, inputs)),
        (META_DATA, given_document(inputs.meta_data) if inputs.meta_data is not None else None),
        (NETWORK_DATA, given_document(inputs.network_data) if inputs.network_data else None),
    ):
        if document is not None:
            assert not pattern_violations(document, name), f"{name}: a pattern is not met"


def check_user_data(read: Any, inputs: Inputs) -> None:
    given = inputs.user_data
    if given is None:
        assert read == ""  # cloud-init's value when there is no user_data
    elif isinstance(given, Mapping):
        # A mapping is written as a cloud-config: it must say exactly the same.
        assert isinstance(read, bytes)
        assert read.startswith(b"#cloud-config\n")
        assert same(yaml.safe_load(read), dict(given))
    else:
        assert read == given_bytes(given, inputs)


def check_meta_data(
    metadata: dict[str, Any], ssh_keys: list[str], result: BuildResult, inputs: Inputs
) -> None:
    given = given_document(inputs.meta_data) if inputs.meta_data is not None else {}
    assert isinstance(given, dict)

    uuid = inputs.uuid or given.get("uuid")
    assert result.uuid_derived is (uuid is None)
    assert metadata["uuid"] == metadata["instance-id"] == result.uuid
    if uuid is not None:
        assert result.uuid == uuid
    hostname = inputs.hostname or given.get("hostname")
    if hostname is not None:
        assert result.hostname == hostname
    assert metadata.get("hostname") == result.hostname
    if result.hostname is not None:
        assert metadata["local-hostname"] == result.hostname
    if result.hostname is not None:  # whatever its source, what the README promises
        assert RFC_1123.fullmatch(result.hostname), f"{result.hostname!r} is not RFC 1123"
        assert len(result.hostname) <= 253
    name = inputs.name or given.get("name")
    if name is not None:
        assert result.name == name
    assert metadata.get("name") == result.name

    for key, value in given.items():
        if key in MERGED_META_KEYS or key in CLOUD_INIT_META_KEYS:
            continue
        if key == "random_seed":  # cloud-init decodes it
            assert metadata[key] == base64.b64decode(value)
        else:
            assert same(metadata[key], value), key

    expected_keys = {str(key) for key in (given.get("public_keys") or {}).values()}
    expected_keys |= {
        entry["data"] for entry in given.get("keys") or [] if entry.get("type", "ssh") == "ssh"
    }
    expected_keys |= set(flag_keys(inputs.ssh_keys))
    nocloud_keys = given.get("public-keys")
    if isinstance(nocloud_keys, str):
        nocloud_keys = nocloud_keys.splitlines()
    if isinstance(nocloud_keys, list):
        expected_keys |= {key for key in nocloud_keys if isinstance(key, str) and key.strip()}
    assert set(ssh_keys) == expected_keys, "cloud-init installs other SSH keys than were given"


def flag_keys(values: list[str]) -> Iterator[str]:
    """The keys of ssh_keys=: each a key file (a key a line) or a key itself."""
    for value in values:
        path = Path(value)
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip() and not line.lstrip().startswith("#"):
                    yield line.strip()
        else:
            yield value.strip()


def given_bytes(given: bytes | str, inputs: Inputs) -> bytes:
    if isinstance(given, bytes):
        return given
    return inputs.stdin if given == "-" else Path(given).read_bytes()


def given_cloud_config(given: Given, inputs: Inputs) -> Any:
    """The cloud-config in the user data, parsed, or None when it holds none (or is MIME)."""
    if given is None or isinstance(given, Mapping):
        return given
    data = given_bytes(given, inputs)
    if data.startswith(b"\x1f\x8b"):
        data = gzip.decompress(data)
    if not data.startswith(b"#cloud-config\n"):
        return None
    return yaml.load(data.decode("utf-8-sig"), Loader=SAFE_LOADER)


def given_document(given: Given) -> Any:
    """A document as the user meant it: the mapping, or the text parsed as JSON or YAML."""
    if isinstance(given, Mapping):
        return dict(given)
    assert given is not None
    data = given if isinstance(given, bytes) else Path(given).read_bytes()
    text = data.decode("utf-8-sig")
    if text.lstrip()[:1] in ("{", "[") or (isinstance(given, str) and given.endswith(".json")):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            pass  # YAML in flow style
    return yaml.load(text, Loader=SAFE_LOADER)


def same(left: Any, right: Any) -> bool:
    """Deep equality in which NaN equals NaN (YAML carries it; JSON documents cannot)."""
    if isinstance(left, float) and isinstance(right, float) and math.isnan(left):
        return math.isnan(right)
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(same, left, right))
    return bool(left == right) and type(left) is type(right)


def pattern_violations(document: Any, name: str) -> list[str]:
    """What JSON Schema's own regular expressions refuse in a document Python's accept.

    JSON Schema patterns are ECMA-262: `$` is the end of the string. Python's `$` also
    matches before a final newline, so `^...$` lets "fa:16:3e:00:00:01\n" through.
    """
    python_messages = {error.message for error in _python_validators(name).iter_errors(document)}
    return [
        error.message
        for error in _ecma_validators(name).iter_errors(document)
        if error.message not in python_messages
    ]


@functools.cache
def _python_validators(name: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(name))


@functools.cache
def _ecma_validators(name: str) -> Any:
    def end_of_string_pattern(
        validator: Any, pattern: str, instance: Any, schema: Any
    ) -> Iterator[ValidationError]:
        ecma = re.sub(r"(?<!\\)\$", r"\\Z", pattern)  # our patterns use `$` only as an anchor
        if validator.is_type(instance, "string") and not re.search(ecma, instance):
            yield ValidationError(f"{instance!r} does not match {pattern!r}")

    strict = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator, {"pattern": end_of_string_pattern}
    )
    return strict(load_schema(name))


def strict_json(path: Path) -> None:
    """Every JSON file on the drive is RFC 8259 JSON, which every reader (Go's too) parses."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"{path.name} holds {constant}, which is not JSON")

    json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


def remove_tree(folder: Path) -> None:
    """Remove a folder holding an extracted drive (xorriso extracts it read-only)."""
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR | stat.S_IXUSR)
    shutil.rmtree(folder)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where each example gets its own folder (removed after it)."""
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module", autouse=True)
def summary() -> Iterator[dict[str, float]]:
    """Seconds each property took; written with the outcomes when bench/fuzz asks for it."""
    seconds: dict[str, float] = {}
    yield seconds
    target = os.environ.get(SUMMARY_VARIABLE)
    if target:
        report = {
            test: {"seconds": round(seconds.get(test, 0.0), 1), **OUTCOMES[test]}
            for test in sorted(set(OUTCOMES) | set(seconds))
        }
        Path(target).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(autouse=True)
def timed(request: pytest.FixtureRequest, summary: dict[str, float]) -> Iterator[None]:
    started = time.monotonic()
    yield
    summary[request.node.name] = time.monotonic() - started


@pytest.fixture(scope="module")
def paths(workspace: Path) -> dict[str, str]:
    """Files and non-files for the path arguments: the hostile ones and a few good ones."""
    folder = workspace / "paths"
    folder.mkdir()
    (folder / "user.yml").write_bytes(b"#cloud-config\nhostname: from-a-file\n")
    (folder / "meta.json").write_bytes(b'{"name": "file", "meta": {"role": "web"}}')
    (folder / "network.yml").write_bytes(b"links: []\nnetworks: []\n")
    (folder / "empty").write_bytes(b"")
    (folder / "keys").write_text(f"# two keys\n{KEY_LINES[0]}\n\n{KEY_LINES[1]}\n")
    (folder / "a folder").mkdir()
    os.mkfifo(folder / "fifo")
    return {
        "user": str(folder / "user.yml"),
        "meta": str(folder / "meta.json"),
        "network": str(folder / "network.yml"),
        "empty": str(folder / "empty"),
        "keys": str(folder / "keys"),
        "folder": str(folder / "a folder"),
        "fifo": str(folder / "fifo"),
        "missing": str(folder / "missing"),
    }


# --------------------------------------------------------------------------- (a) valid by schema

cloud_configs = st.deferred(
    lambda: (
        schema_documents(CLOUD_CONFIG)
        | schema_documents(CLOUD_CONFIG, SOUND_CLOUD_CONFIG)
        | st.just({})
    )
)
meta_documents = st.deferred(
    lambda: schema_documents(META_DATA) | schema_documents(META_DATA, SOUND_META_DATA)
)
network_documents = st.deferred(
    lambda: (
        schema_documents(NETWORK_DATA)
        | linked_network_data(schema_documents(NETWORK_DATA, SOUND_NETWORK_DATA))
    )
)


@FUZZ
@given(
    user_data=optional(cloud_configs.flatmap(cloud_config_given)),
    meta_data=optional(meta_documents.flatmap(as_given)),
    network_data=optional(network_documents.flatmap(as_given)),
)
def test_documents_valid_by_schema(
    user_data: Given,
    meta_data: Given,
    network_data: Given,
    workspace: Path,
    cloud_init_reader: CloudInitReader,
) -> None:
    inputs = Inputs(user_data, meta_data, network_data)
    outcome_of("test_documents_valid_by_schema", inputs, workspace, cloud_init_reader)


# --------------------------------------------------------------------------- (b) hostile inputs


def now_and_then(rare: Any, usual: Any) -> Any:
    """`rare` one time in twenty, else `usual`: met often, yet leaving the rest to be tested."""
    return st.integers(0, 19).flatmap(lambda n: rare if n == 0 else usual)


# Python refuses to turn integers of more than 4300 digits into text or back (CVE-2020-10735):
# in a mapping they are ints, in a document text a long run of digits.
huge_integers = st.integers(min_value=4200, max_value=4400).map(lambda digits: 10**digits - 1)
huge_numerals = st.integers(min_value=4200, max_value=4400).map(lambda digits: "9" * digits)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and the infinities included
    | st.text(max_size=30)
)
json_ish = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=15,
)
# A Python caller may hand over values JSON has no form for (YAML has !!binary).
python_values = st.recursive(
    now_and_then(huge_integers, scalars | st.binary(max_size=8)),
    lambda children: st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=8,
)


def near_misses(value: Any) -> Any:
    """Values of another type than `value`, and the same value slightly wrong."""
    other_type = json_ish.filter(lambda new: type(new) is not type(value))
    if isinstance(value, str):
        return other_type | st.sampled_from(
            [value + "\n", " " + value, value.upper(), value + "\x00", "", value * 3]
        )
    if isinstance(value, int) and not isinstance(value, bool):
        return other_type | st.sampled_from([-1, value + 1, 2**64, str(value)])
    return other_type


def value_paths(document: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every value inside `document` (not the document itself)."""
    items: Any = ()
    if isinstance(document, dict):
        items = document.items()
    elif isinstance(document, list):
        items = enumerate(document)
    for key, child in items:
        yield (*at, key)
        yield from value_paths(child, (*at, key))


@st.composite
def with_a_wrong_value(draw: st.DrawFn, documents: Any) -> Any:
    """A valid document with one value (anywhere in it) replaced by a wrong one."""
    document = copy.deepcopy(draw(documents))
    paths = list(value_paths(document))
    if not paths:
        return draw(near_misses(document))
    *parents, last = draw(st.sampled_from(paths))
    node = document
    for key in parents:
        node = node[key]
    node[last] = draw(near_misses(node[last]))
    return document


sound_cloud_configs = st.deferred(lambda: schema_documents(CLOUD_CONFIG, SOUND_CLOUD_CONFIG))
sound_meta_documents = st.deferred(lambda: schema_documents(META_DATA, SOUND_META_DATA))
sound_network_documents = st.deferred(
    lambda: linked_network_data(schema_documents(NETWORK_DATA, SOUND_NETWORK_DATA))
)


@FUZZ
@given(
    user_data=optional(with_a_wrong_value(sound_cloud_configs).flatmap(cloud_config_given)),
    meta_data=optional(with_a_wrong_value(sound_meta_documents).flatmap(as_given)),
    network_data=optional(with_a_wrong_value(sound_network_documents).flatmap(as_given)),
)
def test_documents_with_a_wrong_value(
    user_data: Given,
    meta_data: Given,
    network_data: Given,
    workspace: Path,
    cloud_init_reader: CloudInitReader,
) -> None:
    inputs = Inputs(user_data, meta_data, network_data)
    outcome_of("test_documents_with_a_wrong_value", inputs, workspace, cloud_init_reader)


def any_document(values: Any) -> Any:
    """An arbitrary value as a document: a mapping (for the API), or JSON or YAML text."""
    return st.one_of(
        st.dictionaries(st.text(max_size=12), values, max_size=5),
        values.map(lambda value: json.dumps(value).encode()),
        values.map(lambda value: yaml.safe_dump(value).encode()),
    )


@FUZZ
@given(
    user_data=optional(
        st.dictionaries(st.text(max_size=12), python_values, max_size=5)
        | json_ish.map(lambda value: ("#cloud-config\n" + yaml.safe_dump(value)).encode())
    ),
    meta_data=optional(
        any_document(json_ish) | st.dictionaries(st.text(max_size=12), python_values, max_size=5)
    ),
    network_data=optional(any_document(json_ish)),
    vendor_data=optional(any_document(json_ish)),
    vendor_data2=optional(any_document(json_ish)),
)
def test_arbitrary_values(
    user_data: Given,
    meta_data: Given,
    network_data: Given,
    vendor_data: Given,
    vendor_data2: Given,
    workspace: Path,
    cloud_init_reader: CloudInitReader,
) -> None:
    inputs = Inputs(user_data, meta_data, network_data, vendor_data, vendor_data2)
    outcome_of("test_arbitrary_values", inputs, workspace, cloud_init_reader)


MAGIC_STARTS = [
    b"",
    b"#cloud-config\n",
    b"#cloud-config-archive\n",
    b"#!/bin/sh\n",
    b"#include\n",
    b"{",
    b'{"ignition": {"version": ',
    b"\x1f\x8b",
    b"\xef\xbb\xbf",
    b"Content-Type: multipart/mixed; boundary=XX\nMIME-Version: 1.0\n\n--XX\n",
]
# YAML's indicators and escapes, a few letters, and characters YAML refuses or treats specially.
YAML_ALPHABET = st.sampled_from([*"abc019 :-,[]{}&*!|>'\"#%@`?\n\t.~=<\\", "\x00", "é", "\u2028"])
yaml_text = st.one_of(
    st.text(YAML_ALPHABET, max_size=80),
    st.tuples(
        json_ish,
        st.integers(0, 40),
        now_and_then(huge_numerals, st.text(YAML_ALPHABET, max_size=4)),
    ).map(
        # A real document with a few characters spliced in somewhere.
        lambda parts: splice(yaml.safe_dump(parts[0]), parts[1], parts[2])
    ),
)


def splice(text: str, at: int, insert: str) -> str:
    return text[:at] + insert + text[at:]


random_payloads = st.one_of(
    st.tuples(st.sampled_from(MAGIC_STARTS), st.binary(max_size=120)).map(b"".join),
    st.tuples(st.sampled_from(MAGIC_STARTS), yaml_text).map(lambda p: p[0] + p[1].encode()),
    yaml_text.map(lambda text: gzip.compress(("#cloud-config\n" + text).encode(), mtime=0)),
)


SLOTS = ("user_data", "meta_data", "network_data", "vendor_data", "vendor_data2")


@FUZZ
@given(slot=st.sampled_from(SLOTS), payload=random_payloads)
def test_random_bytes_and_yaml_text(
    slot: str, payload: bytes, workspace: Path, cloud_init_reader: CloudInitReader
) -> None:
    inputs = Inputs()
    setattr(inputs, slot, payload)  # one input at a time: another's refusal would hide it
    outcome_of("test_random_bytes_and_yaml_text", inputs, workspace, cloud_init_reader)


# Path arguments that name no readable regular file, or cannot name a file at all.
NOT_FILES = ("folder", "fifo", "missing", "empty")
ODD_PATHS = ("~nosuchuser/x", "~", "", "a\x00b", "/dev/null")


def hostile_paths(paths: dict[str, str], *good: str) -> Any:
    """Path arguments: half the time one of the `good` files, else what a path should not be."""
    bad = st.one_of(
        st.sampled_from([paths[name] for name in NOT_FILES]),
        st.sampled_from(ODD_PATHS),
        st.text(max_size=12),
    )
    return st.sampled_from([paths[name] for name in good]) | bad


@st.composite
def flags_and_paths(draw: st.DrawFn, paths: dict[str, str]) -> Inputs:
    text = st.text(max_size=40)
    mangled_keys = st.sampled_from(KEY_LINES).flatmap(
        lambda line: st.sampled_from(
            [line + "\n", line[:-10], line.replace("AAAA", "BBBB", 1), "x " + line, line.split()[0]]
        )
    )
    keys = st.sampled_from(KEY_LINES) | mangled_keys | hostile_paths(paths, "keys") | text
    sources = hostile_paths(paths, "user", "meta")
    destinations = st.sampled_from(["/etc/motd", "/root/x y", "/etc/x"]) | text
    return Inputs(
        # "-" is standard input: build() reads `stdin` below.
        user_data=draw(
            optional(hostile_paths(paths, "user") | st.sampled_from(["-", b"#!/bin/sh\n"]))
        ),
        meta_data=draw(optional(hostile_paths(paths, "meta"))),
        network_data=draw(optional(hostile_paths(paths, "network"))),
        uuid=draw(optional(st.uuids().map(str) | st.uuids().map(lambda u: str(u).upper()) | text)),
        hostname=draw(optional(st.from_regex(RFC_1123, fullmatch=True) | text)),
        name=draw(optional(text)),
        ssh_keys=draw(st.lists(keys, max_size=2)),
        files=draw(st.lists(st.tuples(sources, destinations), max_size=2)),
        stdin=draw(st.binary(max_size=40) | st.just(b"#cloud-config\nhostname: from-stdin\n")),
        strict=draw(st.booleans()),
    )


@FUZZ
@given(data=st.data())
def test_hostile_flags_and_paths(
    data: st.DataObject,
    paths: dict[str, str],
    workspace: Path,
    cloud_init_reader: CloudInitReader,
) -> None:
    inputs = data.draw(flags_and_paths(paths))
    outcome_of("test_hostile_flags_and_paths", inputs, workspace, cloud_init_reader)


# --------------------------------------------------------------------------- the generators


@pytest.mark.parametrize("name", [CLOUD_CONFIG, META_DATA, NETWORK_DATA])
def test_schemas_keywords_survive_the_translation(name: str) -> None:
    """Every keyword in our schemas means the same to hypothesis-jsonschema, or is translated.

    A new 2020-12 keyword (dependentRequired, unevaluatedProperties, ...) would be ignored
    by a draft-7 generator: this names it instead.
    """

    def keywords(node: Any) -> Iterator[str]:
        if isinstance(node, list):
            for item in node:
                yield from keywords(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                yield key
                if key in ("properties", "patternProperties", "$defs"):
                    for subschema in value.values():
                        yield from keywords(subschema)
                elif key not in ("enum", "const", "required"):
                    yield from keywords(value)

    unknown = set(keywords(load_schema(name))) - SAME_IN_DRAFT_7 - TRANSLATED
    assert not unknown, f"hypothesis-jsonschema may not understand {sorted(unknown)}"
    assert "prefixItems" not in json.dumps(for_hypothesis(load_schema(name)))


def test_the_ci_profile_is_short_and_the_slow_one_long() -> None:
    assert settings.get_profile("mkconfigdrive-fuzz-ci").max_examples <= 100
    assert settings.get_profile("mkconfigdrive-fuzz-ci").derandomize
    slow = settings.get_profile("mkconfigdrive-fuzz-slow")
    assert not slow.derandomize
    if EXAMPLES_VARIABLE not in os.environ:
        assert slow.max_examples >= SLOW_EXAMPLES
