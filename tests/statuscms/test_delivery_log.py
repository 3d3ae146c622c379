from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from statuscore import services
from statuscore.models import (
    Delivery,
    DeliveryState,
    Organization,
    OutboxEvent,
    Page,
    Role,
    Subscriber,
    SubscriberState,
)
from statuscore.secrets import digest

DELIVERIES = reverse("status_deliveries:index")
ADDRESS = "alice.example@acme.test"


def make_event(page, kind="incident.created") -> OutboxEvent:
    return OutboxEvent.objects.create(kind=kind, page=page, payload={})


def make_delivery(event, recipient, **fields) -> Delivery:
    kind = "c" if fields.get("channel") else "s"
    defaults = {
        "key": f"{event.pk}:{kind}:{recipient}",
        "next_attempt_at": timezone.now(),
    }
    return Delivery.objects.create(event=event, **defaults, **fields)


def make_subscriber(page, address=ADDRESS) -> Subscriber:
    return Subscriber.objects.create(
        page=page,
        notifier="email",
        address=address,
        address_key=digest(address),
        config={"to": address},
        state=SubscriberState.ACTIVE,
    )


def rows(response) -> list[str]:
    """Return the HTML of the listing's body rows."""
    html = response.content.decode()
    listing = re.search(r'<table class="listing.*?<tbody>(.*?)</tbody>', html, re.S)
    if listing is None:
        return []
    return re.findall(r"<tr[^>]*>.*?</tr>", listing.group(1), flags=re.S)


@pytest.fixture
def deliveries(page):
    """A sent delivery to a subscriber and a failed one to a channel."""
    channel = services.create_alert_channel(
        page,
        "Ops hook",
        "webhook",
        {"url": "https://hooks.acme.test/status"},
        event_kinds=["incident.created"],
    )
    event = make_event(page)
    sent = make_delivery(
        event,
        "sub",
        subscriber=make_subscriber(page),
        state=DeliveryState.SENT,
        attempts=1,
        sent_at=timezone.now(),
    )
    failed = make_delivery(
        event,
        "chan",
        channel=channel,
        state=DeliveryState.FAILED,
        attempts=8,
        last_error="webhook answered HTTP 503 " + "x" * 300,
    )
    return sent, failed


def test_delivery_log_lists_rows_newest_first(admin_client, deliveries):
    response = admin_client.get(DELIVERIES)

    listed = rows(response)
    assert response.status_code == 200
    assert len(listed) == 2
    assert "Channel: Ops hook" in listed[0]
    assert "incident.created" in listed[0]
    assert "a•••@acme.test" in listed[1]


def test_delivery_log_masks_subscriber_address(admin_client, deliveries):
    html = admin_client.get(DELIVERIES).content.decode()

    assert ADDRESS not in html
    assert "Email: a•••@acme.test" in html


def test_delivery_log_masks_address_without_notifier(admin_client, page):
    subscriber = make_subscriber(page, address="bob.builder@acme.test")
    Subscriber.objects.filter(pk=subscriber.pk).update(notifier="pigeon")
    make_delivery(make_event(page), "sub", subscriber=subscriber)

    html = admin_client.get(DELIVERIES).content.decode()

    assert "bob.builder" not in html
    assert "pigeon: ••••••••test" in html


def test_delivery_log_trims_last_error(admin_client, deliveries):
    html = admin_client.get(DELIVERIES).content.decode()

    assert "webhook answered HTTP 503" in html
    assert "x" * 150 not in html


def test_delivery_log_filters_by_state(admin_client, deliveries):
    response = admin_client.get(DELIVERIES, {"state": "failed"})

    listed = rows(response)
    assert len(listed) == 1
    assert "Channel: Ops hook" in listed[0]


def test_delivery_log_filters_by_page(admin_client, deliveries, organization):
    other = Page.objects.create(organization=organization, name="Other", slug="o")
    make_delivery(make_event(other), "other", subscriber=make_subscriber(other))

    response = admin_client.get(DELIVERIES, {"page": other.pk})

    assert len(rows(response)) == 1


def test_delivery_log_paginates(admin_client, page):
    subscriber = make_subscriber(page)
    for _ in range(25):
        make_delivery(make_event(page), "sub", subscriber=subscriber)

    first = admin_client.get(DELIVERIES)
    second = admin_client.get(DELIVERIES, {"p": 2})

    assert len(rows(first)) == 20
    assert len(rows(second)) == 5


@pytest.mark.parametrize("name", ["add", "edit", "delete", "history"])
def test_delivery_log_is_read_only(name):
    with pytest.raises(NoReverseMatch):
        reverse(f"status_deliveries:{name}", args=[] if name == "add" else [1])


def test_delivery_log_hides_other_organisation(client, deliveries):
    other = Organization.objects.create(name="Globex", slug="globex")
    own_page = Page.objects.create(organization=other, name="Globex", slug="globex")
    own = make_delivery(
        make_event(own_page), "own", subscriber=make_subscriber(own_page)
    )
    user = get_user_model().objects.create_user(username="globex", password="pw")
    services.add_member(other, user, Role.VIEWER)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", "view_delivery"])
    )
    client.force_login(user)

    response = client.get(DELIVERIES)
    by_foreign_page = client.get(DELIVERIES, {"page": deliveries[0].event.page_id})

    assert response.status_code == 200
    assert len(rows(response)) == 1
    assert "Globex" in rows(response)[0]
    assert "Ops hook" not in response.content.decode()
    assert "Acme Status" not in response.content.decode()
    assert "Ops hook" not in by_foreign_page.content.decode()
