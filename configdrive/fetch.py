"""Reading files from a release folder: a local folder, or the http(s) URL of one.

Small files (version.txt, signatures) are read into memory up to a limit; the image is
streamed to a file. Over HTTP every socket operation has a timeout, and a body shorter than
its Content-Length (a server that closed early, or lied about the length) is reported as a
truncated download: it never reaches the signature check as if it were the whole file.
Only the standard library is used (urllib), so the environment's proxy settings apply as
they do for any Python program.
"""

from __future__ import annotations

import http.client
import os
import stat
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from configdrive import __version__
from configdrive.errors import ConfigDriveError, ExitCode, OutputError, UsageError
from configdrive.load import describe_os_error

TIMEOUT = 30.0  # seconds for connecting and for each read: a stalled server fails, slow is fine
_CHUNK = 1024 * 1024
_NOT_FOUND = (404, 410)

Progress = Callable[[int, int], None]


class SourceError(ConfigDriveError):
    """A release file is missing, unreadable or truncated (exit 1), or its server failed (3).

    `missing` tells a file that does not exist from one that could not be read.
    """

    def __init__(
        self, message: str, *, exit_code: ExitCode = ExitCode.INVALID_INPUT, missing: bool = False
    ) -> None:
        self.exit_code = exit_code
        self.missing = missing
        super().__init__(message)


class ReleaseFolder(Protocol):
    """Where a release's files are: `where` names one, `read_small` and `fetch` get it."""

    @property
    def location(self) -> str:
        """The folder as the user gave it (a path, or a URL ending in /)."""

    def where(self, name: str) -> str:
        """The path or URL of the file `name`, for messages and the import record."""

    def read_small(self, name: str, limit: int) -> bytes:
        """The whole file `name`, refused when over `limit` bytes."""

    @property
    def verb(self) -> str:
        """What `fetch` does, for a progress bar: "copying" or "downloading"."""

    def fetch(self, name: str, folder: Path, progress: Progress | None = None) -> Path:
        """A private copy of `name` in `folder`, which the caller alone can write to."""


def read_optional(folder: ReleaseFolder, name: str, limit: int) -> bytes | None:
    """The whole file `name`, or None when the release has no such file."""
    try:
        return folder.read_small(name, limit)
    except SourceError as error:
        if error.missing:
            return None
        raise


def release_folder(text: str, *, timeout: float = TIMEOUT) -> ReleaseFolder:
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
        return HttpFolder(text if text.endswith("/") else text + "/", timeout)
    if "://" in text:
        raise UsageError(f"SOURCE {text!r}: give a local folder or an http:// or https:// URL")
    path = Path(text)
    if not path.is_dir():
        reason = "is not a folder" if path.exists() else "no such folder"
        raise SourceError(f"{text}: {reason}")
    return LocalFolder(path)


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

    def read_small(self, name: str, limit: int) -> bytes:
        """The whole file `name`, refused when over `limit` bytes."""
        path = self.path / name
        try:
            with path.open("rb") as stream:
                data = stream.read(limit + 1)
        except FileNotFoundError:
            raise SourceError(f"{path}: not found", missing=True) from None
        except OSError as error:
            raise SourceError(f"{path}: cannot read: {describe_os_error(error)}") from None
        if len(data) > limit:
            raise SourceError(f"{path}: is over {limit:,} bytes; not a {_kind(name)}")
        return data

    @property
    def verb(self) -> str:
        """Fetching from a folder is copying."""
        return "copying"

    def fetch(self, name: str, folder: Path, progress: Progress | None = None) -> Path:
        """Copy `name` into `folder`: what is checked and decompressed is then out of reach
        of whoever can write to the release folder."""
        path = self.path / name
        try:
            source = path.open("rb")
        except FileNotFoundError:
            raise SourceError(f"{path}: not found", missing=True) from None
        except OSError as error:
            raise SourceError(f"{path}: cannot read: {describe_os_error(error)}") from None
        target = folder / name
        with source, _create(target) as copy:
            if not stat.S_ISREG(os.fstat(source.fileno()).st_mode):
                raise SourceError(f"{path}: is not a regular file")
            total = os.fstat(source.fileno()).st_size
            done = 0
            while True:
                try:
                    chunk = source.read(_CHUNK)
                except OSError as error:
                    raise SourceError(f"{path}: cannot read: {describe_os_error(error)}") from None
                if not chunk:
                    break
                _write(copy, chunk, folder)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
        return target


@dataclass(frozen=True)
class HttpFolder:
    """A release folder on a web server or mirror (`base` ends with a slash)."""

    base: str
    timeout: float = TIMEOUT

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

    def read_small(self, name: str, limit: int) -> bytes:
        """The whole file `name`, refused when over `limit` bytes."""
        url = self.where(name)
        response = self._open(url)
        body = bytearray()
        with response:
            _copy_body(response, url, body.extend, limit=limit, kind=_kind(name))
        return bytes(body)

    def fetch(self, name: str, folder: Path, progress: Progress | None = None) -> Path:
        """Download `name` into `folder`; a short or interrupted body is an error."""
        url = self.where(name)
        target = folder / name
        response = self._open(url)
        with response, _create(target) as stream:
            _copy_body(
                response, url, lambda chunk: _write(stream, chunk, folder), progress=progress
            )
        return target

    def _open(self, url: str) -> http.client.HTTPResponse:
        request = urllib.request.Request(
            url,
            headers={"User-Agent": f"mkconfigdrive/{__version__}", "Accept-Encoding": "identity"},
        )
        try:
            response: http.client.HTTPResponse = urllib.request.urlopen(
                request, timeout=self.timeout
            )
        except urllib.error.HTTPError as error:
            error.close()
            if error.code in _NOT_FOUND:
                raise SourceError(f"{url}: not found (HTTP {error.code})", missing=True) from None
            status = f"HTTP {error.code} {error.reason}".rstrip()
            if error.code >= 500:
                raise SourceError(
                    f"{url}: the server failed ({status})", exit_code=ExitCode.IO_FAILURE
                ) from None
            raise SourceError(f"{url}: the server refused it ({status})") from None
        except urllib.error.URLError as error:
            reason = error.reason
            text = describe_os_error(reason) if isinstance(reason, OSError) else str(reason)
            raise SourceError(
                f"{url}: cannot download: {text}", exit_code=ExitCode.IO_FAILURE
            ) from None
        except TimeoutError:
            raise SourceError(
                f"{url}: no answer within {self.timeout:g} seconds", exit_code=ExitCode.IO_FAILURE
            ) from None
        except (http.client.HTTPException, OSError) as error:
            raise SourceError(
                f"{url}: cannot download: {_describe(error)}", exit_code=ExitCode.IO_FAILURE
            ) from None
        return response


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
    *,
    limit: int | None = None,
    kind: str = "file",
    progress: Progress | None = None,
) -> int:
    """Pass the body to `write` chunk by chunk; the length must match Content-Length."""
    expected = _content_length(response)
    if limit is not None and expected is not None and expected > limit:
        raise SourceError(f"{url}: is {expected:,} bytes, over {limit:,}; not a {kind}")
    done = 0
    while True:
        try:
            chunk = response.read(_CHUNK)
        except (http.client.HTTPException, OSError) as error:
            # A reset, a timeout in mid-body, a broken chunked encoding: the file is incomplete.
            of = f" of {expected:,}" if expected is not None else ""
            raise SourceError(
                f"{url}: the download was interrupted after {done:,}{of} bytes ({_describe(error)})"
            ) from None
        if not chunk:
            break
        done += len(chunk)
        if limit is not None and done > limit:
            raise SourceError(f"{url}: is over {limit:,} bytes; not a {kind}")
        write(chunk)
        if progress is not None and expected is not None:  # no bar for an unknown length
            progress(done, expected)
    if expected is not None and done != expected:
        raise SourceError(
            f"{url}: the download is truncated: {done:,} of {expected:,} bytes arrived"
        )
    return done


def _content_length(response: http.client.HTTPResponse) -> int | None:
    value = response.getheader("Content-Length")
    if value is None or not (value.strip().isascii() and value.strip().isdigit()):
        return None
    return int(value)


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, OSError):
        return describe_os_error(error)
    return type(error).__name__ if not str(error) else f"{type(error).__name__}: {error}"


def _kind(name: str) -> str:
    if name.endswith((".sig", ".asc")):
        return "signature"
    return "version file" if name.endswith(".txt") else "small file"
