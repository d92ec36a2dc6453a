"""`serve` behind a real HAProxy (Debian's haproxy), on loopback: clients get their own machines.

HAProxy listens on 127.0.0.1 twice, with the configuration the README shows: an HTTP front
(`mode http`, `option forwardfor`) before a `serve --trusted-proxy 127.0.0.1/32`, and a TCP
front (`mode tcp`, `send-proxy-v2`, health checks sending a PROXY LOCAL header) before a
`serve --trusted-proxy 127.0.0.1/32 --proxy-protocol`. Clients bind their sockets to
127.0.0.2 (web-a of fixtures/serve/fleet.yml) or 127.0.0.3 (web-b): on Linux every 127.x.y.z
is this host. HAProxy itself connects from 127.0.0.1, the only trusted proxy.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from configdrive.serve.proxy import proxy_header
from tests.interop.conftest import DEBIAN_PYTHON, HERE, run
from tests.interop.test_interop_serve import _decode_bytes
from tests.test_serve_http import SERVE, START_TIMEOUT, STOP_TIMEOUT, ServeProcess, fetch
from tests.test_serve_proxy import raw_exchange

pytestmark = pytest.mark.interop

HAPROXY = "/usr/sbin/haproxy"
CRAWLER = HERE / "read_metadata_service.py"
FLEET = SERVE / "fleet.yml"
UUID = {"127.0.0.2": "5b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"}
HOSTNAME = "/latest/meta-data/hostname"
CHECK_PATH = "/haproxy-check"

# The README's sample, with the ports filled in.
HAPROXY_CONFIG = """\
global
    maxconn 1000

defaults
    timeout connect 5s
    timeout client  30s
    timeout server  30s

# Layer 7: HAProxy adds X-Forwarded-For; serve --trusted-proxy 127.0.0.1/32
frontend metadata_http
    bind 127.0.0.1:{http_port}
    mode http
    option forwardfor
    default_backend serve_http

backend serve_http
    mode http
    server serve1 127.0.0.1:{serve_http_port}

# Layer 4: HAProxy sends a PROXY v2 header; serve --trusted-proxy 127.0.0.1/32 --proxy-protocol
frontend metadata_tcp
    bind 127.0.0.1:{tcp_port}
    mode tcp
    default_backend serve_tcp

backend serve_tcp
    mode tcp
    # The check's connection is HAProxy's own: it sends a PROXY LOCAL header, and serve
    # answers it as the balancer's address, which no machine has (404).
    option httpchk GET {check_path}
    http-check expect status 404
    server serve1 127.0.0.1:{serve_tcp_port} send-proxy-v2 check check-send-proxy inter 1s
"""

# Cloud-init's crawler, its sockets bound to a source address first (urllib3 connects with
# socket.connect): it is then that machine, as it would be in a data centre.
BOUND_CRAWL = """\
import runpy, socket, sys
source = sys.argv.pop(1)
sys.argv.pop(0)
connect = socket.socket.connect
def connect_from_source(self, address):
    if self.family == socket.AF_INET:
        self.bind((source, 0))
    return connect(self, address)
socket.socket.connect = connect_from_source
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Balanced:
    """HAProxy's two fronts and the serve behind each."""

    http_port: int
    tcp_port: int
    behind_http: ServeProcess
    behind_tcp: ServeProcess


def _wait_for_port(port: int, haproxy: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if haproxy.poll() is not None:
            pytest.fail(f"haproxy exited {haproxy.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"haproxy never listened on {port}:\n{log.read_text()}")


@pytest.fixture(scope="module")
def balanced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Balanced]:
    folder = tmp_path_factory.mktemp("haproxy")
    trusted = ("--trusted-proxy", "127.0.0.1/32")
    behind_http = ServeProcess(FLEET, *trusted, log=folder / "serve-http.log")
    behind_tcp = ServeProcess(FLEET, *trusted, "--proxy-protocol", log=folder / "serve-tcp.log")
    http_port, tcp_port = free_port(), free_port()
    config = folder / "haproxy.cfg"
    config.write_text(
        HAPROXY_CONFIG.format(
            http_port=http_port,
            tcp_port=tcp_port,
            serve_http_port=behind_http.port,
            serve_tcp_port=behind_tcp.port,
            check_path=CHECK_PATH,
        )
    )
    run([HAPROXY, "-c", "-f", config])  # a configuration HAProxy refuses fails here, said
    log = folder / "haproxy.log"
    with log.open("wb") as output:
        haproxy = subprocess.Popen([HAPROXY, "-db", "-f", config], stdout=output, stderr=output)
    try:
        _wait_for_port(http_port, haproxy, log)
        _wait_for_port(tcp_port, haproxy, log)
        yield Balanced(http_port, tcp_port, behind_http, behind_tcp)
    finally:
        haproxy.send_signal(signal.SIGTERM)
        try:
            haproxy.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            haproxy.kill()
            haproxy.wait()
        assert behind_http.stop() == 0
        assert behind_tcp.stop() == 0


def crawl(url: str, source: str, *options: str) -> dict[str, Any]:
    """What cloud-init's metadata service crawlers read at `url`, from `source`."""
    result = run([DEBIAN_PYTHON, "-I", "-c", BOUND_CRAWL, source, CRAWLER, url, *options])
    report = json.loads(result.stdout, object_hook=_decode_bytes)
    assert isinstance(report, dict)
    return report


def requests_logged(server: ServeProcess) -> list[dict[str, Any]]:
    return [json.loads(line) for line in server.log().splitlines() if '"event": "request"' in line]


def test_each_client_gets_its_own_machine_through_either_front(balanced: Balanced) -> None:
    for port in (balanced.http_port, balanced.tcp_port):
        for source, name in (("127.0.0.2", "web-a"), ("127.0.0.3", "web-b")):
            status, _, body = fetch(port, HOSTNAME, source=source)
            assert (status, body) == (200, f"{name}.example.com".encode()), port
        assert fetch(port, HOSTNAME, source="127.0.0.4")[0] == 404
    for server in (balanced.behind_http, balanced.behind_tcp):
        server.wait_for_log('"client": "127.0.0.4"')
        seen = {(line["client"], line["machine"]) for line in requests_logged(server)}
        assert {("127.0.0.2", "web-a"), ("127.0.0.3", "web-b"), ("127.0.0.4", None)} <= seen


def test_the_health_check_is_the_balancer_itself(balanced: Balanced) -> None:
    """HAProxy's check sends PROXY LOCAL: serve answers the balancer's address (no machine)."""
    log = balanced.behind_tcp.wait_for_log(CHECK_PATH)
    checks = [line for line in requests_logged(balanced.behind_tcp) if line["path"] == CHECK_PATH]
    assert checks
    assert all((line["client"], line["status"]) == ("127.0.0.1", 404) for line in checks)
    assert "proxy-refused" not in log


def test_a_spoofed_forwarded_for_through_haproxy_is_the_clients_own(balanced: Balanced) -> None:
    """HAProxy appends the address it saw: the entry the client wrote is left of it, ignored."""
    spoof = {"X-Forwarded-For": "127.0.0.2"}
    status, _, body = fetch(balanced.http_port, HOSTNAME, source="127.0.0.3", headers=spoof)
    assert (status, body) == (200, b"web-b.example.com")
    # And a token asked for with such a header is refused, as EC2 does for relayed requests.
    put = {**spoof, "X-aws-ec2-metadata-token-ttl-seconds": "60"}
    status, _, _ = fetch(
        balanced.http_port, "/latest/api/token", source="127.0.0.3", method="PUT", headers=put
    )
    assert status == 403


def test_a_spoofed_forwarded_for_straight_to_serve_is_ignored(balanced: Balanced) -> None:
    spoof = {"X-Forwarded-For": "127.0.0.2"}
    status, _, body = fetch(balanced.behind_http.port, HOSTNAME, source="127.0.0.3", headers=spoof)
    assert (status, body) == (200, b"web-b.example.com")
    assert fetch(balanced.behind_http.port, HOSTNAME, source="127.0.0.4", headers=spoof)[0] == 404


def test_a_proxy_header_from_a_stranger_is_not_honoured(balanced: Balanced) -> None:
    request = proxy_header(("127.0.0.2", 1234)) + f"GET {HOSTNAME} HTTP/1.0\r\n\r\n".encode()
    # Straight to serve: not a trusted proxy, the connection is closed unread.
    after = len(balanced.behind_tcp.log())
    assert raw_exchange(balanced.behind_tcp.port, "127.0.0.3", request) == b""
    log = balanced.behind_tcp.wait_for_log("refused a connection from 127.0.0.3", after=after)
    assert "not a trusted proxy (--proxy-protocol)" in log[after:]
    # Through HAProxy's TCP front: HAProxy's header says 127.0.0.3; the client's own header
    # then stands where the HTTP request should, and gets no machine's data.
    reply = raw_exchange(balanced.tcp_port, "127.0.0.3", request)
    assert b"web-a" not in reply
    assert b"web-b" not in reply


def test_cloud_init_crawls_its_own_machine_through_haproxy(balanced: Balanced) -> None:
    """cloud-init's real EC2 and OpenStack crawlers, as web-a, read what web-a reads directly."""
    direct = crawl(f"http://127.0.0.1:{balanced.behind_http.port}/", "127.0.0.2")
    assert direct["openstack"]["result"]["metadata"]["uuid"] == UUID["127.0.0.2"]
    assert direct["ec2"]["latest"]["meta-data"]["hostname"] == "web-a.example.com"
    for port in (balanced.http_port, balanced.tcp_port):
        through = crawl(f"http://127.0.0.1:{port}/", "127.0.0.2")
        assert through == direct, port
    # IMDSv2 (a token PUT through the balancer, then every read with it), as web-b.
    for port in (balanced.http_port, balanced.tcp_port):
        web_b = crawl(f"http://127.0.0.1:{port}/", "127.0.0.3", "--token")
        assert web_b["token"]
        assert web_b["ec2"]["latest"]["meta-data"]["hostname"] == "web-b.example.com"
        assert web_b["openstack"]["result"]["metadata"]["hostname"] == "web-b.example.com"
