"""Several `serve` instances on one PostgreSQL: load-machines, serve --database, /-/health.

The database is a real PostgreSQL 15 (Debian's), a private cluster this module starts in a
temporary folder and stops at the end (tests/postgres.py); the instances are real `serve`
processes on loopback ports. Waiting for an instance to catch up is a bounded number of
polls of what it serves, never a measured time.
"""

from __future__ import annotations

import base64
import itertools
import json
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from configdrive.layouts.drive_layout import FileContent
from configdrive.serve.health import HEALTH_PATH
from configdrive.serve.machines import load_served
from configdrive.serve.store import decode_machine, encode_machine
from tests.helpers import FIXTURES, run_cli
from tests.postgres import PostgresCluster, private_cluster
from tests.test_serve_http import fetch

SERVE = FIXTURES / "serve"
START_TIMEOUT = 60
# Polls of an instance before a test gives up waiting for it to catch up (a NOTIFY, a
# reconnection with backoff of up to 10 s): bounded, and far more than a healthy run needs.
POLLS = 600
POLL_INTERVAL = 0.05

_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    with private_cluster() as cluster:
        yield cluster


@pytest.fixture
def database(postgres: PostgresCluster) -> str:
    """A fresh database of the private cluster, for one test."""
    if not postgres.running():
        postgres.start()  # a test that stopped it failed before starting it again
    return postgres.create_database(f"machines_{next(_numbers)}")


class Instance:
    """`python -m configdrive serve ARGS --listen 127.0.0.1:0 --json`: a real process."""

    def __init__(self, *args: str | Path, log: Path) -> None:
        self.log_path = log
        self._log = log.open("wb")
        command = [sys.executable, "-m", "configdrive", "serve", *map(str, args),
                   "--listen", "127.0.0.1:0", "--json"]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=self._log, text=True, encoding="utf-8"
        )
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], START_TIMEOUT)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"serve did not start (exit {self.process.returncode}):\n{self.log()}")
        self.started: dict[str, Any] = json.loads(line)
        self.port = int(self.started["port"])

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def events(self, name: str) -> list[dict[str, Any]]:
        """The JSON log's events of one kind, in order."""
        lines = [json.loads(line) for line in self.log().splitlines() if line.startswith("{")]
        return [line for line in lines if line.get("event") == name]

    def get(self, path: str, source: str = "127.0.0.1") -> tuple[int, bytes]:
        status, _, body = fetch(self.port, path, source=source)
        return status, body

    def health(self) -> dict[str, Any]:
        status, body = self.get(HEALTH_PATH)
        assert status == 200, body
        document: dict[str, Any] = json.loads(body)
        return document

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=START_TIMEOUT)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()
        return code


@pytest.fixture
def instances(database: str, tmp_path: Path) -> Iterator[tuple[Instance, Instance]]:
    """Two instances of the fleet fixture, both from `database`."""
    assert run_cli("load-machines", SERVE / "fleet.yml", "--database", database).returncode == 0
    first = Instance("--database", database, log=tmp_path / "first.log")
    try:
        second = Instance("--database", database, log=tmp_path / "second.log")
    except BaseException:
        first.stop()
        raise
    try:
        yield first, second
    finally:
        assert (first.stop(), second.stop()) == (0, 0)


def poll(instance: Instance, condition: Callable[[Instance], bool]) -> int:
    """How many polls `condition` took to hold of `instance`; fails the test after POLLS."""
    for attempt in range(1, POLLS + 1):
        if condition(instance):
            return attempt
        time.sleep(POLL_INTERVAL)
    pytest.fail(f"still not so after {POLLS} polls")


def fleet_copy(tmp_path: Path) -> Path:
    """fixtures/serve, copied with what it refers to, so a test may edit it."""
    shutil.copytree(FIXTURES / "serve", tmp_path / "serve")
    for folder in ("valid", "keys"):
        shutil.copytree(FIXTURES / folder, tmp_path / folder)
    return tmp_path / "serve" / "fleet.yml"


def stored(cluster: PostgresCluster, database: str) -> str:
    """Every stored row (digest included) and the version: what `unchanged` compares."""
    query = (
        "SELECT name, address, uuid, digest, version, updated FROM configdrive_machines "
        "UNION ALL SELECT 'state', NULL, NULL, NULL, version, loaded FROM configdrive_state "
        "ORDER BY 1"
    )
    return cluster.psql_in(database, query)


META_DATA = "/openstack/latest/meta_data.json"
PATHS = [META_DATA, "/openstack/latest/user_data", "/latest/meta-data/hostname", "/"]


# --------------------------------------------------------------------------- load-machines


def test_load_stores_only_changes_and_the_same_machines_again_change_nothing(
    postgres: PostgresCluster, database: str, tmp_path: Path
) -> None:
    fleet = fleet_copy(tmp_path)
    first = run_cli("load-machines", fleet, "--database", database, "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {
        "ok": True, "version": 1, "machines": 2,
        "added": ["web-a", "web-b"], "changed": [], "removed": [],
    }  # fmt: skip
    before = stored(postgres, database)
    again = run_cli("load-machines", fleet, "--database", database, "--json")
    assert json.loads(again.stdout)["version"] == 1
    assert stored(postgres, database) == before  # not even `updated` moved

    fleet.write_text(fleet.read_text().replace("web-b.example.com", "web-b2.example.com"))
    changed = run_cli("load-machines", fleet, "--database", database)
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.splitlines() == [
        "Loaded 2 machines into the database: version 2",
        "  added    0",
        "  changed  1  web-b",
        "  removed  0",
    ]
    versions = postgres.psql_in(database, "SELECT name, version FROM configdrive_machines")
    assert sorted(versions.split()) == ["web-a|1", "web-b|2"]

    alone = run_cli("load-machines", fleet.parent / "web-a.yml", "--database", database, "--json")
    assert json.loads(alone.stdout)["removed"] == ["web-b"]
    assert postgres.psql_in(database, "SELECT name FROM configdrive_machines").split() == ["web-a"]


def test_an_invalid_machine_is_refused_as_serve_refuses_it_and_nothing_is_loaded(
    postgres: PostgresCluster, database: str, tmp_path: Path
) -> None:
    fleet = fleet_copy(tmp_path)
    assert run_cli("load-machines", fleet, "--database", database).returncode == 0
    before = stored(postgres, database)
    # web-b stays valid (and changed): a half-done load would store it.
    text = fleet.read_text().replace("web-b.example.com", "web-b2.example.com")
    fleet.write_text(text)
    web_a = fleet.parent / "web-a.yml"
    web_a.write_text(web_a.read_text().replace("availability_zone: zone-a", "availability_zone: 7"))

    loaded = run_cli("load-machines", fleet, "--database", database)
    served = run_cli("serve", fleet, "--listen", "127.0.0.1:0")
    assert loaded.returncode == served.returncode == 1
    # The same problems, at the same file:line:col; only the closing line differs.
    assert loaded.stderr.splitlines()[:-1] == served.stderr.splitlines()[:-1]
    assert f"{web_a}:8:22: meta_data.availability_zone: 7 is not" in loaded.stderr
    assert loaded.stderr.splitlines()[-1].endswith("; the database is unchanged")
    assert "Traceback" not in loaded.stderr
    assert loaded.stdout == ""
    assert stored(postgres, database) == before


def test_an_unreachable_database_is_one_line_exit_3_and_never_shows_the_password(
    tmp_path: Path,
) -> None:
    url = "postgresql://loader:s3cret-pw@127.0.0.1:1/machines"
    result = run_cli("load-machines", SERVE / "fleet.yml", "--database", url)
    assert result.returncode == 3
    assert result.stderr.startswith("mkconfigdrive: cannot connect to the database: ")
    assert len(result.stderr.splitlines()) == 1
    assert "s3cret-pw" not in result.stderr + result.stdout

    served = run_cli("serve", "--database", url, "--listen", "127.0.0.1:0")
    assert served.returncode == 3
    assert "cannot connect to the database" in served.stderr
    assert "s3cret-pw" not in served.stderr + served.stdout


def test_serve_takes_machines_or_a_database_and_an_empty_one_says_what_to_do(
    database: str,
) -> None:
    both = run_cli("serve", SERVE / "fleet.yml", "--database", database)
    neither = run_cli("serve")
    assert (both.returncode, neither.returncode) == (2, 2)
    assert "not both" in both.stderr
    assert "give MACHINES" in neither.stderr
    bad = run_cli("load-machines", SERVE / "fleet.yml", "--database", "host=x port")
    assert bad.returncode == 2
    assert "not a PostgreSQL connection string" in bad.stderr
    empty = run_cli("serve", "--database", database, "--listen", "127.0.0.1:0")
    assert empty.returncode == 3
    assert "load them first with `mkconfigdrive load-machines" in empty.stderr


# --------------------------------------------------------------------------- serve --database


def test_two_instances_serve_the_bytes_serve_gives_from_files(
    instances: tuple[Instance, Instance],
) -> None:
    files = load_served(SERVE / "fleet.yml")
    for instance in instances:
        assert [(m["name"], m["address"]) for m in instance.started["machines"]] == [
            ("web-a", "127.0.0.2"),
            ("web-b", "127.0.0.3"),
        ]
        for machine in files.machines:
            assert machine.address is not None
            for path in PATHS:
                entry = machine.tree.lookup(path)
                assert entry is not None
                assert isinstance(entry.content, bytes)
                assert instance.get(path, source=machine.address) == (200, entry.content)
            # An injected file: read at load, served from the database's copy.
            assert instance.get("/openstack/content/0000", source="127.0.0.2")[1] == (
                (SERVE.parent / "valid" / "cloud-init" / "motd").read_bytes()
            )
        assert instance.get(META_DATA, source="127.0.0.9")[0] == 404  # nobody's address
        health = instance.health()
        assert (health["status"], health["database"], health["version"]) == ("ok", "reachable", 1)
        assert (health["machines"], health["source"], health["age_seconds"]) == (2, "postgresql", 0)


def test_an_update_reaches_both_instances_and_only_the_changed_machine_is_rendered(
    instances: tuple[Instance, Instance], database: str, tmp_path: Path
) -> None:
    fleet = fleet_copy(tmp_path)
    fleet.write_text(fleet.read_text().replace("web-b.example.com", "web-b2.example.com"))
    before_a = [instance.get(META_DATA, source="127.0.0.2") for instance in instances]

    assert run_cli("load-machines", fleet, "--database", database).returncode == 0
    for instance in instances:
        poll(instance, lambda i: b"web-b2.example.com" in i.get(META_DATA, "127.0.0.3")[1])
        assert instance.health()["version"] == 2
        reloads = instance.events("reloaded")
        assert [(e["version"], e["rendered"], e["machines"]) for e in reloads] == [(2, 1, 2)]
    # web-a was not touched, and is still served as it was.
    assert [instance.get(META_DATA, source="127.0.0.2") for instance in instances] == before_a


def test_without_the_database_both_serve_the_last_good_data_and_recover(
    postgres: PostgresCluster, instances: tuple[Instance, Instance], database: str, tmp_path: Path
) -> None:
    good = [[instance.get(path, "127.0.0.2") for path in PATHS] for instance in instances]
    postgres.stop()
    try:
        for instance in instances:
            poll(instance, lambda i: i.health()["status"] == "degraded")
            health = instance.health()
            assert (health["database"], health["version"], health["machines"]) == (
                "unreachable", 1, 2)  # fmt: skip
        assert [[i.get(path, "127.0.0.2") for path in PATHS] for i in instances] == good
        # Retries are logged, one line each, and not one traceback.
        for instance in instances:
            poll(instance, lambda i: len(i.events("database-unreachable")) >= 2)
            assert "Traceback" not in instance.log()
    finally:
        postgres.start()
    for instance in instances:
        poll(instance, lambda i: i.health()["status"] == "ok")
        assert instance.events("database-back")
    # Following again: a load after the outage reaches both.
    fleet = fleet_copy(tmp_path)
    fleet.write_text(fleet.read_text().replace("web-b.example.com", "web-b3.example.com"))
    assert run_cli("load-machines", fleet, "--database", database).returncode == 0
    for instance in instances:
        poll(instance, lambda i: b"web-b3.example.com" in i.get(META_DATA, "127.0.0.3")[1])
        assert instance.health() == {**instance.health(), "status": "ok", "version": 2}


def test_health_with_files_answers_any_client_and_hides_no_metadata_path(tmp_path: Path) -> None:
    instance = Instance(SERVE / "fleet.yml", log=tmp_path / "files.log")
    try:
        assert instance.health() == {"status": "ok", "source": "files", "machines": 2}
        assert json.loads(instance.get(HEALTH_PATH, source="127.0.0.2")[1])["status"] == "ok"
    finally:
        assert instance.stop() == 0
    for machine in load_served(SERVE / "fleet.yml").machines:
        assert not [path for path in machine.tree.entries if path.startswith("-")]


def test_the_stored_form_gives_back_every_answer_and_stores_a_repeated_file_once() -> None:
    for machine in load_served(SERVE / "fleet.yml").machines:
        tree = encode_machine(machine)
        back = decode_machine(machine.name, machine.address, machine.uuid, tree)
        expected = {
            path: (
                entry.content.path.read_bytes()
                if isinstance(entry.content, FileContent)
                else entry.content,
                entry.media_type,
            )
            for path, entry in machine.tree.entries.items()
        }
        assert {p: (e.content, e.media_type) for p, e in back.tree.entries.items()} == expected
        user_data = machine.tree.entries["openstack/latest/user_data"].content
        assert isinstance(user_data, bytes)
        copies = [path for path, (data, _) in expected.items() if data == user_data]
        assert len(copies) > 2  # in every version folder, OpenStack's and EC2's ...
        assert tree.count(base64.b64encode(user_data)) == 1  # ... and stored once


def test_sighup_checks_the_database_without_a_notification(
    postgres: PostgresCluster, instances: tuple[Instance, Instance], database: str
) -> None:
    # A version bumped behind the instances' backs (no NOTIFY): what a notification lost with
    # a connection looks like. SIGHUP (as the heartbeat does) finds it, renders nothing.
    postgres.psql_in(database, "UPDATE configdrive_state SET version = version + 1")
    first, second = instances
    first.process.send_signal(signal.SIGHUP)
    poll(first, lambda i: i.health()["version"] == 2)
    assert [(e["version"], e["rendered"]) for e in first.events("reloaded")] == [(2, 0)]
    assert second.health()["version"] == 1  # not told, not signalled: still on version 1


def test_the_stored_form_carries_the_nocloud_seed_or_why_there_is_none() -> None:
    # /nocloud/ must answer the same from --database as from files: the loader renders the
    # seed once and stores it; a machine NoCloud cannot carry keeps its reason.
    for machine in load_served(SERVE / "fleet.yml").machines:
        assert machine.tree.nocloud is not None
        back = decode_machine(
            machine.name, machine.address, machine.uuid, encode_machine(machine)
        ).tree
        assert back.nocloud is not None
        assert back.nocloud_refused == machine.tree.nocloud_refused
        assert {p: e.content for p, e in back.nocloud.entries.items()} == {
            p: e.content for p, e in machine.tree.nocloud.entries.items()
        }
    assert any(m.tree.get("nocloud/meta-data") for m in load_served(SERVE / "fleet.yml").machines)
