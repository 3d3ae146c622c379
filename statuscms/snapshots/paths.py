"""The public, cacheable paths that a status page's snapshot holds."""

from __future__ import annotations

__all__ = ["API_PREFIX", "SNAPSHOT_PATHS"]

API_PREFIX = "/api/v2/"

SNAPSHOT_PATHS: list[str] = [
    # Relative to the status page's URL, such as "" for "/" or "/acme/".
    "",
    # Feeds, calendar, badge and embed widget of statuscms.feed_views.
    "feed.rss",
    "feed.atom",
    "maintenances.ics",
    "badge.svg",
    "embed/",
    # Absolute on the host: the public v2 JSON of statuscore.api.v2. On a
    # host that is no page's domain, each is stored with ``?page=<slug>``.
    "/api/v2/summary.json",
    "/api/v2/status.json",
    "/api/v2/components.json",
    "/api/v2/incidents.json",
    "/api/v2/incidents/unresolved.json",
    "/api/v2/scheduled-maintenances.json",
    "/api/v2/scheduled-maintenances/upcoming.json",
    "/api/v2/scheduled-maintenances/active.json",
    "/api/v2/uptime.json",
]
"""Paths rendered into each public page's snapshot.

A path without a leading slash is relative to the status page's URL; one
with a leading slash is absolute on the host. A path may contain
``{component_id}``, which is replaced by the id of each of the page's
components in turn; each such path costs a rendering per component in
every rebuild, once a minute, so the component pages are left to Django.
A path whose response is not 200, or whose response sets a cookie or
varies by cookie, is left out of the snapshot and served by Django, so
adding a path here never breaks it. Only add paths whose
response depends on nothing but the host, the path and ``Accept-Language``.
"""
