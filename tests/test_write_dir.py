"""`--format dir --force` replaces only a drive folder, never follows a link, leaves nothing behind.

Issue 12: `--force` over a symlink left a `.NAME.*.old` behind, and any folder at all (a
home folder given by mistake) was removed and replaced.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from configdrive.errors import OutputError
from configdrive.formats.folder import is_drive_folder, write_dir
from configdrive.layouts.drive_layout import DriveLayout
from tests.helpers import VALID
from tests.test_hostile import UNPRIVILEGED

CLOUD_CONFIG = b"#cloud-config\nhostname: web-1\n"
CONFIG_2 = DriveLayout(
    "config-2",
    {
        "ec2/latest/user-data": CLOUD_CONFIG,
        "openstack/latest/meta_data.json": b'{"uuid": "new"}',
        "openstack/latest/user_data": CLOUD_CONFIG,
    },
)
NOCLOUD = DriveLayout("cidata", {"meta-data": b"instance-id: old\n", "user-data": CLOUD_CONFIG})


def tree(folder: Path) -> dict[str, bytes | str]:
    """Every name under `folder` with its bytes (a file), its target (a link), or its kind."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[name] = f"-> {path.readlink()}"
        elif path.is_dir():
            found[name] = "folder"
        elif stat.S_ISFIFO(path.lstat().st_mode):
            found[name] = "fifo"  # never opened: that would wait for a writer
        else:
            found[name] = path.read_bytes()
    return found


@pytest.mark.parametrize("old", [CONFIG_2, NOCLOUD])
def test_force_replaces_a_drive_folder_and_leaves_nothing_behind(
    tmp_path: Path, old: DriveLayout
) -> None:
    target = tmp_path / "seed"
    write_dir(old, target, force=False, mode=0o600, timestamp=0)
    assert is_drive_folder(target)
    write_dir(CONFIG_2, target, force=True, mode=0o600, timestamp=0)
    assert (target / "openstack/latest/meta_data.json").read_bytes() == b'{"uuid": "new"}'
    assert not (target / "meta-data").exists()
    assert [path.name for path in tmp_path.iterdir()] == ["seed"]


def test_force_replaces_an_empty_folder(tmp_path: Path) -> None:
    target = tmp_path / "seed"
    target.mkdir()
    write_dir(CONFIG_2, target, force=True, mode=0o600, timestamp=0)
    assert (target / "openstack/latest/user_data").read_bytes() == CLOUD_CONFIG
    assert [path.name for path in tmp_path.iterdir()] == ["seed"]


@pytest.mark.parametrize("pointing_at", ["drive", "nowhere", "/dev/null"])
def test_force_refuses_a_link_and_leaves_nothing_behind(tmp_path: Path, pointing_at: str) -> None:
    """A link is neither followed (its target's tree would go) nor replaced (it is someone's).

    On main this moved the link aside as `.seed.*.old`, which rmtree then refused to remove.
    """
    write_dir(NOCLOUD, tmp_path / "drive", force=False, mode=0o600, timestamp=0)
    target = tmp_path / "seed"
    target.symlink_to(pointing_at)
    before = tree(tmp_path)
    with pytest.raises(OutputError, match="is a symbolic link; --format dir replaces only a drive"):
        write_dir(CONFIG_2, target, force=True, mode=0o600, timestamp=0)
    assert tree(tmp_path) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["drive", "seed"]


def make_fifo(folder: Path) -> None:
    os.mkfifo(folder / "openstack" / "latest" / "meta_data.json")


def make_link(folder: Path) -> None:
    (folder / "openstack" / "latest" / "vendor_data.json").symlink_to("/etc/passwd")


def add_a_stranger(folder: Path) -> None:
    (folder / "thesis.tex").write_text("four years of work")


@pytest.mark.parametrize(
    "spoil",
    [make_fifo, make_link, add_a_stranger],
    ids=["meta-data-is-a-fifo", "holds-a-link", "holds-other-files"],
)
def test_force_refuses_a_folder_that_is_not_a_drive(tmp_path: Path, spoil: object) -> None:
    target = tmp_path / "seed"
    target.mkdir()
    (target / "openstack" / "latest").mkdir(parents=True)
    assert callable(spoil)
    spoil(target)
    before = tree(tmp_path)
    with pytest.raises(OutputError, match="is a folder but no drive") as caught:
        write_dir(CONFIG_2, target, force=True, mode=0o600, timestamp=0)
    assert caught.value.exit_code == 3
    assert tree(tmp_path) == before


def test_a_fifo_at_the_target_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "seed"
    os.mkfifo(target)
    with pytest.raises(
        OutputError, match=r"is a named pipe \(FIFO\); --format dir writes a folder"
    ):
        write_dir(CONFIG_2, target, force=True, mode=0o600, timestamp=0)
    assert stat.S_ISFIFO(target.lstat().st_mode)
    assert [path.name for path in tmp_path.iterdir()] == ["seed"]


def test_a_payload_that_changes_size_is_an_error(tmp_path: Path) -> None:
    """The folder holds exactly the bytes the drive was planned with, as the images do."""
    from configdrive.layouts.drive_layout import FileContent

    payload = tmp_path / "payload"
    payload.write_bytes(b"longer than planned")
    layout = DriveLayout(
        "config-2", {**CONFIG_2.files, "openstack/content/0000": FileContent(payload, 6)}
    )
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(OutputError, match="changed size while the drive was being written"):
        write_dir(layout, out / "seed", force=False, mode=0o600, timestamp=0)
    assert list(out.iterdir()) == []


def test_force_over_a_drive_without_write_permission_leaves_nothing(tmp_path: Path) -> None:
    """--mode 0400 gives the folders 0500; the old tree must still go, for a user too.

    Root ignores modes, so as root the commands run without its power over them.
    """
    prefix = UNPRIVILEGED if os.geteuid() == 0 else []
    user = VALID / "cloud-init" / "user.yml"
    target = tmp_path / "seed"

    def build(*extra: str) -> None:
        command = [*prefix, sys.executable, "-m", "configdrive", "build", str(user)]
        command += ["--format", "dir", "-o", str(target), "--mode", "0400", *extra]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr

    build()
    assert stat.S_IMODE((target / "openstack").stat().st_mode) == 0o500
    build("--force", "--quiet")
    assert [path.name for path in tmp_path.iterdir()] == ["seed"]
