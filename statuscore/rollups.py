"""Hourly and daily roll-ups of check results, and retention of raw results.

Hours are UTC hours. Days are calendar days in the time zone of the
check's page, so daily uptime bars need no raw results once a day has
closed. Each bucket is computed from the raw results by the rules of
``statuscore.uptime``, and latency percentiles are exact.

Rolling up is idempotent: a bucket is written with an upsert on
``(check, bucket_start)``, so running it again over the same range
rewrites the same rows. Buckets that begin less than one day after the
retention cutoff are only created, never rewritten, because some of the
raw results they were built from may already be deleted.
"""

from __future__ import annotations

import bisect
import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone

from django.db.models import Max, Min, Q
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from statuscore.conf import get_settings
from statuscore.models import (
    Check,
    CheckResult,
    CheckRollupDay,
    CheckRollupHour,
    Maintenance,
    MaintenanceStatus,
    ResultStatus,
)
from statuscore.summary import page_zone
from statuscore.uptime import Sample, Span, coverage_cap, latency_stats, measure

__all__ = [
    "delete_expired_results",
    "local_day_bounds",
    "maintenance_windows",
    "retention_cutoff",
    "roll_up_recent",
    "rollup_results",
]

logger = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
REROLL_MARGIN = timedelta(hours=2)
"""How far back each periodic run rolls up again, for results recorded late."""

FROZEN_MARGIN = timedelta(days=1)
DELETE_BATCH_SIZE = 10_000

# Maintenances that took place. A scheduled one never started, so its
# window is not excluded; a cancelled one counts only if it had started.
HELD_MAINTENANCE_STATUSES = (
    MaintenanceStatus.IN_PROGRESS,
    MaintenanceStatus.VERIFYING,
    MaintenanceStatus.COMPLETED,
)

RollupModel = type[CheckRollupHour] | type[CheckRollupDay]
Row = tuple[datetime, str, float | None]


def local_day_bounds(day: date, zone: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    """Return the UTC start and end of calendar day ``day`` in ``zone``."""
    start = datetime.combine(day, time(), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
    return start.astimezone(dt_timezone.utc), end.astimezone(dt_timezone.utc)


def retention_cutoff(now: datetime) -> datetime:
    """Return the time before which raw results are deleted."""
    return now - timedelta(days=get_settings().result_retention_days)


def maintenance_windows(
    component_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, list[Span]]:
    """Return the held maintenance windows overlapping ``[start, end)``, by
    component id, in one query.

    A window runs from the earlier of ``scheduled_for`` and ``started_at``
    (work started early counts, and so does the scheduler's lag of up to a
    minute) to ``completed_at`` or ``cancelled_at`` when the work has
    ended, else to ``scheduled_until``. A maintenance cancelled before it
    started has no window.
    """
    windows: dict[int, list[Span]] = defaultdict(list)
    ids = [pk for pk in component_ids if pk is not None]
    if not ids:
        return windows

    held = Q(maintenance__status__in=HELD_MAINTENANCE_STATUSES) | Q(
        maintenance__status=MaintenanceStatus.CANCELLED,
        maintenance__started_at__isnull=False,
    )
    rows = (
        Maintenance.components.through.objects.filter(held, component_id__in=ids)
        .annotate(
            begins=Least(
                Coalesce("maintenance__started_at", "maintenance__scheduled_for"),
                "maintenance__scheduled_for",
            ),
            ends=Coalesce(
                "maintenance__completed_at",
                "maintenance__cancelled_at",
                "maintenance__scheduled_until",
            ),
        )
        .filter(begins__lt=end, ends__gt=start)
        .values_list("component_id", "begins", "ends")
    )
    for component_id, begins, ends in rows:
        if ends > begins:
            windows[component_id].append(Span(begins, ends))
    return windows


def _closed_hours(since: datetime, until: datetime) -> list[Span]:
    """Return the UTC hours that end in ``(since, until]``."""
    end = since.astimezone(dt_timezone.utc).replace(minute=0, second=0, microsecond=0)
    end += HOUR
    hours = []
    while end <= until:
        hours.append(Span(end - HOUR, end))
        end += HOUR
    return hours


def _closed_days(
    since: datetime, until: datetime, zone: zoneinfo.ZoneInfo
) -> list[Span]:
    """Return the local days of ``zone`` that end in ``(since, until]``."""
    day = since.astimezone(zone).date() - timedelta(days=1)
    last = until.astimezone(zone).date()
    days = []
    while day <= last:
        start, end = local_day_bounds(day, zone)
        if since < end <= until:
            days.append(Span(start, end))
        day += timedelta(days=1)
    return days


def _build_row(
    model: RollupModel,
    check: Check,
    bucket: Span,
    rows: Sequence[Row],
    times: Sequence[datetime],
    windows: Sequence[Span],
    now: datetime,
) -> CheckRollupHour | CheckRollupDay | None:
    """Compute one bucket from the check's results, or ``None`` when the
    bucket contains no results and no covered time."""
    cap = coverage_cap(check.interval_seconds)
    first = bisect.bisect_left(times, bucket.start - cap)
    inside = bisect.bisect_left(times, bucket.start)
    after = bisect.bisect_left(times, bucket.end)
    samples = [Sample(row[0], row[1]) for row in rows[first:after]]
    totals = measure(
        samples,
        bucket.start,
        bucket.end,
        interval_seconds=check.interval_seconds,
        maintenance=windows,
    )

    statuses = [row[1] for row in rows[inside:after]]
    if not statuses and totals.known_seconds == 0:
        return None

    latency = latency_stats(
        row[2]
        for row in rows[inside:after]
        if row[2] is not None and row[1] != ResultStatus.DOWN
    )
    return model(
        uptime_check=check,
        bucket_start=bucket.start,
        bucket_end=bucket.end,
        checks_count=len(statuses),
        failures_count=statuses.count(ResultStatus.DOWN),
        degraded_count=statuses.count(ResultStatus.DEGRADED),
        known_seconds=totals.known_seconds,
        down_seconds=totals.down_seconds,
        degraded_seconds=totals.degraded_seconds,
        maintenance_seconds=totals.maintenance_seconds,
        latency_count=latency.count,
        latency_avg_ms=latency.average,
        latency_p50_ms=latency.p50,
        latency_p95_ms=latency.p95,
        latency_p99_ms=latency.p99,
        computed_at=now,
    )


VALUE_FIELDS = [
    "bucket_end",
    "checks_count",
    "failures_count",
    "degraded_count",
    "known_seconds",
    "down_seconds",
    "degraded_seconds",
    "maintenance_seconds",
    "latency_count",
    "latency_avg_ms",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "computed_at",
]


def _save(model: RollupModel, rows: list, frozen_before: datetime) -> None:
    """Upsert ``rows``, but only insert those that begin before ``frozen_before``."""
    frozen = [row for row in rows if row.bucket_start < frozen_before]
    current = [row for row in rows if row.bucket_start >= frozen_before]
    if frozen:
        model.objects.bulk_create(frozen, ignore_conflicts=True)
    if current:
        model.objects.bulk_create(
            current,
            update_conflicts=True,
            unique_fields=["uptime_check", "bucket_start"],
            update_fields=VALUE_FIELDS,
        )


def _roll_up_check(
    check: Check,
    since: datetime,
    until: datetime,
    windows: Sequence[Span],
    now: datetime,
) -> int:
    hours = _closed_hours(since, until)
    days = _closed_days(since, until, page_zone(check.page))
    buckets = hours + days
    if not buckets:
        return 0

    earliest = min(bucket.start for bucket in buckets)
    rows: list[Row] = list(
        CheckResult.objects.filter(
            uptime_check=check,
            checked_at__gte=earliest - coverage_cap(check.interval_seconds),
            checked_at__lt=until,
        )
        .order_by("checked_at", "id")
        .values_list("checked_at", "status", "response_time_ms")
    )
    times = [row[0] for row in rows]

    frozen_before = retention_cutoff(now) + FROZEN_MARGIN
    written = 0
    for model, model_buckets in ((CheckRollupHour, hours), (CheckRollupDay, days)):
        built = [
            _build_row(model, check, bucket, rows, times, windows, now)
            for bucket in model_buckets
        ]
        built = [row for row in built if row is not None]
        _save(model, built, frozen_before)
        written += len(built)
    return written


def rollup_results(
    check_ids: Iterable[int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    now: datetime | None = None,
) -> int:
    """Roll up the hours and local days that ended in ``(since, until]``.

    ``check_ids`` limits the work to those checks. ``until`` defaults to
    now and is never later than now, so an open bucket is never written.
    ``since`` defaults to one day before ``until``. Buckets with no
    results and no covered time get no row. Returns the rows written.
    """
    now = now or timezone.now()
    until = min(until or now, now)
    since = since or until - timedelta(days=1)
    if since >= until:
        return 0

    checks = Check.objects.select_related("page").order_by("id")
    if check_ids is not None:
        checks = checks.filter(pk__in=list(check_ids))
    checks = list(checks)

    # A local day may start up to 14 hours before the UTC day of ``since``.
    windows = maintenance_windows(
        {check.component_id for check in checks}, since - timedelta(days=2), until
    )
    written = 0
    for check in checks:
        written += _roll_up_check(
            check, since, until, windows.get(check.component_id, []), now
        )

    logger.info(
        "Rolled up %s buckets of %s checks from %s to %s",
        written,
        len(checks),
        since.isoformat(),
        until.isoformat(),
    )
    return written


def roll_up_recent(now: datetime | None = None) -> int:
    """Roll up every bucket that closed since the last run.

    The newest hourly roll-up marks where the last run stopped. The run
    starts ``REROLL_MARGIN`` before it, so results recorded late are
    counted. On the first run it starts at the oldest raw result.
    """
    now = now or timezone.now()
    newest = CheckRollupHour.objects.aggregate(newest=Max("bucket_end"))["newest"]
    if newest is not None:
        since = newest - REROLL_MARGIN
    else:
        oldest = CheckResult.objects.aggregate(oldest=Min("checked_at"))["oldest"]
        if oldest is None:
            return 0
        since = oldest - HOUR
    return rollup_results(since=since, until=now, now=now)


def delete_expired_results(
    now: datetime | None = None, batch_size: int = DELETE_BATCH_SIZE
) -> int:
    """Delete raw results older than the retention, in batches, and return
    how many were deleted.

    Small batches keep each statement's locks short, so the monitor can go
    on recording results while old ones are deleted.
    """
    cutoff = retention_cutoff(now or timezone.now())
    expired = CheckResult.objects.filter(checked_at__lt=cutoff)
    deleted = 0

    while True:
        batch = list(expired.order_by().values_list("pk", flat=True)[:batch_size])
        if not batch:
            break
        count, _by_model = CheckResult.objects.filter(pk__in=batch).delete()
        deleted += count

    if deleted:
        logger.info(
            "Deleted %s check results older than %s", deleted, cutoff.isoformat()
        )
    return deleted
