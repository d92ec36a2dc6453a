"""Behind a load balancer: the client's address from a trusted proxy, and from no one else.

The client's address picks the machine, so whoever may state it may read any machine's
data. Only a peer inside a `--trusted-proxy` network may:

- X-Forwarded-For (a layer-7 balancer such as HAProxy's `option forwardfor`): each proxy
  appends the address it received the request from, so an entry is only as trustworthy as
  the hop that appended it, the one to its right. The client is the rightmost entry that is
  not itself a trusted proxy (the entries left of it were written by the client, who may
  lie). From an untrusted peer the header is ignored and the peer is the client.
- PROXY protocol v2 (a layer-4 balancer, HAProxy's `send-proxy-v2`), as HAProxy's
  specification (doc/proxy-protocol.txt, section 2) has it: the receiver is configured for
  the protocol and never guesses whether a header is present, and it filters who may use it.
  So with `--proxy-protocol` every connection must come from a trusted proxy and start with a
  valid header; any other connection is closed before a byte of it is read as HTTP, with one
  log line. A header sent by an untrusted peer is never read, never honoured.
"""

from __future__ import annotations

import asyncio
import ipaddress
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from configdrive.errors import UsageError
from configdrive.serve.log import loggable_path
from configdrive.serve.machines import canonical_address

if TYPE_CHECKING:
    import tornado.iostream

    from configdrive.serve.log import ServeLog

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# What Tornado's server is given for a connection: the peer's (host, port, ...).
PeerAddress = tuple[str, int] | tuple[str, int, int, int]

FORWARDED_FOR = "X-Forwarded-For"

# PROXY protocol v2 (doc/proxy-protocol.txt, section 2.2).
SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"
FIXED_LENGTH = 16  # the signature, version and command, family and protocol, the length
VERSION_2 = 0x2
COMMAND_LOCAL = 0x0
COMMAND_PROXY = 0x1
FAMILY_UNSPEC, FAMILY_INET, FAMILY_INET6, FAMILY_UNIX = 0x0, 0x1, 0x2, 0x3
PROTOCOL_UNSPEC, PROTOCOL_STREAM, PROTOCOL_DGRAM = 0x0, 0x1, 0x2
# Addresses and ports of TCP over IPv4 (2*4 + 2*2 bytes) and over IPv6 (2*16 + 2*2).
INET_ADDRESSES = 12
INET6_ADDRESSES = 36
# The length field could make a peer's header 64 KiB long: cap it. The addresses take at most
# 216 bytes (AF_UNIX) and the TLVs real balancers add (unique ID, TLS facts, a cloud's
# endpoint ID) take a few hundred more.
MAX_PROXY_LENGTH = 1024
# The specification asks for at least 3 s, for a TCP retransmission; a balancer sends the
# header at once with its connection, so only a broken or hostile peer waits this long.
PROXY_HEADER_TIMEOUT = 5.0


class ProxyHeaderError(ValueError):
    """A PROXY header that cannot be honoured: the connection is closed."""


# --------------------------------------------------------------------------- who is trusted


@dataclass(frozen=True)
class Client:
    """Whom a request is from, as far as the trusted proxies say."""

    address: str
    # Relayed by a proxy serve does not trust (X-Forwarded-For entries the client wrote):
    # EC2 refuses token requests that were (service.py).
    forwarded: bool = False


@dataclass(frozen=True)
class Proxies:
    """Which peers may state the client's address, and how (--trusted-proxy, --proxy-protocol)."""

    trusted: tuple[Network, ...] = ()
    proxy_protocol: bool = False
    header_timeout: float = PROXY_HEADER_TIMEOUT

    def trusts(self, address: str) -> bool:
        """Whether `address` (an IP address in any spelling) is inside a trusted network."""
        try:
            ip = ipaddress.ip_address(canonical_address(address))
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    def describe(self) -> str:
        """For the start of the log: whom serve believes, and about what."""
        networks = ", ".join(str(network) for network in self.trusted)
        if self.proxy_protocol:
            return f"every connection must be a PROXY protocol v2 one from {networks}"
        return f"the client's address is taken from {FORWARDED_FOR} sent by {networks}"

    def client(self, peer: str, forwarded_for: Sequence[str], log: ServeLog) -> Client:
        """The client a request with these X-Forwarded-For lines came from, through `peer`."""
        if not forwarded_for:
            return Client(peer)
        if not self.trusts(peer):
            return Client(peer, forwarded=True)  # ignored, as it always was: anyone can send it
        hops = [hop.strip() for line in forwarded_for for hop in line.split(",")]
        for index in range(len(hops) - 1, -1, -1):
            try:
                hop = canonical_address(hops[index])
            except ValueError:
                # A trusted proxy wrote it (the hop to its right is trusted): its fault, said.
                header = loggable_path(", ".join(forwarded_for))
                log.event(
                    "forwarded-for-ignored",
                    f"ignored a malformed {FORWARDED_FOR} from trusted proxy {peer}: {header}",
                    peer=peer,
                )
                return Client(peer, forwarded=True)
            if index == 0 or not self.trusts(hop):
                return Client(hop, forwarded=index > 0)
        raise AssertionError("unreachable: the loop returns at index 0")

    async def read_header(
        self, stream: tornado.iostream.IOStream, peer: PeerAddress, log: ServeLog
    ) -> PeerAddress | None:
        """The client's address from the PROXY header at the start of `stream` (`peer`'s).

        None when the connection is refused: `stream` is closed and one line logged. The
        bytes after the header stay in the stream's buffer, for the HTTP server.
        """
        if not self.trusts(peer[0]):
            reason = "not a trusted proxy (--proxy-protocol)"
        else:
            try:
                header = await asyncio.wait_for(_read_header_bytes(stream), self.header_timeout)
                source = parse_proxy_header(header)
            except asyncio.TimeoutError:
                reason = f"no complete PROXY header within {self.header_timeout:g} s"
            except ProxyHeaderError as error:
                reason = str(error)
            except OSError:  # tornado.iostream.StreamClosedError is one
                reason = "closed before the end of its PROXY header"
            else:
                return peer if source is None else source
        stream.close()
        where = _peer_text(peer)
        log.event("proxy-refused", f"refused a connection from {where}: {reason}", peer=where)
        return None


def parse_trusted_proxies(texts: Iterable[str]) -> tuple[Network, ...]:
    """`--trusted-proxy` values: networks (10.0.0.0/8) or single addresses. Raises UsageError."""
    networks: list[Network] = []
    for text in texts:
        try:
            network = ipaddress.ip_network(text.strip())
        except ValueError:
            loose = _loose_network(text)
            hint = (
                f"its host bits are set; did you mean {loose}?"
                if loose is not None
                else "give an IP address or a network such as 10.0.0.0/8 or fd00::/8"
            )
            raise UsageError(f"--trusted-proxy {text!r}: {hint}") from None
        networks.append(network)
    return tuple(networks)


def proxies_from_options(trusted: Sequence[str], proxy_protocol: bool) -> Proxies:
    """The serve command's `--trusted-proxy` and `--proxy-protocol`. Raises UsageError."""
    networks = parse_trusted_proxies(trusted)
    if proxy_protocol and not networks:
        raise UsageError(
            "--proxy-protocol needs --trusted-proxy: only a trusted balancer may state the "
            "client's address (give its address or network)"
        )
    return Proxies(networks, proxy_protocol)


def _loose_network(text: str) -> Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


# --------------------------------------------------------------------------- PROXY protocol v2


async def _read_header_bytes(stream: tornado.iostream.IOStream) -> bytes:
    fixed = await stream.read_bytes(FIXED_LENGTH)
    length = _check_fixed_part(fixed)
    rest = await stream.read_bytes(length) if length else b""
    return fixed + rest


def _check_fixed_part(fixed: bytes) -> int:
    """The length of the rest of the header, once the first 16 bytes are those of a v2 one."""
    if fixed[: len(SIGNATURE)] != SIGNATURE:
        if fixed.startswith(b"PROXY "):
            raise ProxyHeaderError(
                "a PROXY protocol v1 (text) header; serve reads v2 (HAProxy: send-proxy-v2)"
            )
        raise ProxyHeaderError("no PROXY protocol v2 header (a request sent straight to serve?)")
    version = fixed[12] >> 4
    if version != VERSION_2:
        raise ProxyHeaderError(f"PROXY header version {version}; serve reads version 2")
    (length,) = struct.unpack_from("!H", fixed, 14)
    if length > MAX_PROXY_LENGTH:
        raise ProxyHeaderError(
            f"PROXY header of {FIXED_LENGTH + length} bytes; serve reads at most "
            f"{FIXED_LENGTH + MAX_PROXY_LENGTH}"
        )
    return int(length)


def parse_proxy_header(header: bytes) -> PeerAddress | None:
    """The source address a whole PROXY v2 header gives; None: use the connection's peer.

    Raises ProxyHeaderError for a header that must be refused (the specification's MUSTs).
    """
    length = _check_fixed_part(header[:FIXED_LENGTH])
    if len(header) != FIXED_LENGTH + length:
        raise ProxyHeaderError("a PROXY header shorter than its length field")
    command = header[12] & 0x0F
    family, protocol = header[13] >> 4, header[13] & 0x0F
    if command not in (COMMAND_LOCAL, COMMAND_PROXY):
        raise ProxyHeaderError(f"PROXY header command {command:#x}: neither LOCAL nor PROXY")
    if family > FAMILY_UNIX or protocol > PROTOCOL_DGRAM:
        raise ProxyHeaderError(f"PROXY header address family/protocol {header[13]:#04x}")
    if command == COMMAND_LOCAL:
        return None  # the balancer's own connection (a health check): it is the client
    addresses = header[FIXED_LENGTH:]
    if protocol != PROTOCOL_STREAM or family not in (FAMILY_INET, FAMILY_INET6):
        # UNSPEC, UDP, AF_UNIX: not a TCP client; the specification lets the receiver fall
        # back to the connection's own endpoints, which is the balancer.
        return None
    if family == FAMILY_INET:
        if len(addresses) < INET_ADDRESSES:
            raise ProxyHeaderError("a PROXY header too short for its IPv4 addresses")
        (port,) = struct.unpack_from("!H", addresses, 8)
        return str(ipaddress.IPv4Address(addresses[:4])), int(port)
    if len(addresses) < INET6_ADDRESSES:
        raise ProxyHeaderError("a PROXY header too short for its IPv6 addresses")
    (port,) = struct.unpack_from("!H", addresses, 32)
    return canonical_address(str(ipaddress.IPv6Address(addresses[:16]))), int(port)


def proxy_header(
    source: tuple[str, int] | None, destination: tuple[str, int] | None = None
) -> bytes:
    """A PROXY v2 header as HAProxy's send-proxy-v2 writes it (None: LOCAL, a health check).

    Here for the tests and for anyone scripting a check of a `--proxy-protocol` listener.
    """
    if source is None:
        return SIGNATURE + bytes([VERSION_2 << 4 | COMMAND_LOCAL, 0]) + struct.pack("!H", 0)
    source_ip = ipaddress.ip_address(source[0])
    destination = destination or (("::" if source_ip.version == 6 else "0.0.0.0"), 0)
    destination_ip = ipaddress.ip_address(destination[0])
    family = FAMILY_INET if source_ip.version == 4 else FAMILY_INET6
    ports = struct.pack("!HH", source[1], destination[1])
    addresses = source_ip.packed + destination_ip.packed + ports
    return (
        SIGNATURE
        + bytes([VERSION_2 << 4 | COMMAND_PROXY, family << 4 | PROTOCOL_STREAM])
        + struct.pack("!H", len(addresses))
        + addresses
    )


def _peer_text(peer: PeerAddress) -> str:
    host, port = peer[0], peer[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


# Nobody is trusted: the TCP peer is the client, as when serve faces the machines directly.
NO_PROXIES = Proxies()
