"""Wagtail fixtures for the statuscms tests."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from statuscms.models import StatusPage
from statuscms.setup import ensure_status_page


@pytest.fixture
def status_page(page) -> StatusPage:
    """The Wagtail page of the shared ``page`` fixture, served at ``/``."""
    return ensure_status_page(page)


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        username="editor", email="editor@example.test", password="password"
    )


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client
