"""validate: build's checks without the build; every fixture gives build's exact diagnostics."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
import yaml

from configdrive.inputs.documents import Source
from configdrive.validation.files import FileKind, detect_kind, validate_files
from tests.helpers import INVALID, ROOT, VALID, case_args, cases, run_cli


def _exit_code(folder: Path) -> int:
    return int((folder / "exit-code").read_text()) if (folder / "exit-code").exists() else 1


# validate takes build's input arguments: for every input case, the same lines and exit
# code. The output cases (exit 3) are about -o, which validate has not: their inputs pass.
# build's options about the output: validate has none of them.
BUILD_ONLY = {"--force": 0, "--format": 1, "--mode": 1, "--layout": 1}


def _without_build_only(args: list[str]) -> list[str]:
    kept, skip = [], 0
    for arg in args:
        if skip:
            skip -= 1
        elif arg in BUILD_ONLY:
            skip = BUILD_ONLY[arg]
        else:
            kept.append(arg)
    return kept


# Input cases whose problem lies in a build-only option (a --mode, what --format vfat cannot
# hold) are left out. --machine cases run: validate takes a machine file as build does.
INPUT_CASES = [
    case
    for case in cases(INVALID)
    if _exit_code(INVALID / case) != 3
    and _without_build_only(case_args(INVALID / case)) == case_args(INVALID / case)
]
MACHINE_CASES = [case for case in INPUT_CASES if "--machine" in case_args(INVALID / case)]


def test_machine_cases_are_among_the_input_cases() -> None:
    """validate --machine is checked against build's own diagnostics, case by case."""
    assert MACHINE_CASES


OUTPUT_CASES = [case for case in cases(INVALID) if _exit_code(INVALID / case) == 3]


@pytest.mark.parametrize("case", INPUT_CASES)
def test_invalid_fixture_gives_builds_diagnostics(case: str, tmp_path: Path) -> None:
    # The catalogue's harness makes what git cannot hold (FIFOs, 200 MB files, unreadable ones).
    from tests.test_hostile import prepare, run_case_output

    result = run_case_output(prepare(INVALID / case, tmp_path), subcommand="validate")
    assert (result.returncode, result.stdout) == (1, "")
    # build's lines, but the last: validate writes nothing in any case, so it only counts.
    expected = (INVALID / case / "expected").read_text()
    assert expected.endswith("; nothing was written\n")
    assert result.stderr == expected.removesuffix("; nothing was written\n") + "\n"


@pytest.mark.parametrize("case", OUTPUT_CASES)
def test_output_cases_have_valid_inputs(case: str, tmp_path: Path) -> None:
    from tests.test_hostile import prepare, run_case_output

    prepared = prepare(INVALID / case, tmp_path)
    prepared.args = _without_build_only(prepared.args)
    result = run_case_output(prepared, subcommand="validate")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("case", cases(VALID))
def test_valid_fixture_passes(case: str) -> None:
    folder = VALID / case
    result = run_cli("validate", *case_args(folder), "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["ok"] is True
    args = case_args(folder)
    given = [arg for arg in args if (folder / arg).is_file() and not arg.endswith(".pub")]
    assert [checked["file"] for checked in document["files"]] == [
        arg for arg in given if ":" not in arg
    ]


@pytest.mark.parametrize(
    ("case", "files", "kinds"),
    [
        ("container-linux", ["user.yml", "machine.yml", "network.json"],
         ["user data (cloud-config)", "meta data", "network data"]),
        ("script", ["setup.sh", "meta.json"], ["user data (script)", "meta data"]),
        ("gzip-cloud-config", ["user-data.gz", "meta.yml"],
         ["user data (gzip+cloud-config)", "meta data"]),
        ("ignition", ["config.ign"], ["user data (ignition)"]),
        ("mime-multipart", ["user-data.mime"], ["user data (mime-multipart)"]),
        ("cloud-init", ["vendor.json"], ["vendor data"]),
    ],
)  # fmt: skip
def test_kinds_are_told_from_content(case: str, files: list[str], kinds: list[str]) -> None:
    result = run_cli("validate", *files, cwd=VALID / case)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [re.split(r"\s{2,}", line, maxsplit=1)[1] for line in lines[:-1]] == kinds
    assert lines[-1].startswith(f"{len(files)} file{'s' if len(files) != 1 else ''} valid")


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("meta_data.json", b"{}", FileKind.META_DATA),
        ("network_data.json", b"{}", FileKind.NETWORK_DATA),
        ("vendor_data2.json", b"[]", FileKind.VENDOR_DATA),
        ("user_data", b"{}", FileKind.USER_DATA),
        ("x.yml", b"links: []\nnetworks: []\n", FileKind.NETWORK_DATA),
        ("x.yml", b"uuid: a\nhostname: b\n", FileKind.META_DATA),
        # hostname and name alone are cloud-config keys too: a headerless cloud-config.
        ("x.json", b'{"hostname": "b"}', FileKind.USER_DATA),
        ("x.json", b'{"ignition": {"version": "3.4.0"}}', FileKind.USER_DATA),
        ("x.json", b'{"cloud-init": "#cloud-config"}', FileKind.VENDOR_DATA),
        ("x", gzip.compress(b"uuid: a\n", mtime=0), FileKind.USER_DATA),
        ("x", b"", FileKind.USER_DATA),
        ("x", b"#!/bin/sh\nuuid: 1\n", FileKind.USER_DATA),
        ("x", b"key: [unclosed", FileKind.USER_DATA),
    ],
)
def test_detect_kind(name: str, data: bytes, kind: FileKind) -> None:
    assert detect_kind(Source(name, data)) is kind


def test_kind_can_be_forced() -> None:
    """A file whose content says nothing (meta data of only `name`) needs --kind."""
    folder = INVALID / "duplicate-key"
    result = run_cli("validate", "--kind", "meta-data", "meta.yml", cwd=folder)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "meta.yml:2:1: duplicate key 'name'",
        "mkconfigdrive: 1 error",
    ]
    assert run_cli("validate", "--kind", "bogus", "meta.yml", cwd=folder).returncode == 2


def test_every_file_is_checked_and_every_problem_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text("#cloud-config\nusers: [{name: 42}]\n")
    (tmp_path / "b.yml").write_text("#cloud-config\nhostname: -bad-\n")
    (tmp_path / "c.yml").write_text("#cloud-config\nhostname: good\n")
    result = run_cli("validate", "a.yml", "b.yml", "c.yml", "missing.yml", cwd=tmp_path)
    assert result.returncode == 1
    assert [line.split(":")[0] for line in result.stderr.splitlines()[:-1]] == [
        "a.yml", "b.yml", "missing.yml",
    ]  # fmt: skip
    assert "missing.yml: cannot read user data: no such file or directory" in result.stderr


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    (tmp_path / "u.yml").write_text("#cloud-config\nfrobnicate: htop\n")
    result = run_cli("validate", "u.yml", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.startswith("u.yml:2:1: warning: frobnicate: unknown key")
    assert result.stdout.splitlines()[-1] == "1 file valid, 1 warning (above)"
    assert run_cli("validate", "u.yml", "--strict", cwd=tmp_path).returncode == 1
    assert run_cli("validate", "u.yml", "-q", cwd=tmp_path).stdout == ""


def test_standard_input() -> None:
    result = run_cli("validate", "-", stdin=b"#cloud-config\nhostname: web-1\n")
    assert (result.returncode, result.stdout.splitlines()[0]) == (
        0,
        "<stdin>  user data (cloud-config)",
    )


def test_build_only_options_are_usage_errors() -> None:
    folder = VALID / "cloud-init"
    for extra in (["-o", "d.iso"], ["--force"], ["--mode", "0600"]):
        assert run_cli("validate", "user.yml", *extra, cwd=folder).returncode == 2
    assert run_cli("validate").returncode == 2


def test_the_library_call() -> None:
    result = validate_files(
        [VALID / "script" / "setup.sh"], meta_data=str(VALID / "script" / "meta.json")
    )
    assert [(f.kind, f.detail) for f in result.files] == [
        (FileKind.USER_DATA, "script"),
        (FileKind.META_DATA, None),
    ]


HOOK_NAMES = {
    "user-data": True,
    "seeds/user_data": True,
    "user-data.yml": True,
    "machines/web/meta_data.json": True,
    "network_data.yaml": True,
    "vendor_data2.json": True,
    "web-cloud-config.yaml": True,
    "fcos.ign": True,
    ".github/workflows/ci.yml": False,
    "package.json": False,
    "meta-data": False,  # NoCloud's meta-data is not OpenStack meta data
    "docs/user-data.md.bak/x": False,
}


def test_pre_commit_hook() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "mkconfigdrive-validate"
    assert hook["entry"] == "mkconfigdrive validate"
    assert hook["language"] == "python"
    pattern = re.compile(hook["files"])
    assert {name: bool(pattern.search(name)) for name in HOOK_NAMES} == HOOK_NAMES
    # pre-commit appends the staged file names to the entry.
    folder = VALID / "container-linux"
    result = run_cli(*hook["entry"].split()[1:], "user.yml", "machine.yml", cwd=folder)
    assert result.returncode == 0, result.stderr


def test_pre_commit_hook_fails_on_a_typo(tmp_path: Path) -> None:
    """The hook's entry stops a commit whose cloud-config would build a drive without keys."""
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDGGPyjtK95uoDdN40sOHh3feex1DNsmQpYmul2NNnp8 a@b"
    (tmp_path / "user-data").write_text(f"#cloud-config\nssh_authorised_keys:\n  - {key}\n")
    result = run_cli(*hook["entry"].split()[1:], "user-data", cwd=tmp_path)
    assert result.returncode == 1
    assert (
        "user-data:2:1: ssh_authorised_keys: unknown key; did you mean 'ssh_authorized_keys'?"
        in result.stderr
    )
