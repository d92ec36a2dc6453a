"""`mkconfigdrive serve` as a user runs it: a real process on a loopback port, real requests.

Clients pick their source address among the loopback aliases (on Linux every 127.x.y.z is
this host, no setup needed), so one test machine plays several machines of a fleet.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import random
import re
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from configdrive.serve.machines import MAX_SERVED_FILE, load_served
from configdrive.serve.server import IDLE_TIMEOUT
from tests.helpers import FIXTURES, run_cli
from tests.test_secrets import leaks

SERVE = FIXTURES / "serve"
WEB_1 = FIXTURES / "machines" / "web-1.yml"
VALID = FIXTURES / "valid"
START_TIMEOUT = 60
STOP_TIMEOUT = 30


class ServeProcess:
    """`python -m configdrive serve TARGET --listen 127.0.0.1:0 ARGS`, its port and its log."""

    def __init__(
        self,
        target: Path,
        *args: str,
        log: Path,
        json_output: bool = True,
        ignore_sigint: bool = False,
        fd_limit: tuple[int, int] | None = None,
    ) -> None:
        self.log_path = log
        self._log = log.open("wb")
        output = ["--json"] if json_output else []
        command = [sys.executable, "-m", "configdrive", "serve", str(target),
                   "--listen", "127.0.0.1:0", *output, *args]  # fmt: skip
        signals = _ignore_sigint if ignore_sigint else _default_stop_signals

        def prepare() -> None:
            signals()
            if fd_limit is not None:  # the open-file limit (soft, hard) the process starts with
                resource.setrlimit(resource.RLIMIT_NOFILE, fd_limit)

        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            encoding="utf-8",
            preexec_fn=prepare,  # noqa: PLW1509 - the tests start no threads
        )
        first = self._first_line()
        if json_output:
            self.started: dict[str, Any] = json.loads(first)
            self.port = int(self.started["port"])
        else:
            found = re.search(r" on http://127\.0\.0\.1:(\d+)/", first)
            assert found is not None, first
            self.started = {"text": first}
            self.port = int(found.group(1))
        self.url = f"http://127.0.0.1:{self.port}/"

    def _first_line(self) -> str:
        stdout = self.process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], START_TIMEOUT)
        line = stdout.readline() if ready else ""
        if not line:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"serve did not start (exit {self.process.returncode}):\n{self.log()}")
        return line

    def log(self) -> str:
        """What the process wrote to stderr so far (the file is its own, not a pipe)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, text: str, *, after: int = 0) -> str:
        """The log once `text` appears in it past position `after`."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            log = self.log()
            if text in log[after:]:
                return log
            time.sleep(0.05)
        pytest.fail(f"{text!r} never appeared in the log:\n{self.log()}")

    def send(self, signum: int) -> None:
        self.process.send_signal(signum)

    def stop(self, signum: int = signal.SIGTERM) -> int:
        """Send `signum` and wait for the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            code = self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"serve did not stop on {signal.Signals(signum).name}")
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()
        return code

    def fetch(
        self,
        path: str,
        *,
        source: str = "127.0.0.1",
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """One request from `source`, the path sent exactly as given (no client normalising)."""
        return fetch(self.port, path, source=source, method=method, headers=headers)


def _default_stop_signals() -> None:
    # A child of a test run may inherit SIG_IGN for SIGINT (pytest started from a
    # non-interactive shell in the background); a user's foreground command never has it.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def _ignore_sigint() -> None:
    _default_stop_signals()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a background job of a script has it


def fetch(
    port: int,
    path: str,
    *,
    source: str = "127.0.0.1",
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                            source_address=(source, 0))  # fmt: skip
    try:
        connection.request(method, path, headers=dict(headers or {}))
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


def token(server: ServeProcess, source: str, ttl: str = "60") -> str:
    status, headers, body = server.fetch(
        "/latest/api/token",
        source=source,
        method="PUT",
        headers={"X-aws-ec2-metadata-token-ttl-seconds": ttl},
    )
    assert status == 200, body
    assert headers["x-aws-ec2-metadata-token-ttl-seconds"] == ttl
    return body.decode()


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """fixtures/serve/fleet.yml: web-a at 127.0.0.2, web-b at 127.0.0.3."""
    log = tmp_path_factory.mktemp("serve-fleet") / "serve.log"
    server = ServeProcess(SERVE / "fleet.yml", log=log)
    try:
        yield server
    finally:
        assert server.stop() == 0


def write_machine(folder: Path, name: str, **keys: Any) -> Path:
    """A machine file (JSON is YAML) with real inputs, by absolute path."""
    path = folder / f"{name}.yml"
    document = {"name": name, "user_data_file": str(VALID / "cloud-init" / "user.yml"), **keys}
    path.write_text(json.dumps(document))
    return path


# --------------------------------------------------------------------------- who gets what


def test_each_address_gets_its_own_machine_and_a_stranger_404(fleet: ServeProcess) -> None:
    assert [(m["name"], m["address"]) for m in fleet.started["machines"]] == [
        ("web-a", "127.0.0.2"),
        ("web-b", "127.0.0.3"),
    ]
    expected = {"127.0.0.2": (b"web-a.example.com", b"zone-a"),
                "127.0.0.3": (b"web-b.example.com", b"zone-b")}  # fmt: skip
    for source, (hostname, zone) in expected.items():
        assert fleet.fetch("/latest/meta-data/hostname", source=source)[2] == hostname
        path = "/latest/meta-data/placement/availability-zone"
        assert fleet.fetch(path, source=source)[2] == zone
        status, _, body = fleet.fetch("/openstack/latest/meta_data.json", source=source)
        assert status == 200
        assert json.loads(body)["hostname"] == hostname.decode()
    for path in ("/", "/openstack", "/openstack/latest/meta_data.json", "/latest/user-data",
                 "/latest/meta-data/hostname"):  # fmt: skip
        status, _, body = fleet.fetch(path, source="127.0.0.4")
        assert (status, body) == (404, b"404 Not Found\n")
    log = fleet.wait_for_log('"client": "127.0.0.4"')
    stranger = [json.loads(line) for line in log.splitlines() if '"127.0.0.4"' in line]
    assert stranger
    assert all(line["status"] == 404 and line["machine"] is None for line in stranger)
    assert all(line["note"] == "no machine has this address" for line in stranger)


def test_the_same_bytes_as_the_drive(fleet: ServeProcess, tmp_path: Path) -> None:
    """Every file `build --format dir` writes for web-a, served byte for byte to 127.0.0.2."""
    drive = tmp_path / "web-a"
    built = run_cli("build", "--machine", SERVE / "web-a.yml", "--format", "dir", "-o", drive)
    assert built.returncode == 0, built.stderr
    files = sorted(path for path in drive.rglob("*") if path.is_file())
    openstack = [path for path in files if path.relative_to(drive).parts[0] == "openstack"]
    assert len(openstack) == 28  # meta_data and user_data x10, network_data x7, motd
    for path in openstack:
        status, _, body = fleet.fetch("/" + path.relative_to(drive).as_posix(), source="127.0.0.2")
        assert (status, body) == (200, path.read_bytes()), path
    for version in ("latest", "2009-04-04"):
        user_data = (drive / "ec2" / version / "user-data").read_bytes()
        assert fleet.fetch(f"/{version}/user-data", source="127.0.0.2")[2] == user_data


@pytest.mark.parametrize(
    "path",
    [
        "/openstack/../../etc/passwd",
        "/openstack/%2e%2e/%2e%2e/etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/openstack/latest/..%2f..%2f..%2fetc%2fpasswd",
        "/openstack/latest/../../../../../../etc/passwd",
        "/latest/meta-data/../../../etc/passwd",
        "/../etc/passwd",
        "/openstack/content/../../../../../etc/passwd",
        "/openstack/content/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        f"{(FIXTURES / 'valid' / 'cloud-init' / 'motd').resolve()}",
    ],
)
def test_no_path_escapes_the_served_data(fleet: ServeProcess, path: str) -> None:
    status, _, body = fleet.fetch(path, source="127.0.0.2")
    assert (status, body) == (404, b"404 Not Found\n")


def test_injected_files_and_head_sends_no_body(fleet: ServeProcess) -> None:
    motd = (VALID / "cloud-init" / "motd").read_bytes()
    status, headers, body = fleet.fetch("/openstack/content/0000", source="127.0.0.2")
    assert (status, body, headers["content-type"]) == (200, motd, "application/octet-stream")
    status, headers, body = fleet.fetch("/openstack/content/0000", source="127.0.0.2",
                                        method="HEAD")  # fmt: skip
    assert (status, headers["content-length"], body) == (200, str(len(motd)), b"")
    status, headers, _ = fleet.fetch("/latest/meta-data/", source="127.0.0.2", method="DELETE")
    assert (status, headers["allow"]) == (405, "GET, HEAD")


def test_a_large_injected_file_and_a_client_that_leaves(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(random.Random(6).randbytes(MAX_SERVED_FILE))  # the most serve holds
    machine = write_machine(
        tmp_path, "big", hostname="big", files=[{"source": str(big), "dest": "/big"}]
    )
    server = ServeProcess(machine, log=tmp_path / "serve.log", json_output=False)
    try:
        status, _, body = server.fetch("/openstack/content/0000")
        assert status == 200
        assert hashlib.sha256(body).digest() == hashlib.sha256(big.read_bytes()).digest()
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as leaving:
            leaving.sendall(b"GET /openstack/content/0000 HTTP/1.1\r\nHost: x\r\n\r\n")
            assert leaving.recv(65536).startswith(b"HTTP/1.1 200 OK")
        log = server.wait_for_log("(the client left before the end)")
        assert server.fetch("/latest/meta-data/hostname")[2] == b"big"
    finally:
        assert server.stop() == 0
    assert "Traceback" not in log
    assert "internal error" not in log


def test_imdsv2_token_flow(fleet: ServeProcess) -> None:
    issued = token(fleet, "127.0.0.2", ttl="21600")
    with_token = {"X-aws-ec2-metadata-token": issued}
    path = "/latest/meta-data/instance-id"
    assert fleet.fetch(path, source="127.0.0.2", headers=with_token)[:3:2] == (200, b"i-5b1c2d3e")
    # Bound to the machine that asked for it; a forged or missing TTL is refused.
    assert fleet.fetch(path, source="127.0.0.3", headers=with_token)[0] == 401
    forged = {"X-aws-ec2-metadata-token": issued[:-2] + "xx"}
    assert fleet.fetch(path, source="127.0.0.2", headers=forged)[0] == 401
    assert fleet.fetch("/latest/api/token", source="127.0.0.2", method="PUT")[0] == 400
    relayed = {"X-aws-ec2-metadata-token-ttl-seconds": "60", "X-Forwarded-For": "10.0.0.9"}
    assert fleet.fetch("/latest/api/token", source="127.0.0.2", method="PUT",
                       headers=relayed)[0] == 403  # fmt: skip
    assert fleet.fetch("/latest/api/token", source="127.0.0.2")[0] == 405
    # Without --require-token, requests without a token are answered (IMDSv1).
    assert fleet.fetch(path, source="127.0.0.2")[0] == 200
    assert issued not in fleet.log()


def test_require_token(tmp_path: Path) -> None:
    server = ServeProcess(WEB_1, "--require-token", log=tmp_path / "serve.log")
    try:
        assert server.started["require_token"] is True
        for path in ("/latest/meta-data/instance-id", "/openstack/latest/meta_data.json", "/"):
            status, _, body = server.fetch(path)
            assert (status, body) == (401, b"401 Unauthorized\n")
        issued = token(server, "127.0.0.1")
        status, _, body = server.fetch(
            "/openstack/latest/meta_data.json", headers={"X-aws-ec2-metadata-token": issued}
        )
        assert status == 200
        assert json.loads(body)["name"] == "web-1"
    finally:
        assert server.stop() == 0
    assert "no token (--require-token)" in server.log()


# --------------------------------------------------------------------------- reload and stop


def test_sighup_reloads_valid_input_and_keeps_serving_on_invalid(tmp_path: Path) -> None:
    machine = write_machine(tmp_path, "m", meta_data={"availability_zone": "zone-1"})
    server = ServeProcess(machine, log=tmp_path / "serve.log", json_output=False)
    zone = "/latest/meta-data/placement/availability-zone"
    try:
        assert server.fetch(zone)[2] == b"zone-1"
        write_machine(tmp_path, "m", meta_data={"availability_zone": "zone-2"})
        mark = len(server.log())
        server.send(signal.SIGHUP)
        server.wait_for_log("mkconfigdrive: reloaded: 1 machine\n", after=mark)
        assert server.fetch(zone)[2] == b"zone-2"

        write_machine(tmp_path, "m", hostname="not_a_host!", meta_data={"availability_zone": "3"})
        mark = len(server.log())
        server.send(signal.SIGHUP)
        log = server.wait_for_log("reload failed", after=mark)
        assert "reload failed: 1 error; still serving the previous machines" in log
        assert "hostname: 'not_a_host!'" in log[mark:]
        assert server.fetch(zone)[2] == b"zone-2"

        machine.write_text("name: [unclosed\n")
        mark = len(server.log())
        server.send(signal.SIGHUP)
        server.wait_for_log("reload failed", after=mark)
        assert server.fetch(zone)[2] == b"zone-2"
        assert server.process.poll() is None
    finally:
        assert server.stop() == 0


def test_sighup_reload_of_a_fleet(tmp_path: Path) -> None:
    first = write_machine(tmp_path, "a", address="127.0.0.2", hostname="a-1")
    fleet_file = tmp_path / "fleet.yml"
    fleet_file.write_text(json.dumps({"machines": [str(first)]}))
    server = ServeProcess(fleet_file, log=tmp_path / "serve.log")
    try:
        assert server.fetch("/latest/meta-data/hostname", source="127.0.0.3")[0] == 404
        second = write_machine(tmp_path, "b", address="127.0.0.3", hostname="b-1")
        fleet_file.write_text(json.dumps({"machines": [str(first), str(second)]}))
        server.send(signal.SIGHUP)
        server.wait_for_log('"event": "reloaded"')
        assert server.fetch("/latest/meta-data/hostname", source="127.0.0.3")[2] == b"b-1"
        assert server.fetch("/latest/meta-data/hostname", source="127.0.0.2")[2] == b"a-1"
    finally:
        assert server.stop() == 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stop_signals_shut_down_cleanly(tmp_path: Path, signum: signal.Signals) -> None:
    server = ServeProcess(WEB_1, log=tmp_path / "serve.log", json_output=False)
    # An idle keep-alive connection must not hold the shutdown up.
    idle = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    idle.request("GET", "/latest/meta-data/hostname")
    assert idle.getresponse().read() == b"web-1.example.com"
    # stop() waits STOP_TIMEOUT at most, well within the server's IDLE_TIMEOUT: a shutdown
    # held up until the idle connection timed out fails there (a hang guard, not a timing),
    # and the server closed the idle connection itself: the client reads its end.
    assert STOP_TIMEOUT < IDLE_TIMEOUT
    assert server.stop(signum) == 0
    assert idle.sock is not None
    assert idle.sock.recv(1) == b""
    idle.close()
    log = server.log()
    assert f"mkconfigdrive: stopping ({signum.name})" in log
    assert log.rstrip().endswith("mkconfigdrive: stopped")
    assert "Traceback" not in log
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=5).close()


def test_a_stop_signal_the_parent_ignores_stays_ignored(tmp_path: Path) -> None:
    server = ServeProcess(WEB_1, log=tmp_path / "serve.log", ignore_sigint=True)
    server.send(signal.SIGINT)
    time.sleep(0.5)
    assert server.fetch("/latest/meta-data/hostname")[2] == b"web-1.example.com"
    assert server.stop(signal.SIGTERM) == 0
    assert "stopping (SIGTERM)" in server.log()


# --------------------------------------------------------------------------- refusing to start


def test_invalid_input_refuses_to_start_with_builds_diagnostics(tmp_path: Path) -> None:
    shutil.copytree(VALID / "cloud-init", tmp_path / "case")
    user = tmp_path / "case" / "user.yml"
    user.write_text(user.read_text().replace("name: deploy", "name: 42"))
    machine = write_machine(tmp_path, "broken", user_data_file=str(user), hostname="bad_host")
    served = run_cli("serve", machine, "--listen", "127.0.0.1:0")
    built = run_cli("build", "--machine", machine, "-o", tmp_path / "broken.iso")
    assert served.returncode == built.returncode == 1
    # The same problems; only the closing line says what failing means for each command.
    assert served.stderr.splitlines()[:-1] == built.stderr.splitlines()[:-1]
    assert served.stderr.splitlines()[-1].endswith("; nothing is served")
    assert built.stderr.splitlines()[-1].endswith("; nothing was written")
    assert "users[1].name: 42 is not of type 'string'" in served.stderr
    assert served.stdout == ""
    as_json = json.loads(run_cli("serve", machine, "--json").stdout)
    assert (as_json["ok"], as_json["exit_code"], len(as_json["problems"])) == (False, 1, 2)


def test_an_unreadable_or_missing_input(tmp_path: Path) -> None:
    result = run_cli("serve", tmp_path / "nowhere.yml")
    assert result.returncode == 1
    assert "nowhere.yml: cannot read machine file: no such file or directory" in result.stderr


def test_listen_errors(tmp_path: Path) -> None:
    usage = run_cli("serve", WEB_1, "--listen", "localhost:8775")
    assert usage.returncode == 2
    assert "'localhost' is not an IP address" in usage.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = run_cli("serve", WEB_1, "--listen", f"127.0.0.1:{port}")
    assert busy.returncode == 3
    assert busy.stderr == (
        f"mkconfigdrive: cannot listen on 127.0.0.1:{port}: address already in use\n"
    )


# --------------------------------------------------------------------------- the log and the rest


def test_the_access_log_holds_no_secrets(tmp_path: Path) -> None:
    secrets = FIXTURES / "secrets"
    machine = write_machine(
        tmp_path,
        "secret-1",
        user_data_file=str(secrets / "user.yml"),
        meta_data_file=str(secrets / "meta.yml"),
        network_data_file=str(secrets / "network.json"),
        vendor_data_file=str(secrets / "vendor.json"),
        vendor_data2_file=str(secrets / "vendor2.yml"),
    )
    paths = ["/" + key for key in load_served(machine).machines[0].tree.entries]
    for json_output in (False, True):
        server = ServeProcess(machine, log=tmp_path / f"serve-{json_output}.log",
                              json_output=json_output)  # fmt: skip
        try:
            issued = token(server, "127.0.0.1")
            bodies = [server.fetch(path, headers={"X-aws-ec2-metadata-token": issued})
                      for path in paths]  # fmt: skip
        finally:
            assert server.stop() == 0
        assert all(status == 200 for status, _, _ in bodies)
        served = b"".join(body for _, _, body in bodies).decode()
        assert len(leaks(served)) >= 10  # the check below could fail
        log = server.log()
        assert len(log.splitlines()) >= len(paths)
        assert leaks(log) == []
        assert issued not in log


def test_build_does_not_import_the_server(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "configdrive", "build",
         str(VALID / "cloud-init" / "user.yml"), "-o", str(tmp_path / "d.iso")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert "configdrive.formats.iso" in imported  # the list is the real one
    assert not {name for name in imported if name.split(".")[0] == "tornado"}
    assert not {name for name in imported if name.startswith("configdrive.serve")}


def test_help_says_who_is_served() -> None:
    result = run_cli("serve", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "A single machine without an `address` is served to every client." in text
    assert "--require-token" in text
    assert "--listen" in text
