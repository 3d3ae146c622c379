"""TLS servers on 127.0.0.1 that may run SMTP or XMPP STARTTLS first.

Each server records how every client ended the TLS session: "close_notify"
for a proper TLS close followed by FIN, "EOF" for FIN without close_notify,
"RST" for a reset, and "handshake failed" for a rejected certificate.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable

from tests.plugins.servers import ThreadedListener

# A dialogue reads and writes plain text on the accepted socket and
# returns whether to go on with the TLS handshake.
Dialogue = Callable[[socket.socket], bool]


def no_dialogue(connection: socket.socket) -> bool:
    return True


def _read_line(connection: socket.socket) -> bytes:
    line = bytearray()
    while not line.endswith(b"\n"):
        byte = connection.recv(1)
        if not byte:
            break
        line += byte
    return bytes(line)


def smtp_dialogue(starttls_reply: bytes = b"220 2.0.0 Ready to start TLS\r\n"):
    """Return an SMTP dialogue that offers STARTTLS and sends ``starttls_reply``."""

    def dialogue(connection: socket.socket) -> bool:
        connection.sendall(b"220 mail.test ESMTP\r\n")
        if not _read_line(connection).startswith(b"EHLO "):
            return False
        connection.sendall(b"250-mail.test\r\n250-SIZE 1000000\r\n250 STARTTLS\r\n")
        if _read_line(connection) != b"STARTTLS\r\n":
            return False
        connection.sendall(starttls_reply)
        return starttls_reply.startswith(b"220")

    return dialogue


PROCEED = b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"


def xmpp_dialogue(answer: bytes = PROCEED):
    """Return an XMPP dialogue that offers starttls and sends ``answer`` to it."""

    def dialogue(connection: socket.socket) -> bool:
        header = connection.recv(4096)
        if b"<stream:stream" not in header:
            return False
        connection.sendall(
            b"<?xml version='1.0'?><stream:stream from='chat.test' id='1' "
            b"version='1.0' xmlns='jabber:client' "
            b"xmlns:stream='http://etherx.jabber.org/streams'>"
            b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
            b"<required/></starttls></stream:features>"
        )
        if b"<starttls" not in connection.recv(4096):
            return False
        connection.sendall(answer)
        return b"<proceed" in answer

    return dialogue


class StartTlsServer(ThreadedListener):
    """Serve ``dialogue`` and then TLS with ``context`` on 127.0.0.1."""

    def __init__(
        self, context: ssl.SSLContext, dialogue: Dialogue = no_dialogue
    ) -> None:
        self.context = context
        self.dialogue = dialogue
        self.closes: list[str] = []
        self._closed = threading.Condition()
        super().__init__()

    def _serve(self, connection: socket.socket) -> None:
        connection.settimeout(5)
        kind = "dialogue ended"
        try:
            if self.dialogue(connection):
                kind = self._serve_tls(connection)
            else:
                while connection.recv(4096):
                    pass
        except ConnectionResetError:
            kind = "RST"
        except OSError:
            pass
        finally:
            connection.close()
        with self._closed:
            self.closes.append(kind)
            self._closed.notify_all()

    def _serve_tls(self, connection: socket.socket) -> str:
        try:
            tls = self.context.wrap_socket(
                connection, server_side=True, suppress_ragged_eofs=False
            )
        except ssl.SSLError:
            return "handshake failed"
        try:
            while tls.recv(1024):
                pass
        except ssl.SSLEOFError:
            return "EOF"
        except ConnectionResetError:
            return "RST"
        # recv() returned b"", so the client sent close_notify: answer it.
        try:
            tls.unwrap()
        except (OSError, ssl.SSLError):
            pass
        return "close_notify"

    def wait_for_closes(self, count: int, timeout: float = 5.0) -> list[str]:
        """Wait until ``count`` connections have ended and return their kinds."""
        with self._closed:
            self._closed.wait_for(lambda: len(self.closes) >= count, timeout=timeout)
            return list(self.closes)
