"""The process-local store of snapshots that the fast path reads.

Keys are ``(host, path)``: the request's host as Django's ``get_host()``
returns it, lower-cased and without a trailing dot but with its port,
because a response may contain absolute links built from it; and the path
with its query string, which only the v2 JSON's ``?page=<slug>`` uses.

Readers take no lock. Writers build a page's new entries first and then
swap them in under a lock, so a reader sees either the old or the new
snapshot of a key, never a mix.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from statuscms.languages import choose_language

__all__ = [
    "MAX_LEARNED_HOSTS",
    "EncodedBody",
    "Snapshot",
    "SnapshotEntry",
    "SnapshotStore",
    "store",
]

logger = logging.getLogger(__name__)

MAX_LEARNED_HOSTS = 64
"""Hosts, beyond the configured ones, that a process builds snapshots for.

A host is learned when a request for it misses the store. The limit keeps
requests with made-up hosts, which a wildcard ``ALLOWED_HOSTS`` lets in,
from growing the store without end.
"""


@dataclass(frozen=True)
class EncodedBody:
    """A compressed copy of a snapshot's body, with its own headers.

    ``headers`` is the complete list for a 200 response, like
    ``Snapshot.headers``, with ``content-encoding`` and its own ``etag``.
    """

    body: bytes
    etag: str
    headers: tuple[tuple[bytes, bytes], ...]


@dataclass(frozen=True)
class Snapshot:
    """One stored response: its body and the headers sent with it.

    ``headers`` is the complete list for a 200 response, as ASGI wants it
    (lower-case names, bytes), with ``content-length``. ``last_modified``
    is seconds since the epoch, when the body last changed.
    ``encodings`` contains the compressed copies by content coding, such as
    ``"gzip"``; when it is not empty, every variant's ``vary`` names
    ``Accept-Encoding``.
    """

    body: bytes
    content_type: str
    etag: str
    last_modified: float
    headers: tuple[tuple[bytes, bytes], ...]
    language: str | None = None
    encodings: dict[str, EncodedBody] = field(default_factory=dict)


@dataclass(frozen=True)
class SnapshotEntry:
    """A path's snapshot and its language variants.

    ``default`` is what Django serves without ``Accept-Language``, in the
    page's own language ``default_language``. When the response varies by
    ``Accept-Language`` (``varies``), ``languages`` maps the shipped
    language codes built so far, such as ``"de"``, to their variants.
    """

    core_page_id: int
    default: Snapshot
    languages: dict[str, Snapshot] = field(default_factory=dict)
    default_language: str | None = None
    varies: bool = False

    def choose(self, accept_language: str | None) -> tuple[Snapshot | None, str]:
        """Return the variant for an ``Accept-Language`` header value and
        its language, by the rule the page itself follows
        (``statuscms.languages``). The variant is None when that language
        has not been built."""
        language = self.default_language or ""
        if not self.varies or not accept_language:
            return self.default, language
        code = choose_language(accept_language, self.default_language)
        if code == self.default_language:
            return self.default, code
        return self.languages.get(code), code


class SnapshotStore:
    """Snapshots by ``(host, path)``, grouped by core page for rebuilds."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], SnapshotEntry] = {}
        self._hosts: frozenset[str] = frozenset()
        self._keys_by_page: dict[tuple[int, str], set[tuple[str, str]]] = {}
        self._versions: dict[int, str] = {}
        self._learned_hosts: set[str] = set()
        self._new_hosts: set[str] = set()
        self._languages: set[str] = set()
        self._new_languages: set[str] = set()
        self._lock = threading.Lock()

    def get(self, host: str, path: str) -> SnapshotEntry | None:
        """Return the entry for ``host`` and ``path`` (with its query)."""
        return self._entries.get((host, path))

    def has_host(self, host: str) -> bool:
        """Return whether any snapshot is stored for ``host``."""
        return host in self._hosts

    def replace(
        self, core_page_id: int, host: str, entries: dict[str, SnapshotEntry]
    ) -> None:
        """Make ``entries`` (by path) the page's whole snapshot on ``host``."""
        new_keys = {(host, path) for path in entries}
        with self._lock:
            old_keys = self._keys_by_page.get((core_page_id, host), set())
            for key in old_keys - new_keys:
                self._entries.pop(key, None)
            for path, entry in entries.items():
                self._entries[(host, path)] = entry
            if new_keys:
                self._keys_by_page[(core_page_id, host)] = new_keys
            else:
                self._keys_by_page.pop((core_page_id, host), None)
            self._hosts = frozenset(host for _page, host in self._keys_by_page)

    def put(
        self, core_page_id: int, host: str, path: str, entry: SnapshotEntry
    ) -> None:
        """Store one path of the page on ``host``, keeping its other paths.

        The refresher swaps in a changed main page this way before it
        renders the page's other paths."""
        with self._lock:
            self._entries[(host, path)] = entry
            self._keys_by_page.setdefault((core_page_id, host), set()).add((host, path))
            self._hosts = frozenset(host for _page, host in self._keys_by_page)

    def remove_page(self, core_page_id: int) -> None:
        """Drop every snapshot of the page, on every host."""
        with self._lock:
            for page_and_host in [
                k for k in self._keys_by_page if k[0] == core_page_id
            ]:
                for key in self._keys_by_page.pop(page_and_host):
                    self._entries.pop(key, None)
            self._hosts = frozenset(host for _page, host in self._keys_by_page)
            self._versions.pop(core_page_id, None)

    def page_ids(self) -> set[int]:
        """Return the ids of the core pages that have snapshots."""
        return {page_id for page_id, _host in self._keys_by_page}

    def paths(self, core_page_id: int, host: str) -> set[str]:
        """Return the paths stored for the page on ``host``."""
        return {
            path for _host, path in self._keys_by_page.get((core_page_id, host), ())
        }

    def version(self, core_page_id: int) -> str | None:
        """Return the ETag of the page's main page when it was last built."""
        return self._versions.get(core_page_id)

    def set_version(self, core_page_id: int, version: str) -> None:
        self._versions[core_page_id] = version

    def learn_host(self, host: str) -> None:
        """Ask the refresher to build snapshots for ``host`` too.

        Called by the fast path on a miss; cheap when the host is known.
        """
        if host in self._learned_hosts:
            return
        with self._lock:
            if host in self._learned_hosts:
                return
            if len(self._learned_hosts) >= MAX_LEARNED_HOSTS:
                return
            self._learned_hosts.add(host)
            self._new_hosts.add(host)
            full = len(self._learned_hosts) >= MAX_LEARNED_HOSTS
        logger.info("Snapshot host %r learned from a request", host)
        if full:
            logger.warning(
                "Snapshot store learned %s hosts; requests for other hosts "
                "go to Django",
                MAX_LEARNED_HOSTS,
            )

    def learn_language(self, code: str) -> None:
        """Ask the refresher to build variants in the language ``code``.

        Called by the fast path when a visitor prefers a language that has
        no variant yet. Only shipped languages reach it, so the set stays
        small.
        """
        if code in self._languages:
            return
        with self._lock:
            self._languages.add(code)
            self._new_languages.add(code)
        logger.info("Snapshot language %r learned from a request", code)

    def learned_languages(self) -> set[str]:
        return set(self._languages)

    def take_new_languages(self) -> set[str]:
        """Return the languages learned since the last call, and forget them."""
        with self._lock:
            languages, self._new_languages = self._new_languages, set()
        return languages

    def learned_hosts(self) -> set[str]:
        return set(self._learned_hosts)

    def take_new_hosts(self) -> set[str]:
        """Return the hosts learned since the last call, and forget them."""
        with self._lock:
            hosts, self._new_hosts = self._new_hosts, set()
        return hosts

    def clear(self) -> None:
        """Forget every snapshot and learned host (for tests)."""
        with self._lock:
            self._entries.clear()
            self._hosts = frozenset()
            self._keys_by_page.clear()
            self._versions.clear()
            self._learned_hosts.clear()
            self._new_hosts.clear()
            self._languages.clear()
            self._new_languages.clear()


store = SnapshotStore()
"""The store of this process, filled by the refresher, read by the fast path."""
