"""Formats and layouts: which pairs are allowed, and the folder and Ironic writers' guarantees."""

from __future__ import annotations

import base64
import gzip
import io
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from configdrive import api
from configdrive.errors import InvalidInputError, OutputError, UsageError
from configdrive.formats.folder import folder_mode, write_dir
from configdrive.formats.ironic import _Base64Writer, write_ironic
from configdrive.formats.iso import write_iso
from configdrive.formats.registry import FORMATS, describe_reported, get_format
from configdrive.inputs.machine_file import EXTENSIONS
from configdrive.layouts.drive_layout import DriveLayout
from configdrive.validation.json_schemas import load_schema
from tests.helpers import VALID, run_cli

CLOUD_CONFIG = b"#cloud-config\nhostname: web-1\n"
LAYOUT = DriveLayout(
    "config-2",
    {
        "openstack/latest/meta_data.json": b'{"uuid": "x"}',
        "openstack/latest/user_data": CLOUD_CONFIG,
        "ec2/latest/user-data": CLOUD_CONFIG,
    },
)


def files_of(layout: DriveLayout) -> dict[str, bytes]:
    """The layout's contents, all in memory (the test layouts hold no payload files)."""
    return {path: content for path, content in layout.files.items() if isinstance(content, bytes)}


@pytest.mark.parametrize(
    ("layout", "output_format", "message"),
    [
        ("nocloud", "ironic", "--format ironic takes config-2 drives only"),
        ("openstack", "udf", "unknown format 'udf'"),
        ("azure", "iso", "unknown layout 'azure'"),
    ],
)
def test_pairs_no_reader_uses_are_refused(
    layout: str, output_format: str, message: str, tmp_path: Path
) -> None:
    with pytest.raises(UsageError, match=message):
        api.build(CLOUD_CONFIG, tmp_path / "d", layout=layout, format=output_format)
    assert list(tmp_path.iterdir()) == []


def test_the_cli_says_so_with_exit_2(tmp_path: Path) -> None:
    result = run_cli(
        "build", "-", "--layout", "nocloud", "--format", "ironic", "-o", tmp_path / "d",
        stdin=CLOUD_CONFIG,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--format ironic takes config-2 drives only" in result.stderr
    assert "Traceback" not in result.stderr


def test_vfat_config_drive_warns_about_afterburn(tmp_path: Path) -> None:
    result = api.build(CLOUD_CONFIG, tmp_path / "d.img", format="vfat")
    assert any("Afterburn" in warning.message for warning in result.warnings)
    with pytest.raises(InvalidInputError) as raised:
        api.build(CLOUD_CONFIG, tmp_path / "strict.img", format="vfat", strict=True)
    assert any("Afterburn" in problem.message for problem in raised.value.problems)
    assert not (tmp_path / "strict.img").exists()


def test_dir_format_writes_the_layout_with_pinned_times_and_private_modes(tmp_path: Path) -> None:
    target = tmp_path / "seed"
    size = write_dir(LAYOUT, target, force=False, mode=0o600, timestamp=315_532_800)
    files = {p.relative_to(target).as_posix(): p for p in target.rglob("*") if p.is_file()}
    assert {name: path.read_bytes() for name, path in files.items()} == files_of(LAYOUT)
    assert size == sum(len(content) for content in files_of(LAYOUT).values())
    for path in [target, *target.rglob("*")]:
        info = path.stat()
        assert int(info.st_mtime) == 315_532_800, path
        expected = 0o600 if path.is_file() else 0o700
        assert stat.S_IMODE(info.st_mode) == expected, path
    assert [p.name for p in tmp_path.iterdir()] == ["seed"], "no temporary folder is left"


def test_folder_mode_adds_search_where_read_is_granted() -> None:
    assert folder_mode(0o600) == 0o700
    assert folder_mode(0o644) == 0o755
    assert folder_mode(0o640) == 0o750


def test_dir_format_refuses_an_existing_target_without_force(tmp_path: Path) -> None:
    target = tmp_path / "seed"
    target.mkdir()
    (target / "keep").write_text("mine")
    with pytest.raises(OutputError, match="exists already"):
        write_dir(LAYOUT, target, force=False, mode=0o600, timestamp=0)
    assert [p.name for p in target.iterdir()] == ["keep"]
    # --force replaces only a drive folder (test_write_dir.py); this one holds someone's file.
    with pytest.raises(OutputError, match="is a folder but no drive"):
        write_dir(LAYOUT, target, force=True, mode=0o600, timestamp=0)
    assert [p.name for p in target.iterdir()] == ["keep"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seed"]


def test_dir_format_refuses_a_file_at_the_target(tmp_path: Path) -> None:
    target = tmp_path / "seed"
    target.write_text("a file")
    with pytest.raises(OutputError, match="is not a folder"):
        write_dir(LAYOUT, target, force=True, mode=0o600, timestamp=0)
    assert target.read_text() == "a file"


def test_a_failed_folder_build_leaves_nothing(tmp_path: Path) -> None:
    payload = tmp_path / "payload"
    payload.write_bytes(b"data")
    spec = api.machine_spec(CLOUD_CONFIG, files=[(payload, "/etc/payload")])
    machine = api.validate_machine(spec)
    layout = api.layout_drive(machine)
    payload.unlink()  # vanishes between validation and writing
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(OutputError):
        api.write_drive(machine, layout, out / "seed", format="dir")
    assert list(out.iterdir()) == []


def test_ironic_is_base64_of_gzip_of_the_iso(tmp_path: Path) -> None:
    encoded = io.BytesIO()
    write_ironic(LAYOUT, encoded, timestamp=0, scratch=tmp_path)
    image = io.BytesIO()
    write_iso(LAYOUT, image, timestamp=0)
    gzipped = base64.b64decode(encoded.getvalue(), validate=True)
    assert gzip.decompress(gzipped) == image.getvalue()
    # No file name (FLG.FNAME unset) and no time (MTIME zero) in the gzip header.
    assert gzipped[3] & 0x08 == 0
    assert gzipped[4:8] == b"\0\0\0\0"
    assert list(tmp_path.iterdir()) == [], "the scratch image is removed"


@given(st.lists(st.binary(max_size=50), max_size=20))
def test_base64_writer_matches_b64encode_whatever_the_chunks(chunks: list[bytes]) -> None:
    out = io.BytesIO()
    writer = _Base64Writer(out)
    for chunk in chunks:
        writer.write(chunk)
    writer.close()
    assert out.getvalue() == base64.b64encode(b"".join(chunks))


def test_every_format_builds_the_readme_example(tmp_path: Path) -> None:
    case = VALID / "container-linux"
    sizes = {}
    for output_format in ("iso", "vfat", "dir", "ironic"):
        result = api.build(
            case / "user.yml",
            tmp_path / f"drive.{output_format}",
            meta_data=case / "machine.yml",
            network_data=case / "network.json",
            format=output_format,
        )
        assert result.label == "config-2"
        sizes[output_format] = result.size
    # The folder holds every copy (no hard links); the ISO stores each content once.
    assert sizes["ironic"] < sizes["iso"] <= sizes["vfat"]
    assert sizes["dir"] < sizes["iso"]


def test_machine_files_may_name_every_registered_format_and_no_other() -> None:
    schema = load_schema("machine")
    named = next(
        node["enum"]
        for node in _walk(schema)
        if node.get("description") == "How the drive is packaged."
    )
    assert named == list(FORMATS)
    assert set(EXTENSIONS) == set(FORMATS)


def _walk(node: object) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


@pytest.mark.parametrize("name", list(FORMATS))
def test_each_format_reports_and_describes_itself(name: str, tmp_path: Path) -> None:
    chosen = FORMATS[name]
    result = api.build(CLOUD_CONFIG, tmp_path / "drive", format=name)
    assert result.format == chosen.reported_as
    assert describe_reported(chosen.reported_as) == chosen.description
    assert (tmp_path / "drive").is_dir() == chosen.writes_folder


def test_a_format_no_one_registered_is_described_by_its_name() -> None:
    assert describe_reported("udf") == "udf"
    with pytest.raises(UsageError, match="choose from iso, vfat, dir, ironic"):
        get_format("udf")
