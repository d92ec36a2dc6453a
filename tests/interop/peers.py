"""Peer drives: what other tools make, built with the real tools from fixtures/drives/*/drive.yml.

Each spec names a tool, a label and the files; this module writes the files to a folder
and runs the tool on it, exactly as the producers do (Nova's genisoimage flags, xorriso's
mkisofs emulation, cloud-localds, mkfs.vfat and mcopy), and extracts a drive the way Linux
shows it (xorriso's isofs-like name mapping, mtools' long names) for the reference readers.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .conftest import ROOT, run

DRIVES = ROOT / "fixtures" / "drives"
NOVA_VERSIONS = (
    "2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15", "2016-06-30",
    "2016-10-06", "2017-02-22", "2018-08-27", "2020-10-14", "latest",
)  # fmt: skip
NOVA_FLAGS = [
    "-ldots", "-allow-lowercase", "-allow-multidot", "-l",
    "-publisher", "OpenStack Nova", "-quiet", "-J", "-r",
]  # fmt: skip
VFAT_SECTORS = 65536  # 64 MiB in 1 KiB blocks, Nova's size for vfat config drives
NOCLOUD_OPTIONS = {"network-config": "--network-config", "vendor-data": "--vendor-data"}


@dataclass(frozen=True)
class PeerSpec:
    """One fixtures/drives case."""

    name: str
    tool: str
    label: str
    files: dict[str, bytes]
    expect: dict[str, str]
    because: dict[str, str]
    ok: bool

    @property
    def vfat(self) -> bool:
        """Whether the tool makes a FAT image."""
        return self.tool in ("cloud-localds-vfat", "mkfs-vfat")

    @property
    def nocloud(self) -> bool:
        """Whether it is a NoCloud seed (read by cloud-init's NoCloud datasource)."""
        return self.label.lower() == "cidata"


def cases() -> list[str]:
    """Every peer drive spec."""
    return sorted(path.name for path in DRIVES.iterdir() if (path / "drive.yml").is_file())


def _content(value: Any) -> bytes:
    if isinstance(value, str):
        return value.encode()
    return json.dumps(value).encode()


def load(name: str) -> PeerSpec:
    """Read fixtures/drives/NAME/drive.yml."""
    spec = yaml.safe_load((DRIVES / name / "drive.yml").read_text())
    files: dict[str, bytes] = {}
    openstack = spec.get("openstack")
    if openstack:
        versions = openstack["versions"]
        for version in NOVA_VERSIONS if versions == "nova" else versions:
            for file_name, value in openstack["files"].items():
                files[f"openstack/{version}/{file_name}"] = _content(value)
    for path, value in (spec.get("files") or {}).items():
        files[path] = _content(value)
    tool = spec["tool"]
    label = "cidata" if tool.startswith("cloud-localds") else spec["label"]
    return PeerSpec(name, tool, label, files, spec["expect"], spec.get("because") or {}, spec["ok"])


def _genisoimage(*flags: str) -> Callable[[PeerSpec, Path, Path], None]:
    def make(spec: PeerSpec, tree: Path, output: Path) -> None:
        run(["genisoimage", "-o", output, "-quiet", *flags, "-V", spec.label, tree])

    return make


def _xorriso(spec: PeerSpec, tree: Path, output: Path) -> None:
    run(["xorriso", "-as", "mkisofs", "-o", output, "-R", "-J", "-V", spec.label, tree])


def _cloud_localds(*flags: str) -> Callable[[PeerSpec, Path, Path], None]:
    def make(spec: PeerSpec, tree: Path, output: Path) -> None:
        options: list[str | Path] = []
        for name, option in NOCLOUD_OPTIONS.items():
            if (tree / name).exists():
                options += [option, tree / name]
        run(["cloud-localds", *flags, *options, output, tree / "user-data", tree / "meta-data"])

    return make


def _mkfs_vfat(spec: PeerSpec, tree: Path, output: Path) -> None:
    run(["mkfs.vfat", "-C", "-n", spec.label, output, str(VFAT_SECTORS)])
    run(["mcopy", "-s", "-i", output, *sorted(tree.iterdir()), "::"])


TOOLS: dict[str, Callable[[PeerSpec, Path, Path], None]] = {
    "nova": _genisoimage(*NOVA_FLAGS),
    "xorriso": _xorriso,
    "cloud-localds": _cloud_localds(),
    "cloud-localds-vfat": _cloud_localds("--filesystem", "vfat"),
    # Neither extension: level 1 names (META_DAT.JSO;1), Linux shows meta_dat.jso.
    "genisoimage-plain": _genisoimage(),
    # Nova's flags less -J and -r: long names, lower case allowed, '-' still becomes '_'.
    "genisoimage-plain-long": _genisoimage("-ldots", "-allow-lowercase", "-allow-multidot", "-l"),
    "genisoimage-joliet": _genisoimage("-J"),
    "genisoimage-seed": _genisoimage("-J", "-r"),
    "mkfs-vfat": _mkfs_vfat,
}


def make(spec: PeerSpec, folder: Path) -> Path:
    """Build the peer drive in `folder` with its tool; the image's path."""
    tree = folder / "tree"
    for path, data in spec.files.items():
        target = tree / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    output = folder / ("drive.img" if spec.vfat else "drive.iso")
    TOOLS[spec.tool](spec, tree, output)
    shutil.rmtree(tree)
    return output


def linux_view(spec: PeerSpec, image: Path, dest: Path) -> Path:
    """The drive's files as Linux shows them, extracted by xorriso or mtools."""
    dest.mkdir(parents=True)
    if spec.vfat:
        run(["mcopy", "-s", "-n", "-i", image, "::*", dest])
    else:
        # The default tree (Rock Ridge, else Joliet, else ISO9660) and, for plain names,
        # isofs' map=normal: lower case, ';1' cut.
        run(["xorriso", "-ecma119_map", "lowercase", "-osirrox", "on", "-indev", image,
             "-extract", "/", dest])  # fmt: skip
    return dest
