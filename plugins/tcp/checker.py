"""Check that a TCP port accepts connections, and close them politely.

With ``tls`` set, the checker also completes a TLS handshake, directly or
after an SMTP or XMPP STARTTLS dialogue, and judges the certificate in
the same words as the TLS checker.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import time
from datetime import UTC, datetime
from typing import Literal

import pydantic

from statuscore.certificates import (
    CaPemText,
    describe_verify_error,
    expiry_reason,
    inspecting_context,
    peer_chain,
    read_certificate,
)
from statuscore.checkers import (
    CheckContext,
    Checker,
    Outcome,
    describe_connect_error,
)
from statuscore.connect import ConnectFailed, connect_first
from statuscore.netsafety import IpFamily, resolve_target

from plugins.tcp.starttls import StartTlsFailed, negotiate_smtp, negotiate_xmpp

logger = logging.getLogger(__name__)

Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]

# Time allowed for the peer to finish after our FIN; short, because a
# service that keeps talking is still up.
DRAIN_SECONDS = 0.5
DRAIN_CHUNK = 4096
# Bytes read while looking for an expected banner, and kept in details.
MAX_BANNER_BYTES = 4096
SHOWN_BANNER_CHARS = 200

TlsMode = Literal["none", "direct", "starttls-smtp", "starttls-xmpp"]


class TcpConfig(pydantic.BaseModel):
    """Configuration of a TCP port check."""

    model_config = pydantic.ConfigDict(extra="forbid")

    host: str = pydantic.Field(min_length=1, max_length=253)
    port: int = pydantic.Field(ge=1, le=65535)
    expect_banner: str | None = pydantic.Field(
        default=None,
        min_length=1,
        max_length=200,
        description=(
            "Text the service must send first, such as 'SSH-'. "
            "Leave empty to check only that the port accepts connections."
        ),
    )
    ip_family: IpFamily = pydantic.Field(
        default="auto",
        description=(
            "Address family to connect with: 'auto' tries IPv6 and IPv4 with "
            "Happy Eyeballs, 'ipv4' and 'ipv6' use one family only."
        ),
    )
    tls: TlsMode = pydantic.Field(
        default="none",
        description=(
            "'direct' makes a TLS handshake right after connecting; "
            "'starttls-smtp' and 'starttls-xmpp' first ask for TLS with "
            "the protocol's STARTTLS command."
        ),
    )
    server_name: str | None = pydantic.Field(
        default=None,
        min_length=1,
        max_length=253,
        description=(
            "Name sent in SNI and verified against the certificate. "
            "Defaults to the host."
        ),
    )
    verify_tls: bool = pydantic.Field(
        default=True,
        description=(
            "Verify the certificate's trust and hostname. When off, the "
            "status follows the connection and an expired certificate is "
            "only recorded as a warning in the details."
        ),
    )
    trusted_ca_pem: CaPemText | None = pydantic.Field(
        default=None,
        max_length=100_000,
        description="PEM certificates of private CAs to trust, besides the system's.",
    )

    @pydantic.model_validator(mode="after")
    def _check_banner_mode(self) -> TcpConfig:
        if self.expect_banner is not None and self.tls.startswith("starttls"):
            raise ValueError(
                "expect_banner cannot be used with STARTTLS, because the "
                "STARTTLS dialogue reads the greeting; use tls 'none' or 'direct'."
            )
        return self

    @property
    def expected_name(self) -> str:
        return self.server_name or self.host


async def close_gracefully(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    drain_seconds: float = DRAIN_SECONDS,
) -> None:
    """Send FIN and read to EOF, for at most ``drain_seconds``, before closing.

    On Linux, closing a socket with unread bytes in its receive buffer
    sends RST; services that greet at once (MySQL, SMTP) count such aborted
    connections against the client and may block it.
    """
    try:
        if writer.can_write_eof():
            writer.write_eof()
        async with asyncio.timeout(drain_seconds):
            while await reader.read(DRAIN_CHUNK):
                pass
    except (TimeoutError, ConnectionError, OSError):
        pass
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except (ConnectionError, OSError):
            pass


class TcpChecker(Checker):
    name = "tcp"
    label = "TCP port"
    Config = TcpConfig

    async def run(self, config: TcpConfig, context: CheckContext) -> Outcome:
        started = time.perf_counter()
        try:
            reader, writer = await _connect(config, context)
        except (ConnectFailed, socket.gaierror) as error:
            reason = describe_connect_error(error)
            logger.debug("TCP check %s failed: %s", context.check_id, reason)
            return Outcome("down", _elapsed_ms(started), reason)

        elapsed = _elapsed_ms(started)
        peer = writer.get_extra_info("peername")
        details: dict = {"peer": list(peer[:2]) if peer else None}
        if config.tls != "none":
            return await self._run_tls(
                config, context, reader, writer, details, started
            )

        outcome = Outcome("up", elapsed, "", details)
        try:
            if config.expect_banner is not None:
                outcome = await self._check_banner(
                    reader, config.expect_banner, context.timeout, started, details
                )
        finally:
            await close_gracefully(reader, writer, _drain_seconds(context, started))
        return outcome

    async def _run_tls(
        self,
        config: TcpConfig,
        context: CheckContext,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        details: dict,
        started: float,
    ) -> Outcome:
        """Handshake with verification, and again without it on failure.

        Python's ``ssl`` raises during a failed verification before the
        certificate can be read, so a second connection, with a handshake
        that accepts any certificate, reads the dates of an expired or
        untrusted certificate.
        """
        details["tls"] = config.tls
        details["server_name"] = config.expected_name
        verifying = _verifying_context(config) if config.verify_tls else None
        try:
            raw_transport = await _start_tls(
                config, context, reader, writer, verifying, started
            )
        except ssl.SSLCertVerificationError as error:
            logger.debug(
                "TCP check %s: verification failed: %s",
                context.check_id,
                error.verify_message,
            )
            # asyncio has already closed the connection of a failed handshake.
            chain = await self._read_unverified_chain(config, context, started)
            return _judge_tls(config, chain, error, None, details, _elapsed_ms(started))
        except _TlsFailed as error:
            if not error.in_handshake:
                await close_gracefully(
                    reader, writer, _drain_seconds(context, started)
                )
            return Outcome("down", _elapsed_ms(started), str(error), details)

        elapsed = _elapsed_ms(started)
        chain = peer_chain(
            writer.get_extra_info("ssl_object"), verified=verifying is not None
        )
        outcome = Outcome("up", elapsed, "", details)
        try:
            if config.expect_banner is not None:
                outcome = await self._check_banner(
                    reader, config.expect_banner, context.timeout, started, details
                )
        finally:
            await close_tls(writer, raw_transport, _drain_seconds(context, started))
        elapsed = outcome.response_time_ms
        return _judge_tls(config, chain, None, outcome, details, elapsed)

    async def _read_unverified_chain(
        self, config: TcpConfig, context: CheckContext, started: float
    ) -> list[bytes]:
        """Connect again and return the chain the server sends, or [] on failure."""
        try:
            reader, writer = await _connect(config, context)
        except (ConnectFailed, socket.gaierror) as error:
            logger.debug(
                "TCP check %s: second connect failed: %s", context.check_id, error
            )
            return []
        try:
            raw_transport = await _start_tls(
                config, context, reader, writer, None, started
            )
        except _TlsFailed as error:
            # The first handshake got further, so its verification error
            # alone gives the reason.
            logger.debug(
                "TCP check %s: unverified handshake failed: %s",
                context.check_id,
                error,
            )
            if not error.in_handshake:
                await close_gracefully(reader, writer, 0.05)
            return []
        chain = peer_chain(writer.get_extra_info("ssl_object"), verified=False)
        await close_tls(writer, raw_transport, _drain_seconds(context, started))
        return chain

    async def _check_banner(
        self,
        reader: asyncio.StreamReader,
        expected: str,
        timeout: float,
        started: float,
        details: dict,
    ) -> Outcome:
        expected_bytes = expected.encode()
        received = bytearray()
        try:
            async with asyncio.timeout(timeout - (time.perf_counter() - started)):
                while (
                    expected_bytes not in received and len(received) < MAX_BANNER_BYTES
                ):
                    chunk = await reader.read(MAX_BANNER_BYTES - len(received))
                    if not chunk:
                        break
                    received += chunk
        except TimeoutError:
            pass
        except (ConnectionError, OSError) as error:
            return Outcome("down", _elapsed_ms(started), describe_connect_error(error))

        elapsed = _elapsed_ms(started)
        banner = received.decode("utf-8", errors="replace")[:SHOWN_BANNER_CHARS]
        details["banner"] = banner
        if expected_bytes in received:
            return Outcome("up", elapsed, "", details)
        if not received:
            return Outcome("down", elapsed, f"no banner within {timeout:g} s", details)
        return Outcome(
            "down",
            elapsed,
            f"unexpected banner: expected {expected!r}, got {banner!r}",
            details,
        )


class _TlsFailed(Exception):
    """The STARTTLS dialogue or the handshake failed; the message is the reason.

    ``in_handshake`` is true once ``start_tls`` was called, because asyncio
    then closes the connection itself and the stream can no longer be read.
    """

    def __init__(self, reason: str, in_handshake: bool) -> None:
        super().__init__(reason)
        self.in_handshake = in_handshake


async def _connect(config: TcpConfig, context: CheckContext) -> Streams:
    async def attempt(address: str) -> Streams:
        async with asyncio.timeout(context.timeout):
            return await asyncio.open_connection(address, config.port)

    # Resolved once through the network policy; only the addresses it
    # allowed are connected to.
    addresses = await resolve_target(config.host, config.port, config.ip_family)
    streams, _ = await connect_first(addresses, config.port, attempt, _discard)
    return streams


async def _start_tls(
    config: TcpConfig,
    context: CheckContext,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    verifying: ssl.SSLContext | None,
    started: float,
) -> asyncio.Transport:
    """Run the STARTTLS dialogue, if any, and the handshake on ``writer``.

    Returns the plain TCP transport under the TLS layer, for the close.
    Raises ``ssl.SSLCertVerificationError`` when ``verifying`` rejects the
    certificate, and ``_TlsFailed`` for every other failure.
    """
    raw_transport = writer.transport
    remaining = max(0.05, context.timeout - (time.perf_counter() - started))
    step = "TLS handshake"
    in_handshake = False
    try:
        async with asyncio.timeout(remaining):
            if config.tls == "starttls-smtp":
                step = "SMTP STARTTLS"
                await negotiate_smtp(reader, writer)
            elif config.tls == "starttls-xmpp":
                step = "XMPP STARTTLS"
                await negotiate_xmpp(reader, writer, config.expected_name)
            # NOTE: bytes the server sends before our ClientHello stay in
            # the StreamReader, out of the handshake's reach, so such a
            # server ends in a handshake timeout.
            step = "TLS handshake"
            in_handshake = True
            await writer.start_tls(
                verifying or inspecting_context(),
                server_hostname=config.expected_name,
            )
    except TimeoutError:
        reason = f"{step} timed out after {context.timeout:g} s"
        raise _TlsFailed(reason, in_handshake) from None
    except StartTlsFailed as error:
        raise _TlsFailed(str(error), in_handshake=False) from None
    except ssl.SSLCertVerificationError:
        raise
    except ssl.SSLError as error:
        reason = f"TLS handshake failed: {error.reason or error}"
        raise _TlsFailed(reason, in_handshake=True) from None
    except (ConnectionError, OSError) as error:
        reason = f"{step} failed: {describe_connect_error(error)}"
        raise _TlsFailed(reason, in_handshake) from None
    return raw_transport


async def close_tls(
    writer: asyncio.StreamWriter,
    raw_transport: asyncio.Transport,
    drain_seconds: float = DRAIN_SECONDS,
) -> None:
    """Send TLS close_notify and wait, for at most ``drain_seconds``, for the close.

    Closing the TLS stream sends close_notify and, once the peer answers
    with its own, closes the TCP connection with FIN. A peer that does
    not answer in time gets FIN on the TCP connection, without waiting.
    """
    writer.close()
    try:
        async with asyncio.timeout(drain_seconds):
            await writer.wait_closed()
    except (TimeoutError, ConnectionError, OSError, ssl.SSLError):
        if not raw_transport.is_closing() and raw_transport.can_write_eof():
            raw_transport.write_eof()
        raw_transport.close()


def _verifying_context(config: TcpConfig) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if config.trusted_ca_pem:
        context.load_verify_locations(cadata=config.trusted_ca_pem)
    return context


def _judge_tls(
    config: TcpConfig,
    chain: list[bytes],
    verify_error: ssl.SSLCertVerificationError | None,
    connection: Outcome | None,
    details: dict,
    elapsed: float | None,
) -> Outcome:
    """Combine the certificate and the connection's outcome into one outcome.

    A failed verification is DOWN. With verification off, the status is
    the connection's, and an expired certificate only adds a warning.
    """
    now = datetime.now(UTC)
    details["verified"] = config.verify_tls and verify_error is None
    if verify_error is not None:
        details["verify_error"] = verify_error.verify_message
    try:
        certificates = [read_certificate(der) for der in chain]
    except ValueError as error:
        certificates = []
        details["parse_error"] = str(error)

    leaf = certificates[0] if certificates else None
    if leaf is not None:
        details.update(leaf.as_details(now))
        details["names"] = list(leaf.names)
    expired = expiry_reason(certificates, now) if certificates else ""

    if verify_error is not None:
        reason = expired or describe_verify_error(
            verify_error, config.expected_name, leaf
        )
        return Outcome("down", elapsed, reason, details)
    assert connection is not None
    if expired:
        # Reachable only with verification off, which OpenSSL would
        # otherwise have rejected.
        details["warnings"] = [f"{expired} (verification off)"]
    return Outcome(connection.status, elapsed, connection.reason, details)


async def _discard(streams: Streams) -> None:
    await close_gracefully(*streams, drain_seconds=0.05)


def _drain_seconds(context: CheckContext, started: float) -> float:
    """Keep the polite close within the check's timeout where possible."""
    remaining = context.timeout - (time.perf_counter() - started)
    return max(0.05, min(DRAIN_SECONDS, remaining))


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
