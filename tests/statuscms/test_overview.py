from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from statuscms.overview import HISTORY_DAYS, load_page_overview
from statuscore import services

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def new_york_page(page):
    page.time_zone = "America/New_York"
    page.save()
    return page


def incidents_on(overview, day: date) -> list[str]:
    for history_day in overview.history:
        if history_day.date == day:
            return [incident.name for incident in history_day.incidents]
    raise AssertionError(f"{day} is not in the history")


def test_history_days_newest_first(new_york_page):
    overview = load_page_overview(new_york_page, now=NOW)

    days = [history_day.date for history_day in overview.history]
    assert len(days) == HISTORY_DAYS
    assert days[0] == date(2026, 3, 10)
    assert days[-1] == date(2026, 2, 25)


def test_history_groups_by_local_day(new_york_page):
    # 03:00 UTC on 10 March is 23:00 on 9 March in New York.
    started_at = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
    services.create_incident(
        new_york_page, "Late night", body="x", started_at=started_at
    )

    overview = load_page_overview(new_york_page, now=NOW)

    assert incidents_on(overview, date(2026, 3, 9)) == ["Late night"]
    assert incidents_on(overview, date(2026, 3, 10)) == []


def test_history_window_edges(new_york_page):
    zone = ZoneInfo("America/New_York")
    first_day = datetime(2026, 2, 25, 0, 30, tzinfo=zone)
    services.create_incident(new_york_page, "Inside", body="x", started_at=first_day)
    services.create_incident(
        new_york_page,
        "Outside",
        body="x",
        started_at=first_day - timedelta(hours=1),
    )

    overview = load_page_overview(new_york_page, now=NOW)

    names = [incident.name for day in overview.history for incident in day.incidents]
    assert names == ["Inside"]


def test_old_open_incident_not_in_history(page):
    services.create_incident(
        page, "Long running", body="x", started_at=NOW - timedelta(days=30)
    )

    overview = load_page_overview(page, now=NOW)

    assert [incident.name for incident in overview.open_incidents] == ["Long running"]
    assert all(not day.incidents for day in overview.history)


def test_banner_counts_hidden_components(page):
    services.create_component(page, "Internal", showcase=False, status="major_outage")

    overview = load_page_overview(page, now=NOW)

    assert overview.status.indicator == "critical"
    assert overview.groups == []
    assert overview.ungrouped == []


def test_empty_groups_are_dropped(page):
    services.create_component_group(page, "Empty")
    group = services.create_component_group(page, "Used")
    services.create_component(page, "API", group=group)

    overview = load_page_overview(page, now=NOW)

    assert [row.group.name for row in overview.groups] == ["Used"]


def test_latest_update_first(page):
    incident = services.create_incident(page, "Slow", body="first")
    services.post_incident_update(incident, status="monitoring", body="second")

    overview = load_page_overview(page, now=NOW)

    timeline = overview.open_incidents[0].timeline
    assert [update.body for update in timeline] == ["second", "first"]


def test_non_public_incident_left_out(page):
    component = services.create_component(page, "API")
    services.create_incident(
        page,
        "Awaiting approval",
        body="x",
        impact="critical",
        component_statuses={component: "operational"},
        started_at=NOW - timedelta(hours=1),
        is_public=False,
    )

    overview = load_page_overview(page, now=NOW)

    assert overview.open_incidents == []
    assert all(not day.incidents for day in overview.history)
    assert overview.status.indicator == "none"


def test_approved_incident_shown(page, django_user_model):
    editor = django_user_model.objects.create_user("approver")
    incident = services.create_incident(
        page,
        "Awaiting approval",
        body="x",
        started_at=NOW - timedelta(hours=1),
        is_public=False,
    )
    services.approve_incident(incident, actor=editor)

    overview = load_page_overview(page, now=NOW)

    assert [item.name for item in overview.open_incidents] == ["Awaiting approval"]


def schedule(page, name: str, starts_in: timedelta, hours: int = 2):
    starts_at = NOW + starts_in
    return services.schedule_maintenance(
        page, name, starts_at, starts_at + timedelta(hours=hours)
    )


def test_maintenances_upcoming_and_in_progress(page):
    later = schedule(page, "Later", timedelta(days=3))
    running = schedule(page, "Running", timedelta(hours=-1))
    services.post_maintenance_update(running, body="Started.", status="in_progress")
    schedule(page, "Soon", timedelta(hours=1))

    overview = load_page_overview(page, now=NOW)

    names = [maintenance.name for maintenance in overview.maintenances]
    assert names == ["Running", "Soon", "Later"]
    assert overview.maintenance_in_progress is True
    assert overview.maintenances[-1] == later


def test_maintenances_leave_out_finished(page):
    done = schedule(page, "Done", timedelta(hours=-3))
    services.post_maintenance_update(done, body="Started.", status="in_progress")
    services.post_maintenance_update(done, body="Finished.", status="completed")
    called_off = schedule(page, "Called off", timedelta(days=1))
    services.post_maintenance_update(called_off, body="Not needed.", status="cancelled")
    schedule(page, "Ended unstarted", timedelta(hours=-5))

    overview = load_page_overview(page, now=NOW)

    assert overview.maintenances == []
    assert overview.maintenance_in_progress is False


def test_maintenance_latest_update_first(page):
    maintenance = schedule(page, "Upgrade", timedelta(days=1))
    services.post_maintenance_update(maintenance, body="first")
    services.post_maintenance_update(maintenance, body="second")

    overview = load_page_overview(page, now=NOW)

    timeline = overview.maintenances[0].timeline
    assert [update.body for update in timeline] == ["second", "first"]
