"""Reading files from a release folder: a local folder, or the http(s) URL of one.

Small files (version.txt, signatures) are read into memory up to a limit; the image is
streamed to a file, up to a limit too (`--max-download`), and a partial copy is removed.
Over HTTP every socket operation has a timeout (`--timeout`), and all of one import's
transfers together have a deadline (`--deadline`): a server that sends a byte just before
each timeout would otherwise hold an import for ever. A body shorter than its
Content-Length (a server that closed early, or lied about the length) is reported as a
truncated download: it never reaches the signature check as if it were the whole file.
Redirects are followed only to the same scheme, host and port unless allowed
(`--allow-redirects`), never to anything but http(s), and the import records where each
file really came from. Only the standard library is used (urllib), so the environment's
proxy settings apply as they do for any Python program.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import os
import re
import socket
import stat
import string
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, Protocol

from configdrive import __version__
from configdrive.errors import ExitCode, OutputError, SourceError, UsageError, describe_os_error

TIMEOUT = 30.0  # seconds for connecting and for each read: a stalled server fails, slow is fine
# Seconds for all of one import's transfers: an image of 500 MB (Flatcar's are about that)
# needs 140 kB/s. A server may send a byte every few seconds, each read within TIMEOUT.
DEADLINE = 3600.0
# The most bytes a release image may take compressed. Flatcar's and CoreOS's bzip2 images
# are under 1 GiB; an endless body would otherwise fill the disk before any check.
MAX_DOWNLOAD = 4 * 1024**3
_CHUNK = 1024 * 1024
_NOT_FOUND = (404, 410)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_SIZE_PATTERN = re.compile(r"\s*([0-9]+)\s*(?:([kmgt])(?:i?b)?|b?)\s*", re.IGNORECASE)

Progress = Callable[[int, int], None]


class ReleaseFolder(Protocol):
    """Where a release's files are: `where` names one, `read_small` and `fetch` get it."""

    @property
    def location(self) -> str:
        """The folder as the user gave it (a path, or a URL ending in /)."""

    def where(self, name: str) -> str:
        """The path or URL of the file `name`, for messages."""

    def located(self, name: str) -> str:
        """Where `name` really came from (after redirects), for the import record."""

    def read_small(self, name: str, limit: int) -> bytes:
        """The whole file `name`, refused when over `limit` bytes."""

    @property
    def verb(self) -> str:
        """What `fetch` does, for a progress bar: "copying" or "downloading"."""

    def fetch(
        self, name: str, folder: Path, progress: Progress | None = None, *, limit: int = ...
    ) -> Path:
        """A private copy of `name` in `folder`, which the caller alone can write to;
        refused (and the partial copy removed) when over `limit` bytes."""


def read_optional(folder: ReleaseFolder, name: str, limit: int) -> bytes | None:
    """The whole file `name`, or None when the release has no such file."""
    try:
        return folder.read_small(name, limit)
    except SourceError as error:
        if error.missing:
            return None
        raise


def release_folder(
    text: str,
    *,
    timeout: float = TIMEOUT,
    deadline: float = DEADLINE,
    allow_redirects: bool = False,
) -> ReleaseFolder:
    """The release folder SOURCE names: an http(s) URL, or a local folder."""
    parts = urllib.parse.urlsplit(text)
    if parts.scheme in ("http", "https"):
        if parts.username is not None or parts.password is not None:
            # Refused rather than supported: the URL is printed and recorded.
            raise UsageError("SOURCE: user names and passwords in URLs are not supported")
        if not parts.hostname:
            raise UsageError(f"SOURCE {text!r} has no host name")
        if parts.query or parts.fragment:
            raise UsageError(f"SOURCE {text!r}: a release folder's URL has no query or fragment")
        base = text if text.endswith("/") else text + "/"
        return HttpFolder(base, timeout, deadline=deadline, allow_redirects=allow_redirects)
    if "://" in text:
        raise UsageError(f"SOURCE {text!r}: give a local folder or an http:// or https:// URL")
    path = Path(text)
    if not path.is_dir():
        reason = "is not a folder" if path.exists() else "no such folder"
        raise SourceError(f"{text}: {reason}")
    return LocalFolder(path)


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open an input file for reading; anything but a regular file is an OSError.

    Opened without blocking first: open() itself waits for ever on a FIFO nobody writes to,
    and a device (/dev/zero, a tty) reads for ever, so the check must come before any read
    and cannot be a stat() of the name, which someone could swap meanwhile.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except ValueError:  # a NUL in the name: Python refuses it before the system call
        raise OSError(errno.EINVAL, "the name holds a NUL character") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "is not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def parse_size(text: str, option: str) -> int:
    """A size as a person writes it: `4GiB`, `512M`, `64 KiB`, `1000` (bytes)."""
    match = _SIZE_PATTERN.fullmatch(text)
    if match is None or int(match[1]) == 0:
        raise UsageError(f"{option} {text!r}: give a size such as 4GiB, 512MiB or 1048576")
    return int(match[1]) * _SIZE_UNITS[(match[2] or "").lower()]


def size_text(size: int) -> str:
    """A size for messages: `4 GiB` when it is a whole number of a unit, else bytes."""
    for unit, factor in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor:,} {unit}"
    return f"{size:,} bytes"


@dataclass(frozen=True)
class LocalFolder:
    """A release folder on a local (or mounted) file system."""

    path: Path

    @property
    def location(self) -> str:
        """The folder, as given."""
        return str(self.path)

    def where(self, name: str) -> str:
        """The path of the file `name`."""
        return str(self.path / name)

    def located(self, name: str) -> str:
        """A local file comes from where it is."""
        return self.where(name)

    def read_small(self, name: str, limit: int) -> bytes:
        """The whole file `name`, refused when over `limit` bytes."""
        path = self.path / name
        with _open_local(path) as stream:
            try:
                data = stream.read(limit + 1)
            except OSError as error:
                raise SourceError(f"{path}: cannot read: {describe_os_error(error)}") from None
        if len(data) > limit:
            raise SourceError(f"{path}: is over {limit:,} bytes; not a {_kind(name)}")
        return data

    @property
    def verb(self) -> str:
        """Fetching from a folder is copying."""
        return "copying"

    def fetch(
        self,
        name: str,
        folder: Path,
        progress: Progress | None = None,
        *,
        limit: int = MAX_DOWNLOAD,
    ) -> Path:
        """Copy `name` into `folder`: what is checked and decompressed is then out of reach
        of whoever can write to the release folder."""
        path = self.path / name
        source = _open_local(path)
        target = folder / name
        with source, _Partial(target) as copy:
            total = os.fstat(source.fileno()).st_size
            if total > limit:
                raise SourceError(_over_limit(str(path), limit, total))
            done = 0
            while True:
                try:
                    chunk = source.read(_CHUNK)
                except OSError as error:
                    raise SourceError(f"{path}: cannot read: {describe_os_error(error)}") from None
                if not chunk:
                    break
                done += len(chunk)
                if done > limit:  # it grew while being copied
                    raise SourceError(_over_limit(str(path), limit))
                _write(copy.stream, chunk, folder)
                if progress is not None:
                    progress(done, total)
        return target


def _open_local(path: Path) -> BinaryIO:
    try:
        return open_regular(path)
    except FileNotFoundError:
        raise SourceError(f"{path}: not found", missing=True) from None
    except OSError as error:
        raise SourceError(f"{path}: cannot read: {describe_os_error(error)}") from None


class HttpFolder:
    """A release folder on a web server or mirror (`base` ends with a slash).

    The deadline starts with the first request and covers every later one: it bounds the
    whole import's network time, whatever the number of files or the server's pace.
    """

    def __init__(
        self,
        base: str,
        timeout: float = TIMEOUT,
        *,
        deadline: float = DEADLINE,
        allow_redirects: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base = base
        self.timeout = timeout
        self.deadline = deadline
        self.allow_redirects = allow_redirects
        self._clock = clock
        self._end: float | None = None
        self._located: dict[str, str] = {}

    @property
    def location(self) -> str:
        """The folder's URL."""
        return self.base

    @property
    def verb(self) -> str:
        """Fetching from a server is downloading."""
        return "downloading"

    def where(self, name: str) -> str:
        """The URL of the file `name`."""
        return self.base + urllib.parse.quote(name)

    def located(self, name: str) -> str:
        """The URL `name` was downloaded from in the end, after any redirects."""
        return self._located.get(name, self.where(name))

    def read_small(self, name: str, limit: int) -> bytes:
        """The whole file `name`, refused when over `limit` bytes."""
        body = bytearray()
        self._get(name, body.extend, limit=limit, limit_name=None)
        return bytes(body)

    def fetch(
        self,
        name: str,
        folder: Path,
        progress: Progress | None = None,
        *,
        limit: int = MAX_DOWNLOAD,
    ) -> Path:
        """Download `name` into `folder`; a short, interrupted or oversized body is an error,
        and leaves nothing behind."""
        target = folder / name
        with _Partial(target) as partial:
            self._get(
                name,
                lambda chunk: _write(partial.stream, chunk, folder),
                limit=limit,
                limit_name="--max-download",
                progress=progress,
            )
        return target

    def _get(
        self,
        name: str,
        write: Callable[[bytes], None],
        *,
        limit: int,
        limit_name: str | None,
        progress: Progress | None = None,
    ) -> None:
        url = self.where(name)
        if self._end is None:
            self._end = self._clock() + self.deadline
        watchdog = _Watchdog(self._end - self._clock())
        try:
            response = self._open(url, watchdog)
            with response:
                _copy_body(
                    response,
                    url,
                    write,
                    watchdog,
                    limit=limit,
                    limit_name=limit_name,
                    kind=_kind(name),
                    progress=progress,
                )
                if watchdog.expired:  # the watchdog's shutdown can look like a clean end
                    raise self._late(url)
                self._located[name] = response.geturl()
        except SourceError:
            raise
        except BaseException:
            if watchdog.expired:
                raise self._late(url) from None
            raise
        finally:
            watchdog.close()

    def _late(self, url: str) -> SourceError:
        return SourceError(
            f"{url}: the downloads took longer than --deadline ({self.deadline:g} seconds)",
            exit_code=ExitCode.IO_FAILURE,
        )

    def _open(self, url: str, watchdog: _Watchdog) -> http.client.HTTPResponse:
        if watchdog.expired:
            raise self._late(url)
        request = urllib.request.Request(
            url,
            headers={"User-Agent": f"mkconfigdrive/{__version__}", "Accept-Encoding": "identity"},
        )
        opener = urllib.request.build_opener(
            _HttpHandler(watchdog),
            _HttpsHandler(watchdog),
            _Redirects(url, allow_other_hosts=self.allow_redirects),
        )
        try:
            response: http.client.HTTPResponse = opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:
            error.close()
            if error.code in _NOT_FOUND:
                raise SourceError(f"{url}: not found (HTTP {error.code})", missing=True) from None
            status = f"HTTP {error.code} {_printable(str(error.reason))}".rstrip()
            if error.code >= 500:
                raise SourceError(
                    f"{url}: the server failed ({status})", exit_code=ExitCode.IO_FAILURE
                ) from None
            raise SourceError(f"{url}: the server refused it ({status})") from None
        except urllib.error.URLError as error:
            if watchdog.expired:
                raise self._late(url) from None
            reason = error.reason
            if isinstance(reason, TimeoutError):
                raise self._no_answer(url) from None
            text = describe_os_error(reason) if isinstance(reason, OSError) else str(reason)
            raise SourceError(
                f"{url}: cannot download: {_printable(text)}", exit_code=ExitCode.IO_FAILURE
            ) from None
        except TimeoutError:
            if watchdog.expired:
                raise self._late(url) from None
            raise self._no_answer(url) from None
        except (http.client.HTTPException, OSError) as error:
            if watchdog.expired:
                raise self._late(url) from None
            raise SourceError(
                f"{url}: cannot download: {_describe(error)}", exit_code=ExitCode.IO_FAILURE
            ) from None
        return response

    def _no_answer(self, url: str) -> SourceError:
        return SourceError(
            f"{url}: no answer within {self.timeout:g} seconds", exit_code=ExitCode.IO_FAILURE
        )


class _Watchdog:
    """Shuts one request's connections down when the import's deadline passes.

    The socket timeout bounds each read, not their number: a server trickling a byte a
    second keeps every read short and the transfer endless. A timer thread ends it instead,
    whether the request is connecting, reading headers or reading the body, by shutting the
    socket down (through a duplicate taken before TLS wraps it), which wakes the blocked
    read at once. The caller then sees `expired` and reports the deadline, not the symptom.
    """

    def __init__(self, remaining: float) -> None:
        self.expired = remaining <= 0
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(max(remaining, 0.0), self._expire)
        self._timer.daemon = True
        if not self.expired:
            self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        """Shut `sock` down when time is up (at once, if it is up already)."""
        duplicate = sock.dup()
        with self._lock:
            self._sockets.append(duplicate)
            if self.expired:
                _shut(duplicate)

    def close(self) -> None:
        """Stop the timer and let go of the duplicates (the connections stay as they are)."""
        self._timer.cancel()
        with self._lock:
            for duplicate in self._sockets:
                duplicate.close()
            self._sockets.clear()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for duplicate in self._sockets:
                _shut(duplicate)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # closed already, or never connected: nothing to wake
        sock.shutdown(socket.SHUT_RDWR)


class _WatchedConnection(http.client.HTTPConnection):
    """An HTTP connection whose socket its request's watchdog can shut down."""

    watchdog: _Watchdog | None = None

    def connect(self) -> None:
        """Connect (through a proxy's tunnel, if any), then hand the socket to the watchdog."""
        super().connect()
        if self.watchdog is not None:
            self.watchdog.watch(self.sock)


class _WatchedTlsConnection(http.client.HTTPSConnection, _WatchedConnection):
    """HTTPS: HTTPSConnection.connect calls _WatchedConnection.connect for the TCP part, so
    the watchdog holds the socket before the TLS handshake, which a server can trickle too."""


def _watched_open(
    handler: urllib.request.AbstractHTTPHandler,
    watchdog: _Watchdog,
    kind: type[_WatchedConnection] | type[_WatchedTlsConnection],
    req: urllib.request.Request,
) -> http.client.HTTPResponse:
    """Open `req` on a connection of `kind` that the watchdog holds from its first byte."""

    def connection(host: str, **options: Any) -> http.client.HTTPConnection:
        made = kind(host, **options)
        made.watchdog = watchdog
        return made

    return handler.do_open(connection, req)


class _HttpHandler(urllib.request.HTTPHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self._watchdog = watchdog

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return _watched_open(self, self._watchdog, _WatchedConnection, req)


class _HttpsHandler(urllib.request.HTTPSHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self._watchdog = watchdog

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return _watched_open(self, self._watchdog, _WatchedTlsConnection, req)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to the origin's scheme, host and port (or, when allowed,
    to another host over the same scheme or https), never to ftp:// or file://.

    urllib alone follows redirects to any host and to ftp://, which SOURCE itself refuses:
    a mirror could send the import anywhere, and the record would name the mirror.
    """

    def __init__(self, origin: str, *, allow_other_hosts: bool) -> None:
        super().__init__()
        self._origin = urllib.parse.urlsplit(origin)
        self._allow_other_hosts = allow_other_hosts

    def http_error_302(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
    ) -> IO[bytes] | None:
        """Check the target before urllib follows it."""
        location = headers.get("location") or headers.get("uri")
        if location is not None:
            # As urllib spells it: control characters and spaces percent-encoded.
            target = urllib.parse.urljoin(
                req.full_url,
                urllib.parse.quote(location, encoding="iso-8859-1", safe=string.punctuation),
            )
            problem = self._refusal(target)
            if problem is not None:
                fp.close()
                raise SourceError(f"{self._origin.geturl()}: the server redirects {problem}")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def _refusal(self, target: str) -> str | None:
        new = urllib.parse.urlsplit(target)
        if new.scheme not in ("http", "https"):
            return f"to {_printable(target)}; only http and https are followed"
        if new.username is not None or new.password is not None:
            return "to a URL with a user name or password; not followed"
        if _origin(new) == _origin(self._origin):
            return None
        if not self._allow_other_hosts:
            return f"to {target}, on another server; give --allow-redirects to follow it"
        if self._origin.scheme == "https" and new.scheme == "http":
            return f"to {target}, from https to http; not followed"
        return None


def _origin(parts: urllib.parse.SplitResult) -> tuple[str, str, int | None]:
    try:
        port = parts.port
    except ValueError:
        port = -1  # a port that is no number matches no origin
    return (
        parts.scheme,
        (parts.hostname or "").lower(),
        port if port is not None else _DEFAULT_PORTS.get(parts.scheme),
    )


class _Partial:
    """A new file that is removed unless the block ends without error."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.stream = _create(target)

    def __enter__(self) -> _Partial:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.stream.close()
        if kind is not None:
            # Failing that, the caller's TemporaryDirectory removes the folder it is in.
            with contextlib.suppress(OSError):
                self.target.unlink()


def _create(target: Path) -> BinaryIO:
    try:
        return target.open("xb")
    except OSError as error:
        raise OutputError(describe_os_error(error), str(target.parent)) from None


def _write(stream: BinaryIO, chunk: bytes, folder: Path) -> None:
    try:
        stream.write(chunk)
    except OSError as error:  # a full disk: the output folder's problem, not the source's
        raise OutputError(describe_os_error(error), str(folder)) from None


def _copy_body(
    response: http.client.HTTPResponse,
    url: str,
    write: Callable[[bytes], None],
    watchdog: _Watchdog,
    *,
    limit: int,
    limit_name: str | None,
    kind: str = "file",
    progress: Progress | None = None,
) -> int:
    """Pass the body to `write` chunk by chunk, never more than `limit` bytes of it; the
    length must match Content-Length. `limit_name` is the option that raises the limit."""
    expected = _content_length(response)
    if expected is not None and expected > limit:
        # Refused before a byte of the body is read.
        raise SourceError(_over_limit(url, limit, expected, limit_name=limit_name, kind=kind))
    done = 0
    while True:
        try:
            chunk = response.read(_CHUNK)
        except (http.client.HTTPException, OSError) as error:
            if watchdog.expired:
                raise
            # A reset, a timeout in mid-body, a broken chunked encoding: the file is incomplete.
            of = f" of {expected:,}" if expected is not None else ""
            raise SourceError(
                f"{url}: the download was interrupted after {done:,}{of} bytes ({_describe(error)})"
            ) from None
        if not chunk:
            break
        done += len(chunk)
        if done > limit:  # an endless body, or more than its Content-Length said
            raise SourceError(_over_limit(url, limit, limit_name=limit_name, kind=kind))
        write(chunk)
        if progress is not None and expected is not None:  # no bar for an unknown length
            progress(done, expected)
    if watchdog.expired:
        return done  # the caller reports the deadline
    if expected is not None and done != expected:
        raise SourceError(
            f"{url}: the download is truncated: {done:,} of {expected:,} bytes arrived"
        )
    return done


def _over_limit(
    where: str,
    limit: int,
    size: int | None = None,
    *,
    limit_name: str | None = "--max-download",
    kind: str = "file",
) -> str:
    if limit_name is None:  # a small file: its limit is what such a file can be
        if size is not None:
            return f"{where}: is {size:,} bytes, over {limit:,}; not a {kind}"
        return f"{where}: is over {limit:,} bytes; not a {kind}"
    what = f"is {size:,} bytes, over" if size is not None else "is over"
    return f"{where}: {what} the {limit_name} limit of {size_text(limit)}"


def _content_length(response: http.client.HTTPResponse) -> int | None:
    value = response.getheader("Content-Length")
    if value is None or not (value.strip().isascii() and value.strip().isdigit()):
        return None
    return int(value)


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, OSError):
        return _printable(describe_os_error(error))
    text = _printable(str(error))
    return type(error).__name__ if not text else f"{type(error).__name__}: {text}"


def _printable(text: str) -> str:
    """`text` with anything a terminal would act on shown as an escape: a server's words
    (a reason phrase, an exception's bytes) reach the user's terminal in messages."""
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )


def _kind(name: str) -> str:
    if name.endswith((".sig", ".asc")):
        return "signature"
    return "version file" if name.endswith(".txt") else "small file"
