"""Events are written with the change and delivered to plugins after commit."""

from __future__ import annotations

import pydantic
import pytest
from django.db import transaction

from statuscore import hookimpl, services
from statuscore.events import EventKind
from statuscore.models import ComponentStatus, OutboxEvent
from statuscore.notifiers import Message, Notifier
from statuscore.plugins import get_notifiers, register_plugin, reset_plugin_manager
from statuscore.tasks import process_outbox


class RecordingPlugin:
    """A plugin that records every event, and fails while ``failing`` is set."""

    def __init__(self) -> None:
        self.events = []
        self.failing = False

    @hookimpl
    def statuscore_event(self, event):
        if self.failing:
            raise RuntimeError("receiver unavailable")
        self.events.append(event)


@pytest.fixture
def recorder():
    reset_plugin_manager()
    plugin = RecordingPlugin()
    register_plugin(plugin, name="recorder")
    yield plugin
    reset_plugin_manager()


def test_status_change_writes_one_event(component):
    services.set_component_status(component, ComponentStatus.MAJOR_OUTAGE, source="user:1")

    rows = list(OutboxEvent.objects.all())
    assert len(rows) == 1
    assert rows[0].kind == EventKind.COMPONENT_STATUS_CHANGED
    assert rows[0].payload["old_status"] == "operational"
    assert rows[0].payload["new_status"] == "major_outage"
    assert rows[0].page_id == component.page_id


def test_same_status_writes_no_event(component):
    changed = services.set_component_status(
        component, ComponentStatus.OPERATIONAL, source="user:1"
    )

    assert changed is False
    assert OutboxEvent.objects.count() == 0


def test_rolled_back_change_leaves_no_event(component):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            services.set_component_status(
                component, ComponentStatus.PARTIAL_OUTAGE, source="user:1"
            )
            raise RuntimeError("the request failed after the change")

    component.refresh_from_db()
    assert component.status == ComponentStatus.OPERATIONAL
    assert OutboxEvent.objects.count() == 0


def test_drain_runs_after_commit(component, recorder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.set_component_status(
            component, ComponentStatus.DEGRADED_PERFORMANCE, source="user:1"
        )
        assert recorder.events == []

    assert len(callbacks) == 1
    assert [event.kind for event in recorder.events] == ["component.status_changed"]
    assert recorder.events[0].payload["component_id"] == component.pk
    assert OutboxEvent.objects.get().processed_at is not None


def test_failed_hook_is_retried(component, recorder):
    services.set_component_status(component, ComponentStatus.MAJOR_OUTAGE, source="user:1")
    recorder.failing = True

    assert process_outbox() == 0
    row = OutboxEvent.objects.get()
    assert row.processed_at is None
    assert row.attempts == 1
    assert "receiver unavailable" in row.last_error

    recorder.failing = False
    assert process_outbox() == 1
    row.refresh_from_db()
    assert row.processed_at is not None
    assert row.last_error == ""
    assert len(recorder.events) == 1


def test_processed_event_not_delivered_again(component, recorder):
    services.set_component_status(component, ComponentStatus.MAJOR_OUTAGE, source="user:1")

    process_outbox()
    process_outbox()

    assert len(recorder.events) == 1


def test_events_delivered_in_order(component, recorder):
    services.set_component_status(component, ComponentStatus.MAJOR_OUTAGE, source="user:1")
    services.set_component_status(component, ComponentStatus.OPERATIONAL, source="user:1")

    process_outbox()

    assert [e.payload["new_status"] for e in recorder.events] == [
        "major_outage",
        "operational",
    ]


def test_incident_lifecycle_events(page, component, recorder):
    incident = services.create_incident(
        page,
        "API errors",
        body="Investigating.",
        impact="major",
        component_statuses={component: ComponentStatus.PARTIAL_OUTAGE},
    )
    services.post_incident_update(incident, status="resolved", body="Fixed.")

    process_outbox()

    kinds = [event.kind for event in recorder.events]
    assert kinds == [
        "component.status_changed",
        "incident.created",
        "incident.resolved",
    ]


class EchoConfig(pydantic.BaseModel):
    target: str


class EchoNotifier(Notifier):
    name = "echo"
    label = "Echo"
    Config = EchoConfig

    def send(self, config, message: Message) -> None:
        pass


class EchoPlugin:
    @hookimpl
    def statuscore_register_notifiers(self):
        return [EchoNotifier]


def test_notifier_registered_through_hook():
    reset_plugin_manager()
    try:
        register_plugin(EchoPlugin(), name="echo")

        assert get_notifiers()["echo"] is EchoNotifier
    finally:
        reset_plugin_manager()


def test_update_keeps_concurrent_status(component):
    stale = type(component).objects.get(pk=component.pk)
    services.set_component_status(component, ComponentStatus.MAJOR_OUTAGE, source="check:1")

    services.update_component(stale, name="API v2")

    component.refresh_from_db()
    assert component.name == "API v2"
    assert component.status == ComponentStatus.MAJOR_OUTAGE
