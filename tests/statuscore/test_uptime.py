"""Uptime math on synthetic result streams, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from statuscore.uptime import Sample, Span, latency_stats, measure

DAY_START = datetime(2026, 3, 10, tzinfo=UTC)
DAY_END = DAY_START + timedelta(days=1)
MINUTE = timedelta(minutes=1)


def at(hours: int, minutes: int = 0) -> datetime:
    return DAY_START + timedelta(hours=hours, minutes=minutes)


def stream(start: datetime, end: datetime, status: str = "up") -> list[Sample]:
    """Return one result a minute from ``start`` until before ``end``."""
    count = int((end - start) / MINUTE)
    return [Sample(start + index * MINUTE, status) for index in range(count)]


def measure_day(samples, maintenance=()):
    return measure(
        samples, DAY_START, DAY_END, interval_seconds=60, maintenance=maintenance
    )


def test_all_up_day_is_full_uptime():
    totals = measure_day(stream(DAY_START, DAY_END))

    assert totals.uptime_percent == 100.0
    assert totals.known_seconds == 86400
    assert totals.coverage == 1.0
    assert totals.worst_status == "up"


def test_ten_minute_outage_in_day():
    samples = (
        stream(DAY_START, at(10))
        + stream(at(10), at(10, 10), "down")
        + stream(at(10, 10), DAY_END)
    )

    totals = measure_day(samples)

    assert totals.down_seconds == 600
    assert totals.known_seconds == 86400
    assert totals.uptime_percent == pytest.approx(100 * 85800 / 86400, rel=1e-12)
    assert round(totals.uptime_percent, 3) == 99.306
    assert totals.worst_status == "down"


def test_five_hour_gap_is_unknown():
    # The monitor stops after its 09:59 run and restarts at 15:00. The
    # 09:59 result covers two intervals, to 10:01, and the rest is unknown.
    samples = stream(DAY_START, at(10)) + stream(at(15), DAY_END)

    totals = measure_day(samples)

    assert totals.known_seconds == 86400 - (5 * 3600 - 60)
    assert totals.down_seconds == 0
    assert totals.uptime_percent == 100.0
    assert totals.coverage == pytest.approx(68460 / 86400, rel=1e-12)


def test_down_before_and_after_gap():
    samples = (
        stream(DAY_START, at(9))
        + stream(at(9), at(10), "down")
        + stream(at(15), at(15, 30), "down")
        + stream(at(15, 30), DAY_END)
    )

    totals = measure_day(samples)

    # 09:00 to 10:01 before the gap, then 15:00 to 15:30 after the restart.
    assert totals.down_seconds == 3660 + 1800
    assert totals.known_seconds == 68460
    assert totals.uptime_percent == pytest.approx(100 * (1 - 5460 / 68460), rel=1e-12)


def test_maintenance_overlapping_outage_excluded():
    samples = (
        stream(DAY_START, at(10))
        + stream(at(10), at(11), "down")
        + stream(at(11), DAY_END)
    )

    totals = measure_day(samples, maintenance=[Span(at(10, 30), at(12))])

    assert totals.down_seconds == 1800
    assert totals.maintenance_seconds == 5400
    assert totals.known_seconds == 81000
    assert totals.uptime_percent == pytest.approx(100 * (1 - 1800 / 81000), rel=1e-12)


def test_overlapping_maintenances_count_once():
    windows = [Span(at(1), at(3)), Span(at(2), at(4)), Span(at(23), at(26))]

    totals = measure_day(stream(DAY_START, DAY_END), maintenance=windows)

    assert totals.maintenance_seconds == 3 * 3600 + 3600
    assert totals.known_seconds == 86400 - 4 * 3600


def test_no_results_gives_no_data():
    totals = measure_day([])

    assert totals.uptime_percent is None
    assert totals.worst_status is None
    assert totals.known_seconds == 0
    assert totals.coverage == 0.0


def test_empty_period_gives_no_data():
    totals = measure(stream(DAY_START, DAY_END), DAY_END, DAY_END, interval_seconds=60)

    assert totals.uptime_percent is None
    assert totals.coverage is None


def test_degraded_counts_as_up():
    samples = stream(DAY_START, at(12), "degraded") + stream(at(12), DAY_END)

    totals = measure_day(samples)

    assert totals.uptime_percent == 100.0
    assert totals.degraded_seconds == 12 * 3600
    assert totals.worst_status == "degraded"


def test_result_before_period_covers_its_start():
    samples = [Sample(DAY_START - timedelta(seconds=30), "down")]

    totals = measure_day(samples)

    assert totals.down_seconds == 90
    assert totals.known_seconds == 90


def test_last_result_covers_two_intervals():
    totals = measure_day([Sample(at(6), "up")])

    assert totals.known_seconds == 120


def test_open_period_ends_at_its_end():
    totals = measure([Sample(at(6), "down")], DAY_START, at(6, 1), interval_seconds=60)

    assert totals.down_seconds == 60
    assert totals.period_seconds == 6 * 3600 + 60


def test_latency_percentiles_nearest_rank():
    stats = latency_stats(float(value) for value in range(100, 0, -1))

    assert stats.count == 100
    assert stats.average == 50.5
    assert stats.p50 == 50.0
    assert stats.p95 == 95.0
    assert stats.p99 == 99.0


def test_latency_of_one_value():
    stats = latency_stats([42.0])

    assert stats.p50 == 42.0
    assert stats.p99 == 42.0


def test_latency_without_values():
    stats = latency_stats([])

    assert stats.count == 0
    assert stats.average is None
    assert stats.p95 is None
