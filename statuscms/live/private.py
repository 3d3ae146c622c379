"""Notices for the open sockets of pages that are not public.

The snapshot refresher builds snapshots, and so sends ``snapshot_changed``,
only for public pages. While sockets of other pages are open in this
process, a task on the server loop reads the outbox for their events and
sends each batch of new events to the page's group, with the highest new
event id as the version (``"event-<id>"``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from statuscms.live.broadcast import group_name
from statuscore.models import OutboxEvent

__all__ = ["POLL_INTERVAL", "PrivatePageWatcher", "watcher"]

logger = logging.getLogger(__name__)

POLL_INTERVAL = 0.5
"""Seconds between two reads of the outbox while a private socket is open."""

# Outbox ids are taken before commit, so a transaction that began earlier
# may commit a lower id after a higher one was read. Ids this far below the
# highest seen are read again, and skipped when already seen.
LOOKBACK_IDS = 200


class PrivatePageWatcher:
    """Poll the outbox for the pages that open sockets watch.

    ``watch`` and ``unwatch`` are called by consumers on the server loop;
    the polling task runs while at least one page is watched.
    """

    def __init__(self) -> None:
        self._pages: Counter[int] = Counter()
        self._seen: set[int] = set()
        self._last_id: int | None = None
        self._task: asyncio.Task | None = None

    def watch(self, core_page_id: int) -> None:
        self._pages[core_page_id] += 1
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def unwatch(self, core_page_id: int) -> None:
        self._pages[core_page_id] -= 1
        if self._pages[core_page_id] <= 0:
            del self._pages[core_page_id]

    async def _run(self) -> None:
        logger.info("Outbox watch for private pages started")
        while self._pages:
            try:
                changed = await database_sync_to_async(self.poll)(set(self._pages))
                for core_page_id, event_id in changed.items():
                    await self._send(core_page_id, f"event-{event_id}")
            except Exception:
                # A database or layer outage must not end the watch; the
                # next poll tries again.
                logger.exception("Outbox watch for private pages failed; retrying")
            await asyncio.sleep(POLL_INTERVAL)
        self._last_id = None
        self._seen.clear()
        logger.info("Outbox watch for private pages stopped: no socket left")

    async def _send(self, core_page_id: int, version: str) -> None:
        message = {"type": "page.changed", "version": version}
        await get_channel_layer().group_send(group_name(core_page_id), message)

    def poll(self, page_ids: set[int]) -> dict[int, int]:
        """Return, for each page of ``page_ids`` with events committed since
        the last poll, the highest id among them.

        The first poll only records what is already there.
        """
        first = self._last_id is None
        floor = 0 if first else max(self._last_id - LOOKBACK_IDS, 0)
        if first:
            latest = OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True)
            floor = max((latest.first() or 0) - LOOKBACK_IDS, 0)

        changed: dict[int, int] = {}
        rows = OutboxEvent.objects.filter(pk__gt=floor).values_list("pk", "page_id")
        for event_id, page_id in rows:
            if event_id in self._seen:
                continue
            self._seen.add(event_id)
            self._last_id = max(self._last_id or 0, event_id)
            if not first and page_id in page_ids:
                changed[page_id] = max(changed.get(page_id, 0), event_id)

        if self._last_id is None:
            self._last_id = floor
        low = self._last_id - LOOKBACK_IDS
        self._seen = {event_id for event_id in self._seen if event_id > low}
        return changed


watcher = PrivatePageWatcher()
