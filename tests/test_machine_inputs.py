"""One MachineInputs: declared once, and every way in (flags, keywords, machine files) makes it."""

from __future__ import annotations

import inspect
import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from configdrive import MachineInputs, api
from configdrive.cli.app import app
from configdrive.cli.options import INPUT_OPTIONS, InputFlags
from configdrive.errors import InvalidInputError, UsageError
from configdrive.inputs.machine_file import DOCUMENTS, DRIVE_KEYS, load_machine_file
from configdrive.machine import FileSpec, MachineSpec, document_fields
from configdrive.validation.files import FileKind, validate_files
from configdrive.validation.json_schemas import MACHINE, load_schema
from configdrive.validation.user_data import Target
from tests.helpers import FIXTURES, VALID

MACHINES = FIXTURES / "machines"
CLOUD_INIT = VALID / "cloud-init"
FIELDS = {each.name for each in fields(MachineInputs)}

# build's and validate's options, in --help's order, as they were before MachineInputs:
# the flags moved to cli/options.py and nothing a user types changed (validate gained
# --machine, which build had; build gained --sync/--no-sync later).
BUILD_OPTIONS = [
    "--output", "--meta-data", "--network-data", "--vendor-data", "--vendor-data2", "--uuid",
    "--hostname", "--name", "--ssh-key", "--file", "--target", "--machine", "--layout",
    "--format", "--strict", "--force", "--mode", "--sync", "--quiet", "--json", "--debug",
]  # fmt: skip
VALIDATE_OPTIONS = [
    "--kind", "--meta-data", "--network-data", "--vendor-data", "--vendor-data2", "--uuid",
    "--hostname", "--name", "--ssh-key", "--file", "--target", "--machine", "--strict",
    "--quiet", "--json", "--debug",
]  # fmt: skip
# Each input flag's name, by the MachineInputs field it fills.
FLAGS = {
    "meta_data": "--meta-data",
    "network_data": "--network-data",
    "vendor_data": "--vendor-data",
    "vendor_data2": "--vendor-data2",
    "uuid": "--uuid",
    "hostname": "--hostname",
    "name": "--name",
    "ssh_keys": "--ssh-key",
    "files": "--file",
    "target": "--target",
}


def command_params(name: str) -> list[Any]:
    group = typer.main.get_command(app)
    command = group.get_command(None, name)  # type: ignore[attr-defined]  # a group: it has one
    return list(command.params)


def option_names(name: str) -> list[str]:
    """The long name of each option of a command, in order (the arguments left out)."""
    return [
        next(opt for opt in param.opts if opt.startswith("--"))
        for param in command_params(name)
        if param.param_type_name == "option"
    ]


def test_the_options_of_build_and_validate_are_unchanged() -> None:
    assert option_names("build") == BUILD_OPTIONS
    assert option_names("validate") == VALIDATE_OPTIONS
    build_arguments = [p.human_readable_name for p in command_params("build")
                       if p.param_type_name == "argument"]  # fmt: skip
    assert build_arguments == ["USER_DATA"]


def test_every_input_is_declared_once_and_reaches_every_way_in() -> None:
    """Add an input to MachineInputs and not to the flags, the machine file or the API's
    keywords (or the other way round), and this fails."""
    # The command line: every field but USER_DATA (build's argument) is a flag of both.
    assert set(INPUT_OPTIONS) == FIELDS - {"user_data"}
    assert set(FLAGS) == set(INPUT_OPTIONS)
    for command in ("build", "validate"):
        assert {FLAGS[key] for key in INPUT_OPTIONS} <= set(option_names(command))
    # A machine file: every field is a key, each document a KEY_file too; the rest is the drive's.
    keys = set(load_schema(MACHINE)["properties"])
    assert keys == FIELDS | {f"{key}_file" for key in DOCUMENTS} | set(DRIVE_KEYS)
    assert set(DOCUMENTS) == set(document_fields())
    # The API's keywords (validate_files names --file's SRC:DEST file_specs; its FILEs stand
    # for USER_DATA).
    for function in (api.build, api.machine_spec, api.machine_inputs):
        assert set(inspect.signature(function).parameters) >= FIELDS, function.__name__
    validate_keywords = set(inspect.signature(validate_files).parameters)
    assert (FIELDS - {"user_data", "files"}) | {"file_specs"} <= validate_keywords


def test_the_documents_are_the_five_files() -> None:
    assert document_fields() == (
        "user_data", "meta_data", "network_data", "vendor_data", "vendor_data2",
    )  # fmt: skip
    assert DOCUMENTS["vendor_data2"] == "vendor data2"


def test_any_given_leaves_the_target_out() -> None:
    assert not MachineInputs().any_given()
    assert not MachineInputs(target=Target.CLOUD_INIT).any_given()
    assert MachineInputs(ssh_keys=("k",)).any_given()
    assert MachineInputs(hostname="").any_given()  # given, if empty: validation says why
    assert not InputFlags({"hostname": None, "ssh_keys": None, "target": "cloud-init"}).any_given()
    assert InputFlags({"hostname": None, "ssh_keys": ["k"], "target": "auto"}).any_given()
    assert not InputFlags({"hostname": "", "ssh_keys": None, "target": "auto"}).any_given()


def test_flags_and_keywords_make_the_same_inputs() -> None:
    given = dict.fromkeys(INPUT_OPTIONS) | {
        "user_data": "u.yml",
        "hostname": "web-1",
        "ssh_keys": ["a.pub"],
        "files": ["motd:/etc/motd"],
        "target": "cloud-init",
    }
    from_flags = InputFlags(given).machine_inputs()
    from_keywords = api.machine_inputs(
        "u.yml", hostname="web-1", ssh_keys=["a.pub"], files=["motd:/etc/motd"],
        target="cloud-init",
    )  # fmt: skip
    assert (
        from_flags
        == from_keywords
        == MachineInputs(
            user_data="u.yml",
            hostname="web-1",
            ssh_keys=("a.pub",),
            files=(FileSpec("motd", "/etc/motd"),),
            target=Target.CLOUD_INIT,
        )
    )


def test_a_machine_file_makes_machine_inputs() -> None:
    spec = load_machine_file(MACHINES / "web-1.yml").spec
    assert isinstance(spec, MachineSpec)
    assert isinstance(spec, MachineInputs)
    assert (spec.name, spec.hostname, len(spec.ssh_keys), len(spec.files)) == (
        "web-1", "web-1.example.com", 1, 1,
    )  # fmt: skip


def web_1_inputs(tmp_path: Path) -> MachineInputs[Any]:
    """fixtures/machines/web-1.yml as a MachineInputs."""
    return MachineInputs(
        user_data=CLOUD_INIT / "user.yml",
        meta_data={"availability_zone": "nova", "meta": {"role": "web"}},
        network_data=VALID / "container-linux" / "network.json",
        vendor_data=CLOUD_INIT / "vendor.json",
        uuid="2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c",
        hostname="web-1.example.com",
        name="web-1",
        ssh_keys=(str(FIXTURES / "keys" / "ed25519.pub"),),
        files=(FileSpec(str(CLOUD_INIT / "motd"), "/etc/motd"),),
    )


def test_build_machine_takes_machine_inputs(tmp_path: Path) -> None:
    """A MachineInputs builds, byte for byte, the drive of the machine file that says the same."""
    api.build_machine(web_1_inputs(tmp_path), tmp_path / "inputs.iso")
    api.build_machine(MACHINES / "web-1.yml", tmp_path / "file.iso")
    assert (tmp_path / "inputs.iso").read_bytes() == (tmp_path / "file.iso").read_bytes()
    machine = api.validate_machine(web_1_inputs(tmp_path))
    assert machine.hostname == "web-1.example.com"


def test_validate_files_takes_a_machine_file_or_inputs(tmp_path: Path) -> None:
    result = validate_files(machine=MACHINES / "web-1.yml")
    assert [(f.file, f.kind, f.detail) for f in result.files] == [
        (str(MACHINES / "web-1.yml"), FileKind.MACHINE_FILE, "cloud-config")
    ]
    result = validate_files(machine=web_1_inputs(tmp_path))
    assert [(f.kind, f.detail) for f in result.files] == [
        (FileKind.USER_DATA, "cloud-config"),
        (FileKind.META_DATA, None),
        (FileKind.NETWORK_DATA, None),
        (FileKind.VENDOR_DATA, None),
    ]
    with pytest.raises(UsageError, match="not both"):
        validate_files(machine=MACHINES / "web-1.yml", hostname="x")


def test_validate_a_machine_is_a_dry_run_of_building_it(tmp_path: Path) -> None:
    """Its format's warnings too: vfat config-2 drives are lost on Afterburn."""
    machine = tmp_path / "m.yml"
    machine.write_text(f"user_data_file: {CLOUD_INIT / 'user.yml'}\nformat: vfat\n")
    result = validate_files(machine=machine)
    assert [warning.file for warning in result.warnings] == ["--format vfat"]
    with pytest.raises(InvalidInputError) as raised:
        validate_files(machine=machine, strict=True)
    with pytest.raises(InvalidInputError) as built:
        api.build_machine(machine, tmp_path / "d.img", strict=True)
    assert raised.value.problems == built.value.problems
    assert not (tmp_path / "d.img").exists()


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(arg) for arg in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_validate_machine_on_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(MACHINES)
    assert invoke("validate", "--machine", "web-1.yml") == (
        0, "web-1.yml  machine file (cloud-config)\n1 file valid\n", "",
    )  # fmt: skip
    code, stdout, _ = invoke("validate", "--machine", "web-1.yml", "--json")
    assert (code, json.loads(stdout)["files"]) == (
        0, [{"file": "web-1.yml", "kind": "machine-file", "detail": "cloud-config"}],
    )  # fmt: skip
    # A FILE beside the machine is checked on its own, as FILEs always are.
    code, stdout, _ = invoke("validate", "--machine", "web-1.yml", CLOUD_INIT / "vendor.json")
    assert (code, stdout.splitlines()[-1]) == (0, "2 files valid")


def test_validate_machine_and_input_flags_do_not_mix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(MACHINES)
    code, stdout, stderr = invoke("validate", "--machine", "web-1.yml", "--ssh-key", "k.pub")
    assert (code, stdout) == (2, "")
    assert stderr == (
        "mkconfigdrive: --machine takes the inputs from the machine file; drop the input flags "
        "(--meta-data, --ssh-key, --file, ...), or drop --machine\n"
    )
    # --target says how to read the FILEs: it is no input, and mixes.
    assert invoke("validate", "--machine", "web-1.yml", "--target", "cloud-init")[0] == 0


def test_validate_machine_reports_what_build_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("m.yml").write_text("hostname: -bad-\nuser_data: '#cloud-config'\nuuid: 42\n")
    validated = invoke("validate", "--machine", "m.yml")
    built = invoke("build", "--machine", "m.yml", "-o", "d.iso")
    assert validated[0] == built[0] == 1
    assert validated[2] == built[2].replace("; nothing was written", "")
    assert validated[2].count("m.yml:") == 2
    assert not Path("d.iso").exists()
    code, _, stderr = invoke("validate", "--machine", "missing.yml")
    assert (code, stderr.splitlines()[0]) == (
        1, "missing.yml: cannot read machine file: no such file or directory",
    )  # fmt: skip


def test_the_advice_to_give_it_with_machine_can_be_followed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """validate's message for a machine file given as a FILE names an option validate has."""
    monkeypatch.chdir(MACHINES)
    code, _, stderr = invoke("validate", "web-1.yml")
    assert (code, stderr.splitlines()[0]) == (
        1, "web-1.yml: given as meta data, but this looks like a machine file: give it with "
        "--machine",
    )  # fmt: skip
    assert invoke("validate", "--machine", "web-1.yml")[0] == 0
