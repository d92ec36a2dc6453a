"""The data-centre set-up, proven: two `serve` instances behind HAProxy on one PostgreSQL.

Everything is real: a private PostgreSQL 15 cluster (tests/postgres.py), machines put in it
with `load-machines`, two `serve --database` processes on fixed loopback ports, HAProxy in
front of them (http mode, `option forwardfor`, health checks on /-/health, retries and
redispatch), and cloud-init's own crawlers (read_metadata_service.py, Debian's python),
each bound to its machine's address so that it *is* that machine. One instance is killed
in the middle of the crawls and started again later: no crawl fails. A machine changed in
the database is served by both instances after the notification; waiting for it is a
bounded number of polls, never a measured time (bench/serve-datacentre measures).
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli
from tests.interop.conftest import DEBIAN_PYTHON, run
from tests.interop.test_interop_haproxy import BOUND_CRAWL, HAPROXY, _wait_for_port, free_port
from tests.interop.test_interop_serve import CRAWLER, _decode_bytes
from tests.postgres import PostgresCluster, private_cluster
from tests.test_serve_http import fetch

pytestmark = pytest.mark.interop

MACHINES = 4
START_TIMEOUT = 60
POLLS = 600  # bounded waits: far more than a healthy run needs
POLL_INTERVAL = 0.05

HAPROXY_CONFIG = """\
global
    maxconn 256

defaults
    mode http
    timeout connect 2s
    timeout client  30s
    timeout server  30s
    # A killed instance: the connection is refused; the request goes to the other one.
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout

frontend metadata
    bind 127.0.0.1:{front}
    option forwardfor
    default_backend instances

backend instances
    balance roundrobin
    option httpchk GET /-/health
    http-check expect status 200
    server first 127.0.0.1:{first} check inter 500ms fall 1 rise 1
    server second 127.0.0.1:{second} check inter 500ms fall 1 rise 1
"""


def machine(index: int, hostname: str) -> dict[str, Any]:
    return {
        "name": f"web-{index}",
        "address": f"127.0.0.{10 + index}",
        "hostname": hostname,
        "user_data": f"#cloud-config\nruncmd:\n  - [echo, web-{index}]\n",
    }


def write_fleet(path: Path, hostnames: list[str]) -> Path:
    machines = [machine(index, name) for index, name in enumerate(hostnames)]
    path.write_text(json.dumps({"machines": machines}))
    return path


class Instance:
    """`serve --database URL --trusted-proxy 127.0.0.1/32` on a fixed port."""

    def __init__(self, database: str, port: int, log: Path, secret: Path) -> None:
        self.database, self.port, self.log_path, self.secret = database, port, log, secret
        self.process: subprocess.Popen[str] | None = None
        self.start()

    def start(self) -> None:
        self._log = self.log_path.open("ab")
        command = [sys.executable, "-m", "configdrive", "serve", "--database", self.database,
                   "--trusted-proxy", "127.0.0.1/32", "--listen", f"127.0.0.1:{self.port}",
                   "--token-secret-file", str(self.secret), "--json"]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=self._log, text=True, encoding="utf-8"
        )
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], START_TIMEOUT)
        if not ready or not self.process.stdout.readline():
            self.process.kill()
            pytest.fail(f"serve did not start:\n{self.log_path.read_text(errors='replace')}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()  # as a crash: no clean stop
        self.process.wait()
        self._close()

    def stop(self) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=START_TIMEOUT)
        self._close()
        return code

    def _close(self) -> None:
        assert self.process is not None
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()

    def hostname_for(self, source: str) -> bytes:
        status, _, body = fetch(self.port, "/latest/meta-data/local-hostname", source=source)
        assert status == 200, body
        return body


@dataclass
class DataCentre:
    folder: Path
    postgres: PostgresCluster
    database: str
    fleet: Path
    front: int
    instances: tuple[Instance, Instance]


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DataCentre]:
    folder = tmp_path_factory.mktemp("datacentre")
    with private_cluster() as postgres:
        database = postgres.create_database("machines")
        fleet = write_fleet(folder / "fleet.json", [f"web-{i}" for i in range(MACHINES)])
        loaded = run_cli("load-machines", fleet, "--database", database)
        assert loaded.returncode == 0, loaded.stderr
        # One secret for both: an IMDSv2 token one instance issues is good at the other.
        secret = folder / "token-secret"
        secret.write_bytes(os.urandom(48).hex().encode())
        secret.chmod(0o600)
        first = Instance(database, free_port(), folder / "first.log", secret)
        second = Instance(database, free_port(), folder / "second.log", secret)
        front = free_port()
        config = folder / "haproxy.cfg"
        config.write_text(HAPROXY_CONFIG.format(front=front, first=first.port, second=second.port))
        run([HAPROXY, "-c", "-f", config])
        log = folder / "haproxy.log"
        with log.open("wb") as output:
            haproxy = subprocess.Popen([HAPROXY, "-db", "-f", config], stdout=output,
                                       stderr=output)  # fmt: skip
        try:
            _wait_for_port(front, haproxy, log)
            yield DataCentre(folder, postgres, database, fleet, front, (first, second))
        finally:
            haproxy.send_signal(signal.SIGTERM)
            haproxy.wait(timeout=START_TIMEOUT)
            for instance in (first, second):
                if instance.process is not None and instance.process.poll() is None:
                    instance.stop()


def crawl(front: int, source: str, *options: str) -> dict[str, Any]:
    url = f"http://127.0.0.1:{front}/"
    result = run([DEBIAN_PYTHON, "-I", "-c", BOUND_CRAWL, source, CRAWLER, url, *options])
    report = json.loads(result.stdout, object_hook=_decode_bytes)
    assert isinstance(report, dict)
    return report


def test_every_machine_boots_through_the_balancer_while_an_instance_dies(
    centre: DataCentre,
) -> None:
    first, _second = centre.instances
    for index in range(MACHINES):
        if index == 1:
            first.kill()  # the balancer must route around it, mid-run
        if index == 3:
            first.start()
        source = f"127.0.0.{10 + index}"
        plain = crawl(centre.front, source)
        meta = plain["ec2"]["latest"]["meta-data"]
        assert meta["local-hostname"] == f"web-{index}", plain
        assert plain["openstack"]["result"]["metadata"]["hostname"] == f"web-{index}"
        tokened = crawl(centre.front, source, "--token")
        assert tokened["aws"]["retries"] == 0
        assert tokened["ec2"]["latest"]["meta-data"]["local-hostname"] == f"web-{index}"


def test_a_machine_changed_in_the_database_is_served_by_both_instances(
    centre: DataCentre,
) -> None:
    names = [f"web-{i}" for i in range(MACHINES)]
    names[0] = "web-0-renamed"
    fleet = write_fleet(centre.folder / "fleet-2.json", names)
    loaded = run_cli("load-machines", fleet, "--database", centre.database)
    assert loaded.returncode == 0, loaded.stderr
    waiting = list(centre.instances)
    for _ in range(POLLS):
        waiting = [i for i in waiting if i.hostname_for("127.0.0.10") != b"web-0-renamed"]
        if not waiting:
            break
        time.sleep(POLL_INTERVAL)
    assert waiting == [], "an instance never served the change"
    # The others are untouched.
    for instance in centre.instances:
        assert instance.hostname_for("127.0.0.11") == b"web-1"
