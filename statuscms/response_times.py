"""Response-time series of checks for the last 24 hours, 7 days and 30 days.

The series come from the roll-ups of ``statuscore.rollups``: UTC hours for
24 hours and 7 days, calendar days in the page's time zone for 30 days.
The bucket still open (the current hour, or today) has no roll-up yet and
is averaged from the raw results. A bucket without any response time is a
gap. Every check is read in three queries together, whatever their number.

The value of a bucket is the average response time of its results that
were not down, the same average the roll-ups store.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from statuscms.charts import ChartPoint, line_chart
from statuscore.models import (
    Check,
    CheckResult,
    CheckRollupDay,
    CheckRollupHour,
    ResultStatus,
)
from statuscore.rollups import local_day_bounds

__all__ = ["RANGES", "ChartRange", "CheckCharts", "RenderedChart", "check_charts"]

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class ChartRange:
    """A period a chart covers: its key, its length and its bucket."""

    key: str
    buckets: int
    daily: bool


RANGES = (
    ChartRange("24h", buckets=24, daily=False),
    ChartRange("7d", buckets=7 * 24, daily=False),
    ChartRange("30d", buckets=30, daily=True),
)


@dataclass(frozen=True)
class RenderedChart:
    """One range's chart of one check: its key, label and SVG."""

    key: str
    label: str
    svg: str


@dataclass(frozen=True)
class CheckCharts:
    """The charts of one check, in the order of ``RANGES``."""

    check: Check
    charts: list[RenderedChart]


def _range_label(chart_range: ChartRange) -> str:
    return {
        "24h": _("24 hours"),
        "7d": _("7 days"),
        "30d": _("30 days"),
    }[chart_range.key]


def _title(check: Check, chart_range: ChartRange) -> str:
    # Whole sentences per range, because languages inflect "last" by the
    # noun that follows it.
    titles = {
        "24h": _("Response time of %(check)s over the last 24 hours"),
        "7d": _("Response time of %(check)s over the last 7 days"),
        "30d": _("Response time of %(check)s over the last 30 days"),
    }
    return titles[chart_range.key] % {"check": check.name}


def _bucket_starts(
    chart_range: ChartRange, now: datetime, zone: zoneinfo.ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """Return the ``(start, end)`` of each bucket of the range, oldest first.

    The last bucket is the open one and ends at its natural end, after now.
    """
    if chart_range.daily:
        today = timezone.localtime(now, zone).date()
        days = [
            today - timedelta(days=offset)
            for offset in range(chart_range.buckets - 1, -1, -1)
        ]
        return [local_day_bounds(day, zone) for day in days]
    current = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return [
        (current - offset * HOUR, current - offset * HOUR + HOUR)
        for offset in range(chart_range.buckets - 1, -1, -1)
    ]


def _averages(rows) -> float | None:
    times = [value for value in rows if value is not None]
    return sum(times) / len(times) if times else None


def _read_values(
    checks: Sequence[Check], now: datetime, zone: zoneinfo.ZoneInfo
) -> dict[tuple[int, str, datetime], float | None]:
    """Return the average response time by ``(check id, "hour" or "day", start)``.

    1. Hourly roll-ups of the last 7 days.
    2. Daily roll-ups of the last 30 local days.
    3. Raw results of the open hour and of today, which have no roll-up.
    """
    values: dict[tuple[int, str, datetime], float | None] = {}
    hour_start = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    today_start, _today_end = local_day_bounds(
        timezone.localtime(now, zone).date(), zone
    )
    first_hour = hour_start - (RANGES[1].buckets - 1) * HOUR
    first_day = today_start - timedelta(days=RANGES[2].buckets + 1)

    hours = CheckRollupHour.objects.filter(
        uptime_check__in=checks,
        bucket_start__gte=first_hour,
        bucket_start__lt=hour_start,
    ).values_list("uptime_check_id", "bucket_start", "latency_avg_ms")
    for check_id, start, average in hours:
        values[(check_id, "hour", start)] = average

    days = CheckRollupDay.objects.filter(
        uptime_check__in=checks,
        bucket_start__gte=first_day,
        bucket_start__lt=today_start,
    ).values_list("uptime_check_id", "bucket_start", "latency_avg_ms")
    for check_id, start, average in days:
        values[(check_id, "day", start)] = average

    open_since = min(hour_start, today_start)
    raw = (
        CheckResult.objects.filter(
            uptime_check__in=checks, checked_at__gte=open_since, checked_at__lte=now
        )
        .exclude(status=ResultStatus.DOWN)
        .values_list("uptime_check_id", "checked_at", "response_time_ms")
    )
    in_hour: dict[int, list[float | None]] = defaultdict(list)
    in_day: dict[int, list[float | None]] = defaultdict(list)
    for check_id, checked_at, response_time in raw:
        if checked_at >= hour_start:
            in_hour[check_id].append(response_time)
        if checked_at >= today_start:
            in_day[check_id].append(response_time)
    for check in checks:
        values[(check.pk, "hour", hour_start)] = _averages(in_hour[check.pk])
        values[(check.pk, "day", today_start)] = _averages(in_day[check.pk])
    return values


def _time_ticks(
    chart_range: ChartRange,
    buckets: list[tuple[datetime, datetime]],
    zone: zoneinfo.ZoneInfo,
) -> list[tuple[datetime, str]]:
    """Return the labelled instants of the time axis, in the page's zone.

    24 hours are labelled every six local hours, 7 days at each local
    midnight, and 30 days every seventh day counted back from today. In a
    zone whose offset is not whole hours, hours start at half past, and
    the labels show that time.
    """
    start, end = buckets[0][0], buckets[-1][1]
    if chart_range.key == "30d":
        ticks = [bucket[0] for bucket in buckets[::-7]]
        return [(tick, _day_label(tick, zone)) for tick in reversed(ticks)]

    ticks = []
    step = 6 if chart_range.key == "24h" else 24
    moment = start
    while moment <= end:
        local = timezone.localtime(moment, zone)
        if local.hour % step == 0:
            label = _day_label(moment, zone) if step == 24 else f"{local:%H:%M}"
            ticks.append((moment, label))
        moment += HOUR
    return ticks


def _day_label(moment: datetime, zone: zoneinfo.ZoneInfo) -> str:
    return formats.date_format(timezone.localtime(moment, zone).date(), "j M")


def _description(
    check: Check, chart_range: ChartRange, points: list[ChartPoint]
) -> str:
    values = [point.value for point in points if point.value is not None]
    if chart_range.daily:
        intro = _("Average response time per day, in milliseconds.")
    else:
        intro = _("Average response time per hour, in milliseconds.")
    if not values:
        # Outside the f-string, where xgettext finds the message.
        no_data = _("No data for this period.")
        return f"{intro} {no_data}"

    missing = len(points) - len(values)
    summary = _("Lowest %(low)s ms, highest %(high)s ms.") % {
        "low": f"{min(values):.0f}",
        "high": f"{max(values):.0f}",
    }
    text = f"{intro} {summary}"
    if missing:
        text += " " + ngettext(
            "%(count)d period without data is left as a gap.",
            "%(count)d periods without data are left as gaps.",
            missing,
        ) % {"count": missing}
    return text


def _series(
    check: Check,
    chart_range: ChartRange,
    buckets: list[tuple[datetime, datetime]],
    values: dict[tuple[int, str, datetime], float | None],
) -> list[ChartPoint]:
    kind = "day" if chart_range.daily else "hour"
    return [
        ChartPoint(
            at=start + (end - start) / 2,
            value=values.get((check.pk, kind, start)),
        )
        for start, end in buckets
    ]


def check_charts(
    checks: Sequence[Check],
    zone: zoneinfo.ZoneInfo,
    *,
    now: datetime | None = None,
) -> list[CheckCharts]:
    """Return the three response-time charts of each check, in the given order.

    Makes three queries for all checks together, none when there are none.
    """
    if not checks:
        return []

    now = now or timezone.now()
    values = _read_values(checks, now, zone)
    result = []
    for check in checks:
        charts = []
        for chart_range in RANGES:
            buckets = _bucket_starts(chart_range, now, zone)
            points = _series(check, chart_range, buckets, values)
            label = _range_label(chart_range)
            charts.append(
                RenderedChart(
                    key=chart_range.key,
                    label=label,
                    svg=line_chart(
                        points,
                        start=buckets[0][0],
                        end=buckets[-1][1],
                        x_ticks=_time_ticks(chart_range, buckets, zone),
                        title=_title(check, chart_range),
                        description=_description(check, chart_range, points),
                        element_id=f"chart-{check.pk}-{chart_range.key}",
                        no_data_text=_("No data"),
                    ),
                )
            )
        result.append(CheckCharts(check=check, charts=charts))
    return result
