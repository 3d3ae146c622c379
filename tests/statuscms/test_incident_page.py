"""The public page of one incident: ``<status page>/incidents/<id>/``."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PillowImage
from wagtail.images import get_image_model

from statuscms.models import IncidentPostmortem
from statuscms.setup import ensure_status_page
from statuscore import services
from statuscore.models import Page


def incident_url(incident) -> str:
    return f"/incidents/{incident.pk}/"


def render(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def between(html: str, start_marker: str, end_marker: str) -> str:
    start = html.index(start_marker)
    return html[start : html.index(end_marker, start)]


@pytest.fixture
def incident(page, status_page):
    api = services.create_component(page, "Public API")
    web = services.create_component(page, "Dashboard")
    started_at = timezone.now() - timedelta(hours=3)
    incident = services.create_incident(
        page,
        "Elevated error rates",
        body="We are **investigating** reports.",
        impact="major",
        component_statuses={api: "partial_outage", web: "degraded_performance"},
        started_at=started_at,
    )
    services.post_incident_update(
        incident,
        status="identified",
        body="A bad deploy; see [the notes](https://example.test/notes).",
        display_at=started_at + timedelta(hours=1),
    )
    services.post_incident_update(
        incident,
        status="monitoring",
        body="Rolled back; watching.",
        display_at=started_at + timedelta(hours=2),
    )
    return incident


def test_incident_page_shows_title_impact_status(client, incident):
    html = render(client, incident_url(incident))

    assert '<h2 class="incident__title">Elevated error rates</h2>' in html
    assert '<dd class="incident__impact">Major</dd>' in html
    assert '<dd class="incident__status">Monitoring</dd>' in html
    assert "<title>Elevated error rates · Acme Status</title>" in html


def test_incident_page_timeline_newest_first(client, incident):
    html = render(client, incident_url(incident))

    timeline = between(html, '<ul class="timeline">', "</ul>")
    newest = timeline.index("Rolled back; watching.")
    middle = timeline.index("A bad deploy")
    oldest = timeline.index("reports.")
    assert newest < middle < oldest
    assert timeline.count('class="update"') == 3


def test_incident_page_renders_markdown(client, incident):
    html = render(client, incident_url(incident))

    assert "<strong>investigating</strong>" in html
    assert 'href="https://example.test/notes"' in html


def test_incident_page_lists_affected_components(client, incident):
    html = render(client, incident_url(incident))

    components = between(html, 'class="incident__affected"', "</section>")
    assert "Public API" in components
    assert "Dashboard" in components


def test_incident_page_times_carry_offset(client, page, status_page):
    page.time_zone = "Europe/Berlin"
    page.save()
    incident = services.create_incident(
        page,
        "Summer outage",
        body="Down.",
        started_at=datetime(2026, 8, 6, 18, 31, 37, tzinfo=UTC),
    )

    html = render(client, incident_url(incident))

    started = between(html, '<time class="incident__started"', "</time>")
    assert 'datetime="2026-08-06T18:31:37Z"' in started
    assert ">6 Aug 2026, 20:31 UTC+02:00" in started
    assert "Times are shown in Europe/Berlin." in html


def test_resolved_incident_shows_resolution_time(client, page, status_page):
    started = datetime(2026, 8, 6, 18, 31, 37, tzinfo=UTC)
    incident = services.create_incident(
        page,
        "Old outage",
        body="It broke and was fixed.",
        started_at=started,
        resolved_at=started + timedelta(hours=1),
    )

    html = render(client, incident_url(incident))

    assert '<dd class="incident__status">Resolved</dd>' in html
    assert 'datetime="2026-08-06T19:31:37Z">6 Aug 2026, 19:31 UTC</time>' in html


def test_incident_of_other_page_is_404(client, status_page, organization):
    other = Page.objects.create(organization=organization, name="Other", slug="other")
    ensure_status_page(other, make_site_root=False)
    foreign = services.create_incident(other, "Elsewhere", body="Not here.")

    response = client.get(incident_url(foreign))

    assert response.status_code == 404


def test_non_public_incident_is_404(client, page, status_page):
    hidden = services.create_incident(
        page, "Waiting for approval", body="Auto-opened.", is_public=False
    )

    response = client.get(incident_url(hidden))

    assert response.status_code == 404


def test_approved_incident_is_served(client, page, status_page, superuser):
    hidden = services.create_incident(
        page, "Waiting for approval", body="Auto-opened.", is_public=False
    )
    services.approve_incident(hidden, actor=superuser)

    response = client.get(incident_url(hidden))

    assert response.status_code == 200


def test_unknown_incident_is_404(client, status_page):
    response = client.get("/incidents/999999/")

    assert response.status_code == 404


def test_incident_page_rejects_post(client, incident):
    response = client.post(incident_url(incident))

    assert response.status_code == 405


def add_postmortem(status_page, incident, *, live: bool) -> IncidentPostmortem:
    postmortem = IncidentPostmortem(
        title="What broke the API",
        slug=f"postmortem-{incident.pk}",
        incident=incident,
        summary="A full disk stopped the queue.",
        body=[
            ("heading", "Root cause"),
            ("paragraph", "<p>The disk <b>filled</b>.</p>"),
            (
                "timeline_entry",
                {
                    "time": datetime(2026, 8, 6, 18, 31, tzinfo=UTC),
                    "text": "Queue stops.",
                },
            ),
            ("quote", {"quote": "We saw it at once.", "attribution": "Ops"}),
        ],
        live=live,
    )
    status_page.add_child(instance=postmortem)
    if live:
        postmortem.save_revision().publish()
    return postmortem


def test_live_postmortem_is_shown(client, status_page, incident):
    add_postmortem(status_page, incident, live=True)

    html = render(client, incident_url(incident))

    postmortem = between(html, '<section class="postmortem"', "</section>")
    assert "Postmortem: What broke the API" in postmortem
    assert "A full disk stopped the queue." in postmortem
    assert '<h4 class="postmortem__heading">Root cause</h4>' in postmortem
    assert "The disk <b>filled</b>." in postmortem
    assert "We saw it at once." in postmortem


def test_postmortem_times_in_page_zone(client, page, status_page, incident):
    page.time_zone = "Asia/Kolkata"
    page.save()
    add_postmortem(status_page, incident, live=True)

    html = render(client, incident_url(incident))

    postmortem = between(html, '<section class="postmortem"', "</section>")
    expected = 'datetime="2026-08-06T18:31:00Z">7 Aug 2026, 00:01 UTC+05:30</time>'
    assert expected in postmortem


def test_draft_postmortem_is_not_shown(client, status_page, incident):
    add_postmortem(status_page, incident, live=False)

    html = render(client, incident_url(incident))

    assert '<section class="postmortem"' not in html
    assert "What broke the API" not in html


def test_postmortem_figure_keeps_image(
    client, settings, tmp_path, status_page, incident
):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    PillowImage.new("RGB", (8, 8), "white").save(buffer, "PNG")
    image = get_image_model().objects.create(
        title="Graph", file=ImageFile(buffer, name="graph.png")
    )
    postmortem = add_postmortem(status_page, incident, live=False)
    postmortem.body = [("image", {"image": image, "caption": "Error rate"})]
    postmortem.save_revision().publish()

    html = render(client, incident_url(incident))

    postmortem_html = between(html, '<section class="postmortem"', "</section>")
    assert f'src="{settings.MEDIA_URL}images/graph' in postmortem_html
    assert 'alt="Error rate"' in postmortem_html
    assert "<figcaption>Error rate</figcaption>" in postmortem_html
