"""Check that a TCP port accepts connections, and close them politely."""

from __future__ import annotations

import asyncio
import time

import pydantic

from statuscore.checkers import CheckContext, Checker, Outcome

# Time allowed for the peer to finish after our FIN; short, because a
# service that keeps talking is still up.
DRAIN_SECONDS = 0.5
DRAIN_CHUNK = 4096


class TcpConfig(pydantic.BaseModel):
    """Configuration of a TCP port check."""

    model_config = pydantic.ConfigDict(extra="forbid")

    host: str = pydantic.Field(min_length=1, max_length=253)
    port: int = pydantic.Field(ge=1, le=65535)


async def close_gracefully(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Send FIN and read to EOF before closing.

    On Linux, closing a socket with unread bytes in its receive buffer
    sends RST; services that greet at once (MySQL, SMTP) count such aborted
    connections against the client and may block it.
    """
    try:
        if writer.can_write_eof():
            writer.write_eof()
        async with asyncio.timeout(DRAIN_SECONDS):
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
            reader, writer = await asyncio.open_connection(config.host, config.port)
        except ConnectionRefusedError:
            return Outcome("down", _elapsed_ms(started), "connection refused")
        except OSError as error:
            return Outcome(
                "down", _elapsed_ms(started), f"connect failed: {error.strerror or error}"
            )

        elapsed = _elapsed_ms(started)
        peer = writer.get_extra_info("peername")
        await close_gracefully(reader, writer)
        return Outcome("up", elapsed, "", {"peer": list(peer) if peer else None})


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
