"""The review step: one editor submits a draft, a second one approves it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from wagtail.models import GroupApprovalTask, Workflow, WorkflowState

from statuscms.drafts import DraftKind, DraftPublication, IncidentDraft
from statuscms.incident_review import disable_incident_review
from statuscore import services
from statuscore.events import EventKind
from statuscore.models import Incident, IncidentUpdate, OutboxEvent, Role

DRAFTS_ADD = reverse("wagtailsnippets_statuscms_incidentdraft:add")


def draft_url(name: str, *args) -> str:
    return reverse(f"wagtailsnippets_statuscms_incidentdraft:{name}", args=args)


@pytest.fixture
def incident(page) -> Incident:
    return services.create_incident(page, "Checkout failing", body="Looking into it.")


@pytest.fixture
def reviewers(db) -> Group:
    return Group.objects.create(name="Acme reviewers")


def member(organization, username: str, *codenames: str, group=None):
    """A client signed in as an editor of ``organization`` with ``codenames``."""
    user = get_user_model().objects.create_user(username=username, password="pw")
    services.add_member(organization, user, Role.EDITOR)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", *codenames])
    )
    if group is not None:
        user.groups.add(group)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def writer(organization) -> Client:
    return member(
        organization,
        "writer",
        "add_incidentdraft",
        "change_incidentdraft",
        "view_incidentdraft",
    )


@pytest.fixture
def reviewer(organization, reviewers) -> Client:
    return member(
        organization,
        "reviewer",
        "change_incidentdraft",
        "view_incidentdraft",
        group=reviewers,
    )


def update_form(incident, **changes) -> dict:
    data = {
        "kind": DraftKind.UPDATE,
        "page": incident.page_id,
        "incident": incident.pk,
        "status": "identified",
        "body": "The disk is full; we are moving the queue.",
        "notify_subscribers": "on",
    }
    data.update(changes)
    return data


def incident_update_events() -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(kind=EventKind.INCIDENT_UPDATED))


def submit_for_review(writer: Client, incident: Incident) -> IncidentDraft:
    writer.post(DRAFTS_ADD, update_form(incident))
    draft = IncidentDraft.objects.get()
    data = {**update_form(incident), "action-submit": "action-submit"}
    writer.post(draft_url("edit", draft.pk), data)
    return draft


def test_review_command_creates_workflow_once(organization, reviewers):
    call_command("incident_review", "acme", "--group", "Acme reviewers")
    call_command("incident_review", "acme", "--group", "Acme reviewers")

    workflow = Workflow.objects.get(name="Incident review: Acme")
    task = GroupApprovalTask.objects.get(workflow_tasks__workflow=workflow)
    assert workflow.active is True
    assert list(task.groups.all()) == [reviewers]
    assert reviewers.permissions.filter(codename="publish_incidentdraft").exists()
    assert organization.incident_review.workflow == workflow


def test_review_command_rejects_unknown_group(organization):
    with pytest.raises(CommandError, match="Group not found: Nobody"):
        call_command("incident_review", "acme", "--group", "Nobody")


def test_review_command_rejects_unknown_organisation(db):
    with pytest.raises(CommandError, match="'globex' not found"):
        call_command("incident_review", "globex", "--group", "Acme reviewers")


def test_submitted_update_not_public_before_approval(
    organization, reviewers, writer, incident
):
    call_command("incident_review", "acme", "--group", "Acme reviewers")
    updates_before = IncidentUpdate.objects.count()

    draft = submit_for_review(writer, incident)

    draft.refresh_from_db()
    assert draft.workflow_in_progress is True
    assert draft.live is False
    assert IncidentUpdate.objects.count() == updates_before
    assert incident_update_events() == []


def test_writer_without_publish_permission_cannot_publish(
    organization, reviewers, writer, incident
):
    call_command("incident_review", "acme", "--group", "Acme reviewers")
    updates_before = IncidentUpdate.objects.count()

    writer.post(DRAFTS_ADD, {**update_form(incident), "action-publish": "1"})

    assert IncidentUpdate.objects.count() == updates_before
    assert not DraftPublication.objects.exists()


def test_second_editor_approval_publishes_update(
    organization, reviewers, writer, reviewer, incident
):
    call_command("incident_review", "acme", "--group", "Acme reviewers")
    draft = submit_for_review(writer, incident)
    task_state = draft.current_workflow_task_state

    response = reviewer.post(
        draft_url("workflow_action", draft.pk, "approve", task_state.pk),
        {"comment": "Looks right."},
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.live is True
    assert draft.current_workflow_state is None
    update = draft.publication.update
    assert update.body == "The disk is full; we are moving the queue."
    assert draft.publication.published_by.username == "reviewer"
    events = incident_update_events()
    assert len(events) == 1
    assert events[0].payload["update_id"] == update.pk


def test_outsider_cannot_approve(organization, reviewers, writer, incident):
    call_command("incident_review", "acme", "--group", "Acme reviewers")
    draft = submit_for_review(writer, incident)
    task_state = draft.current_workflow_task_state
    outsider = member(organization, "outsider", "change_incidentdraft")

    outsider.post(
        draft_url("workflow_action", draft.pk, "approve", task_state.pk),
        {"comment": ""},
    )

    draft.refresh_from_db()
    assert draft.live is False
    assert incident_update_events() == []


def test_review_off_lets_drafts_publish_directly(organization, reviewers, incident):
    call_command("incident_review", "acme", "--group", "Acme reviewers")
    draft = IncidentDraft(
        kind=DraftKind.UPDATE,
        page=incident.page,
        incident=incident,
        body="Directly.",
        live=False,
    )
    draft.save()
    assert draft.get_workflow() is not None

    turned_off = disable_incident_review(organization)

    assert turned_off is True
    assert draft.get_workflow() is None
    assert WorkflowState.objects.count() == 0
