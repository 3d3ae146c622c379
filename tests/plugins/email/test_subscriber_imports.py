"""CSV import and export of email subscribers, with confirmations sent to a
real SMTP server."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache

from statuscore import services
from statuscore.exceptions import ValidationFailed
from statuscore.models import Subscriber
from statuscore.subscriptions import confirm, subscribe, unsubscribe
from statuscore.subscriptions.imports import import_subscribers, write_csv


@pytest.fixture
def email_page(page, smtp_sink):
    cache.clear()
    page.url = "https://status.acme.test/"
    page.subscriber_notifiers = ["email"]
    page.save()
    services.create_component(page, "API")
    services.create_component(page, "Web")
    return page


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_import_sends_confirmations(email_page, committed, smtp_sink):
    text = "address,components,language\nada@example.test,API; web,fr\n"

    with committed():
        result = import_subscribers(email_page, text, confirmed=False)

    subscriber = Subscriber.objects.get()
    assert result.created == 1
    assert subscriber.state == "pending"
    assert sorted(c.name for c in subscriber.components.all()) == ["API", "Web"]
    assert subscriber.language == "fr"
    assert len(smtp_sink.messages_to("ada@example.test")) == 1


def test_import_confirmed_makes_active_without_message(
    email_page, committed, smtp_sink
):
    with committed():
        import_subscribers(email_page, "address\nada@example.test\n", confirmed=True)

    assert Subscriber.objects.get().state == "active"
    assert smtp_sink.received == []


def test_import_rejects_file_with_bad_rows(email_page):
    text = (
        "address,components,language\n"
        "ada@example.test,API,\n"
        "not-an-address,,\n"
        "bob@example.test,Billing,xx-zz\n"
    )

    with pytest.raises(ValidationFailed) as caught:
        import_subscribers(email_page, text, confirmed=True)

    assert set(caught.value.errors) == {
        "line 3: address",
        "line 4: components",
        "line 4: language",
    }
    assert Subscriber.objects.count() == 0


def test_import_requires_address_column(email_page):
    with pytest.raises(ValidationFailed) as caught:
        import_subscribers(email_page, "email\nada@example.test\n", confirmed=True)

    assert list(caught.value.errors) == ["file"]


def test_import_keeps_existing_and_skips_unsubscribed(email_page, committed):
    with committed():
        active = subscribe(email_page, "email", {"to": "ada@example.test"})
        left = subscribe(email_page, "email", {"to": "bob@example.test"})
    confirm(active)
    confirm(left)
    unsubscribe(left)

    with committed():
        result = import_subscribers(
            email_page,
            "address\nada@example.test\nbob@example.test\ncy@example.test\n",
            confirmed=True,
        )

    left.refresh_from_db()
    assert (result.created, result.unchanged, result.skipped_unsubscribed) == (1, 1, 1)
    assert left.state == "unsubscribed"
    assert Subscriber.objects.count() == 3


def test_export_round_trips_through_import(email_page, committed, organization):
    with committed():
        import_subscribers(
            email_page, "address,components\nada@example.test,API\n", confirmed=True
        )
    out = io.StringIO()
    write_csv(Subscriber.objects.all(), out)
    Subscriber.objects.all().delete()

    with committed():
        import_subscribers(email_page, out.getvalue(), confirmed=True)

    subscriber = Subscriber.objects.get()
    assert subscriber.config == {"to": "ada@example.test"}
    assert [c.name for c in subscriber.components.all()] == ["API"]


def test_export_neutralises_formulas(email_page, committed):
    with committed():
        import_subscribers(email_page, "address\n=cmd@example.test\n", confirmed=True)
    out = io.StringIO()

    write_csv(Subscriber.objects.all(), out)

    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["address"] == "'=cmd@example.test"


def test_import_same_address_twice_sends_one_confirmation(
    email_page, committed, smtp_sink
):
    text = "address\ndup@example.test\nDUP@example.test\n"

    with committed():
        result = import_subscribers(email_page, text, confirmed=False)

    assert Subscriber.objects.count() == 1
    assert result.created == 1
    assert result.unchanged == 1
    assert len(smtp_sink.messages_to("dup@example.test")) == 1


def test_import_rejects_oversized_cell_naming_file(email_page):
    text = "address,components\nbig@example.test," + "x" * 200_000 + "\n"

    with pytest.raises(ValidationFailed) as raised:
        import_subscribers(email_page, text, confirmed=True)

    assert "file" in raised.value.errors
    assert not Subscriber.objects.exists()
