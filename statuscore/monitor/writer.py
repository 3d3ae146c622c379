"""Record queued check results in batches, apart from the probing.

Most results change nothing but a check's counters: an up check stays up.
Those are stored together by ``statuscore.services.bulk_results``, with
one insert for their rows and one update for their checks. Every other
result goes through ``record_result``, one at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from django.db import InterfaceError, OperationalError, connection, transaction

from statuscore.checkers import Outcome
from statuscore.models import Check
from statuscore.services.bulk_results import bulk_candidates, record_in_bulk_or_none
from statuscore.services.checks import record_result

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
        candidates = bulk_candidates(groups)
        with transaction.atomic():
            recorded = record_in_bulk_or_none(groups, candidates)
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
