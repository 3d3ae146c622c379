"""/api/v1/pages, /component-groups and /components."""

# ruff: noqa: F811

from __future__ import annotations

import pytest

from statuscore.models import Component, ComponentGroup, OutboxEvent, Page
from tests.statuscore.api_fixtures import (  # noqa: F401
    error_fields,
    patch_json,
    post_json,
    tenant_a,
    tenant_b,
)

pytestmark = pytest.mark.django_db


def test_create_page(tenant_a):
    body = {
        "organization_id": tenant_a.organization.pk,
        "name": "Docs",
        "slug": "docs",
        "time_zone": "Europe/Berlin",
    }

    response = post_json(tenant_a.key_client(), "/api/v1/pages", body)

    assert response.status_code == 201
    assert Page.objects.get(slug="docs").time_zone == "Europe/Berlin"


def test_create_page_in_other_organization_rejected(tenant_a, tenant_b):
    body = {"organization_id": tenant_b.organization.pk, "name": "X", "slug": "x"}

    response = post_json(tenant_a.user_client(), "/api/v1/pages", body)

    assert response.status_code == 422
    assert error_fields(response) == ["body.organization_id"]
    assert not Page.objects.filter(slug="x").exists()


def test_update_page_invalid_time_zone(tenant_a):
    url = f"/api/v1/pages/{tenant_a.page.pk}"

    response = patch_json(tenant_a.user_client(), url, {"time_zone": "Mars/Base"})

    assert response.status_code == 422
    assert error_fields(response) == ["body.time_zone"]


def test_update_page_null_name_rejected(tenant_a):
    url = f"/api/v1/pages/{tenant_a.page.pk}"

    response = patch_json(tenant_a.user_client(), url, {"name": None})

    assert response.status_code == 422
    assert error_fields(response) == ["body.name"]


def test_list_pages_filtered_by_organization(tenant_a):
    response = tenant_a.user_client().get(
        "/api/v1/pages", {"organization": tenant_a.organization.pk}
    )

    assert [p["slug"] for p in response.json()["results"]] == ["alpha"]


def test_create_group_and_component_in_it(tenant_a):
    client = tenant_a.user_client()

    group = post_json(
        client, "/api/v1/component-groups", {"page_id": tenant_a.page.pk, "name": "Web"}
    ).json()
    component = post_json(
        client,
        "/api/v1/components",
        {"page_id": tenant_a.page.pk, "name": "Site", "group_id": group["id"]},
    )

    assert component.status_code == 201
    assert component.json()["group_id"] == group["id"]
    assert component.json()["status"] == "operational"


def test_component_group_of_other_page_rejected(tenant_a, tenant_b):
    body = {"page_id": tenant_a.page.pk, "name": "X", "group_id": tenant_b.group.pk}

    response = post_json(tenant_a.user_client(), "/api/v1/components", body)

    assert response.status_code == 422
    assert error_fields(response) == ["body.group_id"]


def test_component_status_change_emits_event(tenant_a):
    url = f"/api/v1/components/{tenant_a.component.pk}"

    response = patch_json(
        tenant_a.key_client(), url, {"status": "partial_outage", "name": "Public API"}
    )

    assert response.status_code == 200
    assert response.json()["status"] == "partial_outage"
    assert response.json()["name"] == "Public API"
    event = OutboxEvent.objects.filter(kind="component.status_changed").latest("id")
    assert event.payload["new_status"] == "partial_outage"
    assert event.payload["source"].startswith("api_key:")


def test_component_ungrouped_with_null(tenant_a):
    url = f"/api/v1/components/{tenant_a.component.pk}"

    response = patch_json(tenant_a.user_client(), url, {"group_id": None})

    assert response.status_code == 200
    assert Component.objects.get(pk=tenant_a.component.pk).group is None


def test_list_components_filtered_by_group(tenant_a):
    response = tenant_a.user_client().get(
        "/api/v1/components", {"group": tenant_a.group.pk}
    )

    assert [c["id"] for c in response.json()["results"]] == [tenant_a.component.pk]


def test_delete_component_emits_event(tenant_a):
    response = tenant_a.user_client().delete(
        f"/api/v1/components/{tenant_a.component.pk}"
    )

    assert response.status_code == 204
    assert not Component.objects.filter(pk=tenant_a.component.pk).exists()
    assert OutboxEvent.objects.filter(kind="component.deleted").exists()


def test_delete_group_keeps_components(tenant_a):
    response = tenant_a.user_client().delete(
        f"/api/v1/component-groups/{tenant_a.group.pk}"
    )

    assert response.status_code == 204
    assert not ComponentGroup.objects.filter(pk=tenant_a.group.pk).exists()
    assert Component.objects.get(pk=tenant_a.component.pk).group is None
    assert OutboxEvent.objects.filter(kind="component_group.deleted").exists()


def test_rename_group(tenant_a):
    url = f"/api/v1/component-groups/{tenant_a.group.pk}"

    response = patch_json(tenant_a.user_client(), url, {"name": "Core"})

    assert response.status_code == 200
    assert ComponentGroup.objects.get(pk=tenant_a.group.pk).name == "Core"
