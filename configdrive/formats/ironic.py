"""Stage 5, for Ironic: the ISO, gzipped and base64-encoded, as the API's `configdrive` takes it.

openstacksdk's `configdrive.pack()` makes the same encoding from genisoimage's
image, but its gzip header carries the temporary file's name and the current
time. Ours carries neither (no name, mtime 0), so the text is reproducible. The
image goes through a temporary file beside the output (pycdlib seeks while
writing) and is then compressed and encoded as a stream: memory stays flat.
"""

from __future__ import annotations

import base64
import gzip
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from configdrive.formats import ProgressCallback
from configdrive.formats.iso import write_iso
from configdrive.layouts.drive_layout import DriveLayout

_COPY_BLOCK = 1 << 20


def write_ironic(
    layout: DriveLayout,
    stream: BinaryIO,
    *,
    timestamp: int,
    scratch: Path,
    progress: ProgressCallback | None = None,
) -> None:
    """Write `layout` as base64(gzip(ISO)) to `stream`, using a temporary file in `scratch`."""
    with tempfile.TemporaryFile(dir=scratch) as image:
        write_iso(layout, image, timestamp=timestamp, progress=progress)
        image.seek(0)
        encoder = _Base64Writer(stream)
        with gzip.GzipFile(filename="", mode="wb", fileobj=encoder, mtime=0) as compressor:
            shutil.copyfileobj(image, compressor, _COPY_BLOCK)
        encoder.close()


class _Base64Writer:
    """A write-only stream that base64-encodes what it is given, in whole 3-byte groups."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._pending = b""

    def write(self, data: bytes) -> int:
        buffered = self._pending + bytes(data)
        whole = len(buffered) - len(buffered) % 3
        self._stream.write(base64.b64encode(buffered[:whole]))
        self._pending = buffered[whole:]
        return len(data)

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:
        """Encode the last one or two bytes, with padding."""
        self._stream.write(base64.b64encode(self._pending))
        self._pending = b""
