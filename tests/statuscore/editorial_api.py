"""Helpers for tests of ``/api/v1/incidents``, ``maintenances`` and
``maintenance-series``: authenticated requests and fixtures of two
organisations."""

from __future__ import annotations

import json

import pytest

from statuscore import services
from statuscore.models import Organization
from statuscore.services.api_keys import create_api_key
from statuscore.services.tokens import issue_token_pair
from tests.statuscore.accounts import make_member

HOST = "status.acme.test"


def bearer(user) -> dict[str, str]:
    """Return the header of a fresh access token for ``user``."""
    token = issue_token_pair(user).access_token
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def api_key_header(organization, scopes) -> dict[str, str]:
    created = create_api_key(organization, "ci", list(scopes))
    return {"HTTP_X_API_KEY": created.secret}


class ApiClient:
    """Django's test client sending JSON with one principal's credentials."""

    def __init__(self, client, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    def get(self, path, params=None, **extra):
        return self.client.get(path, params or {}, **self.headers, **extra)

    def _send(self, method, path, body, extra):
        return getattr(self.client, method)(
            path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            **self.headers,
            **extra,
        )

    def post(self, path, body=None, **extra):
        return self._send("post", path, body, extra)

    def patch(self, path, body=None, **extra):
        return self._send("patch", path, body, extra)

    def delete(self, path, **extra):
        return self.client.delete(path, **self.headers, **extra)


def error_fields(response) -> list[str]:
    """Return the names of the bad fields of an error response."""
    return [field["field"] for field in response.json()["error"]["fields"]]


@pytest.fixture
def editor(organization):
    return make_member(organization, "editor", "edith")


@pytest.fixture
def viewer(organization):
    return make_member(organization, "viewer", "victor")


@pytest.fixture
def as_editor(client, editor):
    return ApiClient(client, bearer(editor))


@pytest.fixture
def as_viewer(client, viewer):
    return ApiClient(client, bearer(viewer))


@pytest.fixture
def other_organization(db):
    return Organization.objects.create(name="Beta", slug="beta")


@pytest.fixture
def other_page(other_organization):
    return services.create_page(other_organization, "Beta Status", "beta")


@pytest.fixture
def other_component(other_page):
    return services.create_component(other_page, "Beta API")
