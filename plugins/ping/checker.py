"""Check that a host replies to ICMP echo requests, and measure the round trip."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time

import pydantic

from plugins.ping.icmp import (
    IcmpNotPermitted,
    IcmpSocket,
    echo_request,
    is_reply_to,
    open_icmp_socket,
)
from statuscore.checkers import (
    CheckContext,
    Checker,
    Outcome,
    describe_connect_error,
)

logger = logging.getLogger(__name__)

MAX_COUNT = 10
# Pause after a reply before the next request, shorter than ping(8)'s
# default of 1 s so that a check of several packets stays brief.
PACKET_INTERVAL_SECONDS = 0.2
PAYLOAD_BYTES = 56
MAX_PACKET_BYTES = 2048


class PingConfig(pydantic.BaseModel):
    """Configuration of a ping check."""

    model_config = pydantic.ConfigDict(extra="forbid")

    host: str = pydantic.Field(
        min_length=1, max_length=253, description="Host name or IP address."
    )
    count: int = pydantic.Field(
        default=3,
        ge=1,
        le=MAX_COUNT,
        description="Echo requests per check; each waits timeout / count seconds.",
    )


class PingChecker(Checker):
    name = "ping"
    label = "Ping (ICMP echo)"
    Config = PingConfig

    async def run(self, config: PingConfig, context: CheckContext) -> Outcome:
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(context.timeout):
                family, address = await _resolve(loop, config.host)
        except TimeoutError:
            return Outcome("down", _elapsed_ms(started), "DNS lookup timed out")
        except OSError as error:
            return Outcome("down", _elapsed_ms(started), describe_connect_error(error))

        try:
            icmp = open_icmp_socket(family)
        except IcmpNotPermitted as error:
            logger.warning("Ping check %s cannot run: %s", context.check_id, error)
            reason = (
                f"ICMP not permitted on this host: {error}. Add the monitor's "
                "group to net.ipv4.ping_group_range, or give it CAP_NET_RAW."
            )
            return Outcome("down", None, reason)

        details: dict = {
            "address": address,
            "socket": "raw" if icmp.raw else "datagram",
        }
        try:
            sent, round_trips = await _ping(
                loop, icmp, address, config.count, context.timeout
            )
        except OSError as error:
            return Outcome(
                "down", _elapsed_ms(started), describe_connect_error(error), details
            )
        finally:
            icmp.sock.close()
        return _summarise(sent, round_trips, address, details)


async def _resolve(loop: asyncio.AbstractEventLoop, host: str) -> tuple[int, str]:
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_DGRAM)
    family, _, _, _, sockaddr = infos[0]
    return family, sockaddr[0]


async def _ping(
    loop: asyncio.AbstractEventLoop,
    icmp: IcmpSocket,
    address: str,
    count: int,
    timeout: float,
) -> tuple[int, list[float]]:
    """Send up to ``count`` echo requests, one at a time, within ``timeout``.

    Each request waits ``timeout / count`` seconds for its reply. Requests
    that would start after the timeout are not sent. Returns the number
    sent and the round trips of the replies, in milliseconds.
    """
    identifier = os.getpid() & 0xFFFF
    deadline = time.perf_counter() + timeout
    sent = 0
    round_trips = []
    for sequence in range(1, count + 1):
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            break
        payload = secrets.token_bytes(PAYLOAD_BYTES)
        packet = echo_request(icmp.family, identifier, sequence, payload)
        sent_at = time.perf_counter()
        await loop.sock_sendto(icmp.sock, packet, (address, 0))
        sent += 1

        wait = min(timeout / count, remaining)
        if not await _await_reply(loop, icmp, sequence, payload, wait):
            continue
        round_trips.append((time.perf_counter() - sent_at) * 1000)
        pause = min(PACKET_INTERVAL_SECONDS, deadline - time.perf_counter())
        if sequence < count and pause > 0:
            await asyncio.sleep(pause)
    return sent, round_trips


async def _await_reply(
    loop: asyncio.AbstractEventLoop,
    icmp: IcmpSocket,
    sequence: int,
    payload: bytes,
    wait: float,
) -> bool:
    try:
        async with asyncio.timeout(wait):
            while True:
                packet, _ = await loop.sock_recvfrom(icmp.sock, MAX_PACKET_BYTES)
                if is_reply_to(packet, icmp, sequence, payload):
                    return True
    except TimeoutError:
        return False


def _summarise(
    sent: int, round_trips: list[float], address: str, details: dict
) -> Outcome:
    received = len(round_trips)
    loss = round(100 * (sent - received) / sent) if sent else 100
    details.update(sent=sent, received=received, loss_percent=loss)
    if not round_trips:
        reason = f"no echo reply from {address} ({sent} sent)"
        return Outcome("down", None, reason, details)

    average = round(sum(round_trips) / received, 2)
    details.update(
        rtt_min_ms=round(min(round_trips), 2),
        rtt_avg_ms=average,
        rtt_max_ms=round(max(round_trips), 2),
    )
    if received < sent:
        reason = f"{loss}% packet loss ({received} of {sent} replies)"
        return Outcome("degraded", average, reason, details)
    return Outcome("up", average, "", details)


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
