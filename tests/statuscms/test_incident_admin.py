"""The incident screens driven as an editor who signed in through the admin
login form: create, update, resolve, backfill, templates, editing and
deleting updates, and bad input that must store nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from statuscms.incident_templates import IncidentTemplate
from statuscore import services
from statuscore.models import (
    Incident,
    IncidentUpdate,
    Organization,
    OutboxEvent,
    Page,
)

INCIDENTS_ADD = reverse("status_incidents:add")
BERLIN = "Europe/Berlin"


def url(name: str, pk: int) -> str:
    return reverse(f"status_incidents:{name}", args=[pk])


def shown_in_berlin(instant: datetime) -> str:
    """Write ``instant`` the way the admin should: Berlin wall clock and offset."""
    local = instant.astimezone(ZoneInfo(BERLIN))
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]} ({BERLIN})"


@pytest.fixture
def berlin_page(page) -> Page:
    page = services.update_page(page, time_zone=BERLIN)
    # The tests count the events that the admin writes, not the setup's.
    OutboxEvent.objects.filter(kind="page.updated").delete()
    return page


@pytest.fixture
def api(berlin_page):
    return services.create_component(berlin_page, "API")


@pytest.fixture
def web(berlin_page):
    return services.create_component(berlin_page, "Web")


@pytest.fixture
def foreign_page(db) -> Page:
    other = Organization.objects.create(name="Other team", slug="other-team")
    return Page.objects.create(organization=other, name="Theirs", slug="theirs")


def events(kind: str) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(kind=kind).order_by("id"))


def create_form(page, **changes) -> dict:
    data = {
        "page": page.pk,
        "name": "Checkout failing",
        "impact": "major",
        "status": "investigating",
        "body": "Payments fail for **some** customers.",
        "notify_subscribers": "on",
        "component_status": "",
    }
    data.update(changes)
    return data


def test_editor_creates_updates_and_resolves(
    editor_client, editor, status_page, berlin_page, api, web
):
    data = create_form(
        berlin_page,
        components=[api.pk, web.pk],
        **{
            f"component_{api.pk}_status": "major_outage",
            f"component_{web.pk}_status": "degraded_performance",
        },
    )
    response = editor_client.post(INCIDENTS_ADD, data)

    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.name == "Checkout failing"
    assert incident.impact == "major"
    assert set(incident.components.all()) == {api, web}
    api.refresh_from_db()
    web.refresh_from_db()
    assert api.status == "major_outage"
    assert web.status == "degraded_performance"
    first = incident.updates.get()
    assert first.created_by == editor
    assert first.notify_subscribers is True
    created = events("incident.created")
    assert len(created) == 1
    assert created[0].payload["component_ids"] == sorted([api.pk, web.pk])
    assert "Checkout failing" in editor_client.get("/").content.decode()

    update = {
        "status": "identified",
        "impact": "major",
        "body": "A certificate expired.",
        "components": [api.pk, web.pk],
        "component_status": "",
    }
    response = editor_client.post(url("edit", incident.pk), update)

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "identified"
    second = incident.updates.order_by("id").last()
    assert second.body == "A certificate expired."
    assert second.notify_subscribers is False
    updated = events("incident.updated")
    assert len(updated) == 1
    assert updated[0].payload["notify_subscribers"] is False

    resolve = {
        "body": "Renewed the certificate.",
        "restore_components": "on",
        "notify_subscribers": "on",
    }
    response = editor_client.post(url("resolve", incident.pk), resolve)

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert incident.resolved_at is not None
    api.refresh_from_db()
    web.refresh_from_db()
    assert api.status == "operational"
    assert web.status == "operational"
    assert len(events("incident.resolved")) == 1
    assert incident.updates.count() == 3

    html = editor_client.get(url("edit", incident.pk)).content.decode()
    for entry in incident.updates.all():
        assert shown_in_berlin(entry.display_at) in html
    assert "Renewed the certificate." in html


def test_resolve_can_leave_components(editor_client, berlin_page, api):
    incident = services.create_incident(
        berlin_page, "Slow", body="Slow.", component_statuses={api: "partial_outage"}
    )
    data = {"body": "Fixed, API still watched.", "notify_subscribers": "on"}

    response = editor_client.post(url("resolve", incident.pk), data)

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "resolved"
    api.refresh_from_db()
    assert api.status == "partial_outage"


def test_resolve_form_offers_restore(editor_client, berlin_page):
    incident = services.create_incident(berlin_page, "Slow", body="Slow.")

    response = editor_client.get(url("resolve", incident.pk))

    assert response.status_code == 200
    assert response.context["form"]["restore_components"].value() is True
    assert "Return affected components to operational" in response.content.decode()


def test_backfill_reads_times_in_page_zone(editor_client, settings, berlin_page, api):
    settings.TIME_ZONE = "America/New_York"
    data = create_form(
        berlin_page,
        components=[api.pk],
        started_at="2025-03-29T23:30",
        resolved_at="2025-03-30T03:30",
    )

    response = editor_client.post(INCIDENTS_ADD, data)

    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.status == "resolved"
    assert incident.started_at == datetime(2025, 3, 29, 22, 30, tzinfo=UTC)
    assert incident.resolved_at == datetime(2025, 3, 30, 1, 30, tzinfo=UTC)
    api.refresh_from_db()
    assert api.status == "operational"
    html = editor_client.get(url("edit", incident.pk)).content.decode()
    assert "2025-03-29 23:30 +01:00 (Europe/Berlin)" in html
    assert "2025-03-30 03:30 +02:00 (Europe/Berlin)" in html


def test_add_form_names_page_zone(editor_client, berlin_page):
    response = editor_client.get(INCIDENTS_ADD)

    form = response.context["form"]
    assert form["started_at"].label == "Started (Europe/Berlin)"
    assert form["resolved_at"].label == "Resolved (Europe/Berlin)"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"started_at": "2025-03-30T02:30"}, "started_at"),
        ({"started_at": "2025-10-26T02:30"}, "started_at"),
        ({"resolved_at": "2025-03-30T03:30"}, "started_at"),
        (
            {"started_at": "2025-03-30T05:00", "resolved_at": "2025-03-30T04:00"},
            "resolved_at",
        ),
        ({"started_at": "yesterday"}, "started_at"),
        (
            {
                "started_at": "2025-03-30T04:00",
                "resolved_at": "2025-03-30T05:00",
                "component_status": "major_outage",
            },
            "component_status",
        ),
        ({"template": "999"}, "template"),
        ({"body": " "}, "body"),
    ],
)
def test_bad_create_input_stores_nothing(
    editor_client, berlin_page, api, changes, field
):
    data = create_form(berlin_page, components=[api.pk], **changes)
    # Setting up the page wrote page.updated events already.
    events_before = OutboxEvent.objects.count()

    response = editor_client.post(INCIDENTS_ADD, data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Incident.objects.exists()
    assert OutboxEvent.objects.count() == events_before


def test_gap_error_explains(editor_client, berlin_page):
    data = create_form(berlin_page, started_at="2025-03-30T02:30")

    response = editor_client.post(INCIDENTS_ADD, data)

    errors = response.context["form"].errors["started_at"]
    assert errors == [
        "2025-03-30 02:30 does not exist in Europe/Berlin: the clocks skip that "
        "hour. Enter a time after the change."
    ]


def test_explicit_offset_resolves_overlap(editor_client, berlin_page):
    data = create_form(
        berlin_page,
        started_at="2025-10-26T02:30+02:00",
        resolved_at="2025-10-26T02:30+01:00",
    )

    response = editor_client.post(INCIDENTS_ADD, data)

    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.started_at == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
    assert incident.resolved_at == datetime(2025, 10, 26, 1, 30, tzinfo=UTC)


def test_component_of_same_org_other_page(
    editor_client, organization, berlin_page, api
):
    sibling = Page.objects.create(organization=organization, name="Sib", slug="sib")
    elsewhere = services.create_component(sibling, "Elsewhere")
    data = create_form(
        berlin_page,
        components=[api.pk, elsewhere.pk],
        component_status="major_outage",
    )

    response = editor_client.post(INCIDENTS_ADD, data)

    assert response.status_code == 200
    errors = response.context["form"].errors["components"]
    assert errors == [f"Component {elsewhere.pk} belongs to another page."]
    assert not Incident.objects.exists()
    api.refresh_from_db()
    assert api.status == "operational"


def test_component_of_other_org_not_offered(
    editor_client, berlin_page, api, foreign_page
):
    theirs = services.create_component(foreign_page, "Their API")
    data = create_form(berlin_page, components=[api.pk, theirs.pk])

    page_html = editor_client.get(INCIDENTS_ADD).content.decode()
    response = editor_client.post(INCIDENTS_ADD, data)

    assert "Their API" not in page_html
    assert "components" in response.context["form"].errors
    assert not Incident.objects.exists()


def test_template_prefills_add_form(editor_client, berlin_page):
    template = IncidentTemplate.objects.create(
        name="Database down",
        title="Database unavailable",
        impact="critical",
        body="We cannot reach the database.",
        page=berlin_page,
    )

    listing = editor_client.get(INCIDENTS_ADD)
    response = editor_client.get(f"{INCIDENTS_ADD}?template={template.pk}")

    assert f'href="{INCIDENTS_ADD}?template={template.pk}"' in listing.content.decode()
    assert response.status_code == 200
    form = response.context["form"]
    assert form["name"].value() == "Database unavailable"
    assert form["impact"].value() == "critical"
    assert form["body"].value() == "We cannot reach the database."
    assert form["page"].value() == berlin_page.pk
    assert form["template"].value() == template.pk


def test_unknown_template_id_names_field(editor_client, berlin_page):
    response = editor_client.get(f"{INCIDENTS_ADD}?template=999")

    assert response.status_code == 400
    errors = response.context["form"].errors["template"]
    assert errors == [
        "No incident template has the id '999'. Choose one from the list."
    ]
    assert "No incident template has the id" in response.content.decode()


def test_other_org_template_not_found(editor_client, berlin_page, foreign_page):
    template = IncidentTemplate.objects.create(
        name="Theirs", title="Their outage", impact="minor", body="x", page=foreign_page
    )

    response = editor_client.get(f"{INCIDENTS_ADD}?template={template.pk}")

    assert response.status_code == 400
    assert "template" in response.context["form"].errors
    assert response.context["form"]["name"].value() is None


@pytest.fixture
def outage(berlin_page, api):
    incident = services.create_incident(
        berlin_page,
        "Outage",
        body="Down.",
        component_statuses={api: "major_outage"},
        started_at=datetime(2025, 6, 30, 12, 0, tzinfo=UTC),
    )
    services.post_incident_update(incident, status="identified", body="Found it.")
    return incident


def test_edit_update_in_page_zone(editor_client, settings, outage):
    settings.TIME_ZONE = "America/New_York"
    update = outage.updates.get(body="Found it.")
    edit_url = reverse("status_incidents:update_edit", args=[update.pk])

    page = editor_client.get(edit_url)
    data = {
        "status": "monitoring",
        "body": "Found the cause.",
        "display_at": "2025-07-01T14:05",
    }
    response = editor_client.post(edit_url, data)

    assert page.status_code == 200
    assert page.context["form"]["display_at"].label == "Shown at (Europe/Berlin)"
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.body == "Found the cause."
    assert update.status == "monitoring"
    assert update.display_at == datetime(2025, 7, 1, 12, 5, tzinfo=UTC)
    assert update.edited_at is not None
    assert len(events("incident.update_edited")) == 1


def test_edit_update_rejects_gap(editor_client, outage):
    update = outage.updates.get(body="Found it.")
    before = update.display_at
    edit_url = reverse("status_incidents:update_edit", args=[update.pk])
    data = {
        "status": "identified",
        "body": "Changed.",
        "display_at": "2025-03-30T02:15",
    }

    response = editor_client.post(edit_url, data)

    assert response.status_code == 200
    assert "display_at" in response.context["form"].errors
    update.refresh_from_db()
    assert update.body == "Found it."
    assert update.display_at == before


def test_delete_update_after_confirmation(editor_client, outage):
    update = outage.updates.get(body="Found it.")
    delete_url = reverse("status_incidents:update_delete", args=[update.pk])

    confirm = editor_client.get(delete_url)
    response = editor_client.post(delete_url)

    assert confirm.status_code == 200
    assert "Yes, delete this update" in confirm.content.decode()
    assert response.status_code == 302
    assert not IncidentUpdate.objects.filter(pk=update.pk).exists()
    assert outage.updates.count() == 1
    assert len(events("incident.update_deleted")) == 1


def test_delete_incident_after_confirmation(editor_client, outage):
    delete_url = url("delete", outage.pk)

    confirm = editor_client.get(delete_url)
    response = editor_client.post(delete_url)

    assert confirm.status_code == 200
    assert response.status_code == 302
    assert not Incident.objects.filter(pk=outage.pk).exists()
    assert len(events("incident.deleted")) == 1


def test_details_edit_moves_start(editor_client, outage):
    data = {
        "name": "Outage of the API",
        "impact": "critical",
        "started_at": "2025-06-30T09:00",
    }

    response = editor_client.post(url("details", outage.pk), data)

    assert response.status_code == 302
    outage.refresh_from_db()
    assert outage.name == "Outage of the API"
    assert outage.impact == "critical"
    assert outage.started_at == datetime(2025, 6, 30, 7, 0, tzinfo=UTC)


def test_other_org_incident_not_found(editor_client, berlin_page, foreign_page):
    theirs = services.create_incident(foreign_page, "Their outage", body="Down.")
    update = theirs.updates.get()

    urls = [
        url("edit", theirs.pk),
        url("resolve", theirs.pk),
        url("details", theirs.pk),
        url("delete", theirs.pk),
        reverse("status_incidents:update_edit", args=[update.pk]),
        reverse("status_incidents:update_delete", args=[update.pk]),
    ]
    listing = editor_client.get(reverse("status_incidents:index"))

    assert "Their outage" not in listing.content.decode()
    assert "Theirs" not in listing.content.decode()
    for address in urls:
        assert editor_client.get(address).status_code == 404, address
        assert editor_client.post(address, {"body": "x"}).status_code == 404, address
    assert Incident.objects.filter(pk=theirs.pk).exists()
    assert theirs.updates.count() == 1


def test_editor_adds_template_snippet(editor_client, berlin_page):
    add_url = reverse("wagtailsnippets_statuscms_incidenttemplate:add")
    data = {
        "name": "API slow",
        "page": berlin_page.pk,
        "title": "API responses are slow",
        "impact": "minor",
        "body": "We are looking into slow responses.",
    }

    response = editor_client.post(add_url, data)

    assert response.status_code == 302
    template = IncidentTemplate.objects.get()
    assert template.title == "API responses are slow"
    assert template.page == berlin_page


def test_template_listing_hides_other_orgs(editor_client, berlin_page, foreign_page):
    IncidentTemplate.objects.create(
        name="Ours", title="Our outage", impact="minor", body="x", page=berlin_page
    )
    theirs = IncidentTemplate.objects.create(
        name="Theirs", title="Their outage", impact="minor", body="x", page=foreign_page
    )
    index_url = reverse("wagtailsnippets_statuscms_incidenttemplate:list")
    edit_url = reverse(
        "wagtailsnippets_statuscms_incidenttemplate:edit", args=[theirs.pk]
    )

    html = editor_client.get(index_url).content.decode()

    assert "Ours" in html
    assert "Theirs" not in html
    assert editor_client.get(edit_url).status_code == 404


def test_template_form_offers_own_pages(editor_client, berlin_page, foreign_page):
    add_url = reverse("wagtailsnippets_statuscms_incidenttemplate:add")
    data = {
        "name": "Borrowed",
        "page": foreign_page.pk,
        "title": "Their outage",
        "impact": "minor",
        "body": "x",
    }

    response = editor_client.post(add_url, data)

    assert response.status_code == 200
    assert "page" in response.context["form"].errors
    assert not IncidentTemplate.objects.exists()


def test_timeline_renders_markdown_inert(editor_client, berlin_page):
    body = "Fixed **now**.\n\n<script>alert(1)</script> [x](javascript:alert(2))"
    incident = services.create_incident(berlin_page, "<b>Title</b>", body=body)

    html = editor_client.get(url("edit", incident.pk)).content.decode()

    assert "Fixed <strong>now</strong>." in html
    assert "<script>alert(1)</script>" not in html
    assert 'href="javascript:' not in html
    assert "<b>Title</b>" not in html


def posted_back(form) -> dict:
    """The data a browser sends for ``form`` when the editor changes nothing."""
    data = {}
    for bound in form:
        value = bound.value()
        if isinstance(value, datetime):
            value = bound.field.widget.format_value(value)
        if value is not None:
            data[bound.name] = value
    return data


@pytest.fixture
def same_minute_outage(berlin_page, api):
    """An incident whose update and resolution fall in the minute it started."""
    incident = services.create_incident(
        berlin_page,
        "Blip",
        body="Down.",
        started_at=datetime(2026, 12, 4, 23, 22, 10, 123456, tzinfo=UTC),
    )
    services.post_incident_update(
        incident,
        status="identified",
        body="Found it.",
        display_at=datetime(2026, 12, 4, 23, 22, 40, 654321, tzinfo=UTC),
    )
    return incident


def test_unchanged_update_form_saves_and_keeps_seconds(
    editor_client, same_minute_outage
):
    update = same_minute_outage.updates.get(body="Found it.")
    before = update.display_at
    edit_url = reverse("status_incidents:update_edit", args=[update.pk])

    form = editor_client.get(edit_url).context["form"]
    response = editor_client.post(edit_url, posted_back(form))

    assert response.status_code == 302
    update.refresh_from_db()
    assert update.display_at == before
    assert before.microsecond == 654321


def test_unchanged_details_form_saves_and_keeps_seconds(
    editor_client, same_minute_outage
):
    incident = same_minute_outage
    services.resolve_incident(incident, body="Back.")
    incident.refresh_from_db()
    started, resolved = incident.started_at, incident.resolved_at
    details_url = reverse("status_incidents:details", args=[incident.pk])

    form = editor_client.get(details_url).context["form"]
    response = editor_client.post(details_url, posted_back(form))

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.started_at == started
    assert incident.resolved_at == resolved
    assert started.microsecond == 123456


def test_out_of_range_start_is_field_error(editor_client, berlin_page):
    data = create_form(berlin_page, started_at="0001-01-01T00:30")

    response = editor_client.post(INCIDENTS_ADD, data)

    assert response.status_code == 200
    assert "started_at" in response.context["form"].errors
    assert not Incident.objects.filter(name="Checkout failing").exists()


def test_out_of_range_details_start_is_field_error(editor_client, outage):
    details_url = reverse("status_incidents:details", args=[outage.pk])
    data = {"name": "Outage", "impact": "major", "started_at": "0001-01-01T00:30"}

    response = editor_client.post(details_url, data)

    assert response.status_code == 200
    assert "started_at" in response.context["form"].errors
