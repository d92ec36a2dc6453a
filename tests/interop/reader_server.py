"""cloud-init's config drive reader, long-lived: a folder a line in, a JSON line out.

read_config_drive.py starts a fresh Debian python (and imports cloud-init) for every drive,
about 0.3 s each; the fuzz tests read thousands of drives, so they start this once instead:

    /usr/bin/python3 -I reader_server.py

Each line on stdin is the path of an extracted drive. Each answer is one line of JSON:
{"ok": true, "report": {...}} with exactly what read_config_drive.py would print for that
folder (its own function makes the report), or {"ok": false, "error": "...", "type": "..."}
when cloud-init refuses the drive (BrokenMetadata, NonReadable, ...). End of input ends it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

READER_SCRIPT = Path(__file__).resolve().parent / "read_config_drive.py"


def load_reader() -> ModuleType:
    """read_config_drive.py as a module (-I keeps the script's folder off sys.path)."""
    spec = importlib.util.spec_from_file_location("read_config_drive", READER_SCRIPT)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {READER_SCRIPT}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def answer(reader: ModuleType, folder: str) -> dict[str, Any]:
    """What cloud-init made of `folder`: the reader script's JSON report, or why it failed."""
    printed = io.StringIO()
    try:
        # The script's main() prints its report; catching it keeps this process's stdout
        # for answers only, and the report identical to the command line's.
        with contextlib.redirect_stdout(printed):
            reader.main(folder)
    except Exception as error:  # cloud-init refusing a drive is an answer, not a crash
        return {
            "ok": False,
            "type": type(error).__name__,
            "error": str(error),
            "traceback": traceback.format_exc(),
        }
    return {"ok": True, "report": json.loads(printed.getvalue())}


def serve(reader: ModuleType, requests: TextIO, replies: TextIO) -> None:
    for line in requests:
        folder = line.rstrip("\n")
        if not folder:
            continue
        replies.write(json.dumps(answer(reader, folder), sort_keys=True) + "\n")
        replies.flush()


if __name__ == "__main__":
    serve(load_reader(), sys.stdin, sys.stdout)
