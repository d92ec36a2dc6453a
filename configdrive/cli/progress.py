"""A progress bar on standard error for long jobs, and nothing at all for short ones.

Most drives are built in milliseconds: a bar that flashes by is noise. The bar
appears only once a job has run for `delay` seconds, redraws at most ten times
a second, and erases itself when the job ends, so the summary stays clean.

rich draws it, and is imported only when a bar is first drawn: a short build never
loads it (rich takes longer to import than a small build takes to run).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

_WIDTH = 30
_REDRAW_INTERVAL = 0.1
_MIB = 1024 * 1024


class ProgressBar:
    """A `progress(done, total)` callback that draws `label ━━━━━╸━━━━  45%  460/1,024 MiB`.

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
        self._shown: _Shown | None = None

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
        figures = f"{fraction(done, total):4.0%}  {counts(done, total, self._unit)}"
        if self._shown is None:
            self._shown = _Shown(self._stream, self._label, done, total, figures)
        else:
            self._shown.update(done, total, figures)

    def clear(self) -> None:
        """Erase the bar so a line can be printed; the next call draws it again."""
        self.close()
        self._last_draw = None

    def close(self) -> None:
        """Erase the bar, if one was drawn, leaving the cursor at the start of its line."""
        if self._shown is not None:
            self._shown.close()
            self._shown = None


def fraction(done: int, total: int) -> float:
    """How much is done, from 0 to 1; a job of nothing is done."""
    return min(done / total, 1.0) if total > 0 else 1.0


def counts(done: int, total: int, unit: str = "MiB") -> str:
    """`532/1,024 MiB` for bytes (whole MiB, at least 1 in all), `3/200 drives` for things."""
    if unit == "MiB":
        return f"{done // _MIB:,}/{max(total // _MIB, 1):,} MiB"
    return f"{done:,}/{total:,} {unit}"


class _Shown:
    """A bar on the screen: rich's live display of one task, refreshed only when told."""

    def __init__(self, stream: TextIO, label: str, done: int, total: int, figures: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn

        class _CursorKeeping(Console):
            """A console that never hides the cursor: a bar killed mid-way (SIGKILL)
            must not leave the terminal without one."""

            def show_cursor(self, show: bool = True) -> bool:
                return False

        # Whoever made the bar has checked that a person watches `stream`.
        console = _CursorKeeping(file=stream, force_terminal=True, highlight=False)
        self._progress: Progress = Progress(
            TextColumn("{task.description}"),
            # Green when full: rich's own olive is grey on a 16-colour terminal.
            BarColumn(bar_width=_WIDTH, finished_style="green"),
            TextColumn("{task.fields[figures]}"),
            console=console,
            auto_refresh=False,  # no thread: ProgressBar decides when to redraw
            transient=True,  # erased when it stops
            redirect_stdout=False,  # what the command prints goes straight to its streams
            redirect_stderr=False,
        )
        self._task: TaskID = self._progress.add_task(
            label, total=total, completed=done, figures=figures
        )
        self._progress.start()  # draws it

    def update(self, done: int, total: int, figures: str) -> None:
        self._progress.update(self._task, total=total, completed=done, figures=figures)
        self._progress.refresh()

    def close(self) -> None:
        self._progress.stop()
