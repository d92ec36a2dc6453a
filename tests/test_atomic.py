"""The drive appears whole or not at all, and never clobbers a file unasked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from configdrive.atomic import atomic_output
from configdrive.errors import OutputError


def names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def write_then_fail(target: Path, error: BaseException, *, force: bool) -> None:
    with atomic_output(target, force=force, mode=0o600) as stream:
        stream.write(b"half a drive")
        raise error


def write_while_another_appears(target: Path) -> None:
    with atomic_output(target, force=False, mode=0o600) as stream:
        stream.write(b"ours")
        target.write_bytes(b"theirs")


def test_writes_with_the_given_mode(tmp_path: Path) -> None:
    target = tmp_path / "d.iso"
    old_umask = os.umask(0o077)
    try:
        with atomic_output(target, force=False, mode=0o644) as stream:
            stream.write(b"data")
    finally:
        os.umask(old_umask)
    assert target.read_bytes() == b"data"
    assert target.stat().st_mode & 0o777 == 0o644
    assert names(tmp_path) == ["d.iso"]


def test_an_error_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "d.iso"
    with pytest.raises(RuntimeError):
        write_then_fail(target, RuntimeError("boom"), force=False)
    assert names(tmp_path) == []


def test_an_interrupt_keeps_the_previous_drive(tmp_path: Path) -> None:
    target = tmp_path / "d.iso"
    target.write_bytes(b"previous")
    with pytest.raises(KeyboardInterrupt):
        write_then_fail(target, KeyboardInterrupt(), force=True)
    assert target.read_bytes() == b"previous"
    assert names(tmp_path) == ["d.iso"]


def test_existing_output_needs_force(tmp_path: Path) -> None:
    target = tmp_path / "d.iso"
    target.write_bytes(b"previous")
    with (
        pytest.raises(OutputError, match="use --force"),
        atomic_output(target, force=False, mode=0o600),
    ):
        pass
    assert target.read_bytes() == b"previous"
    with atomic_output(target, force=True, mode=0o600) as stream:
        stream.write(b"new")
    assert target.read_bytes() == b"new"


def test_a_file_appearing_meanwhile_is_not_clobbered(tmp_path: Path) -> None:
    target = tmp_path / "d.iso"
    with pytest.raises(OutputError, match="exists"):
        write_while_another_appears(target)
    assert target.read_bytes() == b"theirs"
    assert names(tmp_path) == ["d.iso"]


@pytest.mark.parametrize("name", ["missing/d.iso", "."])
def test_unusable_targets(tmp_path: Path, name: str) -> None:
    with pytest.raises(OutputError), atomic_output(tmp_path / name, force=True, mode=0o600):
        pass
