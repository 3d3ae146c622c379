"""huey tasks: draining the outbox, sending notifications, moving
maintenances along, rolling up results, retention.

Delivery is at least once. A row is marked processed only after every
plugin's event hook returned and its deliveries were written. A failure
leaves it pending with the error recorded. The next drain tries it again,
and that drain is queued by the next event or by the once-a-minute sweep.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from statuscore import dispatch
from statuscore.conf import get_settings
from statuscore.events import Event
from statuscore.models import OutboxEvent
from statuscore.plugins import get_plugin_manager
from statuscore.rollups import delete_expired_results, roll_up_recent
from statuscore.services.maintenances import run_due_maintenances

# Imported for huey, which looks for tasks only in each app's tasks module.
from statuscore.subscriptions.tasks import send_confirmation  # noqa: E402,F401

logger = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 2000


def process_outbox(batch_size: int | None = None) -> int:
    """Deliver pending events in id order and return how many succeeded.

    Each event goes to the plugins' ``statuscore_event`` hook, then fans out
    to its notification recipients; sending is queued for after commit.
    """
    batch_size = batch_size or get_settings().outbox_batch_size
    hook = get_plugin_manager().hook
    delivered = 0

    pending = OutboxEvent.objects.filter(processed_at__isnull=True).order_by("id")
    for row in pending[:batch_size]:
        event = Event.from_row(row)
        try:
            hook.statuscore_event(event=event)
            fanned_out = dispatch.fan_out(event)
        except Exception as error:
            logger.exception("Event %s #%s failed to be processed", row.kind, row.pk)
            OutboxEvent.objects.filter(pk=row.pk).update(
                attempts=row.attempts + 1,
                last_error=f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH],
            )
            continue

        # Conditional on processed_at, so a concurrent drain that already
        # finished this row is not overwritten.
        OutboxEvent.objects.filter(pk=row.pk, processed_at__isnull=True).update(
            processed_at=timezone.now(), attempts=row.attempts + 1, last_error=""
        )
        delivered += 1
        if fanned_out:
            transaction.on_commit(send_notifications)
    return delivered


@db_task()
def drain_outbox() -> int:
    return process_outbox()


@db_periodic_task(crontab(minute="*"))
def sweep_outbox() -> int:
    """Drain what an earlier drain missed, such as events queued while the
    task queue was unreachable."""
    return process_outbox()


def send_due_notifications(max_rounds: int = 1000) -> int:
    """Send due deliveries, batch after batch, until none is left or
    ``max_rounds`` batches were claimed; return how many were claimed."""
    claimed = 0
    for _ in range(max_rounds):
        count = dispatch.deliver_due()
        if not count:
            break
        claimed += count
    return claimed


@db_task()
def send_notifications() -> int:
    return send_due_notifications()


@db_periodic_task(crontab(minute="*"))
def sweep_notifications() -> int:
    """Send retries that came due and deliveries whose worker died."""
    return send_due_notifications()


@db_periodic_task(crontab(minute="*"))
def advance_maintenances() -> int:
    """Create occurrences of recurring windows, start due maintenances,
    complete ended ones and send reminders; return how many maintenances
    were created or moved."""
    done = run_due_maintenances()
    moved = len(done.started) + len(done.completed) + len(done.reminded)
    return moved + len(done.created)


@db_periodic_task(crontab(minute="2"))
def roll_up_results() -> int:
    """Roll up the hours and days that closed, then delete raw results older
    than ``STATUSCORE_RESULT_RETENTION_DAYS``.

    Rolling up comes first. A result recorded more than about two hours
    after its hour closed is not rolled up, so it is deleted uncounted.
    """
    roll_up_recent()
    return delete_expired_results()


@db_periodic_task(crontab(minute="17"))
def delete_expired_idempotency_keys() -> int:
    """Delete the responses kept for Idempotency-Key retries once their 24
    hours are over; return how many were deleted."""
    from statuscore.api.v1.idempotency import delete_expired_keys

    return delete_expired_keys()
