"""The real kernel reads our drives: Debian's kernel, under QEMU, mounts them with its own drivers.

Every valid fixture is built with the public API (`configdrive.build`) and attached to one
guest (tests/kernel/guest.py), which mounts each drive read-only in every way a Linux reader
may see it and lists what the kernel shows: names, sizes, sha256 and dates. The expectation
is the DriveLayout the drive was built from: what went in must come out, under each name tree.

Needs qemu-system-x86_64, busybox-static and the kernel in .cache/kernel: tests/kernel/fetch
installs them. Missing, they fail the test (never a skip).

A new drive format is one more entry in IMAGE_FORMATS (how to write it, how to attach it)
and one more in READINGS (how to mount it, what names the kernel then shows).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from configdrive import DriveLayout, build, layout_drive, machine_spec, validate_machine
from configdrive.layouts.drive_layout import FileContent
from tests.helpers import VALID, cases
from tests.kernel import guest

# Slow only: `-m interop` (the CI interop run) must not need qemu and a kernel.
pytestmark = [pytest.mark.slow]

# Every date on the drive. Even: FAT keeps dates in 2-second steps.
TIMESTAMP = 1_700_000_000  # 2023-11-14T22:13:20Z
CASES = cases(VALID)


# --------------------------------------------------------------------------- the inputs


@dataclass(frozen=True)
class Case:
    """One fixture: build()'s arguments and the layout they give."""

    name: str
    arguments: dict[str, Any]
    layout: DriveLayout

    def expected(self, rename: Callable[[str], str]) -> dict[str, tuple[int, str]]:
        """Each file the drive holds, under the name a reader shows: (size, sha256)."""
        shown: dict[str, tuple[int, str]] = {}
        for path, content in self.layout.files.items():
            data = content.path.read_bytes() if isinstance(content, FileContent) else content
            name = rename(path)
            if name in shown:
                pytest.fail(f"{self.name}: two files would show as {name}: the test cannot tell")
            shown[name] = (len(data), hashlib.sha256(data).hexdigest())
        return shown


def _argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mkconfigdrive build", allow_abbrev=False)
    parser.add_argument("user_data", nargs="?")
    for option in ("--meta-data", "--network-data", "--vendor-data", "--vendor-data2"):
        parser.add_argument(option)
    for option in ("--uuid", "--hostname", "--name"):
        parser.add_argument(option)
    parser.add_argument("--ssh-key", action="append", default=[])
    parser.add_argument("--file", action="append", default=[])
    return parser


def read_case(name: str) -> Case:
    """A fixture's `args` as build() arguments, with paths relative to the fixture folder."""
    folder = VALID / name
    parsed, unknown = _argument_parser().parse_known_args(
        shlex.split((folder / "args").read_text(encoding="utf-8"))
    )
    if unknown:
        pytest.fail(f"fixture {name}: the kernel test does not know the arguments {unknown}")

    def path(value: str | None) -> Path | None:
        return None if value is None else folder / value

    files = []
    for spec in parsed.file:
        source, _, dest = spec.rpartition(":")
        files.append((folder / source, dest))
    arguments: dict[str, Any] = {
        "meta_data": path(parsed.meta_data),
        "network_data": path(parsed.network_data),
        "vendor_data": path(parsed.vendor_data),
        "vendor_data2": path(parsed.vendor_data2),
        "uuid": parsed.uuid,
        "hostname": parsed.hostname,
        "name": parsed.name,
        # A key file relative to the fixture, or a key itself.
        "ssh_keys": [
            str(folder / key) if (folder / key).is_file() else key for key in parsed.ssh_key
        ],
        "files": files,
    }
    user_data = path(parsed.user_data)
    layout = layout_drive(validate_machine(machine_spec(user_data, **arguments)))
    return Case(name, {"user_data": user_data, **arguments}, layout)


# --------------------------------------------------------------------------- formats and readings


def write_iso_image(case: Case, output: Path) -> None:
    build(output=output, timestamp=TIMESTAMP, **case.arguments)


@dataclass(frozen=True)
class ImageFormat:
    """A kind of drive: how it is written from a case, and how a hypervisor attaches it."""

    write: Callable[[Case, Path], None]
    bus: guest.Bus


def write_vfat_image(case: Case, output: Path) -> None:
    build(output=output, timestamp=TIMESTAMP, format="vfat", **case.arguments)


IMAGE_FORMATS: dict[str, ImageFormat] = {
    "iso": ImageFormat(write_iso_image, "cdrom"),
    # A writable disk, as hypervisors attach vfat config drives.
    "vfat": ImageFormat(write_vfat_image, "disk"),
}


def same_name(path: str) -> str:
    return path


def _d_characters(part: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", part.lower())


def plain_iso_name(path: str) -> str:
    """The name Linux shows for a file on an ISO read without Rock Ridge and Joliet.

    The drive records ISO9660 names (upper case, `_` for anything but letters, digits and
    `_`, the extension kept) and the kernel shows them in lower case without `;1`.
    """
    *folders, name = path.split("/")
    base, dot, extension = name.rpartition(".")
    shown = f"{_d_characters(base)}.{_d_characters(extension)}" if dot else _d_characters(name)
    return "/".join([*map(_d_characters, folders), shown])


@dataclass(frozen=True)
class Reading:
    """One way the kernel reads a drive format: mount options and the names it then shows."""

    image: str  # a key of IMAGE_FORMATS
    fstype: str
    options: str
    rename: Callable[[str], str] = same_name
    # The file mode the drive records, where the reading shows recorded modes.
    file_mode: int | None = None


READINGS: dict[str, Reading] = {
    # The default mount: Rock Ridge names and modes (read-only files).
    "iso-rock": Reading("iso", "iso9660", "", file_mode=0o444),
    # Rock Ridge ignored: the Joliet tree (what Windows readers such as cloudbase-init see).
    "iso-joliet": Reading("iso", "iso9660", "norock"),
    # Neither extension: the plain ISO9660 names every reader can see.
    "iso-plain": Reading("iso", "iso9660", "norock,nojoliet", rename=plain_iso_name),
    # The long (VFAT) names; FAT records no modes.
    "vfat": Reading("vfat", "vfat", ""),
}


# --------------------------------------------------------------------------- one boot for all


@dataclass(frozen=True)
class Run:
    boot: guest.Boot
    cases: dict[str, Case]


def view_name(case: str, reading: str) -> str:
    return f"{case}-{reading}"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Build every fixture in every format, boot the guest once, and keep what it listed."""
    folder = tmp_path_factory.mktemp("kernel")
    built = {name: read_case(name) for name in CASES}
    drives: dict[tuple[str, str], guest.Drive] = {}
    for name, case in built.items():
        for format_name, image_format in IMAGE_FORMATS.items():
            image = folder / f"{name}.{format_name}"
            image_format.write(case, image)
            drives[name, format_name] = guest.Drive(image, image_format.bus)
    views = [
        guest.View(view_name(name, reading_name), drives[name, reading.image], reading.fstype,
                   reading.options)
        for name in built
        for reading_name, reading in READINGS.items()
    ]  # fmt: skip
    return Run(guest.boot(views, folder), built)


# --------------------------------------------------------------------------- the tests


def folders_of(paths: Iterable[str]) -> set[str]:
    """Every folder the files at `paths` are in (the drive holds no empty folders)."""
    return {path.rsplit("/", depth)[0] for path in paths for depth in range(1, path.count("/") + 1)}


def test_guest_runs_debians_kernel_without_errors(run: Run) -> None:
    kernel = guest.find_kernel()
    assert run.boot.kernel == kernel.release, f"the guest runs {run.boot.kernel!r}"
    assert run.boot.errors == [], "\n".join([*run.boot.errors, *run.boot.dmesg])
    # Shown with -s or -rP: what one boot costs under TCG on this machine.
    print(f"{kernel.package}: {len(run.boot.listings)} mounts in {run.boot.seconds:.1f} s")


@pytest.mark.parametrize("reading_name", READINGS)
@pytest.mark.parametrize("case_name", CASES)
def test_kernel_lists_every_file_with_its_content(
    run: Run, case_name: str, reading_name: str
) -> None:
    reading = READINGS[reading_name]
    listing = run.boot.listing(view_name(case_name, reading_name))
    assert listing.errors == [], "\n".join([*listing.errors, *run.boot.dmesg])
    assert listing.mount.split()[2:3] == [reading.fstype], listing.mount

    expected = run.cases[case_name].expected(reading.rename)
    files = {path: entry for path, entry in listing.entries.items() if entry.kind != "directory"}
    seen = {path: (entry.size, listing.sha256.get(path, "")) for path, entry in files.items()}
    assert seen == expected
    assert {entry.kind for entry in files.values()} == {"regular file"}
    folders = {path for path, entry in listing.entries.items() if entry.kind == "directory"}
    assert folders == folders_of(expected)
    if reading.file_mode is not None:
        assert {entry.mode for entry in files.values()} == {reading.file_mode}


@pytest.mark.parametrize("reading_name", READINGS)
@pytest.mark.parametrize("case_name", CASES)
def test_kernel_shows_the_build_date(run: Run, case_name: str, reading_name: str) -> None:
    listing = run.boot.listing(view_name(case_name, reading_name))
    dates = {path: entry.mtime for path, entry in listing.entries.items()}
    assert dates, "the guest listed nothing"
    assert {path: date for path, date in dates.items() if date != TIMESTAMP} == {}
