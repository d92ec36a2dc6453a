"""Signed IMDSv2 tokens (serve --token-secret-file): good at every instance sharing the secret.

Behind a load balancer the token PUT and the GETs that carry the token may reach different
`serve` instances; tests/interop/test_interop_datacentre.py crawls through two of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from configdrive.serve.tokens import MIN_SECRET_BYTES, SignedTokens
from tests.helpers import run_cli

SECRET = b"s" * MIN_SECRET_BYTES


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_token_from_one_instance_is_good_at_another_for_its_client_only() -> None:
    clock = Clock()
    first, second = SignedTokens(SECRET, clock=clock), SignedTokens(SECRET, clock=clock)
    token = first.issue("10.0.0.5", 60)
    assert second.valid(token, "10.0.0.5")
    assert not second.valid(token, "10.0.0.6")
    assert not SignedTokens(b"t" * MIN_SECRET_BYTES, clock=clock).valid(token, "10.0.0.5")


def test_a_signed_token_expires_and_cannot_be_extended() -> None:
    clock = Clock()
    tokens = SignedTokens(SECRET, clock=clock)
    token = tokens.issue("10.0.0.5", 60)
    prefix, expiry, mac = token.split(".")
    later = f"{prefix}.{int(expiry) + 3600}.{mac}"
    assert not tokens.valid(later, "10.0.0.5")  # the MAC covers the expiry
    clock.now += 61
    assert not tokens.valid(token, "10.0.0.5")


@pytest.mark.parametrize("token", ["", "v1.", "v1.x.y", "v2.1.a", "v1.99999999999999.a", "junk"])
def test_malformed_tokens_are_refused(token: str) -> None:
    assert not SignedTokens(SECRET).valid(token, "10.0.0.5")


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        SignedTokens(b"short")


@pytest.mark.parametrize(
    ("content", "mode", "message"),
    [
        (b"short\n", 0o600, "5 bytes; give at least 32"),
        (SECRET, 0o644, "other users can read it (mode 0644); chmod 600 it"),
    ],
)
def test_serve_refuses_a_weak_or_shared_secret_file(
    tmp_path: Path, content: bytes, mode: int, message: str
) -> None:
    secret = tmp_path / "secret"
    secret.write_bytes(content)
    secret.chmod(mode)
    done = run_cli("serve", "fixtures/machines/web-1.yml", "--token-secret-file", secret)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
