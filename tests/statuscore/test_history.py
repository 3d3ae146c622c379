"""Daily uptime bars of checks and components, in the page's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from statuscore.history import uptime_history
from statuscore.models import CheckResult, CheckRollupDay, Component
from statuscore.rollups import delete_expired_results, roll_up_recent
from statuscore.services.checks import create_check
from statuscore.testing import fake_plugin, temporary_plugin
from statuscore.uptime import Sample, measure

TODAY = datetime(2026, 3, 20, tzinfo=UTC)
NOW = TODAY + timedelta(hours=6)
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def fake_checker():
    with temporary_plugin(fake_plugin):
        yield


@pytest.fixture
def check(page, component):
    return create_check(page, "API health", "fake", {}, component=component)


def add_results(check, start, end, status="up", step=MINUTE):
    count = int((end - start) / step)
    CheckResult.objects.bulk_create(
        CheckResult(uptime_check=check, checked_at=start + index * step, status=status)
        for index in range(count)
    )


def add_rollup_days(check, first: datetime, count: int) -> None:
    CheckRollupDay.objects.bulk_create(
        CheckRollupDay(
            uptime_check=check,
            bucket_start=first + timedelta(days=offset),
            bucket_end=first + timedelta(days=offset + 1),
            checks_count=1440,
            known_seconds=86400,
            computed_at=NOW,
        )
        for offset in range(count)
    )


def test_new_check_has_no_data(check):
    history = uptime_history(check, now=NOW)

    assert len(history.days) == 90
    assert history.uptime_percent is None
    assert history.coverage == 0.0
    assert all(bar.uptime_percent is None for bar in history.days)
    assert all(bar.worst_status is None for bar in history.days)


def test_bars_end_today(check):
    history = uptime_history(check, days=3, now=NOW)

    assert [bar.day for bar in history.days] == [
        date(2026, 3, 18),
        date(2026, 3, 19),
        date(2026, 3, 20),
    ]
    assert history.days[-1].end == NOW


def test_outage_day_from_rollup(check):
    day = TODAY - timedelta(days=2)
    outage_start = day + timedelta(hours=10)
    outage_end = outage_start + timedelta(minutes=10)
    add_results(check, day, outage_start)
    add_results(check, outage_start, outage_end, "down")
    add_results(check, outage_end, day + timedelta(days=1))
    roll_up_recent(now=NOW)
    CheckResult.objects.all().delete()

    bar = uptime_history(check, days=3, now=NOW).days[0]

    assert bar.uptime_percent == pytest.approx(100 * 85800 / 86400, rel=1e-12)
    assert bar.worst_status == "down"
    assert bar.coverage == 1.0


def test_days_without_data_are_none(check):
    add_rollup_days(check, TODAY - timedelta(days=3), 1)

    bars = uptime_history(check, days=5, now=NOW).days

    assert [bar.uptime_percent for bar in bars] == [None, 100.0, None, None, None]
    assert bars[2].coverage == 0.0


def test_today_read_from_raw_results(check):
    add_results(check, TODAY, TODAY + timedelta(hours=3))
    add_results(check, TODAY + timedelta(hours=3), NOW, "down")

    today = uptime_history(check, days=1, now=NOW).days[0]

    assert today.known_seconds == 6 * 3600
    assert today.down_seconds == 3 * 3600
    assert today.uptime_percent == 50.0
    assert today.coverage == 1.0


def test_yesterday_read_raw_until_rolled_up(check):
    yesterday = TODAY - timedelta(days=1)
    add_results(check, yesterday, TODAY)

    bar = uptime_history(check, days=2, now=NOW).days[0]

    assert bar.uptime_percent == 100.0
    assert bar.known_seconds == 86400


def test_gap_lowers_coverage_not_uptime(check):
    add_results(check, TODAY, TODAY + timedelta(hours=1))
    add_results(check, TODAY + timedelta(hours=5), NOW)

    today = uptime_history(check, days=1, now=NOW).days[0]

    assert today.uptime_percent == 100.0
    # 00:00 to 01:01, because the 00:59 result covers two intervals, then
    # 05:00 until now.
    assert today.known_seconds == 3660 + 3600
    assert today.coverage == pytest.approx(7260 / (6 * 3600), rel=1e-12)


def test_overall_percentage_weights_by_time(check):
    add_rollup_days(check, TODAY - timedelta(days=2), 2)
    add_results(check, TODAY, TODAY + timedelta(hours=5))
    add_results(check, TODAY + timedelta(hours=5), NOW, "down")

    history = uptime_history(check, days=3, now=NOW)

    known = 2 * 86400 + 6 * 3600
    assert history.uptime_percent == pytest.approx(100 * (1 - 3600 / known), rel=1e-12)
    assert history.coverage == pytest.approx(known / (2 * 86400 + 6 * 3600), rel=1e-12)


def test_component_sums_its_checks(page, component, check):
    other = create_check(page, "Web", "fake", {}, component=component)
    add_results(check, TODAY, NOW)
    add_results(other, TODAY, TODAY + timedelta(hours=3))
    add_results(other, TODAY + timedelta(hours=3), NOW, "down")

    today = uptime_history(component, days=1, now=NOW).days[0]

    assert today.known_seconds == 2 * 6 * 3600
    assert today.uptime_percent == 75.0
    assert today.coverage == 1.0


def test_component_without_checks(component):
    history = uptime_history(component, days=7, now=NOW)

    assert history.uptime_percent is None
    assert len(history.days) == 7


def test_days_must_be_positive(check):
    with pytest.raises(ValueError, match="days must be at least 1"):
        uptime_history(check, days=0, now=NOW)


# -- Local days -----------------------------------------------------------------


@pytest.fixture
def melbourne_check(check):
    check.page.time_zone = "Australia/Melbourne"
    check.page.save()
    return check


def test_melbourne_outage_split_at_local_midnight(melbourne_check):
    # Local midnight between 17 and 18 March is 13:00 UTC on 17 March
    # (UTC+11). The outage runs from 23:50 to 00:10 local time.
    midnight = datetime(2026, 3, 17, 13, tzinfo=UTC)
    add_results(melbourne_check, midnight - timedelta(days=1), midnight - 10 * MINUTE)
    add_results(melbourne_check, midnight - 10 * MINUTE, midnight + 10 * MINUTE, "down")
    add_results(melbourne_check, midnight + 10 * MINUTE, midnight + timedelta(days=1))
    roll_up_recent(now=NOW)

    bars = uptime_history(melbourne_check, days=4, now=NOW).days

    assert bars[0].day == date(2026, 3, 17)
    assert bars[0].start == midnight - timedelta(days=1)
    assert bars[0].down_seconds == 600
    assert bars[1].down_seconds == 600
    assert bars[0].uptime_percent == pytest.approx(100 * 85800 / 86400, rel=1e-12)
    assert bars[1].uptime_percent == pytest.approx(100 * 85800 / 86400, rel=1e-12)


def test_melbourne_day_when_clocks_go_back(melbourne_check):
    # Daylight saving ends at 03:00 local time on 5 April 2026, so that
    # day lasts 25 hours: from 13:00 UTC on 4 April to 14:00 UTC on 5 April.
    start = datetime(2026, 4, 4, 13, tzinfo=UTC)
    end = start + timedelta(hours=25)
    add_results(melbourne_check, start, end)
    now = end + timedelta(hours=2)
    roll_up_recent(now=now)

    bar = uptime_history(melbourne_check, days=2, now=now).days[0]

    assert bar.day == date(2026, 4, 5)
    assert bar.end - bar.start == timedelta(hours=25)
    assert bar.known_seconds == 90000
    assert bar.coverage == 1.0


def test_melbourne_today_starts_at_local_midnight(melbourne_check):
    now = datetime(2026, 3, 20, 2, tzinfo=UTC)

    today = uptime_history(melbourne_check, days=1, now=now).days[0]

    assert today.day == date(2026, 3, 20)
    assert today.start == datetime(2026, 3, 19, 13, tzinfo=UTC)


# -- Cost and retention ------------------------------------------------------------


def count_queries(check, days: int) -> int:
    check.refresh_from_db()
    with CaptureQueriesContext(connection) as context:
        uptime_history(check, days=days, now=NOW)
    return len(context.captured_queries)


@pytest.mark.parametrize("read_days", [90, 1000])
def test_query_count_independent_of_history(
    page, read_days, django_assert_max_num_queries
):
    short = create_check(page, "Short", "fake", {})
    long = create_check(page, "Long", "fake", {})
    add_rollup_days(short, TODAY - timedelta(days=10), 10)
    add_rollup_days(long, TODAY - timedelta(days=1000), 1000)
    add_results(short, TODAY, NOW)
    add_results(long, TODAY, NOW)

    with django_assert_max_num_queries(4):
        uptime_history(long, days=read_days, now=NOW)
    assert count_queries(short, read_days) == count_queries(long, read_days)


def test_component_query_count(page, component, django_assert_max_num_queries):
    for name in ("API", "Web", "Worker"):
        check = create_check(page, name, "fake", {}, component=component)
        add_rollup_days(check, TODAY - timedelta(days=100), 100)
        add_results(check, TODAY, NOW)
    component = Component.objects.get(pk=component.pk)

    with django_assert_max_num_queries(4):
        history = uptime_history(component, now=NOW)
    assert history.uptime_percent == 100.0


def test_uptime_kept_after_retention(check, settings):
    settings.STATUSCORE_RESULT_RETENTION_DAYS = 30
    first = TODAY - timedelta(days=89)
    step = timedelta(minutes=5)
    check.interval_seconds = 300
    check.save()
    add_results(check, first, NOW, step=step)
    # One outage a week of 5 to 30 minutes, and one hour without data.
    CheckResult.objects.filter(checked_at__lt=first + timedelta(hours=3)).filter(
        checked_at__gte=first + timedelta(hours=2)
    ).delete()
    for week in range(13):
        start = first + timedelta(days=7 * week, hours=week)
        CheckResult.objects.filter(
            checked_at__gte=start, checked_at__lt=start + (week % 6 + 1) * step
        ).update(status="down")
    rows = CheckResult.objects.order_by("checked_at").values_list(
        "checked_at", "status"
    )
    samples = [Sample(checked_at, status) for checked_at, status in rows]
    before = measure(samples, first, NOW, interval_seconds=300).uptime_percent

    roll_up_recent(now=NOW)
    deleted = delete_expired_results(now=NOW)
    after = uptime_history(check, days=90, now=NOW).uptime_percent

    assert deleted > 0
    cutoff = NOW - timedelta(days=30)
    assert not CheckResult.objects.filter(checked_at__lt=cutoff).exists()
    assert before < 100.0
    assert after == pytest.approx(before, abs=0.001)
