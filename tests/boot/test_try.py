"""`mkconfigdrive try` on a real boot: the boot test's guest as the user's cloud image.

The guest's file system inside a GPT disk with GRUB (guest.Guest.cloud_image), booted as a
cloud image boots: SeaBIOS, its boot loader, its kernel. The command runs as a user runs it
(the CLI, --json) with a config-2 drive built from the fixtures' keys; cloud-init in the
guest is the judge. One boot serves every test (minutes under TCG). The real try_drive runs;
a spy keeps the result it returns, so the tests can read what was applied in full, beyond
the JSON's summary.
"""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from configdrive.trial.applied import compare
from configdrive.trial.expected import read_expected
from configdrive.trial.run import TrialResult
from tests.boot.conftest import TIMES, explain, run_try
from tests.boot.guest import Guest
from tests.helpers import FIXTURES, file_sha256, run_cli

pytestmark = [pytest.mark.boot]

UUID = "7a4c1d2e-3f5b-4c6d-8e9f-0a1b2c3d4e5f"
ED25519 = (FIXTURES / "keys" / "ed25519.pub").read_text().strip()
RSA = (FIXTURES / "keys" / "rsa.pub").read_text().strip()
SEED = gzip.compress(b"seed data\n", mtime=0)
USER_DATA = f"""#cloud-config
users:
  - default
  - name: deploy
    ssh_authorized_keys: ["{ED25519}"]
write_files:
  - path: /etc/trial/motd
    content: |
      tried by mkconfigdrive
  - path: /opt/trial/seed.bin
    encoding: gz+b64
    permissions: '0600'
    content: {base64.b64encode(SEED).decode()}
runcmd:
  - [touch, /var/tmp/runcmd-ran]
"""


@dataclass(frozen=True)
class Tried:
    image: Path
    sha256_before: str
    exit_code: int
    report: dict[str, Any]  # the --json output
    stderr: str
    result: TrialResult  # what try_drive returned to the command


def _drive(folder: Path, name: str, hostname: str, uuid: str, key: Path, user_data: str) -> Path:
    (folder / f"{name}.yml").write_text(user_data)
    out = folder / f"{name}.iso"
    built = run_cli("build", folder / f"{name}.yml", "--hostname", hostname, "--uuid", uuid,
                    "--ssh-key", key, "-o", out, "-q")  # fmt: skip
    assert built.returncode == 0, built.stderr
    return out


@pytest.fixture(scope="module")
def tried(booted_guest: Guest, tmp_path_factory: pytest.TempPathFactory) -> Tried:
    image = booted_guest.cloud_image()
    before = file_sha256(image)
    folder = tmp_path_factory.mktemp("try")
    drive = _drive(folder, "asked", "trial-1.example.com", UUID, FIXTURES / "keys" / "rsa.pub",
                   USER_DATA)  # fmt: skip
    done, result = run_try(drive, "--image", image, "--json")
    TIMES["try (GRUB)"] = result.seconds
    return Tried(image, before, done.returncode, json.loads(done.stdout), done.stderr, result)


def test_the_command_says_the_machine_got_what_the_drive_asked_for(tried: Tried) -> None:
    assert tried.exit_code == 0, explain(tried.result) + tried.stderr
    assert tried.report["ok"] is True
    assert tried.report["checks"]
    assert all(check["ok"] for check in tried.report["checks"])
    assert tried.report["warnings"] == []
    assert tried.report["finished"]
    assert "modules:final" in tried.report["cloud_init_stages"]


def test_the_guest_powered_off_on_the_power_button(tried: Tried) -> None:
    # QMP's system_powerdown reaches systemd-logind (the guest has D-Bus, as cloud images do);
    # the kernel's own "reboot: Power down" line is how try knows.
    assert tried.report["powered_off"] is True
    assert tried.report["timed_out"] is False


def test_each_field_is_what_went_in(tried: Tried) -> None:
    applied = tried.result.applied
    assert applied is not None
    assert applied.hostname == "trial-1"  # local-hostname's first label
    assert applied.instance_id == UUID
    assert applied.datasource is not None
    assert applied.datasource.startswith("DataSourceConfigDrive")
    assert applied.default_user == "debian"  # Debian's cloud.cfg default_user
    assert any(RSA.split()[1] in key for key in applied.authorized_keys["debian"])
    assert any(ED25519.split()[1] in key for key in applied.authorized_keys["deploy"])
    assert applied.files["/etc/trial/motd"] == (0o644, b"tried by mkconfigdrive\n")
    assert applied.files["/opt/trial/seed.bin"] == (0o600, b"seed data\n")
    assert applied.runcmd
    assert applied.errors == []
    checked = {check["what"] for check in tried.report["checks"]}
    assert {"hostname", "instance-id", "keys of debian", "keys of deploy", "runcmd"} <= checked


def test_the_users_image_is_unchanged(tried: Tried) -> None:
    assert file_sha256(tried.image) == tried.sha256_before


def test_another_drives_expectations_fail_against_this_boot(tried: Tried, tmp_path: Path) -> None:
    other = USER_DATA.replace("/etc/trial/motd", "/etc/trial/other").replace("'0600'", "'0640'")
    drive = _drive(tmp_path, "other", "elsewhere", "00000000-1111-2222-3333-444444444444",
                   FIXTURES / "keys" / "ecdsa.pub", other)  # fmt: skip
    _, expected = read_expected(drive)
    assert tried.result.applied is not None
    failing = {check.what for check in compare(expected, tried.result.applied) if not check.ok}
    assert failing == {
        "hostname",
        "instance-id",
        "keys of debian",
        "file /etc/trial/other",
        "file /opt/trial/seed.bin",
    }
