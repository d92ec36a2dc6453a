"""Each valid fixture still builds exactly the drive it built when its golden files were made."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden import golden
from tests.helpers import VALID, cases


@pytest.mark.parametrize("case", cases(VALID))
def test_drive_matches_golden(case: str, tmp_path: Path) -> None:
    tree, image_hash = golden(case, tmp_path)
    assert tree == (VALID / case / "golden-tree").read_text()
    assert image_hash == (VALID / case / "golden-image.sha256").read_text()
