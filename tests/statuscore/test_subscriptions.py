"""The subscription service: subscribe, confirm, unsubscribe, links."""

# The shared fixtures are imported by name, and pytest passes them back as
# parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

import time
from unittest import mock
from urllib.parse import urlsplit

import pytest

from statuscore import secrets, services
from statuscore.exceptions import RateLimited, ValidationFailed
from statuscore.models import OutboxEvent, Page, Subscriber
from statuscore.subscriptions import (
    confirm,
    confirm_code,
    confirmation_url,
    resubscribe,
    subscribe,
    subscriber_links,
    unsubscribe,
    update_components,
)
from statuscore.subscriptions.tokens import InvalidToken, TokenExpired, read_token
from tests.statuscore.subscription_fixtures import (  # noqa: F401
    committed,
    last_sent_text,
    links_in,
    notifiers,
    subscription_page,
)


def kinds(page: Page) -> list[str]:
    return list(
        OutboxEvent.objects.filter(page=page, kind__startswith="subscriber.")
        .order_by("id")
        .values_list("kind", flat=True)
    )


def subscribe_mail(page, address="Ada@Example.test", committed=None, **kwargs):
    with committed():
        return subscribe(page, "recmail", {"to": address}, **kwargs)


def test_subscribe_creates_pending_subscriber(subscription_page, committed):
    subscriber = subscribe_mail(subscription_page, committed=committed)

    assert subscriber.state == "pending"
    assert subscriber.address_key == secrets.digest("recmail:ada@example.test")
    assert subscriber.config == {"to": "Ada@Example.test"}
    assert kinds(subscription_page) == ["subscriber.created"]


def test_subscribe_sends_confirmation_link(subscription_page, committed, notifiers):
    subscriber = subscribe_mail(subscription_page, committed=committed)

    [(name, config, message)] = notifiers.SENT
    assert name == "recmail"
    assert config == {"to": "Ada@Example.test"}
    [link] = links_in(message.text)
    assert link.startswith("https://status.acme.test/subscriptions/confirm/")
    token = urlsplit(link).path.split("/")[3]
    assert read_token(token, "confirm") == subscriber


def test_subscribe_pending_again_resends_without_new_row(
    subscription_page, committed, notifiers
):
    subscribe_mail(subscription_page, committed=committed)
    subscribe_mail(subscription_page, "ada@example.test", committed=committed)

    assert Subscriber.objects.count() == 1
    assert len(notifiers.SENT) == 2
    assert kinds(subscription_page) == ["subscriber.created"]


def test_subscribe_active_address_changes_nothing(
    subscription_page, committed, notifiers
):
    first = subscribe_mail(subscription_page, committed=committed)
    confirm(first)
    notifiers.SENT.clear()

    again = subscribe_mail(subscription_page, committed=committed)

    assert again.pk == first.pk
    assert Subscriber.objects.count() == 1
    assert notifiers.SENT == []
    assert kinds(subscription_page) == ["subscriber.created", "subscriber.confirmed"]


def test_subscribe_after_unsubscribe_needs_new_confirmation(
    subscription_page, committed, notifiers
):
    subscriber = subscribe_mail(subscription_page, committed=committed)
    old_token = urlsplit(links_in(last_sent_text())[0]).path.split("/")[3]
    confirm(subscriber)
    unsubscribe(subscriber)

    again = subscribe_mail(subscription_page, committed=committed)

    assert again.state == "pending"
    assert kinds(subscription_page)[-1] == "subscriber.resubscribed"
    with pytest.raises(InvalidToken):
        read_token(old_token, "confirm")


@pytest.mark.parametrize(
    ("name", "reason"),
    [("teamonly", "not subscribable"), ("nosuch", "not installed")],
)
def test_subscribe_rejects_notifier(subscription_page, name, reason):
    with pytest.raises(ValidationFailed) as caught:
        subscribe(subscription_page, name, {"topic": "x"})

    assert list(caught.value.errors) == ["notifier"], reason


def test_subscribe_rejects_notifier_page_does_not_offer(subscription_page):
    subscription_page.subscriber_notifiers = ["recsms"]
    subscription_page.save()

    with pytest.raises(ValidationFailed) as caught:
        subscribe(subscription_page, "recmail", {"to": "ada@example.test"})

    assert list(caught.value.errors) == ["notifier"]


def test_subscribe_names_bad_config_field(subscription_page):
    with pytest.raises(ValidationFailed) as caught:
        subscribe(subscription_page, "recmail", {"to": "not an address"})

    assert list(caught.value.errors) == ["config.to"]
    assert Subscriber.objects.count() == 0


def test_subscribe_names_missing_config_field(subscription_page):
    with pytest.raises(ValidationFailed) as caught:
        subscribe(subscription_page, "recmail", {})

    assert list(caught.value.errors) == ["config.to"]


def test_subscribe_rejects_component_of_other_page(subscription_page, organization):
    other = services.create_page(organization, "Other", "other")
    foreign = services.create_component(other, "Foreign API")

    with pytest.raises(ValidationFailed) as caught:
        subscribe(subscription_page, "recmail", {"to": "a@b.test"}, [foreign.pk])

    assert list(caught.value.errors) == ["components"]
    assert Subscriber.objects.count() == 0


def test_subscribe_keeps_chosen_components(subscription_page, component, committed):
    subscriber = subscribe_mail(
        subscription_page, committed=committed, components=[str(component.pk)]
    )

    assert list(subscriber.components.all()) == [component]


def test_subscribe_rejects_unknown_language(subscription_page):
    with pytest.raises(ValidationFailed) as caught:
        subscribe(subscription_page, "recmail", {"to": "a@b.test"}, language="xx-zz")

    assert list(caught.value.errors) == ["language"]


def test_subscribe_limits_requests_per_address(subscription_page, committed, settings):
    settings.STATUSCORE_SUBSCRIBE_LIMIT_PER_ADDRESS = 2
    subscribe_mail(subscription_page, committed=committed)
    subscribe_mail(subscription_page, committed=committed)

    with pytest.raises(RateLimited) as caught:
        subscribe_mail(subscription_page, committed=committed)

    assert 0 < caught.value.retry_after <= 3600


def test_subscribe_limits_requests_per_client(subscription_page, committed, settings):
    settings.STATUSCORE_SUBSCRIBE_LIMIT_PER_CLIENT = 2
    for number in range(2):
        subscribe_mail(
            subscription_page, f"p{number}@example.test", committed, client="192.0.2.1"
        )

    with pytest.raises(RateLimited):
        subscribe_mail(
            subscription_page, "p9@example.test", committed, client="192.0.2.1"
        )
    subscribe_mail(subscription_page, "p9@example.test", committed, client="192.0.2.2")


def test_confirm_emits_one_event_for_two_calls(subscription_page, committed):
    subscriber = subscribe_mail(subscription_page, committed=committed)

    assert confirm(subscriber) is True
    assert confirm(subscriber) is False
    assert kinds(subscription_page).count("subscriber.confirmed") == 1


def test_confirmation_token_works_once(subscription_page, committed):
    subscriber = subscribe_mail(subscription_page, committed=committed)
    token = urlsplit(confirmation_url(subscriber)).path.split("/")[3]

    confirm(read_token(token, "confirm"))

    with pytest.raises(InvalidToken):
        read_token(token, "confirm")


def test_confirmation_token_expires(subscription_page, committed, settings):
    settings.STATUSCORE_CONFIRMATION_LINK_MAX_AGE = 48 * 3600
    subscriber = subscribe_mail(subscription_page, committed=committed)
    with mock.patch("time.time", return_value=time.time() - 49 * 3600):
        token = urlsplit(confirmation_url(subscriber)).path.split("/")[3]

    with pytest.raises(TokenExpired):
        read_token(token, "confirm")


def test_tokens_are_bound_to_purpose(subscription_page, committed):
    subscriber = subscribe_mail(subscription_page, committed=committed)
    manage_token = subscriber_links(subscriber)["manage_url"].split("/")[-2]

    with pytest.raises(InvalidToken):
        read_token(manage_token, "unsubscribe")
    assert read_token(manage_token, "manage") == subscriber


def test_code_confirmation_accepts_sent_code(subscription_page, committed):
    with committed():
        subscriber = subscribe(subscription_page, "recsms", {"to": "+15550100200"})
    code = last_sent_text().split()[-1].rstrip(".")

    confirmed = confirm_code(subscription_page, "recsms", {"to": "+15550100200"}, code)

    assert confirmed.pk == subscriber.pk
    assert confirmed.state == "active"
    assert confirmed.confirmation_code_hash == ""


def test_code_confirmation_stores_only_digest(subscription_page, committed):
    with committed():
        subscriber = subscribe(subscription_page, "recsms", {"to": "+15550100200"})
    code = last_sent_text().split()[-1].rstrip(".")
    subscriber.refresh_from_db()

    assert len(code) == 6
    assert code not in subscriber.confirmation_code_hash


def test_code_confirmation_rejects_wrong_code(subscription_page, committed):
    with committed():
        subscriber = subscribe(subscription_page, "recsms", {"to": "+15550100200"})

    with pytest.raises(ValidationFailed) as caught:
        confirm_code(subscription_page, "recsms", {"to": "+15550100200"}, "bad")

    assert list(caught.value.errors) == ["code"]
    subscriber.refresh_from_db()
    assert subscriber.state == "pending"
    assert subscriber.confirmation_attempts == 1


def test_code_confirmation_stops_after_attempts(subscription_page, committed, settings):
    settings.STATUSCORE_CONFIRMATION_CODE_ATTEMPTS = 2
    with committed():
        subscribe(subscription_page, "recsms", {"to": "+15550100200"})
    code = last_sent_text().split()[-1].rstrip(".")
    for _ in range(2):
        with pytest.raises(ValidationFailed):
            confirm_code(subscription_page, "recsms", {"to": "+15550100200"}, "000000x")

    with pytest.raises(ValidationFailed):
        confirm_code(subscription_page, "recsms", {"to": "+15550100200"}, code)


def test_code_confirmation_rejects_expired_code(subscription_page, committed, settings):
    settings.STATUSCORE_CONFIRMATION_CODE_MAX_AGE = 60
    with committed():
        subscriber = subscribe(subscription_page, "recsms", {"to": "+15550100200"})
    code = last_sent_text().split()[-1].rstrip(".")
    Subscriber.objects.filter(pk=subscriber.pk).update(
        confirmation_sent_at=subscriber.confirmation_sent_at.replace(year=2000)
    )

    with pytest.raises(ValidationFailed):
        confirm_code(subscription_page, "recsms", {"to": "+15550100200"}, code)


def test_code_confirmation_same_error_for_unknown_number(subscription_page):
    with pytest.raises(ValidationFailed) as caught:
        confirm_code(subscription_page, "recsms", {"to": "+15550100999"}, "123456")

    assert list(caught.value.errors) == ["code"]


def test_call_confirmation_verifies_then_activates(
    subscription_page, committed, notifiers
):
    with committed():
        subscriber = subscribe(
            subscription_page, "rechook", {"url": "https://hooks.test/in"}
        )
    subscriber.refresh_from_db()

    assert notifiers.VERIFIED == ["https://hooks.test/in"]
    assert subscriber.state == "active"
    assert subscriber.address == "https://hooks.test/…"


def test_call_confirmation_failure_stays_pending(subscription_page, committed):
    with committed():
        subscriber = subscribe(
            subscription_page, "rechook", {"url": "https://hooks.test/refuse"}
        )
    subscriber.refresh_from_db()

    assert subscriber.state == "pending"


def test_secret_config_is_stored_in_full(subscription_page, committed):
    with committed():
        subscriber = subscribe(
            subscription_page,
            "rechook",
            {"url": "https://hooks.test/in", "secret": "s3cret"},
        )
    subscriber.refresh_from_db()

    assert subscriber.config["secret"] == "s3cret"


def test_notifier_without_confirmation_is_active_at_once(
    subscription_page, committed, notifiers
):
    with committed():
        subscriber = subscribe(subscription_page, "recfeed", {"topic": "ops"})

    assert subscriber.state == "active"
    assert notifiers.SENT == []
    assert kinds(subscription_page) == ["subscriber.created", "subscriber.confirmed"]


def test_imported_subscriber_is_active_without_message(
    subscription_page, committed, notifiers
):
    subscriber = subscribe_mail(subscription_page, committed=committed, confirmed=True)

    assert subscriber.state == "active"
    assert notifiers.SENT == []


def test_unsubscribe_and_resubscribe_are_audited(subscription_page, committed):
    subscriber = subscribe_mail(subscription_page, committed=committed)
    confirm(subscriber)

    assert unsubscribe(subscriber, how="one-click") is True
    assert unsubscribe(subscriber) is False
    assert resubscribe(subscriber) is True
    assert subscriber.state == "active"
    event = OutboxEvent.objects.get(kind="subscriber.unsubscribed")
    assert event.payload["method"] == "one-click"
    assert "address" not in event.payload
    assert kinds(subscription_page)[-1] == "subscriber.resubscribed"


def test_update_components_rejects_other_page(
    subscription_page, committed, organization
):
    subscriber = subscribe_mail(subscription_page, committed=committed)
    other = services.create_page(organization, "Other", "other")
    foreign = services.create_component(other, "Foreign API")

    with pytest.raises(ValidationFailed):
        update_components(subscriber, [foreign.pk])


def test_update_components_replaces_choice(subscription_page, committed, component):
    subscriber = subscribe_mail(subscription_page, committed=committed)

    update_components(subscriber, [component.pk])

    assert list(subscriber.components.all()) == [component]
    assert kinds(subscription_page)[-1] == "subscriber.components_changed"


def test_links_use_page_url(subscription_page, committed):
    subscriber = subscribe_mail(subscription_page, committed=committed)

    links = subscriber_links(subscriber)

    assert set(links) == {"unsubscribe_url", "unsubscribe_post_url", "manage_url"}
    for url in links.values():
        assert url.startswith("https://status.acme.test/subscriptions/")


def test_links_fall_back_to_base_url(subscription_page, committed, settings):
    settings.BASE_URL = "https://base.example.test"
    subscriber = subscribe_mail(subscription_page, committed=committed)
    Page.objects.filter(pk=subscription_page.pk).update(url="")
    subscriber.refresh_from_db()

    links = subscriber_links(subscriber)

    assert links["manage_url"].startswith("https://base.example.test/subscriptions/")


def test_bad_address_message_has_no_pydantic_prefix(subscription_page):
    with pytest.raises(ValidationFailed) as raised:
        subscribe(subscription_page, "recmail", {"to": "nope"})

    [message] = raised.value.errors["config.to"]
    assert not message.startswith("Value error")
