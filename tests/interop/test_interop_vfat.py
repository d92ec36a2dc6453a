"""The vfat writer's images, read by the real FAT readers: blkid, fsck.fat, mtools, cloud-init.

Every fixture is laid out with the public pipeline (machine_spec -> validate_machine ->
layout_drive) and written with write_vfat. There is no loop mount here (no vfat module, no
privileges): mtools, a FAT implementation of its own, lists and extracts the tree, and
cloud-init's reader runs on the extracted folder, exactly as the ISO tests run it on the
tree xorriso extracts. Its reading must equal its reading of the fixture's ISO.

mkfs.fat is used only as the judge of geometry: the images must look like its own.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import struct
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from configdrive.api import layout_drive, machine_spec, validate_machine
from configdrive.formats.fat import MIB, fat_geometry, write_vfat
from configdrive.layouts.drive_layout import Content, DriveLayout, FileContent
from tests.helpers import file_sha256

from .conftest import (
    SUBPROCESS_TIMEOUT,
    _argument_parser,
    read_case,
    read_with_cloud_init,
    run,
    tree_files,
)

if TYPE_CHECKING:
    from .conftest import Drives

pytestmark = pytest.mark.interop

TIMESTAMP = 1_700_000_000  # 2023-11-14 22:13:20 UTC, an even second: FAT keeps it exactly
# mtools prints names in the locale's charset and reads FAT times as local time.
MTOOLS_ENV = {**os.environ, "LC_ALL": "C.UTF-8", "TZ": "UTC"}
FSCK_SUMMARY = re.compile(r"^\S+: \d+ files, \d+/\d+ clusters$")


# --------------------------------------------------------------------------- images


@dataclass(frozen=True)
class VfatDrive:
    layout: DriveLayout
    image: Path


def fixture_layout(case: str) -> DriveLayout:
    """The layout of fixture `case`, through the same pipeline `mkconfigdrive build` runs."""
    inputs = read_case(case)
    folder = inputs.folder
    args, _ = _argument_parser().parse_known_args(inputs.args)

    def path(value: str | None) -> str | None:
        return None if value is None else str(folder / value)

    spec = machine_spec(
        path(args.user_data),
        meta_data=path(args.meta_data),
        network_data=path(args.network_data),
        vendor_data=path(args.vendor_data),
        vendor_data2=path(args.vendor_data2),
        uuid=args.uuid,
        hostname=args.hostname,
        name=args.name,
        ssh_keys=[str(folder / key) if (folder / key).is_file() else key for key in args.ssh_key],
        files=[
            (str(folder / src), dest) for src, _, dest in (f.rpartition(":") for f in args.file)
        ],
    )
    return layout_drive(validate_machine(spec, strict=args.strict))


def write_image(layout: DriveLayout, image: Path) -> Path:
    with image.open("wb") as stream:
        write_vfat(layout, stream, timestamp=TIMESTAMP)
    return image


@pytest.fixture(scope="session")
def vfat_drives() -> dict[str, VfatDrive]:
    """The fixtures' vfat images, by case, each written once a session."""
    return {}


@pytest.fixture
def drive(
    case: str, vfat_drives: dict[str, VfatDrive], tmp_path_factory: pytest.TempPathFactory
) -> VfatDrive:
    """Fixture `case` as a vfat image."""
    if case not in vfat_drives:
        layout = fixture_layout(case)
        image = write_image(layout, tmp_path_factory.mktemp(f"{case}-vfat") / "drive.img")
        vfat_drives[case] = VfatDrive(layout, image)
    return vfat_drives[case]


def expected_bytes(layout: DriveLayout) -> dict[str, bytes]:
    return {
        path: content.path.read_bytes() if isinstance(content, FileContent) else content
        for path, content in layout.files.items()
    }


def expected_paths(files: Mapping[str, object]) -> set[str]:
    """mdir's bare listing of a tree: every file, and every folder with a trailing slash."""
    paths = {f"::/{path}" for path in files}
    for path in files:
        parts = path.split("/")
        paths.update("::/" + "/".join(parts[:depth]) + "/" for depth in range(1, len(parts)))
    return paths


# --------------------------------------------------------------------------- the readers


def mtools(*argv: str | Path) -> str:
    return run([*map(str, argv)], env=MTOOLS_ENV).stdout.decode("utf-8")


def mdir_paths(image: Path) -> set[str]:
    return set(mtools("mdir", "-/", "-b", "-i", image, "::").splitlines())


def mcopy_tree(image: Path, folder: Path) -> Path:
    """The whole image copied out with mtools, dates kept (-m)."""
    folder.mkdir()
    mtools("mcopy", "-s", "-m", "-n", "-i", image, "::/", folder)
    return folder


def blkid(image: Path) -> dict[str, str]:
    output = run(["blkid", "-p", "-o", "export", image]).stdout.decode()
    return dict(line.split("=", 1) for line in output.splitlines() if "=" in line)


def fsck_lines(image: Path) -> list[str]:
    """fsck.fat's report in check-only mode; run() fails the test on a non-zero exit."""
    return run(["fsck.vfat", "-n", image]).stdout.decode().splitlines()


def boot_serial(image: Path) -> str:
    boot = image.read_bytes()[:512]
    offset = 0x43 if boot[0x52:0x57] == b"FAT32" else 0x27
    serial = struct.unpack_from("<I", boot, offset)[0]
    return f"{serial >> 16:04X}-{serial & 0xFFFF:04X}"


def assert_readers_accept(image: Path, files: dict[str, bytes], tmp_path: Path) -> None:
    """fsck finds nothing, mdir lists exactly the files, mcopy gives back exactly the bytes."""
    lines = fsck_lines(image)
    assert len(lines) == 2, lines
    assert lines[0].startswith("fsck.fat ")
    assert FSCK_SUMMARY.match(lines[1]), lines
    assert mdir_paths(image) == expected_paths(files)
    tree = mcopy_tree(image, tmp_path / "tree")
    assert tree_files(tree) == files
    # FAT's dates, read as UTC, are the timestamp, for every file and folder.
    assert {int(path.stat().st_mtime) for path in tree.rglob("*")} == {TIMESTAMP}


# --------------------------------------------------------------------------- every fixture


def test_blkid_sees_a_vfat_volume_labelled_config_2(drive: VfatDrive) -> None:
    found = blkid(drive.image)
    assert found["TYPE"] == "vfat"
    assert found["USAGE"] == "filesystem"
    # The root folder's label and the boot sector's: cloud-init asks for either.
    assert found["LABEL"] == "config-2"
    assert found["LABEL_FATBOOT"] == "config-2"
    assert found["VERSION"] == "FAT12"
    assert found["UUID"] == boot_serial(drive.image)


def test_cloud_init_finds_the_drive_by_label_as_it_does_at_boot(drive: VfatDrive) -> None:
    # DataSourceConfigDrive.find_candidate_devs -> util.find_devs_with("LABEL=config-2").
    found = run(["blkid", "-c", "/dev/null", "-tLABEL=config-2", "-odevice", drive.image])
    assert found.stdout.decode().split() == [str(drive.image)]
    by_type = run(["blkid", "-c", "/dev/null", "-tTYPE=vfat", "-odevice", drive.image])
    assert by_type.stdout.decode().split() == [str(drive.image)]


def test_mtools_and_fsck_read_every_file(drive: VfatDrive, tmp_path: Path) -> None:
    assert_readers_accept(drive.image, expected_bytes(drive.layout), tmp_path)
    listing = mtools("mdir", "-/", "-i", drive.image, "::")
    assert " Volume in drive : is config-2" in listing.splitlines()[0]


def test_cloud_init_reads_the_vfat_drive_as_it_reads_the_iso(
    drive: VfatDrive, case: str, drives: Drives, tmp_path: Path
) -> None:
    report = read_with_cloud_init(mcopy_tree(drive.image, tmp_path / "tree"))
    assert report["result"]["version"] == 2
    assert report["result"]["metadata"]["uuid"] == drives.built(case).summary["uuid"]
    expected_user_data = drives.built(case).inputs.user_data
    assert report["result"]["userdata"] == (expected_user_data or "")
    assert report == drives.cloud_init(case)


def test_the_boot_sector_is_the_one_mkfs_fat_writes(drive: VfatDrive, tmp_path: Path) -> None:
    size = drive.image.stat().st_size
    reference = tmp_path / "mkfs.img"
    run(["mkfs.fat", "-C", "-n", "config-2", "--invariant", reference, str(size // 1024)])
    ours, theirs = drive.image.read_bytes()[:512], reference.read_bytes()[:512]
    # Everything from bytes per sector to the drive number, and the FAT type.
    assert ours[11:37] == theirs[11:37]
    assert ours[0x2B:0x3E] == theirs[0x2B:0x3E]  # label "config-2   ", "FAT12   "


# --------------------------------------------------------------------------- geometry


def test_geometry_is_mkfs_fat_s_for_every_size(tmp_path: Path) -> None:
    reference = tmp_path / "mkfs.img"
    sizes_kib = [1024, 2048, 4096, 4100, 8192, 8208, 8223, 16384, 16500, 32768, 65536, 262144]
    sizes_kib += [262145, 300_000, 524287, 524288, 600_000, 1048576, 9 * 1048576]
    for kib in sizes_kib:
        run(["mkfs.fat", "-C", reference, str(kib)])  # sparse: only the tables are written
        with reference.open("rb") as stream:
            boot = stream.read(512)
        reference.unlink()
        fields = struct.unpack_from("<BHBHHBHHHII", boot, 13)
        spc, reserved, fats, root, total16, media, fat16, spt, heads, hidden, total32 = fields
        theirs = (
            spc, reserved, fats, root, total16 or total32, media,
            fat16 or struct.unpack_from("<I", boot, 36)[0], spt, heads, hidden,
            (boot[0x52:0x5A] if fat16 == 0 else boot[0x36:0x3E]).decode().strip(),
        )  # fmt: skip
        geometry = fat_geometry(kib * 2)
        ours = (
            geometry.sectors_per_cluster, geometry.reserved_sectors, 2, geometry.root_entries,
            geometry.total_sectors, 0xF8, geometry.fat_sectors, geometry.sectors_per_track,
            geometry.heads, 0, f"FAT{geometry.fat_bits}",
        )  # fmt: skip
        assert ours == theirs, f"{kib} KiB"


# --------------------------------------------------------------------------- awkward layouts


def big_file(path: Path, size: int) -> FileContent:
    """A file of `size` bytes: mostly sparse, with data at both ends and in the middle."""
    with path.open("wb") as handle:
        handle.truncate(size)
        for offset in (0, size // 2, size - 4096):
            handle.seek(offset)
            handle.write(os.urandom(4096))
    return FileContent(path, size)


def awkward_layout(tmp_path: Path) -> DriveLayout:
    files: dict[str, Content] = {}
    for index in range(1000):  # one folder, numeric tails past ~999
        files[f"many/meta_data-{index:04d}.json"] = f'{{"index": {index}}}\n'.encode()
    deep = "/".join(f"level-{depth:02d}" for depth in range(40))
    files[f"{deep}/deep.json"] = b"{}"
    names = [
        "n" * 255,
        "thirteen-char",
        "ünïcødé naïve €.txt",
        "README.TXT",  # an exact 8.3 name: no long name
        "readme file.txt",
        ".hidden",
        "a.b.c.d",
        "UPPER",
        "empty",
        "META_D~1.JSO",  # a literal numeric tail, before the generated ones
        "meta_data.json",
        "meta_data2.json",
    ]
    for name in names:
        files[f"names/{name}"] = b"" if name == "empty" else name.encode()
    files["big/payload.bin"] = big_file(tmp_path / "payload.bin", 100 * MIB + 12345)
    return DriveLayout("cidata", files)


def test_many_files_deep_paths_long_names_and_a_100_mb_file(tmp_path: Path) -> None:
    layout = awkward_layout(tmp_path)
    image = write_image(layout, tmp_path / "drive.img")
    size = image.stat().st_size
    assert size % MIB == 0
    assert size <= 100 * MIB + 12345 + 3 * MIB  # 1000 small files in 2 KiB clusters, tables
    found = blkid(image)
    assert (found["TYPE"], found["LABEL"], found["VERSION"]) == ("vfat", "cidata", "FAT16")
    assert_readers_accept(image, expected_bytes(layout), tmp_path)


def test_names_differing_only_in_case_are_one_name_to_fat_readers(tmp_path: Path) -> None:
    image = write_image(DriveLayout("cidata", {"a/Readme": b"first"}), tmp_path / "drive.img")
    # mtools, like Linux and Windows, finds `Readme` when asked for `README`: a second file
    # that differs only in case could never be opened, so the writer refuses it.
    assert mtools("mtype", "-i", image, "::/a/README") == "first"
    with pytest.raises(ValueError, match="differ only in case"):
        write_vfat(
            DriveLayout("cidata", {"a/Readme": b"1", "a/README": b"2"}),
            io.BytesIO(),
            timestamp=TIMESTAMP,
        )


def sha256_from_mtools(image: Path, path: str) -> str:
    """The hash of one file, streamed out of the image by mcopy (never all in memory)."""
    command = [shutil.which("mcopy") or "mcopy", "-n", "-i", str(image), f"::/{path}", "-"]
    digest = hashlib.sha256()
    with subprocess.Popen(command, stdout=subprocess.PIPE, env=MTOOLS_ENV) as process:
        assert process.stdout is not None
        while block := process.stdout.read(MIB):
            digest.update(block)
    assert process.wait(timeout=SUBPROCESS_TIMEOUT) == 0
    return digest.hexdigest()


def test_fat32_for_a_payload_over_512_mib(tmp_path: Path) -> None:
    payload = big_file(tmp_path / "payload.bin", 512 * MIB + 1)
    small: dict[str, Content] = {"openstack/latest/meta_data.json": b'{"uuid": "u"}'}
    layout = DriveLayout("config-2", {**small, "payload.bin": payload})
    image = write_image(layout, tmp_path / "drive.img")
    try:
        found = blkid(image)
        assert (found["TYPE"], found["LABEL"], found["VERSION"]) == ("vfat", "config-2", "FAT32")
        assert found["UUID"] == boot_serial(image)
        lines = fsck_lines(image)
        assert len(lines) == 2, lines  # FSInfo's free count included: no "wrong" summary
        assert mdir_paths(image) == expected_paths(layout.files)
        assert mtools("mtype", "-i", image, "::/openstack/latest/meta_data.json") == '{"uuid": "u"}'
        assert sha256_from_mtools(image, "payload.bin") == file_sha256(payload.path)
    finally:
        image.unlink()
        payload.path.unlink()
