"""The huey task that sends a new subscriber's confirmation.

Subscribing only queues it, so a visitor's request never waits on an SMTP
server or a webhook. The task does what the notifier's ``confirmation``
mode asks: send a link, send a code, or call the target to verify it.
"""

from __future__ import annotations

import logging

from django.utils import timezone
from huey.contrib.djhuey import db_task

from statuscore.exceptions import NotificationFailed
from statuscore.messages import render_confirmation
from statuscore.models import Subscriber
from statuscore.models.notifications import SubscriberState
from statuscore.plugins import get_notifiers
from statuscore.subscriptions.service import confirm, hash_code, new_code
from statuscore.subscriptions.tokens import confirmation_url

__all__ = ["deliver_confirmation", "send_confirmation"]

logger = logging.getLogger(__name__)


def deliver_confirmation(subscriber_id: int) -> None:
    """Send the confirmation of a pending subscriber, or verify its target.

    Does nothing for a subscriber that is no longer pending. Raises
    ``NotificationFailed`` only for a temporary failure, so that the task
    is retried; a permanent one is logged and leaves the subscriber
    pending.
    """
    subscriber = (
        Subscriber.objects.select_related("page")
        .filter(pk=subscriber_id, state=SubscriberState.PENDING)
        .first()
    )
    if subscriber is None:
        logger.info("Subscriber %s is not pending; no confirmation sent", subscriber_id)
        return
    notifier_class = get_notifiers().get(subscriber.notifier)
    if notifier_class is None:
        logger.error(
            "Subscriber %s uses notifier %r, which is not installed; "
            "no confirmation sent",
            subscriber.pk,
            subscriber.notifier,
        )
        return

    notifier = notifier_class()
    config = notifier_class.Config.model_validate(subscriber.config)
    page = subscriber.page
    language = subscriber.language or page.language
    try:
        if notifier_class.confirmation == "call":
            notifier.verify(config)
            confirm(subscriber, how="call")
            return

        if notifier_class.confirmation == "code":
            code = new_code()
            Subscriber.objects.filter(pk=subscriber.pk).update(
                confirmation_code_hash=hash_code(subscriber, code),
                confirmation_attempts=0,
                confirmation_sent_at=timezone.now(),
            )
            message = render_confirmation(
                page, notifier_class, language=language, code=code
            )
        else:
            message = render_confirmation(
                page,
                notifier_class,
                language=language,
                confirm_url=confirmation_url(subscriber),
            )
        notifier.send(config, message)
    except NotificationFailed as error:
        if not error.permanent:
            logger.warning(
                "Confirmation of subscriber %s failed, will retry: %s",
                subscriber.pk,
                error.reason,
            )
            raise
        logger.error(
            "Confirmation of subscriber %s failed permanently: %s",
            subscriber.pk,
            error.reason,
        )
        return
    logger.info(
        "Confirmation (%s) sent to subscriber %s",
        notifier_class.confirmation,
        subscriber.pk,
    )


@db_task(retries=3, retry_delay=60)
def send_confirmation(subscriber_id: int) -> None:
    deliver_confirmation(subscriber_id)
