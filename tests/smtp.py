"""A real SMTP server on 127.0.0.1 that keeps what it receives.

:class:`SmtpSink` runs aiosmtpd in a thread. Each accepted message is kept
as a :class:`Received` with its envelope and the parsed message, so tests
read headers and MIME parts as a mail reader would. Recipients listed in
``refuse`` get a 550 reply to RCPT TO, as a server does for an unknown
mailbox. The ``smtp_sink`` fixture in ``tests/conftest.py`` starts one and
points Django's EMAIL_* settings at it.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller

__all__ = ["Received", "SmtpSink", "free_port"]

HOST = "127.0.0.1"


@dataclass
class Received:
    """One message accepted by the sink."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    peer: tuple = ()
    """The client's (host, port): messages sent over one connection share it."""

    def part(self, content_type: str) -> str:
        """Return the decoded body part of ``content_type`` ("text/plain"),
        with SMTP's CRLF line ends turned back into LF."""
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.is_multipart():
                return part.get_content().replace("\r\n", "\n")
        raise LookupError(f"The message has no {content_type} part.")


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.lower() in self.sink.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        with self.sink.lock:
            self.sink.received.append(
                Received(
                    envelope.mail_from, list(envelope.rcpt_tos), message, session.peer
                )
            )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class SmtpSink:
    """An SMTP server on 127.0.0.1; use as a context manager."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse: set[str] = set()
        self.lock = threading.Lock()
        self.host = HOST
        self.port = free_port()
        self._controller = Controller(_Handler(self), hostname=HOST, port=self.port)

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._controller.stop()

    def messages_to(self, address: str) -> list[Received]:
        """Return the messages whose envelope includes ``address``."""
        with self.lock:
            return [
                r
                for r in self.received
                if address.lower() in map(str.lower, r.rcpt_tos)
            ]
