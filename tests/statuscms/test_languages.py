"""Choosing the language of the public pages from Accept-Language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from statuscms.languages import (
    SHIPPED_LANGUAGES,
    choose_language,
    page_language,
    parse_accept_language,
)
from statuscore import services


@pytest.mark.parametrize(
    ("header", "page_default", "expected"),
    [
        ("de", "en", "de"),
        ("de-AT,de;q=0.9,en;q=0.8", "en", "de"),
        ("fr-CA", "en", "fr"),
        ("ES", "en", "es"),
        ("en;q=0.5, fr;q=0.9", "de", "fr"),
        ("ja, fr;q=0.3", "de", "fr"),
        ("ja, zh-Hant", "de", "de"),
        ("*", "es", "es"),
        ("", "fr", "fr"),
        (None, "fr", "fr"),
        ("de;q=0, fr;q=0.1", "en", "fr"),
        ("de;q=0", "es", "es"),
        ("de;q=2, fr", "en", "fr"),
        ("de;q=abc", "es", "es"),
        ("d@e, fr", "en", "fr"),
        ("ja", "ja", "en"),
        ("ja", "de-CH", "de"),
        ("ja", "", "en"),
        ("de" + ",x" * 1000, "fr", "fr"),
    ],
)
def test_choose_language(header, page_default, expected):
    assert choose_language(header, page_default) == expected


def test_choose_language_keeps_header_order_for_equal_quality():
    assert choose_language("fr, de", "en") == "fr"


def test_parse_accept_language_sorts_by_quality():
    ranges = parse_accept_language("en;q=0.2, de-DE, fr;q=0.8")

    assert ranges == [("de-de", 1.0), ("fr", 0.8), ("en", 0.2)]


def test_page_language_falls_back_to_english():
    assert page_language("pt-BR") == "en"


def test_shipped_languages_are_in_settings(settings):
    configured = {code for code, _name in settings.LANGUAGES}

    assert set(SHIPPED_LANGUAGES) <= configured


def test_german_visitor_sees_german(client, status_page, component):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode()

    assert '<html lang="de"' in html
    assert "Alle Systeme betriebsbereit" in html
    assert "Komponenten" in html
    assert "Betriebsbereit" in html
    assert "All Systems Operational" not in html


def test_page_language_applies_without_header(client, status_page, page, component):
    page.language = "fr"
    page.save()

    response = client.get("/")

    html = response.content.decode()
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr"' in html
    assert "Tous les systèmes sont opérationnels" in html


def test_unshipped_language_falls_back_to_page(client, status_page, page):
    page.language = "es"
    page.save()

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ja, ko;q=0.8")

    assert response["Content-Language"] == "es"


def test_response_varies_by_accept_language(client, status_page):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response["Content-Language"] == "fr"
    assert "Accept-Language" in response["Vary"]


def test_language_sets_no_cookie(client, status_page, settings):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es")

    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_dates_use_visitor_language(client, status_page, page):
    page.time_zone = "Europe/Berlin"
    page.save()
    incident = services.create_incident(
        page,
        "Checkout failing",
        body="Looking.",
        started_at=datetime(2026, 12, 4, 17, 31, tzinfo=UTC),
    )

    html = client.get(
        f"/incidents/{incident.pk}/", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()

    assert "4 de diciembre de 2026, 18:31 UTC+01:00" in html


def test_dates_in_german(client, status_page, page):
    page.time_zone = "Europe/Berlin"
    page.save()
    incident = services.create_incident(
        page,
        "Checkout failing",
        body="Looking.",
        started_at=datetime(2026, 8, 6, 18, 31, tzinfo=UTC),
    )

    html = client.get(
        f"/incidents/{incident.pk}/", HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()

    assert "6. August 2026, 20:31 UTC+02:00" in html


def test_language_reaches_history_month(client, status_page):
    html = client.get("/history/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert "Vorfallsverlauf" in html


def test_subscriber_keeps_visitor_language(client, status_page, page):
    from django.core.cache import cache

    from statuscore.models import Subscriber

    cache.clear()
    page.url = "https://status.acme.test/"
    page.subscriber_notifiers = ["email"]
    page.save()

    client.post(
        "/",
        {"notifier": "email", "email-to": "ada@example.test"},
        HTTP_ACCEPT_LANGUAGE="de",
    )

    assert Subscriber.objects.get().language == "de"
