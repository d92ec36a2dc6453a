"""EC2's session tokens (IMDSv2): issued on PUT /latest/api/token, bound to the client."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

TOKEN_PATH = "latest/api/token"
TOKEN_HEADER = "X-aws-ec2-metadata-token"
TOKEN_TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
MAX_TOKEN_TTL = 21600  # six hours: EC2's limit, and what cloud-init asks for
# Live tokens kept at most; past this the oldest go first. Bounds memory against a client
# that asks for tokens in a loop.
MAX_TOKENS = 65536


class TokenStore:
    """EC2's session tokens (IMDSv2): random, bound to the client address, expiring."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, limit: int = MAX_TOKENS
    ) -> None:
        self._clock = clock
        self._limit = limit
        self._tokens: dict[str, tuple[str, float]] = {}

    def issue(self, client: str, ttl: int) -> str:
        """A new token for `client`, valid for `ttl` seconds."""
        now = self._clock()
        if len(self._tokens) >= self._limit:
            self._tokens = {t: v for t, v in self._tokens.items() if v[1] > now}
            while len(self._tokens) >= self._limit:
                del self._tokens[next(iter(self._tokens))]  # the oldest
        token = secrets.token_urlsafe(42)
        self._tokens[token] = (client, now + ttl)
        return token

    def valid(self, token: str, client: str) -> bool:
        """Whether `token` was issued to `client` and has not expired."""
        found = self._tokens.get(token)
        return found is not None and found[0] == client and found[1] > self._clock()

    def __len__(self) -> int:
        return len(self._tokens)
