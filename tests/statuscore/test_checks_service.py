"""Check services: the confirmation rule, its events, and claiming due checks."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from statuscore import services
from statuscore.checkers import Outcome
from statuscore.models import (
    Check,
    CheckResult,
    CheckState,
    Component,
    ComponentStatus,
    OutboxEvent,
)
from statuscore.services import checks as check_services
from statuscore.services.checks import (
    _claim_slot,
    claim_due_checks,
    create_check,
    record_result,
)
from statuscore.testing import fake_plugin, temporary_plugin

UP = Outcome("up", 12.0)
DOWN = Outcome("down", 3.0, "connection refused")


@pytest.fixture(autouse=True)
def fake_checker():
    with temporary_plugin(fake_plugin):
        yield


def make_check(page, component=None, **options) -> Check:
    return create_check(page, "API health", "fake", {}, component=component, **options)


def due_time(*checks: Check) -> datetime:
    """Return a moment at which all ``checks`` are due."""
    return max(check.next_run_at for check in checks) + timedelta(seconds=1)


def record(check: Check, *outcomes: Outcome) -> Check:
    for outcome in outcomes:
        record_result(check.pk, outcome, timezone.now())
    check.refresh_from_db()
    return check


def component_status(component: Component) -> str:
    component.refresh_from_db()
    return component.status


def event_counts() -> dict[str, int]:
    return {
        kind: OutboxEvent.objects.filter(kind=kind).count()
        for kind in ("check.state_changed", "component.status_changed")
    }


# -- Confirmation rule --------------------------------------------------------


def test_first_result_sets_state(page):
    check = record(make_check(page), UP)

    assert check.state == CheckState.UP
    assert check.consecutive_successes == 1


def test_one_failure_not_confirmed(page, component):
    check = record(make_check(page, component, failure_threshold=2), UP, DOWN)

    assert check.state == CheckState.UP
    assert check.consecutive_failures == 1
    assert component_status(component) == ComponentStatus.OPERATIONAL


def test_second_failure_confirmed(page, component):
    check = record(make_check(page, component, failure_threshold=2), UP, DOWN, DOWN)

    assert check.state == CheckState.DOWN
    assert check.consecutive_failures == 2
    assert component_status(component) == ComponentStatus.MAJOR_OUTAGE


def test_success_resets_failures(page, component):
    check = record(make_check(page, component, failure_threshold=2), DOWN, UP, DOWN)

    assert check.state == CheckState.UP
    assert check.consecutive_failures == 1
    assert component_status(component) == ComponentStatus.OPERATIONAL


def test_outage_status_applied(page, component):
    check = make_check(
        page, component, failure_threshold=1, outage_status="partial_outage"
    )

    record(check, DOWN)

    assert component_status(component) == ComponentStatus.PARTIAL_OUTAGE


def test_recovery_threshold(page, component):
    check = make_check(page, component, failure_threshold=1, recovery_threshold=2)

    check = record(check, DOWN, UP)
    assert check.state == CheckState.DOWN
    assert component_status(component) == ComponentStatus.MAJOR_OUTAGE

    check = record(check, UP)
    assert check.state == CheckState.UP
    assert component_status(component) == ComponentStatus.OPERATIONAL


def test_degraded_ends_outage(page, component):
    check = make_check(page, component, failure_threshold=1)

    check = record(check, DOWN, Outcome("degraded", 900.0, "slow response"))

    assert check.state == CheckState.DEGRADED
    assert component_status(component) == ComponentStatus.OPERATIONAL
    assert check.results.first().status == "degraded"


def test_degraded_state_leaves_component(page, component):
    check = make_check(page, component)

    check = record(check, UP, Outcome("degraded", 900.0, "slow response"))

    assert check.state == CheckState.DEGRADED
    assert component_status(component) == ComponentStatus.OPERATIONAL
    assert event_counts() == {
        "check.state_changed": 2,
        "component.status_changed": 0,
    }


def test_degraded_then_up_changes_state(page):
    check = make_check(page)

    check = record(check, Outcome("degraded", 900.0, "slow response"), UP)

    assert check.state == CheckState.UP
    assert event_counts()["check.state_changed"] == 2


def test_confirmed_down_skips_threshold(page, component):
    check = make_check(page, component, failure_threshold=3)

    check = record(check, UP, Outcome("down", None, "disk full", confirmed=True))

    assert check.state == CheckState.DOWN
    assert component_status(component) == ComponentStatus.MAJOR_OUTAGE


def test_confirmed_up_skips_recovery_threshold(page):
    check = make_check(page, failure_threshold=1, recovery_threshold=3)

    check = record(check, DOWN, Outcome("up", None, confirmed=True))

    assert check.state == CheckState.UP


def test_unconfirmed_down_waits_for_threshold(page):
    check = make_check(page, failure_threshold=3)

    check = record(check, UP, DOWN, DOWN)

    assert check.state == CheckState.UP


def test_maintenance_not_moved(page):
    component = services.create_component(page, "DB", status="under_maintenance")
    check = make_check(page, component, failure_threshold=1)

    check = record(check, DOWN)
    assert check.state == CheckState.DOWN
    assert component_status(component) == ComponentStatus.UNDER_MAINTENANCE

    record(check, UP)
    assert component_status(component) == ComponentStatus.UNDER_MAINTENANCE


def test_manual_status_left_alone(page, component):
    check = record(make_check(page, component, failure_threshold=1), DOWN)
    services.set_component_status(
        component, ComponentStatus.DEGRADED_PERFORMANCE, source="user:1"
    )

    record(check, UP)

    assert component_status(component) == ComponentStatus.DEGRADED_PERFORMANCE


def test_two_checks_both_must_recover(page, component):
    first = make_check(page, component, failure_threshold=1)
    second = make_check(page, component, failure_threshold=1)
    record(first, DOWN)
    record(second, DOWN)

    record(first, UP)
    assert component_status(component) == ComponentStatus.MAJOR_OUTAGE

    record(second, UP)
    assert component_status(component) == ComponentStatus.OPERATIONAL


@pytest.mark.parametrize("major_first", [True, False])
def test_two_checks_worst_status(page, component, major_first):
    major = make_check(page, component, failure_threshold=1)
    partial = make_check(
        page, component, failure_threshold=1, outage_status="partial_outage"
    )
    first, second = (major, partial) if major_first else (partial, major)

    record(first, DOWN)
    record(second, DOWN)
    assert component_status(component) == ComponentStatus.MAJOR_OUTAGE

    record(major, UP)
    assert component_status(component) == ComponentStatus.PARTIAL_OUTAGE

    record(partial, UP)
    assert component_status(component) == ComponentStatus.OPERATIONAL


def test_disabled_check_ignored(page, component):
    first = make_check(page, component, failure_threshold=1)
    second = make_check(page, component, failure_threshold=1)
    record(first, DOWN)
    record(second, DOWN)
    services.update_check(second, enabled=False)

    record(first, UP)

    assert component_status(component) == ComponentStatus.OPERATIONAL


# -- Events -------------------------------------------------------------------


def test_unconfirmed_failure_no_events(page, component):
    check = record(make_check(page, component, failure_threshold=2), UP)
    before = event_counts()

    record(check, DOWN)

    assert event_counts() == before


def test_state_change_one_event_each(page, component):
    check = record(make_check(page, component, failure_threshold=2), UP, DOWN)
    before = event_counts()

    record(check, DOWN)

    after = event_counts()
    assert after["check.state_changed"] == before["check.state_changed"] + 1
    assert after["component.status_changed"] == before["component.status_changed"] + 1


def test_state_change_event_payloads(page, component):
    check = record(make_check(page, component, failure_threshold=1), UP, DOWN)

    state_event = OutboxEvent.objects.filter(kind="check.state_changed").last()
    status_event = OutboxEvent.objects.filter(kind="component.status_changed").last()

    assert state_event.payload["check_id"] == check.pk
    assert state_event.payload["old_state"] == "up"
    assert state_event.payload["new_state"] == "down"
    assert state_event.payload["reason"] == "connection refused"
    assert status_event.payload["component_id"] == component.pk
    assert status_event.payload["new_status"] == "major_outage"
    assert status_event.payload["source"] == f"check:{check.pk}"


def test_recovery_one_event_each(page, component):
    check = record(make_check(page, component, failure_threshold=1), UP, DOWN)
    before = event_counts()

    record(check, UP)

    after = event_counts()
    assert after["check.state_changed"] == before["check.state_changed"] + 1
    assert after["component.status_changed"] == before["component.status_changed"] + 1


def test_failed_move_rolls_back_all(page, component, monkeypatch):
    check = record(make_check(page, component, failure_threshold=1), UP)
    events_before = OutboxEvent.objects.count()
    results_before = CheckResult.objects.count()

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(check_services, "set_component_status", fail)
    with pytest.raises(RuntimeError):
        record_result(check.pk, DOWN, timezone.now())
    check.refresh_from_db()

    assert OutboxEvent.objects.count() == events_before
    assert CheckResult.objects.count() == results_before
    assert check.state == CheckState.UP
    assert check.consecutive_failures == 0


def test_long_reason_truncated(page):
    check = record(make_check(page), Outcome("down", None, "x" * 2000))

    assert len(check.results.first().reason) == 500


# -- Claiming due checks ------------------------------------------------------


def test_claim_moves_slot(page):
    check = make_check(page, interval_seconds=60)
    slot = check.next_run_at

    claimed = claim_due_checks(slot + timedelta(seconds=5), 10)
    check.refresh_from_db()

    assert [c.pk for c in claimed] == [check.pk]
    assert check.next_run_at == slot + timedelta(seconds=60)


def test_claim_same_slot_once(page):
    check = make_check(page)
    now = check.next_run_at + timedelta(seconds=1)

    first = claim_due_checks(now, 10)
    second = claim_due_checks(now, 10)

    assert [c.pk for c in first] == [check.pk]
    assert second == []


def test_stale_claimer_loses(page):
    now = due_time(make_check(page))
    stale = list(Check.objects.all())

    claim_due_checks(now, 10)

    assert _claim_slot(stale[0], stale[0], now) is False


def test_schedule_does_not_drift(page):
    check = make_check(page, interval_seconds=60)
    start = check.next_run_at

    for slot, delay in [(0, 7), (1, 13), (2, 59), (3, 0)]:
        scheduled = start + timedelta(seconds=60 * slot)
        claimed = claim_due_checks(scheduled + timedelta(seconds=delay), 10)
        check.refresh_from_db()

        assert len(claimed) == 1
        assert check.next_run_at == scheduled + timedelta(seconds=60)


def test_late_check_skips_to_next_slot(page):
    check = make_check(page, interval_seconds=60)
    first_slot = check.next_run_at
    now = first_slot + timedelta(seconds=150)

    claim_due_checks(now, 10)
    check.refresh_from_db()

    assert check.next_run_at == first_slot + timedelta(seconds=180)


def test_claim_not_due_yet(page):
    check = make_check(page)

    claimed = claim_due_checks(check.next_run_at - timedelta(seconds=1), 10)

    assert claimed == []


def test_claim_skips_disabled(page):
    check = make_check(page, enabled=False)

    claimed = claim_due_checks(check.next_run_at + timedelta(seconds=1), 10)

    assert claimed == []


def test_claim_honours_limit_and_order(page):
    checks = [make_check(page) for _ in range(3)]
    earliest = sorted(checks, key=lambda check: check.next_run_at)

    claimed = claim_due_checks(due_time(*checks), 2)

    assert [c.pk for c in claimed] == [earliest[0].pk, earliest[1].pk]


def test_claim_filters_ids(page):
    first, second, third = (make_check(page) for _ in range(3))
    now = due_time(first, second, third)

    claimed = claim_due_checks(
        now, 10, check_ids=[first.pk, second.pk], exclude_ids=[second.pk]
    )

    assert [c.pk for c in claimed] == [first.pk]


@pytest.mark.django_db(transaction=True)
def test_concurrent_claimers_share_nothing(page):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's shared-cache test database locks tables between threads")
    checks = [make_check(page) for _ in range(30)]
    now = due_time(*checks)
    barrier = threading.Barrier(6)
    claimed: list[int] = []
    lock = threading.Lock()

    def claimer() -> None:
        try:
            barrier.wait()
            won = claim_due_checks(now, 100)
            with lock:
                claimed.extend(check.pk for check in won)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claimer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(claimed) == len(checks)
    assert sorted(claimed) == sorted(check.pk for check in checks)


# -- Flapping -----------------------------------------------------------------


def record_at(check: Check, start, *outcomes: Outcome, step: int = 60) -> Check:
    for index, outcome in enumerate(outcomes):
        record_result(check.pk, outcome, start + timedelta(seconds=step * index))
    check.refresh_from_db()
    return check


def events_of(kind: str) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(kind=kind))


@pytest.fixture
def flap_settings(settings):
    settings.STATUSCORE_FLAP_THRESHOLD = 4
    settings.STATUSCORE_FLAP_WINDOW = 1800


def test_flapping_check_marked(page, flap_settings):
    check = make_check(page, failure_threshold=1)

    check = record_at(check, timezone.now(), UP, DOWN, UP, DOWN, UP, DOWN)

    assert check.flapping_since is not None


def test_flapping_emits_one_event(page, component, flap_settings):
    check = make_check(page, component, failure_threshold=1)

    record_at(check, timezone.now(), *([UP, DOWN] * 10))

    assert len(events_of("check.flapping")) == 1


def test_flapping_stops_state_events(page, component, flap_settings):
    check = make_check(page, component, failure_threshold=1)

    record_at(check, timezone.now(), *([UP, DOWN] * 10))

    # unknown -> up, then four counted changes; the fifth starts flapping.
    assert len(events_of("check.state_changed")) == 5


def test_few_changes_not_flapping(page, flap_settings):
    check = make_check(page, failure_threshold=1)

    check = record_at(check, timezone.now(), UP, DOWN, UP, DOWN, UP)

    assert check.flapping_since is None
    assert events_of("check.flapping") == []


def test_changes_outside_window_not_flapping(page, flap_settings):
    check = make_check(page, failure_threshold=1)

    check = record_at(check, timezone.now(), *([UP, DOWN] * 5), step=600)

    assert check.flapping_since is None


def test_flapping_ends_after_quiet_window(page, component, flap_settings):
    check = make_check(page, component, failure_threshold=1)
    start = timezone.now()
    check = record_at(check, start, *([UP, DOWN] * 4))
    quiet = start + timedelta(seconds=60 * 8)

    check = record_at(check, quiet, *([DOWN] * 31))

    ended = events_of("check.flapping_ended")
    assert check.flapping_since is None
    assert len(ended) == 1
    assert ended[0].payload["state"] == "down"


def test_settled_state_announced_once(page, component, flap_settings):
    check = make_check(page, component, failure_threshold=1)
    start = timezone.now()
    check = record_at(check, start, UP, DOWN, UP, DOWN, UP, DOWN, UP)
    assert check.flapping_since is not None
    assert check.announced_state == "up"
    before = len(events_of("check.state_changed"))

    check = record_at(check, start + timedelta(seconds=420), *([DOWN] * 31))

    changes = events_of("check.state_changed")[before:]
    assert len(changes) == 1
    assert changes[0].payload["old_state"] == "up"
    assert changes[0].payload["new_state"] == "down"
    assert component_status(component) == ComponentStatus.MAJOR_OUTAGE


def test_flapping_leaves_component_alone(page, component, flap_settings):
    check = make_check(page, component, failure_threshold=1)

    record_at(check, timezone.now(), UP, DOWN, UP, DOWN, UP, DOWN, UP, DOWN)

    assert component_status(component) == ComponentStatus.OPERATIONAL


# -- Regions ------------------------------------------------------------------


def make_regional(page, component=None, **options) -> Check:
    return create_check(
        page, "API", "fake", {}, component=component, failure_threshold=1, **options
    )


def test_one_region_down_not_quorum(page):
    check = make_regional(page, regions=["eu", "us", "ap"])
    now = timezone.now()

    for region, outcome in [("eu", DOWN), ("us", UP), ("ap", UP)]:
        record_result(check.pk, outcome, now, region)
    check.refresh_from_db()

    assert check.state == CheckState.UP


def test_majority_of_regions_down(page, component):
    check = make_regional(page, component, regions=["eu", "us", "ap"])
    now = timezone.now()

    for region, outcome in [("eu", DOWN), ("us", DOWN), ("ap", UP)]:
        record_result(check.pk, outcome, now, region)
    check.refresh_from_db()

    assert check.state == CheckState.DOWN
    assert component_status(component) == ComponentStatus.MAJOR_OUTAGE


def test_custom_quorum_of_one(page):
    check = make_regional(page, regions=["eu", "us", "ap"], region_quorum=1)
    now = timezone.now()

    for region, outcome in [("eu", UP), ("us", UP), ("ap", DOWN)]:
        record_result(check.pk, outcome, now, region)
    check.refresh_from_db()

    assert check.state == CheckState.DOWN


def test_region_results_stored_per_region(page):
    check = make_regional(page, regions=["eu", "us"])
    now = timezone.now()

    record_result(check.pk, DOWN, now, "eu")
    record_result(check.pk, UP, now, "us")

    statuses = dict(check.results.values_list("region", "status"))
    assert statuses == {"eu": "down", "us": "up"}


def test_region_counters_kept_apart(page):
    check = create_check(
        page, "API", "fake", {}, failure_threshold=2, regions=["eu", "us"]
    )
    now = timezone.now()

    record_result(check.pk, DOWN, now, "eu")
    record_result(check.pk, DOWN, now, "us")
    rows = {row.region: row for row in check.region_rows.all()}

    assert rows["eu"].consecutive_failures == 1
    assert rows["us"].consecutive_failures == 1
    assert rows["eu"].state == CheckState.UNKNOWN


# -- Metrics counters ---------------------------------------------------------


def test_result_counts_by_status(page):
    check = record(make_check(page), UP, DOWN, UP)

    assert check.result_counts == {"up": 2, "down": 1}
    assert check.last_response_time_ms == 12.0
