"""The HTTP server: listen, hand each request to the MetadataService, reload, stop.

The HTTP server is Tornado's: no dependencies of its own, the smallest start-up of the
asynchronous servers measured (README), and an asyncio loop this module owns, so that
SIGHUP reloads and SIGTERM/SIGINT stop it cleanly. Only the serve command imports this
module, so `build` never pays for Tornado.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import http
import ipaddress
import os
import resource
import select
import signal
import socket
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import tornado.gen
import tornado.httpserver
import tornado.ioloop
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
# File descriptors kept back from the connection cap: the listening socket, the log, the
# event loop's own, and the machine files a reload opens. Connections get the rest.
FD_RESERVE = 64


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
    cap: ConnectionCap | None = None


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

    # Every method reaches prepare(), so that each gets the service's answer (405 with
    # Allow) instead of Tornado's; methods outside this list still get our 405 page.
    SUPPORTED_METHODS = (
        "GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
    )  # fmt: skip

    async def prepare(self) -> None:
        headers = self.request.headers
        client = self._state.proxies.client(
            self.request.remote_ip or "", headers.get_list(FORWARDED_FOR), self._state.log
        )
        path = request_target_path(self.request.path)
        request = Request(
            client=client.address,
            method=self.request.method or "",
            path=path if path is not None else self.request.path,
            token=headers.get(TOKEN_HEADER),
            ttl=headers.get(TOKEN_TTL_HEADER),
            forwarded=client.forwarded,
        )
        self._request = request
        self._state.in_flight += 1
        self._connection_busy(True)
        try:
            if path is None:
                reply = _unservable_target(request)
            else:
                reply = self._state.health.reply(request) or self._state.service.answer(request)
            self._reply = reply
            await self._send(reply, body=request.method != "HEAD")
        finally:
            self._state.in_flight -= 1
        self.finish()  # here, so that Tornado calls no method handler after prepare()

    def on_finish(self) -> None:
        self._connection_busy(False)

    def _connection_busy(self, busy: bool) -> None:
        """Tell the connection cap whether this connection holds a request being answered."""
        cap = self._state.cap
        stream = getattr(self.request.connection, "stream", None)
        if cap is not None and isinstance(stream, tornado.iostream.IOStream):
            (cap.busy if busy else cap.idle)(stream)

    async def _send(self, reply: Reply, *, body: bool) -> None:
        self.set_status(reply.status)
        for name, value in reply.headers:
            self.set_header(name, value)
        entry = reply.entry
        if entry is None:
            self._send_bytes(_status_line(reply.status), TEXT, body=body)
        elif isinstance(entry.content, FileContent):
            # load_served reads every file into memory; a file here would be read per
            # request, which serve never does (it could block the event loop).
            assert self._reply is not None
            self._reply = replace(self._reply, status=500, entry=None, note="file not loaded")
            await self._send(self._reply, body=body)
        elif len(entry.content) > CHUNK_SIZE and body:
            await self._send_chunks(entry.content, entry.media_type)
        else:
            self._send_bytes(entry.content, entry.media_type, body=body)

    def _send_bytes(self, data: bytes, media_type: str, *, body: bool) -> None:
        self.set_header("Content-Type", media_type)
        self.set_header("Content-Length", str(len(data)))
        if body:
            self.write(data)
            self._sent = len(data)

    async def _send_chunks(self, data: bytes, media_type: str) -> None:
        """A large answer (an injected file) a chunk at a time, as the client takes it."""
        self.set_header("Content-Type", media_type)
        self.set_header("Content-Length", str(len(data)))
        view = memoryview(data)
        for start in range(0, len(data), CHUNK_SIZE):
            chunk = view[start : start + CHUNK_SIZE]
            self.write(bytes(chunk))
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
            self.request.remote_ip or "",
            self.request.method or "",
            request_target_path(self.request.path) or self.request.path,
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


def request_target_path(target: str) -> str | None:
    """The path a request target names: origin form as it is, absolute form's path.

    A client configured with a forward proxy sends `GET http://169.254.169.254/latest/...`
    (RFC 9112 3.2.2: a server must accept the absolute form); it asks for the same path.
    None for the forms that name no path (`*`, CONNECT's `host:port`).
    """
    if target.startswith("/"):
        return target
    scheme, sep, rest = target.partition("://")
    if sep and scheme.lower() in ("http", "https"):
        slash = rest.find("/")
        return rest[slash:] if slash >= 0 else "/"
    return None


def _unservable_target(request: Request) -> Reply:
    """A request target without a path: `OPTIONS *`, `CONNECT host:443`, or garbage."""
    if request.method == "CONNECT":
        return Reply(405, headers=(("Allow", "GET, HEAD, PUT"),), note="not a proxy")
    return Reply(400, note="the request target is not a path")


def _log_request(handler: tornado.web.RequestHandler) -> None:
    if isinstance(handler, _Handler):
        handler.log_access()


# --------------------------------------------------------------------------- connections: a cap


def raise_fd_limit() -> int:
    """Raise the soft open-file limit to the hard one where allowed; the soft limit after.

    Every connection is a file descriptor: the usual soft limit (1024) is far below what
    the kernel allows a process (the hard limit), and raising it needs no privilege.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard and (hard == resource.RLIM_INFINITY or soft < hard):
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
    return soft if soft != resource.RLIM_INFINITY else 1 << 20


def connection_cap(max_connections: int | None) -> int:
    """How many connections may be open at once: `max_connections`, or what the fd limit allows.

    Raises UsageError when `max_connections` does not fit below the open-file limit.
    """
    fit = max(1, raise_fd_limit() - FD_RESERVE)
    if max_connections is None:
        return fit
    if max_connections < 1:
        raise UsageError(f"--max-connections {max_connections}: give 1 or more")
    if max_connections > fit:
        raise UsageError(
            f"--max-connections {max_connections}: only {fit} fit below this process's "
            f"open-file limit ({fit + FD_RESERVE}, {FD_RESERVE} kept for the server itself); "
            "raise the limit (ulimit -n) or ask for fewer"
        )
    return max_connections


# accept() failures that mean "no descriptor or memory for one more now", not a bug.
_OUT_OF_RESOURCES = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}
# While overloaded, how often to look at the backlog again; and how long a connection must
# have been without a request before it may be closed to let a waiting client in.
OVERLOAD_TICK = 0.1
EVICT_IDLE_AFTER = 1.0
# Closed per tick while clients wait: one at first, twice as many each tick they still
# wait, at most EVICT_BATCH, so that one waiting client costs one idle connection.
EVICT_BATCH = 64
ACCEPT_BATCH = 128  # accepts per readiness event, so that accepting never starves requests


class ConnectionCap:
    """At most `limit` open connections; past it, back-pressure, never accept-and-fail.

    At the cap the listening sockets are taken off the event loop: new connections wait
    in the kernel's listen backlog instead of costing a descriptor each. Connections that
    hold no request (idle keep-alives, slow clients still sending headers) for
    EVICT_IDLE_AFTER seconds are closed, oldest first, while someone waits, so that slow
    clients cannot keep everyone else out for the idle timeout. An overload is one log
    line when it starts and one when nobody waits any more, however many connections
    it turned away.
    """

    def __init__(
        self, limit: int, log: ServeLog, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self._log = log
        self._clock = clock
        # Every open connection, and since when it has held no request (None: busy).
        # Oldest idle first: a connection becoming idle goes to the end.
        self._open: dict[tornado.iostream.IOStream, float | None] = {}
        self._listening: list[tuple[socket.socket, Callable[[socket.socket, Any], None]]] = []
        self._paused = False
        self._overload_started: float | None = None
        self._closed_to_let_in = 0
        self._to_close = 1
        self._timer: object | None = None

    def __len__(self) -> int:
        return len(self._open)

    @property
    def overloaded(self) -> bool:
        """Whether an overload is going on (clients waiting in the backlog)."""
        return self._overload_started is not None

    # ----- listening sockets

    def listen(
        self, sock: socket.socket, on_accept: Callable[[socket.socket, Any], None]
    ) -> Callable[[], None]:
        """Accept on `sock` (under the cap); returns what stops accepting on it."""
        entry = (sock, on_accept)
        self._listening.append(entry)
        if not self._paused:
            self._watch(sock, on_accept)

        def remove() -> None:
            if entry in self._listening:
                self._listening.remove(entry)
                if not self._paused:
                    tornado.ioloop.IOLoop.current().remove_handler(sock)

        return remove

    def _watch(self, sock: socket.socket, on_accept: Callable[[socket.socket, Any], None]) -> None:
        def ready(_fd: Any, _events: int) -> None:
            self._accept(sock, on_accept)

        tornado.ioloop.IOLoop.current().add_handler(sock, ready, tornado.ioloop.IOLoop.READ)

    def _accept(self, sock: socket.socket, on_accept: Callable[[socket.socket, Any], None]) -> None:
        for _ in range(ACCEPT_BATCH):
            if len(self._open) >= self.limit:
                if not self._waiting([sock]):
                    # At the cap with nobody waiting is no overload; the socket stays
                    # watched, and becomes readable when someone comes.
                    self._backlog_empty()
                    return
                self._pause(f"{len(self._open)} connections open, the most allowed")
                return
            try:
                connection, address = sock.accept()
            except (BlockingIOError, InterruptedError):
                self._backlog_empty()
                return
            except ConnectionAbortedError:
                continue  # the client gave up while it waited: nothing to answer
            except OSError as error:
                if error.errno not in _OUT_OF_RESOURCES:
                    raise
                self._pause(f"cannot accept more ({describe_os_error(error)})")
                return
            on_accept(connection, address)

    # ----- connections

    def opened(self, stream: tornado.iostream.IOStream) -> None:
        """A connection was accepted: it holds no request yet."""
        self._open[stream] = self._clock()

    def closed(self, stream: tornado.iostream.IOStream) -> None:
        """A connection ended (the client left, a timeout, or closed to let another in)."""
        self._open.pop(stream, None)

    def busy(self, stream: tornado.iostream.IOStream) -> None:
        """The connection holds a request being answered: never closed to let another in."""
        if stream in self._open:
            self._open[stream] = None

    def idle(self, stream: tornado.iostream.IOStream) -> None:
        """The connection's request is answered; it waits for the next (keep-alive)."""
        if stream in self._open and not stream.closed():
            del self._open[stream]
            self._open[stream] = self._clock()

    # ----- overload

    def _pause(self, why: str) -> None:
        if not self._paused:
            self._paused = True
            loop = tornado.ioloop.IOLoop.current()
            for sock, _ in self._listening:
                loop.remove_handler(sock)
            self._timer = loop.call_later(OVERLOAD_TICK, self._tick)
        if self._overload_started is None:
            self._overload_started = self._clock()
            self._closed_to_let_in = 0
            self._log.event(
                "overloaded",
                f"overloaded: {why}; new connections wait in the listen backlog",
                connections=len(self._open),
                limit=self.limit,
            )

    def _tick(self) -> None:
        """While paused: let waiting clients in, closing idle connections to make room."""
        self._timer = None
        if self._waiting([sock for sock, _ in self._listening]):
            closed = self._close_idle(self._to_close)
            self._to_close = min(EVICT_BATCH, self._to_close * 2) if closed else 1
        self._paused = False
        for sock, on_accept in list(self._listening):
            if self._paused:
                break  # the cap was reached again: the next tick goes on
            self._watch(sock, on_accept)
            self._accept(sock, on_accept)

    @staticmethod
    def _waiting(sockets: list[socket.socket]) -> bool:
        """Whether a client waits in one of these listening sockets' backlogs."""
        if not sockets:
            return False
        readable, _, _ = select.select(sockets, [], [], 0)
        return bool(readable)

    def _close_idle(self, most: int) -> int:
        """Close up to `most` connections idle for EVICT_IDLE_AFTER, oldest first; how many."""
        oldest = self._clock() - EVICT_IDLE_AFTER
        chosen: list[tornado.iostream.IOStream] = []
        for stream, since in self._open.items():
            if since is None:
                continue
            if since > oldest or len(chosen) >= most:
                break
            chosen.append(stream)
        for stream in chosen:
            self.closed(stream)
            stream.close()
        self._closed_to_let_in += len(chosen)
        return len(chosen)

    def _backlog_empty(self) -> None:
        if self._overload_started is None:
            return
        seconds = self._clock() - self._overload_started
        self._overload_started = None
        self._to_close = 1
        self._log.event(
            "overload-over",
            f"no longer overloaded after {seconds:.1f}s: every waiting client was accepted; "
            f"{self._closed_to_let_in} idle connections were closed to let them in",
            seconds=round(seconds, 3),
            closed_idle=self._closed_to_let_in,
        )

    def stop(self) -> None:
        """No more ticks (the server stops)."""
        if self._timer is not None:
            tornado.ioloop.IOLoop.current().remove_timeout(self._timer)
            self._timer = None


# --------------------------------------------------------------------------- oversized headers: 431


_HEADERS_TOO_LARGE = _status_line(431)
_HEADERS_TOO_LARGE_REPLY = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: " + str(len(_HEADERS_TOO_LARGE)).encode() + b"\r\n"
    b"Connection: close\r\n\r\n" + _HEADERS_TOO_LARGE
)


class _GuardedStream(tornado.iostream.IOStream):
    """A connection that answers headers over the limit with 431 before it closes.

    Tornado closes such a connection without a word (its read of the headers fails with
    UnsatisfiableReadError, and the stream closes itself): the client sees a reset, the
    log nothing. Only the server's read of the headers is a regex read.
    """

    def __init__(
        self, sock: socket.socket, *, on_too_large: Callable[[], None], **kwargs: Any
    ) -> None:
        super().__init__(sock, **kwargs)
        self._on_too_large = on_too_large
        self._reading_headers = False

    def read_until_regex(self, *args: Any, **kwargs: Any) -> Any:
        self._reading_headers = True
        return super().read_until_regex(*args, **kwargs)

    def read_bytes(self, *args: Any, **kwargs: Any) -> Any:
        self._reading_headers = False
        return super().read_bytes(*args, **kwargs)

    def read_until(self, *args: Any, **kwargs: Any) -> Any:
        self._reading_headers = False
        return super().read_until(*args, **kwargs)

    def close(self, exc_info: Any = False) -> None:
        too_large = isinstance(exc_info, tornado.iostream.UnsatisfiableReadError)
        if too_large and self._reading_headers and not self.closed():
            # Best effort, without waiting: the reply is small, the socket's buffer empty.
            with contextlib.suppress(OSError):
                self.socket.send(_HEADERS_TOO_LARGE_REPLY)
            self._on_too_large()
        super().close(exc_info)


class _GuardedHTTPServer(tornado.httpserver.HTTPServer):
    """Tornado's HTTP server, accepting under a ConnectionCap, with 431 for huge headers."""

    cap: ConnectionCap
    serve_log: ServeLog

    def guard(self, cap: ConnectionCap, log: ServeLog) -> None:
        self.cap = cap
        self.serve_log = log

    def add_sockets(self, sockets: Iterable[socket.socket]) -> None:
        for sock in sockets:
            self._sockets[sock.fileno()] = sock
            self._handlers[sock.fileno()] = self.cap.listen(sock, self._accepted)

    def _accepted(self, connection: socket.socket, address: Any) -> None:
        client = address[0] if isinstance(address, tuple) and address else ""
        started = time.monotonic()

        def too_large() -> None:
            request = Request(client, "-", "-")
            note = f"request headers over {MAX_HEADER_SIZE // 1024} KiB"
            reply = Reply(431, note=note)
            seconds = time.monotonic() - started
            self.serve_log.access(request, reply, len(_HEADERS_TOO_LARGE), seconds)

        stream = _GuardedStream(
            connection,
            on_too_large=too_large,
            max_buffer_size=self.max_buffer_size,
            read_chunk_size=self.read_chunk_size,
        )
        handled = self.handle_stream(stream, address)
        if handled is not None:  # a coroutine (PROXY header first): run it, as Tornado's
            # TCPServer._handle_connection does, so that its errors are logged, not lost
            future = tornado.gen.convert_yielded(handled)
            tornado.ioloop.IOLoop.current().add_future(future, lambda done: done.result())

    def handle_stream(  # type: ignore[override]
        self, stream: tornado.iostream.IOStream, address: tuple[Any, ...]
    ) -> Awaitable[None] | None:
        self.cap.opened(stream)
        super().handle_stream(stream, address)
        return None  # _HTTPServer's may return a coroutine (a PROXY header to read first)

    def on_close(self, server_conn: object) -> None:
        super().on_close(server_conn)
        stream = getattr(server_conn, "stream", None)
        if isinstance(stream, tornado.iostream.IOStream):
            self.cap.closed(stream)


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


class _HTTPServer(_GuardedHTTPServer):
    """The guarded server; with --proxy-protocol, a connection's PROXY header comes first.

    The connection counts against the cap from its accept, header or not, so that slow
    headers cannot hold descriptors outside it (the cap may close one while it is idle).
    """

    proxies: Proxies

    def handle_stream(  # type: ignore[override]
        self, stream: tornado.iostream.IOStream, address: PeerAddress
    ) -> Awaitable[None] | None:
        if not self.proxies.proxy_protocol:
            return super().handle_stream(stream, address)
        # Counted now, in the accept loop, so that the cap sees it before the next accept.
        self.cap.opened(stream)
        return self._after_proxy_header(stream, address)

    async def _after_proxy_header(
        self, stream: tornado.iostream.IOStream, address: PeerAddress
    ) -> None:
        client = await self.proxies.read_header(stream, address, self.serve_log)
        if client is None:
            self.cap.closed(stream)
            return  # refused: closed, and logged
        # Tornado's remote_ip, for the handler and the access line, is the client's.
        tornado.httpserver.HTTPServer.handle_stream(self, stream, client)


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
    max_connections: int | None = None,
) -> str:
    """Validate `target` (machine file, fleet file or folder) and serve it until stopped.

    Raises InvalidInputError before listening when any machine is invalid, OutputError
    when the address cannot be listened on. `on_ready` hears of the machines and the
    address actually bound (port 0 picks one). `proxies` says which load balancers may
    state the client's address (configdrive.serve.proxy). Runs in the main thread: SIGHUP reloads,
    SIGTERM and SIGINT stop. Returns the name of the signal that stopped it.
    With `database` (a PostgreSQL URL), the machines come from there instead of `target`
    (configdrive.serve.follow); DatabaseError when it cannot be read at start. At most
    `max_connections` connections are open at once (default: what the open-file limit
    allows, raised to its hard limit first); more wait in the listen backlog.
    """
    log = log if log is not None else ServeLog()
    cap = ConnectionCap(connection_cap(max_connections), log)
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
        return asyncio.run(
            _serve(sock, bound, service, reloader, log, on_ready, proxies, health, cap)
        )


async def _serve(
    sock: socket.socket,
    bound: ListenAddress,
    service: MetadataService,
    reloader: _Reloader | DatabaseSource,
    log: ServeLog,
    on_ready: Callable[[Served, ListenAddress], None] | None,
    proxies: Proxies,
    health: Health,
    cap: ConnectionCap,
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

    state = _ServerState(service, log, health, proxies=proxies, cap=cap)
    if isinstance(reloader, DatabaseSource):
        reloader.start(service)
    application = tornado.web.Application(
        # Every target, not only paths: absolute form, `*` and CONNECT's are ours to answer.
        [(r".*", _Handler, {"state": state})],
        log_function=_log_request,
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
    server.proxies = proxies
    server.guard(cap, log)
    server.add_sockets([sock])
    if on_ready is not None:
        on_ready(service.served, bound)
    await stopping.wait()
    signame = received[0]
    log.event("stopping", f"stopping ({signame})", signal=signame)
    server.stop()
    cap.stop()
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
