"""The maintenance screens driven as an editor who signed in through the
admin login form, with the scheduler run at chosen instants."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.urls import reverse

from statuscore import services
from statuscore.models import (
    Maintenance,
    MaintenanceSeries,
    MaintenanceUpdate,
    Organization,
    OutboxEvent,
    Page,
)

MAINTENANCES_ADD = reverse("status_maintenances:add")
MAINTENANCES_INDEX = reverse("status_maintenances:index")
SERIES_ADD = reverse("status_maintenance_series:add")


def url(name: str, pk: int) -> str:
    return reverse(f"status_maintenances:{name}", args=[pk])


def kinds() -> list[str]:
    return list(OutboxEvent.objects.order_by("id").values_list("kind", flat=True))


@pytest.fixture
def berlin_page(page) -> Page:
    page = services.update_page(page, time_zone="Europe/Berlin")
    # The tests count the events that the admin writes, not the setup's.
    OutboxEvent.objects.filter(kind="page.updated").delete()
    return page


@pytest.fixture
def api(berlin_page):
    return services.create_component(berlin_page, "API")


@pytest.fixture
def web(berlin_page):
    return services.create_component(berlin_page, "Web")


def window_form(page, **changes) -> dict:
    data = {
        "page": page.pk,
        "name": "Database upgrade",
        "starts_at": "2030-06-01T10:00",
        "ends_at": "2030-06-01T12:00",
        "body": "The API is read-only during the upgrade.",
        "notify_subscribers": "on",
    }
    data.update(changes)
    return data


def test_scheduler_starts_and_completes_admin_maintenance(
    editor_client, settings, status_page, berlin_page, api, web
):
    settings.TIME_ZONE = "America/New_York"
    data = window_form(berlin_page, components=[api.pk, web.pk])

    response = editor_client.post(MAINTENANCES_ADD, data)

    assert response.status_code == 302
    maintenance = Maintenance.objects.get()
    assert maintenance.scheduled_for == datetime(2030, 6, 1, 8, 0, tzinfo=UTC)
    assert maintenance.scheduled_until == datetime(2030, 6, 1, 10, 0, tzinfo=UTC)
    assert maintenance.time_zone == "Europe/Berlin"
    assert set(maintenance.components.all()) == {api, web}
    assert kinds() == ["maintenance.scheduled"]

    before = services.run_due_maintenances(now=datetime(2030, 6, 1, 7, 59, tzinfo=UTC))

    assert before.started == []
    maintenance.refresh_from_db()
    assert maintenance.status == "scheduled"
    api.refresh_from_db()
    assert api.status == "operational"

    inside = services.run_due_maintenances(now=datetime(2030, 6, 1, 8, 1, tzinfo=UTC))

    assert inside.started == [maintenance.pk]
    maintenance.refresh_from_db()
    assert maintenance.status == "in_progress"
    api.refresh_from_db()
    web.refresh_from_db()
    assert api.status == "under_maintenance"
    assert web.status == "under_maintenance"
    assert "maintenance.started" in kinds()

    after = services.run_due_maintenances(now=datetime(2030, 6, 1, 10, 1, tzinfo=UTC))

    assert after.completed == [maintenance.pk]
    maintenance.refresh_from_db()
    assert maintenance.status == "completed"
    api.refresh_from_db()
    web.refresh_from_db()
    assert api.status == "operational"
    assert web.status == "operational"
    assert kinds()[-1] == "maintenance.completed"

    listing = editor_client.get(MAINTENANCES_INDEX, {"status": "completed"})
    html = listing.content.decode()
    assert "Database upgrade" in html
    assert "2030-06-01 10:00 +02:00 (Europe/Berlin)" in html
    scheduled = editor_client.get(MAINTENANCES_INDEX, {"status": "scheduled"})
    assert "Database upgrade" not in scheduled.content.decode()


def test_add_form_names_page_zone(editor_client, berlin_page):
    response = editor_client.get(MAINTENANCES_ADD)

    form = response.context["form"]
    assert form["starts_at"].label == "Starts (Europe/Berlin)"
    assert form["ends_at"].label == "Ends (Europe/Berlin)"


@pytest.fixture
def foreign_page(db) -> Page:
    other = Organization.objects.create(name="Other team", slug="other-team")
    return Page.objects.create(organization=other, name="Theirs", slug="theirs")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": "2030-06-01T09:00"}, "ends_at"),
        ({"ends_at": "2030-06-01T10:00"}, "ends_at"),
        ({"starts_at": "2030-03-31T02:30"}, "starts_at"),
        ({"ends_at": "2030-10-27T02:30"}, "ends_at"),
        ({"starts_at": ""}, "starts_at"),
        ({"starts_at": "next Tuesday"}, "starts_at"),
        ({"starts_at": "0001-01-01T00:30"}, "starts_at"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_window_stores_nothing(editor_client, berlin_page, api, changes, field):
    data = window_form(berlin_page, components=[api.pk], **changes)

    response = editor_client.post(MAINTENANCES_ADD, data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Maintenance.objects.exists()
    assert not OutboxEvent.objects.exists()


def test_component_of_other_page_rejected(
    editor_client, organization, berlin_page, api
):
    sibling = Page.objects.create(organization=organization, name="Sib", slug="sib")
    elsewhere = services.create_component(sibling, "Elsewhere")
    data = window_form(berlin_page, components=[api.pk, elsewhere.pk])

    response = editor_client.post(MAINTENANCES_ADD, data)

    assert response.status_code == 200
    errors = response.context["form"].errors["components"]
    assert errors == [f"Component {elsewhere.pk} belongs to another page."]
    assert not Maintenance.objects.exists()


@pytest.fixture
def upgrade(berlin_page, api) -> Maintenance:
    return services.schedule_maintenance(
        berlin_page,
        "Upgrade",
        datetime(2030, 6, 1, 8, 0, tzinfo=UTC),
        datetime(2030, 6, 1, 10, 0, tzinfo=UTC),
        components=[api],
        time_zone="Europe/Berlin",
    )


def test_edit_moves_window_in_page_zone(editor_client, upgrade, api):
    page = editor_client.get(url("edit", upgrade.pk))
    data = {
        "name": "Upgrade",
        "starts_at": "2030-06-02T10:00",
        "ends_at": "2030-06-02T11:30",
        "components": [api.pk],
        "body": "",
        "notify_subscribers": "on",
    }
    response = editor_client.post(url("edit", upgrade.pk), data)

    assert page.context["form"]["starts_at"].value() == datetime(2030, 6, 1, 10, 0)
    assert response.status_code == 302
    upgrade.refresh_from_db()
    assert upgrade.scheduled_for == datetime(2030, 6, 2, 8, 0, tzinfo=UTC)
    assert upgrade.scheduled_until == datetime(2030, 6, 2, 9, 30, tzinfo=UTC)
    assert "maintenance.updated" in kinds()


def test_edit_end_before_start_keeps_window(editor_client, upgrade, api):
    data = {
        "name": "Upgrade",
        "starts_at": "2030-06-01T10:00",
        "ends_at": "2030-06-01T09:00",
        "components": [api.pk],
        "body": "",
    }

    response = editor_client.post(url("edit", upgrade.pk), data)

    assert response.status_code == 200
    assert "ends_at" in response.context["form"].errors
    upgrade.refresh_from_db()
    assert upgrade.scheduled_until == datetime(2030, 6, 1, 10, 0, tzinfo=UTC)


def test_post_update_adds_to_timeline(editor_client, upgrade):
    data = {"status": "", "body": "Still on schedule."}

    response = editor_client.post(url("post_update", upgrade.pk), data)

    assert response.status_code == 302
    update = MaintenanceUpdate.objects.get(maintenance=upgrade)
    assert update.body == "Still on schedule."
    assert update.notify_subscribers is False
    assert "maintenance.update_posted" in kinds()
    timeline = editor_client.get(url("edit", upgrade.pk)).content.decode()
    assert "Still on schedule." in timeline


def test_complete_now_restores_components(editor_client, upgrade, api):
    services.start_maintenance(upgrade)
    api.refresh_from_db()
    assert api.status == "under_maintenance"

    response = editor_client.post(
        url("complete", upgrade.pk), {"restore_components": "on"}
    )

    assert response.status_code == 302
    upgrade.refresh_from_db()
    assert upgrade.status == "completed"
    api.refresh_from_db()
    assert api.status == "operational"


def test_cancel_after_confirmation(editor_client, upgrade):
    confirm = editor_client.get(url("cancel", upgrade.pk))
    response = editor_client.post(url("cancel", upgrade.pk))

    assert confirm.status_code == 200
    assert "2030-06-01 10:00 +02:00 (Europe/Berlin)" in confirm.content.decode()
    assert response.status_code == 302
    upgrade.refresh_from_db()
    assert upgrade.status == "cancelled"
    assert "maintenance.cancelled" in kinds()


def test_cancel_twice_names_status(editor_client, upgrade):
    services.cancel_maintenance(upgrade)

    response = editor_client.post(url("cancel", upgrade.pk))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "status: The maintenance is already completed or cancelled."
    ]


def test_other_org_maintenance_not_found(editor_client, berlin_page, foreign_page):
    theirs = services.schedule_maintenance(
        foreign_page,
        "Their upgrade",
        datetime(2030, 6, 1, 8, 0, tzinfo=UTC),
        datetime(2030, 6, 1, 10, 0, tzinfo=UTC),
    )

    listing = editor_client.get(MAINTENANCES_INDEX)

    assert "Their upgrade" not in listing.content.decode()
    assert "Theirs" not in listing.content.decode()
    for name in ("edit", "post_update", "complete", "cancel"):
        assert editor_client.get(url(name, theirs.pk)).status_code == 404
        assert (
            editor_client.post(url(name, theirs.pk), {"body": "x"}).status_code == 404
        )
    theirs.refresh_from_db()
    assert theirs.status == "scheduled"


def series_form(page, **changes) -> dict:
    data = {
        "page": page.pk,
        "name": "Weekly patching",
        "frequency": "weekly",
        "weekday": "6",
        "week_of_month": "",
        "start_time": "02:00",
        "duration_minutes": "60",
        "starts_on": "2030-01-01",
        "ends_on": "",
        "body": "",
    }
    data.update(changes)
    return data


def test_series_add_edit_end(editor_client, berlin_page, api):
    response = editor_client.post(
        SERIES_ADD, series_form(berlin_page, components=[api.pk])
    )

    assert response.status_code == 302
    series = MaintenanceSeries.objects.get()
    assert series.time_zone == "Europe/Berlin"
    assert series.weekday == 6
    assert series.start_time == time(2, 0)
    assert series.duration == timedelta(minutes=60)
    assert list(series.components.all()) == [api]

    edit_url = reverse("status_maintenance_series:edit", args=[series.pk])
    data = series_form(berlin_page, components=[api.pk], duration_minutes="90")
    del data["page"]
    response = editor_client.post(edit_url, data)

    assert response.status_code == 302
    series.refresh_from_db()
    assert series.duration == timedelta(minutes=90)

    end_url = reverse("status_maintenance_series:end", args=[series.pk])
    response = editor_client.post(end_url)

    assert response.status_code == 302
    series.refresh_from_db()
    assert series.is_active is False
    assert "maintenance_series.ended" in kinds()


def test_series_weekly_without_weekday(editor_client, berlin_page):
    response = editor_client.post(SERIES_ADD, series_form(berlin_page, weekday=""))

    assert response.status_code == 200
    assert "weekday" in response.context["form"].errors
    assert not MaintenanceSeries.objects.exists()


def test_screens_render_for_editor(editor_client, upgrade):
    series = services.create_maintenance_series(
        upgrade.page,
        "Nightly",
        frequency="daily",
        start_time=time(3, 0),
        duration=timedelta(minutes=30),
        time_zone="Europe/Berlin",
        starts_on=datetime(2030, 1, 1).date(),
    )
    addresses = [
        MAINTENANCES_INDEX,
        MAINTENANCES_ADD,
        url("edit", upgrade.pk),
        url("post_update", upgrade.pk),
        url("complete", upgrade.pk),
        url("cancel", upgrade.pk),
        reverse("status_maintenance_series:index"),
        SERIES_ADD,
        reverse("status_maintenance_series:edit", args=[series.pk]),
        reverse("status_maintenance_series:end", args=[series.pk]),
    ]

    for address in addresses:
        assert editor_client.get(address).status_code == 200, address


def test_edit_out_of_range_start_is_field_error(editor_client, upgrade, api):
    data = {
        "name": "Upgrade",
        "starts_at": "0001-01-01T00:30",
        "ends_at": "2030-06-02T11:30",
        "components": [api.pk],
        "body": "",
    }

    response = editor_client.post(url("edit", upgrade.pk), data)

    assert response.status_code == 200
    assert "starts_at" in response.context["form"].errors
    upgrade.refresh_from_db()
    assert upgrade.scheduled_for == datetime(2030, 6, 1, 8, 0, tzinfo=UTC)


def test_series_huge_duration_is_field_error(editor_client, berlin_page):
    data = series_form(berlin_page, duration_minutes="99999999999999999999")

    response = editor_client.post(SERIES_ADD, data)

    assert response.status_code == 200
    assert "duration_minutes" in response.context["form"].errors
    assert not MaintenanceSeries.objects.exists()


def test_series_duration_longer_than_frequency_names_field(editor_client, berlin_page):
    data = series_form(berlin_page, frequency="daily", duration_minutes="2880")

    response = editor_client.post(SERIES_ADD, data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "at most 1 day" in errors["duration_minutes"][0]
    assert not errors.get("__all__")
    assert not MaintenanceSeries.objects.exists()
