"""``/api/v1/maintenances`` and ``/api/v1/maintenance-series`` over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from statuscore import services
from statuscore.models import Maintenance, MaintenanceSeries
from tests.statuscore.editorial_api import HOST, error_fields

MAINTENANCES = "/api/v1/maintenances"
SERIES = "/api/v1/maintenance-series"


def window(hours_from_now=24, length_hours=1):
    start = timezone.now().replace(microsecond=0) + timedelta(hours=hours_from_now)
    return start, start + timedelta(hours=length_hours)


def maintenance_body(page, **fields):
    body = {
        "page_id": page.pk,
        "name": "Database upgrade",
        "starts_at": "2026-08-10T22:00:00Z",
        "ends_at": "2026-08-10T23:00:00Z",
        "body": "The database moves to new hardware.",
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


@pytest.fixture
def maintenance(page, component):
    starts_at, ends_at = window()
    return services.schedule_maintenance(
        page, "Database upgrade", starts_at, ends_at, components=[component]
    )


@pytest.fixture
def other_maintenance(other_page):
    starts_at, ends_at = window()
    return services.schedule_maintenance(other_page, "Beta work", starts_at, ends_at)


# Maintenances


def test_create_maintenance(as_editor, page, component):
    response = as_editor.post(
        MAINTENANCES,
        maintenance_body(page, components=[component.pk], time_zone="Europe/Berlin"),
    )

    data = response.json()
    assert response.status_code == 201
    assert data["status"] == "scheduled"
    assert data["starts_at"] == "2026-08-10T22:00:00Z"
    assert data["ends_at"] == "2026-08-10T23:00:00Z"
    assert data["time_zone"] == "Europe/Berlin"
    assert [c["id"] for c in data["components"]] == [component.pk]


def test_create_offset_time_same_instant(as_editor, page, settings):
    settings.TIME_ZONE = "Europe/Berlin"

    response = as_editor.post(
        MAINTENANCES,
        maintenance_body(
            page,
            starts_at="2026-08-07T00:01:37+05:30",
            ends_at="2026-08-06T20:31:37Z",
        ),
    )

    assert response.json()["starts_at"] == "2026-08-06T18:31:37Z"


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_naive_time_rejected(as_editor, page, field):
    response = as_editor.post(
        MAINTENANCES, maintenance_body(page, **{field: "2026-08-10T22:00:00"})
    )

    assert response.status_code == 422
    assert error_fields(response) == [f"body.{field}"]
    assert Maintenance.objects.count() == 0


def test_end_before_start_rejected(as_editor, page):
    response = as_editor.post(
        MAINTENANCES, maintenance_body(page, ends_at="2026-08-10T21:00:00Z")
    )

    assert response.status_code == 422
    assert error_fields(response) == ["body.ends_at"]


def test_unknown_time_zone_rejected(as_editor, page):
    response = as_editor.post(
        MAINTENANCES, maintenance_body(page, time_zone="Mars/Olympus")
    )

    assert response.status_code == 422
    assert error_fields(response) == ["body.time_zone"]


def test_other_page_component_rejected(as_editor, page, other_component):
    response = as_editor.post(
        MAINTENANCES, maintenance_body(page, components=[other_component.pk])
    )

    assert response.status_code == 422
    assert error_fields(response) == ["body.components.0"]


def test_list_filters_status(as_editor, page, maintenance):
    starts_at, ends_at = window(48)
    cancelled = services.schedule_maintenance(page, "Called off", starts_at, ends_at)
    services.cancel_maintenance(cancelled)

    listed = as_editor.get(MAINTENANCES, {"status": "cancelled"}).json()["results"]

    assert [item["id"] for item in listed] == [cancelled.pk]


def test_list_filters_time_range(as_editor, page, maintenance):
    starts_at, ends_at = window(24 * 10)
    later = services.schedule_maintenance(page, "Later", starts_at, ends_at)
    after = (timezone.now() + timedelta(days=5)).isoformat()

    listed = as_editor.get(MAINTENANCES, {"starts_after": after}).json()["results"]

    assert [item["id"] for item in listed] == [later.pk]


def test_list_leaves_out_other_organization(as_editor, maintenance, other_maintenance):
    listed = as_editor.get(MAINTENANCES).json()["results"]

    assert [item["id"] for item in listed] == [maintenance.pk]


def test_read_other_organization_404(as_editor, other_maintenance):
    response = as_editor.get(f"{MAINTENANCES}/{other_maintenance.pk}")

    assert response.status_code == 404


def test_patch_maintenance(as_editor, maintenance):
    response = as_editor.patch(
        f"{MAINTENANCES}/{maintenance.pk}",
        {"name": "Bigger upgrade", "ends_at": "2030-01-01T00:00:00Z"},
    )

    assert response.status_code == 200
    maintenance.refresh_from_db()
    assert maintenance.name == "Bigger upgrade"
    assert maintenance.scheduled_until.isoformat() == "2030-01-01T00:00:00+00:00"


def test_patch_naive_time_rejected(as_editor, maintenance):
    response = as_editor.patch(
        f"{MAINTENANCES}/{maintenance.pk}", {"starts_at": "2026-08-10T22:00:00"}
    )

    assert response.status_code == 422
    assert error_fields(response) == ["body.starts_at"]


def test_cancel_maintenance(as_editor, maintenance):
    response = as_editor.post(f"{MAINTENANCES}/{maintenance.pk}/cancel")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancelled_at"] is not None


def test_cancel_twice_rejected(as_editor, maintenance):
    as_editor.post(f"{MAINTENANCES}/{maintenance.pk}/cancel")

    response = as_editor.post(f"{MAINTENANCES}/{maintenance.pk}/cancel")

    assert response.status_code == 422
    assert error_fields(response) == ["body.status"]


def test_complete_running_maintenance(as_editor, page, component):
    starts_at, ends_at = window(-1, 3)
    running = services.schedule_maintenance(
        page, "Running", starts_at, ends_at, components=[component]
    )
    services.start_maintenance(running)

    response = as_editor.post(f"{MAINTENANCES}/{running.pk}/complete")

    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    component.refresh_from_db()
    assert component.status == "operational"


def test_post_and_list_updates(as_editor, maintenance):
    posted = as_editor.post(
        f"{MAINTENANCES}/{maintenance.pk}/updates",
        {"body": "The upgrade takes longer."},
    )

    listed = as_editor.get(f"{MAINTENANCES}/{maintenance.pk}/updates").json()

    assert posted.status_code == 201
    assert posted.json()["body"] == "The upgrade takes longer."
    assert [item["id"] for item in listed["results"]] == [posted.json()["id"]]


def test_delete_maintenance(as_editor, maintenance):
    response = as_editor.delete(f"{MAINTENANCES}/{maintenance.pk}")

    assert response.status_code == 204
    assert not Maintenance.objects.filter(pk=maintenance.pk).exists()


def test_maintenance_updates_in_v2(as_editor, client, maintenance):
    as_editor.post(
        f"{MAINTENANCES}/{maintenance.pk}/updates", {"body": "Still on time."}
    )

    listed = client.get(
        "/api/v2/scheduled-maintenances/upcoming.json", HTTP_HOST=HOST
    ).json()

    updates = listed["scheduled_maintenances"][0]["incident_updates"]
    assert updates[0]["body"] == "Still on time."
    assert updates[0]["incident_id"] == str(maintenance.pk)


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("patch", "", {"name": "Renamed"}),
        ("delete", "", None),
        ("post", "/cancel", {}),
        ("post", "/complete", {}),
        ("post", "/updates", {"body": "Note."}),
    ],
)
def test_viewer_cannot_write(as_viewer, maintenance, method, suffix, body):
    path = f"{MAINTENANCES}/{maintenance.pk}{suffix}"
    call = getattr(as_viewer, method)

    response = call(path) if body is None else call(path, body)

    assert response.status_code == 403
    maintenance.refresh_from_db()
    assert maintenance.name == "Database upgrade"
    assert maintenance.status == "scheduled"


def test_viewer_cannot_schedule(as_viewer, page):
    response = as_viewer.post(MAINTENANCES, maintenance_body(page))

    assert response.status_code == 403
    assert Maintenance.objects.count() == 0


# Series


def test_create_series(as_editor, page, component):
    response = as_editor.post(SERIES, series_body(page, components=[component.pk]))

    data = response.json()
    assert response.status_code == 201
    assert data["frequency"] == "weekly"
    assert data["weekday"] == 6
    assert data["start_time"] == "02:00:00"
    assert data["time_zone"] == "Europe/Berlin"
    assert data["is_active"] is True
    assert [c["id"] for c in data["components"]] == [component.pk]


def test_create_series_invalid_frequency(as_editor, page):
    response = as_editor.post(SERIES, series_body(page, frequency="hourly"))

    assert response.status_code == 422
    assert error_fields(response) == ["body.frequency"]


def test_create_series_invalid_weekday(as_editor, page):
    response = as_editor.post(SERIES, series_body(page, weekday=7))

    assert response.status_code == 422
    assert error_fields(response) == ["body.weekday"]


def test_series_start_time_with_offset_rejected(as_editor, page):
    response = as_editor.post(SERIES, series_body(page, start_time="02:00:00Z"))

    assert response.status_code == 422
    assert error_fields(response) == ["body.start_time"]


def test_series_list_read_patch_end(as_editor, page):
    created = as_editor.post(SERIES, series_body(page)).json()
    path = f"{SERIES}/{created['id']}"

    listed = as_editor.get(SERIES).json()
    read = as_editor.get(path).json()
    patched = as_editor.patch(path, {"name": "Sunday patching"}).json()
    ended = as_editor.post(f"{path}/end").json()

    assert [item["id"] for item in listed["results"]] == [created["id"]]
    assert read["name"] == "Weekly patching"
    assert patched["name"] == "Sunday patching"
    assert ended["is_active"] is False
    assert MaintenanceSeries.objects.get().is_active is False


def test_series_patch_clears_end(as_editor, page):
    created = as_editor.post(SERIES, series_body(page, ends_on="2027-01-01")).json()

    patched = as_editor.patch(f"{SERIES}/{created['id']}", {"ends_on": None}).json()

    assert created["ends_on"] == "2027-01-01"
    assert patched["ends_on"] is None


def test_series_end_twice_rejected(as_editor, page):
    created = as_editor.post(SERIES, series_body(page)).json()
    as_editor.post(f"{SERIES}/{created['id']}/end")

    response = as_editor.post(f"{SERIES}/{created['id']}/end")

    assert response.status_code == 422
    assert error_fields(response) == ["body.is_active"]


def test_series_occurrences_listed(as_editor, page):
    today = timezone.now().date().isoformat()
    created = as_editor.post(
        SERIES,
        series_body(page, frequency="daily", weekday=None, starts_on=today),
    ).json()

    listed = as_editor.get(MAINTENANCES, {"page": page.pk}).json()["results"]

    assert listed
    assert {item["series_id"] for item in listed} == {created["id"]}


def test_series_of_other_organization_404(as_editor, other_page):
    series = services.create_maintenance_series(
        other_page,
        "Beta patching",
        frequency="daily",
        start_time=timezone.now().time().replace(microsecond=0),
        duration=timedelta(hours=1),
        time_zone="UTC",
        starts_on=timezone.now().date(),
    )

    read = as_editor.get(f"{SERIES}/{series.pk}")
    end = as_editor.post(f"{SERIES}/{series.pk}/end")

    assert read.status_code == 404
    assert end.status_code == 404
    series.refresh_from_db()
    assert series.is_active is True


def test_viewer_cannot_create_series(as_viewer, page):
    response = as_viewer.post(SERIES, series_body(page))

    assert response.status_code == 403
    assert MaintenanceSeries.objects.count() == 0
