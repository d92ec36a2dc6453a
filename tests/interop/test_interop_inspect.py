"""inspect and extract on drives the real tools make, judged by cloud-init's own reader.

Every fixtures/drives case is built with its tool (tests/interop/peers.py), extracted the
way Linux shows it (xorriso, mtools), and read there by cloud-init's own code
(read_with_cloud_init.py under Debian's python). `mkconfigdrive inspect` must report what
cloud-init read, exactly, or fail where and as it fails; its file tree must be the extracted
tree; blkid must see its label; `mkconfigdrive extract` must write the same files; and each
reader's verdict must be the one the spec expects.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli

from . import peers
from .conftest import DEBIAN_PYTHON, HERE, run, tree_files

pytestmark = pytest.mark.interop

CASES = peers.cases()
READER = HERE / "read_with_cloud_init.py"
# How cloud-init fails, in inspect's words: skipped quietly, or "Broken config drive".
FAILURE_KINDS = {"NonReadable": "unreadable", "ValueError": "unreadable"}


@dataclass(frozen=True)
class Peer:
    spec: peers.PeerSpec
    image: Path
    linux: Path
    inspection: dict[str, Any]
    inspect_exit: int
    cloud_init: dict[str, Any]


class Peers:
    """Each peer drive built, extracted, read by cloud-init and inspected, once a session."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self._made: dict[str, Peer] = {}

    def __call__(self, name: str) -> Peer:
        if name not in self._made:
            spec = peers.load(name)
            folder = self._factory.mktemp(name)
            image = peers.make(spec, folder)
            linux = peers.linux_view(spec, image, folder / "linux")
            mode = "nocloud" if spec.nocloud else "configdrive"
            report = run([DEBIAN_PYTHON, "-I", READER, mode, linux]).stdout
            # inspect exits 1 on a broken drive, so it is run here rather than with run().
            result = run_cli("inspect", image, "--json", "--show", "secrets",
                             "--show", "user-data")  # fmt: skip
            assert result.returncode in (0, 1), result.stderr
            self._made[name] = Peer(
                spec,
                image,
                linux,
                json.loads(result.stdout),
                result.returncode,
                json.loads(report, object_hook=_decode_bytes),
            )
        return self._made[name]


def _decode_bytes(value: dict[str, Any]) -> Any:
    if value.keys() == {"$bytes"}:
        return base64.b64decode(value["$bytes"])
    return value


@pytest.fixture(scope="session")
def peer(tmp_path_factory: pytest.TempPathFactory) -> Peers:
    return Peers(tmp_path_factory)


def digest(data: bytes | str) -> dict[str, Any]:
    raw = data.encode() if isinstance(data, str) else data
    return {"size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}


def plain(value: Any) -> Any:
    """cloud-init's values as inspect's JSON holds them (bytes as base64)."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


@pytest.mark.parametrize("peer_case", CASES)
def test_verdicts_are_the_expected_ones(peer: Peers, peer_case: str) -> None:
    made = peer(peer_case)
    verdicts = {reader["reader"]: reader for reader in made.inspection["readers"]}
    assert {name: v["verdict"] for name, v in verdicts.items()} == made.spec.expect
    for reader, words in made.spec.because.items():
        said = " ".join(verdicts[reader]["reasons"] + verdicts[reader]["warnings"])
        assert words in said, (reader, said)
    assert made.inspection["ok"] is made.spec.ok
    assert made.inspect_exit == (0 if made.spec.ok else 1)


@pytest.mark.parametrize("peer_case", CASES)
def test_inspect_reads_what_cloud_init_reads(peer: Peers, peer_case: str) -> None:
    made = peer(peer_case)
    ours = made.inspection["cloud_init"]
    theirs = made.cloud_init
    if "failure" in theirs and theirs["failure"] is not None:
        expected_kind = FAILURE_KINDS.get(theirs["failure"]["type"], "broken")
        assert ours["failure"] is not None, theirs["failure"]
        assert ours["failure"]["kind"] == expected_kind, (ours["failure"], theirs["failure"])
        return
    assert ours["failure"] is None, ours["failure"]
    result = theirs["result"]
    assert ours["metadata"] == plain(result["metadata"])
    assert ours["user_data"]["sha256"] == digest(result["userdata"])["sha256"]
    assert ours["ssh_keys"] == theirs["ssh_keys"]
    assert ours["network_config"] == result.get("network_config")
    if made.spec.nocloud:
        assert ours["vendor_data"] == digest(result["vendordata"])
        return
    assert ours["folder"] == f"openstack/{theirs['selected_version']}"
    assert ours["vendor_data"] == result.get("vendordata")
    assert ours["vendor_data2"] == result.get("vendordata2")
    assert ours["network_data"] == result.get("networkdata")
    assert ours["files"] == {path: digest(data) for path, data in result["files"].items()}
    assert ours["ec2_metadata"] == result["ec2-metadata"]
    assert ours["dsmode"] == result.get("dsmode")


@pytest.mark.parametrize("peer_case", CASES)
def test_inspect_shows_the_tree_linux_shows(peer: Peers, peer_case: str) -> None:
    made = peer(peer_case)
    shown = {
        entry["path"]: entry["size"]
        for entry in made.inspection["files"]
        if entry["type"] == "file"
    }
    assert shown == {path: len(data) for path, data in tree_files(made.linux).items()}


@pytest.mark.parametrize("peer_case", CASES)
def test_blkid_sees_the_label_and_file_system(peer: Peers, peer_case: str) -> None:
    made = peer(peer_case)
    output = run(["blkid", "-p", "-o", "export", made.image]).stdout.decode()
    fields = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    assert fields["LABEL"] == made.inspection["label"]
    assert fields["TYPE"] == made.inspection["format"]


@pytest.mark.parametrize("peer_case", CASES)
def test_extract_writes_what_linux_shows(peer: Peers, peer_case: str, tmp_path: Path) -> None:
    made = peer(peer_case)
    out = tmp_path / "out"
    run([sys.executable, "-m", "configdrive", "extract", made.image, out, "-q"])
    assert tree_files(out) == tree_files(made.linux)


def test_user_data_shown_is_cloud_init_s(peer: Peers) -> None:
    made = peer("nova-genisoimage")
    shown = made.inspection["user_data"]
    assert shown["encoding"] == "utf-8"
    assert shown["data"].encode() == made.cloud_init["result"]["userdata"]


def test_secrets_are_hidden_without_show(peer: Peers) -> None:
    made = peer("nova-genisoimage")
    result = run([sys.executable, "-m", "configdrive", "inspect", made.image, "--json"])
    text = result.stdout.decode()
    document = json.loads(text)
    assert document["cloud_init"]["metadata"]["admin_pass"] == "<hidden>"
    assert document["cloud_init"]["metadata"]["random_seed"] == "<hidden>"
    assert "Xy12-secret-pass" not in text
    assert "packages" not in text  # the user data itself


FAT_TREE = {
    "UPPER.TXT": b"upper 8.3: the short name alone",
    "lower.txt": b"lower 8.3: a long name, or case bits",
    "Mixed Case Name.json": b"{}",
    "a-name-much-longer-than-eight.characters": b"long",
    "Deep/er/est/x": b"deep",
    "openstack/latest/meta_data.json": b'{"uuid": "2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c"}',
    "openstack/latest/user_data": b"#cloud-config\n" * 2000,  # several clusters
}


@pytest.mark.parametrize(("bits", "kilobytes"), [(12, 4096), (16, 20000), (32, 40000)])
def test_fat_reader_matches_mtools(tmp_path: Path, bits: int, kilobytes: int) -> None:
    """mkfs.vfat and mcopy make the image; extract must give what mcopy gives back."""
    tree = tmp_path / "tree"
    for path, data in FAT_TREE.items():
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_bytes(data)
    image = tmp_path / "fat.img"
    run(["mkfs.vfat", "-C", "-F", str(bits), "-n", "CONFIG-2", image, str(kilobytes)])
    run(["mcopy", "-s", "-i", image, *sorted(tree.iterdir()), "::"])
    back = tmp_path / "mtools"
    back.mkdir()
    run(["mcopy", "-s", "-n", "-i", image, "::*", back])
    ours = tmp_path / "ours"
    run([sys.executable, "-m", "configdrive", "extract", image, ours, "-q"])
    assert tree_files(ours) == tree_files(back) == tree_files(tree)
    result = run([sys.executable, "-m", "configdrive", "inspect", image, "--json"])
    document = json.loads(result.stdout)
    assert document["vfat"]["fat_bits"] == bits
    assert document["label"] == "CONFIG-2"
