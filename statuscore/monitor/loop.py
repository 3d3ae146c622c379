"""The long-lived monitor loop.

huey's periodic tasks fire at most once a minute, which is too coarse for
checks every 10 seconds, so checks run in their own process. Every tick the
loop claims the checks that are due and starts each as an asyncio task, and
all of them share one ``httpx.AsyncClient``. A slow target delays nothing
but its own check.

Probing is kept apart from persistence. A finished run puts its result in
a bounded in-memory queue, and one writer task records the queue in
batches, one transaction each. Claims and writes use database threads of
their own, so a locked results table or a slow database delays the writes
but neither the claims nor the probes. A failed write is retried with the
result's measured timestamp.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import TypeVar

import httpx
from django.db import connection, connections
from django.utils import timezone

from statuscore.checkers import Outcome
from statuscore.conf import get_settings
from statuscore.models import Check
from statuscore.monitor.runner import DEADLINE_GRACE_SECONDS, run_checker
from statuscore.monitor.writer import PendingResult, record_batch, write_retried
from statuscore.services.checks import claim_due_checks

logger = logging.getLogger(__name__)

USER_AGENT = "statuspage-monitor/0.1"

# How long a stopping monitor keeps trying to record queued results.
SHUTDOWN_WRITE_SECONDS = 30.0
# How long the writer gathers results before it records them. Checks start
# spread over their interval, so without this wait nearly every result
# would be a transaction of its own.
WRITE_LINGER_SECONDS = 0.25

T = TypeVar("T")


@dataclass
class MonitorStats:
    """Counters of one monitor process since it started."""

    runs: int = 0
    retries: int = 0
    recorded: int = 0
    dropped: int = 0
    write_failures: int = 0


class Monitor:
    """Run due checks until stopped.

    ``clock`` returns the current aware datetime; tests pass a fake one to
    step through check intervals without waiting for them. ``region`` makes
    the monitor run only the checks assigned to that region; without it,
    only checks with no region. ``on_start``, when given, is called with
    each claimed check and its start time, for measuring scheduling lag.
    """

    def __init__(
        self,
        clock: Callable[[], datetime] = timezone.now,
        check_ids: list[int] | None = None,
        region: str | None = None,
        on_start: Callable[[Check, datetime], None] | None = None,
    ) -> None:
        settings = get_settings()
        self.clock = clock
        self.check_ids = check_ids
        self.region = region
        self.on_start = on_start
        self.tick_seconds = settings.monitor_tick
        self.max_concurrent = settings.max_concurrent_checks
        self.retry_delay = settings.retry_delay
        self.queue_size = settings.result_queue_size
        self.batch_size = settings.result_batch_size
        self.stats = MonitorStats()
        self.in_flight: set[asyncio.Task] = set()
        self.running_check_ids: set[int] = set()
        self._stopping = asyncio.Event()
        self._client: httpx.AsyncClient | None = None
        self._pending: deque[PendingResult] = deque()
        self._has_pending = asyncio.Event()
        self._flush_requested = asyncio.Event()
        self._written = asyncio.Event()
        self._written.set()
        self._writer: asyncio.Task | None = None
        self._claim_thread: ThreadPoolExecutor | None = None
        self._write_thread: ThreadPoolExecutor | None = None

    async def __aenter__(self) -> Monitor:
        # Redirects and cookies are each checker's business, so the shared
        # client follows no redirects. Its cookie policy accepts no domain,
        # so no check receives another check's cookies.
        no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            cookies=no_cookies,
            headers={"User-Agent": USER_AGENT},
            limits=httpx.Limits(max_connections=self.max_concurrent),
        )
        self._claim_thread = ThreadPoolExecutor(1, thread_name_prefix="monitor-claim")
        # SQLite lets one connection write at a time, so a writer thread of
        # its own would only meet "database is locked" while claims run.
        if connection.vendor == "sqlite":
            self._write_thread = self._claim_thread
        else:
            self._write_thread = ThreadPoolExecutor(
                1, thread_name_prefix="monitor-write"
            )
        self._writer = asyncio.create_task(self._write_results(), name="writer")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._finish()
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
        for executor in {self._claim_thread, self._write_thread}:
            if executor is not None:
                await self._in_thread(executor, connections.close_all)
                executor.shutdown()
        if self._client is not None:
            await self._client.aclose()

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("Use the Monitor as 'async with Monitor() as monitor'.")
        return self._client

    async def _in_thread(
        self, executor: ThreadPoolExecutor | None, function: Callable[..., T], *args
    ) -> T:
        if executor is None:
            raise RuntimeError("Use the Monitor as 'async with Monitor() as monitor'.")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, functools.partial(function, *args))

    async def probe(self, check: Check) -> Outcome:
        """Run the checker, re-trying a down outcome up to ``check.retries``
        times after ``retry_delay`` seconds, and return the last outcome.

        A re-try is skipped when it could not finish within the check's
        interval, so a run never overlaps the check's next slot.
        """
        started = time.monotonic()
        attempts = 0
        while True:
            outcome = await run_checker(
                check.pk,
                check.checker,
                check.config,
                check.timeout_seconds,
                self.client,
                now=self.clock(),
                region=getattr(check, "region", ""),
            )
            attempts += 1
            if outcome.status != "down" or attempts > check.retries:
                break
            elapsed = time.monotonic() - started
            needed = self.retry_delay + check.timeout_seconds + DEADLINE_GRACE_SECONDS
            if elapsed + needed > check.interval_seconds:
                break
            logger.info(
                "Check %s attempt %s failed (%s); retrying in %g s",
                check.pk,
                attempts,
                outcome.reason,
                self.retry_delay,
            )
            self.stats.retries += 1
            await asyncio.sleep(self.retry_delay)

        if attempts > 1:
            outcome = replace(outcome, details={**outcome.details, "attempts": attempts})
        return outcome

    async def run_check(self, check: Check) -> None:
        """Wait for the check's slot if it is claimed early, run the check and
        queue its result for recording.

        A check that was not claimed, and so has no ``due_at``, runs at once.
        """
        due_at = getattr(check, "due_at", None)
        early = (due_at - self.clock()).total_seconds() if due_at else 0.0
        if early > 0:
            await asyncio.sleep(early)
        checked_at = self.clock()
        if self.on_start is not None:
            self.on_start(check, checked_at)
        outcome = await self.probe(check)
        self.stats.runs += 1
        region = getattr(check, "region", "")
        self._queue(PendingResult(check.pk, outcome, checked_at, region))

    def _queue(self, result: PendingResult) -> None:
        if len(self._pending) >= self.queue_size:
            dropped = self._pending.popleft()
            self.stats.dropped += 1
            if self.stats.dropped % 1000 == 1:
                logger.error(
                    "Result queue full (%s); dropped the result of check %s "
                    "measured at %s (%s dropped so far)",
                    self.queue_size,
                    dropped.check_id,
                    dropped.checked_at.isoformat(),
                    self.stats.dropped,
                )
        self._pending.append(result)
        self._written.clear()
        self._has_pending.set()

    async def _finish(self) -> None:
        """Wait for the checks in flight and, for a bounded time, their writes."""
        if self.in_flight:
            await asyncio.gather(*self.in_flight, return_exceptions=True)
        try:
            await asyncio.wait_for(self.flush(), timeout=SHUTDOWN_WRITE_SECONDS)
        except TimeoutError:
            logger.error(
                "Monitor stopping with %s results not recorded", len(self._pending)
            )

    async def flush(self) -> None:
        """Record every queued result without waiting to gather more, and
        return once they are recorded."""
        if self._written.is_set():
            return
        self._flush_requested.set()
        await self._written.wait()

    async def _write_results(self) -> None:
        while True:
            await self._has_pending.wait()
            if len(self._pending) < self.batch_size:
                try:
                    await asyncio.wait_for(
                        self._flush_requested.wait(), timeout=WRITE_LINGER_SECONDS
                    )
                except TimeoutError:
                    pass
            while self._pending:
                count = min(len(self._pending), self.batch_size)
                batch = [self._pending.popleft() for _ in range(count)]
                await self._record(batch)
            self._has_pending.clear()
            self._flush_requested.clear()
            self._written.set()

    async def _record(self, batch: list[PendingResult]) -> None:
        """Record ``batch``, re-trying while the database fails."""
        attempt = 0
        while True:
            try:
                self.stats.recorded += await self._in_thread(
                    self._write_thread, record_batch, batch
                )
                return
            except Exception as error:
                attempt += 1
                self.stats.write_failures += 1
                delay = write_retried(batch, attempt, error)
                await asyncio.sleep(delay)

    async def start_due_checks(self, lookahead: float = 0.0) -> list[asyncio.Task]:
        """Claim the checks due within ``lookahead`` seconds and start them;
        return their tasks. A check claimed early waits for its slot."""
        free = self.max_concurrent - len(self.in_flight)
        if free <= 0:
            logger.warning(
                "All %s check slots busy; due checks wait", self.max_concurrent
            )
            return []

        # A check still running from its last slot is left due, so this
        # monitor never runs one check twice at once, and its results are
        # recorded in the order of its slots.
        claimed = await self._in_thread(
            self._claim_thread,
            claim_due_checks,
            self.clock() + timedelta(seconds=lookahead),
            free,
            self.check_ids,
            list(self.running_check_ids),
            self.region,
        )
        tasks = []
        for check in claimed:
            self.running_check_ids.add(check.pk)
            task = asyncio.create_task(self.run_check(check), name=f"check-{check.pk}")
            self.in_flight.add(task)
            task.add_done_callback(self._forget_task(check.pk))
            tasks.append(task)
        return tasks

    def _forget_task(self, check_id: int) -> Callable[[asyncio.Task], None]:
        def forget(task: asyncio.Task) -> None:
            self.in_flight.discard(task)
            self.running_check_ids.discard(check_id)

        return forget

    async def run_due_checks(self) -> int:
        """Start the checks due now, wait until their results are recorded,
        and return how many ran."""
        tasks = await self.start_due_checks()
        await asyncio.gather(*tasks)
        await self.flush()
        return len(tasks)

    def stop(self) -> None:
        """Ask :meth:`run_forever` to return after the checks in flight."""
        self._stopping.set()

    async def run_forever(self) -> None:
        """Tick until :meth:`stop` is called, then wait for the checks in
        flight and the recording of their results."""
        logger.info(
            "Monitor started: region %s, tick %.1f s, at most %s checks at once",
            self.region or "(none)",
            self.tick_seconds,
            self.max_concurrent,
        )
        while not self._stopping.is_set():
            try:
                # Claiming one tick ahead lets each check start at its slot
                # rather than at the next tick after it.
                await self.start_due_checks(lookahead=self.tick_seconds)
            except Exception:
                # A database outage must not end the loop; it retries next tick.
                logger.exception("Claiming due checks failed; retrying next tick")
                await self._in_thread(self._claim_thread, _close_connection)
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self.tick_seconds)
            except TimeoutError:
                pass
        logger.info(
            "Monitor stopping; waiting for %s checks in flight", len(self.in_flight)
        )
        await self._finish()
        logger.info("Monitor stopped: %s", self.stats)


def _close_connection() -> None:
    """Close this thread's connection, so the next query opens a fresh one."""
    connection.close()
