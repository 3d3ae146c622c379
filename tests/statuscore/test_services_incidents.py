"""Incident services: replacing the affected components with an update."""

from __future__ import annotations

import pytest

from statuscore import services
from statuscore.exceptions import ValidationFailed
from statuscore.models import Incident, OutboxEvent


@pytest.fixture
def web(page):
    return services.create_component(page, "Web")


@pytest.fixture
def incident(page, component, web) -> Incident:
    return services.create_incident(
        page,
        "Outage",
        body="Down.",
        component_statuses={component: "major_outage", web: "partial_outage"},
    )


def test_update_components_removes_left_out(incident, component, web):
    services.post_incident_update(
        incident, status="identified", body="Web is fine.", components=[component]
    )

    assert list(incident.components.all()) == [component]


def test_update_components_removed_keep_status(incident, web):
    services.post_incident_update(
        incident, status="identified", body="Web is fine.", components=[]
    )

    web.refresh_from_db()
    assert web.status == "partial_outage"


def test_update_components_event_lists_removed(incident, component, web):
    services.post_incident_update(
        incident, status="identified", body="Web is fine.", components=[component]
    )

    event = OutboxEvent.objects.get(kind="incident.updated")
    assert event.payload["removed_component_ids"] == [web.pk]


def test_update_components_adds_new(page, incident, component, web):
    search = services.create_component(page, "Search")

    services.post_incident_update(
        incident,
        status="identified",
        body="Search too.",
        components=[component, web, search],
        component_statuses={search: "degraded_performance"},
    )

    assert set(incident.components.all()) == {component, web, search}
    search.refresh_from_db()
    assert search.status == "degraded_performance"


def test_update_without_components_keeps_set(incident, component, web):
    services.post_incident_update(incident, status="identified", body="Same.")

    assert set(incident.components.all()) == {component, web}


def test_update_status_outside_components_rejected(incident, component, web):
    with pytest.raises(ValidationFailed) as raised:
        services.post_incident_update(
            incident,
            status="identified",
            body="Mixed up.",
            components=[component],
            component_statuses={web: "operational"},
        )

    assert "components" in raised.value.errors
    assert set(incident.components.all()) == {component, web}
    web.refresh_from_db()
    assert web.status == "partial_outage"


def test_update_other_page_component_rejected(organization, incident, component):
    other_page = services.create_page(organization, "Other", "other")
    foreign = services.create_component(other_page, "Foreign")

    with pytest.raises(ValidationFailed) as raised:
        services.post_incident_update(
            incident, status="identified", body="Oops.", components=[foreign]
        )

    assert "components" in raised.value.errors
    assert component in incident.components.all()
