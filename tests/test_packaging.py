"""The wheel ships the package and its schemas, and nothing else."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.helpers import ROOT


def test_wheel_contents(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("mkconfigdrive-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    package = {name for name in names if not name.startswith("mkconfigdrive-")}
    modules = {path.relative_to(ROOT).as_posix() for path in (ROOT / "configdrive").rglob("*.py")}
    # The schemas are package data beside the module that loads them; schemas/ignition/
    # holds one schema per Ignition spec version.
    schemas = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "configdrive" / "validation" / "schemas").rglob("*.json")
    }
    assert package == modules | schemas | {"configdrive/py.typed"}
    assert {"cloud-config", "meta-data", "network-data", "machine"} <= {
        name.removeprefix("configdrive/validation/schemas/").removesuffix(".schema.json")
        for name in schemas
    }
