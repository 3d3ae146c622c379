"""The plugin contract: every hook statuscore calls, grouped by phase.

Plugins implement these with ``@statuscore.hookimpl`` and are found through
the ``statuscore`` entry-point group. Built-in plugins under ``plugins/`` are
registered the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from statuscore.checkers import Checker
    from statuscore.events import Event
    from statuscore.notifiers import Notifier

hookspec = pluggy.HookspecMarker("statuscore")


# -- Registration --------------------------------------------------------------


@hookspec
def statuscore_register_checkers() -> list[type[Checker]]:
    """Return the checker classes this plugin provides.

    Called once when the plugin manager is built. Each class subclasses
    ``statuscore.checkers.Checker`` and has a unique ``name``; a second
    class with a name already taken is rejected with ``PluginError``.
    """


@hookspec
def statuscore_register_notifiers() -> list[type[Notifier]]:
    """Return the notifier classes this plugin provides.

    Called once when the plugin manager is built. Each class subclasses
    ``statuscore.notifiers.Notifier`` and has a unique ``name``.
    """


# -- Events --------------------------------------------------------------------


@hookspec
def statuscore_event(event: Event) -> None:
    """React to a committed domain event.

    Called by the outbox drain task, after the transaction that wrote the
    event has committed, once per event and plugin. ``event.kind`` is one of
    ``statuscore.events.EventKind``. Delivery is at least once: a failed
    drain calls the hook again for the same event, so implementations must
    be idempotent (``event.id`` is stable). The return value is ignored; an
    exception is logged and the event is retried.
    """
