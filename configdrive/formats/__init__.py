"""Stage 4: writing a DriveLayout as an image or a folder, whole or not at all.

registry holds every format (its name, layouts, limits, warnings and writer) for the
API to ask; iso (pycdlib), fat (vfat), folder, ironic (gzip+base64 of the ISO) write them;
iso_template lets iso reuse one pycdlib build for every further drive of the same shape;
atomic moves the output into place and signals defers stop signals while it does.
Internal: the public API is `configdrive`.
"""

from collections.abc import Callable

ProgressCallback = Callable[[int, int], None]
"""Called as `progress(done, total)` with bytes written so far and the whole output's size."""
