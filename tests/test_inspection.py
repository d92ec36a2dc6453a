"""inspect: facts, contents, problems and each reader's verdict, on drives good and broken.

The drives are made in-process (our own build, or pycdlib and the FAT writer for drives we
would never build). tests/interop/test_interop_inspect.py checks the same verdicts against
drives the real tools make and against cloud-init's own reader.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from configdrive import build
from configdrive.inspection import HIDDEN, Inspection, inspect_drive
from tests.drive_images import UUID, fat_image, iso_image, openstack_files, write
from tests.helpers import VALID, case_args, run_cli

IGNITION = b'{"ignition": {"version": "3.4.0"}}'
KEY = (VALID.parent / "keys" / "ed25519.pub").read_text().strip()


def verdicts(inspection: Inspection) -> dict[str, str]:
    return {verdict.reader: verdict.verdict.value for verdict in inspection.verdicts}


def reasons(inspection: Inspection, reader: str) -> str:
    verdict = next(v for v in inspection.verdicts if v.reader == reader)
    return " ".join((*verdict.reasons, *verdict.warnings))


def inspect_image(tmp_path: Path, image: bytes, **options: Any) -> Inspection:
    return inspect_drive(write(tmp_path / "drive", image), **options)


def test_our_drive_of_the_container_linux_fixture(tmp_path: Path) -> None:
    folder = VALID / "container-linux"
    args = case_args(folder)
    result = run_cli("build", *args, "-o", tmp_path / "d.iso", "-q", cwd=folder)
    assert result.returncode == 0, result.stderr
    inspection = inspect_drive(tmp_path / "d.iso")
    assert inspection.ok
    assert verdicts(inspection) == {
        "cloud-init": "accepts",
        "coreos-cloudinit": "accepts",
        "ignition": "rejects",  # a cloud-config is no Ignition config
        "afterburn": "accepts",
    }
    assert inspection.folders["cloud-init"] == "openstack/2018-08-27"
    assert inspection.folders["afterburn"] == "openstack/latest"
    assert (inspection.layout, inspection.label, inspection.format) == (
        "config-2",
        "config-2",
        "iso9660",
    )
    assert inspection.trees_agree is True
    assert inspection.folders_agree is True
    assert inspection.problems == ()
    contents = inspection.contents
    assert contents.hostname == "core-01.example.com"
    assert contents.user_data is not None
    assert contents.user_data.kind == "cloud-config"
    assert contents.network is not None
    assert "DNS" in contents.network


def test_an_ignition_drive(tmp_path: Path) -> None:
    drive = tmp_path / "d.iso"
    build(IGNITION, drive, hostname="fcos-1", timestamp=0)
    assert verdicts(inspect_drive(drive)) == {
        "cloud-init": "accepts",
        "coreos-cloudinit": "no-config",
        "ignition": "accepts",
        "afterburn": "accepts",
    }


def test_a_drive_without_user_data(tmp_path: Path) -> None:
    drive = tmp_path / "d.iso"
    build(None, drive, meta_data={"uuid": UUID}, ssh_keys=[KEY], timestamp=0)
    inspection = inspect_drive(drive)
    assert verdicts(inspection) == {
        "cloud-init": "accepts",
        "coreos-cloudinit": "no-config",
        "ignition": "no-config",
        "afterburn": "accepts",
    }
    (key,) = inspection.contents.keys
    assert key["type"] == "ssh-ed25519"
    assert key["fingerprint"].startswith("SHA256:")


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("CONFIG-2", {"cloud-init": "accepts", "coreos-cloudinit": "not-found",
                      "ignition": "rejects", "afterburn": "not-found"}),
        ("Config-2", {"cloud-init": "not-found", "coreos-cloudinit": "not-found",
                      "ignition": "not-found", "afterburn": "not-found"}),
    ],
)  # fmt: skip
def test_label_case(tmp_path: Path, label: str, expected: dict[str, str]) -> None:
    inspection = inspect_image(tmp_path, iso_image(openstack_files(), label=label))
    assert verdicts(inspection) == expected
    assert inspection.ok is (label == "CONFIG-2")
    # What it holds is shown all the same.
    assert inspection.contents.uuid == UUID


def test_missing_uuid(tmp_path: Path) -> None:
    inspection = inspect_image(tmp_path, iso_image(openstack_files(meta={"hostname": "h"})))
    assert verdicts(inspection)["cloud-init"] == "rejects"
    assert "openstack/2018-08-27/meta_data.json has no 'uuid'" in reasons(inspection, "cloud-init")
    assert "Broken config drive" in reasons(inspection, "cloud-init")
    assert verdicts(inspection)["afterburn"] == "accepts"
    assert verdicts(inspection)["coreos-cloudinit"] == "accepts"
    assert inspection.failure is not None
    assert inspection.failure.kind == "broken"


def test_invalid_json(tmp_path: Path) -> None:
    files = openstack_files(meta=b'{"uuid": "x",}', user_data=IGNITION)
    inspection = inspect_image(tmp_path, iso_image(files))
    assert verdicts(inspection) == {
        "cloud-init": "rejects",
        "coreos-cloudinit": "rejects",
        "ignition": "accepts",  # it reads user_data only
        "afterburn": "rejects",
    }
    assert "invalid JSON" in reasons(inspection, "cloud-init")
    assert any(
        p.file == "openstack/2018-08-27/meta_data.json" and "invalid JSON" in p.message
        for p in inspection.problems
    )
    assert not inspection.ok


def test_content_at_the_root_instead_of_under_openstack(tmp_path: Path) -> None:
    meta = {"uuid": UUID, "files": [{"path": "/etc/motd", "content_path": "/content/0000"}]}
    files = openstack_files(meta=meta, extra={"content/0000": b"hello\n"})
    inspection = inspect_image(tmp_path, iso_image(files))
    assert verdicts(inspection)["cloud-init"] == "rejects"
    assert "the drive has it at /content/0000, outside openstack/" in reasons(
        inspection, "cloud-init"
    )
    assert verdicts(inspection)["coreos-cloudinit"] == "accepts"
    assert inspection.contents.files[0]["size"] is None


def test_content_where_it_belongs(tmp_path: Path) -> None:
    meta = {"uuid": UUID, "files": [{"path": "/etc/motd", "content_path": "/content/0000"}]}
    files = openstack_files(meta=meta, extra={"openstack/content/0000": b"hello\n"})
    inspection = inspect_image(tmp_path, iso_image(files))
    assert verdicts(inspection)["cloud-init"] == "accepts"
    assert inspection.reading is not None
    assert inspection.reading.files == {"/etc/motd": b"hello\n"}
    assert inspection.problems == ()  # `files` on a drive is no problem (as an input it is)


def test_dated_folder_differing_from_latest(tmp_path: Path) -> None:
    files = openstack_files()
    files["openstack/2018-08-27/user_data"] = b"#cloud-config\nhostname: other\n"
    inspection = inspect_image(tmp_path, iso_image(files))
    assert set(verdicts(inspection).values()) == {"accepts", "rejects"}
    assert inspection.folders_agree is False
    assert "openstack/latest differ in user_data" in reasons(inspection, "cloud-init")
    assert "openstack/2018-08-27 differ in user_data" in reasons(inspection, "afterburn")
    (problem,) = inspection.problems
    assert problem.file == "openstack/2018-08-27/user_data"
    assert problem.message == "differs from openstack/latest/user_data"
    assert problem.severity.value == "warning"
    assert inspection.ok  # a warning: every reader still reads a config


def test_only_latest_is_read_by_everyone(tmp_path: Path) -> None:
    inspection = inspect_image(tmp_path, iso_image(openstack_files(versions=("latest",))))
    assert inspection.folders["cloud-init"] == "openstack/latest"
    assert verdicts(inspection)["cloud-init"] == "accepts"


def test_vfat_config_drive(tmp_path: Path) -> None:
    inspection = inspect_image(tmp_path, fat_image(openstack_files()))
    assert inspection.format == "vfat"
    assert verdicts(inspection) == {
        "cloud-init": "accepts",
        "coreos-cloudinit": "accepts",
        "ignition": "rejects",
        "afterburn": "not-found",
    }
    assert "iso9660 only" in reasons(inspection, "afterburn")


@pytest.mark.parametrize("level", [1, 3])
def test_iso9660_names_only(tmp_path: Path, level: int) -> None:
    image = iso_image(openstack_files(), rock_ridge=False, joliet=False, level=level)
    inspection = inspect_image(tmp_path, image)
    assert inspection.names_from == "iso9660"
    if level == 1:
        # 8.3: meta_dat.jso is no meta_data.json.
        assert verdicts(inspection)["cloud-init"] == "rejects"
        assert "cut to 8.3" in reasons(inspection, "cloud-init")
        assert verdicts(inspection)["afterburn"] == "rejects"
    else:
        # Long names survive, but 2018-08-27 becomes 2018_08_27: cloud-init reads latest.
        assert verdicts(inspection)["cloud-init"] == "accepts"
        assert inspection.folders["cloud-init"] == "openstack/latest"


def test_joliet_only(tmp_path: Path) -> None:
    inspection = inspect_image(tmp_path, iso_image(openstack_files(), rock_ridge=False))
    assert inspection.names_from == "joliet"
    assert verdicts(inspection)["cloud-init"] == "accepts"
    assert inspection.folders["cloud-init"] == "openstack/2018-08-27"
    assert inspection.trees_agree is None


def test_rock_ridge_and_joliet_disagreeing(tmp_path: Path) -> None:
    files = {**openstack_files(versions=("latest",)), "openstack/latest/vendor_data.json": b"{}"}
    image = iso_image(
        files,
        patches={"vendor_data.json".encode("utf-16-be"): "vendor_dat2.json".encode("utf-16-be")},
    )
    inspection = inspect_image(tmp_path, image)
    assert inspection.trees_agree is False
    messages = {p.file: p.message for p in inspection.problems}
    assert messages["openstack/latest/vendor_data.json"].startswith("only in the Rock Ridge tree")
    assert messages["openstack/latest/vendor_dat2.json"].startswith("only in the Joliet tree")


@pytest.mark.parametrize("fat", [False, True])
def test_nocloud_seed(tmp_path: Path, fat: bool) -> None:
    files = {
        "user-data": b"#cloud-config\nhostname: seed-1\n",
        "meta-data": b"instance-id: iid-1\nlocal-hostname: seed-1\n",
        "network-config": b"version: 2\nethernets: {}\n",
    }
    image = fat_image(files, label="cidata") if fat else iso_image(files, label="cidata")
    inspection = inspect_image(tmp_path, image)
    assert inspection.layout == "nocloud"
    assert verdicts(inspection) == {
        "cloud-init": "accepts",
        "coreos-cloudinit": "not-found",
        "ignition": "not-found",
        "afterburn": "not-found",
    }
    assert inspection.contents.uuid == "iid-1"
    assert inspection.contents.network == "network-config version 2"
    assert inspection.problems == ()


def test_nocloud_seed_without_meta_data(tmp_path: Path) -> None:
    image = iso_image({"user-data": b"#cloud-config\n"}, label="CIDATA")
    inspection = inspect_image(tmp_path, image)
    assert verdicts(inspection)["cloud-init"] == "rejects"
    assert "meta-data missing" in reasons(inspection, "cloud-init")


def test_random_seed_cloud_init_cannot_decode(tmp_path: Path) -> None:
    meta = {"uuid": UUID, "random_seed": "not base64 é"}
    inspection = inspect_image(tmp_path, iso_image(openstack_files(meta=meta)))
    assert verdicts(inspection)["cloud-init"] == "rejects"
    assert "random_seed is not base64" in reasons(inspection, "cloud-init")


def test_secrets_stay_hidden_unless_asked(tmp_path: Path) -> None:
    meta = {"uuid": UUID, "admin_pass": "hunter2-secret", "meta": {"token": "tok-secret"}}
    user_data = b"#cloud-config\npassword: pw-secret\n"
    drive = write(tmp_path / "d.iso", iso_image(openstack_files(meta=meta, user_data=user_data)))
    hidden = json.dumps(inspect_drive(drive).to_json())
    for secret in ("hunter2-secret", "tok-secret", "pw-secret"):
        assert secret not in hidden
    assert HIDDEN in hidden
    shown = inspect_drive(drive, show=["secrets"]).to_json()
    assert shown["cloud_init"]["metadata"]["admin_pass"] == "hunter2-secret"
    assert "pw-secret" not in json.dumps(shown)
    with_user_data = inspect_drive(drive, show=["user-data"]).to_json()
    assert with_user_data["user_data"] == {"encoding": "utf-8", "data": user_data.decode()}
    assert "hunter2-secret" not in json.dumps(with_user_data)


def test_the_command_line(tmp_path: Path) -> None:
    good = tmp_path / "good.iso"
    build(b"#cloud-config\nhostname: web-1\n", good, timestamp=0)
    result = run_cli("inspect", good)
    assert result.returncode == 0, result.stderr
    assert "readers" in result.stdout
    assert "  cloud-init        accepts" in result.stdout
    document = json.loads(run_cli("inspect", good, "--json").stdout)
    assert document["ok"] is True
    assert [reader["reader"] for reader in document["readers"]] == [
        "cloud-init", "coreos-cloudinit", "ignition", "afterburn",
    ]  # fmt: skip
    shown = run_cli("inspect", good, "--show", "user-data")
    assert shown.stdout.rstrip().endswith("#cloud-config\nhostname: web-1")
    bad = write(tmp_path / "bad.iso", iso_image(openstack_files(), label="nope"))
    result = run_cli("inspect", bad, "-q")
    assert (result.returncode, result.stdout, result.stderr) == (1, "", "")
    assert run_cli("inspect", tmp_path / "missing.iso").returncode == 3
    assert run_cli("inspect", good, "--show", "everything").returncode == 2
    not_a_drive = write(tmp_path / "x", b"x" * 100_000)
    result = run_cli("inspect", not_a_drive)
    assert result.returncode == 1
    assert "not an ISO9660 or FAT image" in result.stderr


@pytest.mark.parametrize(
    ("options", "format_", "packing", "layout"),
    [
        ([], "iso9660", None, "config-2"),
        (["--format", "vfat"], "vfat", None, "config-2"),
        (["--format", "ironic"], "iso9660", "gzip+base64", "config-2"),
        (["--layout", "nocloud"], "iso9660", None, "nocloud"),
        (["--layout", "nocloud", "--format", "vfat"], "vfat", None, "nocloud"),
    ],
)
def test_every_drive_we_build_inspects_clean(
    tmp_path: Path, options: list[str], format_: str, packing: str | None, layout: str
) -> None:
    folder = VALID / "container-linux"
    drive = tmp_path / "drive"
    result = run_cli("build", *case_args(folder), *options, "-o", drive, "-q", cwd=folder)
    assert result.returncode == 0, result.stderr
    inspection = inspect_drive(drive)
    assert (inspection.format, inspection.packing, inspection.layout) == (format_, packing, layout)
    assert inspection.ok
    assert inspection.problems == ()
    assert verdicts(inspection)["cloud-init"] == "accepts"
    assert inspection.contents.hostname == "core-01.example.com"
