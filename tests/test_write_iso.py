"""The ISO writer: names in three trees, shared content, pinned timestamps."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator

import pycdlib
import pytest

from configdrive.formats.iso import _iso_name, _IsoNames, write_iso
from configdrive.layouts.drive_layout import DriveLayout


def test_iso_names_are_unique_per_folder() -> None:
    names = _IsoNames()
    first = names.path("openstack", is_dir=True)
    assert first == "/OPENSTACK"
    a = names.path("openstack/vendor_data.json", is_dir=False)
    b = names.path("openstack/VENDOR_DATA.JSON", is_dir=False)
    assert a == "/OPENSTACK/VENDOR_DATA.JSON;1"
    assert b != a
    assert names.path("openstack/user_data", is_dir=False) == "/OPENSTACK/USER_DATA.;1"


def test_iso_names_fit_the_d_character_rules() -> None:
    assert _iso_name("2012-08-10", is_dir=True) == "2012_08_10"
    assert _iso_name("meta-data.json", is_dir=False) == "META_DATA.JSON"
    assert len(_iso_name("x" * 80 + ".json", is_dir=False)) <= 31


@pytest.fixture
def utc_then_far_east() -> Iterator[None]:
    saved = os.environ.get("TZ")
    yield
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def render(layout: DriveLayout, timestamp: int) -> bytes:
    out = io.BytesIO()
    write_iso(layout, out, timestamp=timestamp)
    return out.getvalue()


def test_same_layout_same_bytes_in_any_time_zone(utc_then_far_east: None) -> None:
    layout = DriveLayout("config-2", {"a/b.json": b"{}", "a/c": b"x"})
    os.environ["TZ"] = "UTC"
    time.tzset()
    first = render(layout, 1_700_000_000)
    os.environ["TZ"] = "Pacific/Kiritimati"
    time.tzset()
    second = render(layout, 1_700_000_000)
    assert first == second
    assert render(layout, 1_700_000_001) != first


def test_identical_content_is_stored_once() -> None:
    payload = os.urandom(200_000)
    once = render(DriveLayout("config-2", {"a/x": payload}), 0)
    ten = render(DriveLayout("config-2", {f"d{i}/x": payload for i in range(10)}), 0)
    assert len(ten) - len(once) < 40_000


def test_all_three_trees_hold_every_file() -> None:
    image = render(DriveLayout("config-2", {"openstack/latest/user_data": b"#!/bin/sh\n"}), 0)
    iso = pycdlib.PyCdlib()
    iso.open_fp(io.BytesIO(image))
    try:
        out = io.BytesIO()
        iso.get_file_from_iso_fp(out, rr_path="/openstack/latest/user_data")
        assert out.getvalue() == b"#!/bin/sh\n"
        out = io.BytesIO()
        iso.get_file_from_iso_fp(out, joliet_path="/openstack/latest/user_data")
        assert out.getvalue() == b"#!/bin/sh\n"
        out = io.BytesIO()
        iso.get_file_from_iso_fp(out, iso_path="/OPENSTACK/LATEST/USER_DATA.;1")
        assert out.getvalue() == b"#!/bin/sh\n"
        assert iso.pvd.volume_identifier.rstrip() == b"config-2"
    finally:
        iso.close()
