"""EC2's session tokens (IMDSv2): issued on PUT /latest/api/token, bound to the client.

Tokens are kept per client address, each client with a quota of its own: a client that asks
for tokens in a loop loses its own oldest tokens, never another client's. Issue, lookup and
expiry each touch a bounded number of entries (no scan of the store): expired tokens are
dropped when looked up, and from the front of their client's queue when that client asks
for more (each token is dropped once, so this costs O(1) per issue, amortised).

Memory is bounded by MAX_TOKENS_PER_CLIENT x MAX_CLIENTS entries. Only a client some machine
claims is ever issued tokens (MetadataService checks first), so the clients are the fleet's
machines, except for a machine served alone without an address, which answers everyone: past
MAX_CLIENTS clients, the one that asked least recently loses its tokens (it asks for a new
one on its next 401, as cloud-init's Ec2 datasource does: _refresh_stale_aws_token_cb).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable

TOKEN_PATH = "latest/api/token"
TOKEN_HEADER = "X-aws-ec2-metadata-token"
TOKEN_TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
MAX_TOKEN_TTL = 21600  # six hours: EC2's limit, and what cloud-init asks for
# cloud-init asks for one token a boot and another when one is refused; a handful of tools
# on a machine may each hold one. Past this, the client's own oldest token goes.
MAX_TOKENS_PER_CLIENT = 16
# Clients holding tokens at once: a fleet's machines. 16 x 16384 = 262,144 tokens at most.
MAX_CLIENTS = 16384


class TokenStore:
    """EC2's session tokens (IMDSv2): random, bound to the client address, expiring.

    `touched` counts the entries issue and lookup have read, written or dropped: the work
    they do, which tests and bench/ bound (it never depends on how many tokens are held).
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        per_client: int = MAX_TOKENS_PER_CLIENT,
        clients: int = MAX_CLIENTS,
    ) -> None:
        self._clock = clock
        self._per_client = per_client
        self._max_clients = clients
        # client -> (token -> expiry), both oldest first: the clients by their latest issue.
        self._clients: OrderedDict[str, OrderedDict[str, float]] = OrderedDict()
        self._count = 0
        self.touched = 0

    def issue(self, client: str, ttl: int) -> str:
        """A new token for `client`, valid for `ttl` seconds."""
        now = self._clock()
        tokens = self._clients.get(client)
        if tokens is None:
            tokens = self._clients[client] = OrderedDict()
            if len(self._clients) > self._max_clients:
                _, dropped = self._clients.popitem(last=False)  # the least recent client
                self._count -= len(dropped)
                self.touched += 1
        else:
            self._clients.move_to_end(client)
        # Expired tokens at the front go; one with a longer TTL may hold the rest back until
        # it expires, is looked up, or the quota pushes it out: memory stays bounded anyway.
        while tokens and next(iter(tokens.values())) <= now:
            tokens.popitem(last=False)
            self._count -= 1
            self.touched += 1
        while len(tokens) >= self._per_client:
            tokens.popitem(last=False)  # this client's oldest, never another's
            self._count -= 1
            self.touched += 1
        token = secrets.token_urlsafe(42)
        tokens[token] = now + ttl
        self._count += 1
        self.touched += 1
        return token

    def valid(self, token: str, client: str) -> bool:
        """Whether `token` was issued to `client` and has not expired."""
        tokens = self._clients.get(client)
        expiry = tokens.get(token) if tokens is not None else None
        self.touched += 1
        if expiry is None:
            return False
        if expiry > self._clock():
            return True
        assert tokens is not None
        del tokens[token]
        self._count -= 1
        if not tokens:
            del self._clients[client]
        return False

    @property
    def clients(self) -> int:
        """How many clients hold tokens (some possibly expired, not yet dropped)."""
        return len(self._clients)

    def __len__(self) -> int:
        return self._count


# A shared secret shorter than this would be guessable; `head -c 32 /dev/urandom` is enough.
MIN_SECRET_BYTES = 32
_SIGNED_PREFIX = "v1."
_MAC_BYTES = 24


class SignedTokens:
    """Tokens any instance holding the same secret accepts: several `serve` instances behind
    one load balancer, where a token PUT and the GETs that use it may reach different ones.

    A token is its expiry (Unix time, whole seconds) and an HMAC-SHA256 of the expiry and
    the client address under the secret: nothing is stored, so there is nothing to flood
    and nothing to share but the secret. Expiry is by wall clock, which the instances share.
    """

    def __init__(self, secret: bytes, *, clock: Callable[[], float] = time.time) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"a token secret of at least {MIN_SECRET_BYTES} bytes")
        self._secret = secret
        self._clock = clock
        self.touched = 0  # the work counter TokenStore has; nothing is stored here

    def issue(self, client: str, ttl: int) -> str:
        expiry = int(self._clock()) + ttl
        return f"{_SIGNED_PREFIX}{expiry}.{self._mac(client, expiry)}"

    def valid(self, token: str, client: str) -> bool:
        prefix, _, rest = token.partition(_SIGNED_PREFIX)
        expiry_text, _, mac = rest.partition(".")
        if prefix or not expiry_text.isdigit() or len(expiry_text) > 12:
            return False
        expiry = int(expiry_text)
        if expiry <= self._clock():
            return False
        return hmac.compare_digest(mac, self._mac(client, expiry))

    def _mac(self, client: str, expiry: int) -> str:
        message = f"imdsv2|{client}|{expiry}".encode()
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()[:_MAC_BYTES]
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    @property
    def clients(self) -> int:
        return 0

    def __len__(self) -> int:
        return 0
