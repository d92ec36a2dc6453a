"""The instance-id: stable across edits, said where it came from, and never changed unnoticed.

cloud-init runs first boot again (new SSH host keys, users reset) when a VM's instance-id
changes, so a rebuilt drive must keep it unless the machine itself changed.
"""

from __future__ import annotations

import json
import uuid as uuidlib
from pathlib import Path

import pytest

from configdrive import InvalidInputError, build, machine_spec, validate_machine
from configdrive.drives.diff import INSTANCE_ID_CHANGED, diff_drives
from configdrive.layouts.nocloud import layout_nocloud, nocloud_meta_data
from configdrive.problems import Severity
from configdrive.validation.machine import UUID_NAMESPACE, derive_uuid
from tests.helpers import run_cli

UUID = "2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c"
OTHER_UUID = "0d6f3c2a-7b1e-4f5d-9c8b-2a1e3f4d5c6b"


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


# --------------------------------------------------------------------------- A: where it comes from


def test_editing_the_user_data_keeps_a_named_machine_s_uuid(tmp_path: Path) -> None:
    first = build(b"#cloud-config\npackages: [htop]\n", tmp_path / "a.iso", name="web-1")
    edited = build(b"#cloud-config\npackages: [htop, git]\n", tmp_path / "b.iso", name="web-1")
    other = build(b"#cloud-config\npackages: [htop]\n", tmp_path / "c.iso", name="web-2")
    assert first.uuid == edited.uuid != other.uuid
    # uuid5 over a labelled identity, in the namespace derived uuids always used.
    assert (
        first.uuid == str(uuidlib.uuid5(UUID_NAMESPACE, "name:web-1")) == derive_uuid("name:web-1")
    )
    assert (first.uuid_source, first.uuid_note) == ("name", "derived from name 'web-1'")
    assert first.uuid_derived


def test_a_host_name_alone_is_the_identity_even_from_the_cloud_config(tmp_path: Path) -> None:
    flag = build(b"#!/bin/sh\necho 1\n", tmp_path / "a.iso", hostname="db-1")
    from_config = build(b"#cloud-config\nhostname: db-1\n", tmp_path / "b.iso")
    edited = build(b"#cloud-config\nhostname: db-1\npackages: [git]\n", tmp_path / "c.iso")
    assert flag.uuid == from_config.uuid == edited.uuid == derive_uuid("name:db-1")
    assert flag.uuid_note == "derived from host name 'db-1'"
    assert from_config.uuid_source == "hostname"
    assert from_config.uuid_note == "derived from host name 'db-1' (the cloud-config's hostname)"
    # Naming the machine after its host name later keeps its instance-id.
    named = build(b"#!/bin/sh\necho 1\n", tmp_path / "d.iso", hostname="db-1", name="db-1")
    assert named.uuid == flag.uuid


def test_without_name_or_host_name_the_contents_decide_and_the_summary_says_so(
    tmp_path: Path,
) -> None:
    script = write(tmp_path / "setup.sh", "#!/bin/sh\necho 1\n")
    result = run_cli("build", script, "-o", tmp_path / "a.iso")
    assert result.returncode == 0, result.stderr
    note = (
        "instance-id derived from the contents: it changes when they change; "
        "give --name or --uuid to keep it"
    )
    assert note in result.stdout
    document = json.loads(run_cli("build", script, "-o", tmp_path / "b.iso", "--json").stdout)
    assert (document["uuid_source"], document["uuid_note"]) == ("contents", note)
    assert document["uuid_derived"] is True
    write(tmp_path / "setup.sh", "#!/bin/sh\necho 2\n")
    edited = json.loads(run_cli("build", script, "-o", tmp_path / "c.iso", "--json").stdout)
    assert edited["uuid"] != document["uuid"]


def test_the_summary_says_where_a_given_uuid_came_from(tmp_path: Path) -> None:
    given = run_cli("build", "--hostname", "h", "--uuid", UUID, "-o", tmp_path / "a.iso")
    assert f"uuid       {UUID}  (given by --uuid)" in given.stdout
    meta = write(tmp_path / "meta.yml", f"uuid: {OTHER_UUID}\nname: x\n")
    from_meta = run_cli("build", "--meta-data", meta, "-o", tmp_path / "b.iso", "--json")
    document = json.loads(from_meta.stdout)
    assert document["uuid"] == OTHER_UUID
    assert (document["uuid_source"], document["uuid_derived"]) == ("meta_data", False)
    assert document["uuid_note"] == f"from uuid in {meta}"


# --------------------------------------------------------------------------- A: diff and --force


def test_diff_reports_an_instance_id_change_as_what_it_is(tmp_path: Path) -> None:
    old = build(b"#!/bin/sh\n", tmp_path / "a.iso", name="a", uuid=UUID).path
    new = build(b"#!/bin/sh\n", tmp_path / "b.iso", name="a", uuid=OTHER_UUID).path
    same = build(b"#!/bin/sh\necho\n", tmp_path / "c.iso", name="a", uuid=UUID).path
    difference = diff_drives(old, new)
    assert difference.instance_id_changed
    assert (difference.old_instance_id, difference.new_instance_id) == (UUID, OTHER_UUID)
    text = run_cli("diff", old, new).stdout
    assert f"  {INSTANCE_ID_CHANGED} ('{UUID}' -> '{OTHER_UUID}')" in text.splitlines()
    assert INSTANCE_ID_CHANGED == (
        "instance-id changed: cloud-init will treat this as a new instance and run first boot again"
    )
    document = json.loads(run_cli("diff", old, new, "--json").stdout)
    assert document["instance_id"] == {"old": UUID, "new": OTHER_UUID, "changed": True}
    unchanged = run_cli("diff", old, same)
    assert unchanged.returncode == 1
    assert "instance-id" not in unchanged.stdout
    assert not diff_drives(old, same).instance_id_changed


def test_diff_reads_a_nocloud_seed_s_instance_id(tmp_path: Path) -> None:
    meta = write(tmp_path / "meta.yml", "instance-id: iid-local01\n")
    seed = run_cli("build", "--meta-data", meta, "--layout", "nocloud", "-o", tmp_path / "s.iso")
    assert seed.returncode == 0, seed.stderr
    drive = build(None, tmp_path / "d.iso", meta_data={"name": "x"}, uuid=UUID).path
    difference = diff_drives(tmp_path / "s.iso", drive)
    assert (difference.old_instance_id, difference.new_instance_id) == ("iid-local01", UUID)


@pytest.mark.parametrize("output_format", ["iso", "vfat", "dir"])
def test_force_over_a_drive_with_another_instance_id_warns(
    tmp_path: Path, output_format: str
) -> None:
    target = tmp_path / "drive"
    build(b"#!/bin/sh\n", target, uuid=UUID, format=output_format)
    again = build(b"#!/bin/sh\n", target, uuid=UUID, format=output_format, force=True)
    assert not [w for w in again.warnings if "instance-id" in w.message]
    changed = build(b"#!/bin/sh\n", target, uuid=OTHER_UUID, format=output_format, force=True)
    (warning,) = [w for w in changed.warnings if "instance-id" in w.message]
    assert warning.severity is Severity.WARNING
    assert warning.file == str(target)
    assert f"instance-id is '{UUID}' with one whose instance-id is '{OTHER_UUID}'" in str(warning)
    assert "run first boot again" in str(warning)


def test_force_warning_on_the_command_line_and_over_a_nocloud_seed(tmp_path: Path) -> None:
    meta = write(tmp_path / "meta.yml", "instance-id: iid-local01\n")
    target = tmp_path / "seed.iso"
    args: list[str | Path] = [
        "build",
        "--meta-data",
        meta,
        "--layout",
        "nocloud",
        "-o",
        target,
        "--force",
    ]
    assert run_cli(*args).returncode == 0
    write(tmp_path / "meta.yml", "instance-id: iid-local02\n")
    result = run_cli(*args)
    assert result.returncode == 0
    assert "instance-id is 'iid-local01' with one whose instance-id is 'iid-local02'" in (
        result.stderr
    )
    assert "instance-id iid-local02" in result.stdout


@pytest.mark.parametrize("old", [b"", b"not a drive at all" * 100, b"\0" * 40000])
def test_an_unreadable_old_file_never_fails_the_build(tmp_path: Path, old: bytes) -> None:
    target = tmp_path / "d.iso"
    target.write_bytes(old)
    result = build(b"#!/bin/sh\n", target, uuid=UUID, force=True)
    assert result.warnings == ()
    assert target.stat().st_size == result.size


def test_a_fleet_member_replacing_another_instance_warns(tmp_path: Path) -> None:
    (tmp_path / "user.yml").write_text("#cloud-config\npackages: [nginx]\n")
    fleet = tmp_path / "fleet.yml"
    fleet.write_text(
        f"machines:\n  - {{name: web-1, uuid: {UUID}, user_data_file: user.yml}}\n"
        "  - {name: web-2, user_data_file: user.yml}\n"
    )
    out = tmp_path / "drives"
    assert run_cli("build-many", fleet, "--out-dir", out).returncode == 0
    fleet.write_text(
        f"machines:\n  - {{name: web-1, uuid: {OTHER_UUID}, user_data_file: user.yml}}\n"
        "  - {name: web-2, user_data_file: user.yml}\n"
    )
    result = run_cli("build-many", fleet, "--out-dir", out, "--force", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    (line,) = [line for line in result.stderr.splitlines() if "instance-id" in line]
    assert line.startswith(f"web-1: {out / 'web-1.iso'}: warning: replaces a drive")
    lines = run_cli("build-many", fleet, "--out-dir", out, "--force", "--json").stdout
    summaries = {entry["machine"]: entry for entry in map(json.loads, lines.splitlines())}
    assert summaries["web-1"]["warnings"] == []  # the same instance-id as the drive it replaced
    assert summaries["web-2"]["uuid_note"] == "derived from name 'web-2'"


# --------------------------------------------------------------------------- B: NoCloud meta-data


def test_nocloud_instance_id_and_local_hostname_are_honoured() -> None:
    machine = validate_machine(
        machine_spec(meta_data=b"instance-id: iid-local01\nlocal-hostname: cloudimg\n"),
        layout="nocloud",
    )
    assert machine.instance_id == "iid-local01"
    assert machine.hostname == "cloudimg"
    assert machine.uuid == derive_uuid("instance-id:iid-local01")
    assert machine.uuid_source is not None
    assert machine.uuid_source.kind == "meta_data"
    meta = nocloud_meta_data(machine)
    assert (meta["instance-id"], meta["local-hostname"]) == ("iid-local01", "cloudimg")
    written = layout_nocloud(machine).files["meta-data"]
    assert isinstance(written, bytes)
    assert written.startswith(b"instance-id: iid-local01\nlocal-hostname: cloudimg\n")


def test_a_uuid_instance_id_is_the_config_drive_uuid() -> None:
    meta = f"instance-id: {UUID}\nlocal-hostname: db-2\n".encode()
    for layout in ("nocloud", "openstack"):
        machine = validate_machine(machine_spec(meta_data=meta), layout=layout)
        assert (machine.uuid, machine.instance_id, machine.hostname) == (UUID, UUID, "db-2")
        # Said once, in each layout's own words: not copied into meta_data.json beside them.
        assert "instance-id" not in machine.meta_data
        assert "local-hostname" not in machine.meta_data


def test_a_non_uuid_instance_id_on_a_config_2_drive_is_an_error() -> None:
    with pytest.raises(InvalidInputError) as caught:
        validate_machine(machine_spec(meta_data=b"instance-id: iid-local01\n"))
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (1, 14)
    assert "instance-id 'iid-local01' is not a UUID" in problem.message
    assert "--layout nocloud" in problem.message


@pytest.mark.parametrize(
    ("meta", "flags", "expected"),
    [
        (
            "local-hostname: cloudimg\n",
            {"hostname": "web-1"},
            "local-hostname 'cloudimg' conflicts with --hostname 'web-1'",
        ),
        (
            "local-hostname: cloudimg\nhostname: web-1\n",
            {},
            "local-hostname 'cloudimg' conflicts with hostname 'web-1'",
        ),
        (
            "instance-id: iid-local01\n",
            {"uuid": UUID},
            f"instance-id 'iid-local01' conflicts with --uuid '{UUID}'",
        ),
        (
            f"instance-id: {OTHER_UUID}\nuuid: {UUID}\n",
            {},
            f"instance-id '{OTHER_UUID}' conflicts with uuid '{UUID}'",
        ),
    ],
)
def test_a_nocloud_key_that_contradicts_a_flag_is_an_error_naming_both(
    meta: str, flags: dict[str, str], expected: str
) -> None:
    spec = machine_spec(
        meta_data=meta.encode(), uuid=flags.get("uuid"), hostname=flags.get("hostname")
    )
    with pytest.raises(InvalidInputError) as caught:
        validate_machine(spec, layout="nocloud")
    messages = [problem.message for problem in caught.value.problems]
    assert len(messages) == 1
    assert messages[0].startswith(expected)


def test_agreeing_values_are_no_conflict() -> None:
    machine = validate_machine(
        machine_spec(
            meta_data=f"instance-id: {UUID}\nlocal-hostname: web-1\n".encode(),
            uuid=UUID,
            hostname="web-1",
        ),
        layout="nocloud",
    )
    assert machine.warnings == ()
    assert machine.uuid_source is not None
    assert machine.uuid_source.kind == "given"


def test_public_keys_are_keys(key_line: str) -> None:
    meta = f"public-keys:\n  - {key_line}\n".encode()
    for layout in ("nocloud", "openstack"):
        machine = validate_machine(machine_spec(meta_data=meta), layout=layout)
        assert list(machine.public_keys.values()) == [key_line]
    with pytest.raises(InvalidInputError) as caught:
        validate_machine(machine_spec(meta_data=b"public-keys:\n  - ssh-rsa nonsense\n"))
    (problem,) = caught.value.problems
    assert problem.path == ("public-keys", 0)


def test_nocloud_only_keys_pass_to_the_seed_and_are_checked() -> None:
    meta = b"dsmode: local\nnetwork-interfaces: 'auto eth0'\n"
    machine = validate_machine(machine_spec(meta_data=meta), layout="nocloud")
    seed = nocloud_meta_data(machine)
    assert (seed["dsmode"], seed["network-interfaces"]) == ("local", "auto eth0")
    # config-2's reader reads neither from meta_data.json: a warning says where they go.
    drive = validate_machine(machine_spec(meta_data=meta), layout="openstack")
    assert sorted(str(w.path) for w in drive.warnings) == ["('dsmode',)", "('network-interfaces',)"]
    assert all(w.severity is Severity.WARNING for w in drive.warnings)
    with pytest.raises(InvalidInputError) as caught:
        validate_machine(machine_spec(meta_data=b"dsmode: pass\n"), layout="nocloud")
    assert "dsmode must be one of local, net, disabled" in caught.value.problems[0].message


# --------------------------------------------------------------------------- C: the summary's keys


def test_keys_counts_the_cloud_config_s_keys_too(tmp_path: Path) -> None:
    keys = [
        (Path(__file__).parent.parent / "fixtures" / "keys" / name).read_text().strip()
        for name in ("ed25519.pub", "rsa.pub", "ecdsa.pub")
    ]
    user_data = (
        "#cloud-config\n"
        f"ssh_authorized_keys:\n  - {keys[0]}\n"
        f"users:\n  - name: ops\n    ssh_authorized_keys:\n      - {keys[1]}\n"
    ).encode()
    assert build(user_data, tmp_path / "a.iso").keys == 2
    # A key given twice (meta data and cloud-config) is one key; a third adds one.
    both = build(user_data, tmp_path / "b.iso", ssh_keys=[keys[0], keys[2]])
    assert both.keys == 3
    summary = run_cli("build", "-", "-o", tmp_path / "c.iso", stdin=user_data)
    assert "  keys       2\n" in summary.stdout


def test_a_machine_file_s_uuid_is_given_by_its_line(tmp_path: Path) -> None:
    machine = write(tmp_path / "m.yml", f"name: m\nuuid: {UUID}\nuser_data: '#!/bin/sh'\n")
    document = json.loads(run_cli("build", "--machine", machine, "-o", tmp_path / "m.iso",
                                  "--json").stdout)  # fmt: skip
    assert (document["uuid"], document["uuid_source"]) == (UUID, "given")
    assert document["uuid_note"] == f"given by uuid in {machine}:2"
