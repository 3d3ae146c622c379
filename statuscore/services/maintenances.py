"""Services for scheduled maintenance: scheduling, starting, completing.

A maintenance moves through ``scheduled -> in_progress -> completed``, or
from scheduled or in progress to ``cancelled``. Every step emits one
``maintenance.*`` event whose payload lists the affected components in
``component_ids``, which decide the subscribers it reaches. The scheduler
(:func:`run_due_maintenances`, called each minute by a huey task) starts
and completes maintenances on time and sends the reminder.

Each step is a conditional UPDATE on the old status, so two schedulers
that race on the same maintenance start, complete or remind it once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from statuscore.conf import get_settings
from statuscore.events import EventKind, emit
from statuscore.exceptions import ValidationFailed
from statuscore.models import (
    Component,
    ComponentStatus,
    Maintenance,
    MaintenanceStatus,
    MaintenanceUpdate,
    Page,
)
from statuscore.services.checks import apply_down_checks
from statuscore.services.components import set_component_status
from statuscore.services.validation import (
    full_clean,
    require_aware,
    require_choice,
    require_time_zone,
    require_year_in_range,
)

__all__ = [
    "DueMaintenances",
    "cancel_maintenance",
    "complete_maintenance",
    "delete_maintenance",
    "post_maintenance_update",
    "remind_maintenance",
    "run_due_maintenances",
    "schedule_maintenance",
    "start_maintenance",
    "update_maintenance",
]

logger = logging.getLogger(__name__)

ACTIVE = (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)
OPEN = (MaintenanceStatus.SCHEDULED, *ACTIVE)


# -- Validation ----------------------------------------------------------------


def _check_window(starts_at: datetime, ends_at: datetime) -> None:
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value is None:
            raise ValidationFailed.for_field(field, "Give a date and time.")
        require_aware(field, value)
        require_year_in_range(field, value)
    if ends_at <= starts_at:
        raise ValidationFailed.for_field("ends_at", "The end must be after the start.")


def _check_components(page_id: int, components: Iterable[Component]) -> list[Component]:
    components = list(components)
    for component in components:
        if component.page_id != page_id:
            raise ValidationFailed.for_field(
                "components", f"Component {component.pk} belongs to another page."
            )
    return components


def _check_open(maintenance: Maintenance) -> None:
    if maintenance.status not in OPEN:
        raise ValidationFailed.for_field(
            "status", f"A {maintenance.status} maintenance cannot be changed."
        )


# -- Events --------------------------------------------------------------------


def _payload(maintenance: Maintenance, **extra) -> dict:
    """Return the event payload: ids, name, status, ISO 8601 times and zone.

    ``notify_subscribers`` is True unless ``extra`` sets it.
    """
    return {
        "maintenance_id": maintenance.pk,
        "name": maintenance.name,
        "status": maintenance.status,
        "starts_at": maintenance.scheduled_for.isoformat(),
        "ends_at": maintenance.scheduled_until.isoformat(),
        "time_zone": maintenance.time_zone,
        "series_id": maintenance.series_id,
        "component_ids": sorted(maintenance.components.values_list("pk", flat=True)),
        "notify_subscribers": True,
        **extra,
    }


def _emit(kind: EventKind, maintenance: Maintenance, **extra) -> None:
    emit(kind, maintenance.page, _payload(maintenance, **extra))
    logger.info("Maintenance %s: %s", maintenance.pk, kind)


def _move(maintenance: Maintenance, old: Iterable[str], **fields) -> bool:
    """Update the row only while its status is one of ``old``.

    Another scheduler may have moved it first. Then nothing is written, and
    the caller emits nothing.
    """
    updated = Maintenance.objects.filter(
        pk=maintenance.pk, status__in=list(old)
    ).update(updated_at=timezone.now(), **fields)
    if updated:
        for field, value in fields.items():
            setattr(maintenance, field, value)
    return bool(updated)


# -- Editing -------------------------------------------------------------------


@transaction.atomic
def schedule_maintenance(
    page: Page,
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    *,
    components: Iterable[Component] = (),
    body: str = "",
    time_zone: str | None = None,
    notify_subscribers: bool = True,
) -> Maintenance:
    """Schedule planned work and emit ``maintenance.scheduled``.

    ``starts_at`` and ``ends_at`` must carry a UTC offset, and the end must
    come after the start. ``components`` must belong to ``page``; they move
    to under maintenance when the work starts. ``time_zone`` is the IANA
    zone the times were entered in, kept for display; it defaults to the
    page's. Raises ``ValidationFailed`` naming the field otherwise.
    ``notify_subscribers`` False sends subscribers no notice of the
    scheduling; the reminder and the later steps still reach them.
    """
    _check_window(starts_at, ends_at)
    components = _check_components(page.pk, components)
    time_zone = time_zone or page.time_zone
    require_time_zone("time_zone", time_zone)

    maintenance = Maintenance(
        page=page,
        name=name,
        body=body,
        scheduled_for=starts_at,
        scheduled_until=ends_at,
        time_zone=time_zone,
    )
    full_clean(maintenance)
    maintenance.save()
    maintenance.components.set(components)

    _emit(
        EventKind.MAINTENANCE_SCHEDULED,
        maintenance,
        notify_subscribers=bool(notify_subscribers),
    )
    return maintenance


@transaction.atomic
def update_maintenance(
    maintenance: Maintenance,
    *,
    name: str | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    components: Iterable[Component] | None = None,
    body: str | None = None,
    time_zone: str | None = None,
    notify_subscribers: bool = True,
) -> Maintenance:
    """Change a scheduled or running maintenance; emit ``maintenance.updated``.

    Only the arguments given change. The start cannot move once the work
    has started. On a running maintenance, added components move to under
    maintenance and removed ones get their earlier status back. Moving the
    start of a scheduled maintenance lets the reminder go out again for the
    new time. ``time_zone`` changes only how the times are shown.
    ``notify_subscribers`` False sends subscribers nothing for the change.
    Emits nothing when nothing changed.
    """
    require_aware("starts_at", starts_at)
    require_aware("ends_at", ends_at)
    if time_zone is not None:
        require_time_zone("time_zone", time_zone)
    maintenance = Maintenance.objects.select_for_update().get(pk=maintenance.pk)
    _check_open(maintenance)
    running = maintenance.status in ACTIVE
    changed: list[str] = []

    if starts_at is not None and starts_at != maintenance.scheduled_for:
        if running:
            raise ValidationFailed.for_field(
                "starts_at", "The work has started; its start cannot move."
            )
        maintenance.scheduled_for = starts_at
        maintenance.reminded_at = None
        changed.append("starts_at")
    if ends_at is not None and ends_at != maintenance.scheduled_until:
        maintenance.scheduled_until = ends_at
        changed.append("ends_at")
    _check_window(maintenance.scheduled_for, maintenance.scheduled_until)
    for field, value in (("name", name), ("body", body), ("time_zone", time_zone)):
        if value is not None and value != getattr(maintenance, field):
            setattr(maintenance, field, value)
            changed.append(field)
    full_clean(maintenance)
    maintenance.save()

    if components is not None:
        components = set(_check_components(maintenance.page_id, components))
        current = set(maintenance.components.all())
        if components != current:
            maintenance.components.set(components)
            changed.append("components")
            if running:
                _hold_components(maintenance, components - current)
                _release_components(maintenance, current - components, {})

    if changed:
        _emit(
            EventKind.MAINTENANCE_UPDATED,
            maintenance,
            changed=changed,
            notify_subscribers=bool(notify_subscribers),
        )
    return maintenance


@transaction.atomic
def delete_maintenance(maintenance: Maintenance, *, actor=None) -> None:
    """Delete a maintenance and its updates; emit ``maintenance.deleted``.

    A running maintenance first gives its components their earlier status
    back. Subscribers are not notified, because a deletion removes a
    mistake. To call off work that visitors were notified of, use
    :func:`cancel_maintenance`. Alert channels and live updates receive the
    event.
    """
    maintenance = Maintenance.objects.select_for_update().get(pk=maintenance.pk)
    if maintenance.status in ACTIVE:
        _release_components(maintenance, maintenance.components.all(), {})

    _emit(
        EventKind.MAINTENANCE_DELETED,
        maintenance,
        notify_subscribers=False,
        actor_id=getattr(actor, "pk", None),
    )
    maintenance_id = maintenance.pk
    maintenance.delete()
    Page.objects.filter(pk=maintenance.page_id).update(updated_at=timezone.now())
    logger.info(
        "Maintenance %s deleted by user %s",
        maintenance_id,
        getattr(actor, "pk", None),
    )


TRANSITIONS = {
    MaintenanceStatus.IN_PROGRESS: (
        [MaintenanceStatus.SCHEDULED, MaintenanceStatus.VERIFYING],
        EventKind.MAINTENANCE_STARTED,
    ),
    MaintenanceStatus.VERIFYING: (
        [MaintenanceStatus.IN_PROGRESS],
        EventKind.MAINTENANCE_UPDATE_POSTED,
    ),
    MaintenanceStatus.COMPLETED: (list(OPEN), EventKind.MAINTENANCE_COMPLETED),
    MaintenanceStatus.CANCELLED: (list(OPEN), EventKind.MAINTENANCE_CANCELLED),
}
"""For each status an update may move a maintenance to: the statuses it may
come from, and the event the update is announced with."""


@transaction.atomic
def post_maintenance_update(
    maintenance: Maintenance,
    *,
    body: str,
    status: str | None = None,
    notify_subscribers: bool = True,
    actor=None,
) -> MaintenanceUpdate:
    """Add an entry to the maintenance's timeline, moving it to ``status``.

    Without ``status``, or with the current one, the maintenance keeps its
    status and ``maintenance.update_posted`` is emitted. Otherwise the
    update starts, completes or cancels the work as the scheduler would,
    or marks it verifying, and the matching ``maintenance.*`` event carries
    the update. ``notify_subscribers`` False sends subscribers nothing for
    the update. Raises ``ValidationFailed`` naming ``body`` or ``status``
    for a blank message or a move the lifecycle does not allow, such as
    restarting completed work.
    """
    if not isinstance(body, str) or not body.strip():
        raise ValidationFailed.for_field("body", "An update needs a message.")
    if status is not None:
        require_choice("status", status, MaintenanceStatus)
    maintenance = Maintenance.objects.select_for_update().get(pk=maintenance.pk)
    now = timezone.now()

    kind = EventKind.MAINTENANCE_UPDATE_POSTED
    if status is not None and status != maintenance.status:
        allowed_from = TRANSITIONS.get(status, ([], None))[0]
        if maintenance.status not in allowed_from:
            raise ValidationFailed.for_field(
                "status",
                f"A {maintenance.status} maintenance cannot move to {status}.",
            )
        _transition(maintenance, status, now)
        kind = TRANSITIONS[status][1]

    update = MaintenanceUpdate(
        maintenance=maintenance,
        status=maintenance.status,
        body=body,
        display_at=now,
        notify_subscribers=bool(notify_subscribers),
        created_by=actor,
    )
    full_clean(update, exclude=["created_by"])
    update.save()

    _emit(
        kind,
        maintenance,
        update_id=update.pk,
        notify_subscribers=update.notify_subscribers,
        actor_id=getattr(actor, "pk", None),
    )
    return update


def _transition(maintenance: Maintenance, status: str, now: datetime) -> None:
    """Move the locked ``maintenance`` to ``status`` with its side effects."""
    was_running = maintenance.status in ACTIVE
    if status == MaintenanceStatus.IN_PROGRESS and was_running:
        _move(maintenance, TRANSITIONS[status][0], status=status)
    elif status == MaintenanceStatus.IN_PROGRESS:
        _move(maintenance, TRANSITIONS[status][0], status=status, started_at=now)
        _hold_components(maintenance, maintenance.components.all())
    elif status == MaintenanceStatus.VERIFYING:
        _move(maintenance, TRANSITIONS[status][0], status=status)
    elif status == MaintenanceStatus.COMPLETED:
        _move(maintenance, OPEN, status=status, completed_at=now)
        if was_running:
            _release_components(maintenance, maintenance.components.all(), {})
    else:
        _move(maintenance, OPEN, status=status, cancelled_at=now)
        if was_running:
            _release_components(maintenance, maintenance.components.all(), {})


# -- Lifecycle -----------------------------------------------------------------


@transaction.atomic
def start_maintenance(maintenance: Maintenance, *, now: datetime | None = None) -> bool:
    """Start the work: affected components go under maintenance, and
    ``maintenance.started`` is emitted.

    Each component's status from before is kept on the maintenance for
    :func:`complete_maintenance`. Returns False, and emits nothing, when
    the maintenance is no longer scheduled (another scheduler started it).
    """
    now = now or timezone.now()
    if not _move(
        maintenance,
        [MaintenanceStatus.SCHEDULED],
        status=MaintenanceStatus.IN_PROGRESS,
        started_at=now,
    ):
        return False

    _hold_components(maintenance, maintenance.components.all())
    _emit(EventKind.MAINTENANCE_STARTED, maintenance)
    return True


@transaction.atomic
def complete_maintenance(
    maintenance: Maintenance,
    *,
    restore_components: bool = True,
    component_statuses: Mapping[Component, str] | None = None,
    now: datetime | None = None,
) -> bool:
    """Complete the work and emit ``maintenance.completed``.

    With ``restore_components``, each affected component still under
    maintenance goes back to the status it had when the work started
    (operational when none was kept), or to the status an editor gives in
    ``component_statuses``. A component that an editor moved meanwhile, or
    that another running maintenance still covers, keeps its status.

    A maintenance still scheduled when its window has passed is completed
    without starting. Returns False, and emits nothing, when it is already
    completed or cancelled.
    """
    now = now or timezone.now()
    component_statuses = dict(component_statuses or {})
    for status in component_statuses.values():
        require_choice("component_statuses", status, ComponentStatus)
    _check_components(maintenance.page_id, component_statuses)

    if not _move(
        maintenance, OPEN, status=MaintenanceStatus.COMPLETED, completed_at=now
    ):
        return False

    if restore_components:
        _release_components(
            maintenance, maintenance.components.all(), component_statuses
        )
    _emit(EventKind.MAINTENANCE_COMPLETED, maintenance)
    return True


@transaction.atomic
def cancel_maintenance(
    maintenance: Maintenance, *, now: datetime | None = None
) -> bool:
    """Call the work off and emit ``maintenance.cancelled``.

    A running maintenance gives its components their earlier status back.
    Returns False, and emits nothing, when it is already completed or
    cancelled.
    """
    now = now or timezone.now()
    was_running = Maintenance.objects.filter(
        pk=maintenance.pk, status__in=ACTIVE
    ).exists()
    if not _move(
        maintenance, OPEN, status=MaintenanceStatus.CANCELLED, cancelled_at=now
    ):
        return False

    if was_running:
        _release_components(maintenance, maintenance.components.all(), {})
    _emit(EventKind.MAINTENANCE_CANCELLED, maintenance)
    return True


@transaction.atomic
def remind_maintenance(
    maintenance: Maintenance, *, now: datetime | None = None
) -> bool:
    """Emit ``maintenance.reminder`` unless it went out already.

    ``reminded_at`` is set by the same conditional UPDATE that decides,
    so the reminder goes out once per start time, across restarts and
    racing schedulers.
    """
    now = now or timezone.now()
    updated = Maintenance.objects.filter(
        pk=maintenance.pk,
        status=MaintenanceStatus.SCHEDULED,
        reminded_at__isnull=True,
    ).update(reminded_at=now, updated_at=now)
    if not updated:
        return False

    maintenance.reminded_at = now
    _emit(EventKind.MAINTENANCE_REMINDER, maintenance)
    return True


# -- Components ----------------------------------------------------------------


def _hold_components(maintenance: Maintenance, components: Iterable[Component]) -> None:
    """Move ``components`` under maintenance, keeping their earlier status."""
    before = dict(maintenance.statuses_before)
    for component in components:
        status = Component.objects.get(pk=component.pk).status
        if status == ComponentStatus.UNDER_MAINTENANCE:
            status = _status_kept_elsewhere(maintenance, component) or status
        before.setdefault(str(component.pk), status)
        set_component_status(
            component,
            ComponentStatus.UNDER_MAINTENANCE,
            source=f"maintenance:{maintenance.pk}",
        )
    maintenance.statuses_before = before
    Maintenance.objects.filter(pk=maintenance.pk).update(statuses_before=before)


def _release_components(
    maintenance: Maintenance,
    components: Iterable[Component],
    component_statuses: Mapping[Component, str],
) -> None:
    """Give ``components`` back the status they had before the work, then
    apply the checks that went down during it."""
    for component in components:
        current = Component.objects.get(pk=component.pk).status
        if current != ComponentStatus.UNDER_MAINTENANCE:
            continue  # An editor changed it during the work, so it is kept.
        if _covered_elsewhere(maintenance, component):
            continue
        target = component_statuses.get(component) or maintenance.statuses_before.get(
            str(component.pk), ComponentStatus.OPERATIONAL
        )
        set_component_status(component, target, source=f"maintenance:{maintenance.pk}")
        apply_down_checks(component)


def _other_running(maintenance: Maintenance, component: Component):
    return Maintenance.objects.filter(status__in=ACTIVE, components=component).exclude(
        pk=maintenance.pk
    )


def _covered_elsewhere(maintenance: Maintenance, component: Component) -> bool:
    return _other_running(maintenance, component).exists()


def _status_kept_elsewhere(
    maintenance: Maintenance, component: Component
) -> str | None:
    """Return the status another running maintenance kept for ``component``,
    so that overlapping windows restore the status from before both."""
    for other in _other_running(maintenance, component):
        status = other.statuses_before.get(str(component.pk))
        if status:
            return status
    return None


# -- Scheduler -----------------------------------------------------------------


@dataclass(frozen=True)
class DueMaintenances:
    """The result of one scheduler pass: ids of the maintenances it moved."""

    started: list[int]
    completed: list[int]
    reminded: list[int]
    created: list[int] = dataclass_field(default_factory=list)


def run_due_maintenances(now: datetime | None = None) -> DueMaintenances:
    """Create occurrences of recurring windows, complete ended maintenances,
    start due ones and send due reminders.

    1. Creates the occurrences of active maintenance series that start
       within ``STATUSCORE_MAINTENANCE_SERIES_AHEAD`` days.
    2. Completes every open maintenance whose ``scheduled_until`` has passed.
    3. Starts every scheduled maintenance whose ``scheduled_for`` has passed.
    4. Emits the reminder for scheduled maintenances that start within
       ``STATUSCORE_MAINTENANCE_REMINDER`` seconds (0 sends none) and were
       not reminded. A maintenance created closer to its start than that
       gets no reminder: its ``maintenance.scheduled`` came just before.

    Completion runs first so a component leaving one window and entering
    the next in the same minute ends under maintenance. Each step is safe
    to run twice or in two processes at once.
    """
    from statuscore.services.maintenance_series import create_series_occurrences

    now = now or timezone.now()
    created = create_series_occurrences(now)
    open_rows = Maintenance.objects.filter(status__in=OPEN).select_related("page")

    completed = [
        m.pk
        for m in open_rows.filter(scheduled_until__lte=now)
        if complete_maintenance(m, now=now)
    ]
    started = [
        m.pk
        for m in open_rows.filter(
            status=MaintenanceStatus.SCHEDULED, scheduled_for__lte=now
        )
        if start_maintenance(m, now=now)
    ]

    reminded: list[int] = []
    lead = get_settings().maintenance_reminder
    if lead > 0:
        due = open_rows.filter(
            status=MaintenanceStatus.SCHEDULED,
            reminded_at__isnull=True,
            scheduled_for__lte=now + timedelta(seconds=lead),
            created_at__lte=F("scheduled_for") - timedelta(seconds=lead),
        )
        reminded = [m.pk for m in due if remind_maintenance(m, now=now)]

    return DueMaintenances(
        started=started, completed=completed, reminded=reminded, created=created
    )
