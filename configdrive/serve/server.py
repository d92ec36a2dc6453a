"""The HTTP server: listen, hand each request to the MetadataService, reload, stop.

The HTTP server is Tornado's: no dependencies of its own, the smallest start-up of the
asynchronous servers measured (README), and an asyncio loop this module owns, so that
SIGHUP reloads and SIGTERM/SIGINT stop it cleanly. Only the serve command imports this
module, so `build` never pays for Tornado.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import ipaddress
import os
import signal
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import tornado.httpserver
import tornado.iostream
import tornado.log
import tornado.web

from configdrive.errors import (
    ConfigDriveError,
    InvalidInputError,
    OutputError,
    UsageError,
    describe_os_error,
)
from configdrive.layouts.drive_layout import FileContent
from configdrive.problems import errors_in
from configdrive.serve.follow import DatabaseSource
from configdrive.serve.health import Health
from configdrive.serve.log import ServeLog, loggable_path
from configdrive.serve.machines import Served, canonical_address, load_served, machines_text
from configdrive.serve.metadata import TEXT
from configdrive.serve.proxy import FORWARDED_FOR, NO_PROXIES, PeerAddress, Proxies
from configdrive.serve.service import MetadataService, Reply, Request
from configdrive.serve.tokens import TOKEN_HEADER, TOKEN_TTL_HEADER, SignedTokens

DEFAULT_HOST = "127.0.0.1"
# nova-api-metadata's own port (metadata_listen_port): above 1023, so no root is needed, and
# the port OpenStack's metadata proxies and NAT rules already forward 169.254.169.254:80 to.
DEFAULT_PORT = 8775

# Requests carry no body (the token request's is empty): refuse big ones before reading them.
MAX_BODY_SIZE = 64 * 1024
MAX_HEADER_SIZE = 64 * 1024
IDLE_TIMEOUT = 60.0
# How long a stop waits for requests in flight (a large injected file) before closing.
SHUTDOWN_GRACE = 5.0
CHUNK_SIZE = 256 * 1024


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


# --------------------------------------------------------------------------- the HTTP server


@dataclass
class _ServerState:
    """What every request handler shares."""

    service: MetadataService
    log: ServeLog
    health: Health
    in_flight: int = 0
    proxies: Proxies = NO_PROXIES


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
        client = self._state.proxies.client(
            self.request.remote_ip or "", headers.get_list(FORWARDED_FOR), self._state.log
        )
        request = Request(
            client=client.address,
            method=self.request.method or "",
            path=self.request.path,
            token=headers.get(TOKEN_HEADER),
            ttl=headers.get(TOKEN_TTL_HEADER),
            forwarded=client.forwarded,
        )
        self._request = request
        self._state.in_flight += 1
        try:
            reply = self._state.health.reply(request) or self._state.service.answer(request)
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


# --------------------------------------------------------------------------- SIGHUP: reload


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
                "reloaded", f"reloaded: {machines_text(served)}", machines=len(served.machines)
            )

    def _load(self) -> Served:
        return load_served(self._target, strict=self._strict)


# --------------------------------------------------------------------------- serving until stopped


class _HTTPServer(tornado.httpserver.HTTPServer):
    """Tornado's HTTP server; with --proxy-protocol, a connection's PROXY header comes first."""

    proxies: Proxies
    log: ServeLog

    async def handle_stream(  # type: ignore[override]
        self, stream: tornado.iostream.IOStream, address: PeerAddress
    ) -> None:
        if self.proxies.proxy_protocol:
            client = await self.proxies.read_header(stream, address, self.log)
            if client is None:
                return  # refused: closed, and logged
            address = client  # Tornado's remote_ip, for the handler and the access line
        super().handle_stream(stream, address)


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
    proxies: Proxies = NO_PROXIES,
    database: str | None = None,
    token_secret: bytes | None = None,
) -> str:
    """Validate `target` (machine file, fleet file or folder) and serve it until stopped.

    Raises InvalidInputError before listening when any machine is invalid, OutputError
    when the address cannot be listened on. `on_ready` hears of the machines and the
    address actually bound (port 0 picks one). `proxies` says which load balancers may
    state the client's address (configdrive.serve.proxy). Runs in the main thread: SIGHUP reloads,
    SIGTERM and SIGINT stop. Returns the name of the signal that stopped it.
    With `database` (a PostgreSQL URL), the machines come from there instead of `target`
    (configdrive.serve.follow); DatabaseError when it cannot be read at start.
    """
    log = log if log is not None else ServeLog()
    source = None
    if database is not None:
        source = DatabaseSource(database, log)
        served = source.load()
    else:
        served = load_served(target, strict=strict)
    sock = bind(listen)
    host, port = sock.getsockname()[:2]
    bound = ListenAddress(canonical_address(host), port)
    # Signed tokens when instances share a secret: a token is then good at every instance.
    tokens = SignedTokens(token_secret) if token_secret is not None else None
    service = MetadataService(served, require_token=require_token, tokens=tokens)
    reloader = source or _Reloader(Path(target), strict, service, log)
    health = source.health if source else Health(lambda: len(service.served.machines))
    with _tornado_logs(log):
        return asyncio.run(_serve(sock, bound, service, reloader, log, on_ready, proxies, health))


async def _serve(
    sock: socket.socket,
    bound: ListenAddress,
    service: MetadataService,
    reloader: _Reloader | DatabaseSource,
    log: ServeLog,
    on_ready: Callable[[Served, ListenAddress], None] | None,
    proxies: Proxies,
    health: Health,
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

    state = _ServerState(service, log, health, proxies=proxies)
    if isinstance(reloader, DatabaseSource):
        reloader.start(service)
    application = tornado.web.Application(
        [(r"/.*", _Handler, {"state": state})], log_function=_log_request
    )
    server = _HTTPServer(
        application,
        # The client's address picks the machine: Tornado's xheaders would take it from any
        # peer's X-Real-Ip or X-Forwarded-For; proxy.py takes it from trusted proxies only.
        xheaders=False,
        max_body_size=MAX_BODY_SIZE,
        max_header_size=MAX_HEADER_SIZE,
        idle_connection_timeout=IDLE_TIMEOUT,
        body_timeout=IDLE_TIMEOUT,
    )
    server.proxies, server.log = proxies, log
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
    if isinstance(reloader, DatabaseSource):
        await reloader.stop()
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
