"""Incidents that a check opens when it goes down and resolves on recovery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from statuscore import dispatch, services
from statuscore.checkers import Outcome
from statuscore.events import Event
from statuscore.exceptions import ValidationFailed
from statuscore.models import (
    AlertChannel,
    Check,
    Component,
    ComponentStatus,
    Incident,
    IncidentStatus,
    OutboxEvent,
)
from statuscore.services.checks import create_check, record_result, update_check
from statuscore.testing import fake_plugin, temporary_plugin
from tests.statuscore.notifying import make_subscriber

UP = Outcome("up", 12.0)
DEGRADED = Outcome("degraded", 900.0, "slow")
DOWN = Outcome("down", 3.0, "connection refused")
START = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fake_checker():
    with temporary_plugin(fake_plugin):
        yield


def make_check(page, component, **options) -> Check:
    options.setdefault("open_incident", True)
    return create_check(
        page, "API health", "fake", {}, component=component, failure_threshold=1, **options
    )


def record_at(check: Check, start: datetime, *outcomes: Outcome, step: int = 60) -> Check:
    for index, outcome in enumerate(outcomes):
        record_result(check.pk, outcome, start + timedelta(seconds=step * index))
    check.refresh_from_db()
    return check


def component_status(component: Component) -> str:
    component.refresh_from_db()
    return component.status


def events_of(kind: str) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(kind=kind))


# -- Opening ------------------------------------------------------------------


def test_down_opens_incident(page, component):
    check = make_check(
        page,
        component,
        incident_impact="critical",
        incident_title="{component} outage ({check})",
        incident_body="{check} failed since {since}: {reason}",
    )

    check = record_at(check, START, UP, DOWN)

    incident = Incident.objects.get()
    first_update = incident.updates.get()
    assert check.auto_incident == incident
    assert incident.name == "API outage (API health)"
    assert first_update.body == (
        "API health failed since 2026-03-01 09:31 UTC: connection refused"
    )
    assert incident.impact == "critical"
    assert incident.status == IncidentStatus.INVESTIGATING
    assert incident.started_at == START + timedelta(seconds=60)
    assert list(incident.components.all()) == [component]
    assert component_status(component) == ComponentStatus.MAJOR_OUTAGE


def test_down_uses_outage_status(page, component):
    check = make_check(page, component, outage_status="partial_outage")

    record_at(check, START, DOWN)

    assert component_status(component) == ComponentStatus.PARTIAL_OUTAGE


def test_default_templates(page, component):
    check = make_check(page, component)

    record_at(check, START, DOWN)

    incident = Incident.objects.get()
    assert incident.name == "API health is down"
    assert incident.updates.get().body == "API health is failing: connection refused"
    assert incident.impact == "major"


def test_down_moves_component_once(page, component):
    check = make_check(page, component)

    record_at(check, START, UP, DOWN)

    moves = events_of("component.status_changed")
    assert len(moves) == 1
    assert moves[0].payload["source"] == f"incident:{Incident.objects.get().pk}"
    assert len(events_of("incident.created")) == 1


def test_repeated_failure_opens_nothing(page, component):
    check = make_check(page, component)

    record_at(check, START, DOWN, DOWN, DOWN)

    assert Incident.objects.count() == 1
    assert len(events_of("incident.created")) == 1


def test_reannounced_down_opens_nothing(page, component):
    check = make_check(page, component)
    record_at(check, START, DOWN)
    # As if the announced state had been lost, such as by a restore.
    Check.objects.filter(pk=check.pk).update(announced_state="up", state="up")

    record_at(check, START + timedelta(minutes=5), DOWN)

    assert Incident.objects.count() == 1


def test_open_incident_off(page, component):
    check = make_check(page, component, open_incident=False)

    check = record_at(check, START, DOWN)

    assert not Incident.objects.exists()
    assert check.auto_incident is None
    assert component_status(component) == ComponentStatus.MAJOR_OUTAGE


def test_empty_reason_uses_default(page, component):
    check = make_check(page, component, incident_body="{reason}")

    record_at(check, START, Outcome("down", 3.0, ""))

    assert Incident.objects.get().updates.get().body == "API health is failing:"


# -- Resolving ----------------------------------------------------------------


def test_recovery_resolves_incident(page, component):
    check = make_check(page, component, resolve_body="{check} is back after {since}.")
    check = record_at(check, START, DOWN, UP)

    incident = Incident.objects.get()
    last_update = incident.updates.order_by("-id").first()
    assert incident.status == IncidentStatus.RESOLVED
    assert incident.resolved_at is not None
    assert last_update.body == "API health is back after 2026-03-01 09:30 UTC."
    assert component_status(component) == ComponentStatus.OPERATIONAL
    assert check.auto_incident is None


def test_recovery_moves_component_once(page, component):
    check = make_check(page, component)
    record_at(check, START, DOWN)
    before = len(events_of("component.status_changed"))

    record_at(check, START + timedelta(minutes=5), UP)

    moves = events_of("component.status_changed")[before:]
    assert len(moves) == 1
    assert moves[0].payload["new_status"] == ComponentStatus.OPERATIONAL
    assert len(events_of("incident.resolved")) == 1


def test_degraded_recovery_resolves(page, component):
    check = make_check(page, component)

    record_at(check, START, DOWN, DEGRADED)

    assert Incident.objects.get().status == IncidentStatus.RESOLVED
    assert component_status(component) == ComponentStatus.OPERATIONAL


def test_recovery_keeps_other_outage(page, component):
    check = make_check(page, component)
    other = create_check(
        page, "Database", "fake", {}, component=component, failure_threshold=1
    )
    record_at(check, START, DOWN)
    record_at(other, START, DOWN)

    record_at(check, START + timedelta(minutes=5), UP)

    assert Incident.objects.get().status == IncidentStatus.RESOLVED
    assert component_status(component) == ComponentStatus.MAJOR_OUTAGE


def test_editor_resolved_posts_nothing(page, component):
    check = make_check(page, component)
    record_at(check, START, DOWN)
    incident = Incident.objects.get()
    services.post_incident_update(
        incident, status=IncidentStatus.RESOLVED, body="Fixed by hand."
    )

    check = record_at(check, START + timedelta(minutes=5), UP)

    assert incident.updates.count() == 2
    assert len(events_of("incident.resolved")) == 1
    assert check.auto_incident is None
    assert component_status(component) == ComponentStatus.OPERATIONAL


def test_down_after_editor_resolved_opens_new(page, component):
    check = make_check(page, component)
    record_at(check, START, DOWN)
    services.post_incident_update(
        Incident.objects.get(), status=IncidentStatus.RESOLVED, body="Fixed by hand."
    )

    record_at(check, START + timedelta(minutes=5), UP, DOWN)

    assert Incident.objects.count() == 2


def test_recovery_without_incident(page, component):
    check = make_check(page, component, open_incident=False)

    record_at(check, START, DOWN, UP)

    assert not Incident.objects.exists()
    assert component_status(component) == ComponentStatus.OPERATIONAL


# -- Flapping -----------------------------------------------------------------


@pytest.fixture
def flap_settings(settings):
    settings.STATUSCORE_FLAP_THRESHOLD = 4
    settings.STATUSCORE_FLAP_WINDOW = 1800


def test_flapping_opens_no_storm(page, component, flap_settings):
    check = make_check(page, component)

    check = record_at(check, START, *([UP, DOWN] * 10))

    # Announced: up, down, up, down, up; the next change starts flapping.
    assert check.flapping_since is not None
    assert Incident.objects.count() == 2
    assert len(events_of("incident.created")) == 2
    assert len(events_of("incident.resolved")) == 2


def test_flapping_keeps_incident_open(page, component, flap_settings):
    check = make_check(page, component)
    # The fourth counted change is down, and the fifth, up, starts flapping.
    check = record_at(check, START, DOWN, UP, DOWN, UP, DOWN, UP)
    assert check.flapping_since is not None
    opened = Incident.objects.order_by("-id").first()

    check = record_at(check, START + timedelta(minutes=6), DOWN, UP, DOWN, UP)

    opened.refresh_from_db()
    assert Incident.objects.count() == 3
    assert opened.status == IncidentStatus.INVESTIGATING
    assert check.auto_incident == opened


# -- Validation ---------------------------------------------------------------


@pytest.mark.parametrize(
    "field, template",
    [
        ("incident_title", "{host} is down"),
        ("incident_body", "{check.page.organization}"),
        ("resolve_body", "{check.__class__}"),
        ("incident_body", "{check[0]}"),
        ("incident_title", "{check:>999999}"),
        ("incident_title", "{check!r}"),
        ("resolve_body", "{check"),
        ("incident_body", "{}"),
    ],
)
def test_invalid_template_rejected(page, component, field, template):
    with pytest.raises(ValidationFailed) as raised:
        make_check(page, component, **{field: template})

    assert list(raised.value.errors) == [field]
    assert not Check.objects.exists()


def test_invalid_template_update_rejected(page, component):
    check = make_check(page, component)

    with pytest.raises(ValidationFailed) as raised:
        update_check(check, incident_body="{check.name} fails")

    check.refresh_from_db()
    assert list(raised.value.errors) == ["incident_body"]
    assert check.incident_body == "{check} is failing: {reason}"


def test_escaped_braces_allowed(page, component):
    check = make_check(page, component, incident_title="{{ops}} {check}")

    record_at(check, START, DOWN)

    assert Incident.objects.get().name == "{ops} API health"


def test_open_incident_needs_component(page):
    with pytest.raises(ValidationFailed) as raised:
        make_check(page, None)

    assert list(raised.value.errors) == ["open_incident"]


def test_invalid_impact_rejected(page, component):
    with pytest.raises(ValidationFailed) as raised:
        make_check(page, component, incident_impact="apocalyptic")

    assert list(raised.value.errors) == ["incident_impact"]


# -- Approval -----------------------------------------------------------------


def test_incident_waits_for_approval_when_check_asks(page, component):
    check = make_check(page, component, incident_needs_approval=True)

    record_at(check, START, DOWN)

    incident = Incident.objects.get()
    created = events_of("incident.created")[0]
    assert incident.is_public is False
    assert created.payload["is_public"] is False
    assert component_status(component) == ComponentStatus.MAJOR_OUTAGE


def test_incident_is_public_by_default(page, component):
    check = make_check(page, component)

    record_at(check, START, DOWN)

    assert Incident.objects.get().is_public is True


def test_waiting_incident_reaches_team_not_subscribers(notifier, page, component):
    make_subscriber(page, "all@example.test")
    channel = AlertChannel.objects.create(
        page=page,
        name="ops",
        notifier="recording",
        config={"to": "ops@team.test"},
        event_kinds=["incident.created"],
    )
    check = make_check(page, component, incident_needs_approval=True)

    record_at(check, START, DOWN)

    event = Event.from_row(events_of("incident.created")[0])
    assert list(dispatch.recipients_for(event)) == []
    assert dispatch.channels_for(event) == [channel]


def test_approval_setting_can_be_changed(page, component):
    check = make_check(page, component)

    update_check(check, incident_needs_approval=True)

    check.refresh_from_db()
    assert check.incident_needs_approval is True


def test_result_stamped_ahead_still_opens_incident(page, component):
    check = make_check(page, component)
    ahead = datetime.now(UTC) + timedelta(minutes=10)

    record_at(check, ahead, DOWN)

    incident = Incident.objects.get()
    assert incident.started_at < ahead
