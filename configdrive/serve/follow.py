"""`serve --database`: follow the machines in PostgreSQL, keep serving when it is down.

At start the machines are read and rendered once (configdrive.serve.store). Then one
connection LISTENs: a load's NOTIFY (and, every HEARTBEAT seconds, a version check, for a
notification lost with a connection) fetches only the machines whose digest changed, renders
them, and swaps the served set whole. When the connection fails, the last good machines are
served on, /-/health says `degraded`, and the connection is retried with backoff (doubling
from RETRY_FIRST to RETRY_MAX seconds, with jitter so that a fleet of instances does not
reconnect in step); once back, the instance catches up and health says `ok` again.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from typing import Any

from configdrive.serve.health import Health
from configdrive.serve.log import ServeLog
from configdrive.serve.machines import Served, machines_text
from configdrive.serve.service import MetadataService
from configdrive.serve.store import (
    CHANNEL,
    NO_MACHINES,
    SNAPSHOT_QUERY,
    DatabaseError,
    StoredMachines,
    check_url,
    describe_database_error,
    psycopg_module,
    read_snapshot,
    snapshot_rows,
)

HEARTBEAT = 30.0
RETRY_FIRST = 0.5
RETRY_MAX = 10.0
CONNECT_TIMEOUT = 10


class DatabaseSource:
    """The machines of one database, followed for as long as the service runs."""

    def __init__(self, url: str, log: ServeLog) -> None:
        check_url(url)
        self._url = url
        self._log = log
        self._machines = StoredMachines()
        self._service: MetadataService | None = None
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._failures = 0  # connection attempts failed in a row
        self._delay = RETRY_FIRST  # before the next attempt
        self.health = Health(self._count, source="postgresql")

    def _count(self) -> int:
        return 0 if self._service is None else len(self._service.served.machines)

    def load(self) -> Served:
        """The machines now, rendered once: the start of the service. Raises DatabaseError."""
        snapshot = read_snapshot(self._url, self._machines)
        if not snapshot.rows:
            raise DatabaseError(NO_MACHINES)
        try:
            served, _ = self._machines.apply(snapshot)
        except (ValueError, KeyError, TypeError) as error:
            raise DatabaseError(f"cannot read the stored machines: {error}") from None
        self.health.version, self.health.loaded = snapshot.version, snapshot.loaded
        return served

    # ------------------------------------------------------------------ while serving

    def start(self, service: MetadataService) -> None:
        """Follow the database in the running loop, updating `service.served`."""
        self._service = service
        self._wake = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._follow())

    def request(self) -> None:
        """SIGHUP: check the database now (a reload from files has no meaning here)."""
        self._wake.set()

    async def stop(self) -> None:
        """Stop following (the service is stopping)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _follow(self) -> None:
        psycopg = psycopg_module()
        self._failures, self._delay = 0, RETRY_FIRST
        while True:
            try:
                await self._connect_and_listen(psycopg)
            except psycopg.Error as error:
                self._lost(describe_database_error(error))
            except Exception as error:  # a bug must not end the following in silence
                self._log.internal_error("following the database", error)
                self._lost(f"internal error ({type(error).__name__})")
            # Jitter: instances that lost the database together do not all come back together.
            await asyncio.sleep(self._delay * random.uniform(0.75, 1.25))
            self._delay = min(self._delay * 2, RETRY_MAX)

    async def _connect_and_listen(self, psycopg: Any) -> None:
        """Connect, LISTEN, catch up, then refresh on every change until the connection fails."""
        connection = await psycopg.AsyncConnection.connect(
            self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT
        )
        async with connection:
            # A notification that arrives during a query (a refresh) is handed to handlers,
            # not to notifies(): it must still cause a refresh.
            connection.add_notify_handler(lambda _: self._wake.set())
            await connection.execute(f"LISTEN {CHANNEL}")
            await self._refresh(connection)
            if self._failures:
                self._log.event(
                    "database-back",
                    f"database reachable again after {self._failures} "
                    f"failed attempt{'s' if self._failures != 1 else ''}",
                    attempts=self._failures,
                )
            self._failures, self._delay = 0, RETRY_FIRST
            self.health.reachable, self.health.lost_at = True, None
            await self._listen(connection)

    def _lost(self, reason: str) -> None:
        self._failures += 1
        if self.health.reachable:
            self.health.reachable, self.health.lost_at = False, time.monotonic()
        version = self.health.version
        self._log.event(
            "database-unreachable",
            f"database unreachable ({reason}); still serving "
            f"version {version}; retry {self._failures} in about {self._delay:g} s",
            attempt=self._failures,
            version=version,
        )

    async def _listen(self, connection: Any) -> None:
        """Refresh on each notification, on SIGHUP, and every HEARTBEAT seconds."""
        while True:
            wake = asyncio.ensure_future(self._wake.wait())
            notified = asyncio.ensure_future(self._next_notification(connection))
            try:
                await asyncio.wait(
                    {wake, notified}, timeout=HEARTBEAT, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                wake.cancel()
                if not notified.done():
                    notified.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await notified
            if notified.done() and not notified.cancelled():
                notified.result()  # a lost connection raises here
            self._wake.clear()
            await self._refresh(connection)

    @staticmethod
    async def _next_notification(connection: Any) -> None:
        async for _ in connection.notifies(stop_after=1):
            return

    async def _refresh(self, connection: Any) -> None:
        """Fetch what changed since the version served; render and swap only if it did."""
        assert self._service is not None
        cursor = await connection.execute("SELECT version FROM configdrive_state")
        row = await cursor.fetchone()
        if row is not None and int(row[0]) == self._machines.version:
            return
        cursor = await connection.execute(SNAPSHOT_QUERY, (self._machines.known_digests(),))
        snapshot = snapshot_rows(await cursor.fetchall())
        if snapshot is None:
            return
        try:
            served, rendered = self._machines.apply(snapshot)
        except (ValueError, KeyError, TypeError) as error:
            self._log.event(
                "database-reload-failed",
                f"version {snapshot.version} not served ({error}); still serving version "
                f"{self._machines.version}",
            )
            return
        self._service.served = served
        self.health.version, self.health.loaded = snapshot.version, snapshot.loaded
        self._log.event(
            "reloaded",
            f"reloaded from the database: version {snapshot.version}, {machines_text(served)}, "
            f"{rendered} rendered",
            machines=len(served.machines),
            version=snapshot.version,
            rendered=rendered,
        )
