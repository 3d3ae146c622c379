"""The ping checker against the loopback addresses 127.0.0.1 and ::1."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from plugins.ping import icmp
from statuscore.checkers import Outcome
from statuscore.exceptions import ValidationFailed
from statuscore.monitor.runner import run_checker
from statuscore.services.checks import validate_check_config


def run_ping(config: dict, timeout: float = 3.0) -> Outcome:
    async def run() -> Outcome:
        async with httpx.AsyncClient() as client:
            return await run_checker(1, "ping", config, timeout, client)

    return asyncio.run(run())


def require_icmp(family: int) -> None:
    """Skip the test, showing why, when this host forbids ICMP sockets."""
    try:
        opened = icmp.open_icmp_socket(family)
    except icmp.IcmpNotPermitted as error:
        pytest.skip(f"ICMP not permitted on this host: {error}")
    opened.sock.close()


@pytest.mark.parametrize(
    ("address", "family"),
    [("127.0.0.1", socket.AF_INET), ("::1", socket.AF_INET6)],
)
def test_loopback_answers_ping(address, family):
    require_icmp(family)

    outcome = run_ping({"host": address, "count": 3})

    assert outcome.status == "up", outcome.reason
    assert outcome.details["address"] == address
    assert outcome.details["sent"] == 3
    assert outcome.details["received"] == 3
    assert outcome.details["loss_percent"] == 0
    assert outcome.response_time_ms is not None
    assert outcome.details["rtt_min_ms"] <= outcome.details["rtt_max_ms"]


def test_concurrent_pings_keep_replies_apart():
    require_icmp(socket.AF_INET)

    config = {"host": "127.0.0.1", "count": 2}

    async def run() -> list[Outcome]:
        async with httpx.AsyncClient() as client:
            return await asyncio.gather(
                *(run_checker(1, "ping", config, 3.0, client) for _ in range(5))
            )

    outcomes = asyncio.run(run())

    assert [outcome.details["received"] for outcome in outcomes] == [2] * 5


def test_forbidden_icmp_names_the_cause(monkeypatch):
    def refuse(family: int, kind: int, protocol: int) -> socket.socket:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(icmp, "_new_socket", refuse)

    outcome = run_ping({"host": "127.0.0.1"})

    assert outcome.status == "down"
    assert outcome.reason.startswith(
        "ICMP not permitted on this host: datagram socket: Operation not "
        "permitted; raw socket: Operation not permitted."
    )


def test_reply_with_other_payload_ignored():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    opened = icmp.IcmpSocket(sock, socket.AF_INET, raw=False)
    try:
        payload = b"token-of-this-request"
        request = icmp.echo_request(socket.AF_INET, 7, 1, payload)
        reply = bytes([0]) + request[1:]
        other = icmp.echo_request(socket.AF_INET, 7, 1, b"token-of-another-one!")
        other_reply = bytes([0]) + other[1:]

        assert icmp.is_reply_to(reply, opened, 1, payload)
        assert not icmp.is_reply_to(reply, opened, 2, payload)
        assert not icmp.is_reply_to(other_reply, opened, 1, payload)
        assert not icmp.is_reply_to(request, opened, 1, payload)
    finally:
        sock.close()


def test_checksum_of_known_header():
    # An echo request with identifier 1, sequence 1 and no payload.
    header = bytes.fromhex("0800000000010001")

    assert icmp.checksum(header) == 0xF7FD


def test_config_rejects_too_many_packets():
    with pytest.raises(ValidationFailed) as raised:
        validate_check_config("ping", {"host": "127.0.0.1", "count": 11})

    assert "config.count" in raised.value.errors
