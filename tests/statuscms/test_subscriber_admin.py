"""The Subscribers screens of the Wagtail admin: listing, export, import."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from statuscore import services
from statuscore.models import Subscriber
from statuscore.subscriptions import confirm, disable, subscribe

INDEX = "/admin/status_subscribers/"


@pytest.fixture
def email_page(page, smtp_sink, django_capture_on_commit_callbacks):
    cache.clear()
    page.url = "https://status.acme.test/"
    page.subscriber_notifiers = ["email"]
    page.save()
    services.create_component(page, "API")
    return page


@pytest.fixture
def subscribers(email_page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ada = subscribe(email_page, "email", {"to": "ada@example.test"}, confirmed=True)
        bob = subscribe(email_page, "email", {"to": "bob@example.test"}, confirmed=True)
    disable(bob, "550 mailbox unavailable")
    return ada, bob


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("subscribers.csv", text.encode(), "text/csv")


def test_listing_shows_state_and_disabled_reason(admin_client, subscribers):
    html = admin_client.get(INDEX).content.decode()

    assert "a•••@example.test" in html
    assert "Disabled after failures" in html
    assert "550 mailbox unavailable" in html
    assert "Whole page" in html


def test_listing_offers_no_edit_or_add(admin_client, subscribers):
    html = admin_client.get(INDEX).content.decode()

    assert "/admin/status_subscribers/new/" not in html
    assert "/admin/status_subscribers/edit/" not in html
    assert "/admin/status_subscribers/import/" in html


def test_listing_filters_by_state(admin_client, subscribers):
    html = admin_client.get(INDEX + "?state=disabled").content.decode()

    assert "b•••@example.test" in html
    assert "a•••@example.test" not in html


def test_export_has_full_addresses(admin_client, subscribers, email_page):
    response = admin_client.get(INDEX + f"export/?page={email_page.pk}")

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Disposition"].startswith("attachment;")
    assert [row["address"] for row in rows] == ["ada@example.test", "bob@example.test"]
    assert [row["state"] for row in rows] == ["active", "disabled"]


def test_export_needs_login(client, subscribers):
    response = client.get(INDEX + "export/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_import_confirmed_list(admin_client, email_page, smtp_sink):
    response = admin_client.post(
        INDEX + "import/",
        {
            "page": email_page.pk,
            "file": upload("address,components\ncy@example.test,API\n"),
            "confirmed": "on",
        },
    )

    assert response.status_code == 302
    subscriber = Subscriber.objects.get()
    assert subscriber.state == "active"
    assert smtp_sink.received == []


def test_import_unconfirmed_list_sends_confirmation(
    admin_client, email_page, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            INDEX + "import/",
            {"page": email_page.pk, "file": upload("address\ncy@example.test\n")},
        )

    assert Subscriber.objects.get().state == "pending"
    assert len(smtp_sink.messages_to("cy@example.test")) == 1


def test_import_reports_bad_lines(admin_client, email_page, subscribers):
    before = list(Subscriber.objects.values_list("pk", "state"))

    response = admin_client.post(
        INDEX + "import/",
        {
            "page": email_page.pk,
            "file": upload("address,components\nok@example.test,API\nnope,Billing\n"),
            "confirmed": "on",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "line 3: address" in html
    assert "line 3: components" in html
    assert "Nothing was imported" in html
    assert list(Subscriber.objects.values_list("pk", "state")) == before


def test_import_rejects_file_without_address_column(admin_client, email_page):
    response = admin_client.post(
        INDEX + "import/",
        {"page": email_page.pk, "file": upload("email\nx@example.test\n")},
    )

    assert response.status_code == 200
    assert "must name the columns" in response.content.decode()
    assert Subscriber.objects.count() == 0


def test_inspect_shows_subscriber(admin_client, subscribers):
    ada, _bob = subscribers
    confirm(ada)

    response = admin_client.get(INDEX + f"inspect/{ada.pk}/")

    assert response.status_code == 200
    assert "a•••@example.test" in response.content.decode()


@pytest.fixture
def globex_client(client, db):
    """A client signed in as an editor of another organisation only."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from statuscore.models import Organization, Page, Role

    globex = Organization.objects.create(name="Globex", slug="globex")
    Page.objects.create(organization=globex, name="Globex Status", slug="globex")
    user = get_user_model().objects.create_user(username="globex", password="pw")
    services.add_member(globex, user, Role.EDITOR)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "access_admin",
                "add_subscriber",
                "change_subscriber",
                "view_subscriber",
            ]
        )
    )
    client.force_login(user)
    return client


def test_member_of_other_organisation_sees_no_subscribers(globex_client, subscribers):
    response = globex_client.get(INDEX)

    assert response.status_code == 200
    assert "a•••@example.test" not in response.content.decode()


def test_member_of_other_organisation_exports_none(globex_client, subscribers):
    body = globex_client.get(INDEX + "export/").content.decode()

    assert "ada@example.test" not in body
    assert "bob@example.test" not in body


def test_member_of_other_organisation_cannot_import_into_page(
    globex_client, email_page
):
    response = globex_client.post(
        INDEX + "import/",
        {"page": email_page.pk, "file": upload("address\ncarol@example.test\n")},
    )

    assert response.status_code == 200
    assert not Subscriber.objects.filter(page=email_page).exists()
