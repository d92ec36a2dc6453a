"""How the command line stops on a signal: cleanly before the drive is in place, at once after.

Python turns Ctrl-C (SIGINT) into KeyboardInterrupt, so `atomic_output` removes its
temporary file; SIGTERM and SIGHUP would kill the process on the spot and leave the
temporary file behind. `install_stop_handlers` makes all three raise KeyboardInterrupt
(the same cleanup runs) until the output has been moved into place. After that there is
nothing to undo, and a stop signal ends the process the way the signal asks: a drive that
was written is never reported as "interrupted; nothing was written".

Only the command line installs the handlers: a library must not take over its host's signals.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_output_in_place = False


class Interrupted(KeyboardInterrupt):
    """A stop signal other than Ctrl-C, raised like Ctrl-C so that the same cleanup runs."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


def install_stop_handlers() -> None:
    """SIGINT, SIGTERM and SIGHUP raise KeyboardInterrupt until the output is in place.

    Signals the parent ignores (nohup, a background job of a non-interactive shell) stay
    ignored, as Python itself does for SIGINT.
    """
    global _output_in_place  # noqa: PLW0603 - one command, one output: process-wide by nature
    _output_in_place = False
    for signum in STOP_SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _stop)


def _stop(signum: int, _frame: FrameType | None) -> None:
    if _output_in_place:
        # The drive is whole at its path and nothing is left to clean up: end now, by the
        # signal itself, so the parent sees what happened and no message claims otherwise.
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Interrupted(signum)


def output_started() -> None:
    """A new output is being written (build-many writes several): stop signals undo it again."""
    global _output_in_place  # noqa: PLW0603
    _output_in_place = False


def output_in_place() -> None:
    """Record that the output has been moved into place: stop signals no longer undo anything."""
    global _output_in_place  # noqa: PLW0603
    _output_in_place = True


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Hold stop signals back for a step that must not be torn (the final rename, a cleanup).

    A signal that arrives meanwhile is delivered when the block ends. The mask is per thread
    and the kernel may hand the signal to another thread: the command line has one thread;
    in a threaded host this narrows the window, nothing more.
    """
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
