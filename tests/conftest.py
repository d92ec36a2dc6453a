"""Fixtures shared by every test module, and the Hypothesis settings every test starts from."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from tests.helpers import FIXTURES

# No property test is held to a wall-clock budget (Hypothesis's default deadline is 200 ms an
# example, its too_slow health check another timing): on a loaded machine they fail tests
# that are right. The examples are derived from each test, not drawn at random, and no
# example database is kept: every run, on every machine and worker, tries the same ones.
settings.register_profile(
    "mkconfigdrive",
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("mkconfigdrive")


@pytest.fixture
def key_line() -> str:
    """A real SSH public key line."""
    return (FIXTURES / "keys" / "ed25519.pub").read_text().strip()


@pytest.fixture
def fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The descriptors os.fsync is called with from now on (each call still syncs)."""
    import os

    synced: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    return synced


@pytest.hookimpl(optionalhook=True)  # known only when pytest-xdist is loaded
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """With --dist loadfile (scripts/test), every file under tests/boot/ goes to one worker:
    each boot runs alone (two emulated guests on 2 cores slow each other), the boots share
    one guest, and the other workers take the rest of the suite meanwhile."""
    if config.getoption("dist", None) != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling  # type: ignore[import-untyped]

    class BootsTogether(LoadFileScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            scope = str(super()._split_scope(nodeid))
            return "tests/boot/" if scope.startswith("tests/boot/") else scope

    return BootsTogether(config, log)
