"""The metadata service's rules, without HTTP: which reply a request gets.

The client's source address picks the machine (configdrive.serve.machines); a client no
machine claims gets 404, never another machine's data. Proxy headers (X-Forwarded-For)
are never believed: they would let a client pick another machine.
"""

from __future__ import annotations

from dataclasses import dataclass

from configdrive.serve.machines import Served, canonical_address
from configdrive.serve.metadata import NOCLOUD_FOLDER, TEXT, Entry, MetadataTree, request_key
from configdrive.serve.tokens import (
    MAX_TOKEN_TTL,
    TOKEN_PATH,
    TOKEN_TTL_HEADER,
    SignedTokens,
    TokenStore,
)


@dataclass(frozen=True)
class Request:
    """What an answer depends on: who asks, how, for what, with which token headers."""

    client: str
    method: str
    path: str  # as sent, percent-encoded, without the query
    token: str | None = None
    ttl: str | None = None
    forwarded: bool = False  # an X-Forwarded-For header came with it


@dataclass(frozen=True)
class Reply:
    """An answer: its status, whose data it is, and the content. `note` says why, for the log."""

    status: int
    machine: str | None = None
    entry: Entry | None = None
    headers: tuple[tuple[str, str], ...] = ()
    note: str = ""


class MetadataService:
    """The answers to every request, without HTTP: the served machines, tokens, the rules."""

    def __init__(
        self,
        served: Served,
        *,
        require_token: bool = False,
        tokens: TokenStore | SignedTokens | None = None,
    ) -> None:
        # Replaced whole on reload; a request in flight keeps the machine it started with.
        self.served = served
        self.require_token = require_token
        self.tokens = tokens if tokens is not None else TokenStore()

    def answer(self, request: Request) -> Reply:
        """The reply to one request."""
        try:
            client = canonical_address(request.client)
        except ValueError:
            return Reply(404, note="not an IP client")
        machine = self.served.machine_for(client)
        if machine is None:
            return Reply(404, note="no machine has this address")
        key = request_key(request.path)
        if key == TOKEN_PATH:
            if request.method != "PUT":
                return Reply(405, machine.name, headers=(("Allow", "PUT"),))
            return self._issue_token(request, client, machine.name)
        if request.method not in ("GET", "HEAD"):
            return Reply(405, machine.name, headers=(("Allow", "GET, HEAD"),))
        if request.token is not None:
            if not self.tokens.valid(request.token, client):
                return Reply(401, machine.name, note="invalid or expired token")
        elif self.require_token:
            return Reply(401, machine.name, note="no token (--require-token)")
        entry = machine.tree.get(key) if key is not None else None
        if entry is None:
            return Reply(404, machine.name, note=_missing_note(machine.tree, key))
        return Reply(200, machine.name, entry)

    def _issue_token(self, request: Request, client: str, machine: str) -> Reply:
        if request.forwarded:
            # EC2's defence against requests relayed by a proxy on the machine (SSRF).
            return Reply(403, machine, note="token requests through a proxy are refused")
        ttl_text = (request.ttl or "").strip()
        # isascii: "²".isdigit() is true, and int("²") would fail the request.
        is_number = ttl_text.isascii() and ttl_text.isdigit()
        if not is_number or not 1 <= int(ttl_text) <= MAX_TOKEN_TTL:
            return Reply(400, machine, note=f"{TOKEN_TTL_HEADER} must be 1 to {MAX_TOKEN_TTL}")
        token = self.tokens.issue(client, int(ttl_text))
        return Reply(
            200,
            machine,
            Entry(token.encode("ascii"), TEXT),
            headers=((TOKEN_TTL_HEADER, ttl_text),),
            note="token issued",
        )


def _missing_note(tree: MetadataTree, key: str | None) -> str:
    """Why a path of a known machine has no answer, when there is more to say than 404."""
    in_nocloud = key is not None and key.split("/", 1)[0] == NOCLOUD_FOLDER
    if in_nocloud and tree.nocloud_refused is not None:
        return tree.nocloud_refused
    return ""
