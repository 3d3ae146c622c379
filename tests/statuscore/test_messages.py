"""Rendering events into messages: templates, fallbacks and languages."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pydantic
import pytest

from statuscore import services
from statuscore.events import Event
from statuscore.messages import (
    SHORT_LIMIT,
    MessageRenderer,
    render_confirmation,
    render_message,
    shorten,
)
from statuscore.notifiers import Notifier

LINKS = {
    "url": "https://status.acme.test/incidents/1",
    "unsubscribe_url": "https://status.acme.test/unsubscribe/tok",
    "unsubscribe_post_url": "https://status.acme.test/unsubscribe/tok/one-click",
    "manage_url": "https://status.acme.test/manage/tok",
}


class _Config(pydantic.BaseModel):
    to: str = ""


class EmailLike(Notifier):
    name = "email"
    label = "Email"
    Config = _Config


class SmsLike(Notifier):
    name = "sms"
    label = "SMS"
    Config = _Config


def make_event(kind: str, payload: dict, page) -> Event:
    return Event(
        id=41,
        kind=kind,
        page_id=page.pk,
        payload=payload,
        created_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
    )


@pytest.fixture
def incident_event(page):
    incident = services.create_incident(
        page,
        "Database outage",
        status="investigating",
        impact="major",
        body="We are looking into <errors> & timeouts.",
    )
    update = incident.updates.get()
    return make_event(
        "incident.created",
        {
            "incident_id": incident.pk,
            "name": incident.name,
            "status": "investigating",
            "impact": "major",
            "update_id": update.pk,
        },
        page,
    )


def test_incident_message_in_english(page, incident_event):
    message = render_message(incident_event, page, EmailLike, links=LINKS, key="41:x:1")

    assert message.subject == "[Acme Status] New incident: Database outage"
    assert "Status: Investigating" in message.text
    assert "We are looking into <errors> & timeouts." in message.text
    assert "Unsubscribe: https://status.acme.test/unsubscribe/tok" in message.text
    assert message.key == "41:x:1"
    assert message.language == "en"


def test_html_escapes_editor_text(page, incident_event):
    message = render_message(incident_event, page, EmailLike, links=LINKS)

    assert "&lt;errors&gt; &amp; timeouts" in message.html
    assert "<errors>" not in message.html
    assert 'href="https://status.acme.test/incidents/1"' in message.html


def test_html_only_for_email(page, incident_event):
    message = render_message(incident_event, page, SmsLike, links=LINKS)

    assert message.html == ""


def test_german_page_gets_german_subject(page, incident_event):
    page.language = "de"
    page.save()

    message = render_message(incident_event, page, EmailLike, links=LINKS)

    assert message.subject == "[Acme Status] Neuer Vorfall: Database outage"
    assert "Status: Untersuchung läuft" in message.text
    assert message.language == "de"


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("fr", "[Acme Status] Nouvel incident : Database outage"),
        ("es", "[Acme Status] Nuevo incidente: Database outage"),
        ("en", "[Acme Status] New incident: Database outage"),
    ],
)
def test_recipient_language_wins_over_page(page, incident_event, language, subject):
    page.language = "de"
    page.save()

    message = render_message(incident_event, page, EmailLike, language=language)

    assert message.subject == subject


def test_unknown_kind_uses_generic_template(page):
    event = make_event("example.unknown", {"name": "Disk swap"}, page)

    message = render_message(event, page, EmailLike, links={"url": "https://s.test/"})

    assert message.subject == "[Acme Status] example.unknown: Disk swap"
    assert "Details: https://s.test/" in message.text


def test_component_change_names_both_statuses(page, component):
    event = make_event(
        "component.status_changed",
        {
            "component_id": component.pk,
            "component_name": "API",
            "old_status": "operational",
            "new_status": "major_outage",
            "reason": "",
        },
        page,
    )

    message = render_message(event, page, EmailLike)

    assert message.subject == "[Acme Status] API: Major outage"
    assert "API changed from Operational to Major outage." in message.text


def test_certificate_subject_uses_plural(page):
    payload = {
        "check_name": "TLS",
        "server_name": "acme.test",
        "days_left": 1,
        "not_after": "2026-01-03T00:00:00+00:00",
    }
    one_day = render_message(
        make_event("certificate.expiring", payload, page), page, EmailLike
    )
    payload["days_left"] = 7
    seven_days = render_message(
        make_event("certificate.expiring", payload, page), page, EmailLike
    )

    assert one_day.subject.endswith("expires in 1 day")
    assert seven_days.subject.endswith("expires in 7 days")


def test_subject_is_one_line(page):
    event = make_event(
        "incident.created",
        {"name": "Outage\r\nBcc: a@example.test", "status": "investigating"},
        page,
    )

    message = render_message(event, page, EmailLike)

    assert "\n" not in message.subject
    assert "\r" not in message.subject


def test_short_text_fits_one_sms(page):
    event = make_event(
        "incident.created", {"name": "word " * 80, "status": "investigating"}, page
    )

    message = render_message(event, page, SmsLike, links=LINKS)

    assert len(message.short) <= SHORT_LIMIT
    assert message.short.endswith(" " + LINKS["url"])
    assert "..." in message.short


def test_shorten_cuts_at_word_boundary():
    assert shorten("alpha beta gamma", limit=12) == "alpha..."


def test_shorten_leaves_out_a_url_longer_than_half():
    url = "https://s.test/" + "x" * 100

    assert shorten("short text", url) == "short text"


def test_message_payload_describes_event(page, incident_event):
    message = render_message(incident_event, page, EmailLike)

    assert message.payload["event"]["kind"] == "incident.created"
    assert message.payload["event"]["id"] == 41
    assert message.payload["page"]["name"] == "Acme Status"


def test_confirmation_link_in_french(page):
    message = render_confirmation(
        page, EmailLike, language="fr", confirm_url="https://s.test/confirm/tok"
    )

    assert message.subject == "Confirmez votre abonnement à Acme Status"
    assert "https://s.test/confirm/tok" in message.text
    assert message.html


def test_confirmation_email_button_names_the_action(page):
    message = render_confirmation(
        page, EmailLike, language="en", confirm_url="https://s.test/confirm/tok"
    )

    assert ">Confirm your subscription to Acme Status</a>" in message.html
    assert "View the status page" not in message.html


def test_confirmation_code_for_sms(page):
    message = render_confirmation(page, SmsLike, language=None, code="482913")

    assert message.short == "Acme Status: your confirmation code is 482913"
    assert "482913" in message.text


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_catalogue_translates_every_message(language):
    from pathlib import Path

    import statuscore

    po = Path(statuscore.__file__).parent / "locale" / language / "LC_MESSAGES"
    entries = (po / "django.po").read_text(encoding="utf-8").split("\n\n")[1:]
    untranslated = [
        entry
        for entry in entries
        if entry.rstrip().endswith('msgstr ""') or 'msgstr[0] ""\n' in entry
    ]

    assert (po / "django.mo").exists()
    assert untranslated == []


def recipient_links(number: int) -> dict[str, str]:
    # An "&" checks that the HTML part gets the escaped link.
    return {
        "url": LINKS["url"],
        "unsubscribe_url": f"https://status.acme.test/unsubscribe/t{number}&x/",
        "unsubscribe_post_url": f"https://status.acme.test/one-click/t{number}/",
        "manage_url": f"https://status.acme.test/manage/m{number}/",
    }


def render_both(renderer, event, page, number, language="en"):
    arguments = {
        "language": language,
        "links": recipient_links(number),
        "key": f"41:s:{number}",
    }
    copied = renderer.render(event, page, EmailLike, **arguments)
    full = render_message(event, page, EmailLike, **arguments)
    return copied.model_dump(), full.model_dump()


@pytest.mark.parametrize("language", ["en", "de"])
def test_renderer_matches_full_rendering(page, incident_event, language):
    renderer = MessageRenderer()

    for number in range(4):
        copied, full = render_both(renderer, incident_event, page, number, language)
        assert copied == full
        assert f"t{number}&amp;x" in copied["html"]


def test_renderer_keeps_languages_apart(page, incident_event):
    renderer = MessageRenderer()

    english, _ = render_both(renderer, incident_event, page, 1, "en")
    german, _ = render_both(renderer, incident_event, page, 2, "de")

    assert english["language"] == "en"
    assert german["language"] == "de"
    assert english["subject"] != german["subject"]


def test_renderer_renders_each_when_template_alters_links(
    page, incident_event, settings, tmp_path
):
    footer = tmp_path / "statuscore" / "messages" / "default" / "footer.txt"
    footer.parent.mkdir(parents=True)
    footer.write_text("Unsubscribe: {{ unsubscribe_url|upper }}\n")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [str(tmp_path)]
    settings.TEMPLATES = templates
    renderer = MessageRenderer()

    for number in range(4):
        copied, full = render_both(renderer, incident_event, page, number)
        assert copied == full
        assert f"T{number}&X" in copied["text"]


# -- Maintenance -------------------------------------------------------------------


MAINTENANCE_KINDS = [
    "maintenance.scheduled",
    "maintenance.updated",
    "maintenance.reminder",
    "maintenance.started",
    "maintenance.completed",
    "maintenance.cancelled",
]


@pytest.fixture
def maintenance_payload(page):
    page.time_zone = "Europe/Berlin"
    page.save()
    maintenance = services.schedule_maintenance(
        page,
        "Database upgrade",
        datetime(2030, 5, 4, 22, 0, tzinfo=UTC),
        datetime(2030, 5, 5, 0, 0, tzinfo=UTC),
        body="The API is read-only meanwhile.",
    )
    return {
        "maintenance_id": maintenance.pk,
        "name": maintenance.name,
        "starts_at": "2030-05-04T22:00:00+00:00",
        "ends_at": "2030-05-05T00:00:00+00:00",
        "component_ids": [],
    }


@pytest.mark.parametrize("kind", MAINTENANCE_KINDS)
@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_maintenance_message_has_every_part_in_each_language(
    page, maintenance_payload, kind, language
):
    event = make_event(kind, maintenance_payload, page)

    message = render_message(event, page, EmailLike, language=language, links=LINKS)

    assert "Database upgrade" in message.subject
    assert "2030-05-05 00:00 CEST" in message.text
    assert "The API is read-only meanwhile." in message.text
    assert "Database upgrade" in message.html
    assert 0 < len(message.short) <= SHORT_LIMIT


@pytest.mark.parametrize("kind", MAINTENANCE_KINDS)
def test_maintenance_subject_is_translated(page, maintenance_payload, kind):
    event = make_event(kind, maintenance_payload, page)

    english = render_message(event, page, EmailLike, language="en")
    german = render_message(event, page, EmailLike, language="de")

    assert german.subject != english.subject


def test_maintenance_short_message_gives_the_window(page, maintenance_payload):
    event = make_event("maintenance.scheduled", maintenance_payload, page)

    message = render_message(event, page, SmsLike, language="en")

    assert "2030-05-05 00:00 CEST - 2030-05-05 02:00 CEST" in message.short
