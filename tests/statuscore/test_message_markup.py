"""Email HTML of incident and maintenance messages stays inert whatever an
editor types into titles and Markdown bodies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from statuscore import services
from statuscore.events import Event, EventKind
from statuscore.messages import render_message
from statuscore.models import OutboxEvent
from tests.statuscore.test_markup import PAYLOADS, ParsedHtml
from tests.statuscore.test_messages import LINKS, EmailLike

START = datetime(2030, 5, 4, 22, 0, tzinfo=UTC)
SAFE_SCHEMES = ("http://", "https://", "mailto:")


def last_event(kind: EventKind) -> Event:
    return Event.from_row(OutboxEvent.objects.filter(kind=kind).latest("id"))


def assert_inert(html: str) -> None:
    parsed = ParsedHtml(html)
    handlers = [
        name for _tag, name, _value in parsed.attributes if name.startswith("on")
    ]
    bad_links = [
        value
        for _tag, name, value in parsed.attributes
        if name in ("href", "src") and not value.startswith(SAFE_SCHEMES)
    ]

    assert "script" not in parsed.tags
    assert "svg" not in parsed.tags
    assert "img" not in parsed.tags
    assert "iframe" not in parsed.tags
    assert handlers == []
    assert bad_links == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_incident_email_is_inert(page, payload):
    incident = services.create_incident(page, payload, body=payload)
    services.post_incident_update(incident, status="identified", body=payload)

    for kind in (EventKind.INCIDENT_CREATED, EventKind.INCIDENT_UPDATED):
        message = render_message(last_event(kind), page, EmailLike, links=LINKS)
        assert_inert(message.html)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_maintenance_email_is_inert(page, component, payload):
    maintenance = services.schedule_maintenance(
        page,
        payload,
        START,
        START + timedelta(hours=1),
        components=[component],
        body=payload,
    )
    services.post_maintenance_update(maintenance, body=payload)

    for kind in (EventKind.MAINTENANCE_SCHEDULED, EventKind.MAINTENANCE_UPDATE_POSTED):
        message = render_message(last_event(kind), page, EmailLike, links=LINKS)
        assert_inert(message.html)


def test_incident_title_is_escaped_in_email(page):
    services.create_incident(page, '"><img src=x onerror=alert(1)>', body="Down.")

    message = render_message(
        last_event(EventKind.INCIDENT_CREATED), page, EmailLike, links=LINKS
    )

    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in message.html


def test_incident_email_renders_markdown(page):
    services.create_incident(
        page, "Outage", body="**Mitigated**, see [notes](https://notes.example/1)."
    )

    message = render_message(
        last_event(EventKind.INCIDENT_CREATED), page, EmailLike, links=LINKS
    )

    assert "<strong>Mitigated</strong>" in message.html
    assert 'href="https://notes.example/1"' in message.html
    assert "**Mitigated**" in message.text


def test_maintenance_email_shows_update_and_description(page):
    maintenance = services.schedule_maintenance(
        page,
        "Upgrade",
        START,
        START + timedelta(hours=1),
        body="The API is *read-only*.",
    )
    services.post_maintenance_update(maintenance, body="Starting **now**.")

    message = render_message(
        last_event(EventKind.MAINTENANCE_UPDATE_POSTED), page, EmailLike, links=LINKS
    )

    assert "<strong>now</strong>" in message.html
    assert "<em>read-only</em>" in message.html
    assert "Starting **now**." in message.text
    assert message.subject == "[Acme Status] Maintenance update: Upgrade"


def test_javascript_link_in_update_keeps_text_only(page):
    services.create_incident(page, "Outage", body="[click](javascript:alert(1))")

    message = render_message(
        last_event(EventKind.INCIDENT_CREATED), page, EmailLike, links=LINKS
    )

    assert "javascript:" not in message.html
    assert ">click</a>" in message.html
