"""Read one component with everything its public page shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from statuscms.overview import is_visible, public_incidents
from statuscms.response_times import CheckCharts, check_charts
from statuscms.uptime_bars import UptimeBars, component_bars
from statuscore.history import component_uptimes
from statuscore.models import Check, Component, Incident, Page
from statuscore.summary import page_zone

__all__ = ["RECENT_INCIDENTS", "ComponentDetail", "load_component_detail"]

RECENT_INCIDENTS = 10


@dataclass(frozen=True)
class ComponentDetail:
    """A component shown on its page, with its bars, charts and incidents.

    ``uptime`` is None for a component without checks. ``incidents`` are
    the latest ``RECENT_INCIDENTS`` public incidents that affected it,
    newest first.
    """

    component: Component
    uptime: UptimeBars | None
    charts: list[CheckCharts]
    incidents: list[Incident]
    time_zone: str


def load_component_detail(
    page: Page, component_id: int, *, now: datetime | None = None
) -> ComponentDetail | None:
    """Return the component ``component_id`` of ``page``, or None.

    None also covers a component of another page and one the main page
    hides (``showcase`` off, or ``only_show_if_degraded`` while it is
    operational), so a visitor cannot tell them from a missing one.
    """
    component = (
        Component.objects.filter(page=page, pk=component_id)
        .select_related("group")
        .first()
    )
    if component is None or not is_visible(component):
        return None

    now = now or timezone.now()
    zone = page_zone(page)
    uptimes = component_uptimes(page, components=[component], now=now)
    bars = component_bars(page, uptimes, now=now)
    checks = list(Check.objects.filter(component=component).order_by("name", "id"))
    incidents = list(
        public_incidents(page).filter(components=component)[:RECENT_INCIDENTS]
    )
    return ComponentDetail(
        component=component,
        uptime=bars.get(component.pk),
        charts=check_charts(checks, zone, now=now),
        incidents=incidents,
        time_zone=zone.key,
    )
