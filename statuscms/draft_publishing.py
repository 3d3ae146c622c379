"""Publish incident drafts to the core, exactly once per draft.

Wagtail publishes a draft's revision through ``IncidentDraft.publish``:
from the editor's "Publish" action, at the end of an approved workflow,
and from ``publish_scheduled`` for a draft with a go-live time. That method
calls :func:`publish_to_core` in the same transaction, which calls the
``statuscore.services`` function for the draft's kind. A
``ValidationFailed`` from the service rolls the whole publication back.
"""

from __future__ import annotations

import logging

from django.db import transaction

from statuscms.drafts import DraftKind, DraftPublication, IncidentDraft
from statuscore import services
from statuscore.models import Component, Incident, IncidentUpdate

__all__ = ["publish_to_core"]

logger = logging.getLogger(__name__)


def _component_statuses(draft: IncidentDraft) -> dict[Component, str]:
    """Map each affected component to the draft's status, or to its own.

    The rows are locked, so a monitor cannot change a status between this
    read and the service's write, which would otherwise write the old
    status back.
    """
    ids = [component.pk for component in draft.components.all()]
    locked = Component.objects.select_for_update().filter(pk__in=ids)
    return {
        component: draft.component_status or component.status for component in locked
    }


def _create_incident(draft: IncidentDraft, user) -> tuple[Incident, IncidentUpdate]:
    incident = services.create_incident(
        draft.page,
        draft.title,
        body=draft.body,
        status=draft.status,
        impact=draft.impact,
        component_statuses=_component_statuses(draft),
        notify_subscribers=draft.notify_subscribers,
        actor=user,
    )
    return incident, incident.updates.get()


def _post_update(draft: IncidentDraft, user) -> tuple[Incident, IncidentUpdate]:
    incident = Incident.objects.select_for_update().get(pk=draft.incident_id)
    update = services.post_incident_update(
        incident,
        status=draft.status,
        body=draft.body,
        component_statuses=_component_statuses(draft),
        impact=draft.impact or None,
        notify_subscribers=draft.notify_subscribers,
        actor=user,
    )
    return incident, update


def _approve(draft: IncidentDraft, user) -> tuple[Incident, None]:
    incident = Incident.objects.select_for_update().get(pk=draft.incident_id)
    services.approve_incident(incident, actor=user)
    return incident, None


PUBLISHERS = {
    DraftKind.INCIDENT: _create_incident,
    DraftKind.UPDATE: _post_update,
    DraftKind.PUBLISH: _approve,
}


@transaction.atomic
def publish_to_core(draft: IncidentDraft, user=None) -> DraftPublication:
    """Apply ``draft`` to the core once and return the record of it.

    ``draft`` carries the content being published. Publishing a draft that
    was already published, including an older revision of it, changes
    nothing in the core and returns the first record. The draft's row is
    locked first, so two concurrent publications cannot both apply it.
    Raises ``ValidationFailed`` from the service, which rolls back the
    whole publication.
    """
    IncidentDraft.objects.select_for_update().filter(pk=draft.pk).first()
    existing = DraftPublication.objects.filter(draft_id=draft.pk).first()
    if existing is not None:
        logger.info(
            "Incident draft %s published again; incident %s already has it",
            draft.pk,
            existing.incident_id,
        )
        return existing

    incident, update = PUBLISHERS[DraftKind(draft.kind)](draft, user)

    publication = DraftPublication.objects.create(
        draft_id=draft.pk,
        incident=incident,
        update=update,
        published_by=user,
    )
    logger.info(
        "Incident draft %s (%s) published to incident %s by user %s",
        draft.pk,
        draft.kind,
        incident.pk,
        getattr(user, "pk", None),
    )
    return publication
