"""The embeddable status widget: the embed/ page and widget.js."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from statuscore import services
from tests.statuscms.feed_inputs import CANONICAL_URL


@pytest.fixture
def canonical(page, status_page):
    page.url = CANONICAL_URL
    page.save(update_fields=["url"])
    status_page.core_page.refresh_from_db()
    return status_page


@pytest.mark.django_db
def test_embed_may_be_framed(client, canonical):
    response = client.get("/embed/")

    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/feed.rss", "/feed.atom", "/maintenances.ics", "/badge.svg"]
)
def test_other_routes_refuse_framing(client, canonical, path):
    response = client.get(path)

    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors *" not in response.get("Content-Security-Policy", "")


@pytest.mark.django_db
def test_embed_shows_status_and_links_page(client, canonical, component):
    services.set_component_status(component, "major_outage", source="user:1")

    html = client.get("/embed/", HTTP_HOST="other.example").content.decode()

    assert "Major System Outage" in html
    assert "status-embed--critical" in html
    assert f'href="{CANONICAL_URL}"' in html


@pytest.mark.django_db
def test_embed_escapes_page_name(client, canonical):
    canonical.title = '<img src=x onerror=alert(1)> "R&D"'
    canonical.save_revision().publish()

    html = client.get("/embed/").content.decode()

    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.django_db
def test_embed_runs_no_script(client, canonical):
    response = client.get("/embed/")

    assert "<script" not in response.content.decode()
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_widget_script_is_a_static_file():
    path = finders.find("statuscms/js/widget.js")

    assert path is not None
    assert "embed/" in Path(path).read_text()
