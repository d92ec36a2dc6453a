"""A progress bar on standard error for long builds, and nothing at all for short ones.

Most drives are built in milliseconds: a bar that flashes by is noise. The bar
appears only once a build has run for `delay` seconds, redraws at most ten times
a second, and erases itself when the build ends, so the summary stays clean.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

_WIDTH = 30
_REDRAW_INTERVAL = 0.1


class ProgressBar:
    """A `progress(done, total)` callback that draws `[=====>    ] 45% 460/1024 MiB` lines.

    `unit` is "MiB" (done and total count bytes) or a word for counted things ("drives").
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        label: str = "writing",
        unit: str = "MiB",
        delay: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._label = label
        self._unit = unit
        self._clock = clock
        self._start = clock()
        self._delay = delay
        self._last_draw: float | None = None
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        now = self._clock()
        if now - self._start < self._delay:
            return
        finished = total > 0 and done >= total
        if (
            not finished
            and self._last_draw is not None
            and now - self._last_draw < _REDRAW_INTERVAL
        ):
            return
        self._last_draw = now
        self._stream.write("\r" + render(self._label, done, total, self._unit))
        self._stream.flush()
        self._drawn = True

    def clear(self) -> None:
        """Erase the bar so a line can be printed; the next call draws it again."""
        self.close()
        self._last_draw = None

    def close(self) -> None:
        """Erase the bar, if one was drawn, leaving the cursor at the start of the line."""
        if self._drawn:
            self._stream.write("\r\033[K")
            self._stream.flush()
            self._drawn = False


def render(label: str, done: int, total: int, unit: str = "MiB") -> str:
    """One line of the bar, e.g. `writing [=======>      ] 52%  532/1,024 MiB`."""
    fraction = min(done / total, 1.0) if total > 0 else 1.0
    filled = int(fraction * _WIDTH)
    arrow = ">" if filled < _WIDTH else ""
    bar = "=" * filled + arrow + " " * (_WIDTH - filled - len(arrow))
    mib = 1024 * 1024
    return f"{label} [{bar}] {fraction:4.0%}  {done // mib:,}/{max(total // mib, 1):,} MiB"
