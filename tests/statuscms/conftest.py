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


EDITOR_PASSWORD = "a long editor password"

@pytest.fixture
def editor(organization):
    """A non-superuser with the editor role in ``organization``."""
    from statuscore import services
    from statuscore.models import Role

    user = get_user_model().objects.create_user(
        username="editor-a", email="editor-a@example.test", password=EDITOR_PASSWORD
    )
    services.add_member(organization, user, Role.EDITOR)
    return user


@pytest.fixture
def editor_client(client, editor):
    """A client signed in as ``editor`` through the admin login form."""
    from django.urls import reverse

    response = client.post(
        reverse("wagtailadmin_login"),
        {"username": editor.username, "password": EDITOR_PASSWORD},
    )
    assert response.status_code == 302, "the admin login form rejected the editor"
    return client
