"""Signed tokens in the links sent to subscribers, and the links themselves.

A token is made with ``django.core.signing`` under a salt per purpose, so a
manage token never works as a confirmation token. It names the subscriber
by id and carries a short fingerprint:

- a confirmation token carries a fingerprint of the subscriber's state and
  confirmation history, which changes once the subscriber is confirmed or
  unsubscribed, so the link works once; it also expires after
  ``STATUSCORE_CONFIRMATION_LINK_MAX_AGE`` seconds (48 hours by default);
- unsubscribe and manage tokens carry a fingerprint of the address, and
  stay valid for as long as the subscription exists, because people click
  the unsubscribe link of a months-old message.

Links are absolute and built from the page's canonical URL (``Page.url``),
else from the ``BASE_URL`` setting, and never from a request's Host header,
which a client chooses.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from statuscore.conf import get_settings
from statuscore.models import Subscriber

__all__ = [
    "InvalidToken",
    "TokenExpired",
    "confirmation_url",
    "make_token",
    "read_token",
    "subscriber_links",
]

SALTS = {
    "confirm": "statuscore.subscriptions.confirm",
    "unsubscribe": "statuscore.subscriptions.unsubscribe",
    "manage": "statuscore.subscriptions.manage",
}


class InvalidToken(Exception):
    """The token is malformed, forged, used up, or its subscriber is gone."""


class TokenExpired(InvalidToken):
    """The token was valid but is older than its maximum age."""


def _fingerprint(subscriber: Subscriber, purpose: str) -> str:
    if purpose == "confirm":
        value = (
            f"{subscriber.state}|{subscriber.confirmed_at}|{subscriber.unsubscribed_at}"
        )
    else:
        value = subscriber.address_key
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def make_token(subscriber: Subscriber, purpose: str) -> str:
    """Return a signed token naming ``subscriber`` for ``purpose``."""
    payload = {"s": subscriber.pk, "f": _fingerprint(subscriber, purpose)}
    return signing.dumps(payload, salt=SALTS[purpose])


def read_token(token: str, purpose: str) -> Subscriber:
    """Return the subscriber named by ``token``, without changing anything.

    Raises ``TokenExpired`` for a confirmation token older than its maximum
    age, and ``InvalidToken`` for any other token that does not name a
    subscriber in its current state.
    """
    max_age = get_settings().confirmation_link_max_age if purpose == "confirm" else None
    try:
        payload = signing.loads(token, salt=SALTS[purpose], max_age=max_age)
    except signing.SignatureExpired as error:
        raise TokenExpired(str(error)) from error
    except signing.BadSignature as error:
        raise InvalidToken(str(error)) from error

    if not isinstance(payload, dict):
        raise InvalidToken("The token contains no subscriber id.")
    subscriber = (
        Subscriber.objects.select_related("page").filter(pk=payload.get("s")).first()
    )
    if subscriber is None or payload.get("f") != _fingerprint(subscriber, purpose):
        raise InvalidToken("The token does not match a current subscription.")
    return subscriber


def _site_root(subscriber: Subscriber) -> str:
    """Return the scheme and host that links for this subscriber point at."""
    base = subscriber.page.url or getattr(settings, "BASE_URL", "")
    parts = urlsplit(base)
    if not (parts.scheme and parts.netloc):
        raise ImproperlyConfigured(
            f"Page {subscriber.page.slug!r} has no URL and the BASE_URL setting is "
            "not an absolute URL; set one of them so that links in messages work."
        )
    return f"{parts.scheme}://{parts.netloc}"


def _absolute(subscriber: Subscriber, view_name: str, token: str) -> str:
    return _site_root(subscriber) + reverse(view_name, args=[token])


def confirmation_url(subscriber: Subscriber) -> str:
    """Return the link that opens the confirmation page of ``subscriber``."""
    token = make_token(subscriber, "confirm")
    return _absolute(subscriber, "statuscore-subscription-confirm", token)


def subscriber_links(subscriber: Subscriber) -> dict[str, str]:
    """Return the absolute links that every message to ``subscriber`` carries.

    ``unsubscribe_url`` opens a page with a button, ``unsubscribe_post_url``
    is the RFC 8058 one-click target for ``List-Unsubscribe-Post``, and
    ``manage_url`` opens the page where the subscriber picks components.
    """
    unsubscribe = make_token(subscriber, "unsubscribe")
    return {
        "unsubscribe_url": _absolute(
            subscriber, "statuscore-subscription-unsubscribe", unsubscribe
        ),
        "unsubscribe_post_url": _absolute(
            subscriber, "statuscore-subscription-one-click", unsubscribe
        ),
        "manage_url": _absolute(
            subscriber,
            "statuscore-subscription-manage",
            make_token(subscriber, "manage"),
        ),
    }
