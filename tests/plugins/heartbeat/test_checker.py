"""The heartbeat checker through the monitor, on a fake clock.

Pushes are recorded with their own timestamps through ``record_push``;
the monitor then runs the check at chosen times, exactly as its loop does.
The monitor reaches the database from a worker thread, so these tests
commit for real (``transaction=True``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from plugins.heartbeat.checker import HeartbeatConfig, judge
from statuscore.models import Check, CheckResult, CheckState, ComponentStatus
from statuscore.monitor import Monitor
from statuscore.services.checks import create_check
from statuscore.services.heartbeats import PushState, create_push_check, record_push
from tests.statuscore.test_monitor import FakeClock, run_async

pytestmark = pytest.mark.django_db(transaction=True)

BERLIN = ZoneInfo("Europe/Berlin")
NIGHTLY = {
    "cron": "0 4 * * *",
    "timezone": "Europe/Berlin",
    "degraded_after_seconds": 1800,
    "down_after_seconds": 3600,
}
EVERY_TEN_MINUTES = {"period_seconds": 600, "grace_seconds": 0}
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def berlin(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def run_monitor_at(check: Check, moment: datetime) -> Check:
    """Run the check once as the monitor would at ``moment``."""

    async def scenario() -> None:
        async with Monitor(clock=FakeClock(moment)) as monitor:
            await monitor.run_check(check)

    run_async(scenario())
    check.refresh_from_db()
    return check


def transitions(check: Check) -> list[tuple[str, str]]:
    events = check.page.outbox_events.filter(kind="check.state_changed")
    return [
        (event.payload["old_state"], event.payload["new_state"])
        for event in events.order_by("id")
        if event.payload["check_id"] == check.pk
    ]


def results_of(check: Check) -> list[CheckResult]:
    return list(check.results.order_by("checked_at", "id"))


# -- Cron schedule ------------------------------------------------------------


def test_missed_run_degrades_then_goes_down(page, component):
    check, token = create_push_check(
        page, "Backup", "heartbeat", NIGHTLY, component=component
    )
    record_push(token, pushed_at=berlin(2025, 6, 1, 4, 0, 5))

    states = []
    for moment in (berlin(2025, 6, 2, 4, 1), berlin(2025, 6, 2, 4, 31)):
        states.append(run_monitor_at(check, moment).state)
    check = run_monitor_at(check, berlin(2025, 6, 2, 5, 1))
    states.append(check.state)
    component.refresh_from_db()

    assert states == [CheckState.UP, CheckState.DEGRADED, CheckState.DOWN]
    assert transitions(check) == [
        ("unknown", "up"),
        ("up", "degraded"),
        ("degraded", "down"),
    ]
    assert results_of(check)[-1].reason == (
        "no heartbeat since 2025-06-01 04:00:05 CEST; "
        "expected at 2025-06-02 04:00:00 CEST"
    )
    assert component.status == ComponentStatus.MAJOR_OUTAGE


def test_degraded_reason_names_expected_time(page):
    check, token = create_push_check(page, "Backup", "heartbeat", NIGHTLY)
    record_push(token, pushed_at=berlin(2025, 6, 1, 4, 0, 5))

    run_monitor_at(check, berlin(2025, 6, 2, 4, 31))
    result = results_of(check)[-1]

    assert result.status == "degraded"
    assert result.reason == "heartbeat late; expected at 2025-06-02 04:00:00 CEST"
    assert result.details["late_seconds"] == 31 * 60


def test_late_push_stays_up_until_tomorrow(page):
    check, token = create_push_check(page, "Backup", "heartbeat", NIGHTLY)
    record_push(token, pushed_at=berlin(2025, 6, 1, 4, 0, 5))
    record_push(token, pushed_at=berlin(2025, 6, 2, 4, 20))

    states = [
        run_monitor_at(check, moment).state
        for moment in (
            berlin(2025, 6, 2, 4, 31),
            berlin(2025, 6, 2, 5, 1),
            berlin(2025, 6, 3, 3, 59),
        )
    ]
    last = results_of(check)[-1]

    assert states == [CheckState.UP, CheckState.UP, CheckState.UP]
    expected_at = datetime.fromisoformat(last.details["expected_at"])
    assert expected_at == berlin(2025, 6, 3, 4, 0)
    assert transitions(check) == [("unknown", "up")]


def test_early_push_from_fast_clock_stays_up(page):
    check, token = create_push_check(page, "Backup", "heartbeat", NIGHTLY)
    record_push(token, pushed_at=berlin(2025, 6, 2, 3, 59))

    check = run_monitor_at(check, berlin(2025, 6, 2, 5, 1))

    assert check.state == CheckState.UP
    assert transitions(check) == [("unknown", "up")]


def test_early_push_without_tolerance_goes_down(page):
    config = {**NIGHTLY, "early_tolerance_seconds": 0}
    check, token = create_push_check(page, "Backup", "heartbeat", config)
    record_push(token, pushed_at=berlin(2025, 6, 2, 3, 59))

    check = run_monitor_at(check, berlin(2025, 6, 2, 5, 1))

    assert check.state == CheckState.DOWN


@pytest.mark.parametrize(
    ("last_push", "still_up", "down"),
    [
        # 02:30 does not exist: expected at 03:00 CEST, down an hour later.
        (
            berlin(2025, 3, 29, 2, 30, 5),
            berlin(2025, 3, 30, 3, 59),
            berlin(2025, 3, 30, 4, 0),
        ),
        # 02:30 happens twice: expected at the first, 02:30 CEST.
        (
            berlin(2025, 10, 25, 2, 30, 5),
            datetime(2025, 10, 26, 1, 29, tzinfo=UTC),
            datetime(2025, 10, 26, 1, 30, tzinfo=UTC),
        ),
    ],
)
def test_dst_night_deadline(page, last_push, still_up, down):
    config = {**NIGHTLY, "cron": "30 2 * * *", "degraded_after_seconds": None}
    check, token = create_push_check(page, "Backup", "heartbeat", config)
    record_push(token, pushed_at=last_push)

    before = run_monitor_at(check, still_up).state
    after = run_monitor_at(check, down).state

    assert before == CheckState.UP
    assert after == CheckState.DOWN


# -- Explicit down pushes and the deadline ------------------------------------


def test_down_push_is_down_at_once(page, component):
    check, token = create_push_check(
        page,
        "Disk job",
        "heartbeat",
        EVERY_TEN_MINUTES,
        component=component,
        failure_threshold=3,
    )
    record_push(token, "up", pushed_at=at(0))

    record_push(token, "down", "disk full", pushed_at=at(300))
    check.refresh_from_db()
    component.refresh_from_db()

    assert check.state == CheckState.DOWN
    assert results_of(check)[-1].reason == "disk full"
    assert transitions(check) == [("unknown", "up"), ("up", "down")]
    assert component.status == ComponentStatus.MAJOR_OUTAGE


def test_down_push_then_silence_has_no_churn(page):
    check, token = create_push_check(
        page, "Disk job", "heartbeat", EVERY_TEN_MINUTES, failure_threshold=3
    )
    record_push(token, "up", pushed_at=at(0))
    record_push(token, "down", "disk full", pushed_at=at(300))

    seconds = range(360, 1001, 60)
    states = [run_monitor_at(check, at(second)).state for second in seconds]
    later = [r for r in results_of(check) if r.checked_at > at(300)]
    before_deadline = [r.reason for r in later if r.checked_at < at(900)]
    after_deadline = [r.reason for r in later if r.checked_at >= at(900)]

    assert set(states) == {CheckState.DOWN}
    assert {r.status for r in later} == {"down"}
    assert set(before_deadline) == {"disk full"}
    assert set(after_deadline) == {
        "no heartbeat since 2026-01-01 00:05:00 UTC; "
        "expected at 2026-01-01 00:15:00 UTC"
    }
    assert transitions(check) == [("unknown", "up"), ("up", "down")]


def test_push_after_down_push_is_up(page):
    check, token = create_push_check(page, "Disk job", "heartbeat", EVERY_TEN_MINUTES)
    record_push(token, "down", "disk full", pushed_at=at(300))

    record_push(token, "up", pushed_at=at(400))
    check = run_monitor_at(check, at(960))

    assert check.state == CheckState.UP
    assert transitions(check) == [("unknown", "down"), ("down", "up")]


def test_push_just_before_deadline_wins(page):
    check, token = create_push_check(page, "Disk job", "heartbeat", EVERY_TEN_MINUTES)
    record_push(token, pushed_at=at(0))

    record_push(token, pushed_at=at(599.95))
    check = run_monitor_at(check, at(600))

    assert check.state == CheckState.UP
    assert [r.status for r in results_of(check)] == ["up", "up", "up"]
    assert transitions(check) == [("unknown", "up")]


def test_deadline_without_push_is_down(page):
    check, token = create_push_check(page, "Disk job", "heartbeat", EVERY_TEN_MINUTES)
    record_push(token, pushed_at=at(0))

    check = run_monitor_at(check, at(600))

    assert check.state == CheckState.DOWN


# -- Before the first push ----------------------------------------------------


def test_new_check_waits_one_period(page):
    check, _token = create_push_check(page, "New job", "heartbeat", EVERY_TEN_MINUTES)
    started = check.created_at

    waiting = run_monitor_at(check, started + timedelta(seconds=599)).state
    silent = run_monitor_at(check, started + timedelta(seconds=600)).state
    reason = results_of(check)[-1].reason

    assert waiting == CheckState.UP
    assert silent == CheckState.DOWN
    assert reason.startswith("no heartbeat yet; expected at ")


def test_check_without_token_records_down(page):
    check = create_check(page, "No URL", "heartbeat", EVERY_TEN_MINUTES)

    run_monitor_at(check, check.created_at)
    result = results_of(check)[-1]

    assert result.status == "down"
    assert "no push token" in result.reason


# -- Judging without the database ---------------------------------------------


def test_judge_keeps_down_push_before_degraded():
    config = HeartbeatConfig.model_validate(
        {"period_seconds": 600, "degraded_after_seconds": 60, "grace_seconds": 300}
    )
    state = PushState(
        started_at=at(0),
        last_push_at=at(300),
        last_push_status="down",
        last_push_message="disk full",
    )

    outcome = judge(config, state, at(960))

    assert outcome.status == "down"
    assert outcome.reason == "disk full"
    assert outcome.confirmed
