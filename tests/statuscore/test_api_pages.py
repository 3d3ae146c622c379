"""A page's domain decides which page the public API serves for a host, so
it must be a real host name, and only one page may hold it."""

# The shared fixtures are imported by name, and pytest passes them back as
# parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

import pytest

from statuscore import services
from statuscore.exceptions import ValidationFailed
from statuscore.models import Page
from tests.statuscore.api_fixtures import (  # noqa: F401
    error_fields,
    patch_json,
    post_json,
    tenant_a,
    tenant_b,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "domain",
    [
        "127.0.0.1",
        "http://<script>",
        "localhost",
        "status.example.com:8080",
        "status.example.com/path",
        "under_score.example.com",
        "-leading.example.com",
        "[::1]",
    ],
)
def test_page_domain_must_be_a_host_name(tenant_a, domain):
    with pytest.raises(ValidationFailed) as raised:
        services.update_page(tenant_a.page, domain=domain)

    assert list(raised.value.errors) == ["domain"]
    assert Page.objects.get(pk=tenant_a.page.pk).domain == ""


@pytest.mark.parametrize(
    "domain", ["status.example.com", "status-1.example.co.uk", "bücher.example"]
)
def test_page_domain_accepts_host_names(tenant_a, domain):
    services.update_page(tenant_a.page, domain=domain)

    assert Page.objects.get(pk=tenant_a.page.pk).domain == domain


def test_page_domain_in_use_named_on_domain(tenant_a, tenant_b):
    services.update_page(tenant_b.page, domain="status.beta.example")

    with pytest.raises(ValidationFailed) as raised:
        services.update_page(tenant_a.page, domain="status.beta.example")

    assert raised.value.errors == {"domain": ["This domain is already in use."]}


def test_patch_page_with_ip_address_domain_rejected(tenant_a):
    response = patch_json(
        tenant_a.user_client(),
        f"/api/v1/pages/{tenant_a.page.pk}",
        {"domain": "127.0.0.1"},
    )

    assert response.status_code == 422
    assert error_fields(response) == ["body.domain"]
    assert Page.objects.get(pk=tenant_a.page.pk).domain == ""


def test_create_page_with_markup_domain_rejected(tenant_a):
    body = {
        "organization_id": tenant_a.organization.pk,
        "name": "Spare",
        "slug": "spare",
        "domain": "http://<script>",
    }

    response = post_json(tenant_a.user_client(), "/api/v1/pages", body)

    assert response.status_code == 422
    assert error_fields(response) == ["body.domain"]
    assert not Page.objects.filter(slug="spare").exists()


def test_patch_taken_domain_rejected(tenant_a, tenant_b):
    services.update_page(tenant_b.page, domain="status.beta.example")

    response = patch_json(
        tenant_a.user_client(),
        f"/api/v1/pages/{tenant_a.page.pk}",
        {"domain": "status.beta.example"},
    )

    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert [field["field"] for field in fields] == ["body.domain"]
    assert fields[0]["message"] == "This domain is already in use."
    assert Page.objects.get(pk=tenant_a.page.pk).domain == ""


def test_api_sets_password_without_returning_it(tenant_a):
    response = patch_json(
        tenant_a.user_client(),
        f"/api/v1/pages/{tenant_a.page.pk}",
        {"access": "password", "password": "correct horse battery"},
    )

    assert response.status_code == 200
    assert response.json()["access"] == "password"
    assert response.json()["has_password"] is True
    assert "password" not in response.json()
    assert "correct horse battery" not in response.content.decode()


def test_api_rejects_bad_allowlist_naming_field(tenant_a):
    response = patch_json(
        tenant_a.user_client(),
        f"/api/v1/pages/{tenant_a.page.pk}",
        {"ip_allowlist": ["192.0.2.0/24", "nonsense"]},
    )

    assert response.status_code == 422
    assert error_fields(response) == ["body.ip_allowlist"]


def test_api_rejects_password_mode_without_password(tenant_a):
    response = patch_json(
        tenant_a.user_client(),
        f"/api/v1/pages/{tenant_a.page.pk}",
        {"access": "password"},
    )

    assert response.status_code == 422
    assert error_fields(response) == ["body.password"]


def test_api_creates_members_page_with_allowlist(tenant_a):
    response = post_json(
        tenant_a.user_client(),
        "/api/v1/pages",
        {
            "organization_id": tenant_a.organization.pk,
            "name": "Internal",
            "slug": "internal",
            "access": "members",
            "ip_allowlist": ["2001:db8::/32"],
        },
    )

    assert response.status_code == 201
    assert response.json()["access"] == "members"
    assert response.json()["ip_allowlist"] == ["2001:db8::/32"]
