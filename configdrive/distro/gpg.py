"""Checking a detached OpenPGP signature with GnuPG, trusting only the keys the user gave.

Why GnuPG and not a Python OpenPGP library: `gpgv` is the verify-only tool Debian's apt
trusts its archive to. It trusts exactly the keyring it is given (no trust database, no
agent, no key servers), it is maintained by the OpenPGP implementers themselves, and it
reports its verdict as documented, machine-readable status lines (`--status-fd`). The pure
Python libraries are either unmaintained or young, and a signature check is the one place
where a second implementation of OpenPGP's many corner cases is a liability.

Every check runs in a new private GnuPG home (mode 0700) that holds only the given keys and
is removed afterwards: the user's keyring is never read, and no key is ever fetched. The keys
go in through `gpg --import-options import-export`, which writes no keyring and starts no
agent; gpgv then reads them as a plain keyring file.
`gpgv` exits 0 for a good signature by a revoked or expired key, so its exit code is never
the verdict; the status lines are.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from configdrive.distro.fetch import open_regular
from configdrive.errors import GnuPGError, UsageError, VerificationError, describe_os_error

# Key files and signatures are small; anything bigger is not what the user meant to pass.
MAX_KEY_FILE = 1024 * 1024
MAX_SIGNATURE = 64 * 1024
_KEY_TIMEOUT = 60  # seconds for listing, importing and exporting keys
_STATUS_PREFIX = "[GNUPG:] "
_ERRSIG_NO_PUBKEY = "9"
_ERRSIG_UNKNOWN_ALGORITHM = "4"
_INSTALL_HINT = "install GnuPG (Debian and Ubuntu: apt install gnupg)"


@dataclass(frozen=True)
class PublicKey:
    """A key from a file the user gave: the only kind of key a signature may come from."""

    source: str
    fingerprint: str
    user_ids: tuple[str, ...]


@dataclass(frozen=True)
class Signature:
    """A good signature: who made it (by fingerprint) and when."""

    fingerprint: str  # the primary key's: the one people publish and compare
    signing_key: str  # the (sub)key that made the signature
    created: int  # seconds since the epoch
    user_id: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form for --json and the import record."""
        return {
            "fingerprint": self.fingerprint,
            "signing_key": self.signing_key,
            "user_id": self.user_id,
            "signed_at": utc_text(self.created),
        }


def utc_text(seconds: int) -> str:
    """A time as `2024-05-01T12:00:00Z`."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


class TrustedKeys:
    """A private, temporary GnuPG home holding the given public keys and nothing else.

    Use as a context manager; `verify` checks detached signatures against these keys only.
    """

    def __init__(self, key_files: Sequence[str | os.PathLike[str]]) -> None:
        if not key_files:
            raise UsageError("give the signer's public key with --key")
        self._key_files = [str(path) for path in key_files]
        self._gpg = _program("gpg")
        self._gpgv = _program("gpgv")
        self._home: Path | None = None
        self.keys: tuple[PublicKey, ...] = ()

    def __enter__(self) -> TrustedKeys:
        # mkdtemp makes the folder 0700: GnuPG refuses a home others can read, rightly.
        self._home = Path(tempfile.mkdtemp(prefix="mkconfigdrive-gnupg-"))
        try:
            keyring = bytearray()
            keys: list[PublicKey] = []
            for path in self._key_files:
                found, exported = self._add(path)
                keys += found
                keyring += exported
            self.keys = tuple(keys)
            # gpgv reads a plain keyring file: no keybox, no lock files, exactly these keys.
            (self.home / "trusted.gpg").write_bytes(keyring)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Remove the temporary home and everything in it."""
        if self._home is not None:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None

    @property
    def home(self) -> Path:
        """The temporary GnuPG home (exists only inside the `with` block)."""
        if self._home is None:
            raise RuntimeError("TrustedKeys is used outside its with block")
        return self._home

    def describe(self) -> str:
        """The given keys, for messages: `release.asc: 68B3...EAFD`."""
        return ", ".join(f"{key.source}: {key.fingerprint}" for key in self.keys)

    def verify(
        self, signature: bytes, data: Iterable[bytes], *, data_name: str, signature_name: str
    ) -> Signature:
        """Check `signature` (a detached signature) over the bytes `data` yields."""
        signature_file = self.home / "signature"
        signature_file.write_bytes(signature)
        status_file = self.home / "status"
        command = [
            self._gpgv,
            "--homedir",
            str(self.home),
            "--keyring",
            str(self.home / "trusted.gpg"),
            "--status-fd",
            "1",
            str(signature_file),
            "-",  # the data comes through a pipe: the bytes checked are the bytes we hash
        ]
        with status_file.open("wb") as status_stream:
            returncode = _feed(command, data, status_stream, self._environment())
        lines = status_file.read_text(encoding="utf-8", errors="replace").splitlines()
        return _verdict(lines, returncode, self, data_name=data_name, signature_name=signature_name)

    def _environment(self) -> dict[str, str]:
        # Nothing of the user's GnuPG set-up (agent sockets, options) may leak in.
        return {
            "PATH": os.environ.get("PATH", os.defpath),
            "LC_ALL": "C",
            "GNUPGHOME": str(self.home),
        }

    def _run_gpg(self, *arguments: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
        command = [
            self._gpg,
            "--homedir",
            str(self.home),
            "--batch",
            "--no-tty",
            "--no-options",
            "--no-autostart",  # no gpg-agent, no dirmngr: nothing outlives the check
            "--no-auto-check-trustdb",
            "--no-auto-key-retrieve",
            "--keyserver",
            "none",
            *arguments,
        ]
        try:
            return subprocess.run(
                command,
                input=stdin,
                capture_output=True,
                env=self._environment(),
                timeout=_KEY_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise GnuPGError(f"gpg did not finish within {_KEY_TIMEOUT} seconds") from None

    def _add(self, path: str) -> tuple[list[PublicKey], bytes]:
        """The public keys in the file at `path`, and the same keys as a binary keyring."""
        data = _read_key_file(path)
        listing = self._run_gpg(
            "--with-colons", "--import-options", "show-only", "--import", stdin=data
        )
        keys, private = _parse_key_listing(listing.stdout.decode("utf-8", "replace"), path)
        if private:
            raise VerificationError(
                f"{path}: holds a private key; give the public key instead "
                "(gpg --armor --export KEY > key.asc)"
            )
        if not keys:
            raise VerificationError(f"{path}: holds no OpenPGP public key")
        # import-export: GnuPG's whole import, written out instead of stored in a keyring,
        # so no keyring is written and no agent is asked about private keys.
        exported = self._run_gpg("--import-options", "import-export", "--import", stdin=data)
        if exported.returncode != 0 or not exported.stdout:
            raise VerificationError(f"{path}: GnuPG could not read the key")
        return keys, exported.stdout


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise GnuPGError(
            f"{name} (GnuPG) is needed to check signatures and was not found; {_INSTALL_HINT}"
        )
    return found


def _read_key_file(path: str) -> bytes:
    try:
        # Only a regular file: a FIFO would block open() itself, a device read for ever.
        with open_regular(path) as stream:
            data = stream.read(MAX_KEY_FILE + 1)
    except OSError as error:
        raise VerificationError(
            f"{path}: cannot read the key: {describe_os_error(error)}"
        ) from None
    if len(data) > MAX_KEY_FILE:
        raise VerificationError(
            f"{path}: is over {MAX_KEY_FILE // 1024} KiB; not a public key file"
        )
    return data


def _parse_key_listing(listing: str, source: str) -> tuple[list[PublicKey], bool]:
    """The public keys in `gpg --with-colons` output, and whether a private key was seen."""
    keys: list[PublicKey] = []
    private = False
    fingerprint: str | None = None
    user_ids: list[str] = []
    expect_primary_fingerprint = False

    def finish() -> None:
        if fingerprint is not None:
            keys.append(PublicKey(source, fingerprint, tuple(user_ids)))

    for line in listing.splitlines():
        fields = line.split(":")
        record = fields[0]
        if record in ("pub", "sec"):
            finish()
            fingerprint, user_ids = None, []
            private = private or record == "sec"
            expect_primary_fingerprint = True
        elif record == "fpr" and expect_primary_fingerprint and len(fields) > 9:
            fingerprint = fields[9]
            expect_primary_fingerprint = False
        elif record in ("sub", "ssb"):
            expect_primary_fingerprint = False
        elif record == "uid" and len(fields) > 9:
            user_ids.append(_unescape_colons(fields[9]))
    finish()
    return keys, private


def _unescape_colons(text: str) -> str:
    # --with-colons escapes ':' and control characters as \xNN.
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape", "replace")


def _feed(
    command: list[str], data: Iterable[bytes], status_stream: Any, environment: dict[str, str]
) -> int:
    """Run `command`, write `data` to its standard input, and return its exit code."""
    with subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=status_stream,
        stderr=subprocess.DEVNULL,
        env=environment,
    ) as process:
        stdin = process.stdin
        if stdin is None:  # pragma: no cover - stdin=PIPE always gives one
            raise GnuPGError("gpgv has no standard input")
        try:
            for chunk in data:
                stdin.write(chunk)
        except BrokenPipeError:
            pass  # gpgv stopped reading (an unusable signature): its status says why
        except BaseException:
            process.kill()
            raise
        finally:
            with contextlib.suppress(BrokenPipeError):
                stdin.close()
        return process.wait()


@dataclass
class _SignatureStatus:
    """The status lines of one signature (gpgv starts each with NEWSIG)."""

    keywords: dict[str, list[str]] = field(default_factory=dict)

    def add(self, keyword: str, arguments: list[str]) -> None:
        self.keywords.setdefault(keyword, arguments)

    def get(self, keyword: str) -> list[str] | None:
        return self.keywords.get(keyword)


def _status_groups(lines: Iterable[str]) -> tuple[list[_SignatureStatus], set[str]]:
    groups: list[_SignatureStatus] = []
    seen: set[str] = set()
    for line in lines:
        if not line.startswith(_STATUS_PREFIX):
            continue
        keyword, *arguments = line[len(_STATUS_PREFIX) :].split(" ")
        seen.add(keyword)
        if keyword == "NEWSIG":
            groups.append(_SignatureStatus())
        elif groups:
            groups[-1].add(keyword, arguments)
    return groups, seen


def _verdict(
    lines: Sequence[str],
    returncode: int,
    trusted: TrustedKeys,
    *,
    data_name: str,
    signature_name: str,
) -> Signature:
    groups, seen = _status_groups(lines)
    if not groups:
        if "NODATA" in seen:
            raise VerificationError(f"{signature_name}: is not an OpenPGP signature")
        raise VerificationError(f"{signature_name}: is not a detached OpenPGP signature")
    good: list[Signature] = []
    for group in groups:
        good.append(_judge(group, trusted, data_name=data_name, signature_name=signature_name))
    if returncode != 0:
        raise VerificationError(
            f"{signature_name}: gpgv did not accept the signature (exit status {returncode})"
        )
    return good[0]


def _judge(
    group: _SignatureStatus, trusted: TrustedKeys, *, data_name: str, signature_name: str
) -> Signature:
    """The good signature a status group describes, or the error that says what is wrong."""
    bad = group.get("BADSIG")
    if bad is not None:
        raise VerificationError(
            f"{data_name}: BAD signature (key {bad[0]}): the file is not what was signed; "
            "it was changed or damaged after signing"
        )
    error = group.get("ERRSIG")
    if error is not None:
        key = error[6] if len(error) > 6 and error[6] != "-" else error[0]
        code = error[5] if len(error) > 5 else ""
        if code == _ERRSIG_NO_PUBKEY:
            raise VerificationError(
                f"{signature_name}: made by key {key}, which is not one of the given keys "
                f"({trusted.describe()})"
            )
        reason = (
            "an unsupported algorithm" if code == _ERRSIG_UNKNOWN_ALGORITHM else f"error {code}"
        )
        raise VerificationError(f"{signature_name}: cannot be checked ({reason}; key {key})")
    valid = group.get("VALIDSIG")
    if valid is None or len(valid) < 3:
        raise VerificationError(f"{signature_name}: GnuPG did not confirm the signature")
    signing_key = valid[0]
    primary = valid[9] if len(valid) > 9 else signing_key
    if group.get("REVKEYSIG") is not None:
        raise VerificationError(
            f"{signature_name}: made by key {primary}, which its owner has revoked"
        )
    if group.get("EXPKEYSIG") is not None:
        expired = group.get("KEYEXPIRED")
        when = f" on {utc_text(int(expired[0]))}" if expired and expired[0].isdigit() else ""
        raise VerificationError(f"{signature_name}: made by key {primary}, which expired{when}")
    if group.get("EXPSIG") is not None:
        raise VerificationError(f"{signature_name}: the signature itself has expired")
    goodsig = group.get("GOODSIG")
    if goodsig is None:
        raise VerificationError(f"{signature_name}: GnuPG did not confirm the signature")
    user_id = urllib.parse.unquote(" ".join(goodsig[1:]))
    created = int(valid[2]) if valid[2].isdigit() else 0
    return Signature(fingerprint=primary, signing_key=signing_key, created=created, user_id=user_id)
