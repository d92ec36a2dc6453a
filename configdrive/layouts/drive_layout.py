"""What every layout produces and every format writes: a DriveLayout.

A layout is a plain map of drive paths to contents (bytes, or a file read at
write time) plus a volume label. It knows nothing of ISO9660: any format (ISO,
vfat, a folder) can render it, and tests can compare it directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


class Writable(Protocol):
    """Where file data is streamed to: an open file, or a writer's own output."""

    def write(self, data: bytes, /) -> Any: ...


@dataclass(frozen=True)
class FileContent:
    """Content that stays on disk until the writer streams it."""

    path: Path
    size: int

    def copy_to(self, out: Writable, block: int = 1 << 20) -> None:
        """Stream exactly the `size` bytes the drive was planned with; a changed file is an
        error (the size was checked and reported before the copy began)."""
        remaining = self.size
        with self.path.open("rb") as source:
            while remaining:
                data = source.read(min(block, remaining))
                if not data:
                    break
                out.write(data)
                remaining -= len(data)
            if remaining or source.read(1):
                raise OSError(f"{self.path}: changed size while the drive was being written")


Content = bytes | FileContent


@dataclass(frozen=True)
class DriveLayout:
    """What goes on a drive: its label and its files (folders follow from the paths)."""

    label: str
    files: Mapping[str, Content]
