"""Machine files: the same drive as the flags, every problem located in the file, all at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from configdrive import api
from configdrive.errors import InvalidInputError
from configdrive.inputs.machine_file import load_machine_file, machine_from_dict
from tests.helpers import FIXTURES, VALID, run_cli

MACHINES = FIXTURES / "machines"
CLOUD_INIT = VALID / "cloud-init"


def flags_build(output: Path, tmp_path: Path) -> None:
    """fixtures/machines/web-1.yml, said with flags instead."""
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps({"availability_zone": "nova", "meta": {"role": "web"}}))
    api.build(
        CLOUD_INIT / "user.yml",
        output,
        meta_data=meta,
        network_data=VALID / "container-linux" / "network.json",
        vendor_data=CLOUD_INIT / "vendor.json",
        uuid="2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c",
        hostname="web-1.example.com",
        name="web-1",
        ssh_keys=[str(FIXTURES / "keys" / "ed25519.pub")],
        files=[(CLOUD_INIT / "motd", "/etc/motd")],
    )


def test_a_machine_file_builds_what_the_flags_build(tmp_path: Path) -> None:
    by_flags, by_file = tmp_path / "flags.iso", tmp_path / "file.iso"
    flags_build(by_flags, tmp_path)
    result = api.build_machine(MACHINES / "web-1.yml", by_file)
    assert result.hostname == "web-1.example.com"
    assert by_file.read_bytes() == by_flags.read_bytes()


def test_a_mapping_builds_what_the_file_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    data = yaml.safe_load((MACHINES / "web-1.yml").read_text())
    monkeypatch.chdir(MACHINES)  # a mapping's paths are relative to the current folder
    api.build_machine(data, tmp_path / "dict.iso")
    api.build_machine(MACHINES / "web-1.yml", tmp_path / "file.iso")
    assert (tmp_path / "dict.iso").read_bytes() == (tmp_path / "file.iso").read_bytes()


def test_the_cli_builds_a_machine_file_and_its_format_can_be_overridden(tmp_path: Path) -> None:
    result = run_cli(
        "build", "--machine", MACHINES / "web-1.yml", "--format", "vfat", "-o", tmp_path / "w.img",
        "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["format"] == "vfat"
    assert summary["hostname"] == "web-1.example.com"


def test_machine_and_input_flags_do_not_mix(tmp_path: Path) -> None:
    result = run_cli(
        "build", "--machine", MACHINES / "web-1.yml", "--hostname", "other", "-o", tmp_path / "d",
    )  # fmt: skip
    assert result.returncode == 2
    assert "--machine takes the inputs from the machine file" in result.stderr
    assert not (tmp_path / "d").exists()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.yml"
    path.write_text(text)
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InvalidInputError) as raised:
        api.validate_machine(load_machine_file(path).spec)
    return [str(problem) for problem in raised.value.problems]


def test_every_problem_is_reported_at_its_line_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name: m\n"
        "hostname: under_score\n"
        "uuid: 42\n"
        "user_data_fle: user.yml\n"
        "meta_data:\n"
        "  launch_index: -1\n"
        "network_data_file: missing.json\n",
    )
    found = problems_of(path)
    assert f"{path}:2:11: hostname: 'under_score' is not an RFC 1123" in found[0]
    assert found[1] == f"{path}:3:7: uuid: 42 is not of type 'string'"
    assert found[2] == f"{path}:4:1: user_data_fle: unknown key; did you mean 'user_data_file'?"
    assert found[3] == f"{path}:6:17: meta_data.launch_index: -1 is less than the minimum of 0"
    assert found[4].startswith(f"{path}:7:20: network_data_file: cannot read network data")
    assert len(found) == 5


def test_inline_and_file_together_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "user_data: '#cloud-config'\nuser_data_file: u.yml\n")
    assert problems_of(path) == [
        f"{path}:2:1: user_data_file: give user_data inline or user_data_file, not both"
    ]


def test_paths_are_relative_to_the_machine_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "user.yml").write_text("#cloud-config\nhostname: rel\n")
    machine = tmp_path / "sub" / "m.yml"
    machine.write_text("user_data_file: user.yml\n")
    assert api.build_machine(machine, tmp_path / "d.iso").hostname == "rel"


def test_output_names_follow_the_format() -> None:
    assert machine_from_dict({"name": "a"}).output_name() == "a.iso"
    assert machine_from_dict({"name": "a", "format": "vfat"}).output_name() == "a.img"
    assert machine_from_dict({"name": "a", "format": "dir"}).output_name() == "a"
    assert machine_from_dict({"name": "a", "output": "x/y.iso"}).output_name() == "x/y.iso"
    assert machine_from_dict({}, name="fallback").output_name() == "fallback.iso"
