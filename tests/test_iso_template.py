"""ISO templates: every drive of a shape is the bytes pycdlib writes for it, from one build."""

from __future__ import annotations

import hashlib
import io
import random
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from unittest import mock

import pycdlib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configdrive import api
from configdrive.formats import iso
from configdrive.formats.iso_template import SECTOR, learn
from configdrive.layouts.drive_layout import DriveLayout, FileContent
from tests.helpers import VALID, case_args, cases, run_cli
from tests.interop.conftest import (
    extract,
    isoinfo_paths,
    read_with_cloud_init,
    tree_files,
    xorriso_files,
)

EXAMPLE = VALID / "container-linux"
# Folder and file names never overlap, so no path is both. Upper and lower case, '-' and '_'
# and long names make the ISO9660 names collide and get their _1, _2 suffixes.
FOLDERS = ["d", "D", "d-1", "d_1", "openstack", "2012-08-10", "x" * 40]
FILES = ["f", "F", "f.json", "F.JSON", "user_data", "meta-data", "a.b.c", "y" * 60 + ".txt"]
SIZES = [0, 1, 2047, 2048, 2049, 4095, 4096, 4097, 6143, 6144]


@pytest.fixture(autouse=True)
def _no_templates_from_other_tests() -> Iterator[None]:
    iso.TEMPLATES.clear()
    yield
    iso.TEMPLATES.clear()


def data(seed: int, size: int, group: int = 0) -> bytes:
    """`size` bytes; those of distinct `group`s differ (their first byte) when not empty."""
    if size == 0:
        return b""
    return bytes([group]) + random.Random(seed).randbytes(size - 1)


def image(layout: DriveLayout, timestamp: int = 1_700_000_000, **kwargs: Any) -> bytes:
    out = io.BytesIO()
    iso.write_iso(layout, out, timestamp=timestamp, **kwargs)
    return out.getvalue()


# Taken before any test counts the calls write_iso makes to it.
_PYCDLIB_ALONE = iso.write_iso_with_pycdlib


def plain(layout: DriveLayout, timestamp: int = 1_700_000_000) -> bytes:
    """The image as pycdlib alone writes it: what every drive must be."""
    out = io.BytesIO()
    _PYCDLIB_ALONE(layout, out, timestamp=timestamp)
    return out.getvalue()


class CountedBuilds:
    """How many images pycdlib builds while it is in place (write_iso's own calls)."""

    def __init__(self) -> None:
        self.builds = 0
        self._real: Callable[..., None] = _PYCDLIB_ALONE

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.builds += 1
        self._real(*args, **kwargs)

    def __enter__(self) -> CountedBuilds:
        self._patch = mock.patch.object(iso, "write_iso_with_pycdlib", self)
        self._patch.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._patch.stop()


@st.composite
def layouts(draw: st.DrawFn) -> DriveLayout:
    places = draw(
        st.lists(
            st.tuples(st.lists(st.sampled_from(FOLDERS), max_size=3), st.sampled_from(FILES)),
            min_size=1,
            max_size=12,
        )
    )
    pool = draw(
        st.lists(
            st.tuples(st.integers(0, 2**32), st.sampled_from(SIZES) | st.integers(0, 3 * SECTOR)),
            min_size=1,
            max_size=5,
        )
    )
    files: dict[str, bytes] = {}
    for folders, name in places:
        seed, size = pool[draw(st.integers(0, len(pool) - 1))]  # a shared pick: a hard link
        files["/".join([*folders, name])] = data(seed, size)
    return DriveLayout(draw(st.sampled_from(["config-2", "cidata", "CONFIG-2", "x"])), files)


def same_shape(layout: DriveLayout, seed: int) -> DriveLayout:
    """`layout` with new contents in every group, each the same number of sectors."""
    picker = random.Random(seed)
    renewed: dict[bytes, bytes] = {}
    files: dict[str, bytes] = {}
    for path, content in layout.files.items():
        assert isinstance(content, bytes)
        if content not in renewed:
            sectors = -(-len(content) // SECTOR)
            size = picker.randint((sectors - 1) * SECTOR + 1, sectors * SECTOR) if sectors else 0
            renewed[content] = data(picker.getrandbits(32), size, group=len(renewed))
        files[path] = renewed[content]
    return DriveLayout(layout.label, files)


@settings(max_examples=80)
@given(layouts(), st.integers(0, 2**31 - 1), st.lists(st.integers(0, 2**32), max_size=3))
def test_every_drive_of_a_shape_is_what_pycdlib_writes(
    layout: DriveLayout, timestamp: int, seeds: list[int]
) -> None:
    iso.TEMPLATES.clear()
    with CountedBuilds() as counted:
        assert image(layout, timestamp) == plain(layout, timestamp)
        for seed in seeds:
            drive = same_shape(layout, seed)
            assert iso._Shape.of(drive, timestamp) is not None
            assert image(drive, timestamp) == plain(drive, timestamp)
    assert counted.builds == 1  # the later drives were the template, refilled


def fleet_layout(index: int) -> DriveLayout:
    # web-00 .. web-49: one length of host name, so one shape of drive.
    spec = api.machine_spec(
        EXAMPLE / "user.yml",
        meta_data=EXAMPLE / "machine.yml",
        network_data=EXAMPLE / "network.json",
        hostname=f"web-{index:02d}",
        uuid=f"00000000-0000-4000-8000-{index:012d}",
    )
    return api.layout_drive(api.validate_machine(spec))


def test_fifty_drives_of_one_shape_cost_one_pycdlib_image() -> None:
    drives = [fleet_layout(index) for index in range(50)]
    with mock.patch.object(
        pycdlib.PyCdlib, "new", autospec=True, side_effect=pycdlib.PyCdlib.new
    ) as new:
        images = [image(drive) for drive in drives]
    assert new.call_count == 1
    assert len(set(images)) == 50
    for index in (1, 17, 49):
        assert images[index] == plain(drives[index])


def test_a_changed_timestamp_or_label_is_another_shape() -> None:
    drive = fleet_layout(0)
    with CountedBuilds() as counted:
        image(drive, 1)
        image(drive, 2)
        image(DriveLayout("CONFIG-2", drive.files), 2)
    assert counted.builds == 3
    assert image(drive, 2) == plain(drive, 2)


def test_a_file_grown_past_its_last_sector_is_another_shape() -> None:
    drives = [DriveLayout("config-2", {"a/x": data(seed, size), "b/y": b"y"})
              for seed, size in ((1, 2048), (2, 2049), (3, 0), (4, 4097))]  # fmt: skip
    with CountedBuilds() as counted:
        for drive in drives:
            assert image(drive) == plain(drive)
    assert counted.builds == 4


def test_hard_links_grouped_otherwise_are_another_shape() -> None:
    two = DriveLayout("config-2", {"a/x": b"1", "b/x": b"2"})
    linked = DriveLayout("config-2", {"a/x": b"3", "b/x": b"3"})
    with CountedBuilds() as counted:
        image(two)
        assert image(linked) == plain(linked)
    assert counted.builds == 2


def test_the_templates_are_few_and_the_oldest_go_first() -> None:
    held = iso.TEMPLATES.max_shapes
    drive = fleet_layout(0)
    with CountedBuilds() as counted:
        for label in range(held + 5):
            image(DriveLayout(f"L{label}", drive.files))
        assert len(iso.TEMPLATES) == held
        image(DriveLayout(f"L{held + 4}", drive.files))  # the newest is held
        assert counted.builds == held + 5
        image(DriveLayout("L0", drive.files))  # the oldest was dropped
        assert counted.builds == held + 6


def test_the_templates_hold_a_bounded_number_of_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    bounded = iso._Templates(max_shapes=100, max_bytes=3 * len(image(fleet_layout(0))))
    monkeypatch.setattr(iso, "TEMPLATES", bounded)
    drive = fleet_layout(0)
    for label in range(10):
        image(DriveLayout(f"L{label}", drive.files))
        assert bounded.held_bytes() <= bounded.max_bytes
    assert len(bounded) == 3


def test_small_injected_files_are_read_into_the_image(tmp_path: Path) -> None:
    payload, other = tmp_path / "payload", tmp_path / "other"
    payload.write_bytes(b"p" * 5000)
    other.write_bytes(b"q" * 4500)
    first = DriveLayout("config-2", {"a": b"x", "b": FileContent(payload, 5000), "c": b"p" * 5000})
    second = DriveLayout("config-2", {"a": b"y", "b": FileContent(other, 4500), "c": b"z" * 4097})
    with CountedBuilds() as counted:
        assert image(first) == plain(first)
        assert image(second) == plain(second)
    assert counted.builds == 1


def test_a_file_changed_since_it_was_measured_is_an_error(tmp_path: Path) -> None:
    payload = tmp_path / "payload"
    payload.write_bytes(b"p" * 10)
    image(DriveLayout("config-2", {"a": FileContent(payload, 10)}))
    payload.write_bytes(b"p" * 11)
    with pytest.raises(OSError, match="changed size"):
        image(DriveLayout("config-2", {"a": FileContent(payload, 10)}))


def test_big_files_are_left_to_pycdlib(tmp_path: Path) -> None:
    payload = tmp_path / "payload"
    payload.write_bytes(bytes(iso._TEMPLATE_MAX_BYTES))
    streamed = DriveLayout(
        "config-2", {"a": b"x", "b": FileContent(payload, payload.stat().st_size)}
    )
    big = DriveLayout("config-2", {"a": bytes(iso._TEMPLATE_MAX_BYTES + 1)})
    with CountedBuilds() as counted:
        for drive in (streamed, streamed, big, big):
            assert image(drive) == plain(drive)
    assert counted.builds == 4
    assert len(iso.TEMPLATES) == 0


def test_progress_is_reported_from_a_template_too() -> None:
    drive = fleet_layout(0)
    image(drive)
    calls: list[tuple[int, int]] = []
    written = image(fleet_layout(1), progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, len(written))
    assert calls[-1] == (len(written), len(written))


def test_a_template_that_does_not_give_back_the_image_is_refused() -> None:
    drive = DriveLayout("config-2", {"a/x": b"hello", "b/y": b"world"})
    written = plain(drive)
    paths = {"/A/X.;1": 0, "/B/Y.;1": 1}
    joliet = {"/a/x": 0, "/b/y": 1}
    assert learn(written, [b"hello", b"world"], paths, joliet) is not None
    # Contents the image does not hold, a name it does not have, a record left out.
    assert learn(written, [b"HELLO", b"world"], paths, joliet) is None
    assert learn(written, [b"hello", b"world"], {"/A/X.;1": 0, "/B/Z.;1": 1}, joliet) is None
    assert learn(written, [b"hello", b"world"], {"/A/X.;1": 0}, joliet) is None
    # Data elsewhere that depends on the file (here: a stray copy) makes the refill wrong.
    tampered = bytearray(written)
    tampered[-SECTOR : -SECTOR + 5] = b"hello"
    assert learn(bytes(tampered), [b"hello", b"world"], paths, joliet) is None


def test_a_refused_shape_is_built_by_pycdlib_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(iso, "learn", lambda *args: None)
    with CountedBuilds() as counted:
        for index in range(3):
            drive = fleet_layout(index)
            assert image(drive) == plain(drive)
    assert counted.builds == 3


@pytest.mark.parametrize("case", cases(VALID))
def test_a_fixture_built_twice_in_one_process_matches_its_golden_image(
    case: str, tmp_path: Path
) -> None:
    args = case_args(VALID / case)
    golden = (VALID / case / "golden-image.sha256").read_text().strip()
    first, second = tmp_path / "first.iso", tmp_path / "second.iso"
    assert run_cli("build", *args, "-o", first, "-q", cwd=VALID / case).returncode == 0
    with CountedBuilds() as counted:
        assert run_cli("build", *args, "-o", second, "-q", cwd=VALID / case).returncode == 0
    assert counted.builds == 0  # the second drive was the first one's template, refilled
    assert hashlib.sha256(first.read_bytes()).hexdigest() == golden
    assert hashlib.sha256(second.read_bytes()).hexdigest() == golden


def test_folders_of_many_sectors_are_refilled_too() -> None:
    # 150 records with long names: the folder's extent spans sectors, records never cross one.
    def drive(seed: int) -> DriveLayout:
        name = "n" * 40
        # 40 bytes more a file, the same sectors whatever the seed: one shape.
        sizes = {f"many/{name}-{index:03d}.json": index * 40 + 1 + seed for index in range(150)}
        return DriveLayout("config-2", {path: data(seed, size) for path, size in sizes.items()})

    with CountedBuilds() as counted:
        image(drive(0))
        assert image(drive(1)) == plain(drive(1))
    assert counted.builds == 1


@pytest.mark.interop
def test_real_readers_read_a_refilled_drive(tmp_path: Path) -> None:
    image(fleet_layout(0))
    drive = fleet_layout(7)
    written = tmp_path / "drive.iso"
    written.write_bytes(image(drive))
    assert written.read_bytes() == plain(drive)
    paths = sorted(f"/{path}" for path in drive.files)
    assert sorted(xorriso_files(written)) == paths
    assert sorted(xorriso_files(written, joliet=True)) == paths
    folders = {"/" + "/".join(path.split("/")[:depth]) for path in drive.files
               for depth in range(1, path.count("/") + 1)}  # fmt: skip
    assert isoinfo_paths(written, "-R") == isoinfo_paths(written, "-J") == {*paths, *folders}
    rock_ridge = tree_files(extract(written, tmp_path / "rock-ridge"))
    assert rock_ridge == tree_files(extract(written, tmp_path / "joliet", joliet=True))
    assert rock_ridge == drive.files
    metadata = read_with_cloud_init(tmp_path / "rock-ridge")["result"]["metadata"]
    assert metadata["hostname"] == "web-07"
    assert metadata["uuid"] == "00000000-0000-4000-8000-000000000007"


def test_threads_writing_two_shapes_at_once_each_get_their_own_drive() -> None:
    drives = [fleet_layout(index) for index in range(12)]
    drives += [DriveLayout("CONFIG-2", drive.files) for drive in drives]  # a second shape
    with ThreadPoolExecutor(max_workers=4) as pool:
        images = list(pool.map(image, drives))
    assert images == [plain(drive) for drive in drives]
    assert len(iso.TEMPLATES) == 2
