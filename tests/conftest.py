"""Fixtures shared by the whole suite. Nothing here may import Wagtail, so
statuscore's tests also run under ``statussite.settings.core``."""

from __future__ import annotations

import pytest

from statuscore import services
from statuscore.models import Organization, Page


@pytest.fixture
def organization(db) -> Organization:
    return Organization.objects.create(name="Acme", slug="acme")


@pytest.fixture
def page(organization) -> Page:
    return Page.objects.create(
        organization=organization, name="Acme Status", slug="acme", domain="status.acme.test"
    )


@pytest.fixture
def component(page):
    return services.create_component(page, "API")
