"""Conventions shared by every route of /api/v1/: errors, paging, sorting,
timestamps, Idempotency-Key and the request limit."""

# The shared fixtures are imported by name, and pytest passes them back as
# parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from statuscore import services
from statuscore.models import Component, IdempotencyRecord, Page
from tests.statuscore.api_fixtures import (  # noqa: F401
    error_fields,
    patch_json,
    post_json,
    tenant_a,
    tenant_b,
)

pytestmark = pytest.mark.django_db


def test_missing_credentials_401_in_error_shape(tenant_a):
    response = Client().get("/api/v1/pages")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response.json()["error"]["fields"] == []


def test_invalid_token_401_in_error_shape(tenant_a):
    client = Client(headers={"Authorization": "Bearer not-a-token"})

    response = client.get("/api/v1/pages")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_unknown_path_404_in_error_shape(tenant_a):
    response = tenant_a.user_client().get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_unknown_object_404_in_error_shape(tenant_a):
    response = tenant_a.user_client().get("/api/v1/pages/999999")

    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": "No page with id 999999 was found.",
            "fields": [],
        }
    }


def test_wrong_method_405_in_error_shape(tenant_a):
    response = tenant_a.user_client().delete("/api/v1/pages")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_validation_error_names_every_field(tenant_a):
    body = {"page_id": tenant_a.page.pk, "name": "", "status": "on fire", "x": 1}

    response = post_json(tenant_a.user_client(), "/api/v1/components", body)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert sorted(error_fields(response)) == ["body.name", "body.status", "body.x"]


def test_missing_field_named(tenant_a):
    response = post_json(tenant_a.user_client(), "/api/v1/components", {"name": "X"})

    assert response.status_code == 422
    assert error_fields(response) == ["body.page_id"]
    assert response.json()["error"]["fields"][0]["code"] == "missing"


def test_body_not_json_400_in_error_shape(tenant_a):
    response = tenant_a.user_client().post(
        "/api/v1/components", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_service_error_named_under_body(tenant_a):
    body = {"organization_id": tenant_a.organization.pk, "name": "X", "slug": "alpha"}

    response = post_json(tenant_a.user_client(), "/api/v1/pages", body)

    assert response.status_code == 422
    assert error_fields(response) == ["body.slug"]


def test_public_v2_keeps_detail_shape(tenant_a):
    response = Client().get("/api/v2/summary.json?page=nope")

    assert response.status_code == 404
    assert "detail" in response.json()
    assert "error" not in response.json()


def test_naive_datetime_rejected_naming_field(tenant_a):
    url = f"/api/v1/checks/{tenant_a.check.pk}/results?since=2026-03-01T12:00:00"

    response = tenant_a.user_client().get(url)

    assert response.status_code == 422
    assert error_fields(response) == ["query.since"]
    assert response.json()["error"]["fields"][0]["code"] == "timezone_aware"
    assert "offset" in response.json()["error"]["fields"][0]["message"]


def test_datetime_with_offset_accepted(tenant_a):
    since = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    url = f"/api/v1/checks/{tenant_a.check.pk}/results"

    response = tenant_a.user_client().get(url, {"since": since})

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_output_datetimes_carry_offset(tenant_a):
    response = tenant_a.user_client().get(f"/api/v1/pages/{tenant_a.page.pk}")

    created_at = response.json()["created_at"]
    assert created_at.endswith("Z") or created_at.endswith("+00:00")


def _make_components(page: Page, count: int) -> None:
    for number in range(count):
        services.create_component(page, f"Component {number:02d}")


def test_list_paginates_with_links(tenant_a):
    _make_components(tenant_a.page, 4)
    client = tenant_a.user_client()

    first = client.get("/api/v1/components", {"limit": 2, "ordering": "name"}).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["previous"] is None
    assert "offset=2" in first["next"]
    assert "ordering=name" in first["next"]
    assert second["previous"] is not None
    assert {c["id"] for c in first["results"]}.isdisjoint(
        {c["id"] for c in second["results"]}
    )


def test_last_page_has_no_next(tenant_a):
    response = tenant_a.user_client().get("/api/v1/components", {"offset": 0})

    assert response.json()["next"] is None


def test_limit_over_maximum_rejected(tenant_a):
    response = tenant_a.user_client().get("/api/v1/components", {"limit": 201})

    assert response.status_code == 422
    assert error_fields(response) == ["query.limit"]


def test_ordering_descending(tenant_a):
    _make_components(tenant_a.page, 2)

    response = tenant_a.user_client().get("/api/v1/components", {"ordering": "-name"})

    names = [c["name"] for c in response.json()["results"]]
    assert names == sorted(names, reverse=True)


def test_unknown_ordering_names_ordering(tenant_a):
    response = tenant_a.user_client().get("/api/v1/components", {"ordering": "secret"})

    assert response.status_code == 422
    assert error_fields(response) == ["query.ordering"]


def test_filter_by_status(tenant_a):
    services.create_component(tenant_a.page, "Down", status="major_outage")

    response = tenant_a.user_client().get(
        "/api/v1/components", {"status": "major_outage"}
    )

    assert [c["name"] for c in response.json()["results"]] == ["Down"]


def _component_body(tenant, name: str = "Search") -> dict:
    return {"page_id": tenant.page.pk, "name": name}


def test_idempotent_retry_replays_and_creates_nothing(tenant_a):
    client = tenant_a.user_client()
    body = _component_body(tenant_a)

    first = post_json(client, "/api/v1/components", body, **{"Idempotency-Key": "k-1"})
    retry = post_json(client, "/api/v1/components", body, **{"Idempotency-Key": "k-1"})

    assert first.status_code == 201
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Component.objects.filter(name="Search").count() == 1


def test_idempotency_key_with_other_body_rejected(tenant_a):
    client = tenant_a.user_client()
    post_json(
        client,
        "/api/v1/components",
        _component_body(tenant_a),
        **{"Idempotency-Key": "k"},
    )

    response = post_json(
        client,
        "/api/v1/components",
        _component_body(tenant_a, "Other"),
        **{"Idempotency-Key": "k"},
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert not Component.objects.filter(name="Other").exists()


def test_idempotency_key_scoped_per_principal(tenant_a):
    body = _component_body(tenant_a)
    key = {"Idempotency-Key": "shared"}

    by_user = post_json(tenant_a.user_client(), "/api/v1/components", body, **key)
    by_key = post_json(tenant_a.key_client(), "/api/v1/components", body, **key)

    assert by_user.status_code == 201
    assert by_key.status_code == 201
    assert by_key.json()["id"] != by_user.json()["id"]
    assert "Idempotent-Replayed" not in by_key


def test_idempotency_key_expires_after_a_day(tenant_a):
    client = tenant_a.user_client()
    key = {"Idempotency-Key": "old"}
    post_json(client, "/api/v1/components", _component_body(tenant_a), **key)
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = post_json(client, "/api/v1/components", _component_body(tenant_a), **key)

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Component.objects.filter(name="Search").count() == 2


def test_idempotency_record_lives_24_hours(tenant_a):
    post_json(
        tenant_a.user_client(),
        "/api/v1/components",
        _component_body(tenant_a),
        **{"Idempotency-Key": "life"},
    )

    record = IdempotencyRecord.objects.get(key="life")
    assert record.expires_at - record.created_at == timedelta(hours=24)


def test_idempotency_key_in_progress_conflicts(tenant_a):
    client = tenant_a.user_client()
    key = {"Idempotency-Key": "running"}
    post_json(client, "/api/v1/components", _component_body(tenant_a), **key)
    IdempotencyRecord.objects.update(status_code=None)

    response = post_json(client, "/api/v1/components", _component_body(tenant_a), **key)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_in_progress"


def test_idempotent_validation_error_replayed(tenant_a):
    client = tenant_a.user_client()
    body = {"page_id": tenant_a.page.pk, "name": ""}
    key = {"Idempotency-Key": "bad"}

    first = post_json(client, "/api/v1/components", body, **key)
    retry = post_json(client, "/api/v1/components", body, **key)

    assert first.status_code == 422
    assert retry.status_code == 422
    assert retry["Idempotent-Replayed"] == "true"


def test_idempotency_key_too_long_rejected(tenant_a):
    response = post_json(
        tenant_a.user_client(),
        "/api/v1/components",
        _component_body(tenant_a),
        **{"Idempotency-Key": "k" * 256},
    )

    assert response.status_code == 422
    assert error_fields(response) == ["header.Idempotency-Key"]
    assert not Component.objects.filter(name="Search").exists()


def test_patch_ignores_idempotency_key(tenant_a):
    url = f"/api/v1/components/{tenant_a.component.pk}"

    response = patch_json(
        tenant_a.user_client(), url, {"name": "Renamed"}, **{"Idempotency-Key": "p"}
    )

    assert response.status_code == 200
    assert not IdempotencyRecord.objects.exists()


def test_request_limit_per_principal(tenant_a, settings):
    settings.STATUSCORE_API_RATE_LIMIT = 2
    client = tenant_a.user_client()

    statuses = [client.get("/api/v1/pages").status_code for _ in range(3)]

    assert statuses[:2] == [200, 200]
    assert statuses[2] == 429
    response = client.get("/api/v1/pages")
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response["Retry-After"]) >= 1


def test_viewer_may_read_but_not_write(tenant_a):
    from statuscore.services.tokens import issue_token_pair
    from tests.statuscore.accounts import make_member

    viewer = make_member(tenant_a.organization, "viewer", "vera")
    client = Client(
        headers={"Authorization": f"Bearer {issue_token_pair(viewer).access_token}"}
    )
    url = f"/api/v1/components/{tenant_a.component.pk}"

    read = client.get(url)
    write = patch_json(client, url, {"name": "Nope"})

    assert read.status_code == 200
    assert write.status_code == 403
    assert write.json()["error"]["code"] == "permission_denied"


def test_read_only_key_cannot_create(tenant_a):
    response = post_json(
        tenant_a.read_key_client(), "/api/v1/components", _component_body(tenant_a)
    )

    assert response.status_code == 403
    assert not Component.objects.filter(name="Search").exists()


def test_filter_by_created_range(tenant_a):
    cutoff = timezone.now()
    services.create_component(tenant_a.page, "Newer")
    client = tenant_a.user_client()

    after = client.get("/api/v1/components", {"created_after": cutoff.isoformat()})
    before = client.get("/api/v1/components", {"created_before": cutoff.isoformat()})

    assert [c["name"] for c in after.json()["results"]] == ["Newer"]
    assert [c["name"] for c in before.json()["results"]] == ["API"]


def test_naive_created_after_names_field(tenant_a):
    response = tenant_a.user_client().get(
        "/api/v1/subscribers", {"created_after": "2026-03-01 12:00"}
    )

    assert response.status_code == 422
    assert error_fields(response) == ["query.created_after"]


def test_nul_in_body_names_field(tenant_a):
    body = {"page_id": tenant_a.page.pk, "name": "Bad\x00name"}

    response = post_json(tenant_a.user_client(), "/api/v1/components", body)

    assert response.status_code == 422
    assert error_fields(response) == ["body.name"]
    assert not Component.objects.filter(
        page=tenant_a.page, name__startswith="Bad"
    ).exists()


def test_nul_in_query_names_parameter(tenant_a):
    response = tenant_a.user_client().get("/api/v1/checks", {"checker": "tcp\x00"})

    assert response.status_code == 422
    assert error_fields(response) == ["query.checker"]


def test_expired_keys_deleted_by_task(tenant_a):
    from statuscore.tasks import delete_expired_idempotency_keys

    client = tenant_a.user_client()
    post_json(
        client,
        "/api/v1/components",
        _component_body(tenant_a),
        **{"Idempotency-Key": "a"},
    )
    post_json(
        client,
        "/api/v1/components",
        _component_body(tenant_a, "B"),
        **{"Idempotency-Key": "b"},
    )
    IdempotencyRecord.objects.filter(key="a").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    deleted = delete_expired_idempotency_keys.call_local()

    assert deleted == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["b"]


def test_abandoned_idempotency_key_taken_over(tenant_a):
    client = tenant_a.user_client()
    key = {"Idempotency-Key": "crashed"}
    post_json(client, "/api/v1/components", _component_body(tenant_a), **key)
    IdempotencyRecord.objects.update(
        status_code=None, created_at=timezone.now() - timedelta(minutes=6)
    )

    response = post_json(client, "/api/v1/components", _component_body(tenant_a), **key)

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
