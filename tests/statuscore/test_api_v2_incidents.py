"""The public v2 incident and scheduled-maintenance lists, in Statuspage's shape.

Each payload is compared key by key with a Statuspage response written down
in ``tests.statuscore.statuspage_samples``. Data is made through
``statuscore.services``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from statuscore import services
from statuscore.api.statuspage import IncidentsResponse, ScheduledMaintenancesResponse
from statuscore.models import (
    ComponentStatus,
    Incident,
    IncidentImpact,
    IncidentStatus,
)
from tests.statuscore import statuspage_samples as sample
from tests.statuscore.accounts import make_member

HOST = "status.acme.test"
INCIDENTS = "/api/v2/incidents.json"
UNRESOLVED = "/api/v2/incidents/unresolved.json"
MAINTENANCES = "/api/v2/scheduled-maintenances.json"
UPCOMING = "/api/v2/scheduled-maintenances/upcoming.json"
ACTIVE = "/api/v2/scheduled-maintenances/active.json"
ALL_PATHS = [INCIDENTS, UNRESOLVED, MAINTENANCES, UPCOMING, ACTIVE]

# ISO 8601 with exactly three decimals and an explicit offset, as Statuspage's.
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$")
TIMESTAMP_FIELDS = {
    "created_at",
    "updated_at",
    "monitoring_at",
    "resolved_at",
    "started_at",
    "display_at",
    "scheduled_for",
    "scheduled_until",
}


def fetch(client, path, **params):
    return client.get(path, params, HTTP_HOST=HOST)


def shape_differences(ours, theirs, path="$"):
    """Return where ``ours`` and ``theirs`` differ in keys or JSON types.

    Lists are compared by their first items. A null on either side matches
    any type, since Statuspage's nullable fields are null in some rows.
    """
    if ours is None or theirs is None:
        return []
    if isinstance(theirs, dict):
        if not isinstance(ours, dict):
            return [f"{path}: object expected, got {type(ours).__name__}"]
        differences = []
        missing = sorted(set(theirs) - set(ours))
        extra = sorted(set(ours) - set(theirs))
        if missing:
            differences.append(f"{path}: missing {missing}")
        if extra:
            differences.append(f"{path}: unexpected {extra}")
        for key in set(ours) & set(theirs):
            differences += shape_differences(ours[key], theirs[key], f"{path}.{key}")
        return differences
    if isinstance(theirs, list):
        if not isinstance(ours, list):
            return [f"{path}: array expected, got {type(ours).__name__}"]
        if ours and theirs:
            return shape_differences(ours[0], theirs[0], f"{path}[0]")
        return []
    if type(ours) is not type(theirs):
        return [f"{path}: {type(theirs).__name__} expected, got {type(ours).__name__}"]
    return []


def timestamps(payload):
    """Yield every non-null timestamp field anywhere in ``payload``."""
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key in TIMESTAMP_FIELDS and value is not None:
                yield value
            else:
                yield from timestamps(value)
    elif isinstance(payload, list):
        for item in payload:
            yield from timestamps(item)


def open_incident(page, component, name="Slow requests"):
    incident = services.create_incident(
        page,
        name,
        body="We are looking into slow API requests.",
        impact=IncidentImpact.MAJOR,
        component_statuses={component: ComponentStatus.PARTIAL_OUTAGE},
    )
    services.post_incident_update(
        incident, status=IncidentStatus.IDENTIFIED, body="A bad deploy; rolling back."
    )
    return incident


def resolve(incident):
    return services.post_incident_update(
        incident, status=IncidentStatus.RESOLVED, body="Fixed."
    )


def schedule(page, hours_from_now, components=(), name="Database upgrade"):
    # Whole seconds, so that the millisecond timestamps compare equal.
    now = timezone.now().replace(microsecond=0)
    starts_at = now + timedelta(hours=hours_from_now)
    return services.schedule_maintenance(
        page,
        name,
        starts_at,
        starts_at + timedelta(hours=1),
        components=components,
        body="The database moves to new hardware.",
    )


@pytest.fixture
def editor_user(organization):
    return make_member(organization, "editor", "edith")


@pytest.fixture
def incidents(page, component):
    """An older resolved incident and a newer open one."""
    old = services.create_incident(
        page,
        "Login failures",
        body="Logins fail.",
        started_at=timezone.now() - timedelta(days=2),
    )
    resolve(old)
    return old, open_incident(page, component)


@pytest.fixture
def maintenances(page, component):
    """One maintenance each: to come, in progress, completed, cancelled."""
    upcoming = schedule(page, 24, [component], name="Upcoming")
    running = schedule(page, -0.5, name="Running")
    services.start_maintenance(running)
    completed = schedule(page, -3, name="Completed")
    services.start_maintenance(completed)
    services.complete_maintenance(completed)
    cancelled = schedule(page, 48, name="Cancelled")
    services.cancel_maintenance(cancelled)
    return upcoming, running, completed, cancelled


# incidents.json and incidents/unresolved.json


def test_incidents_match_statuspage_shape(client, incidents):
    body = fetch(client, INCIDENTS).json()

    assert shape_differences(body, sample.INCIDENTS_RESPONSE) == []


def test_incidents_list_resolved_and_open(client, incidents):
    old, new = incidents

    items = fetch(client, INCIDENTS).json()["incidents"]

    assert [item["id"] for item in items] == [str(new.pk), str(old.pk)]
    assert [item["status"] for item in items] == ["identified", "resolved"]


def test_resolved_incident_has_resolved_at(client, incidents):
    old, _new = incidents
    old.refresh_from_db()

    item = fetch(client, INCIDENTS).json()["incidents"][1]

    assert item["resolved_at"] is not None
    assert datetime.fromisoformat(item["resolved_at"]) == old.resolved_at.replace(
        microsecond=old.resolved_at.microsecond // 1000 * 1000
    )


def test_incident_fields(client, page, component, incidents):
    _old, new = incidents

    item = fetch(client, INCIDENTS).json()["incidents"][0]

    assert item["name"] == "Slow requests"
    assert item["impact"] == "major"
    assert item["page_id"] == str(page.pk)
    assert item["monitoring_at"] is None
    assert [c["id"] for c in item["components"]] == [str(component.pk)]
    assert [u["status"] for u in item["incident_updates"]] == [
        "identified",
        "investigating",
    ]


def test_incident_update_fields(client, component, incidents):
    _old, new = incidents

    first = fetch(client, INCIDENTS).json()["incidents"][0]["incident_updates"][-1]

    assert first["incident_id"] == str(new.pk)
    assert first["body"] == "We are looking into slow API requests."
    assert first["affected_components"] == [
        {
            "code": str(component.pk),
            "name": "API",
            "old_status": "operational",
            "new_status": "partial_outage",
        }
    ]


def test_incident_enums_are_statuspage_values(client, incidents):
    items = fetch(client, INCIDENTS).json()["incidents"]

    for item in items:
        assert item["status"] in sample.INCIDENT_STATUSES
        assert item["impact"] in sample.INCIDENT_IMPACTS
        for update in item["incident_updates"]:
            assert update["status"] in sample.INCIDENT_STATUSES
        for component in item["components"]:
            assert component["status"] in sample.COMPONENT_STATUSES


def test_incidents_keep_fifty_newest(client, page):
    start = timezone.now() - timedelta(days=60)
    for number in range(51):
        services.create_incident(
            page,
            f"Incident {number}",
            body="Looking.",
            started_at=start + timedelta(hours=number),
        )

    items = fetch(client, INCIDENTS).json()["incidents"]

    assert len(items) == 50
    assert items[0]["name"] == "Incident 50"
    assert items[-1]["name"] == "Incident 1"


def test_unresolved_leaves_out_resolved(client, incidents):
    _old, new = incidents

    body = fetch(client, UNRESOLVED).json()

    assert [item["id"] for item in body["incidents"]] == [str(new.pk)]
    assert shape_differences(body, sample.INCIDENTS_RESPONSE) == []


def test_unresolved_empty_after_resolving(client, incidents):
    _old, new = incidents
    resolve(new)

    body = fetch(client, UNRESOLVED).json()

    assert body["incidents"] == []


def test_offset_time_reads_as_utc(client, page):
    started_at = datetime.fromisoformat("2026-08-07T00:01:37+05:30")
    services.create_incident(page, "Outage", body="Down.", started_at=started_at)

    item = fetch(client, INCIDENTS).json()["incidents"][0]

    assert item["started_at"] == "2026-08-06T18:31:37.000Z"
    assert item["incident_updates"][0]["display_at"] == "2026-08-06T18:31:37.000Z"


@pytest.mark.parametrize("path", ALL_PATHS)
def test_timestamps_have_milliseconds_and_offset(client, incidents, maintenances, path):
    body = fetch(client, path).json()

    found = list(timestamps(body))
    assert found
    for value in found:
        assert TIMESTAMP.match(value), value


def test_incidents_in_page_zone(client, organization):
    page = services.create_page(
        organization, "Berlin Status", "berlin", time_zone="Europe/Berlin"
    )
    started_at = datetime(2026, 8, 6, 18, 31, 37, tzinfo=UTC)
    services.create_incident(page, "Outage", body="Down.", started_at=started_at)

    item = fetch(client, INCIDENTS, page="berlin").json()["incidents"][0]

    assert item["started_at"] == "2026-08-06T20:31:37.000+02:00"


def test_time_out_of_zone_range_shown_in_utc(client, organization):
    page = services.create_page(
        organization, "New York", "ny", time_zone="America/New_York"
    )
    incident = services.create_incident(page, "Ancient", body="Down.")
    # The services refuse such a year now; a row stored before that rule,
    # or written by hand, still must not break the JSON.
    Incident.objects.filter(pk=incident.pk).update(
        started_at=datetime(1, 1, 1, tzinfo=UTC)
    )

    response = fetch(client, INCIDENTS, page="ny")

    assert response.status_code == 200
    item = response.json()["incidents"][0]
    assert item["started_at"] == "0001-01-01T00:00:00.000Z"


def test_other_page_incidents_left_out(client, page, organization, incidents):
    other = services.create_page(organization, "Beta", "beta")
    services.create_incident(other, "Beta outage", body="Down.")

    names = [item["name"] for item in fetch(client, INCIDENTS).json()["incidents"]]

    assert "Beta outage" not in names
    assert len(names) == 2


@pytest.mark.parametrize("path", [INCIDENTS, UNRESOLVED, "/api/v2/summary.json"])
def test_private_incident_never_listed(client, page, component, path):
    services.create_incident(
        page,
        "Automatic: API down",
        body="The API check fails.",
        impact=IncidentImpact.CRITICAL,
        is_public=False,
    )

    body = fetch(client, path).json()

    assert body["incidents"] == []


def test_private_incident_leaves_status_alone(client, page):
    services.create_incident(
        page, "Automatic", body="Down.", impact=IncidentImpact.CRITICAL, is_public=False
    )

    body = fetch(client, "/api/v2/status.json").json()

    assert body["status"]["indicator"] == "none"


def test_approved_incident_listed(client, page, editor_user):
    incident = services.create_incident(
        page, "Automatic", body="Down.", is_public=False
    )
    services.approve_incident(incident, actor=editor_user)

    items = fetch(client, INCIDENTS).json()["incidents"]

    assert [item["id"] for item in items] == [str(incident.pk)]


def test_quiet_update_not_delivered(client, page):
    incident = services.create_incident(page, "Outage", body="Down.")
    services.post_incident_update(
        incident, status="identified", body="Found.", notify_subscribers=False
    )

    updates = fetch(client, INCIDENTS).json()["incidents"][0]["incident_updates"]

    assert [update["deliver_notifications"] for update in updates] == [False, True]


# scheduled-maintenances.json, upcoming.json and active.json


def test_maintenances_match_statuspage_shape(client, maintenances):
    body = fetch(client, MAINTENANCES).json()

    assert shape_differences(body, sample.SCHEDULED_MAINTENANCES_RESPONSE) == []


def test_maintenances_list_all_but_cancelled(client, maintenances):
    upcoming, running, completed, _cancelled = maintenances

    items = fetch(client, MAINTENANCES).json()["scheduled_maintenances"]

    assert [item["id"] for item in items] == [
        str(upcoming.pk),
        str(running.pk),
        str(completed.pk),
    ]
    assert [item["status"] for item in items] == [
        "scheduled",
        "in_progress",
        "completed",
    ]


def test_maintenance_enums_are_statuspage_values(client, maintenances):
    items = fetch(client, MAINTENANCES).json()["scheduled_maintenances"]

    for item in items:
        assert item["status"] in sample.MAINTENANCE_STATUSES
        assert item["impact"] == "maintenance"


def test_completed_maintenance_has_resolved_at(client, maintenances):
    items = fetch(client, MAINTENANCES).json()["scheduled_maintenances"]
    completed = items[2]

    assert completed["resolved_at"] is not None
    assert items[0]["resolved_at"] is None


def test_maintenance_window_fields(client, maintenances):
    upcoming, *_rest = maintenances

    item = fetch(client, UPCOMING).json()["scheduled_maintenances"][0]

    assert datetime.fromisoformat(item["scheduled_for"]) == upcoming.scheduled_for
    assert datetime.fromisoformat(item["scheduled_until"]) == upcoming.scheduled_until
    assert item["started_at"] == item["scheduled_for"]


def test_upcoming_only_scheduled(client, maintenances):
    upcoming, *_rest = maintenances

    body = fetch(client, UPCOMING).json()

    assert [item["id"] for item in body["scheduled_maintenances"]] == [str(upcoming.pk)]
    assert shape_differences(body, sample.SCHEDULED_MAINTENANCES_RESPONSE) == []


def test_upcoming_leaves_out_passed_window(client, page):
    schedule(page, -3)

    body = fetch(client, UPCOMING).json()

    assert body["scheduled_maintenances"] == []


def test_active_only_in_progress(client, maintenances):
    _upcoming, running, *_rest = maintenances

    body = fetch(client, ACTIVE).json()

    assert [item["id"] for item in body["scheduled_maintenances"]] == [str(running.pk)]
    assert body["scheduled_maintenances"][0]["status"] == "in_progress"


def test_maintenance_updates_listed(client, maintenances):
    upcoming, *_rest = maintenances
    update = services.post_maintenance_update(upcoming, body="Still on time.")

    item = fetch(client, UPCOMING).json()["scheduled_maintenances"][0]

    (listed,) = item["incident_updates"]
    assert listed["id"] == str(update.pk)
    assert listed["body"] == "Still on time."
    assert listed["status"] == "scheduled"
    assert listed["incident_id"] == str(upcoming.pk)
    assert shape_differences(listed, sample.MAINTENANCE_UPDATE) == []


def test_maintenance_components_listed(client, component, maintenances):
    item = fetch(client, UPCOMING).json()["scheduled_maintenances"][0]

    assert [c["id"] for c in item["components"]] == [str(component.pk)]


# Query counts


def fill_page(page, size):
    """Give the page ``size`` more incidents and maintenances with updates."""
    for number in range(size):
        component = services.create_component(page, f"Component {number}")
        incident = open_incident(page, component, name=f"Incident {number}")
        if number % 2:
            resolve(incident)
        maintenance = schedule(page, 24 + number, [component])
        services.post_maintenance_update(maintenance, body="On time.")
        running = schedule(page, -0.5)
        services.start_maintenance(running)


def count_queries(client, path):
    with CaptureQueriesContext(connection) as context:
        response = fetch(client, path)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("path", ALL_PATHS)
def test_query_count_constant(client, page, path):
    fill_page(page, 1)
    small = count_queries(client, path)
    fill_page(page, 5)

    large = count_queries(client, path)

    assert large == small


# Schemas, caching, CORS and page choice


def test_incidents_schema_accepts_payload(client, incidents):
    body = fetch(client, INCIDENTS).json()

    assert len(IncidentsResponse.model_validate(body).incidents) == 2


def test_maintenances_schema_accepts_payload(client, maintenances):
    body = fetch(client, MAINTENANCES).json()

    parsed = ScheduledMaintenancesResponse.model_validate(body)

    assert len(parsed.scheduled_maintenances) == 3


@pytest.mark.parametrize("path", ALL_PATHS)
def test_cors_open(client, page, path):
    response = fetch(client, path)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ALL_PATHS)
def test_cache_control_and_etag(client, page, path):
    response = fetch(client, path)

    assert "public" in response["Cache-Control"]
    assert "max-age=10" in response["Cache-Control"]
    assert response["ETag"].startswith('"')


@pytest.mark.parametrize("path", ALL_PATHS)
def test_if_none_match_gives_304(client, page, path):
    etag = fetch(client, path)["ETag"]

    response = client.get(path, HTTP_HOST=HOST, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["Access-Control-Allow-Origin"] == "*"


def test_etag_changes_when_incident_resolves(client, incidents):
    _old, new = incidents
    etag = fetch(client, UNRESOLVED)["ETag"]
    resolve(new)

    response = client.get(UNRESOLVED, HTTP_HOST=HOST, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag


@pytest.mark.parametrize("path", ALL_PATHS)
def test_unknown_page_is_404_with_cors(client, page, path):
    response = client.get(path, {"page": "nope"}, HTTP_HOST="localhost")

    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ALL_PATHS)
def test_head_like_get(client, page, path):
    got = fetch(client, path)

    head = client.head(path, HTTP_HOST=HOST)

    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == got["ETag"]


@pytest.mark.parametrize("path", ALL_PATHS)
def test_openapi_lists_operation(client, db, path):
    paths = client.get("/api/openapi.json").json()["paths"]

    operation = paths[path]["get"]

    assert operation["summary"]
    assert set(operation["responses"]) == {"200", "403", "404"}
