"""The FAT reader: names as Linux shows them, labels, and images that lie about themselves."""

from __future__ import annotations

import io
import struct

import pytest

from configdrive.read_vfat import FatError, FatImage, looks_like_fat
from tests.drive_images import fat_image

FILES = {
    "SHORT.TXT": b"short",
    "lower.txt": b"lower",
    "openstack/latest/meta_data.json": b'{"uuid": "x"}',
    "openstack/latest/user_data": b"#cloud-config\n" * 300,
}


def open_image(image: bytes) -> FatImage:
    return FatImage(io.BytesIO(image), len(image))


def listing(image: bytes) -> dict[str, bytes | None]:
    fat = open_image(image)
    return {
        "/".join(entry.path): None if entry.is_dir else fat.read(entry, 1 << 20)
        for entry in fat.walk()
    }


def entry_offset(image: bytes | bytearray, marker: bytes) -> int:
    """Where the 32-byte folder entry holding `marker` starts."""
    found = image.find(marker)
    assert found >= 0, marker
    return found - found % 32


def set_fat12(image: bytearray, cluster: int, value: int) -> None:
    """Set one FAT12 entry in every copy of the FAT."""
    sector, reserved, fats = struct.unpack_from("<HxHB", image, 11)
    fat_sectors = struct.unpack_from("<H", image, 22)[0]
    for copy in range(fats):
        offset = (reserved + copy * fat_sectors) * sector + cluster + cluster // 2
        pair = image[offset] | image[offset + 1] << 8
        pair = (pair & 0x000F) | value << 4 if cluster & 1 else (pair & 0xF000) | value
        image[offset : offset + 2] = struct.pack("<H", pair)


def test_reads_names_sizes_and_data() -> None:
    found = listing(fat_image(FILES))
    assert found == {
        "SHORT.TXT": b"short",
        "lower.txt": b"lower",
        "openstack": None,
        "openstack/latest": None,
        "openstack/latest/meta_data.json": b'{"uuid": "x"}',
        "openstack/latest/user_data": b"#cloud-config\n" * 300,
    }


@pytest.mark.parametrize("label", ["cidata", "CIDATA", "config-2"])
def test_label_keeps_its_case(label: str) -> None:
    volume = open_image(fat_image(FILES, label=label)).volume
    assert volume.label == volume.boot_label == volume.root_label == label
    assert volume.fat_bits == 12


def test_case_bits_lower_a_short_name() -> None:
    image = bytearray(fat_image(FILES))
    offset = entry_offset(image, b"SHORT   TXT")
    image[offset + 12] = 0x18  # base and extension in lower case, as Windows NT marks them
    assert "short.txt" in listing(bytes(image))


def test_long_name_with_a_wrong_checksum_gives_way_to_the_short_name() -> None:
    image = bytearray(fat_image(FILES))
    offset = entry_offset(image, "lower".encode("utf-16-le"))
    image[offset + 13] ^= 0xFF
    names = listing(bytes(image))
    assert "lower.txt" not in names
    assert "LOWER.TXT" in names


def test_deleted_entries_are_skipped() -> None:
    image = bytearray(fat_image(FILES))
    image[entry_offset(image, b"SHORT   TXT")] = 0xE5
    assert "SHORT.TXT" not in listing(bytes(image))


def test_a_long_name_may_hold_anything_and_is_shown_as_is() -> None:
    # The reader reports it; read_drive refuses such names before anything uses them.
    image = fat_image(FILES).replace("lower".encode("utf-16-le"), "../..".encode("utf-16-le"))
    assert "../...txt" in listing(image)


def test_a_cluster_chain_that_loops_is_an_error() -> None:
    image = bytearray(fat_image(FILES))
    fat = open_image(bytes(image))
    entry = next(e for e in fat.walk() if e.path[-1] == "user_data")
    set_fat12(image, entry.first_cluster + 1, entry.first_cluster)
    with pytest.raises(FatError, match="loops"):
        open_image(bytes(image)).read(entry, 1 << 20)


def test_a_cluster_outside_the_volume_is_an_error() -> None:
    image = bytearray(fat_image(FILES))
    entry = next(e for e in open_image(bytes(image)).walk() if e.path[-1] == "user_data")
    set_fat12(image, entry.first_cluster, 0xFF0)
    with pytest.raises(FatError, match="outside the volume"):
        open_image(bytes(image)).read(entry, 1 << 20)


def test_a_folder_that_contains_itself_is_an_error() -> None:
    image = bytearray(fat_image(FILES))
    fat = open_image(bytes(image))
    folder = next(e for e in fat.walk() if e.path == ("openstack", "latest"))
    parent = next(e for e in fat.walk() if e.path == ("openstack",))
    # Point `latest` at its parent's clusters: a walk would go round for ever.
    offset = entry_offset(image, b"LATEST     ")
    struct.pack_into("<H", image, offset + 26, parent.first_cluster)
    assert folder.first_cluster != parent.first_cluster
    with pytest.raises(FatError, match="loops back"):
        list(open_image(bytes(image)).walk())


def test_a_truncated_image_is_an_error() -> None:
    image = fat_image(FILES)
    with pytest.raises(FatError, match="shorter than its file system"):
        open_image(image[:1024])
    fat = open_image(image)
    entry = next(e for e in fat.walk() if e.path[-1] == "user_data")
    cut = image[: image.find(b"#cloud-config\n") + 100]
    with pytest.raises(FatError, match="outside the image"):
        open_image(cut).read(entry, 1 << 20)


def test_only_fat_boot_sectors_look_like_fat() -> None:
    assert looks_like_fat(fat_image(FILES)[:512])
    assert not looks_like_fat(bytes(512))
    assert not looks_like_fat(b"\xeb\x3c\x90" + bytes(509))
