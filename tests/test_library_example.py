"""The examples of docs/how-to/library.md, typed and with assertions on what they return.

tests/test_docs_examples.py runs that page's blocks as they are written; this module checks
what they promise (the fixture below is the page's, with types): keep the two the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from configdrive import BuildResult, build, build_fleet, build_machine, load_fleet
from tests.helpers import FIXTURES

# --- library.md: a pytest fixture that gives each test VM its own drive -------------------


@pytest.fixture
def config_drive(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Callable[..., BuildResult]:
    """Build a config drive for this test's VM, named after the test."""

    def make(user_data: Any, **options: Any) -> BuildResult:
        hostname = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:63]
        options.setdefault("hostname", hostname)
        return build(user_data, tmp_path_factory.mktemp("drive") / "config-2.iso", **options)

    return make


def test_vm_boots_with_its_keys(config_drive: Callable[..., BuildResult]) -> None:
    drive = config_drive(
        {"users": [{"name": "ci", "ssh_authorized_keys": [_key()]}]},  # a cloud-config dict
        meta_data={"meta": {"suite": "smoke"}},
    )
    assert drive.hostname == "test-vm-boots-with-its-keys"
    # qemu-system-x86_64 ... -drive file={drive.path},media=cdrom,readonly=on
    assert drive.path.name == "config-2.iso"
    assert drive.path.stat().st_size == drive.size


# --- library.md: machine files and fleets ----------------------------------------------------


def test_machine_file_and_dict_and_fleet(tmp_path: Path) -> None:
    result = build_machine(FIXTURES / "machines" / "web-1.yml", tmp_path / "web-1.iso")
    assert result.uuid == "2f0c3c6e-1b5d-4c1e-9a4f-7d8e9f0a1b2c"
    nocloud = build_machine(
        {"name": "t-1", "user_data": "#cloud-config\n{}\n", "layout": "nocloud"},
        tmp_path / "seed.iso",
    )
    assert nocloud.label == "cidata"
    outcomes = build_fleet(load_fleet(FIXTURES / "machines" / "fleet.yml"), tmp_path / "drives")
    assert [outcome.ok for outcome in outcomes] == [True, True, True, True]


def _key() -> str:
    return (FIXTURES / "keys" / "ed25519.pub").read_text().strip()
