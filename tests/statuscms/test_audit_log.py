"""The audit log: Wagtail log entries of admin changes, per organisation."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from statuscms.organization_models import OrganizationLogEntry
from statuscore import services
from statuscore.models import Component, Organization, Page, Role

SITE_HISTORY = reverse("wagtailadmin_reports:site_history")


@pytest.fixture
def globex(db):
    organization = Organization.objects.create(name="Globex", slug="globex")
    page = Page.objects.create(
        organization=organization, name="Globex Status", slug="globex"
    )
    return organization, page


def member(client, organization, role, username):
    user = get_user_model().objects.create_user(
        username=username, first_name=username.title(), password="pw"
    )
    services.add_member(organization, user, role)
    client.force_login(user)
    return user


def create_component_in_admin(client, page, name):
    return client.post(
        reverse("status_components:add"),
        {
            "page": page.pk,
            "name": name,
            "description": "",
            "group": "",
            "position": "",
            "status": "operational",
        },
    )


def test_admin_create_writes_entry_with_organisation(client, organization, page):
    editor = member(client, organization, Role.EDITOR, "ada")

    response = create_component_in_admin(client, page, "Search")

    assert response.status_code == 302
    entry = OrganizationLogEntry.objects.get(action="wagtail.create")
    component = Component.objects.get(name="Search")
    assert entry.organization_id == organization.pk
    assert entry.user_id == editor.pk
    assert entry.object_id == str(component.pk)
    assert entry.label == "Search"


def test_admin_edit_writes_entry(client, organization, page, component):
    member(client, organization, Role.EDITOR, "ada")

    response = client.post(
        reverse("status_components:edit", args=[component.pk]),
        {
            "name": "API v2",
            "description": "",
            "group": "",
            "position": 0,
            "status": "degraded_performance",
        },
    )

    assert response.status_code == 302
    entry = OrganizationLogEntry.objects.get(action="wagtail.edit")
    assert entry.label == "API v2"
    assert entry.organization_id == organization.pk


def test_site_history_shows_who_changed_what(client, organization, page):
    member(client, organization, Role.EDITOR, "ada")
    create_component_in_admin(client, page, "Search")

    response = client.get(SITE_HISTORY)
    body = response.content.decode()

    assert response.status_code == 200
    assert "Search" in body
    assert "Ada" in body
    assert "Created" in body


def test_site_history_hides_other_organisation(client, organization, page, globex):
    other_organization, other_page = globex
    member(client, other_organization, Role.OWNER, "grace")
    create_component_in_admin(client, other_page, "Globex Billing")
    client.logout()

    member(client, organization, Role.EDITOR, "ada")
    create_component_in_admin(client, page, "Search")
    response = client.get(SITE_HISTORY)
    body = response.content.decode()

    assert response.status_code == 200
    assert "Search" in body
    assert "Globex Billing" not in body
    assert "Grace" not in body


def test_site_history_user_filter_lists_own_organisation(
    client, organization, page, globex
):
    other_organization, other_page = globex
    member(client, other_organization, Role.OWNER, "grace")
    create_component_in_admin(client, other_page, "Globex Billing")
    client.logout()

    member(client, organization, Role.OWNER, "ada")
    response = client.get(SITE_HISTORY)

    assert "grace" not in response.content.decode().lower()


def test_viewer_sees_no_audit_entries(client, organization, page):
    member(client, organization, Role.EDITOR, "ada")
    create_component_in_admin(client, page, "Searchlight")
    client.logout()

    member(client, organization, Role.VIEWER, "vic")
    response = client.get(SITE_HISTORY)

    assert response.status_code == 200
    assert "Searchlight" not in response.content.decode()


def test_object_history_lists_its_changes(client, organization, page):
    member(client, organization, Role.EDITOR, "ada")
    create_component_in_admin(client, page, "Search")
    component = Component.objects.get(name="Search")

    response = client.get(reverse("status_components:history", args=[component.pk]))

    assert response.status_code == 200
    assert "Ada" in response.content.decode()


def test_membership_changes_are_logged(organization):
    owner = get_user_model().objects.create_user(username="owner", password="pw")
    user = get_user_model().objects.create_user(username="bob", password="pw")

    services.add_member(organization, owner, Role.OWNER)
    services.add_member(organization, user, Role.EDITOR)
    services.change_member_role(organization, user, Role.VIEWER)
    services.remove_member(organization, user)

    entries = OrganizationLogEntry.objects.filter(organization=organization)
    messages = [entry.message for entry in entries.order_by("id")]
    assert messages == [
        "Added owner as owner",
        "Added bob as editor",
        "Changed the role of bob from editor to viewer",
        "Removed bob, who was viewer",
    ]


def test_membership_log_records_acting_user(organization):
    from wagtail.log_actions import LogContext

    owner = get_user_model().objects.create_user(username="owner", password="pw")
    user = get_user_model().objects.create_user(username="bob", password="pw")

    with LogContext(user=owner):
        services.add_member(organization, user, Role.EDITOR)

    entry = OrganizationLogEntry.objects.get(action="statuscms.member_added")
    assert entry.user_id == owner.pk
    assert entry.data["member_id"] == user.pk
