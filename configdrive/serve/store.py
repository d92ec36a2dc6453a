"""Machines in PostgreSQL: what `load-machines` writes and `serve --database` reads.

The database holds each machine rendered: its name, address, UUID and every answer of its
metadata tree (bytes and media type, injected files read in), so an instance needs no
input file and all instances serve the same bytes whatever their version. A load replaces
the whole set in one transaction (machines no longer listed are removed), bumps one
version number, marks the machines whose answers changed with it, and NOTIFYs the
instances, which then fetch only those machines.

    configdrive_state      one row: version (bigint), loaded (timestamptz)
    configdrive_machines   name, address (unique), uuid, digest, version, updated, tree

`digest` is the SHA-256 of a machine's stored form: equal digests, equal answers.
psycopg (3) is imported here only, so no other command pays for it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from configdrive.errors import ConfigDriveError, ExitCode, UsageError
from configdrive.layouts.drive_layout import FileContent
from configdrive.serve.machines import Served, ServedMachine
from configdrive.serve.metadata import Entry, MetadataTree, NoCloudSeed

if TYPE_CHECKING:
    import psycopg

CHANNEL = "configdrive_machines"
# Loads take this transaction-level advisory lock first, so two loads (or two first loads
# creating the tables) run one after the other. The number is arbitrary but fixed.
LOAD_LOCK = 0x6D6B6364  # "mkcd"
# Where a stored machine's form changes incompatibly, this changes: an instance refuses a
# form it does not know rather than serving it wrong.
STORED_FORM = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS configdrive_state (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version bigint NOT NULL,
    loaded timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS configdrive_machines (
    name text PRIMARY KEY,
    address text,
    uuid text NOT NULL,
    digest text NOT NULL,
    version bigint NOT NULL,
    updated timestamptz NOT NULL,
    tree bytea NOT NULL,
    -- Deferred: a load that swaps two machines' addresses is valid once it is complete.
    CONSTRAINT configdrive_machines_address UNIQUE (address) DEFERRABLE INITIALLY DEFERRED
);
"""


class DatabaseError(ConfigDriveError):
    """PostgreSQL could not be reached or refused the work (exit 3)."""

    exit_code = ExitCode.IO_FAILURE


def psycopg_module() -> Any:
    """psycopg, or a clear error naming the extra that installs it."""
    try:
        import psycopg
    except ImportError:
        raise DatabaseError(
            "--database needs psycopg (PostgreSQL's driver): pip install 'mkconfigdrive[postgres]'"
        ) from None
    return psycopg


def check_url(url: str) -> None:
    """A usage error for a URL libpq cannot parse; the URL is never echoed (it may hold a
    password)."""
    psycopg = psycopg_module()
    try:
        psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        raise UsageError(
            "--database: not a PostgreSQL connection string; give one such as "
            "postgresql://user@host:5432/dbname or 'host=/run/postgresql dbname=x'"
        ) from None


def describe_database_error(error: BaseException) -> str:
    """libpq's first line (it names host and port, never the password)."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


# --------------------------------------------------------------------------- stored form


def encode_machine(machine: ServedMachine) -> bytes:
    """A machine's stored tree: JSON of its distinct contents (base64) and of path ->
    [media type, content number], sorted.

    A drive repeats a file in every version folder (user_data under each dated version and
    latest): stored once, and decoded into one bytes object every path shares. Injected
    files are read now: the database holds their bytes, as they were at load.
    """
    numbers: dict[bytes, int] = {}

    def numbered(found: Mapping[str, Entry]) -> dict[str, list[Any]]:
        listed: dict[str, list[Any]] = {}
        for path, entry in sorted(found.items()):
            content = entry.content
            data = _read_file(content) if isinstance(content, FileContent) else content
            listed[path] = [entry.media_type, numbers.setdefault(data, len(numbers))]
        return listed

    entries = numbered(machine.tree.entries)
    document: dict[str, Any] = {"form": STORED_FORM, "entries": entries}
    seed = machine.tree.nocloud
    if seed is not None:
        # Rendered here, once, by the loader: every instance then serves the same seed.
        document["nocloud"] = {"refused": seed.refused, "entries": numbered(seed.entries)}
    document["contents"] = [base64.b64encode(data).decode("ascii") for data in numbers]
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _read_file(content: FileContent) -> bytes:
    with content.path.open("rb") as stream:
        data = stream.read(content.size + 1)
    if len(data) != content.size:
        raise OSError(f"{content.path}: changed size while being loaded")
    return data


def machine_digest(name: str, address: str | None, uuid: str, tree: bytes) -> str:
    """What tells a changed machine from an unchanged one."""
    digest = hashlib.sha256()
    for part in (name, address or "", uuid):
        encoded = part.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
    digest.update(tree)
    return digest.hexdigest()


def decode_machine(name: str, address: str | None, uuid: str, tree: bytes) -> ServedMachine:
    """A stored machine, ready to serve: its metadata tree, rendered once. Raises ValueError."""
    document = json.loads(tree)
    if not isinstance(document, dict) or document.get("form") != STORED_FORM:
        raise ValueError(f"{name}: stored in a form this version does not read")
    contents = [base64.b64decode(text, validate=True) for text in document["contents"]]

    def decoded(listed: Mapping[str, Any]) -> dict[str, Entry]:
        return {
            path: Entry(contents[number], media_type)
            for path, (media_type, number) in listed.items()
        }

    seed = None
    if isinstance(document.get("nocloud"), dict):
        stored = document["nocloud"]
        seed = NoCloudSeed.already_rendered(decoded(stored["entries"]), stored["refused"])
    return ServedMachine(name, address, uuid, MetadataTree(decoded(document["entries"]), seed))


# --------------------------------------------------------------------------- load-machines


@dataclass(frozen=True)
class StoreResult:
    """What a load changed: the new version, and which machines it added, changed, removed."""

    version: int
    machines: int
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The result as `--json` prints it."""
        return {
            "version": self.version,
            "machines": self.machines,
            "added": list(self.added),
            "changed": list(self.changed),
            "removed": list(self.removed),
        }


def connect(url: str, **options: Any) -> psycopg.Connection[Any]:
    """A connection, or DatabaseError in libpq's words."""
    driver = psycopg_module()
    check_url(url)
    try:
        connection: psycopg.Connection[Any] = driver.connect(url, connect_timeout=10, **options)
    except driver.Error as error:
        raise DatabaseError(
            f"cannot connect to the database: {describe_database_error(error)}"
        ) from None
    return connection


def store_served(url: str, served: Served) -> StoreResult:
    """Replace the database's machines with `served`, in one transaction, then NOTIFY.

    Every machine is encoded (injected files read) before the transaction starts, so a
    failure leaves the database as it was.
    """
    stored = {machine.name: (machine, encode_machine(machine)) for machine in served.machines}
    psycopg = psycopg_module()
    with connect(url) as connection:
        try:
            with connection.transaction():
                return _store(connection, stored)
        except psycopg.Error as error:
            raise DatabaseError(f"nothing was loaded: {describe_database_error(error)}") from None


def _store(
    connection: psycopg.Connection[Any], stored: Mapping[str, tuple[ServedMachine, bytes]]
) -> StoreResult:
    connection.execute("SELECT pg_advisory_xact_lock(%s)", (LOAD_LOCK,))
    connection.execute(SCHEMA)
    before = dict(connection.execute("SELECT name, digest FROM configdrive_machines").fetchall())
    state = connection.execute("SELECT version FROM configdrive_state").fetchone()
    changes: list[tuple[str, ServedMachine, bytes, str]] = []
    for name, (machine, tree) in sorted(stored.items()):
        digest = machine_digest(name, machine.address, machine.uuid, tree)
        if before.get(name) != digest:  # unchanged: instances keep what they rendered
            changes.append((name, machine, tree, digest))
    removed = sorted(set(before) - set(stored))
    if state is not None and not changes and not removed:
        # The same machines again: no new version, nothing for the instances to do.
        return StoreResult(int(state[0]), len(stored), (), (), ())
    row = connection.execute(
        "INSERT INTO configdrive_state (version, loaded) VALUES (1, now()) "
        "ON CONFLICT (singleton) DO UPDATE SET version = configdrive_state.version + 1, "
        "loaded = now() RETURNING version"
    ).fetchone()
    assert row is not None
    version = int(row[0])
    for name, machine, tree, digest in changes:
        connection.execute(
            "INSERT INTO configdrive_machines "
            "(name, address, uuid, digest, version, updated, tree) "
            "VALUES (%s, %s, %s, %s, %s, now(), %s) "
            "ON CONFLICT (name) DO UPDATE SET address = excluded.address, "
            "uuid = excluded.uuid, digest = excluded.digest, version = excluded.version, "
            "updated = excluded.updated, tree = excluded.tree",
            (name, machine.address, machine.uuid, digest, version, tree),
        )
    if removed:
        connection.execute("DELETE FROM configdrive_machines WHERE name = ANY(%s)", (removed,))
    # Delivered at commit, and only then: an instance never hears of a load that failed.
    connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(version)))
    added = tuple(name for name, *_ in changes if name not in before)
    changed = tuple(name for name, *_ in changes if name in before)
    return StoreResult(version, len(stored), added, changed, tuple(removed))


# --------------------------------------------------------------------------- serve --database


@dataclass(frozen=True)
class StoredRow:
    """One machine as the database lists it; `tree` only when it was fetched."""

    name: str
    address: str | None
    uuid: str
    digest: str
    tree: bytes | None


@dataclass(frozen=True)
class Snapshot:
    """The database at one moment: its version, when that was loaded, and its machines."""

    version: int
    loaded: datetime
    rows: tuple[StoredRow, ...]


NO_MACHINES = (
    "the database holds no machines: load them first with `mkconfigdrive load-machines "
    "MACHINES --database URL`"
)

SNAPSHOT_QUERY = """
SELECT s.version, s.loaded, m.name, m.address, m.uuid, m.digest,
       CASE WHEN m.digest = ANY(%s) THEN NULL ELSE m.tree END
FROM configdrive_state AS s LEFT JOIN configdrive_machines AS m ON true
ORDER BY m.name
"""


def snapshot_rows(rows: Iterable[Sequence[Any]]) -> Snapshot | None:
    """The rows of SNAPSHOT_QUERY (one statement: one consistent view), as a Snapshot."""
    version: int | None = None
    loaded: datetime | None = None
    machines: list[StoredRow] = []
    for row in rows:
        version, loaded = int(row[0]), row[1]
        if row[2] is not None:
            tree = None if row[6] is None else bytes(row[6])
            machines.append(StoredRow(row[2], row[3], row[4], row[5], tree))
    if version is None or loaded is None:
        return None
    return Snapshot(version, loaded, tuple(machines))


class StoredMachines:
    """An instance's rendered machines, kept by digest: a snapshot re-renders only changes."""

    def __init__(self) -> None:
        self.version: int | None = None
        self.loaded: datetime | None = None
        self._rendered: dict[str, tuple[str, ServedMachine]] = {}
        self.renders = 0  # machines rendered since start: the test of "only the changed ones"

    def known_digests(self) -> list[str]:
        """Digests whose tree need not be fetched again."""
        return [digest for digest, _ in self._rendered.values()]

    def apply(self, snapshot: Snapshot) -> tuple[Served, int]:
        """The machines of `snapshot`, and how many were rendered for it. Raises ValueError
        (an undecodable row) with nothing changed."""
        rendered: dict[str, tuple[str, ServedMachine]] = {}
        fresh = 0
        for row in snapshot.rows:
            kept = self._rendered.get(row.name)
            if kept is not None and kept[0] == row.digest:
                rendered[row.name] = kept
                continue
            if row.tree is None:
                # Its digest was known under another name: fetched next time, in full.
                raise ValueError(f"{row.name}: not fetched")
            rendered[row.name] = (
                row.digest,
                decode_machine(row.name, row.address, row.uuid, row.tree),
            )
            fresh += 1
        self._rendered = rendered
        self.version, self.loaded = snapshot.version, snapshot.loaded
        self.renders += fresh
        return Served([machine for _, machine in rendered.values()]), fresh


def read_snapshot(url: str, machines: StoredMachines) -> Snapshot:
    """The database's machines now, for the start of `serve --database`. Raises DatabaseError
    (unreachable), InvalidInput-like DatabaseError when nothing was ever loaded."""
    psycopg = psycopg_module()
    with connect(url, autocommit=True) as connection:
        try:
            exists = connection.execute(
                "SELECT to_regclass('configdrive_state') IS NOT NULL"
            ).fetchone()
            if not exists or not exists[0]:
                raise DatabaseError(NO_MACHINES)
            rows = connection.execute(SNAPSHOT_QUERY, (machines.known_digests(),)).fetchall()
        except psycopg.Error as error:
            raise DatabaseError(
                f"cannot read the database: {describe_database_error(error)}"
            ) from None
    snapshot = snapshot_rows(rows)
    if snapshot is None:
        raise DatabaseError(NO_MACHINES)
    return snapshot
