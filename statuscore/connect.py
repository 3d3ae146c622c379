"""Race connection attempts to several addresses (Happy Eyeballs, RFC 8305)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["CONNECTION_ATTEMPT_DELAY", "ConnectFailed", "connect_first"]

T = TypeVar("T")

# RFC 8305 recommends 250 ms between the starts of two attempts.
CONNECTION_ATTEMPT_DELAY = 0.25


class ConnectFailed(Exception):
    """Every address was tried and none connected.

    ``attempts`` lists ``(address, error)`` in the order the attempts
    started; ``statuscore.checkers.describe_connect_error`` names each one.
    """

    def __init__(self, port: int, attempts: list[tuple[str, BaseException]]) -> None:
        self.port = port
        self.attempts = attempts
        super().__init__(
            ", ".join(f"{format_address(a, port)}: {e!r}" for a, e in attempts)
        )


def format_address(address: str, port: int) -> str:
    """Write an address and port as in a URL: ``[::1]:80`` or ``127.0.0.1:80``."""
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


async def connect_first(
    addresses: list[str],
    port: int,
    attempt: Callable[[str], Awaitable[T]],
    discard: Callable[[T], Awaitable[None]],
    delay: float = CONNECTION_ATTEMPT_DELAY,
) -> tuple[T, str]:
    """Connect to the first address that answers and return it with its result.

    ``attempt(address)`` connects to one address and bounds its own time.
    Attempts start in list order, each ``delay`` seconds after the one
    before or at once when the one before fails. The first to succeed wins
    and the others are cancelled; ``discard`` closes a connection that
    succeeded too late.

    Raises ``ConnectFailed`` with every address's error when none connects.
    """
    tasks: dict[asyncio.Task[T], str] = {}
    errors: dict[str, BaseException] = {}
    remaining = list(addresses)
    try:
        while remaining or tasks:
            if remaining:
                address = remaining.pop(0)
                tasks[asyncio.create_task(attempt(address))] = address
            done, _ = await asyncio.wait(
                tasks,
                timeout=delay if remaining else None,
                return_when=asyncio.FIRST_COMPLETED,
            )
            for task in done:
                address = tasks.pop(task)
                error = task.exception()
                if error is None:
                    return task.result(), address
                errors[address] = error
    finally:
        await _cancel(tasks, discard)

    raise ConnectFailed(port, [(a, errors[a]) for a in addresses if a in errors])


async def _cancel(
    tasks: dict[asyncio.Task[T], str], discard: Callable[[T], Awaitable[None]]
) -> None:
    """Cancel the losing attempts and close any that connected meanwhile."""
    for task in tasks:
        task.cancel()
    # gather() passes a cancellation of the caller on, unlike a loop that
    # catches each task's CancelledError.
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for result in results:
        if not isinstance(result, BaseException):
            await discard(result)
