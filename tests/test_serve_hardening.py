"""`serve` under abuse: more connections than descriptors, odd request forms, huge headers,
files changed behind its back. A real process on loopback, real sockets; bounds are counts
of requests, lines and bytes, never seconds."""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import signal
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from configdrive.serve.log import ServeLog
from configdrive.serve.machines import MAX_SERVED_FILE, load_served
from tests.helpers import run_cli
from tests.test_serve_http import WEB_1, ServeProcess, write_machine

# The open-file limit the overloaded server gets, and how many slow clients outnumber it.
FD_LIMIT = 256
SLOW_CLIENTS = 400
NORMAL_REQUESTS = 10


def _raw(port: int, request: bytes, *, limit: int = 1 << 20) -> bytes:
    """Send `request` as is and read the reply until the server closes (Connection: close).

    No half-close after sending: Tornado takes the end of input for the end of the connection.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        reply = b""
        while len(reply) < limit:
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
        return reply


def _log_lines(server: ServeProcess) -> list[dict[str, object]]:
    return [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]


# --------------------------------------------------------------------------- descriptors


def _fetch_hostname(port: int, results: list[bytes | str]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", "/latest/meta-data/hostname")
        response = connection.getresponse()
        results.append(response.read() if response.status == 200 else str(response.status))
    except OSError as error:
        results.append(repr(error))
    finally:
        connection.close()


def test_more_slow_connections_than_descriptors(tmp_path: Path) -> None:
    """Slow clients past the fd limit: back-pressure and two log lines, not a traceback each."""
    server = ServeProcess(WEB_1, "-q", log=tmp_path / "serve.log", fd_limit=(FD_LIMIT, FD_LIMIT))
    slow: list[socket.socket] = []
    try:
        for _ in range(SLOW_CLIENTS):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
            sock.sendall(b"GET /latest/meta-data/ HTTP/1.1\r\nHost: x\r\n")  # never finished
            slow.append(sock)
        results: list[bytes | str] = []
        threads = [
            threading.Thread(target=_fetch_hostname, args=(server.port, results))
            for _ in range(NORMAL_REQUESTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [b"web-1.example.com"] * NORMAL_REQUESTS
    finally:
        for sock in slow:
            sock.close()
        assert server.stop() == 0
    log = server.log()
    assert "Traceback" not in log
    assert "Too many open files" not in log
    # An overload is a line when it starts and one when it ends: a few, not one per client
    # (main wrote 23,259 tracebacks, 13.6 MB, for 1,100 clients).
    overloads = [line for line in _log_lines(server) if line["event"] == "overloaded"]
    assert 1 <= len(overloads) <= SLOW_CLIENTS // 40, log[:2000]
    assert len(log) < 100 * (len(overloads) + 4) * 2, log[:2000]
    assert overloads[0]["limit"] == FD_LIMIT - 64


def test_the_soft_fd_limit_is_raised_to_the_hard_one(tmp_path: Path) -> None:
    server = ServeProcess(WEB_1, "-q", log=tmp_path / "serve.log", fd_limit=(200, 300))
    try:
        limits = Path(f"/proc/{server.process.pid}/limits").read_text()
    finally:
        assert server.stop() == 0
    found = re.search(r"Max open files\s+(\d+)\s+(\d+)", limits)
    assert found is not None
    assert found.groups() == ("300", "300")


def test_max_connections_caps_and_is_checked(tmp_path: Path) -> None:
    server = ServeProcess(WEB_1, "-q", "--max-connections", "2", log=tmp_path / "serve.log")
    try:
        idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(3)]
        # Two idle connections fill the cap; the third waits in the backlog until an idle
        # one is closed for it, and its request is then answered.
        idle[2].sendall(b"GET /latest/meta-data/hostname HTTP/1.1\r\nHost: x\r\n\r\n")
        idle[2].settimeout(30)
        assert idle[2].recv(65536).startswith(b"HTTP/1.1 200 OK")
        server.wait_for_log('"event": "overload-over"')
        for sock in idle:
            sock.close()
    finally:
        assert server.stop() == 0
    events = [line for line in _log_lines(server) if line["event"] != "request"]
    assert [line["event"] for line in events[:2]] == ["overloaded", "overload-over"]
    assert events[1]["closed_idle"] == 1  # one client waited: one idle connection closed
    for value, message in (("0", "give 1 or more"), ("100000000", "fit below")):
        result = run_cli("serve", WEB_1, "--listen", "127.0.0.1:0", "--max-connections", value)
        assert result.returncode == 2, result.stderr
        assert message in result.stderr
        assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- request forms


@pytest.fixture(scope="module")
def web_1(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    server = ServeProcess(WEB_1, log=tmp_path_factory.mktemp("forms") / "serve.log")
    yield server
    assert server.stop() == 0


def test_absolute_form_is_served_as_its_path(web_1: ServeProcess) -> None:
    reply = _raw(
        web_1.port,
        b"GET http://169.254.169.254/latest/meta-data/hostname HTTP/1.1\r\n"
        b"Host: 169.254.169.254\r\nConnection: close\r\n\r\n",
    )
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n")
    assert reply.endswith(b"\r\n\r\nweb-1.example.com")
    web_1.wait_for_log('"path": "/latest/meta-data/hostname"')


@pytest.mark.parametrize(
    ("request_line", "status", "path"),
    [
        (b"OPTIONS * HTTP/1.1", 400, "*"),
        (b"CONNECT 169.254.169.254:443 HTTP/1.1", 405, "169.254.169.254:443"),
        (b"GET latest/meta-data/ HTTP/1.1", 400, "latest/meta-data/"),
        (b"BREW /latest/meta-data/ HTTP/1.1", 405, "/latest/meta-data/"),
    ],
)
def test_every_request_form_gets_our_answer_and_a_log_line(
    web_1: ServeProcess, request_line: bytes, status: int, path: str
) -> None:
    before = len(web_1.log())
    reply = _raw(web_1.port, request_line + b"\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 %d " % status)
    assert b"\r\nServer:" not in head
    assert b"<html>" not in body
    assert body == b"%d %s\n" % (status, head.split(b" ", 2)[2].split(b"\r\n")[0])
    log = web_1.wait_for_log(f'"status": {status}', after=before)
    lines = [json.loads(line) for line in log[before:].splitlines() if line.startswith("{")]
    assert [line["path"] for line in lines if line.get("event") == "request"] == [path]


def test_headers_over_the_limit_get_431(web_1: ServeProcess) -> None:
    before = len(web_1.log())
    huge = b"GET /latest/meta-data/ HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * (70 * 1024)
    reply = _raw(web_1.port, huge + b"\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    assert reply.endswith(b"\r\n\r\n431 Request Header Fields Too Large\n")
    log = web_1.wait_for_log('"status": 431', after=before)
    assert '"note": "request headers over 64 KiB"' in log[before:]


# --------------------------------------------------------------------------- files: a snapshot


def _machine_with_file(tmp_path: Path, content: bytes) -> tuple[Path, Path]:
    injected = tmp_path / "motd"
    injected.write_bytes(content)
    machine = write_machine(
        tmp_path, "snap", hostname="snap", files=[{"source": str(injected), "dest": "/etc/motd"}]
    )
    return machine, injected


def test_injected_files_change_only_on_reload(tmp_path: Path) -> None:
    """Edited, deleted, replaced by a FIFO: the machine is served what was loaded."""
    machine, injected = _machine_with_file(tmp_path, b"first\n")
    server = ServeProcess(machine, log=tmp_path / "serve.log")
    try:
        assert server.fetch("/openstack/content/0000")[::2] == (200, b"first\n")
        injected.write_bytes(b"second, longer\n")
        assert server.fetch("/openstack/content/0000")[::2] == (200, b"first\n")
        before = len(server.log())
        server.send(signal.SIGHUP)
        server.wait_for_log('"event": "reloaded"', after=before)
        assert server.fetch("/openstack/content/0000")[::2] == (200, b"second, longer\n")

        injected.unlink()
        assert server.fetch("/openstack/content/0000")[::2] == (200, b"second, longer\n")
        os.mkfifo(injected)  # opening it per request would wait for a writer for ever
        assert server.fetch("/openstack/content/0000")[::2] == (200, b"second, longer\n")
        assert server.fetch("/latest/meta-data/hostname")[::2] == (200, b"snap")
        before = len(server.log())
        server.send(signal.SIGHUP)
        log = server.wait_for_log('"event": "reload-failed"', after=before)
        assert "is not a regular file" in log[before:]
        assert server.fetch("/openstack/content/0000")[::2] == (200, b"second, longer\n")
    finally:
        assert server.stop() == 0
    assert "internal error" not in server.log()


def test_a_file_too_large_to_hold_is_refused_at_load(tmp_path: Path) -> None:
    machine, injected = _machine_with_file(tmp_path, b"")
    with injected.open("wb") as stream:
        stream.truncate(MAX_SERVED_FILE + 1)  # sparse: no disk needed
    result = run_cli("serve", machine, "--listen", "127.0.0.1:0")
    assert result.returncode == 1, result.stderr
    assert f"SRC {str(injected)!r}: is over 16 MiB; serve holds" in result.stderr
    assert "Traceback" not in result.stderr


def test_shared_files_are_held_once(tmp_path: Path) -> None:
    """A fleet injecting one file: loaded once, not once per machine."""
    shared = tmp_path / "shared.bin"
    shared.write_bytes(b"x" * 1000)
    folder = tmp_path / "fleet"
    folder.mkdir()
    for index in range(3):
        write_machine(folder, f"m{index}", hostname=f"m{index}", address=f"127.0.1.{index}",
                      files=[{"source": str(shared), "dest": "/srv/shared"}])  # fmt: skip
    served = load_served(folder)
    contents = [m.tree.entries["openstack/content/0000"].content for m in served.machines]
    assert contents == [b"x" * 1000] * 3
    assert all(content is contents[0] for content in contents)


# --------------------------------------------------------------------------- the log


def test_json_log_lines_are_strict_json() -> None:
    stream = io.StringIO()
    log = ServeLog(stream=stream, json=True)
    log.event("odd", "odd values", ratio=float("nan"), raw=b"\x00\xff")

    def refuse(constant: str) -> None:
        raise ValueError(f"not strict JSON: {constant}")

    line = json.loads(stream.getvalue(), parse_constant=refuse)
    assert (line["ratio"], line["raw"]) == ("NaN", "AP8=")
