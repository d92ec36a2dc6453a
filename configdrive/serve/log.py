"""serve's log: access lines (machine and path, never content) and events, text or JSON."""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from configdrive import strict_json

if TYPE_CHECKING:
    from configdrive.problems import Problem
    from configdrive.serve.service import Reply, Request

# A logged path is cut here: a client decides its length, the log should not.
MAX_LOGGED_PATH = 200


@dataclass
class ServeLog:
    """The service's log on one stream: access lines (machine and path, never content) and events.

    Text lines start with a UTC time; with `json`, each line is a JSON object.
    """

    stream: TextIO = field(default_factory=lambda: sys.stderr)
    json: bool = False
    access_lines: bool = True
    debug: bool = False
    clock: Callable[[], float] = time.time
    _second: int = field(default=-1, init=False, repr=False)
    _stamp: str = field(default="", init=False, repr=False)

    def access(self, request: Request, reply: Reply, size: int, seconds: float) -> None:
        """One line per request."""
        if not self.access_lines:
            return
        fields = {
            "client": request.client,
            "machine": reply.machine,
            "method": request.method,
            "path": loggable_path(request.path),
            "status": reply.status,
            "bytes": size,
            "ms": round(seconds * 1000, 2),
        }
        if reply.note:
            fields["note"] = reply.note
        if self.json:
            self._json({"event": "request", **fields})
            return
        line = (
            f"{request.client} {reply.machine or '-'} {request.method} {fields['path']} "
            f"{reply.status} {size} {fields['ms']}ms"
        )
        self._line(f"{line} ({reply.note})" if reply.note else line)

    def event(self, event: str, message: str, **extra: Any) -> None:
        """Something the operator should hear about: serving, reloads, stopping, failures."""
        if self.json:
            self._json({"event": event, "message": message, **extra})
        else:
            self._line(f"mkconfigdrive: {message}")

    def problems(self, event: str, message: str, problems: Sequence[Problem]) -> None:
        """An event with the problems behind it (their texts never quote secrets)."""
        if self.json:
            self.event(event, message, problems=[problem.to_json() for problem in problems])
            return
        for problem in problems:
            self._line(str(problem))
        self.event(event, message)

    def internal_error(self, what: str, error: BaseException) -> None:
        """A bug: its type (its message may quote data), and the traceback with --debug."""
        self.event("internal-error", f"internal error ({type(error).__name__}) {what}")
        if self.debug:
            self.write("".join(traceback.format_exception(error)))

    def write(self, text: str) -> None:
        """Every line of the log goes out here, whole and at once (a reader may be tailing it)."""
        self.stream.write(text)
        self.stream.flush()

    def _json(self, document: dict[str, Any]) -> None:
        # strict_json: a NaN or a byte string in an event's fields is still a line JSON
        # parsers accept, like every other --json output.
        self.write(strict_json.dumps({"time": self._time(), **document}) + "\n")

    def _line(self, text: str) -> None:
        self.write(f"{self._time()} {text}\n")

    def _time(self) -> str:
        now = self.clock()
        second = int(now)
        if second != self._second:  # formatting a date per request would cost throughput
            self._second = second
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._stamp}.{int((now - second) * 1000):03d}Z"


def loggable_path(path: str) -> str:
    """A request path fit for one log line: printable ASCII, bounded in length."""
    shown = "".join(
        c if 0x21 <= ord(c) < 0x7F else f"%{ord(c):02X}" for c in path[:MAX_LOGGED_PATH]
    )
    return shown + "..." if len(path) > MAX_LOGGED_PATH else shown
