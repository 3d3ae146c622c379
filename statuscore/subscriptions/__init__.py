"""Visitors' subscriptions: subscribing, confirming, managing, leaving.

The service functions here are the only way to change a subscriber, and
:func:`subscriber_links` gives the links every message to a subscriber
carries. The public views live in :mod:`statuscore.subscriptions.views`.
"""

from statuscore.subscriptions.service import (
    confirm,
    confirm_code,
    disable,
    notifier_for,
    remove_subscriber,
    resubscribe,
    subscribe,
    unsubscribe,
    update_components,
)
from statuscore.subscriptions.tokens import confirmation_url, subscriber_links

__all__ = [
    "confirm",
    "confirm_code",
    "confirmation_url",
    "disable",
    "notifier_for",
    "remove_subscriber",
    "resubscribe",
    "subscribe",
    "subscriber_links",
    "unsubscribe",
    "update_components",
]
