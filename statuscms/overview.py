"""Read what the public status page shows, in a fixed number of queries.

Everything here only reads ``statuscore`` models. Changes go through
``statuscore.services``.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone

from statuscms.uptime_bars import component_bars
from statuscore.history import component_uptimes
from statuscore.models import (
    Component,
    ComponentGroup,
    ComponentStatus,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Maintenance,
    MaintenanceStatus,
    MaintenanceUpdate,
    Page,
)
from statuscore.models.incidents import IncidentQuerySet
from statuscore.status import PageStatus, compute_page_status
from statuscore.summary import ACTIVE_MAINTENANCE_STATUSES, page_zone

__all__ = [
    "HISTORY_DAYS",
    "GroupRow",
    "HistoryDay",
    "PageOverview",
    "is_visible",
    "load_page_overview",
    "public_incidents",
    "with_timeline",
]

HISTORY_DAYS = 14


# Component statuses from the worst to the best, for a group's summary.
STATUS_SEVERITY = [
    ComponentStatus.MAJOR_OUTAGE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.DEGRADED_PERFORMANCE,
    ComponentStatus.UNDER_MAINTENANCE,
    ComponentStatus.OPERATIONAL,
]


@dataclass(frozen=True)
class GroupRow:
    """A component group with the components that visitors see in it."""

    group: ComponentGroup
    components: list[Component]

    @property
    def status(self) -> ComponentStatus:
        """The worst status of the group's components."""
        statuses = {component.status for component in self.components}
        for status in STATUS_SEVERITY:
            if status in statuses:
                return status
        return ComponentStatus.OPERATIONAL

    @property
    def status_label(self) -> str:
        """The label of ``status``, as a component row shows its own."""
        return ComponentStatus(self.status).label


@dataclass(frozen=True)
class HistoryDay:
    """One calendar day in the page's time zone, with the incidents started on it."""

    date: date
    incidents: list[Incident]


def _attach_uptime(page: Page, components: list[Component], now: datetime) -> None:
    """Set ``uptime`` on each component: its ``UptimeBars``, or None for a
    component without checks, which has no figures to show."""
    uptimes = component_uptimes(page, components=components, now=now)
    bars = component_bars(page, uptimes, now=now)
    for component in components:
        component.uptime = bars.get(component.pk)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class PageOverview:
    """Everything the public page renders, read at one moment.

    Each incident carries ``timeline``, its updates newest first, so
    ``incident.timeline.0`` is its latest update. ``maintenances`` lists
    the windows in progress and those still to come, earliest first, and
    each carries ``timeline`` the same way.
    """

    status: PageStatus
    time_zone: str
    groups: list[GroupRow]
    ungrouped: list[Component]
    open_incidents: list[Incident]
    history: list[HistoryDay]
    maintenances: list[Maintenance]
    maintenance_in_progress: bool


def is_visible(component: Component) -> bool:
    """Return whether visitors see ``component`` on the page."""
    if not component.showcase:
        return False
    return not (
        component.only_show_if_degraded
        and component.status == ComponentStatus.OPERATIONAL
    )


def _group_components(
    groups: list[ComponentGroup], components: list[Component]
) -> tuple[list[GroupRow], list[Component]]:
    """Sort visible components into their groups, dropping empty groups."""
    by_group: dict[int, list[Component]] = {group.pk: [] for group in groups}
    ungrouped = []
    for component in filter(is_visible, components):
        if component.group_id in by_group:
            by_group[component.group_id].append(component)
        else:
            ungrouped.append(component)

    rows = [
        GroupRow(group, by_group[group.pk]) for group in groups if by_group[group.pk]
    ]
    return rows, ungrouped


def _history_days(
    incidents: list[Incident], today: date, zone: zoneinfo.ZoneInfo
) -> list[HistoryDay]:
    """Return the last ``HISTORY_DAYS`` days, today first, each with its incidents."""
    by_day: dict[date, list[Incident]] = {}
    for incident in incidents:
        day = timezone.localtime(incident.started_at, zone).date()
        by_day.setdefault(day, []).append(incident)

    days = [today - timedelta(days=offset) for offset in range(HISTORY_DAYS)]
    return [HistoryDay(day, by_day.get(day, [])) for day in days]


def public_incidents(page: Page) -> IncidentQuerySet:
    """Return the incidents of ``page`` that visitors may see.

    An incident waiting for a person's approval (``is_public=False``) is
    left out of everything the public pages show, the banner included.
    """
    return Incident.objects.public().filter(page=page)


def with_timeline(incidents: IncidentQuerySet) -> IncidentQuerySet:
    """Add ``timeline`` (the updates, newest first) and the components.

    Each is read with one query, whatever the number of incidents.
    """
    return incidents.prefetch_related(
        Prefetch("updates", IncidentUpdate.objects.all(), to_attr="timeline"),
        "components",
    )


def _current_maintenances(page: Page, now: datetime) -> list[Maintenance]:
    """Return the windows in progress and those not yet ended, earliest first."""
    updates = MaintenanceUpdate.objects.order_by("-display_at", "-id")
    return list(
        Maintenance.objects.filter(page=page)
        .filter(
            Q(status__in=ACTIVE_MAINTENANCE_STATUSES)
            | Q(status=MaintenanceStatus.SCHEDULED, scheduled_until__gt=now)
        )
        .order_by("scheduled_for", "id")
        .prefetch_related(
            "components", Prefetch("updates", updates, to_attr="timeline")
        )
    )


def load_page_overview(page: Page, *, now: datetime | None = None) -> PageOverview:
    """Read the page's banner, components, incidents, maintenances and history.

    Incidents not yet approved for the public are left out. The number of
    queries does not depend on how many components, groups, incidents,
    maintenances or updates the page has. The banner counts every component,
    including those that ``showcase`` or ``only_show_if_degraded`` hide from
    the list. ``now`` defaults to the current time and sets which 14 days
    the history covers, counted in the page's time zone. Each component
    shown gets ``uptime``, its 90-day bars (see ``UptimeBars``).
    """
    zone = page_zone(page)
    now = now or timezone.now()
    today = timezone.localtime(now, zone).date()
    window_start = datetime.combine(
        today - timedelta(days=HISTORY_DAYS - 1), time.min, tzinfo=zone
    )

    groups = list(ComponentGroup.objects.filter(page=page))
    components = list(Component.objects.filter(page=page))
    incidents = list(
        with_timeline(public_incidents(page)).filter(
            Q(started_at__gte=window_start) | ~Q(status=IncidentStatus.RESOLVED)
        )
    )
    maintenances = _current_maintenances(page, now)
    maintenance_in_progress = any(
        maintenance.status in ACTIVE_MAINTENANCE_STATUSES
        for maintenance in maintenances
    )

    open_incidents = [incident for incident in incidents if not incident.is_resolved]
    recent = [incident for incident in incidents if incident.started_at >= window_start]
    status = compute_page_status(
        [component.status for component in components],
        [incident.impact for incident in open_incidents],
        maintenance_in_progress,
    )
    group_rows, ungrouped = _group_components(groups, components)
    visible = [component for row in group_rows for component in row.components]
    _attach_uptime(page, visible + ungrouped, now)

    return PageOverview(
        status=status,
        time_zone=zone.key,
        groups=group_rows,
        ungrouped=ungrouped,
        open_incidents=open_incidents,
        history=_history_days(recent, today, zone),
        maintenances=maintenances,
        maintenance_in_progress=maintenance_in_progress,
    )
