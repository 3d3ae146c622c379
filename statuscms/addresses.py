"""Canonical absolute addresses of a status page and its machine-readable files.

Feeds, calendars and embed snippets are read far from the request that
produced them, and they are stored in snapshots served to every visitor,
so their links never come from the request's Host header. The address is
the core page's ``url`` when an editor set one, else the ``BASE_URL``
setting followed by the page's path in its Wagtail site.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

__all__ = ["FEED_FILES", "file_address", "page_address", "page_host"]

FEED_FILES = {
    "rss": "feed.rss",
    "atom": "feed.atom",
    "calendar": "maintenances.ics",
    "badge": "badge.svg",
    "embed": "embed/",
}
"""The machine-readable files of a status page, relative to its address."""


def page_address(status_page) -> str:
    """Return the canonical absolute URL of ``status_page``, ending in ``/``."""
    url = status_page.core_page.url
    if url:
        return url if url.endswith("/") else url + "/"

    parts = status_page.get_url_parts()
    path = parts[2] if parts else "/"
    return settings.BASE_URL.rstrip("/") + path


def file_address(status_page, kind: str) -> str:
    """Return the absolute URL of one of ``FEED_FILES`` of ``status_page``."""
    return page_address(status_page) + FEED_FILES[kind]


def page_host(status_page) -> str:
    """Return the host name of the page's canonical address, for tag URIs."""
    return urlsplit(page_address(status_page)).hostname or "localhost"
