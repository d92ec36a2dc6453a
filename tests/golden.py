"""Golden outputs of the valid fixtures: the drive's file tree with hashes, and the image hash.

Output is reproducible, so a change in either is a change in what users get. When a
change is intended, regenerate with `python -m tests.golden` and review the diff.
"""

from __future__ import annotations

import hashlib
import io
import sys
import tempfile
from pathlib import Path

import pycdlib

from tests.helpers import VALID, case_args, cases, run_cli


def drive_tree(image: Path) -> str:
    """One line a file, `sha256 size path`, read from the image's Rock Ridge tree."""
    iso = pycdlib.PyCdlib()
    iso.open(str(image))
    lines = []
    try:
        for folder, _, files in iso.walk(rr_path="/"):
            for name in files:
                path = f"{folder.rstrip('/')}/{name}"
                out = io.BytesIO()
                iso.get_file_from_iso_fp(out, rr_path=path)
                data = out.getvalue()
                lines.append(f"{hashlib.sha256(data).hexdigest()} {len(data):6d} {path}")
    finally:
        iso.close()
    return "\n".join(sorted(lines, key=lambda line: line.split()[-1])) + "\n"


def golden(case: str, folder: Path) -> tuple[str, str]:
    """The tree and the image hash of a fixture case, built by the real command line."""
    image = folder / f"{case}.iso"
    result = run_cli("build", *case_args(VALID / case), "-o", image, "-q", cwd=VALID / case)
    if result.returncode != 0:
        raise AssertionError(result.stderr)
    return drive_tree(image), hashlib.sha256(image.read_bytes()).hexdigest() + "\n"


def main() -> None:
    """Rewrite every valid fixture's golden files."""
    with tempfile.TemporaryDirectory() as scratch:
        for case in cases(VALID):
            tree, image_hash = golden(case, Path(scratch))
            (VALID / case / "golden-tree").write_text(tree)
            (VALID / case / "golden-image.sha256").write_text(image_hash)
            print(f"{case}: {image_hash.strip()}", file=sys.stderr)


if __name__ == "__main__":
    main()
