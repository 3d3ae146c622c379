"""Daily uptime bars of a check or a component, for the public page.

Days are calendar days in the page's time zone. Closed days are read from
``CheckRollupDay``. Raw results are read only for today, and for
yesterday when its roll-up is not written yet. The number of queries is
therefore the same for ten days of history as for ten years.

A component's figures are the sums over its checks: its known time is the
checks' known time added up, and likewise its downtime. Two checks that
are each down for an hour of a day give the component 2 hours of downtime
in 48 known hours. Its period and maintenance time count once per check
too, so coverage stays a share between 0 and 1.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from statuscore.models import Check, CheckResult, CheckRollupDay, Component
from statuscore.rollups import local_day_bounds, maintenance_windows
from statuscore.summary import page_zone
from statuscore.uptime import Measure, Sample, Span, coverage_cap, measure

__all__ = ["DayBar", "UptimeHistory", "uptime_history"]

DEFAULT_DAYS = 90


@dataclass(frozen=True)
class DayBar:
    """One local day of the uptime bars.

    ``uptime_percent`` and ``worst_status`` are ``None`` on a day without
    data. ``coverage`` is the known share of the day, from 0 to 1. For
    today it is the share of the part of the day that has passed.
    """

    day: date
    start: datetime
    end: datetime
    uptime_percent: float | None
    worst_status: str | None
    coverage: float | None
    known_seconds: float
    down_seconds: float
    maintenance_seconds: float


@dataclass(frozen=True)
class UptimeHistory:
    """Daily bars, oldest first, and the figures over the whole period."""

    days: list[DayBar]
    uptime_percent: float | None
    coverage: float | None
    time_zone: str


def _bar(day: date, span: Span, totals: Measure) -> DayBar:
    return DayBar(
        day=day,
        start=span.start,
        end=span.end,
        uptime_percent=totals.uptime_percent,
        worst_status=totals.worst_status,
        coverage=totals.coverage,
        known_seconds=totals.known_seconds,
        down_seconds=totals.down_seconds,
        maintenance_seconds=totals.maintenance_seconds,
    )


def _from_rollup(row: CheckRollupDay) -> Measure:
    return Measure(
        known_seconds=row.known_seconds,
        down_seconds=row.down_seconds,
        degraded_seconds=row.degraded_seconds,
        maintenance_seconds=row.maintenance_seconds,
    )


def _raw_samples(
    checks: Sequence[Check], start: datetime, now: datetime
) -> dict[int, list[Sample]]:
    """Return each check's results from ``start`` on, in one query."""
    longest_cap = max(coverage_cap(check.interval_seconds) for check in checks)
    rows = (
        CheckResult.objects.filter(
            uptime_check__in=checks,
            checked_at__gte=start - longest_cap,
            checked_at__lte=now,
        )
        .order_by("checked_at", "id")
        .values_list("uptime_check_id", "checked_at", "status")
    )
    samples: dict[int, list[Sample]] = defaultdict(list)
    for check_id, checked_at, status in rows:
        samples[check_id].append(Sample(checked_at, status))
    return samples


def _target(target: Check | Component) -> tuple[list[Check], zoneinfo.ZoneInfo]:
    if isinstance(target, Check):
        return [target], page_zone(target.page)
    checks = list(Check.objects.filter(component=target).select_related("page"))
    page = checks[0].page if checks else target.page
    return checks, page_zone(page)


def uptime_history(
    target: Check | Component,
    days: int = DEFAULT_DAYS,
    *,
    now: datetime | None = None,
) -> UptimeHistory:
    """Return the last ``days`` local days of uptime of a check or component.

    The last bar is today, up to ``now``. Days before the first result are
    days without data, so a new check shows no percentage rather than 100%.

    1. Work out each day's bounds in the page's time zone.
    2. Read the day roll-ups of the closed days.
    3. Read raw results for today, and for yesterday when a check has no
       roll-up for it yet, and measure those days from them.
    4. Add the checks' figures per day, and all days for the period.

    NOTE: an older closed day whose roll-up is missing, because the
    periodic roll-up has not run, shows no data until it runs.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}.")

    now = now or timezone.now()
    checks, zone = _target(target)
    today = now.astimezone(zone).date()
    dates = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    spans = {day: Span(*local_day_bounds(day, zone)) for day in dates}
    spans[today] = Span(spans[today].start, now)
    # A component's period counts once per check, so its coverage stays
    # between 0 and 1 however many checks it has.
    weight = max(len(checks), 1)
    totals = {day: Measure(period_seconds=spans[day].seconds * weight) for day in dates}
    if not checks:
        return _history(dates, spans, totals, zone)

    by_start = {spans[day].start: day for day in dates}
    rolled: set[tuple[int, date]] = set()
    rollups = CheckRollupDay.objects.filter(
        uptime_check__in=checks,
        bucket_start__gte=spans[dates[0]].start,
        bucket_start__lt=spans[today].start,
    )
    for row in rollups:
        day = by_start.get(row.bucket_start)
        # A roll-up from before a change of the page's time zone matches
        # no local day, and is left out.
        if day is not None and row.bucket_end == spans[day].end:
            totals[day] += _from_rollup(row)
            rolled.add((row.uptime_check_id, day))

    raw_days = [today]
    yesterday = today - timedelta(days=1)
    if yesterday in spans and any((c.pk, yesterday) not in rolled for c in checks):
        raw_days.insert(0, yesterday)

    samples = _raw_samples(checks, spans[raw_days[0]].start, now)
    windows = maintenance_windows(
        {check.component_id for check in checks}, spans[raw_days[0]].start, now
    )
    for day in raw_days:
        for check in checks:
            if (check.pk, day) in rolled:
                continue
            measured = measure(
                samples.get(check.pk, []),
                spans[day].start,
                spans[day].end,
                interval_seconds=check.interval_seconds,
                maintenance=windows.get(check.component_id, []),
            )
            totals[day] += Measure(
                known_seconds=measured.known_seconds,
                down_seconds=measured.down_seconds,
                degraded_seconds=measured.degraded_seconds,
                maintenance_seconds=measured.maintenance_seconds,
            )

    return _history(dates, spans, totals, zone)


def _history(
    dates: list[date],
    spans: dict[date, Span],
    totals: dict[date, Measure],
    zone: zoneinfo.ZoneInfo,
) -> UptimeHistory:
    bars = [_bar(day, spans[day], totals[day]) for day in dates]
    overall = sum((totals[day] for day in dates), Measure())
    return UptimeHistory(
        days=bars,
        uptime_percent=overall.uptime_percent,
        coverage=overall.coverage,
        time_zone=zone.key,
    )
