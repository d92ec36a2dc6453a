"""The OpenStack layout: exactly the files Nova writes, in the folders the readers look in."""

from __future__ import annotations

from pathlib import Path

from configdrive import machine_spec, validate_machine
from configdrive.layouts.drive_layout import FileContent
from configdrive.layouts.openstack import layout_openstack


def test_full_layout_file_list(tmp_path: Path, key_line: str) -> None:
    motd = tmp_path / "motd"
    motd.write_text("hello\n")
    machine = validate_machine(
        machine_spec(
            b"#cloud-config\nhostname: a-1\n",
            network_data={"links": [], "networks": [], "services": []},
            vendor_data={"v": 1},
            vendor_data2={"v": 2},
            ssh_keys=[key_line],
            files=[(motd, "/etc/motd")],
        )
    )
    layout = layout_openstack(machine)
    assert layout.label == "config-2"
    folders = {path.rsplit("/", 1)[0] for path in layout.files}
    assert folders == {
        "ec2/2009-04-04",
        "ec2/latest",
        "openstack/content",
        *(
            f"openstack/{v}"
            for v in (
                "2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15", "2016-06-30",
                "2016-10-06", "2017-02-22", "2018-08-27", "2020-10-14", "latest",
            )
        ),
    }  # fmt: skip
    latest = sorted(p for p in layout.files if p.startswith("openstack/latest/"))
    assert latest == [
        "openstack/latest/meta_data.json",
        "openstack/latest/network_data.json",
        "openstack/latest/user_data",
        "openstack/latest/vendor_data.json",
        "openstack/latest/vendor_data2.json",
    ]
    # Nova introduced these files in later versions; the oldest folder has only the first two.
    assert sorted(p for p in layout.files if p.startswith("openstack/2012-08-10/")) == [
        "openstack/2012-08-10/meta_data.json",
        "openstack/2012-08-10/user_data",
    ]
    assert "openstack/2015-10-15/network_data.json" in layout.files
    assert "openstack/2015-10-15/vendor_data2.json" not in layout.files
    assert "openstack/2016-10-06/vendor_data2.json" in layout.files
    assert layout.files["openstack/content/0000"] == FileContent(motd, 6)
    assert layout.files["ec2/latest/user-data"] == b"#cloud-config\nhostname: a-1\n"
    assert not any(path.startswith("content/") for path in layout.files)


def test_every_folder_shares_one_meta_data() -> None:
    layout = layout_openstack(validate_machine(machine_spec(b"#!/bin/sh\n", hostname="x-1")))
    contents = {v for p, v in layout.files.items() if p.endswith("/meta_data.json")}
    assert len(contents) == 1


def test_meta_data_content() -> None:
    machine = validate_machine(
        machine_spec(
            None,
            meta_data={"uuid": "2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c", "meta": {"a": "b"}},
            hostname="h-1",
        )
    )
    assert dict(machine.meta_data) == {
        "uuid": "2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c",
        "name": "h-1",
        "hostname": "h-1",
        "launch_index": 0,
        "meta": {"a": "b"},
    }
    layout = layout_openstack(machine)
    assert "openstack/latest/user_data" not in layout.files
