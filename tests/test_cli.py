"""The command line as a user meets it: help, exit codes, output forms, no tracebacks."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.helpers import VALID, run_cli
from tests.test_atomic import device_node

USER = VALID / "cloud-init" / "user.yml"


def test_every_command_has_help() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert "build" in result.stdout
    build_help = run_cli("build", "--help")
    for option in ("--meta-data", "--network-data", "--ssh-key", "--file", "--force", "--json"):
        assert option in build_help.stdout


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("mkconfigdrive ")


def test_summary_names_what_was_built(tmp_path: Path) -> None:
    result = run_cli("build", USER, "-o", tmp_path / "d.iso", "--hostname", "web-1")
    assert result.returncode == 0
    assert "label      config-2" in result.stdout
    assert "hostname   web-1" in result.stdout
    assert "(derived from host name 'web-1')" in result.stdout


def test_quiet_prints_nothing(tmp_path: Path) -> None:
    result = run_cli("build", USER, "-o", tmp_path / "d.iso", "--quiet")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_json_summary(tmp_path: Path) -> None:
    result = run_cli("build", USER, "-o", tmp_path / "d.iso", "--json")
    summary = json.loads(result.stdout)
    assert summary["ok"] is True
    assert summary["user_data"] == "cloud-config"
    assert summary["warnings"] == []


def test_stdin(tmp_path: Path) -> None:
    result = run_cli("build", "-", "-o", tmp_path / "d.iso", stdin=USER.read_bytes())
    assert result.returncode == 0, result.stderr
    assert USER.read_bytes() in (tmp_path / "d.iso").read_bytes()


def test_existing_output_is_kept_without_force(tmp_path: Path) -> None:
    target = tmp_path / "d.iso"
    target.write_bytes(b"keep me")
    result = run_cli("build", USER, "-o", target)
    assert result.returncode == 3
    assert "use --force" in result.stderr
    assert target.read_bytes() == b"keep me"
    assert run_cli("build", USER, "-o", target, "--force").returncode == 0
    assert target.read_bytes() != b"keep me"


def test_mode(tmp_path: Path) -> None:
    assert run_cli("build", USER, "-o", tmp_path / "d.iso", "--mode", "0640").returncode == 0
    assert (tmp_path / "d.iso").stat().st_mode & 0o777 == 0o640
    bad = run_cli("build", USER, "-o", tmp_path / "e.iso", "--mode", "rw")
    assert bad.returncode == 2
    assert "--mode" in bad.stderr


def test_mode_is_permission_bits_only_and_private_by_default(tmp_path: Path) -> None:
    """Issue 12: --mode 7777 wrote a setuid, world-writable drive."""
    assert run_cli("build", USER, "-o", tmp_path / "d.iso", "--quiet").returncode == 0
    assert (tmp_path / "d.iso").stat().st_mode & 0o7777 == 0o600
    for mode, bits in (("7777", "setuid, setgid and sticky bits"), ("4600", "setuid bit")):
        refused = run_cli("build", USER, "-o", tmp_path / "e.iso", "--mode", mode)
        assert refused.returncode == 2
        assert refused.stderr == (
            f"mkconfigdrive: --mode '{mode}' sets the {bits}; a drive takes permission bits "
            "only (0 to 0777, such as 0600 or 0640)\n"
        )
        assert not (tmp_path / "e.iso").exists()


def test_a_drive_others_may_read_is_built_with_a_warning(tmp_path: Path) -> None:
    result = run_cli("build", USER, "-o", tmp_path / "d.iso", "--mode", "0644", "--json")
    assert result.returncode == 0, result.stderr
    [warning] = json.loads(result.stdout)["warnings"]
    assert warning["file"] == "--mode 0644"
    assert warning["message"].startswith("any user of this machine may read the drive")
    assert (tmp_path / "d.iso").stat().st_mode & 0o7777 == 0o644
    strict = run_cli("build", USER, "-o", tmp_path / "e.iso", "--mode", "0644", "--strict")
    assert strict.returncode == 1
    assert "mkconfigdrive: 1 error; nothing was written" in strict.stderr
    assert not (tmp_path / "e.iso").exists()


def test_force_never_writes_to_a_device(tmp_path: Path) -> None:
    """Issue 12: `-o /dev/sdX --force` would have turned a disk's node into a file."""
    device = device_node(tmp_path)
    result = run_cli("build", USER, "-o", device, "--force")
    assert result.returncode == 3
    assert result.stderr.startswith(
        f"mkconfigdrive: {device}: is a character device; mkconfigdrive writes drives to "
        "regular files only and never to a device"
    )
    assert stat.S_ISCHR(device.lstat().st_mode)


@pytest.mark.parametrize("args", [["build", "--no-such-option"], ["frobnicate"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_bad_source_date_epoch_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("build", USER, "-o", tmp_path / "d.iso", env={"SOURCE_DATE_EPOCH": "x"})
    assert result.returncode == 2
    assert "SOURCE_DATE_EPOCH" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_output_is_a_folder(tmp_path: Path) -> None:
    result = run_cli("build", USER, "-o", tmp_path)
    assert result.returncode == 3
    assert "is a folder" in result.stderr


def test_secrets_stay_out_of_messages(tmp_path: Path) -> None:
    user = tmp_path / "user.yml"
    user.write_text(
        "#cloud-config\nusers:\n  - name: a\n    passwd: 12345678\n"
        "chpasswd:\n  users:\n    - {name: a, password: 987654321, type: text}\n"
        "write_files:\n  - path: /x\n    content: 7777777\n"
    )
    meta = tmp_path / "meta.yml"
    meta.write_text("admin_pass: 55555555\nrandom_seed: '!!6666666!!'\n")
    result = run_cli("build", user, "--meta-data", meta, "-o", tmp_path / "d.iso")
    assert result.returncode == 1
    output = result.stdout + result.stderr
    for secret in ("12345678", "987654321", "7777777", "55555555", "6666666"):
        assert secret not in output
    as_json = run_cli("build", user, "--meta-data", meta, "-o", tmp_path / "d.iso", "--json")
    for secret in ("12345678", "987654321", "7777777", "55555555", "6666666"):
        assert secret not in as_json.stdout


def test_output_is_required(tmp_path: Path) -> None:
    result = run_cli("build", USER, cwd=tmp_path)
    assert result.returncode == 2
    assert "--output" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_internal_errors_never_show_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    import typer

    from configdrive.cli.report import TextReporter
    from configdrive.cli.running import INTERNAL_ERROR, run_command

    def broken() -> None:
        raise RuntimeError("a bug")

    with pytest.raises(typer.Exit) as caught:
        run_command(broken, TextReporter(), debug=False)
    assert caught.value.exit_code == INTERNAL_ERROR
    err = capsys.readouterr().err
    assert "internal error (RuntimeError)" in err
    assert "Traceback" not in err
    with pytest.raises(typer.Exit):
        run_command(broken, TextReporter(), debug=True)
    assert "Traceback" in capsys.readouterr().err


_MODULES_AFTER_RUN = """
import atexit, json, sys
from pathlib import Path

report = Path(sys.argv[1])
atexit.register(lambda: report.write_text(json.dumps(sorted(sys.modules))))
sys.argv = ["mkconfigdrive", *sys.argv[2:]]
from configdrive.__main__ import main
main()
"""


def _modules_after(tmp_path: Path, *args: str) -> set[str]:
    """The modules a whole `mkconfigdrive ARGS` process had imported when it exited."""
    import subprocess
    import sys

    report = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", _MODULES_AFTER_RUN, str(report), *args],
        capture_output=True,
        check=False,
    )
    return set(json.loads(report.read_text()))


COMMAND_MODULES = {
    "configdrive.cli.build_commands",
    "configdrive.cli.read_commands",
    "configdrive.cli.distro_commands",
    "configdrive.cli.serve_commands",
}


@pytest.mark.parametrize(
    ("args", "loaded"),
    [
        (("build", "--help"), "configdrive.cli.build_commands"),
        (("inspect", "--help"), "configdrive.cli.read_commands"),
        (("oem", "--list"), "configdrive.cli.distro_commands"),
        (("serve", "--help"), "configdrive.cli.serve_commands"),
    ],
)
def test_a_command_imports_its_own_module_only(
    tmp_path: Path, args: tuple[str, ...], loaded: str
) -> None:
    modules = _modules_after(tmp_path, *args)
    assert modules & COMMAND_MODULES == {loaded}


def test_top_level_help_lists_every_command_and_suggests_for_typos(tmp_path: Path) -> None:
    from configdrive.cli.app import COMMANDS

    listed = run_cli("--help")
    assert listed.returncode == 0
    shown = [line.split()[0] for line in listed.stdout.split("Commands:")[1].splitlines() if line]
    assert shown == list(COMMANDS)
    typo = run_cli("biuld")
    assert typo.returncode == 2
    assert "No such command 'biuld'. Did you mean 'build'?" in typo.stderr


def test_no_sync_writes_the_same_drive_without_a_single_fsync(
    tmp_path: Path, fsyncs: list[int]
) -> None:
    from typer.testing import CliRunner

    from configdrive.cli.app import app

    synced = fsyncs
    runner = CliRunner()
    durable = runner.invoke(app, ["build", str(USER), "-o", str(tmp_path / "a.iso"), "-q"])
    assert durable.exit_code == 0, durable.output
    assert len(synced) >= 2
    synced.clear()
    scratch = runner.invoke(
        app, ["build", str(USER), "-o", str(tmp_path / "b.iso"), "-q", "--no-sync"]
    )
    assert scratch.exit_code == 0, scratch.output
    assert synced == []
    assert (tmp_path / "a.iso").read_bytes() == (tmp_path / "b.iso").read_bytes()
    fleet = tmp_path / "fleet.yml"
    fleet.write_text(f"machines:\n  - {{name: web-1, user_data_file: {USER}}}\n")
    many = runner.invoke(
        app, ["build-many", str(fleet), "--out-dir", str(tmp_path / "out"), "-q", "--no-sync"]
    )
    assert many.exit_code == 0, many.output
    assert synced == []
    assert len(list((tmp_path / "out").iterdir())) == 1
