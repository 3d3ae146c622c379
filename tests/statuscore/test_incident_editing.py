"""Editing incidents: backfill, corrections, resolving, approval, deletion,
and who hears of each step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from statuscore import dispatch, services
from statuscore.events import Event, EventKind
from statuscore.exceptions import ValidationFailed
from statuscore.models import (
    AlertChannel,
    ComponentStatus,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    OutboxEvent,
)
from statuscore.summary import build_status, build_summary
from tests.statuscore.notifying import make_subscriber

PAST_START = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
PAST_END = PAST_START + timedelta(hours=3)


@pytest.fixture
def api(page):
    return services.create_component(page, "API")


@pytest.fixture
def web(page):
    return services.create_component(page, "Web")


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user("editor", password="x")


@pytest.fixture
def incident(page, api):
    return services.create_incident(
        page,
        "Errors on the API",
        body="Looking into it.",
        component_statuses={api: ComponentStatus.PARTIAL_OUTAGE},
    )


def last_event(kind: EventKind) -> Event:
    return Event.from_row(OutboxEvent.objects.filter(kind=kind).latest("id"))


def event_count(kind: EventKind) -> int:
    return OutboxEvent.objects.filter(kind=kind).count()


def make_channel(page, kinds) -> AlertChannel:
    return AlertChannel.objects.create(
        page=page,
        name="ops",
        notifier="recording",
        config={"to": "ops@team.test"},
        event_kinds=[str(kind) for kind in kinds],
    )


def subscriber_addresses(event: Event) -> list[str]:
    return sorted(s.address for s in dispatch.recipients_for(event))


def status_of(component) -> str:
    component.refresh_from_db()
    return component.status


# -- Backfill ------------------------------------------------------------------


def test_backfill_creates_resolved_incident_with_both_times(page, api):
    incident = services.create_incident(
        page,
        "Night outage",
        body="The database was unreachable.",
        started_at=PAST_START,
        resolved_at=PAST_END,
        component_statuses={api: ComponentStatus.MAJOR_OUTAGE},
    )

    update = incident.updates.get()
    assert incident.status == IncidentStatus.RESOLVED
    assert incident.started_at == PAST_START
    assert incident.resolved_at == PAST_END
    assert update.status == IncidentStatus.RESOLVED
    assert update.display_at == PAST_END
    assert list(incident.components.all()) == [api]


def test_backfill_does_not_move_components(page, api):
    services.create_incident(
        page,
        "Night outage",
        body="The database was unreachable.",
        started_at=PAST_START,
        resolved_at=PAST_END,
        component_statuses={api: ComponentStatus.MAJOR_OUTAGE},
    )

    assert status_of(api) == ComponentStatus.OPERATIONAL


def test_backfill_event_carries_both_times(page):
    services.create_incident(
        page, "Night outage", body="Down.", started_at=PAST_START, resolved_at=PAST_END
    )

    payload = last_event(EventKind.INCIDENT_CREATED).payload
    assert payload["status"] == IncidentStatus.RESOLVED
    assert payload["started_at"] == PAST_START.isoformat()
    assert payload["resolved_at"] == PAST_END.isoformat()


def test_backfill_needs_start(page):
    with pytest.raises(ValidationFailed) as error:
        services.create_incident(page, "Outage", body="Down.", resolved_at=PAST_END)

    assert list(error.value.errors) == ["started_at"]


def test_backfill_resolution_must_follow_start(page):
    with pytest.raises(ValidationFailed) as error:
        services.create_incident(
            page, "Outage", body="Down.", started_at=PAST_END, resolved_at=PAST_START
        )

    assert list(error.value.errors) == ["resolved_at"]
    assert not Incident.objects.exists()


@pytest.mark.parametrize("field", ["started_at", "resolved_at"])
def test_backfill_times_may_not_lie_in_the_future(page, field):
    future = timezone.now() + timedelta(days=1)
    times = {"started_at": PAST_START, "resolved_at": PAST_END, field: future}
    if field == "started_at":
        times["resolved_at"] = future + timedelta(hours=1)

    with pytest.raises(ValidationFailed) as error:
        services.create_incident(page, "Outage", body="Down.", **times)

    assert field in error.value.errors
    assert not Incident.objects.exists()


# -- Timezone-aware input ------------------------------------------------------

NAIVE = datetime(2026, 1, 10, 8, 0)


def create_started_naive(page, incident, update):
    services.create_incident(page, "X", body="b", started_at=NAIVE)


def create_resolved_naive(page, incident, update):
    services.create_incident(
        page, "X", body="b", started_at=PAST_START, resolved_at=NAIVE
    )


def post_update_naive(page, incident, update):
    services.post_incident_update(
        incident, status="identified", body="b", display_at=NAIVE
    )


def correct_start_naive(page, incident, update):
    services.update_incident(incident, started_at=NAIVE)


def correct_resolution_naive(page, incident, update):
    services.update_incident(incident, resolved_at=NAIVE)


def edit_update_naive(page, incident, update):
    services.edit_incident_update(update, display_at=NAIVE)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (create_started_naive, "started_at"),
        (create_resolved_naive, "resolved_at"),
        (post_update_naive, "display_at"),
        (correct_start_naive, "started_at"),
        (correct_resolution_naive, "resolved_at"),
        (edit_update_naive, "display_at"),
    ],
)
def test_naive_time_is_rejected_naming_the_field(page, incident, call, field):
    update = incident.updates.get()

    with pytest.raises(ValidationFailed) as error:
        call(page, incident, update)

    assert list(error.value.errors) == [field]
    assert "offset" in error.value.errors[field][0]


@pytest.mark.parametrize(
    "started_at",
    [datetime(1, 1, 1, 0, 30, tzinfo=UTC), datetime(9999, 12, 31, 23, 0, tzinfo=UTC)],
)
def test_calendar_edge_time_rejected(page, started_at):
    with pytest.raises(ValidationFailed) as error:
        services.create_incident(page, "X", body="b", started_at=started_at)

    assert list(error.value.errors) == ["started_at"]
    assert "1970" in error.value.errors["started_at"][0]
    assert not Incident.objects.exists()


# -- Components ----------------------------------------------------------------


def test_component_of_another_page_is_rejected(page, organization):
    other = services.create_page(organization, "Other", "other")
    foreign = services.create_component(other, "Foreign")

    with pytest.raises(ValidationFailed) as error:
        services.create_incident(
            page,
            "Outage",
            body="Down.",
            component_statuses={foreign: ComponentStatus.MAJOR_OUTAGE},
        )

    assert list(error.value.errors) == ["components"]
    assert status_of(foreign) == ComponentStatus.OPERATIONAL


# -- Posting updates -----------------------------------------------------------


def test_update_without_notice_keeps_event_but_skips_subscribers(
    notifier, page, incident
):
    make_subscriber(page, "all@example.test")
    channel = make_channel(page, [EventKind.INCIDENT_UPDATED])

    update = services.post_incident_update(
        incident, status="identified", body="Typo fixed.", notify_subscribers=False
    )

    event = last_event(EventKind.INCIDENT_UPDATED)
    assert update.notify_subscribers is False
    assert event.payload["update_id"] == update.pk
    assert event.payload["notify_subscribers"] is False
    assert subscriber_addresses(event) == []
    assert dispatch.channels_for(event) == [channel]


def test_update_with_notice_reaches_subscribers(notifier, page, incident):
    make_subscriber(page, "all@example.test")

    services.post_incident_update(incident, status="identified", body="Found it.")

    event = last_event(EventKind.INCIDENT_UPDATED)
    assert subscriber_addresses(event) == ["all@example.test"]


def test_future_display_time_is_rejected(incident):
    future = timezone.now() + timedelta(hours=1)

    with pytest.raises(ValidationFailed) as error:
        services.post_incident_update(
            incident, status="identified", body="Later.", display_at=future
        )

    assert list(error.value.errors) == ["display_at"]
    assert incident.updates.count() == 1


def test_resolving_update_with_display_time_sets_resolution(page):
    now = timezone.now()
    incident = services.create_incident(
        page, "Outage", body="Down.", started_at=now - timedelta(hours=2)
    )
    shown = now - timedelta(hours=1)

    services.post_incident_update(
        incident, status="resolved", body="Fixed.", display_at=shown
    )

    incident.refresh_from_db()
    assert incident.resolved_at == shown


def test_notice_flag_is_reported_in_summary(page, incident):
    services.post_incident_update(
        incident, status="identified", body="Quiet.", notify_subscribers=False
    )

    updates = build_summary(page)["incidents"][0]["incident_updates"]
    assert updates[0]["deliver_notifications"] is False
    assert updates[1]["deliver_notifications"] is True


# -- Correcting the incident ---------------------------------------------------


def test_update_incident_changes_only_given_fields(incident, editor):
    services.update_incident(incident, name="API errors", impact="major", actor=editor)

    incident.refresh_from_db()
    payload = last_event(EventKind.INCIDENT_EDITED).payload
    assert incident.name == "API errors"
    assert incident.impact == "major"
    assert incident.status == IncidentStatus.INVESTIGATING
    assert payload["changed"] == ["name", "impact"]
    assert payload["actor_id"] == editor.pk


def test_update_incident_without_change_emits_nothing(incident):
    services.update_incident(incident, name=incident.name)

    assert event_count(EventKind.INCIDENT_EDITED) == 0


def test_update_incident_is_not_for_subscribers(notifier, page, incident):
    make_subscriber(page, "all@example.test")

    services.update_incident(incident, name="Renamed")

    assert subscriber_addresses(last_event(EventKind.INCIDENT_EDITED)) == []


def test_resolution_time_of_open_incident_is_rejected(incident):
    with pytest.raises(ValidationFailed) as error:
        services.update_incident(incident, resolved_at=timezone.now())

    assert list(error.value.errors) == ["resolved_at"]


def test_start_after_resolution_is_rejected(page):
    incident = services.create_incident(
        page, "Outage", body="Down.", started_at=PAST_START, resolved_at=PAST_END
    )

    with pytest.raises(ValidationFailed) as error:
        services.update_incident(incident, started_at=PAST_END + timedelta(hours=1))

    incident.refresh_from_db()
    assert list(error.value.errors) == ["resolved_at"]
    assert incident.started_at == PAST_START


def test_corrected_times_of_resolved_incident_are_stored(page):
    incident = services.create_incident(
        page, "Outage", body="Down.", started_at=PAST_START, resolved_at=PAST_END
    )
    earlier = PAST_START - timedelta(minutes=30)

    services.update_incident(incident, started_at=earlier, resolved_at=PAST_END)

    incident.refresh_from_db()
    assert incident.started_at == earlier
    assert incident.resolved_at == PAST_END


# -- Editing and deleting updates ----------------------------------------------


def test_edit_update_changes_body_and_records_time(incident, editor):
    update = incident.updates.get()

    services.edit_incident_update(update, body="Looking into **it**.", actor=editor)

    update.refresh_from_db()
    payload = last_event(EventKind.INCIDENT_UPDATE_EDITED).payload
    assert update.body == "Looking into **it**."
    assert update.edited_at is not None
    assert payload["update_id"] == update.pk
    assert payload["changed"] == ["body"]


def test_edit_update_is_not_for_subscribers(notifier, page, incident):
    make_subscriber(page, "all@example.test")

    services.edit_incident_update(incident.updates.get(), body="Corrected.")

    assert subscriber_addresses(last_event(EventKind.INCIDENT_UPDATE_EDITED)) == []


def test_edit_latest_update_status_moves_incident(incident):
    services.edit_incident_update(incident.updates.get(), status="monitoring")

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.MONITORING


def test_edit_update_without_change_emits_nothing(incident):
    update = incident.updates.get()

    services.edit_incident_update(update, body=update.body)

    update.refresh_from_db()
    assert update.edited_at is None
    assert event_count(EventKind.INCIDENT_UPDATE_EDITED) == 0


def test_blank_body_is_rejected_on_edit(incident):
    with pytest.raises(ValidationFailed) as error:
        services.edit_incident_update(incident.updates.get(), body="  ")

    assert list(error.value.errors) == ["body"]


def test_delete_latest_update_returns_incident_to_previous_status(incident):
    later = services.post_incident_update(incident, status="resolved", body="Fixed.")

    services.delete_incident_update(later)

    incident.refresh_from_db()
    assert not IncidentUpdate.objects.filter(pk=later.pk).exists()
    assert incident.status == IncidentStatus.INVESTIGATING
    assert incident.resolved_at is None
    assert (
        last_event(EventKind.INCIDENT_UPDATE_DELETED).payload["deleted_update_id"]
        == later.pk
    )


def test_only_update_cannot_be_deleted(incident):
    update = incident.updates.get()

    with pytest.raises(ValidationFailed) as error:
        services.delete_incident_update(update)

    assert list(error.value.errors) == ["update"]
    assert IncidentUpdate.objects.filter(pk=update.pk).exists()


# -- Resolving -----------------------------------------------------------------


def test_resolve_returns_affected_components_to_operational(page, api, web):
    incident = services.create_incident(
        page,
        "Outage",
        body="Down.",
        component_statuses={
            api: ComponentStatus.MAJOR_OUTAGE,
            web: ComponentStatus.DEGRADED_PERFORMANCE,
        },
    )

    services.resolve_incident(incident, body="All fixed.")

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    assert incident.resolved_at is not None
    assert status_of(api) == ComponentStatus.OPERATIONAL
    assert status_of(web) == ComponentStatus.OPERATIONAL


def test_resolve_without_restore_keeps_component_status(incident, api):
    services.resolve_incident(incident, body="Fixed.", restore_components=False)

    assert status_of(api) == ComponentStatus.PARTIAL_OUTAGE


def test_resolve_leaves_component_under_maintenance(incident, api):
    services.set_component_status(
        api, ComponentStatus.UNDER_MAINTENANCE, source="editor"
    )

    services.resolve_incident(incident, body="Fixed.")

    assert status_of(api) == ComponentStatus.UNDER_MAINTENANCE


def test_resolve_emits_resolved_with_notice_flag(notifier, page, incident):
    make_subscriber(page, "all@example.test")

    services.resolve_incident(incident, body="Fixed.", notify_subscribers=False)

    event = last_event(EventKind.INCIDENT_RESOLVED)
    assert event.payload["notify_subscribers"] is False
    assert subscriber_addresses(event) == []


def test_resolve_twice_is_rejected(incident):
    services.resolve_incident(incident, body="Fixed.")

    with pytest.raises(ValidationFailed) as error:
        services.resolve_incident(incident, body="Fixed again.")

    assert list(error.value.errors) == ["status"]
    assert event_count(EventKind.INCIDENT_RESOLVED) == 1


# -- Approval ------------------------------------------------------------------


@pytest.fixture
def waiting(page, api):
    return services.create_incident(
        page,
        "API down",
        body="The health check fails.",
        impact="major",
        component_statuses={api: ComponentStatus.MAJOR_OUTAGE},
        is_public=False,
    )


def test_waiting_incident_reaches_alert_channels_only(notifier, page, waiting):
    make_subscriber(page, "all@example.test")
    channel = make_channel(page, [EventKind.INCIDENT_CREATED])

    event = last_event(EventKind.INCIDENT_CREATED)

    assert event.payload["is_public"] is False
    assert subscriber_addresses(event) == []
    assert dispatch.channels_for(event) == [channel]


def test_waiting_incident_updates_skip_subscribers(notifier, page, waiting):
    make_subscriber(page, "all@example.test")

    services.post_incident_update(waiting, status="identified", body="Found it.")

    assert subscriber_addresses(last_event(EventKind.INCIDENT_UPDATED)) == []


def test_waiting_incident_is_not_in_public_json(page, waiting):
    summary = build_summary(page)

    assert summary["incidents"] == []


def test_waiting_incident_does_not_raise_the_indicator(page):
    services.create_incident(
        page, "Quiet", body="Checking.", impact="critical", is_public=False
    )

    assert build_summary(page)["status"]["indicator"] == "none"
    assert build_status(page)["status"]["indicator"] == "none"


def test_public_queryset_excludes_waiting(page, incident, waiting):
    assert list(Incident.objects.public()) == [incident]


def test_approval_publishes_and_notifies_subscribers(notifier, page, waiting, editor):
    make_subscriber(page, "all@example.test")

    services.approve_incident(waiting, actor=editor)

    waiting.refresh_from_db()
    event = last_event(EventKind.INCIDENT_PUBLISHED)
    assert waiting.is_public is True
    assert waiting.approved_by == editor
    assert waiting.approved_at is not None
    assert event.payload["update_id"] == waiting.updates.get().pk
    assert subscriber_addresses(event) == ["all@example.test"]
    assert [i["id"] for i in build_summary(page)["incidents"]] == [str(waiting.pk)]


def test_created_event_stays_silent_after_approval(notifier, page, waiting, editor):
    make_subscriber(page, "all@example.test")
    created = last_event(EventKind.INCIDENT_CREATED)

    services.approve_incident(waiting, actor=editor)

    assert subscriber_addresses(created) == []


def test_second_approval_is_rejected(waiting, editor):
    services.approve_incident(waiting, actor=editor)

    with pytest.raises(ValidationFailed) as error:
        services.approve_incident(waiting, actor=editor)

    assert list(error.value.errors) == ["is_public"]
    assert event_count(EventKind.INCIDENT_PUBLISHED) == 1


# -- Deletion ------------------------------------------------------------------


def test_delete_incident_removes_rows_and_emits_event(incident, api, editor):
    incident_id = incident.pk

    services.delete_incident(incident, actor=editor)

    payload = last_event(EventKind.INCIDENT_DELETED).payload
    assert not Incident.objects.filter(pk=incident_id).exists()
    assert not IncidentUpdate.objects.filter(incident_id=incident_id).exists()
    assert payload["incident_id"] == incident_id
    assert payload["component_ids"] == [api.pk]
    assert payload["actor_id"] == editor.pk


def test_delete_incident_is_not_for_subscribers(notifier, page, incident):
    make_subscriber(page, "all@example.test")

    services.delete_incident(incident)

    assert subscriber_addresses(last_event(EventKind.INCIDENT_DELETED)) == []


def test_events_of_a_deleted_incident_skip_subscribers(notifier, page, incident):
    make_subscriber(page, "all@example.test")
    created = last_event(EventKind.INCIDENT_CREATED)

    services.delete_incident(incident)

    assert subscriber_addresses(created) == []


def test_deleting_public_incident_moves_page_time(page, incident):
    page.refresh_from_db()
    before = page.updated_at

    services.delete_incident(incident)

    page.refresh_from_db()
    assert page.updated_at > before


def test_deleting_waiting_incident_keeps_page_time(page, waiting):
    page.refresh_from_db()
    before = page.updated_at

    services.delete_incident(waiting)

    page.refresh_from_db()
    assert page.updated_at == before


def test_editing_an_update_moves_incident_time(incident):
    before = incident.updated_at

    services.edit_incident_update(incident.updates.get(), body="Corrected.")

    incident.refresh_from_db()
    assert incident.updated_at > before


def test_moving_the_resolving_update_moves_resolution(page):
    now = timezone.now()
    incident = services.create_incident(
        page, "Outage", body="Down.", started_at=now - timedelta(hours=3)
    )
    resolving = services.post_incident_update(
        incident, status="resolved", body="Fixed.", display_at=now - timedelta(hours=1)
    )
    earlier = now - timedelta(hours=2)

    services.edit_incident_update(resolving, display_at=earlier)

    incident.refresh_from_db()
    assert incident.resolved_at == earlier


def test_resolving_update_cannot_move_before_start(page):
    now = timezone.now()
    incident = services.create_incident(
        page, "Outage", body="Down.", started_at=now - timedelta(hours=1)
    )
    resolving = services.post_incident_update(incident, status="resolved", body="Ok.")

    with pytest.raises(ValidationFailed) as error:
        services.edit_incident_update(resolving, display_at=now - timedelta(hours=2))

    resolving.refresh_from_db()
    incident.refresh_from_db()
    assert list(error.value.errors) == ["display_at"]
    assert resolving.display_at > now - timedelta(hours=1)
    assert incident.status == IncidentStatus.RESOLVED


def test_update_before_start_is_rejected(incident):
    before_start = incident.started_at - timedelta(minutes=5)

    with pytest.raises(ValidationFailed) as error:
        services.post_incident_update(
            incident, status="identified", body="Early.", display_at=before_start
        )

    assert list(error.value.errors) == ["display_at"]
    assert incident.updates.count() == 1
