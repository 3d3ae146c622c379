"""Services for push checks: push tokens, and recording the pushes a job sends.

A push check is a check whose checker sets ``accepts_pushes``. Its job calls
``/api/push/<token>``, and each push is recorded as a result through
``record_result``. The checker judges missing pushes on the monitor's
schedule from the push state stored here.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from statuscore.checkers import Outcome
from statuscore.exceptions import NotFound, UnknownChecker, ValidationFailed
from statuscore.models import Check, CheckResult, Heartbeat, Page, ResultStatus
from statuscore.plugins import get_checker
from statuscore.services.checks import (
    MAX_REASON_LENGTH,
    create_check,
    record_result,
)

__all__ = [
    "PushState",
    "create_push_check",
    "get_push_state",
    "record_push",
    "regenerate_push_token",
]

logger = logging.getLogger(__name__)

# 32 random bytes, 43 URL-safe characters: as hard to guess as a 256-bit key.
TOKEN_BYTES = 32
PUSH_STATUSES = (ResultStatus.UP, ResultStatus.DOWN)
DEFAULT_DOWN_REASON = "the job reported down"


@dataclass(frozen=True)
class PushState:
    """The last push of a push check, as its checker judges it.

    ``started_at`` is when the check began to expect pushes, used as the
    start of the schedule until the first push arrives.
    """

    started_at: datetime
    last_push_at: datetime | None
    last_push_status: str
    last_push_message: str


def digest_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a push token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _require_push_checker(checker: str) -> None:
    try:
        checker_class = get_checker(checker)
    except UnknownChecker as error:
        raise ValidationFailed.for_field("checker", str(error)) from None
    if not checker_class.accepts_pushes:
        raise ValidationFailed.for_field(
            "checker", f"The {checker!r} checker does not accept pushes."
        )


@transaction.atomic
def create_push_check(
    page: Page, name: str, checker: str, config: dict, **options
) -> tuple[Check, str]:
    """Create a push check and return it with its push token.

    ``options`` are those of ``create_check``. The token is returned only
    here and by :func:`regenerate_push_token`, because only its digest is
    stored.
    """
    _require_push_checker(checker)
    check = create_check(page, name, checker, config, **options)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    Heartbeat.objects.create(
        uptime_check=check,
        token_digest=digest_token(token),
        created_at=check.created_at,
    )
    logger.info("Push check %s created on page %s", check.pk, page.pk)
    return check, token


@transaction.atomic
def regenerate_push_token(check: Check) -> str:
    """Replace the check's push token and return the new one.

    The old token stops working when this commits. A push check created
    without a token (through ``create_check``) gets its first one here.
    """
    _require_push_checker(check.checker)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    heartbeat, created = Heartbeat.objects.select_for_update().get_or_create(
        uptime_check=check,
        defaults={"token_digest": digest_token(token), "created_at": timezone.now()},
    )
    if not created:
        heartbeat.token_digest = digest_token(token)
        heartbeat.save(update_fields=["token_digest"])
    logger.info("Push token of check %s replaced", check.pk)
    return token


def record_push(
    token: str,
    status: str = ResultStatus.UP,
    message: str = "",
    pushed_at: datetime | None = None,
) -> CheckResult | None:
    """Record a push as the last one of its check and as a result.

    An explicit ``down`` makes the check down at once, with ``message`` as
    the reason, because the job itself reports the failure. An ``up`` ends
    an outage at once. Either resets the time the next push is expected. Returns the
    result, or ``None`` when the check is disabled: its push is then kept
    as the last one, so the schedule restarts from it, but changes no state.

    Raises ``NotFound`` for an unknown token and ``ValidationFailed`` for a
    status other than up or down.
    """
    if status not in PUSH_STATUSES:
        raise ValidationFailed.for_field("status", "Must be up or down.")
    pushed_at = pushed_at or timezone.now()
    message = message[:MAX_REASON_LENGTH]

    with transaction.atomic():
        heartbeat = (
            Heartbeat.objects.select_for_update()
            .select_related("uptime_check")
            .filter(token_digest=digest_token(token))
            .first()
        )
        if heartbeat is None:
            raise NotFound("No check has this push token.")
        check = heartbeat.uptime_check

        # Two pushes can be recorded out of order, so keep the later one.
        if heartbeat.last_push_at is None or pushed_at >= heartbeat.last_push_at:
            heartbeat.last_push_at = pushed_at
            heartbeat.last_push_status = status
            heartbeat.last_push_message = message
            heartbeat.save(
                update_fields=["last_push_at", "last_push_status", "last_push_message"]
            )

        if not check.enabled:
            logger.info("Push for disabled check %s kept, not recorded", check.pk)
            return None
        reason = message or (DEFAULT_DOWN_REASON if status == ResultStatus.DOWN else "")
        outcome = Outcome(status, None, reason, {"source": "push"}, confirmed=True)
        return record_result(check.pk, outcome, pushed_at)


def get_push_state(check_id: int) -> PushState | None:
    """Return the push state of a check, or ``None`` if it has no push token."""
    heartbeat = Heartbeat.objects.filter(uptime_check_id=check_id).first()
    if heartbeat is None:
        return None
    return PushState(
        started_at=heartbeat.created_at,
        last_push_at=heartbeat.last_push_at,
        last_push_status=heartbeat.last_push_status,
        last_push_message=heartbeat.last_push_message,
    )
