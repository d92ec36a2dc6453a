"""`mkconfigdrive serve`: the machines `build` describes, over a metadata service.

A machine file (or a fleet: a fleet file or a folder of machine files) is validated as
`build` validates it, laid out as `build` lays out its config-2 drive, and served as the
OpenStack and EC2 metadata services serve it (configdrive.serve.metadata): a machine reads the
same bytes over HTTP as from its drive.

Which machine a request is for is told by the client's source address alone: each
machine file's `address`. A client no machine claims gets 404, never another machine's
data. A single machine without an `address` is served to every client. Proxy headers
(X-Forwarded-For) are never believed: they would let a client pick another machine.

The HTTP server is Tornado's: no dependencies of its own, the smallest start-up of the
asynchronous servers measured (README), and an asyncio loop this module owns, so that
SIGHUP reloads and SIGTERM/SIGINT stop it cleanly. Only the serve command imports this
module, so `build` never pays for Tornado.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import http
import ipaddress
import json
import os
import re
import secrets
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

import tornado.httpserver
import tornado.iostream
import tornado.log
import tornado.web

from configdrive.api import layout_drive, validate_machine
from configdrive.errors import ConfigDriveError, InvalidInputError, OutputError, UsageError
from configdrive.inputs.documents import describe_os_error, parse_document, read_source
from configdrive.inputs.fleet import FleetMachine, load_fleet
from configdrive.inputs.machine_file import MachineFile, load_machine_file
from configdrive.layouts.drive_layout import FileContent
from configdrive.problems import Problem, errors_in
from configdrive.serve.metadata import TEXT, Entry, MetadataTree, metadata_tree, request_key

DEFAULT_HOST = "127.0.0.1"
# nova-api-metadata's own port (metadata_listen_port): above 1023, so no root is needed, and
# the port OpenStack's metadata proxies and NAT rules already forward 169.254.169.254:80 to.
DEFAULT_PORT = 8775

TOKEN_PATH = "latest/api/token"
TOKEN_HEADER = "X-aws-ec2-metadata-token"
TOKEN_TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
MAX_TOKEN_TTL = 21600  # six hours: EC2's limit, and what cloud-init asks for
# Live tokens kept at most; past this the oldest go first. Bounds memory against a client
# that asks for tokens in a loop.
MAX_TOKENS = 65536

# Requests carry no body (the token request's is empty): refuse big ones before reading them.
MAX_BODY_SIZE = 64 * 1024
MAX_HEADER_SIZE = 64 * 1024
IDLE_TIMEOUT = 60.0
# How long a stop waits for requests in flight (a large injected file) before closing.
SHUTDOWN_GRACE = 5.0
CHUNK_SIZE = 256 * 1024
# A logged path is cut here: a client decides its length, the log should not.
MAX_LOGGED_PATH = 200
_UNPRINTABLE = re.compile(r"[^\x21-\x7e]")


# --------------------------------------------------------------------------- where to listen


@dataclass(frozen=True)
class ListenAddress:
    """An IP address and a port to listen on (port 0: any free port)."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The service's base URL, as a reader is given it."""
        return f"http://{self}/"


def parse_listen(text: str) -> ListenAddress:
    """`ADDR:PORT`, `[IPv6]:PORT`, `ADDR` (port 8775) or `PORT` (on 127.0.0.1)."""
    host, port_text = _split_listen(text.strip())
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise UsageError(
            f"--listen {text!r}: {host!r} is not an IP address; give one such as "
            f"{DEFAULT_HOST}:{DEFAULT_PORT} or [::1]:{DEFAULT_PORT}"
        ) from None
    if not (port_text.isascii() and port_text.isdigit()) or not 0 <= int(port_text) <= 65535:
        raise UsageError(f"--listen {text!r}: the port must be a number from 0 to 65535")
    return ListenAddress(str(address), int(port_text))


def _split_listen(text: str) -> tuple[str, str]:
    if text.isascii() and text.isdigit():
        return DEFAULT_HOST, text
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return text, str(DEFAULT_PORT)  # reported as "not an IP address"
        return host, rest[1:] if rest else str(DEFAULT_PORT)
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        return host or DEFAULT_HOST, port
    return text, str(DEFAULT_PORT)  # an IPv4 address, or an IPv6 one without a port


@functools.lru_cache(maxsize=4096)  # asked once a request, for a few addresses
def canonical_address(text: str) -> str:
    """An IP address in one spelling: IPv4-mapped IPv6 as IPv4, no zone. Raises ValueError."""
    address = ipaddress.ip_address(text.partition("%")[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


# --------------------------------------------------------------------------- what is served


@dataclass(frozen=True)
class ServedMachine:
    """One validated machine, the address its requests come from, and its answers."""

    name: str
    address: str | None
    uuid: str
    tree: MetadataTree


class Served:
    """The machines served at one time, found by the client's address."""

    def __init__(self, machines: Sequence[ServedMachine], warnings: Sequence[Problem] = ()):
        self.machines = tuple(machines)
        self.warnings = tuple(warnings)
        self._by_address = {m.address: m for m in self.machines if m.address is not None}
        # Only a machine served alone may go without an address: it then answers everyone.
        alone = self.machines[0] if len(self.machines) == 1 else None
        self._everyone = alone if alone is not None and alone.address is None else None

    def machine_for(self, client: str) -> ServedMachine | None:
        """The machine a client at this (canonical) address is, if any."""
        return self._everyone or self._by_address.get(client)


def load_served(target: str | os.PathLike[str], *, strict: bool = False) -> Served:
    """Validate every machine of a machine file, fleet file or folder, as `build` would.

    Raises InvalidInputError with every problem of every machine (and of their addresses)
    when any is an error: nothing is served from invalid input.
    """
    entries = _fleet_entries(Path(target))
    problems: list[Problem] = []
    warnings: list[Problem] = []
    machines: list[ServedMachine] = []
    for entry in entries:
        if entry.machine is None:
            problems.extend(entry.problems)
            continue
        address = _machine_address(entry.machine, problems)
        try:
            machine = validate_machine(entry.machine.spec, strict=strict)
        except InvalidInputError as error:
            problems.extend(error.problems)
            continue
        warnings.extend(machine.warnings)
        tree = metadata_tree(layout_drive(machine, "openstack"))
        machines.append(ServedMachine(entry.machine.name, address, machine.uuid, tree))
    problems.extend(_address_problems(entries))
    if errors_in(problems):
        raise InvalidInputError([*problems, *warnings])
    return Served(machines, warnings)


def _fleet_entries(target: Path) -> list[FleetMachine]:
    if target.is_dir() or _is_fleet_file(target):
        return load_fleet(target)
    machine = load_machine_file(target)
    return [FleetMachine(machine.name, machine)]


def _is_fleet_file(path: Path) -> bool:
    """Whether a file lists machines (`machines:`) rather than describing one."""
    try:
        source = read_source(path)
    except OSError:
        return False  # reported by the machine file's loader, in its words
    document = parse_document(source, [])
    return document is not None and isinstance(document.data, dict) and "machines" in document.data


def _address_problem(machine: MachineFile, message: str) -> Problem:
    origin = machine.spec.origins.get("address")
    if origin is not None:
        return origin.problem(message)
    return Problem(machine.origin, message, ("address",))


def _machine_address(machine: MachineFile, problems: list[Problem]) -> str | None:
    if machine.address is None:
        return None
    try:
        return canonical_address(machine.address)
    except ValueError:
        problems.append(
            _address_problem(machine, f"{machine.address!r} is not an IP address ({machine.name})")
        )
        return None


def _address_problems(entries: Sequence[FleetMachine]) -> list[Problem]:
    """Every machine of a fleet needs an address of its own."""
    loaded = [entry.machine for entry in entries if entry.machine is not None]
    problems: list[Problem] = []
    claimed: dict[str, str] = {}
    for machine in loaded:
        if machine.address is None:
            if len(entries) > 1:
                problems.append(
                    Problem(
                        machine.origin,
                        f"{machine.name} has no address: with several machines, each is told "
                        "by the address its requests come from; add `address: <its IP>`",
                    )
                )
            continue
        try:
            address = canonical_address(machine.address)
        except ValueError:
            continue  # reported by _machine_address
        other = claimed.setdefault(address, machine.name)
        if other != machine.name:
            problems.append(
                _address_problem(
                    machine,
                    f"{other} and {machine.name} both claim {address}; each machine needs "
                    "its own address",
                )
            )
    return problems


# --------------------------------------------------------------------------- IMDSv2 tokens


class TokenStore:
    """EC2's session tokens (IMDSv2): random, bound to the client address, expiring."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, limit: int = MAX_TOKENS
    ) -> None:
        self._clock = clock
        self._limit = limit
        self._tokens: dict[str, tuple[str, float]] = {}

    def issue(self, client: str, ttl: int) -> str:
        """A new token for `client`, valid for `ttl` seconds."""
        now = self._clock()
        if len(self._tokens) >= self._limit:
            self._tokens = {t: v for t, v in self._tokens.items() if v[1] > now}
            while len(self._tokens) >= self._limit:
                del self._tokens[next(iter(self._tokens))]  # the oldest
        token = secrets.token_urlsafe(42)
        self._tokens[token] = (client, now + ttl)
        return token

    def valid(self, token: str, client: str) -> bool:
        """Whether `token` was issued to `client` and has not expired."""
        found = self._tokens.get(token)
        return found is not None and found[0] == client and found[1] > self._clock()

    def __len__(self) -> int:
        return len(self._tokens)


# --------------------------------------------------------------------------- requests and replies


@dataclass(frozen=True)
class Request:
    """What an answer depends on: who asks, how, for what, with which token headers."""

    client: str
    method: str
    path: str  # as sent, percent-encoded, without the query
    token: str | None = None
    ttl: str | None = None
    forwarded: bool = False  # an X-Forwarded-For header came with it


@dataclass(frozen=True)
class Reply:
    """An answer: its status, whose data it is, and the content. `note` says why, for the log."""

    status: int
    machine: str | None = None
    entry: Entry | None = None
    headers: tuple[tuple[str, str], ...] = ()
    note: str = ""


class MetadataService:
    """The answers to every request, without HTTP: the served machines, tokens, the rules."""

    def __init__(
        self, served: Served, *, require_token: bool = False, tokens: TokenStore | None = None
    ) -> None:
        # Replaced whole on reload; a request in flight keeps the machine it started with.
        self.served = served
        self.require_token = require_token
        self.tokens = tokens if tokens is not None else TokenStore()

    def answer(self, request: Request) -> Reply:
        """The reply to one request."""
        try:
            client = canonical_address(request.client)
        except ValueError:
            return Reply(404, note="not an IP client")
        machine = self.served.machine_for(client)
        if machine is None:
            return Reply(404, note="no machine has this address")
        key = request_key(request.path)
        if key == TOKEN_PATH:
            if request.method != "PUT":
                return Reply(405, machine.name, headers=(("Allow", "PUT"),))
            return self._issue_token(request, client, machine.name)
        if request.method not in ("GET", "HEAD"):
            return Reply(405, machine.name, headers=(("Allow", "GET, HEAD"),))
        if request.token is not None:
            if not self.tokens.valid(request.token, client):
                return Reply(401, machine.name, note="invalid or expired token")
        elif self.require_token:
            return Reply(401, machine.name, note="no token (--require-token)")
        entry = machine.tree.entries.get(key) if key is not None else None
        if entry is None:
            return Reply(404, machine.name)
        return Reply(200, machine.name, entry)

    def _issue_token(self, request: Request, client: str, machine: str) -> Reply:
        if request.forwarded:
            # EC2's defence against requests relayed by a proxy on the machine (SSRF).
            return Reply(403, machine, note="token requests through a proxy are refused")
        ttl_text = (request.ttl or "").strip()
        # isascii: "²".isdigit() is true, and int("²") would fail the request.
        is_number = ttl_text.isascii() and ttl_text.isdigit()
        if not is_number or not 1 <= int(ttl_text) <= MAX_TOKEN_TTL:
            return Reply(400, machine, note=f"{TOKEN_TTL_HEADER} must be 1 to {MAX_TOKEN_TTL}")
        token = self.tokens.issue(client, int(ttl_text))
        return Reply(
            200,
            machine,
            Entry(token.encode("ascii"), TEXT),
            headers=((TOKEN_TTL_HEADER, ttl_text),),
            note="token issued",
        )


# --------------------------------------------------------------------------- the log


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
            self.stream.write("".join(traceback.format_exception(error)))
            self.stream.flush()

    def _json(self, document: dict[str, Any]) -> None:
        self.stream.write(json.dumps({"time": self._time(), **document}) + "\n")
        self.stream.flush()

    def _line(self, text: str) -> None:
        self.stream.write(f"{self._time()} {text}\n")
        self.stream.flush()

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


# --------------------------------------------------------------------------- the HTTP server


@dataclass
class _ServerState:
    """What every request handler shares."""

    service: MetadataService
    log: ServeLog
    in_flight: int = 0


class _Handler(tornado.web.RequestHandler):
    """Every request, whatever its method and path: MetadataService decides the answer."""

    def initialize(self, state: _ServerState) -> None:
        self._state = state
        self._request: Request | None = None
        self._reply: Reply | None = None
        self._sent = 0

    def set_default_headers(self) -> None:
        self.clear_header("Server")  # no version banner

    def compute_etag(self) -> str | None:
        return None  # readers never revalidate; hashing every answer would cost throughput

    async def prepare(self) -> None:
        headers = self.request.headers
        request = Request(
            client=self.request.remote_ip or "",
            method=self.request.method or "",
            path=self.request.path,
            token=headers.get(TOKEN_HEADER),
            ttl=headers.get(TOKEN_TTL_HEADER),
            forwarded="X-Forwarded-For" in headers,
        )
        self._request = request
        self._state.in_flight += 1
        try:
            reply = self._state.service.answer(request)
            self._reply = reply
            await self._send(reply, body=request.method != "HEAD")
        finally:
            self._state.in_flight -= 1
        self.finish()  # here, so that Tornado calls no method handler after prepare()

    async def _send(self, reply: Reply, *, body: bool) -> None:
        self.set_status(reply.status)
        for name, value in reply.headers:
            self.set_header(name, value)
        entry = reply.entry
        if entry is None:
            self._send_bytes(_status_line(reply.status), TEXT, body=body)
        elif isinstance(entry.content, FileContent):
            await self._stream(entry.content, entry.media_type, body=body)
        else:
            self._send_bytes(entry.content, entry.media_type, body=body)

    def _send_bytes(self, data: bytes, media_type: str, *, body: bool) -> None:
        self.set_header("Content-Type", media_type)
        self.set_header("Content-Length", str(len(data)))
        if body:
            self.write(data)
            self._sent = len(data)

    async def _stream(self, content: FileContent, media_type: str, *, body: bool) -> None:
        """An injected file, read from disk a chunk at a time (it may be large)."""
        try:
            stream = content.path.open("rb")
        except OSError as error:
            assert self._reply is not None
            note = f"cannot read {content.path}: {describe_os_error(error)}"
            self._reply = replace(self._reply, status=500, entry=None, note=note)
            await self._send(self._reply, body=body)
            return
        with stream:
            size = os.fstat(stream.fileno()).st_size
            self.set_header("Content-Type", media_type)
            self.set_header("Content-Length", str(size))
            remaining = size if body else 0
            while remaining > 0:
                chunk = stream.read(min(CHUNK_SIZE, remaining))
                if not chunk:
                    break  # the file shrank: Tornado ends the connection short of Content-Length
                remaining -= len(chunk)
                self.write(chunk)
                self._sent += len(chunk)
                try:
                    await self.flush()
                except tornado.iostream.StreamClosedError:
                    assert self._reply is not None
                    self._reply = replace(self._reply, note="the client left before the end")
                    return

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self._send_bytes(_status_line(status_code), TEXT, body=True)

    def log_exception(self, typ: Any, value: BaseException | None, tb: Any) -> None:
        if isinstance(value, tornado.web.HTTPError):
            return  # Tornado's own refusals (an unknown method): the access line says it
        if value is not None:
            self._state.log.internal_error(f"answering {loggable_path(self.request.path)}", value)

    def log_access(self) -> None:
        """The access line, once the answer is complete (or refused before prepare())."""
        request = self._request or Request(
            self.request.remote_ip or "", self.request.method or "", self.request.path
        )
        reply = self._reply or Reply(self.get_status())
        if reply.status != self.get_status():
            reply = replace(reply, status=self.get_status())
        self._state.log.access(request, reply, self._sent, self.request.request_time())


def _status_line(status: int) -> bytes:
    """The body of an answer without content: `404 Not Found`."""
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    return f"{status} {phrase}\n".encode()


def _log_request(handler: tornado.web.RequestHandler) -> None:
    if isinstance(handler, _Handler):
        handler.log_access()


class _Reloader:
    """SIGHUP: validate the input again in a worker thread; swap only if it is all valid."""

    def __init__(self, target: Path, strict: bool, service: MetadataService, log: ServeLog) -> None:
        self._target = target
        self._strict = strict
        self._service = service
        self._log = log
        self._running = False
        self._again = False
        self._tasks: set[asyncio.Task[None]] = set()

    def request(self) -> None:
        """Reload soon; signals that arrive during a reload make one more, not one each."""
        if self._running:
            self._again = True
            return
        task = asyncio.get_running_loop().create_task(self._reload())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _reload(self) -> None:
        self._running = True
        try:
            while True:
                self._again = False
                await self._reload_once()
                if not self._again:
                    return
        finally:
            self._running = False

    async def _reload_once(self) -> None:
        loop = asyncio.get_running_loop()
        keeping = "still serving the previous machines"
        try:
            served = await loop.run_in_executor(None, self._load)
        except InvalidInputError as error:
            count = len(errors_in(error.problems))
            message = f"reload failed: {count} error{'s' if count != 1 else ''}; {keeping}"
            self._log.problems("reload-failed", message, error.problems)
        except ConfigDriveError as error:
            self._log.event("reload-failed", f"reload failed: {error}; {keeping}")
        except OSError as error:
            self._log.event(
                "reload-failed", f"reload failed: {describe_os_error(error)}; {keeping}"
            )
        except Exception as error:  # a bug must not take down a service that works
            self._log.internal_error(f"reloading; {keeping}", error)
        else:
            self._service.served = served
            if served.warnings:
                self._log.problems("reload-warnings", "reloaded with warnings", served.warnings)
            self._log.event(
                "reloaded", f"reloaded: {_machines_text(served)}", machines=len(served.machines)
            )

    def _load(self) -> Served:
        return load_served(self._target, strict=self._strict)


def _machines_text(served: Served) -> str:
    count = len(served.machines)
    return f"{count} machine{'s' if count != 1 else ''}"


def bind(listen: ListenAddress) -> socket.socket:
    """A listening socket, or OutputError (port in use, no permission, no such address)."""
    family = socket.AF_INET6 if ":" in listen.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((listen.host, listen.port))
        sock.listen(1024)
    except OSError as error:
        sock.close()
        raise OutputError(f"cannot listen on {listen}: {describe_os_error(error)}") from None
    sock.setblocking(False)
    return sock


def serve(
    target: str | os.PathLike[str],
    *,
    listen: ListenAddress = ListenAddress(DEFAULT_HOST, DEFAULT_PORT),
    require_token: bool = False,
    strict: bool = False,
    log: ServeLog | None = None,
    on_ready: Callable[[Served, ListenAddress], None] | None = None,
) -> str:
    """Validate `target` (machine file, fleet file or folder) and serve it until stopped.

    Raises InvalidInputError before listening when any machine is invalid, OutputError
    when the address cannot be listened on. `on_ready` hears of the machines and the
    address actually bound (port 0 picks one). Runs in the main thread: SIGHUP reloads,
    SIGTERM and SIGINT stop. Returns the name of the signal that stopped it.
    """
    log = log if log is not None else ServeLog()
    served = load_served(target, strict=strict)
    sock = bind(listen)
    host, port = sock.getsockname()[:2]
    bound = ListenAddress(canonical_address(host), port)
    service = MetadataService(served, require_token=require_token)
    reloader = _Reloader(Path(target), strict, service, log)
    with _tornado_logs(log):
        return asyncio.run(_serve(sock, bound, service, reloader, log, on_ready))


async def _serve(
    sock: socket.socket,
    bound: ListenAddress,
    service: MetadataService,
    reloader: _Reloader,
    log: ServeLog,
    on_ready: Callable[[Served, ListenAddress], None] | None,
) -> str:
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    hurry = asyncio.Event()
    received: list[str] = []

    def stop(signum: signal.Signals) -> None:
        received.append(signum.name)
        (hurry if stopping.is_set() else stopping).set()

    # These replace the stop handlers configdrive.__main__ installed (which turn signals
    # into KeyboardInterrupt) for as long as the loop runs. Signals the parent ignores
    # (nohup, background jobs) stay ignored, as there.
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) is not signal.SIG_IGN:
            loop.add_signal_handler(signum, stop, signum)
    loop.add_signal_handler(signal.SIGHUP, reloader.request)

    state = _ServerState(service, log)
    application = tornado.web.Application(
        [(r"/.*", _Handler, {"state": state})], log_function=_log_request
    )
    server = tornado.httpserver.HTTPServer(
        application,
        xheaders=False,  # the client's address picks the machine: never take it from a header
        max_body_size=MAX_BODY_SIZE,
        max_header_size=MAX_HEADER_SIZE,
        idle_connection_timeout=IDLE_TIMEOUT,
        body_timeout=IDLE_TIMEOUT,
    )
    server.add_sockets([sock])
    if on_ready is not None:
        on_ready(service.served, bound)
    await stopping.wait()
    signame = received[0]
    log.event("stopping", f"stopping ({signame})", signal=signame)
    server.stop()
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(_drained(state, hurry), SHUTDOWN_GRACE)
    await server.close_all_connections()
    log.event("stopped", "stopped", signal=signame)
    return signame


async def _drained(state: _ServerState, hurry: asyncio.Event) -> None:
    """Until no request is in flight, or a second stop signal says not to wait."""
    while state.in_flight and not hurry.is_set():
        await asyncio.sleep(0.05)


@contextlib.contextmanager
def _tornado_logs(log: ServeLog) -> Iterator[None]:
    """Tornado's own warnings (malformed requests, ...) as one line each in the service's log."""
    import logging

    class _Forward(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.exc_info and record.exc_info[1] is not None:
                log.internal_error(f"in {record.name}", record.exc_info[1])
            else:
                log.event("server", f"{record.name}: {record.getMessage()}")

    handler = _Forward(logging.WARNING)
    loggers = [tornado.log.app_log, tornado.log.gen_log]
    saved = [(logger, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
    try:
        yield
    finally:
        for logger, propagate in saved:
            logger.removeHandler(handler)
            logger.propagate = propagate


# --------------------------------------------------------------------------- the start-up report


def started_text(served: Served, bound: ListenAddress, *, require_token: bool) -> str:
    """What `serve` prints once it listens: where, and which machine answers which client."""
    width = max(len(machine.name) for machine in served.machines)
    lines = [f"Serving {_machines_text(served)} on {bound.url}"]
    if require_token:
        lines[0] += " (IMDSv2 token required)"
    for machine in served.machines:
        address = machine.address or "every client"
        lines.append(f"  {machine.name:<{width}}  {address:<15}  {machine.uuid}")
    return "\n".join(lines)


def started_json(served: Served, bound: ListenAddress, *, require_token: bool) -> dict[str, Any]:
    """The same as one JSON document (one line), for harnesses that start the service."""
    return {
        "ok": True,
        "url": bound.url,
        "host": bound.host,
        "port": bound.port,
        "require_token": require_token,
        "machines": [
            {"name": machine.name, "address": machine.address, "uuid": machine.uuid}
            for machine in served.machines
        ],
        "warnings": [warning.to_json() for warning in served.warnings],
    }
