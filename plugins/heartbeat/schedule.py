"""When the next heartbeat is expected, from a period or a cron expression.

Times go in and out as aware datetimes, and comparisons are made on
instants. A schedule's time zone therefore changes only which instants the
cron expression names, never how lateness is measured.

Cron expressions are evaluated by cronsim in the configured IANA zone. On
a night when the clocks go forward, a time that does not exist (02:30 in
Europe/Berlin on 2025-03-30) is expected once, at the first instant after
the gap (03:00 CEST). On a night when they go back, a time that happens
twice (02:30 on 2025-10-26) is expected once, at its first occurrence
(02:30 CEST, 00:30 UTC).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cronsim import CronSim

__all__ = ["cron_times", "next_expected"]

ONE_MICROSECOND = timedelta(microseconds=1)


def cron_times(expression: str, zone: ZoneInfo, after: datetime) -> Iterator[datetime]:
    """Yield the instants ``expression`` names strictly after ``after``, in UTC.

    cronsim starts from a wall time, and when ``after`` falls in the second
    pass of a repeated hour it can return the first pass of a time already
    gone. Every instant is therefore compared with the last one yielded, so
    each is yielded once and in order.
    """
    latest = after
    for wall_time in CronSim(expression, after.astimezone(zone)):
        instant = wall_time.astimezone(UTC)
        if instant > latest:
            latest = instant
            yield instant


def _counts_as_early(
    expression: str, zone: ZoneInfo, push: datetime, scheduled: datetime
) -> bool:
    """Tell whether a push before ``scheduled`` is that run, reported early.

    It is when no scheduled instant lies at least as close before it, so a
    push halfway between two runs is taken as the earlier run, reported
    late. This keeps a frequent schedule from losing a run to the tolerance.
    """
    distance = scheduled - push
    earlier = next(cron_times(expression, zone, push - distance - ONE_MICROSECOND))
    return earlier > push


def next_expected(
    reference: datetime,
    *,
    period_seconds: int | None = None,
    cron: str | None = None,
    zone: ZoneInfo = ZoneInfo("UTC"),
    early_tolerance_seconds: int = 0,
    pushed: bool = True,
) -> datetime:
    """Return when the heartbeat after ``reference`` is expected.

    ``reference`` is the last push, or when ``pushed`` is false, the time
    the check started to expect pushes. With a period, the next heartbeat
    is expected one period after the reference. With a cron expression, it
    is expected at the first scheduled instant after the reference, unless
    the reference is a push at most ``early_tolerance_seconds`` before that
    instant: such a push is that run, from a job whose clock is fast, and
    the run after it is expected instead.
    """
    if period_seconds is not None:
        return reference + timedelta(seconds=period_seconds)
    if cron is None:
        raise ValueError("Either period_seconds or cron is required.")

    times = cron_times(cron, zone, reference)
    scheduled = next(times)
    tolerance = timedelta(seconds=early_tolerance_seconds)
    if (
        pushed
        and scheduled - reference <= tolerance
        and _counts_as_early(cron, zone, reference, scheduled)
    ):
        return next(times)
    return scheduled
