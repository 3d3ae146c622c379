"""``/api/v1/incidents``: create, list, read, change, delete, updates and
resolving, with times, roles and organisations checked over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from statuscore import services
from statuscore.models import ComponentStatus, Incident, IncidentStatus, IncidentUpdate
from tests.statuscore.editorial_api import HOST, ApiClient, api_key_header, error_fields

INCIDENTS = "/api/v1/incidents"


def incident_body(page, **fields):
    body = {"page_id": page.pk, "name": "Slow requests", "body": "Looking into it."}
    body.update(fields)
    return body


@pytest.fixture
def incident(page, component):
    return services.create_incident(
        page,
        "Slow requests",
        body="Looking into it.",
        impact="major",
        component_statuses={component: ComponentStatus.PARTIAL_OUTAGE},
    )


@pytest.fixture
def other_incident(other_page):
    return services.create_incident(other_page, "Beta outage", body="Down.")


# Creating


def test_create_returns_incident(as_editor, page, component):
    response = as_editor.post(
        INCIDENTS,
        incident_body(
            page,
            impact="major",
            status="identified",
            components=[{"id": component.pk, "status": "major_outage"}],
        ),
    )

    assert response.status_code == 201
    data = response.json()
    assert data["name"] == "Slow requests"
    assert data["status"] == "identified"
    assert data["impact"] == "major"
    assert data["page_id"] == page.pk
    assert data["is_public"] is True
    assert [c["id"] for c in data["components"]] == [component.pk]
    assert [u["body"] for u in data["updates"]] == ["Looking into it."]


def test_create_moves_component(as_editor, page, component):
    as_editor.post(
        INCIDENTS,
        incident_body(
            page, components=[{"id": component.pk, "status": "major_outage"}]
        ),
    )

    component.refresh_from_db()
    assert component.status == "major_outage"


def test_create_records_actor(as_editor, editor, page):
    as_editor.post(INCIDENTS, incident_body(page))

    assert IncidentUpdate.objects.get().created_by == editor


def test_create_backfills_resolved(as_editor, page):
    response = as_editor.post(
        INCIDENTS,
        incident_body(
            page,
            started_at="2026-08-01T10:00:00Z",
            resolved_at="2026-08-01T11:30:00Z",
        ),
    )

    data = response.json()
    assert response.status_code == 201
    assert data["status"] == "resolved"
    assert data["started_at"] == "2026-08-01T10:00:00Z"
    assert data["resolved_at"] == "2026-08-01T11:30:00Z"


@pytest.mark.parametrize("value", ["2026-08-06T18:31:37Z", "2026-08-07T00:01:37+05:30"])
def test_offset_times_stored_as_same_instant(as_editor, client, page, settings, value):
    settings.TIME_ZONE = "Europe/Berlin"

    created = as_editor.post(INCIDENTS, incident_body(page, started_at=value)).json()
    read = as_editor.get(f"{INCIDENTS}/{created['id']}").json()
    summary = client.get("/api/v2/summary.json", HTTP_HOST=HOST).json()
    listed = client.get("/api/v2/incidents.json", HTTP_HOST=HOST).json()

    assert created["started_at"] == "2026-08-06T18:31:37Z"
    assert read["started_at"] == "2026-08-06T18:31:37Z"
    assert summary["incidents"][0]["started_at"] == "2026-08-06T18:31:37.000Z"
    assert listed["incidents"][0]["started_at"] == "2026-08-06T18:31:37.000Z"


@pytest.mark.parametrize("field", ["started_at", "resolved_at"])
def test_naive_time_rejected(as_editor, page, settings, field):
    settings.TIME_ZONE = "Europe/Berlin"

    response = as_editor.post(
        INCIDENTS, incident_body(page, **{field: "2026-08-06T18:31:37"})
    )

    assert response.status_code == 422
    assert error_fields(response) == [f"body.{field}"]
    assert Incident.objects.count() == 0


def test_space_separated_naive_time_rejected(as_editor, page):
    response = as_editor.post(
        INCIDENTS, incident_body(page, started_at="2026-08-06 18:31:37")
    )

    assert response.status_code == 422
    assert error_fields(response) == ["body.started_at"]


def test_missing_fields_named(as_editor, page):
    response = as_editor.post(INCIDENTS, {"page_id": page.pk})

    assert response.status_code == 422
    assert set(error_fields(response)) == {"body.name", "body.body"}


def test_unknown_field_rejected(as_editor, page):
    response = as_editor.post(INCIDENTS, incident_body(page, title="Oops"))

    assert response.status_code == 422
    assert error_fields(response) == ["body.title"]


def test_invalid_impact_rejected(as_editor, page):
    response = as_editor.post(INCIDENTS, incident_body(page, impact="huge"))

    assert response.status_code == 422
    assert error_fields(response) == ["body.impact"]


def test_other_page_component_rejected(as_editor, page, other_component):
    response = as_editor.post(
        INCIDENTS,
        incident_body(
            page, components=[{"id": other_component.pk, "status": "major_outage"}]
        ),
    )

    assert response.status_code == 422
    assert error_fields(response) == ["body.components.0.id"]
    other_component.refresh_from_db()
    assert other_component.status == "operational"


def test_component_listed_twice_rejected(as_editor, page, component):
    response = as_editor.post(
        INCIDENTS,
        incident_body(
            page,
            components=[
                {"id": component.pk, "status": "operational"},
                {"id": component.pk, "status": "major_outage"},
            ],
        ),
    )

    assert response.status_code == 422
    assert error_fields(response) == ["body.components.1.id"]
    assert Incident.objects.count() == 0


def test_other_organization_page_rejected(as_editor, other_page):
    response = as_editor.post(INCIDENTS, incident_body(other_page))

    assert response.status_code == 422
    assert error_fields(response) == ["body.page_id"]
    assert Incident.objects.count() == 0


def test_idempotency_key_creates_once(as_editor, page):
    first = as_editor.post(
        INCIDENTS, incident_body(page), HTTP_IDEMPOTENCY_KEY="deploy-42"
    )
    second = as_editor.post(
        INCIDENTS, incident_body(page), HTTP_IDEMPOTENCY_KEY="deploy-42"
    )

    assert first.status_code == 201
    assert second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert Incident.objects.count() == 1


# Listing


def test_list_paginates(as_editor, page):
    for number in range(3):
        services.create_incident(page, f"Incident {number}", body="Looking.")

    response = as_editor.get(INCIDENTS, {"limit": 2})

    data = response.json()
    assert data["count"] == 3
    assert len(data["results"]) == 2
    assert "offset=2" in data["next"]
    assert data["previous"] is None


def test_list_filters_status(as_editor, page, incident):
    resolved = services.create_incident(page, "Old", body="Down.")
    services.resolve_incident(resolved, body="Fixed.")

    listed = as_editor.get(INCIDENTS, {"status": "resolved"}).json()["results"]

    assert [item["id"] for item in listed] == [resolved.pk]


def test_list_filters_unresolved(as_editor, page, incident):
    resolved = services.create_incident(page, "Old", body="Down.")
    services.resolve_incident(resolved, body="Fixed.")

    unresolved = as_editor.get(INCIDENTS, {"unresolved": "true"}).json()["results"]
    done = as_editor.get(INCIDENTS, {"unresolved": "false"}).json()["results"]

    assert [item["id"] for item in unresolved] == [incident.pk]
    assert [item["id"] for item in done] == [resolved.pk]


def test_list_filters_page(as_editor, organization, incident):
    second_page = services.create_page(organization, "Second", "second")
    services.create_incident(second_page, "Elsewhere", body="Down.")

    listed = as_editor.get(INCIDENTS, {"page": incident.page_id}).json()["results"]

    assert [item["id"] for item in listed] == [incident.pk]


def test_list_filters_component(as_editor, page, component, incident):
    services.create_incident(page, "Unrelated", body="Down.")

    listed = as_editor.get(INCIDENTS, {"component": component.pk}).json()["results"]

    assert [item["id"] for item in listed] == [incident.pk]


def test_list_filters_time_range(as_editor, page):
    now = timezone.now()
    services.create_incident(
        page, "Old", body="Down.", started_at=now - timedelta(days=10)
    )
    recent = services.create_incident(
        page, "Recent", body="Down.", started_at=now - timedelta(days=1)
    )
    after = (now - timedelta(days=2)).isoformat()

    listed = as_editor.get(INCIDENTS, {"started_after": after}).json()["results"]

    assert [item["id"] for item in listed] == [recent.pk]


def test_list_naive_filter_rejected(as_editor, incident):
    response = as_editor.get(INCIDENTS, {"started_after": "2026-08-06T18:31:37"})

    assert response.status_code == 422
    assert error_fields(response) == ["query.started_after"]


def test_list_ordering(as_editor, page):
    now = timezone.now()
    first = services.create_incident(
        page, "First", body="Down.", started_at=now - timedelta(days=2)
    )
    second = services.create_incident(
        page, "Second", body="Down.", started_at=now - timedelta(days=1)
    )

    newest = as_editor.get(INCIDENTS).json()["results"]
    oldest = as_editor.get(INCIDENTS, {"ordering": "started_at"}).json()["results"]

    assert [item["id"] for item in newest] == [second.pk, first.pk]
    assert [item["id"] for item in oldest] == [first.pk, second.pk]


def test_list_unknown_ordering_rejected(as_editor, incident):
    response = as_editor.get(INCIDENTS, {"ordering": "name; drop"})

    assert response.status_code == 422
    assert error_fields(response) == ["query.ordering"]


def test_list_leaves_out_other_organization(as_editor, incident, other_incident):
    listed = as_editor.get(INCIDENTS).json()["results"]

    assert [item["id"] for item in listed] == [incident.pk]


# Reading, changing, deleting


def test_read_incident(as_editor, incident, component):
    data = as_editor.get(f"{INCIDENTS}/{incident.pk}").json()

    assert data["id"] == incident.pk
    assert data["components"][0]["status"] == "partial_outage"
    assert data["updates"][0]["affected_components"][0]["code"] == str(component.pk)


def test_read_other_organization_404(as_editor, other_incident):
    response = as_editor.get(f"{INCIDENTS}/{other_incident.pk}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_patch_changes_name_and_impact(as_editor, incident):
    response = as_editor.patch(
        f"{INCIDENTS}/{incident.pk}", {"name": "API errors", "impact": "critical"}
    )

    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.name == "API errors"
    assert incident.impact == "critical"


def test_patch_started_at_with_offset(as_editor, incident):
    response = as_editor.patch(
        f"{INCIDENTS}/{incident.pk}", {"started_at": "2026-08-07T00:01:37+05:30"}
    )

    assert response.json()["started_at"] == "2026-08-06T18:31:37Z"


def test_patch_naive_time_rejected(as_editor, incident):
    before = incident.started_at

    response = as_editor.patch(
        f"{INCIDENTS}/{incident.pk}", {"started_at": "2026-08-06T18:31:37"}
    )

    assert response.status_code == 422
    assert error_fields(response) == ["body.started_at"]
    incident.refresh_from_db()
    assert incident.started_at == before


def test_delete_incident(as_editor, incident):
    response = as_editor.delete(f"{INCIDENTS}/{incident.pk}")

    assert response.status_code == 204
    assert not Incident.objects.filter(pk=incident.pk).exists()


# Updates


def test_post_update(as_editor, incident, component):
    response = as_editor.post(
        f"{INCIDENTS}/{incident.pk}/updates",
        {
            "status": "monitoring",
            "body": "A fix is out.",
            "components": [{"id": component.pk, "status": "degraded_performance"}],
        },
    )

    assert response.status_code == 201
    assert response.json()["status"] == "monitoring"
    incident.refresh_from_db()
    component.refresh_from_db()
    assert incident.status == "monitoring"
    assert incident.monitoring_at is not None
    assert component.status == "degraded_performance"


def test_post_update_invalid_status(as_editor, incident):
    response = as_editor.post(
        f"{INCIDENTS}/{incident.pk}/updates", {"status": "fixed", "body": "Done."}
    )

    assert response.status_code == 422
    assert error_fields(response) == ["body.status"]


def test_list_updates_newest_first(as_editor, incident):
    services.post_incident_update(incident, status="identified", body="Found it.")

    data = as_editor.get(f"{INCIDENTS}/{incident.pk}/updates").json()

    assert data["count"] == 2
    assert [item["status"] for item in data["results"]] == [
        "identified",
        "investigating",
    ]


def test_patch_update_body(as_editor, incident):
    update = incident.updates.get()

    response = as_editor.patch(
        f"{INCIDENTS}/{incident.pk}/updates/{update.pk}", {"body": "Corrected."}
    )

    assert response.status_code == 200
    assert response.json()["body"] == "Corrected."
    assert response.json()["edited_at"] is not None


def test_delete_update(as_editor, incident):
    later = services.post_incident_update(incident, status="identified", body="Found.")

    response = as_editor.delete(f"{INCIDENTS}/{incident.pk}/updates/{later.pk}")

    assert response.status_code == 204
    assert list(incident.updates.values_list("status", flat=True)) == ["investigating"]


def test_delete_only_update_rejected(as_editor, incident):
    update = incident.updates.get()

    response = as_editor.delete(f"{INCIDENTS}/{incident.pk}/updates/{update.pk}")

    assert response.status_code == 422
    assert error_fields(response) == ["update"]
    assert incident.updates.count() == 1


def test_update_of_other_incident_404(as_editor, page, incident):
    other = services.create_incident(page, "Other", body="Down.")
    update = other.updates.get()

    response = as_editor.patch(
        f"{INCIDENTS}/{incident.pk}/updates/{update.pk}", {"body": "Moved."}
    )

    assert response.status_code == 404


# Resolving


def test_resolve_restores_components(as_editor, incident, component):
    response = as_editor.post(f"{INCIDENTS}/{incident.pk}/resolve", {"body": "Fixed."})

    assert response.status_code == 200
    assert response.json()["status"] == "resolved"
    assert response.json()["resolved_at"] is not None
    component.refresh_from_db()
    assert component.status == "operational"


def test_resolve_can_keep_components(as_editor, incident, component):
    as_editor.post(
        f"{INCIDENTS}/{incident.pk}/resolve",
        {"body": "Fixed.", "restore_components": False},
    )

    component.refresh_from_db()
    assert component.status == "partial_outage"


def test_resolve_needs_body(as_editor, incident):
    response = as_editor.post(f"{INCIDENTS}/{incident.pk}/resolve", {})

    assert response.status_code == 422
    assert error_fields(response) == ["body.body"]
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.INVESTIGATING


# Visibility


def test_private_incident_hidden_until_approved(as_editor, client, page):
    created = as_editor.post(INCIDENTS, incident_body(page, is_public=False)).json()

    hidden = client.get("/api/v2/incidents.json", HTTP_HOST=HOST).json()
    as_editor.post(f"{INCIDENTS}/{created['id']}/approve")
    shown = client.get("/api/v2/incidents.json", HTTP_HOST=HOST).json()

    assert hidden["incidents"] == []
    assert [item["id"] for item in shown["incidents"]] == [str(created["id"])]


def test_quiet_update_not_delivered(as_editor, client, page):
    as_editor.post(INCIDENTS, incident_body(page, notify_subscribers=False))

    listed = client.get("/api/v2/incidents.json", HTTP_HOST=HOST).json()

    assert listed["incidents"][0]["incident_updates"][0]["deliver_notifications"] is (
        False
    )


# Roles and keys


def test_viewer_reads(as_viewer, incident):
    response = as_viewer.get(f"{INCIDENTS}/{incident.pk}")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("patch", "", {"name": "Renamed"}),
        ("delete", "", None),
        ("post", "/updates", {"status": "identified", "body": "Found."}),
        ("post", "/resolve", {"body": "Fixed."}),
    ],
)
def test_viewer_cannot_write(as_viewer, incident, method, suffix, body):
    path = f"{INCIDENTS}/{incident.pk}{suffix}"
    call = getattr(as_viewer, method)

    response = call(path) if body is None else call(path, body)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    incident.refresh_from_db()
    assert incident.name == "Slow requests"
    assert incident.status == "investigating"


def test_viewer_cannot_create(as_viewer, page):
    response = as_viewer.post(INCIDENTS, incident_body(page))

    assert response.status_code == 403
    assert Incident.objects.count() == 0


def test_viewer_gets_404_for_other_organization(as_viewer, other_incident):
    response = as_viewer.patch(f"{INCIDENTS}/{other_incident.pk}", {"name": "X"})

    assert response.status_code == 404


def test_read_key_cannot_write(client, organization, incident):
    as_key = ApiClient(client, api_key_header(organization, ["read"]))

    read = as_key.get(f"{INCIDENTS}/{incident.pk}")
    write = as_key.post(f"{INCIDENTS}/{incident.pk}/resolve", {"body": "Fixed."})

    assert read.status_code == 200
    assert write.status_code == 403


def test_write_key_creates(client, organization, page):
    as_key = ApiClient(client, api_key_header(organization, ["read", "write"]))

    response = as_key.post(INCIDENTS, incident_body(page))

    assert response.status_code == 201
    assert IncidentUpdate.objects.get().created_by is None


def test_key_of_other_organization_404(client, other_organization, incident):
    as_key = ApiClient(client, api_key_header(other_organization, ["read", "write"]))

    response = as_key.get(f"{INCIDENTS}/{incident.pk}")

    assert response.status_code == 404


def test_anonymous_401(client, incident):
    response = client.get(f"{INCIDENTS}/{incident.pk}")

    assert response.status_code == 401
