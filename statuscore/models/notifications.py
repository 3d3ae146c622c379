"""Who hears about events and what was sent to them.

Two kinds of recipient receive messages. An :class:`AlertChannel` is the
team's own destination (the on-call Slack channel, an ops mailbox) and
chooses which event kinds it wants. A :class:`Subscriber` is a visitor who
asked to hear about the whole page or some of its components, and receives
only once confirmed.

Both store their notifier configuration encrypted, because it contains
tokens and webhook URLs that are credentials. Every message sent is one
:class:`Delivery` row, unique per event and recipient, which is what makes
a retry or a crashed worker send nothing twice.
"""

from __future__ import annotations

import json

from django.db import models
from django.utils.translation import pgettext_lazy

from statuscore import secrets


class EncryptedJSONField(models.TextField):
    """A JSON value stored as a Fernet token; read back as the JSON value.

    Lookups on the content are impossible by design; store a
    :func:`statuscore.secrets.digest` beside it where equality matters.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return {}
        return json.loads(secrets.decrypt(value))

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        if value is None or value == "":
            return {}
        return json.loads(value)

    def get_prep_value(self, value):
        if value is None:
            value = {}
        return secrets.encrypt(json.dumps(value, sort_keys=True))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), sort_keys=True)


class AlertChannel(models.Model):
    """A destination of the team's own alerts for one page.

    ``notifier`` names a registered notifier; ``config`` is its validated
    configuration. ``event_kinds`` lists the ``EventKind`` values this
    channel receives; empty means none, so a new channel stays quiet until
    the team chooses.
    """

    page = models.ForeignKey(
        "statuscore.Page", on_delete=models.CASCADE, related_name="alert_channels"
    )
    name = models.CharField(max_length=200)
    notifier = models.CharField(max_length=64)
    config = EncryptedJSONField(default=dict, blank=True)
    event_kinds = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["page", "name"]

    def __str__(self) -> str:
        return self.name


class SubscriberState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("subscriber state", "Waiting for confirmation")
    ACTIVE = "active", pgettext_lazy("subscriber state", "Active")
    UNSUBSCRIBED = "unsubscribed", pgettext_lazy("subscriber state", "Unsubscribed")
    DISABLED = "disabled", pgettext_lazy("subscriber state", "Disabled after failures")


class SubscriberQuerySet(models.QuerySet):
    def active(self) -> "SubscriberQuerySet":
        return self.filter(state=SubscriberState.ACTIVE)


class Subscriber(models.Model):
    """A visitor subscribed to a page, through one notifier.

    ``address`` is what a person may see: an email address, a phone number,
    or a masked webhook URL. ``address_key`` is the keyed digest of the
    normalised target, so the database allows one subscription per page,
    notifier and target. ``components`` empty means the whole page.

    ``confirmation_code_hash`` is the keyed digest of the code sent to a
    notifier that confirms by code, and ``confirmation_attempts`` counts
    wrong codes typed since it was sent.
    """

    page = models.ForeignKey(
        "statuscore.Page", on_delete=models.CASCADE, related_name="subscribers"
    )
    notifier = models.CharField(max_length=64)
    address = models.CharField(max_length=320)
    address_key = models.CharField(max_length=64)
    config = EncryptedJSONField(default=dict, blank=True)
    components = models.ManyToManyField(
        "statuscore.Component", blank=True, related_name="subscribers"
    )
    language = models.CharField(max_length=16, blank=True, default="")
    state = models.CharField(
        max_length=20, choices=SubscriberState.choices, default=SubscriberState.PENDING
    )
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmation_code_hash = models.CharField(max_length=64, blank=True, default="")
    confirmation_attempts = models.PositiveSmallIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["page", "address", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["page", "notifier", "address_key"],
                name="unique_subscriber_target",
            )
        ]
        indexes = [models.Index(fields=["page", "state"])]

    def __str__(self) -> str:
        return f"{self.address} ({self.notifier})"


class DeliveryState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class Delivery(models.Model):
    """One message for one recipient about one event.

    ``key`` is ``"<event id>:<recipient kind>:<recipient id>"`` and unique,
    so fanning out an event twice creates nothing new. A worker claims a
    row by moving it to ``sending`` with ``claimed_until`` in the future.
    A row whose claim ran out belongs to a worker that died, so another
    worker claims it again. ``claim_token`` is random per claim, so a worker
    finds the rows it won and cannot mark a row that another worker has
    claimed since.
    ``next_attempt_at`` is when a queued row is due, and is empty once the
    row is sent, failed or skipped.
    """

    event = models.ForeignKey(
        "statuscore.OutboxEvent", on_delete=models.CASCADE, related_name="deliveries"
    )
    key = models.CharField(max_length=100, unique=True)
    subscriber = models.ForeignKey(
        Subscriber,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    channel = models.ForeignKey(
        AlertChannel,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    state = models.CharField(
        max_length=20, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "deliveries"
        indexes = [
            # Only rows still to send have a next attempt, so this index stays
            # as small as the queue. Its condition is IS NOT NULL because
            # SQLite uses a partial index only when it can prove that the
            # query implies the condition. A comparison with a bound parameter
            # proves IS NOT NULL, but a match with a list of states does not.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(next_attempt_at__isnull=False),
                name="delivery_due_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(subscriber__isnull=False, channel__isnull=True)
                    | models.Q(subscriber__isnull=True, channel__isnull=False)
                ),
                name="delivery_has_one_recipient",
            )
        ]

    def __str__(self) -> str:
        return self.key
