"""Import and export of email subscribers as CSV.

The CSV has a header row with the columns ``address`` (required),
``components`` (component names separated by ``;``, empty for the whole
page) and ``language`` (empty for the page's). Other columns are ignored,
so a file exported here, or from Statuspage after renaming its email
column, imports as it is.

An import checks every row before storing any, and rejects the whole file
when one row is bad, naming each bad line and field, so a file is never
half imported. Imported addresses are sent a confirmation like visitors
who subscribe on the page, unless the team states that they confirmed
already (a list moved from another status page). Addresses already
subscribed are left as they are, and addresses that unsubscribed earlier
are skipped, so an import never overrides a person's choice.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from statuscore import secrets
from statuscore.exceptions import ValidationFailed
from statuscore.models import Page, Subscriber
from statuscore.models.notifications import SubscriberState
from statuscore.subscriptions.service import (
    notifier_for,
    subscribe,
    validate_config,
    validate_language,
)

__all__ = ["EXPORT_COLUMNS", "ImportResult", "import_subscribers", "write_csv"]

logger = logging.getLogger(__name__)

NOTIFIER = "email"
EXPORT_COLUMNS = [
    "address",
    "components",
    "language",
    "page",
    "notifier",
    "state",
    "consecutive_failures",
    "disabled_reason",
    "created_at",
]
MAX_ROWS = 100_000


@dataclass
class ImportResult:
    """Counts of the rows an import created, left unchanged or skipped."""

    created: int = 0
    unchanged: int = 0
    skipped_unsubscribed: int = 0


@dataclass
class _Row:
    line: int
    address: str
    component_ids: list[int]
    language: str


# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _protect(value: str) -> str:
    """Return ``value`` so that a spreadsheet shows it as text."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _unprotect(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def _records(reader: csv.DictReader) -> Iterable[dict]:
    """Yield the records of ``reader``; raise ``ValidationFailed`` on ``file``
    for text the csv module cannot parse, such as a cell longer than its
    field size limit (128 KiB)."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ValidationFailed.for_field(
                "file", f"line {reader.line_num}: the CSV cannot be read: {error}."
            ) from None


def _read_rows(page: Page, text: str) -> list[_Row]:
    """Parse and check every row; raise ``ValidationFailed`` naming each
    bad one as ``line <n>: <column>``."""
    notifier = notifier_for(page, NOTIFIER)
    components = {c.name.strip().casefold(): c.pk for c in page.components.all()}
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [name.strip().lower() for name in reader.fieldnames or []]
    if "address" not in headers:
        raise ValidationFailed.for_field(
            "file", "The first row must name the columns and include 'address'."
        )
    reader.fieldnames = headers

    rows, errors = [], {}
    for values in _records(reader):
        line = reader.line_num
        if len(rows) >= MAX_ROWS:
            raise ValidationFailed.for_field(
                "file", f"The file has more than {MAX_ROWS} rows; split it."
            )
        address = _unprotect((values.get("address") or "").strip())
        try:
            config = validate_config(notifier, {"to": address})
            address = notifier().address(config)
        except ValidationFailed as error:
            errors[f"line {line}: address"] = error.errors["config.to"]

        ids = []
        for name in (values.get("components") or "").split(";"):
            if not name.strip():
                continue
            pk = components.get(name.strip().casefold())
            if pk is None:
                errors.setdefault(f"line {line}: components", []).append(
                    f"This page has no component named {name.strip()!r}."
                )
            ids.append(pk)

        try:
            language = validate_language(values.get("language"))
        except ValidationFailed as error:
            errors[f"line {line}: language"] = error.errors["language"]
            language = ""
        rows.append(_Row(line, address, ids, language))

    if errors:
        raise ValidationFailed(errors)
    return rows


@transaction.atomic
def import_subscribers(page: Page, text: str, *, confirmed: bool) -> ImportResult:
    """Import the email subscribers listed in the CSV ``text`` into ``page``.

    Raises ``ValidationFailed`` and stores nothing when any row is bad. The
    rows are stored in one transaction, so an error while storing a late
    row (a refused address, a database failure) also leaves none of the
    earlier rows and sends no confirmation.
    ``confirmed`` makes new subscribers active without a confirmation
    message; only pass it for addresses that confirmed elsewhere.
    """
    rows = _read_rows(page, text)
    result = ImportResult()
    existing = dict(
        Subscriber.objects.filter(page=page, notifier=NOTIFIER).values_list(
            "address_key", "state"
        )
    )
    seen: set[str] = set()
    for row in rows:
        key = secrets.digest(f"{NOTIFIER}:{row.address}")
        if key in seen:
            # The same address twice in one file, perhaps in another case:
            # one subscriber, one confirmation message.
            result.unchanged += 1
            continue
        seen.add(key)
        state = existing.get(key)
        if state == SubscriberState.UNSUBSCRIBED:
            result.skipped_unsubscribed += 1
            continue
        if state in (SubscriberState.ACTIVE, SubscriberState.DISABLED):
            result.unchanged += 1
            continue
        subscribe(
            page,
            NOTIFIER,
            {"to": row.address},
            row.component_ids,
            row.language,
            confirmed=confirmed,
            limited=False,
        )
        existing[key] = SubscriberState.ACTIVE if confirmed else SubscriberState.PENDING
        result.created += 1
    logger.info(
        "Imported %s subscribers into page %s (%s unchanged, %s skipped)",
        result.created,
        page.pk,
        result.unchanged,
        result.skipped_unsubscribed,
    )
    return result


def _export_address(subscriber: Subscriber) -> str:
    """Return the whole address of an email subscriber, and the shown (masked)
    target of any other, whose full target may be a secret URL."""
    if subscriber.notifier == NOTIFIER:
        return subscriber.config.get("to", subscriber.address)
    return subscriber.address


def write_csv(subscribers: Iterable[Subscriber], out: io.TextIOBase) -> None:
    """Write ``subscribers`` as CSV in the columns :func:`import_subscribers`
    reads, followed by facts for the team.

    Text cells that a spreadsheet would run as a formula get a leading
    apostrophe, which an import removes again.
    """
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for subscriber in subscribers:
        names = "; ".join(c.name for c in subscriber.components.all())
        row = [
            _export_address(subscriber),
            names,
            subscriber.language,
            subscriber.page.slug,
            subscriber.notifier,
            subscriber.state,
            subscriber.consecutive_failures,
            subscriber.disabled_reason,
            subscriber.created_at.isoformat(),
        ]
        writer.writerow([_protect(v) if isinstance(v, str) else v for v in row])
