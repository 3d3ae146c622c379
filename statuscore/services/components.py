"""Services for components and component groups."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from statuscore.events import EventKind, emit
from statuscore.exceptions import ValidationFailed
from statuscore.models import Component, ComponentGroup, ComponentStatus, Page
from statuscore.services.validation import full_clean, require_choice

logger = logging.getLogger(__name__)

EDITABLE_COMPONENT_FIELDS = (
    "name",
    "description",
    "group",
    "position",
    "showcase",
    "only_show_if_degraded",
)


EDITABLE_GROUP_FIELDS = ("name", "description", "position")


def create_component_group(
    page: Page, name: str, *, description: str = "", position: int | None = None
) -> ComponentGroup:
    """Create a group of components; ``position`` defaults to after the last group."""
    if position is None:
        last = page.component_groups.aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    group = ComponentGroup(
        page=page, name=name, description=description, position=position
    )
    full_clean(group)
    group.save()
    return group


@transaction.atomic
def update_component_group(group: ComponentGroup, **changes) -> ComponentGroup:
    """Change a group's name, description or position.

    Raises ``ValidationFailed`` for any other field, or for an invalid
    value, and then leaves the stored group unchanged.
    """
    unknown = set(changes) - set(EDITABLE_GROUP_FIELDS)
    if unknown:
        raise ValidationFailed(
            {field: ["This field cannot be changed here."] for field in sorted(unknown)}
        )

    for field, value in changes.items():
        setattr(group, field, value)
    full_clean(group)
    group.save(update_fields=[*changes, "updated_at"])
    logger.info("Component group %s updated: %s", group.pk, ", ".join(sorted(changes)))
    return group


def next_component_position(page: Page, group: ComponentGroup | None) -> int:
    """Return the position after the last component of ``group`` on ``page``.

    Components without a group count as one group of their own.
    """
    last = Component.objects.filter(page=page, group=group).aggregate(
        last=Max("position")
    )["last"]
    return 0 if last is None else last + 1


def _check_group_belongs_to_page(group: ComponentGroup | None, page: Page) -> None:
    if group is not None and group.page_id != page.pk:
        raise ValidationFailed.for_field("group", "The group belongs to another page.")


@transaction.atomic
def create_component(
    page: Page,
    name: str,
    *,
    status: str = ComponentStatus.OPERATIONAL,
    group: ComponentGroup | None = None,
    description: str = "",
    position: int | None = None,
    showcase: bool = True,
) -> Component:
    """Create a component; ``position`` defaults to the end of its group."""
    require_choice("status", status, ComponentStatus)
    _check_group_belongs_to_page(group, page)
    if position is None:
        position = next_component_position(page, group)

    component = Component(
        page=page,
        name=name,
        status=status,
        group=group,
        description=description,
        position=position,
        showcase=showcase,
    )
    full_clean(component)
    component.save()
    return component


@transaction.atomic
def update_component(component: Component, **changes) -> Component:
    """Change a component's descriptive fields; use ``set_component_status``
    for its status, so the change is recorded as an event."""
    unknown = set(changes) - set(EDITABLE_COMPONENT_FIELDS)
    if unknown:
        raise ValidationFailed(
            {field: ["This field cannot be changed here."] for field in sorted(unknown)}
        )
    if "group" in changes:
        _check_group_belongs_to_page(changes["group"], component.page)

    for field, value in changes.items():
        setattr(component, field, value)
    full_clean(component)
    # Only the changed fields: a full save would write back a stale status
    # over one the monitor set meanwhile, without an event.
    component.save(update_fields=[*changes, "updated_at"])
    return component


@transaction.atomic
def set_component_status(
    component: Component, status: str, *, source: str, reason: str = ""
) -> bool:
    """Move a component to ``status`` and emit ``component.status_changed``.

    ``source`` names who decided ("check:12", "incident:4", "user:3").
    Returns False, and emits nothing, when the status is already ``status``.
    The update is conditional on the old status, so two writers racing on
    the same component produce one event per real change.
    """
    require_choice("status", status, ComponentStatus)

    current = Component.objects.select_for_update().get(pk=component.pk)
    old_status = current.status
    if old_status == status:
        return False

    updated = Component.objects.filter(pk=component.pk, status=old_status).update(
        status=status, updated_at=timezone.now()
    )
    if not updated:
        return False

    component.status = status
    emit(
        EventKind.COMPONENT_STATUS_CHANGED,
        component.page,
        {
            "component_id": component.pk,
            "component_name": component.name,
            "old_status": old_status,
            "new_status": status,
            "source": source,
            "reason": reason,
        },
    )
    logger.info(
        "Component %s status %s -> %s (%s)", component.pk, old_status, status, source
    )
    return True


@transaction.atomic
def delete_component(component: Component) -> None:
    """Delete a component and emit ``component.deleted``.

    Checks linked to it stay and lose their component; subscribers who
    chose it no longer hear about it. Incidents keep their text.
    """
    payload = {"component_id": component.pk, "component_name": component.name}
    page = component.page
    component.delete()
    emit(EventKind.COMPONENT_DELETED, page, payload)
    logger.info("Component %s deleted from page %s", payload["component_id"], page.pk)


@transaction.atomic
def delete_component_group(group: ComponentGroup) -> None:
    """Delete a group and emit ``component_group.deleted``; its components
    stay on the page without a group."""
    payload = {"group_id": group.pk, "group_name": group.name}
    page = group.page
    group.delete()
    emit(EventKind.COMPONENT_GROUP_DELETED, page, payload)
    logger.info("Component group %s deleted from page %s", payload["group_id"], page.pk)
