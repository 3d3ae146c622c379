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


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on 127.0.0.1, with Django's EMAIL_* settings on it.

    Yields a ``tests.smtp.SmtpSink``; read ``smtp_sink.received``.
    """
    from tests.smtp import SmtpSink

    with SmtpSink() as sink:
        settings.EMAIL_HOST = sink.host
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.DEFAULT_FROM_EMAIL = "status@status.acme.test"
        yield sink
