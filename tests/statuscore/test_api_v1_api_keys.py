"""``/api/v1/organizations/{organization_id}/api-keys``: owners manage keys, and a
revoked key gets 401."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from statuscore.models import ApiKey, IdempotencyRecord, Organization
from statuscore.services.api_keys import create_api_key
from statuscore.services.tokens import digest, issue_token_pair
from tests.statuscore.accounts import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def owner(organization):
    return make_member(organization, "owner", "olivia")


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {issue_token_pair(user).access_token}"}


def keys_url(organization, key_id: int | None = None) -> str:
    url = f"/api/v1/organizations/{organization.pk}/api-keys"
    return url if key_id is None else f"{url}/{key_id}"


def create(client, organization, user, body: dict):
    return client.post(
        keys_url(organization),
        body,
        content_type="application/json",
        headers=bearer(user),
    )


def test_owner_creates_key_shown_once(client, organization, owner):
    response = create(client, organization, owner, {"name": "ci", "scopes": ["read"]})

    assert response.status_code == 201
    body = response.json()
    stored = ApiKey.objects.get()
    assert body["key"].startswith("sk_")
    assert stored.secret_digest == digest(body["key"])
    assert body["prefix"] == body["key"][:11]
    assert body["scopes"] == ["read"]
    assert body["created_by_id"] == owner.pk
    listing = client.get(keys_url(organization), headers=bearer(owner)).json()
    assert "key" not in listing["results"][0]
    assert body["key"] not in str(listing)


def test_listing_shows_prefix_scopes_last_use(client, organization, owner):
    created = create_api_key(organization, "deploys", ["read", "write"])
    client.get(keys_url(organization), headers={"X-API-Key": created.secret})

    response = client.get(keys_url(organization), headers=bearer(owner))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["name"] == "deploys"
    assert item["prefix"] == created.api_key.prefix
    assert item["scopes"] == ["read", "write"]
    assert item["last_used_at"] is not None
    assert item["revoked_at"] is None


def test_revoked_key_gets_401(client, organization, owner):
    created = create_api_key(organization, "deploys", ["read"])
    used = client.get("/api/v1/auth/me", headers={"X-API-Key": created.secret})
    assert used.status_code == 403  # authenticated, but a key has no user

    response = client.delete(
        keys_url(organization, created.api_key.pk), headers=bearer(owner)
    )

    assert response.status_code == 204
    for headers in (
        {"X-API-Key": created.secret},
        {"Authorization": f"Bearer {created.secret}"},
    ):
        after = client.get("/api/v1/auth/me", headers=headers)
        assert after.status_code == 401
        assert after.json()["error"]["code"] == "not_authenticated"
        assert after.json()["error"]["message"] == "The API key has been revoked."


def test_revoked_key_listed_with_time(client, organization, owner):
    created = create_api_key(organization, "deploys", ["read"])
    client.delete(keys_url(organization, created.api_key.pk), headers=bearer(owner))

    listing = client.get(keys_url(organization), headers=bearer(owner)).json()
    active = client.get(
        keys_url(organization), {"revoked": "false"}, headers=bearer(owner)
    ).json()

    assert listing["results"][0]["revoked_at"] is not None
    assert active["count"] == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "ci", "scopes": ["admin"]}, "body.scopes.0"),
        ({"name": "ci", "scopes": []}, "body.scopes"),
        ({"name": "", "scopes": ["read"]}, "body.name"),
        ({"scopes": ["read"]}, "body.name"),
    ],
)
def test_create_rejects_bad_input(client, organization, owner, body, field):
    response = create(client, organization, owner, body)

    assert response.status_code == 422
    fields = [item["field"] for item in response.json()["error"]["fields"]]
    assert fields == [field]
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_non_owner_gets_403(client, organization, role):
    member = make_member(organization, role, "max")
    created = create_api_key(organization, "deploys", ["read"])

    listing = client.get(keys_url(organization), headers=bearer(member))
    creating = create(client, organization, member, {"name": "x", "scopes": ["read"]})
    revoking = client.delete(
        keys_url(organization, created.api_key.pk), headers=bearer(member)
    )

    assert listing.status_code == 403
    assert creating.status_code == 403
    assert revoking.status_code == 403
    assert ApiKey.objects.get().revoked_at is None


def test_write_key_cannot_manage_keys(client, organization):
    created = create_api_key(organization, "deploys", ["read", "write"])

    response = client.get(keys_url(organization), headers={"X-API-Key": created.secret})

    assert response.status_code == 403


def test_other_organization_gets_404(client, organization, owner):
    other = Organization.objects.create(name="Globex", slug="globex")
    foreign = create_api_key(other, "theirs", ["read"])

    listing = client.get(keys_url(other), headers=bearer(owner))
    revoking = client.delete(keys_url(other, foreign.api_key.pk), headers=bearer(owner))
    crossing = client.delete(
        keys_url(organization, foreign.api_key.pk), headers=bearer(owner)
    )

    assert listing.status_code == 404
    assert revoking.status_code == 404
    assert crossing.status_code == 404
    assert ApiKey.objects.get().revoked_at is None


def test_key_of_one_organization_reads_not_another(client, organization):
    other = Organization.objects.create(name="Globex", slug="globex")
    make_member(other, "owner", "gus")
    created = create_api_key(organization, "deploys", ["read", "write"])

    response = client.get(keys_url(other), headers={"X-API-Key": created.secret})

    assert response.status_code == 404


def test_last_used_updated_at_most_once_a_minute(client, organization, owner):
    created = create_api_key(organization, "deploys", ["read"])
    headers = {"X-API-Key": created.secret}
    client.get("/api/v1/auth/me", headers=headers)
    first = ApiKey.objects.get().last_used_at

    client.get("/api/v1/auth/me", headers=headers)
    unchanged = ApiKey.objects.get().last_used_at
    ApiKey.objects.update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/v1/auth/me", headers=headers)
    later = ApiKey.objects.get().last_used_at

    assert first is not None
    assert unchanged == first
    assert later > first - timedelta(minutes=2)
    assert later <= timezone.now()


def test_revoked_key_gets_401_on_resources(client, organization, owner):
    created = create_api_key(organization, "deploys", ["read"])
    before = client.get("/api/v1/pages", headers={"X-API-Key": created.secret})

    client.delete(keys_url(organization, created.api_key.pk), headers=bearer(owner))
    after = client.get("/api/v1/pages", headers={"X-API-Key": created.secret})

    assert before.status_code == 200
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "not_authenticated"


def test_created_key_not_kept_for_idempotent_retry(client, organization, owner):
    headers = {**bearer(owner), "Idempotency-Key": "create-ci-key"}
    body = {"name": "ci", "scopes": ["read"]}

    first = client.post(
        keys_url(organization), body, content_type="application/json", headers=headers
    )
    second = client.post(
        keys_url(organization), body, content_type="application/json", headers=headers
    )

    assert first.status_code == 201
    assert first["Cache-Control"] == "no-store"
    assert not IdempotencyRecord.objects.exists()
    assert second.status_code == 201
    assert second.json()["key"] != first.json()["key"]
