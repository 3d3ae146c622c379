"""/api/v1/organizations and members: owners manage, others read."""

# ruff: noqa: F811

from __future__ import annotations

import pytest
from django.test import Client

from statuscore.models import Membership, Organization
from statuscore.services.tokens import issue_token_pair
from tests.statuscore.accounts import make_member, make_user
from tests.statuscore.api_fixtures import (  # noqa: F401
    error_fields,
    patch_json,
    post_json,
    tenant_a,
)

pytestmark = pytest.mark.django_db


def _client_for(user) -> Client:
    token = issue_token_pair(user).access_token
    return Client(headers={"Authorization": f"Bearer {token}"})


def _members_url(tenant) -> str:
    return f"/api/v1/organizations/{tenant.organization.pk}/members"


def test_list_shows_own_organizations(tenant_a):
    Organization.objects.create(name="Elsewhere", slug="elsewhere")

    response = tenant_a.user_client().get("/api/v1/organizations")

    assert [o["slug"] for o in response.json()["results"]] == ["alpha"]


def test_create_makes_caller_owner(tenant_a):
    response = post_json(
        tenant_a.user_client(), "/api/v1/organizations", {"name": "New", "slug": "new"}
    )

    assert response.status_code == 201
    membership = Membership.objects.get(organization__slug="new")
    assert membership.role == "owner"
    assert membership.user.username == "alpha-owner"


def test_api_key_cannot_create_organization(tenant_a):
    response = post_json(
        tenant_a.key_client(), "/api/v1/organizations", {"name": "New", "slug": "new"}
    )

    assert response.status_code == 403
    assert not Organization.objects.filter(slug="new").exists()


def test_owner_renames_organization(tenant_a):
    url = f"/api/v1/organizations/{tenant_a.organization.pk}"

    response = patch_json(tenant_a.user_client(), url, {"name": "Alpha Inc"})

    assert response.status_code == 200
    assert response.json()["name"] == "Alpha Inc"


def test_editor_cannot_rename_organization(tenant_a):
    editor = make_member(tenant_a.organization, "editor", "eddie")
    url = f"/api/v1/organizations/{tenant_a.organization.pk}"

    response = patch_json(_client_for(editor), url, {"name": "Hijacked"})

    assert response.status_code == 403
    assert Organization.objects.get(pk=tenant_a.organization.pk).name == "Alpha"


def test_owner_adds_member_by_email(tenant_a):
    make_user("grace", email="grace@example.test")

    response = post_json(
        tenant_a.user_client(),
        _members_url(tenant_a),
        {"email": "Grace@example.test", "role": "viewer"},
    )

    assert response.status_code == 201
    assert response.json()["username"] == "grace"
    assert response.json()["role"] == "viewer"


def test_add_unknown_email_names_field(tenant_a):
    response = post_json(
        tenant_a.user_client(), _members_url(tenant_a), {"email": "nobody@x.test"}
    )

    assert response.status_code == 422
    assert error_fields(response) == ["body.email"]


def test_add_existing_member_conflicts(tenant_a):
    make_member(tenant_a.organization, "viewer", "vera")

    response = post_json(
        tenant_a.user_client(), _members_url(tenant_a), {"email": "vera@example.test"}
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_member"


def test_editor_cannot_add_member(tenant_a):
    editor = make_member(tenant_a.organization, "editor", "eddie")
    make_user("grace")

    response = post_json(
        _client_for(editor), _members_url(tenant_a), {"email": "grace@example.test"}
    )

    assert response.status_code == 403
    assert Membership.objects.filter(organization=tenant_a.organization).count() == 2


def test_viewer_lists_members(tenant_a):
    viewer = make_member(tenant_a.organization, "viewer", "vera")

    response = _client_for(viewer).get(_members_url(tenant_a), {"role": "owner"})

    assert response.status_code == 200
    assert [m["username"] for m in response.json()["results"]] == ["alpha-owner"]


def test_owner_changes_role(tenant_a):
    make_member(tenant_a.organization, "viewer", "vera")
    membership = Membership.objects.get(user__username="vera")

    response = patch_json(
        tenant_a.user_client(),
        f"{_members_url(tenant_a)}/{membership.pk}",
        {"role": "editor"},
    )

    assert response.status_code == 200
    assert Membership.objects.get(pk=membership.pk).role == "editor"


def test_last_owner_cannot_step_down(tenant_a):
    url = f"{_members_url(tenant_a)}/{tenant_a.owner_membership.pk}"

    response = patch_json(tenant_a.user_client(), url, {"role": "viewer"})

    assert response.status_code == 422
    assert error_fields(response) == ["body.role"]
    assert Membership.objects.get(pk=tenant_a.owner_membership.pk).role == "owner"


def test_last_owner_cannot_be_removed(tenant_a):
    url = f"{_members_url(tenant_a)}/{tenant_a.owner_membership.pk}"

    response = tenant_a.user_client().delete(url)

    assert response.status_code == 422
    assert error_fields(response) == ["role"]
    assert Membership.objects.filter(pk=tenant_a.owner_membership.pk).exists()


def test_owner_removes_member(tenant_a):
    make_member(tenant_a.organization, "viewer", "vera")
    membership = Membership.objects.get(user__username="vera")

    response = tenant_a.user_client().delete(
        f"{_members_url(tenant_a)}/{membership.pk}"
    )

    assert response.status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_member_of_other_organization_not_found(tenant_a):
    other = Organization.objects.create(name="Other", slug="other")
    outsider = make_member(other, "viewer", "otto")
    membership = Membership.objects.get(user=outsider)

    response = tenant_a.user_client().delete(
        f"{_members_url(tenant_a)}/{membership.pk}"
    )

    assert response.status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_api_key_cannot_manage_members(tenant_a):
    make_user("grace")

    response = post_json(
        tenant_a.key_client(), _members_url(tenant_a), {"email": "grace@example.test"}
    )

    assert response.status_code == 403
    assert Membership.objects.filter(organization=tenant_a.organization).count() == 1
