"""Fan-out of events to subscribers and alert channels, and delivery."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone

from statuscore import dispatch, services
from statuscore.events import Event, EventKind
from statuscore.exceptions import NotificationFailed
from statuscore.models import (
    AlertChannel,
    ComponentStatus,
    Delivery,
    DeliveryState,
    OutboxEvent,
    Subscriber,
    SubscriberState,
)
from statuscore.subscriptions.tokens import read_token
from statuscore.tasks import process_outbox
from tests.statuscore.notifying import make_subscriber


@pytest.fixture
def api(page):
    return services.create_component(page, "API")


@pytest.fixture
def web(page):
    return services.create_component(page, "Web")


@pytest.fixture
def other_page(organization):
    return services.create_page(organization, "Other", "other")


def incident_event(page, *components) -> Event:
    incident = services.create_incident(
        page,
        "Errors",
        body="Looking into it.",
        component_statuses={c: ComponentStatus.PARTIAL_OUTAGE for c in components},
    )
    row = OutboxEvent.objects.filter(
        kind=EventKind.INCIDENT_CREATED, payload__incident_id=incident.pk
    ).get()
    return Event.from_row(row)


def recipients(event) -> list[str]:
    return sorted(s.address for s in dispatch.recipients_for(event))


def make_channel(page, name="ops", kinds=(EventKind.INCIDENT_CREATED,), **fields):
    return AlertChannel.objects.create(
        page=page,
        name=name,
        notifier="recording",
        config={"to": f"{name}@team.test"},
        event_kinds=list(kinds),
        **fields,
    )


# -- recipients_for -------------------------------------------------------------


def test_whole_page_subscriber_receives_incident(page, api):
    make_subscriber(page, "all@example.test")

    assert recipients(incident_event(page, api)) == ["all@example.test"]


def test_component_subscriber_receives_affected(page, api, web):
    make_subscriber(page, "api@example.test", components=[api])
    make_subscriber(page, "web@example.test", components=[web])

    assert recipients(incident_event(page, api)) == ["api@example.test"]


def test_subscriber_of_two_affected_components_once(page, api, web):
    make_subscriber(page, "both@example.test", components=[api, web])

    event = incident_event(page, api, web)

    assert recipients(event) == ["both@example.test"]
    assert dispatch.recipients_for(event).count() == 1


@pytest.mark.parametrize(
    "state",
    [SubscriberState.PENDING, SubscriberState.UNSUBSCRIBED, SubscriberState.DISABLED],
)
def test_inactive_subscribers_never_receive(page, api, state):
    make_subscriber(page, "inactive@example.test", state=state)
    make_subscriber(page, "inactive-api@example.test", state=state, components=[api])

    assert recipients(incident_event(page, api)) == []


def test_other_page_subscribers_never_receive(page, other_page, api):
    make_subscriber(other_page, "elsewhere@example.test")

    assert recipients(incident_event(page, api)) == []


def test_incident_without_components_reaches_whole_page(page, api):
    make_subscriber(page, "all@example.test")
    make_subscriber(page, "api@example.test", components=[api])

    assert recipients(incident_event(page)) == ["all@example.test"]


def test_removed_component_subscribers_hear_update(page, api, web):
    make_subscriber(page, "api@example.test", components=[api])
    incident = services.create_incident(
        page, "Errors", body="Looking.", component_statuses={api: "partial_outage"}
    )
    services.post_incident_update(
        incident, status="identified", body="Only the web.", components=[web]
    )

    row = OutboxEvent.objects.get(kind=EventKind.INCIDENT_UPDATED)

    assert row.payload["component_ids"] == [web.pk]
    assert row.payload["removed_component_ids"] == [api.pk]
    assert recipients(Event.from_row(row)) == ["api@example.test"]


@pytest.mark.parametrize(
    "kind",
    [
        EventKind.CHECK_STATE_CHANGED,
        EventKind.COMPONENT_STATUS_CHANGED,
        EventKind.CERTIFICATE_EXPIRING,
        EventKind.CHECK_FLAPPING,
    ],
)
def test_team_events_reach_no_subscriber(page, kind):
    make_subscriber(page, "all@example.test")
    event = Event(1, str(kind), page.pk, {}, timezone.now())

    assert recipients(event) == []


@pytest.mark.parametrize(
    "kind",
    [
        EventKind.INCIDENT_CREATED,
        EventKind.INCIDENT_UPDATED,
        EventKind.INCIDENT_RESOLVED,
        "maintenance.started",
    ],
)
def test_incident_and_maintenance_events_reach_subscribers(page, kind):
    make_subscriber(page, "all@example.test")
    event = Event(1, str(kind), page.pk, {"component_ids": []}, timezone.now())

    assert recipients(event) == ["all@example.test"]


# -- channels_for -------------------------------------------------------------


def test_channel_receives_chosen_kinds_only(page, api):
    make_channel(page, "incidents", kinds=[EventKind.INCIDENT_CREATED])
    make_channel(page, "checks", kinds=[EventKind.CHECK_STATE_CHANGED])

    channels = dispatch.channels_for(incident_event(page, api))

    assert [channel.name for channel in channels] == ["incidents"]


def test_disabled_channels_receive_nothing(page, api):
    make_channel(page, "off", enabled=False)
    make_channel(page, "failing", disabled_at=timezone.now())

    assert dispatch.channels_for(incident_event(page, api)) == []


# -- fan_out ---------------------------------------------------------------------


def test_fan_out_writes_one_row_per_recipient(page, api, web):
    subscriber = make_subscriber(page, "both@example.test", components=[api, web])
    channel = make_channel(page)
    event = incident_event(page, api, web)

    dispatch.fan_out(event)

    keys = set(Delivery.objects.values_list("key", flat=True))
    assert keys == {f"{event.id}:s:{subscriber.pk}", f"{event.id}:c:{channel.pk}"}
    assert set(Delivery.objects.values_list("state", flat=True)) == {"queued"}


def test_fan_out_twice_writes_nothing_new(page, api, settings):
    settings.STATUSCORE_FAN_OUT_BATCH_SIZE = 3
    for index in range(10):
        make_subscriber(page, f"s{index}@example.test")
    event = incident_event(page, api)

    dispatch.fan_out(event)
    Delivery.objects.filter(pk__in=Delivery.objects.values("pk")[:4]).delete()
    dispatch.fan_out(event)

    assert Delivery.objects.count() == 10
    assert Delivery.objects.values("key").distinct().count() == 10


def test_drain_fans_out_before_marking_processed(page, api, monkeypatch):
    make_subscriber(page, "all@example.test")
    incident_event(page, api)

    def broken(event):
        raise RuntimeError("database went away")

    monkeypatch.setattr(dispatch, "fan_out", broken)
    process_outbox()
    pending = OutboxEvent.objects.get(kind=EventKind.INCIDENT_CREATED)
    assert pending.processed_at is None
    assert "database went away" in pending.last_error

    monkeypatch.undo()
    process_outbox()
    pending.refresh_from_db()
    assert pending.processed_at is not None
    assert Delivery.objects.count() == 1


# -- deliver_due ---------------------------------------------------------------


@pytest.fixture
def sending(notifier):
    return notifier


def token_in(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def fan_out_incident(page, *components) -> Event:
    event = incident_event(page, *components)
    dispatch.fan_out(event)
    return event


def test_delivery_sent_once_with_key(page, api, sending):
    make_subscriber(page, "all@example.test")
    event = fan_out_incident(page, api)

    dispatch.deliver_due()
    dispatch.deliver_due()

    delivery = Delivery.objects.get()
    assert [to for to, _ in sending.sent] == ["all@example.test"]
    assert sending.sent[0][1].key == delivery.key
    assert sending.sent[0][1].event_kind == EventKind.INCIDENT_CREATED
    assert "Errors" in sending.sent[0][1].subject
    assert "Looking into it." in sending.sent[0][1].text
    assert delivery.key.startswith(f"{event.id}:s:")
    assert delivery.state == DeliveryState.SENT
    assert delivery.sent_at is not None
    assert delivery.attempts == 1


def test_subscriber_message_carries_links(page, api, sending, settings):
    settings.BASE_URL = "https://status.example.test"
    subscriber = make_subscriber(page, "all@example.test")
    fan_out_incident(page, api)

    dispatch.deliver_due()

    message = sending.sent[0][1]
    unsubscribe = urlsplit(message.unsubscribe_url)
    one_click = urlsplit(message.unsubscribe_post_url)
    assert unsubscribe.netloc == "status.example.test"
    assert read_token(token_in(unsubscribe.path), "unsubscribe") == subscriber
    assert read_token(token_in(one_click.path), "unsubscribe") == subscriber
    assert one_click.path != unsubscribe.path


def test_sent_row_leaves_queue(page, api, sending):
    make_subscriber(page, "all@example.test")
    fan_out_incident(page, api)

    dispatch.deliver_due()

    delivery = Delivery.objects.get()
    assert delivery.next_attempt_at is None
    assert delivery.claimed_until is None
    assert delivery.claim_token == ""


def test_each_row_marked_before_next_send(page, api, sending):
    for index in range(3):
        make_subscriber(page, f"user{index}@example.test")
    fan_out_incident(page, api)
    sent_before: list[int] = []
    sending.before_send = staticmethod(
        lambda message: sent_before.append(
            Delivery.objects.filter(state=DeliveryState.SENT).count()
        )
    )

    dispatch.deliver_due()

    assert sent_before == [0, 1, 2]
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 3


def test_error_mid_batch_fails_only_that_row(page, api, sending):
    for to in ("first@example.test", "buggy@example.test", "last@example.test"):
        make_subscriber(page, to)
    sending.failures["buggy@example.test"] = KeyError("template")
    fan_out_incident(page, api)

    dispatch.deliver_due()

    states = dict(Delivery.objects.values_list("subscriber__address", "state"))
    assert [to for to, _ in sending.sent] == ["first@example.test", "last@example.test"]
    assert states["first@example.test"] == DeliveryState.SENT
    assert states["buggy@example.test"] == DeliveryState.QUEUED
    assert states["last@example.test"] == DeliveryState.SENT


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_claim_walks_due_index(page, api):
    query = (
        Delivery.objects.filter(dispatch._due(timezone.now()))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:200]
    )

    plan = query.explain()

    assert "USING INDEX delivery_due_idx" in plan
    assert "TEMP B-TREE" not in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads an SQLite pragma")
@pytest.mark.django_db(transaction=True)
def test_marking_sent_restores_sqlite_sync(page, api, sending):
    make_subscriber(page, "all@example.test")
    fan_out_incident(page, api)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous = FULL")

        dispatch.deliver_due()

        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2
    assert Delivery.objects.get().state == DeliveryState.SENT


def test_temporary_failure_retried_later(page, api, sending):
    make_subscriber(page, "flaky@example.test")
    sending.failures["flaky@example.test"] = NotificationFailed("421 try later")
    fan_out_incident(page, api)
    before = timezone.now()

    dispatch.deliver_due()

    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.QUEUED
    assert delivery.attempts == 1
    assert delivery.last_error == "421 try later"
    assert before <= delivery.next_attempt_at <= before + timedelta(seconds=31)


def test_retry_sent_when_due(page, api, sending):
    make_subscriber(page, "flaky@example.test")
    sending.failures["flaky@example.test"] = NotificationFailed("421 try later")
    fan_out_incident(page, api)
    dispatch.deliver_due()
    del sending.failures["flaky@example.test"]

    dispatch.deliver_due(now=timezone.now() + timedelta(hours=2))

    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.SENT
    assert delivery.attempts == 2
    assert len(sending.sent) == 1


def test_unexpected_error_is_temporary(page, api, sending):
    make_subscriber(page, "buggy@example.test")
    sending.failures["buggy@example.test"] = KeyError("template")
    fan_out_incident(page, api)

    dispatch.deliver_due()

    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.QUEUED
    assert "KeyError" in delivery.last_error


def test_failed_after_max_attempts(page, api, sending, settings):
    settings.STATUSCORE_DELIVERY_MAX_ATTEMPTS = 3
    make_subscriber(page, "down@example.test")
    sending.failures["down@example.test"] = NotificationFailed("connection refused")
    fan_out_incident(page, api)

    later = timezone.now()
    for _ in range(5):
        later += timedelta(days=1)
        dispatch.deliver_due(now=later)

    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == 3
    assert delivery.last_error == "connection refused"


def test_permanent_failure_stops_at_once(page, api, sending):
    make_subscriber(page, "gone@example.test")
    sending.failures["gone@example.test"] = NotificationFailed(
        "550 no such user", permanent=True
    )
    fan_out_incident(page, api)

    dispatch.deliver_due()

    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == 1
    assert delivery.last_error == "550 no such user"


def test_retry_delay_grows_and_is_capped(settings):
    settings.STATUSCORE_DELIVERY_RETRY_BASE = 10
    settings.STATUSCORE_DELIVERY_RETRY_MAX = 100

    first = [dispatch.retry_delay(1) for _ in range(200)]
    tenth = [dispatch.retry_delay(10) for _ in range(200)]

    assert max(first) <= 10
    assert min(first) >= 0
    assert max(tenth) <= 100
    assert max(tenth) > 50


def test_repeated_failures_disable_subscriber(page, api, sending, settings):
    settings.STATUSCORE_DISABLE_AFTER_FAILURES = 2
    subscriber = make_subscriber(page, "gone@example.test")
    sending.failures["gone@example.test"] = NotificationFailed("550", permanent=True)

    fan_out_incident(page, api)
    dispatch.deliver_due()
    subscriber.refresh_from_db()
    assert subscriber.state == SubscriberState.ACTIVE
    assert subscriber.consecutive_failures == 1

    fan_out_incident(page, api)
    dispatch.deliver_due()
    subscriber.refresh_from_db()
    assert subscriber.state == SubscriberState.DISABLED
    assert subscriber.disabled_at is not None
    assert "550" in subscriber.disabled_reason

    disabled = OutboxEvent.objects.get(kind=EventKind.SUBSCRIBER_DISABLED)
    assert disabled.payload["subscriber_id"] == subscriber.pk


def test_success_resets_failure_count(page, api, sending):
    subscriber = make_subscriber(page, "flaky@example.test")
    Subscriber.objects.filter(pk=subscriber.pk).update(consecutive_failures=3)
    fan_out_incident(page, api)

    dispatch.deliver_due()

    subscriber.refresh_from_db()
    assert subscriber.consecutive_failures == 0


def test_repeated_failures_disable_channel(page, api, sending, settings):
    settings.STATUSCORE_DISABLE_AFTER_FAILURES = 1
    channel = make_channel(page)
    sending.failures["ops@team.test"] = NotificationFailed("401", permanent=True)
    fan_out_incident(page, api)

    dispatch.deliver_due()

    channel.refresh_from_db()
    assert channel.disabled_at is not None
    assert "401" in channel.disabled_reason
    assert OutboxEvent.objects.filter(kind=EventKind.ALERT_CHANNEL_DISABLED).exists()


def test_unsubscribed_after_fan_out_skipped(page, api, sending):
    subscriber = make_subscriber(page, "leaving@example.test")
    fan_out_incident(page, api)
    Subscriber.objects.filter(pk=subscriber.pk).update(
        state=SubscriberState.UNSUBSCRIBED
    )

    dispatch.deliver_due()

    assert Delivery.objects.get().state == DeliveryState.SKIPPED
    assert sending.sent == []


def test_row_claimed_by_live_worker_left_alone(page, api, sending):
    make_subscriber(page, "all@example.test")
    fan_out_incident(page, api)
    Delivery.objects.update(
        state=DeliveryState.SENDING,
        claimed_until=timezone.now() + timedelta(minutes=5),
        claim_token="other",
    )

    claimed = dispatch.deliver_due()

    assert claimed == 0
    assert sending.sent == []


def test_expired_claim_sent_again(page, api, sending):
    make_subscriber(page, "all@example.test")
    fan_out_incident(page, api)
    Delivery.objects.update(
        state=DeliveryState.SENDING,
        claimed_until=timezone.now() - timedelta(seconds=1),
        claim_token="dead-worker",
        attempts=1,
    )

    dispatch.deliver_due()

    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.SENT
    assert delivery.attempts == 2
    assert len(sending.sent) == 1


def test_channel_secret_never_logged(page, api, sending, caplog):
    channel = make_channel(page)
    channel.config = {"to": "ops@team.test", "token": "xoxb-very-secret"}
    channel.save()
    sending.failures["ops@team.test"] = NotificationFailed("500 from the service")
    fan_out_incident(page, api)

    with caplog.at_level("DEBUG"):
        dispatch.deliver_due()

    assert "xoxb-very-secret" not in caplog.text


def test_commit_drains_fans_out_and_sends(
    page, api, sending, django_capture_on_commit_callbacks
):
    make_subscriber(page, "all@example.test")

    with django_capture_on_commit_callbacks(execute=True):
        services.create_incident(
            page, "Errors", body="Looking.", component_statuses={api: "major_outage"}
        )

    assert [to for to, _ in sending.sent] == ["all@example.test"]
    assert Delivery.objects.get().state == DeliveryState.SENT
