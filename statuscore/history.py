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

from statuscore.models import Check, CheckResult, CheckRollupDay, Component, Page
from statuscore.rollups import local_day_bounds, maintenance_windows
from statuscore.summary import page_zone
from statuscore.uptime import Measure, Sample, Span, coverage_cap, measure

__all__ = [
    "ComponentUptime",
    "DayBar",
    "UptimeHistory",
    "component_uptimes",
    "uptime_history",
]

DEFAULT_DAYS = 90
LAST_DAY = timedelta(hours=24)

Key = int
"""Primary key of the check or component a group of checks belongs to."""


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
    degraded_seconds: float = 0.0
    period_seconds: float = 0.0


@dataclass(frozen=True)
class UptimeHistory:
    """Daily bars, oldest first, and the figures over the whole period."""

    days: list[DayBar]
    uptime_percent: float | None
    coverage: float | None
    time_zone: str


@dataclass(frozen=True)
class ComponentUptime:
    """A component's daily bars, and its figures over the last 24 hours.

    ``last_day`` is a rolling 24 hours up to now, not a calendar day.
    """

    component: Component
    checks_count: int
    last_day: Measure
    history: UptimeHistory

    def over_days(self, days: int) -> Measure:
        """Return the figures of the last ``days`` local days, today included."""
        return sum(
            (_bar_measure(bar) for bar in self.history.days[-days:]), Measure()
        )


def _bar_measure(bar: DayBar) -> Measure:
    return Measure(
        period_seconds=bar.period_seconds,
        known_seconds=bar.known_seconds,
        down_seconds=bar.down_seconds,
        degraded_seconds=bar.degraded_seconds,
        maintenance_seconds=bar.maintenance_seconds,
    )


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
        degraded_seconds=totals.degraded_seconds,
        period_seconds=totals.period_seconds,
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


@dataclass
class _Measured:
    """Figures of one group of checks: per local day, and the last 24 hours."""

    days: dict[date, Measure]
    last_day: Measure


def _measure_groups(
    groups: dict[Key, list[Check]],
    zone: zoneinfo.ZoneInfo,
    days: int,
    now: datetime,
) -> tuple[list[date], dict[date, Span], dict[Key, _Measured]]:
    """Measure each group of checks day by day, and over the last 24 hours.

    All groups are read together, so the number of queries is the same for
    one group as for a hundred, and for ten days as for ten years.

    1. Work out each day's bounds in the page's time zone.
    2. Read the day roll-ups of the closed days.
    3. Read raw results for today, for yesterday when a check has no
       roll-up for it yet, and for the last 24 hours, and measure those
       periods from them.
    4. Add the checks' figures per group.
    """
    today = now.astimezone(zone).date()
    dates = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    spans = {day: Span(*local_day_bounds(day, zone)) for day in dates}
    spans[today] = Span(spans[today].start, now)
    day_ago = now - LAST_DAY

    measured: dict[Key, _Measured] = {}
    for key, checks in groups.items():
        # A group's period counts once per check, so its coverage stays
        # between 0 and 1 however many checks it has.
        weight = max(len(checks), 1)
        measured[key] = _Measured(
            days={
                day: Measure(period_seconds=spans[day].seconds * weight)
                for day in dates
            },
            last_day=Measure(period_seconds=LAST_DAY.total_seconds() * weight),
        )
    group_of = {check.pk: key for key, checks in groups.items() for check in checks}
    all_checks = [check for checks in groups.values() for check in checks]
    if not all_checks:
        return dates, spans, measured

    by_start = {spans[day].start: day for day in dates}
    rolled: set[tuple[int, date]] = set()
    rollups = CheckRollupDay.objects.filter(
        uptime_check__in=all_checks,
        bucket_start__gte=spans[dates[0]].start,
        bucket_start__lt=spans[today].start,
    )
    for row in rollups:
        day = by_start.get(row.bucket_start)
        # A roll-up from before a change of the page's time zone matches
        # no local day, and is left out.
        if day is not None and row.bucket_end == spans[day].end:
            measured[group_of[row.uptime_check_id]].days[day] += _from_rollup(row)
            rolled.add((row.uptime_check_id, day))

    raw_days = [today]
    yesterday = today - timedelta(days=1)
    if yesterday in spans and any((c.pk, yesterday) not in rolled for c in all_checks):
        raw_days.insert(0, yesterday)

    raw_start = min(spans[raw_days[0]].start, day_ago)
    samples = _raw_samples(all_checks, raw_start, now)
    windows = maintenance_windows(
        {check.component_id for check in all_checks}, raw_start, now
    )
    for check in all_checks:
        figures = measured[group_of[check.pk]]
        options = {
            "interval_seconds": check.interval_seconds,
            "maintenance": windows.get(check.component_id, []),
        }
        check_samples = samples.get(check.pk, [])
        for day in raw_days:
            if (check.pk, day) not in rolled:
                span = spans[day]
                figures.days[day] += _known_part(
                    measure(check_samples, span.start, span.end, **options)
                )
        figures.last_day += _known_part(measure(check_samples, day_ago, now, **options))

    return dates, spans, measured


def _known_part(measured: Measure) -> Measure:
    """Return ``measured`` without its period, which the caller has counted."""
    return Measure(
        known_seconds=measured.known_seconds,
        down_seconds=measured.down_seconds,
        degraded_seconds=measured.degraded_seconds,
        maintenance_seconds=measured.maintenance_seconds,
    )


def uptime_history(
    target: Check | Component,
    days: int = DEFAULT_DAYS,
    *,
    now: datetime | None = None,
) -> UptimeHistory:
    """Return the last ``days`` local days of uptime of a check or component.

    The last bar is today, up to ``now``. Days before the first result are
    days without data, so a new check shows no percentage rather than 100%.
    It makes at most four queries, whatever the length of the history.

    NOTE: an older closed day whose roll-up is missing, because the
    periodic roll-up has not run, shows no data until it runs.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}.")

    now = now or timezone.now()
    checks, zone = _target(target)
    dates, spans, measured = _measure_groups({target.pk: checks}, zone, days, now)
    return _history(dates, spans, measured[target.pk].days, zone)


def component_uptimes(
    page: Page,
    days: int = DEFAULT_DAYS,
    *,
    components: Sequence[Component] | None = None,
    now: datetime | None = None,
) -> list[ComponentUptime]:
    """Return the uptime of every component of ``page``, in page order.

    ``components`` are the page's components when the caller has read
    them already, which saves a query. Otherwise it makes five queries,
    whatever the number of components, checks and days: the components,
    their checks, and the reads of ``uptime_history`` for all checks at
    once. Components without checks need no reads after the checks.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}.")

    now = now or timezone.now()
    zone = page_zone(page)
    if components is None:
        components = list(Component.objects.filter(page=page))
    groups: dict[Key, list[Check]] = {component.pk: [] for component in components}
    for check in Check.objects.filter(component__in=components):
        groups[check.component_id].append(check)
    dates, spans, measured = _measure_groups(groups, zone, days, now)

    return [
        ComponentUptime(
            component=component,
            checks_count=len(groups[component.pk]),
            last_day=measured[component.pk].last_day,
            history=_history(dates, spans, measured[component.pk].days, zone),
        )
        for component in components
    ]


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
