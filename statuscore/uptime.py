"""Time-weighted uptime of a check, computed from its results.

This module only computes. It reads no database and has no clock. The
rules, with ``interval`` the check's interval:

1. A result covers the time from its ``checked_at`` until the next
   result, but for at most ``COVERAGE_INTERVALS * interval``. So one late
   or lost run leaves no hole, while a stopped monitor does.
2. Time that no result covers is *unknown*: it is neither up nor down.
   It is left out of both the known time and the downtime. A monitor that
   was stopped for five hours therefore neither lowers nor raises uptime,
   and the first result after the restart is where downtime (if any)
   starts again.
3. Time inside a maintenance window of the check's component is left out
   of the known time and the downtime, and counted as maintenance time.
4. A degraded result counts as up. Degraded time is counted on its own as
   well, so a bar can show that a day was degraded.
5. ``uptime = 1 - down_seconds / known_seconds``. With no known time the
   uptime is ``None`` ("no data"), never 100% and never 0%.
6. ``coverage = known_seconds / period_seconds``: the share of the period
   for which a result gives the state. Maintenance time is not known time,
   so it lowers coverage, by ``maintenance_seconds``.

Each result counts as measured, before any confirmation rule: a single
failed run is downtime until the next result.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

__all__ = [
    "COVERAGE_INTERVALS",
    "LatencyStats",
    "Measure",
    "Sample",
    "Span",
    "coverage_cap",
    "latency_stats",
    "measure",
    "merge_spans",
]

COVERAGE_INTERVALS = 2
"""The maximum number of check intervals that one result covers."""

UP = "up"
DEGRADED = "degraded"
DOWN = "down"


@dataclass(frozen=True)
class Sample:
    """The time and status (``up``, ``degraded`` or ``down``) of one result."""

    checked_at: datetime
    status: str


@dataclass(frozen=True, order=True)
class Span:
    """A half-open time range ``[start, end)``."""

    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return max((self.end - self.start).total_seconds(), 0.0)


@dataclass(frozen=True)
class Measure:
    """Seconds of a period by what is known about them.

    ``known_seconds`` includes ``down_seconds`` and ``degraded_seconds``.
    ``maintenance_seconds`` is the part of the period inside maintenance
    windows, whether or not results exist for it.
    """

    period_seconds: float = 0.0
    known_seconds: float = 0.0
    down_seconds: float = 0.0
    degraded_seconds: float = 0.0
    maintenance_seconds: float = 0.0

    def __add__(self, other: Measure) -> Measure:
        values = {
            field.name: getattr(self, field.name) + getattr(other, field.name)
            for field in fields(self)
        }
        return Measure(**values)

    @property
    def uptime_percent(self) -> float | None:
        """Uptime in percent, or ``None`` when nothing is known."""
        if self.known_seconds <= 0:
            return None
        return 100.0 * (1.0 - self.down_seconds / self.known_seconds)

    @property
    def coverage(self) -> float | None:
        """Known share of the period, from 0 to 1, or ``None`` for an empty period."""
        if self.period_seconds <= 0:
            return None
        return self.known_seconds / self.period_seconds

    @property
    def worst_status(self) -> str | None:
        """``down``, ``degraded`` or ``up`` for the worst known time, else ``None``."""
        if self.down_seconds > 0:
            return DOWN
        if self.degraded_seconds > 0:
            return DEGRADED
        if self.known_seconds > 0:
            return UP
        return None


def coverage_cap(interval_seconds: float) -> timedelta:
    """Return the maximum time that one result of a check covers."""
    return timedelta(seconds=COVERAGE_INTERVALS * interval_seconds)


def merge_spans(spans: Iterable[Span], start: datetime, end: datetime) -> list[Span]:
    """Clip ``spans`` to ``[start, end)`` and merge overlaps, in time order."""
    clipped = sorted(
        Span(max(span.start, start), min(span.end, end))
        for span in spans
        if span.end > start and span.start < end
    )
    merged: list[Span] = []
    for span in clipped:
        if merged and span.start <= merged[-1].end:
            last = merged.pop()
            span = Span(last.start, max(last.end, span.end))
        merged.append(span)
    return merged


def _outside_seconds(span: Span, excluded: Sequence[Span]) -> float:
    """Return the seconds of ``span`` outside the merged ``excluded`` spans."""
    inside = 0.0
    for other in excluded:
        if other.start >= span.end:
            break
        inside += Span(max(span.start, other.start), min(span.end, other.end)).seconds
    return span.seconds - inside


def measure(
    samples: Sequence[Sample],
    start: datetime,
    end: datetime,
    *,
    interval_seconds: float,
    maintenance: Iterable[Span] = (),
) -> Measure:
    """Measure the period ``[start, end)`` from a check's results.

    ``samples`` must include the results from ``coverage_cap`` before
    ``start``, since they may cover the first moments of the period.
    Results before that, or from ``end`` on, change nothing. ``end`` must
    not lie in the future: pass the current time for a period still open.

    1. Each result covers the time until the next one, capped by ``coverage_cap``.
    2. That span is clipped to the period.
    3. The part inside maintenance windows is left out.
    4. What remains is known time, and downtime or degraded time by status.
    """
    if end <= start:
        return Measure()

    cap = coverage_cap(interval_seconds)
    windows = merge_spans(maintenance, start, end)
    ordered = sorted(samples, key=lambda sample: sample.checked_at)
    known = down = degraded = 0.0

    for index, sample in enumerate(ordered):
        covers_until = sample.checked_at + cap
        if index + 1 < len(ordered):
            covers_until = min(covers_until, ordered[index + 1].checked_at)
        span = Span(max(sample.checked_at, start), min(covers_until, end))
        if span.seconds <= 0:
            continue

        seconds = _outside_seconds(span, windows)
        known += seconds
        if sample.status == DOWN:
            down += seconds
        elif sample.status == DEGRADED:
            degraded += seconds

    return Measure(
        period_seconds=(end - start).total_seconds(),
        known_seconds=known,
        down_seconds=down,
        degraded_seconds=degraded,
        maintenance_seconds=sum(window.seconds for window in windows),
    )


@dataclass(frozen=True)
class LatencyStats:
    """Response times of the results in a bucket, in milliseconds."""

    count: int = 0
    average: float | None = None
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None


def _nearest_rank(ordered: Sequence[float], percent: float) -> float:
    """Return the smallest value with at least ``percent`` % of values at or
    below it (the nearest-rank percentile)."""
    rank = max(math.ceil(percent / 100.0 * len(ordered)), 1)
    return ordered[rank - 1]


def latency_stats(values: Iterable[float]) -> LatencyStats:
    """Compute the average and the exact 50th, 95th and 99th percentiles."""
    ordered = sorted(values)
    if not ordered:
        return LatencyStats()

    return LatencyStats(
        count=len(ordered),
        average=math.fsum(ordered) / len(ordered),
        p50=_nearest_rank(ordered, 50),
        p95=_nearest_rank(ordered, 95),
        p99=_nearest_rank(ordered, 99),
    )
