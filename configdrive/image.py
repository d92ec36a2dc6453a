"""Importing a release image: fetch it, check its signature, decompress it, label it.

The order is the point. The compressed image is first copied or downloaded into a private
folder (mode 0700) inside the output folder. Nothing is decompressed or kept before the
detached signature over that copy has been checked against the user's keys (and only
theirs: see `configdrive.gpg`), and the bytes decompressed are proven to be the bytes
checked: both passes hash them, and a difference stops the import. The image and its JSON
record then appear in the output folder together, whole, or not at all.

    from configdrive.image import import_image
    result = import_image("https://stable.release.flatcar-linux.net/amd64-usr/current/",
                          ["Flatcar_Image_Signing_Key.asc"], "images/",
                          image="flatcar_production_openstack_image.img.bz2")
    print(result.path, result.version.version, result.signature.fingerprint)
"""

from __future__ import annotations

import bz2
import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from configdrive import __version__
from configdrive.atomic import atomic_output, check_output
from configdrive.errors import ConfigDriveError, ExitCode, OutputError, UsageError
from configdrive.fetch import TIMEOUT, ReleaseFolder, SourceError, read_optional, release_folder
from configdrive.gpg import (
    MAX_SIGNATURE,
    Signature,
    TrustedKeys,
    VerificationError,
    utc_text,
)
from configdrive.load import describe_os_error

DEFAULT_IMAGE = "coreos_production_openstack_image.img.bz2"
VERSION_FILE = "version.txt"
MAX_VERSION_FILE = 64 * 1024
IMAGE_MODE = 0o644  # a release image and its record are public, unlike a config drive
# The keys a Container Linux release's version.txt names its version with, best first.
VERSION_KEYS = (
    "FLATCAR_VERSION",
    "COREOS_VERSION",
    "FLATCAR_VERSION_ID",
    "COREOS_VERSION_ID",
    "VERSION",
    "VERSION_ID",
)
# The version becomes part of a file name: no slashes, no dot-dot, nothing a shell expands.
_VERSION_PATTERN = re.compile(r"[0-9A-Za-z][0-9A-Za-z._+~-]{0,99}")
_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,199}")
_KEY_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CHUNK = 1024 * 1024  # read, hash and decompress 1 MiB at a time
_DECOMPRESS_CHUNK = 64 * 1024
_SPARSE_BLOCK = 64 * 1024
_ZERO_BLOCK = bytes(_SPARSE_BLOCK)

# (phase, done, total): phase is "downloading" (or "copying"), "verifying", "decompressing".
Progress = Callable[[str, int, int], None]


class ImageError(ConfigDriveError):
    """A release is unusable: no version, a damaged archive, a file that changed meanwhile."""

    def __init__(self, message: str, *, exit_code: ExitCode = ExitCode.INVALID_INPUT) -> None:
        self.exit_code = exit_code
        super().__init__(message)


@dataclass(frozen=True)
class ReleaseVersion:
    """What a release's version.txt says, and whether its signature was checked too."""

    version: str
    fields: dict[str, str]
    signed: bool


@dataclass(frozen=True)
class CheckedFile:
    """A file whose detached signature was checked, and the digest of the bytes checked."""

    size: int
    sha256: str
    signature: Signature


@dataclass(frozen=True)
class VerifyResult:
    """A good signature over a file."""

    path: Path
    signature_path: Path
    size: int
    sha256: str
    signature: Signature

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form for --json."""
        return {
            "path": str(self.path),
            "signature_file": str(self.signature_path),
            "size": self.size,
            "sha256": self.sha256,
            "signature": self.signature.to_json(),
        }


@dataclass(frozen=True)
class ImportResult:
    """An imported image: where it is, what it is, who signed it. `to_json` is its record."""

    path: Path
    record: Path
    size: int
    sha256: str
    version: ReleaseVersion
    source: str
    file_name: str
    file_url: str
    file_size: int
    file_sha256: str
    signature_url: str
    signature: Signature
    imported_at: str
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The record written beside the image (and the --json summary)."""
        return {
            "image": self.path.name,
            "size": self.size,
            "sha256": self.sha256,
            "version": self.version.version,
            "version_txt": self.version.fields,
            "version_signed": self.version.signed,
            "source": self.source,
            "file": {
                "name": self.file_name,
                "location": self.file_url,
                "size": self.file_size,
                "sha256": self.file_sha256,
            },
            "signature": {"location": self.signature_url, **self.signature.to_json()},
            "imported_at": self.imported_at,
            "imported_by": f"mkconfigdrive {__version__}",
        }


def import_image(
    source: str | os.PathLike[str],
    keys: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    image: str = DEFAULT_IMAGE,
    name: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
    timeout: float = TIMEOUT,
    clock: Callable[[], float] = time.time,
) -> ImportResult:
    """Import `image` from the release folder `source` into `out_dir` as NAME-VERSION.img.

    Raises ImageError, SourceError or VerificationError (exit code 1; the message ends
    with "nothing was kept"), OutputError when the output folder cannot take the image,
    UsageError for bad arguments.
    """
    _check_file_name(image, "--image")
    if not image.endswith(".bz2"):
        raise UsageError(f"--image {image!r}: only bzip2-compressed images (.bz2) are supported")
    stem = name if name is not None else _stem(image)
    if not _NAME_PATTERN.fullmatch(stem):
        raise UsageError(f"--name {stem!r}: use letters, digits, '.', '_', '+' and '-' only")
    out = Path(out_dir)
    _check_folder(out)
    folder = release_folder(os.fspath(source), timeout=timeout)
    try:
        with TrustedKeys(keys) as trusted:
            return _import(folder, trusted, out, image, stem, force, progress, clock)
    except (ImageError, SourceError, VerificationError) as error:
        raise type(error)(f"{error}; nothing was kept", exit_code=error.exit_code) from None


def verify_image(
    file: str | os.PathLike[str],
    keys: Sequence[str | os.PathLike[str]],
    *,
    signature: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> VerifyResult:
    """Check the detached signature of `file` (default: FILE.sig) against `keys` only."""
    path = Path(file)
    signature_path = Path(signature) if signature is not None else Path(f"{path}.sig")
    with TrustedKeys(keys) as trusted:
        signature_bytes = _read_local(signature_path, MAX_SIGNATURE)
        checked = check_file(
            trusted,
            path,
            signature_bytes,
            data_name=str(path),
            signature_name=str(signature_path),
            progress=progress,
        )
    return VerifyResult(path, signature_path, checked.size, checked.sha256, checked.signature)


def parse_version_txt(data: bytes, where: str) -> dict[str, str]:
    """The KEY=VALUE fields of a release's version.txt (a shell-sourceable file)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ImageError(f"{where}: is not UTF-8 text") from None
    fields: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, separator, value = line.removeprefix("export ").partition("=")
        if not separator or not _KEY_PATTERN.fullmatch(key):
            raise ImageError(f"{where}:{number}: is not a KEY=VALUE line")
        fields[key] = _unquote(value.strip())
    return fields


def release_version(fields: dict[str, str], where: str, *, signed: bool) -> ReleaseVersion:
    """The version a release's fields name, checked to be safe in a file name."""
    for key in VERSION_KEYS:
        value = fields.get(key, "")
        if not value:
            continue
        if not _VERSION_PATTERN.fullmatch(value):
            shown = value if value.isprintable() and len(value) <= 60 else "the value"
            raise ImageError(f"{where}: {key}={shown!r} is not a version")
        return ReleaseVersion(value, fields, signed)
    raise ImageError(f"{where}: has no version (no {' or '.join(VERSION_KEYS[:2])} line)")


def check_file(
    trusted: TrustedKeys,
    path: Path,
    signature: bytes,
    *,
    data_name: str,
    signature_name: str,
    progress: Callable[[int, int], None] | None = None,
) -> CheckedFile:
    """Check `signature` over the file at `path`, hashing exactly the bytes GnuPG checks."""
    digest = hashlib.sha256()
    done = 0
    try:
        stream = path.open("rb")
    except OSError as error:
        raise SourceError(f"{data_name}: cannot read: {describe_os_error(error)}") from None
    with stream:
        total = os.fstat(stream.fileno()).st_size

        def chunks() -> Iterator[bytes]:
            nonlocal done
            for chunk in file_chunks(stream):
                digest.update(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
                yield chunk

        verdict = trusted.verify(
            signature, chunks(), data_name=data_name, signature_name=signature_name
        )
    return CheckedFile(done, digest.hexdigest(), verdict)


def _import(
    folder: ReleaseFolder,
    trusted: TrustedKeys,
    out: Path,
    image: str,
    stem: str,
    force: bool,
    progress: Progress | None,
    clock: Callable[[], float],
) -> ImportResult:
    version = _fetch_version(folder, trusted)
    target = out / f"{stem}-{version.version}.img"
    record = out / f"{target.name}.json"
    check_output(target, force=force)
    check_output(record, force=force)
    signature_name = f"{image}.sig"
    signature = folder.read_small(signature_name, MAX_SIGNATURE)
    with tempfile.TemporaryDirectory(prefix=".mkconfigdrive-import-", dir=out) as work:
        compressed = folder.fetch(image, Path(work), _phase(progress, folder.verb))
        checked = check_file(
            trusted,
            compressed,
            signature,
            data_name=folder.where(image),
            signature_name=folder.where(signature_name),
            progress=_phase(progress, "verifying"),
        )
        warnings = () if version.signed else (_UNSIGNED_VERSION.format(VERSION_FILE),)

        def describe(size: int, sha256: str) -> ImportResult:
            return ImportResult(
                path=target,
                record=record,
                size=size,
                sha256=sha256,
                version=version,
                source=folder.location,
                file_name=image,
                file_url=folder.where(image),
                file_size=checked.size,
                file_sha256=checked.sha256,
                signature_url=folder.where(signature_name),
                signature=checked.signature,
                imported_at=utc_text(int(clock())),
                warnings=warnings,
            )

        return _write_image(
            compressed, checked, target, record, describe, force, folder.where(image), progress
        )


_UNSIGNED_VERSION = (
    "{0} has no signature ({0}.sig) in the release folder: the version in the image's "
    "name is as trustworthy as the source, not the signing key"
)


def _fetch_version(folder: ReleaseFolder, trusted: TrustedKeys) -> ReleaseVersion:
    """version.txt, checked against version.txt.sig too when the release has one."""
    where = folder.where(VERSION_FILE)
    data = folder.read_small(VERSION_FILE, MAX_VERSION_FILE)
    signature = read_optional(folder, f"{VERSION_FILE}.sig", MAX_SIGNATURE)
    if signature is not None:
        trusted.verify(
            signature, [data], data_name=where, signature_name=folder.where(f"{VERSION_FILE}.sig")
        )
    return release_version(parse_version_txt(data, where), where, signed=signature is not None)


def _write_image(
    compressed: Path,
    checked: CheckedFile,
    target: Path,
    record: Path,
    describe: Callable[[int, str], ImportResult],
    force: bool,
    name: str,
    progress: Progress | None,
) -> ImportResult:
    """Decompress into `target` and write the record: both appear, or neither."""
    placed = False
    try:
        with atomic_output(record, force=force, mode=IMAGE_MODE) as record_stream:
            with atomic_output(target, force=force, mode=IMAGE_MODE) as image_stream:
                size, sha256 = _decompress_checked(
                    compressed, checked, image_stream, name, _phase(progress, "decompressing")
                )
            placed = True
            result = describe(size, sha256)
            record_stream.write(json.dumps(result.to_json(), indent=2).encode() + b"\n")
    except BaseException:
        if placed:  # the record failed after the image moved into place: take it back
            with contextlib.suppress(OSError):
                target.unlink()
        raise
    return result


def _decompress_checked(
    compressed: Path,
    checked: CheckedFile,
    sink: BinaryIO,
    name: str,
    progress: Callable[[int, int], None] | None,
) -> tuple[int, str]:
    """Decompress into `sink`; the compressed bytes must hash as they did when checked."""
    compressed_digest = hashlib.sha256()
    output_digest = hashlib.sha256()
    writer = SparseWriter(sink)
    done = 0
    try:
        stream = compressed.open("rb")
    except OSError as error:
        raise SourceError(f"{name}: cannot read: {describe_os_error(error)}") from None
    with stream:

        def chunks() -> Iterator[bytes]:
            nonlocal done
            # Small reads: 64 KiB of a disk's empty space can expand to gigabytes.
            for chunk in file_chunks(stream, chunk_size=_DECOMPRESS_CHUNK):
                compressed_digest.update(chunk)
                done += len(chunk)
                yield chunk

        try:
            # An OSError (a full disk) reaches atomic_output, which reports it for the target.
            for piece in bunzip2(chunks()):
                output_digest.update(piece)
                writer.write(piece)
                if progress is not None:
                    progress(done, checked.size)
        except ValueError as error:
            raise ImageError(f"{name}: is not a valid bzip2 file ({error})") from None
    if done != checked.size or compressed_digest.hexdigest() != checked.sha256:
        raise ImageError(f"{name}: changed after its signature was checked")
    writer.finish()
    return writer.size, output_digest.hexdigest()


def bunzip2(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Decompress bzip2 data as it arrives, in pieces of at most 1 MiB.

    Handles concatenated streams (pbzip2 and lbzip2 write them) and, like bunzip2, ignores
    trailing garbage after a complete stream. Raises ValueError for data that is not bzip2.
    """
    decompressor = bz2.BZ2Decompressor()
    streams = 0
    started = False
    trailing = False
    for chunk in chunks:
        data = chunk
        while not trailing:
            if decompressor.eof:
                streams += 1
                data = decompressor.unused_data + data
                decompressor = bz2.BZ2Decompressor()
                started = False
            if not data and (not started or decompressor.needs_input):
                break
            try:
                piece = decompressor.decompress(data, _CHUNK)
            except OSError as error:
                if streams and not started:
                    trailing = True  # what follows the last stream is not bzip2: ignored
                    break
                raise ValueError(str(error) or "invalid data") from None
            started = started or bool(data)
            data = b""
            if piece:
                yield piece
    if decompressor.eof:
        streams += 1
    if started and not decompressor.eof:
        raise ValueError("the compressed data ends early")
    if not streams:
        raise ValueError("it is empty")


class SparseWriter:
    """Writes blocks of zeros as holes: raw disk images are mostly empty space."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.size = 0

    def write(self, data: bytes) -> None:
        """Append `data`, seeking over whole blocks of zeros instead of writing them."""
        view = memoryview(data)
        for start in range(0, len(view), _SPARSE_BLOCK):
            block = view[start : start + _SPARSE_BLOCK]
            if len(block) == _SPARSE_BLOCK and block == _ZERO_BLOCK:
                self._stream.seek(_SPARSE_BLOCK, os.SEEK_CUR)
            else:
                self._stream.write(block)
            self.size += len(block)

    def finish(self) -> None:
        """Give the file its full length, even when it ends in a hole."""
        self._stream.truncate(self.size)


def file_chunks(stream: BinaryIO, *, chunk_size: int = _CHUNK) -> Iterator[bytes]:
    """The rest of an open binary file, 1 MiB at a time."""
    while chunk := stream.read(chunk_size):
        yield chunk


def _phase(progress: Progress | None, phase: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None

    def report(done: int, total: int) -> None:
        progress(phase, done, total)

    return report


def _check_folder(out: Path) -> None:
    if not out.is_dir():
        reason = "is not a folder" if out.exists() else "the folder does not exist"
        raise OutputError(reason, str(out))
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError("the folder is not writable", str(out))


def _check_file_name(name: str, option: str) -> None:
    if not _NAME_PATTERN.fullmatch(name):
        raise UsageError(f"{option} {name!r}: give a file name in the release folder, not a path")


def _stem(image: str) -> str:
    """`coreos_production_openstack_image.img.bz2` -> `coreos_production_openstack_image`."""
    base = image.removesuffix(".bz2")
    stem, dot, _extension = base.rpartition(".")
    return stem if dot and stem else base


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _read_local(path: Path, limit: int) -> bytes:
    try:
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
    except OSError as error:
        raise SourceError(f"{path}: cannot read: {describe_os_error(error)}") from None
    if len(data) > limit:
        raise VerificationError(f"{path}: is over {limit:,} bytes; not a detached signature")
    return data
