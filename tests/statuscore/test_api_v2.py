"""The public v2 JSON: Statuspage's fields and values, page choice, caching.

Data is made through ``statuscore.services``, except maintenances, which
have no service yet and are written as model rows.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pydantic
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from statuscore import services
from statuscore.api.statuspage import SummaryResponse
from statuscore.models import (
    ComponentStatus,
    IncidentImpact,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
)
from statuscore.status import compute_page_status

HOST = "status.acme.test"
SUMMARY = "/api/v2/summary.json"
STATUS = "/api/v2/status.json"
COMPONENTS = "/api/v2/components.json"

PAGE_FIELDS = {"id", "name", "url", "time_zone", "updated_at"}
COMPONENT_FIELDS = {
    "id",
    "name",
    "status",
    "created_at",
    "updated_at",
    "position",
    "description",
    "showcase",
    "start_date",
    "group_id",
    "page_id",
    "group",
    "only_show_if_degraded",
}
GROUP_FIELDS = COMPONENT_FIELDS | {"components"}
INCIDENT_FIELDS = {
    "id",
    "name",
    "status",
    "created_at",
    "updated_at",
    "monitoring_at",
    "resolved_at",
    "impact",
    "shortlink",
    "started_at",
    "page_id",
    "incident_updates",
    "components",
}
MAINTENANCE_FIELDS = INCIDENT_FIELDS | {"scheduled_for", "scheduled_until"}
UPDATE_FIELDS = {
    "id",
    "status",
    "body",
    "incident_id",
    "created_at",
    "updated_at",
    "display_at",
    "affected_components",
    "deliver_notifications",
    "custom_tweet",
    "tweet_id",
}
# ISO 8601 with exactly three decimals and an explicit offset.
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$")


def fetch(client, path, host=HOST, **params):
    return client.get(path, params, HTTP_HOST=host)


def make_maintenance(page, status, starts_in_hours, components=()):
    """Write a maintenance row directly: no maintenance service exists yet."""
    start = timezone.now() + timedelta(hours=starts_in_hours)
    maintenance = Maintenance.objects.create(
        page=page,
        name=f"Database upgrade ({status})",
        status=status,
        scheduled_for=start,
        scheduled_until=start + timedelta(hours=1),
    )
    maintenance.components.add(*components)
    return maintenance


@pytest.fixture
def other_page(organization):
    return services.create_page(
        organization, "Beta Status", "beta", domain="status.beta.test"
    )


@pytest.fixture
def group_with_members(page):
    group = services.create_component_group(page, "Backend", position=1)
    database = services.create_component(
        page, "Database", group=group, position=2, status="partial_outage"
    )
    queue = services.create_component(page, "Queue", group=group, position=1)
    return group, queue, database


@pytest.fixture
def open_incident(page, component):
    incident = services.create_incident(
        page,
        "Slow requests",
        body="We are looking into slow API requests.",
        impact=IncidentImpact.MAJOR,
        component_statuses={component: ComponentStatus.PARTIAL_OUTAGE},
    )
    services.post_incident_update(
        incident, status=IncidentStatus.IDENTIFIED, body="A bad deploy; rolling back."
    )
    return incident


def all_timestamps(summary):
    """Yield every timestamp field of a summary that is not null."""
    yield summary["page"]["updated_at"]
    items = list(summary["components"])
    for incident in summary["incidents"] + summary["scheduled_maintenances"]:
        items.append(incident)
        items.extend(incident["components"])
        items.extend(incident["incident_updates"])
    for item in items:
        for field in (
            "created_at",
            "updated_at",
            "monitoring_at",
            "resolved_at",
            "started_at",
            "display_at",
            "scheduled_for",
            "scheduled_until",
        ):
            if item.get(field) is not None:
                yield item[field]


# Shape of the payloads


def test_summary_top_level_fields(client, page):
    body = fetch(client, SUMMARY).json()

    assert set(body) == {
        "page",
        "components",
        "incidents",
        "scheduled_maintenances",
        "status",
    }


def test_status_top_level_fields(client, page):
    body = fetch(client, STATUS).json()

    assert set(body) == {"page", "status"}
    assert set(body["status"]) == {"indicator", "description"}


def test_components_top_level_fields(client, component):
    body = fetch(client, COMPONENTS).json()

    assert set(body) == {"page", "components"}
    assert [item["id"] for item in body["components"]] == [str(component.pk)]


def test_page_fields(client, page):
    body = fetch(client, SUMMARY).json()

    assert set(body["page"]) == PAGE_FIELDS
    assert body["page"]["id"] == str(page.pk)
    assert body["page"]["name"] == "Acme Status"
    assert body["page"]["url"] == ""
    assert body["page"]["time_zone"] == "UTC"


def test_component_fields(client, page, component):
    (item,) = fetch(client, SUMMARY).json()["components"]

    assert set(item) == COMPONENT_FIELDS
    assert item["id"] == str(component.pk)
    assert item["name"] == "API"
    assert item["status"] == "operational"
    assert item["position"] == 0
    assert item["description"] is None
    assert item["showcase"] is True
    assert item["start_date"] is None
    assert item["group_id"] is None
    assert item["page_id"] == str(page.pk)
    assert item["group"] is False
    assert item["only_show_if_degraded"] is False


@pytest.mark.parametrize("status", ComponentStatus.values)
def test_component_status_values(client, page, status):
    services.create_component(page, "Web", status=status)

    (item,) = fetch(client, SUMMARY).json()["components"]

    assert item["status"] == status


def test_group_listed_as_component(client, group_with_members):
    group, queue, database = group_with_members

    items = fetch(client, SUMMARY).json()["components"]
    group_item = items[0]

    assert set(group_item) == GROUP_FIELDS
    assert group_item["id"] == f"group-{group.pk}"
    assert group_item["name"] == "Backend"
    assert group_item["group"] is True
    assert group_item["group_id"] is None
    assert group_item["components"] == [str(queue.pk), str(database.pk)]


def test_group_status_is_worst_member(client, group_with_members):
    group_item = fetch(client, SUMMARY).json()["components"][0]

    assert group_item["status"] == "partial_outage"


def test_group_members_follow_group(client, page, group_with_members):
    group, queue, database = group_with_members
    first = services.create_component(page, "Website", position=0)
    last = services.create_component(page, "Docs", position=5)

    items = fetch(client, SUMMARY).json()["components"]

    assert [item["id"] for item in items] == [
        str(first.pk),
        f"group-{group.pk}",
        str(queue.pk),
        str(database.pk),
        str(last.pk),
    ]


def test_group_members_name_group(client, group_with_members):
    group, queue, database = group_with_members

    members = fetch(client, SUMMARY).json()["components"][1:]

    assert [item["group_id"] for item in members] == [f"group-{group.pk}"] * 2
    assert [set(item) for item in members] == [COMPONENT_FIELDS] * 2


def test_component_name_returned_verbatim(client, page):
    name = "<script>alert('x')</script> & \"quotes\""
    services.create_component(page, name)

    response = fetch(client, SUMMARY)

    assert response.json()["components"][0]["name"] == name
    assert b"<script>alert('x')</script> &" in response.content


# Incidents and maintenances


def test_unresolved_incident_listed(client, open_incident):
    (item,) = fetch(client, SUMMARY).json()["incidents"]

    assert set(item) == INCIDENT_FIELDS
    assert item["id"] == str(open_incident.pk)
    assert item["name"] == "Slow requests"
    assert item["status"] == "identified"
    assert item["impact"] == "major"
    assert item["resolved_at"] is None


def test_incident_shortlink_is_its_own_page(client, page, open_incident):
    services.update_page(page, url="https://status.acme.test/")

    (item,) = fetch(client, SUMMARY).json()["incidents"]

    expected = f"https://status.acme.test/incidents/{open_incident.pk}/"
    assert item["shortlink"] == expected


def test_incident_shortlink_null_without_page_url(client, open_incident):
    (item,) = fetch(client, SUMMARY).json()["incidents"]

    assert item["shortlink"] is None


def test_incident_updates_newest_first(client, open_incident):
    (item,) = fetch(client, SUMMARY).json()["incidents"]
    updates = item["incident_updates"]

    assert [update["status"] for update in updates] == ["identified", "investigating"]
    assert [set(update) for update in updates] == [UPDATE_FIELDS] * 2
    assert updates[0]["body"] == "A bad deploy; rolling back."
    assert updates[0]["incident_id"] == str(open_incident.pk)


def test_incident_update_affected_components(client, open_incident, component):
    (item,) = fetch(client, SUMMARY).json()["incidents"]
    first_update = item["incident_updates"][-1]

    assert first_update["affected_components"] == [
        {
            "code": str(component.pk),
            "name": "API",
            "old_status": "operational",
            "new_status": "partial_outage",
        }
    ]
    assert item["incident_updates"][0]["affected_components"] is None


def test_incident_components(client, open_incident, component):
    (item,) = fetch(client, SUMMARY).json()["incidents"]

    assert [c["id"] for c in item["components"]] == [str(component.pk)]
    assert set(item["components"][0]) == COMPONENT_FIELDS
    assert item["components"][0]["status"] == "partial_outage"


def test_resolved_incident_left_out(client, open_incident):
    services.post_incident_update(
        open_incident, status=IncidentStatus.RESOLVED, body="Fixed."
    )

    body = fetch(client, SUMMARY).json()

    assert body["incidents"] == []


def test_resolving_moves_page_updated_at(client, open_incident):
    before = fetch(client, SUMMARY).json()["page"]["updated_at"]
    services.post_incident_update(
        open_incident, status=IncidentStatus.RESOLVED, body="Fixed."
    )

    after = fetch(client, SUMMARY).json()["page"]["updated_at"]

    assert datetime.fromisoformat(after) > datetime.fromisoformat(before)


def test_maintenances_upcoming_and_active(client, page, component):
    upcoming = make_maintenance(page, MaintenanceStatus.SCHEDULED, 24, [component])
    active = make_maintenance(page, MaintenanceStatus.IN_PROGRESS, -0.5)
    make_maintenance(page, MaintenanceStatus.COMPLETED, -3)
    make_maintenance(page, MaintenanceStatus.SCHEDULED, -3)

    items = fetch(client, SUMMARY).json()["scheduled_maintenances"]

    assert [item["id"] for item in items] == [str(active.pk), str(upcoming.pk)]
    assert [set(item) for item in items] == [MAINTENANCE_FIELDS] * 2
    assert [item["status"] for item in items] == ["in_progress", "scheduled"]
    assert [item["impact"] for item in items] == ["maintenance"] * 2
    assert items[1]["components"][0]["id"] == str(component.pk)


# Overall status


STATUS_CASES = {
    "all operational": ([], [], None),
    "degraded component": (["degraded_performance"], [], None),
    "major outage": (["major_outage"], [], None),
    "minor incident": ([], ["minor"], None),
    "critical incident": (["degraded_performance"], ["critical"], None),
    "maintenance in progress": ([], [], MaintenanceStatus.IN_PROGRESS),
    "maintenance verifying": ([], [], MaintenanceStatus.VERIFYING),
    "maintenance only scheduled": ([], [], MaintenanceStatus.SCHEDULED),
    "incident during maintenance": ([], ["major"], MaintenanceStatus.IN_PROGRESS),
}


@pytest.mark.parametrize(
    ("statuses", "impacts", "maintenance"),
    list(STATUS_CASES.values()),
    ids=list(STATUS_CASES),
)
def test_status_follows_page_status(client, page, statuses, impacts, maintenance):
    for number, status in enumerate(statuses):
        services.create_component(page, f"Part {number}", status=status)
    for impact in impacts:
        services.create_incident(page, "Trouble", body="Looking.", impact=impact)
    if maintenance is not None:
        make_maintenance(page, maintenance, -0.5)
    expected = compute_page_status(
        statuses,
        impacts,
        maintenance in (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING),
    )

    summary_status = fetch(client, SUMMARY).json()["status"]
    status_status = fetch(client, STATUS).json()["status"]

    assert summary_status["indicator"] == expected.indicator
    assert summary_status["description"] == expected.description
    assert status_status == summary_status


def test_status_degraded_sentence(client, page):
    services.create_component(page, "Web", status="degraded_performance")

    body = fetch(client, STATUS).json()

    assert body["status"] == {
        "indicator": "minor",
        "description": "Partially Degraded Service",
    }


def test_status_maintenance_indicator(client, page):
    make_maintenance(page, MaintenanceStatus.IN_PROGRESS, -0.5)

    body = fetch(client, STATUS).json()

    assert body["status"] == {
        "indicator": "maintenance",
        "description": "Service Under Maintenance",
    }


def test_status_ignores_resolved_incident(client, page, open_incident):
    services.post_incident_update(
        open_incident,
        status=IncidentStatus.RESOLVED,
        body="Fixed.",
        component_statuses={open_incident.components.get(): "operational"},
    )

    body = fetch(client, STATUS).json()

    assert body["status"]["indicator"] == "none"


# Timestamps


def test_timestamps_have_offset_and_milliseconds(client, open_incident, page):
    make_maintenance(page, MaintenanceStatus.SCHEDULED, 24)
    stamps = list(all_timestamps(fetch(client, SUMMARY).json()))

    # Timestamps: page 1, component 2, incident 3, its component 2, two
    # updates 3 each, maintenance 5.
    assert len(stamps) == 19
    for stamp in stamps:
        assert TIMESTAMP.match(stamp), stamp
        assert datetime.fromisoformat(stamp).tzinfo is not None, stamp


def test_timestamps_use_utc_z(client, component):
    item = fetch(client, SUMMARY).json()["components"][0]

    assert item["created_at"].endswith("Z")


def test_timestamps_use_page_zone(client, organization):
    page = services.create_page(
        organization, "Berlin", "berlin", time_zone="Europe/Berlin"
    )
    component = services.create_component(page, "API")

    body = fetch(client, SUMMARY, host="localhost", page="berlin").json()
    created_at = body["components"][0]["created_at"]

    assert body["page"]["time_zone"] == "Europe/Berlin"
    assert created_at[-6:] in ("+01:00", "+02:00")
    assert datetime.fromisoformat(created_at) == component.created_at.replace(
        microsecond=component.created_at.microsecond // 1000 * 1000
    )


# Choosing the page


def test_host_selects_page(client, page, other_page):
    body = fetch(client, SUMMARY, host="status.beta.test").json()

    assert body["page"]["id"] == str(other_page.pk)


def test_host_ignores_case_port_and_dot(client, page, other_page):
    body = fetch(client, SUMMARY, host="STATUS.ACME.TEST.:443").json()

    assert body["page"]["id"] == str(page.pk)


def test_host_wins_over_own_slug(client, page, other_page):
    response = fetch(client, SUMMARY, page="acme")

    assert response.status_code == 200
    assert response.json()["page"]["id"] == str(page.pk)


def test_page_param_fallback(client, page, other_page):
    body = fetch(client, SUMMARY, host="localhost", page="beta").json()

    assert body["page"]["id"] == str(other_page.pk)


def test_single_page_chosen(client, page):
    response = fetch(client, SUMMARY, host="localhost")

    assert response.status_code == 200
    assert response.json()["page"]["id"] == str(page.pk)


def test_no_match_is_404(client, page, other_page):
    response = fetch(client, SUMMARY, host="localhost")

    assert response.status_code == 404
    assert "?page=" in response.json()["detail"]


def test_no_page_is_404(client, db):
    response = fetch(client, STATUS, host="localhost")

    assert response.status_code == 404
    assert "?page=" in response.json()["detail"]


def test_unknown_slug_is_404(client, page):
    response = fetch(client, SUMMARY, host="localhost", page="nope")

    assert response.status_code == 404
    assert "'nope'" in response.json()["detail"]
    assert "?page=" in response.json()["detail"]


def test_other_slug_on_page_host_is_404(client, page, other_page):
    response = fetch(client, SUMMARY, page="beta")

    assert response.status_code == 404
    assert "beta" in response.json()["detail"]


@pytest.mark.parametrize("path", [SUMMARY, STATUS, COMPONENTS])
def test_every_endpoint_chooses_by_slug(client, page, other_page, path):
    response = fetch(client, path, host="localhost", page="beta")

    assert response.status_code == 200
    assert response.json()["page"]["id"] == str(other_page.pk)


# HTTP caching and CORS


@pytest.mark.parametrize("path", [SUMMARY, STATUS, COMPONENTS])
def test_cache_control_public_short(client, page, path):
    response = fetch(client, path)

    assert "public" in response["Cache-Control"]
    assert "max-age=10" in response["Cache-Control"]


@pytest.mark.parametrize("path", [SUMMARY, STATUS, COMPONENTS])
def test_etag_gives_304(client, page, path):
    first = fetch(client, path)

    second = client.get(path, HTTP_HOST=HOST, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert first["ETag"].startswith('"')
    assert second.status_code == 304
    assert second.content == b""
    assert second["ETag"] == first["ETag"]


def test_etag_changes_with_content(client, component):
    first = fetch(client, SUMMARY)
    services.set_component_status(component, "major_outage", source="user:1")

    second = client.get(SUMMARY, HTTP_HOST=HOST, HTTP_IF_NONE_MATCH=first["ETag"])

    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]


def test_cors_on_200(client, page):
    response = fetch(client, SUMMARY)

    assert response["Access-Control-Allow-Origin"] == "*"


def test_cors_on_304(client, page):
    etag = fetch(client, STATUS)["ETag"]

    response = client.get(STATUS, HTTP_HOST=HOST, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response["Access-Control-Allow-Origin"] == "*"


def test_cors_on_404(client, page):
    response = fetch(client, SUMMARY, page="nope", host="localhost")

    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"


def test_404_not_cached(client, page):
    response = fetch(client, SUMMARY, page="nope", host="localhost")

    assert not response.has_header("ETag")
    assert "public" not in response.get("Cache-Control", "")


# Query counts


def fill_page(page, size):
    """Give the page ``size`` groups, components, incidents and maintenances."""
    for number in range(size):
        group = services.create_component_group(page, f"Group {number}")
        member = services.create_component(page, f"Member {number}", group=group)
        services.create_component(page, f"Loose {number}")
        incident = services.create_incident(
            page,
            f"Incident {number}",
            body="Looking.",
            component_statuses={member: "degraded_performance"},
        )
        services.post_incident_update(incident, status="monitoring", body="Watching.")
        make_maintenance(page, MaintenanceStatus.SCHEDULED, 24 + number, [member])


def count_queries(client, path):
    with CaptureQueriesContext(connection) as context:
        response = fetch(client, path)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("path", [SUMMARY, STATUS, COMPONENTS])
def test_query_count_constant(client, page, path):
    fill_page(page, 1)
    small = count_queries(client, path)
    fill_page(page, 6)

    large = count_queries(client, path)

    assert large == small


def test_summary_query_limit(client, page, django_assert_max_num_queries):
    fill_page(page, 8)

    with django_assert_max_num_queries(10):
        response = fetch(client, SUMMARY)

    assert response.status_code == 200
    assert len(response.json()["incidents"]) == 8


# Schemas, OpenAPI and docs


def test_schema_rejects_unknown_field(client, component):
    body = fetch(client, SUMMARY).json()
    body["components"][0]["uptime"] = 99.9

    with pytest.raises(pydantic.ValidationError):
        SummaryResponse.model_validate(body)


def test_schema_rejects_missing_field(client, component):
    body = fetch(client, SUMMARY).json()
    del body["page"]["time_zone"]

    with pytest.raises(pydantic.ValidationError):
        SummaryResponse.model_validate(body)


def test_schema_accepts_summary(client, open_incident, group_with_members):
    body = fetch(client, SUMMARY).json()

    assert SummaryResponse.model_validate(body).page.name == "Acme Status"


def test_openapi_served(client, db):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Status page API"


@pytest.mark.parametrize("path", [SUMMARY, STATUS, COMPONENTS])
def test_openapi_lists_v2_operation(client, db, path):
    paths = client.get("/api/openapi.json").json()["paths"]

    operation = paths[path]["get"]

    assert operation["summary"]
    assert len(operation["description"]) > 40
    assert set(operation["responses"]) == {"200", "403", "404"}
    assert operation["parameters"][0]["name"] == "page"


def test_openapi_describes_v2_tag(client, db):
    tags = client.get("/api/openapi.json").json()["tags"]

    assert tags[0]["name"] == "Public v2"
    assert "?page=<slug>" in tags[0]["description"]


def test_openapi_component_status_enum(client, db):
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]

    assert schemas["ComponentStatus"]["enum"] == ComponentStatus.values


def test_docs_served(client, db):
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert b"/api/openapi.json" in response.content


def test_empty_page_param_ignored(client, page):
    response = fetch(client, SUMMARY, host="localhost", page="")

    assert response.status_code == 200
    assert response.json()["page"]["id"] == str(page.pk)


@pytest.mark.parametrize("path", [SUMMARY, STATUS, "/api/v2/components.json"])
def test_head_like_get_without_body(client, page, path):
    got = fetch(client, path)
    head = client.head(path, HTTP_HOST=HOST)

    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == got["ETag"]
    assert head["Access-Control-Allow-Origin"] == "*"


def test_schema_operation_ids_unique(client):
    spec = client.get("/api/openapi.json").json()

    ids = [
        operation["operationId"]
        for operations in spec["paths"].values()
        for operation in operations.values()
    ]
    assert len(ids) == len(set(ids))


def test_slug_with_nul_not_found(client, page):
    response = client.get("/api/v2/summary.json", {"page": "acme\x00"})

    assert response.status_code == 404
