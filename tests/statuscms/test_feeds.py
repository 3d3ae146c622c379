"""RSS and Atom feeds of a status page's public incidents."""

from __future__ import annotations

import email.utils
from datetime import datetime

import defusedxml.ElementTree as SafeET
import feedparser
import pytest

from statuscms.feeds import FEED_ENTRIES, RssIncidentFeed
from statuscore import services
from statuscore.models import IncidentUpdate
from tests.statuscms.feed_inputs import (
    CANONICAL_URL,
    HOSTILE_BODY,
    HOSTILE_TITLE,
)

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def canonical(page, status_page):
    page.url = CANONICAL_URL
    page.save(update_fields=["url"])
    status_page.core_page.refresh_from_db()
    return status_page


@pytest.fixture
def hostile_incident(page, canonical):
    """An incident with the title and update body that broke feeds, resolved."""
    incident = services.create_incident(page, HOSTILE_TITLE, body=HOSTILE_BODY)
    services.resolve_incident(incident, body="resolved")
    return incident


@pytest.fixture
def private_incident(page, canonical):
    return services.create_incident(
        page, "Waiting for approval", body="secret", is_public=False
    )


def fetch(client, path: str, **headers):
    # A Host other than the canonical one: links must not follow it.
    return client.get(path, HTTP_HOST="other.example", **headers)


def rss_items(content: bytes) -> list:
    return SafeET.fromstring(content).find("channel").findall("item")


def atom_entries(content: bytes) -> list:
    return SafeET.fromstring(content).findall(f"{ATOM}entry")


# -- RSS -----------------------------------------------------------------------


@pytest.mark.django_db
def test_rss_parses_with_strict_parser(client, hostile_incident):
    response = fetch(client, "/feed.rss")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    root = SafeET.fromstring(response.content)
    assert root.tag == "rss"
    assert root.get("version") == "2.0"


@pytest.mark.django_db
def test_rss_channel_has_required_elements(client, hostile_incident):
    channel = SafeET.fromstring(fetch(client, "/feed.rss").content).find("channel")

    assert channel.findtext("title") == "Acme Status"
    assert channel.findtext("link") == CANONICAL_URL
    assert channel.findtext("description")


@pytest.mark.django_db
def test_rss_self_link_is_canonical(client, hostile_incident):
    channel = SafeET.fromstring(fetch(client, "/feed.rss").content).find("channel")
    self_link = channel.find(f"{ATOM}link")

    assert self_link.get("rel") == "self"
    assert self_link.get("href") == CANONICAL_URL + "feed.rss"


@pytest.mark.django_db
def test_rss_lists_every_update(client, hostile_incident):
    items = rss_items(fetch(client, "/feed.rss").content)
    titles = [item.findtext("title") for item in items]

    assert titles == [
        f"Resolved: {HOSTILE_TITLE}",
        f"Investigating: {HOSTILE_TITLE}",
    ]


@pytest.mark.django_db
def test_rss_description_strips_control_characters(client, hostile_incident):
    first_update = rss_items(fetch(client, "/feed.rss").content)[1]
    description = first_update.findtext("description")

    assert "\x0b" not in description
    assert "\x00" not in description
    assert "Investigating the API" in description


@pytest.mark.django_db
def test_rss_description_is_rendered_markdown(client, hostile_incident):
    first_update = rss_items(fetch(client, "/feed.rss").content)[1]
    description = first_update.findtext("description")

    # The editor's raw HTML stays text: escaped once by Markdown, and the
    # XML escaping is undone by the parser.
    assert description.startswith("<p>")
    assert "&lt;b&gt;cache&lt;/b&gt;" in description
    assert "]]&gt; now" in description


@pytest.mark.django_db
def test_rss_item_links_are_canonical(client, hostile_incident):
    for item in rss_items(fetch(client, "/feed.rss").content):
        assert item.findtext("link") == (
            f"{CANONICAL_URL}incidents/{hostile_incident.pk}/"
        )


@pytest.mark.django_db
def test_rss_pub_dates_are_rfc_822(client, hostile_incident):
    updates = IncidentUpdate.objects.filter(incident=hostile_incident)
    expected = sorted((update.display_at for update in updates), reverse=True)

    items = rss_items(fetch(client, "/feed.rss").content)
    dates = [email.utils.parsedate_to_datetime(i.findtext("pubDate")) for i in items]

    assert all(date.tzinfo is not None for date in dates)
    assert dates == [value.replace(microsecond=0) for value in expected]


@pytest.mark.django_db
def test_rss_guids_are_not_permalinks(client, hostile_incident):
    for item in rss_items(fetch(client, "/feed.rss").content):
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "false"
        assert guid.text.startswith("tag:status.acme.test,")


@pytest.mark.django_db
def test_rss_guids_stable_across_fetches(client, hostile_incident):
    first = [i.findtext("guid") for i in rss_items(fetch(client, "/feed.rss").content)]
    second = [i.findtext("guid") for i in rss_items(fetch(client, "/feed.rss").content)]

    assert first == second
    assert len(set(first)) == 2


@pytest.mark.django_db
def test_rss_guids_kept_after_new_update(client, hostile_incident):
    before = [i.findtext("guid") for i in rss_items(fetch(client, "/feed.rss").content)]
    services.post_incident_update(
        hostile_incident, status="resolved", body="Postmortem to follow."
    )
    after = [i.findtext("guid") for i in rss_items(fetch(client, "/feed.rss").content)]

    assert after[1:] == before
    assert after[0] not in before


@pytest.mark.django_db
def test_rss_leaves_out_private_incident(client, hostile_incident, private_incident):
    content = fetch(client, "/feed.rss").content
    titles = [item.findtext("title") for item in rss_items(content)]

    assert len(titles) == 2
    assert not any("Waiting for approval" in title for title in titles)
    assert b"secret" not in content


@pytest.mark.django_db
def test_rss_passes_feedparser(client, hostile_incident):
    parsed = feedparser.parse(fetch(client, "/feed.rss").content)

    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.entries[0].title == f"Resolved: {HOSTILE_TITLE}"


@pytest.mark.django_db
def test_rss_holds_bounded_number_of_entries(client, page, canonical):
    incident = services.create_incident(page, "Flapping", body="Down.")
    for number in range(FEED_ENTRIES + 5):
        services.post_incident_update(incident, status="monitoring", body=f"{number}")

    items = rss_items(fetch(client, "/feed.rss").content)

    assert len(items) == FEED_ENTRIES
    assert items[0].find("description").text == f"<p>{FEED_ENTRIES + 4}</p>"


# -- Atom ----------------------------------------------------------------------


@pytest.mark.django_db
def test_atom_parses_with_strict_parser(client, hostile_incident):
    response = fetch(client, "/feed.atom")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert SafeET.fromstring(response.content).tag == f"{ATOM}feed"


@pytest.mark.django_db
def test_atom_feed_has_required_elements(client, hostile_incident):
    root = SafeET.fromstring(fetch(client, "/feed.atom").content)

    assert root.findtext(f"{ATOM}id")
    assert root.findtext(f"{ATOM}title") == "Acme Status"
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Acme Status"
    assert datetime.fromisoformat(root.findtext(f"{ATOM}updated")).tzinfo


@pytest.mark.django_db
def test_atom_self_link_is_canonical(client, hostile_incident):
    root = SafeET.fromstring(fetch(client, "/feed.atom").content)
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}

    assert links["self"] == CANONICAL_URL + "feed.atom"
    assert links["alternate"] == CANONICAL_URL


@pytest.mark.django_db
def test_atom_entries_have_rfc_3339_dates(client, hostile_incident):
    for entry in atom_entries(fetch(client, "/feed.atom").content):
        assert datetime.fromisoformat(entry.findtext(f"{ATOM}updated")).tzinfo
        assert datetime.fromisoformat(entry.findtext(f"{ATOM}published")).tzinfo


@pytest.mark.django_db
def test_atom_entries_carry_text_intact(client, hostile_incident):
    entries = atom_entries(fetch(client, "/feed.atom").content)
    summary = entries[1].findtext(f"{ATOM}summary")

    assert entries[0].findtext(f"{ATOM}title") == f"Resolved: {HOSTILE_TITLE}"
    assert "\x0b" not in summary
    assert "\x00" not in summary
    assert "&lt;b&gt;cache&lt;/b&gt;" in summary


@pytest.mark.django_db
def test_atom_ids_match_rss_guids(client, hostile_incident):
    ids = [
        entry.findtext(f"{ATOM}id")
        for entry in atom_entries(fetch(client, "/feed.atom").content)
    ]
    guids = [i.findtext("guid") for i in rss_items(fetch(client, "/feed.rss").content)]

    assert ids == guids


@pytest.mark.django_db
def test_atom_leaves_out_private_incident(client, hostile_incident, private_incident):
    content = fetch(client, "/feed.atom").content

    assert len(atom_entries(content)) == 2
    assert b"Waiting for approval" not in content


@pytest.mark.django_db
def test_atom_passes_feedparser(client, hostile_incident):
    parsed = feedparser.parse(fetch(client, "/feed.atom").content)

    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert len(parsed.entries) == 2


# -- Empty feeds and other inputs ----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/feed.rss", "/feed.atom"])
def test_empty_feed_is_valid(client, canonical, path):
    response = fetch(client, path)
    parsed = feedparser.parse(response.content)

    assert response.status_code == 200
    assert SafeET.fromstring(response.content) is not None
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries == []


@pytest.mark.django_db
def test_empty_feed_bytes_stable(client, canonical):
    first = fetch(client, "/feed.atom").content
    second = fetch(client, "/feed.atom").content

    assert first == second


@pytest.mark.django_db
def test_feed_strips_nul_without_database(rf, page, canonical, monkeypatch):
    """PostgreSQL cannot store a NUL, so this one is fed to the feed directly."""
    incident = services.create_incident(page, "Outage", body="Down.")
    update = IncidentUpdate(
        pk=999,
        incident=incident,
        status="investigating",
        body="before\x00\x0b\ud800\ufffeafter",
        display_at=incident.started_at,
    )
    monkeypatch.setattr(RssIncidentFeed, "items", lambda self, obj: [update])

    response = RssIncidentFeed()(rf.get("/feed.rss"), status_page=canonical)
    description = rss_items(response.content)[0].findtext("description")

    assert description == "<p>beforeafter</p>"


@pytest.mark.django_db
def test_feed_without_page_url_uses_base_url(client, page, status_page, settings):
    settings.BASE_URL = "https://base.example"
    services.create_incident(page, "Outage", body="Down.")

    channel = SafeET.fromstring(fetch(client, "/feed.rss").content).find("channel")

    assert channel.find(f"{ATOM}link").get("href") == "https://base.example/feed.rss"


@pytest.mark.django_db
def test_feed_answers_if_none_match_with_304(client, hostile_incident):
    etag = fetch(client, "/feed.rss")["ETag"]

    assert fetch(client, "/feed.rss", HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.django_db
def test_feed_rejects_post(client, canonical):
    assert client.post("/feed.rss").status_code == 405


@pytest.mark.django_db
def test_page_head_links_feeds(client, canonical):
    html = fetch(client, "/").content.decode()

    assert f'href="{CANONICAL_URL}feed.rss"' in html
    assert f'href="{CANONICAL_URL}feed.atom"' in html
    assert f'href="{CANONICAL_URL}maintenances.ics"' in html


@pytest.mark.django_db
def test_feed_follows_accept_language(client, hostile_incident):
    response = fetch(client, "/feed.rss", HTTP_ACCEPT_LANGUAGE="fr")
    channel = SafeET.fromstring(response.content).find("channel")

    assert response["Content-Language"] == "fr"
    assert channel.findtext("language") == "fr"
    assert channel.findtext("description") == (
        "Les incidents et leurs mises à jour sur Acme Status."
    )


@pytest.mark.django_db
def test_feed_served_under_main_site_path(client, hostile_incident):
    response = client.get("/pages/acme/feed.rss")
    channel = SafeET.fromstring(response.content).find("channel")

    assert response.status_code == 200
    assert channel.find(f"{ATOM}link").get("href") == CANONICAL_URL + "feed.rss"
