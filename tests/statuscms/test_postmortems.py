"""Postmortem pages, driven through the Wagtail admin as an editor."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from wagtail.models import Page as WagtailPage
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from statuscms.models import IncidentPostmortem
from statuscms.setup import ensure_status_page
from statuscore import services
from statuscore.exceptions import ValidationFailed
from statuscore.models import Incident, OutboxEvent, Page
from statuscore.services.tokens import issue_token_pair
from tests.statuscore.accounts import make_member


@pytest.fixture
def incident(page) -> Incident:
    return services.create_incident(page, "Checkout failing", body="Looking into it.")


@pytest.fixture
def other_incident(organization) -> Incident:
    other = Page.objects.create(organization=organization, name="Other", slug="other")
    return services.create_incident(other, "Other page's incident", body="Elsewhere.")


def add_url(status_page) -> str:
    return reverse(
        "wagtailadmin_pages:add",
        args=["statuscms", "incidentpostmortem", status_page.pk],
    )


def postmortem_form(incident, **changes) -> dict:
    data = nested_form_data(
        {
            "title": "What broke checkout",
            "slug": "checkout-postmortem",
            "incident": incident.pk,
            "summary": "A full disk stopped the payment queue.",
            "body": streamfield(
                [
                    ("heading", "Timeline"),
                    (
                        "timeline_entry",
                        {"time": "2026-08-06 18:31", "text": "Queue stops."},
                    ),
                    ("paragraph", rich_text("<p>The disk <b>filled</b>.</p>")),
                    ("quote", {"quote": "We saw it at once.", "attribution": "Ops"}),
                ]
            ),
        }
    )
    data.update(changes)
    return data


def test_postmortem_saved_as_draft_is_not_live(
    admin_client, status_page, incident, client
):
    response = admin_client.post(add_url(status_page), postmortem_form(incident))

    assert response.status_code == 302
    postmortem = IncidentPostmortem.objects.get(incident=incident)
    assert postmortem.live is False
    assert postmortem.has_unpublished_changes is True
    assert postmortem.revisions.count() == 1
    incident.refresh_from_db()
    assert incident.postmortem_page == postmortem


def test_postmortem_preview_renders_body(admin_client, status_page, incident):
    admin_client.post(add_url(status_page), postmortem_form(incident))
    postmortem = IncidentPostmortem.objects.get(incident=incident)
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[postmortem.pk])

    changed = postmortem_form(incident, summary="Updated summary <script>x</script>")
    posted = admin_client.post(preview_url, changed)
    shown = admin_client.get(preview_url)

    assert posted.json()["is_valid"] is True
    assert shown.status_code == 200
    html = shown.content.decode()
    assert "Updated summary &lt;script&gt;" in html
    assert "<b>filled</b>" in html
    assert "We saw it at once." in html
    assert "Checkout failing" in html
    postmortem.refresh_from_db()
    assert postmortem.summary == "A full disk stopped the payment queue."


def test_postmortem_publish_serves_page_and_emits_nothing(
    admin_client, status_page, incident, client
):
    events_before = OutboxEvent.objects.count()
    data = postmortem_form(incident, **{"action-publish": "action-publish"})

    response = admin_client.post(add_url(status_page), data)

    assert response.status_code == 302
    postmortem = IncidentPostmortem.objects.get(incident=incident)
    assert postmortem.live is True
    assert OutboxEvent.objects.count() == events_before
    public = client.get(postmortem.url)
    assert public.status_code == 200
    assert "A full disk stopped the payment queue." in public.content.decode()


def test_postmortem_revisions_keep_each_version(admin_client, status_page, incident):
    admin_client.post(add_url(status_page), postmortem_form(incident))
    postmortem = IncidentPostmortem.objects.get(incident=incident)
    edit_url = reverse("wagtailadmin_pages:edit", args=[postmortem.pk])

    admin_client.post(edit_url, postmortem_form(incident, summary="Second draft."))
    history = admin_client.get(
        reverse("wagtailadmin_pages:history", args=[postmortem.pk])
    )
    first, second = postmortem.revisions.order_by("pk")
    compare = admin_client.get(
        reverse(
            "wagtailadmin_pages:revisions_compare",
            args=[postmortem.pk, first.pk, second.pk],
        )
    )

    assert postmortem.revisions.count() == 2
    assert history.status_code == 200
    assert compare.status_code == 200
    assert "Second draft." in compare.content.decode()


def test_postmortem_rejects_other_pages_incident(
    admin_client, status_page, other_incident
):
    response = admin_client.post(add_url(status_page), postmortem_form(other_incident))

    assert response.status_code == 200
    assert "incident" in response.context["form"].errors
    assert not IncidentPostmortem.objects.exists()


def test_postmortem_chooser_lists_only_parent_incidents(
    admin_client, status_page, incident, other_incident
):
    response = admin_client.get(add_url(status_page))

    choices = response.context["form"].fields["incident"].queryset
    assert list(choices) == [incident]


def test_second_postmortem_for_incident_rejected(admin_client, status_page, incident):
    admin_client.post(add_url(status_page), postmortem_form(incident))

    second = postmortem_form(incident, slug="another-postmortem")
    response = admin_client.post(add_url(status_page), second)

    assert response.status_code == 200
    errors = response.context["form"].errors["incident"]
    assert "already has a postmortem" in errors[0]
    assert IncidentPostmortem.objects.count() == 1


def test_postmortem_only_under_status_page(status_page):
    root = WagtailPage.get_first_root_node()

    assert IncidentPostmortem.can_create_at(status_page) is True
    assert IncidentPostmortem.can_create_at(root) is False


def test_postmortem_of_each_status_page_offers_its_incidents(
    admin_client, status_page, other_incident
):
    other_status_page = ensure_status_page(other_incident.page)

    response = admin_client.get(add_url(other_status_page))

    choices = response.context["form"].fields["incident"].queryset
    assert list(choices) == [other_incident]


def test_incident_with_postmortem_not_deletable(admin_client, status_page, incident):
    admin_client.post(add_url(status_page), postmortem_form(incident))
    deleted_events = OutboxEvent.objects.filter(kind="incident.deleted")

    with pytest.raises(ValidationFailed) as raised:
        services.delete_incident(incident)

    assert raised.value.errors == {
        "incident": ["Delete the incident's postmortem page first."]
    }
    assert Incident.objects.filter(pk=incident.pk).exists()
    assert not deleted_events.exists()


def test_admin_delete_of_incident_with_postmortem_explains(
    admin_client, status_page, incident
):
    admin_client.post(add_url(status_page), postmortem_form(incident))

    response = admin_client.post(reverse("status_incidents:delete", args=[incident.pk]))

    assert response.status_code == 200
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert shown[-1] == "Delete the incident's postmortem page first."
    assert Incident.objects.filter(pk=incident.pk).exists()


def test_api_delete_of_incident_with_postmortem_names_incident(
    admin_client, status_page, incident, organization
):
    admin_client.post(add_url(status_page), postmortem_form(incident))
    owner = make_member(organization, "owner", "api-owner")
    token = issue_token_pair(owner).access_token

    response = Client().delete(
        f"/api/v1/incidents/{incident.pk}",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert [field["field"] for field in fields] == ["incident"]
    assert fields[0]["message"] == "Delete the incident's postmortem page first."
    assert Incident.objects.filter(pk=incident.pk).exists()


def test_postmortem_shows_times_in_page_zone(
    admin_client, settings, status_page, page, client
):
    settings.TIME_ZONE = "UTC"
    services.update_page(page, time_zone="Europe/Berlin")
    incident = services.create_incident(
        page,
        "Checkout failing",
        body="Looking into it.",
        started_at=datetime(2026, 8, 6, 18, 0, tzinfo=UTC),
    )
    data = postmortem_form(incident, **{"action-publish": "action-publish"})

    admin_client.post(add_url(status_page), data)
    html = client.get(IncidentPostmortem.objects.get().url).content.decode()

    assert "6 Aug 2026, 20:00 UTC+02:00" in html
    assert "6 Aug 2026, 20:31 UTC+02:00" in html
    assert 'datetime="2026-08-06T18:31:00Z"' in html
