"""`serve` behind a load balancer: the client's address from trusted proxies, and no one else.

The rules (configdrive.serve.proxy) are checked on their own, then through a real `serve`
process with raw sockets from loopback aliases (every 127.x.y.z is this host on Linux):
127.0.0.1 plays the balancer, 127.0.0.2 and 127.0.0.3 the machines of
fixtures/serve/fleet.yml, 127.0.0.4 a stranger. tests/interop/test_interop_haproxy.py puts
a real HAProxy in front.
"""

from __future__ import annotations

import asyncio
import io
import json
import socket
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
import tornado.iostream

from configdrive.errors import UsageError
from configdrive.serve.log import ServeLog
from configdrive.serve.proxy import (
    FIXED_LENGTH,
    MAX_PROXY_LENGTH,
    SIGNATURE,
    Client,
    Proxies,
    ProxyHeaderError,
    parse_proxy_header,
    parse_trusted_proxies,
    proxies_from_options,
    proxy_header,
)
from tests.helpers import run_cli
from tests.test_serve_http import SERVE, ServeProcess, fetch

BALANCER = "127.0.0.1/32"
TRUSTING = Proxies(parse_trusted_proxies([BALANCER, "10.0.0.0/8"]))
HOSTNAME = "/latest/meta-data/hostname"


def quiet_log() -> tuple[ServeLog, io.StringIO]:
    stream = io.StringIO()
    return ServeLog(stream, json=True), stream


def client_of(peer: str, *lines: str, proxies: Proxies = TRUSTING) -> Client:
    log, _ = quiet_log()
    return proxies.client(peer, list(lines), log)


# --------------------------------------------------------------------------- X-Forwarded-For


def test_a_trusted_proxy_names_the_client() -> None:
    assert client_of("127.0.0.1", "127.0.0.2") == Client("127.0.0.2")
    # Through two trusted hops (a balancer in 10/8 behind the one at 127.0.0.1).
    assert client_of("127.0.0.1", "127.0.0.3, 10.1.2.3") == Client("127.0.0.3")
    # IPv4-mapped IPv6 (a listener on [::]) is the same address.
    assert client_of("::ffff:127.0.0.1", "::ffff:127.0.0.2") == Client("127.0.0.2")
    assert client_of("127.0.0.1") == Client("127.0.0.1")  # no header: the peer


def test_the_rightmost_untrusted_entry_wins_whatever_the_client_wrote() -> None:
    # The client sent "X-Forwarded-For: 127.0.0.2" itself; the balancer appended the truth.
    assert client_of("127.0.0.1", "127.0.0.2, 127.0.0.3") == Client("127.0.0.3", forwarded=True)
    # HAProxy appends a header line of its own rather than editing the client's.
    assert client_of("127.0.0.1", "127.0.0.2", "127.0.0.3") == Client("127.0.0.3", forwarded=True)
    # Garbage left of the client is the client's business: never parsed.
    assert client_of("127.0.0.1", "not an address", "127.0.0.3").address == "127.0.0.3"
    # Every hop trusted: the leftmost, which a trusted hop wrote.
    assert client_of("127.0.0.1", "10.0.0.7, 10.0.0.8") == Client("10.0.0.7", forwarded=False)


def test_from_anyone_else_the_header_is_ignored() -> None:
    assert client_of("127.0.0.3", "127.0.0.2") == Client("127.0.0.3", forwarded=True)
    assert client_of("127.0.0.3", "127.0.0.2", proxies=Proxies()) == Client(
        "127.0.0.3", forwarded=True
    )
    # Trusting nobody (no --trusted-proxy) is what serve always did, the balancer included.
    assert client_of("127.0.0.1", "127.0.0.2", proxies=Proxies()).address == "127.0.0.1"


@pytest.mark.parametrize("header", ["127.0.0.2, garbage", "127.0.0.2,", "1.2.3.4:80", "\x00"])
def test_a_malformed_header_from_a_trusted_proxy_is_ignored_and_logged(header: str) -> None:
    log, stream = quiet_log()
    assert TRUSTING.client("127.0.0.1", [header], log) == Client("127.0.0.1", forwarded=True)
    (line,) = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert line["event"] == "forwarded-for-ignored"
    assert line["message"].startswith(
        "ignored a malformed X-Forwarded-For from trusted proxy 127.0.0.1: "
    )
    assert "\x00" not in line["message"]


def test_trusted_proxy_values() -> None:
    networks = parse_trusted_proxies(["10.0.0.0/8", "192.0.2.7", " fd00::/8 "])
    assert [str(network) for network in networks] == ["10.0.0.0/8", "192.0.2.7/32", "fd00::/8"]
    with pytest.raises(UsageError, match=r"did you mean 10\.0\.0\.0/8\?"):
        parse_trusted_proxies(["10.0.0.1/8"])
    with pytest.raises(UsageError, match="give an IP address or a network"):
        parse_trusted_proxies(["balancer.example.com"])
    with pytest.raises(UsageError, match="--proxy-protocol needs --trusted-proxy"):
        proxies_from_options([], proxy_protocol=True)


# --------------------------------------------------------------------------- PROXY v2 headers


def test_proxy_headers_as_haproxy_sends_them() -> None:
    assert parse_proxy_header(proxy_header(("127.0.0.2", 40000), ("127.0.0.1", 80))) == (
        "127.0.0.2",
        40000,
    )
    assert parse_proxy_header(proxy_header(("2001:db8::5", 1234))) == ("2001:db8::5", 1234)
    assert parse_proxy_header(proxy_header(("::ffff:192.0.2.9", 1))) == ("192.0.2.9", 1)
    assert parse_proxy_header(proxy_header(None)) is None  # LOCAL: a health check
    # TLVs after the addresses (HAProxy's unique ID, here) are skipped.
    header = proxy_header(("127.0.0.3", 5))
    tlv = b"\x05\x00\x03abc"
    longer = header[:14] + struct.pack("!H", 12 + len(tlv)) + header[16:] + tlv
    assert parse_proxy_header(longer) == ("127.0.0.3", 5)


def _with(header: bytes, *, byte_12: int | None = None, byte_13: int | None = None) -> bytes:
    data = bytearray(header)
    if byte_12 is not None:
        data[12] = byte_12
    if byte_13 is not None:
        data[13] = byte_13
    return bytes(data)


def test_proxy_headers_that_fall_back_to_the_peer() -> None:
    header = proxy_header(("127.0.0.2", 1))
    assert parse_proxy_header(_with(header, byte_13=0x00)) is None  # UNSPEC
    assert parse_proxy_header(_with(header, byte_13=0x12)) is None  # UDP over IPv4
    # LOCAL with addresses anyway: the specification says to skip them.
    assert parse_proxy_header(_with(header, byte_12=0x20)) is None


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (_with(proxy_header(("127.0.0.2", 1)), byte_12=0x11), "version 1; serve reads version 2"),
        (_with(proxy_header(("127.0.0.2", 1)), byte_12=0x22), "command 0x2"),
        (_with(proxy_header(("127.0.0.2", 1)), byte_13=0x41), "family/protocol 0x41"),
        (_with(proxy_header(("127.0.0.2", 1)), byte_13=0x13), "family/protocol 0x13"),
        (_with(proxy_header(("127.0.0.2", 1)), byte_13=0x21), "too short for its IPv6"),
        (proxy_header(("127.0.0.2", 1))[:-1], "shorter than its length field"),
        (SIGNATURE + b"\x21\x11\xff\xff", "PROXY header of 65551 bytes; serve reads at most"),
        (b"PROXY TCP4 127.0.0.2 127.0.0.1 1 80\r\n", "v1 (text) header; serve reads v2"),
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "no PROXY protocol v2 header"),
    ],
)
def test_proxy_headers_refused(header: bytes, message: str) -> None:
    with pytest.raises(ProxyHeaderError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_proxy_header(header)


async def _read_over_a_socket(
    sent: bytes, *, peer: str = "127.0.0.1", close: bool = False
) -> tuple[object, bytes, str]:
    """What read_header makes of `sent` on a real TCP connection, what is left, and the log."""
    log, stream_log = quiet_log()
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname(), source_address=(peer, 0))
    accepted, address = listener.accept()
    listener.close()
    client.sendall(sent)
    if close:
        client.shutdown(socket.SHUT_WR)
    stream = tornado.iostream.IOStream(accepted)
    proxies = Proxies(TRUSTING.trusted, proxy_protocol=True, header_timeout=0.2)
    try:
        result = await proxies.read_header(stream, address, log)
        rest = b""
        if result is not None:
            rest = await stream.read_bytes(len(sent) - FIXED_LENGTH - 12, partial=True)
        return result, rest, stream_log.getvalue()
    finally:
        stream.close()
        client.close()


def test_read_header_leaves_the_request_in_the_stream() -> None:
    request = b"GET / HTTP/1.0\r\n\r\n"
    result, rest, log = asyncio.run(_read_over_a_socket(proxy_header(("127.0.0.2", 7)) + request))
    assert result == ("127.0.0.2", 7)
    assert rest == request
    assert log == ""


@pytest.mark.parametrize(
    ("sent", "close", "peer", "reason"),
    [
        (SIGNATURE[:10], False, "127.0.0.1", "no complete PROXY header within 0.2 s"),
        (proxy_header(("127.0.0.2", 7))[:20], False, "127.0.0.1", "within 0.2 s"),
        (proxy_header(("127.0.0.2", 7))[:20], True, "127.0.0.1", "closed before the end"),
        (proxy_header(("127.0.0.2", 7)), False, "127.0.0.5", "not a trusted proxy"),
    ],
)
def test_read_header_refuses(sent: bytes, close: bool, peer: str, reason: str) -> None:
    result, _, log = asyncio.run(_read_over_a_socket(sent, peer=peer, close=close))
    assert result is None
    (line,) = [json.loads(line) for line in log.splitlines()]
    assert line["event"] == "proxy-refused"
    assert line["message"].startswith(f"refused a connection from {peer}:")
    assert reason in line["message"]


def test_the_length_field_is_capped_before_reading() -> None:
    """A header announcing 64 KiB is refused on its first 16 bytes, the rest never awaited."""
    sent = SIGNATURE + bytes([0x21, 0x11]) + struct.pack("!H", MAX_PROXY_LENGTH + 1)
    result, _, log = asyncio.run(_read_over_a_socket(sent))
    assert result is None
    assert f"serve reads at most {FIXED_LENGTH + MAX_PROXY_LENGTH}" in log
    assert "within" not in log


# --------------------------------------------------------------------------- a real serve


@pytest.fixture(scope="module")
def behind_http_balancer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    log = tmp_path_factory.mktemp("serve-xff") / "serve.log"
    server = ServeProcess(SERVE / "fleet.yml", "--trusted-proxy", BALANCER, log=log)
    try:
        yield server
    finally:
        assert server.stop() == 0


@pytest.fixture(scope="module")
def behind_tcp_balancer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    log = tmp_path_factory.mktemp("serve-pp") / "serve.log"
    server = ServeProcess(
        SERVE / "fleet.yml", "--trusted-proxy", BALANCER, "--proxy-protocol", log=log
    )
    try:
        yield server
    finally:
        assert server.stop() == 0


def test_the_start_says_whom_it_trusts(
    behind_http_balancer: ServeProcess, behind_tcp_balancer: ServeProcess
) -> None:
    for server, proxy_protocol in ((behind_http_balancer, False), (behind_tcp_balancer, True)):
        log = server.wait_for_log('"event": "proxies"')
        (line,) = [json.loads(line) for line in log.splitlines() if '"proxies"' in line]
        assert line["trusted"] == [BALANCER]
        assert line["proxy_protocol"] is proxy_protocol


def hostname(server: ServeProcess, source: str, forwarded_for: str | None = None) -> bytes:
    headers = {} if forwarded_for is None else {"X-Forwarded-For": forwarded_for}
    status, _, body = server.fetch(HOSTNAME, source=source, headers=headers)
    return body if status == 200 else str(status).encode()


def test_forwarded_for_from_the_balancer_picks_the_machine(
    behind_http_balancer: ServeProcess,
) -> None:
    server = behind_http_balancer
    assert hostname(server, "127.0.0.1", "127.0.0.2") == b"web-a.example.com"
    assert hostname(server, "127.0.0.1", "127.0.0.3") == b"web-b.example.com"
    assert hostname(server, "127.0.0.1", "127.0.0.2, 127.0.0.3") == b"web-b.example.com"
    assert hostname(server, "127.0.0.1", "127.0.0.4") == b"404"
    assert hostname(server, "127.0.0.1") == b"404"  # the balancer itself is no machine
    log = server.wait_for_log('"client": "127.0.0.1"')  # the last request's line
    lines = [json.loads(line) for line in log.splitlines() if '"event": "request"' in line]
    assert {(line["client"], line["machine"]) for line in lines} >= {
        ("127.0.0.2", "web-a"),
        ("127.0.0.3", "web-b"),
        ("127.0.0.4", None),
        ("127.0.0.1", None),
    }


def test_forwarded_for_from_anyone_else_is_ignored(behind_http_balancer: ServeProcess) -> None:
    server = behind_http_balancer
    assert hostname(server, "127.0.0.3", "127.0.0.2") == b"web-b.example.com"
    assert hostname(server, "127.0.0.4", "127.0.0.2") == b"404"


def test_malformed_forwarded_for_from_the_balancer(behind_http_balancer: ServeProcess) -> None:
    server = behind_http_balancer
    assert hostname(server, "127.0.0.1", "127.0.0.2 127.0.0.3") == b"404"
    server.wait_for_log("ignored a malformed X-Forwarded-For from trusted proxy 127.0.0.1")


def test_tokens_through_the_balancer(behind_http_balancer: ServeProcess) -> None:
    """The balancer's own X-Forwarded-For is no proxy on the machine: the token is issued."""
    put = {"X-aws-ec2-metadata-token-ttl-seconds": "60", "X-Forwarded-For": "127.0.0.2"}
    status, _, token = behind_http_balancer.fetch(
        "/latest/api/token", source="127.0.0.1", method="PUT", headers=put
    )
    assert status == 200
    use = {"X-aws-ec2-metadata-token": token.decode(), "X-Forwarded-For": "127.0.0.2"}
    assert behind_http_balancer.fetch(HOSTNAME, source="127.0.0.1", headers=use)[2] == (
        b"web-a.example.com"
    )
    stolen = {"X-aws-ec2-metadata-token": token.decode(), "X-Forwarded-For": "127.0.0.3"}
    assert behind_http_balancer.fetch(HOSTNAME, source="127.0.0.1", headers=stolen)[0] == 401
    # A proxy on the machine relayed it (the client wrote an entry): EC2's SSRF rule holds.
    relayed = {**put, "X-Forwarded-For": "10.9.9.9, 127.0.0.2"}
    status, _, _ = behind_http_balancer.fetch(
        "/latest/api/token", source="127.0.0.1", method="PUT", headers=relayed
    )
    assert status == 403


def raw_exchange(port: int, source: str, data: bytes) -> bytes:
    """Send `data` from `source` and read until the server closes (HTTP/1.0: one request)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30,
                                  source_address=(source, 0)) as sock:  # fmt: skip
        sock.sendall(data)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass  # closed with our bytes unread: the kernel resets instead
        return received


def get_through_proxy_protocol(port: int, source: str, header: bytes) -> bytes:
    reply = raw_exchange(port, source, header + f"GET {HOSTNAME} HTTP/1.0\r\n\r\n".encode())
    status_line, _, rest = reply.partition(b"\r\n")
    return rest.partition(b"\r\n\r\n")[2] if b" 200 " in status_line else status_line


def test_proxy_protocol_from_the_balancer_picks_the_machine(
    behind_tcp_balancer: ServeProcess,
) -> None:
    port = behind_tcp_balancer.port
    for client, expected in (
        ("127.0.0.2", b"web-a.example.com"),
        ("127.0.0.3", b"web-b.example.com"),
    ):
        header = proxy_header((client, 40000), ("127.0.0.1", port))
        assert get_through_proxy_protocol(port, "127.0.0.1", header) == expected
    header = proxy_header(("::ffff:127.0.0.2", 40000))
    assert get_through_proxy_protocol(port, "127.0.0.1", header) == b"web-a.example.com"
    # LOCAL (the balancer's health check): the balancer is the client, and no machine.
    local = get_through_proxy_protocol(port, "127.0.0.1", proxy_header(None))
    assert local.endswith(b" 404 Not Found")


@pytest.mark.parametrize(
    ("source", "data", "reason"),
    [
        # A header from a stranger is never honoured: its connection is closed unread.
        ("127.0.0.3", proxy_header(("127.0.0.2", 1)), "not a trusted proxy (--proxy-protocol)"),
        ("127.0.0.4", b"GET / HTTP/1.0\r\n\r\n", "not a trusted proxy (--proxy-protocol)"),
        # The balancer without a header (send-proxy-v2 forgotten).
        ("127.0.0.1", b"GET / HTTP/1.0\r\nX-Forwarded-For: 127.0.0.2\r\n\r\n", "no PROXY"),
        ("127.0.0.1", b"PROXY TCP4 127.0.0.2 127.0.0.1 1 80\r\nGET / HTTP/1.0\r\n\r\n", "v1"),
        ("127.0.0.1", proxy_header(("127.0.0.2", 1))[:20], "closed before the end"),
    ],
)
def test_proxy_protocol_connections_refused(
    behind_tcp_balancer: ServeProcess, source: str, data: bytes, reason: str
) -> None:
    after = len(behind_tcp_balancer.log())
    if reason == "closed before the end":
        with socket.create_connection(("127.0.0.1", behind_tcp_balancer.port),
                                      source_address=(source, 0)) as sock:  # fmt: skip
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            assert sock.recv(100) == b""
    else:
        assert raw_exchange(behind_tcp_balancer.port, source, data) == b""
    log = behind_tcp_balancer.wait_for_log("refused a connection", after=after)
    lines = [json.loads(line) for line in log[after:].splitlines()]
    # One refusal for the one connection. (Other lines may land in the window: the start-up
    # events are written after the line the fixture waits for, on the first case's run.)
    (line,) = [line for line in lines if line["event"] == "proxy-refused"]
    assert "Traceback" not in log
    assert line["message"].startswith(f"refused a connection from {source}:")
    assert reason in line["message"]


def test_a_plain_listener_never_reads_a_proxy_header(tmp_path: Path) -> None:
    """Without --proxy-protocol a PROXY header is not HTTP: nothing is served for it."""
    server = ServeProcess(SERVE / "fleet.yml", "--trusted-proxy", BALANCER, log=tmp_path / "log")
    try:
        header = proxy_header(("127.0.0.2", 1))
        reply = get_through_proxy_protocol(server.port, "127.0.0.1", header)
        assert b"web-a" not in reply
        assert fetch(server.port, HOSTNAME, source="127.0.0.2")[2] == b"web-a.example.com"
    finally:
        assert server.stop() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--proxy-protocol"], "--proxy-protocol needs --trusted-proxy"),
        (["--trusted-proxy", "10.0.0.1/8"], "did you mean 10.0.0.0/8?"),
        (["--trusted-proxy", "lb.example.com"], "give an IP address or a network"),
    ],
)
def test_usage_errors(args: list[str], message: str) -> None:
    result = run_cli("serve", SERVE / "fleet.yml", "--listen", "127.0.0.1:0", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
