"""Organisations full of objects, and clients that call /api/v1/ as them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from statuscore import services
from statuscore.checkers import Outcome
from statuscore.models import (
    AlertChannel,
    Check,
    CheckResult,
    Component,
    ComponentGroup,
    Incident,
    IncidentUpdate,
    Maintenance,
    MaintenanceSeries,
    Membership,
    Organization,
    Page,
    Subscriber,
)
from statuscore.services.api_keys import create_api_key
from statuscore.services.tokens import issue_token_pair
from statuscore.subscriptions import subscribe
from tests.statuscore.accounts import make_member


@dataclass
class Tenant:
    """One organisation with one object of every kind the API serves."""

    organization: Organization
    owner_membership: Membership
    page: Page
    group: ComponentGroup
    component: Component
    check: Check
    result: CheckResult
    channel: AlertChannel
    subscriber: Subscriber
    incident: Incident
    incident_update: IncidentUpdate
    maintenance: Maintenance
    series: MaintenanceSeries
    user_token: str
    key_secret: str
    read_key_secret: str

    def user_client(self) -> Client:
        return Client(headers={"Authorization": f"Bearer {self.user_token}"})

    def key_client(self) -> Client:
        return Client(headers={"X-API-Key": self.key_secret})

    def read_key_client(self) -> Client:
        return Client(headers={"Authorization": f"Bearer {self.read_key_secret}"})


def make_tenant(slug: str) -> Tenant:
    """Create organisation ``slug`` with an owner, keys and one of each object."""
    owner = make_member(
        Organization.objects.create(name=slug.title(), slug=slug),
        "owner",
        f"{slug}-owner",
    )
    organization = Organization.objects.get(slug=slug)
    page = services.create_page(organization, f"{slug.title()} Status", slug)
    group = services.create_component_group(page, "Backend")
    component = services.create_component(page, "API", group=group)
    check = services.create_check(
        page,
        "API port",
        "tcp",
        {"host": "127.0.0.1", "port": 9},
        component=component,
    )
    services.record_result(
        check.pk,
        Outcome(status="down", reason="connection refused"),
        checked_at=timezone.now() - timedelta(minutes=5),
    )
    channel = services.create_alert_channel(
        page,
        "Ops mail",
        "email",
        {"to": f"ops@{slug}.example"},
        event_kinds=["check.state_changed"],
    )
    subscriber = subscribe(
        page, "email", {"to": f"reader@{slug}.example"}, limited=False, confirmed=True
    )

    incident = services.create_incident(
        page,
        "API errors",
        body="Requests fail.",
        # Affected, but left operational: other tests change its status.
        component_statuses={component: "operational"},
    )
    incident_update = services.post_incident_update(
        incident, status="identified", body="A bad deploy."
    )
    starts_at = timezone.now().replace(microsecond=0) + timedelta(days=1)
    maintenance = services.schedule_maintenance(
        page,
        "Database upgrade",
        starts_at,
        starts_at + timedelta(hours=1),
        components=[component],
    )
    series = services.create_maintenance_series(
        page,
        "Weekly patching",
        frequency="weekly",
        weekday=6,
        start_time=time(2, 0),
        duration=timedelta(hours=1),
        time_zone="UTC",
        starts_on=timezone.now().date(),
    )

    return Tenant(
        organization=organization,
        owner_membership=Membership.objects.get(organization=organization, user=owner),
        page=page,
        group=group,
        component=component,
        check=check,
        result=CheckResult.objects.filter(uptime_check=check).latest("checked_at"),
        channel=channel,
        subscriber=subscriber,
        incident=incident,
        incident_update=incident_update,
        maintenance=maintenance,
        series=series,
        user_token=issue_token_pair(owner).access_token,
        key_secret=create_api_key(organization, "deploys", ["read", "write"]).secret,
        read_key_secret=create_api_key(organization, "dashboards", ["read"]).secret,
    )


@pytest.fixture
def tenant_a(db) -> Tenant:
    # Ids repeat between tests, so request counts of an earlier test's
    # user would count against this one's within the same minute.
    cache.clear()
    return make_tenant("alpha")


@pytest.fixture
def tenant_b(db) -> Tenant:
    return make_tenant("beta")


def post_json(client: Client, url: str, body: dict, **headers):
    return client.post(url, body, content_type="application/json", headers=headers)


def patch_json(client: Client, url: str, body: dict, **headers):
    return client.patch(url, body, content_type="application/json", headers=headers)


def error_fields(response) -> list[str]:
    """Return the ``field`` of each entry of an error response."""
    return [field["field"] for field in response.json()["error"]["fields"]]
