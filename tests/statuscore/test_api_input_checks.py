"""The API refuses the input the admin refuses: blank names, overlong
text, zone names that are not places, and dates far outside any plan."""

from __future__ import annotations

import pytest

from statuscore import services
from statuscore.exceptions import ValidationFailed
from statuscore.models import Component, Incident, Maintenance, MaintenanceSeries
from statuscore.models.pages import validate_time_zone
from statuscore.services.validation import MAX_BODY_LENGTH
from tests.statuscore.editorial_api import error_fields

LONG_TEXT = "x" * (MAX_BODY_LENGTH + 1)


def maintenance_body(page, **fields):
    body = {
        "page_id": page.pk,
        "name": "Database upgrade",
        "starts_at": "2026-08-10T22:00:00Z",
        "ends_at": "2026-08-10T23:00:00Z",
    }
    body.update(fields)
    return body


def series_body(page, **fields):
    body = {
        "page_id": page.pk,
        "name": "Weekly patching",
        "frequency": "weekly",
        "weekday": 6,
        "start_time": "02:00",
        "duration": "PT1H",
        "time_zone": "Europe/Berlin",
        "starts_on": "2026-08-01",
    }
    body.update(fields)
    return body


def test_incident_name_of_spaces_rejected(as_editor, page):
    response = as_editor.post(
        "/api/v1/incidents", {"page_id": page.pk, "name": "   ", "body": "Slow."}
    )

    assert response.status_code == 422
    assert error_fields(response) == ["body.name"]
    assert not Incident.objects.exists()


def test_incident_name_stored_stripped(as_editor, page):
    as_editor.post(
        "/api/v1/incidents", {"page_id": page.pk, "name": "  Slow  ", "body": "x"}
    )

    assert Incident.objects.get().name == "Slow"


def test_maintenance_name_of_spaces_rejected(as_editor, page):
    response = as_editor.post("/api/v1/maintenances", maintenance_body(page, name=" "))

    assert response.status_code == 422
    assert error_fields(response) == ["body.name"]
    assert not Maintenance.objects.exists()


def test_component_rename_to_spaces_rejected(as_editor, component):
    response = as_editor.patch(f"/api/v1/components/{component.pk}", {"name": "  "})

    assert response.status_code == 422
    assert error_fields(response) == ["body.name"]
    assert Component.objects.get(pk=component.pk).name == component.name


def test_page_rename_to_spaces_rejected(page):
    with pytest.raises(ValidationFailed) as raised:
        services.update_page(page, name="   ")

    assert list(raised.value.errors) == ["name"]


def test_incident_body_over_limit_rejected(as_editor, page):
    response = as_editor.post(
        "/api/v1/incidents", {"page_id": page.pk, "name": "Slow", "body": LONG_TEXT}
    )

    assert response.status_code == 422
    assert error_fields(response) == ["body.body"]
    assert not Incident.objects.exists()


def test_incident_update_body_over_limit_rejected(as_editor, page):
    incident = services.create_incident(page, "Slow", body="Looking into it.")

    response = as_editor.post(
        f"/api/v1/incidents/{incident.pk}/updates",
        {"status": "identified", "body": LONG_TEXT},
    )

    assert response.status_code == 422
    assert error_fields(response) == ["body.body"]
    assert incident.updates.count() == 1


def test_incident_update_body_at_limit_accepted(as_editor, page):
    incident = services.create_incident(page, "Slow", body="Looking into it.")

    response = as_editor.post(
        f"/api/v1/incidents/{incident.pk}/updates",
        {"status": "identified", "body": "x" * MAX_BODY_LENGTH},
    )

    assert response.status_code == 201


def test_maintenance_update_body_over_limit_rejected(as_editor, page):
    maintenance = as_editor.post("/api/v1/maintenances", maintenance_body(page))

    response = as_editor.post(
        f"/api/v1/maintenances/{maintenance.json()['id']}/updates",
        {"body": LONG_TEXT},
    )

    assert response.status_code == 422
    assert error_fields(response) == ["body.body"]


@pytest.mark.parametrize(
    "name", ["localtime", "posixrules", "Factory", "GMT", "EST", "Nowhere/Else"]
)
def test_time_zone_that_is_not_a_place_rejected(name):
    with pytest.raises(Exception) as raised:
        validate_time_zone(name)

    assert name in str(raised.value)


@pytest.mark.parametrize("name", ["UTC", "Europe/Berlin", "America/Argentina/Salta"])
def test_time_zone_of_a_place_accepted(name):
    assert validate_time_zone(name) is None


def test_page_time_zone_localtime_rejected(as_editor, page):
    response = as_editor.patch(f"/api/v1/pages/{page.pk}", {"time_zone": "localtime"})

    assert response.status_code == 422
    assert error_fields(response) == ["body.time_zone"]


def test_maintenance_time_zone_localtime_rejected(as_editor, page):
    response = as_editor.post(
        "/api/v1/maintenances", maintenance_body(page, time_zone="localtime")
    )

    assert response.status_code == 422
    assert error_fields(response) == ["body.time_zone"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("starts_at", "0001-01-01T00:00:00Z"),
        ("ends_at", "9999-12-31T00:00:00Z"),
    ],
)
def test_maintenance_window_outside_years_rejected(as_editor, page, field, value):
    response = as_editor.post(
        "/api/v1/maintenances", maintenance_body(page, **{field: value})
    )

    assert response.status_code == 422
    assert error_fields(response) == [f"body.{field}"]
    assert not Maintenance.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("starts_on", "0001-01-01"), ("ends_on", "9999-12-31")]
)
def test_series_dates_outside_years_rejected(as_editor, page, field, value):
    response = as_editor.post(
        "/api/v1/maintenance-series", series_body(page, **{field: value})
    )

    assert response.status_code == 422
    assert error_fields(response) == [f"body.{field}"]
    assert not MaintenanceSeries.objects.exists()
