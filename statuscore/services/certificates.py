"""Certificate expiry reminders, sent once per certificate and threshold.

A checker that reads a certificate puts these keys in its result details,
and :func:`remind_of_expiry` acts on them:

- ``fingerprint_sha256``: hex SHA-256 of the certificate's DER bytes;
- ``not_after``: its expiry time, ISO 8601 with a UTC offset;
- ``days_left``: whole days left at ``checked_at``, negative once expired;
- ``reminder_days``: the thresholds, in days before expiry;
- ``server_name`` (optional): the host name the certificate was read for.
"""

from __future__ import annotations

import logging
from datetime import datetime

from statuscore.events import EventKind, emit
from statuscore.models import CertificateReminder, Check, OutboxEvent

__all__ = ["has_certificate_facts", "remind_of_expiry"]

logger = logging.getLogger(__name__)


def remind_of_expiry(
    check: Check, details: dict, checked_at: datetime
) -> OutboxEvent | None:
    """Emit ``certificate.expiring`` when a threshold is crossed for the first time.

    Must run inside the transaction that records the result, with the
    check row locked, as ``record_result`` does.

    1. A threshold is crossed when ``days_left`` is at or below it.
    2. Thresholds already recorded for this (check, fingerprint) are skipped,
       so each fires at most once per certificate. A renewed certificate has
       a new fingerprint and so starts with no thresholds recorded.
    3. One reminder is sent per result, naming the tightest threshold
       crossed. Looser thresholds crossed at the same time are recorded as
       covered by it, so a first check at 19 days with thresholds
       [40, 30, 20] sends one reminder, not three.

    Returns the event written, or None.
    """
    facts = _certificate_facts(details)
    if facts is None:
        return None
    fingerprint, not_after, days_left, thresholds = facts
    _forget_expired_certificates(check, fingerprint, checked_at)

    crossed = sorted(days for days in thresholds if days_left <= days)
    if not crossed:
        return None
    recorded = set(
        CertificateReminder.objects.filter(
            uptime_check=check, fingerprint_sha256=fingerprint
        ).values_list("threshold_days", flat=True)
    )
    new = [days for days in crossed if days not in recorded]
    if not new:
        return None

    CertificateReminder.objects.bulk_create(
        CertificateReminder(
            uptime_check=check,
            fingerprint_sha256=fingerprint,
            threshold_days=days,
            not_after=not_after,
            days_left=days_left,
            created_at=checked_at,
        )
        for days in new
    )
    tightest = crossed[0]
    if tightest in recorded:
        # A tighter reminder for this certificate was already sent, such as
        # when a looser threshold was added to the check later.
        return None

    server_name = details.get("server_name") or ""
    logger.info(
        "Check %s: certificate %s for %s has %s days left, reminder at %s days",
        check.pk,
        fingerprint[:12],
        server_name,
        days_left,
        tightest,
    )
    return emit(
        EventKind.CERTIFICATE_EXPIRING,
        check.page,
        {
            "check_id": check.pk,
            "check_name": check.name,
            "server_name": server_name,
            "subject": details.get("subject", ""),
            "fingerprint_sha256": fingerprint,
            "not_after": not_after.isoformat(),
            "days_left": days_left,
            "threshold_days": tightest,
            "message": _message(server_name, not_after, days_left, tightest),
        },
    )


def has_certificate_facts(details: dict) -> bool:
    """Return whether ``details`` has every key ``remind_of_expiry`` acts on.

    When it returns False, ``remind_of_expiry`` returns None at once and
    reads or writes nothing.
    """
    return bool(
        details.get("fingerprint_sha256")
        and details.get("not_after")
        and details.get("reminder_days")
        and details.get("days_left") is not None
    )


def _certificate_facts(
    details: dict,
) -> tuple[str, datetime, int, list[int]] | None:
    """Read the certificate keys from result details, or None when absent."""
    if not has_certificate_facts(details):
        return None
    fingerprint = details["fingerprint_sha256"]
    not_after = details["not_after"]
    days_left = details["days_left"]
    thresholds = details["reminder_days"]
    try:
        return (
            str(fingerprint),
            datetime.fromisoformat(not_after),
            int(days_left),
            [int(days) for days in thresholds],
        )
    except (TypeError, ValueError) as error:
        logger.warning("Ignoring malformed certificate details: %s", error)
        return None


def _forget_expired_certificates(
    check: Check, fingerprint: str, checked_at: datetime
) -> None:
    """Delete the rows of the check's other certificates that have expired.

    Rows of another certificate that is still valid stay, so two servers
    behind one name that serve different certificates in turn do not
    re-send each other's reminders.
    """
    CertificateReminder.objects.filter(
        uptime_check=check, not_after__lt=checked_at
    ).exclude(fingerprint_sha256=fingerprint).delete()


def _message(
    server_name: str, not_after: datetime, days_left: int, threshold: int
) -> str:
    subject = "A TLS certificate"
    if server_name:
        subject = f"The TLS certificate for {server_name}"
    if days_left < 0:
        return f"{subject} expired on {not_after:%Y-%m-%d}."
    return (
        f"{subject} expires in {days_left} days, on {not_after:%Y-%m-%d} "
        f"(reminder at {threshold} days)."
    )
