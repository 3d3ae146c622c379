"""Semantic HTML of the public pages: landmarks, heading order, text for colour."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from statuscms.postmortems import IncidentPostmortem
from statuscore import services


class Outline(HTMLParser):
    """Collect the landmarks, heading levels and ids of a document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.headings: list[int] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self.tags.append(tag)
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        if values.get("id"):
            self.ids.add(values["id"])


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def skipped_levels(levels: list[int]) -> list[tuple[int, int]]:
    """Return each pair of headings where the level goes down by more than one."""
    return [
        (before, after)
        for before, after in zip(levels, levels[1:], strict=False)
        if after > before + 1
    ]


@pytest.fixture
def incident(page, component):
    return services.create_incident(
        page,
        "Checkout failing",
        body="Looking.",
        impact="major",
        component_statuses={component: "partial_outage"},
    )


@pytest.fixture
def postmortem(status_page, incident) -> IncidentPostmortem:
    postmortem = IncidentPostmortem(
        title="What broke checkout",
        slug="checkout-postmortem",
        incident=incident,
        body=[("heading", "Root cause"), ("paragraph", "<p>A full disk.</p>")],
        live=True,
    )
    status_page.add_child(instance=postmortem)
    postmortem.save_revision().publish()
    return postmortem


def public_paths(incident, postmortem) -> list[str]:
    return ["/", f"/incidents/{incident.pk}/", "/history/", postmortem.url]


def test_pages_have_landmarks(client, status_page, incident, postmortem):
    for path in public_paths(incident, postmortem):
        tags = outline(client.get(path).content.decode()).tags

        assert "header" in tags, path
        assert "main" in tags, path
        assert "footer" in tags, path


def test_headings_do_not_skip_levels(client, status_page, incident, postmortem):
    for path in public_paths(incident, postmortem):
        levels = outline(client.get(path).content.decode()).headings

        assert levels[0] == 1, path
        assert levels.count(1) == 1, path
        assert skipped_levels(levels) == [], path


def test_skip_link_target_exists(client, status_page):
    html = client.get("/").content.decode()

    assert 'class="skip-link" href="#main"' in html
    assert "main" in outline(html).ids


def test_subpages_have_navigation(client, status_page, incident):
    for path in (f"/incidents/{incident.pk}/", "/history/"):
        tags = outline(client.get(path).content.decode()).tags

        assert "nav" in tags, path


def test_status_is_written_not_only_coloured(client, status_page, incident):
    html = client.get("/").content.decode()

    assert "Major impact" in html
    assert "Partial outage" in html
