"""ISO images of one shape from one pycdlib build: the bytes around the files, learnt once.

The drives of a fleet share their shape: the same paths, the same files hard-linked together,
each file the same number of 2048-byte sectors, the same label and timestamp. pycdlib lays out
two such drives alike in every byte but the files' data and the data lengths in their
directory records (both-endian 32-bit numbers at bytes 10..17 of each ISO9660 and Joliet
record; the Rock Ridge entries ride in the ISO9660 records and hold no length). An
`IsoTemplate` is the image of the first drive of a shape with those bytes blanked, where each
file's data goes and where each of its records keeps its length; `fill` makes any further
drive of the shape without pycdlib.

`learn` reads the offsets from the image pycdlib wrote (its volume descriptors and directory
extents, by name), never from pycdlib's internals, and refuses (None) unless blanking those
bytes and filling them again with the drive they came from gives back pycdlib's image.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

SECTOR = 2048
_FIRST_DESCRIPTOR = 16
_PRIMARY, _SUPPLEMENTARY, _TERMINATOR = 1, 2, 255
_ROOT_RECORD = 156  # where a volume descriptor holds the root folder's directory record
_JOLIET_ESCAPES = (b"%/@", b"%/C", b"%/E")
_IS_FOLDER = 0x02
_LENGTH_FIELD = 10  # both-endian data length at bytes 10..17 of a directory record
_SELF_AND_PARENT = (b"\x00", b"\x01")


@dataclass(frozen=True)
class IsoTemplate:
    """An image of one shape with every file's data and length blanked, and where they go.

    `data_offsets[group]` is where the data of the files hard-linked as `group` starts (None
    for an empty file: pycdlib gives it no extent); `length_fields` pairs the offset of each
    directory record's length field with the group whose length it holds.
    """

    blank: bytes
    data_offsets: tuple[int | None, ...]
    length_fields: tuple[tuple[int, int], ...]

    def fill(self, contents: Sequence[bytes]) -> bytearray:
        """The image of the drive whose groups hold `contents` (same sectors as the shape)."""
        image = bytearray(self.blank)
        for offset, data in zip(self.data_offsets, contents, strict=True):
            if offset is not None:
                image[offset : offset + len(data)] = data
        lengths = [_both_endian(len(data)) for data in contents]
        for field, group in self.length_fields:
            image[field : field + 8] = lengths[group]
        return image


def learn(
    image: bytes,
    contents: Sequence[bytes],
    iso_paths: Mapping[str, int],
    joliet_paths: Mapping[str, int],
) -> IsoTemplate | None:
    """The template of `image`, whose files' groups hold `contents`; None if it cannot be one.

    `iso_paths` and `joliet_paths` map each file's name in that tree (`/A/B.JSON;1`,
    `/a/b.json`) to its group. Every one of them must have its record in the image, and the
    records of one group one extent.
    """
    records = _file_records(image)
    if records is None:
        return None
    data_offsets: list[int | None] = [None] * len(contents)
    length_fields: list[tuple[int, int]] = []
    wanted = [*(("iso", path, group) for path, group in iso_paths.items()),
              *(("joliet", path, group) for path, group in joliet_paths.items())]  # fmt: skip
    if len(records) != len(wanted):
        return None
    for tree, path, group in wanted:
        found = records.get((tree, path))
        if found is None:
            return None
        extent, length, field = found
        if length != len(contents[group]):
            return None
        if length:
            offset = extent * SECTOR
            if data_offsets[group] not in (None, offset):
                return None
            data_offsets[group] = offset
        length_fields.append((field, group))
    blank = bytearray(image)
    for start, data in zip(data_offsets, contents, strict=True):
        if start is not None:
            padded = _sectors(len(data)) * SECTOR
            blank[start : start + padded] = bytes(padded)
    for field, _group in length_fields:
        blank[field : field + 8] = bytes(8)
    template = IsoTemplate(bytes(blank), tuple(data_offsets), tuple(length_fields))
    if template.fill(contents) != image:
        return None  # something else in the image depends on the contents: never reuse it
    return template


def _sectors(length: int) -> int:
    return -(-length // SECTOR)


def _both_endian(value: int) -> bytes:
    return value.to_bytes(4, "little") + value.to_bytes(4, "big")


def _file_records(image: bytes) -> dict[tuple[str, str], tuple[int, int, int]] | None:
    """Every file's (extent, data length, offset of the length field) by tree and path.

    None when the image is not the plain ISO9660 + Joliet pycdlib writes here.
    """
    found: dict[tuple[str, str], tuple[int, int, int]] = {}
    trees = 0
    for tree, root in _roots(image):
        trees += 1
        for path, extent, length, field in _walk(image, root, tree):
            if (tree, path) in found:
                return None
            found[(tree, path)] = (extent, length, field)
    return found if trees == 2 else None


def _roots(image: bytes) -> Iterator[tuple[str, int]]:
    sector = _FIRST_DESCRIPTOR
    while (sector + 1) * SECTOR <= len(image):
        start = sector * SECTOR
        kind = image[start]
        if image[start + 1 : start + 6] != b"CD001" or kind == _TERMINATOR:
            return
        if kind == _PRIMARY:
            yield "iso", start + _ROOT_RECORD
        elif kind == _SUPPLEMENTARY and image[start + 88 : start + 91] in _JOLIET_ESCAPES:
            yield "joliet", start + _ROOT_RECORD
        sector += 1


def _walk(image: bytes, root: int, tree: str) -> Iterator[tuple[str, int, int, int]]:
    """(path, extent, data length, length field offset) of every file under `root`."""
    folders = [("", _extent(image, root), _length(image, root))]
    seen: set[int] = set()
    while folders:
        parent, extent, size = folders.pop()
        if extent in seen:
            continue
        seen.add(extent)
        start = extent * SECTOR
        position = start
        while position < start + size:
            record_length = image[position]
            if record_length == 0:  # records never cross a sector: the rest is padding
                position = (position // SECTOR + 1) * SECTOR
                continue
            name_length = image[position + 32]
            raw = image[position + 33 : position + 33 + name_length]
            if raw not in _SELF_AND_PARENT:
                path = f"{parent}/{_name(raw, tree)}"
                if image[position + 25] & _IS_FOLDER:
                    folders.append((path, _extent(image, position), _length(image, position)))
                else:
                    yield (
                        path,
                        _extent(image, position),
                        _length(image, position),
                        (position + _LENGTH_FIELD),
                    )
            position += record_length


def _name(raw: bytes, tree: str) -> str:
    if tree == "iso":
        return raw.decode("ascii")
    name = raw.decode("utf-16-be")
    return name.removesuffix(";1")


def _extent(image: bytes, record: int) -> int:
    return int.from_bytes(image[record + 2 : record + 6], "little")


def _length(image: bytes, record: int) -> int:
    return int.from_bytes(image[record + 10 : record + 14], "little")
