"""Recording results in bulk: the monitor writer's second path beside
``record_result``, and the contract of ``can_record_in_bulk`` that keeps
the two in step."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from statuscore.checkers import Outcome
from statuscore.models import (
    CertificateReminder,
    Check,
    CheckRegion,
    CheckResult,
    CheckState,
    OutboxEvent,
)
from statuscore.monitor import writer
from statuscore.monitor.writer import PendingResult, record_batch
from statuscore.services.checks import (
    BULK_UPDATE_FIELDS,
    apply_bulk_result,
    can_record_in_bulk,
    create_check,
    record_result,
)
from statuscore.testing import fake_plugin, temporary_plugin

START = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
UP = Outcome("up", 12.5, "", {"status_code": 200, "redirects": []})
DEGRADED = Outcome("degraded", 950.0, "slow response: 950 ms, over 800 ms")
DOWN = Outcome("down", 3.0, "connection refused")
CERTIFICATE = Outcome(
    "up",
    20.0,
    "",
    {
        "fingerprint_sha256": "a" * 64,
        "not_after": (START + timedelta(days=5)).isoformat(),
        "days_left": 5,
        "reminder_days": [14, 7],
    },
)
# Fields that differ between two checks created alike, or that only
# record_result's save() and the bulk update set at their own moment.
UNCOMPARED_FIELDS = {"id", "name", "next_run_at", "created_at", "updated_at"}
COMPARED_FIELDS = [
    field.attname
    for field in Check._meta.concrete_fields
    if field.attname not in UNCOMPARED_FIELDS
]


@pytest.fixture(autouse=True)
def fake_checker():
    with temporary_plugin(fake_plugin):
        yield


@pytest.fixture
def record_result_calls(monkeypatch) -> list[int]:
    """Record the check id of every result the writer sends to record_result."""
    calls: list[int] = []

    def counted(check_id, *args, **kwargs):
        calls.append(check_id)
        return record_result(check_id, *args, **kwargs)

    monkeypatch.setattr(writer, "record_result", counted)
    return calls


def make_check(page, name: str, **state) -> Check:
    """Create a check and give it ``state``: field values as after earlier results."""
    options = {
        key: state.pop(key) for key in ("regions", "failure_threshold") if key in state
    }
    check = create_check(page, name, "fake", {}, **options)
    if state:
        Check.objects.filter(pk=check.pk).update(**state)
    check.refresh_from_db()
    return check


STEADY_UP = {
    "state": CheckState.UP,
    "announced_state": CheckState.UP,
    "consecutive_successes": 5,
    "consecutive_failures": 1,
    "result_counts": {"up": 7, "down": 1},
    "last_response_time_ms": 40.0,
    "state_changed_at": START - timedelta(days=1),
}
STEADY_DEGRADED = {
    **STEADY_UP,
    "state": CheckState.DEGRADED,
    "announced_state": CheckState.DEGRADED,
    "result_counts": {"degraded": 3},
}


def stored_rows(check: Check) -> list[tuple]:
    return list(
        CheckResult.objects.filter(uptime_check=check)
        .order_by("checked_at", "id")
        .values_list(
            "checked_at", "status", "response_time_ms", "reason", "details", "region"
        )
    )


def check_fields(check: Check) -> dict:
    check.refresh_from_db()
    return {name: getattr(check, name) for name in COMPARED_FIELDS}


def events_of(check: Check) -> list[tuple[str, str, str]]:
    return [
        (event.kind, event.payload.get("old_state"), event.payload.get("new_state"))
        for event in OutboxEvent.objects.filter(payload__check_id=check.pk).order_by(
            "id"
        )
    ]


# -- Same rows and fields as record_result -------------------------------------

# Each scenario: the state the check starts in, and the outcomes recorded
# in one batch, one slot apart.
SCENARIOS = {
    "up stays up": (STEADY_UP, [UP]),
    "three ups in one batch": (STEADY_UP, [UP, UP, UP]),
    "degraded stays degraded": (STEADY_DEGRADED, [DEGRADED, DEGRADED]),
    "no response time": (STEADY_UP, [Outcome("up", None)]),
    "reason cut to 500": (STEADY_UP, [Outcome("up", 1.0, "x" * 600)]),
    "first result": ({}, [UP]),
    "recovery": ({**STEADY_UP, "state": "down", "announced_state": "down"}, [UP]),
    "failure below threshold": (STEADY_UP, [DOWN]),
    "up then down": (STEADY_UP, [UP, DOWN, UP]),
    "up becomes degraded": (STEADY_UP, [DEGRADED]),
    "certificate reminder": (STEADY_UP, [CERTIFICATE]),
    "confirmed outcome": (STEADY_UP, [Outcome("up", None, "", {}, confirmed=True)]),
}


def test_batch_matches_record_result(page, record_result_calls):
    """Every scenario is recorded twice, on two checks that start alike:
    once in one record_batch with all the others, once with record_result
    alone. Rows, check fields and events must be the same."""
    pairs = []
    batch = []
    for name, (state, outcomes) in SCENARIOS.items():
        batched = make_check(page, f"{name} (batch)", **state)
        alone = make_check(page, f"{name} (alone)", **state)
        pairs.append((name, batched, alone))
        for index, outcome in enumerate(outcomes):
            checked_at = START + timedelta(seconds=60 * index)
            batch.append(PendingResult(batched.pk, outcome, checked_at))
            record_result(alone.pk, outcome, checked_at)

    stored = record_batch(batch)

    assert stored == len(batch)
    for name, batched, alone in pairs:
        assert stored_rows(batched) == stored_rows(alone), name
        assert check_fields(batched) == check_fields(alone), name
        assert events_of(batched) == events_of(alone), name


def test_steady_results_skip_record_result(page, record_result_calls):
    steady = make_check(page, "steady", **STEADY_UP)
    degraded = make_check(page, "degraded", **STEADY_DEGRADED)
    changing = make_check(page, "changing", **STEADY_UP)
    batch = [
        PendingResult(steady.pk, UP, START),
        PendingResult(degraded.pk, DEGRADED, START),
        PendingResult(changing.pk, DOWN, START),
        PendingResult(steady.pk, UP, START + timedelta(seconds=60)),
    ]

    stored = record_batch(batch)

    assert stored == 4
    assert record_result_calls == [changing.pk]


def test_bulk_update_sets_updated_at(page, record_result_calls):
    check = make_check(page, "steady", **STEADY_UP)
    before = timezone.now()

    record_batch([PendingResult(check.pk, UP, START)])
    check.refresh_from_db()

    assert record_result_calls == []
    assert check.updated_at >= before


# -- The contract of can_record_in_bulk -----------------------------------------

NOT_IN_BULK = {
    "down result": (STEADY_UP, DOWN, ""),
    "first result": ({}, UP, ""),
    "recovery": ({**STEADY_UP, "state": "down", "announced_state": "down"}, UP, ""),
    "up to degraded": (STEADY_UP, DEGRADED, ""),
    "degraded to up": (STEADY_DEGRADED, UP, ""),
    "region result": ({**STEADY_UP, "regions": ["eu", "us"]}, UP, "eu"),
    "check with regions": ({**STEADY_UP, "regions": ["eu", "us"]}, UP, ""),
    "confirmed outcome": (STEADY_UP, Outcome("up", confirmed=True), ""),
    "certificate facts": (STEADY_UP, CERTIFICATE, ""),
    "flapping": ({**STEADY_UP, "flapping_since": START}, UP, ""),
    "recent state change": (
        {**STEADY_UP, "recent_state_changes": [START.isoformat()]},
        UP,
        "",
    ),
    "state not announced": ({**STEADY_UP, "announced_state": "down"}, UP, ""),
}


@pytest.mark.parametrize("case", list(NOT_IN_BULK))
def test_result_recorded_alone(page, record_result_calls, case):
    state, outcome, region = NOT_IN_BULK[case]
    check = make_check(page, case, **state)

    assert not can_record_in_bulk(check, outcome, region)

    record_batch([PendingResult(check.pk, outcome, START, region)])

    assert record_result_calls == [check.pk]


def snapshot(check: Check) -> dict:
    """Return everything record_result may write for ``check``, but its results."""
    check.refresh_from_db()
    return {
        "fields": {
            name: getattr(check, name)
            for name in COMPARED_FIELDS
            if name not in BULK_UPDATE_FIELDS
        },
        "regions": list(
            CheckRegion.objects.filter(uptime_check=check).values_list(
                "region", "state", "consecutive_failures", "consecutive_successes"
            )
        ),
        "events": OutboxEvent.objects.count(),
        "reminders": CertificateReminder.objects.count(),
    }


STATES = [
    {},
    STEADY_UP,
    STEADY_DEGRADED,
    {**STEADY_UP, "state": "down", "announced_state": "down"},
    {**STEADY_UP, "announced_state": "down"},
    {**STEADY_UP, "flapping_since": START},
    {**STEADY_UP, "recent_state_changes": [START.isoformat()]},
    # Older than the flap window, so record_result prunes it.
    {**STEADY_UP, "recent_state_changes": [(START - timedelta(hours=2)).isoformat()]},
    {**STEADY_UP, "regions": ["eu", "us"], "failure_threshold": 1},
]
OUTCOMES = [UP, DEGRADED, DOWN, CERTIFICATE, Outcome("up", confirmed=True)]
REGIONS = ["", "eu"]


def test_accepted_results_change_nothing_else(page):
    """For every result can_record_in_bulk accepts, record_result writes no
    more than apply_bulk_result: no event, reminder, region row or other
    check field. The cases it rejects are tested above."""
    accepted = 0
    combinations = itertools.product(STATES, OUTCOMES, REGIONS)
    for index, (state, outcome, region) in enumerate(combinations):
        check = make_check(page, f"check {index}", **state)
        if not can_record_in_bulk(check, outcome, region):
            continue
        accepted += 1
        expected = Check.objects.get(pk=check.pk)
        apply_bulk_result(expected, outcome, START)
        before = snapshot(check)

        with transaction.atomic():
            record_result(check.pk, outcome, START, region)

        case = f"state {state}, outcome {outcome}, region {region!r}"
        assert snapshot(check) == before, case
        for name in BULK_UPDATE_FIELDS:
            if name != "updated_at":
                assert getattr(check, name) == getattr(expected, name), (case, name)

    # Up on up and degraded on degraded, each only without a region.
    assert accepted == 2


def test_apply_rejects_state_change(page):
    check = make_check(page, "steady", **STEADY_UP)

    with pytest.raises(ValueError, match="record_result"):
        apply_bulk_result(check, DEGRADED, START)


# -- Checks that change between the first read and the lock --------------------


def test_check_changed_before_lock(page, monkeypatch, record_result_calls):
    """A check that goes down after the writer read it as up is recorded
    by record_result, and its rows from the bulk insert are deleted."""
    check = make_check(page, "changing", **STEADY_UP)
    steady = make_check(page, "steady", **STEADY_UP)
    read = writer.bulk_candidates

    def read_then_change(groups):
        candidates = read(groups)
        Check.objects.filter(pk=check.pk).update(state="down", announced_state="down")
        return candidates

    monkeypatch.setattr(writer, "bulk_candidates", read_then_change)

    stored = record_batch(
        [PendingResult(check.pk, UP, START), PendingResult(steady.pk, UP, START)]
    )
    check.refresh_from_db()

    assert stored == 2
    assert record_result_calls == [check.pk]
    assert CheckResult.objects.filter(uptime_check=check).count() == 1
    assert check.state == CheckState.UP
    assert events_of(check) == [("check.state_changed", "down", "up")]


@pytest.mark.django_db(transaction=True)
def test_check_deleted_before_lock(page, monkeypatch, record_result_calls):
    """A check deleted after the writer read it loses its result, and the
    batch still commits the other results."""
    doomed = make_check(page, "doomed", **STEADY_UP)
    steady = make_check(page, "steady", **STEADY_UP)
    read = writer.bulk_candidates

    def read_then_delete(groups):
        candidates = read(groups)
        Check.objects.filter(pk=doomed.pk).delete()
        return candidates

    monkeypatch.setattr(writer, "bulk_candidates", read_then_delete)

    stored = record_batch(
        [PendingResult(doomed.pk, UP, START), PendingResult(steady.pk, UP, START)]
    )

    assert stored == 1
    assert record_result_calls == [doomed.pk]
    assert list(CheckResult.objects.values_list("uptime_check_id", flat=True)) == [
        steady.pk
    ]


def test_failed_bulk_insert_records_alone(page, record_result_calls, caplog):
    """Details the database cannot store fail the bulk insert. The batch's
    results are then recorded one at a time, so only the bad one is lost."""
    bad = make_check(page, "bad", **STEADY_UP)
    good = make_check(page, "good", **STEADY_UP)
    unstorable = Outcome("up", 1.0, "", {"measured": object()})

    stored = record_batch(
        [PendingResult(bad.pk, unstorable, START), PendingResult(good.pk, UP, START)]
    )

    assert stored == 1
    assert record_result_calls == [bad.pk, good.pk]
    assert stored_rows(bad) == []
    assert len(stored_rows(good)) == 1
    assert "in bulk failed" in caplog.text
