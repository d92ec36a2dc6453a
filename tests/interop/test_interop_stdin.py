"""`cat user.yml | mkconfigdrive build - -o drive.iso`: user data from standard input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import (
    SUBPROCESS_TIMEOUT,
    VALID,
    build,
    build_env,
    extract,
    read_with_cloud_init,
)

pytestmark = pytest.mark.interop

USER_DATA = VALID / "cloud-init" / "user.yml"


def build_from_pipe(output: Path) -> None:
    """Pipe USER_DATA through `cat` into `mkconfigdrive build - -o OUTPUT`, as a shell would."""
    folder = USER_DATA.parent
    with subprocess.Popen(["cat", USER_DATA.name], cwd=folder, stdout=subprocess.PIPE) as cat:
        build_result = subprocess.run(
            [sys.executable, "-m", "configdrive", "build", "-", "-o", output, "--json"],
            cwd=folder,
            stdin=cat.stdout,
            capture_output=True,
            env=build_env("UTC"),
            check=False,
            timeout=SUBPROCESS_TIMEOUT,
        )
        assert cat.stdout is not None
        cat.stdout.close()
    assert cat.returncode == 0
    assert build_result.returncode == 0, build_result.stderr.decode()
    assert json.loads(build_result.stdout)["ok"] is True
    assert output.is_file()


def test_user_data_from_standard_input_reaches_cloud_init(tmp_path: Path) -> None:
    iso = tmp_path / "drive.iso"
    build_from_pipe(iso)
    report = read_with_cloud_init(extract(iso, tmp_path / "tree"))
    assert report["result"]["userdata"] == USER_DATA.read_bytes()


def test_standard_input_gives_the_same_drive_as_the_file(tmp_path: Path) -> None:
    piped = tmp_path / "piped.iso"
    build_from_pipe(piped)
    named = tmp_path / "named.iso"
    build(USER_DATA.parent, [USER_DATA.name], named, tz="UTC")
    assert piped.read_bytes() == named.read_bytes()
