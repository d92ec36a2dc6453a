"""One guest connection to the metadata service: stdin/stdout <-> 127.0.0.1:PORT.

qemu's user-mode network runs this for every TCP connection the guest opens to the
metadata address (`guestfwd=tcp:169.254.169.254:80-cmd:...`), with the connection as stdin
and stdout. A chardev guestfwd would serve one connection only; cloud-init's crawlers make
many. Standard library only: it runs under the interpreter that runs the tests.
"""

from __future__ import annotations

import os
import socket
import sys
import threading


def write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]


def copy_to_server(server: socket.socket) -> None:
    while data := os.read(0, 65536):
        server.sendall(data)
    server.shutdown(socket.SHUT_WR)


def main() -> None:
    server = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    threading.Thread(target=copy_to_server, args=(server,), daemon=True).start()
    while data := server.recv(65536):
        write_all(1, data)
    server.close()


if __name__ == "__main__":
    main()
