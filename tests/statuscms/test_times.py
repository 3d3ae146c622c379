from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from statuscms.times import format_local, format_offset, iso_utc, month_bounds


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (timedelta(0), "UTC"),
        (timedelta(hours=1), "UTC+01:00"),
        (timedelta(hours=5, minutes=30), "UTC+05:30"),
        (timedelta(hours=-4), "UTC-04:00"),
        (timedelta(hours=-9, minutes=-30), "UTC-09:30"),
        (timedelta(hours=14), "UTC+14:00"),
    ],
)
def test_format_offset(offset, expected):
    assert format_offset(offset) == expected


def test_format_local_in_summer_and_winter():
    berlin = ZoneInfo("Europe/Berlin")

    summer = format_local(datetime(2026, 8, 6, 18, 31, 37, tzinfo=UTC), berlin)
    winter = format_local(datetime(2026, 12, 4, 17, 31, tzinfo=UTC), berlin)

    assert summer == "6 Aug 2026, 20:31 UTC+02:00"
    assert winter == "4 Dec 2026, 18:31 UTC+01:00"


def test_format_local_accepts_zone_name():
    instant = datetime(2026, 8, 6, 18, 31, tzinfo=UTC)

    assert format_local(instant, "Asia/Kolkata") == "7 Aug 2026, 00:01 UTC+05:30"


def test_iso_utc_from_other_offset():
    instant = datetime.fromisoformat("2026-08-07T00:01:37+05:30")

    assert iso_utc(instant) == "2026-08-06T18:31:37Z"


def test_month_bounds_in_page_zone():
    melbourne = ZoneInfo("Australia/Melbourne")

    start, end = month_bounds(2026, 8, melbourne)

    assert start == datetime(2026, 7, 31, 14, 0, tzinfo=UTC)
    assert end == datetime(2026, 8, 31, 14, 0, tzinfo=UTC)


def test_month_bounds_december_rolls_year():
    start, end = month_bounds(2026, 12, ZoneInfo("UTC"))

    assert start == datetime(2026, 12, 1, tzinfo=UTC)
    assert end == datetime(2027, 1, 1, tzinfo=UTC)


def test_month_bounds_across_clock_change():
    # Santiago moves its clocks from 00:00 to 01:00 on 6 September 2026,
    # so October starts at -03:00 while September started at -04:00.
    start, end = month_bounds(2026, 9, ZoneInfo("America/Santiago"))

    assert start == datetime(2026, 9, 1, 4, 0, tzinfo=UTC)
    assert end == datetime(2026, 10, 1, 3, 0, tzinfo=UTC)


def test_format_local_edge_uses_utc():
    first_morning = datetime(1, 1, 1, 0, 30, tzinfo=UTC)

    shown = format_local(first_morning, ZoneInfo("America/New_York"))

    assert shown == "1 Jan 0001, 00:30 UTC"


def test_iso_utc_pads_the_year():
    assert iso_utc(datetime(1, 1, 1, 0, 30, tzinfo=UTC)) == "0001-01-01T00:30:00Z"
