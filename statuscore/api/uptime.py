"""Schema of ``uptime.json``, which Atlassian Statuspage has no match for."""

from __future__ import annotations

from ninja import Field

from statuscore.api.statuspage import Page, StrictSchema

__all__ = ["UptimeResponse"]

UptimePercent = Field(
    description="Percent of the known time that was not down, or null without data."
)


class Window(StrictSchema):
    """Uptime and coverage over one window up to now."""

    uptime_percent: float | None = UptimePercent
    coverage: float = Field(
        description="Share of the window with results, from 0 to 1. Time without "
        "results and maintenance time are not covered."
    )
    covered_seconds: int = Field(
        description="Seconds of the window with results, such as 68400 for "
        "data for 19 h of the last 24 h."
    )
    period_seconds: int = Field(description="Length of the window in seconds.")


class Day(StrictSchema):
    """One calendar day in the page's time zone."""

    date: str = Field(examples=["2026-03-20"])
    uptime_percent: float | None = UptimePercent
    coverage: float = Field(description="Share of the day with results, 0 to 1.")
    worst_status: str | None = Field(
        description="down, degraded or up for the worst known time, or null."
    )


class ComponentUptime(StrictSchema):
    """Uptime of a component, summed over its checks."""

    id: str
    name: str
    checks: int = Field(description="Number of checks; 0 means no figures at all.")
    last_24_hours: Window = Field(description="The rolling 24 hours up to now.")
    last_7_days: Window = Field(description="The last 7 local days, today included.")
    last_30_days: Window
    last_90_days: Window
    days: list[Day] = Field(description="The last 90 local days, oldest first.")


class UptimeResponse(StrictSchema):
    page: Page
    components: list[ComponentUptime]
