"""Occurrences of a recurring maintenance window, computed in its time zone.

A ``MaintenanceSeries`` states its rule in local wall-clock time: "every
Sunday at 02:30 in Europe/Berlin, for one hour". Each occurrence is found
on the local calendar and then turned into UTC instants, so the window
stays at 02:30 local time across the changes to and from summer time.

Two local times need a rule, because the clock skips or repeats them:

- **Gap** (clocks go forward, such as 02:00-03:00 in Europe/Berlin on
  2026-03-29): a start inside the gap moves forward by the length of the
  gap, so 02:30 becomes 03:30 local time (01:30 UTC). This is the instant
  the start would have had without the clock change, and it keeps the
  window in the same night.
- **Overlap** (clocks go back, such as 02:00-03:00 in Europe/Berlin on
  2026-10-25, which happens twice): a start inside the overlap takes the
  first, earlier of the two instants, 02:30 summer time (00:30 UTC).

Each window lasts ``duration`` of elapsed time from its start, so a
one-hour window on the night the clocks go back still lasts one hour,
even though the wall clock may show the same hour at its end.

Python's ``zoneinfo`` follows PEP 495: a local time with ``fold=0`` maps,
in a gap, through the offset from before the transition (which moves it
forward by the gap) and, in an overlap, to the earlier instant. So both
rules are ``fold=0``; ``local_to_utc`` states that in one place.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

__all__ = ["local_to_utc", "monthly_date", "occurrences", "rule_matches"]

ONE_DAY = timedelta(days=1)


class SeriesRule(Protocol):
    """The fields of ``MaintenanceSeries`` that the rule reads."""

    time_zone: str
    frequency: str
    weekday: int | None
    week_of_month: int | None
    start_time: time
    duration: timedelta
    starts_on: date
    ends_on: date | None


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """Return the UTC instant of the wall-clock time ``at`` on ``day`` in
    ``zone``.

    A time in a gap moves forward by the gap's length, and a time in an
    overlap takes the earlier instant. PEP 495 gives both for ``fold=0``.
    """
    local = datetime.combine(day, at.replace(tzinfo=None)).replace(tzinfo=zone, fold=0)
    return local.astimezone(UTC)


def monthly_date(year: int, month: int, weekday: int, week_of_month: int) -> date:
    """Return the ``week_of_month``-th ``weekday`` of the month (0 is
    Monday), or the last one when ``week_of_month`` is -1."""
    if week_of_month == -1:
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (week_of_month - 1))


def rule_matches(series: SeriesRule, day: date) -> bool:
    """Return whether the series has an occurrence on the local date ``day``."""
    if day < series.starts_on:
        return False
    if series.ends_on is not None and day > series.ends_on:
        return False
    if series.frequency == "daily":
        return True
    if series.frequency == "weekly":
        return day.weekday() == series.weekday
    if series.frequency == "monthly":
        return day == monthly_date(
            day.year, day.month, series.weekday, series.week_of_month
        )
    raise ValueError(f"Unknown frequency {series.frequency!r}.")


def occurrences(
    series: SeriesRule, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Return the (start, end) UTC instants of the occurrences that start in
    ``[start, end)``, in order.

    ``start`` and ``end`` must be aware. Occurrences fall on the local
    dates from ``starts_on`` to ``ends_on`` (inclusive) that the rule
    names, at ``start_time`` in the series' zone, and last ``duration``
    of elapsed time. A start in a DST gap moves forward by the gap's
    length, and one in an overlap takes the earlier instant (see the
    module docstring).
    """
    zone = ZoneInfo(series.time_zone)
    day = start.astimezone(zone).date() - ONE_DAY
    last_day = end.astimezone(zone).date() + ONE_DAY

    found = []
    while day <= last_day:
        if rule_matches(series, day):
            begins = local_to_utc(day, series.start_time, zone)
            if start <= begins < end:
                found.append((begins, begins + series.duration))
        day += ONE_DAY
    return found
