"""Fan-out of events to recipients, and delivery with retries.

An event reaches two kinds of recipient. Subscribers receive incident and
maintenance notices for the components they chose (:func:`recipients_for`),
and alert channels receive the event kinds the team picked for them
(:func:`channels_for`). :func:`fan_out` writes one :class:`Delivery` row per
recipient, keyed ``"<event id>:s:<subscriber id>"`` or
``"<event id>:c:<channel id>"``, so fanning out twice writes nothing new.
:func:`deliver_due` claims due rows, sends them and records the outcome.

Delivery is at least once. A row is marked sent as soon as its notifier
reports the message accepted, before the next message of the batch goes
out. A worker that dies in between leaves the row claimed, and when the
claim runs out another worker sends it again. So each worker that dies
repeats at most one message. Notifiers get the row's key as
:attr:`Message.key` so that receivers can drop that repeat.
"""

from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import pydantic
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from statuscore.conf import get_settings
from statuscore.events import Event, EventKind, emit
from statuscore.exceptions import NotificationFailed
from statuscore.messages import MessageRenderer
from statuscore.models import (
    AlertChannel,
    Check,
    Delivery,
    DeliveryState,
    Incident,
    Subscriber,
    SubscriberState,
)
from statuscore.notifiers import Message, Notifier
from statuscore.plugins import get_notifiers
from statuscore.subscriptions import disable, subscriber_links

__all__ = [
    "SUBSCRIBER_EVENT_KINDS",
    "affected_component_ids",
    "channels_for",
    "deliver_due",
    "fan_out",
    "is_for_subscribers",
    "is_subscriber_event",
    "recipients_for",
]

logger = logging.getLogger(__name__)

SUBSCRIBER_EVENT_KINDS = frozenset(
    {
        EventKind.INCIDENT_CREATED,
        EventKind.INCIDENT_UPDATED,
        EventKind.INCIDENT_RESOLVED,
        EventKind.INCIDENT_PUBLISHED,
    }
)
"""Event kinds that subscribers receive, besides the ``maintenance.*`` kinds
other than those in ``NON_SUBSCRIBER_MAINTENANCE_KINDS``.

Subscribers hear what the team publishes, as on Atlassian Statuspage:
incident and maintenance notices. Check state changes, raw component
status changes, corrections and deletions go to the team's alert channels
only.
"""

NON_SUBSCRIBER_MAINTENANCE_KINDS = frozenset({EventKind.MAINTENANCE_DELETED})

MAX_ERROR_LENGTH = 2000


# -- Who receives an event -----------------------------------------------------


def is_subscriber_event(kind: str) -> bool:
    """Return whether subscribers receive events of ``kind``."""
    if kind in SUBSCRIBER_EVENT_KINDS:
        return True
    if kind in NON_SUBSCRIBER_MAINTENANCE_KINDS:
        return False
    return kind.startswith("maintenance.")


def is_for_subscribers(event: Event) -> bool:
    """Return whether subscribers may receive this event at all.

    Besides the kind, an event is withheld when its payload has
    ``notify_subscribers: false`` (the editor switched the notice off), and
    an incident event when the incident was not public when the event was
    written or is not public now. An incident waiting for approval thus
    reaches subscribers only through the ``incident.published`` event of
    ``approve_incident``, once.
    """
    if not is_subscriber_event(event.kind):
        return False
    payload = event.payload
    if payload.get("notify_subscribers") is False:
        return False
    if event.kind.startswith("incident."):
        if payload.get("is_public") is False:
            return False
        incident_id = payload.get("incident_id")
        if incident_id is not None and not _incident_is_public(incident_id):
            return False
    return True


def _incident_is_public(incident_id: int) -> bool:
    """Return whether the incident exists and is public. A deleted incident
    is not, so no subscriber is notified of an incident that is gone."""
    return Incident.objects.public().filter(pk=incident_id).exists()


def affected_component_ids(event: Event) -> set[int]:
    """Return the ids of the components an event concerns.

    Incident and maintenance events list them in ``component_ids``. An
    incident update also counts the components it removed
    (``removed_component_ids``), so their subscribers learn that those
    components are no longer affected.
    """
    ids = set(event.payload.get("component_ids") or [])
    ids.update(event.payload.get("removed_component_ids") or [])
    return {int(pk) for pk in ids}


def recipients_for(event: Event) -> QuerySet[Subscriber]:
    """Return the subscribers who receive ``event``, each once.

    These are the active subscribers of the event's page who subscribed to
    the whole page (no components) or to at least one affected component.
    Pending, unsubscribed and disabled subscribers never receive anything,
    and no subscriber receives an event that :func:`is_for_subscribers`
    rejects. An incident that affects no component reaches whole-page
    subscribers only.

    The component test is an ``EXISTS`` subquery rather than a join, so a
    subscriber with several affected components is one row without
    ``DISTINCT``.
    """
    if event.page_id is None or not is_for_subscribers(event):
        return Subscriber.objects.none()

    chosen = Subscriber.components.through.objects.filter(subscriber_id=OuterRef("pk"))
    affected = chosen.filter(component_id__in=affected_component_ids(event))
    return Subscriber.objects.filter(
        page_id=event.page_id, state=SubscriberState.ACTIVE
    ).filter(~Exists(chosen) | Exists(affected))


CHECK_ALERT_KINDS = frozenset(
    {
        EventKind.CHECK_STATE_CHANGED,
        EventKind.CHECK_FLAPPING,
        EventKind.CHECK_FLAPPING_ENDED,
    }
)


def channels_for(event: Event) -> list[AlertChannel]:
    """Return the page's enabled alert channels that chose ``event.kind``.

    While a check is flapping its ``check.state_changed`` events reach no
    channel, and neither does the change announced with
    ``check.flapping_ended``: the ``check.flapping`` alert and the
    ``check.flapping_ended`` summary stand for all of them. Check events
    marked ``in_maintenance`` (the check's component was under maintenance)
    reach no channel either, because the team expects the check to fail
    during planned work.
    """
    if event.page_id is None or _coalesced(event):
        return []
    if event.kind in CHECK_ALERT_KINDS and event.payload.get("in_maintenance"):
        return []
    channels = AlertChannel.objects.filter(
        page_id=event.page_id, enabled=True, disabled_at__isnull=True
    )
    # event_kinds is a JSON list, and SQLite cannot test list membership in
    # SQL; a page has a handful of channels.
    return [channel for channel in channels if event.kind in channel.event_kinds]


def _coalesced(event: Event) -> bool:
    if event.kind != EventKind.CHECK_STATE_CHANGED:
        return False
    if event.payload.get("ends_flapping"):
        return True
    check_id = event.payload.get("check_id")
    return Check.objects.filter(pk=check_id, flapping_since__isnull=False).exists()


# -- Fan-out -------------------------------------------------------------------


def fan_out(event: Event) -> int:
    """Write one queued delivery per recipient of ``event``; return how many
    rows the recipients need, written now or before.

    Rows are inserted in batches of ``STATUSCORE_FAN_OUT_BATCH_SIZE`` with
    conflicts on the unique key ignored, so a second call, or a call after a
    crash half-way, adds only the rows that are missing. Subscriber ids are
    read as plain values, never as model instances.
    """
    batch_size = get_settings().fan_out_batch_size
    now = timezone.now()
    total = 0

    channel_rows = [
        Delivery(
            event_id=event.id,
            key=f"{event.id}:c:{channel.pk}",
            channel_id=channel.pk,
            next_attempt_at=now,
        )
        for channel in channels_for(event)
    ]
    _insert(channel_rows)
    total += len(channel_rows)

    subscriber_ids = recipients_for(event).order_by().values_list("pk", flat=True)
    batch: list[Delivery] = []
    for subscriber_id in subscriber_ids.iterator(chunk_size=batch_size):
        batch.append(
            Delivery(
                event_id=event.id,
                key=f"{event.id}:s:{subscriber_id}",
                subscriber_id=subscriber_id,
                next_attempt_at=now,
            )
        )
        if len(batch) >= batch_size:
            _insert(batch)
            total += len(batch)
            batch = []
    _insert(batch)
    total += len(batch)

    logger.info("Event %s #%s fanned out to %s recipients", event.kind, event.id, total)
    return total


def _insert(rows: list[Delivery]) -> None:
    if rows:
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)


# -- Delivery ------------------------------------------------------------------


def deliver_due(limit: int | None = None, now: datetime | None = None) -> int:
    """Claim up to ``limit`` due deliveries, send them, and record each outcome.

    1. Claim: rows that are queued and due, or sending with an expired
       claim, move to ``sending`` under a fresh token (see :func:`_claim`).
    2. Render each message. Rows whose recipient no longer receives are
       skipped; rows that cannot be rendered count as failed attempts.
    3. Send the messages of each notifier as one batch through
       :meth:`Notifier.send_many`, and record each outcome as it arrives,
       before the next message is sent. A sent row is marked sent with one
       UPDATE, so a crash repeats at most the one message that the channel
       accepted and whose UPDATE had not committed.
    4. A temporary failure is retried after a backoff with full jitter; a
       permanent one, or the last attempt, fails the row with the reason.
    5. Failed rows count towards disabling their recipient; a sent row
       resets the count.

    Returns how many rows were claimed, so a caller loops until it is 0.
    """
    settings = get_settings()
    limit = limit or settings.delivery_batch_size
    now = now or timezone.now()
    token = secrets.token_hex(16)

    claimed = _claim(limit, now, token)
    if not claimed:
        return 0

    deliveries = (
        Delivery.objects.filter(pk__in=claimed, claim_token=token)
        .select_related("event", "event__page", "subscriber", "channel")
        .order_by("id")
    )
    renderer = MessageRenderer()
    batches: dict[type[Notifier], list[_Outgoing]] = {}
    for delivery in deliveries:
        outgoing = _prepare(delivery, token, renderer)
        if outgoing is not None:
            batches.setdefault(outgoing.notifier_class, []).append(outgoing)

    sent: list[Delivery] = []
    for notifier_class, batch in batches.items():
        for outgoing, failure in _send_batch(notifier_class, batch):
            delivery = outgoing.delivery
            if failure is None:
                _mark_sent(delivery, token)
                sent.append(delivery)
            else:
                logger.warning(
                    "Delivery %s (%s) failed on attempt %s: %s",
                    delivery.pk,
                    delivery.key,
                    delivery.attempts,
                    failure.reason,
                )
                _record_failure(delivery, token, failure.reason, failure.permanent)

    _reset_failure_counts(sent)
    return len(claimed)


def _due(now: datetime) -> Q:
    """Return the condition of a row that a worker may claim at ``now``.

    Its first term is a range on ``next_attempt_at``, which implies the
    condition of the partial index ``delivery_due_idx``, so the database
    walks that index in order instead of scanning and sorting every
    delivery. A row in ``sending`` always has ``next_attempt_at`` before its
    claim expires, because it was due when it was claimed.
    """
    return Q(next_attempt_at__lte=now) & (
        Q(state=DeliveryState.QUEUED)
        | Q(state=DeliveryState.SENDING, claimed_until__lt=now)
    )


def _claim(limit: int, now: datetime, token: str) -> list[int]:
    """Move up to ``limit`` due rows to ``sending`` under ``token``.

    The UPDATE repeats the due condition, so a row another worker claimed
    between the SELECT and the UPDATE is left to it. On PostgreSQL the
    SELECT skips rows locked by a concurrent claim, so two workers take
    different rows instead of racing for the same ones.
    """
    due = _due(now)
    settings = get_settings()
    with transaction.atomic():
        candidates = Delivery.objects.filter(due).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        Delivery.objects.filter(due, pk__in=ids).update(
            state=DeliveryState.SENDING,
            claim_token=token,
            claimed_until=now + timedelta(seconds=settings.delivery_claim_seconds),
            attempts=F("attempts") + 1,
        )
    return list(
        Delivery.objects.filter(pk__in=ids, claim_token=token).values_list(
            "pk", flat=True
        )
    )


@dataclass
class _Outgoing:
    delivery: Delivery
    notifier_class: type[Notifier]
    config: pydantic.BaseModel
    message: Message


def _prepare(
    delivery: Delivery, token: str, renderer: MessageRenderer
) -> _Outgoing | None:
    """Return the message for ``delivery``, or record why it is not sent
    (skipped, or failed) and return None."""
    if delivery.attempts > get_settings().delivery_max_attempts:
        # The worker holding the last attempt died before recording it.
        reason = "The worker stopped during the last attempt."
        _record_failure(delivery, token, reason, True)
        return None
    if not _recipient_is_live(delivery):
        _skip(delivery, token)
        return None

    recipient = delivery.subscriber or delivery.channel
    notifier_class = get_notifiers().get(recipient.notifier)
    if notifier_class is None:
        reason = f"No notifier named {recipient.notifier!r} is installed."
        _record_failure(delivery, token, reason, True)
        return None
    try:
        config = notifier_class.Config.model_validate(recipient.config)
        message = _render(delivery, notifier_class, renderer)
    except Exception as error:
        # Treated as temporary: a template or configuration bug fixed by a
        # deploy should not drop the message.
        logger.exception(
            "Delivery %s (%s) could not be rendered for notifier %s",
            delivery.pk,
            delivery.key,
            notifier_class.name,
        )
        _record_failure(delivery, token, f"{type(error).__name__}: {error}", False)
        return None
    return _Outgoing(delivery, notifier_class, config, message)


def _send_batch(
    notifier_class: type[Notifier], batch: list[_Outgoing]
) -> Iterator[tuple[_Outgoing, NotificationFailed | None]]:
    """Send ``batch`` through one notifier; yield each row with its failure,
    or None when sent, as soon as the notifier reports it.

    An unexpected exception from the notifier fails the message it was
    sending as temporary, and ``send_many`` is called again for the rest.
    """
    notifier = notifier_class()
    position = 0
    while position < len(batch):
        rest = batch[position:]
        outcomes = notifier.send_many((item.config, item.message) for item in rest)
        try:
            for outgoing, failure in zip(rest, outcomes, strict=False):
                position += 1
                yield outgoing, failure
        except Exception as error:
            outgoing = batch[position]
            position += 1
            logger.exception(
                "Delivery %s (%s) raised in notifier %s",
                outgoing.delivery.pk,
                outgoing.delivery.key,
                notifier_class.name,
            )
            yield outgoing, NotificationFailed(f"{type(error).__name__}: {error}")
            continue
        finally:
            outcomes.close()
        if position < len(batch):
            break  # send_many stopped yielding before the end of the batch
    for outgoing in batch[position:]:
        yield (
            outgoing,
            NotificationFailed(
                f"Notifier {notifier_class.name} returned no outcome for this message."
            ),
        )


def _recipient_is_live(delivery: Delivery) -> bool:
    """Return whether the recipient still wants messages, which may have
    changed since fan-out (an unsubscribe, a disabled channel)."""
    if delivery.subscriber is not None:
        return delivery.subscriber.state == SubscriberState.ACTIVE
    channel = delivery.channel
    return channel is not None and channel.enabled and channel.disabled_at is None


def _render(
    delivery: Delivery, notifier_class: type[Notifier], renderer: MessageRenderer
) -> Message:
    event = Event.from_row(delivery.event)
    page = delivery.event.page
    subscriber = delivery.subscriber
    if subscriber is None:
        return renderer.render(event, page, notifier_class, key=delivery.key)
    if subscriber.page_id == page.pk:
        subscriber.page = page  # saves subscriber_links a query per row
    return renderer.render(
        event,
        page,
        notifier_class,
        language=subscriber.language or None,
        links=subscriber_links(subscriber),
        key=delivery.key,
    )


def _mark_sent(delivery: Delivery, token: str) -> None:
    with _commit_without_flush():
        Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(
            state=DeliveryState.SENT,
            sent_at=timezone.now(),
            next_attempt_at=None,
            claimed_until=None,
            claim_token="",
            last_error="",
        )


@contextmanager
def _commit_without_flush() -> Iterator[None]:
    """Commit the writes inside without waiting for the disk to flush them.

    Marking each row sent in its own transaction keeps the repeat window at
    one message, and skipping the flush keeps that cheap. A crash of the
    sender loses no commit. A crash of the database server or the machine
    can undo the last marks made this way, and those messages are sent
    again: a repeat, never a loss. On PostgreSQL ``synchronous_commit`` is
    off for this transaction only. On SQLite in WAL mode ``synchronous`` is
    ``NORMAL`` for this connection until the block ends; inside a caller's
    transaction it is left alone, because the caller's commit is the one
    that counts.
    """
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            yield
        return
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous = NORMAL")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous = {int(previous)}")


def _skip(delivery: Delivery, token: str) -> None:
    logger.info("Delivery %s skipped: the recipient no longer receives", delivery.pk)
    Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(
        state=DeliveryState.SKIPPED,
        next_attempt_at=None,
        claimed_until=None,
        claim_token="",
    )


def retry_delay(attempts: int) -> float:
    """Return seconds to wait after ``attempts`` failed attempts.

    Exponential backoff with full jitter: a random delay between 0 and
    ``base * 2 ** (attempts - 1)``, capped at ``STATUSCORE_DELIVERY_RETRY_MAX``.
    The jitter spreads the retries of many recipients that failed together,
    such as during an outage of the mail relay.
    """
    settings = get_settings()
    ceiling = min(
        settings.delivery_retry_max,
        settings.delivery_retry_base * 2 ** max(attempts - 1, 0),
    )
    return random.uniform(0, ceiling)


def _record_failure(
    delivery: Delivery, token: str, reason: str, permanent: bool
) -> None:
    settings = get_settings()
    reason = reason[:MAX_ERROR_LENGTH]
    final = permanent or delivery.attempts >= settings.delivery_max_attempts
    if not final:
        next_attempt_at = timezone.now() + timedelta(
            seconds=retry_delay(delivery.attempts)
        )
        Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(
            state=DeliveryState.QUEUED,
            next_attempt_at=next_attempt_at,
            claimed_until=None,
            claim_token="",
            last_error=reason,
        )
        logger.info("Delivery %s will be retried at %s", delivery.pk, next_attempt_at)
        return

    with transaction.atomic():
        updated = Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(
            state=DeliveryState.FAILED,
            next_attempt_at=None,
            claimed_until=None,
            claim_token="",
            last_error=reason,
        )
        if updated:
            _count_failure(delivery, reason)
    logger.warning(
        "Delivery %s failed after %s attempts: %s",
        delivery.pk,
        delivery.attempts,
        reason,
    )


def _count_failure(delivery: Delivery, reason: str) -> None:
    """Add one failed delivery to the recipient's count, and disable the
    recipient when the count reaches ``STATUSCORE_DISABLE_AFTER_FAILURES``."""
    limit = get_settings().disable_after_failures
    if delivery.subscriber_id is not None:
        model, pk = Subscriber, delivery.subscriber_id
    else:
        model, pk = AlertChannel, delivery.channel_id
    model.objects.filter(pk=pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    recipient = model.objects.select_for_update().get(pk=pk)
    if recipient.consecutive_failures < limit or recipient.disabled_at is not None:
        return
    count = recipient.consecutive_failures
    disable_recipient(
        recipient, f"{count} deliveries in a row failed, the last: {reason}"
    )


def disable_recipient(recipient: Subscriber | AlertChannel, reason: str) -> None:
    """Disable a failing subscriber or alert channel and emit an event.

    Must run inside a transaction. The event (``subscriber.disabled`` or
    ``alert_channel.disabled``) reaches the alert channels that chose it,
    so the team learns that someone stopped receiving messages.
    """
    if isinstance(recipient, Subscriber):
        disable(recipient, reason)
        return

    recipient.disabled_at = timezone.now()
    recipient.disabled_reason = reason
    recipient.save(update_fields=["disabled_at", "disabled_reason", "updated_at"])
    emit(
        EventKind.ALERT_CHANNEL_DISABLED,
        recipient.page,
        {
            "channel_id": recipient.pk,
            "channel_name": recipient.name,
            "notifier": recipient.notifier,
            "reason": reason,
        },
    )
    logger.warning("Alert channel %s disabled: %s", recipient.pk, reason)


def _reset_failure_counts(sent: Iterable[Delivery]) -> None:
    subscriber_ids = {d.subscriber_id for d in sent if d.subscriber_id}
    channel_ids = {d.channel_id for d in sent if d.channel_id}
    if subscriber_ids:
        Subscriber.objects.filter(
            pk__in=subscriber_ids, consecutive_failures__gt=0
        ).update(consecutive_failures=0)
    if channel_ids:
        AlertChannel.objects.filter(
            pk__in=channel_ids, consecutive_failures__gt=0
        ).update(consecutive_failures=0)
