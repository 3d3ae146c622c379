"""When the next heartbeat is expected: periods, cron, early pushes, DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from plugins.heartbeat.schedule import cron_times, next_expected

BERLIN = ZoneInfo("Europe/Berlin")
DAILY_AT_FOUR = "0 4 * * *"
DAILY_AT_HALF_TWO = "30 2 * * *"


def berlin(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def expect_daily(reference: datetime, cron: str = DAILY_AT_FOUR, **options) -> datetime:
    return next_expected(reference, cron=cron, zone=BERLIN, **options)


def times_between(cron: str, start: datetime, end: datetime) -> list[datetime]:
    times = []
    for instant in cron_times(cron, BERLIN, start):
        if instant >= end:
            break
        times.append(instant)
    return times


def test_period_counts_from_reference():
    reference = utc(2026, 1, 1, 0, 5)

    expected = next_expected(reference, period_seconds=600)

    assert expected == utc(2026, 1, 1, 0, 15)


def test_late_push_expects_tomorrow():
    expected = expect_daily(berlin(2025, 6, 2, 4, 20))

    assert expected == berlin(2025, 6, 3, 4, 0)


def test_push_on_time_expects_tomorrow():
    expected = expect_daily(berlin(2025, 6, 2, 4, 0, 5))

    assert expected == berlin(2025, 6, 3, 4, 0)


def test_early_push_counts_as_that_run():
    expected = expect_daily(berlin(2025, 6, 2, 3, 59), early_tolerance_seconds=120)

    assert expected == berlin(2025, 6, 3, 4, 0)


def test_push_before_tolerance_expects_same_day():
    expected = expect_daily(berlin(2025, 6, 2, 3, 50), early_tolerance_seconds=120)

    assert expected == berlin(2025, 6, 2, 4, 0)


def test_early_tolerance_off_expects_same_day():
    expected = expect_daily(berlin(2025, 6, 2, 3, 59), early_tolerance_seconds=0)

    assert expected == berlin(2025, 6, 2, 4, 0)


def test_start_time_gets_no_early_tolerance():
    expected = expect_daily(
        berlin(2025, 6, 2, 3, 59), early_tolerance_seconds=120, pushed=False
    )

    assert expected == berlin(2025, 6, 2, 4, 0)


def test_minutely_push_keeps_next_run():
    # A push 10 s after a run is that run reported late, not the next one
    # reported 50 s early, although the tolerance is 120 s.
    expected = expect_daily(
        berlin(2025, 6, 2, 4, 0, 10), cron="* * * * *", early_tolerance_seconds=120
    )

    assert expected == berlin(2025, 6, 2, 4, 1)


def test_minutely_push_just_before_run_counts():
    expected = expect_daily(
        berlin(2025, 6, 2, 4, 0, 50), cron="* * * * *", early_tolerance_seconds=120
    )

    assert expected == berlin(2025, 6, 2, 4, 2)


def test_spring_night_expects_once_after_gap():
    # 02:30 does not exist in Berlin on 2025-03-30; 03:00 CEST follows 02:00 CET.
    night = times_between(
        DAILY_AT_HALF_TWO, berlin(2025, 3, 29, 12, 0), berlin(2025, 3, 30, 12, 0)
    )

    assert night == [utc(2025, 3, 30, 1, 0)]
    assert night[0].astimezone(BERLIN) == berlin(2025, 3, 30, 3, 0)


def test_autumn_night_expects_first_pass_once():
    # 02:30 happens twice in Berlin on 2025-10-26: at 00:30 and 01:30 UTC.
    night = times_between(
        DAILY_AT_HALF_TWO, berlin(2025, 10, 25, 12, 0), berlin(2025, 10, 26, 12, 0)
    )

    assert night == [utc(2025, 10, 26, 0, 30)]


def test_autumn_push_in_second_pass_expects_next_day():
    # 02:10 CET in the repeated hour, 40 minutes after the 02:30 CEST run.
    push = utc(2025, 10, 26, 1, 10)

    expected = expect_daily(push, cron=DAILY_AT_HALF_TWO)

    assert push.astimezone(BERLIN).fold == 1
    assert expected == utc(2025, 10, 27, 1, 30)


def test_autumn_push_after_first_pass_expects_next_day():
    expected = expect_daily(utc(2025, 10, 26, 0, 30, 20), cron=DAILY_AT_HALF_TWO)

    assert expected == utc(2025, 10, 27, 1, 30)


def test_spring_push_expects_next_day_in_summer_time():
    expected = expect_daily(utc(2025, 3, 30, 1, 0, 5), cron=DAILY_AT_HALF_TWO)

    assert expected == berlin(2025, 3, 31, 2, 30)
    assert expected == utc(2025, 3, 31, 0, 30)


def test_ordinary_days_keep_wall_time():
    winter = expect_daily(berlin(2025, 1, 14, 12, 0), cron=DAILY_AT_HALF_TWO)
    summer = expect_daily(berlin(2025, 7, 14, 12, 0), cron=DAILY_AT_HALF_TWO)

    assert winter == utc(2025, 1, 15, 1, 30)
    assert summer == utc(2025, 7, 15, 0, 30)


def test_week_across_dst_expects_one_a_day():
    spring = times_between(
        DAILY_AT_HALF_TWO, berlin(2025, 3, 27, 12, 0), berlin(2025, 4, 3, 12, 0)
    )
    autumn = times_between(
        DAILY_AT_HALF_TWO, berlin(2025, 10, 23, 12, 0), berlin(2025, 10, 30, 12, 0)
    )

    assert len(spring) == 7
    assert len(autumn) == 7
    assert all(b - a >= timedelta(hours=23) for a, b in zip(spring, spring[1:]))
    assert all(b - a >= timedelta(hours=23) for a, b in zip(autumn, autumn[1:]))
