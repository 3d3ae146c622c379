"""Fixtures for the subscription tests: recording notifiers and a page that
offers them."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from statuscore.testing import temporary_plugin
from tests.statuscore import recording


@pytest.fixture
def notifiers():
    recording.SENT.clear()
    recording.VERIFIED.clear()
    cache.clear()
    with temporary_plugin(recording.recording_plugin):
        yield recording
    cache.clear()


@pytest.fixture
def subscription_page(page, notifiers):
    page.url = "https://status.acme.test/"
    page.subscriber_notifiers = recording.ALL
    page.save()
    return page


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Return a context manager that runs on-commit callbacks, such as the
    confirmation task, when its block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s<>\"']+", text)


def last_sent_text() -> str:
    assert recording.SENT, "no message was sent"
    return recording.SENT[-1][2].text
