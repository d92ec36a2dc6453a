"""--file and a machine file's `files:`: DESTs a reader can write, bytes as the kernel gives them.

Issue 12: a DEST with a newline or NUL, longer than PATH_MAX or with a name longer than
NAME_MAX was accepted (no reader can write it), and a /proc file, whose size the kernel
reports as 0, went onto the drive as 0 bytes without a word.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from configdrive import api
from configdrive.errors import InvalidInputError
from configdrive.inputs.documents import (
    MAX_UNREPORTED_BYTES,
    DocumentTooLargeError,
    UnreportedBudget,
    printable,
    read_small_file,
)
from configdrive.inputs.machine_file import load_machine_file
from configdrive.layouts.drive_layout import FileContent
from configdrive.validation.machine import NAME_MAX, PATH_MAX, dest_problem
from tests.helpers import run_cli

CLOUD_CONFIG = b"#cloud-config\nhostname: web-1\n"


@pytest.mark.parametrize(
    ("dest", "message"),
    [
        ("/etc/motd", None),
        ("/etc/" + "n" * NAME_MAX, None),
        ("/opt/ünïcödé name with spaces", None),
        ("/" + "d/" * 2046 + "xy", None),  # 4,095 bytes
        ("/etc/a\nb", "DEST '/etc/a\\nb' holds control character U+000A"),
        ("/etc/nul\0byte", "DEST '/etc/nul\\x00byte' holds control character U+0000"),
        ("/etc/\x1b]0;title\x07", "holds control character U+001B"),
        ("/etc/\x85next-line", "holds control character U+0085"),
        ("/etc/\udcff", "DEST '/etc/\\udcff' holds bytes that are not UTF-8"),
        ("/" + "d/" * 2047 + "x", "is 4,096 bytes long; a path on Linux holds"),
        ("/etc/" + "n" * (NAME_MAX + 1), "holds a name of 256 bytes"),
        ("/etc/" + "é" * 128, "holds a name of 256 bytes"),  # bytes, not characters
    ],
)
def test_dest_is_a_path_a_reader_can_write(dest: str, message: str | None) -> None:
    assert PATH_MAX == 4096
    found = dest_problem(dest)
    if message is None:
        assert found is None
    else:
        assert found is not None
        assert message in found
        assert printable(found) == found  # safe to print as it is


def test_every_unwritable_dest_is_reported_with_a_printable_label(tmp_path: Path) -> None:
    motd = tmp_path / "motd"
    motd.write_text("hi\n")
    files = [(motd, "/etc/a\nb"), (motd, "/etc/" + "n" * 300), (motd, "/etc/motd")]
    with pytest.raises(InvalidInputError) as caught:
        api.validate_machine(api.machine_spec(CLOUD_CONFIG, files=files))
    problems = caught.value.problems
    assert [problem.file for problem in problems] == [
        f"--file {motd}:/etc/a\\nb",
        f"--file {motd}:/etc/{'n' * 300}"[:127] + "...",
    ]
    assert all(printable(str(problem)) == str(problem) for problem in problems)


def test_a_machine_files_dests_are_located_where_they_stand(tmp_path: Path) -> None:
    (tmp_path / "motd").write_text("hi\n")
    machine = tmp_path / "web-1.yml"
    machine.write_text(
        "name: web-1\n"
        "files:\n"
        "  - {source: motd, dest: /etc/motd}\n"
        "  - source: motd\n"
        '    dest: "/etc/nul\\0byte"\n'
        '  - "motd:/etc/new\\nline"\n'
        "  - {source: absent, dest: /etc/motd}\n"
    )
    spec = load_machine_file(machine).spec
    with pytest.raises(InvalidInputError) as caught:
        api.validate_machine(spec)
    located = [
        (p.file, p.line, p.column, p.path_text, p.message.split(";")[0])
        for p in caught.value.problems
    ]
    name = str(machine)
    assert located == [
        (name, 5, 11, "files[1].dest", "DEST '/etc/nul\\x00byte' holds control character U+0000"),
        (name, 6, 5, "files[2]", "DEST '/etc/new\\nline' holds control character U+000A"),
        (name, 7, 14, "files[3].source", f"SRC '{tmp_path / 'absent'}': no such file or directory"),
        (name, 7, 28, "files[3].dest", "DEST '/etc/motd' is given twice"),
    ]


def test_a_proc_file_goes_onto_the_drive_as_the_kernel_gives_it(tmp_path: Path) -> None:
    """/proc/self/status says it is empty; the drive carries what reading it gives."""
    assert Path("/proc/self/status").stat().st_size == 0
    result = run_cli(
        "build", "-", "--format", "dir", "-o", tmp_path / "seed", "--quiet",
        "--file", "/proc/self/status:/etc/status",
        stdin=CLOUD_CONFIG,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    content = (tmp_path / "seed" / "openstack" / "content" / "0000").read_bytes()
    assert content.startswith(b"Name:\t")
    assert b"\nPid:\t" in content
    meta = json.loads((tmp_path / "seed" / "openstack" / "latest" / "meta_data.json").read_text())
    assert meta["files"] == [{"path": "/etc/status", "content_path": "/content/0000"}]


def test_a_file_that_tells_its_size_is_still_streamed(tmp_path: Path) -> None:
    small, empty = tmp_path / "motd", tmp_path / "empty"
    small.write_bytes(b"hello\n")
    empty.touch()
    spec = api.machine_spec(CLOUD_CONFIG, files=[(small, "/etc/motd"), (empty, "/etc/empty")])
    files = api.layout_drive(api.validate_machine(spec)).files
    assert files["openstack/content/0000"] == FileContent(small, 6)
    assert files["openstack/content/0001"] == FileContent(empty, 0)


def test_what_pseudo_files_hold_beyond_their_size_shares_one_budget() -> None:
    budget = UnreportedBudget()
    assert budget.remaining == MAX_UNREPORTED_BYTES == 16 * 1024 * 1024
    status = read_small_file(Path("/proc/self/status"), 0, budget)
    assert budget.remaining == MAX_UNREPORTED_BYTES - len(status)
    tight = UnreportedBudget(remaining=10)
    with pytest.raises(DocumentTooLargeError, match=r"goes on past 10 .* copy what the VM needs"):
        read_small_file(Path("/proc/self/status"), 0, tight)
    assert tight.remaining == 10


def test_an_endless_proc_file_is_refused_after_the_budget(tmp_path: Path) -> None:
    spec = api.machine_spec(CLOUD_CONFIG, files=[("/proc/self/pagemap", "/etc/pagemap")])
    with pytest.raises(InvalidInputError) as caught:
        api.validate_machine(spec)
    [problem] = caught.value.problems
    assert problem.message.startswith(
        "SRC '/proc/self/pagemap': its size is reported as 0 bytes but it goes on past "
        "16,777,216 (a /proc or /sys file?)"
    )


def test_a_file_fat_cannot_hold_is_refused_before_writing(tmp_path: Path) -> None:
    payload = tmp_path / "payload"
    payload.touch()
    os.truncate(payload, 4 * 1024**3)  # sparse, and never read
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InvalidInputError) as caught:
        api.build(CLOUD_CONFIG, out / "d.img", format="vfat", files=[(payload, "/opt/payload")])
    assert [p.message for p in caught.value.problems if p.severity.value == "error"] == [
        "SRC is 4,294,967,296 bytes; a FAT file holds at most 4,294,967,295 (4 GiB less a "
        "byte): use --format iso"
    ]
    assert list(out.iterdir()) == []
