"""The public v2 JSON of a page, in Atlassian Statuspage's shape.

The functions here read a page and return plain dicts that ``json.dumps``
can write as they are, so the API and a future snapshot builder render the
same bytes. They only read, and changes go through ``statuscore.services``.

The format follows Statuspage's public ``/api/v2/`` endpoints:

- Ids are strings. A component's id is its primary key, as in the
  ``affected_components`` that incident updates store. Component groups
  live in their own table, so their ids carry a ``group-`` prefix to stay
  distinct from component ids.
- Groups are listed among the components with ``"group": true`` and the
  ids of their members in ``"components"``. Each group comes right before
  its members, in the order visitors see them.
- Timestamps are ISO 8601 with milliseconds, in the page's time zone, with
  an explicit offset: ``2026-08-06T20:31:37.000+02:00``, or a ``Z`` suffix
  when the offset is zero.
- Text is returned as stored. The client that renders it escapes it.

The number of queries of each function is fixed: it does not grow with the
number of components, incidents, updates or maintenances.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Iterable
from datetime import datetime

from django.db.models import F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from statuscore.models import (
    Component,
    ComponentGroup,
    ComponentStatus,
    Incident,
    IncidentUpdate,
    Maintenance,
    MaintenanceStatus,
    MaintenanceUpdate,
    Page,
)
from statuscore.models.incidents import IncidentQuerySet
from statuscore.status import COMPONENT_INDICATORS, INDICATOR_ORDER, compute_page_status

__all__ = [
    "RECENT_LIMIT",
    "build_active_maintenances",
    "build_components",
    "build_incidents",
    "build_scheduled_maintenances",
    "build_status",
    "build_summary",
    "build_unresolved_incidents",
    "build_upcoming_maintenances",
    "format_timestamp",
    "group_public_id",
    "page_payload",
    "page_zone",
]

logger = logging.getLogger(__name__)

ACTIVE_MAINTENANCE_STATUSES = (
    MaintenanceStatus.IN_PROGRESS,
    MaintenanceStatus.VERIFYING,
)
LISTED_MAINTENANCE_STATUSES = (
    MaintenanceStatus.SCHEDULED,
    *ACTIVE_MAINTENANCE_STATUSES,
    MaintenanceStatus.COMPLETED,
)
"""Statuspage's maintenance statuses. A cancelled maintenance has no
counterpart there, so the v2 JSON leaves it out."""

RECENT_LIMIT = 50
"""How many incidents or maintenances the full v2 lists hold, as in Statuspage."""


def page_zone(page: Page) -> zoneinfo.ZoneInfo:
    """Return the page's time zone, or UTC when its name is not a known zone."""
    try:
        return zoneinfo.ZoneInfo(page.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        # The model validates the name, but a row written without
        # validation can still hold a bad one.
        logger.warning("Page %s has an invalid time zone %r", page.pk, page.time_zone)
        return zoneinfo.ZoneInfo("UTC")


def format_timestamp(value: datetime | None, zone: zoneinfo.ZoneInfo) -> str | None:
    """Format an aware datetime as ISO 8601 in ``zone``, to the millisecond.

    ``None`` stays ``None``, for fields such as ``resolved_at``. A time at
    the edge of the calendar (year 1 or 9999) that ``zone`` would push out
    of range is given in UTC instead, so one odd row cannot break a page.
    """
    if value is None:
        return None

    try:
        local = value.astimezone(zone)
    except OverflowError:
        logger.warning("Time %r is out of range in %s; shown in UTC", value, zone)
        local = value.astimezone(zoneinfo.ZoneInfo("UTC"))
    text = local.isoformat(timespec="milliseconds")
    if text.endswith("+00:00"):
        text = text[: -len("+00:00")] + "Z"
    return text


def group_public_id(group_pk: int) -> str:
    """Return the id a component group has in the v2 JSON."""
    return f"group-{group_pk}"


def _last_change(page: Page) -> datetime:
    """Return when the page or anything on it last changed.

    Incidents since resolved and maintenances since finished count too, so
    resolving an incident moves the time forward. The services that delete
    incidents, updates and maintenances touch the page's ``updated_at``, so
    a deletion moves it as well. Incidents waiting for approval are left
    out, so the time does not betray them; approving one moves it.
    """
    querysets = (
        ComponentGroup.objects.all(),
        Component.objects.all(),
        Incident.objects.public(),
        Maintenance.objects.all(),
    )
    newest = [
        Coalesce(
            Subquery(
                queryset.filter(page=OuterRef("pk"))
                .order_by("-updated_at")
                .values("updated_at")[:1]
            ),
            F("updated_at"),
        )
        for queryset in querysets
    ]
    # Coalesce keeps NULL out of Greatest: SQLite returns NULL if any
    # argument is NULL, where PostgreSQL skips it.
    return (
        Page.objects.filter(pk=page.pk)
        .annotate(last_change=Greatest(F("updated_at"), *newest))
        .values_list("last_change", flat=True)
        .get()
    )


def page_payload(page: Page, zone: zoneinfo.ZoneInfo) -> dict:
    """Build the ``page`` object that every v2 response starts with."""
    return {
        "id": str(page.pk),
        "name": page.name,
        "url": page.url,
        "time_zone": zone.key,
        "updated_at": format_timestamp(_last_change(page), zone),
    }


def _component_payload(component: Component, zone: zoneinfo.ZoneInfo) -> dict:
    group_id = None
    if component.group_id is not None:
        group_id = group_public_id(component.group_id)

    return {
        "id": str(component.pk),
        "name": component.name,
        "status": component.status,
        "created_at": format_timestamp(component.created_at, zone),
        "updated_at": format_timestamp(component.updated_at, zone),
        "position": component.position,
        "description": component.description or None,
        "showcase": component.showcase,
        "start_date": None,
        "group_id": group_id,
        "page_id": str(component.page_id),
        "group": False,
        "only_show_if_degraded": component.only_show_if_degraded,
    }


def _worst_status(statuses: Iterable[str]) -> str:
    """Return the most severe status, ranked like the page indicator."""
    return max(
        statuses,
        key=lambda status: INDICATOR_ORDER.index(COMPONENT_INDICATORS[status]),
        default=ComponentStatus.OPERATIONAL.value,
    )


def _group_payload(
    group: ComponentGroup, members: list[Component], zone: zoneinfo.ZoneInfo
) -> dict:
    # A group has no status of its own, so it shows its worst member's.
    # The fields that only components have get fixed values.
    return {
        "id": group_public_id(group.pk),
        "name": group.name,
        "status": _worst_status(member.status for member in members),
        "created_at": format_timestamp(group.created_at, zone),
        "updated_at": format_timestamp(group.updated_at, zone),
        "position": group.position,
        "description": group.description or None,
        "showcase": False,
        "start_date": None,
        "group_id": None,
        "page_id": str(group.page_id),
        "group": True,
        "only_show_if_degraded": False,
        "components": [str(member.pk) for member in members],
    }


def _components_payload(
    groups: list[ComponentGroup],
    components: list[Component],
    zone: zoneinfo.ZoneInfo,
) -> list[dict]:
    """List groups and ungrouped components by position, members after their group.

    ``groups`` and ``components`` must be in model order (position, id).
    """
    members: dict[int, list[Component]] = {group.pk: [] for group in groups}
    top_level: list[tuple[int, int, ComponentGroup | Component]] = []
    for component in components:
        if component.group_id in members:
            members[component.group_id].append(component)
        else:
            top_level.append((component.position, 1, component))
    top_level.extend((group.position, 0, group) for group in groups)

    # Sort on (position, kind) only: sorted() is stable, so equal keys keep
    # the model order, and groups come before components at equal position.
    payload = []
    for _position, _kind, item in sorted(top_level, key=lambda row: row[:2]):
        if isinstance(item, ComponentGroup):
            payload.append(_group_payload(item, members[item.pk], zone))
            payload.extend(
                _component_payload(member, zone) for member in members[item.pk]
            )
        else:
            payload.append(_component_payload(item, zone))
    return payload


def _update_payload(update: IncidentUpdate, zone: zoneinfo.ZoneInfo) -> dict:
    return {
        "id": str(update.pk),
        "status": update.status,
        "body": update.body,
        "incident_id": str(update.incident_id),
        "created_at": format_timestamp(update.created_at, zone),
        "updated_at": format_timestamp(update.updated_at, zone),
        "display_at": format_timestamp(update.display_at, zone),
        "affected_components": update.affected_components or None,
        # Nothing is ever tweeted.
        "deliver_notifications": update.notify_subscribers,
        "custom_tweet": None,
        "tweet_id": None,
    }


def incident_address(incident: Incident, page: Page) -> str | None:
    """Return the public address of the incident's own page,
    ``<page url>/incidents/<id>/``, or None when the page has no canonical
    address to build it on."""
    if not page.url:
        return None
    return f"{page.url.rstrip('/')}/incidents/{incident.pk}/"


def _incident_payload(incident: Incident, page: Page, zone: zoneinfo.ZoneInfo) -> dict:
    return {
        "id": str(incident.pk),
        "name": incident.name,
        "status": incident.status,
        "created_at": format_timestamp(incident.created_at, zone),
        "updated_at": format_timestamp(incident.updated_at, zone),
        "monitoring_at": format_timestamp(incident.monitoring_at, zone),
        "resolved_at": format_timestamp(incident.resolved_at, zone),
        "impact": incident.impact,
        "shortlink": incident_address(incident, page),
        "started_at": format_timestamp(incident.started_at, zone),
        "page_id": str(incident.page_id),
        "incident_updates": [
            _update_payload(update, zone) for update in incident.timeline
        ],
        "components": [
            _component_payload(component, zone)
            for component in incident.components.all()
        ],
    }


def _maintenance_update_payload(
    update: MaintenanceUpdate, zone: zoneinfo.ZoneInfo
) -> dict:
    # Maintenance updates are never edited, so they change when created.
    return {
        "id": str(update.pk),
        "status": update.status,
        "body": update.body,
        "incident_id": str(update.maintenance_id),
        "created_at": format_timestamp(update.created_at, zone),
        "updated_at": format_timestamp(update.created_at, zone),
        "display_at": format_timestamp(update.display_at, zone),
        "affected_components": None,
        "deliver_notifications": update.notify_subscribers,
        "custom_tweet": None,
        "tweet_id": None,
    }


def _maintenance_payload(
    maintenance: Maintenance, page: Page, zone: zoneinfo.ZoneInfo
) -> dict:
    return {
        "id": str(maintenance.pk),
        "name": maintenance.name,
        "status": maintenance.status,
        "created_at": format_timestamp(maintenance.created_at, zone),
        "updated_at": format_timestamp(maintenance.updated_at, zone),
        "monitoring_at": None,
        "resolved_at": format_timestamp(maintenance.completed_at, zone),
        "impact": "maintenance",
        "shortlink": page.url or None,
        "started_at": format_timestamp(maintenance.scheduled_for, zone),
        "page_id": str(maintenance.page_id),
        # NOTE: a maintenance without posted updates lists none here, where
        # Statuspage always lists at least the one written when scheduling.
        "incident_updates": [
            _maintenance_update_payload(update, zone)
            for update in maintenance.updates.all()
        ],
        "components": [
            _component_payload(component, zone)
            for component in maintenance.components.all()
        ],
        "scheduled_for": format_timestamp(maintenance.scheduled_for, zone),
        "scheduled_until": format_timestamp(maintenance.scheduled_until, zone),
    }


def _incidents_with_timeline(page: Page) -> IncidentQuerySet:
    """Return the page's public incidents with updates and components
    prefetched. Incidents waiting for approval are left out."""
    return (
        Incident.objects.filter(page=page)
        .public()
        .prefetch_related(
            Prefetch(
                "updates", queryset=IncidentUpdate.objects.all(), to_attr="timeline"
            ),
            "components",
        )
    )


def _listed_maintenances(page: Page, now: datetime) -> list[Maintenance]:
    """Return the maintenances in progress and those still to come.

    A scheduled maintenance whose window has passed is left out: it did not
    start and is no longer upcoming.
    """
    in_progress = Q(status__in=ACTIVE_MAINTENANCE_STATUSES)
    upcoming = Q(status=MaintenanceStatus.SCHEDULED, scheduled_until__gt=now)
    return list(
        Maintenance.objects.filter(page=page)
        .filter(in_progress | upcoming)
        .prefetch_related("components", "updates")
    )


def build_summary(page: Page, *, now: datetime | None = None) -> dict:
    """Build ``summary.json``: the page, its status, components, open
    incidents, and maintenances in progress or to come.

    ``now`` decides which scheduled maintenances are still to come. It
    defaults to the current time.
    """
    zone = page_zone(page)
    groups = list(ComponentGroup.objects.filter(page=page))
    components = list(Component.objects.filter(page=page))
    incidents = list(_incidents_with_timeline(page).unresolved())
    maintenances = _listed_maintenances(page, now or timezone.now())

    status = compute_page_status(
        [component.status for component in components],
        [incident.impact for incident in incidents],
        any(m.status in ACTIVE_MAINTENANCE_STATUSES for m in maintenances),
    )
    return {
        "page": page_payload(page, zone),
        "components": _components_payload(groups, components, zone),
        "incidents": [
            _incident_payload(incident, page, zone) for incident in incidents
        ],
        "scheduled_maintenances": [
            _maintenance_payload(maintenance, page, zone)
            for maintenance in maintenances
        ],
        "status": {"indicator": status.indicator, "description": status.description},
    }


def build_status(page: Page) -> dict:
    """Build ``status.json``: the page and its overall indicator and sentence."""
    statuses = Component.objects.filter(page=page).values_list("status", flat=True)
    impacts = (
        Incident.objects.filter(page=page)
        .public()
        .unresolved()
        .values_list("impact", flat=True)
    )
    maintenance_in_progress = Maintenance.objects.filter(page=page).active().exists()

    status = compute_page_status(list(statuses), list(impacts), maintenance_in_progress)
    return {
        "page": page_payload(page, page_zone(page)),
        "status": {"indicator": status.indicator, "description": status.description},
    }


def build_components(page: Page) -> dict:
    """Build ``components.json``: the page and its components and groups."""
    zone = page_zone(page)
    groups = list(ComponentGroup.objects.filter(page=page))
    components = list(Component.objects.filter(page=page))
    return {
        "page": page_payload(page, zone),
        "components": _components_payload(groups, components, zone),
    }


def build_incidents(page: Page) -> dict:
    """Build ``incidents.json``: the page's most recent incidents, resolved
    or not, newest first, at most ``RECENT_LIMIT`` of them."""
    zone = page_zone(page)
    incidents = _incidents_with_timeline(page)[:RECENT_LIMIT]
    return {
        "page": page_payload(page, zone),
        "incidents": [
            _incident_payload(incident, page, zone) for incident in incidents
        ],
    }


def build_unresolved_incidents(page: Page) -> dict:
    """Build ``incidents/unresolved.json``: every incident still
    investigating, identified or monitoring, newest first."""
    zone = page_zone(page)
    incidents = _incidents_with_timeline(page).unresolved()
    return {
        "page": page_payload(page, zone),
        "incidents": [
            _incident_payload(incident, page, zone) for incident in incidents
        ],
    }


def _maintenances_response(page: Page, maintenances: Iterable[Maintenance]) -> dict:
    zone = page_zone(page)
    return {
        "page": page_payload(page, zone),
        "scheduled_maintenances": [
            _maintenance_payload(maintenance, page, zone)
            for maintenance in maintenances
        ],
    }


def build_scheduled_maintenances(page: Page) -> dict:
    """Build ``scheduled-maintenances.json``: the most recent maintenances,
    scheduled, in progress, verifying or completed, latest start first, at
    most ``RECENT_LIMIT`` of them. Cancelled ones are left out."""
    maintenances = (
        Maintenance.objects.filter(page=page, status__in=LISTED_MAINTENANCE_STATUSES)
        .order_by("-scheduled_for", "-id")
        .prefetch_related("components", "updates")[:RECENT_LIMIT]
    )
    return _maintenances_response(page, maintenances)


def build_upcoming_maintenances(page: Page, *, now: datetime | None = None) -> dict:
    """Build ``scheduled-maintenances/upcoming.json``: the maintenances still
    scheduled whose window has not passed, soonest first."""
    maintenances = Maintenance.objects.filter(
        page=page,
        status=MaintenanceStatus.SCHEDULED,
        scheduled_until__gt=now or timezone.now(),
    ).prefetch_related("components", "updates")
    return _maintenances_response(page, maintenances)


def build_active_maintenances(page: Page) -> dict:
    """Build ``scheduled-maintenances/active.json``: the maintenances in
    progress or being verified, soonest first."""
    maintenances = (
        Maintenance.objects.filter(page=page)
        .active()
        .prefetch_related("components", "updates")
    )
    return _maintenances_response(page, maintenances)
