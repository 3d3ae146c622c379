"""The monitor loop: claiming on a fake clock, concurrency, recording.

The monitor reaches the database through ``sync_to_async`` in a worker
thread, so these tests commit for real (``transaction=True``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from datetime import datetime, timedelta
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.utils import timezone

from statuscore.models import Check, CheckResult, ComponentStatus, OutboxEvent
from statuscore.monitor import Monitor
from statuscore.services.checks import create_check, update_check
from statuscore.testing import fake_plugin, temporary_plugin
from tests.plugins.servers import http_server, silent_server

pytestmark = pytest.mark.django_db(transaction=True)


class FakeClock:
    """A clock that moves only when the test advances it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def fake_checker():
    with temporary_plugin(fake_plugin):
        yield


def run_async(scenario: Coroutine[Any, Any, Any]) -> Any:
    """Run ``scenario`` and close the database connections it opened in
    the ``sync_to_async`` thread, so the test database can be dropped."""

    async def wrapped() -> Any:
        try:
            return await scenario
        finally:
            await sync_to_async(connections.close_all)()

    return asyncio.run(wrapped())


async def wait_for_result(check_id: int, timeout: float = 5.0) -> float:
    """Poll until ``check_id`` has a result; return the seconds waited."""
    started = time.perf_counter()
    has_result = sync_to_async(
        lambda: CheckResult.objects.filter(uptime_check_id=check_id).exists()
    )
    while not await has_result():
        if time.perf_counter() - started > timeout:
            raise AssertionError(f"Check {check_id} recorded no result in {timeout} s")
        await asyncio.sleep(0.02)
    return time.perf_counter() - started


@sync_to_async
def component_status(component) -> str:
    component.refresh_from_db()
    return component.status


def results_of(check: Check) -> list[CheckResult]:
    return list(check.results.order_by("checked_at"))


def test_due_check_recorded(page):
    check = create_check(page, "API", "fake", {"reason": "fine"})
    clock = FakeClock(check.next_run_at + timedelta(seconds=1))

    async def scenario() -> int:
        async with Monitor(clock=clock) as monitor:
            return await monitor.run_due_checks()

    ran = run_async(scenario())
    results = results_of(check)

    assert ran == 1
    assert len(results) == 1
    assert results[0].status == "up"
    assert results[0].reason == "fine"
    assert results[0].checked_at == clock.now


def test_fake_clock_steps_intervals(page):
    check = create_check(page, "API", "fake", {}, interval_seconds=60)
    start = check.next_run_at
    clock = FakeClock(start)

    async def scenario() -> list[int]:
        ran = []
        async with Monitor(clock=clock) as monitor:
            for step in (0, 0, 30, 29, 1, 59, 1):
                clock.advance(step)
                ran.append(await monitor.run_due_checks())
        return ran

    ran = run_async(scenario())
    check.refresh_from_db()

    assert ran == [1, 0, 0, 0, 1, 0, 1]
    assert [r.checked_at for r in results_of(check)] == [
        start,
        start + timedelta(seconds=60),
        start + timedelta(seconds=120),
    ]
    assert check.next_run_at == start + timedelta(seconds=180)


def test_confirmation_through_monitor(page, component):
    check = create_check(
        page,
        "API",
        "fake",
        {"status": "down", "reason": "connection refused"},
        component=component,
        failure_threshold=2,
        interval_seconds=60,
    )
    clock = FakeClock(check.next_run_at)

    async def scenario() -> list[str]:
        statuses = []
        async with Monitor(clock=clock) as monitor:
            await monitor.run_due_checks()
            statuses.append(await component_status(component))

            clock.advance(60)
            await monitor.run_due_checks()
            statuses.append(await component_status(component))

            await sync_to_async(update_check)(check, config={"status": "up"})
            clock.advance(60)
            await monitor.run_due_checks()
            statuses.append(await component_status(component))
        return statuses

    statuses = run_async(scenario())
    status_events = OutboxEvent.objects.filter(kind="component.status_changed")

    assert statuses == [
        ComponentStatus.OPERATIONAL,
        ComponentStatus.MAJOR_OUTAGE,
        ComponentStatus.OPERATIONAL,
    ]
    assert status_events.count() == 2
    assert not status_events.filter(processed_at__isnull=True).exists()


def test_hanging_check_does_not_delay_fast(page):
    with http_server() as base_url, silent_server() as port:
        slow = create_check(
            page,
            "Hanging",
            "http",
            {"url": f"http://127.0.0.1:{port}/"},
            timeout_seconds=2,
            interval_seconds=10,
        )
        fast = create_check(page, "Fast", "http", {"url": f"{base_url}/ok"})
        clock = FakeClock(max(slow.next_run_at, fast.next_run_at))

        async def scenario() -> tuple[int, float, float]:
            async with Monitor(clock=clock) as monitor:
                started = time.perf_counter()
                run = asyncio.create_task(monitor.run_due_checks())
                fast_seconds = await wait_for_result(fast.pk)
                ran = await run
                return ran, fast_seconds, time.perf_counter() - started

        ran, fast_seconds, total_seconds = run_async(scenario())

    assert ran == 2
    assert fast_seconds < 1.0
    assert total_seconds >= 2.0
    assert results_of(fast)[0].status == "up"
    assert results_of(slow)[0].status == "down"
    assert results_of(slow)[0].reason == "read timeout"


def test_running_check_not_claimed_again(page):
    check = create_check(
        page, "Slow", "fake", {"delay_seconds": 0.5}, interval_seconds=10
    )
    clock = FakeClock(check.next_run_at)

    async def scenario() -> tuple[int, int, int]:
        async with Monitor(clock=clock) as monitor:
            first = await monitor.start_due_checks()
            clock.advance(10)
            second = await monitor.start_due_checks()
            await asyncio.gather(*first)
            third = await monitor.start_due_checks()
            await asyncio.gather(*third)
        return len(first), len(second), len(third)

    counts = run_async(scenario())

    assert counts == (1, 0, 1)
    assert len(results_of(check)) == 2


def test_deleted_check_result_dropped(page):
    check = create_check(page, "Doomed", "fake", {"delay_seconds": 0.2})
    clock = FakeClock(check.next_run_at)

    async def scenario() -> None:
        async with Monitor(clock=clock) as monitor:
            tasks = await monitor.start_due_checks()
            await sync_to_async(Check.objects.filter(pk=check.pk).delete)()
            await asyncio.gather(*tasks)

    run_async(scenario())

    assert not CheckResult.objects.exists()


def test_run_forever_until_stopped(page, settings):
    settings.STATUSCORE_MONITOR_TICK = 0.05
    check = create_check(page, "API", "fake", {"delay_seconds": 0.3})
    Check.objects.filter(pk=check.pk).update(next_run_at=timezone.now())
    count_results = sync_to_async(check.results.count)

    async def scenario() -> int:
        async with Monitor() as monitor:
            loop = asyncio.create_task(monitor.run_forever())
            async with asyncio.timeout(5):
                while not monitor.running_check_ids:
                    await asyncio.sleep(0.01)
            monitor.stop()
            await asyncio.wait_for(loop, timeout=2)
            # run_forever records the result before it returns.
            return await count_results()

    assert run_async(scenario()) == 1
