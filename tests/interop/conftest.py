"""What the interop tests share: the fixture cases, the real reader programs, and built drives.

Every reader is a separate program (xorriso, isoinfo, blkid, genisoimage, cloud-init under
Debian's python). A missing one FAILS the test instead of skipping it: CI installs them, and a
skipped interop test would hide a broken install.

Expectations are computed from the fixture inputs here, independently of configdrive's own
loaders: the tests compare what the readers see with what the user gave.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import select
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
import yaml

from tests.helpers import run_cli

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
VALID = ROOT / "fixtures" / "valid"
READER_SCRIPT = HERE / "read_config_drive.py"
DEBIAN_PYTHON = "/usr/bin/python3"

# Every folder is a case: a new fixture is picked up (and one without `args` fails loudly).
CASES = sorted(path.name for path in VALID.iterdir() if path.is_dir())

# Two zones far apart (+05:30 and -08:00/-07:00): a date written in local time shows up.
FIRST_TZ = "Asia/Kolkata"
SECOND_TZ = "America/Los_Angeles"
# ISO9660 dates have whole seconds: builds this far apart fall in different seconds.
SECOND_BUILD_DELAY = 1.1

# Which Debian package provides each program, for the failure message.
PACKAGES = {
    "xorriso": "xorriso",
    "isoinfo": "genisoimage",
    "genisoimage": "genisoimage",
    "blkid": "util-linux",
    "fsck.vfat": "dosfstools",
    "mkfs.fat": "dosfstools",
    "mdir": "mtools",
    "mcopy": "mtools",
    "mtype": "mtools",
    "cloud-localds": "cloud-image-utils",
    "gpg": "gnupg",
    DEBIAN_PYTHON: "python3 and cloud-init",
}
SUBPROCESS_TIMEOUT = 120


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that takes a `case` argument once per valid fixture folder."""
    if "case" in metafunc.fixturenames:
        metafunc.parametrize("case", CASES)


# --------------------------------------------------------------------------- fixture inputs


@dataclass(frozen=True)
class CaseInputs:
    """One fixture's inputs, read straight from its files (not through configdrive)."""

    folder: Path
    args: list[str]
    user_data: bytes | None
    meta_data: dict[str, Any]
    # Only the documents that were given: "network_data", "vendor_data", "vendor_data2".
    documents: dict[str, Any]
    uuid: str | None
    hostname: str | None
    name: str | None
    ssh_keys: list[str]
    files: dict[str, bytes]


def _argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mkconfigdrive build", allow_abbrev=False)
    parser.add_argument("user_data", nargs="?")
    for option in ("--meta-data", "--network-data", "--vendor-data", "--vendor-data2"):
        parser.add_argument(option)
    for option in ("--uuid", "--hostname", "--name", "--mode"):
        parser.add_argument(option)
    parser.add_argument("--ssh-key", action="append", default=[])
    parser.add_argument("--file", action="append", default=[])
    for flag in ("--strict", "--force", "--quiet"):
        parser.add_argument(flag, action="store_true")
    return parser


def parse_document(path: Path) -> Any:
    """A JSON or YAML input file, parsed."""
    text = path.read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return yaml.safe_load(text)


def _flag_keys(folder: Path, values: Sequence[str]) -> list[str]:
    """The keys of --ssh-key values: each a key file (one key a line) or a key itself."""
    keys: list[str] = []
    for value in values:
        path = folder / value
        if path.is_file():
            lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
            keys.extend(line for line in lines if line and not line.startswith("#"))
        else:
            keys.append(value.strip())
    return keys


def _meta_keys(meta: Mapping[str, Any]) -> list[str]:
    """SSH keys given in a meta-data file: public_keys values and keys[].data."""
    keys = [str(key) for key in (meta.get("public_keys") or {}).values()]
    keys.extend(
        str(entry["data"]) for entry in meta.get("keys") or [] if entry.get("type", "ssh") == "ssh"
    )
    return keys


def read_case(case: str) -> CaseInputs:
    """Parse the `args` of fixture `case` and read every file they name."""
    folder = VALID / case
    args_file = folder / "args"
    if not args_file.is_file():
        pytest.fail(f"fixture {case!r} has no args file: {args_file}")
    args = shlex.split(args_file.read_text(encoding="utf-8"))
    parsed, unknown = _argument_parser().parse_known_args(args)
    if unknown:
        pytest.fail(f"fixture {case!r}: the interop tests do not know the arguments {unknown}")

    meta: dict[str, Any] = {}
    if parsed.meta_data is not None:
        meta = parse_document(folder / parsed.meta_data)
        assert isinstance(meta, dict), f"{case}: the meta-data input is not a mapping"
    documents = {
        name: parse_document(folder / value)
        for name, value in (
            ("network_data", parsed.network_data),
            ("vendor_data", parsed.vendor_data),
            ("vendor_data2", parsed.vendor_data2),
        )
        if value is not None
    }
    files: dict[str, bytes] = {}
    for spec in parsed.file:
        source, _, dest = spec.rpartition(":")
        files[dest] = (folder / source).read_bytes()

    return CaseInputs(
        folder=folder,
        args=args,
        user_data=(folder / parsed.user_data).read_bytes() if parsed.user_data else None,
        meta_data=meta,
        documents=documents,
        uuid=parsed.uuid or meta.get("uuid"),
        hostname=parsed.hostname or meta.get("hostname"),
        name=parsed.name or meta.get("name"),
        ssh_keys=[*_meta_keys(meta), *_flag_keys(folder, parsed.ssh_key)],
        files=files,
    )


# --------------------------------------------------------------------------- the programs


def _require(program: str) -> str:
    """The path of `program`, or a test failure naming the package to install."""
    found = shutil.which(program)
    if found is None:
        package = PACKAGES.get(program, program)
        pytest.fail(
            f"{program} is not installed: the interop tests need it "
            f"(Debian package {package}; scripts/test installs it)",
            pytrace=False,
        )
    return found


def run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run a program to completion; a missing program or a non-zero exit fails the test.

    `python -m configdrive ...` runs in this process (tests.helpers.run_cli): the same exit
    code and output as the child, without an interpreter's start-up for every build.
    """
    if [str(part) for part in argv[:3]] == [sys.executable, "-m", "configdrive"]:
        command = [str(part) for part in argv]
        result = _run_configdrive(argv[3:], cwd=cwd, env=env, stdin=stdin)
    else:
        command = [_require(str(argv[0])), *map(str, argv[1:])]
        result = subprocess.run(
            command,
            cwd=cwd,
            env=None if env is None else dict(env),
            input=stdin,
            capture_output=True,
            check=False,
            timeout=SUBPROCESS_TIMEOUT,
        )
    if result.returncode != 0:
        pytest.fail(
            f"{shlex.join(command)} exited with {result.returncode}\n"
            f"--- stdout\n{result.stdout.decode(errors='replace')}\n"
            f"--- stderr\n{result.stderr.decode(errors='replace')}",
            pytrace=False,
        )
    return result


def _run_configdrive(
    args: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | None,
    env: Mapping[str, str] | None,
    stdin: bytes | None,
) -> subprocess.CompletedProcess[bytes]:
    # `env` is the whole environment, as for a child: every other variable is removed.
    changes: dict[str, str | None] = {}
    if env is not None:
        changes = {name: None for name in os.environ if name not in env}
        changes.update(env)
    ran = run_cli(*args, cwd=cwd, stdin=stdin, env=changes)
    return subprocess.CompletedProcess(
        ran.args, ran.returncode, ran.stdout.encode(), ran.stderr.encode()
    )


def build_env(tz: str, source_date_epoch: int | None = None) -> dict[str, str]:
    """This environment with TZ set and SOURCE_DATE_EPOCH set or (by default) removed."""
    env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    env["TZ"] = tz
    if source_date_epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(source_date_epoch)
    return env


def build(
    folder: Path,
    args: Sequence[str],
    output: Path,
    *,
    tz: str = FIRST_TZ,
    source_date_epoch: int | None = None,
) -> dict[str, Any]:
    """Run `mkconfigdrive build ARGS -o OUTPUT --json` in `folder`; its JSON summary."""
    result = run(
        [sys.executable, "-m", "configdrive", "build", *args, "-o", output, "--json"],
        cwd=folder,
        env=build_env(tz, source_date_epoch),
    )
    summary = json.loads(result.stdout)
    assert isinstance(summary, dict)
    assert summary["ok"] is True, summary
    assert output.exists()
    return summary


def _xorriso_tree_options(joliet: bool) -> list[str]:
    # -read_fs picks the tree to load. With -ecma119_map unmapped, a missing Rock Ridge or
    # Joliet tree shows as upper-case ISO9660 names (META_DATA.JSO;1), never as a quiet
    # lower-cased look-alike.
    return ["-read_fs", "norock" if joliet else "nojoliet", "-ecma119_map", "unmapped"]


def extract(iso: Path, dest: Path, *, joliet: bool = False) -> Path:
    """Extract the Rock Ridge (or Joliet) tree of `iso` into `dest` with xorriso."""
    run(["xorriso", *_xorriso_tree_options(joliet), "-osirrox", "on", "-indev", iso,
         "-extract", "/", dest])  # fmt: skip
    return dest


def xorriso_files(iso: Path, *, joliet: bool = False) -> list[str]:
    """The files in the Rock Ridge (or Joliet) tree of `iso`, as xorriso lists them."""
    result = run(["xorriso", *_xorriso_tree_options(joliet), "-indev", iso,
                  "-find", "/", "-type", "f"])  # fmt: skip
    paths = []
    for line in result.stdout.decode().splitlines():
        if len(line) < 2 or not line.startswith("'") or not line.endswith("'"):
            pytest.fail(f"unexpected line in xorriso's list of files: {line!r}")
        paths.append(line[1:-1])
    return paths


def xorriso_extents(iso: Path, *, joliet: bool = False) -> dict[str, int]:
    """Where each file's data starts (block number) in the Rock Ridge (or Joliet) tree."""
    result = run(["xorriso", *_xorriso_tree_options(joliet), "-indev", iso,
                  "-find", "/", "-type", "f", "-exec", "report_lba"])  # fmt: skip
    extents: dict[str, int] = {}
    for line in result.stdout.decode().splitlines():
        if not line.startswith("File data lba:"):
            continue
        fields = [field.strip() for field in line.removeprefix("File data lba:").split(",", 4)]
        extent, start, path = fields[0], fields[1], fields[4]
        if extent == "0":  # the first extent of the file
            extents[path.strip("'")] = int(start)
    return extents


def isoinfo_paths(iso: Path, tree: str) -> set[str]:
    """Every path (files and folders) isoinfo lists in the tree `tree` ('-J' or '-R')."""
    result = run(["isoinfo", tree, "-f", "-i", iso])
    return set(result.stdout.decode().splitlines())


def pvd_info(iso: Path) -> dict[str, str]:
    """xorriso's report of the primary volume descriptor, as a map of field to value."""
    result = run(["xorriso", "-indev", iso, "-pvd_info"])
    info: dict[str, str] = {}
    for line in result.stdout.decode().splitlines():
        key, colon, value = line.partition(":")
        if colon:
            info[key.strip()] = value.strip()
    return info


def tree_files(folder: Path) -> dict[str, bytes]:
    """Every regular file under `folder`: relative path -> content."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def tree_paths(folder: Path) -> set[str]:
    """Every file and folder under `folder`, as absolute drive paths (/openstack/...)."""
    return {"/" + path.relative_to(folder).as_posix() for path in folder.rglob("*")}


def _decode_bytes(value: dict[str, Any]) -> Any:
    if value.keys() == {"$bytes"}:
        return base64.b64decode(value["$bytes"])
    return value


def read_with_cloud_init(folder: Path) -> dict[str, Any]:
    """What cloud-init's config drive reader makes of an extracted drive (see the script)."""
    result = run([DEBIAN_PYTHON, "-I", READER_SCRIPT, folder])
    report = json.loads(result.stdout, object_hook=_decode_bytes)
    assert isinstance(report, dict)
    return report


# --------------------------------------------------------------------------- built drives


@dataclass(frozen=True)
class BuiltDrive:
    """A fixture built with the CLI in TZ=FIRST_TZ, SOURCE_DATE_EPOCH unset unless given."""

    case: str
    inputs: CaseInputs
    iso: Path
    summary: dict[str, Any]
    source_date_epoch: int | None
    finished_at: float  # time.time() when the build ended

    def rebuild(self, output: Path, *, tz: str) -> dict[str, Any]:
        """Build the same inputs again into `output`, at least SECOND_BUILD_DELAY later."""
        time.sleep(max(0.0, self.finished_at + SECOND_BUILD_DELAY - time.time()))
        return build(
            self.inputs.folder,
            self.inputs.args,
            output,
            tz=tz,
            source_date_epoch=self.source_date_epoch,
        )


class Drives:
    """Builds, extractions and cloud-init readings of the fixtures, each made once a session."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self._built: dict[tuple[str, int | None], BuiltDrive] = {}
        self._extracted: dict[tuple[str, int | None], Path] = {}
        self._cloud_init: dict[str, dict[str, Any]] = {}

    def built(self, case: str, *, source_date_epoch: int | None = None) -> BuiltDrive:
        key = (case, source_date_epoch)
        if key not in self._built:
            inputs = read_case(case)
            iso = self._factory.mktemp(f"{case}-build") / "drive.iso"
            summary = build(inputs.folder, inputs.args, iso, source_date_epoch=source_date_epoch)
            self._built[key] = BuiltDrive(
                case, inputs, iso, summary, source_date_epoch, time.time()
            )
        return self._built[key]

    def extracted(self, case: str, *, source_date_epoch: int | None = None) -> Path:
        """The drive's Rock Ridge tree, extracted by xorriso (treat it as read-only)."""
        key = (case, source_date_epoch)
        if key not in self._extracted:
            iso = self.built(case, source_date_epoch=source_date_epoch).iso
            self._extracted[key] = extract(iso, self._factory.mktemp(f"{case}-tree") / "drive")
        return self._extracted[key]

    def cloud_init(self, case: str) -> dict[str, Any]:
        """cloud-init's reading of the extracted drive: result, selected_version, ssh_keys..."""
        if case not in self._cloud_init:
            self._cloud_init[case] = read_with_cloud_init(self.extracted(case))
        return self._cloud_init[case]


@pytest.fixture(scope="session")
def drives(tmp_path_factory: pytest.TempPathFactory) -> Drives:
    """The fixtures' drives, built lazily and shared by every interop test module."""
    return Drives(tmp_path_factory)


# --------------------------------------------------------------------------- a long-lived reader

READER_SERVER = HERE / "reader_server.py"
# A reading takes milliseconds; this only stops a hung reader from hanging the session.
READER_TIMEOUT = 60


class DebianPythonServer:
    """A script under Debian's python that answers one JSON line for each line it is sent.

    cloud-init runs only under Debian's /usr/bin/python3; starting it for every drive or
    document costs about 0.3 s, so the tests that ask it thousands of times keep one.
    """

    def __init__(self, script: Path, log: Path, timeout: float) -> None:
        self._script = script
        self._timeout = timeout
        self._log_path = log
        # The script's own logging goes to a file: a full stderr pipe would block it.
        self._log = log.open("wb")
        self._process = subprocess.Popen(
            [_require(DEBIAN_PYTHON), "-I", str(script)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            encoding="utf-8",
        )

    def ask(self, request: str, object_hook: Any = None) -> dict[str, Any]:
        """The script's answer to one request (a path)."""
        assert "\n" not in request, "one path a line"
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None
        assert stdout is not None
        try:
            stdin.write(request + "\n")
            stdin.flush()
        except BrokenPipeError:
            self._fail("is gone")
        ready, _, _ = select.select([stdout], [], [], self._timeout)
        if not ready:
            self._fail(f"gave no answer in {self._timeout} s for {request}")
        line = stdout.readline()
        if not line:
            self._fail(f"exited with {self._process.wait()} while reading {request}")
        answer = json.loads(line, object_hook=object_hook)
        assert isinstance(answer, dict)
        return answer

    def _fail(self, what: str) -> NoReturn:
        self._log.flush()
        log = self._log_path.read_text(encoding="utf-8", errors="replace")
        pytest.fail(f"{self._script.name} {what}\n--- its stderr\n{log}")

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=self._timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._log.close()


class CloudInitReader(DebianPythonServer):
    """cloud-init's config drive reader in one Debian python for the session (reader_server.py).

    read_with_cloud_init() starts a process a drive (about 0.3 s); the fuzz tests read
    thousands, so they send folder paths to this one instead and get the same report.
    """

    def __init__(self, log: Path) -> None:
        super().__init__(READER_SERVER, log, READER_TIMEOUT)

    def read(self, folder: Path) -> dict[str, Any]:
        """cloud-init's answer for an extracted drive.

        {"ok": True, "report": <what read_config_drive.py prints, bytes decoded>}, or
        {"ok": False, "type": ..., "error": ..., "traceback": ...} when cloud-init refuses it.
        """
        return self.ask(str(folder), object_hook=_decode_bytes)


@pytest.fixture(scope="session")
def cloud_init_reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CloudInitReader]:
    """One cloud-init reader process for the whole session."""
    reader = CloudInitReader(tmp_path_factory.mktemp("cloud-init-reader") / "stderr.log")
    try:
        yield reader
    finally:
        reader.close()
