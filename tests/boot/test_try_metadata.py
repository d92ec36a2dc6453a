"""`mkconfigdrive try --metadata-service` on a real boot: the machine comes from a real
`mkconfigdrive serve` on the host's loopback, not from an attached drive.

The user's pair: `build-many machines/ --out-dir drives/` and `serve machines/ --listen
127.0.0.1:PORT`, one machine file for both. try boots the boot tests' guest as a cloud image
with --direct-kernel (qemu loads the image's own kernel, so that option is booted for real
too; test_try.py boots the same image through GRUB) with no drive attached, as an OpenStack
Nova machine whose one restricted network reaches 169.254.169.254 (through
configdrive/trial/relay.py) and nothing else; the drive is what the service must deliver.
cloud-init in the guest is the judge. One boot serves every test (minutes under TCG).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from configdrive.trial.applied import compare
from configdrive.trial.expected import read_expected
from configdrive.trial.run import TrialResult
from tests.boot.conftest import TIMES, explain, run_try
from tests.boot.guest import Guest
from tests.helpers import FIXTURES, run_cli

pytestmark = [pytest.mark.boot]

UUID = "3e9b1f60-2c4d-4a8e-b7f1-5d6c7e8f9a0b"
HOSTNAME = "served-trial.example.com"
ED25519 = (FIXTURES / "keys" / "ed25519.pub").read_text().strip()
RSA = (FIXTURES / "keys" / "rsa.pub").read_text().strip()
USER_DATA = f"""#cloud-config
users:
  - default
  - name: deploy
    ssh_authorized_keys: ["{ED25519}"]
write_files:
  - path: /etc/trial/served
    content: |
      delivered by mkconfigdrive serve
  - path: /etc/trial/secret
    permissions: '0600'
    content: not in any log
runcmd:
  - [touch, /var/tmp/runcmd-ran]
"""


@dataclass(frozen=True)
class Tried:
    exit_code: int
    report: dict[str, Any]  # the --json output
    stderr: str
    result: TrialResult  # what try_drive returned to the command
    serve_log: str


def _machine(folder: Path, name: str, *, uuid: str, hostname: str, key: Path, user: str) -> Path:
    """One machine file, alone in its folder (build-many builds every file of a folder); its
    user data beside the folder."""
    (folder / f"{name}-user.yml").write_text(user)
    machine = folder / name / f"{name}.yml"
    machine.parent.mkdir()
    machine.write_text(
        json.dumps(
            {
                "name": name,
                "uuid": uuid,
                "hostname": hostname,
                "user_data_file": f"../{name}-user.yml",
                "ssh_keys": [str(key)],
            }
        )
    )
    return machine


def _drive(machine: Path) -> Path:
    """The machine's config-2 drive, as `build-many` builds it from the same file serve
    serves."""
    out = machine.parent.parent / f"{machine.stem}-drives"
    built = run_cli("build-many", machine.parent, "--out-dir", out, "-q")
    assert built.returncode == 0, built.stderr
    return out / f"{machine.stem}.iso"


@pytest.fixture(scope="module")
def served_machine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int, Path]]:
    """The machine file, the port `mkconfigdrive serve` answers it on, and serve's log."""
    from tests.test_serve_http import ServeProcess

    folder = tmp_path_factory.mktemp("served")
    machine = _machine(folder, "asked", uuid=UUID, hostname=HOSTNAME,
                       key=FIXTURES / "keys" / "rsa.pub", user=USER_DATA)  # fmt: skip
    log = folder / "serve.log"
    server = ServeProcess(machine, log=log)
    try:
        yield machine, server.port, log
    finally:
        server.stop()


@pytest.fixture(scope="module")
def tried(booted_guest: Guest, served_machine: tuple[Path, int, Path]) -> Tried:
    machine, port, log = served_machine
    drive = _drive(machine)
    image = booted_guest.cloud_image()
    done, result = run_try(drive, "--image", image, "--direct-kernel",
                           "--metadata-service", f"127.0.0.1:{port}", "--json")  # fmt: skip
    TIMES["try --metadata-service (--direct-kernel)"] = result.seconds
    return Tried(done.returncode, json.loads(done.stdout), done.stderr, result, log.read_text())


def test_the_machine_got_from_the_service_what_the_drive_holds(tried: Tried) -> None:
    assert tried.exit_code == 0, explain(tried.result) + tried.stderr
    assert tried.report["ok"] is True
    assert tried.report["delivery"] == "metadata service"
    assert tried.report["metadata_service"].startswith("127.0.0.1:")
    assert tried.report["checks"]
    assert all(check["ok"] for check in tried.report["checks"])
    assert tried.report["finished"]
    assert tried.report["powered_off"] is True


def test_cloud_init_found_openstack_in_its_local_stage_not_a_drive(tried: Tried) -> None:
    applied = tried.result.applied
    assert applied is not None
    assert tried.report["expected"]["datasource"] == "OpenStack"
    # DataSourceOpenStackLocal: the metadata service over a DHCP lease in init-local. A
    # drive would have been DataSourceConfigDrive: none was attached.
    assert applied.datasource is not None
    assert applied.datasource.startswith("DataSourceOpenStackLocal"), applied.datasource
    datasource = next(c for c in tried.report["checks"] if c["what"] == "datasource")
    assert datasource["ok"] is True


def test_each_field_is_what_the_service_delivered(tried: Tried) -> None:
    applied = tried.result.applied
    assert applied is not None
    assert applied.instance_id == UUID
    assert applied.hostname == "served-trial"  # the metadata's local-hostname, first label
    assert any(RSA.split()[1] in key for key in applied.authorized_keys["debian"])
    assert any(ED25519.split()[1] in key for key in applied.authorized_keys["deploy"])
    assert applied.files["/etc/trial/served"] == (0o644, b"delivered by mkconfigdrive serve\n")
    assert applied.files["/etc/trial/secret"] == (0o600, b"not in any log")
    assert applied.runcmd
    checked = {check["what"] for check in tried.report["checks"]}
    assert {"hostname", "instance-id", "keys of debian", "keys of deploy", "runcmd"} <= checked


def test_the_guest_asked_serve_and_no_content_reached_its_log(tried: Tried) -> None:
    assert "openstack" in tried.serve_log  # serve logged the guest's requests
    assert "not in any log" not in tried.serve_log


def test_another_machines_drive_fails_against_this_boot(tried: Tried, tmp_path: Path) -> None:
    other_user = USER_DATA.replace("/etc/trial/served", "/etc/trial/other")
    other = _machine(tmp_path, "other", uuid="00000000-1111-2222-3333-444444444444",
                     hostname="elsewhere", key=FIXTURES / "keys" / "ecdsa.pub",
                     user=other_user.replace("'0600'", "'0640'"))  # fmt: skip
    _, expected = read_expected(_drive(other))
    expected.datasource = "OpenStack"  # as try --metadata-service expects it
    assert tried.result.applied is not None
    failing = {check.what for check in compare(expected, tried.result.applied) if not check.ok}
    assert failing == {
        "hostname",
        "instance-id",
        "keys of debian",
        "file /etc/trial/other",
        "file /etc/trial/secret",
    }
