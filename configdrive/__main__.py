"""The command's entry point (`mkconfigdrive`, `python -m configdrive`).

Stop signals are taken over before the command line is even imported: a Ctrl-C,
SIGTERM or SIGHUP during start-up then ends the run with exit 130 and one line,
not a traceback, and later ones clean up a half-written drive (configdrive.formats.signals).
"""

from __future__ import annotations

import sys


def main() -> None:
    """Install the stop handlers, then run the Typer app."""
    from configdrive.formats.signals import install_stop_handlers

    install_stop_handlers()
    try:
        from configdrive.cli.app import main as run_command_line
    except KeyboardInterrupt:
        print("mkconfigdrive: interrupted; nothing was written", file=sys.stderr)
        raise SystemExit(130) from None
    run_command_line()


if __name__ == "__main__":
    main()
