"""Occurrences of recurring maintenance windows on the nights clocks change.

Europe/Berlin moves from 02:00 CET to 03:00 CEST on 2026-03-29 and from
03:00 CEST back to 02:00 CET on 2026-10-25. America/New_York moves from
02:00 EST to 03:00 EDT on 2026-03-08 and from 02:00 EDT back to 01:00 EST
on 2026-11-01. Every expected instant below is written in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from statuscore.models import MaintenanceSeries
from statuscore.recurrence import monthly_date, occurrences, rule_matches

SUNDAY = 6
HOUR = timedelta(hours=1)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def series(zone: str, frequency: str, at: time, **rule) -> MaintenanceSeries:
    rule.setdefault("duration", HOUR)
    rule.setdefault("starts_on", date(2026, 1, 1))
    return MaintenanceSeries(
        name="Nightly backup",
        time_zone=zone,
        frequency=frequency,
        start_time=at,
        **rule,
    )


def starts(rule: MaintenanceSeries, start: datetime, end: datetime) -> list[datetime]:
    return [begins for begins, _ends in occurrences(rule, start, end)]


# -- Europe/Berlin -------------------------------------------------------------


def test_berlin_daily_gap_moves_forward():
    rule = series("Europe/Berlin", "daily", time(2, 30))

    found = occurrences(rule, utc(2026, 3, 27, 12), utc(2026, 3, 30, 12))

    assert found[0] == (utc(2026, 3, 28, 1, 30), utc(2026, 3, 28, 2, 30))
    assert found[1] == (utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 2, 30))
    assert found[2] == (utc(2026, 3, 30, 0, 30), utc(2026, 3, 30, 1, 30))
    assert len(found) == 3


def test_berlin_daily_overlap_takes_first_instant():
    rule = series("Europe/Berlin", "daily", time(2, 30))

    found = occurrences(rule, utc(2026, 10, 23, 12), utc(2026, 10, 26, 12))

    assert found[0] == (utc(2026, 10, 24, 0, 30), utc(2026, 10, 24, 1, 30))
    assert found[1] == (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30))
    assert found[2] == (utc(2026, 10, 26, 1, 30), utc(2026, 10, 26, 2, 30))
    assert len(found) == 3


def test_berlin_weekly_sunday_across_both_changes():
    rule = series("Europe/Berlin", "weekly", time(2, 30), weekday=SUNDAY)

    spring = starts(rule, utc(2026, 3, 20), utc(2026, 4, 6))
    autumn = starts(rule, utc(2026, 10, 16), utc(2026, 11, 2))

    assert spring == [
        utc(2026, 3, 22, 1, 30),
        utc(2026, 3, 29, 1, 30),
        utc(2026, 4, 5, 0, 30),
    ]
    assert autumn == [
        utc(2026, 10, 18, 0, 30),
        utc(2026, 10, 25, 0, 30),
        utc(2026, 11, 1, 1, 30),
    ]


def test_berlin_monthly_last_sunday_across_both_changes():
    rule = series(
        "Europe/Berlin", "monthly", time(2, 30), weekday=SUNDAY, week_of_month=-1
    )

    spring = starts(rule, utc(2026, 2, 1), utc(2026, 5, 1))
    autumn = starts(rule, utc(2026, 9, 1), utc(2026, 12, 1))

    assert spring == [
        utc(2026, 2, 22, 1, 30),
        utc(2026, 3, 29, 1, 30),
        utc(2026, 4, 26, 0, 30),
    ]
    assert autumn == [
        utc(2026, 9, 27, 0, 30),
        utc(2026, 10, 25, 0, 30),
        utc(2026, 11, 29, 1, 30),
    ]


def test_berlin_window_over_autumn_change_keeps_elapsed_duration():
    rule = series("Europe/Berlin", "daily", time(1, 30), duration=2 * HOUR)

    found = occurrences(rule, utc(2026, 10, 24, 12), utc(2026, 10, 25, 12))

    assert found == [(utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 1, 30))]


def test_berlin_window_over_spring_change_keeps_elapsed_duration():
    rule = series("Europe/Berlin", "daily", time(1, 30), duration=2 * HOUR)

    found = occurrences(rule, utc(2026, 3, 28, 12), utc(2026, 3, 29, 12))

    assert found == [(utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 2, 30))]


# -- America/New_York ----------------------------------------------------------


def test_new_york_daily_gap_moves_forward():
    rule = series("America/New_York", "daily", time(2, 30))

    found = occurrences(rule, utc(2026, 3, 7), utc(2026, 3, 10))

    assert found[0] == (utc(2026, 3, 7, 7, 30), utc(2026, 3, 7, 8, 30))
    assert found[1] == (utc(2026, 3, 8, 7, 30), utc(2026, 3, 8, 8, 30))
    assert found[2] == (utc(2026, 3, 9, 6, 30), utc(2026, 3, 9, 7, 30))
    assert len(found) == 3


def test_new_york_daily_overlap_takes_first_instant():
    rule = series("America/New_York", "daily", time(1, 30))

    found = occurrences(rule, utc(2026, 10, 31), utc(2026, 11, 3))

    assert found[0] == (utc(2026, 10, 31, 5, 30), utc(2026, 10, 31, 6, 30))
    assert found[1] == (utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30))
    assert found[2] == (utc(2026, 11, 2, 6, 30), utc(2026, 11, 2, 7, 30))
    assert len(found) == 3


def test_new_york_weekly_sunday_across_both_changes():
    gap = series("America/New_York", "weekly", time(2, 30), weekday=SUNDAY)
    overlap = series("America/New_York", "weekly", time(1, 30), weekday=SUNDAY)

    spring = starts(gap, utc(2026, 2, 28), utc(2026, 3, 16))
    autumn = starts(overlap, utc(2026, 10, 24), utc(2026, 11, 9))

    assert spring == [
        utc(2026, 3, 1, 7, 30),
        utc(2026, 3, 8, 7, 30),
        utc(2026, 3, 15, 6, 30),
    ]
    assert autumn == [
        utc(2026, 10, 25, 5, 30),
        utc(2026, 11, 1, 5, 30),
        utc(2026, 11, 8, 6, 30),
    ]


def test_new_york_monthly_second_sunday_in_spring_gap():
    rule = series(
        "America/New_York", "monthly", time(2, 30), weekday=SUNDAY, week_of_month=2
    )

    found = starts(rule, utc(2026, 2, 1), utc(2026, 5, 1))

    assert found == [
        utc(2026, 2, 8, 7, 30),
        utc(2026, 3, 8, 7, 30),
        utc(2026, 4, 12, 6, 30),
    ]


def test_new_york_monthly_first_sunday_in_autumn_overlap():
    rule = series(
        "America/New_York", "monthly", time(1, 30), weekday=SUNDAY, week_of_month=1
    )

    found = starts(rule, utc(2026, 10, 1), utc(2027, 1, 1))

    assert found == [
        utc(2026, 10, 4, 5, 30),
        utc(2026, 11, 1, 5, 30),
        utc(2026, 12, 6, 6, 30),
    ]


# -- Rule boundaries -----------------------------------------------------------


def test_range_includes_start_and_excludes_end():
    rule = series("UTC", "daily", time(10, 0))

    found = starts(rule, utc(2026, 6, 1, 10), utc(2026, 6, 3, 10))

    assert found == [utc(2026, 6, 1, 10), utc(2026, 6, 2, 10)]


def test_first_and_last_day_are_inclusive():
    rule = series(
        "Europe/Berlin",
        "daily",
        time(23, 30),
        starts_on=date(2026, 6, 2),
        ends_on=date(2026, 6, 3),
    )

    found = starts(rule, utc(2026, 6, 1), utc(2026, 6, 10))

    assert found == [utc(2026, 6, 2, 21, 30), utc(2026, 6, 3, 21, 30)]


def test_local_date_decides_the_weekday():
    rule = series("Pacific/Auckland", "weekly", time(1, 0), weekday=0)

    found = starts(rule, utc(2026, 6, 1), utc(2026, 6, 8))

    # Monday 01:00 in Auckland (UTC+12 in June) is Sunday 13:00 UTC.
    assert found == [utc(2026, 6, 7, 13, 0)]


@pytest.mark.parametrize(
    ("year", "month", "week", "expected"),
    [
        (2026, 3, 1, date(2026, 3, 1)),
        (2026, 3, 4, date(2026, 3, 22)),
        (2026, 3, -1, date(2026, 3, 29)),
        (2026, 5, -1, date(2026, 5, 31)),
        (2026, 2, -1, date(2026, 2, 22)),
    ],
)
def test_monthly_date_finds_nth_and_last_sunday(year, month, week, expected):
    assert monthly_date(year, month, SUNDAY, week) == expected


def test_monthly_rule_matches_only_its_day():
    rule = series("UTC", "monthly", time(3, 0), weekday=SUNDAY, week_of_month=-1)

    assert rule_matches(rule, date(2026, 5, 31))
    assert not rule_matches(rule, date(2026, 5, 24))
