from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from statuscore import services
from statuscore.models import (
    Component,
    ComponentGroup,
    Incident,
    IncidentUpdate,
    OutboxEvent,
    Page,
)

COMPONENTS_ADD = reverse("status_components:add")
INCIDENTS_ADD = reverse("status_incidents:add")


def component_edit_url(component) -> str:
    return reverse("status_components:edit", args=[component.pk])


def incident_update_url(incident) -> str:
    return reverse("status_incidents:edit", args=[incident.pk])


@pytest.fixture
def other_page(organization) -> Page:
    return Page.objects.create(organization=organization, name="Other", slug="other")


def incident_form(page, **changes) -> dict:
    data = {
        "page": page.pk,
        "name": "Checkout failing",
        "impact": "major",
        "status": "investigating",
        "body": "Payments fail for some customers.",
        "component_status": "",
    }
    data.update(changes)
    return data


def test_incident_create_appears_on_page(admin_client, status_page, page, component):
    data = incident_form(
        page, components=[component.pk], component_status="partial_outage"
    )

    response = admin_client.post(INCIDENTS_ADD, data)

    assert response.status_code == 302
    incident = Incident.objects.get(name="Checkout failing")
    update = incident.updates.get()
    assert update.body == "Payments fail for some customers."
    assert update.created_by is not None
    assert list(incident.components.all()) == [component]
    component.refresh_from_db()
    assert component.status == "partial_outage"
    assert OutboxEvent.objects.filter(kind="incident.created").count() == 1

    html = admin_client.get("/").content.decode()
    assert "Checkout failing" in html
    assert "Payments fail for some customers." in html


def test_incident_create_keeps_status(admin_client, page, component):
    data = incident_form(page, components=[component.pk])

    response = admin_client.post(INCIDENTS_ADD, data)

    assert response.status_code == 302
    component.refresh_from_db()
    assert component.status == "operational"
    incident = Incident.objects.get()
    assert list(incident.components.all()) == [component]
    assert not OutboxEvent.objects.filter(kind="component.status_changed").exists()


def test_incident_create_without_body(admin_client, page):
    response = admin_client.post(INCIDENTS_ADD, incident_form(page, body=""))

    assert response.status_code == 200
    assert "body" in response.context["form"].errors
    assert not Incident.objects.exists()
    assert not OutboxEvent.objects.exists()


def test_incident_create_other_page_component(
    admin_client, page, other_page, component
):
    foreign = services.create_component(other_page, "Foreign API")
    data = incident_form(
        page, components=[component.pk, foreign.pk], component_status="major_outage"
    )

    response = admin_client.post(INCIDENTS_ADD, data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "components" in errors
    assert f"Component {foreign.pk} belongs to another page." in errors["components"]
    assert "belongs to another page" in response.content.decode()
    assert not Incident.objects.exists()
    assert not IncidentUpdate.objects.exists()
    assert not OutboxEvent.objects.exists()
    component.refresh_from_db()
    assert component.status == "operational"


def test_incident_update_resolves(admin_client, status_page, page, component):
    incident = services.create_incident(
        page,
        "Slow API",
        body="Slow.",
        component_statuses={component: "degraded_performance"},
    )
    data = {
        "status": "resolved",
        "impact": "minor",
        "body": "Back to normal.",
        "components": [component.pk],
        "component_status": "operational",
    }

    response = admin_client.post(incident_update_url(incident), data)

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert incident.resolved_at is not None
    assert incident.updates.first().body == "Back to normal."
    component.refresh_from_db()
    assert component.status == "operational"
    assert OutboxEvent.objects.filter(kind="incident.resolved").count() == 1


def test_incident_update_without_body(admin_client, page):
    incident = services.create_incident(page, "Slow API", body="Slow.")
    data = {"status": "resolved", "impact": "minor", "body": "  "}

    response = admin_client.post(incident_update_url(incident), data)

    assert response.status_code == 200
    assert "body" in response.context["form"].errors
    incident.refresh_from_db()
    assert incident.status == "investigating"
    assert incident.updates.count() == 1


def test_incident_update_page_shows_timeline(admin_client, page):
    incident = services.create_incident(page, "Slow API", body="First look.")
    services.post_incident_update(incident, status="identified", body="Found it.")

    response = admin_client.get(incident_update_url(incident))

    html = response.content.decode()
    assert response.status_code == 200
    assert "First look." in html
    assert "Found it." in html
    assert "Post update" in html


def test_component_status_change_emits_event(admin_client, superuser, component):
    data = {
        "name": "API",
        "description": "",
        "group": "",
        "position": 0,
        "status": "major_outage",
    }

    response = admin_client.post(component_edit_url(component), data)

    assert response.status_code == 302
    component.refresh_from_db()
    assert component.status == "major_outage"
    event = OutboxEvent.objects.get(kind="component.status_changed")
    assert event.payload["component_id"] == component.pk
    assert event.payload["new_status"] == "major_outage"
    assert event.payload["source"] == f"user:{superuser.pk}"


def test_component_rename_emits_no_event(admin_client, component):
    data = {
        "name": "Public API",
        "description": "REST",
        "group": "",
        "position": 0,
        "status": "operational",
    }

    response = admin_client.post(component_edit_url(component), data)

    assert response.status_code == 302
    component.refresh_from_db()
    assert component.name == "Public API"
    assert component.description == "REST"
    assert not OutboxEvent.objects.exists()


def test_component_edit_invalid_name(admin_client, component):
    data = {
        "name": "",
        "description": "",
        "group": "",
        "position": 0,
        "status": "major_outage",
    }

    response = admin_client.post(component_edit_url(component), data)

    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    component.refresh_from_db()
    assert component.name == "API"
    assert component.status == "operational"
    assert not OutboxEvent.objects.exists()


def test_component_create(admin_client, page):
    group = services.create_component_group(page, "Core")
    data = {
        "page": page.pk,
        "name": "Search",
        "description": "",
        "group": group.pk,
        "status": "operational",
    }

    response = admin_client.post(COMPONENTS_ADD, data)

    assert response.status_code == 302
    component = Component.objects.get(name="Search")
    assert component.page == page
    assert component.group == group


def test_component_create_other_page_group(admin_client, page, other_page):
    group = services.create_component_group(other_page, "Elsewhere")
    data = {
        "page": page.pk,
        "name": "Search",
        "description": "",
        "group": group.pk,
        "status": "operational",
    }

    response = admin_client.post(COMPONENTS_ADD, data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["group"] == ["The group belongs to another page."]
    assert "The group belongs to another page." in response.content.decode()
    assert not Component.objects.exists()


def test_component_listing(admin_client, page):
    services.create_component(page, "Search", status="partial_outage")

    response = admin_client.get(reverse("status_components:index"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Search" in html
    assert "Partial outage" in html


def test_incident_listing(admin_client, page):
    services.create_incident(page, "Slow API", body="Slow.", impact="critical")

    response = admin_client.get(reverse("status_incidents:index"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Slow API" in html
    assert "Critical" in html


@pytest.mark.parametrize("viewset", ["status_components"])
def test_delete_view_absent(viewset):
    with pytest.raises(NoReverseMatch):
        reverse(f"{viewset}:delete", args=[1])


def test_admin_requires_login(client, page):
    response = client.get(reverse("status_incidents:index"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_brand_color_rejected_in_page_editor(admin_client, status_page, page):
    data = {
        "title": status_page.title,
        "slug": status_page.slug,
        "core_page": page.pk,
        "brand_color": "red;}body{display:none",
        "intro": "",
        "footer_text": "",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        "theme": "auto",
        "layout": "list",
        "footer_links-TOTAL_FORMS": "0",
        "footer_links-INITIAL_FORMS": "0",
        "footer_links-MIN_NUM_FORMS": "0",
        "footer_links-MAX_NUM_FORMS": "10",
    }

    response = admin_client.post(
        reverse("wagtailadmin_pages:edit", args=[status_page.pk]), data
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["brand_color"]
    status_page.refresh_from_db()
    assert status_page.brand_color == "#1f6feb"


@pytest.mark.parametrize("url", [COMPONENTS_ADD, INCIDENTS_ADD])
def test_add_form_preselects_only_page(admin_client, page, url):
    response = admin_client.get(url)

    assert response.context["form"]["page"].value() == page.pk


@pytest.mark.parametrize("url", [COMPONENTS_ADD, INCIDENTS_ADD])
def test_add_form_no_default_page(admin_client, page, other_page, url):
    response = admin_client.get(url)

    assert response.context["form"]["page"].value() is None


GROUPS_ADD = reverse("status_component_groups:add")


def group_edit_url(group) -> str:
    return reverse("status_component_groups:edit", args=[group.pk])


def test_group_create(admin_client, page):
    services.create_component_group(page, "Core", position=2)
    data = {"page": page.pk, "name": "Extras", "description": "Add-ons"}

    response = admin_client.post(GROUPS_ADD, data)

    assert response.status_code == 302
    group = ComponentGroup.objects.get(name="Extras")
    assert group.page == page
    assert group.description == "Add-ons"
    assert group.position == 3


def test_group_edit(admin_client, page):
    group = services.create_component_group(page, "Core")
    data = {"name": "Platform", "description": "APIs", "position": 7}

    response = admin_client.post(group_edit_url(group), data)

    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Platform"
    assert group.description == "APIs"
    assert group.position == 7


def test_group_edit_empty_name(admin_client, page):
    group = services.create_component_group(page, "Core")
    data = {"name": "", "description": "", "position": 0}

    response = admin_client.post(group_edit_url(group), data)

    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    group.refresh_from_db()
    assert group.name == "Core"


def test_group_listing(admin_client, page):
    services.create_component_group(page, "Core infrastructure")

    response = admin_client.get(reverse("status_component_groups:index"))

    assert response.status_code == 200
    assert "Core infrastructure" in response.content.decode()


def test_component_create_defaults_to_end(admin_client, page, component):
    data = {
        "page": page.pk,
        "name": "Search",
        "description": "",
        "group": "",
        "position": "",
        "status": "operational",
    }

    response = admin_client.post(COMPONENTS_ADD, data)

    assert response.status_code == 302
    assert Component.objects.get(name="Search").position == component.position + 1


def test_component_edit_moves_position(admin_client, component):
    data = {
        "name": "API",
        "description": "",
        "group": "",
        "position": 9,
        "status": "operational",
    }

    response = admin_client.post(component_edit_url(component), data)

    assert response.status_code == 302
    component.refresh_from_db()
    assert component.position == 9


@pytest.fixture
def web(page):
    return services.create_component(page, "Web")


@pytest.fixture
def outage(page, component, web) -> Incident:
    return services.create_incident(
        page,
        "Outage",
        body="Down.",
        component_statuses={component: "major_outage", web: "partial_outage"},
    )


def update_form(**changes) -> dict:
    data = {
        "status": "identified",
        "impact": "major",
        "body": "Found the cause.",
        "component_status": "",
    }
    data.update(changes)
    return data


def test_incident_update_untick_removes(admin_client, outage, component, web):
    data = update_form(components=[component.pk])

    response = admin_client.post(incident_update_url(outage), data)

    assert response.status_code == 302
    assert list(outage.components.all()) == [component]
    web.refresh_from_db()
    assert web.status == "partial_outage"


def test_incident_update_untick_all(admin_client, outage):
    response = admin_client.post(incident_update_url(outage), update_form())

    assert response.status_code == 302
    assert not outage.components.exists()


def test_incident_update_names_affected(admin_client, outage):
    response = admin_client.get(incident_update_url(outage))

    html = response.content.decode()
    assert "Affected now: API, Web." in html
    assert "Untick a component to remove it from this incident." in html


def test_incident_update_escapes_names(admin_client, page):
    evil = services.create_component(page, "<b>evil</b>")
    incident = services.create_incident(
        page, "Outage", body="Down.", component_statuses={evil: "major_outage"}
    )

    response = admin_client.get(incident_update_url(incident))

    html = response.content.decode()
    assert "Affected now: &lt;b&gt;evil&lt;/b&gt;." in html
    assert "<b>evil</b>" not in html


def test_incident_resolve_offers_restore(admin_client, outage):
    response = admin_client.get(incident_update_url(outage))

    assert response.context["form"]["restore_operational"].value() is True


def test_incident_resolve_restores_operational(admin_client, outage, component, web):
    data = update_form(
        status="resolved",
        components=[component.pk, web.pk],
        component_status="degraded_performance",
        restore_operational="on",
    )

    response = admin_client.post(incident_update_url(outage), data)

    assert response.status_code == 302
    component.refresh_from_db()
    web.refresh_from_db()
    assert component.status == "operational"
    assert web.status == "operational"


def test_incident_resolve_without_restore(admin_client, outage, component):
    data = update_form(status="resolved", components=[component.pk])

    response = admin_client.post(incident_update_url(outage), data)

    assert response.status_code == 302
    component.refresh_from_db()
    assert component.status == "major_outage"


def test_restore_ignored_unless_resolved(admin_client, outage, component):
    data = update_form(components=[component.pk], restore_operational="on")

    response = admin_client.post(incident_update_url(outage), data)

    assert response.status_code == 302
    component.refresh_from_db()
    assert component.status == "major_outage"
