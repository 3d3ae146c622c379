"""Page services: renaming and editing a page."""

from __future__ import annotations

import pytest

from statuscore import services
from statuscore.exceptions import ValidationFailed
from statuscore.models import Page


def test_page_update_renames(page):
    services.update_page(page, name="Acme Cloud")

    assert Page.objects.get(pk=page.pk).name == "Acme Cloud"


def test_page_update_normalises_domain(page):
    services.update_page(page, domain=" Status.Example.TEST. ")

    assert Page.objects.get(pk=page.pk).domain == "status.example.test"


def test_page_update_duplicate_slug_rejected(page, organization):
    services.create_page(organization, "Other", "other")

    with pytest.raises(ValidationFailed) as raised:
        services.update_page(page, name="Renamed", slug="other")

    assert "slug" in raised.value.errors
    stored = Page.objects.get(pk=page.pk)
    assert stored.slug == "acme"
    assert stored.name == "Acme Status"


def test_page_update_organization_not_editable(page):
    with pytest.raises(ValidationFailed) as raised:
        services.update_page(page, organization=None)

    assert list(raised.value.errors) == ["organization"]


def test_page_rename_shown_in_api(client, page):
    services.update_page(page, name="Acme Cloud")

    response = client.get("/api/v2/summary.json", HTTP_HOST="status.acme.test")

    assert response.status_code == 200
    assert response.json()["page"]["name"] == "Acme Cloud"


def test_page_update_sets_subscriber_notifiers(page):
    services.update_page(page, subscriber_notifiers=["email", "webhook", "email"])

    page.refresh_from_db()
    assert page.subscriber_notifiers == ["email", "webhook"]


def test_page_update_refuses_unknown_notifier(page):
    with pytest.raises(ValidationFailed) as raised:
        services.update_page(page, subscriber_notifiers=["email", "pager"])

    assert "subscriber_notifiers" in raised.value.errors
    page.refresh_from_db()
    assert page.subscriber_notifiers == ["email"]


def test_page_update_sets_language(page):
    services.update_page(page, language="de")

    page.refresh_from_db()
    assert page.language == "de"


def test_page_update_refuses_unknown_language(page):
    with pytest.raises(ValidationFailed) as raised:
        services.update_page(page, language="xx-nope")

    assert "language" in raised.value.errors
    page.refresh_from_db()
    assert page.language == "en"
