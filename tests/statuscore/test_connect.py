"""Happy Eyeballs ordering and error collection, with attempts that sleep."""

from __future__ import annotations

import asyncio
import errno
import time

import pytest

from statuscore.checkers import describe_connect_error
from statuscore.connect import ConnectFailed, connect_first


def attempts(behaviour: dict[str, tuple[float, BaseException | None]]):
    """Build an attempt that waits, then fails or returns the address."""
    started: list[str] = []
    discarded: list[str] = []

    async def attempt(address: str) -> str:
        started.append(address)
        delay, error = behaviour[address]
        await asyncio.sleep(delay)
        if error is not None:
            raise error
        return address

    async def discard(result: str) -> None:
        discarded.append(result)

    return attempt, discard, started, discarded


def test_slow_first_address_loses():
    attempt, discard, started, _ = attempts(
        {"::1": (5.0, None), "127.0.0.1": (0.0, None)}
    )

    began = time.perf_counter()
    result = asyncio.run(
        connect_first(["::1", "127.0.0.1"], 80, attempt, discard, delay=0.05)
    )
    duration = time.perf_counter() - began

    assert result == ("127.0.0.1", "127.0.0.1")
    assert started == ["::1", "127.0.0.1"]
    assert duration < 1.0


def test_failure_starts_next_at_once():
    refused = ConnectionRefusedError(errno.ECONNREFUSED, "refused")
    attempt, discard, _, _ = attempts(
        {"::1": (0.0, refused), "127.0.0.1": (0.0, None)}
    )

    began = time.perf_counter()
    result = asyncio.run(
        connect_first(["::1", "127.0.0.1"], 80, attempt, discard, delay=5.0)
    )
    duration = time.perf_counter() - began

    assert result == ("127.0.0.1", "127.0.0.1")
    assert duration < 1.0


def test_first_success_skips_rest():
    attempt, discard, started, _ = attempts(
        {"::1": (0.0, None), "127.0.0.1": (0.0, None)}
    )

    asyncio.run(connect_first(["::1", "127.0.0.1"], 80, attempt, discard))

    assert started == ["::1"]


def test_late_success_discarded():
    attempt, discard, _, discarded = attempts(
        {"::1": (0.1, None), "127.0.0.1": (0.1, None)}
    )

    asyncio.run(connect_first(["::1", "127.0.0.1"], 80, attempt, discard, delay=0))

    assert len(discarded) == 1


def test_all_failed_lists_each_address():
    attempt, discard, _, _ = attempts(
        {
            "::1": (0.0, TimeoutError()),
            "127.0.0.1": (0.0, ConnectionRefusedError(errno.ECONNREFUSED, "")),
        }
    )

    with pytest.raises(ConnectFailed) as caught:
        asyncio.run(connect_first(["::1", "127.0.0.1"], 8080, attempt, discard))

    assert [address for address, _ in caught.value.attempts] == ["::1", "127.0.0.1"]
    assert describe_connect_error(caught.value) == (
        "all 2 addresses failed: [::1]:8080 connect timeout; "
        "127.0.0.1:8080 connection refused"
    )


def test_single_failure_named_plainly():
    refused = ConnectionRefusedError(errno.ECONNREFUSED, "")
    attempt, discard, _, _ = attempts({"127.0.0.1": (0.0, refused)})

    with pytest.raises(ConnectFailed) as caught:
        asyncio.run(connect_first(["127.0.0.1"], 80, attempt, discard))

    assert describe_connect_error(caught.value) == "connection refused"
