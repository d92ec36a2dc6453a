"""Fixtures shared by every test module."""

from __future__ import annotations

import pytest

from tests.helpers import FIXTURES


@pytest.fixture
def key_line() -> str:
    """A real SSH public key line."""
    return (FIXTURES / "keys" / "ed25519.pub").read_text().strip()
