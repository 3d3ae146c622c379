"""The TCP checker against real servers on 127.0.0.1, through the runner."""

from __future__ import annotations

import asyncio
import socket
import time

import httpx
import pytest

from statuscore.checkers import Outcome
from statuscore.exceptions import ValidationFailed
from statuscore.monitor.runner import run_checker
from statuscore.services.checks import validate_check_config
from tests.plugins.servers import (
    HOST,
    GreetingServer,
    closed_port,
    dropping_server,
    dual_stack,
    silent_server,
)

# A MySQL-sized greeting: 78 bytes sent on accept.
GREETING = b"J\x00\x00\x00\n8.0.36\x00".ljust(78, b"x")
# Scheduling on a loaded machine, beyond the timeout.
SLACK_SECONDS = 0.5


def run_tcp(config: dict, timeout: float = 2.0) -> Outcome:
    async def run() -> Outcome:
        async with httpx.AsyncClient() as client:
            return await run_checker(1, "tcp", config, timeout, client)

    return asyncio.run(run())


def run_many_tcp(config: dict, count: int, timeout: float = 2.0) -> list[Outcome]:
    """Run ``count`` checks, ten at a time, as a busy monitor would."""

    async def run() -> list[Outcome]:
        limit = asyncio.Semaphore(10)

        async def one(client: httpx.AsyncClient) -> Outcome:
            async with limit:
                return await run_checker(1, "tcp", config, timeout, client)

        async with httpx.AsyncClient() as client:
            return await asyncio.gather(*(one(client) for _ in range(count)))

    return asyncio.run(run())


def test_listening_port_is_up():
    with GreetingServer(GREETING) as server:
        outcome = run_tcp({"host": HOST, "port": server.port})

    assert outcome.status == "up"
    assert outcome.response_time_ms is not None
    assert outcome.details["peer"] == [HOST, server.port]


def test_closed_port_refused():
    with closed_port() as port:
        outcome = run_tcp({"host": HOST, "port": port})

    assert outcome.status == "down"
    assert outcome.reason == "connection refused"


def test_dropped_connect_times_out():
    with dropping_server() as port:
        started = time.perf_counter()
        outcome = run_tcp({"host": HOST, "port": port}, timeout=1.0)
        duration = time.perf_counter() - started

    assert outcome.status == "down"
    assert outcome.reason == "connect timeout"
    assert duration < 1.0 + SLACK_SECONDS


@pytest.mark.parametrize("expect_banner", [None, "8.0.36"])
def test_checks_close_with_fin(expect_banner):
    config = {"host": HOST, "port": 0, "expect_banner": expect_banner}

    with GreetingServer(GREETING) as server:
        config["port"] = server.port
        outcomes = run_many_tcp(config, 50)
        closes = server.wait_for_closes(50)

    assert [outcome.status for outcome in outcomes] == ["up"] * 50
    assert len(closes) == 50
    assert closes.count("FIN") == 50
    assert closes.count("RST") == 0


def test_server_detects_rst():
    """The server distinguishes an abortive close from a clean one.

    Closing with the greeting unread makes Linux send RST, which is what
    the checker must avoid.
    """
    with GreetingServer(GREETING) as server:
        client = socket.create_connection((HOST, server.port))
        time.sleep(0.1)  # Let the greeting arrive in the receive buffer.
        client.close()
        closes = server.wait_for_closes(1)

    assert closes == ["RST"]


def test_banner_matches():
    with GreetingServer(GREETING) as server:
        outcome = run_tcp({"host": HOST, "port": server.port, "expect_banner": "8.0"})

    assert outcome.status == "up"
    assert outcome.details["banner"].startswith("J")


def test_banner_mismatch_is_down():
    with GreetingServer(b"SSH-2.0-OpenSSH_9.6\r\n") as server:
        outcome = run_tcp({"host": HOST, "port": server.port, "expect_banner": "220 "})

    assert outcome.status == "down"
    assert outcome.reason.startswith("unexpected banner: expected '220 '")
    assert outcome.details["banner"] == "SSH-2.0-OpenSSH_9.6\r\n"


def test_missing_banner_is_down():
    with silent_server() as port:
        started = time.perf_counter()
        outcome = run_tcp({"host": HOST, "port": port, "expect_banner": "SSH-"}, 1.0)
        duration = time.perf_counter() - started

    assert outcome.status == "down"
    assert outcome.reason == "no banner within 1 s"
    assert duration < 1.0 + SLACK_SECONDS


@pytest.mark.parametrize(
    ("config", "fields"),
    [
        ({}, ["config.host", "config.port"]),
        ({"host": "", "port": 80}, ["config.host"]),
        ({"host": HOST, "port": 0}, ["config.port"]),
        ({"host": HOST, "port": 65536}, ["config.port"]),
        ({"host": HOST, "port": 80, "expect_banner": ""}, ["config.expect_banner"]),
        ({"host": HOST, "port": 80, "timeout": 3}, ["config.timeout"]),
    ],
)
def test_invalid_config_names_fields(config, fields):
    with pytest.raises(ValidationFailed) as caught:
        validate_check_config("tcp", config)

    assert sorted(caught.value.errors) == fields


def test_private_target_rejected_when_off(settings):
    settings.STATUSCORE_ALLOW_PRIVATE_TARGETS = False

    with GreetingServer(GREETING) as server:
        outcome = run_tcp({"host": HOST, "port": server.port})
        closes = server.wait_for_closes(1, timeout=0.3)

    assert outcome.status == "down"
    assert outcome.reason == (
        "target rejected: 127.0.0.1 is a loopback address "
        "and STATUSCORE_ALLOW_PRIVATE_TARGETS is off"
    )
    assert closes == []


def test_override_name_connects(settings):
    settings.STATUSCORE_HOST_OVERRIDES = {"db.test": [HOST]}

    with GreetingServer(GREETING) as server:
        outcome = run_tcp({"host": "db.test", "port": server.port})

    assert outcome.status == "up"
    assert outcome.details["peer"] == [HOST, server.port]


def test_all_addresses_failed_listed(settings):
    settings.STATUSCORE_HOST_OVERRIDES = {"dead.test": ["::1", HOST]}

    with dual_stack(ipv4="refuse", ipv6="refuse") as port:
        outcome = run_tcp({"host": "dead.test", "port": port})

    assert outcome.status == "down"
    assert outcome.reason == (
        f"all 2 addresses failed: [::1]:{port} connection refused; "
        f"{HOST}:{port} connection refused"
    )
