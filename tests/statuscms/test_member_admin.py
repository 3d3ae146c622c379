"""The Members screens: owners add, change and remove members."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from statuscms.organization_models import OrganizationLogEntry
from statuscore import services
from statuscore.models import Membership, Organization, Role

INDEX = reverse("status_members:index")
ADD = reverse("status_members:add")


def make_user(username: str):
    return get_user_model().objects.create_user(username=username, password="pw")


@pytest.fixture
def owner(organization):
    user = make_user("olive")
    services.add_member(organization, user, Role.OWNER)
    return user


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def globex(db):
    organization = Organization.objects.create(name="Globex", slug="globex")
    services.add_member(organization, make_user("gunther"), Role.OWNER)
    return organization


def test_owner_adds_member(owner_client, organization, owner):
    bob = make_user("bob")

    response = owner_client.post(
        ADD, {"organization": organization.pk, "username": "bob", "role": "editor"}
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=bob).role == Role.EDITOR
    assert bob.groups.filter(name="Acme editors").exists()
    entry = OrganizationLogEntry.objects.get(data__member="bob")
    assert entry.user_id == owner.pk
    assert entry.data["member"] == "bob"


def test_unknown_user_name_is_field_error(owner_client, organization):
    response = owner_client.post(
        ADD, {"organization": organization.pk, "username": "nobody", "role": "editor"}
    )

    assert response.status_code == 200
    assert "No user is named" in response.content.decode()
    assert Membership.objects.count() == 1


def test_existing_member_cannot_be_added_twice(owner_client, organization, owner):
    response = owner_client.post(
        ADD, {"organization": organization.pk, "username": "olive", "role": "viewer"}
    )

    assert response.status_code == 200
    assert "already a member" in response.content.decode()
    assert Membership.objects.get(user=owner).role == Role.OWNER


def test_owner_changes_role(owner_client, organization):
    bob = make_user("bob")
    membership = services.add_member(organization, bob, Role.EDITOR)

    response = owner_client.post(
        reverse("status_members:edit", args=[membership.pk]), {"role": "viewer"}
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=bob).role == Role.VIEWER
    assert bob.groups.filter(name="Acme viewers").exists()
    assert not bob.groups.filter(name="Acme editors").exists()


def test_last_owner_cannot_be_demoted(owner_client, owner):
    membership = Membership.objects.get(user=owner)

    response = owner_client.post(
        reverse("status_members:edit", args=[membership.pk]), {"role": "editor"}
    )

    assert response.status_code == 200
    assert "last owner" in response.content.decode()
    assert Membership.objects.get(user=owner).role == Role.OWNER


def test_owner_removes_member(owner_client, organization):
    bob = make_user("bob")
    membership = services.add_member(organization, bob, Role.EDITOR)

    response = owner_client.post(reverse("status_members:delete", args=[membership.pk]))

    assert response.status_code == 302
    assert not Membership.objects.filter(user=bob).exists()
    assert not bob.groups.exists()


def test_last_owner_cannot_be_removed(owner_client, owner):
    membership = Membership.objects.get(user=owner)

    response = owner_client.post(
        reverse("status_members:delete", args=[membership.pk]), follow=True
    )

    assert response.status_code == 200
    assert "last owner" in response.content.decode()
    assert Membership.objects.filter(user=owner).exists()


def test_listing_shows_only_own_organisation(owner_client, globex):
    response = owner_client.get(INDEX)

    assert response.status_code == 200
    assert "olive" in response.content.decode()
    assert "gunther" not in response.content.decode()
    assert "Globex" not in response.content.decode()


def test_other_organisation_member_not_found(owner_client, globex):
    membership = Membership.objects.get(organization=globex)

    response = owner_client.get(reverse("status_members:edit", args=[membership.pk]))

    assert response.status_code == 404


def test_add_form_offers_owned_organisations_only(owner_client, globex):
    response = owner_client.get(ADD)

    assert response.status_code == 200
    assert "Acme" in response.content.decode()
    assert "Globex" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_editors_and_viewers_cannot_manage_members(client, organization, role):
    user = make_user("ed")
    membership = services.add_member(organization, user, role)
    client.force_login(user)

    assert client.get(INDEX).status_code == 403
    assert client.get(ADD).status_code == 403
    edit = reverse("status_members:edit", args=[membership.pk])
    assert client.post(edit, {"role": "owner"}).status_code == 403
    assert Membership.objects.get(user=user).role == role
