"""Service functions that create and change subscribers.

These are the only way to change a :class:`~statuscore.models.Subscriber`.
Each runs in one transaction and writes a ``subscriber.*`` event to the
outbox, which is the audit trail of who subscribed, confirmed and left.

Subscribing returns the same response whether or not the address is
already subscribed, so a stranger cannot find out who subscribes to a
page:

- a new address gets a pending row and a confirmation;
- a pending address gets the confirmation again;
- an unsubscribed or disabled address goes back to pending and gets a new
  confirmation, because a stranger may have typed it;
- an active address gets nothing at all. A "you are already subscribed"
  message would let anyone send mail to any subscriber, and the manage
  link in every message already serves a subscriber who wants to change
  something.
"""

from __future__ import annotations

import hmac
import logging
import secrets as random
from collections.abc import Iterable

import pydantic
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from statuscore import secrets
from statuscore.conf import get_settings
from statuscore.events import EventKind, emit
from statuscore.exceptions import ValidationFailed
from statuscore.models import Component, Page, Subscriber
from statuscore.models.notifications import SubscriberState
from statuscore.notifiers import Notifier, stored_config
from statuscore.plugins import get_notifiers
from statuscore.services.validation import pydantic_errors
from statuscore.subscriptions import ratelimit

__all__ = [
    "confirm",
    "confirm_code",
    "disable",
    "notifier_for",
    "resubscribe",
    "subscribe",
    "unsubscribe",
    "update_components",
]

logger = logging.getLogger(__name__)

CODE_DIGITS = 6


def notifier_for(page: Page, name: str) -> type[Notifier]:
    """Return the notifier class that visitors of ``page`` may use as ``name``.

    Raises ``ValidationFailed`` on ``notifier`` when the page does not offer
    it, it is not installed, or it is not meant for visitors.
    """
    offered = page.subscriber_notifiers or []
    notifier = get_notifiers().get(name)
    if name not in offered or notifier is None or not notifier.subscribable:
        choices = ", ".join(sorted(offered)) or "none"
        raise ValidationFailed.for_field(
            "notifier",
            f"{name!r} is not offered on this page; choose one of: {choices}.",
        )
    return notifier


def validate_config(notifier: type[Notifier], config: dict) -> pydantic.BaseModel:
    """Return ``config`` parsed by the notifier's model.

    Raises ``ValidationFailed`` naming each bad field as ``config.<field>``.
    """
    if not isinstance(config, dict):
        raise ValidationFailed.for_field("config", "Expected an object of settings.")
    try:
        return notifier.Config.model_validate(config)
    except pydantic.ValidationError as error:
        raise pydantic_errors(error, "config") from None


def _components(page: Page, components: Iterable | None) -> list[Component]:
    wanted = []
    for item in components or []:
        wanted.append(item.pk if isinstance(item, Component) else item)
    try:
        ids = {int(item) for item in wanted}
    except (TypeError, ValueError):
        raise ValidationFailed.for_field(
            "components", "Each component must be given by its id."
        ) from None
    out_of_range = sorted(pk for pk in ids if not 0 < pk < 2**63)
    if out_of_range:
        raise ValidationFailed.for_field(
            "components",
            f"No component of this page has the id {out_of_range[0]}.",
        )

    found = list(Component.objects.filter(page=page, pk__in=ids))
    missing = ids - {component.pk for component in found}
    if missing:
        listed = ", ".join(str(pk) for pk in sorted(missing))
        raise ValidationFailed.for_field(
            "components", f"No component of this page has the id {listed}."
        )
    return found


def validate_language(language: str | None) -> str:
    """Return ``language`` stripped, or raise ``ValidationFailed`` on ``language``."""
    language = (language or "").strip()
    known = {code for code, _name in settings.LANGUAGES}
    if language and language not in known and language.split("-")[0] not in known:
        raise ValidationFailed.for_field(
            "language", f"{language!r} is not a language code this site knows."
        )
    return language


def _event_payload(subscriber: Subscriber, **extra) -> dict:
    # No address: the outbox is read by every plugin, and the digest is
    # enough to tell the events of one subscriber apart.
    return {
        "subscriber_id": subscriber.pk,
        "notifier": subscriber.notifier,
        "state": subscriber.state,
        **extra,
    }


def _count_request(scope: str, address_key: str, client: str | None) -> None:
    """Count a request against the limits per client and per address."""
    limits = get_settings()
    if client:
        ratelimit.hit(
            f"{scope}-client",
            client,
            limit=limits.subscribe_limit_per_client,
            window=limits.subscribe_limit_window,
        )
    ratelimit.hit(
        f"{scope}-address",
        address_key,
        limit=limits.subscribe_limit_per_address,
        window=limits.subscribe_limit_window,
    )


def subscribe(
    page: Page,
    notifier_name: str,
    config: dict,
    components: Iterable | None = None,
    language: str | None = None,
    *,
    client: str | None = None,
    confirmed: bool = False,
    limited: bool = True,
) -> Subscriber:
    """Subscribe a target to ``page``, or start its confirmation again.

    Validates every argument first and raises ``ValidationFailed`` naming
    the field: ``notifier``, ``config.<field>``, ``components``,
    ``language``. Then counts the request against the limits per address
    and, when ``client`` (an IP address) is given, per client, raising
    ``RateLimited`` over either.

    ``confirmed`` skips confirmation, for imports of lists whose members
    confirmed elsewhere. ``limited=False`` skips the rate limits, for
    imports by the team. The public views and the API pass neither.
    The confirmation message itself is sent by a task after commit.
    Returns the subscriber. Public callers must return the same response
    whatever its state (see the module docstring).
    """
    notifier = notifier_for(page, notifier_name)
    parsed = validate_config(notifier, config)
    chosen = _components(page, components)
    language = validate_language(language)
    address = notifier().address(parsed)
    address_key = secrets.digest(f"{notifier_name}:{address}")

    if limited:
        _count_request("subscribe", address_key, client)

    values = {
        "address": notifier().describe(parsed)[:320],
        "config": stored_config(parsed),
        "language": language,
    }
    try:
        return _subscribe(page, notifier, address_key, values, chosen, confirmed)
    except IntegrityError:
        # Another request created the same subscriber between our lookup and
        # our insert; the retry finds it and treats it as existing.
        return _subscribe(page, notifier, address_key, values, chosen, confirmed)


@transaction.atomic
def _subscribe(
    page: Page,
    notifier: type[Notifier],
    address_key: str,
    values: dict,
    components: list[Component],
    confirmed: bool,
) -> Subscriber:
    existing = (
        Subscriber.objects.select_for_update()
        .filter(page=page, notifier=notifier.name, address_key=address_key)
        .first()
    )
    if existing is not None and existing.state == SubscriberState.ACTIVE:
        logger.info("Subscriber %s is already active; nothing sent", existing.pk)
        return existing

    now = timezone.now()
    activate = confirmed or notifier.confirmation == "none"
    if existing is None:
        with transaction.atomic():
            subscriber = Subscriber.objects.create(
                page=page, notifier=notifier.name, address_key=address_key, **values
            )
        kind = EventKind.SUBSCRIBER_CREATED
    else:
        subscriber = existing
        for field, value in values.items():
            setattr(subscriber, field, value)
        # A pending subscriber only gets its confirmation again; the event
        # of its creation is already in the outbox.
        kind = (
            None
            if subscriber.state == SubscriberState.PENDING
            else EventKind.SUBSCRIBER_RESUBSCRIBED
        )
    subscriber.components.set(components)

    subscriber.state = SubscriberState.ACTIVE if activate else SubscriberState.PENDING
    subscriber.confirmed_at = now if activate else subscriber.confirmed_at
    subscriber.disabled_at = None
    subscriber.disabled_reason = ""
    subscriber.consecutive_failures = 0
    if not activate:
        subscriber.confirmation_sent_at = now
        subscriber.confirmation_code_hash = ""
        subscriber.confirmation_attempts = 0
    subscriber.save()

    if kind is not None:
        emit(kind, page, _event_payload(subscriber, imported=confirmed))
    if activate:
        emit(EventKind.SUBSCRIBER_CONFIRMED, page, _event_payload(subscriber))
        logger.info("Subscriber %s active without confirmation", subscriber.pk)
    else:
        from statuscore.subscriptions.tasks import send_confirmation

        transaction.on_commit(lambda: send_confirmation(subscriber.pk))
        logger.info("Subscriber %s pending; confirmation queued", subscriber.pk)
    return subscriber


@transaction.atomic
def confirm(subscriber: Subscriber, *, how: str = "link") -> bool:
    """Make a pending subscriber active; return whether this call did it.

    The update is conditional on the pending state, so two clicks on one
    link confirm once and emit one event.
    """
    now = timezone.now()
    changed = Subscriber.objects.filter(
        pk=subscriber.pk, state=SubscriberState.PENDING
    ).update(
        state=SubscriberState.ACTIVE,
        confirmed_at=now,
        confirmation_code_hash="",
        confirmation_attempts=0,
        updated_at=now,
    )
    if not changed:
        return False

    subscriber.refresh_from_db()
    emit(
        EventKind.SUBSCRIBER_CONFIRMED,
        subscriber.page,
        _event_payload(subscriber, method=how),
    )
    logger.info("Subscriber %s confirmed by %s", subscriber.pk, how)
    return True


def hash_code(subscriber: Subscriber, code: str) -> str:
    """Return the stored form of a confirmation code for ``subscriber``."""
    return secrets.digest(f"confirmation-code:{subscriber.pk}:{code}")


def new_code() -> str:
    """Return a random numeric confirmation code."""
    return f"{random.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def confirm_code(
    page: Page,
    notifier_name: str,
    config: dict,
    code: str,
    *,
    client: str | None = None,
) -> Subscriber:
    """Confirm the pending subscriber of ``config`` with the code sent to it.

    Raises ``ValidationFailed`` on ``code`` when no pending subscriber has
    this target, the code is wrong or expired, or too many wrong codes
    were typed. The message is the same in each case, so it reveals
    nothing about the address. Counts against the same rate limits as
    :func:`subscribe`.
    """
    notifier = notifier_for(page, notifier_name)
    parsed = validate_config(notifier, config)
    address_key = secrets.digest(f"{notifier_name}:{notifier().address(parsed)}")
    limits = get_settings()
    _count_request("code", address_key, client)

    rejected = ValidationFailed.for_field(
        "code",
        "The code is wrong or has expired; request a new one by subscribing again.",
    )
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update()
            .select_related("page")
            .filter(
                page=page,
                notifier=notifier_name,
                address_key=address_key,
                state=SubscriberState.PENDING,
            )
            .first()
        )
        if subscriber is None or not subscriber.confirmation_code_hash:
            raise rejected
        sent_at = subscriber.confirmation_sent_at
        age = (timezone.now() - sent_at).total_seconds() if sent_at else None
        if (
            age is None
            or age > limits.confirmation_code_max_age
            or subscriber.confirmation_attempts >= limits.confirmation_code_attempts
        ):
            raise rejected
        if not hmac.compare_digest(
            subscriber.confirmation_code_hash, hash_code(subscriber, code.strip())
        ):
            Subscriber.objects.filter(pk=subscriber.pk).update(
                confirmation_attempts=subscriber.confirmation_attempts + 1
            )
            logger.info("Wrong confirmation code for subscriber %s", subscriber.pk)
            # Leave the block normally so the attempt count commits.
            wrong = True
        else:
            wrong = False
    if wrong:
        raise rejected
    confirm(subscriber, how="code")
    subscriber.refresh_from_db()
    return subscriber


@transaction.atomic
def unsubscribe(subscriber: Subscriber, *, how: str = "link") -> bool:
    """Stop all messages to ``subscriber``; return whether this call did it.

    ``how`` is recorded in the event: ``"link"``, ``"one-click"`` (RFC
    8058), ``"manage"`` or ``"admin"``.
    """
    now = timezone.now()
    changed = (
        Subscriber.objects.filter(pk=subscriber.pk)
        .exclude(state=SubscriberState.UNSUBSCRIBED)
        .update(state=SubscriberState.UNSUBSCRIBED, unsubscribed_at=now, updated_at=now)
    )
    if not changed:
        return False

    subscriber.refresh_from_db()
    emit(
        EventKind.SUBSCRIBER_UNSUBSCRIBED,
        subscriber.page,
        _event_payload(subscriber, method=how),
    )
    logger.info("Subscriber %s unsubscribed by %s", subscriber.pk, how)
    return True


@transaction.atomic
def resubscribe(subscriber: Subscriber) -> bool:
    """Make an unsubscribed subscriber active again; return whether it changed.

    Only for a request that proves ownership of the target, such as the
    signed manage link sent to it earlier. A disabled subscriber stays
    disabled, because its target kept failing; it may subscribe again.
    """
    now = timezone.now()
    changed = Subscriber.objects.filter(
        pk=subscriber.pk, state=SubscriberState.UNSUBSCRIBED
    ).update(state=SubscriberState.ACTIVE, unsubscribed_at=None, updated_at=now)
    if not changed:
        return False

    subscriber.refresh_from_db()
    emit(
        EventKind.SUBSCRIBER_RESUBSCRIBED,
        subscriber.page,
        _event_payload(subscriber, method="manage"),
    )
    logger.info("Subscriber %s resubscribed", subscriber.pk)
    return True


@transaction.atomic
def update_components(subscriber: Subscriber, components: Iterable | None) -> None:
    """Replace the components ``subscriber`` hears about; empty means all.

    Raises ``ValidationFailed`` on ``components`` for a component of
    another page.
    """
    chosen = _components(subscriber.page, components)
    subscriber.components.set(chosen)
    Subscriber.objects.filter(pk=subscriber.pk).update(updated_at=timezone.now())
    emit(
        EventKind.SUBSCRIBER_COMPONENTS_CHANGED,
        subscriber.page,
        _event_payload(subscriber, components=sorted(c.pk for c in chosen)),
    )
    logger.info("Subscriber %s now follows %s components", subscriber.pk, len(chosen))


@transaction.atomic
def disable(subscriber: Subscriber, reason: str) -> bool:
    """Stop messages to a subscriber whose target keeps failing.

    Returns whether this call disabled it. The admin lists the subscriber and
    ``reason`` in the admin; the visitor may subscribe again.
    """
    now = timezone.now()
    changed = Subscriber.objects.filter(
        pk=subscriber.pk, state=SubscriberState.ACTIVE
    ).update(
        state=SubscriberState.DISABLED,
        disabled_at=now,
        disabled_reason=reason[:2000],
        updated_at=now,
    )
    if not changed:
        return False

    subscriber.refresh_from_db()
    emit(
        EventKind.SUBSCRIBER_DISABLED,
        subscriber.page,
        _event_payload(subscriber, reason=reason[:500]),
    )
    logger.warning("Subscriber %s disabled: %s", subscriber.pk, reason)
    return True


@transaction.atomic
def remove_subscriber(subscriber: Subscriber) -> None:
    """Delete a subscriber, for the team; emit ``subscriber.removed``.

    Unlike :func:`unsubscribe`, nothing of the subscriber is kept, so the
    same target may be added or subscribe again later.
    """
    payload = _event_payload(subscriber)
    page = subscriber.page
    subscriber.delete()
    emit(EventKind.SUBSCRIBER_REMOVED, page, payload)
    logger.info("Subscriber %s removed from page %s", payload["subscriber_id"], page.pk)
