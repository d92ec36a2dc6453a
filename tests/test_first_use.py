"""The small things a new user hit first (issue 11, item 8): each once, each tested."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from configdrive import build
from tests.helpers import ROOT, VALID, run_cli

# A private key in OpenSSH's format (made for this test, never used anywhere): seven lines.
PRIVATE_KEY = """\
-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACBvYmpfZmFrZV9rZXlfZm9yX3Rlc3RzX29ubHlfX19fAAAAmPa6yRL2uskS
AAAAC3NzaC1lZDI1NTE5AAAAIG9ial9mYWtlX2tleV9mb3JfdGVzdHNfb25seV9fX18AAA
BAc2VjcmV0X21hdGVyaWFsX3RoYXRfbXVzdF9uZXZlcl9iZV9wcmludGVkX2FueXdoZXJl
ZQAAAA10ZXN0QGV4YW1wbGUBAgMEBQ==
-----END OPENSSH PRIVATE KEY-----
"""


def test_a_private_key_file_is_one_error_never_echoed(tmp_path: Path) -> None:
    key = tmp_path / "id_ed25519"
    key.write_text(PRIVATE_KEY)
    (tmp_path / "id_ed25519.pub").write_text(
        (ROOT / "fixtures" / "keys" / "ed25519.pub").read_text()
    )
    result = run_cli("validate", "--ssh-key", key)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"--ssh-key {key}: this is a private key; give the public key ({key}.pub)",
        "mkconfigdrive: 1 error",
    ]
    (tmp_path / "id_ed25519.pub").unlink()
    built = run_cli("build", "--ssh-key", key, "-o", tmp_path / "d.iso")
    assert built.stderr.splitlines() == [
        f"--ssh-key {key}: this is a private key; give the public key (the .pub file)",
        "mkconfigdrive: 1 error; nothing was written",
    ]
    assert "b3BlbnNzaC1rZXktdjEAAAAA" not in built.stderr + built.stdout


def test_validate_does_not_say_nothing_was_written(tmp_path: Path) -> None:
    bad = tmp_path / "user.yml"
    bad.write_text("#cloud-config\nhostname: -bad-\n")
    result = run_cli("validate", bad)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "mkconfigdrive: 1 error"
    # build says it, as it should: it is the one that would have written.
    built = run_cli("build", bad, "-o", tmp_path / "d.iso")
    assert built.stderr.splitlines()[-1] == "mkconfigdrive: 1 error; nothing was written"


COMMANDS = [
    ["build"],
    ["build-many"],
    ["validate"],
    ["inspect"],
    ["extract"],
    ["diff"],
    ["oem"],
    ["serve"],
    ["image", "import"],
    ["image", "verify"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_usage_lines_name_arguments_without_braces(command: list[str]) -> None:
    result = run_cli(*command, "--help")
    assert result.returncode == 0
    (usage,) = [line for line in result.stdout.splitlines() if line.startswith("Usage:")]
    assert "{" not in usage
    assert "}" not in usage


def test_usage_lines_show_the_argument_names() -> None:
    assert "inspect [OPTIONS] DRIVE\n" in run_cli("inspect", "--help").stdout
    assert "diff [OPTIONS] A B\n" in run_cli("diff", "--help").stdout
    missing = run_cli("extract")
    assert missing.returncode == 2
    assert "extract [OPTIONS] DRIVE DIR\n" in missing.stderr


def run_into_closed_pipe(*argv: str | Path) -> tuple[int, str]:
    """Run the command with a standard output nobody reads after its first line (`| head -1`)."""
    with subprocess.Popen(
        [sys.executable, "-m", "configdrive", *map(str, argv)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.readline()
        process.stdout.close()
        error = process.stderr.read().decode()
        return process.wait(), error


@pytest.fixture(scope="module")
def big_drive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A drive whose user data (--show user-data) is larger than any pipe's buffer."""
    folder = tmp_path_factory.mktemp("big")
    lines = "".join(f"      line {index:06d} of a long file\n" for index in range(20_000))
    user_data = f"#cloud-config\nwrite_files:\n  - path: /big\n    content: |\n{lines}"
    return build(user_data.encode(), folder / "big.iso", hostname="big").path


@pytest.mark.parametrize(
    "argv",
    [
        ["inspect", "{drive}", "--show", "user-data"],
        ["inspect", "{drive}", "--json", "--show", "user-data"],
        ["extract", "{drive}", "{folder}"],
        ["diff", "{drive}", str(VALID / "cloud-init" / "golden-tree")],
        ["validate", str(VALID / "cloud-init" / "user.yml")],
        ["build", "-", "-o", "{folder}/d.iso", "--hostname", "x"],
        ["oem", "--platform", "openstack"],
        ["--help"],
    ],
    ids=lambda argv: argv[0],
)
def test_a_closed_standard_output_ends_the_run_quietly(
    argv: list[str], big_drive: Path, tmp_path: Path
) -> None:
    filled = [
        part.replace("{drive}", str(big_drive)).replace("{folder}", str(tmp_path / "out"))
        for part in argv
    ]
    if argv[0] == "build":
        (tmp_path / "out").mkdir()
        filled[1] = str(VALID / "cloud-init" / "user.yml")
    code, error = run_into_closed_pipe(*filled)
    assert "Broken pipe" not in error
    assert "BrokenPipeError" not in error
    assert code in (0, 1) if argv[0] == "diff" else code == 0, error


def test_oem_output_into_a_missing_folder_makes_it(tmp_path: Path) -> None:
    target = tmp_path / "oem" / "cloud-config.yml"
    result = run_cli("oem", "--platform", "openstack-configdrive", "-o", target)
    assert result.returncode == 0, result.stderr
    assert target.read_text().startswith("#cloud-config")
    assert (target.parent.stat().st_mode & 0o777) == 0o755
    # Two missing levels: likely a typo; refused with the command that makes them.
    deeper = tmp_path / "a b" / "c" / "cloud-config.yml"
    refused = run_cli("oem", "--platform", "openstack-configdrive", "-o", deeper)
    assert refused.returncode == 3
    assert refused.stderr == (
        f"mkconfigdrive: {deeper.parent}: the folder does not exist "
        f"(create it with: mkdir -p '{deeper.parent}')\n"
    )
    assert not (tmp_path / "a b").exists()
