"""An SMTP server on 127.0.0.1 that counts messages, run as a child process.

Prints its port on the first line of stdout; when stdin closes it prints
the number of messages accepted and exits.
"""

from __future__ import annotations

import socket
import sys
import threading

from aiosmtpd.controller import Controller


class CountingHandler:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.count += 1
        return "250 OK"


def main() -> None:
    handler = CountingHandler()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    print(port, flush=True)
    sys.stdin.read()
    controller.stop()
    print(handler.count, flush=True)


if __name__ == "__main__":
    main()
