"""Fixtures for statuscore's tests of notification delivery."""

from tests.statuscore.notifying import notifier  # noqa: F401
