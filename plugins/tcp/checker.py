"""Check that a TCP port accepts connections, and close them politely."""

from __future__ import annotations

import asyncio
import logging
import socket
import time

import pydantic

from statuscore.checkers import (
    CheckContext,
    Checker,
    Outcome,
    describe_connect_error,
)
from statuscore.connect import ConnectFailed, connect_first
from statuscore.netsafety import IpFamily, resolve_target

logger = logging.getLogger(__name__)

Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]

# Time allowed for the peer to finish after our FIN; short, because a
# service that keeps talking is still up.
DRAIN_SECONDS = 0.5
DRAIN_CHUNK = 4096
# Bytes read while looking for an expected banner, and kept in details.
MAX_BANNER_BYTES = 4096
SHOWN_BANNER_CHARS = 200


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

        async def attempt(address: str) -> Streams:
            async with asyncio.timeout(context.timeout):
                return await asyncio.open_connection(address, config.port)

        try:
            # Resolved once through the network policy; only the addresses
            # it allowed are connected to.
            addresses = await resolve_target(config.host, config.port, config.ip_family)
            (reader, writer), _ = await connect_first(
                addresses, config.port, attempt, _discard
            )
        except (ConnectFailed, socket.gaierror) as error:
            reason = describe_connect_error(error)
            logger.debug("TCP check %s failed: %s", context.check_id, reason)
            return Outcome("down", _elapsed_ms(started), reason)

        elapsed = _elapsed_ms(started)
        peer = writer.get_extra_info("peername")
        details: dict = {"peer": list(peer[:2]) if peer else None}
        outcome = Outcome("up", elapsed, "", details)
        try:
            if config.expect_banner is not None:
                outcome = await self._check_banner(
                    reader, config.expect_banner, context.timeout, started, details
                )
        finally:
            await close_gracefully(reader, writer, _drain_seconds(context, started))
        return outcome

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


async def _discard(streams: Streams) -> None:
    await close_gracefully(*streams, drain_seconds=0.05)


def _drain_seconds(context: CheckContext, started: float) -> float:
    """Keep the polite close within the check's timeout where possible."""
    remaining = context.timeout - (time.perf_counter() - started)
    return max(0.05, min(DRAIN_SECONDS, remaining))


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
