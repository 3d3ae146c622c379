"""The reusable status page library: domain, monitoring, events and API.

It depends on Django, django-ninja, huey, pluggy and httpx, and never on
Wagtail, so it runs in any Django project. Plugin authors need only what
this module exports: ``hookimpl``, and the classes in
``statuscore.checkers`` and ``statuscore.notifiers``.
"""

import pluggy

__all__ = ["__version__", "hookimpl"]
__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("statuscore")
"""Marker for plugin functions that implement a hook in ``statuscore.hookspecs``."""
