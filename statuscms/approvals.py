"""Approval items for incidents that a check opened hidden from the public.

A check set to wait for approval opens its incident with
``is_public=False``: the team's alert channels hear of it at once, but
visitors and subscribers do not. This plugin reacts to the incident's
``incident.created`` event by creating an ``IncidentDraft`` of kind
``publish`` and submitting it to the organisation's review workflow, if
there is one. Publishing or approving that draft calls ``approve_incident``.

It is registered with statuscore's plugin manager through
``STATUSCORE_APP_PLUGINS``, so it runs in the outbox drain after the
incident has committed, and a failure is retried with the event.
"""

from __future__ import annotations

import logging

from django.db import transaction

from statuscms.drafts import DraftKind, IncidentDraft
from statuscore import hookimpl
from statuscore.events import Event, EventKind
from statuscore.models import Incident

__all__ = ["open_approval", "statuscore_event"]

logger = logging.getLogger(__name__)


@transaction.atomic
def open_approval(incident: Incident) -> IncidentDraft:
    """Create the approval draft of ``incident`` and submit it for review.

    Returns the existing draft when there is one, because an event can be
    delivered more than once. The incident's row is locked first, so two
    drains of the same event create one draft.
    """
    Incident.objects.select_for_update().filter(pk=incident.pk).first()
    existing = IncidentDraft.objects.filter(
        kind=DraftKind.PUBLISH, incident=incident
    ).first()
    if existing is not None:
        return existing

    draft = IncidentDraft.objects.create(
        kind=DraftKind.PUBLISH,
        page=incident.page,
        incident=incident,
        status=incident.status,
        impact=incident.impact,
        live=False,
        has_unpublished_changes=True,
    )
    draft.components.set(incident.components.all())
    draft.save()
    draft.save_revision(log_action=True)

    workflow = draft.get_workflow()
    if workflow is not None:
        workflow.start(draft, None)
    logger.info(
        "Approval draft %s opened for incident %s on page %s (workflow %s)",
        draft.pk,
        incident.pk,
        incident.page_id,
        getattr(workflow, "pk", None),
    )
    return draft


@hookimpl
def statuscore_event(event: Event) -> None:
    if event.kind != EventKind.INCIDENT_CREATED:
        return

    incident_id = event.payload.get("incident_id")
    incident = Incident.objects.filter(pk=incident_id, is_public=False).first()
    if incident is None:
        return
    open_approval(incident)
