"""`try` without a boot: the qemu command line, the console, what a drive asks for, the
comparison, and the command's refusals. tests/trial/ boots a real guest."""

from __future__ import annotations

import base64
import gzip
import http.server
import io
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from configdrive.cli.report import JsonReporter, TextReporter
from configdrive.errors import UsageError
from configdrive.trial.applied import Applied, compare, warning_lines
from configdrive.trial.expected import expected_from, read_expected
from configdrive.trial.qemu import (
    AttachedDrive,
    Console,
    DirectKernel,
    Machine,
    MetadataForward,
    command_line,
)
from configdrive.trial.run import TrialResult, parse_service
from tests.helpers import FIXTURES, run_cli

ED25519 = (FIXTURES / "keys" / "ed25519.pub").read_text().strip()
RSA = (FIXTURES / "keys" / "rsa.pub").read_text().strip()
USER_DATA = f"""#cloud-config
hostname: node-7
users:
  - default
  - name: deploy
    ssh_authorized_keys: ["{ED25519}"]
write_files:
  - path: /etc/motd
    content: hello
  - path: /opt/seed.bin
    encoding: gz+b64
    permissions: '0600'
    content: {base64.b64encode(gzip.compress(b"seed")).decode()}
runcmd:
  - echo done
"""


def machine(tmp_path: Path, bus: str = "cdrom", direct: bool = False) -> Machine:
    kernel = (
        DirectKernel(tmp_path / "vmlinuz", tmp_path / "initrd", "UUID=1234") if direct else None
    )
    return Machine(
        tmp_path / "overlay.qcow2",
        AttachedDrive(tmp_path / "drive,1.iso", bus),  # type: ignore[arg-type]
        tmp_path / "qmp",
        kernel,
    )


def test_tcg_boot_emulates_a_full_cpu_and_attaches_an_iso_as_a_read_only_cd(
    tmp_path: Path,
) -> None:
    command = command_line("qemu", machine(tmp_path), "tcg")
    assert command[command.index("-accel") + 1] == "tcg"
    assert command[command.index("-cpu") + 1] == "max"
    assert "-nodefaults" in command  # no NIC: the guest has no network
    drives = [command[i + 1] for i, word in enumerate(command) if word == "-drive"]
    assert drives[0] == f"file={tmp_path}/overlay.qcow2,format=qcow2,if=virtio"
    # qemu's option syntax doubles the comma in the file name
    assert drives[1] == f"file={tmp_path}/drive,,1.iso,format=raw,if=ide,media=cdrom,readonly=on"
    assert command[command.index("-serial") + 1] == "stdio"
    assert "-kernel" not in command  # the image's own boot loader


def test_kvm_boot_uses_the_host_cpu_and_a_vfat_drive_is_a_read_only_disk(tmp_path: Path) -> None:
    command = command_line("qemu", machine(tmp_path, "disk"), "kvm")
    assert command[command.index("-accel") + 1] == "kvm"
    assert command[command.index("-cpu") + 1] == "host"
    assert f"file={tmp_path}/drive,,1.iso,format=raw,if=virtio,readonly=on" in command


def test_a_nic_the_network_config_names_is_on_a_restricted_user_network(tmp_path: Path) -> None:
    plain = command_line("qemu", machine(tmp_path), "tcg")
    assert "-nic" not in plain  # no network at all by default
    with_nic = replace(machine(tmp_path), macs=("52:54:00:aa:bb:cc",))
    command = command_line("qemu", with_nic, "tcg")
    assert command[command.index("-nic") + 1] == (
        "user,restrict=on,model=virtio-net-pci,mac=52:54:00:aa:bb:cc"
    )


def test_direct_kernel_boot_names_the_root_by_uuid_with_a_serial_console(tmp_path: Path) -> None:
    command = command_line("qemu", machine(tmp_path, direct=True), "tcg")
    assert command[command.index("-kernel") + 1] == str(tmp_path / "vmlinuz")
    assert command[command.index("-initrd") + 1] == str(tmp_path / "initrd")
    append = command[command.index("-append") + 1].split()
    assert "root=UUID=1234" in append
    assert "console=ttyS0" in append


def test_the_console_tells_stages_the_final_line_and_power_off() -> None:
    console = Console()
    lines = [
        "[   12.0] cloud-init[201]: Cloud-init v. 22.4.2 running 'init-local' at Fri, 04 Dec",
        "debian login: [   30.1] cloud-init[260]: Cloud-init v. 22.4.2 running 'init' at x",
        "[   80.2] cloud-init[400]: Cloud-init v. 22.4.2 finished at Fri, 04 Dec 2026 03:01:02"
        " +0000. Datasource DataSourceConfigDrive [net,ver=2][source=/dev/sr0].  Up 80 seconds",
    ]
    stages = [console.feed(line) for line in lines]
    assert stages == ["init-local", "init", None]
    assert console.finished is not None
    assert console.finished.startswith("Cloud-init v. 22.4.2 finished at")
    assert console.datasource == "DataSourceConfigDrive"
    assert not console.powered_off
    console.feed("[   95.0] reboot: Power down")
    assert console.powered_off


def test_a_final_message_of_the_users_own_is_seen_through_systemd() -> None:
    console = Console()
    console.feed("[  OK  ] Finished cloud-final.service - Execute cloud user/final scripts.")
    assert console.finished is not None


def test_qemu_exiting_is_not_a_power_off() -> None:
    console = Console()
    console.feed("qemu-system-x86_64: terminating on signal 15 from pid 1")
    assert not console.powered_off


def test_what_a_cloud_config_asks_for() -> None:
    expected = expected_from(
        "config-2",
        "ConfigDrive",
        {"instance-id": "i-1", "local-hostname": "meta.example.com", "public_keys": {"k": RSA}},
        USER_DATA.encode(),
        None,
    )
    assert expected.instance_id == "i-1"
    assert expected.hostname == "node-7"  # the cloud-config's hostname wins (util.py:1162)
    assert expected.default_user_keys == [RSA]
    assert expected.user_keys == {"deploy": [ED25519]}
    files = {each.path: (each.mode, each.data) for each in expected.files}
    assert files == {"/etc/motd": (0o644, b"hello"), "/opt/seed.bin": (0o600, b"seed")}
    assert expected.runcmd


def test_the_metadata_host_name_is_cut_to_its_first_label() -> None:
    expected = expected_from(
        "nocloud", "NoCloud", {"instance-id": "n", "local-hostname": "web.example.com"}, b"", None
    )
    assert expected.hostname == "web"


def test_network_data_addresses_and_name_servers() -> None:
    network = {
        "links": [{"id": "eth0", "type": "phy", "ethernet_mac_address": "52:54:00:AA:BB:CC"}],
        "networks": [{"id": "n", "link": "eth0", "type": "ipv4", "ip_address": "10.0.0.5"}],
        "services": [{"type": "dns", "address": "10.0.0.2"}],
    }
    expected = expected_from("config-2", "ConfigDrive", {"instance-id": "i"}, b"", network)
    assert expected.addresses == ["10.0.0.5"]
    assert expected.nameservers == ["10.0.0.2"]
    assert expected.macs == ["52:54:00:aa:bb:cc"]


def test_user_data_that_is_no_cloud_config_is_named_as_not_checked() -> None:
    expected = expected_from("nocloud", "NoCloud", {"instance-id": "n"}, b"#!/bin/sh\n", None)
    assert expected.not_checked == ["user data other than one #cloud-config document"]


def _applied_as_asked() -> Applied:
    return Applied(
        found_root=True,
        datasource="DataSourceConfigDrive [net,ver=2][source=/dev/sr0]",
        finished=True,
        instance_id="i-1",
        hostname="node-7",
        default_user="debian",
        authorized_keys={"debian": [RSA], "deploy": [ED25519]},
        files={"/etc/motd": (0o644, b"hello"), "/opt/seed.bin": (0o600, b"seed")},
        runcmd=True,
    )


def _expected() -> object:
    return expected_from(
        "config-2",
        "ConfigDrive",
        {"instance-id": "i-1", "public_keys": {"k": RSA}},
        USER_DATA.encode(),
        None,
    )


def test_a_machine_that_got_everything_passes_every_check() -> None:
    checks = compare(_expected(), _applied_as_asked())  # type: ignore[arg-type]
    assert [check.what for check in checks if not check.ok] == []
    assert {check.what for check in checks} >= {
        "datasource",
        "instance-id",
        "hostname",
        "keys of debian",
        "keys of deploy",
        "file /etc/motd",
        "file /opt/seed.bin",
        "runcmd",
    }


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        ({"hostname": "other"}, "hostname"),
        ({"instance_id": "i-2"}, "instance-id"),
        ({"authorized_keys": {"debian": [], "deploy": [ED25519]}}, "keys of debian"),
        ({"files": {"/etc/motd": (0o644, b"hello"), "/opt/seed.bin": (0o644, b"seed")}},
         "file /opt/seed.bin"),
        ({"files": {"/etc/motd": (0o644, b"bye"), "/opt/seed.bin": (0o600, b"seed")}},
         "file /etc/motd"),
        ({"runcmd": False}, "runcmd"),
        ({"errors": ["('ssh', Exception())"]}, "errors"),
        ({"datasource": "DataSourceNone"}, "datasource"),
        ({"finished": False}, "finished"),
    ],
)  # fmt: skip
def test_each_difference_fails_its_check(change: dict[str, object], failing: str) -> None:
    applied = _applied_as_asked()
    for name, value in change.items():
        setattr(applied, name, value)
    checks = compare(_expected(), applied)  # type: ignore[arg-type]
    assert [check.what for check in checks if not check.ok] == [failing]


def test_only_warning_and_error_lines_of_the_log_are_kept() -> None:
    log = (
        "2026-12-04 03:01:00,1 - util.py[DEBUG]: Writing to /etc/secret - wb: [600] 20 bytes\n"
        "2026-12-04 03:01:01,2 - cc_ssh.py[WARNING]: no host keys\n"
        "2026-12-04 03:01:02,3 - util.py[ERROR]: failed stage\n"
    )
    assert warning_lines(log) == [
        "2026-12-04 03:01:01,2 - cc_ssh.py[WARNING]: no host keys",
        "2026-12-04 03:01:02,3 - util.py[ERROR]: failed stage",
    ]


@pytest.fixture(scope="module")
def drive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("drive")
    (folder / "user.yml").write_text(USER_DATA)
    out = folder / "drive.iso"
    built = run_cli("build", folder / "user.yml", "--hostname", "node-7", "--uuid",
                    "2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c", "--ssh-key",
                    FIXTURES / "keys" / "rsa.pub", "-o", out, "-q")  # fmt: skip
    assert built.returncode == 0, built.stderr
    return out


def test_a_built_drive_is_read_with_the_projects_reader(drive: Path) -> None:
    inspection, expected = read_expected(drive)
    assert inspection.format == "iso9660"
    assert expected.datasource == "ConfigDrive"
    assert expected.instance_id == "2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c"
    assert expected.default_user_keys == [RSA]


def test_a_missing_image_is_one_line_and_exit_1(drive: Path, tmp_path: Path) -> None:
    result = run_cli("try", drive, "--image", tmp_path / "absent.qcow2")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"mkconfigdrive: {tmp_path / 'absent.qcow2'}: no such file"
    ]


def test_an_image_that_is_no_disk_is_refused(drive: Path, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a disk\n" * 100)
    result = run_cli("try", drive, "--image", text)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_drive_that_is_no_drive_is_refused_before_any_boot(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a drive\n" * 100)
    result = run_cli("try", text, "--image", text, "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["ok"] is False


def test_the_timeout_must_be_positive(drive: Path, tmp_path: Path) -> None:
    result = run_cli("try", drive, "--image", tmp_path / "x.qcow2", "--timeout", "0")
    assert result.returncode == 2
    assert "--timeout" in result.stderr


def test_the_image_is_required(drive: Path) -> None:
    assert run_cli("try", drive).returncode == 2


def _result(applied: Applied) -> TrialResult:
    expected = _expected()
    result = TrialResult(Path("d.iso"), Path("img.qcow2"), expected)  # type: ignore[arg-type]
    result.accelerator, result.seconds, result.powered_off = "tcg", 95.2, True
    result.finished_line = "Cloud-init v. 22.4 finished at x."
    result.applied = applied
    result.checks = compare(expected, applied)  # type: ignore[arg-type]
    return result


def test_the_text_report_lists_every_check_and_warning() -> None:
    applied = _applied_as_asked()
    applied.hostname = "other"
    applied.log_lines = ["2026 - cc_ssh.py[WARNING]: no host keys"]
    out = io.StringIO()
    TextReporter(out=out, err=io.StringIO()).tried(_result(applied))
    text = out.getvalue()
    assert "d.iso on img.qcow2: NOT applied as asked" in text
    assert "FAIL hostname: other (asked: node-7)" in text
    assert "ok   instance-id: i-1" in text
    assert "cloud-init warnings: 1\n    2026 - cc_ssh.py[WARNING]: no host keys" in text


def test_the_json_report_says_ok_and_holds_the_checks() -> None:
    out = io.StringIO()
    JsonReporter(out=out, err=io.StringIO()).tried(_result(_applied_as_asked()))
    document = json.loads(out.getvalue())
    assert document["ok"] is True
    assert all(check["ok"] for check in document["checks"])
    assert document["applied"]["hostname"] == "node-7"


def test_a_boot_where_cloud_init_never_finished_is_not_ok() -> None:
    result = _result(_applied_as_asked())
    result.finished_line = None
    assert not result.ok


# --------------------------------------------------------------------- --metadata-service


def _served_machine(tmp_path: Path, **changes: object) -> Machine:
    return replace(
        machine(tmp_path),
        drive=None,
        metadata=MetadataForward("127.0.0.1", 8775),
        **changes,  # type: ignore[arg-type]
    )


def test_without_a_service_there_is_no_forward_and_no_openstack_smbios(tmp_path: Path) -> None:
    command = " ".join(command_line("qemu", machine(tmp_path), "tcg"))
    assert "guestfwd" not in command
    assert "-smbios" not in command


def test_with_a_service_the_drive_stays_out_and_the_first_nic_forwards_to_it(
    tmp_path: Path,
) -> None:
    command = command_line("qemu", _served_machine(tmp_path), "tcg")
    drives = [command[i + 1] for i, word in enumerate(command) if word == "-drive"]
    assert drives == [f"file={tmp_path}/overlay.qcow2,format=qcow2,if=virtio"]  # no drive
    nics = [command[i + 1] for i, word in enumerate(command) if word == "-nic"]
    relay = f"{sys.executable} -m configdrive.trial.relay 127.0.0.1 8775"
    assert nics == [
        "user,restrict=on,net=169.254.0.0/16,host=169.254.0.2,"
        f"guestfwd=tcp:169.254.169.254:80-cmd:{relay},"
        "model=virtio-net-pci,mac=52:54:00:12:34:56"
    ]
    assert command[command.index("-smbios") + 1] == "type=1,product=OpenStack Nova"


def test_the_drives_first_mac_carries_the_forward_and_the_others_stay_cut_off(
    tmp_path: Path,
) -> None:
    served = _served_machine(tmp_path, macs=("52:54:00:aa:bb:01", "52:54:00:aa:bb:02"))
    nics = [word for word in command_line("qemu", served, "tcg") if word.startswith("user,")]
    assert len(nics) == 2
    assert "guestfwd=" in nics[0]
    assert nics[0].endswith("mac=52:54:00:aa:bb:01")
    assert nics[1] == "user,restrict=on,model=virtio-net-pci,mac=52:54:00:aa:bb:02"


def test_a_relay_path_with_a_space_is_quoted_and_a_comma_doubled(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "executable", "/opt/my python,3/bin/python3")
    nic = next(w for w in command_line("qemu", _served_machine(tmp_path), "tcg") if "fwd" in w)
    assert "-cmd:'/opt/my python,,3/bin/python3' -m configdrive.trial.relay" in nic


@pytest.mark.parametrize(
    ("address", "host", "port"),
    [("127.0.0.1:8775", "127.0.0.1", 8775), ("127.3.4.5:80", "127.3.4.5", 80),
     ("[::1]:8775", "::1", 8775)],
)  # fmt: skip
def test_a_loopback_address_and_port_are_accepted(address: str, host: str, port: int) -> None:
    assert parse_service(address) == MetadataForward(host, port)


@pytest.mark.parametrize(
    "address",
    ["10.0.0.1:80", "169.254.169.254:80", "0.0.0.0:8775", "[::]:8775", "localhost:8775",
     "127.0.0.1", "::1", "[::1]:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:http"],
)  # fmt: skip
def test_anything_but_a_loopback_address_and_port_is_refused(address: str) -> None:
    with pytest.raises(UsageError, match="--metadata-service"):
        parse_service(address)


def test_a_service_off_the_loopback_is_one_line_and_exit_2(drive: Path, tmp_path: Path) -> None:
    result = run_cli("try", drive, "--image", tmp_path / "x.qcow2",
                     "--metadata-service", "192.0.2.10:80")  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "mkconfigdrive: --metadata-service 192.0.2.10:80: give a loopback address and port, "
        "e.g. 127.0.0.1:8775 or [::1]:8775"
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_service_that_does_not_answer_is_one_line_and_exit_3(drive: Path, tmp_path: Path) -> None:
    port = _free_port()  # closed again: nothing listens there
    result = run_cli("try", drive, "--image", tmp_path / "x.qcow2", "-q",
                     "--metadata-service", f"127.0.0.1:{port}")  # fmt: skip
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        f"mkconfigdrive: the metadata service does not answer at "
        f"http://127.0.0.1:{port}/openstack/latest/meta_data.json: Connection refused"
    ]


@pytest.fixture
def not_found_service() -> Iterator[int]:
    """An HTTP server on the loopback that answers 404 to everything: not a metadata service."""

    class NotFound(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_error(404)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_a_service_without_meta_data_json_is_exit_3(
    drive: Path, tmp_path: Path, not_found_service: int
) -> None:
    result = run_cli("try", drive, "--image", tmp_path / "x.qcow2", "-q",
                     "--metadata-service", f"127.0.0.1:{not_found_service}")  # fmt: skip
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        f"mkconfigdrive: the metadata service answered http://127.0.0.1:{not_found_service}"
        "/openstack/latest/meta_data.json with HTTP 404, not meta_data.json"
    ]


def test_a_nocloud_drive_cannot_be_what_an_openstack_service_delivers(tmp_path: Path) -> None:
    (tmp_path / "user.yml").write_text(USER_DATA)
    nocloud = tmp_path / "seed.iso"
    built = run_cli("build", tmp_path / "user.yml", "--layout", "nocloud", "-o", nocloud, "-q")
    assert built.returncode == 0, built.stderr
    result = run_cli("try", nocloud, "--image", tmp_path / "x.qcow2",
                     "--metadata-service", "127.0.0.1:8775")  # fmt: skip
    assert result.returncode == 2
    assert "config-2" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_reports_say_how_the_drive_was_delivered() -> None:
    result = _result(_applied_as_asked())
    result.delivery, result.service = "metadata service", "127.0.0.1:8775"
    out = io.StringIO()
    TextReporter(out=out, err=io.StringIO()).tried(result)
    assert "  drive    from the metadata service at 127.0.0.1:8775" in out.getvalue()
    out = io.StringIO()
    JsonReporter(out=out, err=io.StringIO()).tried(result)
    document = json.loads(out.getvalue())
    assert (document["delivery"], document["metadata_service"]) == (
        "metadata service",
        "127.0.0.1:8775",
    )
    out = io.StringIO()
    TextReporter(out=out, err=io.StringIO()).tried(_result(_applied_as_asked()))
    assert "  drive    attached" in out.getvalue()


# The relay, as qemu runs it: one socket as its stdin, stdout and stderr (libslirp's
# fork_exec), the service a real listening socket on the loopback.

RELAY_TIMEOUT = 30  # a safety net, never asserted


def _relay(port: int, guest_end: socket.socket) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "configdrive.trial.relay", "127.0.0.1", str(port)],
        stdin=guest_end.fileno(),
        stdout=guest_end.fileno(),
        stderr=guest_end.fileno(),
    )


def _read_to_end(connection: socket.socket) -> bytes:
    connection.settimeout(RELAY_TIMEOUT)
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def test_the_relay_copies_bytes_both_ways_until_the_service_closes() -> None:
    request = b"GET /openstack/latest/meta_data.json HTTP/1.0\r\n\r\n" + bytes(range(256)) * 64
    answer = b"HTTP/1.0 200 OK\r\n\r\n" + bytes(range(255, -1, -1)) * 1024
    got: list[bytes] = []
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(RELAY_TIMEOUT)

        def service() -> None:
            connection, _ = listener.accept()
            with connection:
                got.append(_read_to_end(connection))  # until the guest's half-close
                connection.sendall(answer)

        thread = threading.Thread(target=service, daemon=True)
        thread.start()
        guest, guest_end = socket.socketpair()
        with guest, guest_end:
            relay = _relay(listener.getsockname()[1], guest_end)
            guest_end.close()  # the relay holds its own copy, as qemu's child does
            guest.sendall(request)
            guest.shutdown(socket.SHUT_WR)
            assert _read_to_end(guest) == answer  # then the end: the relay exited
        assert relay.wait(RELAY_TIMEOUT) == 0
        thread.join(RELAY_TIMEOUT)
    assert got == [request]


def test_a_relay_that_cannot_reach_the_service_says_nothing_to_the_guest() -> None:
    guest, guest_end = socket.socketpair()
    with guest, guest_end:
        relay = _relay(_free_port(), guest_end)
        guest_end.close()
        # Its stderr is the guest's connection too: no traceback, no message, just the end.
        assert _read_to_end(guest) == b""
    assert relay.wait(RELAY_TIMEOUT) == 1
