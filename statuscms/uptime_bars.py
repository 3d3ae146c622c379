"""The 90-day uptime bars of components, with the incidents of each day.

``statuscore.history.component_uptimes`` computes each day's figures from
the check roll-ups. This module turns them into what a bar shows: one
state per day, the day's uptime and the public incidents that touched the
component on that day. All components are read together, in a number of
queries that depends neither on the number of components nor of days.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from statuscore.history import ComponentUptime, DayBar
from statuscore.models import Component, Incident, Page
from statuscore.rollups import local_day_bounds
from statuscore.summary import page_zone

__all__ = [
    "BAR_STATES",
    "BarDay",
    "DayIncident",
    "UptimeBars",
    "bar_state",
    "component_bars",
]

BAR_STATES = ("down", "degraded", "maintenance", "up", "nodata")
"""The states a day's bar can show, worst first."""

STATE_LABELS = {
    "down": pgettext_lazy("state of a day", "Down"),
    "degraded": pgettext_lazy("state of a day", "Degraded"),
    "maintenance": pgettext_lazy("state of a day", "Maintenance"),
    "up": pgettext_lazy("state of a day", "Up"),
    "nodata": pgettext_lazy("state of a day", "No data"),
}


@dataclass(frozen=True)
class DayIncident:
    """A public incident that affected a component on some day."""

    pk: int
    name: str
    impact: str


@dataclass(frozen=True)
class BarDay:
    """One local day of a component's bar.

    ``state`` is one of ``BAR_STATES``. ``uptime_percent`` is None on a
    day without data, which is shown grey and never as up or down.
    """

    day: date
    state: str
    uptime_percent: float | None
    incidents: list[DayIncident] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return self.uptime_percent is not None

    @property
    def state_label(self) -> str:
        """The state in the visitor's language, for the day's tooltip."""
        return str(STATE_LABELS[self.state])


@dataclass(frozen=True)
class UptimeBars:
    """A component's bars, oldest day first, and its uptime over all of them.

    ``covered_days`` is the known share of the period in whole days, so
    the page can show "data for 19 days of the last 90".
    """

    days: list[BarDay]
    uptime_percent: float | None
    covered_days: int

    @property
    def partial(self) -> bool:
        return self.covered_days < len(self.days)


def bar_state(bar: DayBar) -> str:
    """Return the state a day's bar shows: the worst of its known time.

    Down and degraded time outrank maintenance, because the uptime rules
    count them outside maintenance windows only. A day with maintenance
    and otherwise nothing worse than up shows maintenance, even when the
    window left no known time.
    """
    if bar.worst_status in ("down", "degraded"):
        return bar.worst_status
    if bar.maintenance_seconds > 0:
        return "maintenance"
    if bar.worst_status == "up":
        return "up"
    return "nodata"


def _incidents_by_day(
    components: Sequence[Component],
    first_day: date,
    now: datetime,
    zone: zoneinfo.ZoneInfo,
) -> dict[int, dict[date, list[DayIncident]]]:
    """Return the public incidents of each component per local day, in one query.

    An incident belongs to every day from the one it started on to the one
    it was resolved on, or today while it is open.
    """
    window_start, _end = local_day_bounds(first_day, zone)
    today = timezone.localtime(now, zone).date()
    links = (
        Incident.components.through.objects.filter(
            component_id__in=[component.pk for component in components],
            incident__is_public=True,
            incident__started_at__lte=now,
        )
        .filter(
            Q(incident__resolved_at__isnull=True)
            | Q(incident__resolved_at__gte=window_start)
        )
        .order_by("incident__started_at", "incident_id")
        .values_list(
            "component_id",
            "incident_id",
            "incident__name",
            "incident__impact",
            "incident__started_at",
            "incident__resolved_at",
        )
    )

    by_component: dict[int, dict[date, list[DayIncident]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for component_id, pk, name, impact, started_at, resolved_at in links:
        first = max(timezone.localtime(started_at, zone).date(), first_day)
        last = timezone.localtime(resolved_at, zone).date() if resolved_at else today
        incident = DayIncident(pk=pk, name=name, impact=impact)
        day = first
        while day <= min(last, today):
            by_component[component_id][day].append(incident)
            day += timedelta(days=1)
    return by_component


def component_bars(
    page: Page, uptimes: Sequence[ComponentUptime], *, now: datetime | None = None
) -> dict[int, UptimeBars]:
    """Return the bars of each component that has checks, by component id.

    ``uptimes`` come from ``component_uptimes`` for ``page``. A component
    without checks has no bars: it has no figures to show, and a row of
    grey days would tell visitors nothing. This adds one query, for the incidents.
    """
    checked = [uptime for uptime in uptimes if uptime.checks_count]
    if not checked:
        return {}

    now = now or timezone.now()
    zone = page_zone(page)
    first_day = checked[0].history.days[0].day
    incidents = _incidents_by_day(
        [uptime.component for uptime in checked], first_day, now, zone
    )

    bars = {}
    for uptime in checked:
        days_of_incidents = incidents.get(uptime.component.pk, {})
        history = uptime.history
        days = [
            BarDay(
                day=bar.day,
                state=bar_state(bar),
                uptime_percent=bar.uptime_percent,
                incidents=days_of_incidents.get(bar.day, []),
            )
            for bar in history.days
        ]
        bars[uptime.component.pk] = UptimeBars(
            days=days,
            uptime_percent=history.uptime_percent,
            covered_days=round((history.coverage or 0.0) * len(days)),
        )
    return bars
