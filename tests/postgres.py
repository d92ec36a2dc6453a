"""A private PostgreSQL cluster for the tests: Debian's server, in a temporary folder.

initdb and pg_ctl come from Debian's `postgresql` package (scripts/test installs it). The
cluster lives in a folder of its own under /tmp, listens on a socket there and on a free
loopback port, trusts local connections (nobody else can reach either), and is stopped and
removed by `private_cluster()`'s end. initdb refuses to run as root: run as root (CI's
containers), the cluster belongs to the `postgres` user the package creates.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
OWNER = "postgres"
TIMEOUT = 120


class PostgresCluster:
    """One cluster: its folder, socket, port and superuser; started and stopped with pg_ctl."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.sockets = root / "sockets"
        self.log = root / "server.log"
        self.port = _free_port()
        self.user = OWNER if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name

    @property
    def url(self) -> str:
        """A libpq URL for the superuser's database, through the socket in the folder."""
        return f"postgresql://{self.user}@/postgres?host={self.sockets}&port={self.port}"

    @property
    def tcp_url(self) -> str:
        """The same database, over the loopback port."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"

    def create_database(self, name: str) -> str:
        """A new, empty database; its URL."""
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url.replace("@/postgres?", f"@/{name}?")

    def initdb(self) -> None:
        self.sockets.mkdir()
        if os.geteuid() == 0:
            owner = pwd.getpwnam(OWNER)
            for path in (self.root, self.sockets):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self._run(BIN / "initdb", "--auth=trust", "--username", self.user,
                  "--encoding=UTF8", "--no-sync", "-D", self.data)  # fmt: skip

    def start(self) -> None:
        options = (f"-k {self.sockets} -p {self.port} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off")  # fmt: skip
        self._run(BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w",
                  "-t", str(TIMEOUT), "start")  # fmt: skip

    def stop(self) -> None:
        """Stop now (`fast`: clients are disconnected, as when a server goes down)."""
        self._run(BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", str(TIMEOUT),
                  "stop")  # fmt: skip

    def running(self) -> bool:
        status = subprocess.run(
            [*self._as_owner(), str(BIN / "pg_ctl"), "-D", str(self.data), "status"],
            capture_output=True,
            check=False,
        )
        return status.returncode == 0

    def psql(self, sql: str) -> str:
        """One statement's rows, unaligned, through psql (no driver of ours in between)."""
        return self.psql_in("postgres", sql)

    def psql_in(self, database: str, sql: str) -> str:
        """psql in another database (a name, or a URL create_database gave)."""
        url = database if "://" in database else self.url.replace("@/postgres?", f"@/{database}?")
        result = self._run(BIN / "psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                           "-d", url, "-c", sql)  # fmt: skip
        return result.stdout

    def _as_owner(self) -> list[str]:
        return ["runuser", "-u", OWNER, "--"] if os.geteuid() == 0 else []

    def _run(self, *command: str | Path) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*self._as_owner(), *map(str, command)],
            capture_output=True,
            text=True,
            check=False,
            timeout=TIMEOUT,
            cwd=self.root,  # runuser keeps the directory: one the owner can enter
        )
        if result.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(map(str, command))} failed ({result.returncode}):\n"
                f"{result.stdout}{result.stderr}{log}"
            )
        return result


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def private_cluster() -> Iterator[PostgresCluster]:
    """A started cluster, stopped and deleted at the end, whatever happened."""
    # Not pytest's tmp_path: its parents are private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="mkconfigdrive-postgres-"))
    cluster = PostgresCluster(root)
    try:
        cluster.initdb()
        cluster.start()
        yield cluster
    finally:
        try:
            if cluster.data.exists() and cluster.running():
                cluster.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)
