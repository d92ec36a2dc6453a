"""Importing a release image: fetch it, check its signature, decompress it, label it.

The order is the point. The compressed image is first copied or downloaded into a private
folder (mode 0700) inside the output folder. Nothing is decompressed or kept before the
detached signature over that copy has been checked against the user's keys (and only
theirs: see `configdrive.distro.gpg`), and the bytes decompressed are proven to be the bytes
checked: both passes hash them, and a difference stops the import. The image and its JSON
record then appear in the output folder together, whole, or not at all.

Every part is bounded: the download's size (MAX_DOWNLOAD) and time (DEADLINE, in
configdrive.distro.fetch), the decompressed size (MAX_IMAGE_SIZE); and a version.txt is taken to
label the image only when both were signed by one key within MAX_SIGNING_GAP of each other
(see the comment above _fetch_version for what that shows, and what nothing can).

    from configdrive.distro.image import import_image
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
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from configdrive import __version__
from configdrive.distro.fetch import (
    DEADLINE,
    MAX_DOWNLOAD,
    TIMEOUT,
    ReleaseFolder,
    open_regular,
    read_optional,
    release_folder,
    size_text,
)
from configdrive.distro.gpg import (
    MAX_SIGNATURE,
    Signature,
    TrustedKeys,
    utc_text,
)
from configdrive.errors import (
    ImageError,
    OutputError,
    SourceError,
    UsageError,
    VerificationError,
    describe_os_error,
)
from configdrive.formats.atomic import atomic_output, check_output

DEFAULT_IMAGE = "coreos_production_openstack_image.img.bz2"
VERSION_FILE = "version.txt"
MAX_VERSION_FILE = 64 * 1024
IMAGE_MODE = 0o644  # a release image and its record are public, unlike a config drive
# The most an image may decompress to. Flatcar's disk layouts (flatcar/scripts,
# build_library/disk_layout.json) make disks of 8.4 GB (the generic image), 13.1 GB (the
# "vm" layout: openstack, qemu_uefi, vmware) and 32.6 GB (azure), mostly holes; twice the
# largest. A signed bzip2 file of 2 KB can still hold 2 GiB, and a signature says who made
# a file, not that it is sane.
MAX_IMAGE_SIZE = 64 * 1024**3
# The most time between the signatures of version.txt and of the image (see _check_pair).
MAX_SIGNING_GAP = 7 * 24 * 3600
_MAX_SECONDS = 365 * 24 * 3600  # for --timeout and --deadline: a year is "no limit" enough
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


@dataclass(frozen=True)
class ReleaseVersion:
    """What a release's version.txt says, and whether its signature was checked too."""

    version: str
    fields: dict[str, str]
    signed: bool
    signature: Signature | None = None  # when signed: who signed version.txt, and when
    signature_url: str = ""


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
    version_url: str = ""

    def to_json(self) -> dict[str, Any]:
        """The record written beside the image (and the --json summary)."""
        return {
            "image": self.path.name,
            "size": self.size,
            "sha256": self.sha256,
            "version": self.version.version,
            "version_txt": self.version.fields,
            "version_signed": self.version.signed,
            "version_location": self.version_url,
            "version_signature": (
                {"location": self.version.signature_url, **self.version.signature.to_json()}
                if self.version.signature is not None
                else None
            ),
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
    deadline: float = DEADLINE,
    max_download: int = MAX_DOWNLOAD,
    max_image_size: int = MAX_IMAGE_SIZE,
    max_signing_gap: float = MAX_SIGNING_GAP,
    allow_redirects: bool = False,
    clock: Callable[[], float] = time.time,
) -> ImportResult:
    """Import `image` from the release folder `source` into `out_dir` as NAME-VERSION.img.

    `timeout` bounds each connection and read, `deadline` all of the import's transfers
    together (seconds); `max_download` the compressed image and `max_image_size` the
    decompressed one (bytes); `max_signing_gap` the seconds between the signatures of
    version.txt and of the image. Redirects to another host are followed only with
    `allow_redirects` (never to anything but http or https).

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
    for value, option in ((max_download, "--max-download"), (max_image_size, "--max-image-size")):
        if value <= 0:
            raise UsageError(f"{option} must be more than 0 bytes")
    for seconds, option in ((timeout, "--timeout"), (deadline, "--deadline")):
        # NaN fails both tests; sockets and timers refuse more than their clocks hold.
        if not 0 < seconds <= _MAX_SECONDS:
            raise UsageError(f"{option} must be more than 0 and at most {_MAX_SECONDS:,} seconds")
    if not max_signing_gap >= 0:
        raise UsageError("--signing-gap must be 0 or more")
    folder = release_folder(
        os.fspath(source), timeout=timeout, deadline=deadline, allow_redirects=allow_redirects
    )
    limits = _Limits(max_download, max_image_size, max_signing_gap)
    try:
        with TrustedKeys(keys) as trusted:
            return _import(folder, trusted, out, image, stem, force, progress, clock, limits)
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


def release_version(
    fields: dict[str, str],
    where: str,
    *,
    signed: bool,
    signature: Signature | None = None,
    signature_url: str = "",
) -> ReleaseVersion:
    """The version a release's fields name, checked to be safe in a file name."""
    for key in VERSION_KEYS:
        value = fields.get(key, "")
        if not value:
            continue
        if not _VERSION_PATTERN.fullmatch(value):
            shown = value if value.isprintable() and len(value) <= 60 else "the value"
            raise ImageError(f"{where}: {key}={shown!r} is not a version")
        return ReleaseVersion(value, fields, signed, signature, signature_url)
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
        stream = open_regular(path)
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


@dataclass(frozen=True)
class _Limits:
    max_download: int
    max_image_size: int
    max_signing_gap: float


def _import(
    folder: ReleaseFolder,
    trusted: TrustedKeys,
    out: Path,
    image: str,
    stem: str,
    force: bool,
    progress: Progress | None,
    clock: Callable[[], float],
    limits: _Limits,
) -> ImportResult:
    version = _fetch_version(folder, trusted)
    target = out / f"{stem}-{version.version}.img"
    record = out / f"{target.name}.json"
    check_output(target, force=force)
    check_output(record, force=force)
    signature_name = f"{image}.sig"
    signature = folder.read_small(signature_name, MAX_SIGNATURE)
    with tempfile.TemporaryDirectory(prefix=".mkconfigdrive-import-", dir=out) as work:
        compressed = folder.fetch(
            image, Path(work), _phase(progress, folder.verb), limit=limits.max_download
        )
        checked = check_file(
            trusted,
            compressed,
            signature,
            data_name=folder.where(image),
            signature_name=folder.where(signature_name),
            progress=_phase(progress, "verifying"),
        )
        _check_pair(
            version,
            checked.signature,
            (folder.where(f"{VERSION_FILE}.sig"), folder.where(signature_name)),
            max_gap=limits.max_signing_gap,
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
                file_url=folder.located(image),
                file_size=checked.size,
                file_sha256=checked.sha256,
                signature_url=folder.located(signature_name),
                signature=checked.signature,
                imported_at=utc_text(int(clock())),
                warnings=warnings,
                version_url=folder.located(VERSION_FILE),
            )

        return _write_image(
            compressed,
            checked,
            target,
            record,
            describe,
            force,
            folder.where(image),
            progress,
            limits.max_image_size,
        )


_UNSIGNED_VERSION = (
    "{0} has no signature ({0}.sig) in the release folder: the version in the image's "
    "name is as trustworthy as the source, not the signing key"
)

# How a release's version.txt relates to its image, and what ties the two (issue 12).
#
# CoreOS's and Flatcar's "Notes for distributors" say each release folder's version.txt
# holds "version information for the files in that directory", and recommend reading
# current/version.txt, then fetching the image from the folder named after its
# COREOS_VERSION_ID. Flatcar's build (flatcar/scripts) writes version.txt beside the image
# (build_image: FLATCAR_BUILD, _BRANCH, _PATCH, _VERSION, _VERSION_ID, _BUILD_ID,
# _SDK_VERSION), then signs every artifact on its own (ci-automation's sign_artifacts: one
# detached FILE.sig per file) and writes one FILE.DIGESTS per file (create_digests: the
# MD5, SHA1 and SHA512 of that one file under its base name, clear-signed as .DIGESTS.asc).
#
# So the tie is the folder, and the folder is the server's word: no signed statement names
# both a version and an image. The image's signature covers its bytes, not its name or its
# folder; version.txt's covers the version, not the image; a DIGESTS file restates one
# file's hash under a name that carries no version (flatcar_production_openstack_image.
# img.bz2 in every release), so it adds nothing the .sig does not. The version inside the
# image (/usr/lib/os-release, /usr/share/flatcar/release) is signed with it, but it lies in
# a zstd-compressed btrfs partition (USR-A), beyond what a bounded reader here can open.
#
# What is checked, and what each check shows:
# - each signature is good and made by one of the given keys: a guarantee, per file;
# - both are made by the same primary key: a guarantee about the signatures; a release is
#   signed by one key, so a pair across a key rotation is refused;
# - both were made within `max_signing_gap` (7 days) of each other: the signing time is in
#   the signed data, so a mirror cannot move it. A build signs its files within hours, and
#   a channel's releases come weeks apart, so a pair from two of them is refused. Evidence,
#   not proof: two builds signed within the gap (alpha and beta built the same week) pass;
# - a folder named like a version (.../amd64-usr/3815.2.0/) holds that version: the
#   server's word; it catches mix-ups, not attacks.
# No check here can show that the signer meant this version.txt for this image.
_VERSIONED_FOLDER = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")


def _fetch_version(folder: ReleaseFolder, trusted: TrustedKeys) -> ReleaseVersion:
    """version.txt, checked against version.txt.sig too when the release has one."""
    where = folder.where(VERSION_FILE)
    data = folder.read_small(VERSION_FILE, MAX_VERSION_FILE)
    signature_name = f"{VERSION_FILE}.sig"
    signature = read_optional(folder, signature_name, MAX_SIGNATURE)
    verdict = None
    if signature is not None:
        verdict = trusted.verify(
            signature, [data], data_name=where, signature_name=folder.where(signature_name)
        )
    version = release_version(
        parse_version_txt(data, where),
        where,
        signed=verdict is not None,
        signature=verdict,
        signature_url=folder.located(signature_name) if verdict is not None else "",
    )
    _check_folder_name(folder.location, version, where)
    return version


def _check_folder_name(location: str, version: ReleaseVersion, where: str) -> None:
    """A folder named like a version must hold that version (.../3815.2.0/version.txt)."""
    path = urllib.parse.urlsplit(location).path if "://" in location else location
    name = path.rstrip("/").rpartition("/")[2]
    if not _VERSIONED_FOLDER.fullmatch(name):
        return
    named = {version.fields.get(key, "") for key in VERSION_KEYS}
    if name not in named:
        raise ImageError(
            f"{where}: says version {version.version}, but its folder is named {name}: "
            "the version cannot be shown to label this release's files"
        )


def _check_pair(
    version: ReleaseVersion, image: Signature, names: tuple[str, str], *, max_gap: float
) -> None:
    """Refuse a version.txt and an image that cannot be shown to be of one release build.

    See the comment above _fetch_version for what this shows and what it cannot.
    """
    ours = version.signature
    version_signature, image_signature = names
    if ours is None:  # an unsigned version.txt: the import warns that it is the server's word
        return
    if ours.fingerprint != image.fingerprint:
        raise ImageError(
            f"{version_signature} and {image_signature} were made by different keys "
            f"({ours.fingerprint} and {image.fingerprint}): a release is signed by one key, "
            "so the version cannot be shown to label this image"
        )
    gap = abs(ours.created - image.created)
    if gap > max_gap:
        raise ImageError(
            f"{version_signature} (signed {utc_text(ours.created)}) and {image_signature} "
            f"(signed {utc_text(image.created)}) were made {_duration(gap)} apart, more than "
            f"--signing-gap ({_duration(max_gap)}): they are not of one release build, so the "
            "version cannot be shown to label this image"
        )


def _duration(seconds: float) -> str:
    for unit, length in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= length:
            count = seconds / length
            shown = f"{count:.0f}" if count == round(count) or count >= 10 else f"{count:.1f}"
            return f"{shown} {unit}{'' if shown == '1' else 's'}"
    return f"{seconds:.0f} seconds"


def _write_image(
    compressed: Path,
    checked: CheckedFile,
    target: Path,
    record: Path,
    describe: Callable[[int, str], ImportResult],
    force: bool,
    name: str,
    progress: Progress | None,
    max_size: int = MAX_IMAGE_SIZE,
) -> ImportResult:
    """Decompress into `target` and write the record: both appear, or neither."""
    placed = False
    try:
        with atomic_output(record, force=force, mode=IMAGE_MODE) as record_stream:
            with atomic_output(target, force=force, mode=IMAGE_MODE) as image_stream:
                size, sha256 = _decompress_checked(
                    compressed,
                    checked,
                    image_stream,
                    name,
                    _phase(progress, "decompressing"),
                    max_size,
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
    max_size: int = MAX_IMAGE_SIZE,
) -> tuple[int, str]:
    """Decompress into `sink`; the compressed bytes must hash as they did when checked.

    A good signature says who made the file, not that it is sane: more than `max_size`
    bytes of output stops the import (atomic_output then removes the partial image).
    """
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
                if writer.size + len(piece) > max_size:
                    raise ImageError(
                        f"{name}: decompresses to more than {size_text(max_size)}, "
                        "the --max-image-size limit"
                    )
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
        with open_regular(path) as stream:
            data = stream.read(limit + 1)
    except OSError as error:
        raise SourceError(f"{path}: cannot read: {describe_os_error(error)}") from None
    if len(data) > limit:
        raise VerificationError(f"{path}: is over {limit:,} bytes; not a detached signature")
    return data
