"""Incidents opened by a check wait in the admin for a person's approval."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from statuscms import approvals
from statuscms.drafts import DraftKind, IncidentDraft
from statuscore import services
from statuscore.checkers import Outcome
from statuscore.events import Event, EventKind
from statuscore.models import Incident, OutboxEvent, Role
from statuscore.monitor.runner import run_checker
from statuscore.services.checks import create_check, record_result
from statuscore.testing import fake_plugin, temporary_plugin
from tests.plugins.servers import http_server

DOWN = Outcome("down", 3.0, "connection refused")
START = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def draft_url(name: str, *args) -> str:
    return reverse(f"wagtailsnippets_statuscms_incidentdraft:{name}", args=args)


@pytest.fixture(autouse=True)
def fake_checker():
    with temporary_plugin(fake_plugin):
        yield


@pytest.fixture
def reviewers(organization) -> Group:
    group = Group.objects.create(name="Acme reviewers")
    call_command("incident_review", "acme", "--group", "Acme reviewers")
    return group


@pytest.fixture
def reviewer(organization, reviewers) -> Client:
    user = get_user_model().objects.create_user(username="reviewer", password="pw")
    services.add_member(organization, user, Role.EDITOR)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["access_admin", "change_incidentdraft", "view_incidentdraft"]
        )
    )
    user.groups.add(reviewers)
    client = Client()
    client.force_login(user)
    return client


def run_http_check(check) -> Outcome:
    """Run the check's HTTP checker once, as the monitor does."""

    async def run() -> Outcome:
        async with httpx.AsyncClient() as client:
            return await run_checker(check.pk, "http", check.config, 5.0, client)

    return asyncio.run(run())


def fail_check(page, component, capture) -> Incident:
    """Record two failures of a check that waits for approval; drain the outbox."""
    check = create_check(
        page,
        "API health",
        "fake",
        {},
        component=component,
        failure_threshold=2,
        open_incident=True,
        incident_needs_approval=True,
    )
    with capture(execute=True):
        record_result(check.pk, DOWN, START)
        record_result(check.pk, DOWN, START + timedelta(seconds=60))
    return Incident.objects.get()


def test_check_incident_waits_for_approval(
    page, component, reviewers, django_capture_on_commit_callbacks
):
    incident = fail_check(page, component, django_capture_on_commit_callbacks)

    draft = IncidentDraft.objects.get(kind=DraftKind.PUBLISH)
    assert incident.is_public is False
    assert not Incident.objects.public().exists()
    assert draft.incident == incident
    assert draft.page == page
    assert draft.live is False
    assert draft.workflow_in_progress is True
    assert list(draft.components.all()) == [component]
    created = OutboxEvent.objects.get(kind=EventKind.INCIDENT_CREATED)
    assert created.payload["is_public"] is False
    assert not OutboxEvent.objects.filter(kind=EventKind.INCIDENT_PUBLISHED).exists()


def test_failing_http_check_waits_for_approval(
    page, component, reviewers, django_capture_on_commit_callbacks
):
    with http_server() as base_url:
        check = create_check(
            page,
            "Storefront",
            "http",
            {"url": f"{base_url}/status/503"},
            component=component,
            failure_threshold=2,
            open_incident=True,
            incident_needs_approval=True,
        )
        outcomes = [run_http_check(check) for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        for index, outcome in enumerate(outcomes):
            record_result(check.pk, outcome, START + timedelta(seconds=60 * index))

    incident = Incident.objects.get()
    draft = IncidentDraft.objects.get(kind=DraftKind.PUBLISH)
    assert [outcome.status for outcome in outcomes] == ["down", "down"]
    assert incident.is_public is False
    assert draft.incident == incident
    assert draft.workflow_in_progress is True


def test_approval_makes_check_incident_public(
    page, component, reviewer, django_capture_on_commit_callbacks
):
    incident = fail_check(page, component, django_capture_on_commit_callbacks)
    draft = IncidentDraft.objects.get(kind=DraftKind.PUBLISH)
    task_state = draft.current_workflow_task_state

    response = reviewer.post(
        draft_url("workflow_action", draft.pk, "approve", task_state.pk),
        {"comment": ""},
    )

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.is_public is True
    assert incident.approved_by.username == "reviewer"
    assert draft.publication.incident == incident
    assert OutboxEvent.objects.filter(kind=EventKind.INCIDENT_PUBLISHED).count() == 1


def test_approval_published_without_review(
    page, component, admin_client, django_capture_on_commit_callbacks
):
    incident = fail_check(page, component, django_capture_on_commit_callbacks)
    draft = IncidentDraft.objects.get(kind=DraftKind.PUBLISH)
    assert draft.workflow_in_progress is False
    data = {
        "kind": DraftKind.PUBLISH,
        "page": page.pk,
        "incident": incident.pk,
        "status": incident.status,
        "components": [component.pk],
        "notify_subscribers": "on",
        "action-publish": "action-publish",
    }

    response = admin_client.post(draft_url("edit", draft.pk), data)

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.is_public is True


def test_drain_opens_approval_for_hidden_incident(
    page, reviewers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.create_incident(
            page, "Hidden outage", body="Checking.", is_public=False
        )

    draft = IncidentDraft.objects.get()
    assert draft.incident == incident
    assert draft.workflow_in_progress is True
    assert OutboxEvent.objects.get(kind=EventKind.INCIDENT_CREATED).processed_at


def test_event_delivered_twice_opens_one_approval(page, reviewers):
    incident = services.create_incident(
        page, "Hidden outage", body="Checking.", is_public=False
    )
    row = OutboxEvent.objects.get(kind=EventKind.INCIDENT_CREATED)

    approvals.statuscore_event(Event.from_row(row))
    approvals.statuscore_event(Event.from_row(row))

    draft = IncidentDraft.objects.get()
    assert draft.incident == incident
    assert draft.kind == DraftKind.PUBLISH


def test_public_incident_opens_no_approval(page):
    services.create_incident(page, "Visible outage", body="Checking.")
    row = OutboxEvent.objects.get(kind=EventKind.INCIDENT_CREATED)

    approvals.statuscore_event(Event.from_row(row))

    assert not IncidentDraft.objects.exists()
