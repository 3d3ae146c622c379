"""Roll-ups of check results per hour and local day, and retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from statuscore.models import (
    CheckResult,
    CheckRollupDay,
    CheckRollupHour,
    Maintenance,
    MaintenanceStatus,
)
from statuscore.rollups import (
    delete_expired_results,
    roll_up_recent,
    rollup_results,
)
from statuscore.services.checks import create_check
from statuscore.tasks import roll_up_results
from statuscore.testing import fake_plugin, temporary_plugin

DAY_START = datetime(2026, 3, 10, tzinfo=UTC)
DAY_END = DAY_START + timedelta(days=1)
NOW = DAY_END + timedelta(hours=1, minutes=30)
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def fake_checker():
    with temporary_plugin(fake_plugin):
        yield


@pytest.fixture
def check(page, component):
    return create_check(page, "API health", "fake", {}, component=component)


def at(hours: int, minutes: int = 0) -> datetime:
    return DAY_START + timedelta(hours=hours, minutes=minutes)


def add_results(check, start, end, status="up", step=MINUTE, latency=10.0):
    count = int((end - start) / step)
    CheckResult.objects.bulk_create(
        CheckResult(
            uptime_check=check,
            checked_at=start + index * step,
            status=status,
            response_time_ms=latency,
        )
        for index in range(count)
    )


def add_day_with_outage(check):
    add_results(check, DAY_START, at(10))
    add_results(check, at(10), at(10, 10), "down", latency=10_000.0)
    add_results(check, at(10, 10), DAY_END)


def test_day_rollup_of_ten_minute_outage(check):
    add_day_with_outage(check)

    rollup_results(since=DAY_START, until=DAY_END, now=NOW)

    day = CheckRollupDay.objects.get(uptime_check=check)
    assert day.bucket_start == DAY_START
    assert day.bucket_end == DAY_END
    assert day.checks_count == 1440
    assert day.failures_count == 10
    assert day.degraded_count == 0
    assert day.down_seconds == 600
    assert day.known_seconds == 86400
    assert day.maintenance_seconds == 0


def test_hour_rollups_of_a_day(check):
    add_day_with_outage(check)

    rollup_results(since=DAY_START, until=DAY_END, now=NOW)

    hours = CheckRollupHour.objects.filter(uptime_check=check)
    assert hours.count() == 24
    outage_hour = hours.get(bucket_start=at(10))
    assert outage_hour.down_seconds == 600
    assert outage_hour.known_seconds == 3600
    assert outage_hour.failures_count == 10
    assert hours.get(bucket_start=at(11)).down_seconds == 0


def test_latency_leaves_out_down_results(check):
    add_day_with_outage(check)

    rollup_results(since=DAY_START, until=DAY_END, now=NOW)

    outage_hour = CheckRollupHour.objects.get(uptime_check=check, bucket_start=at(10))
    assert outage_hour.latency_count == 50
    assert outage_hour.latency_p99_ms == 10.0


def test_latency_percentiles_are_exact(check):
    CheckResult.objects.bulk_create(
        CheckResult(
            uptime_check=check,
            checked_at=at(3) + index * 36 * timedelta(seconds=1),
            status="up",
            response_time_ms=float(value),
        )
        for index, value in enumerate(range(100, 0, -1))
    )

    rollup_results(since=at(3), until=at(4), now=NOW)

    hour = CheckRollupHour.objects.get(uptime_check=check)
    assert hour.latency_avg_ms == 50.5
    assert hour.latency_p50_ms == 50.0
    assert hour.latency_p95_ms == 95.0
    assert hour.latency_p99_ms == 99.0


def test_rerun_rewrites_same_rows(check):
    add_day_with_outage(check)
    rollup_results(since=DAY_START, until=DAY_END, now=NOW)
    first = list(CheckRollupHour.objects.values("bucket_start", "down_seconds"))

    rollup_results(since=DAY_START, until=DAY_END, now=NOW)

    assert list(CheckRollupHour.objects.values("bucket_start", "down_seconds")) == first
    assert CheckRollupDay.objects.count() == 1


def test_rerun_counts_late_results(check):
    add_results(check, at(5), at(5, 30))
    rollup_results(since=at(5), until=at(6), now=NOW)
    add_results(check, at(5, 30), at(6), "down")

    rollup_results(since=at(5), until=at(6), now=NOW)

    hour = CheckRollupHour.objects.get(uptime_check=check, bucket_start=at(5))
    assert hour.down_seconds == 1800
    assert hour.checks_count == 60


def test_open_hour_not_rolled_up(check):
    add_results(check, at(5), at(6))

    rollup_results(since=at(5), until=at(7), now=at(5, 30))

    assert CheckRollupHour.objects.count() == 0


def test_empty_buckets_get_no_rows(check):
    add_results(check, at(5), at(6))

    rollup_results(since=DAY_START, until=DAY_END, now=NOW)

    # Hour 5, and hour 6 for the two minutes the 05:59 result covers.
    assert CheckRollupHour.objects.count() == 2
    assert CheckRollupHour.objects.get(bucket_start=at(6)).known_seconds == 60


def test_maintenance_excluded_from_rollup(check, component):
    add_results(check, DAY_START, at(10))
    add_results(check, at(10), at(11), "down")
    add_results(check, at(11), DAY_END)
    maintenance = Maintenance.objects.create(
        page=check.page,
        name="Database upgrade",
        status=MaintenanceStatus.COMPLETED,
        scheduled_for=at(10, 30),
        scheduled_until=at(12),
    )
    maintenance.components.add(component)

    rollup_results(since=DAY_START, until=DAY_END, now=NOW)

    day = CheckRollupDay.objects.get(uptime_check=check)
    assert day.maintenance_seconds == 5400
    assert day.down_seconds == 1800
    assert day.known_seconds == 81000


def test_maintenance_never_started_not_excluded(check, component):
    add_results(check, DAY_START, DAY_END)
    maintenance = Maintenance.objects.create(
        page=check.page,
        name="Database upgrade",
        status=MaintenanceStatus.SCHEDULED,
        scheduled_for=at(10),
        scheduled_until=at(12),
    )
    maintenance.components.add(component)

    rollup_results(since=DAY_START, until=DAY_END, now=NOW)

    day = CheckRollupDay.objects.get(uptime_check=check)
    assert day.maintenance_seconds == 0
    assert day.known_seconds == 86400


def test_local_day_rollup_in_melbourne(check):
    check.page.time_zone = "Australia/Melbourne"
    check.page.save()
    # 10 March in Melbourne (UTC+11) runs from 13:00 UTC on 9 March.
    local_start = DAY_START - timedelta(hours=11)
    add_results(check, local_start, local_start + timedelta(days=1))

    rollup_results(since=local_start, until=local_start + timedelta(days=1), now=NOW)

    day = CheckRollupDay.objects.get(uptime_check=check)
    assert day.bucket_start == local_start
    assert day.bucket_end == local_start + timedelta(days=1)
    assert day.known_seconds == 86400


def test_rollup_limited_to_given_checks(check, page):
    other = create_check(page, "Web", "fake", {})
    add_results(check, at(5), at(6))
    add_results(other, at(5), at(6))

    rollup_results(check_ids=[other.pk], since=at(5), until=at(6), now=NOW)

    assert CheckRollupHour.objects.filter(uptime_check=check).count() == 0
    assert CheckRollupHour.objects.filter(uptime_check=other).count() == 1


def test_recent_rollup_starts_at_oldest_result(check):
    add_results(check, DAY_START, DAY_END)

    roll_up_recent(now=NOW)

    # The 23:59 result also covers the first minute of the next day.
    assert CheckRollupHour.objects.count() == 25
    assert CheckRollupDay.objects.count() == 1


def test_recent_rollup_without_results(db):
    assert roll_up_recent(now=NOW) == 0


def test_recent_rollup_continues_after_last_hour(check):
    add_results(check, DAY_START, DAY_END)
    roll_up_recent(now=at(12))
    assert CheckRollupDay.objects.count() == 0

    roll_up_recent(now=NOW)

    assert CheckRollupHour.objects.count() == 25
    assert CheckRollupDay.objects.count() == 1


@pytest.mark.parametrize("retention_days", [1, 30])
def test_retention_deletes_only_old_results(check, settings, retention_days):
    settings.STATUSCORE_RESULT_RETENTION_DAYS = retention_days
    now = DAY_END + timedelta(days=retention_days)
    add_results(check, DAY_START, DAY_END)
    add_results(check, now - timedelta(hours=1), now)

    deleted = delete_expired_results(now=now, batch_size=500)

    assert deleted == 1440
    assert CheckResult.objects.count() == 60


def test_rollup_after_retention_keeps_rows(check, settings):
    settings.STATUSCORE_RESULT_RETENTION_DAYS = 1
    now = DAY_END + timedelta(days=1)
    add_day_with_outage(check)
    rollup_results(since=DAY_START, until=DAY_END, now=now)
    delete_expired_results(now=now)

    rollup_results(since=DAY_START, until=DAY_END, now=now)

    day = CheckRollupDay.objects.get(uptime_check=check)
    assert day.down_seconds == 600
    assert day.known_seconds == 86400


def test_periodic_task_rolls_up_then_deletes(page, settings):
    settings.STATUSCORE_RESULT_RETENTION_DAYS = 2
    check = create_check(page, "Web", "fake", {}, interval_seconds=300)
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    old_day = today - timedelta(days=3)
    add_results(check, old_day, old_day + timedelta(days=1), step=timedelta(minutes=5))

    deleted = roll_up_results.call_local()

    assert deleted == 288
    assert CheckResult.objects.count() == 0
    day = CheckRollupDay.objects.get(bucket_start=old_day)
    assert day.known_seconds == 86400
    assert day.checks_count == 288


def test_maintenance_started_early_is_excluded_from_its_start(check, component):
    add_results(check, DAY_START, at(9, 30))
    add_results(check, at(9, 30), at(11), "down")
    add_results(check, at(11), DAY_END)
    maintenance = Maintenance.objects.create(
        page=check.page,
        name="Database upgrade",
        status=MaintenanceStatus.COMPLETED,
        scheduled_for=at(10),
        scheduled_until=at(11),
        started_at=at(9, 30),
        completed_at=at(11),
    )
    maintenance.components.add(component)

    rollup_results(since=DAY_START, until=DAY_END, now=NOW)

    day = CheckRollupDay.objects.get(uptime_check=check)
    assert day.maintenance_seconds == 5400
    assert day.down_seconds == 0


def test_maintenance_completed_late_is_excluded_to_its_end(check, component):
    add_results(check, DAY_START, at(10))
    add_results(check, at(10), at(11, 1), "down")
    add_results(check, at(11, 1), DAY_END)
    maintenance = Maintenance.objects.create(
        page=check.page,
        name="Database upgrade",
        status=MaintenanceStatus.COMPLETED,
        scheduled_for=at(10),
        scheduled_until=at(11),
        started_at=at(10),
        completed_at=at(11, 1),
    )
    maintenance.components.add(component)

    rollup_results(since=DAY_START, until=DAY_END, now=NOW)

    day = CheckRollupDay.objects.get(uptime_check=check)
    assert day.maintenance_seconds == 3660
    assert day.down_seconds == 0


def test_maintenance_cancelled_midway_is_excluded_until_cancelled(check, component):
    add_results(check, DAY_START, DAY_END)
    held = Maintenance.objects.create(
        page=check.page,
        name="Database upgrade",
        status=MaintenanceStatus.CANCELLED,
        scheduled_for=at(10),
        scheduled_until=at(12),
        started_at=at(10),
        cancelled_at=at(10, 20),
    )
    held.components.add(component)
    never = Maintenance.objects.create(
        page=check.page,
        name="Called off",
        status=MaintenanceStatus.CANCELLED,
        scheduled_for=at(14),
        scheduled_until=at(15),
        cancelled_at=at(9),
    )
    never.components.add(component)

    rollup_results(since=DAY_START, until=DAY_END, now=NOW)

    day = CheckRollupDay.objects.get(uptime_check=check)
    assert day.maintenance_seconds == 1200
