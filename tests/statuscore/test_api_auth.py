"""``statuscore.api.auth``: the principal of a request and its permissions."""

from __future__ import annotations

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from statuscore import services
from statuscore.api.auth import (
    Principal,
    api_auth,
    principal_for_api_key,
    principal_for_user,
)
from statuscore.models import Organization
from statuscore.services.api_keys import create_api_key, revoke_api_key
from statuscore.services.tokens import issue_token_pair, revoke_refresh_family
from tests.statuscore.accounts import make_member, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_organization(db) -> Organization:
    return Organization.objects.create(name="Globex", slug="globex")


@pytest.fixture
def client() -> TestClient:
    api = NinjaAPI(urls_namespace="auth-test")

    @api.get("/whoami", auth=api_auth)
    def whoami(request):
        principal: Principal = request.auth
        return {
            "user": principal.user.username if principal.user else None,
            "api_key": principal.api_key.pk if principal.api_key else None,
            "organizations": sorted(principal.organization_ids),
            "scopes": sorted(principal.scopes),
        }

    return TestClient(api)


@pytest.mark.parametrize(
    "role, reads, writes, owns",
    [
        ("owner", True, True, True),
        ("editor", True, True, False),
        ("viewer", True, False, False),
    ],
)
def test_user_permissions_follow_role(organization, role, reads, writes, owns):
    principal = principal_for_user(make_member(organization, role, "ada"))

    assert principal.roles(organization.pk) == role
    assert principal.can_read(organization.pk) is reads
    assert principal.can_write(organization.pk) is writes
    assert principal.is_owner(organization.pk) is owns


def test_user_has_no_rights_outside_memberships(organization, other_organization):
    principal = principal_for_user(make_member(organization, "owner", "ada"))

    assert principal.organization_ids == frozenset({organization.pk})
    assert principal.roles(other_organization.pk) is None
    assert not principal.can_read(other_organization.pk)
    assert not principal.can_write(other_organization.pk)
    assert not principal.is_owner(other_organization.pk)


@pytest.mark.parametrize(
    "scopes, writes",
    [(["read"], False), (["write"], True), (["read", "write"], True)],
)
def test_key_permissions_follow_scopes(
    organization, other_organization, scopes, writes
):
    api_key = create_api_key(organization, "ci", scopes).api_key

    principal = principal_for_api_key(api_key)

    assert principal.can_read(organization.pk)
    assert principal.can_write(organization.pk) is writes
    assert not principal.can_read(other_organization.pk)
    assert not principal.can_write(other_organization.pk)
    assert not principal.is_owner(organization.pk)
    assert principal.roles(organization.pk) is None


def test_bearer_jwt_gives_user_principal(client, organization):
    user = make_member(organization, "editor", "ada")
    token = issue_token_pair(user).access_token

    response = client.get("/whoami", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.json() == {
        "user": "ada",
        "api_key": None,
        "organizations": [organization.pk],
        "scopes": ["read", "write"],
    }


@pytest.mark.parametrize("header", ["Authorization", "X-API-Key"])
def test_api_key_gives_key_principal(client, organization, header):
    created = create_api_key(organization, "ci", ["read"])
    value = f"Bearer {created.secret}" if header == "Authorization" else created.secret

    response = client.get("/whoami", headers={header: value})

    assert response.status_code == 200
    assert response.json() == {
        "user": None,
        "api_key": created.api_key.pk,
        "organizations": [organization.pk],
        "scopes": ["read"],
    }


@pytest.mark.parametrize("header", ["Authorization", "X-API-Key"])
def test_revoked_key_gets_401(client, organization, header):
    created = create_api_key(organization, "ci", ["read"])
    value = f"Bearer {created.secret}" if header == "Authorization" else created.secret
    revoke_api_key(created.api_key)

    response = client.get("/whoami", headers={header: value})

    assert response.status_code == 401


def test_revoked_sign_in_gets_401(client):
    pair = issue_token_pair(make_user())
    revoke_refresh_family(pair.refresh_token)

    response = client.get(
        "/whoami", headers={"Authorization": f"Bearer {pair.access_token}"}
    )

    assert response.status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": "Basic YWRhOnB3"},
        {"X-API-Key": "sk_unknown"},
    ],
    ids=["none", "garbage", "basic", "unknown-key"],
)
def test_missing_or_bad_credentials_get_401(client, headers):
    response = client.get("/whoami", headers=headers)

    assert response.status_code == 401


def test_key_survives_other_key_revocation(client, organization):
    kept = create_api_key(organization, "kept", ["read"])
    revoke_api_key(create_api_key(organization, "gone", ["read"]).api_key)

    response = client.get("/whoami", headers={"X-API-Key": kept.secret})

    assert response.status_code == 200


def test_principal_of_user_without_memberships(organization):
    principal = principal_for_user(make_user())

    assert principal.organization_ids == frozenset()
    assert not principal.can_read(organization.pk)


def test_memberships_read_at_authentication(organization):
    user = make_user()
    services.add_member(organization, user, "viewer")

    assert principal_for_user(user).can_read(organization.pk)
