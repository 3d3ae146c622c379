"""The isolation matrix: organisation A never reaches organisation B.

The routes come from the URL patterns of the NinjaAPI, so every route
added under /api/v1/ is tested without being listed here. For each route
and each method it serves, a user of A and an API key of A call it with
the ids of B's objects:

- a route with ids in its path must return 404 for every method, and leave
  B's objects unchanged;
- a list must hold none of B's objects, even when asked for B's page or
  organisation by a filter;
- a create must reject a body that names B's objects, and store nothing.

A route whose path parameter, list filter or request body the matrix
cannot fill fails, naming what to teach it, so a new route cannot skip
the check. The tables below are that teaching.
"""

# ruff: noqa: F811

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from statuscore.api import api
from statuscore.models import (
    AlertChannel,
    ApiKey,
    Check,
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
from tests.statuscore.api_fixtures import Tenant, tenant_a, tenant_b  # noqa: F401

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")

Fill = Callable[[Tenant], Any]

# How to name each path parameter after an object of organisation B.
PATH_IDS: dict[str, Fill] = {
    "organization_id": lambda b: b.organization.pk,
    "member_id": lambda b: b.owner_membership.pk,
    "page_id": lambda b: b.page.pk,
    "group_id": lambda b: b.group.pk,
    "component_id": lambda b: b.component.pk,
    "check_id": lambda b: b.check.pk,
    "channel_id": lambda b: b.channel.pk,
    "subscriber_id": lambda b: b.subscriber.pk,
    "key_id": lambda b: ApiKey.objects.filter(organization=b.organization).first().pk,
    "incident_id": lambda b: b.incident.pk,
    "update_id": lambda b: b.incident_update.pk,
    "maintenance_id": lambda b: b.maintenance.pk,
    "series_id": lambda b: b.series.pk,
}

# Valid bodies for writes to an object of B, so that only the ownership
# check can stop them (an invalid body would be a 422 before it).
ITEM_BODIES: dict[tuple[str, str], Fill] = {
    ("patch", "organizations/{organization_id}"): lambda b: {"name": "Taken"},
    ("post", "organizations/{organization_id}/members"): lambda b: {
        "email": "alpha-owner@example.test"
    },
    ("patch", "organizations/{organization_id}/members/{member_id}"): lambda b: {
        "role": "viewer"
    },
    ("patch", "pages/{page_id}"): lambda b: {"name": "Taken"},
    ("patch", "component-groups/{group_id}"): lambda b: {"name": "Taken"},
    ("patch", "components/{component_id}"): lambda b: {"status": "major_outage"},
    ("patch", "checks/{check_id}"): lambda b: {"enabled": False},
    ("patch", "alert-channels/{channel_id}"): lambda b: {"name": "Taken"},
    ("post", "organizations/{organization_id}/api-keys"): lambda b: {
        "name": "Taken",
        "scopes": ["read", "write"],
    },
    ("patch", "incidents/{incident_id}"): lambda b: {"name": "Taken"},
    ("post", "incidents/{incident_id}/resolve"): lambda b: {"body": "Fixed."},
    ("post", "incidents/{incident_id}/approve"): lambda b: {},
    ("post", "incidents/{incident_id}/updates"): lambda b: {
        "status": "monitoring",
        "body": "Watching.",
    },
    ("patch", "incidents/{incident_id}/updates/{update_id}"): lambda b: {
        "body": "Taken"
    },
    ("patch", "maintenances/{maintenance_id}"): lambda b: {"name": "Taken"},
    ("post", "maintenances/{maintenance_id}/cancel"): lambda b: {},
    ("post", "maintenances/{maintenance_id}/complete"): lambda b: {},
    ("post", "maintenances/{maintenance_id}/updates"): lambda b: {"body": "Note."},
    ("patch", "maintenance-series/{series_id}"): lambda b: {"name": "Taken"},
    ("post", "maintenance-series/{series_id}/end"): lambda b: {},
}

# For each list: filters that ask for B's objects outright. Each must
# return nothing; the plain list is checked as well.
LIST_FILTERS: dict[str, Fill] = {
    "organizations": lambda b: {},
    "pages": lambda b: {"organization": b.organization.pk},
    "component-groups": lambda b: {"page": b.page.pk},
    "components": lambda b: {"page": b.page.pk, "group": b.group.pk},
    "checks": lambda b: {"page": b.page.pk, "component": b.component.pk},
    "alert-channels": lambda b: {"page": b.page.pk},
    "subscribers": lambda b: {"page": b.page.pk, "component": b.component.pk},
    "incidents": lambda b: {"page": b.page.pk, "component": b.component.pk},
    "maintenances": lambda b: {"page": b.page.pk, "component": b.component.pk},
    "maintenance-series": lambda b: {"page": b.page.pk},
}

# For each create: a body that names B's objects. It must be rejected
# with 404, or 422 naming the field that refers to B.
CREATE_BODIES: dict[str, tuple[Fill, str | None]] = {
    "pages": (
        lambda b: {"organization_id": b.organization.pk, "name": "X", "slug": "x"},
        "body.organization_id",
    ),
    "component-groups": (
        lambda b: {"page_id": b.page.pk, "name": "X"},
        "body.page_id",
    ),
    "components": (lambda b: {"page_id": b.page.pk, "name": "X"}, "body.page_id"),
    "checks": (
        lambda b: {
            "page_id": b.page.pk,
            "name": "X",
            "checker": "tcp",
            "config": {"host": "127.0.0.1", "port": 9},
        },
        "body.page_id",
    ),
    "alert-channels": (
        lambda b: {
            "page_id": b.page.pk,
            "name": "X",
            "notifier": "email",
            "config": {"to": "x@alpha.example"},
        },
        "body.page_id",
    ),
    "subscribers": (
        lambda b: {"page_id": b.page.pk, "config": {"to": "x@alpha.example"}},
        "body.page_id",
    ),
    "subscribers/import": (
        lambda b: {"page_id": b.page.pk, "csv": "address\nx@alpha.example\n"},
        "body.page_id",
    ),
    "incidents": (
        lambda b: {"page_id": b.page.pk, "name": "X", "body": "Down."},
        "body.page_id",
    ),
    "maintenances": (
        lambda b: {
            "page_id": b.page.pk,
            "name": "X",
            "starts_at": "2030-01-01T00:00:00Z",
            "ends_at": "2030-01-01T01:00:00Z",
        },
        "body.page_id",
    ),
    "maintenance-series": (
        lambda b: {
            "page_id": b.page.pk,
            "name": "X",
            "frequency": "daily",
            "start_time": "02:00",
            "duration": "PT1H",
            "time_zone": "UTC",
            "starts_on": "2030-01-01",
        },
        "body.page_id",
    ),
}

# Routes that hold no organisation's objects, with the reason.
UNSCOPED = {
    "plugins": "the catalogue of installed plugins, the same for everyone",
}

# Routes about the caller's own account and tokens. They take no ids, so
# each is checked not to mention organisation B in any response.
OWN_ACCOUNT = {
    "auth/register": "creates a new user, and optionally a new organisation",
    "auth/login": "signs the caller in",
    "auth/refresh": "rotates the caller's own refresh token",
    "auth/logout": "revokes the caller's own refresh token",
    "auth/me": "the caller's user and memberships",
}

# Creates whose objects belong to the caller only and cannot name
# another organisation, with the reason.
OWN_SCOPE_CREATES = {
    "organizations": "creates a new organisation owned by the caller",
}


# Models a rejected create must not add a row to.
COUNTED_MODELS = (Page, Component, Check, Incident, Maintenance, MaintenanceSeries)


def v1_routes() -> list[str]:
    """Return each route under /api/v1/ once, as ``pages/{page_id}``."""
    patterns, _app_name, _namespace = api.urls
    routes = []
    for pattern in patterns:
        route = str(pattern.pattern)
        if route.startswith("v1/"):
            template = PARAMETER.sub(r"{\1}", route.removeprefix("v1/"))
            if template not in routes:
                routes.append(template)
    return routes


def _objects_of(tenant: Tenant) -> list:
    return [
        tenant.organization,
        tenant.owner_membership,
        tenant.page,
        tenant.group,
        tenant.component,
        tenant.check,
        tenant.channel,
        tenant.subscriber,
        tenant.incident,
        tenant.incident_update,
        tenant.maintenance,
        tenant.series,
    ]


def _snapshot(tenant: Tenant) -> list[tuple]:
    """Return a comparable picture of B's objects and their fields."""
    rows = [
        (
            "ApiKey",
            list(ApiKey.objects.filter(organization=tenant.organization).values()),
        )
    ]
    for model, obj in (
        (Organization, tenant.organization),
        (Membership, tenant.owner_membership),
        (Page, tenant.page),
        (ComponentGroup, tenant.group),
        (Component, tenant.component),
        (Check, tenant.check),
        (AlertChannel, tenant.channel),
        (Subscriber, tenant.subscriber),
        (Incident, tenant.incident),
        (IncidentUpdate, tenant.incident_update),
        (Maintenance, tenant.maintenance),
        (MaintenanceSeries, tenant.series),
    ):
        rows.append((model.__name__, list(model.objects.filter(pk=obj.pk).values())))
    return rows


def _call(client, method: str, url: str, body: dict | None = None, query=None):
    if method == "get":
        return client.get(url, query or {})
    call = getattr(client, method)
    return call(url, body if body is not None else {}, content_type="application/json")


def _client(tenant: Tenant, principal: str):
    return tenant.user_client() if principal == "user" else tenant.key_client()


def _served(response) -> bool:
    return response.status_code != 405


def _check_item_route(route, params, a, b, client, principal) -> int:
    """Call every method on B's object; return how many were served."""
    url = "/api/v1/" + route.format(**{name: PATH_IDS[name](b) for name in params})
    before = _snapshot(b)
    served = 0
    for method in METHODS:
        body = None
        if method in ("post", "put", "patch"):
            fill = ITEM_BODIES.get((method, route))
            body = fill(b) if fill else {}
        response = _call(client, method, url, body)
        if not _served(response):
            continue
        served += 1
        if method in ("post", "put", "patch") and (method, route) not in ITEM_BODIES:
            pytest.fail(
                f"{method.upper()} /api/v1/{route} is served, but the isolation "
                f"matrix has no valid body for it; add one to ITEM_BODIES."
            )
        assert response.status_code == 404, (
            f"{principal} of A: {method.upper()} {url} answered "
            f"{response.status_code} for B's object: {response.content[:300]!r}"
        )
        assert response.json()["error"]["code"] == "not_found"
    assert _snapshot(b) == before, f"{url} changed B's objects"
    return served


def _foreign_ids(b: Tenant) -> dict[str, set[int]]:
    return {
        "page_id": {b.page.pk},
        "organization_id": {b.organization.pk},
    }


def _assert_no_foreign_results(route: str, results: list[dict], b: Tenant) -> None:
    foreign = _foreign_ids(b)
    for item in results:
        for field, ids in foreign.items():
            if field in item:
                assert item[field] not in ids, f"/{route} listed B's object {item}"
        if route == "organizations":
            assert item["id"] != b.organization.pk


def _check_own_account_route(route, b, client, principal) -> int:
    """Call every method with an empty body; none may mention B."""
    url = f"/api/v1/{route}"
    before = _snapshot(b)
    served = 0
    for method in METHODS:
        response = _call(client, method, url, {} if method != "get" else None)
        if not _served(response):
            continue
        served += 1
        assert response.status_code < 500, response.content[:300]
        for mention in (b.organization.slug, b.organization.name):
            assert mention.encode() not in response.content, (
                f"{principal} of A: {method.upper()} {url} mentioned {mention}"
            )
    assert _snapshot(b) == before, f"{url} changed B's objects"
    return served


def _check_collection_route(route, a, b, client, principal) -> int:
    url = f"/api/v1/{route}"
    if route in OWN_ACCOUNT:
        return _check_own_account_route(route, b, client, principal)
    served = 0
    for method in METHODS:
        if method == "get":
            response = client.get(url)
            if not _served(response):
                continue
            served += 1
            if route in UNSCOPED:
                assert response.status_code == 200
                continue
            if route not in LIST_FILTERS:
                pytest.fail(
                    f"GET {url} is a list the isolation matrix cannot fill; add "
                    f"filters naming B's objects to LIST_FILTERS."
                )
            assert response.status_code == 200, response.content[:300]
            _assert_no_foreign_results(route, response.json()["results"], b)
            filtered = client.get(url, LIST_FILTERS[route](b))
            assert filtered.status_code == 200
            _assert_no_foreign_results(route, filtered.json()["results"], b)
            if LIST_FILTERS[route](b):
                assert filtered.json()["count"] == 0, (
                    f"{principal} of A: GET {url} with B's filters listed "
                    f"{filtered.json()['results']}"
                )
            continue

        body = CREATE_BODIES[route][0](b) if route in CREATE_BODIES else {}
        before = _snapshot(b)
        counts = [model.objects.count() for model in COUNTED_MODELS]
        response = _call(client, method, url, body)
        if not _served(response):
            continue
        served += 1
        if route in OWN_SCOPE_CREATES:
            continue
        if route not in CREATE_BODIES:
            pytest.fail(
                f"{method.upper()} {url} is served, but the isolation matrix has "
                f"no body naming B's objects for it; add one to CREATE_BODIES."
            )
        field = CREATE_BODIES[route][1]
        assert response.status_code in (404, 422), (
            f"{principal} of A: {method.upper()} {url} with B's ids answered "
            f"{response.status_code}: {response.content[:300]!r}"
        )
        if response.status_code == 422:
            fields = [item["field"] for item in response.json()["error"]["fields"]]
            assert field in fields, f"{url} rejected {fields}, not {field}"
        assert _snapshot(b) == before
        assert [model.objects.count() for model in COUNTED_MODELS] == counts
    return served


ROUTES = v1_routes()


def test_matrix_covers_the_resources():
    expected = {
        "organizations",
        "pages",
        "components",
        "checks",
        "plugins",
        "incidents",
        "incidents/{incident_id}/updates/{update_id}",
        "maintenances",
        "maintenance-series/{series_id}",
    }

    assert expected <= set(ROUTES)


@pytest.mark.parametrize("principal", ["user", "api_key"])
@pytest.mark.parametrize("route", ROUTES)
def test_organization_a_cannot_reach_b(route, principal, tenant_a, tenant_b):
    client = _client(tenant_a, principal)
    params = PARAMETER.findall(route.replace("{", "<").replace("}", ">"))
    unknown = [name for name in params if name not in PATH_IDS]
    if unknown:
        pytest.fail(
            f"The isolation matrix cannot fill {', '.join(unknown)} of "
            f"/api/v1/{route}; add it to PATH_IDS with an object of B."
        )

    if params:
        served = _check_item_route(route, params, tenant_a, tenant_b, client, principal)
    else:
        served = _check_collection_route(route, tenant_a, tenant_b, client, principal)

    assert served > 0, f"/api/v1/{route} served no method"


def test_unknown_path_parameter_fails_matrix(tenant_a, tenant_b):
    with pytest.raises(pytest.fail.Exception, match="add it to PATH_IDS"):
        test_organization_a_cannot_reach_b(
            "widgets/{widget_id}", "user", tenant_a, tenant_b
        )


def test_untaught_list_fails_matrix(tenant_a, tenant_b, monkeypatch):
    monkeypatch.delitem(LIST_FILTERS, "pages")

    with pytest.raises(pytest.fail.Exception, match="LIST_FILTERS"):
        test_organization_a_cannot_reach_b("pages", "user", tenant_a, tenant_b)


def test_untaught_write_body_fails_matrix(tenant_a, tenant_b, monkeypatch):
    monkeypatch.delitem(ITEM_BODIES, ("patch", "pages/{page_id}"))

    with pytest.raises(pytest.fail.Exception, match="ITEM_BODIES"):
        test_organization_a_cannot_reach_b(
            "pages/{page_id}", "user", tenant_a, tenant_b
        )
