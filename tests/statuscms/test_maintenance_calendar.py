"""The iCalendar file of a status page's maintenances."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from statuscore import services
from tests.statuscms.feed_inputs import CANONICAL_URL, HOSTILE_BODY, HOSTILE_TITLE

TRICKY_NAME = 'DB, cache; disk\\ "swap"\nnight ' + HOSTILE_TITLE


@pytest.fixture
def canonical(page, status_page):
    page.url = CANONICAL_URL
    page.save(update_fields=["url"])
    status_page.core_page.refresh_from_db()
    return status_page


@pytest.fixture
def maintenance(page, canonical):
    starts = timezone.now() + timedelta(days=1)
    return services.schedule_maintenance(
        page,
        TRICKY_NAME,
        starts,
        starts + timedelta(hours=2),
        body=HOSTILE_BODY + "\n\n" + "Long line " * 20,
    )


@pytest.fixture
def cancelled(page, canonical):
    starts = timezone.now() + timedelta(days=2)
    maintenance = services.schedule_maintenance(
        page, "Cancelled work", starts, starts + timedelta(hours=1)
    )
    services.cancel_maintenance(maintenance)
    return maintenance


def fetch(client):
    return client.get("/maintenances.ics", HTTP_HOST="other.example")


def events(content: bytes) -> list:
    return Calendar.from_ical(content).walk("VEVENT")


@pytest.mark.django_db
def test_calendar_content_type(client, maintenance):
    response = fetch(client)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"


@pytest.mark.django_db
def test_calendar_has_required_properties(client, maintenance):
    calendar = Calendar.from_ical(fetch(client).content)

    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"])
    assert str(calendar["X-WR-CALNAME"]) == "Acme Status maintenance"


@pytest.mark.django_db
def test_calendar_summary_round_trips(client, maintenance):
    (event,) = events(fetch(client).content)

    assert str(event["SUMMARY"]) == TRICKY_NAME


@pytest.mark.django_db
def test_calendar_escapes_special_characters(client, maintenance):
    content = fetch(client).content.decode()
    unfolded = content.replace("\r\n ", "")

    assert 'SUMMARY:DB\\, cache\\; disk\\\\ "swap"\\nnight R&D' in unfolded


@pytest.mark.django_db
def test_calendar_description_strips_control_characters(client, maintenance):
    (event,) = events(fetch(client).content)
    description = str(event["DESCRIPTION"])

    assert "\x0b" not in description
    assert "\x00" not in description
    assert description.startswith("Investigating the API")


@pytest.mark.django_db
def test_calendar_lines_fold_at_75_octets(client, maintenance):
    lines = fetch(client).content.split(b"\r\n")

    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)


@pytest.mark.django_db
def test_calendar_times_are_utc(client, maintenance):
    (event,) = events(fetch(client).content)

    assert event.decoded("DTSTART") == maintenance.scheduled_for.replace(microsecond=0)
    assert event.decoded("DTEND") == maintenance.scheduled_until.replace(microsecond=0)
    for name in ("DTSTART", "DTEND", "DTSTAMP"):
        assert event[name].to_ical().endswith(b"Z"), name


@pytest.mark.django_db
def test_calendar_uid_is_stable(client, maintenance):
    (first,) = events(fetch(client).content)
    services.post_maintenance_update(maintenance, body="Moved to the evening.")
    (second,) = events(fetch(client).content)

    assert str(first["UID"]) == f"maintenance-{maintenance.pk}@status.acme.test"
    assert str(second["UID"]) == str(first["UID"])


@pytest.mark.django_db
def test_calendar_lists_updates_in_description(client, maintenance):
    services.post_maintenance_update(maintenance, body="Moved; now 22:00, UTC.")
    (event,) = events(fetch(client).content)

    assert "Moved; now 22:00, UTC." in str(event["DESCRIPTION"])


@pytest.mark.django_db
def test_calendar_marks_cancelled_maintenance(client, maintenance, cancelled):
    by_name = {str(e["SUMMARY"]): e for e in events(fetch(client).content)}

    assert str(by_name["Cancelled work"]["STATUS"]) == "CANCELLED"
    assert str(by_name[TRICKY_NAME]["STATUS"]) == "CONFIRMED"


@pytest.mark.django_db
def test_calendar_leaves_out_old_maintenance(client, page, canonical):
    starts = timezone.now() - timedelta(days=60)
    services.schedule_maintenance(page, "Long ago", starts, starts + timedelta(hours=1))

    assert events(fetch(client).content) == []


@pytest.mark.django_db
def test_calendar_links_canonical_page(client, maintenance):
    (event,) = events(fetch(client).content)

    assert str(event["URL"]) == CANONICAL_URL


@pytest.mark.django_db
def test_empty_calendar_is_valid(client, canonical):
    response = fetch(client)

    assert response.status_code == 200
    assert Calendar.from_ical(response.content).walk("VEVENT") == []
