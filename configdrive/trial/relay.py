"""One guest connection to the metadata service: stdin/stdout <-> HOST:PORT on the loopback.

qemu's user-mode network runs `python -m configdrive.trial.relay HOST PORT` for every TCP
connection the guest opens to the metadata address (`guestfwd=tcp:169.254.169.254:80-cmd:`):
libslirp's fork_exec gives the child one socket as its stdin, stdout AND stderr. So nothing
may ever be written to stderr (it would land in the guest's HTTP stream): every failure
ends the process silently with a non-zero status, and no byte of content is logged anywhere.
A chardev guestfwd would serve one connection only; cloud-init's crawlers make many.

Standard library only, and bounded: a connect timeout, an idle timeout, a whole-connection
deadline and a byte limit each way, so a guest cannot keep a relay alive or feed it forever.
"""

from __future__ import annotations

import os
import select
import socket
import sys
import time

CONNECT_SECONDS = 10.0
IDLE_SECONDS = 60.0  # no byte either way for this long: the connection is over
DEADLINE_SECONDS = 600.0
# serve's largest answer is a drive's user data (64 KiB in Nova) or a file it carries; a
# guest's requests are a few hundred bytes. Far above both, far below harm.
BYTE_LIMIT = 64 << 20
CHUNK = 65536
GUEST_IN, GUEST_OUT = 0, 1


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]


def relay(
    service: socket.socket,
    guest_in: int = GUEST_IN,
    guest_out: int = GUEST_OUT,
    *,
    idle: float = IDLE_SECONDS,
    deadline: float = DEADLINE_SECONDS,
    limit: int = BYTE_LIMIT,
) -> bool:
    """Copy guest -> service and service -> guest until the service closes; True when it
    ended that way, False on a timeout or the byte limit."""
    service.settimeout(idle)  # sendall to a service that stops reading
    ends_at = time.monotonic() + deadline
    sent = received = 0
    guest_open = True
    while True:
        left = ends_at - time.monotonic()
        if left <= 0:
            return False
        watched: list[int | socket.socket] = [service, guest_in] if guest_open else [service]
        ready, _, _ = select.select(watched, [], [], min(idle, left))
        if not ready:
            return False
        if guest_in in ready:
            data = os.read(guest_in, CHUNK)
            if data:
                sent += len(data)
                if sent > limit:
                    return False
                service.sendall(data)
            else:  # the guest is done asking; its answer may still be on the way
                guest_open = False
                service.shutdown(socket.SHUT_WR)
        if service in ready:
            data = service.recv(CHUNK)
            if not data:
                return True
            received += len(data)
            if received > limit:
                return False
            _write_all(guest_out, data)


def main(argv: list[str]) -> int:
    """`relay HOST PORT`; the exit status is all it says."""
    try:
        host, port = argv[0], int(argv[1])
        with socket.create_connection((host, port), timeout=CONNECT_SECONDS) as service:
            return 0 if relay(service) else 1
    except BaseException:  # stderr is the guest's socket: say nothing there
        return 1


if __name__ == "__main__":
    # os._exit: no interpreter shutdown message can reach the guest either.
    os._exit(main(sys.argv[1:]))
