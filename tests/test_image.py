"""mkconfigdrive image import / verify, against real GnuPG and a release served on loopback.

The keys are made here, by gpg itself, in a private GnuPG home that is removed afterwards
(no private key is committed). A release folder is a version.txt, a small bzip2 image and
their detached signatures; the HTTP server is the standard library's, with faults added:
a server that lies about the length, one that breaks off a chunked body, one that fails.
"""

from __future__ import annotations

import bz2
import hashlib
import http.server
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from configdrive.cli import distro_commands as cli
from configdrive.cli.report import TextReporter
from configdrive.distro.fetch import (
    DEADLINE,
    MAX_DOWNLOAD,
    TIMEOUT,
    HttpFolder,
    _Redirects,
    parse_size,
    release_folder,
)
from configdrive.distro.image import (
    DEFAULT_IMAGE,
    MAX_IMAGE_SIZE,
    MAX_SIGNING_GAP,
    bunzip2,
    import_image,
    parse_version_txt,
    release_version,
    verify_image,
)
from configdrive.errors import (
    ExitCode,
    ImageError,
    OutputError,
    SourceError,
    VerificationError,
)
from tests.helpers import Measured, run_cli, run_measured

IMAGE = DEFAULT_IMAGE
IMAGE_NAME = "coreos_production_openstack_image-1235.9.0.img"
VERSION_TXT = (
    "COREOS_BUILD=1235\nCOREOS_BRANCH=9\nCOREOS_PATCH=0\nCOREOS_VERSION=1235.9.0\n"
    'COREOS_VERSION_ID=1235.9.0\nCOREOS_BUILD_ID=""\nCOREOS_SDK_VERSION=1235.8.0\n'
)
# A small "disk": some data, then a run of zeros (stored as a hole), then data again.
PAYLOAD = b"boot sector " * 300 + bytes(2 * 1024 * 1024) + b"the end"
STATUS_LINE = "[GNUPG:] "


# --------------------------------------------------------------------------- GnuPG keys


@dataclass(frozen=True)
class Keys:
    """Throwaway keys in a private GnuPG home, their public halves as files, and a signer."""

    home: Path
    folder: Path
    fingerprints: dict[str, str]

    def public(self, name: str) -> Path:
        return self.folder / f"{name}.asc"

    def sign(
        self, path: Path, *, key: str = "release", output: Path | None = None, at: str = ""
    ) -> Path:
        """A binary detached signature of `path` by `key` (default: PATH.sig), made `at` a
        time such as 20240101T120000 (the "dated" key was made in 2020 for this)."""
        target = output or Path(f"{path}.sig")
        faked = ["--faked-system-time", "20200101T120000"] if key == "expired" else []
        if at:
            faked = ["--faked-system-time", at]
        _gpg(
            self.home,
            *faked,
            "--local-user",
            self.fingerprints[key],
            "--output",
            str(target),
            "--detach-sign",
            str(path),
        )
        return target


def _gpg(home: Path, *arguments: str) -> str:
    result = subprocess.run(
        ["gpg", "--homedir", str(home), "--batch", "--yes", "--passphrase", "", *arguments],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _fingerprint(home: Path, user_id: str) -> str:
    listing = _gpg(home, "--with-colons", "--list-keys", user_id)
    return next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))


@pytest.fixture(scope="session")
def keys() -> Iterator[Keys]:
    """release (signs the releases), other (a stranger), expired and revoked keys, and
    dated: made in 2020, never expiring, to sign at chosen times."""
    # A short path: GnuPG's agent socket lives in the home and socket paths are short.
    home = Path(tempfile.mkdtemp(prefix="mkcd-gpg-"))
    folder = Path(tempfile.mkdtemp(prefix="mkcd-keys-"))
    try:
        users = {
            "release": "Test Release Signing <release@example.test>",
            "other": "Someone Else <other@example.test>",
            "revoked": "Revoked Key <revoked@example.test>",
        }
        for user_id in users.values():
            _gpg(home, "--quick-gen-key", user_id, "ed25519", "sign", "never")
        users["dated"] = "Dated Key <dated@example.test>"
        _gpg(
            home,
            "--faked-system-time",
            "20200101T000000",
            "--quick-gen-key",
            users["dated"],
            "ed25519",
            "sign",
            "never",
        )
        # Made in 2020 for one day: expired long before these tests run.
        users["expired"] = "Expired Key <expired@example.test>"
        _gpg(
            home,
            "--faked-system-time",
            "20200101T000000",
            "--quick-gen-key",
            users["expired"],
            "ed25519",
            "sign",
            "1d",
        )
        fingerprints = {name: _fingerprint(home, user_id) for name, user_id in users.items()}
        for name, fingerprint in fingerprints.items():
            (folder / f"{name}.asc").write_text(_gpg(home, "--armor", "--export", fingerprint))
        # The revocation certificate gpg made with the key, applied to the exported copy only
        # (the key in `home` can still sign, as a thief's copy could).
        certificate = (home / "openpgp-revocs.d" / f"{fingerprints['revoked']}.rev").read_text()
        revoked_home = Path(tempfile.mkdtemp(prefix="mkcd-rev-"))
        _gpg(revoked_home, "--import", str(folder / "revoked.asc"))
        (revoked_home / "rev.asc").write_text(certificate.replace("\n:-----", "\n-----"))
        _gpg(revoked_home, "--import", str(revoked_home / "rev.asc"))
        (folder / "revoked.asc").write_text(
            _gpg(revoked_home, "--armor", "--export", fingerprints["revoked"])
        )
        # An agent gpg started there may be removing its sockets as we go: stop it, then tidy.
        subprocess.run(["gpgconf", "--homedir", str(revoked_home), "--kill", "all"], check=False)
        shutil.rmtree(revoked_home, ignore_errors=True)
        (folder / "release-private.asc").write_text(
            _gpg(home, "--armor", "--export-secret-keys", fingerprints["release"])
        )
        yield Keys(home, folder, fingerprints)
    finally:
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], check=False)
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- releases


def make_release(
    folder: Path,
    keys: Keys,
    *,
    version_txt: str = VERSION_TXT,
    payload: bytes = PAYLOAD,
    sign_version: bool = True,
    signer: str = "release",
    version_signed_at: str = "",
    image_signed_at: str = "",
) -> Path:
    """A release folder: version.txt (+ .sig), the bzip2 image and its .sig."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "version.txt").write_text(version_txt)
    if sign_version:
        keys.sign(folder / "version.txt", key=signer, at=version_signed_at)
    (folder / IMAGE).write_bytes(bz2.compress(payload))
    keys.sign(folder / IMAGE, key=signer, at=image_signed_at)
    return folder


@pytest.fixture
def release(tmp_path: Path, keys: Keys) -> Path:
    """A good release, signed by the release key."""
    return make_release(tmp_path / "release" / "amd64-usr" / "current", keys)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """The (empty) folder images are imported into."""
    folder = tmp_path / "images"
    folder.mkdir()
    return folder


# --------------------------------------------------------------------------- the server


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder; files named in `faults` misbehave as the fault says.

    `sent` counts the body bytes a fault sent before the client went away.
    """

    faults: dict[str, str]
    sent: dict[str, int]

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: pytest runs with warnings as errors and clean output

    def do_GET(self) -> None:
        name = self.path.rsplit("/", 1)[-1]
        fault = self.faults.get(name)
        if fault is None:
            super().do_GET()
            return
        if fault.startswith("redirect "):  # to the URL after the space ({port}: this server's)
            location = fault.partition(" ")[2].format(port=self.server_port)
            if urllib.parse.urlsplit(location).path != self.path:  # else it has arrived
                self.send_response(302)
                self.send_header("Location", location)
                self.end_headers()
                return
            super().do_GET()
            return
        body = Path(self.translate_path(self.path)).read_bytes()
        self.sent[name] = 0
        if fault == "endless":  # no length, never ends: only the client can stop it
            self._headers(("Cache-Control", "no-store"))
            self._send_slowly(b"x" * 65536, repeat=True)
        elif fault == "huge-length":  # claims a terabyte, sends nothing
            self._headers(("Content-Length", str(1024**4)))
            self.close_connection = True
        elif fault == "slow-body":  # the whole length, a byte every 0.1 s: each read is quick
            self._headers(("Content-Length", str(len(body))))
            self._send_slowly(body, pause=0.1, size=1)
        elif fault == "slow-headers":  # a header that never ends, a byte every 0.1 s
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            self._send_slowly(b"x" * 60_000, pause=0.1, size=1)
        elif fault == "server-error":
            self.send_error(503)
        elif fault == "short":  # claims the whole length, sends half, closes
            self._headers(("Content-Length", str(len(body))))
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
        elif fault == "chunked-cut":  # a chunked body broken off before its last chunk
            self._headers(("Transfer-Encoding", "chunked"))
            half = body[: len(body) // 2]
            self.wfile.write(f"{len(half):x}\r\n".encode() + half + b"\r\n")
            self.close_connection = True
        elif fault == "hang":
            time.sleep(3)
        elif fault == "trickle":  # the whole length, a few bytes a tenth of a second
            self._headers(("Content-Length", str(len(body))))
            try:
                for start in range(0, len(body), 64):
                    self.wfile.write(body[start : start + 64])
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                self.close_connection = True  # the client went away: so does the server

    def _headers(self, header: tuple[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header(*header)
        self.end_headers()

    @property
    def server_port(self) -> int:
        address: tuple[str, int] = self.server.server_address  # type: ignore[assignment]
        return address[1]

    def _send_slowly(
        self, body: bytes, *, pause: float = 0.0, size: int = 65536, repeat: bool = False
    ) -> None:
        name = self.path.rsplit("/", 1)[-1]
        try:
            while True:
                for start in range(0, len(body), size):
                    self.wfile.write(body[start : start + size])
                    self.wfile.flush()
                    self.sent[name] += len(body[start : start + size])
                    if pause:
                        time.sleep(pause)
                if not repeat:
                    return
        except OSError:
            self.close_connection = True  # the client went away: so does the server


@dataclass
class Server:
    """A release mirror on 127.0.0.1."""

    root: Path
    port: int
    faults: dict[str, str]
    sent: dict[str, int]

    def url(self, folder: Path) -> str:
        return f"http://127.0.0.1:{self.port}/{folder.relative_to(self.root).as_posix()}/"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """Serves tmp_path over HTTP on loopback, in a thread, for one test."""
    faults: dict[str, str] = {}
    sent: dict[str, int] = {}

    class Handler(_Handler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)

    Handler.faults = faults
    Handler.sent = sent
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield Server(tmp_path, httpd.server_address[1], faults, sent)
    finally:
        httpd.shutdown()
        httpd.server_close()


# --------------------------------------------------------------------------- success


def test_import_from_a_local_folder(release: Path, out: Path, keys: Keys) -> None:
    result = run_cli("image", "import", release, "--key", keys.public("release"), "--out-dir", out)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    image = out / IMAGE_NAME
    assert sorted(path.name for path in out.iterdir()) == [IMAGE_NAME, f"{IMAGE_NAME}.json"]
    assert image.read_bytes() == PAYLOAD
    assert image.stat().st_mode & 0o777 == 0o644
    fingerprint = keys.fingerprints["release"]
    assert result.stdout.splitlines()[:3] == [
        f"Imported {image} ({len(PAYLOAD):,} bytes)",
        "  version    1235.9.0",
        f"  signed by  {fingerprint}  Test Release Signing <release@example.test>",
    ]
    record = json.loads((out / f"{IMAGE_NAME}.json").read_text())
    compressed = (release / IMAGE).read_bytes()
    assert record["image"] == IMAGE_NAME
    assert record["size"] == len(PAYLOAD)
    assert record["sha256"] == hashlib.sha256(PAYLOAD).hexdigest()
    assert record["version"] == "1235.9.0"
    assert record["version_txt"]["COREOS_SDK_VERSION"] == "1235.8.0"
    assert record["version_txt"]["COREOS_BUILD_ID"] == ""
    assert record["version_signed"] is True
    assert record["source"] == str(release)
    assert record["file"] == {
        "name": IMAGE,
        "location": str(release / IMAGE),
        "size": len(compressed),
        "sha256": hashlib.sha256(compressed).hexdigest(),
    }
    assert record["signature"]["fingerprint"] == fingerprint
    assert record["signature"]["location"] == str(release / f"{IMAGE}.sig")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["imported_at"])


def test_import_over_http(release: Path, out: Path, keys: Keys, server: Server) -> None:
    url = server.url(release)
    result = run_cli(
        "image", "import", url, "--key", keys.public("release"), "--out-dir", out, "--json"
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["ok"] is True
    assert summary["file"]["location"] == url + IMAGE
    assert summary["source"] == url
    assert summary["signature"]["fingerprint"] == keys.fingerprints["release"]
    assert (out / IMAGE_NAME).read_bytes() == PAYLOAD
    assert json.loads((out / f"{IMAGE_NAME}.json").read_text())["sha256"] == summary["sha256"]


def test_the_current_folder_url_needs_no_trailing_slash(
    release: Path, out: Path, keys: Keys, server: Server
) -> None:
    result = import_image(server.url(release).rstrip("/"), [keys.public("release")], out)
    assert result.path == out / IMAGE_NAME
    assert result.source == server.url(release)


def test_holes_for_zeros_and_progress_in_phases(
    tmp_path: Path, out: Path, keys: Keys, server: Server
) -> None:
    payload = b"x" * 100 + bytes(32 * 1024 * 1024) + b"y"
    release = make_release(tmp_path / "big", keys, payload=payload)
    seen: dict[str, tuple[int, int]] = {}

    def progress(phase: str, done: int, total: int) -> None:
        seen[phase] = (done, total)

    result = import_image(server.url(release), [keys.public("release")], out, progress=progress)
    size = (release / IMAGE).stat().st_size
    assert list(seen) == ["downloading", "verifying", "decompressing"]
    assert all(value == (size, size) for value in seen.values())
    stat = result.path.stat()
    assert stat.st_size == len(payload)
    assert stat.st_blocks * 512 < 1024 * 1024  # 32 MiB of zeros take no space
    assert hashlib.sha256(result.path.read_bytes()).hexdigest() == result.sha256


def test_verify_prints_the_signer(release: Path, keys: Keys) -> None:
    fingerprint = keys.fingerprints["release"]
    result = run_cli(
        "image",
        "verify",
        release / IMAGE,
        "--signature",
        release / f"{IMAGE}.sig",
        "--key",
        keys.public("release"),
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Good signature on {release / IMAGE}"
    assert lines[1] == f"  signed by  {fingerprint}  Test Release Signing <release@example.test>"
    as_json = run_cli(
        "image",
        "verify",
        release / IMAGE,
        "--key",
        keys.public("release"),
        "--key",
        keys.public("other"),
        "--json",
    )
    document = json.loads(as_json.stdout)
    assert document["signature"]["fingerprint"] == fingerprint
    assert document["sha256"] == hashlib.sha256((release / IMAGE).read_bytes()).hexdigest()


def test_an_unsigned_version_file_is_a_warning(tmp_path: Path, out: Path, keys: Keys) -> None:
    release = make_release(tmp_path / "r", keys, sign_version=False)
    result = run_cli("image", "import", release, "--key", keys.public("release"), "--out-dir", out)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "mkconfigdrive: warning: version.txt has no signature (version.txt.sig) in the release "
        "folder: the version in the image's name is as trustworthy as the source, not the "
        "signing key\n"
    )
    assert json.loads((out / f"{IMAGE_NAME}.json").read_text())["version_signed"] is False


def test_flatcar_names_and_another_image(tmp_path: Path, out: Path, keys: Keys) -> None:
    release = make_release(tmp_path / "r", keys, version_txt="FLATCAR_VERSION='3815.2.0'\n")
    other = "flatcar_production_qemu_image.img.bz2"
    (release / IMAGE).rename(release / other)
    (release / f"{IMAGE}.sig").rename(release / f"{other}.sig")
    result = import_image(release, [keys.public("release")], out, image=other, name="flatcar")
    assert result.path == out / "flatcar-3815.2.0.img"
    assert result.version.version == "3815.2.0"


# --------------------------------------------------------------------------- failures

Failure = tuple[int, str]


def failed_import(source: str | Path, out: Path, *keys: Path, extra: tuple[str, ...] = ()) -> str:
    """Run an import that must fail with exit code 1, leaving `out` empty; its message."""
    args: list[str | Path] = ["image", "import", source, "--out-dir", out, *extra]
    for key in keys:
        args += ["--key", key]
    result = run_cli(*args)
    assert result.returncode == 1, result.stderr
    assert list(out.iterdir()) == []
    assert result.stdout == ""
    assert result.stderr.startswith("mkconfigdrive: ")
    assert result.stderr.endswith("; nothing was kept\n")
    assert "Traceback" not in result.stderr
    return result.stderr


def test_a_tampered_image_is_refused(release: Path, out: Path, keys: Keys, server: Server) -> None:
    data = bytearray((release / IMAGE).read_bytes())
    data[len(data) // 2] ^= 1
    (release / IMAGE).write_bytes(bytes(data))
    key_id = keys.fingerprints["release"][-16:]
    url = server.url(release)
    assert failed_import(url, out, keys.public("release")) == (
        f"mkconfigdrive: {url}{IMAGE}: BAD signature (key {key_id}): the file is not what was "
        "signed; it was changed or damaged after signing; nothing was kept\n"
    )


def test_another_signer_is_refused(release: Path, out: Path, keys: Keys) -> None:
    other = keys.public("other")
    message = failed_import(release, out, other)
    assert message == (
        f"mkconfigdrive: {release}/version.txt.sig: made by key {keys.fingerprints['release']}, "
        f"which is not one of the given keys ({other}: {keys.fingerprints['other']}); "
        "nothing was kept\n"
    )


def test_an_image_signed_by_another_key_is_refused(release: Path, out: Path, keys: Keys) -> None:
    keys.sign(release / IMAGE, key="other")
    message = failed_import(release, out, keys.public("release"))
    assert f"{IMAGE}.sig: made by key {keys.fingerprints['other']}, which is not one" in message


def test_a_missing_signature_is_refused(
    release: Path, out: Path, keys: Keys, server: Server
) -> None:
    (release / f"{IMAGE}.sig").unlink()
    url = server.url(release)
    assert failed_import(url, out, keys.public("release")) == (
        f"mkconfigdrive: {url}{IMAGE}.sig: not found (HTTP 404); nothing was kept\n"
    )
    assert failed_import(release, out, keys.public("release")) == (
        f"mkconfigdrive: {release}/{IMAGE}.sig: not found; nothing was kept\n"
    )


def test_a_download_shorter_than_its_length_is_refused(
    release: Path, out: Path, keys: Keys, server: Server
) -> None:
    server.faults[IMAGE] = "short"
    size = (release / IMAGE).stat().st_size
    url = server.url(release)
    assert failed_import(url, out, keys.public("release")) == (
        f"mkconfigdrive: {url}{IMAGE}: the download is truncated: {size // 2:,} of {size:,} "
        "bytes arrived; nothing was kept\n"
    )


def test_an_interrupted_download_is_refused(
    release: Path, out: Path, keys: Keys, server: Server
) -> None:
    server.faults[IMAGE] = "chunked-cut"
    url = server.url(release)
    message = failed_import(url, out, keys.public("release"))
    assert message.startswith(f"mkconfigdrive: {url}{IMAGE}: the download was interrupted after ")
    server.faults.clear()
    server.faults["version.txt.sig"] = "short"
    assert "version.txt.sig: the download is truncated" in failed_import(
        url, out, keys.public("release")
    )


def test_a_version_file_without_a_version_is_refused(tmp_path: Path, out: Path, keys: Keys) -> None:
    release = make_release(tmp_path / "r", keys, version_txt="COREOS_BUILD=1235\n")
    assert failed_import(release, out, keys.public("release")) == (
        f"mkconfigdrive: {release}/version.txt: has no version (no FLATCAR_VERSION or "
        "COREOS_VERSION line); nothing was kept\n"
    )


@pytest.mark.parametrize("version", ["../../etc/x", "1.0 beta", "", "-rf"])
def test_a_version_that_is_no_file_name_is_refused(version: str) -> None:
    fields = parse_version_txt(f"COREOS_VERSION={version}\n".encode(), "version.txt")
    with pytest.raises(ImageError) as caught:
        release_version(fields, "version.txt", signed=True)
    assert caught.value.exit_code == ExitCode.INVALID_INPUT


def test_a_changed_version_file_is_refused(release: Path, out: Path, keys: Keys) -> None:
    (release / "version.txt").write_text(VERSION_TXT.replace("1235.9.0", "9999.0.0"))
    message = failed_import(release, out, keys.public("release"))
    assert message.startswith(f"mkconfigdrive: {release}/version.txt: BAD signature (key ")


def test_a_signed_file_that_is_not_bzip2_is_refused(tmp_path: Path, out: Path, keys: Keys) -> None:
    release = make_release(tmp_path / "r", keys)
    (release / IMAGE).write_bytes(b"this is not bzip2 data " * 10)
    keys.sign(release / IMAGE)
    assert failed_import(release, out, keys.public("release")) == (
        f"mkconfigdrive: {release}/{IMAGE}: is not a valid bzip2 file (Invalid data stream); "
        "nothing was kept\n"
    )


def test_a_copy_changed_after_its_check_is_refused(release: Path, out: Path, keys: Keys) -> None:
    changed = bz2.compress(b"evil " * 10)

    def swap_after_the_check(phase: str, done: int, total: int) -> None:
        # The last chunk is already on its way to gpgv, which checks the original bytes; then
        # the private copy changes (only its owner could do that, but the import must notice).
        if phase == "verifying" and done == total:
            (copy,) = out.glob(f".mkconfigdrive-import-*/{IMAGE}")
            copy.write_bytes(changed)

    with pytest.raises(ImageError) as caught:
        import_image(release, [keys.public("release")], out, progress=swap_after_the_check)
    assert str(caught.value) == (
        f"{release / IMAGE}: changed after its signature was checked; nothing was kept"
    )
    assert list(out.iterdir()) == []


def test_the_release_folder_may_change_once_its_image_is_copied(
    release: Path, out: Path, keys: Keys
) -> None:
    phases: list[str] = []

    def replace_the_source(phase: str, done: int, total: int) -> None:
        if phase not in phases:
            phases.append(phase)
        if phase == "verifying" and done == total:
            (release / IMAGE).write_bytes(bz2.compress(b"evil " * 10))

    result = import_image(release, [keys.public("release")], out, progress=replace_the_source)
    assert result.path.read_bytes() == PAYLOAD
    assert phases == ["copying", "verifying", "decompressing"]


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("expired", "which expired on 2020-01-02T00:00:00Z"),
        ("revoked", "which its owner has revoked"),
    ],
)
def test_revoked_and_expired_keys_are_refused(
    release: Path, keys: Keys, key: str, reason: str
) -> None:
    # gpgv itself exits 0 here ("Good signature"): only its status lines tell.
    keys.sign(release / IMAGE, key=key)
    result = run_cli("image", "verify", release / IMAGE, "--key", keys.public(key))
    assert result.returncode == 1
    assert result.stderr == (
        f"mkconfigdrive: {release}/{IMAGE}.sig: made by key {keys.fingerprints[key]}, {reason}\n"
    )


def test_unusable_signatures_are_refused(release: Path, keys: Keys, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.sig"
    garbage.write_bytes(b"hello\n")
    attached = tmp_path / "attached.gpg"
    _gpg(
        keys.home,
        "--local-user",
        keys.fingerprints["release"],
        "--output",
        str(attached),
        "--sign",
        str(release / IMAGE),
    )
    key = keys.public("release")
    for signature, message in (
        (garbage, "is not an OpenPGP signature"),
        (attached, "is not a detached OpenPGP signature"),
        (tmp_path / "none.sig", "cannot read: no such file or directory"),
    ):
        result = run_cli("image", "verify", release / IMAGE, "--signature", signature, "--key", key)
        assert (result.returncode, result.stderr) == (1, f"mkconfigdrive: {signature}: {message}\n")


def test_unusable_keys_are_refused(release: Path, keys: Keys, tmp_path: Path) -> None:
    not_a_key = tmp_path / "notes.txt"
    not_a_key.write_text("my key is on the other laptop\n")
    private = keys.public("release-private")
    for key, message in (
        (
            private,
            "holds a private key; give the public key instead (gpg --armor --export KEY > key.asc)",
        ),
        (not_a_key, "holds no OpenPGP public key"),
        (tmp_path / "missing.asc", "cannot read the key: no such file or directory"),
    ):
        result = run_cli("image", "verify", release / IMAGE, "--key", key)
        assert (result.returncode, result.stderr) == (1, f"mkconfigdrive: {key}: {message}\n")
        assert "PRIVATE KEY" not in result.stderr


def test_server_failures_are_io_failures(
    release: Path, out: Path, keys: Keys, server: Server
) -> None:
    server.faults["version.txt"] = "server-error"
    url = server.url(release)
    result = run_cli("image", "import", url, "--key", keys.public("release"), "--out-dir", out)
    assert (result.returncode, result.stderr) == (
        3,
        f"mkconfigdrive: {url}version.txt: the server failed (HTTP 503 Service Unavailable); "
        "nothing was kept\n",
    )
    server.faults["version.txt"] = "hang"
    with pytest.raises(SourceError) as caught:
        import_image(url, [keys.public("release")], out, timeout=0.3)
    assert caught.value.exit_code == ExitCode.IO_FAILURE
    assert "no answer within 0.3 seconds" in str(caught.value)
    assert list(out.iterdir()) == []


def test_a_stop_signal_mid_download_leaves_nothing(
    release: Path, out: Path, keys: Keys, server: Server
) -> None:
    server.faults[IMAGE] = "trickle"
    command = [
        sys.executable,
        "-m",
        "configdrive",
        "image",
        "import",
        server.url(release),
        "--key",
        str(keys.public("release")),
        "--out-dir",
        str(out),
    ]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        guard = time.monotonic() + 60  # a hang guard, not a measure: only a hung run waits it
        # The download has begun once its private folder holds the partial image.
        while not any(path.is_file() for path in out.glob(".mkconfigdrive-import-*/*")):
            if time.monotonic() > guard or process.poll() is not None:
                process.kill()
                pytest.fail(f"the download never started: {process.communicate()}")
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)
    assert (process.returncode, stdout, stderr) == (
        130,
        "",
        "mkconfigdrive: interrupted; nothing was kept\n",
    )
    assert list(out.iterdir()) == []


def test_nobody_listening_is_an_io_failure(out: Path, keys: Keys) -> None:
    with socket_port() as port:  # bound, never listening: connections are refused
        url = f"http://127.0.0.1:{port}/current/"
        with pytest.raises(SourceError) as caught:
            import_image(url, [keys.public("release")], out)
    assert caught.value.exit_code == ExitCode.IO_FAILURE
    assert str(caught.value) == (
        f"{url}version.txt: cannot download: connection refused; nothing was kept"
    )


def test_an_existing_image_is_kept_without_force(release: Path, out: Path, keys: Keys) -> None:
    (out / IMAGE_NAME).write_bytes(b"keep me")
    key = keys.public("release")
    result = run_cli("image", "import", release, "--key", key, "--out-dir", out)
    assert (result.returncode, result.stderr) == (
        3,
        f"mkconfigdrive: {out / IMAGE_NAME}: exists already; use --force to replace it\n",
    )
    assert sorted(path.name for path in out.iterdir()) == [IMAGE_NAME]
    assert (out / IMAGE_NAME).read_bytes() == b"keep me"
    forced = run_cli("image", "import", release, "--key", key, "--out-dir", out, "--force")
    assert forced.returncode == 0, forced.stderr
    assert (out / IMAGE_NAME).read_bytes() == PAYLOAD


def test_usage_and_output_errors(release: Path, tmp_path: Path, keys: Keys) -> None:
    key = keys.public("release")
    missing = run_cli("image", "import", release, "--key", key, "--out-dir", tmp_path / "no")
    assert (missing.returncode, missing.stderr) == (
        3,
        f"mkconfigdrive: {tmp_path / 'no'}: the folder does not exist\n",
    )
    for args, message in (
        (
            ["--image", "../x.img.bz2"],
            "--image '../x.img.bz2': give a file name in the release folder, not a path",
        ),
        (
            ["--image", "x.img.gz"],
            "--image 'x.img.gz': only bzip2-compressed images (.bz2) are supported",
        ),
    ):
        result = run_cli("image", "import", release, "--key", key, "--out-dir", tmp_path, *args)
        assert (result.returncode, result.stderr) == (2, f"mkconfigdrive: {message}\n")
    secret_url = "https://user:hunter2@mirror.example/current/"
    result = run_cli("image", "import", secret_url, "--key", key, "--out-dir", tmp_path)
    assert result.returncode == 2
    assert "hunter2" not in result.stderr
    ftp = run_cli("image", "import", "ftp://mirror.example/", "--key", key, "--out-dir", tmp_path)
    assert ftp.returncode == 2


def test_without_gnupg_nothing_is_checked(release: Path, out: Path, keys: Keys) -> None:
    result = run_cli(
        "image",
        "import",
        release,
        "--key",
        keys.public("release"),
        "--out-dir",
        out,
        env={"PATH": str(out)},  # a PATH without gpg and gpgv
    )
    assert (result.returncode, result.stderr) == (
        3,
        "mkconfigdrive: gpg (GnuPG) is needed to check signatures and was not found; "
        "install GnuPG (Debian and Ubuntu: apt install gnupg)\n",
    )
    assert list(out.iterdir()) == []


def test_gnupg_never_touches_the_users_keyring(
    release: Path, out: Path, keys: Keys, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    environment = {"HOME": str(home), "GNUPGHOME": str(home / "gnupg"), "TMPDIR": str(scratch)}
    result = run_cli(
        "image",
        "import",
        release,
        "--key",
        keys.public("release"),
        "--out-dir",
        out,
        env=environment,
    )
    assert result.returncode == 0, result.stderr
    assert list(home.iterdir()) == []  # no ~/.gnupg, no $GNUPGHOME
    assert list(scratch.iterdir()) == []  # the private home was removed


# --------------------------------------------------------------------------- pieces


def test_bunzip2_reads_what_bunzip2_reads() -> None:
    data = os.urandom(5000) + bytes(3_000_000) + os.urandom(100)
    one = bz2.compress(data)
    several = bz2.compress(data[:1_000_000]) + bz2.compress(data[1_000_000:])
    for blob in (one, several, one + b"trailing garbage", one + bytes(10)):
        for size in (7, 4096, len(blob)):
            chunks = [blob[start : start + size] for start in range(0, len(blob), size)]
            assert b"".join(bunzip2(chunks)) == data
    for blob, message in (
        (one[:-20], "the compressed data ends early"),
        (b"", "it is empty"),
        (b"plain text, not bzip2", "Invalid data stream"),
    ):
        with pytest.raises(ValueError, match=message):
            b"".join(bunzip2([blob]))


def test_version_txt_forms() -> None:
    fields = parse_version_txt(
        b"# a comment\nexport FLATCAR_VERSION=\"3815.2.0\"\nCOREOS_VERSION='1.0.0'\n\n", "v"
    )
    assert fields == {"FLATCAR_VERSION": "3815.2.0", "COREOS_VERSION": "1.0.0"}
    assert release_version(fields, "v", signed=False).version == "3815.2.0"
    with pytest.raises(ImageError, match=r"^v:2: is not a KEY=VALUE line$"):
        parse_version_txt(b"A=1\nnonsense\n", "v")


def test_api_errors_carry_their_exit_codes(release: Path, out: Path, keys: Keys) -> None:
    with pytest.raises(VerificationError) as bad:
        verify_image(release / IMAGE, [keys.public("other")])
    assert bad.value.exit_code == ExitCode.INVALID_INPUT
    with pytest.raises(OutputError):
        import_image(release, [keys.public("release")], out / "missing")


def test_progress_bars_per_phase_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("TERM", "xterm")  # rich draws no live bar on TERM=dumb
    terminal = Terminal()
    bars = cli.PhaseBars(TextReporter(err=terminal), delay=0.0)
    assert bars.shown
    bars("downloading", 1024 * 1024, 4 * 1024 * 1024)
    bars("verifying", 4 * 1024 * 1024, 4 * 1024 * 1024)
    bars.close()
    text = terminal.getvalue()
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "", text)  # what a terminal shows of it
    assert "downloading " in shown
    assert " 25%  1/4 MiB" in shown
    assert "verifying " in shown
    assert "100%  4/4 MiB" in shown
    assert text.endswith("\x1b[1A\x1b[2K")  # erased
    assert not cli.PhaseBars(TextReporter(err=io.StringIO())).shown


def test_the_command_lines_defaults_are_the_librarys() -> None:
    import inspect

    options = inspect.signature(cli.image_import).parameters
    assert options["image"].default == DEFAULT_IMAGE
    assert options["timeout"].default == TIMEOUT
    assert options["deadline"].default == DEADLINE
    assert parse_size(options["max_download"].default, "") == MAX_DOWNLOAD
    assert parse_size(options["max_image_size"].default, "") == MAX_IMAGE_SIZE
    assert options["signing_gap"].default * 86400 == MAX_SIGNING_GAP


class socket_port:
    """A loopback port that is bound but not listening, for the time of a with block."""

    def __enter__(self) -> int:
        import socket

        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        port: int = self._socket.getsockname()[1]
        return port

    def __exit__(self, *_: object) -> None:
        self._socket.close()


# --------------------------------------------------------------------------- bounds (issue 12)

MiB = 1024 * 1024


def measured_import(source: str | Path, out: Path, key: Path, *extra: str) -> Measured:
    """`image import` in a child process, measured: its exit, output and bytes written.

    A hang guard kills it after 60 s: without the bounds these cases never end.
    """
    command = [
        sys.executable,
        "-m",
        "configdrive",
        "image",
        "import",
        str(source),
        "--key",
        str(key),
        "--out-dir",
        str(out),
        *extra,
    ]
    result = run_measured(command, cwd=out.parent, timeout=60)
    assert result.returncode != -9, "still running after 60 s"
    return result


def test_an_endless_body_stops_at_the_download_limit(
    release: Path, out: Path, keys: Keys, server: Server
) -> None:
    server.faults[IMAGE] = "endless"
    url = server.url(release)
    result = measured_import(url, out, keys.public("release"), "--max-download", "2MiB")
    assert (result.returncode, result.stderr) == (
        1,
        f"mkconfigdrive: {url}{IMAGE}: is over the --max-download limit of 2 MiB; "
        "nothing was kept\n",
    )
    assert list(out.iterdir()) == []  # the partial download went with its folder
    # 2 MiB on disk at most, and what the interpreter writes of its own (byte code on a
    # first run): not gigabytes.
    assert result.bytes_written < 3 * MiB


def test_a_length_over_the_limit_is_refused_before_the_body(
    release: Path, out: Path, keys: Keys, server: Server
) -> None:
    server.faults[IMAGE] = "huge-length"
    url = server.url(release)
    assert failed_import(url, out, keys.public("release")) == (
        f"mkconfigdrive: {url}{IMAGE}: is 1,099,511,627,776 bytes, over the --max-download "
        "limit of 4 GiB; nothing was kept\n"
    )


def test_a_local_image_over_the_limit_is_not_copied(
    release: Path, out: Path, keys: Keys, tmp_path: Path
) -> None:
    size = (release / IMAGE).stat().st_size
    with pytest.raises(SourceError) as caught:
        import_image(release, [keys.public("release")], out, max_download=size - 1)
    assert str(caught.value) == (
        f"{release / IMAGE}: is {size:,} bytes, over the --max-download limit of "
        f"{size - 1:,} bytes; nothing was kept"
    )
    assert list(out.iterdir()) == []


def test_fetch_removes_its_partial_file(
    release: Path, keys: Keys, server: Server, tmp_path: Path
) -> None:
    server.faults[IMAGE] = "endless"
    folder = release_folder(server.url(release))
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(SourceError, match=r"is over the --max-download limit of 1 MiB$"):
        folder.fetch(IMAGE, work, limit=MiB)
    assert list(work.iterdir()) == []
    assert server.sent[IMAGE] > MiB  # the server did send more than the limit


def test_a_trickling_body_stops_at_the_deadline(
    release: Path, out: Path, keys: Keys, server: Server
) -> None:
    # A byte every 0.1 s: every read returns long before --timeout, the whole never does.
    server.faults[IMAGE] = "slow-body"
    # Unsigned: no gpgv run between the first request and the image, however busy the machine.
    (release / "version.txt.sig").unlink()
    url = server.url(release)
    result = measured_import(url, out, keys.public("release"), "--deadline", "2")
    # On a machine loaded enough, the deadline may run out on an earlier file: the message
    # names whichever download it stopped, and the image is never whole either way.
    assert result.returncode == 3, result.stderr
    assert re.fullmatch(
        rf"mkconfigdrive: {re.escape(url)}[^:]+: the downloads took longer than --deadline "
        r"\(2 seconds\); nothing was kept\n",
        result.stderr,
    ), result.stderr
    assert list(out.iterdir()) == []
    assert server.sent.get(IMAGE, 0) < (release / IMAGE).stat().st_size


def test_trickling_headers_stop_at_the_deadline(
    release: Path, out: Path, keys: Keys, server: Server
) -> None:
    # Before the body: a header line that grows a byte at a time (http.client allows 64 KiB).
    server.faults["version.txt"] = "slow-headers"
    url = server.url(release)
    with pytest.raises(SourceError) as caught:
        import_image(url, [keys.public("release")], out, deadline=0.5)
    assert caught.value.exit_code == ExitCode.IO_FAILURE
    assert str(caught.value) == (
        f"{url}version.txt: the downloads took longer than --deadline (0.5 seconds); "
        "nothing was kept"
    )
    assert server.sent["version.txt"] < 60_000


def test_the_deadline_covers_all_the_downloads(release: Path, server: Server) -> None:
    now = [0.0]  # a clock that moves only when told: no test waits on real seconds
    folder = HttpFolder(server.url(release), deadline=10, clock=lambda: now[0])
    folder.read_small("version.txt", 1000)  # the deadline starts with the first request
    now[0] = 10.5  # and the next request does not start it again
    with pytest.raises(SourceError, match=r"took longer than --deadline \(10 seconds\)$"):
        folder.read_small("version.txt.sig", 1000)


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("ftp://127.0.0.1/{name}", "; only http and https are followed"),
        ("file:///etc/passwd", "; only http and https are followed"),
        (
            "http://localhost:{port}/elsewhere/{name}",
            ", on another server; give --allow-redirects to follow it",
        ),
        ("http://127.0.0.1:1/{name}", ", on another server; give --allow-redirects to follow it"),
    ],
)
def test_redirects_elsewhere_are_refused(
    release: Path, out: Path, keys: Keys, server: Server, target: str, why: str
) -> None:
    server.faults[IMAGE] = "redirect " + target.replace("{name}", IMAGE)
    url = server.url(release)
    shown = target.replace("{name}", IMAGE).replace("{port}", str(server.port))
    assert failed_import(url, out, keys.public("release")) == (
        f"mkconfigdrive: {url}{IMAGE}: the server redirects to {shown}{why}; nothing was kept\n"
    )


def test_a_redirect_with_a_password_is_refused_unprinted(
    release: Path, out: Path, keys: Keys, server: Server
) -> None:
    server.faults["version.txt"] = "redirect http://user:hunter2@127.0.0.1:{port}/version.txt"
    url = server.url(release)
    message = failed_import(url, out, keys.public("release"), extra=("--allow-redirects",))
    assert message == (
        f"mkconfigdrive: {url}version.txt: the server redirects to a URL with a user name or "
        "password; not followed; nothing was kept\n"
    )


def test_the_record_names_where_the_files_came_from(
    tmp_path: Path, release: Path, out: Path, keys: Keys, server: Server
) -> None:
    moved = tmp_path / "moved"
    moved.mkdir()
    for name in (IMAGE, f"{IMAGE}.sig"):
        (release / name).rename(moved / name)
        server.faults[name] = "redirect http://localhost:{port}/moved/" + name
    url = server.url(release)
    final = f"http://localhost:{server.port}/moved/"
    result = import_image(url, [keys.public("release")], out, allow_redirects=True)
    record = json.loads(result.record.read_text())
    assert record["source"] == url
    assert record["file"]["location"] == final + IMAGE
    assert record["signature"]["location"] == final + f"{IMAGE}.sig"
    assert record["version_signature"]["location"] == url + "version.txt.sig"
    assert record["version_location"] == url + "version.txt"


def test_redirects_within_the_server_are_followed(
    tmp_path: Path, release: Path, out: Path, keys: Keys, server: Server
) -> None:
    (tmp_path / "moved").mkdir()
    (release / IMAGE).rename(tmp_path / "moved" / IMAGE)
    server.faults[IMAGE] = "redirect /moved/" + IMAGE
    result = import_image(server.url(release), [keys.public("release")], out)
    assert result.file_url == f"http://127.0.0.1:{server.port}/moved/{IMAGE}"
    assert result.path.read_bytes() == PAYLOAD


@pytest.mark.parametrize(
    ("origin", "target", "allowed", "refusal"),
    [
        ("https://a.test/x", "https://a.test:443/y", False, None),
        ("https://a.test/x", "http://a.test/y", False, "on another server"),
        ("https://a.test/x", "https://cdn.test/y", True, None),
        ("http://a.test/x", "https://cdn.test/y", True, None),
        ("https://a.test/x", "http://cdn.test/y", True, "from https to http"),
        ("http://a.test/x", "http://a.test:8080/y", False, "on another server"),
        ("http://a.test/x", "ftp://a.test/y", True, "only http and https"),
    ],
)
def test_the_redirect_rules(origin: str, target: str, allowed: bool, refusal: str | None) -> None:
    found = _Redirects(origin, allow_other_hosts=allowed)._refusal(target)
    if refusal is None:
        assert found is None
    else:
        assert found is not None
        assert refusal in found


def test_an_image_that_decompresses_past_the_limit_is_removed(
    tmp_path: Path, out: Path, keys: Keys
) -> None:
    # A good signature over 8 MiB of data that is no run of zeros (zeros become holes).
    release = make_release(tmp_path / "r", keys, payload=b"A" * (8 * MiB))
    result = measured_import(release, out, keys.public("release"), "--max-image-size", "1MiB")
    assert (result.returncode, result.stderr) == (
        1,
        f"mkconfigdrive: {release / IMAGE}: decompresses to more than 1 MiB, the "
        "--max-image-size limit; nothing was kept\n",
    )
    assert list(out.iterdir()) == []
    assert result.bytes_written < 2 * MiB  # 8 MiB would have been written without the limit


def test_a_version_signed_apart_from_the_image_is_refused(
    tmp_path: Path, out: Path, keys: Keys
) -> None:
    release = make_release(
        tmp_path / "r",
        keys,
        signer="dated",
        version_signed_at="20240301T000000",
        image_signed_at="20240115T000000",
    )
    message = failed_import(release, out, keys.public("dated"))
    assert message == (
        f"mkconfigdrive: {release}/version.txt.sig (signed 2024-03-01T00:00:00Z) and "
        f"{release}/{IMAGE}.sig (signed 2024-01-15T00:00:00Z) were made 46 days apart, more "
        "than --signing-gap (7 days): they are not of one release build, so the version "
        "cannot be shown to label this image; nothing was kept\n"
    )
    raised = run_cli(
        "image",
        "import",
        release,
        "--key",
        keys.public("dated"),
        "--out-dir",
        out,
        "--signing-gap",
        "50",
    )
    assert raised.returncode == 0, raised.stderr


def test_a_version_signed_near_the_image_is_recorded(tmp_path: Path, out: Path, keys: Keys) -> None:
    release = make_release(
        tmp_path / "r",
        keys,
        signer="dated",
        version_signed_at="20240103T000000",
        image_signed_at="20240101T000000",
    )
    result = import_image(release, [keys.public("dated")], out)
    record = json.loads(result.record.read_text())
    assert record["version_signed"] is True
    assert record["version_signature"] == {
        "location": f"{release}/version.txt.sig",
        "fingerprint": keys.fingerprints["dated"],
        "signing_key": keys.fingerprints["dated"],
        "user_id": "Dated Key <dated@example.test>",
        "signed_at": "2024-01-03T00:00:00Z",
    }
    assert record["signature"]["signed_at"] == "2024-01-01T00:00:00Z"


def test_a_version_signed_by_another_key_is_refused(release: Path, out: Path, keys: Keys) -> None:
    keys.sign(release / IMAGE, key="other")
    message = failed_import(release, out, keys.public("release"), keys.public("other"))
    assert message == (
        f"mkconfigdrive: {release}/version.txt.sig and {release}/{IMAGE}.sig were made by "
        f"different keys ({keys.fingerprints['release']} and {keys.fingerprints['other']}): "
        "a release is signed by one key, so the version cannot be shown to label this image; "
        "nothing was kept\n"
    )


def test_a_folder_named_for_another_version_is_refused(
    tmp_path: Path, out: Path, keys: Keys
) -> None:
    wrong = make_release(tmp_path / "amd64-usr" / "1235.8.0", keys)
    assert failed_import(wrong, out, keys.public("release")) == (
        f"mkconfigdrive: {wrong}/version.txt: says version 1235.9.0, but its folder is named "
        "1235.8.0: the version cannot be shown to label this release's files; nothing was kept\n"
    )
    right = make_release(tmp_path / "amd64-usr" / "1235.9.0", keys)
    assert import_image(right, [keys.public("release")], out).version.version == "1235.9.0"


def run_bounded(*args: str | os.PathLike[str]) -> subprocess.CompletedProcess[str]:
    """run_cli with a hang guard: a FIFO that blocks would otherwise stop the test run."""
    return subprocess.run(
        [sys.executable, "-m", "configdrive", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_fifos_and_devices_are_refused_everywhere(
    release: Path, out: Path, keys: Keys, tmp_path: Path
) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    key = keys.public("release")
    image, signature = release / IMAGE, release / f"{IMAGE}.sig"
    cases: list[tuple[list[str | Path], str]] = [
        (["verify", image, "--key", fifo], f"{fifo}: cannot read the key: is not a regular file"),
        (
            ["verify", image, "--key", "/dev/zero"],
            "/dev/zero: cannot read the key: is not a regular file",
        ),
        (
            ["verify", fifo, "--signature", signature, "--key", key],
            f"{fifo}: cannot read: is not a regular file",
        ),
        (
            ["verify", image, "--signature", fifo, "--key", key],
            f"{fifo}: cannot read: is not a regular file",
        ),
        (
            ["verify", image, "--signature", tmp_path, "--key", key],
            f"{tmp_path}: cannot read: is a folder, not a file",
        ),
    ]
    for args, message in cases:
        result = run_bounded("image", *args)
        assert (result.returncode, result.stderr) == (1, f"mkconfigdrive: {message}\n")
    for name in ("version.txt", IMAGE):
        (release / name).unlink()
        os.mkfifo(release / name)
        assert failed_import(release, out, key) == (
            f"mkconfigdrive: {release / name}: cannot read: is not a regular file; "
            "nothing was kept\n"
        )
        (release / name).unlink()
        (release / name).write_text(VERSION_TXT)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("4GiB", 4 * 1024**3),
        ("512M", 512 * MiB),
        ("64 KiB", 65536),
        ("1000", 1000),
        ("2g", 2 * 1024**3),
    ],
)
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text, "--max-download") == size


def test_bad_limits_are_usage_errors(release: Path, out: Path, keys: Keys) -> None:
    key = keys.public("release")
    for args, message in (
        (
            ["--max-download", "lots"],
            "--max-download 'lots': give a size such as 4GiB, 512MiB or 1048576",
        ),
        (
            ["--max-image-size", "0"],
            "--max-image-size '0': give a size such as 4GiB, 512MiB or 1048576",
        ),
        (["--deadline", "0"], "--deadline must be more than 0 and at most 31,536,000 seconds"),
        (["--timeout", "inf"], "--timeout must be more than 0 and at most 31,536,000 seconds"),
        (["--deadline", "nan"], "--deadline must be more than 0 and at most 31,536,000 seconds"),
        (["--signing-gap", "-1"], "--signing-gap must be 0 or more"),
    ):
        result = run_cli("image", "import", release, "--key", key, "--out-dir", out, *args)
        assert (result.returncode, result.stderr) == (2, f"mkconfigdrive: {message}\n")
    assert list(out.iterdir()) == []
