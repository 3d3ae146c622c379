"""Build ``uptime.json``: each component's uptime over fixed windows and days.

Uptime follows ``statuscore.uptime``: time without results is unknown, so
it lowers coverage and leaves the percentage alone. A window without any
known time has a null percentage, never 100% and never 0%.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from statuscore.history import DEFAULT_DAYS, ComponentUptime, component_uptimes
from statuscore.models import Page
from statuscore.summary import page_payload, page_zone
from statuscore.uptime import Measure

__all__ = ["WINDOW_DAYS", "build_uptime"]

WINDOW_DAYS = {"last_7_days": 7, "last_30_days": 30, "last_90_days": DEFAULT_DAYS}
"""Windows of whole local days, today up to now included, by response key."""

DECIMALS = 4


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def _window(figures: Measure, checks: int) -> dict:
    # A component's period counts once per check. covered_seconds is the
    # coverage share of one period, so that it reads as "data for 19 h of
    # the last 24 h" whatever the number of checks.
    period = figures.period_seconds / max(checks, 1)
    coverage = figures.coverage or 0.0
    return {
        "uptime_percent": _rounded(figures.uptime_percent),
        "coverage": _rounded(coverage),
        "covered_seconds": round(coverage * period),
        "period_seconds": round(period),
    }


def _component(uptime: ComponentUptime) -> dict:
    checks = uptime.checks_count
    windows = {"last_24_hours": _window(uptime.last_day, checks)}
    for key, days in WINDOW_DAYS.items():
        windows[key] = _window(uptime.over_days(days), checks)

    return {
        "id": str(uptime.component.pk),
        "name": uptime.component.name,
        "checks": uptime.checks_count,
        **windows,
        "days": [
            {
                "date": bar.day.isoformat(),
                "uptime_percent": _rounded(bar.uptime_percent),
                "coverage": _rounded(bar.coverage or 0.0),
                "worst_status": bar.worst_status,
            }
            for bar in uptime.history.days
        ],
    }


def build_uptime(page: Page, *, now: datetime | None = None) -> dict:
    """Build ``uptime.json`` for ``page`` in a fixed number of queries."""
    now = now or timezone.now()
    uptimes = component_uptimes(page, now=now)
    return {
        "page": page_payload(page, page_zone(page)),
        "components": [_component(uptime) for uptime in uptimes],
    }
