"""/api/v1/plugins: the catalogue of checkers and notifiers."""

# ruff: noqa: F811

from __future__ import annotations

import pytest

from tests.statuscore.api_fixtures import tenant_a  # noqa: F401

pytestmark = pytest.mark.django_db


def test_catalogue_lists_checkers_with_schema(tenant_a):
    body = tenant_a.key_client().get("/api/v1/plugins").json()

    checkers = {checker["name"]: checker for checker in body["checkers"]}
    assert {"http", "tcp", "dns", "heartbeat"} <= set(checkers)
    assert checkers["tcp"]["config_schema"]["properties"]["port"]["maximum"] == 65535
    assert checkers["heartbeat"]["accepts_pushes"] is True


def test_catalogue_lists_notifiers_with_secrets(tenant_a):
    body = tenant_a.key_client().get("/api/v1/plugins").json()

    notifiers = {notifier["name"]: notifier for notifier in body["notifiers"]}
    assert notifiers["slack"]["secret_fields"] == ["webhook_url"]
    assert notifiers["email"]["subscribable"] is True
    assert "to" in notifiers["email"]["config_schema"]["properties"]
