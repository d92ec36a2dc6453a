"""The FAT reader: names as Linux shows them, labels, and images that lie about themselves."""

from __future__ import annotations

import io
import struct
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from configdrive.drives.drive import open_drive
from configdrive.drives.fat import (
    MAX_DEPTH,
    MAX_ENTRIES,
    MAX_FOLDER_DATA,
    MAX_FOLDER_SLOTS,
    FatEntry,
    FatError,
    FatImage,
    looks_like_fat,
)
from configdrive.errors import InvalidInputError
from tests.drive_images import fat_image
from tests.fat_images import CraftedFat, file_entry, folder_entry, short_entry

T = TypeVar("T")
MiB = 1024 * 1024

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
    with pytest.raises(FatError, match=f"loops back to cluster {entry.first_cluster}$"):
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
    with pytest.raises(FatError, match=r"^openstack/latest: the folder loops back to openstack$"):
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


# --------------------------------------------------------------------------- hostile images


def crafted(fat: CraftedFat) -> FatImage:
    return open_image(fat.image())


def crafted_file(fat: CraftedFat, tmp_path: Path) -> Path:
    """The image written sparse to a file (for volumes too large to hold in memory)."""
    path = tmp_path / "drive.img"
    fat.write_sparse(path)
    return path


def peak_memory(work: Callable[[], T]) -> tuple[T, int]:
    """What `work` returns, and the most memory Python allocated while it ran."""
    tracemalloc.start()
    try:
        result = work()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def walked(fat: FatImage, seen: list[FatEntry]) -> Iterator[FatEntry]:
    """The walk, with every entry it yields also kept in `seen` (to count them after an error)."""
    for entry in fat.walk():
        seen.append(entry)
        yield entry


def small_fat(*, sectors_per_cluster: int = 1, total_sectors: int = 560) -> CraftedFat:
    """A FAT12 volume (500 clusters of 512 bytes unless told), its root folder in place."""
    return CraftedFat(
        fat_bits=12,
        total_sectors=total_sectors,
        fat_sectors=(total_sectors // sectors_per_cluster * 3 // 2) // 512 + 1,
        sectors_per_cluster=sectors_per_cluster,
    )


def fan_out(levels: int) -> CraftedFat:
    """Each folder lists A and B, both the same next folder: 2**levels paths, levels folders."""
    fat = small_fat()
    fat.root = folder_entry("A", 2) + folder_entry("B", 2)
    for level in range(levels):
        cluster = 2 + level
        fat.folder(cluster, [folder_entry("A", cluster + 1), folder_entry("B", cluster + 1)])
    fat.folder(2 + levels, [file_entry("F", 0, 0)])
    return fat


def test_a_folder_graph_that_fans_out_is_walked_once() -> None:
    # On main this walked 2**30 paths; a folder reached twice now ends the walk.
    seen: list[FatEntry] = []
    with pytest.raises(
        FatError, match=r"^(A/){30}B: the folder shares its clusters with another folder$"
    ):
        list(walked(crafted(fan_out(30)), seen))
    # Down the A side (30 folders and F), then the first B, whose folder was listed already.
    assert len(seen) == 1 + 30 + 1 + 1
    assert seen[-1].path == ("A",) * 30 + ("B",)


def test_a_folder_pointing_at_the_root_loops() -> None:
    fat = small_fat()
    fat.root = folder_entry("SELF", 0)
    with pytest.raises(FatError, match=r"^SELF: the folder loops back to the root folder$"):
        list(crafted(fat).walk())


def fat32(clusters: int = 70_000, *, sectors_per_cluster: int = 1) -> CraftedFat:
    """A FAT32 volume of `clusters` (FAT32 needs at least 65,525 of them)."""
    fat_sectors = (clusters + 2) * 4 // 512 + 1
    return CraftedFat(
        fat_bits=32,
        reserved=32,
        fat_sectors=fat_sectors,
        total_sectors=32 + fat_sectors + clusters * sectors_per_cluster,
        sectors_per_cluster=sectors_per_cluster,
    )


def test_a_fat32_folder_pointing_at_the_root_cluster_loops(tmp_path: Path) -> None:
    fat = fat32()
    fat.folder(2, [folder_entry("UP", 2)])
    with crafted_file(fat, tmp_path).open("rb") as stream:
        image = FatImage(stream, fat.size)
        with pytest.raises(FatError, match=r"^UP: the folder loops back to the root folder$"):
            list(image.walk())


def test_a_huge_sparse_fat_is_read_only_where_chains_go(tmp_path: Path) -> None:
    # 2 GiB, 1.7 GiB of it a FAT of zeros: on main the whole FAT was read into memory.
    fat = CraftedFat(fat_bits=32, total_sectors=4 * MiB, fat_sectors=3_500_000, reserved=32)
    fat.folder(2, [file_entry("META.JSN", 3, 2)])
    fat.clusters[3] = b"{}"
    fat.chain([3])
    path = crafted_file(fat, tmp_path)
    assert path.stat().st_size == 2048 * MiB

    def open_and_read() -> list[bytes]:
        with path.open("rb") as stream:
            image = FatImage(stream, fat.size)
            return [image.read(entry, MiB) for entry in image.walk()]

    data, peak = peak_memory(open_and_read)
    assert data == [b"{}"]
    assert peak < 2 * MiB


def test_a_file_in_a_sparse_image_is_copied_in_pieces(tmp_path: Path) -> None:
    # A 128 MiB file of holes: chunks() never holds more than a run of clusters.
    clusters = 32_768
    fat = fat32(70_000, sectors_per_cluster=8)
    fat.folder(2, [file_entry("BIG", 3, clusters * 4096)])
    fat.chain(list(range(3, 3 + clusters)))
    path = crafted_file(fat, tmp_path)

    def copy() -> int:
        with path.open("rb") as stream:
            image = FatImage(stream, path.stat().st_size)
            entry = next(image.walk())
            return sum(len(chunk) for chunk in image.chunks(entry))

    copied, peak = peak_memory(copy)
    assert copied == clusters * 4096
    assert peak < 4 * MiB


def test_a_chain_loop_is_cut_at_its_first_repeat() -> None:
    fat = small_fat()
    fat.root = file_entry("LOOP", 3, 400 * 512)
    fat.chain(list(range(3, 60)))
    fat.fat[59] = 10  # ...58 -> 59 -> 10 -> 11 ... for ever
    image = crafted(fat)
    (entry,) = image.walk()
    assert entry.shared  # its own clusters come round again
    with pytest.raises(FatError, match=r"^LOOP: the cluster chain loops back to cluster 10$"):
        image.read(entry, MiB)


def test_a_long_chain_loop_is_remembered_in_a_bitmap(tmp_path: Path) -> None:
    # 100,000 clusters then back to the first: a set of them would take about 7 MiB.
    length = 100_000
    fat = fat32(length + 10)
    fat.folder(2, [file_entry("LOOP", 3, (length + 1) * 512)])
    fat.chain(list(range(3, 3 + length)))
    fat.fat[2 + length] = 3
    path = crafted_file(fat, tmp_path)

    def copy() -> str:
        with path.open("rb") as stream:
            image = FatImage(stream, fat.size)
            entry = next(image.walk())
            with pytest.raises(FatError) as error:
                for _ in image.chunks(entry):
                    pass
            return str(error.value)

    message, peak = peak_memory(copy)
    assert message == "LOOP: the cluster chain loops back to cluster 3"
    assert peak < 4 * MiB


def test_cross_linked_files_are_marked_shared() -> None:
    fat = small_fat()
    fat.chain(list(range(3, 41)))  # 38 clusters
    fat.chain(list(range(50, 56)))
    fat.root = b"".join(
        [
            file_entry("FIRST", 3, 38 * 512),  # holds the chain first
            file_entry("SAME", 3, 38 * 512),  # the same first cluster
            file_entry("MERGED", 50, 20 * 512),  # its own 6 clusters, then none: not shared
            file_entry("INTO", 20, 10 * 512),  # starts inside FIRST's chain
            file_entry("EMPTY", 0, 0),
        ]
    )
    fat.fat[55] = 30  # MERGED's chain runs on into FIRST's
    shared = {"/".join(entry.path): entry.shared for entry in crafted(fat).walk()}
    assert shared == {
        "FIRST": False,
        "SAME": True,
        "MERGED": True,
        "INTO": True,
        "EMPTY": False,
    }


def test_a_drive_of_our_own_shares_nothing() -> None:
    assert not any(entry.shared for entry in open_image(fat_image(FILES)).walk())


def test_many_names_on_one_chain_are_marked_in_one_pass() -> None:
    # 400 names for one 480-cluster chain: each name past the first stops at its first
    # cluster, so the walk takes 480 + 399 steps, not 400 * 480 (main took the latter when
    # extracting, and wrote 400 copies).
    fat = small_fat()
    fat.chain(list(range(3, 483)))
    names = [file_entry(f"F{index}", 3, 480 * 512) for index in range(400)]
    fat.root = b"".join(names)
    entries = list(crafted(fat).walk())
    assert [entry.shared for entry in entries] == [False] + [True] * 399


def test_too_many_entries_is_an_error() -> None:
    per_folder = 200
    folders = MAX_ENTRIES // (per_folder + 1) + 1
    fat = small_fat(sectors_per_cluster=16, total_sectors=16 * 200)
    fat.root = b"".join(folder_entry(f"D{index}", 2 + index) for index in range(folders))
    for index in range(folders):
        fat.folder(2 + index, [file_entry(f"F{n}", 0, 0) for n in range(per_folder)])
    seen: list[FatEntry] = []
    with pytest.raises(FatError, match=f"^the image holds more than {MAX_ENTRIES:,} files"):
        list(walked(crafted(fat), seen))
    assert len(seen) == MAX_ENTRIES


def nested(depth: int) -> CraftedFat:
    fat = small_fat()
    fat.root = folder_entry("D", 2)
    for level in range(1, depth):
        fat.folder(1 + level, [folder_entry("D", 2 + level)])
    fat.folder(1 + depth, [file_entry("F", 0, 0)])
    return fat


def test_folders_may_nest_max_depth_levels() -> None:
    paths = [entry.path for entry in crafted(nested(MAX_DEPTH)).walk()]
    assert paths[-1] == ("D",) * MAX_DEPTH + ("F",)


def test_nesting_deeper_is_an_error_not_a_silent_stop() -> None:
    with pytest.raises(
        FatError, match=rf"^(D/){{{MAX_DEPTH}}}D: folders nest more than {MAX_DEPTH} levels deep$"
    ):
        list(crafted(nested(MAX_DEPTH + 1)).walk())


def deleted_slots(count: int) -> bytes:
    return (b"\xe5" + short_entry("GONE", attributes=0x20)[1:]) * count


def test_a_folder_longer_than_fat_allows_is_an_error() -> None:
    # 65,537 deleted entries, then a file: Linux would list the file; FAT allows no folder
    # that long, and a walk must not go on for the length a crafted chain claims.
    cluster_size = 8192
    per_cluster = cluster_size // 32
    clusters = MAX_FOLDER_SLOTS // per_cluster + 1
    fat = small_fat(sectors_per_cluster=16, total_sectors=16 * (clusters + 20))
    fat.root = folder_entry("BIG", 2)
    fat.chain(list(range(2, 2 + clusters)))
    for cluster in range(2, 2 + clusters):
        fat.clusters[cluster] = deleted_slots(per_cluster)
    fat.clusters[1 + clusters] = deleted_slots(per_cluster - 1) + file_entry("LAST", 0, 0)
    with pytest.raises(FatError, match=r"^BIG: the folder holds more than 65,536 entries"):
        list(crafted(fat).walk())


def test_all_folders_together_are_bounded(tmp_path: Path) -> None:
    cluster_size = 32 * 1024
    per_folder = MAX_FOLDER_SLOTS * 32 // cluster_size  # each folder as long as FAT allows
    folders = MAX_FOLDER_DATA // (per_folder * cluster_size) + 1
    fat = small_fat(sectors_per_cluster=64, total_sectors=64 * (folders * per_folder + 10))
    fat.root = b"".join(
        folder_entry(f"D{index}", 2 + index * per_folder) for index in range(folders)
    )
    full = deleted_slots(cluster_size // 32)
    for index in range(folders):
        chain = list(range(2 + index * per_folder, 2 + (index + 1) * per_folder))
        fat.chain(chain)
        for cluster in chain:
            fat.clusters[cluster] = full
    path = crafted_file(fat, tmp_path)
    seen: list[FatEntry] = []
    with (
        path.open("rb") as stream,
        pytest.raises(
            FatError, match=f"^the image's folders hold more than {MAX_FOLDER_DATA >> 20} MiB"
        ),
    ):
        list(walked(FatImage(stream, fat.size), seen))
    assert len(seen) == MAX_FOLDER_DATA // (per_folder * cluster_size)


def test_a_volume_larger_than_its_file_is_read_only_within_the_file() -> None:
    # The boot sector claims 500 clusters; the file stops after 30 of them.
    fat = small_fat()
    fat.root = file_entry("DATA", 3, 40 * 512)
    fat.chain(list(range(3, 43)))
    image = fat.image()[: fat.cluster_offset(32)]
    opened = open_image(image)
    (entry,) = opened.walk()
    with pytest.raises(FatError, match=r"^DATA: cluster 32 lies outside the image$"):
        opened.read(entry, MiB)


def test_a_file_with_a_size_and_no_clusters_is_an_error() -> None:
    fat = small_fat()
    fat.root = file_entry("NONE", 0, 100)
    image = crafted(fat)
    (entry,) = image.walk()
    with pytest.raises(FatError, match=r"^NONE: the file has a size but no clusters$"):
        image.read(entry, MiB)


def test_a_chain_into_a_free_cluster_is_an_error() -> None:
    fat = small_fat()
    fat.root = file_entry("HOLE", 3, 3 * 512)
    fat.fat[3] = 4  # and cluster 4 is free
    image = crafted(fat)
    (entry,) = image.walk()
    with pytest.raises(FatError, match=r"^HOLE: the cluster chain reaches a free cluster$"):
        image.read(entry, MiB)


def test_chunks_give_the_same_data_as_read() -> None:
    image = open_image(fat_image(FILES))
    for entry in image.walk():
        if not entry.is_dir:
            assert b"".join(image.chunks(entry)) == image.read(entry, MiB)


def test_names_in_messages_are_escaped() -> None:
    fat = small_fat()
    fat.root = folder_entry("\x1b[2J", 0)
    with pytest.raises(FatError, match=r"^\\x1b\[2J: the folder loops back"):
        list(crafted(fat).walk())


def test_read_drive_says_the_fat_image_is_broken(tmp_path: Path) -> None:
    path = tmp_path / "drive.img"
    path.write_bytes(fan_out(30).image())
    with pytest.raises(InvalidInputError) as error, open_drive(path):
        pass
    (problem,) = error.value.problems
    assert problem.message.startswith("broken FAT image: A/A/")
    assert problem.message.endswith("the folder shares its clusters with another folder")


def test_a_broken_chain_gives_no_data_at_all() -> None:
    # 2,000 good clusters (several runs) and then a loop: nothing is given, so extract
    # never writes the first megabyte of a file it must refuse.
    fat = small_fat(total_sectors=2100)
    fat.root = file_entry("LONG", 3, 2100 * 512)
    fat.chain(list(range(3, 2003)))
    fat.fat[2002] = 1000
    image = crafted(fat)
    (entry,) = image.walk()
    chunks = image.chunks(entry)
    with pytest.raises(FatError, match=r"^LONG: the cluster chain loops back to cluster 1000$"):
        next(chunks)


def test_a_fat32_root_outside_the_volume_is_an_error() -> None:
    fat = fat32()
    boot = bytearray(fat.boot_sector())
    struct.pack_into("<I", boot, 44, 0)
    image = boot + bytes(fat.data_offset + 512 - len(boot))
    with pytest.raises(FatError, match=r"^the boot sector puts the root folder at cluster 0,"):
        open_image(bytes(image))


def test_a_drive_marks_shared_files_and_copies_fat_files_in_pieces(tmp_path: Path) -> None:
    fat = small_fat(sectors_per_cluster=8, total_sectors=8 * 700)  # 4 KiB clusters
    fat.chain(list(range(3, 603)))  # 2.4 MB
    fat.root = file_entry("FIRST", 3, 600 * 4096) + file_entry("AGAIN", 300, 300 * 4096)
    path = tmp_path / "drive.img"
    path.write_bytes(fat.image())
    with open_drive(path) as drive:
        first, again = drive.view.entries()
        assert (first.shared, again.shared) == (False, True)
        sizes = [len(chunk) for chunk in drive.chunks(first)]
    # Runs of at most 1 MiB, not the whole file at once.
    assert sizes == [MiB, MiB, 600 * 4096 - 2 * MiB]


def test_one_entry_limit_for_every_file_system() -> None:
    """ISO9660 and FAT drives are held to the same number of entries: one limit to name."""
    from configdrive.drives import drive as read_drive

    assert MAX_ENTRIES == read_drive.MAX_ENTRIES
