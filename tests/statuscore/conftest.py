"""Fixtures for statuscore's tests of notification delivery and of the
management API's incident and maintenance routes."""

from tests.statuscore.editorial_api import (  # noqa: F401
    as_editor,
    as_viewer,
    editor,
    other_component,
    other_organization,
    other_page,
    viewer,
)
from tests.statuscore.notifying import notifier  # noqa: F401
