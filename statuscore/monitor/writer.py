"""Record queued check results in batches, apart from the probing.

Most results change nothing but a check's counters: an up check stays up.
Those are stored together, with one insert for their rows and one update
for their checks. Every other result goes through ``record_result``, one
at a time. ``can_record_in_bulk`` in ``statuscore.services.checks`` decides
which path a result takes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from statuscore.checkers import Outcome
from statuscore.models import Check, CheckResult
from statuscore.services.checks import (
    BULK_DECISION_FIELDS,
    BULK_UPDATE_FIELDS,
    apply_bulk_result,
    can_record_in_bulk,
    new_result_row,
    record_result,
)

logger = logging.getLogger(__name__)

# Seconds before the first re-try of a failed batch, doubled on each
# failure up to the maximum.
FIRST_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 10.0


@dataclass(frozen=True)
class PendingResult:
    """A measured result waiting to be recorded."""

    check_id: int
    outcome: Outcome
    checked_at: datetime
    region: str = ""


def record_batch(batch: list[PendingResult]) -> int:
    """Record ``batch`` in one transaction and return how many were stored.

    Results that ``can_record_in_bulk`` accepts are stored in bulk, and the
    rest one at a time with ``record_result``, each in a savepoint. When
    the bulk path fails, its results are recorded one at a time too. So a
    check deleted while it ran, or any other error of one result, drops
    only that result. An unavailable database (``OperationalError``,
    ``InterfaceError``) rolls back the whole batch and is raised for the
    caller to re-try. The connection is then closed, so the next attempt
    opens a fresh one.
    """
    # Locking check rows in id order keeps two monitors that record for
    # the same checks (one per region) from deadlocking. The sort is
    # stable, so each check's results keep the order of their slots.
    ordered = sorted(batch, key=lambda pending: pending.check_id)
    groups = {
        check_id: list(results)
        for check_id, results in groupby(ordered, key=lambda pending: pending.check_id)
    }
    try:
        candidates = _bulk_candidates(groups)
        with transaction.atomic():
            recorded = _record_in_bulk_or_none(groups, candidates)
            rest = [pending for pending in ordered if pending.check_id not in recorded]
            stored = sum(len(groups[check_id]) for check_id in recorded)
            stored += _record_each(rest)
    except Exception:
        connection.close()
        raise
    return stored


def _record_each(results: Iterable[PendingResult]) -> int:
    """Record each result with ``record_result`` and return how many were stored."""
    stored = 0
    for pending in results:
        try:
            record_result(
                pending.check_id,
                pending.outcome,
                pending.checked_at,
                pending.region,
            )
        except Check.DoesNotExist:
            logger.info(
                "Check %s was deleted while it ran; result dropped",
                pending.check_id,
            )
        except (OperationalError, InterfaceError):
            raise
        except Exception:
            logger.exception(
                "Recording the result of check %s failed; result dropped",
                pending.check_id,
            )
        else:
            stored += 1
    return stored


def _accepts_all(check: Check, results: list[PendingResult]) -> bool:
    """Apply ``results`` to ``check`` in memory while each may take the bulk
    path, and return whether all of them could.

    Each result is judged on the check as the results before it left it,
    as ``record_result`` would see it. After a False, ``check`` is
    partly updated and must not be saved.
    """
    for pending in results:
        if not can_record_in_bulk(check, pending.outcome, pending.region):
            return False
        apply_bulk_result(check, pending.outcome, pending.checked_at)
    return True


def _bulk_candidates(groups: dict[int, list[PendingResult]]) -> set[int]:
    """Return the ids of the checks whose results all look fit for the bulk path.

    Read without a lock and outside the batch's transaction. On SQLite the
    transaction must write before it reads, or another process's write in
    between fails it with "database is locked". ``_record_in_bulk`` decides
    again on the locked rows.
    """
    if not connection.features.can_return_rows_from_bulk_insert:
        # A result row that turns out unfit must be deleted by its id.
        return set()
    checks = (
        Check.objects.filter(pk__in=list(groups)).order_by().only(*BULK_DECISION_FIELDS)
    )
    return {check.pk for check in checks if _accepts_all(check, groups[check.pk])}


def _record_in_bulk_or_none(
    groups: dict[int, list[PendingResult]], candidates: set[int]
) -> set[int]:
    """Run ``_record_in_bulk`` in a savepoint and return its ids, or no ids
    when it failed for another reason than an unavailable database.

    One result that cannot be stored, such as one whose details JSON cannot
    encode, would otherwise fail every re-try of the whole batch.
    """
    try:
        with transaction.atomic():
            return _record_in_bulk(groups, candidates)
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        logger.exception(
            "Recording %s results in bulk failed; recording them one at a time",
            sum(len(groups[check_id]) for check_id in candidates),
        )
        return set()


def _record_in_bulk(
    groups: dict[int, list[PendingResult]], candidates: set[int]
) -> set[int]:
    """Store the results of the ``candidates`` that may take the bulk path,
    and return the ids of the checks whose results were stored.

    The rows are inserted before the check rows are locked, as
    ``record_result`` does. Then every check of the batch is locked in one
    query, in id order, and each candidate is judged again on its locked
    row. A check that changed since ``candidates`` were read, or was
    deleted, has its new rows deleted, and its results are left for
    ``record_result``.
    """
    if not candidates:
        return set()

    rows = {
        check_id: [
            new_result_row(
                check_id, pending.outcome, pending.checked_at, pending.region
            )
            for pending in groups[check_id]
        ]
        for check_id in candidates
    }
    CheckResult.objects.bulk_create(
        [row for check_rows in rows.values() for row in check_rows]
    )

    locked = (
        Check.objects.select_for_update()
        .filter(pk__in=list(groups))
        .order_by("pk")
        .only(*BULK_DECISION_FIELDS)
    )
    checks = {check.pk: check for check in locked}
    accepted = [
        checks[check_id]
        for check_id in sorted(candidates)
        if check_id in checks and _accepts_all(checks[check_id], groups[check_id])
    ]
    recorded = {check.pk for check in accepted}
    rejected = candidates - recorded
    if rejected:
        CheckResult.objects.filter(
            pk__in=[row.pk for check_id in rejected for row in rows[check_id]]
        ).delete()
    _update_checks(accepted)
    return recorded


def _update_checks(checks: list[Check]) -> None:
    """Save ``BULK_UPDATE_FIELDS`` of ``checks`` with one parametrised UPDATE
    run by ``executemany``, once per check.

    ``QuerySet.bulk_update`` builds a CASE expression per field and check,
    and compiling them is slow. In batches of 500 on SQLite, the bulk path
    took about 1.0 ms of CPU per result with it, as much as
    ``record_result``, and 0.12 ms with this statement. Each value is
    converted by its field, as ``save()`` converts it.
    """
    if not checks:
        return
    now = timezone.now()
    for check in checks:
        check.updated_at = now
    meta = Check._meta
    fields = [meta.get_field(name) for name in BULK_UPDATE_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {assignments} "
        f"WHERE {quote(meta.pk.column)} = %s"
    )
    params = [
        [
            field.get_db_prep_save(getattr(check, field.attname), connection)
            for field in fields
        ]
        + [check.pk]
        for check in checks
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def write_retried(batch: list[PendingResult], attempt: int, error: Exception) -> float:
    """Log a failed batch and return the seconds to wait before re-trying."""
    delay = min(FIRST_RETRY_DELAY * 2 ** (attempt - 1), MAX_RETRY_DELAY)
    logger.warning(
        "Recording %s results failed (attempt %s): %s; retrying in %.1f s",
        len(batch),
        attempt,
        error,
        delay,
    )
    return delay
