"""The hostile-input catalogue (issue 5): every case in fixtures/invalid, through the real CLI.

Each case is refused with its exact message and exit code (1, or 3 for I/O), within 200 MiB
of the command's own memory and without reading more than one document's limit (plus the
interpreter's own start-up), without a traceback, and without a byte written: no drive, no
temporary file, nothing else in the case's folder changed. Work is bounded by what the OS
counts (bytes read, peak memory), never by wall time, which any load on the machine changes.

Inputs git cannot hold (a 200 MiB file, a FIFO, an unreadable file, a read-only folder) are
made at test time in a copy of the case, as its `setup` file says, one directive a line:

    big PATH SIZE [PATTERN]  PATH grows to SIZE (64KiB, 16MiB, ...): its committed content,
                             then PATTERN (Python escapes) over and over, or zero bytes
    fifo PATH                a named pipe
    dir PATH                 an empty folder
    file PATH                a small file (an old drive at the output path)
    missing PATH             PATH removed (the output folder, `out`)
    unreadable PATH          mode 000, and the command runs without root's power to read it
    readonly PATH            a folder of mode 0555, and likewise
    stdin PATH               standard input reads PATH
    symlink PATH TARGET      a symbolic link to TARGET (which may lie outside the case)

Every case writes to `out/drive.iso` in its copy; `out` exists unless the setup removes it.
"""

from __future__ import annotations

import codecs
import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from configdrive import InvalidInputError, layout_drive, machine_spec, validate_machine
from configdrive.inputs.documents import MAX_DOCUMENT_SIZE
from configdrive.problems import errors_in
from tests.helpers import (
    INVALID,
    Measured,
    case_args,
    case_exit_code,
    cases,
    run_cli,
    run_measured,
)

MiB = 1024 * 1024
MEMORY_LIMIT = 200 * MiB  # the command's peak resident memory
# Python and our modules take about 4.4 MiB of reads to start; beyond that a refused input
# is read at most up to the document limit (a 200 MiB file must not be read whole).
READ_LIMIT = MAX_DOCUMENT_SIZE + 8 * MiB
OUTPUT = "out/drive.iso"

# Root reads and writes whatever the mode bits say; without these two capabilities it is
# held to them like anyone else (it still owns the files, so mode 000 shuts it out).
UNPRIVILEGED = [
    "setpriv",
    "--bounding-set=-dac_override,-dac_read_search",
    "--inh-caps=-dac_override,-dac_read_search",
    "--",
]

# The list of issue 5, each item with the cases that answer it.
ISSUE_CATALOGUE = {
    "wrong types": ["wrong-types", "meta-data-wrong", "network-data"],
    "unknown keys (--strict)": ["unknown-key-strict"],
    "broken YAML": ["yaml-syntax", "yaml-unclosed", "yaml-python-tag", "meta-data-json"],
    "tabs": ["yaml-syntax", "tab-in-network-data"],
    "duplicate keys": ["duplicate-key", "duplicate-key-json"],
    "non-UTF-8 bytes": ["not-utf8", "not-utf8-documents"],
    "a UTF-8 BOM": ["byte-order-mark", "byte-order-mark-gzip"],
    "empty files": ["empty-user-data", "empty-documents", "empty-inputs"],
    "a 200 MB user-data": ["huge-user-data", "huge-stdin", "huge-documents"],
    "YAML alias bombs": [
        "alias-bomb",
        "alias-bomb-meta-data",
        "alias-bomb-long-string",
        "alias-recursive",
    ],
    "deeply nested documents": ["deep-nesting", "deep-nesting-json", "value-flood"],
    "invalid base64": ["write-files-encoding", "bad-identity", "bad-ssh-keys"],
    "invalid gzip": [
        "broken-gzip",
        "write-files-encoding",
        "gzip-bomb",
        "gzip-bomb-nested",
        "mime-gzip-parts",
        "write-files-gzip-bomb",
    ],
    "keys with control characters": ["control-character-key", "control-character"],
    "a --file DEST with ..": ["bad-files"],
    "a relative DEST": ["bad-files"],
    "a DEST that is a folder": ["file-dest-folder"],
    "SRC that is a folder": ["bad-files", "folder-inputs"],
    "a FIFO": ["fifo-inputs", "device-inputs"],
    "unreadable": ["unreadable-inputs"],
    "an output path in a missing folder": ["output-folder-missing", "output-folder-is-a-file"],
    "an output path in a read-only folder": ["output-folder-read-only"],
    "an output that is a folder": ["output-is-a-folder"],
}
# The build side of issue 12: what --force, --mode and --file took that they should not.
ISSUE_12_CATALOGUE = {
    "--force over a FIFO, a device or a link": ["output-is-a-fifo", "output-is-a-link"],
    "--format dir --force over a link or a folder that is no drive": [
        "output-dir-link",
        "output-dir-not-a-drive",
        "output-dir-drive-with-fifo",
    ],
    "--mode with setuid, setgid or sticky bits": ["mode-setuid"],
    "a DEST with a newline or NUL, longer than PATH_MAX or NAME_MAX": [
        "file-dest-unwritable",
        "machine-file-dest",
    ],
    "a /proc file as --file": ["file-proc-endless"],
    "a file the drive's file system cannot hold": ["vfat-file-too-big"],
}


@dataclass
class Prepared:
    """A case copied to a temporary folder, its generated inputs made."""

    folder: Path
    args: list[str]
    stdin: Path | None = None
    unprivileged: bool = False
    made: list[str] = field(default_factory=list)


def prepare(case: Path, tmp_path: Path) -> Prepared:
    """Copy `case` into `tmp_path` and carry out its `setup` file."""
    folder = tmp_path / case.name
    shutil.copytree(case, folder, symlinks=True)
    (folder / "out").mkdir()
    prepared = Prepared(folder, case_args(case))
    setup = case / "setup"
    if setup.is_file():
        for line in setup.read_text().splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                _apply(prepared, shlex.split(line))
    return prepared


def _apply(prepared: Prepared, words: list[str]) -> None:
    directive, *operands = words
    target = _inside(prepared.folder, operands[0])
    if directive == "big":
        _grow(target, _size(operands[1]), operands[2] if len(operands) > 2 else None)
    elif directive == "fifo":
        os.mkfifo(target)
    elif directive == "dir":
        target.mkdir(parents=True)
    elif directive == "file":
        target.write_bytes(b"an older drive\n")
    elif directive == "missing":
        shutil.rmtree(target)
    elif directive == "unreadable":
        target.chmod(0)
        prepared.unprivileged = True
    elif directive == "readonly":
        target.chmod(0o555)
        prepared.unprivileged = True
    elif directive == "stdin":
        prepared.stdin = target
    elif directive == "symlink":
        target.symlink_to(operands[1])
    else:
        raise ValueError(f"unknown setup directive {directive!r}")
    prepared.made.append(directive)


def _inside(folder: Path, relative: str) -> Path:
    target = folder / relative
    assert target.resolve().is_relative_to(folder.resolve()), f"{relative} leaves the case"
    return target


def _size(text: str) -> int:
    units = {"KiB": 1024, "MiB": MiB, "GiB": 1024 * MiB}
    for unit, factor in units.items():
        if text.endswith(unit):
            return int(text[: -len(unit)]) * factor
    return int(text)


def _grow(path: Path, size: int, pattern: str | None) -> None:
    seed = path.read_bytes() if path.exists() else b""
    if pattern is None:
        path.write_bytes(seed)
        os.truncate(path, size)  # sparse: no disk, no time
        return
    unit = codecs.decode(pattern, "unicode_escape").encode()
    repeats = (size - len(seed)) // len(unit) + 1
    path.write_bytes((seed + unit * repeats)[:size])


def run_case(prepared: Prepared, *extra: str, subcommand: str = "build") -> Measured:
    """`mkconfigdrive build ARGS -o out/drive.iso` in the case's copy, measured.

    Another subcommand (`validate`) gets the case's arguments without `-o`.
    """
    output = ["-o", OUTPUT] if subcommand == "build" else []
    command = [sys.executable, "-m", "configdrive", subcommand, *prepared.args, *output, *extra]
    if prepared.unprivileged and os.geteuid() == 0:
        command = [*UNPRIVILEGED, *command]
    return run_measured(command, cwd=prepared.folder, stdin=prepared.stdin)


def run_case_output(
    prepared: Prepared, *extra: str, subcommand: str = "build"
) -> subprocess.CompletedProcess[str] | Measured:
    """run_case for a test of exit code and output only: in this process, where it can be.

    A case with standard input, a FIFO (a mistake could block on it: the child's hang guard
    ends that) or one that must run without root's powers still runs in a child.
    """
    if prepared.stdin is not None or prepared.unprivileged or "fifo" in prepared.made:
        return run_case(prepared, *extra, subcommand=subcommand)
    output = ["-o", OUTPUT] if subcommand == "build" else []
    return run_cli(subcommand, *prepared.args, *output, *extra, cwd=prepared.folder)


def snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every path under `folder` with its type and mode bits, size and modification time."""
    found = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        found[str(path.relative_to(folder))] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return found


@pytest.mark.parametrize("case", cases(INVALID))
def test_hostile_input_is_refused_cheaply(case: str, tmp_path: Path) -> None:
    prepared = prepare(INVALID / case, tmp_path)
    before = snapshot(prepared.folder)
    result = run_case(prepared)
    assert result.returncode == case_exit_code(INVALID / case), result.stderr
    assert result.stderr == (INVALID / case / "expected").read_text()
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    # No drive, no temporary file beside it, no input touched.
    assert snapshot(prepared.folder) == before
    assert result.bytes_read < READ_LIMIT, f"read {result.bytes_read / MiB:.1f} MiB"
    assert result.peak_rss < MEMORY_LIMIT, f"peaked at {result.peak_rss / MiB:.0f} MiB"


@pytest.mark.parametrize("case", cases(INVALID))
def test_hostile_input_as_json(case: str, tmp_path: Path) -> None:
    """--json reports the same problems, field by field, as the text on stderr."""
    prepared = prepare(INVALID / case, tmp_path)
    before = snapshot(prepared.folder)
    result = run_case_output(prepared, "--json")
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["exit_code"] == result.returncode == case_exit_code(INVALID / case)
    assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(prepared.folder) == before
    *problem_lines, summary = (INVALID / case / "expected").read_text().splitlines()
    assert [_as_text(problem) for problem in document["problems"]] == problem_lines
    if not problem_lines:  # an I/O failure: one message, no problems
        assert f"mkconfigdrive: {document['message']}" == summary


def _as_text(problem: dict[str, object]) -> str:
    """A --json problem rendered the way the text output renders it."""
    location = str(problem["file"])
    if problem["line"] is not None:
        location += f":{problem['line']}"
        if problem["column"] is not None:
            location += f":{problem['column']}"
    parts = [location]
    if problem["severity"] == "warning":
        parts.append("warning")
    if problem["path"] is not None:
        parts.append(str(problem["path"]))
    parts.append(str(problem["message"]))
    return ": ".join(parts)


def test_catalogue_answers_every_item_of_the_issue() -> None:
    known = set(cases(INVALID))
    catalogue = {**ISSUE_CATALOGUE, **ISSUE_12_CATALOGUE}
    missing = {item: names for item, names in catalogue.items() if set(names) - known}
    assert missing == {}
    assert len(known) >= 40
    # I/O failures exit 3, a bad option 2, everything else 1.
    codes = {name: case_exit_code(INVALID / name) for name in known}
    assert set(codes.values()) == {1, 2, 3}
    assert {name for name, code in codes.items() if code == 3} == {
        "output-dir-drive-with-fifo",
        "output-dir-link",
        "output-dir-not-a-drive",
        "output-exists",
        "output-folder-is-a-file",
        "output-folder-missing",
        "output-folder-read-only",
        "output-is-a-fifo",
        "output-is-a-folder",
        "output-is-a-link",
    }
    assert {name for name, code in codes.items() if code == 2} == {"mode-setuid"}


def test_setup_makes_what_it_says(tmp_path: Path) -> None:
    """The generated inputs are really there: big, a FIFO, unreadable, read-only, removed."""
    huge = prepare(INVALID / "huge-user-data", tmp_path / "huge")
    assert (huge.folder / "user.yml").stat().st_size == 200 * MiB
    with (huge.folder / "user.yml").open("rb") as stream:
        assert stream.read(13) == b"#cloud-config"
    fifos = prepare(INVALID / "fifo-inputs", tmp_path / "fifo")
    assert stat.S_ISFIFO((fifos.folder / "user.yml").stat().st_mode)
    locked = prepare(INVALID / "unreadable-inputs", tmp_path / "locked")
    assert locked.unprivileged
    assert (locked.folder / "user.yml").stat().st_mode & 0o777 == 0
    read_only = prepare(INVALID / "output-folder-read-only", tmp_path / "ro")
    assert (read_only.folder / "out").stat().st_mode & 0o777 == 0o555
    missing = prepare(INVALID / "output-folder-missing", tmp_path / "missing")
    assert not (missing.folder / "out").exists()
    flood = prepare(INVALID / "value-flood", tmp_path / "flood")
    assert (flood.folder / "user.yml").read_text().count("\n- echo") > 100_000
    link = prepare(INVALID / "output-is-a-link", tmp_path / "link")
    assert str((link.folder / OUTPUT).readlink()) == "/dev/null"
    elsewhere = prepare(INVALID / "output-dir-link", tmp_path / "elsewhere")
    assert (elsewhere.folder / OUTPUT / "openstack" / "latest" / "meta_data.json").is_file()
    assert (elsewhere.folder / OUTPUT).is_symlink()
    fat = prepare(INVALID / "vfat-file-too-big", tmp_path / "fat")
    assert (fat.folder / "payload").stat().st_size == 4 * 1024 * MiB


def test_a_byte_order_mark_before_meta_or_network_data_is_dropped(tmp_path: Path) -> None:
    """YAML and JSON readers skip a leading BOM, and the drive gets its own JSON: no harm.

    (A BOM before user data is an error: the drive carries user data byte for byte, and
    cloud-init then sees no '#cloud-config' on the first line; see byte-order-mark.)
    """
    meta = tmp_path / "meta.yml"
    meta.write_bytes(b"\xef\xbb\xbfname: web-1\n")
    network = tmp_path / "network.json"
    network.write_bytes(b'\xef\xbb\xbf{"links": [{"id": "eth0", "type": "phy", "name": "eth0"}]}')
    spec = machine_spec(b"#cloud-config\n", meta_data=str(meta), network_data=str(network))
    files = layout_drive(validate_machine(spec)).files
    meta_json = files["openstack/latest/meta_data.json"]
    network_json = files["openstack/latest/network_data.json"]
    assert isinstance(meta_json, bytes)
    assert isinstance(network_json, bytes)
    assert json.loads(meta_json)["name"] == "web-1"
    assert json.loads(network_json)["links"][0]["id"] == "eth0"
    assert b"\xef\xbb\xbf" not in meta_json + network_json


def test_an_injected_file_is_streamed_without_the_document_limit(tmp_path: Path) -> None:
    """--file payloads are not documents: four times the limit builds in a fraction of it."""
    (tmp_path / "user.yml").write_text("#cloud-config\nhostname: web-1\n")
    payload = tmp_path / "payload.bin"
    payload.touch()
    os.truncate(payload, 4 * MAX_DOCUMENT_SIZE)
    command = [sys.executable, "-m", "configdrive", "build", "user.yml", "-o", "drive.iso"]
    result = run_measured([*command, "--file", "./payload.bin:/opt/payload.bin"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "drive.iso").stat().st_size > 4 * MAX_DOCUMENT_SIZE
    assert result.peak_rss < MAX_DOCUMENT_SIZE * 4, f"{result.peak_rss / MiB:.0f} MiB"


def test_the_parts_of_mime_user_data_share_one_budget() -> None:
    """Three parts of 40,000 values each: every part is small, the user data is not.

    Parts 1 and 2 hold 40,003 values each (mapping, key, list, items), which leaves 19,994:
    the list item on line 19,994 of part 3 is one too many.
    """
    part = "#cloud-config\nruncmd:\n" + "- echo\n" * 40_000
    body = "".join(f"--B\nContent-Type: text/cloud-config\n\n{part}\n" for _ in range(3))
    mime = f'Content-Type: multipart/mixed; boundary="B"\nMIME-Version: 1.0\n\n{body}--B--\n'
    with pytest.raises(InvalidInputError) as caught:
        validate_machine(machine_spec(mime.encode()))
    assert [str(problem) for problem in errors_in(caught.value.problems)] == [
        "<user data> (MIME part 3):19994:3: "
        "the input holds more than 100000 values in all its parts"
    ]


def test_documents_given_as_bytes_are_held_to_the_limit() -> None:
    """The API takes bytes too; they meet the limit files meet before they are read."""
    big = b"#cloud-config\n" + b"#" * MAX_DOCUMENT_SIZE
    spec = machine_spec(big, meta_data=b"{}" + b" " * MAX_DOCUMENT_SIZE)
    with pytest.raises(InvalidInputError) as caught:
        validate_machine(spec)
    limit = "a document may be at most 16 MiB (16,777,216 bytes)"
    assert [str(problem) for problem in caught.value.problems] == [
        f"<meta data>: the document is 16,777,218 bytes; {limit}",
        f"<user data>: user data is 16,777,230 bytes; {limit}",
    ]
