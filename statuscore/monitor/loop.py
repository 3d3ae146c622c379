"""The long-lived monitor loop.

huey's periodic tasks fire at most once a minute, too coarse for checks
every 10 seconds, so checks run in their own process: every tick the loop
claims the checks that are due and starts each as an asyncio task sharing
one ``httpx.AsyncClient``. A slow target delays nothing but its own check.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx
from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.utils import timezone

from statuscore.conf import get_settings
from statuscore.models import Check
from statuscore.monitor.runner import run_checker
from statuscore.services.checks import claim_due_checks, record_result

logger = logging.getLogger(__name__)

USER_AGENT = "statuspage-monitor/0.1"


class Monitor:
    """Run due checks until stopped.

    ``clock`` returns the current aware datetime; tests pass a fake one to
    step through check intervals without waiting for them.
    """

    def __init__(
        self,
        clock: Callable[[], datetime] = timezone.now,
        check_ids: list[int] | None = None,
    ) -> None:
        settings = get_settings()
        self.clock = clock
        self.check_ids = check_ids
        self.tick_seconds = settings.monitor_tick
        self.max_concurrent = settings.max_concurrent_checks
        self.in_flight: set[asyncio.Task] = set()
        self.running_check_ids: set[int] = set()
        self._stopping = asyncio.Event()
        self._client: httpx.AsyncClient | None = None

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
        return self

    async def __aexit__(self, *exc_info) -> None:
        if self.in_flight:
            await asyncio.gather(*self.in_flight, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("Use the Monitor as 'async with Monitor() as monitor'.")
        return self._client

    async def run_check(self, check: Check) -> None:
        """Run one claimed check and record its result; log, never raise."""
        checked_at = self.clock()
        outcome = await run_checker(
            check.pk,
            check.checker,
            check.config,
            check.timeout_seconds,
            self.client,
            now=checked_at,
        )
        try:
            await sync_to_async(record_result)(check.pk, outcome, checked_at)
        except Check.DoesNotExist:
            logger.info("Check %s was deleted while it ran; result dropped", check.pk)
        except Exception:
            logger.exception("Recording the result of check %s failed", check.pk)

    async def start_due_checks(self) -> list[asyncio.Task]:
        """Claim the checks due now and start them; return their tasks."""
        free = self.max_concurrent - len(self.in_flight)
        if free <= 0:
            logger.warning(
                "All %s check slots busy; due checks wait", self.max_concurrent
            )
            return []

        # A check still running from its last slot is left due, so this
        # monitor never runs one check twice at once, and its results are
        # recorded in the order of its slots.
        claimed = await sync_to_async(claim_due_checks)(
            self.clock(), free, self.check_ids, exclude_ids=list(self.running_check_ids)
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
        """Start the checks due now and wait for them; return how many ran."""
        tasks = await self.start_due_checks()
        await asyncio.gather(*tasks)
        return len(tasks)

    def stop(self) -> None:
        """Ask :meth:`run_forever` to return after the checks in flight."""
        self._stopping.set()

    async def run_forever(self) -> None:
        """Tick until :meth:`stop` is called, then wait for checks in flight."""
        logger.info(
            "Monitor started: tick %.1f s, at most %s checks at once",
            self.tick_seconds,
            self.max_concurrent,
        )
        while not self._stopping.is_set():
            try:
                await self.start_due_checks()
            except Exception:
                # A database outage must not end the loop; it retries next tick.
                logger.exception("Claiming due checks failed; retrying next tick")
                await sync_to_async(close_old_connections)()
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self.tick_seconds)
            except TimeoutError:
                pass
        logger.info(
            "Monitor stopping; waiting for %s checks in flight", len(self.in_flight)
        )
        if self.in_flight:
            await asyncio.gather(*self.in_flight, return_exceptions=True)
        logger.info("Monitor stopped")
