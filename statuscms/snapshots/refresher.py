"""Keep the snapshots of this process up to date.

The refresher is a daemon thread of each web process. Every
``STATUS_SNAPSHOT_POLL_INTERVAL`` seconds (0.25) it reads the outbox events
committed since its last look and rebuilds the pages they name; every
``STATUS_SNAPSHOT_FULL_INTERVAL`` seconds (60) it rebuilds every page, so
that uptime bars and "today" follow the clock. A publish of a
``StatusPage`` in Wagtail reaches it as a ``page.updated`` event, so every
process sees it. A page that failed to render keeps its old snapshot.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import connections
from django.http.request import validate_host
from wagtail.models import Site

from statuscms.languages import SHIPPED_LANGUAGES
from statuscms.snapshots.builder import (
    RenderFailed,
    SnapshotBuilder,
    Target,
    is_public,
    page_targets,
)
from statuscms.snapshots.files import SnapshotFiles
from statuscms.snapshots.signals import snapshot_changed
from statuscms.snapshots.store import SnapshotEntry, SnapshotStore, store
from statuscore.events import EventKind
from statuscore.models import OutboxEvent, Page

__all__ = ["Refresher", "allowed_hosts", "configured_hosts", "start_refresher"]

logger = logging.getLogger(__name__)

# Outbox ids are handed out before commit, so a transaction that started
# earlier may commit a lower id after a higher one was read. Ids this far
# below the highest seen are read again, and skipped when already seen.
LOOKBACK_IDS = 200

# Consecutive failed polls per log line while the database is unavailable.
FAILURE_LOG_EVERY = 240


def allowed_hosts() -> list[str]:
    """Return the site's own host patterns, as ``AllowedHostsMiddleware``
    applies them: ``STATUSCORE_ALLOWED_HOSTS``, else ``ALLOWED_HOSTS``."""
    hosts = getattr(settings, "STATUSCORE_ALLOWED_HOSTS", None)
    if hosts is None:
        hosts = settings.ALLOWED_HOSTS
    hosts = list(hosts)
    if settings.DEBUG and not hosts:
        hosts = [".localhost", "127.0.0.1", "[::1]"]
    return hosts


def configured_hosts() -> set[str]:
    """Return the hosts that pages are served at by configuration: each
    Wagtail site's hostname that the site's allowed hosts contain, with its
    port unless 80 or 443, and each page's domain."""
    allowed = allowed_hosts()
    hosts = set()
    for hostname, port in Site.objects.values_list("hostname", "port"):
        hostname = hostname.lower().rstrip(".")
        if hostname and validate_host(hostname, allowed):
            hosts.add(hostname if port in (80, 443) else f"{hostname}:{port}")
    for domain in Page.objects.exclude(domain="").values_list("domain", flat=True):
        hosts.add(domain.lower().rstrip("."))
    return hosts


class Refresher:
    """Rebuild snapshots into ``store`` (and files) as pages change."""

    def __init__(
        self,
        snapshot_store: SnapshotStore = store,
        *,
        files: SnapshotFiles | None = None,
        poll_interval: float | None = None,
        full_interval: float | None = None,
    ) -> None:
        self.store = snapshot_store
        self.files = files
        self.poll_interval = poll_interval or getattr(
            settings, "STATUS_SNAPSHOT_POLL_INTERVAL", 0.25
        )
        self.full_interval = full_interval or getattr(
            settings, "STATUS_SNAPSHOT_FULL_INTERVAL", 60.0
        )
        self.last_event_id = 0
        self._seen_ids: set[int] = set()
        self._entries: dict[int, dict[str, dict[str, SnapshotEntry]]] = {}
        self._hosts: set[str] = set()
        self._page_count = -1
        self._builder: SnapshotBuilder | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # Thread control

    def start(self) -> None:
        """Start the refresher thread, once."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._run, name="snapshot-refresher", daemon=True
        )
        self._thread.start()
        logger.info("Snapshot refresher started")

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to stop and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        logger.info("Snapshot refresher stopped")

    def _run(self) -> None:
        next_full = 0.0
        failures = 0
        while not self._stop.is_set():
            try:
                if time.monotonic() >= next_full:
                    self.rebuild_all()
                    next_full = time.monotonic() + self.full_interval
                else:
                    self.poll()
            except Exception:
                # A database outage lands here on every poll, so only the
                # first failure and then one in FAILURE_LOG_EVERY is logged.
                # The snapshots already built keep being served meanwhile.
                failures += 1
                if failures % FAILURE_LOG_EVERY == 1:
                    logger.exception(
                        "Snapshot refresh failed %s times in a row; retrying",
                        failures,
                    )
                connections.close_all()
            else:
                if failures:
                    logger.info(
                        "Snapshot refresh recovered after %s failures", failures
                    )
                failures = 0
            self._stop.wait(self.poll_interval)
        connections.close_all()

    # One step each

    @property
    def builder(self) -> SnapshotBuilder:
        if self._builder is None:
            self._builder = SnapshotBuilder(languages=self._languages())
        return self._builder

    def _languages(self) -> list[str]:
        """Return the languages to render variants in: every shipped one
        when files are written, since a proxy cannot ask for more, else
        those that visitors asked for."""
        if self.files is not None:
            return list(SHIPPED_LANGUAGES)
        return sorted(self.store.learned_languages())

    def poll(self) -> set[int]:
        """Rebuild the pages of new outbox events, or every page when a
        request brought a new host or language; return the ids of the
        pages rebuilt."""
        new_hosts = self.store.take_new_hosts() - self._hosts
        new_languages = self.store.take_new_languages()
        if new_hosts or new_languages:
            self._hosts |= new_hosts
            self.builder.languages = self._languages()
            self.rebuild_all()
            return set(self._entries)

        page_ids, kinds = self._new_event_pages()
        page_count = Page.objects.count()
        if EventKind.PAGE_UPDATED in kinds or page_count != self._page_count:
            # A page's slug, domain or access, or the number of pages,
            # decides which page the v2 JSON of every host resolves to.
            self.rebuild_all()
            return set(self._entries)

        for page_id in sorted(page_ids):
            self.rebuild_page(page_id)
        return page_ids

    def _new_event_pages(self) -> tuple[set[int], set[str]]:
        """Return the pages and kinds of the events committed since the
        last call."""
        floor = max(self.last_event_id - LOOKBACK_IDS, 0)
        rows = OutboxEvent.objects.filter(pk__gt=floor).order_by("pk")
        page_ids = set()
        kinds = set()
        for event_id, page_id, kind in rows.values_list("pk", "page_id", "kind"):
            if event_id in self._seen_ids:
                continue
            self._seen_ids.add(event_id)
            self.last_event_id = max(self.last_event_id, event_id)
            kinds.add(kind)
            if page_id is not None:
                page_ids.add(page_id)
        self._seen_ids = {
            event_id
            for event_id in self._seen_ids
            if event_id > self.last_event_id - LOOKBACK_IDS
        }
        if page_ids:
            logger.debug(
                "Outbox up to event %s names pages %s", self.last_event_id, page_ids
            )
        return page_ids, kinds

    def _skip_old_events(self) -> None:
        latest = (
            OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
        )
        if latest is None:
            return
        ids = OutboxEvent.objects.filter(pk__gt=latest - LOOKBACK_IDS).values_list(
            "pk", flat=True
        )
        self._seen_ids |= set(ids)
        self.last_event_id = max(self.last_event_id, latest)

    def rebuild_all(self) -> None:
        """Rebuild every page, and drop the snapshots and files of pages
        that no longer exist."""
        started = time.monotonic()
        if not self._seen_ids and self.last_event_id == 0:
            # Everything committed so far is in the build that follows.
            self._skip_old_events()
        self._hosts = configured_hosts() | self.store.learned_hosts()

        page_ids = set(Page.objects.values_list("pk", flat=True))
        self._page_count = len(page_ids)
        gone = set(self._entries) | self.store.page_ids()
        if self.files is not None:
            gone |= self.files.page_ids()
        for page_id in sorted(gone - page_ids):
            self._drop(page_id)
        for page_id in sorted(page_ids):
            self.rebuild_page(page_id)
        logger.debug(
            "Snapshots of %s pages on %s hosts rebuilt in %.0f ms",
            len(page_ids),
            len(self._hosts),
            (time.monotonic() - started) * 1000,
        )

    def rebuild_page(self, page_id: int) -> bool:
        """Rebuild one page's snapshot on every host; return whether it was
        rebuilt. A page that is gone or not public loses its snapshot."""
        started = time.monotonic()
        page = Page.objects.filter(pk=page_id).first()
        if page is None or not is_public(page):
            self._drop(page_id)
            return False
        if not self._hosts:
            self._hosts = configured_hosts() | self.store.learned_hosts()

        old = self._entries.get(page_id, {})
        new: dict[str, dict[str, SnapshotEntry]] = {}
        shared: dict[str, SnapshotEntry | None] = {}
        try:
            targets = {
                host: page_targets(page, host, self.builder.scheme)
                for host in sorted(self._hosts)
            }
            main = self._rebuild_main(page, targets, old)
            for host, host_targets in targets.items():
                new[host] = self.builder.build(
                    page, host, old.get(host), host_targets, shared, main.get(host)
                )
        except RenderFailed as error:
            logger.error(
                "Snapshot of page %s not rebuilt, the previous one stays: %s",
                page_id,
                error,
            )
            return False

        new = {host: entries for host, entries in new.items() if entries}
        for host in set(old) | set(new):
            self.store.replace(page_id, host, new.get(host, {}))
        self._entries[page_id] = new
        if self.files is not None:
            self.files.write_page(page_id, new)

        logger.info(
            "Snapshot of page %s rebuilt: %s paths on %s hosts in %.0f ms",
            page_id,
            sum(len(entries) for entries in new.values()),
            len(new),
            (time.monotonic() - started) * 1000,
        )
        return True

    def _rebuild_main(
        self,
        page: Page,
        targets: dict[str, list[Target]],
        old: dict[str, dict[str, SnapshotEntry]],
    ) -> dict[str, dict[str, SnapshotEntry | None]]:
        """Render the main page first, swap it into the store and announce
        it when it changed, so that live updates need not wait for the
        page's other paths; return the entries rendered, by host and path.

        The main page is rendered on every host, because a visitor's page
        fetches itself on its own host; the ETag of the first host, in
        sorted order, is the page's version.
        """
        rendered: dict[str, dict[str, SnapshotEntry | None]] = {}
        version = None
        for host, host_targets in targets.items():
            main = next((t for t in host_targets if t.main), None)
            if main is None:
                continue
            previous = old.get(host, {}).get(main.path)
            entry = self.builder.build_entry(page.pk, host, main, previous)
            rendered[host] = {main.path: entry}
            if entry is None:
                continue
            if previous is None or previous.default.etag != entry.default.etag:
                self.store.put(page.pk, host, main.path, entry)
                if self.files is not None:
                    self.files.write_entry(host, main.path, entry)
            if version is None:
                version = entry.default.etag
        self._announce(page.pk, version)
        return rendered

    def _announce(self, page_id: int, version: str | None) -> None:
        """Send ``snapshot_changed`` when the main page's ETag changed. The
        ETag is that of the first host, in sorted order, that serves it."""
        if version is None or version == self.store.version(page_id):
            return
        self.store.set_version(page_id, version)
        snapshot_changed.send(sender=Refresher, core_page_id=page_id, version=version)

    def _drop(self, page_id: int) -> None:
        had = page_id in self._entries or page_id in self.store.page_ids()
        self._entries.pop(page_id, None)
        self.store.remove_page(page_id)
        removed = self.files.remove_page(page_id) if self.files is not None else 0
        if had or removed:
            logger.info(
                "Snapshot of page %s removed with %s files: it is gone or not public",
                page_id,
                removed,
            )


_refresher: Refresher | None = None
_refresher_lock = threading.Lock()


def start_refresher() -> Refresher:
    """Start this process's refresher, once, writing files when
    ``STATUS_SNAPSHOT_ROOT`` is set; return it."""
    global _refresher
    with _refresher_lock:
        if _refresher is None:
            root = getattr(settings, "STATUS_SNAPSHOT_ROOT", "")
            files = SnapshotFiles(root) if root else None
            _refresher = Refresher(store, files=files)
            _refresher.start()
    return _refresher
