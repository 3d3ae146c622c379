"""The refresher thread, against committed changes."""

from __future__ import annotations

import time

import pytest

from statuscms.setup import ensure_status_page
from statuscms.snapshots.refresher import Refresher
from statuscms.snapshots.store import SnapshotStore
from statuscore import services
from statuscore.models import Organization

pytestmark = pytest.mark.django_db(transaction=True)

SUMMARY = "/api/v2/summary.json"


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def committed_page():
    organization = Organization.objects.create(name="Acme", slug="acme")
    page = services.create_page(organization, "Acme Status", "acme")
    ensure_status_page(page)
    return page


@pytest.fixture
def running_refresher(committed_page):
    snapshot_store = SnapshotStore()
    refresher = Refresher(snapshot_store, poll_interval=0.05)
    refresher.start()
    assert wait_for(lambda: snapshot_store.get("localhost", SUMMARY), 30)
    yield refresher
    refresher.stop()


def test_committed_incident_rebuilds_within_a_second(running_refresher, committed_page):
    snapshot_store = running_refresher.store

    services.create_incident(committed_page, "Database down", body="Looking into it.")
    committed = time.monotonic()

    def rebuilt() -> bool:
        return b"Database down" in snapshot_store.get("localhost", SUMMARY).default.body

    assert wait_for(rebuilt, 1.0)
    assert time.monotonic() - committed < 1.0
