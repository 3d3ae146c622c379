"""The monitor loop: claiming on a fake clock, concurrency, recording.

The monitor reaches the database from worker threads of its own, so these
tests commit for real (``transaction=True``).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from asgiref.sync import sync_to_async
from django.db import OperationalError, connection, connections
from django.utils import timezone

from statuscore import hookimpl
from statuscore.checkers import CheckContext, Checker, Outcome
from statuscore.models import (
    Check,
    CheckResult,
    CheckState,
    ComponentStatus,
    OutboxEvent,
)
from statuscore.monitor import Monitor, writer
from statuscore.services.checks import create_check, update_check
from statuscore.testing import FakeCheckerConfig, fake_plugin, temporary_plugin
from tests.plugins.servers import (
    closed_port,
    dropping_server,
    http_server,
    silent_server,
)

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

    def exists() -> bool:
        # SQLite's shared in-memory test database raises "database table is
        # locked" at once, without waiting, while the writer's transaction
        # locks the table. That means "not yet", so poll again.
        try:
            return CheckResult.objects.filter(uptime_check_id=check_id).exists()
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            return False

    has_result = sync_to_async(exists)
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
    # Well before the hanging check's 2 s timeout, with room for the
    # writer's 0.25 s batching and a loaded machine.
    assert fast_seconds < 1.5
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


def test_early_claim_waits_for_slot(page):
    check = create_check(page, "API", "fake", {})
    clock = FakeClock(check.next_run_at - timedelta(seconds=0.3))

    async def scenario() -> tuple[int, int, float]:
        async with Monitor(clock=clock) as monitor:
            not_yet = await monitor.start_due_checks(lookahead=0.1)
            started = time.perf_counter()
            early = await monitor.start_due_checks(lookahead=1.0)
            await asyncio.gather(*early)
            return len(not_yet), len(early), time.perf_counter() - started

    not_yet, early, waited = run_async(scenario())

    assert not_yet == 0
    assert early == 1
    assert waited >= 0.25


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


# -- Quick re-tries -----------------------------------------------------------


class FailingFirstChecker(Checker):
    """Return down for the first ``failures`` runs of each check, then up."""

    name = "failing-first"
    label = "Fails first (tests only)"
    Config = FakeCheckerConfig
    failures = 1
    runs: dict[int, int] = {}

    async def run(self, config: FakeCheckerConfig, context: CheckContext) -> Outcome:
        count = self.runs.get(context.check_id, 0) + 1
        self.runs[context.check_id] = count
        if count <= self.failures:
            return Outcome("down", None, "connection reset")
        return Outcome("up", 1.0)


@hookimpl
def _register_failing_first() -> list[type[Checker]]:
    return [FailingFirstChecker]


failing_first_plugin = SimpleNamespace(
    __name__="tests.failing_first",
    statuscore_register_checkers=_register_failing_first,
)


@pytest.fixture
def quick_retries(settings):
    settings.STATUSCORE_RETRY_DELAY = 0.01


def run_slots(check: Check, slots: int, **monitor_options) -> Monitor:
    """Run ``slots`` consecutive slots of ``check`` in one monitor."""
    clock = FakeClock(check.next_run_at)

    async def scenario() -> Monitor:
        async with Monitor(clock=clock, **monitor_options) as monitor:
            for _ in range(slots):
                await monitor.run_due_checks()
                clock.advance(check.interval_seconds)
        return monitor

    return run_async(scenario())


def state_events(check: Check) -> list[OutboxEvent]:
    return [
        event
        for event in OutboxEvent.objects.filter(kind="check.state_changed")
        if event.payload["check_id"] == check.pk
    ]


def test_retry_hides_single_failure(page, quick_retries):
    FailingFirstChecker.runs = {}
    with temporary_plugin(failing_first_plugin):
        check = create_check(page, "API", "failing-first", {}, retries=1)
        monitor = run_slots(check, 1)

    result = results_of(check)[0]
    assert result.status == "up"
    assert result.details["attempts"] == 2
    assert monitor.stats.retries == 1


def test_no_retries_records_failure(page, quick_retries):
    FailingFirstChecker.runs = {}
    with temporary_plugin(failing_first_plugin):
        check = create_check(page, "API", "failing-first", {}, retries=0)
        run_slots(check, 1)

    assert results_of(check)[0].status == "down"


def test_refused_port_down_once(page, quick_retries):
    with closed_port() as port:
        check = create_check(
            page,
            "Refused",
            "tcp",
            {"host": "127.0.0.1", "port": port},
            interval_seconds=10,
            timeout_seconds=2,
            retries=2,
        )
        run_slots(check, 4)
    check.refresh_from_db()
    results = results_of(check)
    events = state_events(check)

    assert check.state == CheckState.DOWN
    assert [result.status for result in results] == ["down"] * 4
    assert {result.reason for result in results} == {"connection refused"}
    assert {result.details["attempts"] for result in results} == {3}
    assert len(events) == 1
    assert events[0].payload["new_state"] == "down"
    assert events[0].payload["reason"] == "connection refused"


def test_dropped_connect_is_connect_timeout(page, quick_retries):
    with dropping_server() as port:
        check = create_check(
            page,
            "Dropped",
            "tcp",
            {"host": "127.0.0.1", "port": port},
            interval_seconds=10,
            timeout_seconds=0.3,
            retries=0,
            failure_threshold=1,
        )
        run_slots(check, 1)
    check.refresh_from_db()

    assert check.state == CheckState.DOWN
    assert results_of(check)[0].reason == "connect timeout"


def test_retry_skipped_past_interval(page, settings):
    settings.STATUSCORE_RETRY_DELAY = 20
    check = create_check(
        page,
        "API",
        "fake",
        {"status": "down"},
        retries=2,
        interval_seconds=10,
        timeout_seconds=5,
    )

    started = time.perf_counter()
    run_slots(check, 1)

    assert time.perf_counter() - started < 10
    assert "attempts" not in results_of(check)[0].details


# -- Restart ------------------------------------------------------------------


@pytest.mark.parametrize("status", ["up", "down"])
def test_restart_sends_no_events(page, component, status, quick_retries):
    check = create_check(page, "API", "fake", {"status": status}, component=component)
    clock = FakeClock(check.next_run_at)

    async def run(slots: int) -> None:
        async with Monitor(clock=clock) as monitor:
            for _ in range(slots):
                await monitor.run_due_checks()
                clock.advance(check.interval_seconds)

    run_async(run(3))
    events_before = OutboxEvent.objects.count()

    run_async(run(3))

    assert OutboxEvent.objects.count() == events_before
    assert len(results_of(check)) == 6


def test_restart_keeps_confirmation_count(page, quick_retries):
    check = create_check(
        page, "API", "fake", {"status": "down"}, failure_threshold=2
    )
    clock = FakeClock(check.next_run_at)

    async def run_one_slot() -> None:
        async with Monitor(clock=clock) as monitor:
            await monitor.run_due_checks()
            clock.advance(check.interval_seconds)

    run_async(run_one_slot())
    run_async(run_one_slot())
    check.refresh_from_db()

    assert check.state == CheckState.DOWN
    assert len(state_events(check)) == 1


# -- Regions ------------------------------------------------------------------


def run_regions(check: Check, regions: list[str], slots: int) -> None:
    """Run ``slots`` slots with one monitor per region.

    The monitors take turns within each slot, because SQLite's shared-cache
    test database raises "table is locked" when two threads write at once.
    """
    slot = check.region_rows.first().next_run_at
    clock = FakeClock(slot)

    async def scenario() -> None:
        monitors = [Monitor(clock=clock, region=region) for region in regions]
        for monitor in monitors:
            await monitor.__aenter__()
        try:
            for _ in range(slots):
                for monitor in monitors:
                    await monitor.run_due_checks()
                clock.advance(check.interval_seconds)
        finally:
            for monitor in monitors:
                await monitor.__aexit__(None, None, None)

    run_async(scenario())


def test_each_region_records_results(page):
    check = create_check(page, "API", "fake", {}, regions=["eu", "us"])

    run_regions(check, ["eu", "us"], 2)

    regions = sorted(check.results.values_list("region", flat=True))
    assert regions == ["eu", "eu", "us", "us"]


def test_one_region_down_of_three_keeps_up(page, component):
    check = create_check(
        page,
        "API",
        "fake",
        {"down_in_regions": ["us"]},
        component=component,
        regions=["eu", "us", "ap"],
        failure_threshold=1,
        retries=0,
    )

    run_regions(check, ["eu", "us", "ap"], 2)
    check.refresh_from_db()
    component.refresh_from_db()

    assert check.state == CheckState.UP
    assert component.status == ComponentStatus.OPERATIONAL


def test_quorum_of_regions_down(page, component):
    check = create_check(
        page,
        "API",
        "fake",
        {"down_in_regions": ["eu", "us"]},
        component=component,
        regions=["eu", "us", "ap"],
        failure_threshold=1,
        retries=0,
    )

    run_regions(check, ["eu", "us", "ap"], 2)
    check.refresh_from_db()
    component.refresh_from_db()

    down_events = [
        event for event in state_events(check) if event.payload["new_state"] == "down"
    ]
    assert check.state == CheckState.DOWN
    assert component.status == ComponentStatus.MAJOR_OUTAGE
    assert len(down_events) == 1


def test_monitor_without_region_skips_regional(page):
    regional = create_check(page, "EU", "fake", {}, regions=["eu"])
    anywhere = create_check(page, "Any", "fake", {})
    clock = FakeClock(timezone.now() + timedelta(seconds=61))

    async def scenario() -> int:
        async with Monitor(clock=clock) as monitor:
            return await monitor.run_due_checks()

    assert run_async(scenario()) == 1
    assert len(results_of(anywhere)) == 1
    assert results_of(regional) == []


# -- Persistence kept apart from probing --------------------------------------


def test_failed_write_retried_with_measured_time(page, monkeypatch):
    check = create_check(page, "API", "fake", {})
    clock = FakeClock(check.next_run_at)
    real_record = writer.record_result
    calls = []

    def fail_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real_record(*args, **kwargs)

    monkeypatch.setattr(writer, "record_result", fail_once)
    monkeypatch.setattr(writer, "FIRST_RETRY_DELAY", 0.01)

    async def scenario() -> Monitor:
        async with Monitor(clock=clock) as monitor:
            await monitor.run_due_checks()
            clock.advance(30)
        return monitor

    monitor = run_async(scenario())
    results = results_of(check)

    assert len(calls) == 2
    assert monitor.stats.write_failures == 1
    assert len(results) == 1
    assert results[0].checked_at == check.next_run_at
    assert results[0].status == "up"


def test_full_queue_drops_oldest(page, settings):
    settings.STATUSCORE_RESULT_QUEUE_SIZE = 2
    check = create_check(page, "API", "fake", {})

    async def scenario() -> Monitor:
        async with Monitor() as monitor:
            monitor._writer.cancel()
            for second in range(3):
                at = check.next_run_at + timedelta(seconds=second)
                monitor._queue(writer.PendingResult(check.pk, Outcome("up"), at))
            kept = [pending.checked_at for pending in monitor._pending]
            monitor._pending.clear()
            monitor._written.set()
        return monitor, kept

    monitor, kept = run_async(scenario())

    assert monitor.stats.dropped == 1
    assert kept == [check.next_run_at + timedelta(seconds=s) for s in (1, 2)]


def hold_results_lock(seconds: float, locked: threading.Event) -> threading.Thread:
    """Hold ACCESS EXCLUSIVE on the results table from another connection."""
    options = connection.settings_dict

    def hold() -> None:
        with psycopg.connect(
            host=options["HOST"] or None,
            port=options["PORT"] or None,
            user=options["USER"] or None,
            password=options["PASSWORD"] or None,
            dbname=options["NAME"],
        ) as other:
            with other.transaction():
                other.execute(
                    "LOCK TABLE statuscore_checkresult IN ACCESS EXCLUSIVE MODE"
                )
                locked.set()
                time.sleep(seconds)

    thread = threading.Thread(target=hold)
    thread.start()
    return thread


def test_locked_results_table_delays_only_writes(page):
    if connection.vendor != "postgresql":
        pytest.skip("LOCK TABLE needs PostgreSQL; SQLite has no table locks")
    checks = [
        create_check(page, f"c{index}", "fake", {}, interval_seconds=10)
        for index in range(5)
    ]
    first_slot = min(check.next_run_at for check in checks)
    clock = FakeClock(first_slot + timedelta(seconds=10))
    locked = threading.Event()
    holder = hold_results_lock(3.0, locked)

    async def scenario() -> tuple[list[int], list[float], bool]:
        assert await asyncio.to_thread(locked.wait, 5)
        ran, seconds = [], []
        async with Monitor(clock=clock) as monitor:
            for _ in range(3):
                started = time.perf_counter()
                tasks = await monitor.start_due_checks()
                await asyncio.gather(*tasks)
                seconds.append(time.perf_counter() - started)
                ran.append(len(tasks))
                clock.advance(10)
            # Still waiting for the lock after three slots.
            unwritten = not monitor._written.is_set()
        return ran, seconds, unwritten

    try:
        ran, seconds, unwritten = run_async(scenario())
    finally:
        holder.join()
    results = CheckResult.objects.all()
    slots = {result.checked_at for result in results}

    assert ran == [5, 5, 5]
    assert max(seconds) < 1.0
    assert unwritten
    assert results.count() == 15
    assert not results.filter(status="down").exists()
    assert slots == {first_slot + timedelta(seconds=s) for s in (10, 20, 30)}


# -- Broken checkers ----------------------------------------------------------


class BrokenChecker(Checker):
    """Fail the way its configured ``reason`` names, as a buggy plugin might."""

    name = "broken"
    label = "Broken (tests only)"
    Config = FakeCheckerConfig

    async def run(self, config: FakeCheckerConfig, context: CheckContext) -> Outcome:
        if config.reason == "raise":
            raise KeyError("missing-field")
        if config.reason == "none":
            return None  # type: ignore[return-value]
        if config.reason == "bad status":
            return Outcome("sideways")
        return Outcome("up", 1.0, details={"checked": datetime(2026, 1, 1)})


@hookimpl
def _register_broken() -> list[type[Checker]]:
    return [BrokenChecker]


broken_plugin = SimpleNamespace(
    __name__="tests.broken",
    statuscore_register_checkers=_register_broken,
)


@pytest.mark.parametrize(
    ("mode", "reason_part"),
    [
        ("raise", "KeyError"),
        ("none", "returned no outcome"),
        ("bad status", "'sideways'"),
        ("unserialisable details", "details"),
    ],
)
def test_broken_checker_confirmed_down(
    page, component, quick_retries, mode, reason_part
):
    with temporary_plugin(broken_plugin):
        check = create_check(
            page,
            "Broken",
            "broken",
            {"reason": mode},
            component=component,
            failure_threshold=2,
            retries=0,
        )
        run_slots(check, 1)
        check.refresh_from_db()
        state_after_one = check.state
        run_slots(check, 1)
    check.refresh_from_db()
    results = results_of(check)

    assert len(results) == 2
    assert {result.status for result in results} == {"down"}
    assert reason_part in results[-1].reason
    assert state_after_one != CheckState.DOWN
    assert check.state == CheckState.DOWN
    assert len(state_events(check)) == 1
