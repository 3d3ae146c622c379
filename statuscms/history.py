"""Read the incident history of a page one local month at a time.

A month is a calendar month in the page's time zone, so an incident that
starts at 07:00 on the 1st in Australia/Melbourne (21:00 UTC the day
before) is listed under the 1st and under its own month. Only public
incidents are listed.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from statuscms.overview import HistoryDay, public_incidents
from statuscms.times import month_bounds
from statuscore.models import Incident, Page
from statuscore.summary import page_zone

__all__ = ["HistoryMonth", "current_month", "load_history_month"]


@dataclass(frozen=True)
class HistoryMonth:
    """The public incidents of one local month, grouped by local day.

    ``days`` contains only the days with incidents, newest first, and each
    day's incidents newest first. ``older`` and ``newer`` are the first
    days of the nearest months before and after this one that have
    incidents, or None when there is none, so paging skips empty months.
    """

    month: date
    time_zone: str
    days: list[HistoryDay]
    older: date | None
    newer: date | None

    @property
    def incident_count(self) -> int:
        return sum(len(day.incidents) for day in self.days)


def current_month(page: Page, now: datetime | None = None) -> date:
    """Return the first day of the month that it is now in the page's zone."""
    local = timezone.localtime(now or timezone.now(), page_zone(page))
    return local.date().replace(day=1)


def _month_of(value: datetime | None, zone: zoneinfo.ZoneInfo) -> date | None:
    if value is None:
        return None
    return timezone.localtime(value, zone).date().replace(day=1)


def _group_by_day(
    incidents: list[Incident], zone: zoneinfo.ZoneInfo
) -> list[HistoryDay]:
    by_day: dict[date, list[Incident]] = {}
    for incident in incidents:
        day = timezone.localtime(incident.started_at, zone).date()
        by_day.setdefault(day, []).append(incident)
    return [HistoryDay(day, by_day[day]) for day in sorted(by_day, reverse=True)]


def load_history_month(page: Page, month: date) -> HistoryMonth:
    """Read the public incidents that started in ``month`` of the page's zone.

    ``month`` is any day of the month to read. It makes four queries,
    whatever the number of incidents: the month's incidents, their
    components, and the nearest older and newer start for the paging links.
    """
    zone = page_zone(page)
    start, end = month_bounds(month.year, month.month, zone)

    incidents = list(
        public_incidents(page)
        .filter(started_at__gte=start, started_at__lt=end)
        .order_by("-started_at", "-id")
        .prefetch_related("components")
    )
    older = (
        public_incidents(page)
        .filter(started_at__lt=start)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    newer = (
        public_incidents(page)
        .filter(started_at__gte=end)
        .order_by("started_at")
        .values_list("started_at", flat=True)
        .first()
    )

    return HistoryMonth(
        month=start.date(),
        time_zone=zone.key,
        days=_group_by_day(incidents, zone),
        older=_month_of(older, zone),
        newer=_month_of(newer, zone),
    )
