"""Plain-text STARTTLS dialogues that come before the TLS handshake."""

from __future__ import annotations

import asyncio
import ipaddress
import re

__all__ = ["StartTlsFailed", "negotiate_smtp", "negotiate_xmpp"]

# Limits on what a misbehaving server can make the checker read.
MAX_REPLY_LINES = 100
MAX_XMPP_BYTES = 65536
SHOWN_REPLY_CHARS = 120

XMPP_TLS_NAMESPACE = "urn:ietf:params:xml:ns:xmpp-tls"
_XMPP_FEATURES_END = re.compile(rb"</(?:\w+:)?features\s*>|<(?:\w+:)?features\s*/>")
_XMPP_ANSWER = re.compile(rb"<(?:\w+:)?(proceed|failure)\b[^>]*>")
_XMPP_STREAM_ERROR = re.compile(rb"<(?:\w+:)?error\b")


class StartTlsFailed(Exception):
    """The server did not agree to STARTTLS; the message names the step."""


async def negotiate_smtp(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Read the 220 greeting, send EHLO and STARTTLS, and expect 220 (RFC 3207).

    Raises ``StartTlsFailed`` when a reply is not the expected one.
    """
    code, lines = await _read_smtp_reply(reader, "greeting")
    if code != "220":
        raise StartTlsFailed(
            f"SMTP STARTTLS failed at greeting: expected 220, got {_shown(lines)}"
        )

    writer.write(f"EHLO {_ehlo_name(writer)}\r\n".encode())
    code, lines = await _read_smtp_reply(reader, "EHLO")
    if code != "250":
        raise StartTlsFailed(
            f"SMTP STARTTLS failed at EHLO: expected 250, got {_shown(lines)}"
        )
    extensions = {line[4:].strip().upper() for line in lines}
    if "STARTTLS" not in extensions:
        raise StartTlsFailed(
            "SMTP STARTTLS failed at EHLO: server does not offer STARTTLS"
        )

    writer.write(b"STARTTLS\r\n")
    code, lines = await _read_smtp_reply(reader, "STARTTLS")
    if code != "220":
        raise StartTlsFailed(
            f"SMTP STARTTLS failed at STARTTLS: expected 220, got {_shown(lines)}"
        )


async def _read_smtp_reply(
    reader: asyncio.StreamReader, step: str
) -> tuple[str, list[str]]:
    """Read one reply, joining continuation lines such as ``250-SIZE``."""
    lines: list[str] = []
    while len(lines) < MAX_REPLY_LINES:
        raw = await reader.readline()
        if not raw:
            raise StartTlsFailed(
                f"SMTP STARTTLS failed at {step}: connection closed by server"
            )
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        lines.append(line)
        if line[3:4] != "-":
            return line[:3], lines
    raise StartTlsFailed(
        f"SMTP STARTTLS failed at {step}: reply longer than {MAX_REPLY_LINES} lines"
    )


def _ehlo_name(writer: asyncio.StreamWriter) -> str:
    """Return the client's address literal (RFC 5321, section 4.1.3)."""
    local = writer.get_extra_info("sockname")
    try:
        address = ipaddress.ip_address(local[0])
    except (TypeError, ValueError, IndexError):
        return "[127.0.0.1]"
    if address.version == 6:
        return f"[IPv6:{address}]"
    return f"[{address}]"


def _shown(lines: list[str]) -> str:
    return repr(" ".join(lines)[:SHOWN_REPLY_CHARS])


async def negotiate_xmpp(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, domain: str
) -> None:
    """Open a client stream to ``domain``, request STARTTLS and expect ``<proceed/>``.

    Follows RFC 6120, section 5. Raises ``StartTlsFailed`` when the
    features lack starttls or the server answers ``<failure/>``.
    """
    writer.write(
        (
            "<?xml version='1.0'?>"
            f"<stream:stream to='{_xml_attribute(domain)}' version='1.0' "
            "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
        ).encode()
    )
    # NOTE: the stream is searched with patterns, not parsed as XML, which
    # is enough to find the features and the answer of a conforming server.
    received = await _read_xmpp_until(reader, _XMPP_FEATURES_END, "stream features")
    if XMPP_TLS_NAMESPACE.encode() not in received:
        raise StartTlsFailed(
            "XMPP STARTTLS failed at stream features: server does not offer starttls"
        )

    writer.write(f"<starttls xmlns='{XMPP_TLS_NAMESPACE}'/>".encode())
    received = await _read_xmpp_until(reader, _XMPP_ANSWER, "starttls")
    answer = _XMPP_ANSWER.search(received)
    if answer is None or answer.group(1) != b"proceed":
        raise StartTlsFailed(
            "XMPP STARTTLS failed at starttls: server answered <failure/>"
        )


async def _read_xmpp_until(
    reader: asyncio.StreamReader, pattern: re.Pattern[bytes], step: str
) -> bytes:
    received = bytearray()
    while pattern.search(received) is None:
        if _XMPP_STREAM_ERROR.search(received) and b"</stream:error>" in received:
            raise StartTlsFailed(
                f"XMPP STARTTLS failed at {step}: stream error "
                f"{_shown([received.decode('utf-8', errors='replace')])}"
            )
        if len(received) >= MAX_XMPP_BYTES:
            raise StartTlsFailed(
                f"XMPP STARTTLS failed at {step}: no answer within "
                f"{MAX_XMPP_BYTES} bytes"
            )
        chunk = await reader.read(MAX_XMPP_BYTES - len(received))
        if not chunk:
            raise StartTlsFailed(
                f"XMPP STARTTLS failed at {step}: connection closed by server"
            )
        received += chunk
    return bytes(received)


def _xml_attribute(value: str) -> str:
    return (
        value.replace("&", "&amp;")
        .replace("'", "&apos;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )
