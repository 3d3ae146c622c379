"""Incident drafts: saved, previewed, compared and published in the admin."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from statuscms.draft_publishing import publish_to_core
from statuscms.drafts import DraftKind, DraftPublication, IncidentDraft
from statuscore import services
from statuscore.events import EventKind
from statuscore.models import (
    Component,
    Incident,
    IncidentUpdate,
    Organization,
    OutboxEvent,
    Page,
    Role,
)

DRAFTS_ADD = reverse("wagtailsnippets_statuscms_incidentdraft:add")
DRAFTS_INDEX = reverse("wagtailsnippets_statuscms_incidentdraft:list")


def draft_url(name: str, *args) -> str:
    return reverse(f"wagtailsnippets_statuscms_incidentdraft:{name}", args=args)


@pytest.fixture
def incident(page, component) -> Incident:
    return services.create_incident(
        page, "Checkout failing", body="Looking into it.", component_statuses={}
    )


def update_form(target: Incident, **changes) -> dict:
    data = {
        "kind": DraftKind.UPDATE,
        "page": target.page_id,
        "incident": target.pk,
        "title": "",
        "status": "identified",
        "impact": "",
        "body": "The **disk** is full.",
        "component_status": "",
        "notify_subscribers": "on",
    }
    data.update(changes)
    return data


def new_incident_form(page, component, **changes) -> dict:
    data = {
        "kind": DraftKind.INCIDENT,
        "page": page.pk,
        "title": "Search is slow",
        "status": "investigating",
        "impact": "minor",
        "body": "Searches take seconds.",
        "components": [component.pk],
        "component_status": "degraded_performance",
        "notify_subscribers": "on",
    }
    data.update(changes)
    return data


def publish(data: dict) -> dict:
    return {**data, "action-publish": "action-publish"}


def test_draft_save_changes_nothing_public(admin_client, incident):
    updates_before = IncidentUpdate.objects.count()
    events_before = OutboxEvent.objects.count()

    response = admin_client.post(DRAFTS_ADD, update_form(incident))

    assert response.status_code == 302
    draft = IncidentDraft.objects.get()
    assert draft.live is False
    assert draft.created_by is not None
    assert draft.revisions.count() == 1
    assert IncidentUpdate.objects.count() == updates_before
    assert OutboxEvent.objects.count() == events_before
    assert not DraftPublication.objects.exists()


def test_draft_preview_renders_markdown_safely(admin_client, status_page, incident):
    admin_client.post(DRAFTS_ADD, update_form(incident))
    draft = IncidentDraft.objects.get()
    preview_url = draft_url("preview_on_edit", draft.pk)

    changed = update_form(incident, body="Now **fixed** <script>alert(1)</script>")
    posted = admin_client.post(preview_url, changed)
    shown = admin_client.get(preview_url)

    assert posted.json()["is_valid"] is True
    html = shown.content.decode()
    assert shown.status_code == 200
    assert "<strong>fixed</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert "Checkout failing" in html
    assert "Looking into it." in html
    assert IncidentUpdate.objects.filter(body__contains="fixed").count() == 0


def test_draft_history_compares_revisions(admin_client, incident):
    admin_client.post(DRAFTS_ADD, update_form(incident))
    draft = IncidentDraft.objects.get()
    admin_client.post(
        draft_url("edit", draft.pk), update_form(incident, body="Second wording.")
    )
    first, second = draft.revisions.order_by("pk")

    history = admin_client.get(draft_url("history", draft.pk))
    compare = admin_client.get(
        draft_url("revisions_compare", draft.pk, first.pk, second.pk)
    )

    assert history.status_code == 200
    assert compare.status_code == 200
    assert "Second wording." in compare.content.decode()


def test_update_draft_publish_posts_update(admin_client, superuser, incident):
    response = admin_client.post(
        DRAFTS_ADD, publish(update_form(incident, notify_subscribers=""))
    )

    assert response.status_code == 302
    draft = IncidentDraft.objects.get()
    publication = draft.publication
    update = publication.update
    assert draft.live is True
    assert publication.incident == incident
    assert publication.published_by == superuser
    assert update.body == "The **disk** is full."
    assert update.status == "identified"
    assert update.notify_subscribers is False
    assert update.created_by == superuser
    event = OutboxEvent.objects.filter(kind=EventKind.INCIDENT_UPDATED).get()
    assert event.payload["update_id"] == update.pk


def test_incident_draft_publish_creates_incident(admin_client, page, component):
    response = admin_client.post(
        DRAFTS_ADD, publish(new_incident_form(page, component))
    )

    assert response.status_code == 302
    draft = IncidentDraft.objects.get()
    incident = draft.publication.incident
    assert incident.name == "Search is slow"
    assert incident.impact == "minor"
    assert list(incident.components.all()) == [component]
    assert draft.publication.update == incident.updates.get()
    component.refresh_from_db()
    assert component.status == "degraded_performance"
    assert OutboxEvent.objects.filter(kind=EventKind.INCIDENT_CREATED).count() == 1


def test_publishing_twice_creates_nothing_twice(admin_client, incident):
    admin_client.post(DRAFTS_ADD, publish(update_form(incident)))
    draft = IncidentDraft.objects.get()
    updates_after_first = IncidentUpdate.objects.count()
    events_after_first = OutboxEvent.objects.count()

    response = admin_client.post(
        draft_url("edit", draft.pk), publish(update_form(incident, body="Again."))
    )

    assert response.status_code == 302
    assert IncidentUpdate.objects.count() == updates_after_first
    assert OutboxEvent.objects.count() == events_after_first
    assert DraftPublication.objects.count() == 1


def test_reverted_revision_publishes_nothing_new(admin_client, incident):
    admin_client.post(DRAFTS_ADD, update_form(incident, body="First wording."))
    draft = IncidentDraft.objects.get()
    first = draft.revisions.get()
    admin_client.post(draft_url("edit", draft.pk), publish(update_form(incident)))
    updates_after_publish = IncidentUpdate.objects.count()
    events_after_publish = OutboxEvent.objects.count()

    revert_url = draft_url("revisions_revert", draft.pk, first.pk)
    shown = admin_client.get(revert_url)
    response = admin_client.post(
        revert_url, publish(update_form(incident, body="First wording."))
    )

    assert shown.status_code == 200
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.body == "First wording."
    assert IncidentUpdate.objects.count() == updates_after_publish
    assert OutboxEvent.objects.count() == events_after_publish
    assert draft.publication.update.body == "The **disk** is full."


def test_publish_error_from_core_shown_on_form(admin_client, incident):
    data = update_form(incident, kind=DraftKind.PUBLISH, body="")

    response = admin_client.post(DRAFTS_ADD, publish(data))

    assert response.status_code == 200
    assert "already public" in response.content.decode()
    draft = IncidentDraft.objects.get()
    assert draft.live is False
    assert not DraftPublication.objects.exists()


def test_update_draft_without_incident_rejected(admin_client, incident):
    response = admin_client.post(DRAFTS_ADD, update_form(incident, incident=""))

    assert response.status_code == 200
    assert "incident" in response.context["form"].errors
    assert not IncidentDraft.objects.exists()


def test_new_incident_draft_needs_title(admin_client, page, component):
    response = admin_client.post(
        DRAFTS_ADD, new_incident_form(page, component, title="")
    )

    assert response.status_code == 200
    assert "title" in response.context["form"].errors


def test_component_of_other_page_rejected(admin_client, page, organization):
    other = Page.objects.create(organization=organization, name="Other", slug="other")
    foreign = services.create_component(other, "Foreign API")

    response = admin_client.post(DRAFTS_ADD, new_incident_form(page, foreign))

    assert response.status_code == 200
    assert "components" in response.context["form"].errors
    assert not IncidentDraft.objects.exists()


@pytest.fixture
def globex_client(db):
    """A client signed in as an editor of another organisation only."""
    globex = Organization.objects.create(name="Globex", slug="globex")
    Page.objects.create(organization=globex, name="Globex Status", slug="globex")
    user = get_user_model().objects.create_user(username="globex", password="pw")
    services.add_member(globex, user, Role.EDITOR)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "access_admin",
                "add_incidentdraft",
                "change_incidentdraft",
                "publish_incidentdraft",
            ]
        )
    )
    client = Client()
    client.force_login(user)
    return client


def test_other_organisation_cannot_open_draft(admin_client, globex_client, incident):
    admin_client.post(DRAFTS_ADD, update_form(incident))
    draft = IncidentDraft.objects.get()

    listing = globex_client.get(DRAFTS_INDEX)
    edit = globex_client.get(draft_url("edit", draft.pk))

    assert listing.status_code == 200
    assert "Checkout failing" not in listing.content.decode()
    assert edit.status_code == 404


@pytest.mark.parametrize(
    "view",
    [
        "edit",
        "history",
        "preview_on_edit",
        "delete",
        "revisions_view",
        "lock",
        "usage",
        "workflow_history",
    ],
)
def test_other_organisation_draft_views_refused(
    admin_client, globex_client, incident, view
):
    admin_client.post(DRAFTS_ADD, update_form(incident))
    draft = IncidentDraft.objects.get()
    args = [draft.pk]
    if view == "revisions_view":
        args.append(draft.latest_revision_id)

    response = globex_client.get(draft_url(view, *args))

    assert response.status_code == 404


def test_other_organisation_pages_not_offered(globex_client, page, incident):
    response = globex_client.get(DRAFTS_ADD)

    form = response.context["form"]
    assert page not in form.fields["page"].queryset
    assert incident not in form.fields["incident"].queryset
    assert not form.fields["components"].queryset.filter(page=page).exists()
    assert Component.objects.filter(page=page).exists()


def test_older_revision_publish_adds_nothing(admin_client, superuser, incident):
    admin_client.post(DRAFTS_ADD, update_form(incident, body="First wording."))
    draft = IncidentDraft.objects.get()
    first = draft.revisions.get()
    admin_client.post(draft_url("edit", draft.pk), publish(update_form(incident)))
    updates_after_publish = IncidentUpdate.objects.count()

    first.publish(user=superuser)

    draft.refresh_from_db()
    assert draft.live_revision == first
    assert IncidentUpdate.objects.count() == updates_after_publish
    assert DraftPublication.objects.filter(draft=draft).count() == 1


def test_scheduled_draft_applied_when_due(superuser, incident):
    draft = IncidentDraft(
        kind=DraftKind.UPDATE,
        page=incident.page,
        incident=incident,
        status="monitoring",
        body="A fix is rolling out.",
        live=False,
        go_live_at=timezone.now() + timedelta(hours=1),
    )
    draft.save()
    revision = draft.save_revision(user=superuser)
    updates_before = IncidentUpdate.objects.count()

    revision.publish(user=superuser)
    scheduled_count = IncidentUpdate.objects.count()
    due = timezone.now() - timedelta(minutes=1)
    revision.content["go_live_at"] = due.isoformat()
    revision.approved_go_live_at = due
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled")

    assert scheduled_count == updates_before
    assert IncidentUpdate.objects.count() == updates_before + 1
    draft.refresh_from_db()
    assert draft.live is True
    assert draft.publication.update.body == "A fix is rolling out."


def test_new_incident_preview_before_first_save(
    admin_client, status_page, page, component
):
    preview_url = draft_url("preview_on_add")
    data = new_incident_form(page, component, title="Search <b>down</b>")

    posted = admin_client.post(preview_url, data)
    shown = admin_client.get(preview_url)

    assert posted.json()["is_valid"] is True
    html = shown.content.decode()
    assert "Search &lt;b&gt;down&lt;/b&gt;" in html
    assert "Searches take seconds." in html
    assert component.name in html
    assert not IncidentDraft.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_publishers_apply_draft_once(page, component):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's shared-cache test database locks tables between threads")
    incident = services.create_incident(page, "Checkout failing", body="Looking.")
    draft = IncidentDraft(
        kind=DraftKind.UPDATE,
        page=page,
        incident=incident,
        status="identified",
        body="Found it.",
        live=False,
    )
    draft.save()
    revision = draft.save_revision()
    barrier = threading.Barrier(4)
    errors: list[Exception] = []

    def publisher() -> None:
        try:
            barrier.wait()
            publish_to_core(revision.as_object())
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publisher) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert DraftPublication.objects.filter(draft=draft).count() == 1
    assert incident.updates.filter(body="Found it.").count() == 1


def role_client(organization, username: str, role: str) -> Client:
    """A client signed in as a member whose only permissions come from ``role``."""
    user = get_user_model().objects.create_user(username=username, password="pw")
    services.add_member(organization, user, role)
    client = Client()
    client.force_login(user)
    return client


def test_editor_role_sees_and_uses_publish(organization, incident):
    editor = role_client(organization, "role-editor", Role.EDITOR)

    form = editor.get(DRAFTS_ADD)
    response = editor.post(DRAFTS_ADD, publish(update_form(incident)))

    assert form.status_code == 200
    assert 'name="action-publish"' in form.content.decode()
    assert response.status_code == 302
    update = IncidentDraft.objects.get().publication.update
    assert update.body == "The **disk** is full."
    assert update.incident == incident


def test_owner_role_can_publish(organization, incident):
    owner = role_client(organization, "role-owner", Role.OWNER)

    response = owner.post(DRAFTS_ADD, publish(update_form(incident)))

    assert response.status_code == 302
    assert DraftPublication.objects.filter(incident=incident).exists()


def test_viewer_role_cannot_publish(organization, incident):
    viewer = role_client(organization, "role-viewer", Role.VIEWER)
    updates_before = IncidentUpdate.objects.count()

    response = viewer.post(DRAFTS_ADD, publish(update_form(incident)))

    assert response.status_code in (302, 403)
    assert IncidentUpdate.objects.count() == updates_before
    assert not DraftPublication.objects.exists()
