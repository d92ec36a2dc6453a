"""`GET /-/health`: whether this instance serves current data, for a load balancer or a person.

No metadata path starts with `/-/` (OpenStack's are under /openstack, EC2's under a dated
version or `latest`, NoCloud's are names without a dash folder), so the endpoint can never
hide a machine's answer. It answers every client, whichever machine it is, because a load
balancer's checks come from an address no machine claims. It says nothing secret: no
machine names, no database address, no error text (those go to the log).

    {"status": "ok", "source": "files", "machines": 3}
    {"status": "degraded", "source": "postgresql", "database": "unreachable",
     "machines": 3, "version": 7, "loaded": "2026-12-03T22:10:00+00:00", "age_seconds": 41.5}

The status is 200 in both cases: a degraded instance still serves its last good data, and a
balancer that dropped every instance when the database is down would stop every boot.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from configdrive.serve.metadata import JSON, Entry
from configdrive.serve.service import Reply, Request

HEALTH_PATH = "/-/health"


@dataclass
class Health:
    """What the endpoint reports; the database follower keeps it current."""

    machines: Callable[[], int]
    source: str = "files"
    version: int | None = None
    loaded: datetime | None = None
    reachable: bool = True
    lost_at: float | None = None  # time.monotonic() when the database was last lost
    clock: Callable[[], float] = field(default=time.monotonic)

    def report(self) -> dict[str, Any]:
        """The endpoint's JSON document."""
        document: dict[str, Any] = {
            "status": "ok" if self.reachable else "degraded",
            "source": self.source,
        }
        if self.source != "files":
            document["database"] = "reachable" if self.reachable else "unreachable"
        document["machines"] = self.machines()
        if self.version is not None:
            document["version"] = self.version
        if self.loaded is not None:
            document["loaded"] = self.loaded.isoformat()
        if self.source != "files":
            # How long the served data has gone unconfirmed: while connected, notifications
            # keep it current (0); once the database is lost, the time since.
            lost = 0.0 if self.lost_at is None else self.clock() - self.lost_at
            document["age_seconds"] = round(max(lost, 0.0), 1)
        return document

    def reply(self, request: Request) -> Reply | None:
        """The endpoint's reply, or None for any other request."""
        if request.path != HEALTH_PATH or request.method not in ("GET", "HEAD"):
            return None
        body = json.dumps(self.report(), sort_keys=True).encode("utf-8") + b"\n"
        return Reply(200, entry=Entry(body, JSON), headers=(("Cache-Control", "no-store"),))
