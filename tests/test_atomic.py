"""The drive appears whole or not at all, and never clobbers a file unasked."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from configdrive.errors import OutputError, UsageError
from configdrive.formats.atomic import atomic_output, check_mode, mode_warnings
from configdrive.problems import Severity


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


def write_while_a_fifo_appears(target: Path) -> None:
    with atomic_output(target, force=True, mode=0o600) as stream:
        stream.write(b"ours")
        target.unlink()
        os.mkfifo(target)


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


# --force replaces only a regular file (issue 12): a device, a FIFO or a link is refused,
# with or without it, and left as it was.


def test_force_never_replaces_a_fifo(tmp_path: Path) -> None:
    target = tmp_path / "d.iso"
    os.mkfifo(target)
    for force in (False, True):
        with (
            pytest.raises(OutputError, match=r"is a named pipe \(FIFO\); a drive replaces only"),
            atomic_output(target, force=force, mode=0o600),
        ):
            pytest.fail("the body must not run")
    assert stat.S_ISFIFO(target.lstat().st_mode)
    assert names(tmp_path) == ["d.iso"]


def device_node(folder: Path) -> Path:
    """A character device a regression could replace without harm.

    Root makes its own node (the null device's numbers) in `folder`: should the check ever
    fail, root would otherwise replace the machine's /dev/null. Anyone else gets /dev/null,
    which they cannot replace.
    """
    if os.geteuid() != 0:
        return Path("/dev/null")
    node = folder / "sdx"
    os.mknod(node, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    return node


def test_force_never_replaces_a_device(tmp_path: Path) -> None:
    device = device_node(tmp_path)
    with (
        pytest.raises(OutputError, match=r"is a character device; .* never to a device") as caught,
        atomic_output(device, force=True, mode=0o600),
    ):
        pytest.fail("the body must not run")
    assert caught.value.exit_code == 3
    assert stat.S_ISCHR(device.lstat().st_mode)
    assert os.major(device.lstat().st_rdev) == 1


@pytest.mark.parametrize("pointing_at", ["real.iso", "/dev/null", "nowhere"])
def test_force_never_follows_nor_replaces_a_link(tmp_path: Path, pointing_at: str) -> None:
    (tmp_path / "real.iso").write_bytes(b"the real drive")
    target = tmp_path / "d.iso"
    target.symlink_to(pointing_at)
    with (
        pytest.raises(OutputError, match=r"is a symbolic link; .* never a link nor what it points"),
        atomic_output(target, force=True, mode=0o600),
    ):
        pytest.fail("the body must not run")
    assert str(target.readlink()) == pointing_at
    assert (tmp_path / "real.iso").read_bytes() == b"the real drive"
    assert names(tmp_path) == ["d.iso", "real.iso"]


def test_a_fifo_taking_the_name_meanwhile_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "d.iso"
    target.write_bytes(b"previous")
    with pytest.raises(OutputError, match="named pipe"):
        write_while_a_fifo_appears(target)
    assert stat.S_ISFIFO(target.lstat().st_mode)
    assert names(tmp_path) == ["d.iso"]  # and no temporary file


@pytest.mark.parametrize(
    ("mode", "bits"),
    [(0o4755, "setuid bit"), (0o2700, "setgid bit"), (0o7777, "setuid, setgid and sticky bits")],
)
def test_mode_takes_permission_bits_only(tmp_path: Path, mode: int, bits: str) -> None:
    with (
        pytest.raises(UsageError, match=f"sets the {bits}; a drive takes permission bits only"),
        atomic_output(tmp_path / "d.iso", force=False, mode=mode),
    ):
        pytest.fail("the body must not run")
    assert names(tmp_path) == []
    with pytest.raises(UsageError, match="sticky bit"):
        check_mode(0o1600)
    with pytest.raises(UsageError, match="not an octal file mode"):
        check_mode(0o17777)
    check_mode(0o777)
    check_mode(0)


def test_a_drive_others_may_read_or_change_is_warned_about() -> None:
    assert mode_warnings(0o600) == mode_warnings(0o640) == mode_warnings(0o660) == ()
    assert mode_warnings(0o701) == ()  # searching a file grants nothing
    [readable] = mode_warnings(0o644)
    assert readable.severity is Severity.WARNING
    assert str(readable) == (
        "--mode 0644: warning: any user of this machine may read the drive, which holds "
        "secrets (user data, passwords, keys); 0600 or 0640 keep it to its owner or group"
    )
    [writable] = mode_warnings(0o602)
    assert "may change the drive" in writable.message
    [both] = mode_warnings(0o666)
    assert "may read and change the drive" in both.message
